"""Result comparison shared by the TPC-H, example and differential tests."""

from __future__ import annotations

import datetime
import decimal
import math
import numbers
import os
import tempfile

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

RTOL = 1e-6
ATOL = 1e-9
_DATES = (datetime.date, np.datetime64)


def to_pandas(result) -> pd.DataFrame:
    """Convert a table result (Arrow table, pandas DataFrame or Series) to a pandas DataFrame.

    Dates and timestamps become ``datetime64[ns]``; the index is reset.
    """
    if isinstance(result, (pa.Table, pa.RecordBatch)):
        df = result.to_pandas(date_as_object=False)
    elif isinstance(result, pd.Series):
        df = result.to_frame()
    elif isinstance(result, pd.DataFrame):
        df = result
    else:
        raise TypeError(f"expected a table, got {type(result).__name__}")
    df = df.reset_index(drop=True)
    return pd.DataFrame({name: _normalize_column(df[name]) for name in df.columns})


def _normalize_column(col: pd.Series) -> pd.Series:
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        return col.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        return col.astype("datetime64[ns]")
    if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
        return col.astype("float64")
    values = col.astype(object)
    kinds = {type(v) for v in values if not _is_null(v)}
    if kinds and all(issubclass(k, _DATES) for k in kinds):
        return pd.to_datetime(values).astype("datetime64[ns]")
    if kinds and all(
        issubclass(k, numbers.Number) and not issubclass(k, bool) for k in kinds
    ):
        return values.map(lambda v: np.nan if _is_null(v) else float(v)).astype("float64")
    return values.map(lambda v: None if _is_null(v) else v)


