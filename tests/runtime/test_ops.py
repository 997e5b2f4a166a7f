"""Relational operators against pandas."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cylonc.runtime import execute
from cylonc.runtime.types import schema_from_arrow

from rt_helpers import (
    call, col, fields, input_node, input_spec, lit, make_plan, one_input_plan, table_out,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import assert_frames_match  # noqa: E402

DF = pd.DataFrame({
    "k": pd.array([3, 1, None, 2, 1, 3, None, 1], dtype="Int64"),
    "j": ["a", "b", "a", None, "b", "a", "c", "b"],
    "v": [1.0, np.nan, 3.0, 4.0, -5.0, 6.0, 7.0, np.inf],
    "n": [1, 2, 3, 4, 5, 6, 7, 8],
    "f": pd.array([True, None, False, True, True, None, False, False], dtype="boolean"),
})
T = pa.Table.from_pandas(DF, preserve_index=False)
SCHEMA = [dict(f, type="string" if f["type"] == "large_string" else f["type"])
          for f in schema_from_arrow(T.schema)]
TYPES = {f["name"]: f["type"] for f in SCHEMA}


def run(nodes, table=T, **kw):
    return execute(one_input_plan(table, nodes, **kw), {"t": table})


def sch(*names, **extra):
    return [{"name": n, "type": TYPES[n], "nullable": True} for n in names] + \
        fields(**extra)


def check(got: pa.Table, expected: pd.DataFrame, ordered=True):
    actual = got.to_pandas(date_as_object=False,
                           types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
    assert_frames_match(actual, expected.reset_index(drop=True), ordered=ordered)


# --- row ops -----------------------------------------------------------------------------------

def test_filter_null_predicate_dropped_order_kept():
    pred = call("gt", "bool", col("v", "float64"), lit(0, "int64"))
    got = run([{"id": 1, "op": "filter", "input": 0, "predicate": pred, "schema": SCHEMA}])
    check(got, DF[DF["v"] > 0])
    got = run([{"id": 1, "op": "filter", "input": 0, "predicate": col("f", "bool"),
                "schema": SCHEMA}])
    check(got, DF[DF["f"].fillna(False)])
    got = run([{"id": 1, "op": "filter", "input": 0, "predicate": lit(False, "bool"),
                "schema": SCHEMA}])
    assert got.num_rows == 0 and got.schema.names == list(DF.columns)


def test_project_rename_assign():
    got = run([{"id": 1, "op": "project", "input": 0, "columns": ["n", "k"],
                "schema": sch("n", "k")}])
    check(got, DF[["n", "k"]])
    got = run([{"id": 1, "op": "rename", "input": 0, "mapping": {"n": "m", "k": "key"},
                "schema": [dict(f, name={"n": "m", "k": "key"}.get(f["name"], f["name"]))
                           for f in SCHEMA]}])
    check(got, DF.rename(columns={"n": "m", "k": "key"}))
    exprs = [call("mul", "int64", col("n", "int64"), lit(2, "int64")),
             call("add", "float64", col("v", "float64"), col("n", "int64"))]
    got = run([{"id": 1, "op": "assign", "input": 0, "names": ["n", "w"], "exprs": exprs,
                "schema": [*SCHEMA, *fields(w="float64")]}])
    check(got, DF.assign(n=DF["n"] * 2, w=DF["v"] + DF["n"]))


def test_assign_exprs_see_input_table():
    exprs = [call("add", "int64", col("n", "int64"), lit(1, "int64")), col("n", "int64")]
    got = run([{"id": 1, "op": "assign", "input": 0, "names": ["n", "m"], "exprs": exprs,
                "schema": [*SCHEMA, *fields(m="int64")]}])
    assert got["m"].to_pylist() == DF["n"].tolist()


@pytest.mark.parametrize("keys,asc", [(["v"], [True]), (["v"], [False]),
                                      (["k", "n"], [True, False]), (["j", "k"], [False, True]),
                                      (["f"], [True])])
def test_sort_stable_nulls_last(keys, asc):
    got = run([{"id": 1, "op": "sort", "input": 0, "keys": keys, "ascending": asc,
                "schema": SCHEMA}])
    check(got, DF.sort_values(keys, ascending=asc, na_position="last", kind="stable"))


@pytest.mark.parametrize("n", [0, 3, 100, -2])
def test_limit(n):
    got = run([{"id": 1, "op": "limit", "input": 0, "n": n, "schema": SCHEMA}])
    check(got, DF.head(n))


@pytest.mark.parametrize("subset", [None, ["k"], ["j", "k"], ["f"]])
def test_distinct_keeps_first(subset):
    t = pa.concat_tables([T, T.slice(2, 3)])
    df = t.to_pandas()
    got = run([{"id": 1, "op": "distinct", "input": 0, "subset": subset, "schema": SCHEMA}],
              table=t)
    check(got, df.drop_duplicates(subset=subset, keep="first"))


def test_union_conforms_by_name():
    a = pa.table({"x": pa.array([1, 2]), "y": pa.array(["p", "q"])})
    b = pa.table({"y": pa.array(["r"]), "x": pa.array([3.5])})
    c = pa.table({"x": pa.array([], pa.int64())})
    sa, sb, sc = (schema_from_arrow(t.schema) for t in (a, b, c))
    out_schema = fields(x="float64", y="string")
    plan = make_plan(
        [input_spec("a", sa), input_spec("b", sb), input_spec("c", sc)],
        [input_node(0, "a", sa), input_node(1, "b", sb), input_node(2, "c", sc),
         {"id": 3, "op": "union", "inputs": [0, 1, 2, 0], "schema": out_schema}],
        table_out(3))
    got = execute(plan, {"a": a, "b": b, "c": c})
    expected = pd.concat([a.to_pandas(), b.to_pandas(), c.to_pandas(), a.to_pandas()])
    check(got, expected[["x", "y"]])
    assert got.schema == pa.schema([("x", pa.float64()), ("y", pa.string())])


# --- aggregate / reduce --------------------------------------------------------------------------

AGG_FNS = ["sum", "mean", "min", "max", "count", "nunique", "std", "var", "first", "last"]
OUT_TYPE = {"sum": None, "mean": "float64", "count": "int64", "nunique": "int64",
            "std": "float64", "var": "float64", "size": "int64"}


def _aggs(column, fns):
    aggs = [{"fn": fn, "column": column, "name": f"{fn}_{column}"} for fn in fns]
    typ = TYPES[column]
    sum_type = "float64" if typ.startswith("float") else "int64"
    types = {a["name"]: (OUT_TYPE.get(a["fn"]) or (sum_type if a["fn"] == "sum" else typ))
             for a in aggs}
    return aggs, types


@pytest.mark.parametrize("column", ["v", "n", "j"])
@pytest.mark.parametrize("keys", [["k"], ["j"], ["k", "j"]])
def test_aggregate(column, keys):
    if column in keys:
        pytest.skip("key column")
    fns = AGG_FNS if column != "j" else ["min", "max", "count", "nunique", "first", "last"]
    aggs, types = _aggs(column, fns)
    aggs.append({"fn": "size", "column": None, "name": "size"})
    types["size"] = "int64"
    df = DF.copy()
    df["v"] = df["v"].replace(np.inf, 1e300)  # pandas std/var of inf is NaN; keep finite
    df_t = pa.Table.from_pandas(df, preserve_index=False)
    got = run([{"id": 1, "op": "aggregate", "input": 0, "keys": keys, "aggs": aggs,
                "schema": sch(*keys, **types)}], table=df_t)
    grouped = df.groupby(keys, dropna=True, sort=True)
    expected = pd.DataFrame({f"{fn}_{column}": getattr(grouped[column], fn)()
                             for fn in fns})
    expected["size"] = grouped.size()
    expected = expected.reset_index()
    check(got, expected, ordered=True)
    assert got.schema.names == [*keys, *types]


def test_aggregate_bool_sum_and_all_null_group():
    t = pa.table({"k": ["a", "a", "b", "b"], "x": pa.array([None, None, 1.0, 2.0]),
                  "f": [True, True, None, False]})
    aggs = [{"fn": "sum", "column": "x", "name": "sx"}, {"fn": "mean", "column": "x",
                                                          "name": "mx"},
            {"fn": "sum", "column": "f", "name": "sf"}, {"fn": "min", "column": "x", "name": "mn"},
            {"fn": "first", "column": "x", "name": "fx"}, {"fn": "std", "column": "x",
                                                            "name": "sd"}]
    got = run([{"id": 1, "op": "aggregate", "input": 0, "keys": ["k"], "aggs": aggs,
                "schema": fields(k="string", sx="float64", mx="float64", sf="int64",
                                 mn="float64", fx="float64", sd="float64")}], table=t)
    df = t.to_pandas()
    g = df.groupby("k")
    expected = pd.DataFrame({"sx": g["x"].sum(), "mx": g["x"].mean(),
                             "sf": g["f"].sum().astype("int64"), "mn": g["x"].min(),
                             "fx": g["x"].first(), "sd": g["x"].std()}).reset_index()
    check(got, expected)
    assert got["sx"].to_pylist() == [0.0, 3.0] and got["sf"].to_pylist() == [2, 0]


def test_aggregate_empty_input():
    aggs = [{"fn": "sum", "column": "n", "name": "s"}]
    got = run([{"id": 1, "op": "filter", "input": 0, "predicate": lit(False, "bool"),
                "schema": SCHEMA},
               {"id": 2, "op": "aggregate", "input": 1, "keys": ["k"], "aggs": aggs,
                "schema": sch("k", s="int64")}])
    assert got.num_rows == 0 and got.schema == pa.schema([("k", pa.int64()), ("s", pa.int64())])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("column", ["v", "n", "f", "j"])
def test_reduce(column):
    fns = AGG_FNS if column in ("v", "n") else ["min", "max", "count", "nunique", "first",
                                                  "last"]
    if column == "f":
        fns = fns + ["sum"]
    aggs, types = _aggs(column, fns)
    aggs.append({"fn": "size", "column": None, "name": "size"})
    types["size"] = "int64"
    got = run([{"id": 1, "op": "reduce", "input": 0, "aggs": aggs, "schema": fields(**types)}])
    s = DF[column]
    expected = {f"{fn}_{column}": [_series_agg(s, fn)] for fn in fns}
    expected["size"] = [len(DF)]
    check(got, pd.DataFrame(expected))


def _series_agg(s, fn):
    if fn == "first":
        return s.dropna().iloc[0] if s.notna().any() else None
    if fn == "last":
        return s.dropna().iloc[-1] if s.notna().any() else None
    return getattr(s, fn)()


def test_reduce_empty_and_all_null():
    t = pa.table({"x": pa.array([None, None], pa.float64()), "i": pa.array([None, None],
                                                                          pa.int64())})
    aggs = [{"fn": fn, "column": c, "name": f"{fn}_{c}"} for c in ("x", "i")
            for fn in ("sum", "mean", "min", "count", "std", "first", "nunique")]
    types = {a["name"]: {"sum": "float64" if a["column"] == "x" else "int64", "count": "int64",
                         "nunique": "int64", "min": "float64" if a["column"] == "x" else "int64",
                         "first": "float64" if a["column"] == "x" else "int64"}.get(
                             a["fn"], "float64") for a in aggs}
    types["n"] = "int64"
    aggs.append({"fn": "size", "column": None, "name": "n"})
    for table in (t, t.slice(0, 0)):
        got = run([{"id": 1, "op": "reduce", "input": 0, "aggs": aggs,
                    "schema": fields(**types)}], table=table)
        assert got.num_rows == 1
        row = got.to_pylist()[0]
        df = table.to_pandas()
        assert row["sum_x"] == df["x"].sum() == 0 and row["sum_i"] == 0
        assert row["count_x"] == 0 and row["nunique_i"] == 0 and row["n"] == len(df)
        assert row["mean_x"] is None and row["std_i"] is None and row["first_x"] is None
        assert row["min_i"] is None


# --- join ---------------------------------------------------------------------------------------

L = pd.DataFrame({"k": [3.0, 1.0, None, 2.0, 1.0, 5.0], "k2": ["x", "x", "y", "y", "z", "x"],
                  "lv": [0, 1, 2, 3, 4, 5]})
R = pd.DataFrame({"k": [1.0, None, 4.0, 3.0, 1.0, None], "k2": ["x", "y", "x", "x", "z", "y"],
                  "rv": [10, 11, 12, 13, 14, 15]})


def _join_plan(left, right, how, left_on, right_on, columns, out_types):
    sl = [dict(f, type="string" if f["type"] == "large_string" else f["type"])
          for f in schema_from_arrow(pa.Table.from_pandas(left, preserve_index=False).schema)]
    sr = [dict(f, type="string" if f["type"] == "large_string" else f["type"])
          for f in schema_from_arrow(pa.Table.from_pandas(right, preserve_index=False).schema)]
    src_l = schema_from_arrow(pa.Table.from_pandas(left, preserve_index=False).schema)
    src_r = schema_from_arrow(pa.Table.from_pandas(right, preserve_index=False).schema)
    node = {"id": 2, "op": "join", "left": 0, "right": 1, "how": how, "left_on": left_on,
            "right_on": right_on, "columns": columns,
            "schema": [{"name": c["name"], "type": out_types[c["name"]], "nullable": True}
                       for c in columns]}
    return make_plan([input_spec("l", sl, src_l), input_spec("r", sr, src_r)],
                     [input_node(0, "l", sl), input_node(1, "r", sr), node], table_out(2))


@pytest.mark.parametrize("how", ["inner", "left", "right", "outer", "left_anti", "right_anti"])
@pytest.mark.parametrize("on", [["k"], ["k", "k2"]])
def test_join_like_pandas_merge(how, on):
    columns = [{"name": c, "from": "key", "src": c, "right_src": c} for c in on]
    columns += [{"name": c + ("_x" if c in R.columns else ""), "from": "left", "src": c}
                for c in L.columns if c not in on]
    columns += [{"name": c + ("_y" if c in L.columns else ""), "from": "right", "src": c}
                for c in R.columns if c not in on]
    types = {"k": "float64", "k2": "string", "lv": "int64", "rv": "int64", "k2_x": "string",
             "k2_y": "string"}
    got = execute(_join_plan(L, R, how, on, on, columns, types), {"l": L, "r": R})
    expected = L.merge(R, on=on, how=how)
    check(got, expected[[c["name"] for c in columns]])


@pytest.mark.parametrize("how", ["inner", "left", "right", "outer"])
def test_join_left_right_on_keeps_both_keys(how):
    left, right = L.rename(columns={"k": "lk"}), R.rename(columns={"k": "rk"})
    columns = [{"name": "lk", "from": "left", "src": "lk"},
               {"name": "lv", "from": "left", "src": "lv"},
               {"name": "rk", "from": "right", "src": "rk"},
               {"name": "rv", "from": "right", "src": "rv"}]
    types = {"lk": "float64", "rk": "float64", "lv": "int64", "rv": "int64"}
    got = execute(_join_plan(left, right, how, ["lk"], ["rk"], columns, types),
                  {"l": left, "r": right})
    expected = left.merge(right, left_on="lk", right_on="rk", how=how)
    check(got, expected[["lk", "lv", "rk", "rv"]])


@pytest.mark.parametrize("how", ["semi", "anti"])
def test_semi_anti(how):
    columns = [{"name": c, "from": "left", "src": c} for c in L.columns]
    types = {"k": "float64", "k2": "string", "lv": "int64"}
    got = execute(_join_plan(L, R, how, ["k"], ["k"], columns, types), {"l": L, "r": R})
    hit = L["k"].isin(R["k"]) | (L["k"].isna() & R["k"].isna().any())
    check(got, L[hit if how == "semi" else ~hit])


def test_join_mixed_key_types_and_empty_sides():
    left = pd.DataFrame({"k": [1, 2, 3], "a": [1.0, 2.0, 3.0]})
    right = pd.DataFrame({"k": [2.0, 3.0, 3.0], "b": ["x", "y", "z"]})
    columns = [{"name": "k", "from": "key", "src": "k", "right_src": "k"},
               {"name": "a", "from": "left", "src": "a"}, {"name": "b", "from": "right",
                                                           "src": "b"}]
    for how in ("inner", "left", "right", "outer"):
        got = execute(_join_plan(left, right, how, ["k"], ["k"], columns,
                                 {"k": "float64", "a": "float64", "b": "string"}),
                      {"l": left, "r": right})
        check(got, left.merge(right, on="k", how=how))
        for l_, r_ in ((left.iloc[:0], right), (left, right.iloc[:0]), (left.iloc[:0],
                                                                        right.iloc[:0])):
            got = execute(_join_plan(l_, r_, how, ["k"], ["k"], columns,
                                     {"k": "float64", "a": "float64", "b": "string"}),
                          {"l": l_, "r": r_})
            check(got, l_.merge(r_, on="k", how=how))


def test_join_many_to_many_large():
    rng = np.random.default_rng(0)
    left = pd.DataFrame({"k": rng.integers(0, 50, 2000), "a": np.arange(2000)})
    right = pd.DataFrame({"k": rng.integers(0, 60, 1500), "b": np.arange(1500)})
    columns = [{"name": "k", "from": "key", "src": "k", "right_src": "k"},
               {"name": "a", "from": "left", "src": "a"}, {"name": "b", "from": "right",
                                                           "src": "b"}]
    for how in ("inner", "left", "right", "outer"):
        got = execute(_join_plan(left, right, how, ["k"], ["k"], columns,
                                 {"k": "int64", "a": "int64", "b": "int64"}),
                      {"l": left, "r": right})
        check(got, left.merge(right, on="k", how=how))
