"""Kernels of the partitioned plan's nodes (PLAN.md, "Partitioned plans"): hash and range
partitioning, the collectives on tables, two-phase aggregation, and each rank's share of a
file.

Every function works on one rank's part of a table; the `Comm` does the moving.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..comm import Comm
from . import arrow as K
from . import native_lib as _native

__all__ = [
    "NODE_OPS",
    "final_aggregate",
    "hash_rows",
    "partial_aggregate",
    "range_destinations",
    "rank_share",
    "run_node",
    "shuffle",
    "splitters",
]

NODE_OPS = frozenset({"shuffle", "allgather", "gather", "broadcast", "scatter", "splitters",
                      "range_shuffle", "partial_aggregate", "final_aggregate"})
"""The plan ops this module runs."""

# --------------------------------------------------------------------------------------------
# hashing

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)
_NULL = np.uint64(0x6A09E667F3BCC909)
_STR_MULT = np.uint64(0x100000001B3)
_CHUNK = 1 << 20


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer (wrapping uint64 arithmetic)."""
    h = h ^ (h >> np.uint64(30))
    h = h * _M1
    h = h ^ (h >> np.uint64(27))
    h = h * _M2
    return h ^ (h >> np.uint64(31))


def _int_bits(values: np.ndarray) -> np.ndarray:
    return values.astype(np.int64, copy=False).view(np.uint64)


def _float_bits(values: np.ndarray) -> np.ndarray:
    """Integral floats hash as the equal int64 (so int and float keys co-partition); others by
    their bits (with -0.0 as 0.0)."""
    v = values.astype(np.float64, copy=False)
    with np.errstate(invalid="ignore"):
        integral = (np.floor(v) == v) & (np.abs(v) < 9.2e18)
    out = (v + 0.0).view(np.uint64).copy()
    if integral.any():
        out[integral] = v[integral].astype(np.int64).view(np.uint64)
    return out


def _string_hashes(arr: pa.Array) -> np.ndarray:
    """A polynomial hash of each string's UTF-8 bytes (nulls are masked by the caller)."""
    if pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type):
        off_type = np.int64
    else:
        arr = arr.cast(pa.string()) if not (pa.types.is_string(arr.type) or pa.types.is_binary(arr.type)) else arr
        off_type = np.int32
    n = len(arr)
    out = np.empty(n, dtype=np.uint64)
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=off_type)[arr.offset:arr.offset + n + 1].astype(np.int64)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        start, stop = offsets[lo:hi], offsets[lo + 1:hi + 1]
        lengths = stop - start
        b0, b1 = int(start[0]) if hi > lo else 0, int(stop[-1]) if hi > lo else 0
        nbytes = b1 - b0
        h = lengths.astype(np.uint64) * _GOLD
        if nbytes:
            seg = data[b0:b1].astype(np.uint64)
            owner = np.repeat(np.arange(hi - lo), lengths)
            from_end = (stop[owner] - 1 - (np.arange(b0, b1))).astype(np.int64)
            powers = np.cumprod(np.full(int(lengths.max()), _STR_MULT, dtype=np.uint64))
            powers = np.concatenate([[np.uint64(1)], powers[:-1]]).astype(np.uint64)
            terms = seg * powers[from_end]
            idx = (start - b0).astype(np.int64)
            nonempty = lengths > 0
            sums = np.zeros(hi - lo, dtype=np.uint64)
            if nonempty.any():
                sums[nonempty] = np.add.reduceat(terms, idx[nonempty])
            h = h + sums
        out[lo:hi] = h
    return out


