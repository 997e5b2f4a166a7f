"""GPU kernels: device tables, CUDA C generated from fused plan nodes, and relational
operators built from CuPy's sort/search primitives.

A plan node placed on the GPU (``"device": "gpu"``, see ``runtime/PLAN.md``) runs here on a
:class:`DeviceTable`: one device array per column (booleans as bytes, dates and timestamps as
their integer ticks, strings as ``int32`` codes into a sorted host-side dictionary, so that code
order is string order) and a byte validity mask per column that has nulls.

- ``fused``, ``filter`` and ``assign`` nodes compile to one CUDA C kernel (:func:`generate`)
  that loops over the rows once (a grid-stride loop): it evaluates the plan's expression trees
  with the interpreter's exact null semantics (validity masks; Kleene ``and``/``or``; a NaN
  float result is null), writes a selection byte and the computed columns, or, when the chain
  ends with a ``reduce``, per-thread partial aggregates combined with atomics. A string
  sub-expression that reads one string column is evaluated on the host over that column's
  dictionary by the Arrow kernels (a lookup table the kernel indexes by code).
- ``join``, ``aggregate``, ``reduce``, ``sort``, ``distinct``, ``limit``, ``union``,
  ``project`` and ``rename`` use only array primitives (stable ``argsort``, ``searchsorted``,
  ``unique``, ``bincount``, ``cumsum``, gathers), the same on CuPy and NumPy.

CuPy is imported lazily and only here: without it (or without a CUDA device) nothing in this
module but :func:`gpu_problem` is used, and GPU-placed nodes run on Arrow. For tests on
machines without a GPU, ``CYLONC_GPU_EMULATE=1`` runs the same code with NumPy arrays and
compiles the generated CUDA C for the host with a C++ compiler (one thread, same source).
"""

from __future__ import annotations

import ctypes
import datetime as _dt
import functools
import hashlib
import importlib.util
import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..types import to_arrow

__all__ = [
    "CudaKernel",
    "DeviceColumn",
    "DeviceTable",
    "Unsupported",
    "backend",
    "generate",
    "gpu_problem",
    "run_node",
    "to_device",
    "to_host",
]

EMULATE_ENV = "CYLONC_GPU_EMULATE"
"""Set to 1 to run the GPU path on the CPU (NumPy arrays, kernels compiled for the host)."""
THREADS = 256
MAX_BLOCKS = 4096
STATS = {"kernels": 0, "launches": 0, "nodes": 0, "fallbacks": 0}
"""Kernels compiled, kernel launches, nodes run on the device, nodes that fell back to Arrow."""


class Unsupported(Exception):
    """A plan node (or an expression in it) the GPU backend cannot run; the message says why."""


# =============================================================================================
# the device


def _emulated() -> bool:
    return os.environ.get(EMULATE_ENV, "") not in ("", "0")


@functools.lru_cache(maxsize=1)
def _cupy_problem() -> str | None:
    try:
        spec = importlib.util.find_spec("cupy")
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return "CuPy is not installed (pip install 'cylonc[gpu]')"
    try:
        import cupy  # type: ignore[import-not-found]

        if cupy.cuda.runtime.getDeviceCount() < 1:
            return "CuPy finds no CUDA device"
    except Exception as exc:  # noqa: BLE001 - any failure means no usable GPU
        return f"CuPy is not usable here ({type(exc).__name__}: {exc})"
    return None


def gpu_problem() -> str | None:
    """Why there is no usable GPU here (None: there is one, or it is emulated).

    CuPy is imported only when it is installed; the answer is cached.
    """
    if _emulated():
        return None
    return _cupy_problem()


@dataclass
class Backend:
    """The array module (``cupy`` or ``numpy``) and the kernel compiler of the device."""

    name: str
    xp: Any

    def asnumpy(self, a: Any) -> np.ndarray:
        return a.get() if hasattr(a, "get") else np.asarray(a)

    def asarray(self, a: Any, dtype: Any = None) -> Any:
        return self.xp.asarray(a, dtype=dtype)


@functools.lru_cache(maxsize=2)
def _backend(emulated: bool) -> Backend:
    if emulated:
        return Backend("emulated", np)
    import cupy  # type: ignore[import-not-found]

    return Backend("cupy", cupy)


def backend() -> Backend | None:
    """The device backend, or None when there is no usable GPU."""
    if gpu_problem() is not None:
        return None
    return _backend(_emulated())


# =============================================================================================
# device tables


_NUMPY = {
    "bool": np.bool_, "int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64,
    "uint8": np.uint8, "uint16": np.uint16, "uint32": np.uint32, "uint64": np.uint64,
    "float32": np.float32, "float64": np.float64, "date32": np.int32, "string": np.int32,
}


def _np_dtype(t: str) -> Any:
    if t.startswith("timestamp"):
        return np.int64
    if t not in _NUMPY:
        raise Unsupported(f"type {t} on the GPU")
    return _NUMPY[t]


def _plan_type(t: pa.DataType) -> str:
    from ..types import from_arrow

    return from_arrow(t)


@dataclass
class DeviceColumn:
    """One column on the device: ``values`` (device array), ``valid`` (device bool array, or
    None when the column has no nulls), the plan type, and for strings the sorted host-side
    ``dictionary`` the ``int32`` codes index."""

    values: Any
    valid: Any | None
    type: str
    dictionary: pa.Array | None = None

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def take(self, idx: Any, xp: Any, missing: Any | None = None) -> DeviceColumn:
        """Rows ``idx``; with ``missing`` (a bool array), those rows are null."""
        values = self.values[idx] if len(self) else xp.zeros(len(idx), dtype=self.values.dtype)
        valid = None if self.valid is None else (self.valid[idx] if len(self) else xp.zeros(len(idx), dtype=bool))
        if missing is not None:
            valid = ~missing if valid is None else (valid & ~missing)
        return DeviceColumn(values, valid, self.type, self.dictionary)

    def mask(self, xp: Any) -> Any:
        """The validity as a bool array (all true when there are no nulls)."""
        return xp.ones(len(self), dtype=bool) if self.valid is None else self.valid


class DeviceTable:
    """A table in GPU memory (``to="cupy"`` results are these).

    Columns are :class:`DeviceColumn`; ``table[name]`` is the column's device array (codes for
    strings), ``table.validity(name)`` its mask (None: no nulls), ``to_arrow()`` the table on
    the host.
    """

    def __init__(self, columns: Mapping[str, DeviceColumn], num_rows: int, backend: Backend):
        self.columns = dict(columns)
        self.num_rows = int(num_rows)
        self.backend = backend

    @property
    def column_names(self) -> list[str]:
        return list(self.columns)

    def __len__(self) -> int:
        return self.num_rows

    def __getitem__(self, name: str) -> Any:
        return self.columns[name].values

    def validity(self, name: str) -> Any | None:
        return self.columns[name].valid

    def to_arrow(self) -> pa.Table:
        return to_host(self)

    def __repr__(self) -> str:
        cols = ", ".join(f"{n}: {c.type}" for n, c in self.columns.items())
        return f"<cylonc DeviceTable ({self.backend.name}) {self.num_rows} rows [{cols}]>"


def _sorted_dictionary(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray | None, pa.Array]:
    """int32 codes into a sorted dictionary, the validity (None: no nulls), the dictionary."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    enc = pc.dictionary_encode(arr)
    dictionary = enc.dictionary
    order = pc.array_sort_indices(dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    idx = enc.indices
    valid = None
    if idx.null_count:
        valid = idx.is_valid().to_numpy(zero_copy_only=False)
        idx = pc.fill_null(idx, 0)
    codes = idx.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    codes = rank[codes] if len(rank) else np.zeros(len(codes), dtype=np.int32)
    return codes, valid, dictionary.take(pa.array(order))


def column_to_device(col: pa.Array | pa.ChunkedArray, t: str, be: Backend) -> DeviceColumn:
    """One Arrow column to the device (plan type ``t``)."""
    xp = be.xp
    if t == "string":
        codes, valid, dictionary = _sorted_dictionary(col)
        return DeviceColumn(be.asarray(codes), None if valid is None else be.asarray(valid), t, dictionary)
    dtype = _np_dtype(t)
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else (col.chunk(0) if col.num_chunks else pa.array([], type=col.type))
    valid = None
    if col.null_count:
        valid = col.is_valid().to_numpy(zero_copy_only=False)
        fill = False if t == "bool" else 0
        col = pc.fill_null(col, pa.scalar(fill, col.type))
    if t == "date32":
        values = col.cast(pa.int32()).to_numpy(zero_copy_only=False)
    elif t.startswith("timestamp"):
        values = col.cast(pa.int64()).to_numpy(zero_copy_only=False)
    else:
        values = col.to_numpy(zero_copy_only=False)
    values = np.ascontiguousarray(values, dtype=dtype)
    return DeviceColumn(xp.asarray(values), None if valid is None else xp.asarray(valid), t)


def to_device(table: pa.Table, schema: Sequence[Mapping] | None = None, be: Backend | None = None) -> DeviceTable:
    """Copy an Arrow table to the device (``cylon.to_device``)."""
    be = be or backend()
    if be is None:
        raise Unsupported(f"no usable GPU: {gpu_problem()}")
    types = {f["name"]: f["type"] for f in schema} if schema else {}
    cols = {}
    for f in table.schema:
        t = types.get(f.name) or _plan_type(f.type)
        cols[f.name] = column_to_device(table[f.name], t, be)
    return DeviceTable(cols, table.num_rows, be)


def column_to_host(c: DeviceColumn, be: Backend) -> pa.Array:
    """One device column back to Arrow."""
    values = be.asnumpy(c.values)
    mask = None if c.valid is None else ~be.asnumpy(c.valid)
    if mask is not None and not mask.any():
        mask = None
    if c.type == "string":
        assert c.dictionary is not None
        idx = pa.array(values.astype(np.int32, copy=False), mask=mask)
        if len(c.dictionary) == 0:
            return pa.nulls(len(values), pa.string())
        return c.dictionary.take(idx)
    t = to_arrow(c.type)
    if c.type == "date32":
        return pa.array(values.astype(np.int32, copy=False), type=pa.int32(), mask=mask).cast(t)
    if c.type.startswith("timestamp"):
        return pa.array(values.astype(np.int64, copy=False), type=pa.int64(), mask=mask).cast(t)
    return pa.array(values, type=t, mask=mask)


def to_host(table: DeviceTable) -> pa.Table:
    """Copy a device table back to the host as Arrow (``cylon.to_host``)."""
    be = table.backend
    arrays = [column_to_host(c, be) for c in table.columns.values()]
    if not arrays:
        return pa.table({"_": pa.nulls(table.num_rows)}).drop_columns(["_"])
    return pa.Table.from_arrays(arrays, names=list(table.columns))


# =============================================================================================
# CUDA C generation


_CTYPE = {
    "bool": "bool", "int8": "signed char", "int16": "short", "int32": "int", "int64": "long long",
    "uint8": "unsigned char", "uint16": "unsigned short", "uint32": "unsigned int",
    "uint64": "unsigned long long", "float32": "float", "float64": "double", "date32": "int",
    "string": "int",
}
_STORE = {"bool": "unsigned char"}
"""Element type of a column's device buffer where it differs from the value's C type."""

PREAMBLE = r"""// cylonc: generated CUDA C (one grid-stride loop over the rows of a fused plan node)
__device__ __forceinline__ long long cy_floordiv_i(long long a, long long b) {
  long long q = a / b, r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? q - 1 : q;
}
__device__ __forceinline__ long long cy_mod_i(long long a, long long b) {
  long long r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}
