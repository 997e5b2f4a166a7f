import base64
import datetime
import math
import pickle
import subprocess
import sys
import textwrap

import pandas as pd
import pyarrow as pa
import pytest

from cylonc.errors import ExecutionError, InputError
from cylonc.runtime import PLAN_VERSION, execute
from cylonc.runtime.executors.local import LocalExecutor

from rt_helpers import call, col, fields, lit, one_input_plan, scalar_out

T = pa.table({"x": pa.array([1.0, None, 3.0, -2.0]), "i": pa.array([1, 2, None, 4]),
              "s": pa.array(["a", "bb", None, "dddd"])})


def _reduce_nodes():
    return [
        {"id": 1, "op": "reduce", "input": 0,
         "aggs": [{"fn": "sum", "column": "x", "name": "total"},
                  {"fn": "mean", "column": "i", "name": "avg"}],
         "schema": fields(total="float64", avg="float64")},
        {"id": 2, "op": "scalar", "input": 1, "column": "total", "type": "float64"},
    ]


def test_plan_version_and_format_checked():
    plan = one_input_plan(T, [])
    assert PLAN_VERSION == 1
    with pytest.raises(ExecutionError, match="plan version 2 is not supported.*version 1"):
        execute({**plan, "version": 2}, {"t": T})
    with pytest.raises(ExecutionError, match="not a cylonc plan"):
        execute({**plan, "format": "other"}, {"t": T})
    with pytest.raises(ExecutionError, match="malformed plan"):
        execute({**plan, "nodes": None}, {"t": T})


def test_output_kinds():
    nodes = _reduce_nodes()
    assert execute(one_input_plan(T, nodes, output=scalar_out(2)), {"t": T}) == 2.0
    out = execute(one_input_plan(T, nodes, output={"kind": "dict", "items": [
        {"key": "total", "ref": 2}, {"key": "table", "ref": 1}]}), {"t": T})
    assert list(out) == ["total", "table"] and out["total"] == 2.0
    assert out["table"].to_pylist() == [{"total": 2.0, "avg": 7 / 3}]
    out = execute(one_input_plan(T, nodes, output={"kind": "tuple", "items": [
        {"key": None, "ref": 0}, {"key": None, "ref": 2}]}), {"t": T})
    assert isinstance(out, tuple) and out[0].num_rows == 4 and out[1] == 2.0


def test_scalar_outputs_null_and_temporal():
    t = pa.table({"x": pa.array([None], pa.float64()), "i": pa.array([None], pa.int64()),
                  "d": pa.array([datetime.date(2000, 1, 2)]),
                  "ts": pa.array([datetime.datetime(2000, 1, 2, 3, 4, 5)], pa.timestamp("ns"))})
    nodes = [{"id": 1 + j, "op": "scalar", "input": 0, "column": c, "type": typ}
             for j, (c, typ) in enumerate([("x", "float64"), ("i", "int64"), ("d", "date32"),
                                           ("ts", "timestamp[ns]")])]
    out = execute(one_input_plan(t, nodes, output={"kind": "tuple", "items": [
        {"key": None, "ref": r} for r in (1, 2, 3, 4)]}), {"t": t})
    assert math.isnan(out[0]) and out[1] is None
    assert out[2] == datetime.date(2000, 1, 2) and type(out[2]) is datetime.date
    assert isinstance(out[3], datetime.datetime)
    assert pd.Timestamp(out[3]) == pd.Timestamp("2000-01-02 03:04:05")


def test_scalar_of_many_rows_is_execution_error():
    plan = one_input_plan(T, [{"id": 1, "op": "scalar", "input": 0, "column": "x",
                               "type": "float64"}], output=scalar_out(1))
    with pytest.raises(ExecutionError, match=r"node 1 \(scalar\).*one-row"):
        execute(plan, {"t": T})


def test_result_is_cast_to_declared_schema():
    plan = one_input_plan(T, [{"id": 1, "op": "project", "input": 0, "columns": ["i", "x"],
                               "schema": [{"name": "i", "type": "float64", "nullable": True},
                                          {"name": "x", "type": "float32", "nullable": True}]}])
    out = execute(plan, {"t": T})
    assert out.schema == pa.schema([("i", pa.float64()), ("x", pa.float32())])


