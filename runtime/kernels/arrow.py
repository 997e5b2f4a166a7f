"""Arrow kernels: the plan's expression evaluator and relational operators (pandas semantics).

Values are ``pyarrow.Array`` / ``pyarrow.ChunkedArray`` (one value per row of the input table)
or ``pyarrow.Scalar`` (literals, scalar nodes, and expressions over them only).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import acero

from ..types import schema_to_arrow, to_arrow
from . import native_lib as _native

__all__ = [
    "EXPR_FUNCTIONS",
    "aggregate",
    "assign",
    "cast_value",
    "conform",
    "distinct",
    "evaluate",
    "filter_rows",
    "int64_keys",
    "join",
    "key_codes",
    "limit",
    "project",
    "reduce",
    "rename",
    "semi_filter",
    "semi_keys",
    "semi_rows",
    "sort",
    "take_rows",
    "union",
]

Value = pa.Array | pa.ChunkedArray | pa.Scalar
_JOIN_HOWS = ("inner", "left", "right", "outer", "semi", "anti", "left_anti", "right_anti")


# ---------------------------------------------------------------------------------------------
# value helpers

def _is_scalar(v: Value) -> bool:
    return isinstance(v, pa.Scalar)


def _cast(v: Value, t: pa.DataType, safe: bool = True) -> Value:
    if v.type == t:
        return v
    if _is_scalar(v) and not v.is_valid:
        return pa.scalar(None, t)
    return pc.cast(v, t, safe=safe)


def _broadcast(v: Value, n: int) -> pa.Array | pa.ChunkedArray:
    if not _is_scalar(v):
        return v
    if not v.is_valid:
        return pa.nulls(n, v.type)
    return pa.repeat(v, n)


def _nan_to_null(v: Value) -> Value:
    if not pa.types.is_floating(v.type):
        return v
    if _is_scalar(v):
        return pa.scalar(None, v.type) if v.is_valid and math.isnan(v.as_py()) else v
    if len(v) == 0:
        return v
    try:  # one pass, no mask: the sum is NaN only if a value is NaN (or for inf - inf)
        total = pc.sum(v).as_py()
    except pa.ArrowNotImplementedError:
        total = math.nan
    if total is None or not math.isnan(total):
        return v
    nan = pc.is_nan(v)
    if not pc.any(nan).as_py():
        return v
    return pc.if_else(nan, pa.scalar(None, v.type), v)


def _indices(idx: np.ndarray) -> pa.Array:
    """Take-indices from an int64 numpy array where -1 means 'no row' (null)."""
    missing = idx < 0
    if missing.any():
        return pa.array(np.where(missing, 0, idx), type=pa.int64(), mask=missing)
    return pa.array(idx, type=pa.int64())


class _Taker:
    """Gathers rows of one join side by an index array (-1 = null row), built once."""

    def __init__(self, idx: np.ndarray, n: int):
        self.n = len(idx)
        self.idx = idx
        self.identity = (self.n == n and (n == 0 or (idx[0] == 0 and idx[-1] == n - 1))
                         and bool((idx == np.arange(n)).all()))
        self.all_rows = self.n == 0 or idx.min() >= 0
        """No index is -1 (the native gather can take them)."""
        self._indices: pa.Array | None = None

    def __call__(self, col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
        if self.identity:
            return col
        if self.n and len(col) == 0:
            return pa.nulls(self.n, col.type)
        if (self.all_rows and self.n >= _PARALLEL_MIN_ROWS and not col.null_count
                and _native.gatherable(col.type) and _native.available()):
            try:
                return _native.gather_column(col, self.idx)
            except _native.NativeError:
                pass
        if self._indices is None:  # built once, on the first column Arrow takes
            self._indices = _indices(self.idx)
        return col.take(self._indices)


def _take(col: pa.ChunkedArray | pa.Array, idx: np.ndarray) -> pa.ChunkedArray | pa.Array:
    return _Taker(idx, -1)(col)


_PARALLEL_MIN_ROWS = 1 << 17
_POOL: ThreadPoolExecutor | None = None


def _parallel(jobs: Sequence[tuple[Callable, Any]], rows: int) -> list:
    """``[fn(arg) for fn, arg in jobs]``, on Arrow's CPU count of threads when there are several
    jobs over many rows (the column kernels release the GIL); results in order."""
    global _POOL
    threads = min(pa.cpu_count(), len(jobs))
    if threads < 2 or rows < _PARALLEL_MIN_ROWS:
        return [fn(arg) for fn, arg in jobs]
    if _POOL is None or _POOL._max_workers < threads:  # noqa: SLF001
        _POOL = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="cylonc-arrow")
    return list(_POOL.map(lambda job: job[0](job[1]), jobs))


def _numpy(v: Value, n: int, fill) -> tuple[np.ndarray, np.ndarray | None]:
    """Values (nulls replaced by `fill`) and null mask (None if no nulls) of length `n`."""
    dtype = v.type.to_pandas_dtype()
    if _is_scalar(v):
        if not v.is_valid:
            return np.full(n, fill, dtype=dtype), np.ones(n, dtype=bool)
        return np.full(n, v.as_py(), dtype=dtype), None
    if v.null_count:
        mask = v.is_null().to_numpy(zero_copy_only=False)
        v = pc.fill_null(v, pa.scalar(fill, v.type))
    else:
        mask = None
    return np.asarray(v.to_numpy(zero_copy_only=False), dtype=dtype), mask


def _any_mask(*masks: np.ndarray | None) -> np.ndarray | None:
    out = None
    for m in masks:
        if m is not None:
            out = m if out is None else (out | m)
    return out


def _from_numpy(values: np.ndarray, mask: np.ndarray | None, t: pa.DataType,
                scalar: bool) -> Value:
    if mask is not None and not mask.any():
        mask = None
    arr = pa.array(values, type=t, mask=mask, from_pandas=False)
    return arr[0] if scalar else arr


def _literal(value: Any, t: pa.DataType) -> pa.Scalar:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return pa.scalar(None, t)
    if isinstance(value, str) and (pa.types.is_date(t) or pa.types.is_timestamp(t)):
        return pa.scalar(value, pa.string()).cast(t)
    if pa.types.is_timestamp(t) and isinstance(value, int):
        return pa.scalar(value, pa.int64()).cast(t)
    if pa.types.is_floating(t) and isinstance(value, (int, float)):
        return pa.scalar(float(value), t)
    try:
        return pa.scalar(value, type=t)
    except (pa.ArrowException, TypeError, ValueError):
        return pa.scalar(value).cast(t)


def _numeric(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)


# ---------------------------------------------------------------------------------------------
# expressions

class _Ctx:
    __slots__ = ("table", "scalars", "udfs")

    def __init__(self, table, scalars, udfs):
        self.table = table
        self.scalars = scalars
        self.udfs = udfs


def evaluate(expr: Mapping, table: pa.Table | None = None, *,
             scalars: Mapping[int, pa.Scalar] | None = None,
             udfs: Mapping[str, Callable] | None = None) -> Value:
    """Evaluate a plan EXPR.

    Parameters
    ----------
    expr : dict
        The expression (``{"k": "col" | "lit" | "scalar" | "call", "type": ..., ...}``).
    table : pyarrow.Table, optional
        The table ``col`` refers to (``None`` for scalar expressions).
    scalars : dict, optional
        Scalar node values by node id, for ``scalar`` refs.
    udfs : dict, optional
        ``name -> callable(args: list[Value], n: int) -> Value`` for ``udf`` calls (see
        `cylonc.runtime.kernels.udf.Udf`).

    Returns
    -------
    pyarrow.Array, pyarrow.ChunkedArray or pyarrow.Scalar
        Of the expression's type; a Scalar when no column is involved.
    """
    return _eval(expr, _Ctx(table, scalars or {}, udfs or {}))


def _eval(e: Mapping, ctx: _Ctx) -> Value:
    k = e["k"]
    t = to_arrow(e["type"])
    if k == "col":
        if ctx.table is None:
            raise ValueError(f"column {e['name']!r} used in a scalar expression")
        return _cast(ctx.table[e["name"]], t)
    if k == "lit":
        return _literal(e.get("value"), t)
    if k == "scalar":
        ref = e["ref"]
        if ref not in ctx.scalars:
            raise ValueError(f"scalar ref {ref} is not a computed scalar node")
        return _cast(ctx.scalars[ref], t)
    if k == "call":
        fn = e["fn"]
        impl = _FNS.get(fn)
        if impl is None:
            raise ValueError(f"unknown expression function {fn!r}")
        args = [_eval(a, ctx) for a in e.get("args", ())]
        out = _cast(impl(e, args, t, ctx), t)
        return _nan_to_null(out)
    raise ValueError(f"unknown expression kind {k!r}")


def _shape(args: Sequence[Value], ctx: _Ctx) -> tuple[int, bool]:
    """Row count for numpy fallbacks, and whether every arg is a scalar."""
    for a in args:
        if not _is_scalar(a):
            return len(a), False
    return 1, True


def _arith(kernel):
    def impl(e, args, t, ctx):
        a, b = (_cast(x, t) for x in args)
        return kernel(a, b)
    return impl


def _add(e, args, t, ctx):
    if pa.types.is_string(t):
        a, b = (_cast(x, t) for x in args)
        return pc.binary_join_element_wise(a, b, "")
    a, b = (_cast(x, t) for x in args)
    return pc.add(a, b)


def _div(e, args, t, ctx):
    ft = t if pa.types.is_floating(t) else pa.float64()
    a, b = (_cast(x, ft) for x in args)
    return pc.divide(a, b)


def _floordiv(e, args, t, ctx):
    return _div_like(args, t, ctx, np.floor_divide)


def _mod(e, args, t, ctx):
    return _div_like(args, t, ctx, np.mod)


def _div_like(args, t, ctx, op):
    """numpy floor_divide / mod (Python semantics); an integer divisor of 0 gives null.

    Floats follow numpy (x // 0.0 = ±inf, x % 0.0 = NaN -> null).
    """
    n, scalar = _shape(args, ctx)
    a, b = (_cast(x, t) for x in args)
    av, am = _numpy(a, n, 0)
    bv, bm = _numpy(b, n, 1)
    zero = None
    if not pa.types.is_floating(t):
        zero = bv == 0
        if zero.any():
            bv = np.where(zero, np.ones(1, dtype=bv.dtype), bv)
        else:
            zero = None
    with np.errstate(all="ignore"):
        out = op(av, bv)
    return _from_numpy(out, _any_mask(am, bm, zero), t, scalar)


def _pow(e, args, t, ctx):
    a, b = (_cast(x, t) for x in args)
    return pc.power(a, b)


def _round(e, args, t, ctx):
    nd = e.get("ndigits") or 0
    a = _cast(args[0], t)
    if not pa.types.is_floating(t) and nd >= 0:
        return a
    n, scalar = _shape(args, ctx)
    av, am = _numpy(a, n, 0)
    with np.errstate(all="ignore"):
        out = np.round(av, nd)
    return _from_numpy(out, am, t, scalar)


def _compare(kernel):
    def impl(e, args, t, ctx):
        a, b = args
        if a.type != b.type:
            a, b = _unify(a, b)
        return kernel(a, b)
    return impl


def _unify(a: Value, b: Value) -> tuple[Value, Value]:
    ta, tb = a.type, b.type
    if _numeric(ta) and _numeric(tb):
        if pa.types.is_floating(ta) or pa.types.is_floating(tb):
            return _cast(a, pa.float64()), _cast(b, pa.float64())
        if pa.types.is_boolean(ta) or pa.types.is_boolean(tb) or (
            pa.types.is_signed_integer(ta) != pa.types.is_signed_integer(tb)
        ):
            return _cast(a, pa.int64(), safe=False), _cast(b, pa.int64(), safe=False)
        return a, b
    if pa.types.is_null(ta):
        return _cast(a, tb), b
    if pa.types.is_null(tb):
        return a, _cast(b, ta)
    if pa.types.is_timestamp(ta) and pa.types.is_timestamp(tb):
        finer = ta if "smun".index(ta.unit[-1]) > "smun".index(tb.unit[-1]) else tb
        finer = pa.timestamp(finer.unit, ta.tz or tb.tz)
        return _cast(a, finer), _cast(b, finer)
    if pa.types.is_string(ta) or (pa.types.is_date(ta) and pa.types.is_timestamp(tb)):
        return _cast(a, tb), b
    return a, _cast(b, ta)


def _logical(kleene, bitwise):
    def impl(e, args, t, ctx):
        if pa.types.is_integer(t):
            a, b = (_cast(x, t) for x in args)
            return bitwise(a, b)
        a, b = (_cast(x, pa.bool_()) for x in args)
        return kleene(a, b)
    return impl


def _not(e, args, t, ctx):
    if pa.types.is_integer(t):
        return pc.bit_wise_not(_cast(args[0], t))
    return pc.invert(_cast(args[0], pa.bool_()))


def _isna(e, args, t, ctx):
    a = args[0]
    if _is_scalar(a):
        return pa.scalar(not _nan_to_null(a).is_valid)
    return pc.is_null(a, nan_is_null=True)


def _notna(e, args, t, ctx):
    return pc.invert(_isna(e, args, t, ctx))


def _fillna(e, args, t, ctx):
    a, v = args
    return pc.coalesce(_cast(_nan_to_null(a), t), _cast(v, t))


def _where(e, args, t, ctx):
    cond, a, other = args
    cond = pc.fill_null(_cast(cond, pa.bool_()), False)
    return pc.if_else(cond, _cast(a, t), _cast(other, t))


def _coerce_literal(v: Any, t: pa.DataType) -> pa.Scalar | None:
    """`v` as a scalar of type `t`, or None when no value of `t` can equal it."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    number = isinstance(v, (int, float)) and not isinstance(v, bool)
    try:
        if pa.types.is_boolean(t):
            if isinstance(v, bool) or (number and v in (0, 1)):
                return pa.scalar(bool(v))
            return None
        if pa.types.is_integer(t) or pa.types.is_floating(t):
            if isinstance(v, bool):
                v = int(v)
            elif not number:
                return None
            if pa.types.is_integer(t) and float(v) != int(v):
                return None
            return pa.scalar(v).cast(t)
        if pa.types.is_string(t):
            return pa.scalar(v, t) if isinstance(v, str) else None
        if pa.types.is_date(t) or pa.types.is_timestamp(t):
            if isinstance(v, (str, int)) and not isinstance(v, bool):
                return _literal(v, t)
            return None
    except (pa.ArrowException, ValueError, OverflowError, TypeError):
        return None
    return None


def _isin(e, args, t, ctx):
    a = args[0]
    if pa.types.is_null(a.type):
        n, scalar = _shape(args, ctx)
        return pa.scalar(False) if scalar else pa.repeat(pa.scalar(False), n)
    coerced = [_coerce_literal(v, a.type) for v in e.get("values", ())]
    value_set = pa.array([s.as_py() for s in coerced if s is not None], type=a.type)
    if _is_scalar(a):
        return pa.scalar(a.is_valid and a.as_py() in value_set.to_pylist())
    return pc.fill_null(pc.is_in(a, value_set=value_set, skip_nulls=True), False)


def _cast_fn(e, args, t, ctx):
    return cast_value(args[0], t)


def cast_value(a: Value, t: pa.DataType) -> Value:
    """Cast like pandas ``astype``: float->int truncates, str<->number parses/prints (Python
    ``str`` formatting), anything->bool is ``!= 0`` / non-empty.

    Parameters
    ----------
    a : pyarrow.Array, pyarrow.ChunkedArray or pyarrow.Scalar
    t : pyarrow.DataType

    Returns
    -------
    Value of type `t`
    """
    src = a.type
    if src == t:
        return a
    if pa.types.is_null(src):
        return _cast(a, t)
    if pa.types.is_boolean(t):
        if pa.types.is_string(src):
            return pc.greater(pc.utf8_length(a), 0)
        return pc.not_equal(a, pa.scalar(0, src) if _numeric(src) else 0)
    if pa.types.is_string(t):
        if pa.types.is_boolean(src):
            return pc.if_else(a, pa.scalar("True"), pa.scalar("False"))
        if pa.types.is_floating(src):
            scalar = _is_scalar(a)
            n = 1 if scalar else len(a)
            values, mask = _numpy(a, n, 0.0)
            return _from_numpy(values.astype(str), mask, t, scalar)
        return pc.cast(a, t)
    if pa.types.is_string(src) and _numeric(t):
        return pc.cast(pc.utf8_trim_whitespace(a), t)
    return pc.cast(a, t, safe=False)


def _str(kernel):
    def impl(e, args, t, ctx):
        return kernel(_cast(args[0], pa.string()), e)
    return impl


def _str_contains(a, e):
    pattern = e["pattern"]
    ignore_case = not e.get("case", True)
    if e.get("regex", True):
        return pc.match_substring_regex(a, pattern, ignore_case=ignore_case)
    return pc.match_substring(a, pattern, ignore_case=ignore_case)


def _str_slice(a, e):
    step = e.get("step")
    step = 1 if step is None else int(step)
    if step == 0:
        raise ValueError("slice step cannot be zero")
    start, stop = e.get("start"), e.get("stop")
    if start is None:
        start = 0 if step > 0 else -1
    if stop is None:
        stop = np.iinfo(np.int64).max if step > 0 else np.iinfo(np.int64).min + 1
    return pc.utf8_slice_codeunits(a, start=int(start), stop=int(stop), step=step)


def _udf(e, args, t, ctx):
    name = e["name"]
    fn = ctx.udfs.get(name)
    if fn is None:
        raise ValueError(f"udf {name!r} is not defined")
    n, scalar = _shape(args, ctx)
    out = fn(args, n)
    return out[0] if scalar and not _is_scalar(out) else out


def _unary(kernel, cast_to_type=True):
    def impl(e, args, t, ctx):
        return kernel(_cast(args[0], t) if cast_to_type else args[0])
    return impl


_FNS: dict[str, Callable] = {
    "add": _add,
    "sub": _arith(pc.subtract),
    "mul": _arith(pc.multiply),
    "div": _div,
    "floordiv": _floordiv,
    "mod": _mod,
    "pow": _pow,
    "neg": _unary(pc.negate),
    "abs": _unary(pc.abs),
    "round": _round,
    "eq": _compare(pc.equal),
    "ne": _compare(pc.not_equal),
    "lt": _compare(pc.less),
    "le": _compare(pc.less_equal),
    "gt": _compare(pc.greater),
    "ge": _compare(pc.greater_equal),
    "and": _logical(pc.and_kleene, pc.bit_wise_and),
    "or": _logical(pc.or_kleene, pc.bit_wise_or),
    "not": _not,
    "isna": _isna,
    "notna": _notna,
    "fillna": _fillna,
    "where": _where,
    "isin": _isin,
    "cast": _cast_fn,
    "str_startswith": _str(lambda a, e: pc.starts_with(a, e["pattern"])),
    "str_endswith": _str(lambda a, e: pc.ends_with(a, e["pattern"])),
    "str_contains": _str(_str_contains),
    "str_len": _str(lambda a, e: pc.utf8_length(a)),
    "str_lower": _str(lambda a, e: pc.utf8_lower(a)),
    "str_upper": _str(lambda a, e: pc.utf8_upper(a)),
    "str_slice": _str(_str_slice),
    "dt_year": _unary(pc.year, cast_to_type=False),
    "dt_month": _unary(pc.month, cast_to_type=False),
    "dt_day": _unary(pc.day, cast_to_type=False),
    "udf": _udf,
}
EXPR_FUNCTIONS = frozenset(_FNS)


# ---------------------------------------------------------------------------------------------
# relational operators

def conform(table: pa.Table, schema: Sequence[Mapping] | pa.Schema) -> pa.Table:
    """Select and cast `table`'s columns to exactly `schema` (by name, in order).

    Parameters
    ----------
    table : pyarrow.Table
    schema : list of dict or pyarrow.Schema
        A plan schema, or an already converted one.

    Returns
    -------
    pyarrow.Table

    Raises
    ------
    KeyError
        If a column of `schema` is not in `table`.
    """
    target = schema if isinstance(schema, pa.Schema) else schema_to_arrow(schema)
    if table.schema.equals(target, check_metadata=True):
        return table
    names = table.column_names
    cols = []
    for f in target:
        if f.name not in names:
            raise KeyError(f"result has no column {f.name!r} (columns: {names})")
        col = table[f.name]
        cols.append(col if col.type == f.type else col.cast(f.type))
    if not cols:
        return table.drop_columns(names)
    return pa.Table.from_arrays(cols, schema=target)


def filter_rows(table: pa.Table, mask: Value) -> pa.Table:
    """Keep the rows where `mask` is true (null counts as false), in order."""
    mask = pc.fill_null(_broadcast(_cast(mask, pa.bool_()), table.num_rows), False)
    return table.filter(mask)


def _semi_pays(table: pa.Table, build: pa.Table) -> bool:
    return build.num_rows * 4 <= table.num_rows and _native.available()


def semi_filter(table: pa.Table, key: str, build: pa.Table, build_key: str) -> pa.Table:
    """The rows of `table` whose `key` equals some `build_key` of `build` (null equals null, as
    in joins), in order: what an inner join with `build` can keep. Done only when the native
    kernels can do it cheaply (`build` at most a quarter of `table`); otherwise `table` as is."""
    if not _semi_pays(table, build):
        return table
    probe, keys = table[key], build[build_key]
    try:
        if probe.type != pa.int64() or keys.type != pa.int64():
            both = _native_join_keys([probe], [keys])
            if both is None:
                return table
            probe, keys = both
        found = _native.key_filter(keys, probe)
    except _native.NativeError:
        return table
    if found is None or found[1] == table.num_rows:
        return table
    return table.filter(pa.array(found[0]))


def semi_keys(table: pa.Table, key: str, build: pa.Table, build_key: str) -> _native.KeySet | None:
    """`semi_filter`'s key set, for testing `table` batch by batch (``KeySet.restrict`` on
    ``int64_keys`` of a batch's `key`): where it pays and both keys have the same
    integer-like type that always maps to int64 (not uint64); else None (use `semi_filter`)."""
    t = table.schema.field(key).type
    if (not _semi_pays(table, build) or build.schema.field(build_key).type != t or t == pa.uint64()
            or not (pa.types.is_integer(t) or pa.types.is_date(t) or pa.types.is_timestamp(t))):
        return None
    keys = int64_keys(build[build_key])
    if keys is None:
        return None
    try:
        return _native.KeySet.of(keys)
    except _native.NativeError:
        return None


def semi_rows(table: pa.Table, key: str, build: pa.Table, build_key: str) -> np.ndarray | None:
    """The rows (int64, in order) of `table` whose `key` equals some `build_key` of `build`, as
    `semi_filter` keeps them; None where that does not pay (including when it keeps 9 rows in
    10 or more) or the key types differ."""
    keys = semi_keys(table, key, build, build_key)
    if keys is None:
        return None
    col = table[key]
    if col.type != pa.int64():
        col = pa.chunked_array([int64_keys(c) for c in col.chunks], pa.int64())
    try:
        with keys:
            rows = keys.rows(col)
    except _native.NativeError:
        return None
    return None if len(rows) * 10 >= table.num_rows * 9 else rows


def project(table: pa.Table, columns: Sequence[str]) -> pa.Table:
    """Keep `columns`, in this order."""
    return table.select(list(columns))


def assign(table: pa.Table, names: Sequence[str], values: Sequence[Value]) -> pa.Table:
    """Set ``names[i] = values[i]``: replace an existing column in place, append a new one."""
    n = table.num_rows
    for name, v in zip(names, values):
        col = _broadcast(v, n)
        i = table.schema.get_field_index(name)
        if i >= 0:
            table = table.set_column(i, name, col)
        else:
            table = table.append_column(name, col)
    return table


def rename(table: pa.Table, mapping: Mapping[str, str]) -> pa.Table:
    """Rename columns ``old -> new``."""
    return table.rename_columns([mapping.get(c, c) for c in table.column_names])


def limit(table: pa.Table, n: int) -> pa.Table:
    """The first `n` rows (pandas ``head``: a negative `n` drops the last ``-n``)."""
    n = int(n)
    if n < 0:
        n = max(table.num_rows + n, 0)
    return table.slice(0, n)


def sort(table: pa.Table, keys: Sequence[str], ascending: Sequence[bool] | bool = True
         ) -> pa.Table:
    """Stable sort by `keys`, nulls last whatever the direction."""
    if isinstance(ascending, bool):
        ascending = [ascending] * len(keys)
    if not keys or table.num_rows < 2:
        return table
    order = _native_sort_indices(table, keys, ascending)
    if order is None:
        order = pc.sort_indices(
            table,
            sort_keys=[(k, "ascending" if asc else "descending", "at_end")
                       for k, asc in zip(keys, ascending)],
        )
    return take_rows(table, order)


def take_rows(table: pa.Table, indices) -> pa.Table:
    """``table.take(indices)``, the columns gathered in parallel for large tables."""
    if table.num_columns < 2 or len(indices) < _PARALLEL_MIN_ROWS:
        return table.take(indices)
    if not isinstance(indices, (pa.Array, pa.ChunkedArray)):
        indices = pa.array(indices)
    cols = _parallel([(lambda col: col.take(indices), col) for col in table.columns],
                     len(indices))
    return pa.Table.from_arrays(cols, schema=table.schema)


def _unused_name(names: Sequence[str], base: str) -> str:
    name, i = base, 0
    while name in names:
        i += 1
        name = f"{base}{i}"
    return name


def _zero_sign(col):
    """Float -0.0 as 0.0 (pandas groups, deduplicates and counts them as one value)."""
    if pa.types.is_floating(col.type) and len(col):
        return pc.add(col, pa.scalar(0.0, col.type))
    return col


def distinct(table: pa.Table, subset: Sequence[str] | None = None) -> pa.Table:
    """Drop duplicate rows (over `subset`), keeping the first occurrence; nulls equal nulls."""
    cols = list(subset) if subset is not None else table.column_names
    if table.num_rows < 2 or not cols:
        return table if cols or table.num_rows < 2 else table.slice(0, 1)
    row = _unused_name([*table.column_names, *(c[:-4] for c in table.column_names
                                                if c.endswith("_min"))], "__row")
    work = pa.table({c: _zero_sign(table[c]) for c in cols}).append_column(row, pa.array(np.arange(table.num_rows)))
    first = work.group_by(cols, use_threads=True).aggregate([(row, "min")])[f"{row}_min"]
    idx = np.sort(first.to_numpy())
    return table.take(pa.array(idx))


def union(tables: Sequence[pa.Table], schema: Sequence[Mapping]) -> pa.Table:
    """Concatenate rows, conforming each table to `schema` by name (missing -> nulls)."""
    target = schema_to_arrow(schema)
    parts = []
    for t in tables:
        cols = []
        for f in target:
            if f.name in t.column_names:
                col = t[f.name]
                cols.append(col if col.type == f.type else col.cast(f.type))
            else:
                cols.append(pa.nulls(t.num_rows, f.type))
        parts.append(pa.Table.from_arrays(cols, schema=target))
    if not parts:
        return target.empty_table()
    return pa.concat_tables(parts)


# --- native fast paths ------------------------------------------------------------------------
# runtime/native (via native_lib) does the hashing, matching, accumulating and sorting on int64
# keys; these helpers map key columns to int64 and return None whenever the Arrow path must run
# instead (library missing, unsupported types, key ranges too wide to pack).

def int64_keys(col) -> pa.Array | None:
    """`col` as one int64 array with the same equalities, order and nulls, or None (floats,
    strings longer than 7 bytes, uint64 beyond int64's range, nested types)."""
    a = _native.flat(col)
    t = a.type
    if t == pa.int64():
        return a
    if (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t)
            or pa.types.is_large_binary(t)):
        return _native.pack_strings(a)
    if pa.types.is_integer(t) or pa.types.is_boolean(t):
        if t == pa.uint64() and len(a):
            hi = pc.max(a).as_py()
            if hi is not None and hi >= 2 ** 63:
                return None
        return a.cast(pa.int64())
    if pa.types.is_date32(t) or pa.types.is_time32(t):
        return a.view(pa.int32()).cast(pa.int64())
    if (pa.types.is_date64(t) or pa.types.is_timestamp(t) or pa.types.is_duration(t)
            or pa.types.is_time64(t)):
        return a.view(pa.int64())
    return None