def _column_hash(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    t = col.type
    if pa.types.is_dictionary(t):
        col = col.cast(t.value_type)
        t = col.type
    n = len(col)
    mask = col.is_null().to_numpy(zero_copy_only=False) if col.null_count else None
    if pa.types.is_floating(t):
        values = pc.fill_null(col, 0.0).to_numpy(zero_copy_only=False)
        bits = _float_bits(values)
    elif pa.types.is_boolean(t) or pa.types.is_integer(t):
        bits = _int_bits(pc.fill_null(col.cast(pa.int64()), 0).to_numpy(zero_copy_only=False))
    elif pa.types.is_date(t) or pa.types.is_timestamp(t) or pa.types.is_time(t) or pa.types.is_duration(t):
        ints = col.view(pa.int32() if t.bit_width == 32 else pa.int64())
        bits = _int_bits(pc.fill_null(ints, 0).to_numpy(zero_copy_only=False))
    elif pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t) \
            or pa.types.is_large_binary(t) or pa.types.is_string_view(t):
        if pa.types.is_string_view(t):
            col = col.cast(pa.string())
        bits = _string_hashes(col)
    elif pa.types.is_null(t):
        bits = np.zeros(n, dtype=np.uint64)
        mask = np.ones(n, dtype=bool)
    else:
        raise ValueError(f"cannot hash a column of type {t}")
    h = _mix(bits ^ _GOLD)
    if mask is not None:
        h[mask] = _NULL
    return h


def hash_rows(table: pa.Table, keys: Sequence[str]) -> np.ndarray:
    """A uint64 hash of each row's `keys`, equal for equal keys on every rank: integers,
    booleans and integral floats hash by their value as int64, nulls alike."""
    h = np.full(table.num_rows, _GOLD, dtype=np.uint64)
    for k in keys:
        h = _mix(h * np.uint64(31) + _column_hash(table[k]))
    return h


# --------------------------------------------------------------------------------------------
# exchanges


def _split(table: pa.Table, dest: np.ndarray, size: int) -> list[pa.Table]:
    """The rows for each destination rank, each keeping its relative order."""
    if size == 1:
        return [table]
    counts = np.bincount(dest, minlength=size)
    if counts.max(initial=0) == table.num_rows:
        return _parts(table, None, counts)
    small = np.uint8 if size <= 256 else (np.uint16 if size <= 65536 else np.int64)
    order = np.argsort(dest.astype(small, copy=False), kind="stable")  # a radix sort for small ints
    return _parts(table, order, counts)


def _parts(table: pa.Table, order: np.ndarray | None, counts: np.ndarray) -> list[pa.Table]:
    """The rows of `table` in `order`, cut into one part of ``counts[d]`` rows for each rank d
    (all of them, unmoved, where one rank gets every row)."""
    if counts.max(initial=0) == table.num_rows:
        only = int(np.argmax(counts)) if table.num_rows else 0
        return [table if d == only else table.slice(0, 0) for d in range(len(counts))]
    ordered = K.take_rows(table, pa.array(order))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return [ordered.slice(int(s), int(c)) for s, c in zip(starts, counts)]


def _native_split(table: pa.Table, keys: Sequence[str], size: int) -> list[pa.Table] | None:
    """`_split` by `hash_rows` with the native hash partitioning, for one integer-like key
    (the destinations are the numpy hash's); None when it cannot run."""
    if len(keys) != 1 or not _native.available():
        return None
    t = table.schema.field(keys[0]).type
    if not (pa.types.is_integer(t) or pa.types.is_boolean(t) or pa.types.is_date(t)
            or pa.types.is_timestamp(t) or pa.types.is_time(t) or pa.types.is_duration(t)):
        return None
    try:
        key = K.int64_keys(table[keys[0]])
        if key is None:
            return None
        counts, order = _native.hash_partition(key, size)
    except _native.NativeError:
        return None
    return _parts(table, order, counts)


def shuffle(table: pa.Table, keys: Sequence[str], comm: Comm) -> pa.Table:
    """Hash-partition `table` by `keys` over the ranks (rows keep their relative order; what
    arrives is concatenated in source-rank order)."""
    if comm.size == 1:
        comm.alltoall_tables([table], table.schema)
        return table
    parts = _native_split(table, keys, comm.size)
    if parts is None:
        dest = (hash_rows(table, keys) % np.uint64(comm.size)).astype(np.int64)
        parts = _split(table, dest, comm.size)
    return comm.alltoall_tables(parts, table.schema, "shuffle")