__device__ __forceinline__ double cy_floordiv_f(double a, double b) {
  // numpy's npy_divmod: floor division with Python's sign rules
  double mod = fmod(a, b);
  if (b == 0.0) return a / b;
  double div = (a - mod) / b;
  if (mod != 0.0) { if ((b < 0) != (mod < 0)) div -= 1.0; }
  double fl;
  if (div != 0.0) { fl = floor(div); if (div - fl > 0.5) fl += 1.0; }
  else { fl = copysign(0.0, a / b); }
  return fl;
}
__device__ __forceinline__ double cy_mod_f(double a, double b) {
  double mod = fmod(a, b);
  if (b == 0.0) return mod;
  if (mod != 0.0) { if ((b < 0) != (mod < 0)) mod += b; }
  else { mod = copysign(0.0, b); }
  return mod;
}
__device__ __forceinline__ long long cy_f2i(double v, double lo, double hi, long long bad) {
  // Arrow's unsafe cast truncates; out of range and NaN give the minimum (as x86 does)
  return (v >= lo && v < hi) ? (long long)v : bad;
}
__device__ __forceinline__ void cy_civil(long long z, long long* y, long long* m, long long* d) {
  // days since 1970-01-01 -> proleptic Gregorian (H. Hinnant's civil_from_days)
  z += 719468;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  long long doe = z - era * 146097;
  long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long long mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}
__device__ __forceinline__ long long cy_floordiv_days(long long t, long long per_day) {
  long long q = t / per_day;
  return (t % per_day != 0 && t < 0) ? q - 1 : q;
}
__device__ __forceinline__ void cy_atomic_min_f(double* addr, double v) {
  unsigned long long* p = (unsigned long long*)addr;
  unsigned long long old = *p, assumed;
  while (v < __longlong_as_double((long long)old)) {
    assumed = old;
    old = atomicCAS(p, assumed, (unsigned long long)__double_as_longlong(v));
    if (old == assumed) break;
  }
}
__device__ __forceinline__ void cy_atomic_max_f(double* addr, double v) {
  unsigned long long* p = (unsigned long long*)addr;
  unsigned long long old = *p, assumed;
  while (v > __longlong_as_double((long long)old)) {
    assumed = old;
    old = atomicCAS(p, assumed, (unsigned long long)__double_as_longlong(v));
    if (old == assumed) break;
  }
}
"""

HOST_SHIM = r"""// cylonc: host emulation of the CUDA built-ins a generated kernel uses (one thread)
#include <math.h>
#include <string.h>
#define __global__
#define __device__
#define __forceinline__ inline
struct cy_dim3 { unsigned int x; };
static const cy_dim3 blockIdx = {0}, blockDim = {1}, threadIdx = {0}, gridDim = {1};
static inline double __longlong_as_double(long long x) { double d; memcpy(&d, &x, 8); return d; }
static inline long long __double_as_longlong(double d) { long long x; memcpy(&x, &d, 8); return x; }
static inline unsigned long long atomicCAS(unsigned long long* a, unsigned long long c, unsigned long long v) {
  unsigned long long o = *a; if (o == c) *a = v; return o; }
static inline unsigned long long atomicAdd(unsigned long long* a, unsigned long long v) {
  unsigned long long o = *a; *a = o + v; return o; }
static inline double atomicAdd(double* a, double v) { double o = *a; *a = o + v; return o; }
static inline long long atomicMin(long long* a, long long v) { long long o = *a; if (v < o) *a = v; return o; }
static inline long long atomicMax(long long* a, long long v) { long long o = *a; if (v > o) *a = v; return o; }
static inline unsigned long long atomicMin(unsigned long long* a, unsigned long long v) {
  unsigned long long o = *a; if (v < o) *a = v; return o; }
static inline unsigned long long atomicMax(unsigned long long* a, unsigned long long v) {
  unsigned long long o = *a; if (v > o) *a = v; return o; }
"""


def _ctype(t: str) -> str:
    if t.startswith("timestamp"):
        return "long long"
    if t not in _CTYPE:
        raise Unsupported(f"type {t} in a GPU kernel")
    return _CTYPE[t]


def _is_float(t: str) -> bool:
    return t in ("float32", "float64")


def _is_int(t: str) -> bool:
    return t.startswith(("int", "uint"))


def _is_numeric(t: str) -> bool:
    return _is_float(t) or _is_int(t) or t == "bool"


def _comment(s: str) -> str:
    return "".join(ch if 32 <= ord(ch) < 127 and ch not in "\\" else "?" for ch in s).replace("*/", "*?")


@dataclass
class KernelArg:
    """One parameter of a generated kernel, in order: ``kind`` (``n``, ``col``, ``col_valid``,
    ``scalar``, ``scalar_valid``, ``lut``, ``lut_valid``, ``lut_null``, ``sel``, ``out``,
    ``out_valid``, ``acc``), the C name and type, and what it refers to (``key``)."""

    kind: str
    name: str
    ctype: str
    key: Any = None
    dtype: str = ""
    """Plan type of the buffer's elements (or the scalar)."""


@dataclass
class Lut:
    """A string sub-expression evaluated on the host over one column's dictionary (plus a
    trailing null entry): ``expr`` reads ``column``, whose dictionary comes from ``source``
    (``("input", name)`` or ``("lut", id)``); a string result is re-encoded to a new sorted
    dictionary (``reencode``)."""

    id: int
    expr: dict
    column: str
    source: tuple
    type: str

    @property
    def reencode(self) -> bool:
        return self.type == "string"


@dataclass
class Output:
    """A column of a kernel's result: an input column passed through (``input``) or a
    computed one (``arg``: the index of its ``out`` parameter; ``valid_arg``: of its
    ``out_valid`` one, or None), with, for strings, the dictionary's source."""

    name: str
    type: str
    input: str | None = None
    arg: int | None = None
    valid_arg: int | None = None
    dict_source: tuple | None = None


@dataclass
class Acc:
    """An aggregate of a fused ``reduce``: its accumulator parameters (``sum``/``min``/...
    value, ``count`` of contributing rows) by index into the kernel's parameters."""

    fn: str
    name: str
    type: str
    value_arg: int | None = None
    value_ctype: str = ""
    count_arg: int | None = None
    input_type: str = ""
    dict_source: tuple | None = None


@dataclass
class CudaKernel:
    """A generated kernel: its name, CUDA C ``source`` (without the preamble: see
    :meth:`full_source`), parameters, lookup tables, and what its buffers mean."""

    name: str
    body: str
    args: list[KernelArg]
    luts: list[Lut]
    outputs: list[Output]
    aggs: list[Acc]
    filters: bool
    schema: list[dict]

    @property
    def source(self) -> str:
        """The complete CUDA C translation unit (preamble and kernel)."""
        return PREAMBLE + self.body


@dataclass
class _Val:
    v: str
    m: str | None
    """C expression of the validity; None: never null."""
    type: str
    input: str | None = None
    """The input column it is (unchanged), for pass-through outputs."""
    dict_source: tuple | None = None


def _and(*ms: str | None) -> str | None:
    parts = [m for m in ms if m is not None and m != "true"]
    if any(m == "false" for m in parts):
        return "false"
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else "(" + " && ".join(parts) + ")"


def _valid(m: str | None) -> str:
    return "true" if m is None else m


def _float_lit(x: float, t: str) -> str:
    if math.isnan(x):
        s = "(0.0 / 0.0)"
    elif math.isinf(x):
        s = "(1.0 / 0.0)" if x > 0 else "(-1.0 / 0.0)"
    else:
        s = repr(float(x))
        if "e" not in s and "." not in s:
            s += ".0"
        s = f"({s})"
    return f"((float){s})" if t == "float32" else s


def _int_lit(v: int, t: str) -> str:
    ct = _ctype(t)
    if t == "uint64" or (t.startswith("uint") and v >= 0):
        return f"(({ct}){int(v) & 0xFFFFFFFFFFFFFFFF}ULL)"
    if v == -(1 << 63):
        return "((long long)(-9223372036854775807LL - 1))"
    return f"(({ct}){int(v)}LL)"


def _days(value: Any) -> int:
    d = _dt.date.fromisoformat(value) if isinstance(value, str) else value
    return (d - _dt.date(1970, 1, 1)).days


def _literal_value(value: Any, t: str) -> int | float | bool | None:
    """A plan literal's value in the kernel's representation (None: null)."""
    if value is None or (isinstance(value, float) and math.isnan(value) and not _is_float(t)):
        return None
    if t == "date32":
        if isinstance(value, str | _dt.date):
            return _days(value)
        return int(value)
    if t.startswith("timestamp"):
        if isinstance(value, str):
            return pa.scalar(value, pa.string()).cast(to_arrow(t)).cast(pa.int64()).as_py()
        return int(value)
    if t == "bool":
        return bool(value)
    if _is_float(t):
        return float(value)
    if _is_int(t):
        return int(value)
    raise Unsupported(f"a {t} literal in a GPU kernel")


