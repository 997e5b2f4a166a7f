"""Native relational kernels (runtime/native via kernels/native_lib): exact agreement with the
Arrow/numpy path on random data, and the fallback when the library is missing or fails."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from cylonc.runtime.kernels import arrow as K
from cylonc.runtime.kernels import native_lib as nl

needs_native = pytest.mark.skipif(not nl.available(), reason="native library not built")
HOWS = ("inner", "left", "right", "outer", "semi", "anti", "left_anti", "right_anti")


@pytest.fixture
def no_native(monkeypatch):
    """Run the Arrow/numpy path: the loader finds no library."""
    monkeypatch.setattr(nl, "_load", lambda: None)
    nl.reset()
    yield
    monkeypatch.undo()
    nl.reset()


class _Spy:
    """Counts calls of a native_lib function."""

    def __init__(self, monkeypatch, name):
        self.calls = 0
        real = getattr(nl, name)

        def wrapper(*args, **kw):
            self.calls += 1
            return real(*args, **kw)

        monkeypatch.setattr(nl, name, wrapper)


def _without_native(fn, *args, **kw):
    saved = nl._lib
    nl._lib = None
    try:
        return fn(*args, **kw)
    finally:
        nl._lib = saved


def _ints(rng, n, hi, nulls=0.0, lo=0):
    mask = rng.random(n) < nulls if nulls else None
    return pa.array(rng.integers(lo, hi, n), type=pa.int64(), mask=mask)


def _same_values(x, y) -> bool:
    if x is None or y is None:
        return x is None and y is None
    if isinstance(x, float) and isinstance(y, float):
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
    return x == y


def assert_tables_agree(got: pa.Table, want: pa.Table) -> None:
    assert got.column_names == want.column_names
    assert got.num_rows == want.num_rows
    for name in want.column_names:
        g, w = got[name], want[name]
        if g.type != w.type:  # e.g. float32 sums; the interpreter conforms types afterwards
            g = g.cast(w.type)
        gl, wl = g.to_pylist(), w.to_pylist()
        bad = [i for i, (a, b) in enumerate(zip(gl, wl)) if not _same_values(a, b)]
        assert not bad, f"column {name!r} differs at rows {bad[:5]}: " \
                        f"{[gl[i] for i in bad[:5]]} != {[wl[i] for i in bad[:5]]}"


# --- kernels against the numpy reference ---------------------------------------------------------

def _reference_pairs(left: pa.Array, right: pa.Array, keep: bool):
    lc, rc, card = K.key_codes([pa.chunked_array([left])], [pa.chunked_array([right])])
    return K._expand(lc, rc, card, keep)


JOIN_CASES = [
    (0, 0, 5, 0.0), (7, 0, 5, 0.0), (0, 7, 5, 0.3), (1, 1, 1, 0.0),
    (1000, 700, 50, 0.1),               # one shared table, build right
    (300, 5000, 40, 0.2),               # one shared table, build left
    (200_000, 150_000, 100_000, 0.001),  # partitioned, build right (null keys match nulls)
    (150_000, 200_000, 100_000, 0.001),  # partitioned, build left
    (20_000, 3_000, 10, 0.01),          # heavy duplicates
]


def _assert_joins_as_reference(left, right, counts=True):
    """Inner and left-join pairs (and per-row match counts) agree with the numpy reference."""
    for keep in (False, True):
        li, ri = nl.join(left, right, keep_unmatched=keep)
        rli, rri = _reference_pairs(left, right, keep)
        np.testing.assert_array_equal(li, rli)
        np.testing.assert_array_equal(ri, rri)
    if not counts:
        return
    counts = nl.join_counts(left, right)
    lc, rc, card = K.key_codes([pa.chunked_array([left])], [pa.chunked_array([right])])
    np.testing.assert_array_equal(counts, np.bincount(rc, minlength=card)[lc])


@needs_native
@pytest.mark.parametrize("n,m,hi,nulls", JOIN_CASES)
def test_join_pairs_match_reference(n, m, hi, nulls):
    rng = np.random.default_rng(n * 7 + m)
    left, right = _ints(rng, n, hi, nulls), _ints(rng, m, hi, nulls)
    _assert_joins_as_reference(left, right)


@needs_native
def test_join_skew_sliced_and_extreme_keys():
    rng = np.random.default_rng(3)
    wide = rng.integers(-2**63, 2**63 - 1, 350_000)
    hot = np.where(rng.random(200_000) < 0.6, 42, wide[:200_000])  # a key on 60% of the rows
    left = pa.array(hot).slice(3)
    right = pa.array(np.concatenate([[42] * 3, wide[150_000:], [-2**63, 2**63 - 1]])).slice(1)
    left = pa.concat_arrays([left, pa.array([-2**63, 2**63 - 1, None], type=pa.int64())])
    li, ri = nl.join(left, right)
    rli, rri = _reference_pairs(left, right, False)
    np.testing.assert_array_equal(li, rli)
    np.testing.assert_array_equal(ri, rri)


# Selective joins: a small build side against a probe side whose rows mostly find no match, so
# the kernel's bitmap of the build keys drops probe rows before probing / partitioning them
# (where the key range allows one). (n, m): the smaller side builds; both paths of each size.
SELECTIVE_SIZES = [
    (20_000, 300_000), (300_000, 20_000),      # one shared table
    (140_000, 400_000), (400_000, 140_000),    # partitioned build left / right table
]


def _selective_keys(rng, n, m, keys):
    """Build keys (the smaller side) from a few of 4M values, probe keys from all of them."""
    nb, npr = min(n, m), max(n, m)
    universe = 4_000_000
    if keys == "dups":  # each build key on about 3 rows
        build = rng.choice(rng.choice(universe, nb // 3, replace=False), nb)
    else:
        build = rng.choice(universe, nb, replace=False)
    probe = rng.integers(0, universe, npr)
    if keys == "negative":  # a bitmap over a negative range
        build, probe = build - 7_000_000, probe - 7_000_000
    elif keys == "wide":  # a range far too wide for a bitmap
        build, probe = build * 2**40 - 2**62, probe * 2**40 - 2**62
    elif keys == "extreme":  # the int64 limits on both sides: no bitmap either
        build = np.concatenate([build[:-2], [-2**63, 2**63 - 1]])
        probe = np.concatenate([[2**63 - 1], probe[1:-1], [-2**63]])
    return (build, probe) if n <= m else (probe, build)


@needs_native
@pytest.mark.parametrize("n,m", SELECTIVE_SIZES)
@pytest.mark.parametrize("keys", ["few", "negative", "wide", "extreme", "dups"])
@pytest.mark.parametrize("nulls", [(0.0, 0.0), (0.0005, 0.001), (0.0, 0.001), (0.001, 0.0)])
def test_selective_join_matches_reference(n, m, keys, nulls):
    rng = np.random.default_rng(n + m + len(keys))
    lk, rk = _selective_keys(rng, n, m, keys)
    left = pa.array(lk, type=pa.int64(), mask=rng.random(n) < nulls[0] if nulls[0] else None)
    right = pa.array(rk, type=pa.int64(), mask=rng.random(m) < nulls[1] if nulls[1] else None)
    _assert_joins_as_reference(left, right)


@needs_native
@pytest.mark.parametrize("threads", ["1", "3"])
@pytest.mark.parametrize("n,m", SELECTIVE_SIZES)
def test_selective_join_thread_counts_and_slices(n, m, threads, monkeypatch):
    monkeypatch.setenv("CYLONC_NATIVE_THREADS", threads)
    rng = np.random.default_rng(abs(n - m))
    lk, rk = _selective_keys(rng, n + 5, m + 7, "dups")
    left = pa.array(lk, type=pa.int64(), mask=rng.random(n + 5) < 0.001).slice(5)
    right = pa.array(rk, type=pa.int64(), mask=rng.random(m + 7) < 0.002).slice(7)
    _assert_joins_as_reference(left, right, counts=False)


@needs_native
@pytest.mark.parametrize("build_left", [True, False])
def test_selective_join_all_null_build_side(build_left):
    rng = np.random.default_rng(11)
    small = pa.nulls(1_000, type=pa.int64())  # no valid build key: an empty bitmap
    big = _ints(rng, 100_000, 50, 0.001)
    big = pa.concat_arrays([big, pa.array([0], type=pa.int64())])
    left, right = (small, big) if build_left else (big, small)
    _assert_joins_as_reference(left, right, counts=False)


@needs_native
@pytest.mark.parametrize("n,hi,nulls", [(0, 5, 0.0), (10, 3, 0.2), (100_000, 50, 0.1),
                                        (300_000, 200_000, 0.05), (200_000, 2**62, 0.0)])
def test_group_ids_and_accumulators(n, hi, nulls):
    rng = np.random.default_rng(n + 1)
    keys = _ints(rng, n, hi, nulls)
    gid, first = nl.group_ids(keys)
    ngroups = len(first)
    k = keys.to_pandas().to_numpy()
    valid = ~keys.is_null().to_numpy(zero_copy_only=False)
    assert (gid[~valid] == -1).all()
    assert ngroups == len(np.unique(k[valid]))
    np.testing.assert_array_equal(gid[first], np.arange(ngroups))
    # every row's group has its key; the first row of a group is its first occurrence
    np.testing.assert_array_equal(k[first][gid[valid]], k[valid])
    if ngroups:
        _, occ = np.unique(k[valid], return_index=True)
        np.testing.assert_array_equal(np.sort(np.flatnonzero(valid)[occ]), np.sort(first))
    vals = rng.random(n)
    vals[rng.random(n) < 0.02] = np.nan
    v = pa.array(vals, mask=rng.random(n) < 0.1)
    ok = valid & ~v.is_null().to_numpy(zero_copy_only=False)
    total, cnt = nl.group_agg(nl.SUM, gid, ngroups, v, want_count=True)
    np.testing.assert_array_equal(cnt, np.bincount(gid[ok], minlength=ngroups))
    want = np.bincount(gid[ok], weights=vals[ok], minlength=ngroups)
    np.testing.assert_allclose(total, want, rtol=1e-9, equal_nan=True)
    iv = pa.array(rng.integers(-10**12, 10**12, n), mask=rng.random(n) < 0.1)
    iok = valid & ~iv.is_null().to_numpy(zero_copy_only=False)
    isum = nl.group_agg(nl.SUM, gid, ngroups, iv)[0]
    want_i = np.zeros(ngroups, dtype=np.int64)
    np.add.at(want_i, gid[iok], iv.to_numpy(zero_copy_only=False)[iok].astype(np.int64))
    np.testing.assert_array_equal(isum, want_i)
    for op, fn in ((nl.MIN, np.fmin), (nl.MAX, np.fmax)):
        got, c = nl.group_agg(op, gid, ngroups, v, want_count=True)
        exp = np.full(ngroups, np.nan)
        fn.at(exp, gid[ok], vals[ok])
        np.testing.assert_array_equal(np.isnan(got[c > 0]), np.isnan(exp[c > 0]))
        np.testing.assert_array_equal(got[c > 0][~np.isnan(exp[c > 0])],
                                      exp[c > 0][~np.isnan(exp[c > 0])])
    first_rows = nl.group_agg(nl.FIRST, gid, ngroups, v)[0]
    last_rows = nl.group_agg(nl.LAST, gid, ngroups, v)[0]
    rows_ok = np.flatnonzero(ok)
    exp_first = np.full(ngroups, -1)
    exp_last = np.full(ngroups, -1)
    exp_last[gid[rows_ok]] = rows_ok
    exp_first[gid[rows_ok[::-1]]] = rows_ok[::-1]
    np.testing.assert_array_equal(first_rows, exp_first)
    np.testing.assert_array_equal(last_rows, exp_last)


@needs_native
@pytest.mark.parametrize("kind", ["small", "wide", "packed", "float", "dups"])
@pytest.mark.parametrize("descending", [False, True])
def test_argsort_matches_arrow(kind, descending):
    rng = np.random.default_rng(len(kind))
    n = 200_000
    if kind == "small":
        a = _ints(rng, 40, 5, 0.2)
    elif kind == "wide":
        a = _ints(rng, n, 2**62, 0.01, lo=-2**62)
    elif kind == "packed":
        a = _ints(rng, n, 2**30, 0.0)
    elif kind == "dups":
        a = _ints(rng, n, 3, 0.1)
    else:
        x = rng.normal(size=n) * 1e6
        x[rng.random(n) < 0.05] = np.nan
        x[rng.random(n) < 0.05] = -0.0
        x[rng.random(n) < 0.05] = 0.0
        a = pa.array(x, mask=rng.random(n) < 0.05)
    got = nl.argsort(a, descending=descending)
    want = pc.sort_indices(pa.table({"x": a}), sort_keys=[
        ("x", "descending" if descending else "ascending", "at_end")]).to_numpy()
    np.testing.assert_array_equal(got, want)


@needs_native
@pytest.mark.parametrize("large", [False, True])
def test_pack_strings_orders_like_strings(large):
    rng = np.random.default_rng(4)
    alphabet = ["", "a", "b", "é", "\x00", "z", "ab", "A"]
    values = ["".join(rng.choice(alphabet, rng.integers(0, 4))) for _ in range(5000)]
    values = [v.encode()[:7].decode("utf-8", "ignore") for v in values]
    arr = pa.array(values, type=pa.large_string() if large else pa.string(),
                   mask=rng.random(5000) < 0.1).slice(5)
    packed = nl.pack_strings(arr)
    assert packed.null_count == arr.null_count and len(packed) == len(arr)
    want = pc.sort_indices(pa.table({"x": arr}), sort_keys=[("x", "ascending", "at_end")])
    np.testing.assert_array_equal(nl.argsort(packed), want.to_numpy())
    # equal strings, equal ints
    valid = arr.is_valid().to_numpy(zero_copy_only=False)
    pairs = {(s, p) for s, p, ok in zip(arr.to_pylist(), packed.to_pylist(), valid) if ok}
    assert len({s for s, _ in pairs}) == len({p for _, p in pairs}) == len(pairs)
    assert nl.pack_strings(pa.array(["12345678"])) is None
    assert nl.pack_strings(pa.array(["12345678", "x"]).slice(1)).to_pylist() == \
        nl.pack_strings(pa.array(["x"])).to_pylist()


@needs_native
@pytest.mark.parametrize("keys", [["g"], ["s", "h"], ["long", "d"], ["i", "f"], ["b", "d", "s"],
                                  ["g", "h", "s", "d"], ["i", "g", "h"]], ids=str)
@pytest.mark.parametrize("sliced", [False, True])
def test_group_codes(keys, sliced):
    """The fused group-by kernels' group codes (small value ranges coded together natively,
    others key by key): equal keys share a code that names them, rows with a null key get -1;
    codes of key combinations without rows may be left unused."""
    from cylonc.runtime.kernels.native import _group_codes

    rng = np.random.default_rng(9)
    table = _agg_table(rng, 3000, 40)
    if sliced:
        table = table.slice(7, 2500)
    codes, card, values = _group_codes(table, keys)
    assert len(values) == len(keys) and all(len(v) == card for v in values)
    rows = [tuple(table[k][i].as_py() for k in keys) for i in range(table.num_rows)]
    seen = {}
    for i, (row, c) in enumerate(zip(rows, codes)):
        if any(v is None for v in row):
            assert c == -1
            continue
        assert tuple(v[c].as_py() for v in values) == row
        assert seen.setdefault(row, c) == c
    assert len(set(seen.values())) == len(seen) <= card


@needs_native
@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.float32, np.int64, np.float64])
def test_gather(dtype):
    rng = np.random.default_rng(2)
    values = rng.integers(-100, 100, 50_000).astype(dtype)
    idx = rng.integers(-1, len(values), 70_000)
    want = np.where(idx < 0, 0, values[np.maximum(idx, 0)]).astype(dtype)
    np.testing.assert_array_equal(nl.gather(values, idx), want)


# --- operators: native path against the Arrow path -----------------------------------------------

def _join_tables(rng, n, m, hi, nulls):
    left = pa.table({
        "k": _ints(rng, n, hi, nulls),
        "s": pa.array([f"s{v}" for v in rng.integers(0, hi, n)], type=pa.string()),
        "d": pa.array(rng.integers(0, 3, n).astype("int32")).cast(pa.int32()).cast(pa.date32()),
        "a": pa.array(rng.random(n)),
    })
    right = pa.table({
        "k2": pa.array(rng.integers(0, hi, m).astype("int32"),
                       mask=rng.random(m) < nulls if nulls else None),
        "s": pa.array([f"s{v}" for v in rng.integers(0, hi, m)], type=pa.string(),
                      mask=rng.random(m) < nulls),
        "d": pa.array(rng.integers(0, 3, m).astype("int32")).cast(pa.date32()),
        "b": pa.array(rng.random(m)),
    })
    return left, right


def _columns(on):
    return ([{"name": "lk", "from": "left", "src": on[0][0]},
             {"name": "a", "from": "left", "src": "a"},
             {"name": "key", "from": "key", "src": on[0][0], "right_src": on[1][0]},
             {"name": "b", "from": "right", "src": "b"}])


@needs_native
@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("on", [(["k"], ["k2"]), (["s"], ["s"]), (["k", "s", "d"], ["k2", "s", "d"])],
                         ids=["int", "string", "multi"])
@pytest.mark.parametrize("sizes", [(0, 0, 5), (9, 0, 5), (0, 9, 5), (400, 300, 30),
                                   (3000, 200_000, 150_000)], ids=str)
def test_join_operator_agrees(how, on, sizes, monkeypatch):
    spies = [_Spy(monkeypatch, "join"), _Spy(monkeypatch, "join_counts")]
    n, m, hi = sizes
    rng = np.random.default_rng(n + m + len(on[0]))
    left, right = _join_tables(rng, n, m, hi, 0.1 if n + m < 10_000 else 0.001)
    cols = _columns(on)
    if how in ("semi", "anti"):
        cols = [c for c in cols if c["from"] != "right"]
    got = K.join(left, right, how, on[0], on[1], cols)
    assert sum(spy.calls for spy in spies) > 0
    want = _without_native(K.join, left, right, how, on[0], on[1], cols)
    assert_tables_agree(got, want)


AGGS = [{"fn": f, "column": c, "name": f"{f}_{c}"} for f, c in [
    ("sum", "v"), ("sum", "i"), ("sum", "f"), ("sum", "b"), ("mean", "v"), ("mean", "i"),
    ("min", "v"), ("max", "i"), ("min", "f32"), ("max", "b"), ("count", "v"), ("count", "s"),
    ("first", "s"), ("last", "v"), ("first", "d"), ("last", "i"),
]] + [{"fn": "size", "column": None, "name": "n"}]


def _agg_table(rng, n, groups):
    v = rng.normal(size=n)
    return pa.table({
        "g": _ints(rng, n, groups, 0.05),
        "h": pa.array(rng.integers(0, 3, n).astype("int16")),
        "s": pa.array([f"k{x}" for x in rng.integers(0, 5, n)], type=pa.string(),
                      mask=rng.random(n) < 0.05),
        "d": pa.array(rng.integers(0, 4, n).astype("int32")).cast(pa.date32()),
        "v": pa.array(v, mask=rng.random(n) < 0.1),
        "i": _ints(rng, n, 1000, 0.1, lo=-1000),
        "f": pa.array(rng.integers(0, 9, n).astype("int32"), mask=rng.random(n) < 0.1),
        "f32": pa.array(v.astype("float32")),
        "b": pa.array(rng.random(n) < 0.5, mask=rng.random(n) < 0.1),
        "long": pa.array([f"a longer string {x}" for x in rng.integers(0, 7, n)], type=pa.string(),
                         mask=rng.random(n) < 0.05),
    })


@needs_native
@pytest.mark.parametrize("keys", [["g"], ["h"], ["s"], ["d"], ["long"], ["g", "h"],
                                  ["s", "h", "d"], ["long", "b"]], ids=str)
@pytest.mark.parametrize("n,groups", [(0, 5), (1, 5), (500, 20), (200_000, 150_000)], ids=str)
def test_aggregate_operator_agrees(keys, n, groups, monkeypatch):
    spy = _Spy(monkeypatch, "group_ids")
    rng = np.random.default_rng(n + len(keys))
    table = _agg_table(rng, n, groups)
    got = K.aggregate(table, keys, AGGS)
    assert spy.calls == 1
    want = _without_native(K.aggregate, table, keys, AGGS)
    assert_tables_agree(got, want)


@needs_native
@pytest.mark.parametrize("keys,ascending", [
    (["g"], [True]), (["g"], [False]), (["v"], [True]), (["v"], [False]), (["d"], [False]),
    (["b"], [True]), (["g", "h"], [True, False]), (["h", "d", "i"], [False, True, False]),
    (["b", "v"], [True, False]), (["f32", "g"], [False, True]),
    (["s"], [True]), (["s", "g"], [False, True]), (["long"], [True]), (["long", "g"], [True, True]),
], ids=str)
@pytest.mark.parametrize("n", [0, 1, 700, 100_000])
def test_sort_operator_agrees(keys, ascending, n, monkeypatch):
    spy = _Spy(monkeypatch, "argsort")
    rng = np.random.default_rng(n)
    table = _agg_table(rng, n, max(n // 3, 1))
    got = K.sort(table, keys, ascending)
    assert (spy.calls > 0) == ("long" not in keys and n > 1)  # long strings: Arrow's sort
    want = _without_native(K.sort, table, keys, ascending)
    assert got.equals(want)


# --- fallback ----------------------------------------------------------------------------------

def test_fallback_without_library(no_native):
    assert not nl.available()
    rng = np.random.default_rng(11)
    left, right = _join_tables(rng, 300, 200, 30, 0.1)
    got = K.join(left, right, "left", ["k"], ["k2"], _columns((["k"], ["k2"])))
    lc, rc, card = K.key_codes([left["k"]], [right["k2"]])
    li, _ = K._expand(lc, rc, card, True)
    assert got.num_rows == len(li)
    table = _agg_table(rng, 500, 20)
    res = K.aggregate(table, ["g"], AGGS)
    assert res.column_names == ["g", *[a["name"] for a in AGGS]]
    assert pc.all(pc.greater(res["g"].slice(1), res["g"].slice(0, res.num_rows - 1))).as_py()
    srt = K.sort(table, ["g"], [True])
    assert srt["g"].to_pylist() == sorted(table["g"].to_pylist(),
                                         key=lambda x: (x is None, x if x is not None else 0))
    with pytest.raises(nl.NativeError):
        nl.join(pa.array([1]), pa.array([1]))


def _assert_not_loaded(monkeypatch):
    """With the environment `monkeypatch` set up, the loader finds no library."""
    nl.reset()
    try:
        assert nl.get() is None
    finally:
        monkeypatch.undo()
        nl.reset()


def test_disabled_by_environment(monkeypatch):
    monkeypatch.setenv("CYLONC_NATIVE", "0")
    _assert_not_loaded(monkeypatch)


def test_bad_library_path_is_ignored(monkeypatch, tmp_path):
    bogus = tmp_path / "libcylonc_native.so"
    bogus.write_bytes(b"not a shared library")
    monkeypatch.setenv("CYLONC_NATIVE_LIB", str(bogus))
    _assert_not_loaded(monkeypatch)


@needs_native
def test_native_failure_falls_back(monkeypatch):
    def fail(*args, **kw):
        raise nl.NativeError("simulated")

    for name in ("join", "join_counts", "group_ids", "argsort"):
        monkeypatch.setattr(nl, name, fail)
    rng = np.random.default_rng(5)
    left, right = _join_tables(rng, 300, 200, 30, 0.1)
    cols = _columns((["k"], ["k2"]))
    got = K.join(left, right, "inner", ["k"], ["k2"], cols)
    monkeypatch.undo()
    assert_tables_agree(got, _without_native(K.join, left, right, "inner", ["k"], ["k2"], cols))
    for name in ("group_ids", "argsort"):
        monkeypatch.setattr(nl, name, fail)
    table = _agg_table(rng, 500, 20)
    got = K.aggregate(table, ["g"], AGGS)
    srt = K.sort(table, ["g", "h"], [True, False])
    monkeypatch.undo()
    assert_tables_agree(got, _without_native(K.aggregate, table, ["g"], AGGS))
    assert srt.equals(_without_native(K.sort, table, ["g", "h"], [True, False]))


@needs_native
@pytest.mark.parametrize("values", [
    np.random.default_rng(3).integers(-10**12, 10**12, 50_000),
    [1, None, 3, -5, None, 2**62, -2**63],
    np.random.default_rng(4).integers(0, 10**6, 999).astype(np.int32),
    [True, False, None, True],
], ids=["int64", "nulls-extremes", "int32", "bool"])
@pytest.mark.parametrize("ranks", [2, 3, 7])
def test_native_shuffle_partitions_as_the_numpy_hash(values, ranks):
    """The native hash partitioning sends every row where `hash_rows` does (so a native and a
    numpy shuffle co-partition), each destination's rows in their original order."""
    from cylonc.runtime.kernels import distributed as D

    t = pa.table({"k": pa.array(values), "v": np.arange(len(values))})
    dest = (D.hash_rows(t, ["k"]) % np.uint64(ranks)).astype(np.int64)
    want = D._split(t, dest, ranks)
    got = D._native_split(t, ["k"], ranks)
    assert got is not None and all(a.equals(b) for a, b in zip(want, got))
    counts, order = nl.hash_partition(K.int64_keys(t["k"]), ranks)
    assert counts.tolist() == np.bincount(dest, minlength=ranks).tolist()
    assert order.tolist() == np.argsort(dest, kind="stable").tolist()