def _hashable(t: pa.DataType) -> bool:
    """Key types mapped to int64 through dictionary codes (equality only, no order)."""
    return (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t)
            or pa.types.is_large_binary(t) or pa.types.is_floating(t))


def _dict_codes(cols: Sequence) -> list[pa.Array]:
    """Dense int64 codes of the values of `cols` (one type), equal values equal codes across
    all of them; nulls stay null; float -0.0 equals 0.0."""
    chunks = [c for col in cols for c in _chunks(_zero_sign(col))]
    combined = pa.chunked_array(chunks, type=cols[0].type).combine_chunks()
    codes = pc.dictionary_encode(combined).indices.cast(pa.int64())
    out, pos = [], 0
    for col in cols:
        out.append(codes.slice(pos, len(col)))
        pos += len(col)
    return out


def _int64_values(a: pa.Array) -> np.ndarray:
    """The int64 values buffer of `a` as numpy (null slots hold arbitrary values)."""
    if len(a) == 0:
        return np.empty(0, dtype=np.int64)
    return np.frombuffer(a.buffers()[1], dtype=np.int64, count=len(a), offset=a.offset * 8)


def _pack(cols: Sequence[Sequence[pa.Array]], descending: Sequence[bool] | None = None
          ) -> list[np.ndarray] | None:
    """Mixed-radix packing of several int64 key columns into one int64 per row.

    ``cols[i]`` holds key column i as one array per segment (e.g. ``[left, right]``). Packed
    values are equal iff every key is (null equals null) and order rows lexicographically by
    the keys, each ascending (or descending), nulls after the values. Returns one array per
    segment, or None when the product of the key ranges does not fit.
    """
    descending = descending or [False] * len(cols)
    specs, total = [], 1
    for arrs in cols:
        lo = hi = None
        has_null = False
        for a in arrs:
            has_null = has_null or a.null_count > 0
            if a.null_count < len(a):
                mm = pc.min_max(a)
                a_lo, a_hi = mm["min"].as_py(), mm["max"].as_py()
                lo = a_lo if lo is None else min(lo, a_lo)
                hi = a_hi if hi is None else max(hi, a_hi)
        if lo is None:
            lo = hi = 0
        r = hi - lo + 1 + int(has_null)
        total *= r
        if total >= 2 ** 62:
            return None
        specs.append((lo, hi, r))
    out = []
    for s in range(len(cols[0])):
        acc = None
        for arrs, (lo, hi, r), desc in zip(cols, specs, descending):
            a = arrs[s]
            v = _int64_values(a)
            d = (np.int64(hi) - v) if desc else (v - np.int64(lo))
            if a.null_count:
                d = np.where(a.is_null().to_numpy(zero_copy_only=False), np.int64(r - 1), d)
            acc = d if acc is None else acc * np.int64(r) + d
        out.append(acc)
    return out


