"""cylonc on MPI ranks vs a plain mpi4py + pyarrow baseline.

Workloads (random int64 keys, one thread per rank):

- ``join``: 10M x 10M inner join on a key drawn from [0, 10M) (about 10M result rows);
- ``groupby``: sum of 10M rows into 1M groups;
- ``sort``: 10M rows by an int64 key.

cylonc runs each with ``executor="mpi"`` at ``--ranks`` (the call's wall time, and rank 0's
time in the plan itself, without the caller's scatter of the inputs and the gather of the
result); the baseline is the same work written directly with mpi4py and pyarrow (hash
shuffle by ``key % ranks`` with IPC buffers and ``Alltoallv``, then ``Table.join`` /
``group_by``; a sample sort), each rank generating its own share of the same data.

Usage::

    python benchmarks/mpi_baseline.py [--rows 10000000] [--ranks 1 2] [--repeat 3]
    mpiexec -n 2 python benchmarks/mpi_baseline.py --baseline join   # the baseline alone
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
                                Options(ranks=ranks, executor="mpi"))
    ex = MPIExecutor(ranks)
    ex.run(compiled.plan, {n: t.slice(0, 1000) for n, t in sources.items()})  # start the ranks
    best = None
    for _ in range(repeat):
        out = ex.run(compiled.plan, sources)
        timing = dict(ex.last_timing, rows_out=out.num_rows)
        if best is None or timing["total_s"] < best["total_s"]:
            best = timing
    return {"workload": workload, "ranks": ranks, **best}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--workloads", nargs="+", default=["join", "groupby", "sort"])
    ap.add_argument("--baseline", help="run this workload's baseline (under mpiexec)")
    args = ap.parse_args(argv)
    if args.baseline:
        baseline(args.baseline, args.rows)
        return
    os.environ["CYLONC_THREADS_PER_RANK"] = "1"
    mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    results = []
    for workload in args.workloads:
        for ranks in args.ranks:
            res = run_cylonc(workload, args.rows, ranks, args.repeat)
            results.append(dict(res, system="cylonc"))
            print(json.dumps(results[-1]), flush=True)
            best = None
            for _ in range(args.repeat):
                out = subprocess.run([mpiexec, "-n", str(ranks), sys.executable, __file__, "--baseline", workload,
                                      "--rows", str(args.rows)], capture_output=True, text=True, check=True)
                b = json.loads(out.stdout.strip().splitlines()[-1])
                best = b if best is None or b["seconds"] < best["seconds"] else best
            results.append(dict(best, system="mpi4py+pyarrow"))
            print(json.dumps(results[-1]), flush=True)
    print("\n| workload | ranks | cylonc call (s) | cylonc plan on rank 0 (s) | baseline (s) |")
    print("|---|---|---|---|---|")
    for workload in args.workloads:
        for ranks in args.ranks:
            c = next(r for r in results if r["system"] == "cylonc" and r["workload"] == workload and r["ranks"] == ranks)
            b = next(r for r in results if r["system"] != "cylonc" and r["workload"] == workload and r["ranks"] == ranks)
            print(f"| {workload} | {ranks} | {c['total_s']:.2f} | {c.get('run_s', float('nan')):.2f} | {b['seconds']:.2f} |")


if __name__ == "__main__":
    main()
