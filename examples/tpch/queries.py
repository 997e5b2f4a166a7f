"""TPC-H Q1, Q3, Q5 and Q6 as pandas-style functions.

Each function takes the TPC-H tables it reads (by their TPC-H names) and uses only the
cylonc API, so the same code runs undecorated on pandas DataFrames (dates as ``datetime64``)
and under ``cc.compile`` on Arrow tables (dates as ``date32``). Substitution parameters are
the TPC-H defaults, matching `sql.py`.

Examples
--------
>>> import cylonc as cc
>>> from tpch import datagen, queries
>>> t = datagen.load(0.1, ".cylonc-cache/tpch/sf0.1", tables=["lineitem"])   # doctest: +SKIP
>>> cc.compile(queries.q6)(t["lineitem"])                                   # doctest: +SKIP
"""

import pandas as pd


def q1(lineitem):
    """Pricing summary report."""
    li = lineitem[lineitem.l_shipdate <= pd.Timestamp("1998-09-02")]
    disc_price = li.l_extendedprice * (1 - li.l_discount)
    li = li.assign(disc_price=disc_price, charge=disc_price * (1 + li.l_tax))
    out = li.groupby(["l_returnflag", "l_linestatus"], as_index=False).agg(
        sum_qty=("l_quantity", "sum"),
        sum_base_price=("l_extendedprice", "sum"),
        sum_disc_price=("disc_price", "sum"),
        sum_charge=("charge", "sum"),
        avg_qty=("l_quantity", "mean"),
        avg_price=("l_extendedprice", "mean"),
        avg_disc=("l_discount", "mean"),
        count_order=("l_orderkey", "size"),
    )
    return out.sort_values(["l_returnflag", "l_linestatus"])


def q3(customer, orders, lineitem):
    """Shipping priority: the ten unshipped orders of highest value."""
    c = customer[customer.c_mktsegment == "BUILDING"]
    o = orders[orders.o_orderdate < pd.Timestamp("1995-03-15")]
    li = lineitem[lineitem.l_shipdate > pd.Timestamp("1995-03-15")]
    j = c.merge(o, left_on="c_custkey", right_on="o_custkey")
    j = j.merge(li, left_on="o_orderkey", right_on="l_orderkey")
    j = j.assign(revenue=j.l_extendedprice * (1 - j.l_discount))
    out = j.groupby(["l_orderkey", "o_orderdate", "o_shippriority"], as_index=False).agg(
        revenue=("revenue", "sum")
    )
    out = out.sort_values(["revenue", "o_orderdate"], ascending=[False, True]).head(10)
    return out[["l_orderkey", "revenue", "o_orderdate", "o_shippriority"]]


def q5(customer, orders, lineitem, supplier, nation, region):
    """Local supplier volume: revenue by nation in one region and year."""
    r = region[region.r_name == "ASIA"]
    n = nation.merge(r, left_on="n_regionkey", right_on="r_regionkey")
    s = supplier.merge(n, left_on="s_nationkey", right_on="n_nationkey")
    o = orders[
        (orders.o_orderdate >= pd.Timestamp("1994-01-01"))
        & (orders.o_orderdate < pd.Timestamp("1995-01-01"))
    ]
    j = customer.merge(o, left_on="c_custkey", right_on="o_custkey")
    j = j.merge(lineitem, left_on="o_orderkey", right_on="l_orderkey")
    j = j.merge(s, left_on=["l_suppkey", "c_nationkey"], right_on=["s_suppkey", "s_nationkey"])
    j = j.assign(revenue=j.l_extendedprice * (1 - j.l_discount))
    out = j.groupby("n_name", as_index=False).agg(revenue=("revenue", "sum"))
    return out.sort_values("revenue", ascending=False)


def q6(lineitem):
    """Forecasting revenue change: a scalar."""
    li = lineitem[
        (lineitem.l_shipdate >= pd.Timestamp("1994-01-01"))
        & (lineitem.l_shipdate < pd.Timestamp("1995-01-01"))
        & lineitem.l_discount.between(0.05, 0.07)
        & (lineitem.l_quantity < 24)
    ]
    return (li.l_extendedprice * li.l_discount).sum()


QUERIES = {"q1": q1, "q3": q3, "q5": q5, "q6": q6}
