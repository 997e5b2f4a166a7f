"""Edge cases of the API.md §2 operations: empty and all-null inputs, mixed kinds, broadcasts."""

import datetime

import pandas as pd
import pyarrow as pa
import pytest
from difftables import ARROW_BACKED, CUSTOMERS, DUPS, ORDERS, T
from helpers import check

import cylonc as cc

ALL_NULL = pa.table({
    "k": pa.array([None, None, None], pa.string()),
    "x": pa.array([None, None, None], pa.float64()),
    "i": pa.array([1, 2, 3], pa.int64()),
})


def bool_reductions(t):
    return {"sum": t.b.sum(), "mean": t.b.mean(), "any": t.b.max(), "n": t.b.count()}


def broadcast_scalar(t):
    return t.assign(total=t.x2.sum(), share=t.x2 / t.x2.sum())[["name", "total", "share"]]


def scalar_from_other_table(t, orders):
    return t[t.x2 * 100 > orders.o_total.mean()][["name", "x2"]]


def where_with_scalar(t):
    return t.assign(c=t.x2.where(t.x2 > 0, t.x2.mean()))


def round_default(t):
    return t.assign(r=t.x.round())


def string_order(t):
    return t[t.s < "b"]


def date_columns_compared(t):
    e = t.assign(d2=t.d)
    return e[e.d >= e.d2][["name"]]


def isin_empty(t):
    return t[t.i.isin([])]


def fillna_date(t):
    return t.assign(d=t.d.fillna(datetime.date(2000, 1, 1)))


def between_dates(t):
    return t[t.d.between(datetime.date(1994, 1, 1), datetime.date(1995, 6, 15))]


def sort_strings(t):
    return t.sort_values("s")


def sort_by_keyword(t):
    return t.sort_values(by=["name"], ascending=[False]).head(4)


def groupby_bool_key(t):
    return t.groupby("b", as_index=False).agg(n=("i", "size"), s=("x", "sum"))


def head_of_groupby(t):
    return t.groupby("k", as_index=False).agg(n=("i", "count")).head(2)


def dedup_floats_with_nulls(t):
    return t[["v"]].drop_duplicates()


@pytest.mark.parametrize("fn", [bool_reductions, broadcast_scalar, where_with_scalar, round_default,
                                string_order, date_columns_compared, isin_empty, fillna_date,
                                between_dates, groupby_bool_key],
                         ids=lambda f: f.__name__)
def test_edges(fn):
    check(fn, T)


@pytest.mark.parametrize("fn", [sort_strings, sort_by_keyword, head_of_groupby],
                         ids=lambda f: f.__name__)
def test_ordered_edges(fn):
    """Sort keys are unique, so the order is fixed (strings by code point: 'B' < 'a')."""
    check(fn, T, ordered=True)


def test_scalar_from_another_input():
    check(scalar_from_other_table, T, ORDERS)


def test_dedup_floats_with_nulls():
    check(dedup_floats_with_nulls, DUPS)


def all_null_groupby(t):
    return t.groupby("k", as_index=False).agg(n=("i", "size"))


def all_null_values(t):
    return t.groupby("i", as_index=False).agg(s=("x", "sum"), m=("x", "mean"), f=("x", "first"),
                                              la=("x", "last"), n=("x", "count"),
                                              z=("x", "size"), sd=("x", "std"),
                                              u=("x", "nunique"))


def all_null_scalars(t):
    return {"sum": t.x.sum(), "count": t.x.count(), "max": t.x.max(), "nunique": t.k.nunique(),
            "min": t.k.min()}


@pytest.mark.parametrize("fn", [all_null_groupby, all_null_values, all_null_scalars],
                         ids=lambda f: f.__name__)
def test_all_null_columns(fn):
    """All-null keys give no groups; sum of nothing is 0, count 0, the rest null."""
    check(fn, ALL_NULL)


def merge_with_empty(orders, customers):
    return orders.merge(customers, left_on="o_custkey", right_on="c_custkey", how="left")


def test_merge_with_an_empty_side():
    empty = pa.table({"c_custkey": pa.array([], pa.int64()), "c_name": pa.array([], pa.string())})
    check(merge_with_empty, ORDERS, empty)
    check(merge_with_empty, ORDERS.slice(0, 0), empty)


def merge_string_keys(a, b):
    return a.merge(b, on="k", how="outer")


def test_merge_on_string_keys_with_nulls():
    right = pa.table({"k": ["a", None, "z", "c"], "w": [1.0, 2.0, 3.0, 4.0]})
    check(merge_string_keys, T.select(["k", "name"]), right)