@needs_native
@pytest.mark.parametrize("nulls", [False, True])
def test_key_filter_is_membership(nulls):
    """`key_filter`: which probe keys are among the build keys (null equals null), chunk by
    chunk; None where the build keys' range is too wide for a bitmap."""
    rng = np.random.default_rng(21)
    build = pa.array(rng.integers(-500, 5_000, 300), mask=(rng.random(300) < 0.05) if nulls else None)
    chunks = [pa.array(rng.integers(-1_000, 6_000, n), mask=rng.random(n) < 0.1) for n in (0, 7, 5_000, 70_000)]
    mask, hits = nl.key_filter(build, pa.chunked_array(chunks))
    keys = set(build.to_pylist())
    want = [v in keys for c in chunks for v in c.to_pylist()]
    assert mask.tolist() == want and hits == sum(want)
    assert nl.key_filter(pa.array([0, 2**62]), pa.array([1, 2])) is None


def _dense_keys(rng, nb, np_, slots):
    """Unique build keys spread over `slots` times their number (a bitmap with ranks), probe keys
    over a wider range (misses on both ends)."""
    lo = -3_000
    build = rng.choice(np.arange(lo, lo + nb * slots), nb, replace=False)
    probe = rng.integers(lo - 500, lo + nb * slots + 500, np_)
    return build, probe


