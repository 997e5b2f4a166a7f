"""Native fused kernels: run a compiled kernel over the Arrow buffers of a table, without copies.

A ``fused`` plan node (``runtime/PLAN.md``) names a kernel symbol and carries its ABI: the list
of 1-D memref arguments the kernel takes. The caller of ``execute`` supplies the compiled
kernels (``kernels={symbol: callable}``, the way it supplies UDFs); a kernel is a callable
taking one memref descriptor address per ABI argument. This module builds those descriptors
over the Arrow buffers of each record batch (values, validity bitmaps; offsets applied), calls
the kernel, and assembles its outputs (a selection, computed columns, or aggregate
accumulators) into the node's result. It knows nothing of MLIR or of the compiler.
"""

from __future__ import annotations

import ctypes
import math
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..types import schema_to_arrow, to_arrow
from . import arrow as K
from . import native_lib as _native

__all__ = ["MemRef", "STATS", "load_kernels", "run_fused"]

STATS = {"calls": 0, "nodes": 0, "fallbacks": 0}
"""Kernel invocations (one per record batch), fused nodes run natively, and fused nodes that
had a kernel but ran on Arrow (data the kernel cannot take, e.g. nulls in a column compiled
as never null)."""


class MemRef(ctypes.Structure):
    """A 1-D MLIR memref descriptor: ``{allocated, aligned, offset, size, stride}``."""

    _fields_ = [
        ("allocated", ctypes.c_void_p),
        ("aligned", ctypes.c_void_p),
        ("offset", ctypes.c_int64),
        ("size", ctypes.c_int64),
        ("stride", ctypes.c_int64),
    ]


_NUMPY = {
    "bool": np.uint8,
    "int8": np.int8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "uint8": np.uint8,
    "uint16": np.uint16,
    "uint32": np.uint32,
    "uint64": np.uint64,
    "float32": np.float32,
    "float64": np.float64,
    "date32": np.int32,
}


def load_kernels(path: str, symbols: Mapping[str, int]) -> dict[str, Callable[..., None]]:
    """Kernels from a shared library of compiled kernels (an ahead-of-time build or the
    compiler's kernel cache): ``{symbol: callable}`` for ``execute(..., kernels=...)``.

    Parameters
    ----------
    path : str
        The shared library (``.so``), holding ``_mlir_ciface_<symbol>`` functions.
    symbols : dict
        Kernel symbol -> number of ABI arguments (``len(node["abi"]["args"])``).

    Raises
    ------
    OSError
        The library cannot be loaded.
    AttributeError
        A symbol is missing.
    """
    lib = ctypes.CDLL(path)
    out: dict[str, Callable[..., None]] = {}
    for sym, nargs in symbols.items():
        f = getattr(lib, f"_mlir_ciface_{sym}")
        f.restype = None
        f.argtypes = [ctypes.c_void_p] * nargs
        f._cylonc_library = lib  # keep the library loaded while a kernel is referenced
        out[sym] = f
    return out


def _dtype(t: str) -> Any:
    if t.startswith("timestamp"):
        return np.int64
    return _NUMPY[t]


def _desc(address: int, size: int) -> MemRef:
    return MemRef(address, address, 0, size, 1)


def _np_desc(a: np.ndarray) -> MemRef:
    return _desc(a.ctypes.data, a.shape[0])


def _runnable(abi: Mapping, table: pa.Table) -> bool:
    """Whether the data fits the kernel: the columns it reads as never null (``no_nulls``: the
    schema says so, but e.g. NaN results turned null can still be there) have no nulls."""
    return not any(table[c].null_count for c in abi.get("no_nulls", ()))


def _scalar_bits(v: pa.Scalar | None, t: str) -> tuple[int, int]:
    """A scalar operand as (i64 bits, valid) for the params buffer."""
    if v is None or not v.is_valid:
        return 0, 0
    if t == "date32":
        x: Any = v.cast(pa.int32()).as_py()
    elif t.startswith("timestamp"):
        x = v.cast(pa.int64()).as_py()
    else:
        x = v.as_py()
    if t in ("float32", "float64"):
        x = float(x)
        if math.isnan(x):
            return 0, 0
        return int(np.array([x], dtype=np.float64).view(np.int64)[0]), 1
    x = int(x)
    if x >= 1 << 63:
        x -= 1 << 64
    return x, 1