def concat_reordered(a, b):
    return cc.concat([a[["i", "x"]], b[["x", "i"]]])


def concat_reordered_ref(a, b):
    return pd.concat([a[["i", "x"]], b[["x", "i"]]], ignore_index=True)


def test_concat_conforms_columns_by_name():
    check(concat_reordered, T, T.slice(0, 3), reference=concat_reordered_ref)


def chain_everything(orders, t):
    o = orders[orders.o_total.notna()].assign(big=orders.o_total > 50)
    j = o.merge(t.rename(columns={"i": "o_orderkey"}), on="o_orderkey", how="inner")
    g = j.groupby(["big", "k"], as_index=False).agg(total=("o_total", "sum"), n=("name", "count"))
    return g.sort_values(["total", "k"], ascending=[False, True]).head(3)


def test_long_chain():
    check(chain_everything, ORDERS, T, ordered=True)


def nullable_string_compare(t):
    return t.assign(lt=t.s < "b", ge=t.d >= datetime.date(1995, 1, 1))


def test_nullable_comparisons_of_strings_and_dates():
    check(nullable_string_compare, T, **ARROW_BACKED)


# --- shapes where a wrong rewrite (pushdown past a join, limit or distinct) changes the answer --


def filter_right_nulls_after_left_join(orders, customers):
    j = orders.merge(customers, left_on="o_custkey", right_on="c_custkey", how="left")
    return j[j.c_name.isna()]


def filter_left_after_right_join(orders, customers):
    j = orders.merge(customers, left_on="o_custkey", right_on="c_custkey", how="right")
    return j[j.o_total > 50]


def filter_fillna_after_outer_join(orders, customers):
    j = orders.merge(customers, left_on="o_custkey", right_on="c_custkey", how="outer")
    return j[j.o_total.fillna(0) < 50]


def filter_after_anti(orders, customers):
    j = orders.merge(customers, left_on="o_custkey", right_on="c_custkey", how="anti")
    return j[j.o_total > 50]


def filter_after_anti_ref(orders, customers):
    j = orders[~orders.o_custkey.isin(customers.c_custkey)]
    return j[j.o_total > 50]


@pytest.mark.parametrize("fn,ref", [(filter_right_nulls_after_left_join, None),
                                    (filter_left_after_right_join, None),
                                    (filter_fillna_after_outer_join, None),
                                    (filter_after_anti, filter_after_anti_ref)],
                         ids=["left", "right", "outer", "anti"])
def test_filter_after_join(fn, ref):
    check(fn, ORDERS, CUSTOMERS, reference=ref)


def filter_after_head(t):
    h = t.head(4)
    return h[h.i > 0]


def filter_after_top_n(t):
    h = t.sort_values("x2").head(4)
    return h[h.i > 0]


def head_after_filter(t):
    return t[t.i > 0].head(2)


def filter_after_dedup_subset(t):
    d = t.drop_duplicates(subset=["a"])
    return d[d.v > 1]


def dedup_after_sort(t):
    return t.sort_values("x2").drop_duplicates(subset=["k"])


@pytest.mark.parametrize("fn,table", [(filter_after_head, T), (filter_after_top_n, T),
                                      (head_after_filter, T), (dedup_after_sort, T)],
                         ids=["head", "top_n", "head_after_filter", "dedup_after_sort"])
def test_order_sensitive_operators(fn, table):
    check(fn, table, ordered=True)


def test_filter_after_dedup_subset():
    check(filter_after_dedup_subset, DUPS)


def concat_then_filter(a, b):
    u = cc.concat([a, b])
    return u[u.i > 0]


def concat_then_filter_ref(a, b):
    u = pd.concat([a, b], ignore_index=True)
    return u[u.i > 0]


def rename_swap(t):
    r = t.rename(columns={"i": "x", "x": "i"})
    return r[r.x > 0][["i", "x"]]


def unused_assign(t):
    return t.assign(u=t.x / t.z, v=t.i * 2)[["v"]]


def common_subexpressions(t):
    return t.assign(a=(t.x + 1) * (t.x + 1), b=t.x + 1, c=(t.x + 1).abs())


def filter_groups_by_scalar(t):
    g = t.groupby("k", as_index=False).agg(s=("x", "sum"))
    return g[(g.s > t.x.mean()) & (g.k != "b")]


@pytest.mark.parametrize("fn", [rename_swap, unused_assign, common_subexpressions,
                                filter_groups_by_scalar], ids=lambda f: f.__name__)
def test_rewrite_shapes(fn):
    check(fn, T)


def test_filter_after_concat():
    check(concat_then_filter, T, T.slice(1, 3), reference=concat_then_filter_ref)