def _native_join_keys(lkeys, rkeys):
    """One int64 key per row for each side (nulls kept, null equals null), or None."""
    lk, rk = [], []
    for a, b in zip(lkeys, rkeys):
        a, b = _unify_keys(a, b)
        ia, ib = int64_keys(a), int64_keys(b)
        if ia is None or ib is None:
            if a.type != b.type or not _hashable(a.type):
                return None
            ia, ib = _dict_codes([a, b])
        lk.append(ia)
        rk.append(ib)
    if len(lk) == 1:
        return lk[0], rk[0]
    packed = _pack([[a, b] for a, b in zip(lk, rk)])
    if packed is None:
        lc, rc, _ = key_codes(lkeys, rkeys)
        return lc, rc
    return packed[0], packed[1]


def _native_match(lkeys, rkeys, how: str) -> tuple[np.ndarray, np.ndarray] | None:
    """`_match` with the native hash join, or None when it cannot run."""
    if not lkeys or not _native.available():
        return None
    try:
        keys = _native_join_keys(lkeys, rkeys)
        if keys is None:
            return None
        a, b = keys
        if how in ("semi", "anti", "left_anti"):
            hit = _native.join_counts(a, b) > 0
            li = np.flatnonzero(hit if how == "semi" else ~hit).astype(np.int64)
            return li, np.full(len(li), -1, dtype=np.int64)
        if how == "right_anti":
            ri = np.flatnonzero(_native.join_counts(b, a) == 0).astype(np.int64)
            return np.full(len(ri), -1, dtype=np.int64), ri
        if how == "right":
            ri, li = _native.join(b, a, keep_unmatched=True)
            return li, ri
        li, ri = _native.join(a, b, keep_unmatched=how in ("left", "outer"))
        if how == "outer":
            extra = np.flatnonzero(_native.join_counts(b, a) == 0).astype(np.int64)
            li = np.concatenate([li, np.full(len(extra), -1, dtype=np.int64)])
            ri = np.concatenate([ri, extra])
        return li, ri
    except _native.NativeError:
        return None