def _leaves(e: Mapping) -> set[str]:
    if e["k"] == "col":
        return {e["name"]}
    out: set[str] = set()
    for a in e.get("args", ()):
        out |= _leaves(a)
    return out


def _touches_string(e: Mapping) -> bool:
    return e.get("type") == "string" or any(_touches_string(a) for a in e.get("args", ()))


class _Gen:
    """Builds one kernel's source from plan expressions."""

    def __init__(self, schema: Sequence[Mapping]):
        self.schema = {f["name"]: f for f in schema}
        self.args: list[KernelArg] = [KernelArg("n", "n", "long long")]
        self.lines: list[str] = []
        self.pre: list[str] = []
        self.post: list[str] = []
        self.tmp = 0
        self.col_args: dict[str, _Val] = {}
        self.scalar_args: dict[int, _Val] = {}
        self.luts: list[Lut] = []
        self.env: dict[str, Any] = {name: ("input", name) for name in self.schema}
        self.memo: dict[str, _Val] = {}

    def arg(self, kind: str, ctype: str, key: Any = None, dtype: str = "", prefix: str = "a") -> str:
        name = f"{prefix}{len(self.args)}"
        self.args.append(KernelArg(kind, name, ctype, key, dtype))
        return name

    def emit(self, line: str) -> None:
        self.lines.append("    " + line)

    def let(self, ctype: str, expr: str) -> str:
        self.tmp += 1
        name = f"t{self.tmp}"
        self.emit(f"const {ctype} {name} = {expr};")
        return name

    def let_valid(self, expr: str | None) -> str | None:
        if expr is None or expr in ("true", "false"):
            return expr
        self.tmp += 1
        name = f"m{self.tmp}"
        self.emit(f"const bool {name} = {expr};")
        return name

    # ---------------------------------------------------------------- columns

    def input_column(self, name: str) -> _Val:
        if name not in self.col_args:
            f = self.schema[name]
            t = f["type"]
            ctype = _ctype(t)
            store = _STORE.get(t, ctype)
            buf = self.arg("col", f"const {store}* __restrict__", name, t, prefix="c")
            self.lines.append(f"    // {buf}: column \"{_comment(name)}\" ({t})")
            v = self.let(ctype, f"{buf}[i]" if t != "bool" else f"{buf}[i] != 0")
            m = None
            if f.get("nullable", True):
                vb = self.arg("col_valid", "const unsigned char* __restrict__", name, "bool", prefix="c")
                m = self.let_valid(f"{vb}[i] != 0")
            self.col_args[name] = _Val(v, m, t, input=name, dict_source=("input", name) if t == "string" else None)
        return self.col_args[name]

    def column(self, name: str) -> _Val:
        src = self.env.get(name)
        if src is None:
            raise Unsupported(f"column '{name}' is not in the kernel's input")
        if isinstance(src, _Val):
            return src
        return self.input_column(src[1])

    # ---------------------------------------------------------------- expressions

    def expr(self, e: Mapping) -> _Val:
        key = repr(e)  # plan expressions are trees: compute a repeated sub-expression once
        if key not in self.memo:
            self.memo[key] = self._expr(e)
        return self.memo[key]

    def _expr(self, e: Mapping) -> _Val:
        if _touches_string(e):
            cols = _leaves(e)
            if len(cols) == 1:
                (col,) = cols
                base = self.column(col)
                if base.type == "string":
                    return self.lut(e, col, base)
            if e["type"] == "string" or any(a.get("type") == "string" for a in e.get("args", ())):
                raise Unsupported("a string expression over several columns (or none)")
        k = e["k"]
        t = e["type"]
        if k == "col":
            v = self.column(e["name"])
            return self.convert(v, t) if v.type != t else v
        if k == "lit":
            val = _literal_value(e.get("value"), t)
            ctype = _ctype(t)
            if val is None:
                return _Val(f"(({ctype})0)", "false", t)
            if t == "bool":
                return _Val("true" if val else "false", None, t)
            if _is_float(t):
                return _Val(_float_lit(float(val), t), None, t)
            return _Val(_int_lit(int(val), t), None, t)
        if k == "scalar":
            ref = e["ref"]
            if ref not in self.scalar_args:
                if t == "string":
                    raise Unsupported("a string scalar outside a string expression")
                ctype = _ctype(t)
                name = self.arg("scalar", ctype, ref, t, prefix="s")
                valid = self.arg("scalar_valid", "int", ref, "int32", prefix="s")
                self.scalar_args[ref] = _Val(name, f"({valid} != 0)", t)
            return self.scalar_args[ref]
        if k == "call":
            return self.call(e)
        raise Unsupported(f"expression kind {k!r}")

    def lut(self, e: Mapping, col: str, base: _Val) -> _Val:
        lid = len(self.luts)
        t = e["type"]
        assert base.dict_source is not None
        self.luts.append(Lut(lid, dict(e), col, base.dict_source, t))
        out_t = "int32" if t == "string" else t
        if not (_is_numeric(out_t) or out_t == "date32" or out_t.startswith("timestamp")):
            raise Unsupported(f"a string expression giving {t}")
        ctype = _ctype(out_t)
        store = _STORE.get(out_t, ctype)
        values = self.arg("lut", f"const {store}* __restrict__", lid, out_t, prefix="l")
        valid = self.arg("lut_valid", "const unsigned char* __restrict__", lid, "bool", prefix="l")
        null = self.arg("lut_null", "long long", lid, "int64", prefix="l")
        self.lines.append(f"    // {values}: lookup table {lid} over the dictionary of \"{_comment(col)}\"")
        idx = self.let("long long", f"{base.m} ? (long long){base.v} : {null}" if base.m else f"(long long){base.v}")
        v = self.let(ctype, f"{values}[{idx}]" if out_t != "bool" else f"{values}[{idx}] != 0")
        m = self.let_valid(f"{valid}[{idx}] != 0")
        return _Val(v, m, t, dict_source=("lut", lid) if t == "string" else None)

    def finish(self, v: str, m: str | None, t: str) -> _Val:
        """A call's result: a NaN float is null."""
        ctype = _ctype(t)
        name = self.let(ctype, v)
        if _is_float(t):
            m = _and(m, f"!isnan({name})")
        return _Val(name, self.let_valid(m), t)

    def convert(self, a: _Val, dst: str) -> _Val:
        """``astype`` between numbers, booleans, dates and timestamps of one unit."""
        src = a.type
        if src == dst:
            return a
        if not (_is_numeric(src) and _is_numeric(dst)):
            if {src, dst} <= {"date32", "int32"} or (src.startswith("timestamp") and dst == "int64"):
                return _Val(f"(({_ctype(dst)}){a.v})", a.m, dst)
            raise Unsupported(f"cast from {src} to {dst} in a GPU kernel")
        cd = _ctype(dst)
        if dst == "bool":
            return _Val(f"({a.v} != 0)", a.m, dst)
        if _is_float(src) and _is_int(dst):
            if dst.startswith("uint"):
                raise Unsupported(f"cast from {src} to {dst}")
            w = np.dtype(_np_dtype(dst)).itemsize * 8
            lo, hi = _float_lit(-(2.0 ** (w - 1)), "float64"), _float_lit(2.0 ** (w - 1), "float64")
            bad = _int_lit(-(1 << (w - 1)), dst)
            return _Val(f"(({cd})cy_f2i((double){a.v}, {lo}, {hi}, {bad}))", a.m, dst)
        return _Val(f"(({cd}){a.v})", a.m, dst)

    def call(self, e: Mapping) -> _Val:
        fn = e["fn"]
        t = e["type"]
        args = e.get("args", ())
        if fn == "udf":
            raise Unsupported(f"user function '{e.get('name')}' (UDFs run on the CPU)")
        if fn.startswith("str_") or t == "string":
            raise Unsupported(f"string function {fn} over several columns")
        if fn in ("and", "or"):
            a, b = (self.expr(x) for x in args)
            if _is_int(t):
                a, b = self.convert(a, t), self.convert(b, t)
                op = "&" if fn == "and" else "|"
                return self.finish(f"({a.v} {op} {b.v})", _and(a.m, b.m), t)
            a, b = self.convert(a, "bool"), self.convert(b, "bool")
            if a.m is None and b.m is None:
                op = "&&" if fn == "and" else "||"
                return self.finish(f"({a.v} {op} {b.v})", None, "bool")
            av, bv = _valid(a.m), _valid(b.m)
            if fn == "and":
                known = self.let("bool", f"({av} && !{a.v}) || ({bv} && !{b.v})")
                return self.finish(f"!{known} && {a.v} && {b.v}", f"(({av} && {bv}) || {known})", "bool")
            known = self.let("bool", f"({av} && {a.v}) || ({bv} && {b.v})")
            return self.finish(known, f"(({av} && {bv}) || {known})", "bool")
        if fn == "not":
            a = self.expr(args[0])
            if _is_int(t):
                a = self.convert(a, t)
                return self.finish(f"(({_ctype(t)})~{a.v})", a.m, t)
            a = self.convert(a, "bool")
            return self.finish(f"!{a.v}", a.m, "bool")
        if fn in ("isna", "notna"):
            a = self.expr(args[0])
            na = "false" if a.m is None else f"!{a.m}"
            if _is_float(a.type):
                na = f"({na} || isnan({a.v}))" if na != "false" else f"isnan({a.v})"
            return _Val(self.let("bool", na if fn == "isna" else f"!({na})"), None, "bool")
        if fn in ("eq", "ne", "lt", "le", "gt", "ge"):
            a, b = (self.expr(x) for x in args)
            ct = a.type
            if a.type != b.type:
                if _is_numeric(a.type) and _is_numeric(b.type):
                    ct = "float64" if (_is_float(a.type) or _is_float(b.type)) else "int64"
                else:
                    raise Unsupported(f"comparison of {a.type} with {b.type} in a GPU kernel")
                a, b = self.convert(a, ct), self.convert(b, ct)
            op = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[fn]
            return self.finish(f"({a.v} {op} {b.v})", _and(a.m, b.m), "bool")
        if fn == "isin":
            a = self.expr(args[0])
            consts = []
            for v in e.get("values", ()):
                c = _coerce(v, a.type)
                if c is not None and c not in consts:
                    consts.append(c)
            if _is_float(a.type):
                terms = [f"({a.v} == {_float_lit(float(c), a.type)})" for c in consts]
            elif a.type == "bool":
                terms = [f"({a.v} == {'true' if c else 'false'})" for c in consts]
            elif _is_int(a.type) or a.type == "date32" or a.type.startswith("timestamp"):
                terms = [f"({a.v} == {_int_lit(int(c), a.type if _is_int(a.type) else 'int64')})" for c in consts]
            else:
                raise Unsupported(f"isin on {a.type}")
            hit = " || ".join(terms) if terms else "false"
            return _Val(self.let("bool", f"{_valid(a.m)} && ({hit})"), None, "bool")
        if fn == "fillna":
            a, v = (self.expr(x) for x in args)
            a, v = self.convert(a, t), self.convert(v, t)
            ok = a.m
            if _is_float(t):
                ok = _and(ok, f"!isnan({a.v})")
            if ok is None:
                return self.finish(a.v, a.m, t)
            ok = self.let_valid(ok)
            return self.finish(f"({ok} ? {a.v} : {v.v})", None if v.m is None else f"({ok} || {v.m})", t)
        if fn == "where":
            c, a, o = (self.expr(x) for x in args)
            c = self.convert(c, "bool")
            a, o = self.convert(a, t), self.convert(o, t)
            cond = self.let("bool", f"{_valid(c.m)} && {c.v}")
            m = None if a.m is None and o.m is None else f"({cond} ? {_valid(a.m)} : {_valid(o.m)})"
            return self.finish(f"({cond} ? {a.v} : {o.v})", m, t)
        if fn == "cast":
            a = self.expr(args[0])
            c = self.convert(a, t)
            return self.finish(c.v, c.m, t)
        if fn in ("dt_year", "dt_month", "dt_day"):
            a = self.expr(args[0])
            if a.type == "date32":
                days = f"(long long){a.v}"
            elif a.type.startswith("timestamp") and "tz=" not in a.type:
                unit = a.type[len("timestamp["):-1]
                per = {"s": 86400, "ms": 86400_000, "us": 86400_000_000, "ns": 86400_000_000_000}[unit]
                days = f"cy_floordiv_days({a.v}, {per}LL)"
            else:
                raise Unsupported(f"{fn} of {a.type} in a GPU kernel")
            self.tmp += 1
            y, mth, d = f"y{self.tmp}", f"mo{self.tmp}", f"d{self.tmp}"
            self.emit(f"long long {y}, {mth}, {d}; cy_civil({days}, &{y}, &{mth}, &{d});")
            part = {"dt_year": y, "dt_month": mth, "dt_day": d}[fn]
            return self.finish(f"(({_ctype(t)}){part})", a.m, t)
        if fn in ("neg", "abs", "round"):
            a = self.convert(self.expr(args[0]), t)
            ct = _ctype(t)
            if fn == "round":
                nd = int(e.get("ndigits") or 0)
                if not _is_float(t):
                    if nd >= 0:
                        return self.finish(a.v, a.m, t)
                    raise Unsupported(f"round({nd}) of an integer in a GPU kernel")
                if nd >= 0:
                    f = _float_lit(10.0 ** nd, t)
                    return self.finish(f"(({ct})(rint({a.v} * {f}) / {f}))", a.m, t)
                f = _float_lit(10.0 ** (-nd), t)
                return self.finish(f"(({ct})(rint({a.v} / {f}) * {f}))", a.m, t)
            if _is_float(t):
                return self.finish(f"(-{a.v})" if fn == "neg" else f"fabs({a.v})", a.m, t)
            if not _is_int(t):
                raise Unsupported(f"{fn} of {t}")
            neg = f"(({ct})(0ULL - (unsigned long long){a.v}))"
            if fn == "neg":
                return self.finish(neg, a.m, t)
            if t.startswith("uint"):
                return self.finish(a.v, a.m, t)
            return self.finish(f"({a.v} < 0 ? {neg} : {a.v})", a.m, t)
        if fn in ("add", "sub", "mul", "div", "floordiv", "mod", "pow"):
            ct = t
            if fn == "div" and not _is_float(t):
                ct = "float64"
            if not (_is_int(ct) or _is_float(ct)):
                raise Unsupported(f"'{fn}' on {ct} values in a GPU kernel")
            a, b = (self.convert(self.expr(x), ct) for x in args)
            m = _and(a.m, b.m)
            c = _ctype(ct)
            if _is_float(ct):
                if fn in ("add", "sub", "mul", "div"):
                    op = {"add": "+", "sub": "-", "mul": "*", "div": "/"}[fn]
                    return self.finish(f"(({c})({a.v} {op} {b.v}))", m, ct)
                if fn == "pow":
                    return self.finish(f"(({c})pow((double){a.v}, (double){b.v}))", m, ct)
                helper = "cy_floordiv_f" if fn == "floordiv" else "cy_mod_f"
                return self.finish(f"(({c}){helper}((double){a.v}, (double){b.v}))", m, ct)
            if fn in ("add", "sub", "mul"):
                op = {"add": "+", "sub": "-", "mul": "*"}[fn]
                return self.finish(f"(({c})((unsigned long long){a.v} {op} (unsigned long long){b.v}))", m, ct)
            if fn in ("floordiv", "mod"):
                bz = self.let("bool", f"{b.v} == 0")
                m = _and(m, f"!{bz}")
                if ct.startswith("uint"):
                    op = "/" if fn == "floordiv" else "%"
                    return self.finish(f"({bz} ? ({c})0 : ({c})({a.v} {op} {b.v}))", m, ct)
                helper = "cy_floordiv_i" if fn == "floordiv" else "cy_mod_i"
                # b == -1: the quotient is -a (wrapping), the remainder 0 (no INT_MIN / -1 trap)
                if fn == "floordiv":
                    body = (f"({bz} ? ({c})0 : ({b.v} == -1 ? ({c})(0ULL - (unsigned long long){a.v}) "
                            f": ({c}){helper}((long long){a.v}, (long long){b.v})))")
                else:
                    body = f"({bz} || {b.v} == -1 ? ({c})0 : ({c}){helper}((long long){a.v}, (long long){b.v}))"
                return self.finish(body, m, ct)
            raise Unsupported(f"integer '{fn}' in a GPU kernel")
        raise Unsupported(f"function '{fn}' in a GPU kernel")