def test_pyarrow_error_is_wrapped_naming_op():
    plan = one_input_plan(T, [{"id": 1, "op": "assign", "input": 0, "names": ["n"],
                               "exprs": [call("cast", "int64", col("s", "string"))],
                               "schema": fields(x="float64", i="int64", s="string",
                                                n="int64")}])
    with pytest.raises(ExecutionError, match=r"node 1 \(assign\)"):
        execute(plan, {"t": T})


def test_dataframe_and_executor():
    df = T.to_pandas()
    plan = one_input_plan(pa.Table.from_pandas(df, preserve_index=False), _reduce_nodes(),
                          output=scalar_out(2))
    assert LocalExecutor().run(plan, {"t": df}) == 2.0
    with pytest.raises(InputError, match="input 't': column 'i' is float64, compiled for int64"):
        LocalExecutor().run(one_input_plan(T, _reduce_nodes()), {"t": df})


# --- UDFs -------------------------------------------------------------------------------------

def affine(x, i):
    return x * 2.0 + i


def shout(s):
    return s.upper() + "!"


def boom(x):
    if x > 2:
        raise ValueError("too big")
    return x


def _udf_plan(name, args, arg_types, ret, pickled=None):
    udfs = {name: {"name": name, "return_type": ret, "arg_types": arg_types,
                   "pickle": pickled}}
    expr = call("udf", ret, *args, name=name)
    sch = [*fields(x="float64", i="int64", s="string"), *fields(r=ret)]
    return one_input_plan(T, [{"id": 1, "op": "assign", "input": 0, "names": ["r"],
                               "exprs": [expr], "schema": sch}], udfs=udfs)


def test_udf_numba_with_nulls():
    plan = _udf_plan("affine", [col("x", "float64"), col("i", "int64")],
                     ["float64", "int64"], "float64")
    out = execute(plan, {"t": T}, udfs={"affine": affine})
    df = T.to_pandas()
    expected = [None if (pd.isna(a) or pd.isna(b)) else affine(a, b)
                for a, b in zip(df["x"], df["i"])]
    assert out["r"].to_pylist() == expected
    out2 = execute(plan, {"t": T}, udfs={"affine": affine})  # cached ufunc
    assert out2.equals(out)


def test_udf_from_pickle_and_scalar_arg():
    data = base64.b64encode(pickle.dumps(affine)).decode()
    plan = _udf_plan("affine", [col("x", "float64"), lit(10, "int64")], ["float64", "int64"],
                     "float64", pickled=data)
    out = execute(plan, {"t": T})
    assert out["r"].to_pylist() == [12.0, None, 16.0, 6.0]


def test_udf_python_fallback_for_strings():
    plan = _udf_plan("shout", [col("s", "string")], ["string"], "string")
    out = execute(plan, {"t": T}, udfs={"shout": shout})
    assert out["r"].to_pylist() == ["A!", "BB!", None, "DDDD!"]


def test_udf_that_raises_is_execution_error():
    plan = _udf_plan("boom", [col("x", "float64")], ["float64"], "float64")
    with pytest.raises(ExecutionError, match=r"node 1 \(assign\).*udf 'boom'.*too big"):
        execute(plan, {"t": T}, udfs={"boom": boom})


def test_udf_missing_function():
    plan = _udf_plan("nope", [col("x", "float64")], ["float64"], "float64")
    with pytest.raises(ExecutionError, match="udf 'nope'"):
        execute(plan, {"t": T})


# --- isolation from the compiler ------------------------------------------------------------------