_NATIVE_AGG_FNS = ("sum", "mean", "count", "size", "min", "max", "first", "last")


def _native_numeric(t: pa.DataType) -> bool:
    return (pa.types.is_boolean(t) or pa.types.is_floating(t)
            or (pa.types.is_integer(t) and t != pa.uint64()))


def _native_agg(table: pa.Table, a: Mapping, gid: np.ndarray, ngroups: int):
    fn = a["fn"]
    if fn == "size":
        return pa.array(_native.group_agg(_native.COUNT, gid, ngroups)[0])
    col = _native.flat(table[a["column"]])
    if fn == "count":
        return pa.array(_native.group_agg(_native.COUNT, gid, ngroups, col)[0])
    if fn in ("first", "last"):
        op = _native.FIRST if fn == "first" else _native.LAST
        rows = _native.group_agg(op, gid, ngroups, col)[0]
        missing = rows < 0
        return col.take(pa.array(rows, mask=missing if missing.any() else None))
    t = col.type
    floating = pa.types.is_floating(t)
    vals = col.cast(pa.float64() if floating else pa.int64())
    if fn == "sum":
        return pa.array(_native.group_agg(_native.SUM, gid, ngroups, vals)[0])
    op = {"mean": _native.SUM if floating else _native.SUMF, "min": _native.MIN,
          "max": _native.MAX}[fn]
    out, cnt = _native.group_agg(op, gid, ngroups, vals, want_count=True)
    empty = cnt == 0
    if fn == "mean":
        with np.errstate(all="ignore"):
            out = out / np.maximum(cnt, 1)
    res = pa.array(out, mask=empty if empty.any() else None)
    return res if fn == "mean" or res.type == t else res.cast(t)