def _is_null(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(isinstance(v, float | np.floating) and math.isnan(v))
    except TypeError:
        return False


def _sort_rows(df: pd.DataFrame) -> pd.DataFrame:
    if df.empty or not len(df.columns):
        return df
    exact = [c for c in df.columns if df[c].dtype != np.float64]
    floats = [c for c in df.columns if df[c].dtype == np.float64]
    keys = {c: df[c].map(lambda v: (v is None, "" if v is None else str(v))) for c in exact}
    keys |= {c: df[c] for c in floats}
    order = pd.DataFrame(keys).sort_values(list(keys), na_position="last", kind="stable").index
    return df.loc[order].reset_index(drop=True)


def assert_frames_match(actual, expected, *, ordered: bool = False, rtol: float = RTOL,
                        atol: float = ATOL) -> None:
    """Assert two table results hold the same rows.

    Parameters
    ----------
    actual, expected : pyarrow.Table or pandas.DataFrame
        Converted with `to_pandas`.
    ordered : bool
        Compare rows in order (the query sorts); otherwise sort both first.
    rtol, atol : float
        Tolerance for numeric columns. Integer and float columns compare as float64; NaN, None,
        NA and NaT all count as null and equal each other.
    """
    a, e = to_pandas(actual), to_pandas(expected)
    assert list(a.columns) == list(e.columns), (
        f"columns differ: {list(a.columns)} != {list(e.columns)}"
    )
    assert len(a) == len(e), f"row counts differ: {len(a)} != {len(e)}"
    if not ordered:
        a, e = _sort_rows(a), _sort_rows(e)
    for name in a.columns:
        x, y = a[name], e[name]
        numeric = (x.dtype == np.float64, y.dtype == np.float64)
        if all(numeric):
            ok = np.isclose(x.to_numpy(), y.to_numpy(), rtol=rtol, atol=atol, equal_nan=True)
        elif any(numeric):
            raise AssertionError(f"column {name!r}: numeric {x.dtype} vs {y.dtype}")
        else:
            ok = np.array([_same(u, v) for u, v in zip(x.tolist(), y.tolist())], dtype=bool)
        if not ok.all():
            bad = np.flatnonzero(~ok)[:5]
            rows = "\n".join(f"  row {i}: {x.iloc[i]!r} != {y.iloc[i]!r}" for i in bad)
            raise AssertionError(
                f"column {name!r}: {int((~ok).sum())} of {len(ok)} values differ"
                f" ({'in order' if ordered else 'after sorting'}):\n{rows}"
            )


def _same(u, v) -> bool:
    if _is_null(u) or _is_null(v):
        return _is_null(u) and _is_null(v)
    return u == v


def assert_scalars_match(actual, expected, *, rtol: float = RTOL, atol: float = ATOL) -> None:
    """Assert two scalar results are equal (numbers within tolerance, nulls equal)."""
    actual, expected = _unwrap(actual), _unwrap(expected)
    if _is_null(actual) or _is_null(expected):
        assert _is_null(actual) and _is_null(expected), f"{actual!r} != {expected!r}"
    elif isinstance(actual, numbers.Number) and isinstance(expected, numbers.Number):
        assert math.isclose(float(actual), float(expected), rel_tol=rtol, abs_tol=atol), (
            f"{actual!r} != {expected!r}"
        )
    elif isinstance(actual, _DATES) and isinstance(expected, _DATES):
        assert pd.Timestamp(actual) == pd.Timestamp(expected), f"{actual!r} != {expected!r}"
    else:
        assert actual == expected, f"{actual!r} != {expected!r}"


def assert_results_match(actual, expected, *, ordered: bool = False, rtol: float = RTOL,
                         atol: float = ATOL) -> None:
    """Assert two pipeline results match: tables, scalars, or dicts/tuples/lists of them.

    A one-cell table on one side matches a scalar on the other (SQL returns whole-table
    aggregates as one-row tables).
    """
    kw = dict(rtol=rtol, atol=atol)
    if isinstance(actual, dict) or isinstance(expected, dict):
        assert isinstance(actual, dict) and isinstance(expected, dict), (
            f"{type(actual).__name__} != {type(expected).__name__}"
        )
        assert list(actual) == list(expected), f"keys differ: {list(actual)} != {list(expected)}"
        for key in actual:
            assert_results_match(actual[key], expected[key], ordered=ordered, **kw)
        return
    if isinstance(actual, tuple | list) or isinstance(expected, tuple | list):
        assert isinstance(actual, tuple | list) and isinstance(expected, tuple | list)
        assert len(actual) == len(expected), f"lengths differ: {len(actual)} != {len(expected)}"
        for x, y in zip(actual, expected):
            assert_results_match(x, y, ordered=ordered, **kw)
        return
    tables = (pa.Table, pa.RecordBatch, pd.DataFrame, pd.Series)
    a_table, e_table = isinstance(actual, tables), isinstance(expected, tables)
    if a_table and e_table:
        assert_frames_match(actual, expected, ordered=ordered, **kw)
    elif a_table or e_table:
        table, scalar = (actual, expected) if a_table else (expected, actual)
        df = to_pandas(table)
        assert df.shape == (1, 1), f"expected a scalar, got a table of shape {df.shape}"
        cell = df.iloc[0, 0]
        assert_scalars_match(*((cell, scalar) if a_table else (scalar, cell)), **kw)
    else:
        assert_scalars_match(actual, expected, **kw)


def _unwrap(v):
    if isinstance(v, pa.Scalar):
        return v.as_py()
    if isinstance(v, np.generic):
        return v.item()
    return v


# ---------------------------------------------------------------------------------------------
# Differential oracle: one pipeline, run by pandas and by cylonc, must agree (API.md §1).
# ---------------------------------------------------------------------------------------------

#: Run only the pandas side of `check` (set while the compiler does not work yet): the pandas
#: result is compared with itself converted to cylonc's result types, and every cylonc-only
#: assertion made through `compiled` is skipped.
PANDAS_ONLY = os.environ.get("CYLONC_TEST_PANDAS_ONLY", "") not in ("", "0")
#: ``CYLONC_TEST_VARIANTS=0`` turns off `check`'s extra pandas-frame and Parquet-path runs.
VARIANTS = os.environ.get("CYLONC_TEST_VARIANTS", "1") not in ("", "0")


def _executor_options(spec: str) -> dict:
    """``"mpi:3"`` -> ``{"executor": "mpi", "ranks": 3}``; ``""`` / ``"local"`` -> ``{}``."""
    if spec in ("", "local"):
        return {}
    name, _, ranks = spec.partition(":")
    return {"executor": name, "ranks": int(ranks or 1)}


#: ``CYLONC_TEST_EXECUTOR=mpi:N`` runs every pipeline that `compiled` builds (so all of
#: `check`'s cylonc runs) with ``executor="mpi", ranks=N``.
EXECUTOR = _executor_options(os.environ.get("CYLONC_TEST_EXECUTOR", ""))
#: ``CYLONC_TEST_DEVICE=gpu`` (or ``cpu``/``auto``) compiles them with that ``device``
#: (``tests/test_gpu_codegen.py`` runs the differential suite so on a GPU, or emulated).
if os.environ.get("CYLONC_TEST_DEVICE"):
    EXECUTOR = {**EXECUTOR, "device": os.environ["CYLONC_TEST_DEVICE"]}
CHECK_RTOL = 1e-9
CHECK_ATOL = 1e-12

_COMPILED: dict = {}


def compiled(fn, **options):
    """``cylonc.compile(**options)(fn)``, built once per (function, options) and shared.

    Skips the calling test when `PANDAS_ONLY` is set.
    """
    if PANDAS_ONLY:
        pytest.skip("CYLONC_TEST_PANDAS_ONLY: cylonc side not run")
    options = {**EXECUTOR, **options}
    key = (fn, tuple(sorted(options.items())))
    if key not in _COMPILED:
        import cylonc

        _COMPILED[key] = cylonc.compile(**options)(fn) if options else cylonc.compile(fn)
    return _COMPILED[key]


def udf(return_type):
    """``cylonc.udf(return_type)``; the plain function itself when `PANDAS_ONLY` is set."""
    if PANDAS_ONLY:
        return lambda fn: fn
    import cylonc

    return cylonc.udf(return_type)


def check(fn, *tables, ordered=False, sorted_by=None, reference=None, to_pandas=None,
          variants=True, **tables_kw):
    """Assert that ``fn`` gives the same result under pandas and under cylonc; return pandas'.

    Parameters
    ----------
    fn : callable
        The pipeline. Its tables come positionally (``*tables``) or by keyword (``**tables_kw``),
        as `pyarrow.Table`s (other values, such as paths, are passed through unchanged).
    ordered : bool
        Compare rows in order (a sort with unique keys fixes it); otherwise as multisets.
    sorted_by : list of (column, ascending), optional
        Compare as multisets and also require cylonc's rows to be sorted by these keys (nulls
        last), for sorts whose ties leave the order open.
    reference : callable, optional
        The pandas formulation, where ``fn`` uses cylonc-only API (``cc.concat``, ``semi``...).
    to_pandas : callable, optional
        Table -> DataFrame for the pandas side; default ``t.to_pandas()``.
    variants : bool
        Also run cylonc once on the pandas frames and once on Parquet files of the tables.

    Notes
    -----
    cylonc runs ``cylonc.compile(fn)`` and ``cylonc.compile(optimize=False)(fn)``; results
    compare as `assert_same` says. The keyword names above are reserved (not table names).
    """
    convert = to_pandas or (lambda t: t.to_pandas())
    frames = [convert(t) if isinstance(t, pa.Table) else t for t in tables]
    frames_kw = {k: convert(t) if isinstance(t, pa.Table) else t for k, t in tables_kw.items()}
    expected = (reference or fn)(*frames, **frames_kw)
    cmp = dict(ordered=ordered, sorted_by=sorted_by)
    if PANDAS_ONLY:
        assert_same(_as_cylonc_result(expected), expected, label="pandas self-check", **cmp)
        return expected
    for options in ({}, {"optimize": False}):
        got = compiled(fn, **options)(*tables, **tables_kw)
        assert_same(got, expected, label=f"cylonc {options or 'default'}, Arrow inputs", **cmp)
    if not (variants and VARIANTS):
        return expected
    q = compiled(fn)
    if all(_arrow_convertible(f) for f in [*frames, *frames_kw.values()]):
        got = q(*frames, **frames_kw)
        assert_same(got, expected, label="cylonc, pandas inputs", **cmp)
    with tempfile.TemporaryDirectory() as folder:
        def to_path(name, t):
            if not isinstance(t, pa.Table):
                return t
            path = os.path.join(folder, f"{name}.parquet")
            pq.write_table(t, path)
            return path

        paths = [to_path(f"arg{i}", t) for i, t in enumerate(tables)]
        paths_kw = {k: to_path(k, t) for k, t in tables_kw.items()}
        got = q(*paths, **paths_kw)
        assert_same(got, expected, label="cylonc, Parquet path inputs", **cmp)
    return expected


def _arrow_convertible(frame) -> bool:
    if not isinstance(frame, pd.DataFrame):
        return True
    schema = pa.Schema.from_pandas(frame, preserve_index=False)
    return not any(pa.types.is_null(f.type) for f in schema)


def _as_cylonc_result(result):
    """What cylonc returns for a pandas result: Arrow tables and Python scalars."""
    if isinstance(result, dict):
        return {k: _as_cylonc_result(v) for k, v in result.items()}
    if isinstance(result, tuple):
        return tuple(_as_cylonc_result(v) for v in result)
    if isinstance(result, (pd.DataFrame, pd.Series)):
        names, columns = _frame_columns(result)
        return pa.table({str(n): pa.array(c, from_pandas=True) for n, c in zip(names, columns)})
    if isinstance(result, np.generic):
        return result.item()
    return result


def _frame_columns(obj):
    """(names, columns as lists) of a table result; a keyed index becomes leading columns."""
    if isinstance(obj, pa.Table):
        return obj.column_names, [obj.column(i).to_pylist() for i in range(obj.num_columns)]
    if isinstance(obj, pd.Series):
        obj = obj.reset_index() if any(n is not None for n in obj.index.names) else obj.to_frame()
    elif any(n is not None for n in obj.index.names):
        obj = obj.reset_index()
    return list(obj.columns), [obj.iloc[:, i].tolist() for i in range(obj.shape[1])]


def _norm(v):
    """A comparable Python value: every null is None, dates and times are pandas Timestamps."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.datetime64):
        return None if np.isnat(v) else pd.Timestamp(v)
    if isinstance(v, np.timedelta64):
        return None if np.isnat(v) else pd.Timedelta(v)
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, decimal.Decimal):
        return None if v.is_nan() else float(v)
    if isinstance(v, (datetime.datetime, datetime.date)):
        return pd.Timestamp(v)
    if isinstance(v, datetime.timedelta):
        return pd.Timedelta(v)
    return v


def _equal(a, b) -> bool:
    """Equality of two `_norm` values: ints and floats within tolerance, bools only with bools."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        a, b = float(a), float(b)
        if math.isinf(a) or math.isinf(b):
            return a == b
        return math.isclose(a, b, rel_tol=CHECK_RTOL, abs_tol=CHECK_ATOL)
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        return False
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _sort_key(v):
    if v is None:
        return (0,)
    if isinstance(v, bool):
        return (1, v)
    if isinstance(v, (int, float)):
        return (2, float(f"{float(v):.6g}"))
    if isinstance(v, str):
        return (3, v)
    if isinstance(v, pd.Timestamp):
        return (4, v.tz_convert(None) if v.tzinfo else v)
    return (5, repr(v))


def _before(a, b, ascending) -> bool:
    """Whether ``a`` placed before ``b`` breaks the order of one sort key (nulls last; floats
    within tolerance tie)."""
    if a is None or b is None:
        return a is None and b is not None
    if _equal(a, b):
        return False
    try:
        return a > b if ascending else a < b
    except TypeError:
        return False


def _row_text(names, row) -> str:
    return "{" + ", ".join(f"{n}: {v!r}" for n, v in zip(names, row)) + "}"


def _assert_rows(got_rows, exp_rows, names, ordered, label):
    assert len(got_rows) == len(exp_rows), (
        f"{label}: {len(got_rows)} rows, pandas has {len(exp_rows)}"
        + _sample(names, got_rows, exp_rows)
    )

    def same(g, e):
        return all(_equal(x, y) for x, y in zip(g, e))

    if not ordered:
        got_rows = sorted(got_rows, key=lambda r: tuple(map(_sort_key, r)))
        exp_rows = sorted(exp_rows, key=lambda r: tuple(map(_sort_key, r)))
    bad = [i for i, (g, e) in enumerate(zip(got_rows, exp_rows)) if not same(g, e)]
    if bad and not ordered and len(exp_rows) <= 5000:
        unused = list(range(len(got_rows)))
        missing = []
        for e in exp_rows:
            hit = next((j for j in unused if same(got_rows[j], e)), None)
            if hit is None:
                missing.append(e)
            else:
                unused.remove(hit)
        if not missing:
            return
        extra = [got_rows[j] for j in unused]
        raise AssertionError(
            f"{label}: {len(missing)} of {len(exp_rows)} rows differ (as multisets)\n"
            + "".join(f"  pandas only: {_row_text(names, r)}\n" for r in missing[:5])
            + "".join(f"  cylonc only: {_row_text(names, r)}\n" for r in extra[:5])
        )
    if bad:
        i = bad[0]
        raise AssertionError(
            f"{label}: {len(bad)} of {len(exp_rows)} rows differ (in order); first at row {i}\n"
            f"  cylonc: {_row_text(names, got_rows[i])}\n"
            f"  pandas: {_row_text(names, exp_rows[i])}"
        )


def _sample(names, got_rows, exp_rows) -> str:
    return ("\n  cylonc: " + "; ".join(_row_text(names, r) for r in got_rows[:3])
            + "\n  pandas: " + "; ".join(_row_text(names, r) for r in exp_rows[:3]))


def assert_same(got, expected, *, ordered=False, sorted_by=None, label="result"):
    """Assert a cylonc result mirrors a pandas result.

    A pandas DataFrame or Series corresponds to a `pyarrow.Table` (a Series, or a frame with a
    named index, is compared as its ``reset_index()``), a scalar to a Python scalar, and a dict
    or tuple to a dict (same keys, same order) or tuple of the same. Column names and order
    must be equal; NaN, None, NA and NaT are all null; ints and floats compare by value
    (rtol 1e-9, atol 1e-12); dates, datetimes and Timestamps compare as Timestamps.
    """
    cmp = dict(ordered=ordered, sorted_by=sorted_by)
    if isinstance(expected, dict):
        assert isinstance(got, dict), f"{label}: expected a dict, got {type(got).__name__}"
        assert list(got) == list(expected), f"{label}: keys {list(got)} != {list(expected)}"
        for k in expected:
            assert_same(got[k], expected[k], label=f"{label}[{k!r}]", **cmp)
        return
    if isinstance(expected, (tuple, list)):
        assert isinstance(got, type(expected)), (
            f"{label}: expected a {type(expected).__name__}, got {type(got).__name__}"
        )
        assert len(got) == len(expected), f"{label}: length {len(got)} != {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same(g, e, label=f"{label}[{i}]", **cmp)
        return
    if isinstance(expected, (pd.DataFrame, pd.Series, pa.Table)):
        assert isinstance(got, pa.Table), (
            f"{label}: expected a pyarrow.Table, got {type(got).__name__}"
        )
        names, exp_cols = _frame_columns(expected)
        got_names, got_cols = _frame_columns(got)
        assert list(got_names) == [str(n) for n in names], (
            f"{label}: columns {got_names} != pandas {list(names)}"
        )
        exp_rows = [tuple(map(_norm, r)) for r in zip(*exp_cols)] if exp_cols else []
        got_rows = [tuple(map(_norm, r)) for r in zip(*got_cols)] if got_cols else []
        if not exp_cols:
            exp_rows = [()] * len(expected)
            got_rows = [()] * got.num_rows
        _assert_rows(got_rows, exp_rows, got_names, ordered, label)
        if sorted_by:
            index = {n: i for i, n in enumerate(got_names)}
            for r in range(1, len(got_rows)):
                a, b = got_rows[r - 1], got_rows[r]
                for col, asc in sorted_by:
                    x, y = a[index[col]], b[index[col]]
                    if _before(x, y, asc):
                        raise AssertionError(
                            f"{label}: rows {r - 1} and {r} are not sorted by {sorted_by}:\n"
                            f"  {_row_text(got_names, a)}\n  {_row_text(got_names, b)}"
                        )
                    if not (x is None and y is None) and not _equal(x, y):
                        break
        return
    scalar_types = (bool, int, float, str, datetime.date, datetime.timedelta, type(None))
    assert isinstance(got, scalar_types) and not isinstance(got, np.generic), (
        f"{label}: expected a Python scalar, got {type(got).__name__}: {got!r}"
    )
    assert _equal(_norm(got), _norm(expected)), f"{label}: cylonc {got!r} != pandas {expected!r}"
