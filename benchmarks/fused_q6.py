"""TPC-H Q6 (and Q1's filter/assign part): native fused kernels vs the Arrow fallback vs DuckDB.

Run from the repository root::

    python benchmarks/fused_q6.py [--sf 1] [--repeat 7]

Each timing is the median of ``--repeat`` runs after a warm-up run (so the JIT is excluded;
the first-call JIT time is reported separately). The input is the in-memory Arrow
``lineitem`` table (decimals as float64, dates as date32); DuckDB queries the same Arrow table.
Variants:

- ``cylonc native``: the optimized plan with its fused kernels (the default path);
- ``cylonc arrow fallback``: the same plan, fused nodes interpreted with Arrow kernels;
- ``cylonc optimize=False``: the traced plan, no optimization at all, Arrow kernels;
- ``... one kernel``: the optimized plan without filter pushdown into the scan, so that the
  whole filter + multiply + sum is one native loop (native vs Arrow);
- ``duckdb threads=N``: DuckDB SQL Q6 over the Arrow table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

import cylonc as cc  # noqa: E402
from cylonc.compiler import pipeline as P  # noqa: E402
from cylonc.compiler.codegen import llvm, native_kernels  # noqa: E402
from cylonc.compiler.inputs import describe_source  # noqa: E402
from cylonc.runtime import execute  # noqa: E402
from tpch import datagen, queries, sql  # noqa: E402


_FUSED_TIMES: list[float] = []


def _timing_fused():
    """Time the interpreter's fused nodes (kernel or Arrow), apart from input conversion."""
    from cylonc.runtime import interpreter as I

    orig = I._Run.fused

    def fused(self, node, t):
        t0 = time.perf_counter()
        try:
            return orig(self, node, t)
        finally:
            _FUSED_TIMES.append(time.perf_counter() - t0)

    I._Run.fused = fused


def timed(fn, repeat, node_times=None):
    fn()
    times = []
    _FUSED_TIMES.clear()
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    if node_times is not None and _FUSED_TIMES:
        per_run = [sum(_FUSED_TIMES[i::repeat]) for i in range(repeat)] if len(_FUSED_TIMES) % repeat else None
        node_times.append(statistics.median(_FUSED_TIMES) * (len(_FUSED_TIMES) // repeat) if per_run is None else statistics.median(per_run))
    return statistics.median(times)


def compiled_for(fn, table, passes=None):
    saved = P.OPTIMIZE_PASSES
    if passes is not None:
        P.OPTIMIZE_PASSES = passes
    try:
        return P.compile_pipeline(fn, {"lineitem": describe_source(table, "lineitem")}, {}, P.Options())
    finally:
        P.OPTIMIZE_PASSES = saved


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sf", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    sf_dir = ROOT / ".cylonc-cache" / "tpch" / f"sf{args.sf:g}"
    lineitem = datagen.load(args.sf, sf_dir, tables=["lineitem"])["lineitem"]
    print(f"lineitem SF{args.sf:g}: {lineitem.num_rows} rows, {lineitem.nbytes / 1e9:.2f} GB in memory")
    data = {"lineitem": lineitem}
    results = {}
    nodes: dict[str, float] = {}
    _timing_fused()

    for name in ("q6", "q1"):
        fn = queries.QUERIES[name]
        t0 = time.perf_counter()
        first = cc.compile(fn)(lineitem)
        results[f"{name} first call (trace + JIT + run)"] = time.perf_counter() - t0
        comp = compiled_for(fn, lineitem)
        kernels = native_kernels(comp)
        for label, ks in (("native", kernels), ("arrow fallback", None)):
            nt: list[float] = []
            results[f"{name} cylonc {label}"] = timed(lambda: execute(comp.plan, data, kernels=ks), args.repeat, nt)
            if nt:
                nodes[f"{name} fused node(s) only: {label}"] = nt[0]
        unopt = cc.compile(optimize=False)(fn)
        results[f"{name} cylonc optimize=False"] = timed(lambda: unopt(lineitem), args.repeat)
        no_scan_filter = tuple(p for p in P.OPTIMIZE_PASSES if "Pushdown" not in p.__name__)
        one = compiled_for(fn, lineitem, no_scan_filter)
        k1 = native_kernels(one)
        for label, ks in (("native", k1), ("arrow fallback", None)):
            nt = []
            results[f"{name} one kernel: {label}"] = timed(lambda: execute(one.plan, data, kernels=ks), args.repeat, nt)
            if nt:
                nodes[f"{name} one kernel, fused node only: {label}"] = nt[0]
        if name == "q6":
            ref = execute(one.plan, data)
            assert abs(first - ref) <= 1e-9 * abs(ref), (first, ref)

    import duckdb

    for threads in (1, 2):
        con = duckdb.connect()
        con.execute(f"set threads={threads}")
        con.register("lineitem", lineitem)
        for name in ("q6", "q1"):
            q = sql.SQL[name]
            results[f"{name} duckdb threads={threads}"] = timed(lambda: con.execute(q).fetchall(), args.repeat)
        con.close()

    results.update(nodes)
    width = max(map(len, results))
    for k, v in results.items():
        print(f"{k:<{width}}  {v * 1000:9.1f} ms")
    print("kernel cache:", llvm.STATS)


if __name__ == "__main__":
    main()