def _native_group_key(table: pa.Table, keys: Sequence[str]) -> tuple[pa.Array, bool] | None:
    """One int64 key per row for grouping by `keys` (null where any key is null), and whether
    its order is the keys' order; None when the native kernels cannot take these keys."""
    kcols, ordered = [], True
    for k in keys:
        col = table[k]
        a = int64_keys(col)
        if a is None:
            if not _hashable(col.type) or pa.types.is_floating(col.type):
                return None
            a = _dict_codes([col])[0]
            ordered = False
        kcols.append(a)
    if len(kcols) == 1:
        return kcols[0], ordered
    packed = _pack([[a] for a in kcols])
    if packed is None:  # wide ranges: pack each key's dense group code instead
        ordered = False
        dense = []
        for a in kcols:
            gid, _ = _native.group_ids(a)
            dense.append(pa.array(gid, type=pa.int64(), mask=gid < 0 if a.null_count else None))
        packed = _pack([[a] for a in dense])
        if packed is None:
            return None
    nulls = None
    for a in kcols:
        if a.null_count:
            m = a.is_null().to_numpy(zero_copy_only=False)
            nulls = m if nulls is None else (nulls | m)
    return pa.array(packed[0], type=pa.int64(), mask=nulls), ordered


def _native_aggregate(table: pa.Table, keys: Sequence[str], aggs: Sequence[Mapping],
                      sort: bool = True) -> pa.Table | None:
    """`aggregate` with native hashing and accumulators (groups in no particular order unless
    `sort`), or None when it cannot run."""
    if not _native.available():
        return None
    for a in aggs:
        fn = a["fn"]
        if fn not in _NATIVE_AGG_FNS:
            return None
        if fn == "size":
            continue
        t = table.schema.field(a["column"]).type
        if pa.types.is_null(t) or (fn in ("sum", "mean", "min", "max")
                                   and not _native_numeric(t)):
            return None
    try:
        grouping = _native_group_key(table, keys)
        if grouping is None:
            return None
        key, ordered = grouping
        gid, first = _native.group_ids(key)
        ngroups = len(first)
        rows = pa.array(first, type=pa.int64())
        key_out = [table[k].take(rows) for k in keys]
        agg_out = [_nan_to_null(_native_agg(table, a, gid, ngroups)) for a in aggs]
        if sort and ngroups > 1:
            order = _native.argsort(key.take(rows)) if ordered else _native_sort_indices(
                pa.table({f"k{i}": c for i, c in enumerate(key_out)}),
                [f"k{i}" for i in range(len(keys))], [True] * len(keys))
            if order is None:
                order = pc.sort_indices(
                    pa.table({f"k{i}": c for i, c in enumerate(key_out)}),
                    sort_keys=[(f"k{i}", "ascending", "at_end") for i in range(len(keys))])
            key_out = [c.take(order) for c in key_out]
            agg_out = [c.take(order) for c in agg_out]
    except _native.NativeError:
        return None
    out = dict(zip(keys, key_out))
    for a, c in zip(aggs, agg_out):
        out[a["name"]] = c
    return pa.Table.from_arrays(list(out.values()), names=list(out))


