"""Loader and wrappers for cylonc's optional native relational kernels (``runtime/native``).

The top-level ``CMakeLists.txt`` builds ``libcylonc_native`` (C++17, a plain C ABI) into
``cylonc/runtime/native/`` when a C++ compiler is present; this module loads it with ctypes.
Everything here works on int64 keys given as Arrow arrays (values buffer + validity bitmap,
offsets applied, no copies) or numpy arrays. When the library is missing, stale, or disabled
(``CYLONC_NATIVE=0``), `get()` returns None and the callers in `arrow.py` use their
Arrow/numpy path; a native call that fails (e.g. out of memory) raises `NativeError`, which
the callers also turn into that fallback.

Environment: ``CYLONC_NATIVE=0`` disables the library; ``CYLONC_NATIVE_LIB`` names a library
file to load instead of the installed one; ``CYLONC_NATIVE_THREADS`` overrides the thread
count (default: ``pyarrow.cpu_count()``); ``CYLONC_NATIVE_CACHE_MB`` bounds the scratch memory
kept between calls (default 1024; `release_memory()` hands it back).
"""

from __future__ import annotations

import ctypes
import importlib
import os
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa

__all__ = [
    "ABI_VERSION",
    "NativeError",
    "KeySet",
    "Selection",
    "argsort",
    "available",
    "dense_codes",
    "flat",
    "gather",
    "gather_column",
    "gatherable",
    "get",
    "group_agg",
    "group_ids",
    "hash_partition",
    "join",
    "join_counts",
    "key_filter",
    "key_stats",
    "pack_strings",
    "release_memory",
    "reset",
    "threads",
]

ABI_VERSION = 7
F64, I64 = 0, 1
SUM, MIN, MAX, COUNT, FIRST, LAST, SUMF = range(7)

_P = ctypes.c_void_p
_I64 = ctypes.c_int64
_INT = ctypes.c_int
_SIGNATURES = {
    "cyl_abi_version": (_INT, []),
    "cyl_cached_bytes": (_I64, []),
    "cyl_release_memory": (None, []),
    "cyl_set_cache_limit": (None, [_I64]),
    "cyl_join_new": (_P, [_P, _P, _I64, _I64, _P, _P, _I64, _I64, _INT]),
    "cyl_join_size": (_I64, [_P, _INT]),
    "cyl_join_fill": (_INT, [_P, _INT, _P, _P]),
    "cyl_join_counts": (_INT, [_P, _P]),
    "cyl_join_free": (None, [_P]),
    "cyl_group_ids": (_I64, [_P, _P, _I64, _I64, _INT, _P, _P]),
    "cyl_dense_codes": (_INT, [_INT, _P, _P, _P, _P, _P, _P, _I64, _INT, _P, _P]),
    "cyl_key_stats": (_INT, [_P, _P, _I64, _I64, _INT, _P]),
    "cyl_group_agg": (_INT, [_INT, _INT, _P, _I64, _P, _P, _I64, _I64, _INT, _P, _P]),
    "cyl_argsort": (_INT, [_INT, _P, _P, _I64, _I64, _INT, _INT, _P]),
    "cyl_gather": (_INT, [_INT, _P, _P, _I64, _INT, _P]),
    "cyl_gather_chunks": (_INT, [_INT, _I64, _P, _P, _P, _I64, _INT, _P]),
    "cyl_hash_partition": (_INT, [_P, _P, _I64, _I64, _I64, _INT, _P, _P]),
    "cyl_key_filter_new": (_P, [_P, _P, _I64, _I64, _INT]),
    "cyl_key_filter_free": (None, [_P]),
    "cyl_key_filter_and": (_INT, [_P, _P, _P, _I64, _I64, _P, _P]),
    "cyl_key_filter_rows": (_I64, [_P, _I64, _P, _P, _P, _P, _INT, _P]),
    "cyl_compact": (_I64, [_INT, _P, _P, _I64, _P]),
    "cyl_select_indices": (_I64, [_P, _I64, _P]),
    "cyl_pack_strings": (_INT, [_INT, _P, _P, _P, _I64, _I64, _INT, _P]),
}

