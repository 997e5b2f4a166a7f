"""GPU kernels (``runtime/kernels/cupy.py``): the CUDA C generated from fused plan nodes, checked
as text, compiled by ``nvcc`` where it is installed, and run -- on machines without a GPU --
through the host emulation (the same source built with a C++ compiler, NumPy for CuPy), against
the Arrow interpreter. Tests marked ``gpu`` run on a real device and are skipped without one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from helpers import assert_results_match

import cylonc as cc
from cylonc.runtime.kernels import cupy as G

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "examples"))
from tpch.queries import q6  # noqa: E402
NVCC = shutil.which("nvcc") or next((p for p in ("/usr/local/cuda/bin/nvcc",) if os.access(p, os.X_OK)), None)
NO_GPU = "no CUDA device / cupy not installed"


def plan_of(fn, **tables):
    """The plan of ``fn`` compiled for the CPU (its fused nodes are what the GPU compiles)."""
    from cylonc.compiler.inputs import describe_source
    from cylonc.compiler.pipeline import Options, compile_pipeline

    sources = {name: describe_source(t, name) for name, t in tables.items()}
    return compile_pipeline(fn, sources, {}, Options(device="cpu")).plan


def kernels_of(fn, **tables) -> list[G.CudaKernel]:
    plan = plan_of(fn, **tables)
    nodes = {n["id"]: n for n in plan["nodes"]}
    return [G.generate(n, nodes[n["input"]]["schema"]) for n in plan["nodes"] if n["op"] in ("fused", "filter", "assign")]


# --------------------------------------------------------------------------------- pipelines

LINEITEM = pa.table({
    "l_quantity": pa.array([17.0, 36.0, 8.0, 28.0, None, 20.0]),
    "l_extendedprice": pa.array([21168.23, 45983.16, 13309.6, 28955.64, 22824.48, 1000.0]),
    "l_discount": pa.array([0.04, 0.09, 0.1, 0.06, 0.05, 0.07]),
    "l_tax": pa.array([0.02, 0.06, 0.02, 0.06, 0.04, 0.0]),
    "l_returnflag": pa.array(["N", "N", "R", "A", "N", "A"]),
    "l_linestatus": pa.array(["O", "O", "F", "F", "O", "F"]),
    "l_shipdate": pa.array(np.array(["1996-03-13", "1994-04-12", "1994-01-29", "1994-12-31", "1997-01-28", "1994-06-01"],
                                    dtype="datetime64[D]")).cast(pa.date32()),
})

MIXED = pa.table({
    "i": pa.array([5, -7, 0, 12, None, 3, -1, 8], pa.int64()),
    "j": pa.array([2, 3, 0, -5, 4, None, -1, 3], pa.int64()),
    "x": pa.array([1.5, -2.25, float("nan"), 4.0, None, 0.0, -0.5, 9.75]),
    "b": pa.array([True, False, None, True, False, True, None, False]),
    "s": pa.array(["apple", "Banana", None, "cherry", "apple", "date", "elder", "Fig"]),
    "d": pa.array(np.array(["2001-02-03", "1999-12-31", "1970-01-01", None, "2024-02-29", "1960-07-04",
                            "2010-10-10", "2000-01-01"], dtype="datetime64[D]")).cast(pa.date32()),
})


def q1_arith(lineitem):
    disc_price = lineitem.l_extendedprice * (1 - lineitem.l_discount)
    return lineitem.assign(disc_price=disc_price, charge=disc_price * (1 + lineitem.l_tax))


def kitchen_sink(t):
    t = t.assign(z=t.x * 2)
    f = t[(t.z > -1) | t.b | t.s.str.startswith("a")]  # reads z: stays in the kernel (no pushdown)
    return f.assign(
        q=f.i // f.j, r=f.i % f.j, w=f.x.where(f.x > 0, f.x.mean()), n=f.x.fillna(-1.0),
        k=f.i.isin([5, 12, 99]), y=f.d.dt.year, m=f.d.dt.month, up=f.s.str.upper(),
        c=f.x.astype("int64"), rd=(f.x / 3).round(2), nb=~f.b, sl=f.s.str.len(),
    )


def masked_reduce(t):
    f = t[t.i.notna() & (t.x.isna() | (t.x < 5))]
    return {"sum": f.i.sum(), "mean": f.x.mean(), "min": f.x.min(), "max": f.d.max(), "n": f.s.count(),
            "smax": f.s.max(), "rows": f.j.count()}


# --------------------------------------------------------------------------------- the source


def test_q6_kernel_is_one_loop_with_a_fused_sum():
    (k,) = kernels_of(q6, lineitem=LINEITEM)
    src = k.source
    assert k.name == "cylonc_gpu_fused_0"
    assert 'extern "C" __global__ void cylonc_gpu_fused_0(' in src
    assert "for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;" in src
    # the product, summed in a per-thread partial and combined once per thread
    assert "double p" in src and "atomicAdd(r" in src
    assert src.count("atomicAdd(") >= 1 and "sel" not in k.body  # no selection buffer when reducing
    assert [a.kind for a in k.args][:1] == ["n"] and {a.kind for a in k.args} >= {"col", "acc"}
    assert k.aggs and k.aggs[0].fn == "sum" and not k.outputs


def test_q1_kernel_writes_computed_columns_with_validity():
    (k,) = kernels_of(q1_arith, lineitem=LINEITEM)
    body = k.body
    assert '// c1: column "l_extendedprice" (float64)' in body
    assert "!isnan(" in body  # a NaN result is null, as in the interpreter
    computed = [o for o in k.outputs if o.input is None]
    assert [o.name for o in computed] == ["disc_price", "charge"]
    passed = [o.name for o in k.outputs if o.input is not None]
    assert passed == ["l_quantity", "l_extendedprice", "l_discount", "l_tax", "l_returnflag", "l_linestatus", "l_shipdate"]
    # (1 - discount) is computed once, though the plan's trees repeat it
    assert body.count("(1.0) - ") == 1


def test_kitchen_sink_kernel():
    # the filter's kernel, then the kernel of f.x.mean() (a reduce), then the assign's
    filtered, mean, k = kernels_of(kitchen_sink, t=MIXED)
    assert "continue; }" in filtered.body and [a.kind for a in filtered.args].count("sel") == 1
    assert filtered.filters and [lut.type for lut in filtered.luts] == ["bool"]  # str.startswith
    assert [a.fn for a in mean.aggs] == ["mean"]
    body = k.source
    for snippet in ("cy_floordiv_i((long long)", "cy_mod_i((long long)", "cy_civil(", "cy_f2i((double)",
                    "rint(", "unsigned char* __restrict__ o"):
        assert snippet in body, snippet
    kinds = [a.kind for a in k.args]
    assert "scalar" in kinds and "scalar_valid" in kinds  # x.mean() comes in as a kernel argument
    assert kinds.count("lut") == 2  # upper (re-encoded) and len: over the dictionary of s
    reencoded = [lut for lut in k.luts if lut.reencode]
    assert [lut.column for lut in reencoded] == ["s"]
    # Kleene or: a null operand with a true one is true
    assert "||" in body and "&& !" in body


def test_unsupported_raises_and_names_the_reason():
    def udf_like(t):
        return t.assign(p=t.i ** t.j)

    plan = plan_of(udf_like, t=MIXED)
    nodes = {n["id"]: n for n in plan["nodes"]}
    (node,) = [n for n in plan["nodes"] if n["op"] in ("fused", "assign")]
    with pytest.raises(G.Unsupported, match="integer 'pow'"):
        G.generate(node, nodes[node["input"]]["schema"])


@pytest.mark.skipif(NVCC is None, reason="nvcc not found")
@pytest.mark.parametrize("fn,tables", [(q6, {"lineitem": LINEITEM}), (q1_arith, {"lineitem": LINEITEM}),
                                       (kitchen_sink, {"t": MIXED}), (masked_reduce, {"t": MIXED})],
                         ids=["q6", "q1", "kitchen_sink", "masked_reduce"])
def test_nvcc_compiles_the_generated_source(fn, tables, tmp_path):
    for k in kernels_of(fn, **tables):
        cu = tmp_path / f"{k.name}.cu"
        cu.write_text(k.source)
        proc = subprocess.run([NVCC, "--ptx", "-std=c++17", "-arch=sm_80", "-o", str(tmp_path / "k.ptx"), str(cu)],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert f".entry {k.name}(" in (tmp_path / "k.ptx").read_text()


# --------------------------------------------------------------------------------- emulated runs


needs_cxx = pytest.mark.skipif(G.host_compiler() is None, reason="no C++ compiler to emulate the GPU with")


@pytest.fixture
def emulated(monkeypatch):
    monkeypatch.setenv(G.EMULATE_ENV, "1")
    yield G.backend()


def both(fn, ordered=False, **tables):
    cpu = cc.compile(fn, device="cpu")(**tables)
    gpu = cc.compile(fn, device="gpu")(**tables)
    if isinstance(cpu, dict):
        assert cpu.keys() == gpu.keys()
        for key in cpu:
            a, b = cpu[key], gpu[key]
            if isinstance(a, pa.Table):
                assert_results_match(b, a, ordered=ordered)
            elif isinstance(a, float) and np.isnan(a):
                assert np.isnan(b), key
            elif isinstance(a, float):
                assert a == pytest.approx(b, rel=1e-9), key
            else:
                assert a == b, key
        return gpu
    if isinstance(cpu, pa.Table):
        assert_results_match(gpu, cpu, ordered=ordered)
    else:
        assert cpu == pytest.approx(gpu, rel=1e-9)
    return gpu


@needs_cxx
@pytest.mark.parametrize("fn,tables", [(q6, {"lineitem": LINEITEM}), (q1_arith, {"lineitem": LINEITEM}),
                                       (kitchen_sink, {"t": MIXED}), (masked_reduce, {"t": MIXED})],
                         ids=["q6", "q1", "kitchen_sink", "masked_reduce"])
def test_emulated_kernels_match_arrow(fn, tables, emulated):
    before = dict(G.STATS)
    both(fn, ordered=True, **tables)
    assert G.STATS["launches"] > before["launches"]
    assert G.STATS["fallbacks"] == before["fallbacks"]


def joins(a, b):
    return {how: a.merge(b, on="k", how=how) for how in ("inner", "left", "right", "outer", "semi", "anti")}


def groups(t):
    return t.groupby(["s", "b"], as_index=False).agg(
        n=("i", "size"), c=("x", "count"), sm=("i", "sum"), mn=("x", "min"), mx=("d", "max"), avg=("x", "mean"),
        sd=("x", "std"), first=("s", "first"), last=("x", "last"), u=("j", "nunique"))


def sorts(t):
    return t.sort_values(["b", "x", "s"], ascending=[True, False, True])


def distinct_union(t):
    return cc.concat([t.drop_duplicates(subset=["b"]), t[["i", "s"]]]).head(-1)


@needs_cxx
def test_emulated_relational_operators(emulated):
    a = pa.table({"k": pa.array([1, 2, None, 2, 5], pa.int64()), "x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    b = pa.table({"k": pa.array([2, None, 3, 2], pa.int64()), "y": ["p", "q", "r", "s"]})
    for how, t in both(joins, a=a, b=b).items():
        assert t.num_rows >= 0, how
    both(groups, ordered=True, t=MIXED)
    both(sorts, ordered=True, t=MIXED)
    both(distinct_union, ordered=True, t=MIXED)


@needs_cxx
def test_kernels_are_not_shared_between_different_nodes(emulated):
    """Two unfused assigns with the same expression into different columns (the kernel source is
    the same; what its outputs mean is not)."""
    t = pa.table({"i": pa.array([1, 2, None, 7]), "k": [1.0, 2.0, 3.0, 4.0]})
    def assigning(name):
        def f(t):
            return t.assign(**{name: t.i % 4})

        return f

    for name in ("k", "z"):
        got = cc.compile(assigning(name), device="gpu", optimize=False)(t)
        assert got.column_names == (["i", "k"] if name == "k" else ["i", "k", "z"])
        assert got[name].to_pylist() == [1, 2, None, 3]


@needs_cxx
def test_emulated_tpch(tpch_sf01, emulated):
    import inspect

    from tpch import datagen, queries

    tables = datagen.load(0.1, tpch_sf01)
    for name, q in queries.QUERIES.items():
        args = {p: tables[p] for p in inspect.signature(q).parameters}
        both(q, ordered=name != "q6", **args)


@needs_cxx
def test_to_cupy_keeps_results_on_the_device(emulated):
    out = cc.compile(q1_arith, device="gpu", to="cupy")(lineitem=LINEITEM)
    assert isinstance(out, G.DeviceTable)
    assert out.num_rows == LINEITEM.num_rows and "charge" in out.column_names
    assert isinstance(out["charge"], np.ndarray)  # cupy.ndarray on a GPU
    assert_results_match(out.to_arrow(), cc.compile(q1_arith, device="cpu")(lineitem=LINEITEM), ordered=True)


@pytest.mark.slow
@needs_cxx
def test_emulated_differential_suite():
    """The differential suite (all but the property tests) with ``device="gpu"``, emulated."""
    env = dict(os.environ, CYLONC_GPU_EMULATE="1", CYLONC_TEST_DEVICE="gpu", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-W", "ignore::RuntimeWarning",
         "--ignore", "differential/test_properties.py", "differential"],
        cwd=REPO / "tests", env=env, capture_output=True, text=True, timeout=3000)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]


# --------------------------------------------------------------------------------- without MLIR

_BLOCK = """
import importlib.abc, sys
class _Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("mlir", "cupy"):
            raise ImportError(f"{name} is blocked for this test")
        return None