def _coerce(v: Any, t: str) -> Any:
    """An ``isin`` value as a value of type ``t`` (None: nothing of type ``t`` equals it)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    number = isinstance(v, int | float) and not isinstance(v, bool)
    if t == "bool":
        if isinstance(v, bool) or (number and v in (0, 1)):
            return bool(v)
        return None
    if _is_int(t) or _is_float(t):
        if isinstance(v, bool):
            v = int(v)
        elif not number:
            return None
        if _is_int(t):
            if float(v) != int(v):
                return None
            info = np.iinfo(_np_dtype(t))
            if not info.min <= int(v) <= info.max:
                return None
            return int(v)
        return float(np.asarray(v, dtype=_np_dtype(t)))
    if t == "date32" or t.startswith("timestamp"):
        if isinstance(v, str | int) and not isinstance(v, bool):
            try:
                return _literal_value(v, t)
            except (ValueError, pa.ArrowException):
                return None
        return None
    return None


_FUSABLE = ("sum", "count", "size", "min", "max", "mean")


def generate(node: Mapping, input_schema: Sequence[Mapping], name: str | None = None) -> CudaKernel:
    """The CUDA C kernel of a ``fused`` (or ``filter``/``assign``) plan node.

    Parameters
    ----------
    node : dict
        The plan node: ``fused`` with its ``ops`` (filter, assign, project, rename, a final
        reduce), or a single ``filter``/``assign``.
    input_schema : list of dict
        The plan schema of the node's input table.
    name : str, optional
        The kernel's symbol (default ``cylonc_gpu_<kernel_name or id>``).

    Returns
    -------
    CudaKernel

    Raises
    ------
    Unsupported
        Something the kernel cannot compute (the runtime then runs the node on Arrow).
    """
    ops = list(node["ops"]) if node["op"] == "fused" else [node]
    label = node.get("kernel_name") or f"node{node.get('id', 0)}"
    name = name or f"cylonc_gpu_{label}"
    g = _Gen(input_schema)
    filters = any(op["op"] == "filter" for op in ops)
    reducing = _ends_with_reduce(ops)
    sel = g.arg("sel", "unsigned char* __restrict__", None, "bool", prefix="o") if filters and not reducing else None
    reduce_op = None
    for i, op in enumerate(ops):
        kind = op["op"]
        if kind == "filter":
            p = g.convert(g.expr(op["predicate"]), "bool")
            keep = _and(p.m, p.v) or "true"
            clear = f" {sel}[i] = 0;" if sel else ""
            g.emit(f"if (!({keep})) {{{clear} continue; }}")
        elif kind == "assign":
            vals = [g.expr(x) for x in op["exprs"]]
            out_schema = {f["name"]: f for f in op["schema"]}
            for n, v in zip(op["names"], vals):
                want = out_schema.get(n, {}).get("type", v.type)
                if want != v.type and v.type != "string":
                    v = g.convert(v, want)
                g.env[n] = v
            g.memo.clear()
        elif kind == "project":
            g.env = {c: g.env[c] for c in op["columns"]}
        elif kind == "rename":
            mapping = op["mapping"]
            g.env = {mapping.get(k, k): v for k, v in g.env.items()}
            g.memo.clear()
        elif kind == "reduce":
            if i != len(ops) - 1:
                raise Unsupported("a reduce that does not end the chain")
            reduce_op = op
        else:
            raise Unsupported(f"'{kind}' in a GPU kernel")
    outputs: list[Output] = []
    aggs: list[Acc] = []
    schema = list(ops[-1]["schema"])
    if reduce_op is None:
        for f in schema:
            src = g.env[f["name"]]
            if isinstance(src, tuple):  # an input column, unchanged: gathered after the kernel
                outputs.append(Output(f["name"], f["type"], input=src[1]))
                continue
            v = src
            t = "int32" if v.type == "string" else f["type"]
            if v.type != "string" and v.type != t:
                v = g.convert(v, t)
            store = _STORE.get(t, _ctype(t))
            out = g.arg("out", f"{store}* __restrict__", f["name"], t, prefix="o")
            g.emit(f"{out}[i] = {v.v};")
            valid_arg = None
            if v.m is not None:
                ob = g.arg("out_valid", "unsigned char* __restrict__", f["name"], "bool", prefix="o")
                g.emit(f"{ob}[i] = {v.m};")
                valid_arg = len(g.args) - 1
            arg_index = next(j for j, a in enumerate(g.args) if a.name == out)
            outputs.append(Output(f["name"], f["type"], arg=arg_index, valid_arg=valid_arg,
                                  dict_source=v.dict_source))
        if sel:
            g.emit(f"{sel}[i] = 1;")
    else:
        for a in reduce_op["aggs"]:
            aggs.append(_accumulate(g, a, {f["name"]: f["type"] for f in schema}))
    params = ",\n    ".join(f"{a.ctype} {a.name}" for a in g.args)
    body = [f'extern "C" __global__ void {name}(\n    {params})\n{{']
    body += g.pre
    body.append("  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;"
                " i += (long long)blockDim.x * gridDim.x) {")
    body += g.lines
    body.append("  }")
    body += g.post
    body.append("}\n")
    return CudaKernel(name, "\n".join(body), g.args, g.luts, outputs, aggs, filters, schema)


def _ends_with_reduce(ops: Sequence[Mapping]) -> bool:
    return bool(ops) and ops[-1]["op"] == "reduce"


def _accumulate(g: _Gen, a: Mapping, out_types: Mapping[str, str]) -> Acc:
    fn, col, name = a["fn"], a.get("column"), a["name"]
    if fn not in _FUSABLE:
        raise Unsupported(f"aggregate '{fn}' in a GPU kernel")
    acc = Acc(fn, name, out_types.get(name, "float64"))
    g.tmp += 1
    k = g.tmp

    def count_slot(cond: str) -> None:
        g.pre.append(f"  unsigned long long n{k} = 0;")
        g.emit(f"n{k} += ({cond}) ? 1ULL : 0ULL;")
        cnt = g.arg("acc", "unsigned long long* __restrict__", (name, "count"), "uint64", prefix="r")
        acc.count_arg = len(g.args) - 1
        g.post.append(f"  if (n{k}) atomicAdd({cnt}, n{k});")

    if fn == "size":
        count_slot("true")
        return acc
    v = g.column(col)
    acc.input_type = v.type
    valid = _valid(v.m)
    if fn == "count":
        count_slot(valid)
        return acc
    if v.type == "string" and fn not in ("min", "max"):
        raise Unsupported(f"'{fn}' of a string column in a GPU kernel")
    acc.dict_source = v.dict_source  # strings: min/max of the sorted dictionary's codes
    if fn in ("sum", "mean") and (_is_float(v.type) or fn == "mean"):
        g.pre.append(f"  double p{k} = 0.0;")
        g.emit(f"if ({valid}) p{k} += (double){v.v};")
        acc_name = g.arg("acc", "double* __restrict__", (name, "value"), "float64", prefix="r")
        acc.value_arg, acc.value_ctype = len(g.args) - 1, "double"
        g.post.append(f"  atomicAdd({acc_name}, p{k});")
        if fn == "mean":
            count_slot(valid)
        return acc
    if fn == "sum":
        g.pre.append(f"  unsigned long long p{k} = 0ULL;")
        g.emit(f"if ({valid}) p{k} += (unsigned long long)(long long){v.v};")
        acc_name = g.arg("acc", "unsigned long long* __restrict__", (name, "value"), "uint64", prefix="r")
        acc.value_arg, acc.value_ctype = len(g.args) - 1, "unsigned long long"
        g.post.append(f"  atomicAdd({acc_name}, p{k});")
        return acc
    # min / max: skip nulls (and NaN, as Arrow does); a count says whether any value was seen
    better = "<" if fn == "min" else ">"
    if _is_float(v.type):
        init = "(1.0 / 0.0)" if fn == "min" else "(-1.0 / 0.0)"
        g.pre.append(f"  double p{k} = {init};")
        cond = f"{valid} && !isnan({v.v})"
        g.emit(f"if ({cond} && (double){v.v} {better} p{k}) p{k} = (double){v.v};")
        acc_name = g.arg("acc", "double* __restrict__", (name, "value"), "float64", prefix="r")
        acc.value_arg, acc.value_ctype = len(g.args) - 1, "double"
        g.post.append(f"  cy_atomic_{fn}_f({acc_name}, p{k});")
        count_slot(cond)
        return acc
    unsigned = v.type == "uint64"
    ctype = "unsigned long long" if unsigned else "long long"
    if unsigned:
        init = "0ULL" if fn == "max" else "18446744073709551615ULL"
    else:
        init = "(-9223372036854775807LL - 1)" if fn == "max" else "9223372036854775807LL"
    g.pre.append(f"  {ctype} p{k} = {init};")
    g.emit(f"if ({valid} && ({ctype}){v.v} {better} p{k}) p{k} = ({ctype}){v.v};")
    acc_name = g.arg("acc", f"{ctype}* __restrict__", (name, "value"), "uint64" if unsigned else "int64", prefix="r")
    acc.value_arg, acc.value_ctype = len(g.args) - 1, ctype
    g.post.append(f"  atomic{'Min' if fn == 'min' else 'Max'}({acc_name}, p{k});")
    count_slot(valid)
    return acc


# =============================================================================================
# compiling and launching kernels


_C_ARG = {
    "long long": ctypes.c_longlong, "int": ctypes.c_int, "double": ctypes.c_double,
    "float": ctypes.c_float, "bool": ctypes.c_bool, "short": ctypes.c_short,
    "signed char": ctypes.c_byte, "unsigned char": ctypes.c_ubyte, "unsigned short": ctypes.c_ushort,
    "unsigned int": ctypes.c_uint, "unsigned long long": ctypes.c_ulonglong,
}
_NP_ARG = {
    "long long": np.int64, "int": np.int32, "double": np.float64, "float": np.float32,
    "bool": np.bool_, "short": np.int16, "signed char": np.int8, "unsigned char": np.uint8,
    "unsigned short": np.uint16, "unsigned int": np.uint32, "unsigned long long": np.uint64,
}
_COMPILED: dict[tuple[str, str], Any] = {}


def host_compiler() -> str | None:
    """The C++ compiler that builds emulated kernels (``$CXX``, g++, clang++ or c++)."""
    return os.environ.get("CXX") or shutil.which("g++") or shutil.which("clang++") or shutil.which("c++")


def _compile_host(kernel: CudaKernel) -> Callable[..., Any]:
    cxx = host_compiler()
    if cxx is None:
        raise Unsupported("no C++ compiler to emulate GPU kernels with")
    src = HOST_SHIM + kernel.source
    digest = hashlib.sha256(src.encode()).hexdigest()[:24]
    folder = Path(tempfile.gettempdir()) / f"cylonc-gpu-emulated-{os.getuid() if hasattr(os, 'getuid') else 0}"
    folder.mkdir(parents=True, exist_ok=True)
    lib = folder / f"{kernel.name}-{digest}.so"
    if not lib.exists():
        cpp = folder / f"{kernel.name}-{digest}.cpp"
        cpp.write_text(src)
        tmp = lib.with_suffix(f".{os.getpid()}.tmp")
        proc = subprocess.run([cxx, "-std=c++17", "-O1", "-shared", "-fPIC", "-o", str(tmp), str(cpp)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"cylonc: the generated kernel {kernel.name} does not compile:\n{proc.stderr}")
        os.replace(tmp, lib)
    fn = getattr(ctypes.CDLL(str(lib)), kernel.name)
    fn.restype = None
    fn.argtypes = [ctypes.c_void_p if "*" in a.ctype else _C_ARG[a.ctype] for a in kernel.args]
    return fn


def compiled(kernel: CudaKernel, be: Backend) -> Any:
    """The kernel compiled for the backend (NVRTC through ``cupy.RawKernel``, or the host C++
    compiler when emulated); cached by source."""
    key = (be.name, kernel.source)
    if key not in _COMPILED:
        if be.name == "cupy":
            _COMPILED[key] = be.xp.RawKernel(kernel.source, kernel.name, options=("--std=c++17",))
        else:
            _COMPILED[key] = _compile_host(kernel)
        STATS["kernels"] += 1
    return _COMPILED[key]


def launch(kernel: CudaKernel, n: int, args: Sequence[Any], be: Backend) -> None:
    """Run ``kernel`` over ``n`` rows with its arguments (device arrays and scalars, in order)."""
    fn = compiled(kernel, be)
    STATS["launches"] += 1
    if be.name == "cupy":
        blocks = min(max(1, -(-n // THREADS)), MAX_BLOCKS)
        fn((blocks,), (THREADS,), tuple(args))
        return
    call = []
    for a, v in zip(kernel.args, args):
        call.append(v.ctypes.data if "*" in a.ctype else _NP_ARG[a.ctype](v).item())
    fn(*call)


def _scalar_value(v: pa.Scalar | None, t: str) -> tuple[Any, bool]:
    if v is None or not v.is_valid:
        return 0, False
    v = v.cast(to_arrow(t)) if v.type != to_arrow(t) else v
    if t == "date32":
        return v.cast(pa.int32()).as_py(), True
    if t.startswith("timestamp"):
        return v.cast(pa.int64()).as_py(), True
    return v.as_py(), True


def _lut_tables(kernel: CudaKernel, table: DeviceTable, scalars: Mapping, be: Backend) -> dict[int, tuple]:
    """Evaluate each lookup table on the host over its column's dictionary (and a null)."""
    from . import arrow as K

    out: dict[int, tuple] = {}
    dicts: dict[int, pa.Array] = {}
    for lut in kernel.luts:
        kind, key = lut.source
        d = table.columns[key].dictionary if kind == "input" else dicts[key]
        assert d is not None
        domain = pa.concat_arrays([d.cast(pa.string()), pa.nulls(1, pa.string())])
        res = K.evaluate(lut.expr, pa.table({lut.column: domain}), scalars=scalars)
        if isinstance(res, pa.Scalar):
            res = pa.repeat(res, len(domain)) if res.is_valid else pa.nulls(len(domain), res.type)
        if isinstance(res, pa.ChunkedArray):
            res = res.combine_chunks()
        if lut.reencode:
            codes, valid, newdict = _sorted_dictionary(res)
            dicts[lut.id] = newdict
            values = codes
        else:
            c = column_to_device(res, lut.type, Backend("host", np))
            values, valid = c.values, c.valid
        valid_bytes = np.ones(len(domain), dtype=np.bool_) if valid is None else np.asarray(valid, dtype=np.bool_)
        out[lut.id] = (be.asarray(values), be.asarray(valid_bytes), len(d))
    out_dicts = {("lut", k): v for k, v in dicts.items()}
    return {**out, "dicts": out_dicts}  # type: ignore[dict-item]


