"""Inputs of every kind, and ``cc.read_parquet``/``cc.read_csv`` inside a pipeline (API.md §1-2)."""

import pathlib
import types

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from difftables import CUSTOMERS, ORDERS, T
from helpers import assert_same, check, compiled

import cylonc as cc

#: No nulls in strings: Arrow's CSV reader reads an empty string field as "", pandas as NaN.
CSV_TABLE = pa.table({
    "id": pa.array([1, 2, 3, 4, 5, 6], pa.int64()),
    "grp": ["ann", "bob", "ann", "eve", "bob", "zed"],
    "val": pa.array([1.5, None, -2.0, 4.25, 0.5, 3.0], pa.float64()),
    "qty": pa.array([10, 20, None, 40, 50, 60], pa.int64()),
})


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Parquet and CSV copies of the shared tables."""
    d = tmp_path_factory.mktemp("io")
    parts = d / "t_parts"
    parts.mkdir()
    pq.write_table(T.slice(0, 3), parts / "part-0.parquet")
    pq.write_table(T.slice(3), parts / "part-1.parquet")
    ns = types.SimpleNamespace(t=d / "t.parquet", orders=d / "orders.parquet",
                               customers=d / "customers.parquet", parts=parts,
                               csv=d / "items.csv")
    pq.write_table(T, ns.t)
    pq.write_table(ORDERS, ns.orders)
    pq.write_table(CUSTOMERS, ns.customers)
    pcsv.write_csv(CSV_TABLE, ns.csv)
    return ns


def _run_both(fn, pandas_args, cylonc_args, pandas_kw=None, cylonc_kw=None, **cmp):
    """fn on pandas inputs vs ``cc.compile(fn)`` on cylonc inputs (paths, frames...)."""
    expected = fn(*pandas_args, **(pandas_kw or {}))
    got = compiled(fn)(*cylonc_args, **(cylonc_kw or {}))
    assert_same(got, expected, **cmp)


# --- input kinds -------------------------------------------------------------------------------


def summarize(t):
    f = t[t.i > -5]
    return f.groupby("k", as_index=False).agg(n=("i", "size"), s=("x2", "sum"), last=("d", "max"))


def test_input_arrow_table():
    check(summarize, T, variants=False)


def test_input_pandas_dataframe():
    df = T.to_pandas()
    _run_both(summarize, [df], [df])


@pytest.mark.parametrize("kind", [str, pathlib.Path], ids=["str", "Path"])
def test_input_parquet_file(files, kind):
    _run_both(summarize, [pd.read_parquet(files.t)], [kind(files.t)])


def test_input_parquet_directory(files):
    _run_both(summarize, [pd.read_parquet(files.parts)], [str(files.parts)])


def csv_pipeline(items):
    f = items[items.qty > 15]
    return f.assign(total=f.val * f.qty)[["id", "grp", "total"]]


def test_input_csv_file(files):
    _run_both(csv_pipeline, [pd.read_csv(files.csv)], [str(files.csv)])


def join_orders(orders, customers):
    j = orders.merge(customers, left_on="o_custkey", right_on="c_custkey", how="left")
    return j[["o_orderkey", "c_name", "o_total"]]


def test_inputs_by_keyword():
    check(join_orders, orders=ORDERS, customers=CUSTOMERS)


def test_inputs_positional_and_keyword_mixed(files):
    _run_both(join_orders, [ORDERS.to_pandas()], [ORDERS],
              pandas_kw={"customers": CUSTOMERS.to_pandas()},
              cylonc_kw={"customers": str(files.customers)})


def test_inputs_of_different_kinds_in_one_call(files):
    _run_both(join_orders, [ORDERS.to_pandas(), CUSTOMERS.to_pandas()],
              [str(files.orders), CUSTOMERS.to_pandas()])


def test_recall_same_schema_reuses_pipeline():
    """A second call with another table of the same schema gives that table's answer."""
    check(summarize, T.slice(0, 5), variants=False)
    check(summarize, T.slice(2), variants=False)


# --- reading inside the pipeline ---------------------------------------------------------------


def _reading_pipelines(lib, files):
    orders_path = str(files.orders)
    csv_path = str(files.csv)

    def read_parquet_join(customers):
        o = lib.read_parquet(orders_path)
        o = o[o.o_total > 50]
        return o.merge(customers, left_on="o_custkey", right_on="c_custkey")

    def read_parquet_columns(customers):
        o = lib.read_parquet(orders_path, columns=["o_custkey", "o_total"])
        return o.merge(customers, left_on="o_custkey", right_on="c_custkey")[["c_name", "o_total"]]

    def read_parquet_only():
        o = lib.read_parquet(orders_path, columns=["o_orderkey", "o_status", "o_total"])
        return o[o.o_status == "F"].o_total.sum()

    def read_csv_groupby():
        items = lib.read_csv(csv_path)
        return items.groupby("grp", as_index=False).agg(v=("val", "sum"), q=("qty", "max"))

    def read_csv_with_input(customers):
        items = lib.read_csv(csv_path)
        return items.merge(customers, left_on="grp", right_on="c_name", how="right")

    return locals()


@pytest.fixture(scope="module")
def reading(files):
    """name -> (cylonc pipeline, pandas reference)."""
    ours, theirs = _reading_pipelines(cc, files), _reading_pipelines(pd, files)
    return {name: (fn, theirs[name]) for name, fn in ours.items() if callable(fn)}


@pytest.mark.parametrize("name", ["read_parquet_join", "read_parquet_columns",
                                  "read_csv_with_input"])
def test_read_inside_pipeline(reading, name):
    """Filters and projections may be pushed into the scan; the answer stays pandas'."""
    fn, ref = reading[name]
    check(fn, CUSTOMERS, reference=ref)


@pytest.mark.parametrize("name", ["read_parquet_only", "read_csv_groupby"])
def test_pipeline_without_inputs(reading, name):
    fn, ref = reading[name]
    check(fn, reference=ref)