_UNSET = object()
_lib: object = _UNSET


class NativeError(RuntimeError):
    """A native kernel reported failure (the caller falls back to Arrow)."""


def _libname() -> str:
    if sys.platform == "darwin":
        return "libcylonc_native.dylib"
    if sys.platform == "win32":
        return "cylonc_native.dll"
    return "libcylonc_native.so"


def _candidates() -> list[Path]:
    explicit = os.environ.get("CYLONC_NATIVE_LIB")
    if explicit:
        return [Path(explicit)]
    runtime = importlib.import_module(__package__.rpartition(".")[0])
    return [Path(p) / "native" / _libname() for p in getattr(runtime, "__path__", ())]


def _load() -> ctypes.CDLL | None:
    if os.environ.get("CYLONC_NATIVE", "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    for path in _candidates():
        if not path.is_file():
            continue
        try:
            lib = ctypes.CDLL(str(path))
            for name, (res, args) in _SIGNATURES.items():
                fn = getattr(lib, name)
                fn.restype = res
                fn.argtypes = args
            if lib.cyl_abi_version() != ABI_VERSION:
                continue
        except (OSError, AttributeError):
            continue
        cache_mb = os.environ.get("CYLONC_NATIVE_CACHE_MB")
        if cache_mb:
            try:
                lib.cyl_set_cache_limit(int(float(cache_mb) * 2**20))
            except ValueError:
                pass
        return lib
    return None


def get() -> ctypes.CDLL | None:
    """The loaded library, or None when it is not installed / disabled (loaded once)."""
    global _lib
    if _lib is _UNSET:
        _lib = _load()
    return _lib  # type: ignore[return-value]


def reset() -> None:
    """Forget the loaded library so that the next `get()` looks again (tests, env changes)."""
    global _lib
    _lib = _UNSET


def _require() -> ctypes.CDLL:
    lib = get()
    if lib is None:
        raise NativeError("the native library is not available")
    return lib


def available() -> bool:
    """Whether the native kernels can be used."""
    return get() is not None


def release_memory() -> int:
    """Hand the scratch blocks the native kernels keep between calls back to the system.

    Returns the number of bytes that were held (0 without the library).
    """
    lib = get()
    if lib is None:
        return 0
    held = int(lib.cyl_cached_bytes())
    lib.cyl_release_memory()
    return held


def threads() -> int:
    """Worker threads per native call: ``CYLONC_NATIVE_THREADS`` or Arrow's CPU count."""
    env = os.environ.get("CYLONC_NATIVE_THREADS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            pass
    return max(1, min(pa.cpu_count(), 64))


# --- argument helpers --------------------------------------------------------------------------

def flat(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous Arrow array (a single chunk as is; several are combined)."""
    if isinstance(arr, pa.ChunkedArray):
        if arr.num_chunks == 1:
            return arr.chunk(0)
        if arr.num_chunks == 0:
            return pa.array([], type=arr.type)
        return arr.combine_chunks()
    return arr


def _pooled(n: int, dtype) -> np.ndarray:
    """An uninitialised numpy array in Arrow's memory pool (which keeps freed pages for the
    next allocation, where fresh ones would fault on first write)."""
    dtype = np.dtype(dtype)
    return np.frombuffer(pa.allocate_buffer(max(n, 1) * dtype.itemsize), dtype=dtype, count=n)


def _fixed(arr: pa.Array) -> tuple[int, int, int]:
    """(values address, validity address or 0, bit offset) of a fixed-width Arrow array."""
    bufs = arr.buffers()
    width = arr.type.bit_width // 8
    data = bufs[1].address + arr.offset * width if len(arr) else 0
    valid = bufs[0].address if (arr.null_count and bufs[0] is not None) else 0
    return data, valid, arr.offset


def _abi_arrays(arrs: list[pa.Array]) -> tuple[ctypes.Array, ctypes.Array, np.ndarray, np.ndarray]:
    """Fixed-width arrays (a column's chunks, or several columns) as the C ABI takes them: their
    value addresses and validity addresses (ctypes arrays; 0: no nulls), validity bit offsets,
    and each one's first row counting on from the previous ones (with the total at the end)."""
    fixed = [_fixed(a) for a in arrs]
    data = (ctypes.c_void_p * len(arrs))(*[f[0] for f in fixed])
    valid = (ctypes.c_void_p * len(arrs))(*[f[1] for f in fixed])
    voff = np.array([f[2] for f in fixed], dtype=np.int64)
    starts = np.zeros(len(arrs) + 1, dtype=np.int64)
    np.cumsum([len(a) for a in arrs], out=starts[1:])
    return data, valid, voff, starts


def _ptr(a: np.ndarray | None) -> int:
    return 0 if a is None else a.ctypes.data


def _check(rc: int, what: str) -> None:
    if rc < 0:
        raise NativeError(f"native {what} failed")


# --- kernels -----------------------------------------------------------------------------------

class _JoinHandle:
    def __init__(self, lib, left: pa.Array, right: pa.Array):
        self.lib = lib
        self.n, self.m = len(left), len(right)
        ld, lv, lo = _fixed(left)
        rd, rv, ro = _fixed(right)
        self.h = lib.cyl_join_new(ld, lv, lo, self.n, rd, rv, ro, self.m, threads())
        if not self.h:
            raise NativeError("native join failed")

    def pairs(self, keep_unmatched: bool) -> tuple[np.ndarray, np.ndarray]:
        total = self.lib.cyl_join_size(self.h, int(keep_unmatched))
        _check(total, "join")
        li = _pooled(total, np.int64)
        ri = _pooled(total, np.int64)
        _check(self.lib.cyl_join_fill(self.h, int(keep_unmatched), _ptr(li), _ptr(ri)), "join")
        return li, ri

    def counts(self) -> np.ndarray:
        out = _pooled(self.n, np.int64)
        _check(self.lib.cyl_join_counts(self.h, _ptr(out)), "join")
        return out

    def close(self) -> None:
        if self.h:
            self.lib.cyl_join_free(self.h)
            self.h = None


def _int64(a) -> pa.Array:
    a = flat(a) if not isinstance(a, np.ndarray) else pa.array(a, type=pa.int64())
    if a.type != pa.int64():
        raise TypeError(f"native kernels take int64 keys, got {a.type}")
    return a


def join(left, right, keep_unmatched: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Match pairs of an equi-join on int64 keys, null keys equal to null keys.

    Parameters
    ----------
    left, right : pyarrow.Array, pyarrow.ChunkedArray or numpy.ndarray of int64
    keep_unmatched : bool
        Keep each left row without a match once, with right index -1 (a left join).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Left and right row indices (int64): left rows in order, each one's matches in right
        order.
    """
    lib = _require()
    h = _JoinHandle(lib, _int64(left), _int64(right))
    try:
        return h.pairs(keep_unmatched)
    finally:
        h.close()


def join_counts(left, right) -> np.ndarray:
    """Number of right rows matching each left row (int64 keys, null equals null)."""
    lib = _require()
    h = _JoinHandle(lib, _int64(left), _int64(right))
    try:
        return h.counts()
    finally:
        h.close()


def group_ids(keys) -> tuple[np.ndarray, np.ndarray]:
    """Dense group ids of int64 keys; null keys get -1.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Per-row group id, and the first row of each group (its length is the group count).
        Ids are not in any particular order.
    """
    lib = _require()
    a = _int64(keys)
    n = len(a)
    gid = _pooled(n, np.int64)
    first = _pooled(n, np.int64)
    data, valid, off = _fixed(a)
    g = lib.cyl_group_ids(data, valid, off, n, threads(), _ptr(gid), _ptr(first))
    _check(g, "group-by")
    return gid, first[:g].copy() if g < n // 2 else first[:g]


def key_stats(keys) -> tuple[int, int, int, int]:
    """Of the valid int64 keys: min, max, the number of low bits they all share, and their
    count (all 0 when none)."""
    lib = _require()
    a = _int64(keys)
    out = np.zeros(4, dtype=np.int64)
    data, valid, off = _fixed(a)
    _check(lib.cyl_key_stats(data, valid, off, len(a), threads(), _ptr(out)), "key stats")
    return int(out[0]), int(out[1]), int(out[2]), int(out[3])


def dense_codes(keys: list, lo: list[int], shift: list[int], radix: list[int]
                ) -> tuple[np.ndarray, np.ndarray]:
    """Group codes of rows by int64 keys of small ranges (key j's offsets
    ``(v - lo[j]) >> shift[j]`` below ``radix[j]``): the mixed-radix number of the offsets, -1
    where a key is null; and the first row of each of the ``prod(radix)`` codes (-1 for codes
    without rows)."""
    lib = _require()
    arrs = [_int64(k) for k in keys]
    n, k = len(arrs[0]), len(arrs)
    data, valid, voff, _ = _abi_arrays(arrs)
    lo_a, shift_a, radix_a = (np.array(x, dtype=np.int64) for x in (lo, shift, radix))
    code = _pooled(n, np.int64)
    first = np.empty(int(np.prod(radix_a)), dtype=np.int64)
    _check(lib.cyl_dense_codes(k, ctypes.addressof(data), ctypes.addressof(valid), _ptr(voff),
                               _ptr(lo_a), _ptr(shift_a), _ptr(radix_a), n, threads(), _ptr(code),
                               _ptr(first)), "group codes")
    return code, first


_DTYPES = {pa.float64(): (F64, np.float64), pa.int64(): (I64, np.int64)}


def group_agg(op: int, gid: np.ndarray, ngroups: int, values: pa.Array | None = None,
              want_count: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-group ``op`` (SUM, SUMF, MIN, MAX, COUNT, FIRST, LAST) over the valid values.

    `values` is a float64 or int64 Arrow array (for COUNT / FIRST / LAST only its validity
    counts; None means all valid). SUM keeps the value type, SUMF sums int64 as float64, MIN /
    MAX skip NaN unless a group has only NaN; COUNT gives int64 counts, FIRST / LAST the row of
    the first / last valid value (-1 if none). With `want_count`, also each group's count of
    valid values.
    """
    lib = _require()
    n = len(gid)
    data, valid, off, dtype = 0, 0, 0, I64
    if values is not None:
        values = flat(values)
        if op in (COUNT, FIRST, LAST):
            if values.null_count:
                valid, off = values.buffers()[0].address, values.offset
        else:
            dtype = _DTYPES[values.type][0]
            data, valid, off = _fixed(values)
    if op in (COUNT, FIRST, LAST):
        out = np.empty(ngroups, dtype=np.int64)
    elif op == SUMF or dtype == F64:
        out = np.empty(ngroups, dtype=np.float64)
    else:
        out = np.empty(ngroups, dtype=np.int64)
    cnt = np.empty(ngroups, dtype=np.int64) if want_count else None
    rc = lib.cyl_group_agg(op, dtype, _ptr(gid), n, data, valid, off, ngroups, threads(),
                           _ptr(out), _ptr(cnt))
    _check(rc, "aggregate")
    return out, cnt


def argsort(keys, descending: bool = False) -> np.ndarray:
    """Stable argsort of an int64 or float64 array: values ascending (or descending), then NaN,
    then nulls, each in row order (Arrow ``sort_indices`` with nulls at the end)."""
    lib = _require()
    a = flat(keys) if not isinstance(keys, np.ndarray) else pa.array(keys)
    if a.type not in _DTYPES:
        raise TypeError(f"native argsort takes int64 or float64, got {a.type}")
    n = len(a)
    out = _pooled(n, np.int64)
    data, valid, off = _fixed(a)
    rc = lib.cyl_argsort(_DTYPES[a.type][0], data, valid, off, n, int(descending), threads(),
                         _ptr(out))
    _check(rc, "sort")
    return out


def pack_strings(arr) -> pa.Array | None:
    """A string or binary array whose values all have at most 7 bytes, as int64 values that
    compare (equal, less) like the strings' bytes (UTF-8: like the strings), nulls kept; None
    when a value is longer."""
    lib = _require()
    a = flat(arr)
    t = a.type
    if pa.types.is_string(t) or pa.types.is_binary(t):
        large = 0
    elif pa.types.is_large_string(t) or pa.types.is_large_binary(t):
        large = 1
    else:
        raise TypeError(f"pack_strings takes string or binary arrays, got {t}")
    n, off = len(a), a.offset
    bufs = a.buffers()
    validity = bufs[0] if a.null_count else None
    out = _pooled(off + n, np.int64)
    if n:
        rc = lib.cyl_pack_strings(large, bufs[1].address,
                                  bufs[2].address if bufs[2] is not None else 0,
                                  validity.address if validity is not None else 0, off, n,
                                  threads(), out.ctypes.data + off * 8)
        _check(rc, "string packing")
        if rc:
            return None
    return pa.Array.from_buffers(pa.int64(), n, [validity, pa.py_buffer(out)],
                                 null_count=a.null_count, offset=off)


def gather(values: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``values[idx]`` for a fixed-width numpy array (0 where idx < 0), in parallel."""
    lib = _require()
    values = np.ascontiguousarray(values)
    idx = np.ascontiguousarray(idx, dtype=np.int64)
    out = _pooled(len(idx), values.dtype)
    rc = lib.cyl_gather(values.dtype.itemsize, _ptr(values), _ptr(idx), len(idx), threads(),
                        _ptr(out))
    _check(rc, "gather")
    return out


def gatherable(t: pa.DataType) -> bool:
    """Whether `gather_column` takes columns of type `t` (fixed width, not bool)."""
    return ((pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_temporal(t))
            and t.bit_width in (8, 16, 32, 64))


def gather_column(col: pa.Array | pa.ChunkedArray, idx: np.ndarray) -> pa.Array:
    """``col.take(idx)`` for a `gatherable` column without nulls and indices >= 0 (int64), in
    parallel, straight from its chunks."""
    lib = _require()
    chunks = [c for c in (col.chunks if isinstance(col, pa.ChunkedArray) else [col]) if len(c)]
    width = col.type.bit_width // 8
    idx = np.ascontiguousarray(idx, dtype=np.int64)
    n = len(idx)
    buf = pa.allocate_buffer(max(n, 1) * width)
    if n:
        data, _, _, starts = _abi_arrays(chunks)
        _check(lib.cyl_gather_chunks(width, len(chunks), ctypes.addressof(data), _ptr(starts),
                                     _ptr(idx), n, threads(), buf.address), "gather")
    return pa.Array.from_buffers(col.type, n, [None, buf], null_count=0)


def hash_partition(keys, nparts: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows by destination rank for a shuffle on one int64 key.

    A row goes to ``hash_rows(key) % nparts`` (``runtime/kernels/distributed.py``: the same
    destination as the numpy hash, nulls alike).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Rows per destination (int64, length `nparts`), and the row numbers in destination
        order, each destination's rows in their original order.
    """
    lib = _require()
    a = _int64(keys)
    n = len(a)
    counts = np.zeros(nparts, dtype=np.int64)
    order = _pooled(n, np.int64)
    data, valid, off = _fixed(a)
    _check(lib.cyl_hash_partition(data, valid, off, n, nparts, threads(), _ptr(counts), _ptr(order)),
           "hash partition")
    return counts, order


class KeySet:
    """The set of some int64 keys (null equals null) as a native bitmap, for semi-join filters.

    ``KeySet.of(build)`` is None when the keys' range is too wide for a bitmap. Free it with
    `close` (or use it as a context manager).
    """

    def __init__(self, lib, handle: int):
        self.lib, self.h = lib, handle

    @classmethod
    def of(cls, build) -> KeySet | None:
        lib = _require()
        b = _int64(build)
        data, valid, off = _fixed(b)
        h = lib.cyl_key_filter_new(data, valid, off, len(b), threads())
        return cls(lib, h) if h else None

    def test(self, probe) -> tuple[np.ndarray, int]:
        """Which `probe` keys are in the set: a bool array and its number of true values.
        `probe` may be chunked."""
        rows = self.rows(probe)
        out = np.zeros(len(probe), dtype=np.bool_)
        out[rows] = True
        return out, len(rows)

    def rows(self, probe) -> np.ndarray:
        """The row numbers (int64, in order) of the `probe` keys in the set; `probe` may be
        chunked (tested in place)."""
        chunks = [_int64(c) for c in (probe.chunks if isinstance(probe, pa.ChunkedArray) else [probe])]
        chunks = [c for c in chunks if len(c)]
        if not chunks:
            return np.empty(0, dtype=np.int64)
        keys, valid, voff, starts = _abi_arrays(chunks)
        out = _pooled(int(starts[-1]), np.int64)
        got = self.lib.cyl_key_filter_rows(self.h, len(chunks), ctypes.addressof(keys),
                                           ctypes.addressof(valid), _ptr(voff), _ptr(starts),
                                           threads(), _ptr(out))
        _check(got, "key filter")
        return out[:got]

    def restrict(self, probe: pa.Array, sel: np.ndarray) -> int:
        """Clear ``sel[i]`` (uint8, one per `probe` row) where ``probe[i]`` is not in the set, on
        this thread; returns the rows left selected."""
        c = _int64(probe)
        hits = ctypes.c_int64(0)
        if len(c):
            data, valid, off = _fixed(c)
            _check(self.lib.cyl_key_filter_and(self.h, data, valid, off, len(c), _ptr(sel),
                                               ctypes.addressof(hits)), "key filter")
        return hits.value

    def close(self) -> None:
        if self.h:
            self.lib.cyl_key_filter_free(self.h)
            self.h = None

    def __enter__(self) -> KeySet:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def key_filter(build, probe) -> tuple[np.ndarray, int] | None:
    """Which `probe` keys are among the `build` keys (int64; null equals null): a bool array and
    its number of true values; None when the build keys' range is too wide for a bitmap.
    `probe` may be chunked (tested chunk by chunk, no copy)."""
    keys = KeySet.of(build)
    if keys is None:
        return None
    with keys:
        return keys.test(probe)


class Selection:
    """The rows where ``sel`` (uint8) is set, `count` of them, for taking them from several
    columns on this thread: sparse selections go through their row numbers (reading only the
    cache lines they need), dense ones are compacted in one pass."""

    SPARSE = 0.25

    def __init__(self, sel: np.ndarray, count: int):
        self.sel, self.count = sel, count
        self.rows = None
        if count < self.SPARSE * len(sel):
            self.rows = _pooled(len(sel), np.int64)
            if _require().cyl_select_indices(_ptr(sel), len(sel), _ptr(self.rows)) != count:
                raise NativeError("native selection failed")

    def take(self, arr: pa.Array) -> pa.Array:
        """The selected values of a `gatherable` array without nulls."""
        width = arr.type.bit_width // 8
        n = len(arr)
        lib = _require()
        buf = pa.allocate_buffer(max(n if self.rows is None else self.count, 1) * width)
        if n:
            data = arr.buffers()[1].address + arr.offset * width
            if self.rows is not None:
                _check(lib.cyl_gather(width, data, _ptr(self.rows), self.count, 1, buf.address), "gather")
            elif lib.cyl_compact(width, data, _ptr(self.sel), n, buf.address) != self.count:
                raise NativeError("native compaction failed")
        return pa.Array.from_buffers(arr.type, self.count, [None, buf], null_count=0)