@needs_native
@pytest.mark.parametrize("nb,np_,slots", [(5_000, 60_000, 1), (5_000, 60_000, 40), (40_000, 200_000, 3),
                                          (5_000, 3_000, 2), (100_000, 100_000, 1)], ids=str)
@pytest.mark.parametrize("build_left", [True, False])
@pytest.mark.parametrize("probe_nulls", [0.0, 0.01])
def test_dense_unique_build_join_matches_reference(nb, np_, slots, build_left, probe_nulls):
    """Unique, never-null build keys dense in their range (the rank lookup, built on either
    side; where the probe side is smaller it is the one built, by hashing), and the same with
    one duplicate or one null build key (the hash join): the pairs agree with the numpy
    reference."""
    rng = np.random.default_rng(nb + np_ + slots)
    build, probe = _dense_keys(rng, nb, np_, slots)
    pmask = rng.random(np_) < probe_nulls if probe_nulls else None
    variants = [pa.array(build, type=pa.int64()),
                pa.array(np.concatenate([build, build[:1]]), type=pa.int64()),
                pa.array(np.concatenate([build, [0]]), type=pa.int64(), mask=np.arange(nb + 1) == nb)]
    for b in variants:
        p = pa.array(probe, type=pa.int64(), mask=pmask)
        left, right = (b, p) if build_left else (p, b)  # the smaller side is built
        _assert_joins_as_reference(left, right)


