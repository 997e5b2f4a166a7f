#!/usr/bin/env python
"""Single-node benchmark harness: cylonc against DuckDB, Polars, pandas and pyarrow.

    python benchmarks/run.py --sf 1 --repeat 5 --out benchmarks/RESULTS.md \
        [--only q1,q6,join,...] [--micro-rows 10000000] [--threads 2]

What it runs (see ``benchmarks/README.md``):

- TPC-H Q1, Q3, Q5 and Q6 at scale factor ``--sf``: data made once by ``tpchgen-cli`` into
  ``.cylonc-cache/tpch/sf<SF>``, loaded into in-memory Arrow tables with decimals cast to
  float64 (``examples/tpch/datagen.load``), the same tables for every engine;
- micro benchmarks on ``--micro-rows`` rows (``benchmarks/micro.py``): inner join, group-by sum
  into N/10 groups, sort by an int64 key.

Engines: cylonc (``cc.compile`` of the functions in ``examples/tpch/queries.py`` and
``benchmarks/micro.py``, on the Arrow tables), DuckDB (``examples/tpch/sql.py`` over the
registered Arrow tables, ``SET threads``), Polars (``benchmarks/polars_queries.py``, lazy API,
``POLARS_MAX_THREADS``), pandas (the same functions as cylonc, on pandas frames converted from
the Arrow tables before timing) and pyarrow (``benchmarks/pyarrow_queries.py``, Acero).
Every engine runs in its own subprocess with its thread count fixed before any engine is
imported. For each benchmark an engine runs once (warm-up), its answer is checked against
DuckDB's (float tolerance); a wrong answer is reported and not timed; otherwise the median of
``--repeat`` timed runs is reported. A failing engine/benchmark (exception, crash, timeout)
becomes ``error: ...`` in its cell and the run goes on.

cylonc's compile time is measured apart: *cold* is the first call of a fresh ``cc.compile`` in
a fresh process (nothing cached in memory) minus that call's execution, once with an empty
kernel cache (``CYLONC_CACHE_DIR``) and once with the kernels already on disk; *per-call
overhead* is a cached call's time minus its execution (tracing-cache lookup, input checks,
result conversion); *run* is the execution part of a cached call (``LocalExecutor.run``).

The results table replaces the section between ``<!-- bench:start -->`` and
``<!-- bench:end -->`` of ``--out`` (other sections are kept) and is printed.
"""

from __future__ import annotations

import os
import sys


def _threads_from_argv(default: int = 2) -> int:
    argv = sys.argv
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return int(argv[i + 1])
        if arg.startswith("--threads="):
            return int(arg.split("=", 1)[1])
    return default


# Thread limits go into the environment before any engine (Polars above all) can be imported.
THREAD_ENV = ("POLARS_MAX_THREADS", "OMP_NUM_THREADS", "NUMBA_NUM_THREADS", "MKL_NUM_THREADS",
              "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS")
for _var in THREAD_ENV:
    os.environ[_var] = str(_threads_from_argv())