def scatter(table: pa.Table, comm: Comm) -> pa.Table:
    """This rank's contiguous block of a replicated table (no communication)."""
    n, p, r = table.num_rows, comm.size, comm.rank
    lo, hi = (n * r) // p, (n * (r + 1)) // p
    return table.slice(lo, hi - lo)


def _sort_keys(keys: Sequence[str], ascending: Sequence[bool]) -> list[tuple[str, str, str]]:
    return [(k, "ascending" if a else "descending", "at_end") for k, a in zip(keys, ascending)]


_SAMPLES_PER_RANK = 64


def splitters(table: pa.Table, keys: Sequence[str], ascending: Sequence[bool], comm: Comm,
              samples: int = _SAMPLES_PER_RANK) -> pa.Table:
    """Sample-sort splitters: regular samples of each rank's sorted keys, all-gathered; every
    rank picks the same ``size - 1`` rows of the sorted samples (key columns only)."""
    keys, ascending = list(keys), [bool(a) for a in ascending]
    local = table.select(keys)
    n = local.num_rows
    k = min(n, max(samples, comm.size))
    if k:
        pos = ((np.arange(k) + 0.5) * n / k).astype(np.int64)  # evenly spaced rows
        sample = local.take(pa.array(pos))
    else:
        sample = local.slice(0, 0)
    everyone = comm.allgather_table(sample)
    m = everyone.num_rows
    if comm.size == 1 or m == 0:
        return local.slice(0, 0)
    order = pc.sort_indices(everyone, sort_keys=_sort_keys(keys, ascending)).to_numpy()
    picks = (np.arange(1, comm.size) * m) // comm.size
    return everyone.take(pa.array(order[np.minimum(picks, m - 1)]))


def range_destinations(table: pa.Table, split: pa.Table, keys: Sequence[str],
                       ascending: Sequence[bool]) -> np.ndarray:
    """Destination rank of each row: the number of splitters strictly before it in the sort
    order (so rows equal to a splitter, and all equal keys, go to one rank)."""
    n = table.num_rows
    if split.num_rows == 0 or n == 0:
        return np.zeros(n, dtype=np.int64)
    keys = list(keys)
    fast = _searchsorted_destinations(table, split, keys, ascending)
    if fast is not None:
        return fast
    flag = "__cylon_splitter"
    rows = table.select(keys)
    both = pa.concat_tables([
        rows.append_column(flag, pa.array(np.zeros(n, dtype=np.int8))),
        split.select(keys).cast(rows.schema).append_column(flag, pa.array(np.ones(split.num_rows, dtype=np.int8))),
    ])
    order = pc.sort_indices(both, sort_keys=[*_sort_keys(keys, ascending), (flag, "ascending", "at_end")]).to_numpy()
    is_split = order >= n
    before = np.cumsum(is_split)
    dest = np.empty(n, dtype=np.int64)
    dest[order[~is_split]] = before[~is_split]
    return dest


def _searchsorted_destinations(table: pa.Table, split: pa.Table, keys: Sequence[str],
                               ascending: Sequence[bool]) -> np.ndarray | None:
    """`range_destinations` by binary search, for one numeric/temporal key and splitters
    without nulls (None otherwise)."""
    if len(keys) != 1:
        return None
    col, sp = table[keys[0]], split[keys[0]]
    t = col.type
    if not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_date(t)
            or pa.types.is_timestamp(t)) or sp.null_count:
        return None
    if pa.types.is_date(t) or pa.types.is_timestamp(t):
        view = pa.int32() if t.bit_width == 32 else pa.int64()
        col = col.combine_chunks().view(view) if isinstance(col, pa.ChunkedArray) else col.view(view)
        sp = sp.combine_chunks().view(view) if isinstance(sp, pa.ChunkedArray) else sp.view(view)
    nulls = col.is_null().to_numpy(zero_copy_only=False) if col.null_count else None
    values = pc.fill_null(col, 0).to_numpy(zero_copy_only=False) if nulls is not None else \
        col.to_numpy(zero_copy_only=False)
    splits = sp.to_numpy(zero_copy_only=False)
    if ascending[0]:
        dest = np.searchsorted(splits, values, side="left")
    else:  # splitters descend: count those strictly greater than the value
        rev = splits[::-1]
        dest = len(splits) - np.searchsorted(rev, values, side="right")
    dest = dest.astype(np.int64, copy=False)
    if nulls is not None:
        dest[nulls] = len(splits)
    return dest