def _array(data: pa.Buffer, n: int, valid: np.ndarray | None, nulls: int, t: str) -> pa.Array:
    """An Arrow array over a kernel's output buffer (no copy; booleans and a validity bitmap,
    when there are nulls among the kept rows, are packed from the kernel's bytes)."""
    bitmap = None
    if valid is not None and nulls:
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    if t == "bool":
        data = pa.py_buffer(np.packbits(np.frombuffer(data, dtype=np.uint8, count=n), bitorder="little"))
    return pa.Array.from_buffers(to_arrow(t), n, [bitmap, data], null_count=-1 if bitmap is not None else 0)


def run_fused(node: Mapping, table: pa.Table, kernels: Mapping[str, Callable[..., None]],
              scalars: Mapping[int, pa.Scalar],
              semi: tuple[_native.KeySet, str] | None = None) -> pa.Table | None:
    """Run a ``fused`` node's native kernel over `table`.

    The node's ``abi_no_nulls`` variant is used when the columns it reads hold no nulls (it
    reads no bitmaps), else its ``abi``.

    Parameters
    ----------
    node : dict
        The plan node (``op == "fused"``, with ``abi`` and ``abi_no_nulls``).
    table : pyarrow.Table
        The node's input.
    kernels : dict
        Compiled kernels by symbol: ``kernel(*descriptor_addresses)``.
    scalars : dict
        Computed scalar nodes by id (for the kernel's scalar operands).
    semi : (KeySet, str), optional
        Keep only the rows whose input column (the str) is in the key set (the node's
        ``semi_filter``), tested batch by batch on the rows the kernel selects.

    Returns
    -------
    pyarrow.Table or None
        The node's result, or None when no kernel is given for it or this data does not fit
        one (the caller then interprets the node's ``ops`` with Arrow kernels).
    """
    given = False
    for abi in (node.get("abi_no_nulls"), node.get("abi")):
        if abi is None or abi.get("symbol") not in kernels:
            continue
        given = True
        if _runnable(abi, table):
            STATS["nodes"] += 1
            return _run(node, abi, table, kernels[abi["symbol"]], scalars, semi)
    if given:
        STATS["fallbacks"] += 1
    return None


_POOL: ThreadPoolExecutor | None = None
PARALLEL_MIN_ROWS = 1 << 16
"""Tables with at least this many rows (in more than one batch) run batches in parallel."""
GROUPED_PARALLEL_MAX = 1 << 21
"""A grouped kernel runs on several threads (one accumulator table each) only while its
accumulator table has at most this many slots."""