@needs_native
@pytest.mark.parametrize("threads", ["1", "3"])
def test_dense_join_threads_and_slices(threads, monkeypatch):
    monkeypatch.setenv("CYLONC_NATIVE_THREADS", threads)
    rng = np.random.default_rng(31)
    build, probe = _dense_keys(rng, 20_000, 150_000, 2)
    left = pa.array(np.concatenate([[1, 2, 3], build]), type=pa.int64()).slice(3)
    right = pa.array(np.concatenate([[7], probe]), type=pa.int64(), mask=rng.random(150_001) < 0.001).slice(1)
    _assert_joins_as_reference(left, right)
    _assert_joins_as_reference(right, left)


@needs_native
@pytest.mark.parametrize("nulls", [False, True])
def test_key_set_rows_and_restrict(nulls):
    """`KeySet.rows`: the numbers of the probe rows whose key is in the set, over chunks and
    threads; `KeySet.restrict`: clears the selected rows whose key is not (null equals null)."""
    rng = np.random.default_rng(41)
    build = pa.array(rng.integers(-500, 5_000, 300), mask=(rng.random(300) < 0.05) if nulls else None)
    keys = set(build.to_pylist())
    chunks = [pa.array(rng.integers(-1_000, 6_000, n), mask=rng.random(n) < 0.1).slice(3)
              for n in (3, 10, 5_003, 70_003, 40_003)]
    probe = pa.chunked_array(chunks)
    values = probe.to_pylist()
    with nl.KeySet.of(build) as ks:
        rows = ks.rows(probe)
        assert rows.tolist() == [i for i, v in enumerate(values) if v in keys]
        for c in chunks:
            sel = (rng.random(len(c)) < 0.5).astype(np.uint8)
            want = [bool(s) and v in keys for s, v in zip(sel, c.to_pylist())]
            hits = ks.restrict(c, sel)
            assert sel.astype(bool).tolist() == want and hits == sum(want)
        assert ks.rows(pa.chunked_array([], pa.int64())).tolist() == []