def range_shuffle(table: pa.Table, split: pa.Table, keys: Sequence[str], ascending: Sequence[bool],
                  comm: Comm) -> pa.Table:
    """Range-partition `table` by the splitters (see `range_destinations`)."""
    if comm.size == 1:
        comm.alltoall_tables([table], table.schema)
        return table
    dest = range_destinations(table, split, keys, ascending)
    return comm.alltoall_tables(_split(table, dest, comm.size), table.schema, "range_shuffle")


# --------------------------------------------------------------------------------------------
# two-phase aggregation

_STATES = {"count": ("count",), "size": ("count",), "sum": ("sum",), "mean": ("sum", "count"),
           "min": ("min",), "max": ("max",), "std": ("count", "mean", "m2"),
           "var": ("count", "mean", "m2")}


def _drop_null_keys(table: pa.Table, keys: Sequence[str]) -> pa.Table:
    valid = None
    for k in keys:
        if table[k].null_count:
            v = pc.is_valid(table[k])
            valid = v if valid is None else pc.and_(valid, v)
    return table if valid is None else table.filter(valid)


def partial_aggregate(table: pa.Table, keys: Sequence[str], aggs: Sequence[Mapping]) -> pa.Table:
    """Per group of `keys` (none: the whole table, one row), each aggregate's partial state:
    ``name.count``, ``name.sum``, ``name.min``, ``name.max``, ``name.mean``, ``name.m2`` (the sum
    of squared deviations from the group mean)."""
    keys = list(keys)
    table = _drop_null_keys(table, keys)
    specs: list[dict[str, Any]] = []
    plan: list[tuple[str, list[tuple[str, int]]]] = []
    for a in aggs:
        fn, col, name = a["fn"], a.get("column"), a["name"]
        if fn not in _STATES:
            raise ValueError(f"aggregate {fn!r} has no partial form")
        idx: list[tuple[str, int]] = []
        wanted = {"count": ["count"] if fn != "size" else ["size"], "size": ["size"], "sum": ["sum"],
                  "mean": ["sum", "count"], "min": ["min"], "max": ["max"],
                  "std": ["count", "mean", "var"], "var": ["count", "mean", "var"]}[fn]
        for w in wanted:
            idx.append((w, len(specs)))
            specs.append({"fn": w, "column": None if w == "size" else col, "name": f"p{len(specs)}"})
        plan.append((name, idx))
    res = K._native_aggregate(table, keys, specs, sort=False) if keys else None
    if res is None:
        res = K._run_aggs(table, keys, specs)
    out: dict[str, Any] = {k: res[k] for k in keys}
    for (name, idx), a in zip(plan, aggs):
        cols = {w: res[f"p{i}"] for w, i in idx}
        fn = a["fn"]
        if fn in ("count", "size"):
            out[f"{name}.count"] = cols.get("count", cols.get("size"))
        elif fn == "sum":
            out[f"{name}.sum"] = cols["sum"]
        elif fn == "mean":
            out[f"{name}.sum"] = pc.cast(cols["sum"], pa.float64())
            out[f"{name}.count"] = cols["count"]
        elif fn in ("min", "max"):
            out[f"{name}.{fn}"] = cols[fn]
        else:
            n = cols["count"]
            var = pc.fill_null(pc.cast(cols["var"], pa.float64()), 0.0)
            out[f"{name}.count"] = n
            out[f"{name}.mean"] = pc.cast(cols["mean"], pa.float64())
            out[f"{name}.m2"] = pc.multiply(var, pc.cast(pc.max_element_wise(pc.subtract(n, 1), 0), pa.float64()))
    if not out:
        return pa.table({"_": pa.nulls(res.num_rows)}).drop_columns(["_"])
    return pa.table(out)