sys.meta_path.insert(0, _Block())
"""


@needs_cxx
def test_gpu_path_without_mlir(tmp_path):
    """``import cylonc`` and trace -> fused -> CUDA source (and an emulated run) where the
    ``mlir`` package (and CuPy) cannot be imported: MLIR is only imported lazily."""
    script = _BLOCK + f"""
import os
os.environ["{G.EMULATE_ENV}"] = "1"
import pyarrow as pa, warnings
import cylonc as cc
from cylonc.compiler.inputs import describe_source
from cylonc.compiler.pipeline import Options, compile_pipeline
from cylonc.runtime.kernels import cupy as G

def q(t):
    f = t[t.x > 1.5]
    return f.assign(y=f.x * 2).y.sum()

t = pa.table({{"x": [1.0, 2.0, 3.0]}})
plan = compile_pipeline(q, {{"t": describe_source(t, "t")}}, {{}}, Options(device="gpu")).plan
fused = [n for n in plan["nodes"] if n["op"] == "fused"]
assert fused and fused[0]["device"] == "gpu", plan["nodes"]
nodes = {{n["id"]: n for n in plan["nodes"]}}
src = G.generate(fused[0], nodes[fused[0]["input"]]["schema"]).source
assert "__global__" in src
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    assert cc.compile(q, device="gpu")(t) == 10.0
assert not [m for m in sys.modules if m.split(".")[0] in ("mlir", "cupy")]
print("ok")
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stdout + proc.stderr