@needs_native
@pytest.mark.parametrize("t", [pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.float32(),
                               pa.float64(), pa.date32(), pa.timestamp("us")], ids=str)
def test_selection_and_chunked_gather(t):
    """`Selection` keeps the selected values in order (sparse: by row numbers; dense: compacted);
    `gather_column` takes rows from a column in chunks (sliced ones too) as Arrow's take does."""
    rng = np.random.default_rng(3)
    raw = pa.array(rng.integers(-100, 100, 9_000)).cast(pa.int64())
    col = (raw.cast(pa.int32()) if t == pa.date32() else raw).cast(t)
    part = col.slice(1_000)
    for density in (0.0, 0.05, 0.3, 1.0):
        sel = (rng.random(8_003)[3:] < density).astype(np.uint8)
        got = nl.Selection(sel, int(sel.sum())).take(part)
        assert got.equals(part.filter(pa.array(sel.astype(bool))))
    chunked = pa.chunked_array([col.slice(0, 5), col.slice(5, 3_000), col.slice(3_005)])
    idx = rng.integers(0, len(col), 20_000)
    idx[:100] = np.arange(100)
    assert nl.gather_column(chunked, idx).equals(col.take(pa.array(idx)))
    assert nl.gather_column(col, idx).equals(col.take(pa.array(idx)))


@needs_native
def test_key_stats():
    """`key_stats`: min, max, the low bits every valid key shares, the valid count."""
    assert nl.key_stats(pa.array([12, -4, None, 20], pa.int64())) == (-4, 20, 3, 3)
    assert nl.key_stats(pa.array([5, 5], pa.int64())) == (5, 5, 0, 2)
    assert nl.key_stats(pa.array([None, None], pa.int64())) == (0, 0, 0, 0)
    assert nl.key_stats(pa.array([1, 2, 3, 2**62], pa.int64()).slice(1)) == (2, 2**62, 0, 3)
    packed = nl.pack_strings(pa.array(["A", "N", "R", None]))
    low, high, bits, count = nl.key_stats(packed)
    assert count == 3 and bits >= 56 and ((high - low) >> bits) == ord("R") - ord("A")