def run_kernel(node: Mapping, table: DeviceTable, scalars: Mapping, be: Backend,
               kernel: CudaKernel | None = None) -> DeviceTable:
    """Run a ``fused``/``filter``/``assign`` node's generated kernel over a device table."""
    xp = be.xp
    schema = [{"name": n, "type": c.type, "nullable": c.valid is not None} for n, c in table.columns.items()]
    kernel = kernel or _kernel_for(node, schema)
    n = table.num_rows
    luts = _lut_tables(kernel, table, scalars, be) if kernel.luts else {"dicts": {}}
    args: list[Any] = []
    bufs: dict[int, Any] = {}
    ones = None
    for j, a in enumerate(kernel.args):
        if a.kind == "n":
            v: Any = n
        elif a.kind == "col":
            v = table.columns[a.key].values
        elif a.kind == "col_valid":
            v = table.columns[a.key].valid
            if v is None:
                ones = xp.ones(n, dtype=bool) if ones is None else ones
                v = ones
        elif a.kind == "scalar":
            v = _scalar_value(scalars.get(a.key), a.dtype)[0]
        elif a.kind == "scalar_valid":
            s = scalars.get(a.key)
            v = int(s is not None and s.is_valid)
        elif a.kind == "lut":
            v = luts[a.key][0]
        elif a.kind == "lut_valid":
            v = luts[a.key][1]
        elif a.kind == "lut_null":
            v = luts[a.key][2]
        elif a.kind in ("sel", "out_valid"):
            v = xp.zeros(max(n, 1), dtype=np.uint8)
        elif a.kind == "out":
            v = xp.zeros(max(n, 1), dtype=_np_dtype(a.dtype) if a.dtype != "bool" else np.uint8)
        elif a.kind == "acc":
            v = _acc_init(kernel, j, xp)
        else:  # pragma: no cover
            raise Unsupported(f"kernel argument {a.kind}")
        if a.kind in ("n", "lut_null", "scalar", "scalar_valid"):
            v = _NP_ARG[a.ctype](v)
        args.append(v)
        bufs[j] = v
    if n:
        launch(kernel, n, args, be)
    if kernel.aggs:
        dicts = {a.name: (luts["dicts"][a.dict_source] if a.dict_source[0] == "lut" else table.columns[a.dict_source[1]].dictionary)
                 for a in kernel.aggs if a.dict_source is not None}
        return _reduce_result(kernel, bufs, be, dicts)
    keep = None
    if kernel.filters:
        sel_j = next(j for j, a in enumerate(kernel.args) if a.kind == "sel")
        keep = xp.flatnonzero(bufs[sel_j][:n])
    rows = n if keep is None else int(keep.shape[0])
    cols: dict[str, DeviceColumn] = {}
    for o in kernel.outputs:
        if o.input is not None:
            c = table.columns[o.input]
            c = c if keep is None else c.take(keep, xp)
            cols[o.name] = _conform_column(c, o.type, xp)
            continue
        assert o.arg is not None
        values = bufs[o.arg][:n]
        valid = None if o.valid_arg is None else bufs[o.valid_arg][:n].astype(bool)
        if keep is not None:
            values = values[keep]
            valid = None if valid is None else valid[keep]
        if kernel.args[o.arg].dtype == "bool":
            values = values.astype(bool)
        dictionary = None
        if o.type == "string":
            src = o.dict_source
            dictionary = luts["dicts"][src] if src and src[0] == "lut" else table.columns[src[1]].dictionary  # type: ignore[index]
        cols[o.name] = _conform_column(DeviceColumn(values, valid, o.type if o.type == "string" else kernel.args[o.arg].dtype, dictionary), o.type, xp)
    return DeviceTable(cols, rows, be)