# --------------------------------------------------------------------------------- CuPy's glue

_FAKE_CUPY = """
import ctypes, subprocess, sys, tempfile, types
import numpy as np
from cylonc.runtime.kernels import cupy as G

CALLS = []


class RawKernel:
    # NVRTC stand-in: the same source built for the host; called as cupy calls a kernel
    def __init__(self, source, name, options=()):
        assert "--std=c++17" in options
        d = tempfile.mkdtemp()
        open(d + "/k.cpp", "w").write(G.HOST_SHIM + source)
        subprocess.run([G.host_compiler(), "-std=c++17", "-shared", "-fPIC", "-o", d + "/k.so", d + "/k.cpp"], check=True)
        self.fn = getattr(ctypes.CDLL(d + "/k.so"), name)

    def __call__(self, grid, block, args):
        assert isinstance(grid, tuple) and isinstance(block, tuple) and grid[0] >= 1
        CALLS.append((grid, block))
        conv = []
        for a in args:
            if isinstance(a, np.ndarray):
                conv.append(ctypes.c_void_p(a.ctypes.data))
            else:  # numpy scalars of the parameter's exact type, as cupy needs them
                assert isinstance(a, np.generic), type(a)
                conv.append(np.ctypeslib.as_ctypes_type(a.dtype)(a.item()))
        self.fn(*conv)


def ElementwiseKernel(ins, outs, op, name):
    if name == "cylonc_count":
        return lambda g, out: np.add.at(out, g, np.uint64(1))
    assert name == "cylonc_wsum"
    return lambda g, w, out: np.add.at(out, g, w)


cupy = types.ModuleType("cupy")
cupy.__spec__ = __import__("importlib.machinery").machinery.ModuleSpec("cupy", None)
cupy.__getattr__ = lambda name: getattr(np, name)
cupy.RawKernel, cupy.ElementwiseKernel = RawKernel, ElementwiseKernel
cupy.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=lambda: 1))
sys.modules["cupy"] = cupy
G._cupy_problem.cache_clear()
"""


