"""The differential oracle's comparison (`helpers.assert_same`) accepts and rejects as documented."""

import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from helpers import assert_same


def table(**cols):
    return pa.table(cols)


def test_tables_match_frames_ignoring_row_order_and_index():
    df = pd.DataFrame({"a": [2, 1], "b": ["y", "x"]}, index=[7, 3])
    assert_same(table(a=[1, 2], b=["x", "y"]), df)
    with pytest.raises(AssertionError, match="in order"):
        assert_same(table(a=[1, 2], b=["x", "y"]), df, ordered=True)


def test_nulls_ints_floats_and_dates_are_tolerated():
    df = pd.DataFrame({"n": [1.0, np.nan], "f": [0.1 + 0.2, 2.0],
                       "d": pd.to_datetime(["1994-01-01", None])})
    got = table(n=pa.array([1, None], pa.int64()), f=[0.3, 2], d=pa.array(
        [datetime.date(1994, 1, 1), None], pa.date32()))
    assert_same(got, df)


@pytest.mark.parametrize("got,why", [
    (table(a=[1, 3]), "differ"),
    (table(a=[1, 2, 2]), "rows"),
    (table(b=[1, 2]), "columns"),
    (table(a=[1.0, 2.0 + 1e-6]), "differ"),
    (table(a=[True, False]), "differ"),
    (table(a=pa.array([1, None], pa.int64())), "differ"),
])
def test_mismatches_are_reported(got, why):
    with pytest.raises(AssertionError, match=why):
        assert_same(got, pd.DataFrame({"a": [1, 2]}))


def test_column_order_matters():
    with pytest.raises(AssertionError, match="columns"):
        assert_same(table(b=[1], a=[2]), pd.DataFrame({"a": [2], "b": [1]}))


def test_series_result_compares_as_reset_index():
    s = pd.DataFrame({"k": ["a", "b", "a"], "x": [1, 2, 3]}).groupby("k").x.sum()
    assert_same(table(k=["a", "b"], x=[4, 2]), s)


def test_scalars_dicts_and_tuples():
    assert_same({"n": 3, "m": float("nan"), "t": pa.table({"a": [1]})},
                {"n": np.int64(3), "m": None, "t": pd.DataFrame({"a": [1]})})
    assert_same((1.5, datetime.date(1994, 1, 1)), (np.float64(1.5), pd.Timestamp("1994-01-01")))
    with pytest.raises(AssertionError, match="keys"):
        assert_same({"b": 1, "a": 2}, {"a": 2, "b": 1})
    with pytest.raises(AssertionError, match="Python scalar"):
        assert_same(np.int64(3), 3)
    with pytest.raises(AssertionError, match="pyarrow.Table"):
        assert_same(pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}))
    with pytest.raises(AssertionError):
        assert_same(table(a=[1]), 1)


def test_sorted_by_allows_ties_in_any_order_but_checks_the_keys():
    expected = pd.DataFrame({"k": [1, 1, 2, None], "v": ["a", "b", "c", "d"]})
    assert_same(table(k=[1, 1, 2, None], v=["b", "a", "c", "d"]), expected,
                sorted_by=[("k", True)])
    with pytest.raises(AssertionError, match="not sorted"):
        assert_same(table(k=[2, 1, 1, None], v=["c", "b", "a", "d"]), expected,
                    sorted_by=[("k", True)])
    with pytest.raises(AssertionError, match="not sorted"):
        assert_same(table(k=[None, 1, 1, 2], v=["d", "b", "a", "c"]), expected,
                    sorted_by=[("k", True)])
