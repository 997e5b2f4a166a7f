"""RADICAL-Pilot overhead: one pipeline on ``local``, ``mpi`` and ``radical`` (warm pilot), the
cold start, and a parameter sweep through raptor function tasks vs executable tasks.

Every RP file goes under one temporary folder (``RADICAL_BASE``, ``TMPDIR``, ``HOME``,
``CYLONC_RP_DIR``), removed at the end.

Usage::

    python benchmarks/rp_overhead.py [--rows 100000] [--calls 10] [--sweep 200] [--exec-sweep 20]
                                     [--out benchmarks/RESULTS.md]

With ``--out`` the "RADICAL-Pilot" section of that file is replaced (or appended); the rest of
the file is left as it is.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

START, END = "<!-- radical:start -->", "<!-- radical:end -->"


def _setup(root: Path) -> None:
    for d in ("home", "tmp"):
        (root / d).mkdir(parents=True, exist_ok=True)
    os.environ.update(RADICAL_BASE=str(root / "radical"), TMPDIR=str(root / "tmp"), HOME=str(root / "home"),
                      CYLONC_RP_DIR=str(root / "rp"), CYLONC_PROGRESS="off")
    tempfile.tempdir = str(root / "tmp")


def pipeline(t):
    """The measured pipeline: a filter, a computed column, a group-by."""
    f = t[t.x > 0.25]
    return f.assign(y=f.x * 2.0 + 1.0).groupby("k", as_index=False).agg(s=("y", "sum"), n=("y", "count"))


def point(t, threshold):
    """The sweep's pipeline (one scalar parameter)."""
    return t[t.x > threshold].groupby("k", as_index=False).agg(s=("x", "sum"))


def _same(got, expected) -> None:
    """Same groups and (within float tolerance: summation order differs across ranks) values."""
    import numpy as np

    a, b = got.sort_by("k").to_pydict(), expected.sort_by("k").to_pydict()
    assert a["k"] == b["k"] and a["n"] == b["n"] and np.allclose(a["s"], b["s"]), "results differ"


def _median_call(fn, args, calls: int) -> float:
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _rate_from_log(log: Path, n: int) -> float:
    """Tasks per second from first submission to last completion (``progress.log``)."""
    stamps = {"submitted": [], "done": []}
    for line in log.read_text().splitlines():
        m = re.match(r"\[\s*([\d.]+)s\] \S+: (submitted|done)", line)
        if m:
            stamps[m.group(2)].append(float(m.group(1)))
    span = max(stamps["done"]) - min(stamps["submitted"])
    return n / span if span > 0 else float("inf")