def _native_sort_indices(table: pa.Table, keys: Sequence[str], ascending: Sequence[bool]
                         ) -> np.ndarray | None:
    """`sort`'s stable order from the native radix argsort, or None when it cannot run."""
    if not _native.available():
        return None
    try:
        arrs = []
        for k in keys:
            c = table[k]
            if pa.types.is_floating(c.type):
                a = _native.flat(c)
                if a.type != pa.float64():
                    a = a.cast(pa.float64())
            else:
                a = int64_keys(c)
                if a is None:
                    return None
            arrs.append(a)
        if len(arrs) == 1:
            return _native.argsort(arrs[0], descending=not ascending[0])
        if all(a.type == pa.int64() for a in arrs):
            packed = _pack([[a] for a in arrs], descending=[not asc for asc in ascending])
            if packed is not None:
                return _native.argsort(packed[0])
        # stable sorts from the last key to the first
        order = None
        for a, asc in zip(reversed(arrs), reversed(list(ascending))):
            step = _native.argsort(a if order is None else a.take(pa.array(order)),
                                   descending=not asc)
            order = step if order is None else order[step]
        return order
    except _native.NativeError:
        return None


# --- join ------------------------------------------------------------------------------------

def _unify_keys(a: pa.ChunkedArray, b: pa.ChunkedArray):
    ta, tb = a.type, b.type
    if ta == tb:
        return a, b
    if _numeric(ta) and _numeric(tb):
        t = pa.float64() if (pa.types.is_floating(ta) or pa.types.is_floating(tb)) else pa.int64()
        return a.cast(t, safe=False), b.cast(t, safe=False)
    if pa.types.is_null(ta):
        return a.cast(tb), b
    try:
        return a, b.cast(ta)
    except (pa.ArrowException, ValueError):
        return a.cast(tb), b


