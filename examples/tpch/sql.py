"""Standard TPC-H SQL for Q1, Q3, Q5 and Q6 (default substitution parameters), for DuckDB."""

from __future__ import annotations

import os

Q1 = """
select
    l_returnflag,
    l_linestatus,
    sum(l_quantity) as sum_qty,
    sum(l_extendedprice) as sum_base_price,
    sum(l_extendedprice * (1 - l_discount)) as sum_disc_price,
    sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) as sum_charge,
    avg(l_quantity) as avg_qty,
    avg(l_extendedprice) as avg_price,
    avg(l_discount) as avg_disc,
    count(*) as count_order
from
    lineitem
where
    l_shipdate <= date '1998-12-01' - interval '90' day
group by
    l_returnflag,
    l_linestatus
order by
    l_returnflag,
    l_linestatus
"""

Q3 = """
select
    l_orderkey,
    sum(l_extendedprice * (1 - l_discount)) as revenue,
    o_orderdate,
    o_shippriority
from
    customer,
    orders,
    lineitem
where
    c_mktsegment = 'BUILDING'
    and c_custkey = o_custkey
    and l_orderkey = o_orderkey
    and o_orderdate < date '1995-03-15'
    and l_shipdate > date '1995-03-15'
group by
    l_orderkey,
    o_orderdate,
    o_shippriority
order by
    revenue desc,
    o_orderdate
limit 10
"""

Q5 = """
select
    n_name,
    sum(l_extendedprice * (1 - l_discount)) as revenue
from
    customer,
    orders,
    lineitem,
    supplier,
    nation,
    region
where
    c_custkey = o_custkey
    and l_orderkey = o_orderkey
    and l_suppkey = s_suppkey
    and c_nationkey = s_nationkey
    and s_nationkey = n_nationkey
    and n_regionkey = r_regionkey
    and r_name = 'ASIA'
    and o_orderdate >= date '1994-01-01'
    and o_orderdate < date '1994-01-01' + interval '1' year
group by
    n_name
order by
    revenue desc
"""

Q6 = """
select
    sum(l_extendedprice * l_discount) as revenue
from
    lineitem
where
    l_shipdate >= date '1994-01-01'
    and l_shipdate < date '1994-01-01' + interval '1' year
    and l_discount between 0.06 - 0.01 and 0.06 + 0.01
    and l_quantity < 24
"""

SQL = {"q1": Q1, "q3": Q3, "q5": Q5, "q6": Q6}


def run_duckdb(name: str, paths: dict[str, str | os.PathLike]):
    """Run query `name` in DuckDB over Parquet files (decimals stay exact in DuckDB).

    Parameters
    ----------
    name : str
        One of ``"q1"``, ``"q3"``, ``"q5"``, ``"q6"``.
    paths : dict of str to path
        TPC-H table name to Parquet file, as returned by `datagen.generate`.

    Returns
    -------
    pandas.DataFrame
    """
    import duckdb

    con = duckdb.connect()
    try:
        for table, path in paths.items():
            literal = str(path).replace("'", "''")
            con.execute(f"create view {table} as select * from read_parquet('{literal}')")
        return con.execute(SQL[name]).df()
    finally:
        con.close()