def measure(rows: int, calls: int, sweep: int, exec_sweep: int) -> dict:
    import numpy as np
    import pyarrow as pa

    import cylonc as cc
    from cylonc.runtime.executors import radical

    rng = np.random.default_rng(0)
    t = pa.table({"k": rng.integers(0, 100, rows), "x": rng.random(rows)})
    out: dict = {"rows": rows, "calls": calls, "pilot_cores": radical.pilot_config().pilot_cores()}
    local = cc.compile(pipeline)
    expected = local(t)
    out["local"] = _median_call(local, (t,), calls)
    try:
        mpi = cc.compile(pipeline, executor="mpi", ranks=2)
        _same(mpi(t), expected)
        out["mpi2"] = _median_call(mpi, (t,), calls)
    except Exception as exc:  # noqa: BLE001 - reported, not fatal
        out["mpi2"] = f"n/a ({type(exc).__name__}: {exc})"
    rad = cc.compile(pipeline, executor="radical")
    t0 = time.perf_counter()
    got = rad(t)
    out["cold"] = time.perf_counter() - t0
    _same(got, expected)
    out["radical"] = _median_call(rad, (t,), calls)
    small = t.slice(0, 1000)
    out["radical_small"] = _median_call(rad, (small,), calls)
    out["local_small"] = _median_call(local, (small,), calls)
    try:
        rad2 = cc.compile(pipeline, executor="radical", ranks=2)
        t0 = time.perf_counter()
        _same(rad2(t), expected)
        out["radical_mpi2_first"] = time.perf_counter() - t0
        out["radical_mpi2"] = _median_call(rad2, (t,), max(2, calls // 3))
    except Exception as exc:  # noqa: BLE001
        out["radical_mpi2"] = f"n/a ({type(exc).__name__}: {exc})"

    grid = [i / sweep for i in range(sweep)]
    wf = cc.workflow("sweep")
    wf.map(point, {"threshold": grid}, t=small)
    t0 = time.perf_counter()
    wf.compile()
    out["sweep_compile"] = time.perf_counter() - t0
    work = Path(os.environ["CYLONC_RP_DIR"]) / "sweep"
    t0 = time.perf_counter()
    wf.run(executor="radical", workdir=work)
    out["sweep_wall"] = time.perf_counter() - t0
    out["sweep_rate"] = _rate_from_log(work / "progress.log", sweep)
    out["sweep"] = sweep
    if exec_sweep:
        wf2 = cc.workflow("exec_sweep")
        wf2.map(point, {"threshold": grid[:exec_sweep]}, t=small)
        work2 = Path(os.environ["CYLONC_RP_DIR"]) / "exec_sweep"
        t0 = time.perf_counter()
        wf2.run(executor="radical", workdir=work2, raptor=False)
        out["exec_sweep_wall"] = time.perf_counter() - t0
        out["exec_sweep_rate"] = _rate_from_log(work2 / "progress.log", exec_sweep)
        out["exec_sweep"] = exec_sweep
    t0 = time.perf_counter()
    radical.shutdown()
    out["shutdown"] = time.perf_counter() - t0
    return out


def _f(v) -> str:
    return v if isinstance(v, str) else f"{v:.3f}"


def report(r: dict, command: str) -> str:
    load = os.getloadavg()
    lines = [
        START,
        "",
        "## RADICAL-Pilot",
        "",
        f"- Command: `{command}`",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average (1, 5, 15 min) "
        f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} at the end (a shared machine: other work ran alongside)",
        f"- Machine: {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}; RADICAL-Pilot 1.103.0, "
        f"resource `local.localhost`, one pilot ({r['pilot_cores']} cores claimed), one raptor master with a "
        "one-rank `MPIWorker` (`cylonc.runtime.executors.radical_worker`)",
        f"- Pipeline: filter + computed column + group-by over {r['rows']:,} rows (`benchmarks/rp_overhead.py`); "
        f"median of {r['calls']} calls after a warm-up call",
        "",
        "| executor | seconds per call | overhead vs local |",
        "|---|---:|---:|",
        f"| local (in-process) | {_f(r['local'])} | |",
    ]
    if isinstance(r["mpi2"], str):
        lines.append(f"| mpi, 2 ranks (warm worker pool) | {r['mpi2']} | |")
    else:
        lines.append(f"| mpi, 2 ranks (warm worker pool) | {_f(r['mpi2'])} | {_f(r['mpi2'] - r['local'])} |")
    lines += [
        f"| radical, warm pilot (raptor function task) | {_f(r['radical'])} | {_f(r['radical'] - r['local'])} |",
        f"| radical, warm pilot, 1,000 rows | {_f(r['radical_small'])} | {_f(r['radical_small'] - r['local_small'])} |",
    ]
    if isinstance(r.get("radical_mpi2"), str):
        lines.append(f"| radical, 2 ranks (MPI executable task) | {r['radical_mpi2']} | |")
    else:
        lines.append(f"| radical, 2 ranks (MPI executable task) | {_f(r['radical_mpi2'])} | "
                     f"{_f(r['radical_mpi2'] - r['local'])} |")
    lines += [
        "",
        f"- Cold start (session, pilot, raptor master and worker, first task): {_f(r['cold'])} s; "
        f"closing (cancel pilot, close session): {_f(r['shutdown'])} s.",
        f"- Sweep of {r['sweep']} points (1,000 rows each) as raptor function tasks: "
        f"**{r['sweep_rate']:.1f} tasks/s** from first submission to last result "
        f"({_f(r['sweep_wall'])} s for the whole `Workflow.run`, which also writes the artifact of "
        f"{r['sweep']} plans; compiling the {r['sweep']} points took {_f(r['sweep_compile'])} s before that).",
    ]
    if "exec_sweep_rate" in r:
        lines.append(f"- The same pipeline as {r['exec_sweep']} executable tasks (`raptor=False`, a Python process "
                     f"per task): {r['exec_sweep_rate']:.1f} tasks/s ({_f(r['exec_sweep_wall'])} s).")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace the RADICAL-Pilot section of `path` (between the markers), or append it."""
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--calls", type=int, default=10)
    ap.add_argument("--sweep", type=int, default=200)
    ap.add_argument("--exec-sweep", type=int, default=20)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="cylonc-rp-bench-"))
    _setup(root)
    try:
        r = measure(args.rows, args.calls, args.sweep, args.exec_sweep)
    finally:
        from cylonc.runtime.executors import radical

        radical.shutdown()
        shutil.rmtree(root, ignore_errors=True)
    section = report(r, "python benchmarks/rp_overhead.py " + " ".join(sys.argv[1:]))
    print(section)
    if args.out:
        write_section(args.out, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