def _group_ids(table: pa.Table, keys: Sequence[str]) -> tuple[np.ndarray, int]:
    if not keys:
        return np.zeros(table.num_rows, dtype=np.int64), 1
    cols = [table[k] for k in keys]
    empty = [c.slice(0, 0) for c in cols]
    codes, _, card = K.key_codes(cols, empty)
    return codes, card


def _segments(gid: np.ndarray, ngroups: int):
    order = np.argsort(gid, kind="stable")
    counts = np.bincount(gid, minlength=ngroups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return order, counts, starts


def _seg_sum(values: np.ndarray, order: np.ndarray, counts: np.ndarray, starts: np.ndarray) -> np.ndarray:
    v = values[order]
    out = np.zeros(len(counts), dtype=v.dtype)
    nz = counts > 0
    if nz.any() and len(v):
        out[nz] = np.add.reduceat(v, starts[nz])
    return out


def _numpy(col, dtype, fill) -> np.ndarray:
    col = pc.fill_null(col, pa.scalar(fill, col.type)) if col.null_count else col
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype=dtype)


def final_aggregate(table: pa.Table, keys: Sequence[str], aggs: Sequence[Mapping]) -> pa.Table:
    """Combine partial states (all of a group's rows are on this rank) into the aggregates:
    groups sorted by key; with no keys, exactly one row."""
    keys = list(keys)
    if keys and not any(a["fn"] in ("std", "var") for a in aggs):
        return _final_by_arrow(table, keys, aggs)
    gid, ngroups = _group_ids(table, keys)
    order, counts, starts = _segments(gid, ngroups)
    out: dict[str, Any] = {}
    if keys:
        first = order[starts[counts > 0]] if len(order) else np.zeros(0, np.int64)
        present = np.flatnonzero(counts > 0)
        firsts = np.zeros(ngroups, dtype=np.int64)
        firsts[present] = first
        rows = pa.array(firsts)
        for k in keys:
            out[k] = table[k].take(rows)
    for a in aggs:
        fn, name = a["fn"], a["name"]
        if fn in ("count", "size"):
            out[name] = pa.array(_seg_sum(_numpy(table[f"{name}.count"], np.int64, 0), order, counts, starts))
        elif fn == "sum":
            # A partial sum is null only where it was NaN (inf - inf): NaN again, to spread.
            col = table[f"{name}.sum"]
            floating = pa.types.is_floating(col.type)
            values = _numpy(col, np.float64, np.nan) if floating else _numpy(col, np.int64, 0)
            with np.errstate(all="ignore"):
                out[name] = pa.array(_seg_sum(values, order, counts, starts)).cast(col.type)
        elif fn == "mean":
            n = _seg_sum(_numpy(table[f"{name}.count"], np.int64, 0), order, counts, starts)
            with np.errstate(all="ignore"):
                s = _seg_sum(_numpy(table[f"{name}.sum"], np.float64, np.nan), order, counts, starts)
                out[name] = pa.array(s / np.maximum(n, 1), mask=n == 0)
        elif fn in ("min", "max"):
            out[name] = _seg_minmax(table[f"{name}.{fn}"], fn, gid, ngroups)
        else:
            n_i = _numpy(table[f"{name}.count"], np.int64, 0)
            # Null states where values were counted stand for NaN (infinities met).
            mean_i = np.where(n_i > 0, _numpy(table[f"{name}.mean"], np.float64, np.nan), 0.0)
            m2_i = np.where(n_i > 1, _numpy(table[f"{name}.m2"], np.float64, np.nan), 0.0)
            n = _seg_sum(n_i, order, counts, starts)
            with np.errstate(all="ignore"):
                mean = _seg_sum(n_i * mean_i, order, counts, starts) / np.maximum(n, 1)
                dev = np.where(n_i > 0, m2_i + n_i * (mean_i - mean[gid]) ** 2, 0.0) if len(gid) else m2_i
                m2 = _seg_sum(dev, order, counts, starts)
                var = m2 / np.maximum(n - 1, 1)
                res = np.sqrt(np.maximum(var, 0.0)) if fn == "std" else var
            out[name] = pa.array(res, mask=n < 2)
    if not out:
        return pa.table({"_": pa.nulls(ngroups)}).drop_columns(["_"])
    for a in aggs:  # NaN is null, as everywhere in the runtime
        out[a["name"]] = K._nan_to_null(out[a["name"]])
    res = pa.table(out)
    if keys and res.num_rows > 1:
        res = res.take(pc.sort_indices(res, sort_keys=[(k, "ascending", "at_end") for k in keys]))
    return res


