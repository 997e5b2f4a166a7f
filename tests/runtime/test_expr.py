"""Every EXPR function, against pandas where pandas computes the same thing."""

import datetime
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cylonc.runtime import execute
from cylonc.runtime.kernels.arrow import EXPR_FUNCTIONS, evaluate

from rt_helpers import call, col, fields, lit, one_input_plan, sref

T = pa.table({
    "a": pa.array([7, -7, 0, 5, None], pa.int64()),
    "b": pa.array([2, 2, 3, 0, 1], pa.int64()),
    "x": pa.array([1.5, -2.5, 0.0, 2.675, None], pa.float64()),
    "y": pa.array([0.0, 2.0, 0.0, -1.5, 1.0], pa.float64()),
    "s": pa.array(["Hello", "world", "", None, "héllo wörld"], pa.string()),
    "f": pa.array([True, None, False, True, None], pa.bool_()),
    "g": pa.array([None, None, True, False, False], pa.bool_()),
    "d": pa.array([datetime.date(1994, 1, 1), datetime.date(1995, 6, 30), None,
                   datetime.date(2000, 2, 29), datetime.date(1970, 1, 1)], pa.date32()),
    "ts": pa.array([0, 86_400_000_000 * 400, None, 1_000_000, 951_782_400_000_000],
                   pa.timestamp("us")),
})
TYPES = {f.name: {"double": "float64", "date32[day]": "date32"}.get(str(f.type), str(f.type))
         for f in T.schema}
# pandas views of the columns: nullable dtypes where pandas has Kleene/NA semantics
PD = {
    "a": pd.Series(T["a"].to_pylist(), dtype="Int64"),
    "b": pd.Series(T["b"].to_pylist(), dtype="Int64"),
    "x": pd.Series(T["x"].to_pylist(), dtype="float64"),
    "y": pd.Series(T["y"].to_pylist(), dtype="float64"),
    "s": pd.Series(T["s"].to_pylist(), dtype=object),
    "f": pd.Series(T["f"].to_pylist(), dtype="boolean"),
    "g": pd.Series(T["g"].to_pylist(), dtype="boolean"),
    "d": pd.to_datetime(pd.Series(T["d"].to_pylist())),
    "ts": pd.Series(T["ts"].to_pandas()),
}


def c(name):
    return col(name, TYPES[name])


def run(expr, table=T):
    plan = one_input_plan(table, [
        {"id": 1, "op": "assign", "input": 0, "names": ["r"], "exprs": [expr],
         "schema": fields(**TYPES, r=expr["type"]) if table is T else
         [*one_input_plan(table, [])["inputs"][0]["schema"],
          {"name": "r", "type": expr["type"], "nullable": True}]},
        {"id": 2, "op": "project", "input": 1, "columns": ["r"],
         "schema": fields(r=expr["type"])},
    ])
    out = execute(plan, {"t": table})
    assert out.schema.field("r").type == pa.schema([("r", _arrow(expr["type"]))]).field(0).type
    return out["r"].to_pylist()


def _arrow(s):
    from cylonc.runtime.types import to_arrow
    return to_arrow(s)


def _norm(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, (np.generic,)):
        return v.item()
    return v


def same(got, expected):
    expected = [_norm(v) for v in (expected.tolist() if hasattr(expected, "tolist")
                                    else expected)]
    assert len(got) == len(expected), (got, expected)
    for g, e in zip(got, expected):
        if e is None or g is None:
            assert g is None and e is None, (got, expected)
        elif isinstance(e, float) or isinstance(g, float):
            assert g == e or math.isclose(g, e, rel_tol=1e-12), (got, expected)
        else:
            assert g == e and type(g) is type(e), (got, expected)


# --- arithmetic ------------------------------------------------------------------------------

@pytest.mark.parametrize("fn,op", [("add", "__add__"), ("sub", "__sub__"), ("mul", "__mul__")])
def test_int_arith(fn, op):
    same(run(call(fn, "int64", c("a"), c("b"))), getattr(PD["a"], op)(PD["b"]))


@pytest.mark.parametrize("fn,op", [("add", "__add__"), ("sub", "__sub__"), ("mul", "__mul__")])
def test_mixed_arith_promotes(fn, op):
    same(run(call(fn, "float64", c("a"), c("x"))),
         getattr(PD["a"].astype("float64"), op)(PD["x"]))


def test_string_concat():
    same(run(call("add", "string", c("s"), lit("!", "string"))),
         [None if v is None else v + "!" for v in T["s"].to_pylist()])


