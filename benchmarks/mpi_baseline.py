"""cylonc on MPI ranks vs a plain mpi4py + pyarrow baseline.

Workloads (random int64 keys, one thread per rank):

- ``join``: 10M x 10M inner join on a key drawn from [0, 10M) (about 10M result rows);
- ``groupby``: sum of 10M rows into 1M groups;
- ``sort``: 10M rows by an int64 key.

The baseline is the same work written directly with mpi4py and pyarrow (hash shuffle by
``key % ranks`` with IPC buffers and ``Alltoallv``, then ``Table.join`` / ``group_by``; a
sample sort), each rank generating its own share of the same data and keeping its part of the
result. cylonc is measured the same way (``--spmd``: under ``mpiexec``, each rank holding its
share in memory, the compiled plan run collectively with the result left on the ranks, as
``-o DIR`` does without the file writes; barrier to barrier, best of ``--repeat``), and also
as a whole call with ``executor="mpi"`` from a plain process (scatter of the inputs to a warm
pool of ranks, the plan, the gather of the result).

Usage::

    python benchmarks/mpi_baseline.py [--rows 10000000] [--ranks 1 2] [--repeat 3]
    mpiexec -n 2 python benchmarks/mpi_baseline.py --baseline join   # the baseline alone
    mpiexec -n 2 python benchmarks/mpi_baseline.py --spmd join --profile   # cylonc alone, per node
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import pyarrow as pa

SEED = 7


def data(rows: int, lo: int, hi: int) -> dict[str, pa.Table]:
    """Rows ``[lo, hi)`` of the benchmark tables (the same for any split)."""
    rng = np.random.default_rng(SEED)
    lk = rng.integers(0, rows, rows)
    rk = rng.integers(0, rows, rows)
    gk = rng.integers(0, max(rows // 10, 1), rows)
    v = rng.random(rows)
    sl = slice(lo, hi)
    idx = np.arange(rows, dtype=np.int64)[sl]
    return {
        "left": pa.table({"k": lk[sl], "a": idx}),
        "right": pa.table({"k": rk[sl], "b": idx}),
        "facts": pa.table({"g": gk[sl], "v": v[sl]}),
        "sortme": pa.table({"k": lk[sl], "v": v[sl]}),
    }


# --------------------------------------------------------------------------------------------
# the baseline: mpi4py + pyarrow, written directly


def _exchange(comm, table: pa.Table, dest: np.ndarray) -> pa.Table:
    from mpi4py import MPI

    size = comm.Get_size()
    order = np.argsort(dest.astype(np.uint8), kind="stable")
    counts = np.bincount(dest, minlength=size)
    ordered = table.take(pa.array(order))
    sink = pa.BufferOutputStream()
    sizes = np.zeros(size, dtype=np.int64)
    start = 0
    for d in range(size):
        part = ordered.slice(start, int(counts[d]))
        start += int(counts[d])
        before = sink.tell()
        with pa.ipc.new_stream(sink, table.schema) as w:
            w.write_table(part)
        sizes[d] = sink.tell() - before
    send = np.frombuffer(sink.getvalue(), dtype=np.uint8)
    rsizes = np.zeros(size, dtype=np.int64)
    comm.Alltoall(sizes, rsizes)
    sdispl = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rdispl = np.concatenate([[0], np.cumsum(rsizes)[:-1]])
    recv = np.empty(int(rsizes.sum()), dtype=np.uint8)
    comm.Alltoallv([send, (sizes, sdispl), MPI.BYTE], [recv, (rsizes, rdispl), MPI.BYTE])
    parts = [pa.ipc.open_stream(pa.py_buffer(recv[o:o + n])).read_all() for o, n in zip(rdispl, rsizes)]
    return pa.concat_tables(parts)


def baseline(workload: str, rows: int) -> None:
    """Run one workload under ``mpiexec``; rank 0 prints JSON timings."""
    from mpi4py import MPI

    pa.set_cpu_count(1)
    comm = MPI.COMM_WORLD
    r, p = comm.Get_rank(), comm.Get_size()
    t = data(rows, rows * r // p, rows * (r + 1) // p)
    comm.Barrier()
    start = time.perf_counter()
    if workload == "join":
        left = _exchange(comm, t["left"], (t["left"]["k"].to_numpy() % p).astype(np.int64))
        right = _exchange(comm, t["right"], (t["right"]["k"].to_numpy() % p).astype(np.int64))
        out = left.join(right, "k", join_type="inner", use_threads=False)
    elif workload == "groupby":
        part = t["facts"].group_by("g", use_threads=False).aggregate([("v", "sum")])
        part = _exchange(comm, part, (part["g"].to_numpy() % p).astype(np.int64))
        out = part.group_by("g", use_threads=False).aggregate([("v_sum", "sum")])
    else:
        keys = t["sortme"]["k"].to_numpy()
        sample = keys[:: max(len(keys) // 64, 1)]
        everyone = np.sort(np.concatenate(comm.allgather(sample)))
        split = everyone[(np.arange(1, p) * len(everyone)) // p] if p > 1 else everyone[:0]
        moved = _exchange(comm, t["sortme"], np.searchsorted(split, keys, side="left").astype(np.int64))
        out = moved.take(moved["k"].to_numpy().argsort(kind="stable"))
    comm.Barrier()
    elapsed = time.perf_counter() - start
    rows_out = comm.allreduce(out.num_rows)
    if r == 0:
        print(json.dumps({"workload": workload, "ranks": p, "seconds": elapsed, "rows_out": rows_out}))


# --------------------------------------------------------------------------------------------
# cylonc


def join(left, right):
    return left.merge(right, on="k")


def groupby(facts):
    return facts.groupby("g", as_index=False).agg(total=("v", "sum"))


def sort(sortme):
    return sortme.sort_values("k")


def run_cylonc(workload: str, rows: int, ranks: int, repeat: int) -> dict:
    from cylonc.compiler.inputs import describe_source
    from cylonc.compiler.pipeline import Options, compile_pipeline
    from cylonc.runtime.executors.mpi import MPIExecutor

    fn = {"join": join, "groupby": groupby, "sort": sort}[workload]
    tables = data(rows, 0, rows)
    names = {"join": ["left", "right"], "groupby": ["facts"], "sortme": ["sortme"]}.get(workload, ["sortme"])
    sources = {n: tables[n] for n in names}
    compiled = compile_pipeline(fn, {n: describe_source(t, n) for n, t in sources.items()}, {},
                                Options(ranks=ranks, executor="mpi", device="cpu"))
    ex = MPIExecutor(ranks)
    ex.run(compiled.plan, {n: t.slice(0, 1000) for n, t in sources.items()})  # start the ranks
    best = None
    for _ in range(repeat):
        out = ex.run(compiled.plan, sources)
        timing = dict(ex.last_timing, rows_out=out.num_rows)
        if best is None or timing["total_s"] < best["total_s"]:
            best = timing
    return {"workload": workload, "ranks": ranks, **best}


def spmd(workload: str, rows: int, repeat: int, profile: bool = False) -> None:
    """cylonc measured like the baseline, under ``mpiexec``: each rank starts with its share of
    the data in memory and keeps its part of the result (the plan of ``-o DIR`` without the
    file writes); rank 0 prints JSON timings (best of `repeat`, barrier to barrier)."""
    from mpi4py import MPI

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    os.environ["CYLONC_NATIVE_THREADS"] = "1"
    from cylonc.compiler.api import _agree_on_sources
    from cylonc.compiler.inputs import describe_source
    from cylonc.compiler.pipeline import Options, compile_pipeline
    from cylonc.runtime import interpreter
    from cylonc.runtime.comm import Comm
    from cylonc.runtime.executors.mpi import output_parts, run_collective

    world = MPI.COMM_WORLD
    r, p = world.Get_rank(), world.Get_size()
    fn = {"join": join, "groupby": groupby, "sort": sort}[workload]
    names = {"join": ["left", "right"], "groupby": ["facts"], "sort": ["sortme"]}[workload]
    tables = data(rows, rows * r // p, rows * (r + 1) // p)
    local = {n: tables[n] for n in names}
    sources = _agree_on_sources({n: describe_source(t, n) for n, t in local.items()}, world)
    compiled = compile_pipeline(fn, sources, {}, Options(ranks=p, executor="mpi", device="cpu"))
    plan = output_parts(compiled.plan)
    comm = Comm(world)
    phases: dict[str, float] = {}
    if profile:
        original = interpreter._Run.node

        def timed(self, node):
            start = time.perf_counter()
            try:
                return original(self, node)
            finally:
                key = f"{node.get('id')}:{node['op']}"
                phases[key] = phases.get(key, 0.0) + time.perf_counter() - start

        interpreter._Run.node = timed
    best, rows_out = None, 0
    for _ in range(repeat):
        phases.clear()
        world.Barrier()
        start = time.perf_counter()
        out = run_collective(plan, local, comm)
        world.Barrier()
        elapsed = time.perf_counter() - start
        if best is None or elapsed < best[0]:
            best = (elapsed, dict(phases))
        rows_out = world.allreduce(out.num_rows)
    if r == 0:
        res = {"workload": workload, "ranks": p, "seconds": best[0], "rows_out": rows_out}
        if profile:
            res["nodes_s"] = {k: round(v, 4) for k, v in best[1].items()}
        print(json.dumps(res))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--workloads", nargs="+", default=["join", "groupby", "sort"])
    ap.add_argument("--baseline", help="run this workload's baseline (under mpiexec)")
    ap.add_argument("--spmd", help="run this workload in cylonc as the baseline runs (under mpiexec)")
    ap.add_argument("--profile", action="store_true", help="with --spmd: time each plan node")
    args = ap.parse_args(argv)
    if args.baseline:
        baseline(args.baseline, args.rows)
        return
    if args.spmd:
        spmd(args.spmd, args.rows, args.repeat, args.profile)
        return
    os.environ["CYLONC_THREADS_PER_RANK"] = "1"
    mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")

    def under_mpiexec(flag: str, workload: str, ranks: int, times: int) -> dict:
        cmd = [mpiexec, "-n", str(ranks), sys.executable, __file__, flag, workload, "--rows", str(args.rows)]
        if flag == "--spmd":
            cmd += ["--repeat", str(times)]
            times = 1
        best = None
        for _ in range(times):
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            best = r if best is None or r["seconds"] < best["seconds"] else best
        return best

    rows = []
    for workload in args.workloads:
        for ranks in args.ranks:
            row = {"workload": workload, "ranks": ranks,
                   "spmd": under_mpiexec("--spmd", workload, ranks, args.repeat)["seconds"],
                   "call": run_cylonc(workload, args.rows, ranks, args.repeat)["total_s"],
                   "baseline": under_mpiexec("--baseline", workload, ranks, args.repeat)["seconds"]}
            rows.append(row)
            print(json.dumps(row), flush=True)
    print("\n| workload | ranks | cylonc SPMD (s) | speed-up over 1 rank | mpi4py + pyarrow baseline (s) "
          "| cylonc / baseline | cylonc whole call, executor=\"mpi\" (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        one = next((x for x in rows if x["workload"] == r["workload"] and x["ranks"] == 1), None)
        speedup = f"{one['spmd'] / r['spmd']:.2f}x" if one else ""
        print(f"| {r['workload']} | {r['ranks']} | {r['spmd']:.3f} | {speedup} | {r['baseline']:.3f} "
              f"| {r['spmd'] / r['baseline']:.2f} | {r['call']:.3f} |")


if __name__ == "__main__":
    main()