def _chunks(col) -> list[pa.Array]:
    return list(col.chunks) if isinstance(col, pa.ChunkedArray) else [col]


def key_codes(left: Sequence[Value], right: Sequence[Value]) -> tuple[np.ndarray, np.ndarray, int]:
    """Dense int64 codes of composite keys over the rows of both sides; null equals null.

    Parameters
    ----------
    left, right : list of arrays
        The key columns of each side (same count, pairwise comparable types).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, int)
        Left codes, right codes, number of distinct keys. Equal keys get equal codes.
    """
    n = len(left[0]) if left else 0
    code, card = None, 1
    for lcol, rcol in zip(left, right):
        lcol, rcol = _unify_keys(lcol, rcol)
        combined = pa.chunked_array(_chunks(lcol) + _chunks(rcol), type=lcol.type)
        combined = combined.combine_chunks()
        if pa.types.is_floating(combined.type):
            combined = pc.add(combined, pa.scalar(0.0, combined.type))
        enc = pc.dictionary_encode(combined, null_encoding="encode")
        c = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        k = len(enc.dictionary)
        if code is None:
            code, card = c, k
        else:
            enc = pc.dictionary_encode(pa.array(code * k + c))
            code = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
            card = len(enc.dictionary)
    if code is None:
        raise ValueError("join needs at least one key")
    return code[:n], code[n:], card


def _expand(lc: np.ndarray, rc: np.ndarray, card: int, keep_unmatched: bool):
    """Match pairs in left order, each left row's matches in right order.

    Returns left and right row indices; -1 on the right for a kept unmatched left row.
    """
    n, m = len(lc), len(rc)
    counts = np.bincount(rc, minlength=card)
    starts = np.cumsum(counts) - counts
    order = np.argsort(rc, kind="stable")
    cnt = counts[lc]
    per_row = np.maximum(cnt, 1) if keep_unmatched else cnt
    total = int(per_row.sum())
    li = np.repeat(np.arange(n, dtype=np.int64), per_row)
    offs = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    if m == 0:
        return li, np.full(total, -1, dtype=np.int64)
    pos = np.repeat(starts[lc], per_row) + offs
    ri = order[np.minimum(pos, m - 1)]
    if keep_unmatched:
        ri = np.where(np.repeat(cnt == 0, per_row), -1, ri)
    return li, ri.astype(np.int64, copy=False)


def join(left: pa.Table, right: pa.Table, how: str, left_on: Sequence[str],
         right_on: Sequence[str], columns: Sequence[Mapping],
         keep: Mapping[str, np.ndarray] | None = None) -> pa.Table:
    """Join two tables with pandas ``merge`` semantics (null keys match null keys).

    Parameters
    ----------
    left, right : pyarrow.Table
    how : str
        One of ``inner left right outer semi anti left_anti right_anti``.
    left_on, right_on : list of str
        Key columns, matched pairwise.
    columns : list of dict
        Output columns ``{"name", "from": "left" | "right" | "key", "src"[, "right_src"]}``.
    keep : dict, optional
        ``{"left" | "right": rows}`` (inner joins): only these rows of that side (int64, in
        order) take part; the others are known not to reach the result.

    Returns
    -------
    pyarrow.Table
        Row order: left order (inner: each left row's matches in right order) for
        inner/left/semi/anti/left_anti, right order for right/right_anti, sorted by the keys
        for outer.
    """
    if how not in _JOIN_HOWS:
        raise ValueError(f"unknown join how {how!r}")
    if len(left_on) != len(right_on):
        raise ValueError("left_on and right_on differ in length")
    lkeys = [left[c] for c in left_on]
    rkeys = [right[c] for c in right_on]
    n, m = left.num_rows, right.num_rows
    keep = keep if how == "inner" else None
    lrows, rrows = (keep or {}).get("left"), (keep or {}).get("right")
    if lrows is not None:
        lkeys = [_take(k, lrows) for k in lkeys]
    if rrows is not None:
        rkeys = [_take(k, rrows) for k in rkeys]
    matched = _native_match(lkeys, rkeys, how)
    if matched is not None:
        li, ri = matched
    else:
        li, ri = _match(lkeys, rkeys, how)
    if lrows is not None:
        li = lrows[li]
    if rrows is not None:
        ri = rrows[ri]
    if how == "outer" and len(li) > 1:
        merged = {f"k{i}": _merged_key(lk, rk, li, ri)
                  for i, (lk, rk) in enumerate(zip(lkeys, rkeys))}
        perm = pc.sort_indices(pa.table(merged),
                               sort_keys=[(k, "ascending", "at_end") for k in merged]
                               ).to_numpy()
        li, ri = li[perm], ri[perm]
    take_l, take_r = _Taker(li, n), _Taker(ri, m)
    jobs = {}  # output column -> how to gather it; run in parallel (Arrow releases the GIL)
    for c in columns:
        frm = c["from"]
        if frm == "left":
            jobs[c["name"]] = (take_l, left[c["src"]])
        elif frm == "right":
            jobs[c["name"]] = (take_r, right[c["src"]])
        elif frm == "key":
            lk, rk = left[c["src"]], right[c.get("right_src", c["src"])]
            if how in ("right", "right_anti"):
                jobs[c["name"]] = (take_r, rk)
            elif how == "outer":
                jobs[c["name"]] = (lambda pair: _coalesce_keys(take_l(pair[0]), take_r(pair[1])),
                                   (lk, rk))
            else:
                jobs[c["name"]] = (take_l, lk)
        else:
            raise ValueError(f"unknown join column source {frm!r}")
    if not jobs:
        return pa.table({"_": pa.nulls(len(li))}).drop_columns(["_"])
    cols = _parallel([(fn, arg) for fn, arg in jobs.values()], len(li))
    return pa.table(dict(zip(jobs, cols)))