def _threads() -> int:
    env = os.environ.get("CYLONC_NUM_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, pa.cpu_count())


def _map(fn: Callable[[Any], Any], batches: list[Any], rows: int) -> list[Any]:
    """`fn` over the batches, on this thread and pool threads when that pays (the kernel call
    releases the GIL), each taking the next batch as it gets free; results in batch order."""
    global _POOL
    threads = min(_threads(), len(batches))
    if threads < 2 or rows < PARALLEL_MIN_ROWS:
        return [fn(b) for b in batches]
    if _POOL is None or _POOL._max_workers < threads - 1:  # noqa: SLF001 - resize when asked for more
        _POOL = ThreadPoolExecutor(max_workers=threads - 1, thread_name_prefix="cylonc-kernel")
    results: list[Any] = [None] * len(batches)
    work = enumerate(batches)  # shared: next() on it is atomic under the GIL

    def drain(_: Any = None) -> None:
        for i, b in work:
            results[i] = fn(b)

    helpers = [_POOL.submit(drain) for _ in range(threads - 1)]
    try:
        drain()
    finally:
        for h in helpers:
            h.result()
    return results


def _encode(values: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray | None, pa.Array]:
    """Dense codes of `values` (hash-based, Arrow), the null mask (None: no nulls), and the
    distinct values (the dictionary) in code order."""
    enc = pc.dictionary_encode(values)
    chunks = enc.chunks if isinstance(enc, pa.ChunkedArray) else [enc]
    if not chunks:
        return np.zeros(0, dtype=np.int64), None, pa.array([], values.type.value_type
                                                           if pa.types.is_dictionary(values.type) else values.type)
    indices = pa.chunked_array([c.indices for c in chunks])
    null = None
    if indices.null_count:
        null = indices.is_null().to_numpy(zero_copy_only=False)
        indices = indices.fill_null(0)
    return indices.to_numpy().astype(np.int64, copy=False), null, chunks[0].dictionary


def _int64_columns(table: pa.Table, keys: list[str]) -> dict[str, pa.Array | None]:
    """Each key column as int64 (``K.int64_keys``; None where it does not map), or {} without
    the native kernels."""
    if not _native.available():
        return {}
    out = {}
    for k in keys:
        try:
            out[k] = K.int64_keys(table[k])
        except _native.NativeError:
            out[k] = None
    return out


def _key_codes(values: pa.ChunkedArray | pa.Array, as_int64: pa.Array | None
               ) -> tuple[np.ndarray, np.ndarray | None, pa.Array]:
    """`_encode` through the native hash group-by of the column's int64 form where it has one
    (integers, dates, short strings), else Arrow's ``dictionary_encode``."""
    if as_int64 is not None:
        try:
            gid, first = _native.group_ids(as_int64)
            null = None
            if as_int64.null_count:
                null = gid < 0
                gid[null] = 0
            return gid, null, _native.flat(values.take(pa.array(first, type=pa.int64())))
        except _native.NativeError:
            pass
    return _encode(values)


def _dense(combined: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes of int64 values, and the value of each code."""
    if _native.available():
        try:
            gid, first = _native.group_ids(combined)
            return gid, combined[first]
        except _native.NativeError:
            pass
    codes, _, groups = _encode(pa.array(combined))
    return codes, groups.to_numpy()


def _small_range_codes(table: pa.Table, keys: list[str], as_int64: dict[str, pa.Array | None]
                       ) -> tuple[np.ndarray, int, list[pa.Array]] | None:
    """`_group_codes` in one native pass where every key maps to int64 (integers, dates, short
    strings) and the product of their value ranges is small (at most 2^16, or an eighth of the
    rows): each combination of values in range is a group (code: the keys' offsets in mixed
    radix, low bits that all values share dropped, e.g. the zero bytes of packed short
    strings). None otherwise."""
    ints, lo, shift, radix, total = [], [], [], [], 1
    try:
        for k in keys:
            a = as_int64.get(k)
            if a is None:
                return None
            low, high, bits, _ = _native.key_stats(a)
            r = ((high - low) >> bits) + 1
            total *= r
            if total > max(1 << 16, table.num_rows // 8):  # sparse: hash instead
                return None
            ints.append(a)
            lo.append(low)
            shift.append(bits)
            radix.append(r)
        code, first = _native.dense_codes(ints, lo, shift, radix)
    except _native.NativeError:
        return None
    rows = pa.array(first, mask=first < 0)
    return code, total, [table[k].take(rows) for k in keys]


def _group_codes(table: pa.Table, keys: list[str]) -> tuple[np.ndarray, int, list[pa.Array]]:
    """Dense group codes of the rows (-1 where a key is null: such rows are dropped), the
    number of groups, and each key column's value per group (in code order).

    Keys of small value ranges are coded together in one native pass (`_small_range_codes`).
    Otherwise each key is coded on its own (native hashing where the column allows); several
    keys combine by mixed radix, every combination a group while there are few (groups without
    rows drop out after the kernel), else hashed again.
    """
    as_int64 = _int64_columns(table, keys)
    small = _small_range_codes(table, keys, as_int64)
    if small is not None:
        return small
    code, null, dictionary = _key_codes(table[keys[0]], as_int64.get(keys[0]))
    card = len(dictionary)
    dictionaries = [dictionary]
    digits = [np.arange(card, dtype=np.int64)]  # per key: its code in each group
    for k in keys[1:]:
        c, null_k, dictionary = _key_codes(table[k], as_int64.get(k))
        if null_k is not None:
            null = null_k if null is None else (null | null_k)
        size = len(dictionary)
        combined = code * size + c
        if card * size <= max(1 << 16, len(combined)):  # small: every combination is a group
            keys_of = np.arange(card * size, dtype=np.int64)
        else:  # hash again, so that codes stay dense however many keys there are
            combined, keys_of = _dense(combined)
        previous = keys_of // size
        digits = [d[previous] for d in digits] + [keys_of % size]
        dictionaries.append(dictionary)
        code, card = combined, len(keys_of)
    if null is not None:
        code = code.copy()
        code[null] = -1
    values = [d.take(pa.array(g)) for d, g in zip(dictionaries, digits)]
    return code, card, values


BATCH_ROWS = 1 << 18
"""Record batches longer than this are run as slices of about this many rows (so that one long
batch still spreads over the threads)."""


def _batches(table: pa.Table) -> list[pa.RecordBatch]:
    """The table's non-empty record batches, long ones cut into slices of ~`BATCH_ROWS` rows."""
    out = []
    for b in table.to_batches():
        n = b.num_rows
        if n <= 2 * BATCH_ROWS:
            if n:
                out.append(b)
            continue
        parts = -(-n // BATCH_ROWS)
        for i in range(parts):
            lo, hi = n * i // parts, n * (i + 1) // parts
            out.append(b.slice(lo, hi - lo))
    return out


def _select(cols: list[pa.Array], sel: np.ndarray, count: int) -> list[pa.Array]:
    """The columns' values at the rows where `sel` (uint8) is set (`count` of them): fixed-width
    columns without nulls taken natively, others by Arrow's filter."""
    mask = rows = None
    out = []
    for c in cols:
        if c.null_count == 0 and _native.gatherable(c.type) and _native.available():
            rows = rows or _native.Selection(sel, count)
            out.append(rows.take(c))
            continue
        if mask is None:
            mask = pa.array(sel.view(np.bool_))
        out.append(c.filter(mask))
    return out


def _run(node: Mapping, abi: Mapping, table: pa.Table, kernel: Callable[..., None],
         scalars: Mapping[int, pa.Scalar], semi: tuple[_native.KeySet, str] | None = None) -> pa.Table:
    reduce = abi.get("reduce")
    acc_init = np.array(abi["acc_init"], dtype=np.int64) if reduce is not None else None
    params_base = np.zeros(max(int(abi["params"]), 2), dtype=np.int64)
    for s in abi.get("scalars", ()):
        bits, valid = _scalar_bits(scalars.get(s["ref"]), s["type"])
        params_base[s["value"]] = bits
        params_base[s["valid"]] = valid
    target = schema_to_arrow(node["schema"])
    batches = _batches(table)
    ones = None  # the validity bitmap of columns that have none in a batch: all valid
    if any(a["kind"] == "validity" for a in abi["args"]):
        ones = np.full(max((b.num_rows for b in batches), default=0) // 8 + 2, 0xFF, dtype=np.uint8)

    grouped = abi.get("group_keys") is not None
    if grouped:
        assert acc_init is not None
        codes, card, key_values = _group_codes(table, abi["group_keys"])
        gacc = np.tile(acc_init, card)

    def one_batch(batch: pa.RecordBatch, offset: int = 0, gacc: np.ndarray | None = None) -> Any:
        n = batch.num_rows
        params = params_base.copy()
        params[0] = n
        acc = acc_init.copy() if acc_init is not None else None
        keep: list[Any] = [params]
        descs: list[MemRef] = []
        sel = None
        outs: dict[int, pa.Buffer] = {}
        nulls: dict[int, int] = {}
        out_valid: dict[int, np.ndarray] = {}
        for a in abi["args"]:
            kind = a["kind"]
            if kind == "params":
                descs.append(_np_desc(params))
            elif kind == "values":
                arr = batch.column(a["column"])
                data = arr.buffers()[1]
                keep.append(arr)
                if a["type"] == "bool":
                    params[a["bit_offset"]] = arr.offset
                    descs.append(_desc(data.address, data.size))
                else:
                    itemsize = np.dtype(_dtype(a["type"])).itemsize
                    descs.append(_desc(data.address + arr.offset * itemsize, n))
            elif kind == "validity":
                arr = batch.column(a["column"])
                bitmap = arr.buffers()[0]
                keep.append(arr)
                if bitmap is None:
                    assert ones is not None
                    params[a["bit_offset"]] = 0
                    descs.append(_np_desc(ones))
                else:
                    params[a["bit_offset"]] = arr.offset
                    descs.append(_desc(bitmap.address, bitmap.size))
            elif kind == "select":
                sel = np.empty(n, dtype=np.uint8)
                descs.append(_np_desc(sel))
            elif kind == "output":
                # from Arrow's memory pool, which recycles pages (fresh ones fault on first write)
                buf = pa.allocate_buffer(n * np.dtype(_dtype(a["type"])).itemsize)
                outs[a["index"]] = buf
                descs.append(_desc(buf.address, n))
            elif kind == "output_validity":
                out_valid[a["index"]] = np.empty(n, dtype=np.uint8)
                nulls[a["index"]] = a["null_count"]
                descs.append(_np_desc(out_valid[a["index"]]))
            elif kind == "acc":
                assert acc is not None
                descs.append(_np_desc(acc))
            elif kind == "group_codes":
                descs.append(_desc(codes.ctypes.data + offset * 8, n))
            elif kind == "group_acc":
                assert gacc is not None
                descs.append(_np_desc(gacc))
            else:
                raise ValueError(f"unknown kernel argument kind {kind!r}")
        kernel(*(ctypes.addressof(d) for d in descs))
        del keep
        if reduce is not None:
            return acc
        cols = []
        for c in abi["columns"]:
            if c["from"] == "input":
                cols.append(batch.column(c["src"]))
            else:
                k = c["index"]
                count = int(params[nulls[k]]) if k in nulls else 0
                cols.append(_array(outs[k], n, out_valid.get(k), count, c["type"]))
        count = int(params[1]) if sel is not None else n
        if semi is not None and count:
            if sel is None:
                sel = np.ones(n, dtype=np.uint8)
            count = semi[0].restrict(K.int64_keys(batch.column(semi[1])), sel)
        if count < n:
            cols = _select(cols, sel, count)
        return pa.RecordBatch.from_arrays(cols, schema=target)

    if grouped:  # one accumulator table per thread, each over a run of consecutive batches
        offsets, offset = [], 0
        for b in batches:
            offsets.append((b, offset))
            offset += b.num_rows
        runs = min(_threads(), len(offsets))
        if runs < 2 or table.num_rows < PARALLEL_MIN_ROWS or gacc.size > GROUPED_PARALLEL_MAX:
            runs = 1
        bounds = [len(offsets) * r // runs for r in range(runs + 1)]

        def one_run(r: int) -> np.ndarray:
            acc = gacc if r == 0 else np.tile(acc_init, card)
            for b, off in offsets[bounds[r]:bounds[r + 1]]:
                one_batch(b, off, acc)
            return acc

        accs = _map(one_run, list(range(runs)), table.num_rows) if runs > 1 else [one_run(0)]
        STATS["calls"] += len(batches)
        width = len(acc_init)
        gacc = _combine(reduce, acc_init, [a.reshape(card, width) for a in accs])
        acc2d = gacc.reshape(card, width)
        present = acc2d[:, 0] > 0
        acc2d = acc2d[present]
        mask = pa.array(present)
        cols = [v.filter(mask) for v in key_values]
        cols += _finalize(reduce, acc2d, list(target)[len(key_values):])
        names = target.names[: len(key_values)]
        out = pa.Table.from_arrays([c.cast(f.type) for c, f in zip(cols, target)], schema=target)
        if out.num_rows > 1:
            order = K._native_sort_indices(out, names, [True] * len(names))
            if order is None:
                order = pc.sort_indices(out, sort_keys=[(k, "ascending", "at_end") for k in names])
            out = out.take(order)
        return out
    results = _map(one_batch, batches, table.num_rows)
    STATS["calls"] += len(batches)
    if reduce is not None:
        assert acc_init is not None
        acc = _combine(reduce, acc_init, results).reshape(1, len(acc_init))
        return pa.Table.from_arrays(_finalize(reduce, acc, list(target)), schema=target)
    return pa.Table.from_batches(results, schema=target)


def _combine(aggs: list[Mapping], init: np.ndarray, accs: list[np.ndarray]) -> np.ndarray:
    """Merge accumulators (each started from `init`) into one: each of shape ``(slots,)``, or
    ``(groups, slots)`` for a grouped aggregate."""
    if not accs:
        return init.copy()
    if len(accs) == 1:
        return accs[0]
    stack = np.stack(accs)
    out = stack[0].copy()
    outf = out.view(np.float64)
    out[..., 0] = stack[..., 0].sum(axis=0, dtype=np.int64)  # the selected-row count
    for a in aggs:
        fn, slots = a["fn"], a["slots"]
        for j, s in enumerate(slots):
            col = stack[..., s]
            if j > 0 or fn in ("count", "size") or (a["acc"] == "i64" and fn in ("sum", "mean")):
                out[..., s] = col.sum(axis=0, dtype=np.int64)
            elif a["acc"] == "f64":
                vals = col.view(np.float64)
                if fn in ("sum", "mean"):
                    outf[..., s] = vals.sum(axis=0)
                else:
                    outf[..., s] = (np.fmin if fn == "min" else np.fmax).reduce(vals, axis=0)
            elif a["unsigned"]:
                u = col.view(np.uint64)
                out[..., s] = (u.min(axis=0) if fn == "min" else u.max(axis=0)).view(np.int64)
            else:
                out[..., s] = col.min(axis=0) if fn == "min" else col.max(axis=0)
    return out


def _finalize(aggs: list[Mapping], acc: np.ndarray, fields: list[pa.Field]) -> list[pa.Array]:
    """The aggregate columns from accumulators ``acc[group, slot]`` (PLAN.md, ``fused``)."""
    accf = acc.view(np.float64)
    out = []
    for a, f in zip(aggs, fields):
        fn, slots = a["fn"], a["slots"]
        s0 = slots[0]
        null = None
        if fn in ("count", "size"):
            arr = pa.array(acc[:, s0])
        elif fn == "sum":
            arr = pa.array(accf[:, s0] if a["acc"] == "f64" else acc[:, s0])
        elif fn == "mean":
            count = acc[:, slots[1]]
            total = accf[:, s0] if a["acc"] == "f64" else acc[:, s0].astype(np.float64)
            null = count == 0
            with np.errstate(all="ignore"):
                arr = pa.array(total / np.where(null, 1, count))
        else:  # min, max
            null = acc[:, slots[1]] == 0
            if a["acc"] == "f64":
                arr = pa.array(accf[:, s0])
            elif a["unsigned"]:
                arr = pa.array(acc[:, s0].view(np.uint64))
            else:
                arr = pa.array(acc[:, s0])
        if pa.types.is_floating(arr.type):
            nan = np.isnan(arr.to_numpy(zero_copy_only=False))
            null = nan if null is None else (null | nan)
        if null is not None and null.any():
            arr = pa.array(arr.to_numpy(zero_copy_only=False), mask=null)
        out.append(_as_type(arr, f.type))
    return out


def _as_type(arr: pa.Array, t: pa.DataType) -> pa.Array:
    if arr.type == t:
        return arr
    if pa.types.is_date32(t):
        return arr.cast(pa.int32()).view(t)
    if pa.types.is_timestamp(t):
        return arr.cast(pa.int64()).view(t)
    if pa.types.is_boolean(t):
        return pc.not_equal(arr, 0)
    if pa.types.is_integer(t) and pa.types.is_unsigned_integer(arr.type) != pa.types.is_unsigned_integer(t):
        return arr.cast(t, safe=False)
    return arr.cast(t)