def _final_by_arrow(table: pa.Table, keys: list[str], aggs: Sequence[Mapping]) -> pa.Table:
    """`final_aggregate` of sums, counts, means, mins and maxes with Arrow's hash aggregation."""
    cols: dict[str, Any] = {f"k{i}": table[k] for i, k in enumerate(keys)}
    specs: list[tuple[str, str, Any, str]] = []
    total = pc.ScalarAggregateOptions(skip_nulls=True, min_count=0)
    for j, a in enumerate(aggs):
        fn, name = a["fn"], a["name"]
        for state in _STATES[fn]:
            col = table[f"{name}.{state}"]
            if state == "sum" and pa.types.is_floating(col.type):
                col = pc.fill_null(col, float("nan"))  # a null partial sum was NaN
            cols[f"{j}.{state}"] = col
            how = "hash_sum" if state in ("sum", "count") else f"hash_{state}"
            opts = total if how == "hash_sum" else pc.ScalarAggregateOptions(skip_nulls=True, min_count=1)
            specs.append((f"{j}.{state}", how, opts, f"{j}.{state}"))
    work = pa.table(cols)
    kcols = [f"k{i}" for i in range(len(keys))]
    res = K._native_aggregate(work, kcols, [
        {"fn": how.removeprefix("hash_"), "column": c, "name": f"{c}_{how.removeprefix('hash_')}"}
        for c, how, _, _ in specs])
    ordered = res is not None
    if res is None:
        res = work.group_by(kcols, use_threads=True).aggregate(
            [(c, how.removeprefix("hash_"), opts) for c, how, opts, _ in specs])
    out: dict[str, Any] = {k: res[f"k{i}"] for i, k in enumerate(keys)}
    for j, a in enumerate(aggs):
        fn = a["fn"]
        got = {state: res[f"{j}.{state}_{'sum' if state in ('sum', 'count') else state}"] for state in _STATES[fn]}
        if fn in ("count", "size"):
            out[a["name"]] = got["count"]
        elif fn == "sum":
            out[a["name"]] = got["sum"]
        elif fn == "mean":
            n = got["count"]
            mean = pc.divide(pc.cast(got["sum"], pa.float64()), pc.cast(pc.max_element_wise(n, 1), pa.float64()))
            out[a["name"]] = pc.if_else(pc.equal(n, 0), pa.scalar(None, pa.float64()), mean)
        else:
            out[a["name"]] = got[fn]
        out[a["name"]] = K._nan_to_null(out[a["name"]])
    res = pa.table(out)
    if res.num_rows > 1 and not ordered:
        res = res.take(pc.sort_indices(res, sort_keys=[(k, "ascending", "at_end") for k in keys]))
    return res


def _seg_minmax(col: pa.ChunkedArray, fn: str, gid: np.ndarray, ngroups: int) -> pa.Array:
    if len(gid) == 0:
        return pa.nulls(ngroups, col.type)
    work = pa.table({"g": pa.array(gid), "v": col})
    res = work.group_by("g", use_threads=False).aggregate([("v", fn)])
    where = np.full(ngroups, -1, dtype=np.int64)
    where[res["g"].to_numpy()] = np.arange(res.num_rows)
    vals = res[f"v_{fn}"].combine_chunks() if isinstance(res[f"v_{fn}"], pa.ChunkedArray) else res[f"v_{fn}"]
    missing = where < 0
    take = pa.array(np.where(missing, 0, where), mask=missing) if missing.any() else pa.array(where)
    return vals.take(take) if len(vals) else pa.nulls(ngroups, col.type)