def _run_chain(node: Mapping, table: DeviceTable, scalars: Mapping, be: Backend) -> DeviceTable:
    """A fused node: its per-row operators (and a final ``reduce``) as one generated kernel; a
    final group-by ``aggregate`` (which ``cylon-fuse`` may end a chain with) by the sort-based
    :func:`aggregate` over the kernel's output."""
    ops = list(node["ops"])
    last = ops[-1] if ops else None
    if last is not None and last["op"] == "aggregate":
        head = ops[:-1]
        if any(o["op"] in ("filter", "assign", "reduce") for o in head):
            table = run_kernel(dict(node, ops=head), table, scalars, be)
        else:
            for o in head:
                if o["op"] == "project":
                    table = DeviceTable({c: table.columns[c] for c in o["columns"]}, table.num_rows, be)
                elif o["op"] == "rename":
                    m = o["mapping"]
                    table = DeviceTable({m.get(k, k): c for k, c in table.columns.items()}, table.num_rows, be)
                else:
                    raise Unsupported(f"'{o['op']}' in a fused chain")
        return aggregate(table, last["keys"], last["aggs"], last["schema"])
    return run_kernel(node, table, scalars, be)


def _kernel_for(node: Mapping, schema: list[dict]) -> CudaKernel:
    what = ("op", "ops", "predicate", "names", "exprs", "schema", "kernel_name")
    key = (repr([node.get(k) for k in what]), repr(schema))
    hit = _KERNELS.get(key)
    if hit is None:
        hit = _KERNELS[key] = generate(node, schema)
    return hit


_KERNELS: dict[tuple, CudaKernel] = {}


def _acc_init(kernel: CudaKernel, j: int, xp: Any) -> Any:
    for acc in kernel.aggs:
        if acc.count_arg == j:
            return xp.zeros(1, dtype=np.uint64)
        if acc.value_arg == j:
            if acc.value_ctype == "double":
                init = {"min": np.inf, "max": -np.inf}.get(acc.fn, 0.0)
                return xp.full(1, init, dtype=np.float64)
            if acc.value_ctype == "unsigned long long":
                init = {"min": np.iinfo(np.uint64).max}.get(acc.fn, 0)
                return xp.full(1, init, dtype=np.uint64)
            init = {"min": np.iinfo(np.int64).max, "max": np.iinfo(np.int64).min}.get(acc.fn, 0)
            return xp.full(1, init, dtype=np.int64)
    raise Unsupported("an accumulator without an aggregate")  # pragma: no cover


def _reduce_result(kernel: CudaKernel, bufs: Mapping[int, Any], be: Backend,
                   dicts: Mapping[str, pa.Array]) -> DeviceTable:
    arrays = {}
    for acc in kernel.aggs:
        count = int(be.asnumpy(bufs[acc.count_arg])[0]) if acc.count_arg is not None else None
        value = be.asnumpy(bufs[acc.value_arg])[0] if acc.value_arg is not None else None
        t = to_arrow(acc.type)
        if acc.fn in ("count", "size"):
            out: Any = count
        elif acc.fn == "sum":
            out = float(value) if acc.value_ctype == "double" else int(np.int64(np.uint64(value).view(np.int64)))
        elif acc.fn == "mean":
            out = None if not count else float(value) / count
        else:  # min / max
            if not count:
                out = None
            elif acc.value_ctype == "double":
                out = float(value)
            else:
                out = int(value)
        if isinstance(out, float) and math.isnan(out):
            out = None
        if out is not None and acc.type == "bool":
            out = bool(out)
        if acc.type == "string":
            out = None if out is None else dicts[acc.name][int(out)].as_py()
            arrays[acc.name] = pa.array([out], pa.string())
        elif out is not None and acc.type == "date32":
            arrays[acc.name] = pa.array([out], pa.int32()).cast(t)
        elif out is not None and acc.type.startswith("timestamp"):
            arrays[acc.name] = pa.array([out], pa.int64()).cast(t)
        else:
            arrays[acc.name] = pa.array([out], type=t)
    return to_device(pa.table(arrays), [{"name": a.name, "type": a.type} for a in kernel.aggs], be)


# =============================================================================================
# relational operators from array primitives


def _conform_column(c: DeviceColumn, t: str, xp: Any) -> DeviceColumn:
    if c.type == t or (t == "string" and c.type == "string"):
        return c
    if c.type == "string" or t == "string":
        raise Unsupported(f"a {c.type} column where {t} is expected")
    if t == "bool":
        return DeviceColumn(c.values != 0, c.valid, t)
    if _is_float(c.type) and _is_int(t):
        raise Unsupported(f"a {c.type} column where {t} is expected")
    return DeviceColumn(c.values.astype(_np_dtype(t)), c.valid, t)


_SCATTER: dict[str, Any] = {}


def _bincount(g: Any, length: int, xp: Any, weights: Any = None) -> Any:
    """Per-code counts (int64) or sums of ``weights`` (float64) of codes ``g`` in [0, length).

    On CuPy: one atomic add per row (float64 and 64-bit counters), empty input allowed.
    """
    if xp is np:
        if weights is None:
            return np.bincount(g, minlength=length)[:length].astype(np.int64)
        return np.bincount(g, weights=weights, minlength=length)[:length].astype(np.float64)
    if not _SCATTER:
        _SCATTER["count"] = xp.ElementwiseKernel("int64 g", "raw uint64 out", "atomicAdd(&out[g], 1ULL)", "cylonc_count")
        _SCATTER["sum"] = xp.ElementwiseKernel("int64 g, float64 w", "raw float64 out", "atomicAdd(&out[g], w)", "cylonc_wsum")
    g = g.astype(np.int64, copy=False)
    if weights is None:
        out = xp.zeros(max(length, 1), dtype=np.uint64)
        if int(g.shape[0]):
            _SCATTER["count"](g, out)
        return out[:length].astype(np.int64)
    out = xp.zeros(max(length, 1), dtype=np.float64)
    if int(g.shape[0]):
        _SCATTER["sum"](g, weights.astype(np.float64, copy=False), out)
    return out[:length]


