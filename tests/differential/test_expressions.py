"""Column expressions, literals and accessors (API.md §2): cylonc agrees with pandas."""

import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from difftables import ARROW_BACKED, DATES_AS_DATETIME64, T
from helpers import check, compiled, udf

# --- arithmetic --------------------------------------------------------------------------------


def add(t):
    return t.assign(r=t.i + t.j, f=t.x + t.y, m=t.i + t.x)


def sub(t):
    return t.assign(r=t.i - t.j, f=t.x - t.y, m=t.x - t.i)


def mul(t):
    return t.assign(r=t.i * t.j, f=t.x * t.y, m=t.i * t.x)


def truediv(t):
    return t.assign(r=t.i / t.j, f=t.x / t.y, m=t.x / t.i)


def floordiv(t):
    return t.assign(r=t.i // t.j, f=t.x // t.y, c=t.i // 3, n=t.i // -4)


def mod(t):
    return t.assign(r=t.i % t.j, f=t.x % t.y, c=t.i % 3, n=t.i % -4)


def power(t):
    return t.assign(sq=t.i ** 2, cube=t.j ** 3, f=t.x ** 2, root=t.x2 ** 0.5, p=t.x2 ** t.z)


def neg(t):
    return t.assign(a=-t.i, b=-t.x, c=-(t.x + t.j))


def absolute(t):
    return t.assign(a=t.i.abs(), b=t.x.abs(), c=abs(t.j - t.i))


def rounding(t):
    return t.assign(r0=t.x.round(0), r1=t.x.round(1), r2=(t.x2 / 3).round(2), ri=t.i.round(0))


@pytest.mark.parametrize(
    "fn", [add, sub, mul, truediv, floordiv, mod, power, neg, absolute, rounding],
    ids=lambda f: f.__name__)
def test_arithmetic(fn):
    check(fn, T)


def round_negative_digits(t):
    return t.assign(f=(t.x2 * 10).round(-1), i=(t.i * 15).round(-1), h=(t.i * 50).round(-2))


def test_round_negative_digits():
    """pandas rounds integers too when ``n < 0`` (half to even: 15 -> 20, 25 -> 20)."""
    check(round_negative_digits, T)


def float_division_by_zero(t):
    return t.assign(q=t.x / t.z, lit=t.x / 0.0, zz=t.z / t.z)


def test_float_division_by_zero_is_inf_and_zero_by_zero_null():
    """x/0 -> ±inf, 0/0 -> null (pandas: NaN), as in pandas."""
    check(float_division_by_zero, T)


def int_division_by_zero(t):
    return t.assign(q=t.i // t.z, r=t.i % t.z)


def test_int_floordiv_and_mod_by_zero_are_null():
    """Documented difference: pandas gives inf/NaN for integer ``// 0`` and ``% 0``."""
    out = compiled(int_division_by_zero)(T)
    i, z = T["i"].to_pylist(), T["z"].to_pylist()
    assert out["q"].to_pylist() == [None if b == 0 else a // b for a, b in zip(i, z)]
    assert out["r"].to_pylist() == [None if b == 0 else a % b for a, b in zip(i, z)]


def float_floordiv_mod(t):
    return t.assign(q=t.a // t.b, r=t.a % t.b)


def test_float_floordiv_and_mod_follow_numpy():
    """Python/numpy semantics: ``1.0 // 0.1 == 9.0`` (not ``floor(1.0 / 0.1) == 10``)."""
    tbl = pa.table({"a": [1.0, -1.0, 7.5, 0.3, -7.5, 5.0], "b": [0.1, 0.1, 2.0, 0.1, 2.0, -3.0]})
    out = check(float_floordiv_mod, tbl)
    assert out["q"].tolist()[0] == 9.0


# --- comparisons and boolean logic -------------------------------------------------------------


def comparisons(t):
    return t.assign(eq=t.i == t.z, ne=t.i != 2, lt=t.i < t.z, le=t.x2 <= 1.0, gt=t.i > 0,
                    ge=t.x2 >= t.i)


def test_comparisons_on_non_null_columns():
    check(comparisons, T)


@pytest.mark.parametrize("fn", [
    lambda t: t[t.j == 3], lambda t: t[t.x != 2.5], lambda t: t[t.j < 2],
    lambda t: t[t.x <= 1.5], lambda t: t[t.j > 1], lambda t: t[t.y >= 2.0],
], ids=["eq", "ne", "lt", "le", "gt", "ge"])
def test_comparison_filters_drop_nulls(fn):
    check(fn, T, **ARROW_BACKED)


def null_comparisons(t):
    return t.assign(lt=t.j < 3, ne=t.x != t.y, eq=t.s == "apple")


def test_comparisons_propagate_nulls():
    check(null_comparisons, T, **ARROW_BACKED)


def and_or(t):
    return t[((t.i > 0) & (t.x > 0)) | (t.s == "cherry")]


def not_(t):
    return t[~(t.i > 2) & ~t.b]


def bool_columns(t):
    return t.assign(a=t.b & (t.i > 0), o=t.b | (t.x2 < 0), n=~t.b)


@pytest.mark.parametrize("fn", [and_or, not_, bool_columns], ids=lambda f: f.__name__)
def test_boolean_operators(fn):
    check(fn, T)


def kleene(t):
    return t.assign(a=t.bn & t.b, o=t.bn | t.b, n=~t.bn)


def not_nullable_filter(t):
    return t[~(t.x > 0)]


@pytest.mark.parametrize("fn", [kleene, not_nullable_filter], ids=lambda f: f.__name__)
def test_boolean_operators_on_nulls_follow_arrow(fn):
    check(fn, T, **ARROW_BACKED)


# --- isin, between, nulls, astype, where -------------------------------------------------------


def isin(t):
    return t.assign(si=t.s.isin(["apple", "cherry", "nope"]), ii=t.i.isin([0, 5, 8, 99]),
                    xi=t.x.isin([1.5, 10.0]))


def isin_filter(t):
    return t[t.k.isin(["a", "c"])]


def between(t):
    return t[t.x.between(0, 2.5)]


def between_int(t):
    return t.assign(bt=t.i.between(-1, 5))


def isna_notna(t):
    return t.assign(xn=t.x.isna(), sn=t.s.notna(), dn=t.d.isna(), jn=t.j.notna())


def isna_filter(t):
    return t[t.d.isna() | t.s.isna()]


def fillna(t):
    return t.assign(x=t.x.fillna(0.0), s=t.s.fillna("?"), j=t.j.fillna(-1), y=t.y.fillna(t.x2))


def where(t):
    return t.assign(w=t.x.where(t.x > 0, 0.0), s=t.s.where(t.i > 0, "neg"),
                    c=t.i.where(t.b, t.z))


@pytest.mark.parametrize(
    "fn", [isin, isin_filter, between, between_int, isna_notna, isna_filter, fillna, where],
    ids=lambda f: f.__name__)
def test_null_and_membership(fn):
    check(fn, T)


def _cast(dtype):
    def q(t):
        if dtype in _NULLABLE_INT:
            return t.assign(a=t.i.astype(dtype), b=t.j.astype(dtype))
        return t.assign(a=t.i.astype(dtype), b=t.x2.astype(dtype))

    q.__name__ = f"astype_{dtype}"
    return q


_NULLABLE_INT = ("Int64", "int64[pyarrow]")


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "int64", "Int64", "bool",
                                   "double", "int64[pyarrow]", np.float64])
def test_astype_numeric(dtype):
    """Float -> int truncates towards zero; numpy, pandas and pyarrow dtype names all work.

    pandas' nullable integer dtypes refuse fractional floats, so they cast the nullable ``j``.
    """
    check(_cast(dtype), T)


def astype_string(t):
    return t.assign(a=t.i.astype("str"), b=t.i.astype("string"))


def parse_numbers(t):
    return t.assign(n=t.digits.astype("int64"), f=t.digits.astype("float64"))


def test_astype_to_string_and_back():
    check(astype_string, T)
    check(parse_numbers, pa.table({"digits": ["12", "-3", "0", "450"]}))


# --- literals ----------------------------------------------------------------------------------


def literal_int(t):
    return t.assign(a=t.i + 3, b=t.x * 2)


def literal_float(t):
    return t[t.x > 1.25].assign(c=t.i * 0.5)


def literal_bool(t):
    return t[t.b == True].assign(f=t.b != False)  # noqa: E712


def literal_str(t):
    return t[t.name == "bob"]


def literal_date(t):
    return t[(t.d >= datetime.date(1994, 1, 2)) & (t.d < datetime.date(1996, 2, 29))]


def literal_datetime(t):
    return t[t.ts >= datetime.datetime(2020, 1, 1, 0, 0, 1)]


def literal_datetime64(t):
    return t[t.ts < np.datetime64("2020-06-30T12:30:00")]


def literal_timestamp(t):
    return t[t.ts > pd.Timestamp("2019-12-31 23:59:59")]


def literal_assign(t):
    return t.assign(one=1, half=0.5, flag=True, tag="x")


@pytest.mark.parametrize("fn", [literal_int, literal_float, literal_bool, literal_str,
                                literal_date, literal_datetime, literal_datetime64,
                                literal_timestamp, literal_assign], ids=lambda f: f.__name__)
def test_literals(fn):
    check(fn, T)


def date32_vs_timestamp_literal(t):
    return t[(t.d >= pd.Timestamp("1994-01-02")) & (t.d <= np.datetime64("1996-02-29"))]


def test_date32_column_against_timestamp_literals():
    """A ``date32`` column compares with Timestamp literals (pandas side: ``datetime64``)."""
    check(date32_vs_timestamp_literal, T, **DATES_AS_DATETIME64)


# --- strings -----------------------------------------------------------------------------------


def str_startswith(t):
    return t[t.s.str.startswith("ap")]


def str_endswith(t):
    return t[t.s.str.endswith("a")]


def str_contains(t):
    return t[t.s.str.contains("an")]


def str_bool_columns(t):
    return t.assign(st=t.name.str.startswith("b"), en=t.name.str.endswith("e"),
                    co=t.name.str.contains("a"))


def str_len(t):
    return t.assign(n=t.s.str.len())


def str_case(t):
    return t.assign(lo=t.s.str.lower(), up=t.s.str.upper())


def str_slice(t):
    return t.assign(a=t.s.str.slice(0, 2), b=t.s.str.slice(1, 4), c=t.s.str.slice(-3, None),
                    d=t.s.str.slice(2, None))


@pytest.mark.parametrize("fn", [str_startswith, str_endswith, str_contains, str_bool_columns,
                                str_len, str_case, str_slice], ids=lambda f: f.__name__)
def test_strings(fn):
    """Characters, not bytes (``'Crème'`` has length 5)."""
    check(fn, T)


def str_bool_nulls(t):
    return t.assign(st=t.s.str.startswith("a"), co=t.s.str.contains("an"))


def test_string_predicates_propagate_nulls():
    check(str_bool_nulls, T, **ARROW_BACKED)


# --- dates -------------------------------------------------------------------------------------


def dt_parts(t):
    return t.assign(y=t.ts.dt.year, m=t.ts.dt.month, d=t.ts.dt.day)


def date_parts(t):
    return t.assign(y=t.d.dt.year, m=t.d.dt.month, dd=t.d.dt.day)


def date_part_filter(t):
    return t[(t.d.dt.year == 1994) & (t.d.dt.month == 1)]


def test_dt_accessor_on_timestamps():
    check(dt_parts, T)


@pytest.mark.parametrize("fn", [date_parts, date_part_filter], ids=lambda f: f.__name__)
def test_dt_accessor_on_dates(fn):
    check(fn, T, **DATES_AS_DATETIME64)


# --- user-defined functions --------------------------------------------------------------------


def _branchy(a, b):
    if a > 0:
        return a * b
    return b - a


def _affine(a):
    return a * 2.0 + 1.0


_branchy_udf = None


def _udfs():
    global _branchy_udf
    if _branchy_udf is None:
        _branchy_udf = (udf("float64")(_branchy), udf("float64")(_affine))
    return _branchy_udf


def udf_assign(t):
    f, g = _udfs()
    return t.assign(u=f(t.i, t.x2), v=g(t.x))


def udf_assign_ref(t):
    return t.assign(u=np.vectorize(_branchy, otypes=[float])(t.i, t.x2), v=_affine(t.x))


def udf_filter(t):
    f, _ = _udfs()
    return t[f(t.i, t.x2) > 2.0]


def udf_filter_ref(t):
    return t[np.vectorize(_branchy, otypes=[float])(t.i, t.x2) > 2.0]


def test_udf_in_assign():
    """Nulls propagate (``v`` of a null ``x`` is null)."""
    check(udf_assign, T, reference=udf_assign_ref)


def test_udf_in_filter():
    check(udf_filter, T, reference=udf_filter_ref)