def test_div_by_zero():
    same(run(call("div", "float64", c("a"), c("b"))), [3.5, -3.5, 0.0, math.inf, None])
    same(run(call("div", "float64", c("x"), c("y"))), PD["x"] / PD["y"])
    assert run(call("div", "float64", c("y"), c("y")))[0] is None  # 0/0 -> null
    assert run(call("div", "float64", c("a"), lit(0, "int64")))[:3] == [math.inf, -math.inf,
                                                                          None]


def test_floordiv():
    same(run(call("floordiv", "int64", c("a"), c("b"))), [3, -4, 0, None, None])
    same(run(call("floordiv", "float64", c("x"), c("y"))), PD["x"] // PD["y"])
    same(run(call("floordiv", "int64", c("a"), lit(-2, "int64"))),
         PD["a"].astype("float64") // -2)
    t = pa.table({"p": [1.0, -1.0, 0.0, math.inf, 7.5], "q": [0.1, 0.0, 0.0, 1.0, -2.0]})
    pdt = t.to_pandas()
    same(run(call("floordiv", "float64", col("p", "float64"), col("q", "float64")), t),
         pdt["p"] // pdt["q"])  # 1.0 // 0.1 == 9.0 as in Python


def test_mod():
    same(run(call("mod", "int64", c("a"), c("b"))), [1, 1, 0, None, None])
    same(run(call("mod", "int64", c("a"), lit(-3, "int64"))), [7 % -3, -7 % -3, 0, 5 % -3, None])
    same(run(call("mod", "float64", c("x"), c("y"))), PD["x"] % PD["y"])
    t = pa.table({"p": [5.0, -5.0, 5.5], "q": [0.0, math.inf, -2.0]})
    pdt = t.to_pandas()
    same(run(call("mod", "float64", col("p", "float64"), col("q", "float64")), t),
         pdt["p"] % pdt["q"])


def test_pow():
    same(run(call("pow", "int64", c("a"), c("b"))), PD["a"] ** PD["b"])
    same(run(call("pow", "float64", c("x"), lit(2, "int64"))), PD["x"] ** 2)
    same(run(call("pow", "float64", c("y"), lit(-1.0, "float64"))), PD["y"] ** -1.0)


def test_neg_abs():
    same(run(call("neg", "int64", c("a"))), -PD["a"])
    same(run(call("abs", "float64", c("x"))), PD["x"].abs())


@pytest.mark.parametrize("nd", [0, 1, 2, -1])
def test_round(nd):
    same(run(call("round", "float64", c("x"), ndigits=nd)), PD["x"].round(nd))
    ints = PD["a"] if nd >= 0 else pd.Series(np.round(np.array([7, -7, 0, 5]), nd).tolist()
                                             + [None])
    same(run(call("round", "int64", c("a"), ndigits=nd)), ints)


def test_round_half_even():
    t = pa.table({"v": [0.5, 1.5, 2.5, -0.5, 0.125]})
    same(run(call("round", "float64", col("v", "float64"), ndigits=0), t),
         pd.Series([0.5, 1.5, 2.5, -0.5, 0.125]).round(0))
    same(run(call("round", "float64", col("v", "float64"), ndigits=2), t),
         pd.Series([0.5, 1.5, 2.5, -0.5, 0.125]).round(2))


# --- comparisons and logic ----------------------------------------------------------------------

@pytest.mark.parametrize("fn,op", [("eq", "__eq__"), ("ne", "__ne__"), ("lt", "__lt__"),
                                   ("le", "__le__"), ("gt", "__gt__"), ("ge", "__ge__")])
def test_compare(fn, op):
    same(run(call(fn, "bool", c("a"), c("b"))), getattr(PD["a"], op)(PD["b"]))
    same(run(call(fn, "bool", c("a"), c("x"))),
         getattr(PD["a"].astype("Float64"), op)(PD["x"].astype("Float64")))
    expected = [None if v is None else getattr(v, op)("hello") for v in T["s"].to_pylist()]
    same(run(call(fn, "bool", c("s"), lit("hello", "string"))), expected)
    d0 = datetime.date(1995, 1, 1)
    expected = [None if v is None else getattr(v, op)(d0) for v in T["d"].to_pylist()]
    same(run(call(fn, "bool", c("d"), lit("1995-01-01", "date32"))), expected)
    expected = [None if v is None else getattr(v, op)(1_000_000) for v in
                T["ts"].cast(pa.int64()).to_pylist()]
    same(run(call(fn, "bool", c("ts"), lit(1_000_000, "timestamp[us]"))), expected)


def test_kleene():
    same(run(call("and", "bool", c("f"), c("g"))), PD["f"] & PD["g"])
    same(run(call("or", "bool", c("f"), c("g"))), PD["f"] | PD["g"])
    same(run(call("not", "bool", c("f"))), ~PD["f"])
    assert run(call("and", "bool", lit(None, "bool"), lit(False, "bool")))[0] is False
    assert run(call("or", "bool", lit(None, "bool"), lit(True, "bool")))[0] is True


def test_bitwise_on_ints():
    same(run(call("and", "int64", c("a"), c("b"))), [7 & 2, -7 & 2, 0, 0, None])
    same(run(call("not", "int64", c("b"))), [~2, ~2, ~3, ~0, ~1])


# --- null handling -------------------------------------------------------------------------

def test_isna_notna_never_null():
    for name in T.column_names:
        same(run(call("isna", "bool", c(name))), PD[name].isna())
        same(run(call("notna", "bool", c(name))), PD[name].notna())


def test_fillna():
    same(run(call("fillna", "float64", c("x"), lit(0, "int64"))), PD["x"].fillna(0))
    same(run(call("fillna", "string", c("s"), lit("?", "string"))), PD["s"].fillna("?"))
    same(run(call("fillna", "int64", c("a"), c("b"))), PD["a"].fillna(PD["b"]))


def test_where():
    cond = call("gt", "bool", c("x"), lit(0, "int64"))
    got = run(call("where", "float64", cond, c("x"), lit(-1.0, "float64")))
    same(got, PD["x"].where(PD["x"] > 0, -1.0))
    got = run(call("where", "int64", c("f"), c("a"), c("b")))
    same(got, [7, 2, 3, 5, 1])  # null condition -> other


def test_isin():
    same(run(call("isin", "bool", c("a"), values=[7, 0, 2.5, "7", None])),
         PD["a"].isin([7, 0]).fillna(False))
    same(run(call("isin", "bool", c("x"), values=[1.5, 0])), PD["x"].isin([1.5, 0]))
    same(run(call("isin", "bool", c("s"), values=["Hello", "", None])),
         [True, False, True, False, False])
    same(run(call("isin", "bool", c("d"), values=["1994-01-01", "2000-02-29"])),
         [True, False, False, True, False])
    same(run(call("isin", "bool", c("a"), values=[])), [False] * 5)


# --- cast --------------------------------------------------------------------------------------

def test_cast_numbers():
    t = pa.table({"v": [1.9, -2.9, 0.0, None], "n": [3, 0, -1, None]})
    same(run(call("cast", "int64", col("v", "float64")), t), [1, -2, 0, None])
    same(run(call("cast", "float64", col("n", "int64")), t), [3.0, 0.0, -1.0, None])
    same(run(call("cast", "bool", col("n", "int64")), t), [True, False, True, None])
    same(run(call("cast", "bool", col("v", "float64")), t), [True, True, False, None])
    same(run(call("cast", "int32", col("n", "int64")), t), [3, 0, -1, None])


def test_cast_strings():
    t = pa.table({"v": [1.0, 0.1 + 0.2, 1e16, 1e-5, None], "n": [3, 0, -1, 12, None],
                  "s": ["12", " 7 ", "-3", "", None], "b": [True, False, True, None, False]})
    pdv = pd.Series(t["v"].to_pylist()[:4])
    same(run(call("cast", "string", col("v", "float64")), t), pdv.astype(str).tolist() + [None])
    same(run(call("cast", "string", col("n", "int64")), t), ["3", "0", "-1", "12", None])
    same(run(call("cast", "string", col("b", "bool")), t), ["True", "False", "True", None,
                                                            "False"])
    same(run(call("cast", "bool", col("s", "string")), t), [True, True, True, False, None])
    t2 = t.slice(0, 3)
    same(run(call("cast", "int64", col("s", "string")), t2), [12, 7, -3])
    same(run(call("cast", "float64", col("s", "string")), t2), [12.0, 7.0, -3.0])


def test_cast_dates():
    same(run(call("cast", "string", c("d"))),
         ["1994-01-01", "1995-06-30", None, "2000-02-29", "1970-01-01"])
    t = pa.table({"s": ["1994-01-01", None]})
    same(run(call("cast", "date32", col("s", "string")), t), [datetime.date(1994, 1, 1), None])
    same(run(call("cast", "timestamp[us]", c("d"))),
         [None if v is None else datetime.datetime(v.year, v.month, v.day)
          for v in T["d"].to_pylist()])


# --- strings ---------------------------------------------------------------------------------

def test_str_predicates():
    s = PD["s"]
    same(run(call("str_startswith", "bool", c("s"), pattern="He")), s.str.startswith("He"))
    same(run(call("str_endswith", "bool", c("s"), pattern="ld")), s.str.endswith("ld"))
    for pattern, regex, case in [("l+o", True, True), ("L+O", True, False), ("l+o", False, True),
                                 ("WOR", False, False), ("^h", True, False), ("", False, True)]:
        same(run(call("str_contains", "bool", c("s"), pattern=pattern, regex=regex, case=case)),
             s.str.contains(pattern, regex=regex, case=case))


def test_str_transforms():
    s = PD["s"]
    same(run(call("str_len", "int64", c("s"))), s.str.len())
    same(run(call("str_lower", "string", c("s"))), s.str.lower())
    same(run(call("str_upper", "string", c("s"))), s.str.upper())


@pytest.mark.parametrize("start,stop,step", [(0, 3, None), (1, None, None), (-3, None, None),
                                             (None, -1, None), (None, None, -1), (4, 0, -2),
                                             (None, None, 2), (10, None, None), (-100, 2, None)])
def test_str_slice(start, stop, step):
    same(run(call("str_slice", "string", c("s"), start=start, stop=stop, step=step)),
         PD["s"].str.slice(start, stop, step))


# --- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("part", ["year", "month", "day"])
def test_dt_parts(part):
    same(run(call(f"dt_{part}", "int64", c("d"))), getattr(PD["d"].dt, part).astype("Int64"))
    same(run(call(f"dt_{part}", "int64", c("ts"))), getattr(PD["ts"].dt, part).astype("Int64"))


# --- NaN, literals, scalars -----------------------------------------------------------------------

def test_nan_results_become_null_inf_stays():
    t = pa.table({"v": [math.inf, -math.inf, 1.0]})
    v = col("v", "float64")
    same(run(call("add", "float64", v, v), t), [math.inf, -math.inf, 2.0])
    same(run(call("sub", "float64", v, v), t), [None, None, 0.0])
    same(run(call("isna", "bool", call("sub", "float64", v, v)), t), [True, True, False])


def test_literal_broadcast_and_null_literal():
    same(run(lit(3, "int64")), [3] * 5)
    same(run(lit(None, "float64")), [None] * 5)
    same(run(lit("2020-02-02", "date32")), [datetime.date(2020, 2, 2)] * 5)
    same(run(lit(5, "timestamp[s]")), [datetime.datetime(1970, 1, 1, 0, 0, 5)] * 5)
    same(run(call("add", "int64", c("a"), lit(None, "int64"))), [None] * 5)


def test_scalar_expr_nodes():
    t = pa.table({"v": [1.0, 2.0, 4.0]})
    plan = one_input_plan(t, [
        {"id": 1, "op": "reduce", "input": 0, "aggs": [{"fn": "mean", "column": "v",
                                                        "name": "m"}],
         "schema": fields(m="float64")},
        {"id": 2, "op": "scalar", "input": 1, "column": "m", "type": "float64"},
        {"id": 3, "op": "scalar_expr", "type": "float64",
         "expr": call("mul", "float64", sref(2, "float64"), lit(3, "int64"))},
        {"id": 4, "op": "scalar_expr", "type": "int64",
         "expr": call("floordiv", "int64", lit(7, "int64"), lit(0, "int64"))},
        {"id": 5, "op": "scalar_expr", "type": "float64",
         "expr": call("div", "float64", lit(0, "int64"), lit(0, "int64"))},
        {"id": 6, "op": "filter", "input": 0,
         "predicate": call("gt", "bool", col("v", "float64"), sref(2, "float64")),
         "schema": fields(v="float64")},
    ], output={"kind": "tuple", "items": [{"key": None, "ref": r} for r in (3, 4, 5, 6)]})
    a, b, c_, d = execute(plan, {"t": t})
    assert a == pytest.approx(7.0) and b is None and math.isnan(c_)
    assert d["v"].to_pylist() == [4.0]


def test_every_function_is_covered():
    src = Path(__file__).read_text() + Path(__file__).with_name("test_interpreter.py").read_text()
    missing = [fn for fn in EXPR_FUNCTIONS
               if f'"{fn}"' not in src and not fn.startswith("dt_")]
    assert not missing


def test_evaluate_on_scalars_only():
    v = evaluate(call("mod", "int64", lit(-7, "int64"), lit(3, "int64")))
    assert isinstance(v, pa.Scalar) and v.as_py() == 2
    v = evaluate(call("str_upper", "string", lit("ab", "string")))
    assert v.as_py() == "AB"
    assert evaluate(call("isna", "bool", lit(None, "int64"))).as_py() is True