@needs_cxx
def test_cupy_branch_with_a_numpy_stand_in():
    """The CuPy code path (RawKernel launches with grid/block and numpy scalars, the scatter
    kernels) with a stand-in ``cupy`` module: NumPy arrays, kernels built for the host."""
    script = _FAKE_CUPY + f"""
import os
os.environ.pop("{G.EMULATE_ENV}", None)
sys.path.insert(0, {str(REPO / "tests")!r})
import test_gpu_codegen as T
assert G.gpu_problem() is None and G.backend().name == "cupy"
T.both(T.q6, lineitem=T.LINEITEM)
T.both(T.kitchen_sink, ordered=True, t=T.MIXED)
T.both(T.masked_reduce, t=T.MIXED)
T.both(T.groups, ordered=True, t=T.MIXED)
T.both(T.sorts, ordered=True, t=T.MIXED)
assert CALLS and G.STATS["fallbacks"] == 0, (CALLS, G.STATS)
print("ok", len(CALLS))
"""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop(G.EMULATE_ENV, None)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, env=env,
                          cwd=REPO / "tests")
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stdout + proc.stderr


# --------------------------------------------------------------------------------- a real GPU


@pytest.mark.gpu
@pytest.mark.skipif(G._emulated() or G.gpu_problem() is not None, reason=NO_GPU)
def test_differential_suite_on_the_gpu():
    """The differential suite with ``device="gpu"`` on the CUDA device (CuPy)."""
    env = dict(os.environ, CYLONC_TEST_DEVICE="gpu", PYTHONDONTWRITEBYTECODE="1")
    env.setdefault("CYLONC_HYPOTHESIS_EXAMPLES", "20")  # each example compiles new kernels
    env.pop(G.EMULATE_ENV, None)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow",
                           "differential"],
                          cwd=REPO / "tests", env=env, capture_output=True, text=True, timeout=3000)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]


@pytest.mark.gpu
@pytest.mark.skipif(G._emulated() or G.gpu_problem() is not None, reason=NO_GPU)
def test_kernels_on_the_gpu():
    import cupy

    for fn, tables in ((q6, {"lineitem": LINEITEM}), (kitchen_sink, {"t": MIXED}), (masked_reduce, {"t": MIXED})):
        both(fn, ordered=True, **tables)
    out = cc.compile(q1_arith, device="gpu", to="cupy")(lineitem=LINEITEM)
    assert isinstance(out["charge"], cupy.ndarray)
