"""Column reductions as scalars, scalars inside expressions, dict and tuple results (API.md §2)."""

import pyarrow as pa
import pytest
from difftables import T
from helpers import check

REDUCTIONS = ["sum", "mean", "min", "max", "count", "nunique", "std", "var"]


def _reduce(column, fn):
    def q(t):
        return getattr(t[column], fn)()

    q.__name__ = f"{column}_{fn}"
    return q


@pytest.mark.parametrize("fn", REDUCTIONS)
@pytest.mark.parametrize("column", ["x", "i", "j"])
def test_numeric_reduction_returns_scalar(column, fn):
    check(_reduce(column, fn), T)


@pytest.mark.parametrize("fn", ["min", "max", "count", "nunique"])
@pytest.mark.parametrize("column", ["s", "d", "ts"])
def test_string_and_date_reductions(column, fn):
    check(_reduce(column, fn), T)


def all_reductions(t):
    return {fn: getattr(t.x, fn)() for fn in REDUCTIONS}


def test_reductions_of_empty_and_all_null_columns():
    """sum -> 0, count/nunique -> 0, the rest null."""
    empty = T.slice(0, 0)
    nulls = pa.table({"x": pa.array([None, None], pa.float64())})
    assert check(all_reductions, empty)["sum"] == 0
    assert check(all_reductions, nulls)["count"] == 0


def mean_filter(t):
    return t[t.x > t.x.mean()]


def centered(t):
    return t.assign(dev=t.x - t.x.mean(), share=t.x2 / t.x2.sum(), z=(t.x - t.x.mean()) / t.x.std())


def scalar_arithmetic(t):
    return t.x.sum() / t.i.count() + t.x2.max() * 2 - t.j.min()


def scalar_of_filtered(t):
    return t[t.i > 0].x2.sum()


def scalar_comparison_chain(t):
    return t[(t.i >= t.i.mean()) & (t.x2 < t.x2.max())]


@pytest.mark.parametrize("fn", [mean_filter, centered, scalar_arithmetic, scalar_of_filtered,
                                scalar_comparison_chain], ids=lambda f: f.__name__)
def test_scalars_in_expressions(fn):
    check(fn, T)


def dict_of_scalars(t):
    return {"revenue": (t.x2 * t.i).sum(), "n": t.i.count(), "avg": t.x.mean()}


def dict_of_table_and_scalar(t):
    big = t[t.i > 2]
    return {"big": big[["i", "x"]], "n": big.i.count()}


def tuple_of_tables_and_scalar(t):
    return t[t.b][["i", "s"]], t.x.max(), t[~t.b][["name"]]


@pytest.mark.parametrize("fn", [dict_of_scalars, dict_of_table_and_scalar,
                                tuple_of_tables_and_scalar], ids=lambda f: f.__name__)
def test_structured_results(fn):
    check(fn, T)
