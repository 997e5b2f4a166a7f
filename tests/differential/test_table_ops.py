"""Table operations (API.md §2): projection, filter, assign, rename, drop, merge, groupby, sort,
head, drop_duplicates and concat agree with pandas."""

import pandas as pd
import pyarrow as pa
import pytest
from difftables import CUST_ON, CUSTOMERS, DUPS, ORDERS, T
from helpers import check

import cylonc as cc

# --- columns, projection, filter, assign, rename, drop -----------------------------------------


def getitem_and_attr(t):
    f = t[t["x"] > 0]
    return f.assign(y2=f["y"] * f.x)


def projection(t):
    return t[["s", "i", "d"]]


def filter_then_project(t):
    return t[t.i > 0][["name", "x"]]


def assign_replaces_in_place(t):
    return t.assign(i=t.i * 10, new=t.i + 1)[["name", "i", "new", "x"]]


def assign_sees_input_table(t):
    return t.assign(i=t.i + 1, c=t.i * 2)[["i", "c"]]


def chained_assign(t):
    a = t.assign(p=t.x2 * t.i)
    return a.assign(q=a.p + 1)[["p", "q"]]


def rename(t):
    return t.rename(columns={"i": "ii", "s": "text"})[["ii", "text", "x"]]


def drop(t):
    return t.drop(columns=["ts", "d", "bn", "s"])


@pytest.mark.parametrize("fn", [getitem_and_attr, projection, filter_then_project,
                                assign_replaces_in_place, assign_sees_input_table,
                                chained_assign, rename, drop], ids=lambda f: f.__name__)
def test_column_operations(fn):
    check(fn, T)


def test_filter_keeps_input_order():
    """As in pandas, a filter keeps the input's row order (one rank)."""
    check(filter_then_project, T, ordered=True)


# --- merge -------------------------------------------------------------------------------------

HOWS = ["inner", "left", "right", "outer", "left_anti", "right_anti"]


def _merge(how, **kw):
    def q(orders, customers):
        return orders.merge(customers, how=how, **kw)

    q.__name__ = f"merge_{how}"
    return q


@pytest.mark.parametrize("how", HOWS)
def test_merge_on(how):
    """Duplicate keys on both sides; null keys match null keys, as in pandas."""
    check(_merge(how, on="o_custkey"), ORDERS, CUST_ON)


@pytest.mark.parametrize("how", HOWS)
def test_merge_left_on_right_on(how):
    """Both key columns are kept; the shared non-key ``o_status`` gets the default suffixes."""
    check(_merge(how, left_on="o_custkey", right_on="c_custkey"), ORDERS, CUSTOMERS)


def merge_suffixes(orders, customers):
    return orders.merge(customers, left_on="o_custkey", right_on="c_custkey",
                        suffixes=("_order", "_cust"))


def merge_two_keys(a, b):
    return a.merge(b, on=["k", "g"], how="left")


def merge_after_filters(orders, customers):
    o = orders[orders.o_total > 50]
    c = customers[customers.c_name != "bob2"]
    j = o.merge(c, left_on="o_custkey", right_on="c_custkey")
    return j.assign(score=j.o_total * 2)[["o_orderkey", "c_name", "score"]]


def test_merge_suffixes():
    check(merge_suffixes, ORDERS, CUSTOMERS)


def test_merge_two_keys():
    right = pa.table({"k": ["a", "c", "a", None], "g": pa.array([1, 3, 2, None], pa.int64()),
                      "w": [10.0, 30.0, 20.0, 99.0]})
    check(merge_two_keys, T.select(["k", "g", "i"]), right)


def test_merge_after_filters():
    check(merge_after_filters, ORDERS, CUSTOMERS)


def semi(orders, customers):
    return orders.merge(customers, left_on="o_custkey", right_on="c_custkey", how="semi")


def semi_ref(orders, customers):
    return orders[orders.o_custkey.isin(customers.c_custkey)]


def anti(orders, customers):
    return orders.merge(customers, left_on="o_custkey", right_on="c_custkey", how="anti")


def anti_ref(orders, customers):
    return orders[~orders.o_custkey.isin(customers.c_custkey)]


def semi_on(orders, customers):
    return orders.merge(customers, on="o_custkey", how="semi")


def semi_on_ref(orders, customers):
    return orders[orders.o_custkey.isin(customers.o_custkey)]


@pytest.mark.parametrize("fn,ref", [(semi, semi_ref), (anti, anti_ref), (semi_on, semi_on_ref)],
                         ids=["semi", "anti", "semi_on"])
def test_semi_and_anti_joins(fn, ref):
    """cylonc extensions: left rows with / without a match, each once, left columns only."""
    check(fn, ORDERS, CUSTOMERS if fn is not semi_on else CUST_ON, reference=ref)


# --- groupby -----------------------------------------------------------------------------------

AGGS = ["sum", "mean", "min", "max", "count", "size", "nunique", "std", "var", "first", "last"]
NUMERIC_ONLY = {"sum", "mean", "std", "var"}


def _agg(fn, column):
    def q(t):
        return t.groupby("k", as_index=False).agg(out=(column, fn))

    q.__name__ = f"agg_{column}_{fn}"
    return q


@pytest.mark.parametrize("fn", AGGS)
def test_groupby_agg_each_function(fn):
    """Null keys are dropped; nulls in values are skipped (``size`` counts them)."""
    check(_agg(fn, "x"), T)