def test_runtime_does_not_import_compiler_stack(tmp_path):
    code = textwrap.dedent("""
        import sys
        import pyarrow as pa
        import cylonc.runtime as rt
        plan = {"format": "cylonc.plan", "version": 1,
                "inputs": [{"name": "t", "schema": [{"name": "a", "type": "int64",
                                                     "nullable": True}],
                            "source_schema": [{"name": "a", "type": "int64",
                                               "nullable": True}]}],
                "nodes": [{"id": 0, "op": "input", "name": "t", "columns": None,
                           "schema": [{"name": "a", "type": "int64", "nullable": True}]},
                          {"id": 1, "op": "reduce", "input": 0,
                           "aggs": [{"fn": "sum", "column": "a", "name": "s"}],
                           "schema": [{"name": "s", "type": "int64", "nullable": True}]},
                          {"id": 2, "op": "scalar", "input": 1, "column": "s",
                           "type": "int64"}],
                "output": {"kind": "scalar", "items": [{"key": None, "ref": 2}]},
                "udfs": {}}
        assert rt.execute(plan, {"t": pa.table({"a": [1, 2]})}) == 3
        bad = sorted(m for m in sys.modules
                     if m.split(".")[0] in ("xdsl", "mlir") or m.startswith("cylonc.compiler"))
        print(bad)
        assert not bad, bad
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=tmp_path)
    assert r.returncode == 0, r.stderr + r.stdout


# --- chunked and empty inputs through every kind of kernel -------------------------------------

def _pipeline(table):
    sch = fields(x="float64", i="int64", s="string")
    udfs = {"affine": {"name": "affine", "return_type": "float64",
                       "arg_types": ["float64", "int64"], "pickle": None}}
    x, i, s = col("x", "float64"), col("i", "int64"), col("s", "string")
    exprs = [call("floordiv", "int64", i, lit(2, "int64")),
             call("mod", "float64", x, lit(1.5, "float64")),
             call("round", "float64", x, ndigits=1),
             call("cast", "string", x),
             call("udf", "float64", x, i, name="affine"),
             call("str_slice", "string", s, start=None, stop=None, step=-1)]
    names = ["fd", "md", "rd", "xs", "u", "rev"]
    wide = [*sch, *fields(fd="int64", md="float64", rd="float64", xs="string", u="float64",
                          rev="string")]
    nodes = [
        {"id": 1, "op": "assign", "input": 0, "names": names, "exprs": exprs, "schema": wide},
        {"id": 2, "op": "filter", "input": 1,
         "predicate": call("notna", "bool", col("u", "float64")), "schema": wide},
        {"id": 3, "op": "distinct", "input": 2, "subset": ["i"], "schema": wide},
        {"id": 4, "op": "join", "left": 1, "right": 3, "how": "outer", "left_on": ["i"],
         "right_on": ["i"], "columns": [{"name": "i", "from": "key", "src": "i",
                                         "right_src": "i"},
                                        {"name": "u", "from": "left", "src": "u"},
                                        {"name": "rev", "from": "right", "src": "rev"}],
         "schema": fields(i="int64", u="float64", rev="string")},
        {"id": 5, "op": "aggregate", "input": 4, "keys": ["i"],
         "aggs": [{"fn": "sum", "column": "u", "name": "su"},
                  {"fn": "last", "column": "rev", "name": "lr"}],
         "schema": fields(i="int64", su="float64", lr="string")},
        {"id": 6, "op": "sort", "input": 5, "keys": ["su"], "ascending": [False],
         "schema": fields(i="int64", su="float64", lr="string")},
        {"id": 7, "op": "reduce", "input": 1, "aggs": [{"fn": "size", "column": None,
                                                        "name": "n"}],
         "schema": fields(n="int64")},
    ]
    plan = one_input_plan(table, nodes, output={"kind": "dict", "items": [
        {"key": "wide", "ref": 1}, {"key": "agg", "ref": 6}, {"key": "n", "ref": 7}]},
        udfs=udfs)
    return execute(plan, {"t": table}, udfs={"affine": affine})


def test_multi_chunk_input_matches_single_chunk():
    chunked = pa.concat_tables([T.slice(0, 1), T.slice(1, 2), T.slice(3)])
    assert chunked["x"].num_chunks == 3
    a, b = _pipeline(chunked), _pipeline(T)
    assert a["wide"].equals(b["wide"]) and a["agg"].equals(b["agg"])
    assert a["wide"]["rev"].to_pylist() == ["a", "bb", None, "dddd"]
    assert a["wide"]["xs"].to_pylist() == ["1.0", None, "3.0", "-2.0"]


def test_empty_input_through_every_kernel():
    out = _pipeline(T.slice(0, 0))
    assert out["wide"].num_rows == 0 and out["agg"].num_rows == 0
    assert out["n"].to_pylist() == [{"n": 0}]
    assert out["agg"].schema.names == ["i", "su", "lr"]
