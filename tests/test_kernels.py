"""Fused native kernels: ``cylon-fuse``, the lowering, the MLIR JIT and its caches, the ABI.

The reference for a kernel is the same plan run without kernels (the Arrow interpreter runs the
fused node's ``ops``), so most tests check native == Arrow exactly (float sums within 1e-12),
on tables with nulls, NaN/inf-producing arithmetic, several integer widths, booleans and dates,
split into record batches at non-zero offsets.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pyarrow as pa
import pytest

import cylonc as cc
from cylonc.compiler.codegen import llvm, native_kernels
from cylonc.compiler.inputs import describe_source
from cylonc.compiler.pipeline import Options, compile_pipeline
from cylonc.runtime import execute
from cylonc.runtime.kernels import native

needs_mlir = pytest.mark.skipif(not llvm.available(), reason="upstream MLIR (the mlir package) is not installed")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CYLONC_CACHE_DIR", str(tmp_path / "cache"))


def _table() -> pa.Table:
    rng = np.random.default_rng(7)
    n = 300

    def mask(p):
        return rng.random(n) < p

    schema = pa.schema(
        [
            pa.field("a", pa.int64()),
            pa.field("b", pa.int32(), False),
            pa.field("c", pa.int8()),
            pa.field("u", pa.uint8(), False),
            pa.field("x", pa.float64()),
            pa.field("y", pa.float64(), False),
            pa.field("f", pa.float32(), False),
            pa.field("p", pa.bool_()),
            pa.field("q", pa.bool_(), False),
            pa.field("d", pa.date32()),
            pa.field("s", pa.string(), False),
        ]
    )
    y = np.where(rng.random(n) < 0.15, 0.0, rng.normal(0, 1, n))
    y[:3] = [np.inf, -np.inf, 0.0]
    t = pa.Table.from_arrays(
        [
            pa.array(rng.integers(-50, 50, n), mask=mask(0.15)),
            pa.array(rng.integers(-3, 4, n).astype(np.int32)),
            pa.array(rng.integers(-100, 100, n).astype(np.int8), mask=mask(0.1)),
            pa.array(rng.integers(0, 250, n).astype(np.uint8)),
            pa.array(rng.normal(0, 10, n), mask=mask(0.2)),
            pa.array(y),
            pa.array(rng.normal(0, 5, n).astype(np.float32)),
            pa.array(rng.random(n) < 0.5, mask=mask(0.2)),
            pa.array(rng.random(n) < 0.3),
            pa.array(rng.integers(8000, 9000, n).astype(np.int32), mask=mask(0.1)).view(pa.date32()),
            pa.array([f"s{i % 7}" for i in range(n)]),
        ],
        schema=schema,
    )
    # several record batches, each a slice (non-zero offsets, also within bitmaps)
    return pa.concat_tables([t.slice(0, 5), t.slice(13, 150), t.slice(171, 129)])


TABLE = _table()
# The same schema (nullable columns) without any null: the kernels' `_nonull` variants run.
TABLE_NO_NULLS = pa.Table.from_arrays(
    [c.fill_null(c.drop_null()[0]) if c.null_count else c for c in TABLE.columns],
    schema=TABLE.schema,
)


def _compile(fn, **tables):
    sources = {name: describe_source(t, name) for name, t in tables.items()}
    return compile_pipeline(fn, sources, {}, Options())


def _fused(plan):
    return [n for n in plan["nodes"] if n["op"] == "fused"]


def _same(got, want, rel=0.0):
    if isinstance(got, pa.Table):
        assert got.schema.equals(want.schema), f"{got.schema} != {want.schema}"
        for name in got.column_names:
            _same(got[name].to_pylist(), want[name].to_pylist(), rel)
        return
    if isinstance(got, dict):
        assert got.keys() == want.keys()
        for k in got:
            _same(got[k], want[k], rel)
        return
    if isinstance(got, list):
        assert len(got) == len(want)
        for i, (g, w) in enumerate(zip(got, want)):
            try:
                _same(g, w, rel)
            except AssertionError as exc:
                raise AssertionError(f"row {i}: {exc}") from None
        return
    if isinstance(got, float) and isinstance(want, float):
        if math.isnan(got) or math.isnan(want):
            assert math.isnan(got) and math.isnan(want), f"{got} != {want}"
        elif rel:
            assert got == pytest.approx(want, rel=rel, abs=1e-9), f"{got} != {want}"
        else:
            assert got == want or (got == 0.0 and want == 0.0), f"{got!r} != {want!r}"
        return
    assert got == want and type(got) is type(want), f"{got!r} != {want!r}"


def _check_native(fn, rel=0.0, used=None, **tables):
    """Run `fn` with and without its kernels; they agree, and every fused node ran natively.
    The symbols of the kernels that ran are added to `used`."""
    compiled = _compile(fn, **tables)
    fused = _fused(compiled.plan)
    assert fused, "nothing was fused"
    for n in fused:
        assert n["kernel"], f"{n['kernel_name']} falls back: {n['fallback']}"
    kernels = native_kernels(compiled)
    assert {n["kernel"] for n in fused} <= set(kernels)
    if used is not None:
        kernels = {k: (lambda *a, _k=k, _f=f: (used.add(_k), _f(*a))[1]) for k, f in kernels.items()}
    before = dict(native.STATS)
    got = execute(compiled.plan, tables, kernels=kernels)
    assert native.STATS["nodes"] - before["nodes"] == len(fused)
    assert native.STATS["fallbacks"] == before["fallbacks"]
    want = execute(compiled.plan, tables)
    _same(got, want, rel)
    return got


# --------------------------------------------------------------------------- expressions

EXPRS = {
    "add_int": lambda t: t.a + t.b,
    "sub_mul_int8": lambda t: (t.c - 3) * t.c,
    "div_by_zero": lambda t: t.a / t.b,
    "floordiv": lambda t: t.a // t.b,
    "mod": lambda t: t.a % t.b,
    "floordiv_const": lambda t: t.c // -7,
    "floordiv_float": lambda t: t.x // t.y,
    "mod_float": lambda t: t.x % t.y,
    "mod_float32": lambda t: (t.f % 0.7) + (t.f // -1.3),
    "pow_float": lambda t: t.x**2,
    "neg_abs": lambda t: -t.a + abs(t.c),
    "abs_float": lambda t: abs(t.x) - t.y,
    "round": lambda t: t.x.round(1),
    "round_neg": lambda t: (t.x * 10).round(-1),
    "float32": lambda t: t.f * 2 + 1,
    "mixed_promotion": lambda t: t.f * t.b + t.u,
    "nan_to_null": lambda t: t.y / t.y,
    "inf_arith": lambda t: t.x / t.y - t.y,
    "fillna": lambda t: t.x.fillna(0.5) + t.a.fillna(-1),
    "where": lambda t: t.a.where(t.p, 7),
    "where_float": lambda t: t.x.where(t.q, t.y),
    "astype_f32": lambda t: t.a.astype("float32"),
    "astype_int": lambda t: (t.x * 3).astype("int32"),
    "astype_int8_wrap": lambda t: (t.a * 5).astype("int8"),
    "bool_to_int": lambda t: t.p.astype("int64") + 1,
    "uint8_wrap": lambda t: t.u + t.u,
    "cmp_kleene_or": lambda t: (t.x > 0) | t.p,
    "cmp_kleene_and": lambda t: (t.x > 0) & t.p,
    "not": lambda t: ~t.p,
    "not_nonnull": lambda t: ~t.q & (t.y < 0.5),
    "isna": lambda t: t.x.isna() | t.a.notna(),
    "isna_nan": lambda t: (t.y / t.y).isna(),
    "isin_int": lambda t: t.a.isin([1, 2, 3, -7]),
    "isin_float": lambda t: t.y.isin([0.0, 1.5]),
    "astype_bool": lambda t: t.b.astype(bool),
    "uint_cmp": lambda t: t.u > 200,
    "date_cmp": lambda t: t.d < datetime.date(1993, 1, 1),
    "between": lambda t: t.x.between(-1, 1),
    "cmp_float_ne": lambda t: (t.y / t.y) != 1.0,
}


@needs_mlir
@pytest.mark.parametrize("nulls", [True, False], ids=["nulls", "no_nulls"])
@pytest.mark.parametrize("name", sorted(EXPRS))
def test_assign_matches_arrow(name, nulls):
    expr = EXPRS[name]
    used: set[str] = set()
    _check_native(lambda t: t.assign(r=expr(t)), used=used, t=TABLE if nulls else TABLE_NO_NULLS)
    if not nulls:  # nullable columns read without nulls: the variant that reads no bitmaps
        plan = _compile(lambda t: t.assign(r=expr(t)), t=TABLE_NO_NULLS).plan
        if any(n["abi_no_nulls"] for n in _fused(plan)):
            assert used and all(s.endswith("_nonull") for s in used), used


BOOL_EXPRS = [
    "cmp_kleene_or", "cmp_kleene_and", "not", "not_nonnull", "isna", "isna_nan", "isin_int",
    "isin_float", "astype_bool", "uint_cmp", "date_cmp", "between", "cmp_float_ne",
]  # fmt: skip


@needs_mlir
@pytest.mark.parametrize("name", BOOL_EXPRS)
def test_filter_matches_arrow(name):
    expr = EXPRS[name]

    def q(t):
        u = t.assign(r=expr(t))
        return u[u.r][["a", "x", "s", "r"]]

    out = _check_native(q, t=TABLE)
    assert out.num_rows < TABLE.num_rows


@needs_mlir
def test_filter_assign_project_rename_chain():
    def q(t):
        u = t.assign(r=t.x * t.b)
        u = u[u.r > t.y]
        u = u.assign(z=u.r + 1, a=u.a * 2)
        u = u.rename(columns={"z": "zz"})
        return u[u.zz < 5][["s", "zz", "a", "d", "p"]]

    out = _check_native(q, t=TABLE)
    assert out.column_names == ["s", "zz", "a", "d", "p"]


@needs_mlir
def test_reduce_after_filter():
    def q(t):
        u = t.assign(r=t.x * t.b)
        return (u[u.r > t.y].r * 2).sum()

    compiled = _compile(q, t=TABLE)
    (node,) = _fused(compiled.plan)
    assert [o["op"] for o in node["ops"]][0] == "assign" and node["ops"][-1]["op"] == "reduce"
    _check_native(q, rel=1e-12, t=TABLE)


@needs_mlir
@pytest.mark.parametrize(
    "col",
    ["a", "b", "c", "u", "x", "y", "f", "p", "q"],
)
def test_aggregates(col):
    def q(t):
        u = t.assign(k=t.b * 2)
        v = u[u.k >= 0][[col]]
        return {
            "sum": v[col].sum(),
            "mean": v[col].mean(),
            "min": v[col].min(),
            "max": v[col].max(),
            "count": v[col].count(),
        }

    _check_native(q, rel=1e-12, t=TABLE)


@needs_mlir
def test_min_max_dates_and_empty_selection():
    def q(t):
        u = t.assign(k=t.b * 2)
        v = u[u.k >= 0]
        w = u[u.k > 100]  # nothing
        return {"lo": v.d.min(), "hi": v.d.max(), "s": w.x.sum(), "m": w.x.mean(), "n": w.a.count(), "mx": w.a.max()}

    out = _check_native(q, t=TABLE)
    assert out["s"] == 0.0 and math.isnan(out["m"]) and out["n"] == 0 and out["mx"] is None
    assert isinstance(out["lo"], datetime.date)


@needs_mlir
def test_scalar_operand():
    def q(t):
        u = t.assign(r=t.x * 2)
        return u[u.r > u.r.mean()][["r"]]

    compiled = _compile(q, t=TABLE)
    assert any(n["abi"] and n["abi"]["scalars"] for n in _fused(compiled.plan))
    _check_native(q, t=TABLE)


@needs_mlir
def test_empty_table():
    empty = TABLE.slice(0, 0)
    _check_native(lambda t: t.assign(r=t.x * 2)[["r"]], t=empty)
    _check_native(lambda t: (t.x * t.y).sum(), t=empty)


# --------------------------------------------------------------------------- the kernel path


def _q6(t):
    f = t[(t.x * 2 > t.b) & (t.d >= datetime.date(1992, 1, 1))]
    return (f.x * f.b).sum()


@needs_mlir
def test_kernel_path_taken_and_cached():
    q = cc.compile(_q6)
    text = q.explain(TABLE)
    assert "native cylonc_fused_0" in text and "arrow fallback" not in text
    before_calls, before_jit = native.STATS["calls"], llvm.STATS["jit"]
    got = q(TABLE)
    assert native.STATS["calls"] - before_calls == TABLE.to_batches().__len__()
    want = cc.compile(optimize=False)(_q6)(TABLE)
    assert got == pytest.approx(want, rel=1e-12)
    jit_after_first = llvm.STATS["jit"]
    assert jit_after_first - before_jit <= 1
    q(TABLE)
    cc.compile(_q6)(TABLE)  # a new pipeline object: same lowered text, same kernel
    assert llvm.STATS["jit"] == jit_after_first


def test_unoptimized_runs_no_kernel():
    q = cc.compile(optimize=False)(_q6)
    assert "fused kernels: none" in q.explain(TABLE)
    assert q.ir(TABLE, stage="fused") == q.ir(TABLE, stage="optimized")


@needs_mlir
def test_disk_cache_skips_mlir_in_a_second_process(tmp_path):
    script = textwrap.dedent(
        """
        import json, sys, datetime
        import pyarrow as pa
        import cylonc as cc
        from cylonc.compiler.codegen import llvm

        def q(t):
            f = t[t.x * 2.0 > t.y]
            return (f.x * f.y).sum()

        t = pa.table({"x": [1.0, 2.0, 3.0, -4.0], "y": [0.5, 5.0, 1.0, 2.0]})
        print(json.dumps({"result": cc.compile(q)(t), "stats": llvm.STATS, "mlir": "mlir.ir" in sys.modules}))
        """
    )
    env = dict(os.environ, CYLONC_CACHE_DIR=str(tmp_path / "c"))
    runs = [
        json.loads(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout)
        for _ in range(2)
    ]
    assert runs[0]["stats"]["jit"] == 1 and runs[0]["result"] == 3.5
    assert runs[1]["stats"] == {"jit": 0, "disk": 1, "memory": 0} and runs[1]["result"] == 3.5
    assert not runs[1]["mlir"], "the second process should not even import MLIR"
    assert list((tmp_path / "c" / "kernels").glob("*.so")) or list((tmp_path / "c" / "kernels").glob("*.llvm.mlir"))


def test_without_mlir_kernels_fall_back_with_a_warning(monkeypatch):
    monkeypatch.setattr(llvm, "available", lambda: False)
    monkeypatch.setenv("CYLONC_CACHE_DIR", "off")
    monkeypatch.setattr(llvm, "_memory", {})
    monkeypatch.setattr(llvm, "_warned", set())
    q = cc.compile(_q6)
    assert "the mlir package is not installed" in q.explain(TABLE)
    before = native.STATS["calls"]
    with pytest.warns(RuntimeWarning, match="fused kernels run on Arrow"):
        got = q(TABLE)
    assert native.STATS["calls"] == before
    assert got == pytest.approx(cc.compile(optimize=False)(_q6)(TABLE), rel=1e-12)


@needs_mlir
def test_outer_join_null_keys_reach_the_kernel_typed_nullable():
    # an unmatched null key of an outer join stays null, so the merged key is typed nullable
    left = pa.table({"k": pa.array([1, None, 2, None], pa.int64()), "i": [1, 2, 3, 4]})
    right = pa.table({"k": pa.array([1, 3], pa.int64()), "y": [0.5, 1.5]})

    def q(t, r):
        j = t.merge(r, on="k", how="outer")
        return {"n": j.k.count(), "total": j.i.sum()}

    got = cc.compile(q)(left, right)
    assert got == cc.compile(optimize=False)(q)(left, right)
    assert got["n"] == 3


def test_fallback_reason_is_explained():
    def q(t):
        return t.assign(n=t.s.str.len() + t.a)

    text = cc.compile(q).explain(TABLE)
    assert "arrow fallback for fused_0 (string function str.len)" in text
    compiled = _compile(q, t=TABLE)
    (node,) = _fused(compiled.plan)
    assert node["kernel"] is None and node["abi"] is None
    got = execute(compiled.plan, {"t": TABLE})
    assert got.column_names[-1] == "n"


# --------------------------------------------------------------------------- stages and seams


@needs_mlir
@pytest.mark.parametrize("stage", ["fused", "lowered", "llvm"])
def test_stage_text_parses_with_upstream_mlir_opt(stage, tmp_path):
    import importlib.util

    spec = importlib.util.find_spec("mlir")
    mlir_opt = os.path.join(next(iter(spec.submodule_search_locations)), "bin", "mlir-opt")
    if not os.access(mlir_opt, os.X_OK):
        pytest.skip("no mlir-opt binary")
    text = cc.compile(_q6).ir(TABLE, stage=stage)
    if stage != "fused":
        assert "cylon." not in text.replace("cylonc_", "")
    proc = subprocess.run([mlir_opt, "--allow-unregistered-dialect"], input=text, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert {"fused": "cylon.fused", "lowered": "scf.for", "llvm": "llvm.func"}[stage] in proc.stdout


def test_runtime_does_not_import_the_compiler():
    code = (
        "import sys, cylonc.runtime.interpreter, cylonc.runtime.kernels.native; "
        "print([m for m in sys.modules if m.split('.')[0] in ('xdsl', 'mlir') or m.startswith('cylonc.compiler')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_plan_is_json():
    compiled = _compile(_q6, t=TABLE)
    (node,) = _fused(compiled.plan)
    assert json.loads(json.dumps(node)) == node
    assert {a["kind"] for a in node["abi"]["args"]} >= {"params", "values", "acc"}


def test_warnings_are_quiet_for_native_runs():
    if not llvm.available():
        pytest.skip("needs MLIR")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        cc.compile(_q6)(TABLE)


@needs_mlir
def test_shared_library_for_ahead_of_time_builds(tmp_path):
    from cylonc.compiler.codegen.llvm import build_shared_library
    from cylonc.compiler.codegen.lower import lower_module

    compiled = _compile(_q6, t=TABLE)
    stage = next(s for s in ("partitioned", "placed", "fused") if s in compiled.stages)
    lowered, specs = lower_module(compiled.stages[stage])
    so = build_shared_library(lowered, tmp_path / "kernels.so")
    kernels = native.load_kernels(str(so), {s.symbol: len(s.abi["args"]) for s in specs if s.native})
    before = native.STATS["nodes"]
    got = execute(compiled.plan, {"t": TABLE}, kernels=kernels)
    assert native.STATS["nodes"] == before + 1
    assert got == pytest.approx(execute(compiled.plan, {"t": TABLE}), rel=1e-12)


@needs_mlir
def test_batches_in_parallel(monkeypatch):
    monkeypatch.setenv("CYLONC_NUM_THREADS", "4")
    rng = np.random.default_rng(3)
    parts = []
    for i in range(6):
        n = 40_000
        parts.append(
            pa.table(
                {
                    "a": pa.array(rng.integers(-1000, 1000, n), mask=rng.random(n) < 0.05),
                    "u": pa.array(rng.integers(0, 2**63, n, dtype=np.uint64)),
                    "x": rng.normal(0, 1, n),
                }
            )
        )
    big = pa.concat_tables(parts)
    assert big.num_rows >= native.PARALLEL_MIN_ROWS and len(big.to_batches()) > 1

    def reduce_q(t):
        u = t.assign(r=t.x * 2)
        v = u[u.r > -1.0][["a", "u", "r"]]
        return {"s": v.r.sum(), "m": v.a.mean(), "lo": v.a.min(), "hi": v.u.max(), "n": v.a.count()}

    def rows_q(t):
        u = t.assign(r=t.x * t.a)
        return u[u.r > 0][["a", "r"]]

    _check_native(reduce_q, rel=1e-12, t=big)
    _check_native(rows_q, t=big)


# --------------------------------------------------------------------------- group-by


@needs_mlir
@pytest.mark.parametrize("keys", [["s"], ["a"], ["s", "c"], ["d", "q"], ["p"]], ids="+".join)
def test_grouped_aggregate_matches_arrow(keys):
    def q(t):
        u = t.assign(r=t.x * t.b, k=t.b + 1)
        u = u[u.k > 0]
        return u.groupby(keys, as_index=False).agg(
            total=("r", "sum"),
            avg=("x", "mean"),
            lo=("c", "min"),
            hi=("u", "max"),
            first_day=("d", "min"),
            any_p=("p", "max"),
            n=("x", "count"),
            rows=("b", "size"),
            f32=("f", "sum"),
        )

    compiled = _compile(q, t=TABLE)
    (node,) = _fused(compiled.plan)
    assert node["ops"][-1]["op"] == "aggregate" and node["kernel"], node["fallback"]
    _check_native(q, rel=1e-12, t=TABLE)
    _check_native(q, rel=1e-12, t=TABLE_NO_NULLS)


@needs_mlir
def test_grouped_aggregate_after_rename_and_on_empty_input():
    def q(t):
        u = t.rename(columns={"s": "label"}).assign(r=t.a * 2)
        return u.groupby("label", as_index=False).agg(r=("r", "sum"), m=("a", "max"))

    _check_native(q, t=TABLE)
    out = _check_native(q, t=TABLE.slice(0, 0))
    assert out.num_rows == 0


def test_grouped_aggregate_fallbacks():
    def computed_key(t):
        u = t.assign(g=t.b % 2)
        return u.groupby("g", as_index=False).agg(s=("x", "sum"))

    def float_key(t):
        return t.assign(r=t.a * 2).groupby("y", as_index=False).agg(s=("r", "sum"))

    for fn, reason in ((computed_key, "group key 'g' is computed in the chain"), (float_key, "float group key 'y'")):
        (node,) = _fused(_compile(fn, t=TABLE).plan)
        assert node["kernel"] is None and node["fallback"] == reason


@needs_mlir
def test_tpch_q1_is_one_native_kernel(tpch_sf01):
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
    from tpch import datagen, queries

    lineitem = datagen.load(0.1, tpch_sf01, tables=["lineitem"])["lineitem"]
    text = cc.compile(queries.q1).explain(lineitem)
    assert "[filter+project+assign+project+aggregate]: native" in text, text
    _check_native(queries.q1, rel=1e-9, lineitem=lineitem)


@needs_mlir
def test_kernel_reads_nan_as_null_without_a_conversion_pass():
    """A scan read only by a native kernel keeps NaN (``keep_nan``): the kernel reads NaN as
    null, and the Arrow fallback converts first; both give pandas' NaN-skipping answers."""
    t = pa.table({"g": pa.array([1, 1, 2, 2, 2, 3], pa.int64()),
                  "x": pa.array([1.0, math.nan, math.nan, 2.5, None, math.nan]),
                  "y": pa.array([0.5, 1.0, math.nan, 2.0, 3.0, 4.0])})

    def grouped(t):
        f = t[t.y != 1.0]
        return f.groupby("g", as_index=False).agg(s=("x", "sum"), n=("x", "count"), m=("y", "mean"))

    def total(t):
        return (t.x.fillna(10.0) * t.y).sum()

    plan = _compile(grouped, t=t).plan
    scan = next(n for n in plan["nodes"] if n["op"] == "input")
    assert scan["keep_nan"] == ["x", "y"] and _fused(plan)[0]["nan_inputs"] == ["x", "y"]
    got = _check_native(grouped, t=t)
    assert got.column("s").to_pylist() == [1.0, 2.5, 0.0]
    assert got.column("n").to_pylist() == [1, 1, 0]
    assert got.column("m").to_pylist() == [0.5, 2.5, 4.0]
    assert _check_native(total, t=t) == 0.5 + 10.0 * 1.0 + 2.5 * 2.0 + 10.0 * 3.0 + 10.0 * 4.0


def test_table_descriptions_are_remembered_not_the_tables():
    """A table passed again skips describing (its schema and null counts are fixed); the memo
    holds it weakly, by input name, and not past its lifetime."""
    import gc
    import weakref

    from cylonc.compiler import inputs

    t = pa.table({"x": [1.0, 2.0], "k": pa.array([1, None])})
    first = inputs.describe_source(t, "t")
    again = inputs.describe_source(t, "t")
    assert again.spec is first.spec and again.data is t and again.key == first.key
    other = inputs.describe_source(t, "u")
    assert other.spec is not first.spec and other.spec.name == "u"
    assert inputs.describe_source(t.drop_columns(["k"]), "t").key != first.key
    ref = weakref.ref(t)
    del t, first, again, other
    gc.collect()
    assert ref() is None