def _stable_argsort(codes: Any, xp: Any) -> Any:
    """A stable argsort of non-negative integer codes (ties broken by position)."""
    n = int(codes.shape[0])
    if n < 2:
        return xp.arange(n, dtype=np.int64)
    return xp.argsort(codes.astype(np.int64) * n + xp.arange(n, dtype=np.int64))


def _rank_codes(c: DeviceColumn, xp: Any) -> tuple[Any, int]:
    """Order-preserving codes of a column's values: equal values, equal codes; NaN after every
    value, null after NaN. Returns the codes and their bound (codes < bound)."""
    v = c.values
    n = int(v.shape[0])
    if n == 0:
        return xp.zeros(0, dtype=np.int64), 2
    special = None
    nan = None
    if v.dtype.kind == "f":
        nan = xp.isnan(v)
        v = xp.where(nan, 0, v) + 0.0  # -0.0 and 0.0 are one value
    elif v.dtype == np.bool_:
        v = v.astype(np.int8)
    _, inv = xp.unique(v, return_inverse=True)
    codes = inv.reshape(-1).astype(np.int64)
    k = int(codes.max()) + 1 if n else 0
    if nan is not None:
        codes = xp.where(nan, k, codes)
        special = nan
    if c.valid is not None:
        codes = xp.where(c.valid, codes, k + 1)
    del special
    return codes, k + 2


def _group_codes(cols: Sequence[DeviceColumn], xp: Any, n: int) -> tuple[Any, int]:
    """Dense codes of composite keys, ascending in key order (nulls last): equal keys share a
    code. Returns the codes and the number of distinct keys."""
    code = None
    card = 1
    for c in cols:
        r, k = _rank_codes(c, xp)
        code = r if code is None else code * k + r
        uniq, inv = xp.unique(code, return_inverse=True)
        code, card = inv.reshape(-1).astype(np.int64), int(uniq.shape[0])
    if code is None:
        return xp.zeros(n, dtype=np.int64), 1 if n else 0
    return code, card


def _segments(g: Any, groups: int, xp: Any) -> tuple[Any, Any, Any]:
    """Rows ordered by group (stable) and each group's [start, end) in that order."""
    order = _stable_argsort(g, xp)
    gs = g[order]
    ids = xp.arange(groups, dtype=np.int64)
    return order, xp.searchsorted(gs, ids, side="left"), xp.searchsorted(gs, ids, side="right")