import argparse  # noqa: E402
import datetime  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = REPO / ".cylonc-cache"
for _p in (HERE, REPO / "examples", REPO / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

ENGINES = ("cylonc", "duckdb", "polars", "pandas", "pyarrow")
ENGINE_TITLES = {"cylonc": "cylonc", "duckdb": "DuckDB", "polars": "Polars", "pandas": "pandas",
                 "pyarrow": "pyarrow"}
TPCH = ("q1", "q3", "q5", "q6")
MICRO = ("join", "groupby", "sort")
BENCHMARKS = TPCH + MICRO
TITLES = {"q1": "TPC-H Q1", "q3": "TPC-H Q3", "q5": "TPC-H Q5", "q6": "TPC-H Q6",
          "join": "join", "groupby": "group-by sum", "sort": "sort"}
TPCH_TABLES = {
    "q1": ("lineitem",),
    "q3": ("customer", "orders", "lineitem"),
    "q5": ("customer", "orders", "lineitem", "supplier", "nation", "region"),
    "q6": ("lineitem",),
}
MICRO_TABLES = {"join": ("left", "right"), "groupby": ("t",), "sort": ("t",)}
SORTED = {"q1", "q3", "q5", "sort"}  # the row order is part of the answer
RTOL, ATOL = 1e-6, 1e-9
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


# =============================================================================================
# Worker: one engine, some benchmarks, in its own process.
# =============================================================================================


class _Emitter:
    """Appends one JSON object per line to the results file (flushed, so a crash loses nothing
    already reported)."""

    def __init__(self, path: str):
        self.f = open(path, "a", encoding="utf-8")  # noqa: SIM115

    def __call__(self, **event) -> None:
        self.f.write(json.dumps(event, default=str) + "\n")
        self.f.flush()
        os.fsync(self.f.fileno())


def _short_exc(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text


def _to_arrow(result):
    """A table result as a pyarrow.Table (pandas and Polars frames converted); scalars as is."""
    import pyarrow as pa

    if isinstance(result, pa.Table):
        return result
    mod = type(result).__module__
    if mod.startswith("polars"):
        return result.to_arrow()
    if mod.startswith("pandas"):
        import pandas as pd

        if isinstance(result, pd.Series):
            result = result.to_frame()
        return pa.Table.from_pandas(result, preserve_index=False)
    return result


def _compare_large(actual, expected, ordered: bool) -> None:
    """Assert two (possibly large) tables hold the same rows: numeric columns as float64 within
    tolerance, others exactly; unordered results are sorted by all columns first."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    actual, expected = _to_arrow(actual), _to_arrow(expected)
    if not isinstance(actual, pa.Table):
        raise AssertionError(f"expected a table, got {type(actual).__name__}")
    if actual.column_names != expected.column_names:
        raise AssertionError(f"columns {actual.column_names} != {expected.column_names}")
    if actual.num_rows != expected.num_rows:
        raise AssertionError(f"{actual.num_rows} rows, DuckDB has {expected.num_rows}")

    def canon(t):
        cols = []
        for col in t.columns:
            if pa.types.is_integer(col.type):
                col = col.cast(pa.int64())
            elif pa.types.is_floating(col.type):
                col = col.cast(pa.float64())
            elif pa.types.is_string_view(col.type) or pa.types.is_large_string(col.type):
                col = col.cast(pa.string())
            cols.append(col)
        t = pa.table(cols, names=t.column_names)
        if not ordered and t.num_rows:
            t = t.take(pc.sort_indices(t, sort_keys=[(n, "ascending") for n in t.column_names]))
        return t

    a, e = canon(actual), canon(expected)
    for name in a.column_names:
        x, y = a[name], e[name]
        numeric = [pa.types.is_integer(c.type) or pa.types.is_floating(c.type) for c in (x, y)]
        if all(numeric) and x.type != y.type:  # int vs float: compare as float
            x, y = x.cast(pa.float64(), safe=False), y.cast(pa.float64(), safe=False)
        if pa.types.is_floating(x.type) and pa.types.is_floating(y.type):
            xs, ys = x.to_numpy(), y.to_numpy()
            ok = np.isclose(xs, ys, rtol=RTOL, atol=ATOL, equal_nan=True)
            if not ok.all():
                i = int(np.flatnonzero(~ok)[0])
                raise AssertionError(
                    f"column {name!r}: {int((~ok).sum())} of {len(ok)} values differ; first at "
                    f"row {i}: {xs[i]!r} != {ys[i]!r}"
                )
        elif not x.equals(y):
            if x.type != y.type:
                raise AssertionError(f"column {name!r}: type {x.type} != {y.type}")
            diff = pc.fill_null(pc.not_equal(x, y), True)
            bad = pc.indices_nonzero(diff) if hasattr(pc, "indices_nonzero") else None
            n_bad = pc.sum(diff.cast(pa.int64())).as_py()
            where = ""
            if bad is not None and len(bad):
                i = bad[0].as_py()
                where = f"; first at row {i}: {x[i].as_py()!r} != {y[i].as_py()!r}"
            raise AssertionError(f"column {name!r}: {n_bad} of {len(x)} values differ{where}")


def _check(task: str, result, reference) -> None:
    if task in TPCH:
        from helpers import assert_results_match

        actual = _to_arrow(result) if type(result).__module__.startswith("polars") else result
        assert_results_match(actual, reference, ordered=task in SORTED, rtol=RTOL, atol=ATOL)
    else:
        _compare_large(result, reference, ordered=task in SORTED)


def _load_inputs(spec: dict, tasks: list[str]) -> dict[str, dict]:
    """The Arrow input tables of each task, by parameter name (shared objects across tasks)."""
    import pyarrow.parquet as pq
    from tpch import datagen

    needed = sorted({t for task in tasks if task in TPCH for t in TPCH_TABLES[task]})
    tpch = datagen.load(spec["sf"], spec["tpch_dir"], tables=needed) if needed else {}
    out: dict[str, dict] = {}
    for task in tasks:
        if task in TPCH:
            out[task] = {name: tpch[name] for name in TPCH_TABLES[task]}
        else:
            out[task] = {
                p: pq.read_table(Path(spec["micro_dir"]) / f"{task}_{p}.parquet")
                for p in MICRO_TABLES[task]
            }
    return out


class _Engine:
    """How one engine prepares its inputs (untimed) and runs one benchmark (timed)."""

    def __init__(self, threads: int):
        self.threads = threads

    def info(self) -> dict:
        return {}

    def prepare(self, task: str, tables: dict):
        return tables

    def runner(self, task: str, inputs):
        raise NotImplementedError


class _DuckDB(_Engine):
    def __init__(self, threads):
        super().__init__(threads)
        import duckdb

        self.con = duckdb.connect()
        self.con.execute(f"SET threads={threads}")

    def info(self):
        return {"threads": self.con.execute("select current_setting('threads')").fetchall()[0][0]}

    def _fetch(self, query: str):
        # The relation API hands over Arrow without the extra copy of a DB-API result.
        rel = self.con.sql(query)
        for name in ("to_arrow_table", "fetch_arrow_table", "arrow"):
            if hasattr(rel, name):
                return getattr(rel, name)()
        raise RuntimeError("no Arrow fetch method on the DuckDB relation")

    def runner(self, task, inputs):
        import micro
        from tpch import sql

        if task in TPCH:
            for name, table in inputs.items():
                self.con.register(name, table)
            query = sql.SQL[task]
        else:
            for name, table in inputs.items():
                self.con.register(micro.SQL_TABLES[name], table)
            query = micro.SQL[task]
        return lambda: self._fetch(query)


class _Polars(_Engine):
    def info(self):
        import polars as pl

        return {"threads": pl.thread_pool_size()}

    def prepare(self, task, tables):
        import polars as pl

        return {name: pl.from_arrow(t) for name, t in tables.items()}

    def runner(self, task, inputs):
        import polars_queries

        fn = (polars_queries.QUERIES | polars_queries.MICRO)[task]
        return lambda: fn(**{name: df.lazy() for name, df in inputs.items()}).collect()


class _Pandas(_Engine):
    def prepare(self, task, tables):
        from tpch import datagen

        return {name: datagen.to_pandas(t) for name, t in tables.items()}

    def runner(self, task, inputs):
        import micro
        from tpch import queries

        fn = (queries.QUERIES | micro.MICRO)[task]
        return lambda: fn(**inputs)


class _PyArrow(_Engine):
    def runner(self, task, inputs):
        import pyarrow_queries

        fn = (pyarrow_queries.QUERIES | pyarrow_queries.MICRO)[task]
        return lambda: fn(**inputs)


class _CallTimer:
    """Times ``LocalExecutor.run`` (the execution part of a cylonc call)."""

    def __init__(self):
        self.runs: list[float] = []
        self.installed = False
        try:
            from cylonc.runtime.executors import local
        except Exception:  # noqa: BLE001 - internals moved: no split of call time
            return
        original = local.LocalExecutor.run
        timer = self

        def run(self, *args, **kwargs):
            t0 = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                timer.runs.append(time.perf_counter() - t0)

        local.LocalExecutor.run = run
        self.installed = True

    def last(self) -> float | None:
        return self.runs[-1] if self.runs else None


class _Cylonc(_Engine):
    def __init__(self, threads):
        super().__init__(threads)
        t0 = time.perf_counter()
        import cylonc  # noqa: F401

        self.import_s = time.perf_counter() - t0
        self.timer = _CallTimer()

    def info(self):
        return {"import_s": self.import_s, "run_timer": self.timer.installed}

    def runner(self, task, inputs):
        import micro
        from tpch import queries

        import cylonc as cc

        q = cc.compile((queries.QUERIES | micro.MICRO)[task])
        return lambda: q(**inputs)


ENGINE_CLASSES = {"duckdb": _DuckDB, "polars": _Polars, "pandas": _Pandas, "pyarrow": _PyArrow,
                  "cylonc": _Cylonc, "cylonc-cold": None}


def _worker_cold(spec: dict, emit: _Emitter) -> None:
    """A fresh process: load one benchmark's inputs, import cylonc, time the first call."""
    (task,) = spec["tasks"]
    emit(event="start", task=task)
    tables = _load_inputs(spec, [task])[task]
    gc.collect()
    engine = _Cylonc(spec["threads"])
    run = engine.runner(task, tables)
    t0 = time.perf_counter()
    run()
    first = time.perf_counter() - t0
    executed = engine.timer.last()
    emit(event="done", task=task, status="ok", first_call=first, run=executed,
         compile=None if executed is None else first - executed, import_s=engine.import_s)


def worker(spec_path: str) -> None:
    """Run ``spec["tasks"]`` in ``spec["engine"]``, reporting to ``spec["results"]``."""
    spec = json.loads(Path(spec_path).read_text())
    emit = _Emitter(spec["results"])
    import pyarrow as pa

    pa.set_cpu_count(spec["threads"])
    pa.set_io_thread_count(spec["threads"])
    if spec["engine"] == "cylonc-cold":
        _worker_cold(spec, emit)
        return

    import pyarrow.parquet as pq

    engine = ENGINE_CLASSES[spec["engine"]](spec["threads"])
    emit(event="info", info={"arrow_cpu_count": pa.cpu_count(), **engine.info()})
    inputs = _load_inputs(spec, spec["tasks"])
    ref_dir = Path(spec["ref_dir"])
    for task in spec["tasks"]:
        emit(event="start", task=task)
        prepared = run = result = None
        try:
            prepared = engine.prepare(task, inputs[task])
            run = engine.runner(task, prepared)
            gc.collect()
            t0 = time.perf_counter()
            result = run()
            warmup = time.perf_counter() - t0
            ref_path = ref_dir / f"{task}.parquet"
            status = "ok"
            if spec["engine"] == "duckdb":
                pq.write_table(_to_arrow(result), ref_path)
            elif ref_path.is_file():
                try:
                    _check(task, result, pq.read_table(ref_path))
                except AssertionError as exc:
                    emit(event="done", task=task, status="wrong", message=str(exc) or "mismatch")
                    continue
            else:
                status = "unchecked"
            del result
            times, runs = [], []
            for _ in range(spec["repeat"]):
                gc.collect()
                t0 = time.perf_counter()
                result = run()
                times.append(time.perf_counter() - t0)
                if isinstance(engine, _Cylonc):
                    runs.append(engine.timer.last())
                del result
            emit(event="done", task=task, status=status, warmup=warmup, times=times,
                 runs=runs or None)
        except Exception as exc:  # noqa: BLE001 - reported in the cell, the run goes on
            emit(event="done", task=task, status="error", message=_short_exc(exc),
                 traceback=traceback.format_exc(limit=-6))
        finally:
            prepared = run = result = None  # noqa: F841 - free this benchmark's inputs first
            gc.collect()


# =============================================================================================
# Parent: data, one subprocess per engine, the report.
# =============================================================================================


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _tail(path: Path, n: int = 1500) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return text[-n:].strip()


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def run_engine(engine: str, tasks: list[str], common: dict, run_dir: Path, timeout: float,
               env_extra: dict | None = None, label: str | None = None) -> tuple[dict, dict]:
    """Run `tasks` in `engine` in worker subprocesses; a crash or timeout fails the benchmark
    in progress and a new worker goes on with the rest. Returns (results by task, info)."""
    label = label or engine
    results: dict[str, dict] = {}
    info: dict = {}
    remaining = list(tasks)
    env = {**os.environ, **(env_extra or {})}
    attempt = 0
    while remaining:
        attempt += 1
        stem = f"{label}-{attempt}"
        out_path, log_path = run_dir / f"{stem}.jsonl", run_dir / f"{stem}.log"
        spec = {**common, "engine": engine, "tasks": remaining, "results": str(out_path)}
        spec_path = run_dir / f"{stem}.json"
        spec_path.write_text(json.dumps(spec))
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(spec_path),
               "--threads", str(common["threads"])]
        with open(log_path, "w") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                    cwd=REPO, start_new_session=True)
        current, started, seen = None, time.monotonic(), 0
        worker_start = time.monotonic()

        def read_events():
            nonlocal current, started, seen
            if not out_path.is_file():
                return
            lines = out_path.read_text().splitlines()
            for line in lines[seen:]:
                try:
                    ev = json.loads(line)
                except json.JSONDecodeError:
                    return  # a half-written line; read it next time
                seen += 1
                if ev["event"] == "info":
                    info.update(ev["info"])
                elif ev["event"] == "start":
                    current, started = ev["task"], time.monotonic()
                elif ev["event"] == "done":
                    results[ev["task"]] = ev
                    current = None
                    _log(f"  [{label}] {ev['task']}: {_summary(ev)}")

        timed_out = False
        while True:
            rc = proc.poll()
            read_events()
            if rc is not None:
                break
            now = time.monotonic()
            if current is not None and now - started > timeout:
                _kill(proc)
                timed_out = True
                break
            if current is None and now - worker_start > timeout + 600:  # stuck loading data
                _kill(proc)
                timed_out = True
                break
            time.sleep(0.1)
        read_events()
        rc = proc.returncode
        if current is not None and current not in results:
            if timed_out:
                msg = f"timeout after {timeout:g} s"
            else:
                msg = f"worker died ({_rc_text(rc)}): {_last_line(log_path)}"
            results[current] = {"task": current, "status": "error", "message": msg,
                                "traceback": _tail(log_path)}
            _log(f"  [{label}] {current}: {msg}")
        left = [t for t in remaining if t not in results]
        if left and current is None:
            # The worker failed outside any benchmark (start-up, data loading): fail the rest.
            why = "timeout" if timed_out else _rc_text(rc)
            msg = f"worker failed before the benchmark ran ({why}): {_last_line(log_path)}"
            for t in left:
                results[t] = {"task": t, "status": "error", "message": msg,
                              "traceback": _tail(log_path)}
            _log(f"  [{label}] {msg}")
            left = []
        remaining = left
    return results, info


