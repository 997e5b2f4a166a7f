"""TPC-H Q1, Q3, Q5, Q6 and the micro benchmarks in pyarrow (Acero plans and pyarrow.compute).

Each function takes `pyarrow.Table`s (the TPC-H tables by their TPC-H names, decimals already
cast to float64, dates as date32) and returns a `pyarrow.Table` (Q6: a Python float). Filters,
projections, hash joins and hash aggregates run as one streaming Acero plan per query; the small
final sort / top-10 runs on the aggregated table. Hash joins build on the right input, so the
smaller side is always the right one. Output columns are named and ordered as in the SQL of
``examples/tpch/sql.py``, so the answers compare with DuckDB's.

Thread count: the harness calls ``pa.set_cpu_count`` / ``pa.set_io_thread_count`` first.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import acero

_f = pc.field


def _d(y: int, m: int, d: int) -> pc.Expression:
    return pc.scalar(pa.scalar(date(y, m, d), pa.date32()))


def _source(table: pa.Table) -> acero.Declaration:
    return acero.Declaration("table_source", acero.TableSourceNodeOptions(table))


def _seq(*decls: acero.Declaration) -> acero.Declaration:
    return acero.Declaration.from_sequence(list(decls))


def _filter(expr: pc.Expression) -> acero.Declaration:
    return acero.Declaration("filter", acero.FilterNodeOptions(expr))


def _project(**exprs: pc.Expression) -> acero.Declaration:
    return acero.Declaration("project", acero.ProjectNodeOptions(list(exprs.values()), list(exprs)))


def _aggregate(aggs: list[tuple], keys: list[str] | None = None) -> acero.Declaration:
    return acero.Declaration("aggregate", acero.AggregateNodeOptions(aggs, keys=keys))


def _hashjoin(probe: acero.Declaration, build: acero.Declaration, probe_keys, build_keys,
              probe_output, build_output) -> acero.Declaration:
    opts = acero.HashJoinNodeOptions(
        "inner", probe_keys, build_keys, left_output=probe_output, right_output=build_output
    )
    return acero.Declaration("hashjoin", opts, inputs=[probe, build])


def _revenue() -> pc.Expression:
    return pc.multiply(_f("l_extendedprice"), pc.subtract(pc.scalar(1.0), _f("l_discount")))


def q1(lineitem: pa.Table) -> pa.Table:
    """Pricing summary report."""
    disc_price = _revenue()
    plan = _seq(
        _source(lineitem),
        _filter(_f("l_shipdate") <= _d(1998, 9, 2)),
        _project(
            l_returnflag=_f("l_returnflag"),
            l_linestatus=_f("l_linestatus"),
            l_quantity=_f("l_quantity"),
            l_extendedprice=_f("l_extendedprice"),
            l_discount=_f("l_discount"),
            disc_price=disc_price,
            charge=pc.multiply(disc_price, pc.add(pc.scalar(1.0), _f("l_tax"))),
        ),
        _aggregate(
            [
                ("l_quantity", "hash_sum", None, "sum_qty"),
                ("l_extendedprice", "hash_sum", None, "sum_base_price"),
                ("disc_price", "hash_sum", None, "sum_disc_price"),
                ("charge", "hash_sum", None, "sum_charge"),
                ("l_quantity", "hash_mean", None, "avg_qty"),
                ("l_extendedprice", "hash_mean", None, "avg_price"),
                ("l_discount", "hash_mean", None, "avg_disc"),
                ([], "hash_count_all", None, "count_order"),
            ],
            keys=["l_returnflag", "l_linestatus"],
        ),
    )
    out = plan.to_table(use_threads=True)
    out = out.sort_by([("l_returnflag", "ascending"), ("l_linestatus", "ascending")])
    return out.select(
        ["l_returnflag", "l_linestatus", "sum_qty", "sum_base_price", "sum_disc_price",
         "sum_charge", "avg_qty", "avg_price", "avg_disc", "count_order"]
    )


def q3(customer: pa.Table, orders: pa.Table, lineitem: pa.Table) -> pa.Table:
    """Shipping priority: the ten unshipped orders of highest value."""
    c = _seq(_source(customer), _filter(_f("c_mktsegment") == "BUILDING"))
    o = _seq(_source(orders), _filter(_f("o_orderdate") < _d(1995, 3, 15)))
    li = _seq(_source(lineitem), _filter(_f("l_shipdate") > _d(1995, 3, 15)))
    co = _hashjoin(o, c, ["o_custkey"], ["c_custkey"],
                   ["o_orderkey", "o_orderdate", "o_shippriority"], [])
    lco = _hashjoin(li, co, ["l_orderkey"], ["o_orderkey"],
                    ["l_orderkey", "l_extendedprice", "l_discount"],
                    ["o_orderdate", "o_shippriority"])
    plan = _seq(
        lco,
        _project(
            l_orderkey=_f("l_orderkey"),
            o_orderdate=_f("o_orderdate"),
            o_shippriority=_f("o_shippriority"),
            revenue=_revenue(),
        ),
        _aggregate([("revenue", "hash_sum", None, "revenue")],
                   keys=["l_orderkey", "o_orderdate", "o_shippriority"]),
    )
    out = plan.to_table(use_threads=True)
    out = out.sort_by([("revenue", "descending"), ("o_orderdate", "ascending")]).slice(0, 10)
    return out.select(["l_orderkey", "revenue", "o_orderdate", "o_shippriority"])


def q5(customer: pa.Table, orders: pa.Table, lineitem: pa.Table, supplier: pa.Table,
       nation: pa.Table, region: pa.Table) -> pa.Table:
    """Local supplier volume: revenue by nation in one region and year."""
    r = _seq(_source(region), _filter(_f("r_name") == "ASIA"))
    n = _hashjoin(_source(nation), r, ["n_regionkey"], ["r_regionkey"],
                  ["n_nationkey", "n_name"], [])
    s = _hashjoin(_source(supplier), n, ["s_nationkey"], ["n_nationkey"],
                  ["s_suppkey", "s_nationkey"], ["n_name"])
    o = _seq(
        _source(orders),
        _filter((_f("o_orderdate") >= _d(1994, 1, 1)) & (_f("o_orderdate") < _d(1995, 1, 1))),
    )
    oc = _hashjoin(o, _source(customer), ["o_custkey"], ["c_custkey"],
                   ["o_orderkey"], ["c_nationkey"])
    loc = _hashjoin(_source(lineitem), oc, ["l_orderkey"], ["o_orderkey"],
                    ["l_suppkey", "l_extendedprice", "l_discount"], ["c_nationkey"])
    locs = _hashjoin(loc, s, ["l_suppkey", "c_nationkey"], ["s_suppkey", "s_nationkey"],
                     ["l_extendedprice", "l_discount"], ["n_name"])
    plan = _seq(
        locs,
        _project(n_name=_f("n_name"), revenue=_revenue()),
        _aggregate([("revenue", "hash_sum", None, "revenue")], keys=["n_name"]),
    )
    out = plan.to_table(use_threads=True)
    return out.sort_by([("revenue", "descending")]).select(["n_name", "revenue"])


def q6(lineitem: pa.Table) -> float:
    """Forecasting revenue change: a scalar."""
    plan = _seq(
        _source(lineitem),
        _filter(
            (_f("l_shipdate") >= _d(1994, 1, 1))
            & (_f("l_shipdate") < _d(1995, 1, 1))
            & (_f("l_discount") >= 0.05)
            & (_f("l_discount") <= 0.07)
            & (_f("l_quantity") < 24)
        ),
        _project(v=pc.multiply(_f("l_extendedprice"), _f("l_discount"))),
        _aggregate([("v", "sum", None, "revenue")]),
    )
    return plan.to_table(use_threads=True).column(0)[0].as_py()


def join(left: pa.Table, right: pa.Table) -> pa.Table:
    """Inner join on ``k``: columns ``k, a, b``."""
    return left.join(right, "k", join_type="inner", use_threads=True)


def groupby(t: pa.Table) -> pa.Table:
    """Sum of ``v`` per ``k``: columns ``k, s``."""
    out = t.group_by("k", use_threads=True).aggregate([("v", "sum")])
    return out.select(["k", "v_sum"]).rename_columns(["k", "s"])


def sort(t: pa.Table) -> pa.Table:
    """All rows sorted by ``k``."""
    return t.sort_by("k")


QUERIES = {"q1": q1, "q3": q3, "q5": q5, "q6": q6}
MICRO = {"join": join, "groupby": groupby, "sort": sort}
