#!/usr/bin/env python
"""TPC-H Q1, Q3, Q5 and Q6 with ``device="gpu"`` against ``device="cpu"`` (and ``"auto"``):
answers compared, times tabulated. Run by ``benchmarks/gpu_check.sh`` on a machine with a GPU.

    python benchmarks/gpu_check.py --sf 1 --repeat 3 --out gpu_results.md

For each query: a warm-up call per device (tracing, compiling, kernel JIT: reported as *first
call*), the GPU answer checked against the CPU one (float tolerance), then the median of
``--repeat`` timed calls. Inputs are the in-memory Arrow tables of ``examples/tpch/datagen``
(generated once by ``tpchgen-cli`` into ``.cylonc-cache/tpch/sf<SF>``), so host-to-device copies
are part of every GPU time, as they are of a user's call. The table also says which operators
``auto`` put on the GPU and how many GPU nodes fell back to Arrow.
"""

from __future__ import annotations

import argparse
import inspect
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "examples"))
sys.path.insert(0, str(REPO / "tests"))


def device_name() -> str:
    from cylonc.runtime.kernels import cupy as G

    problem = G.gpu_problem()
    if problem is not None:
        return f"no usable GPU ({problem})"
    be = G.backend()
    if be is None or be.name != "cupy":
        return f"emulated ({G.EMULATE_ENV}=1, NumPy + host C++)"
    import cupy

    props = cupy.cuda.runtime.getDeviceProperties(0)
    name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
    return f"{name}, CuPy {cupy.__version__}, CUDA runtime {cupy.cuda.runtime.runtimeGetVersion()}"


def timed(fn, args, repeat: int) -> tuple[float, list[float], object]:
    t0 = time.perf_counter()
    result = fn(**args)
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(**args)
        times.append(time.perf_counter() - t0)
    return first, times, result


def gpu_ops(pipeline, args) -> str:
    """The plan operators ``pipeline`` runs on the GPU for ``args`` (from its cached plan)."""
    compiled = next(iter(pipeline._cache.values()), None)
    if compiled is None or compiled.plan is None:
        return "?"
    ops = [n["op"] for n in compiled.plan["nodes"] if n.get("device") == "gpu" and n["op"] != "to_device"]
    return "+".join(ops) if ops else "none"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sf", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="q1,q3,q5,q6")
    ap.add_argument("--out", default=None, help="write the markdown table here too")
    args = ap.parse_args(argv)

    import cylonc as cc
    from cylonc.runtime.kernels import cupy as G
    from helpers import assert_results_match
    from tpch import datagen, queries

    sf = args.sf
    folder = REPO / ".cylonc-cache" / "tpch" / f"sf{sf:g}"
    t0 = time.perf_counter()
    datagen.generate(sf, folder)
    tables = datagen.load(sf, folder)
    prep = time.perf_counter() - t0
    dev = device_name()
    print(f"data: TPC-H SF {sf:g} in {prep:.1f} s; device: {dev}", flush=True)

    rows = []
    for name in args.only.split(","):
        q = queries.QUERIES[name]
        inputs = {p: tables[p] for p in inspect.signature(q).parameters}
        line = {"query": name}
        try:
            cpu = cc.compile(q, device="cpu")
            c_first, c_times, c_res = timed(cpu, inputs, args.repeat)
            before = dict(G.STATS)
            gpu = cc.compile(q, device="gpu")
            g_first, g_times, g_res = timed(gpu, inputs, args.repeat)
            fallbacks = G.STATS["fallbacks"] - before["fallbacks"]
            ordered = name != "q6"
            if isinstance(c_res, float):
                ok = abs(c_res - g_res) <= 1e-6 * max(1.0, abs(c_res))
            else:
                try:
                    assert_results_match(g_res, c_res, ordered=ordered)
                    ok = True
                except AssertionError as exc:
                    ok = False
                    print(f"{name}: GPU answer differs: {exc}", flush=True)
            auto = cc.compile(q)
            a_first, a_times, _ = timed(auto, inputs, args.repeat)
            c, g, a = statistics.median(c_times), statistics.median(g_times), statistics.median(a_times)
            line.update(cpu=f"{c:.3f}", gpu=f"{g:.3f}", speedup=f"{c / g:.2f}x", auto=f"{a:.3f}",
                        auto_gpu=gpu_ops(auto, inputs), first=f"{c_first:.2f} / {g_first:.2f}",
                        match="yes" if ok else "**NO**", fallbacks=str(fallbacks))
        except Exception as exc:  # noqa: BLE001 - report and go on
            line.update(cpu="error", gpu=f"error: {type(exc).__name__}: {exc}"[:200])
        rows.append(line)
        print(line, flush=True)

    cols = [("query", "query"), ("cpu", "cpu s"), ("gpu", "gpu s"), ("speedup", "cpu/gpu"), ("auto", "auto s"),
            ("auto_gpu", "auto: on the GPU"), ("first", "first call cpu / gpu s"), ("match", "gpu = cpu"),
            ("fallbacks", "GPU nodes on Arrow")]
    table = ["| " + " | ".join(h for _, h in cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        table.append("| " + " | ".join(r.get(k, "") for k, _ in cols) + " |")
    text = "\n".join([
        f"## cylonc on the GPU: TPC-H SF {sf:g}",
        "",
        f"device: {dev}; host: {platform.node()}, {os.cpu_count()} CPUs; median of {args.repeat} runs after a warm-up;",
        "inputs are in-memory Arrow tables (host-to-device copies included in GPU times).",
        "",
        *table,
        "",
    ])
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    return 0 if all(r.get("match") == "yes" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