# --------------------------------------------------------------------------------------------
# each rank's share of a file


def _parquet_files(path: Path) -> list[Path]:
    import pyarrow.dataset as ds

    if path.is_dir():
        return [Path(f) for f in ds.dataset(str(path), format="parquet").files]
    return [path]


def rank_share(path: str | Path, rank: int, size: int, columns: Sequence[str] | None = None,
               fmt: str = "parquet", column_types: Mapping[str, str] | None = None) -> pa.Table:
    """This rank's contiguous share of a Parquet file or directory (whole row groups, balanced
    by row count, in file order), or of a CSV file (a block of its rows).

    Rank shares concatenated in rank order are the whole source in order.
    """
    path = Path(path)
    if fmt == "csv":
        from .. import io

        from ..types import to_arrow

        types = {k: to_arrow(v) for k, v in (column_types or {}).items()}
        read, parse, convert = io.csv_options(path, types, include_columns=columns)
        import pyarrow.csv as pacsv

        table = pacsv.read_csv(str(path), read_options=read, parse_options=parse, convert_options=convert)
        n = table.num_rows
        lo, hi = (n * rank) // size, (n * (rank + 1)) // size
        return table.slice(lo, hi - lo)
    pieces: list[tuple[pq.ParquetFile, int, int]] = []
    files = [pq.ParquetFile(str(f)) for f in _parquet_files(path)]
    for f in files:
        for g in range(f.metadata.num_row_groups):
            pieces.append((f, g, f.metadata.row_group(g).num_rows))
    total = sum(p[2] for p in pieces)
    start = 0
    mine: list[tuple[pq.ParquetFile, int]] = []
    for f, g, n in pieces:
        middle = start + n / 2
        owner = min(size - 1, int(middle * size // total)) if total else 0
        if owner == rank:
            mine.append((f, g))
        start += n
    schema = files[0].schema_arrow
    cols = list(columns) if columns is not None else None
    if not mine:
        empty = schema.empty_table()
        return empty.select(cols) if cols is not None else empty
    tables = [f.read_row_groups([g], columns=cols, use_threads=False) for f, g in mine]
    return pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]


def read_share(node: Mapping, comm: Comm) -> pa.Table:
    """This rank's share of a ``read`` node's file (all its source columns)."""
    from .. import io

    fmt = node.get("format") or io.source_format(node["path"])
    label = f"read node {node.get('id')}"
    path = io.prepare(node["path"], label=label)
    io.check_schema(io.schema_of(path, label=label, format=fmt, csv_null_as=None), node["source_schema"],
                    label=label, path=path)
    types = {f["name"]: f["type"] for f in node["source_schema"]} if fmt == "csv" else None
    return rank_share(path, comm.rank, comm.size, fmt=fmt, column_types=types)


# --------------------------------------------------------------------------------------------
# plan nodes


def run_node(node: Mapping, table_of, comm: Comm) -> pa.Table:
    """Run one partitioned-plan node (op in `NODE_OPS`) on this rank.

    Parameters
    ----------
    node : dict
        The plan node.
    table_of : callable
        Node id -> this rank's table of that node.
    comm : Comm
    """
    op = node["op"]
    t = table_of(node["input"])
    if op == "shuffle":
        return shuffle(t, node["keys"], comm)
    if op == "allgather":
        return comm.allgather_table(t)
    if op == "gather":
        return comm.gather_table(t, int(node.get("root", 0)))
    if op == "broadcast":
        return comm.broadcast_table(t, int(node.get("root", 0)))
    if op == "scatter":
        return scatter(t, comm)
    if op == "splitters":
        return splitters(t, node["keys"], node["ascending"], comm)
    if op == "range_shuffle":
        return range_shuffle(t, table_of(node["splitters"]), node["keys"], node["ascending"], comm)
    if op == "partial_aggregate":
        return partial_aggregate(t, node["keys"], node["aggs"])
    if op == "final_aggregate":
        return final_aggregate(t, node["keys"], node["aggs"])
    raise ValueError(f"unknown op {op!r}")