def _agg(fn: str, c: DeviceColumn | None, g: Any, groups: int, out_t: str, be: Backend) -> DeviceColumn:
    xp = be.xp
    n = int(g.shape[0])
    if fn == "size":
        return DeviceColumn(_bincount(g, groups, xp), None, "int64")
    assert c is not None
    valid = c.mask(xp)
    if fn == "count":
        return DeviceColumn(_bincount(g[valid], groups, xp), None, "int64")
    if fn == "nunique":
        r, k = _rank_codes(c, xp)
        pairs = xp.unique(g[valid] * k + r[valid])
        return DeviceColumn(_bincount(pairs // k, groups, xp), None, "int64")
    if fn in ("first", "last", "min", "max"):
        rows = xp.flatnonzero(valid)
        if fn in ("min", "max"):
            if c.type == "string" or c.values.dtype.kind != "f":
                pass
            else:
                rows = rows[~xp.isnan(c.values[rows])]
            sub = DeviceColumn(c.values[rows], None, c.type, c.dictionary)
            r, k = _rank_codes(sub, xp)
            order = _stable_argsort(g[rows] * k + r, xp)
        else:
            order = _stable_argsort(g[rows], xp)
        gs = g[rows][order]
        ids = xp.arange(groups, dtype=np.int64)
        start, end = xp.searchsorted(gs, ids, side="left"), xp.searchsorted(gs, ids, side="right")
        empty = start == end
        pick = start if fn in ("first", "min") else end - 1
        pick = xp.where(empty, 0, pick)
        idx = rows[order][pick] if int(rows.shape[0]) else xp.zeros(groups, dtype=np.int64)
        out = c.take(idx, xp, missing=empty)
        if out.values.dtype.kind == "f":
            out.valid = out.mask(xp) & ~xp.isnan(out.values)
        return _conform_column(out, out_t, xp)
    if c.type == "string":
        raise Unsupported(f"'{fn}' of a string column")
    vals = c.values.astype(np.float64) if c.values.dtype.kind == "f" or fn != "sum" else c.values.astype(np.int64)
    if fn == "sum" and vals.dtype == np.int64:
        order, start, end = _segments(g, groups, xp)
        cs = xp.concatenate([xp.zeros(1, dtype=np.int64), xp.cumsum(xp.where(valid, vals, 0)[order])])
        return _conform_column(DeviceColumn(cs[end] - cs[start], None, "int64"), out_t, xp)
    w = xp.where(valid, vals, 0.0)
    total = _bincount(g, groups, xp, weights=w)
    cnt = _bincount(g[valid], groups, xp).astype(np.float64)
    if fn == "sum":
        out = total
        ok = ~xp.isnan(out)
    elif fn == "mean":
        with np.errstate(all="ignore"):
            out = total / xp.maximum(cnt, 1)
        ok = (cnt > 0) & ~xp.isnan(out)
    elif fn in ("std", "var"):
        with np.errstate(all="ignore"):
            mean = total / xp.maximum(cnt, 1)
            dev = xp.where(valid, (vals - mean[g]) ** 2, 0.0)
            m2 = _bincount(g, groups, xp, weights=dev)
            out = m2 / xp.maximum(cnt - 1, 1)
            if fn == "std":
                out = xp.sqrt(out)
        ok = (cnt > 1) & ~xp.isnan(out)
    else:
        raise Unsupported(f"aggregate '{fn}' on the GPU")
    return _conform_column(DeviceColumn(xp.where(ok, out, 0.0), ok, "float64"), out_t, xp)


def aggregate(table: DeviceTable, keys: Sequence[str], aggs: Sequence[Mapping],
              schema: Sequence[Mapping]) -> DeviceTable:
    """Group by ``keys`` (null keys dropped), aggregate, sorted by the keys (PLAN.md)."""
    be = table.backend
    xp = be.xp
    types = {f["name"]: f["type"] for f in schema}
    cols = table.columns
    if keys:
        ok = None
        for k in keys:
            if cols[k].valid is not None:
                ok = cols[k].valid if ok is None else (ok & cols[k].valid)
        if ok is not None:
            idx = xp.flatnonzero(ok)
            cols = {n: c.take(idx, xp) for n, c in cols.items()}
            n = int(idx.shape[0])
        else:
            n = table.num_rows
        g, groups = _group_codes([cols[k] for k in keys], xp, n)
        order, start, _ = _segments(g, groups, xp)
        first = order[start] if n else xp.zeros(0, dtype=np.int64)
        out = {k: _conform_column(cols[k].take(first, xp), types[k], xp) for k in keys}
    else:
        n = table.num_rows
        g, groups = xp.zeros(n, dtype=np.int64), 1
        out = {}
    for a in aggs:
        col = cols[a["column"]] if a.get("column") else None
        out[a["name"]] = _agg(a["fn"], col, g, groups, types[a["name"]], be)
    return DeviceTable(out, groups, be)


def sort(table: DeviceTable, keys: Sequence[str], ascending: Sequence[bool]) -> DeviceTable:
    """Stable sort by ``keys``; nulls (and NaN) last whatever the direction."""
    be = table.backend
    xp = be.xp
    n = table.num_rows
    if n < 2 or not keys:
        return table
    perm = xp.arange(n, dtype=np.int64)
    for k, asc in reversed(list(zip(keys, ascending))):
        r, bound = _rank_codes(table.columns[k], xp)
        if not asc:
            top = bound - 2
            r = xp.where(r < top, top - 1 - r, r)
        perm = perm[_stable_argsort(r[perm], xp)]
    return DeviceTable({name: c.take(perm, xp) for name, c in table.columns.items()}, n, be)


def distinct(table: DeviceTable, subset: Sequence[str] | None) -> DeviceTable:
    """Drop duplicate rows over ``subset`` keeping the first; nulls equal nulls."""
    be = table.backend
    xp = be.xp
    cols = list(subset) if subset is not None else list(table.columns)
    n = table.num_rows
    if n < 2 or not cols:
        if cols or n < 2:
            return table
        idx = xp.arange(1, dtype=np.int64)
    else:
        g, groups = _group_codes([table.columns[c] for c in cols], xp, n)
        order, start, _ = _segments(g, groups, xp)
        idx = xp.sort(order[start])
    return DeviceTable({name: c.take(idx, xp) for name, c in table.columns.items()}, int(idx.shape[0]), be)


def limit(table: DeviceTable, n: int) -> DeviceTable:
    """The first ``n`` rows (a negative ``n`` drops the last ``-n``)."""
    rows = table.num_rows
    n = max(rows + n, 0) if n < 0 else min(n, rows)
    cols = {name: DeviceColumn(c.values[:n], None if c.valid is None else c.valid[:n], c.type, c.dictionary)
            for name, c in table.columns.items()}
    return DeviceTable(cols, n, table.backend)


def _merge_dictionaries(cols: Sequence[DeviceColumn], be: Backend) -> tuple[list[Any], pa.Array]:
    """String columns recoded into one sorted dictionary: their new codes and the dictionary."""
    dicts = [c.dictionary if c.dictionary is not None else pa.array([], pa.string()) for c in cols]
    merged = pc.unique(pa.concat_arrays([d.cast(pa.string()) for d in dicts]))
    merged = merged.take(pc.array_sort_indices(merged))
    out = []
    for c, d in zip(cols, dicts):
        remap = pc.index_in(d.cast(pa.string()), value_set=merged).to_numpy(zero_copy_only=False)
        remap = be.asarray(np.asarray(remap, dtype=np.int32)) if len(remap) else be.xp.zeros(1, dtype=np.int32)
        out.append(remap[c.values] if len(c) else c.values)
    return out, merged


def _unify_keys(a: DeviceColumn, b: DeviceColumn, be: Backend) -> tuple[DeviceColumn, DeviceColumn]:
    if a.type == "string" and b.type == "string":
        (ca, cb), merged = _merge_dictionaries([a, b], be)
        return DeviceColumn(ca, a.valid, "string", merged), DeviceColumn(cb, b.valid, "string", merged)
    if a.type == b.type:
        return a, b
    if _is_numeric(a.type) and _is_numeric(b.type):
        t = "float64" if (_is_float(a.type) or _is_float(b.type)) else "int64"
        return (DeviceColumn(a.values.astype(_np_dtype(t)), a.valid, t),
                DeviceColumn(b.values.astype(_np_dtype(t)), b.valid, t))
    raise Unsupported(f"join keys of types {a.type} and {b.type}")


def _concat(a: DeviceColumn, b: DeviceColumn, xp: Any) -> DeviceColumn:
    valid = None
    if a.valid is not None or b.valid is not None:
        valid = xp.concatenate([a.mask(xp), b.mask(xp)])
    return DeviceColumn(xp.concatenate([a.values, b.values]), valid, a.type, a.dictionary)


def _expand(lc: Any, rc: Any, card: int, keep_unmatched: bool, xp: Any) -> tuple[Any, Any]:
    """Match pairs in left order, each left row's matches in right order (-1: no right row)."""
    n, m = int(lc.shape[0]), int(rc.shape[0])
    counts = _bincount(rc, card, xp)
    starts = xp.cumsum(counts) - counts
    order = _stable_argsort(rc, xp)
    cnt = counts[lc] if n else xp.zeros(0, dtype=np.int64)
    per_row = xp.maximum(cnt, 1) if keep_unmatched else cnt
    ends = xp.cumsum(per_row)
    total = int(ends[-1]) if n else 0
    out = xp.arange(total, dtype=np.int64)
    li = xp.searchsorted(ends, out, side="right").astype(np.int64)
    if m == 0 or total == 0:
        return li, xp.full(total, -1, dtype=np.int64)
    offs = out - (ends - per_row)[li]
    pos = starts[lc][li] + offs
    ri = order[xp.minimum(pos, m - 1)]
    if keep_unmatched:
        ri = xp.where((cnt == 0)[li], -1, ri)
    return li, ri.astype(np.int64)


def join(left: DeviceTable, right: DeviceTable, node: Mapping) -> DeviceTable:
    """A join with pandas ``merge`` semantics and the row order of PLAN.md (sort-based)."""
    be = left.backend
    xp = be.xp
    how = node["how"]
    n, m = left.num_rows, right.num_rows
    lkeys, rkeys = [], []
    for a, b in zip(node["left_on"], node["right_on"]):
        ka, kb = _unify_keys(left.columns[a], right.columns[b], be)
        lkeys.append(ka)
        rkeys.append(kb)
    code, card = _group_codes([_concat(a, b, xp) for a, b in zip(lkeys, rkeys)], xp, n + m)
    lc, rc = code[:n], code[n:]
    if how in ("semi", "anti", "left_anti"):
        hit = _bincount(rc, card, xp)[lc] > 0
        li = xp.flatnonzero(hit if how == "semi" else ~hit).astype(np.int64)
        ri = xp.full(int(li.shape[0]), -1, dtype=np.int64)
    elif how == "right_anti":
        hit = _bincount(lc, card, xp)[rc] > 0
        ri = xp.flatnonzero(~hit).astype(np.int64)
        li = xp.full(int(ri.shape[0]), -1, dtype=np.int64)
    elif how == "right":
        ri, li = _expand(rc, lc, card, True, xp)
    else:
        li, ri = _expand(lc, rc, card, how in ("left", "outer"), xp)
        if how == "outer":
            seen = _bincount(lc, card, xp)[rc] > 0
            extra = xp.flatnonzero(~seen).astype(np.int64)
            li = xp.concatenate([li, xp.full(int(extra.shape[0]), -1, dtype=np.int64)])
            ri = xp.concatenate([ri, extra])
            if int(li.shape[0]) > 1:
                merged = xp.where(li >= 0, lc[xp.maximum(li, 0)] if n else 0, rc[xp.maximum(ri, 0)] if m else 0)
                perm = _stable_argsort(merged, xp)
                li, ri = li[perm], ri[perm]
    lmiss, rmiss = li < 0, ri < 0
    lsafe, rsafe = xp.maximum(li, 0), xp.maximum(ri, 0)
    types = {f["name"]: f["type"] for f in node["schema"]}
    out = {}
    for c in node["columns"]:
        frm, name = c["from"], c["name"]
        if frm == "left":
            col = left.columns[c["src"]].take(lsafe, xp, lmiss)
        elif frm == "right":
            col = right.columns[c["src"]].take(rsafe, xp, rmiss)
        else:
            pos = node["left_on"].index(c["src"]) if c["src"] in node["left_on"] else None
            rsrc = c.get("right_src", c["src"])
            if pos is not None and node["right_on"][pos] == rsrc:
                lk, rk = lkeys[pos], rkeys[pos]
            else:
                lk, rk = _unify_keys(left.columns[c["src"]], right.columns[rsrc], be)
            if how in ("right", "right_anti"):
                col = right.columns[rsrc].take(rsafe, xp, rmiss)
            elif how == "outer":
                a, b = lk.take(lsafe, xp, lmiss), rk.take(rsafe, xp, rmiss)
                am = a.mask(xp)
                valid = am | b.mask(xp)
                col = DeviceColumn(xp.where(am, a.values, b.values), valid, a.type, a.dictionary)
            else:
                col = left.columns[c["src"]].take(lsafe, xp, lmiss)
        out[name] = _conform_column(col, types[name], xp)
    return DeviceTable(out, int(li.shape[0]), be)


def union(tables: Sequence[DeviceTable], schema: Sequence[Mapping], be: Backend) -> DeviceTable:
    """Concatenate rows, each table conformed to ``schema`` by name (missing -> nulls)."""
    xp = be.xp
    out = {}
    total = sum(t.num_rows for t in tables)
    for f in schema:
        name, t = f["name"], f["type"]
        parts = []
        for tb in tables:
            c = tb.columns.get(name)
            if c is None:
                dtype = _np_dtype(t)
                c = DeviceColumn(xp.zeros(tb.num_rows, dtype=dtype), xp.zeros(tb.num_rows, dtype=bool), t,
                                 pa.array([], pa.string()) if t == "string" else None)
            parts.append(c)
        if t == "string":
            codes, merged = _merge_dictionaries(parts, be)
            parts = [DeviceColumn(cd, p.valid, "string", merged) for cd, p in zip(codes, parts)]
        else:
            parts = [_conform_column(p, t, xp) for p in parts]
        valid = None
        if any(p.valid is not None for p in parts):
            valid = xp.concatenate([p.mask(xp) for p in parts])
        out[name] = DeviceColumn(xp.concatenate([p.values for p in parts]), valid, t, parts[0].dictionary if parts else None)
    return DeviceTable(out, total, be)


# =============================================================================================
# plan nodes


_NOTED: set[tuple[str, str]] = set()


def note_fallback(node: Mapping, exc: Exception) -> None:
    """Warn once per kind of node and reason that a GPU node runs on Arrow instead."""
    import warnings

    key = (str(node.get("op")), str(exc))
    if key not in _NOTED:
        _NOTED.add(key)
        warnings.warn(f"cylonc: GPU node {node.get('id')} ({node.get('op')}) runs on Arrow on the host: {exc}",
                      RuntimeWarning, stacklevel=3)


DEVICE_OPS = frozenset({"fused", "filter", "assign", "project", "rename", "join", "aggregate", "reduce",
                        "sort", "limit", "distinct", "union"})
"""Plan ops this module runs on the device (others run on the host)."""


def run_node(node: Mapping, get: Callable[[Any], Any], scalars: Mapping, be: Backend) -> DeviceTable:
    """Run one GPU-placed plan node.

    Parameters
    ----------
    node : dict
        The plan node (its ``op`` in :data:`DEVICE_OPS`).
    get : callable
        Node id -> the value it computed (a :class:`DeviceTable`; an Arrow table is copied).
    scalars : dict
        Scalar node values by id (``pyarrow.Scalar``), for expressions.
    be : Backend

    Raises
    ------
    Unsupported
        The node cannot run on the device (the caller runs it on Arrow instead).
    """
    op = node["op"]

    def table(ref: Any) -> DeviceTable:
        v = get(ref)
        return v if isinstance(v, DeviceTable) else to_device(v, None, be)

    if op not in DEVICE_OPS:
        raise Unsupported(f"'{op}' has no GPU kernel")
    if op == "join":
        out = join(table(node["left"]), table(node["right"]), node)
    elif op == "union":
        out = union([table(i) for i in node["inputs"]], node["schema"], be)
    else:
        t = table(node["input"])
        if op == "fused":
            out = _run_chain(node, t, scalars, be)
        elif op in ("filter", "assign"):
            out = run_kernel(node, t, scalars, be)
        elif op == "project":
            out = DeviceTable({c: t.columns[c] for c in node["columns"]}, t.num_rows, be)
        elif op == "rename":
            mapping = node["mapping"]
            out = DeviceTable({mapping.get(k, k): c for k, c in t.columns.items()}, t.num_rows, be)
        elif op == "aggregate":
            out = aggregate(t, node["keys"], node["aggs"], node["schema"])
        elif op == "reduce":
            out = aggregate(t, [], node["aggs"], node["schema"])
        elif op == "sort":
            out = sort(t, node["keys"], node.get("ascending", [True] * len(node["keys"])))
        elif op == "limit":
            out = limit(t, int(node["n"]))
        else:
            out = distinct(t, node.get("subset"))
    STATS["nodes"] += 1
    types = {f["name"]: f["type"] for f in node.get("schema", ())}
    cols = {}
    for name in types or out.columns:
        if name not in out.columns:
            raise Unsupported(f"the device result lacks column '{name}'")
        cols[name] = _conform_column(out.columns[name], types.get(name, out.columns[name].type), be.xp)
    return DeviceTable(cols, out.num_rows, be)
