"""TPC-H Q1, Q3, Q5, Q6 and the micro benchmarks in the Polars lazy API.

Each function takes `polars.LazyFrame`s (the TPC-H tables by their TPC-H names) and returns a
`LazyFrame`; the harness calls ``.collect()``. Substitution parameters are the TPC-H defaults,
as in ``examples/tpch/sql.py`` and ``examples/tpch/queries.py``; output columns are named and
ordered as in the SQL, so the answers compare with DuckDB's.

``POLARS_MAX_THREADS`` must be set before this module is imported (``benchmarks/run.py`` runs
every engine in its own subprocess with it set).
"""

from __future__ import annotations

from datetime import date

import polars as pl


def _revenue() -> pl.Expr:
    return pl.col("l_extendedprice") * (1 - pl.col("l_discount"))


def q1(lineitem: pl.LazyFrame) -> pl.LazyFrame:
    """Pricing summary report."""
    disc_price = _revenue()
    return (
        lineitem.filter(pl.col("l_shipdate") <= date(1998, 9, 2))
        .with_columns(disc_price.alias("disc_price"))
        .with_columns((pl.col("disc_price") * (1 + pl.col("l_tax"))).alias("charge"))
        .group_by("l_returnflag", "l_linestatus")
        .agg(
            sum_qty=pl.col("l_quantity").sum(),
            sum_base_price=pl.col("l_extendedprice").sum(),
            sum_disc_price=pl.col("disc_price").sum(),
            sum_charge=pl.col("charge").sum(),
            avg_qty=pl.col("l_quantity").mean(),
            avg_price=pl.col("l_extendedprice").mean(),
            avg_disc=pl.col("l_discount").mean(),
            count_order=pl.len(),
        )
        .sort("l_returnflag", "l_linestatus")
    )


def q3(customer: pl.LazyFrame, orders: pl.LazyFrame, lineitem: pl.LazyFrame) -> pl.LazyFrame:
    """Shipping priority: the ten unshipped orders of highest value."""
    c = customer.filter(pl.col("c_mktsegment") == "BUILDING")
    o = orders.filter(pl.col("o_orderdate") < date(1995, 3, 15))
    li = lineitem.filter(pl.col("l_shipdate") > date(1995, 3, 15))
    return (
        c.join(o, left_on="c_custkey", right_on="o_custkey")
        .join(li, left_on="o_orderkey", right_on="l_orderkey")
        .group_by("o_orderkey", "o_orderdate", "o_shippriority")
        .agg(revenue=_revenue().sum())
        .sort(["revenue", "o_orderdate"], descending=[True, False])
        .head(10)
        .select(
            pl.col("o_orderkey").alias("l_orderkey"), "revenue", "o_orderdate", "o_shippriority"
        )
    )


def q5(
    customer: pl.LazyFrame,
    orders: pl.LazyFrame,
    lineitem: pl.LazyFrame,
    supplier: pl.LazyFrame,
    nation: pl.LazyFrame,
    region: pl.LazyFrame,
) -> pl.LazyFrame:
    """Local supplier volume: revenue by nation in one region and year."""
    o = orders.filter(
        (pl.col("o_orderdate") >= date(1994, 1, 1)) & (pl.col("o_orderdate") < date(1995, 1, 1))
    )
    return (
        region.filter(pl.col("r_name") == "ASIA")
        .join(nation, left_on="r_regionkey", right_on="n_regionkey")
        .join(customer, left_on="n_nationkey", right_on="c_nationkey")
        .join(o, left_on="c_custkey", right_on="o_custkey")
        .join(lineitem, left_on="o_orderkey", right_on="l_orderkey")
        .join(supplier, left_on=["l_suppkey", "n_nationkey"], right_on=["s_suppkey", "s_nationkey"])
        .group_by("n_name")
        .agg(revenue=_revenue().sum())
        .sort("revenue", descending=True)
    )


def q6(lineitem: pl.LazyFrame) -> pl.LazyFrame:
    """Forecasting revenue change: a one-cell frame ``revenue``."""
    return lineitem.filter(
        (pl.col("l_shipdate") >= date(1994, 1, 1))
        & (pl.col("l_shipdate") < date(1995, 1, 1))
        & pl.col("l_discount").is_between(0.05, 0.07)
        & (pl.col("l_quantity") < 24)
    ).select(revenue=(pl.col("l_extendedprice") * pl.col("l_discount")).sum())


def join(left: pl.LazyFrame, right: pl.LazyFrame) -> pl.LazyFrame:
    """Inner join on ``k``: columns ``k, a, b``."""
    return left.join(right, on="k", how="inner")


def groupby(t: pl.LazyFrame) -> pl.LazyFrame:
    """Sum of ``v`` per ``k``: columns ``k, s``."""
    return t.group_by("k").agg(s=pl.col("v").sum())


def sort(t: pl.LazyFrame) -> pl.LazyFrame:
    """All rows sorted by ``k``."""
    return t.sort("k")


QUERIES = {"q1": q1, "q3": q3, "q5": q5, "q6": q6}
MICRO = {"join": join, "groupby": groupby, "sort": sort}