@pytest.mark.parametrize("fn", sorted(set(AGGS) - NUMERIC_ONLY))
@pytest.mark.parametrize("column", ["s", "d"])
def test_groupby_agg_strings_and_dates(fn, column):
    check(_agg(fn, column), T)


def _single(fn):
    def q(t):
        return getattr(t.groupby("k").x, fn)()

    q.__name__ = f"single_{fn}"
    return q


@pytest.mark.parametrize("fn", AGGS)
def test_groupby_single_aggregate(fn):
    """``groupby(k).col.fn()`` compares as its ``reset_index()``: columns ``k, col``."""
    check(_single(fn), T)


def all_aggs_two_keys(t):
    return t.groupby(["k", "g"], as_index=False).agg(
        total=("x2", "sum"), avg=("x", "mean"), lo=("i", "min"), hi=("d", "max"),
        n=("x", "count"), rows=("x", "size"), kinds=("s", "nunique"), sd=("x2", "std"),
        v=("i", "var"), f=("s", "first"), la=("s", "last"))


def single_two_keys(t):
    return t.groupby(["k", "b"]).i.sum()


def single_as_index_false(t):
    return t.groupby("g", as_index=False).x2.mean()


def agg_keyed_index(t):
    return t.groupby("k").agg(total=("i", "sum"), n=("i", "size"))


def agg_of_expression(t):
    r = t.assign(rev=t.x2 * (1 - t.i / 100))
    return r.groupby("k", as_index=False).agg(rev=("rev", "sum"))


def agg_then_filter(t):
    g = t.groupby("k", as_index=False).agg(n=("i", "size"), s=("x2", "sum"))
    return g[g.n > 1]


@pytest.mark.parametrize("fn", [all_aggs_two_keys, single_two_keys, single_as_index_false,
                                agg_keyed_index, agg_of_expression, agg_then_filter],
                         ids=lambda f: f.__name__)
def test_groupby_forms(fn):
    """Keys first, then aggregates in the order given."""
    check(fn, T)


def test_groupby_empty_table():
    check(all_aggs_two_keys, T.slice(0, 0))


# --- sort, head, drop_duplicates ---------------------------------------------------------------


def sort_one(t):
    return t.sort_values("x2")


def sort_descending(t):
    return t.sort_values("name", ascending=False)


def sort_ascending_list(t):
    return t.sort_values(["b", "x2"], ascending=[False, True])


def sort_nulls_last(t):
    return t.sort_values("y")


def sort_nulls_last_descending(t):
    return t.sort_values("y", ascending=False)


def sort_dates(t):
    return t.sort_values(["d"])


@pytest.mark.parametrize("fn", [sort_one, sort_descending, sort_ascending_list, sort_nulls_last,
                                sort_nulls_last_descending, sort_dates],
                         ids=lambda f: f.__name__)
def test_sort_values(fn):
    """Unique sort keys (one null at most), so the order is fixed; nulls last either way."""
    check(fn, T, ordered=True)


def sort_ties(t):
    return t.sort_values(["k", "b"], ascending=[True, False])


def test_sort_with_ties():
    check(sort_ties, T, sorted_by=[("k", True), ("b", False)])


def head(t):
    return t.head(3)


def head_zero(t):
    return t.head(0)


def head_past_end(t):
    return t.head(100)


def top_n(t):
    return t.sort_values("x2", ascending=False).head(3)[["name", "x2"]]


def top_n_after_groupby(t):
    g = t.groupby("k", as_index=False).agg(total=("x2", "sum"))
    return g.sort_values("total").head(2)


@pytest.mark.parametrize("fn", [head, head_zero, head_past_end, top_n, top_n_after_groupby],
                         ids=lambda f: f.__name__)
def test_head(fn):
    check(fn, T, ordered=True)


def dedup_all(t):
    return t.drop_duplicates()


def dedup_subset(t):
    return t.drop_duplicates(subset=["a"])


def dedup_subset_two(t):
    return t.drop_duplicates(subset=["a", "v"])


def dedup_projected(t):
    return t[["s"]].drop_duplicates()


@pytest.mark.parametrize("fn", [dedup_all, dedup_subset, dedup_subset_two, dedup_projected],
                         ids=lambda f: f.__name__)
def test_drop_duplicates(fn):
    """Nulls equal nulls; with a subset, the first occurrence of each key is kept."""
    check(fn, DUPS)


# --- concat ------------------------------------------------------------------------------------


def concat_two(a, b):
    return cc.concat([a, b])


def concat_two_ref(a, b):
    return pd.concat([a, b], ignore_index=True)


def concat_three(a, b):
    return cc.concat([a[a.i > 0], b, a[a.i <= 0]])[["i", "x", "s"]]


def concat_three_ref(a, b):
    return pd.concat([a[a.i > 0], b, a[a.i <= 0]], ignore_index=True)[["i", "x", "s"]]


def concat_then_groupby(a, b):
    u = cc.concat([a, b])
    return u.groupby("k", as_index=False).agg(n=("i", "size"), s=("x", "sum"))


def concat_then_groupby_ref(a, b):
    u = pd.concat([a, b], ignore_index=True)
    return u.groupby("k", as_index=False).agg(n=("i", "size"), s=("x", "sum"))


@pytest.mark.parametrize("fn,ref", [(concat_two, concat_two_ref),
                                    (concat_three, concat_three_ref),
                                    (concat_then_groupby, concat_then_groupby_ref)],
                         ids=["two", "three", "groupby"])
def test_concat(fn, ref):
    """Union all: duplicates are kept."""
    check(fn, T, T.slice(2, 4), reference=ref)