def _rc_text(rc: int | None) -> str:
    if rc is None:
        return "killed"
    if rc < 0:
        try:
            return f"signal {signal.Signals(-rc).name}"
        except ValueError:
            return f"signal {-rc}"
    return f"exit code {rc}"


def _last_line(path: Path) -> str:
    lines = [ln for ln in _tail(path, 4000).splitlines() if ln.strip()]
    return lines[-1].strip() if lines else "no output"


def _median(xs):
    xs = [x for x in xs or [] if x is not None]
    return statistics.median(xs) if xs else None


def _summary(ev: dict) -> str:
    if ev.get("status") in ("ok", "unchecked"):
        if "times" in ev:
            med = _median(ev["times"])
            return (f"{ev['status']}, median {_fmt(med)} s of {len(ev['times'])}"
                    f" (warm-up {_fmt(ev.get('warmup'))} s)")
        return f"first call {_fmt(ev.get('first_call'))} s, compile {_fmt(ev.get('compile'))} s"
    return f"{ev.get('status')}: {ev.get('message', '')[:300]}"


def _fmt(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.3g}"


def make_micro(n: int, seed: int = 42) -> Path:
    """Write the micro benchmarks' inputs once to ``.cylonc-cache/micro/n<N>-seed<S>``."""
    import pyarrow.parquet as pq

    import micro

    folder = CACHE / "micro" / f"n{n}-seed{seed}"
    marker = folder / ".complete"
    if marker.is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder, prefix=".tmp-"))
    try:
        for task, tables in micro.make(n, seed).items():
            for param, table in tables.items():
                pq.write_table(table, tmp / f"{task}_{param}.parquet", compression="none")
        for f in tmp.iterdir():
            os.replace(f, folder / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    marker.write_text(f"{n} {seed}\n")
    return folder


# ---------------------------------------------------------------------------------- machine


def machine() -> dict:
    import importlib.metadata as md

    cpu, logical, cores = "unknown", 0, set()
    phys = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, val = (s.strip() for s in line.partition(":"))
            if key == "model name" and cpu == "unknown":
                cpu = val
            elif key == "processor":
                logical += 1
            elif key == "physical id":
                phys = val
            elif key == "core id":
                cores.add((phys, val))
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) / 2**20
    except OSError:
        pass
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    versions = {}
    for pkg in ("cylonc", "duckdb", "polars", "pandas", "pyarrow", "numpy", "xdsl", "numba"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = "not installed"
    git = ""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                             capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        git = rev + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return {
        "cpu": cpu, "logical_cpus": logical or os.cpu_count(),
        "physical_cores": len(cores) or None, "usable_cpus": affinity,
        "memory_gib": mem, "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(), "versions": versions, "git": git,
        "load_start": os.getloadavg(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


# ----------------------------------------------------------------------------------- report


def _cell(res: dict | None) -> str:
    if res is None:
        return "—"
    status = res.get("status")
    if status in ("ok", "unchecked"):
        med = _median(res.get("times"))
        if med is None:
            return "not timed"
        return _fmt(med) + (" (unchecked)" if status == "unchecked" else "")
    msg = (res.get("message") or "").strip().splitlines()
    first = msg[0] if msg else ""
    first = first.replace("|", "\\|")
    if len(first) > 70:
        first = first[:67] + "..."
    return f"{'wrong answer' if status == 'wrong' else 'error'}: {first}"


def _time(res: dict | None) -> float | None:
    if res and res.get("status") in ("ok", "unchecked"):
        return _median(res.get("times"))
    return None


def _ratio(a, b) -> str:
    if a is None or b is None or b == 0:
        return "—"
    return f"{a / b:.2f}×"


def report(args, tasks, engines, warm, cold, infos, mach, smoke: bool) -> str:
    lines = [START, "", "## Single-node comparison: cylonc vs DuckDB, Polars, pandas, pyarrow", ""]
    if smoke:
        lines += [
            "> **SMOKE RUN: harness validation, not a measurement.** Tiny sizes, few repeats, "
            "and a busy shared machine; do not read anything into these numbers. The "
            "measurement is `python benchmarks/run.py --sf 1 --repeat 5 --out "
            "benchmarks/RESULTS.md` on a quiet machine.",
            "",
        ]
    cmd = "python benchmarks/run.py " + " ".join(shlex.quote(a) for a in args.argv)
    v = mach["versions"]
    mem = f"{mach['memory_gib']:.1f} GiB" if mach["memory_gib"] else "unknown"
    load = ", ".join(f"{x:.2f}" for x in mach["load_start"])
    load_end = ", ".join(f"{x:.2f}" for x in mach.get("load_end", ()))
    cores = f"{mach['logical_cpus']} logical CPUs"
    if mach["physical_cores"]:
        cores += f" ({mach['physical_cores']} physical cores)"
    cores += f", {mach['usable_cpus']} usable by this process"
    lines += [
        f"- Command: `{cmd}`",
        f"- Date: {mach['date']}; load average (1, 5, 15 min) {load} at start, "
        f"{load_end} at end",
        f"- Machine: {mach['cpu']}, {cores}, {mem} memory, {mach['os']}",
        f"- Software: Python {mach['python']}, cylonc {v['cylonc']} (git {mach['git'] or '?'}), "
        f"DuckDB {v['duckdb']}, Polars {v['polars']}, pandas {v['pandas']}, "
        f"pyarrow {v['pyarrow']}, numpy {v['numpy']}, xDSL {v['xdsl']}, numba {v['numba']}",
        f"- Data: TPC-H SF {args.sf:g} from `tpchgen-cli`, in-memory Arrow tables, decimals as "
        f"float64 (same tables for every engine; pandas gets frames converted from them before "
        f"timing, Polars `pl.from_arrow`); micro benchmarks on {args.micro_rows:,} rows "
        f"(`benchmarks/micro.py`)",
        f"- Threads: {args.threads} per engine (DuckDB `SET threads`, `POLARS_MAX_THREADS`, "
        f"`pa.set_cpu_count`/`pa.set_io_thread_count`; pandas is single-threaded)"
        + _thread_check(infos, args.threads),
        f"- Timing: median wall time of {args.repeat} runs after one warm-up run, each engine in "
        f"its own process; every answer checked against DuckDB's (rtol {RTOL:g}) on the warm-up "
        f"run, a wrong one is not timed",
        "",
        "Seconds per call (lower is better); the ratios are cylonc's time over the other "
        "engine's (below 1: cylonc is faster). cylonc's time is the whole call (compiled plan "
        "cached, input checks, execution, result).",
        "",
    ]
    shown = [e for e in ENGINES if e in engines]
    head = ["benchmark"] + [ENGINE_TITLES[e] for e in shown]
    ratios = "cylonc" in shown
    if ratios:
        head += ["cylonc / min(DuckDB, Polars)", "cylonc / pandas"]
    lines += ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    notes = []
    for task in tasks:
        row = [TITLES[task]]
        for e in shown:
            res = warm.get(e, {}).get(task)
            row.append(_cell(res))
            if res and res.get("status") in ("error", "wrong"):
                notes.append((e, task, res))
        if ratios:
            cy = _time(warm.get("cylonc", {}).get(task))
            best = [t for t in (_time(warm.get("duckdb", {}).get(task)),
                                _time(warm.get("polars", {}).get(task))) if t is not None]
            row += [_ratio(cy, min(best) if best else None),
                    _ratio(cy, _time(warm.get("pandas", {}).get(task)))]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")

    if "cylonc" in engines:
        lines += [
            "### cylonc compile time",
            "",
            "Cold: the first call of a fresh `cc.compile` in a fresh process (nothing in memory) "
            "minus that call's execution, with an empty kernel cache and again with the "
            f"compiled kernels already on disk (median of {args.cold_repeat} processes each). "
            "Per-call overhead: a cached call's time minus its execution. Run: the execution "
            "part of a cached call (`LocalExecutor.run`). Seconds.",
            "",
            "| benchmark | cold compile | cold, kernels on disk | cached per-call overhead "
            "| run (cached call) | cached call total |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        imports = []
        for task in tasks:
            c = cold.get(task, {})
            imports += c.get("import_s", [])
            res = warm.get("cylonc", {}).get(task)
            over = run = total = None
            if res and res.get("status") in ("ok", "unchecked") and res.get("times"):
                total = _median(res["times"])
                runs = res.get("runs") or []
                if runs and all(r is not None for r in runs):
                    run = _median(runs)
                    over = _median([t - r for t, r in zip(res["times"], runs)])
            row = [TITLES[task], _cold_cell(c, "empty"), _cold_cell(c, "disk"), _fmt(over),
                   _fmt(run), _fmt(total)]
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
        if imports:
            lines += [f"`import cylonc` in a fresh process: {_fmt(_median(imports))} s, not "
                      "included above (the compiler's own imports, xDSL and MLIR, load lazily "
                      "on the first call and so count in cold compile).", ""]
        for task in tasks:
            for mode in ("empty", "disk"):
                err = cold.get(task, {}).get(f"{mode}_error")
                if err:
                    notes.append((f"cylonc cold ({mode} kernel cache)", task, err))

    if notes:
        lines += ["### Failures", ""]
        grouped: dict[str, list[str]] = {}
        for who, task, res in notes:
            msg = (res.get("message") or "").strip().replace("\n", " ")
            if len(msg) > 400:
                msg = msg[:397] + "..."
            kind = "wrong answer" if res.get("status") == "wrong" else "error"
            grouped.setdefault(f"{kind}: {msg}", []).append(
                f"{ENGINE_TITLES.get(who, who)} {TITLES[task]}")
        for msg, where in grouped.items():
            lines.append(f"- {', '.join(where)}: {msg}")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def _thread_check(infos: dict, threads: int) -> str:
    got = []
    for e, label in (("duckdb", "DuckDB"), ("polars", "Polars")):
        t = infos.get(e, {}).get("threads")
        if t is not None:
            got.append(f"{label} {t}")
    arrow = {i.get("arrow_cpu_count") for i in infos.values() if i.get("arrow_cpu_count")}
    if arrow:
        got.append(f"Arrow {'/'.join(map(str, sorted(arrow)))}")
    return f"; checked in the workers: {', '.join(got)}" if got else ""


def _cold_cell(c: dict, mode: str) -> str:
    vals = c.get(mode) or []
    if vals:
        return _fmt(_median(vals))
    err = c.get(f"{mode}_error")
    if err:
        return _cell(err)
    return "—"


def write_section(path: Path, section: str) -> None:
    """Replace the ``bench`` section of `path` (or append it), keeping everything else."""
    old = path.read_text() if path.is_file() else "# Benchmark results\n"
    if START in old and END in old and old.index(START) < old.index(END):
        i, j = old.index(START), old.index(END) + len(END)
        new = old[:i] + section + old[j:]
    else:
        new = old.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(new)
    os.replace(tmp, path)


# ------------------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sf", type=float, default=1.0, help="TPC-H scale factor (default 1)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per benchmark (median)")
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md",
                    help="markdown file whose bench section is replaced")
    ap.add_argument("--only", default="",
                    help=f"comma-separated benchmarks among {','.join(BENCHMARKS)} "
                    "(also 'tpch', 'micro')")
    ap.add_argument("--engines", default=",".join(ENGINES),
                    help="comma-separated engines (DuckDB always runs: it is the reference)")
    ap.add_argument("--micro-rows", type=int, default=10_000_000, help="N of the micro benchmarks")
    ap.add_argument("--threads", type=int, default=2, help="threads per engine (default 2)")
    ap.add_argument("--cold-repeat", type=int, default=None,
                    help="fresh processes per cold-compile measurement (default min(repeat, 3))")
    ap.add_argument("--timeout", type=float, default=1800,
                    help="seconds one engine may spend on one benchmark (warm-up + runs)")
    ap.add_argument("--smoke", action=argparse.BooleanOptionalAction, default=None,
                    help="label the table a smoke run (default: when sf < 1, micro rows < 10M "
                    "or repeat < 5)")
    ap.add_argument("--json", type=Path, default=None, help="also write the raw results here")
    ap.add_argument("--keep", action="store_true", help="keep the worker folder (logs)")
    args = ap.parse_args(argv)
    args.argv = argv
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if args.cold_repeat is None:
        args.cold_repeat = min(args.repeat, 3)

    tasks: list[str] = []
    for item in [s.strip() for s in args.only.split(",") if s.strip()] or list(BENCHMARKS):
        group = {"tpch": TPCH, "micro": MICRO}.get(item, (item,))
        for t in group:
            if t not in BENCHMARKS:
                ap.error(f"unknown benchmark {t!r}; choose from {', '.join(BENCHMARKS)}")
            if t not in tasks:
                tasks.append(t)
    tasks = [t for t in BENCHMARKS if t in tasks]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for e in engines:
        if e not in ENGINES:
            ap.error(f"unknown engine {e!r}; choose from {', '.join(ENGINES)}")
    smoke = args.smoke if args.smoke is not None else (
        args.sf < 1 or args.micro_rows < 10_000_000 or args.repeat < 5)

    mach = machine()
    common = {"sf": args.sf, "threads": args.threads, "repeat": args.repeat,
              "tpch_dir": str(CACHE / "tpch" / f"sf{args.sf:g}")}
    if any(t in TPCH for t in tasks):
        from tpch import datagen

        _log(f"TPC-H SF {args.sf:g} data in {common['tpch_dir']} ...")
        t0 = time.perf_counter()
        datagen.generate(args.sf, common["tpch_dir"])
        _log(f"  ready ({time.perf_counter() - t0:.1f} s)")
    if any(t in MICRO for t in tasks):
        _log(f"micro data, {args.micro_rows:,} rows ...")
        common["micro_dir"] = str(make_micro(args.micro_rows))

    run_dir = Path(tempfile.mkdtemp(prefix="cylonc-bench-"))
    common["ref_dir"] = str(run_dir / "reference")
    Path(common["ref_dir"]).mkdir()
    warm: dict[str, dict] = {}
    infos: dict[str, dict] = {}
    cold: dict[str, dict] = {}
    try:
        order = ["duckdb"] + [e for e in ENGINES if e in engines and e != "duckdb"]
        for engine in order:
            _log(f"{engine}:")
            spec = dict(common)
            if engine == "duckdb" and "duckdb" not in engines:
                spec["repeat"] = 0  # reference answers only
            env = {"CYLONC_CACHE_DIR": str(run_dir / "kernels")} if engine == "cylonc" else None
            warm[engine], infos[engine] = run_engine(engine, tasks, spec, run_dir, args.timeout,
                                                     env_extra=env)
        if "cylonc" in engines:
            _log("cylonc cold compile (a fresh process per measurement):")
            for task in tasks:
                c = cold.setdefault(task, {})
                for i in range(args.cold_repeat):
                    kernels = run_dir / f"kernels-cold-{task}-{i}"
                    for mode in ("empty", "disk"):
                        res, _ = run_engine("cylonc-cold", [task], common, run_dir, args.timeout,
                                            env_extra={"CYLONC_CACHE_DIR": str(kernels)},
                                            label=f"cylonc-cold-{mode}-{i}")
                        r = res.get(task, {})
                        if r.get("status") == "ok" and r.get("compile") is not None:
                            c.setdefault(mode, []).append(r["compile"])
                            c.setdefault("import_s", []).append(r["import_s"])
                        elif r.get("status") == "ok":
                            c[f"{mode}_error"] = {"status": "error",
                                                  "message": "execution time not measurable"}
                        else:
                            c[f"{mode}_error"] = r
        if "duckdb" not in engines:
            warm.pop("duckdb", None)
    finally:
        if args.keep:
            _log(f"worker files kept in {run_dir}")
        else:
            shutil.rmtree(run_dir, ignore_errors=True)

    mach["load_end"] = os.getloadavg()
    section = report(args, tasks, engines, warm, cold, infos, mach, smoke)
    write_section(args.out, section)
    if args.json:
        args.json.write_text(json.dumps({"args": {k: v for k, v in vars(args).items()
                                                  if k not in ("out", "json")},
                                         "machine": mach, "warm": warm, "cold": cold,
                                         "infos": infos}, indent=1, default=str))
    print(section)
    _log(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--worker":
        worker(sys.argv[2])
    else:
        sys.exit(main(sys.argv[1:]))