def _match(lkeys, rkeys, how: str) -> tuple[np.ndarray, np.ndarray]:
    """Left and right row indices of a join's output rows (-1: no row), before the outer
    join's sort; the Arrow/numpy path."""
    lc, rc, card = key_codes(lkeys, rkeys)
    if how in ("semi", "anti", "left_anti"):
        hit = np.bincount(rc, minlength=card)[lc] > 0
        li = np.flatnonzero(hit if how == "semi" else ~hit).astype(np.int64)
        ri = np.full(len(li), -1, dtype=np.int64)
    elif how == "right_anti":
        ri = np.flatnonzero(np.bincount(lc, minlength=card)[rc] == 0).astype(np.int64)
        li = np.full(len(ri), -1, dtype=np.int64)
    elif how == "right":
        ri, li = _expand(rc, lc, card, keep_unmatched=True)
    else:
        li, ri = _expand(lc, rc, card, keep_unmatched=how in ("left", "outer"))
        if how == "outer":
            extra = np.flatnonzero(np.bincount(lc, minlength=card)[rc] == 0).astype(np.int64)
            li = np.concatenate([li, np.full(len(extra), -1, dtype=np.int64)])
            ri = np.concatenate([ri, extra])
    return li, ri


def _merged_key(lk, rk, li, ri):
    return _coalesce_keys(_take(lk, li), _take(rk, ri))


def _coalesce_keys(a, b):
    if a.type != b.type:
        a, b = _unify_keys(a if isinstance(a, pa.ChunkedArray) else pa.chunked_array([a]),
                           b if isinstance(b, pa.ChunkedArray) else pa.chunked_array([b]))
    return pc.coalesce(a, b)


# --- aggregate / reduce ----------------------------------------------------------------------

_AGGS = {
    "sum": ("sum", lambda: pc.ScalarAggregateOptions(skip_nulls=True, min_count=0)),
    "mean": ("mean", lambda: pc.ScalarAggregateOptions(skip_nulls=True, min_count=1)),
    "min": ("min", lambda: pc.ScalarAggregateOptions(skip_nulls=True, min_count=1)),
    "max": ("max", lambda: pc.ScalarAggregateOptions(skip_nulls=True, min_count=1)),
    "count": ("count", lambda: pc.CountOptions("only_valid")),
    "size": ("count_all", lambda: None),
    "nunique": ("count_distinct", lambda: pc.CountOptions("only_valid")),
    "std": ("stddev", lambda: pc.VarianceOptions(ddof=1)),
    "var": ("variance", lambda: pc.VarianceOptions(ddof=1)),
    "first": ("first", lambda: pc.ScalarAggregateOptions(skip_nulls=True, min_count=1)),
    "last": ("last", lambda: pc.ScalarAggregateOptions(skip_nulls=True, min_count=1)),
}
_NUMERIC_AGGS = ("sum", "mean", "std", "var")


def _run_aggs(table: pa.Table, keys: Sequence[str], aggs: Sequence[Mapping]) -> pa.Table:
    cols, names = {}, []
    for i, k in enumerate(keys):
        cols[f"k{i}"] = _zero_sign(table[k])
    specs = []
    prefix = "hash_" if keys else ""
    for j, a in enumerate(aggs):
        fn = a["fn"]
        if fn not in _AGGS:
            raise ValueError(f"unknown aggregate function {fn!r}")
        func, options = _AGGS[fn]
        out = f"a{j}"
        names.append(out)
        if fn == "size":
            specs.append(([], prefix + func, None, out))
            continue
        col = table[a["column"]]
        if fn in _NUMERIC_AGGS and pa.types.is_boolean(col.type):
            col = col.cast(pa.int64())
        cols[f"c{j}"] = _zero_sign(col) if fn == "nunique" else col
        specs.append((f"c{j}", prefix + func, options(), out))
    if not cols:
        cols["_"] = pa.nulls(table.num_rows)
    work = pa.Table.from_arrays(list(cols.values()), names=list(cols))
    ordered = any(a["fn"] in ("first", "last") for a in aggs)
    decl = acero.Declaration.from_sequence([
        acero.Declaration("table_source", acero.TableSourceNodeOptions(work)),
        acero.Declaration("aggregate", acero.AggregateNodeOptions(
            specs, keys=[f"k{i}" for i in range(len(keys))])),
    ])
    res = decl.to_table(use_threads=not ordered)
    out = {k: res[f"k{i}"] for i, k in enumerate(keys)}
    for a, name in zip(aggs, names):
        out[a["name"]] = _nan_to_null(res[name])
    if not out:
        return pa.table({"_": pa.nulls(res.num_rows)}).drop_columns(["_"])
    return pa.Table.from_arrays(list(out.values()), names=list(out))


def aggregate(table: pa.Table, keys: Sequence[str], aggs: Sequence[Mapping]) -> pa.Table:
    """Group by `keys` (null keys dropped), aggregate, sort by the keys ascending.

    Parameters
    ----------
    table : pyarrow.Table
    keys : list of str
    aggs : list of dict
        ``{"fn", "column", "name"}``; functions as in PLAN.md (pandas semantics).

    Returns
    -------
    pyarrow.Table
        Columns `keys` then one per agg, in order.
    """
    if not keys:
        return reduce(table, aggs)
    res = _native_aggregate(table, keys, aggs)
    if res is not None:
        return res
    valid = None
    for k in keys:
        if table[k].null_count:
            v = pc.is_valid(table[k])
            valid = v if valid is None else pc.and_(valid, v)
    if valid is not None:
        table = table.filter(valid)
    res = _run_aggs(table, keys, aggs)
    if res.num_rows > 1:
        res = res.take(pc.sort_indices(res, sort_keys=[(k, "ascending", "at_end") for k in keys]))
    return res


def reduce(table: pa.Table, aggs: Sequence[Mapping]) -> pa.Table:
    """Whole-table aggregates: exactly one row, also for an empty table."""
    return _run_aggs(table, [], aggs)
