"""Ahead-of-time artifacts, task results and the task runner (see ``runtime/PLAN.md``,
"Artifacts and task graphs").

An artifact is one zip file: ``manifest.json`` (what is inside), one plan per pipeline
(``plans/NAME.json``, UDFs cloudpickled into it), the task graph as plain data
(``tasks.json``) and as MLIR (``ir/tasks.mlir``), the MLIR of each built stage
(``ir/NAME/STAGE.mlir``) and, where they could be built, the fused kernels of each pipeline as a
shared library (``kernels/NAME.so``). This module reads and runs artifacts with the runtime
alone: it never imports the compiler, xDSL or MLIR, and never JIT-compiles anything.

A task writes its result into a folder: each table item as ``NAME.parquet``, then
``result.json`` (the kind, the items, scalars inline). Every file is written under a temporary
name and renamed, ``result.json`` last, so a folder with a ``result.json`` is complete and a
failed task leaves nothing that looks like a result.

Run a task (what RADICAL-Pilot's executable tasks launch; under ``mpiexec`` the ranks run it
collectively)::

    python -m cylonc.runtime.artifact task ARTIFACT TASK_ID --input t=t.parquet --out DIR
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as _dt
import json
import math
import os
import platform
import re
import shutil
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cylonc.errors import CylonError, ExecutionError, InputError

__all__ = [
    "ARTIFACT_FORMAT",
    "ARTIFACT_VERSION",
    "TASKS_FORMAT",
    "Artifact",
    "GraphRun",
    "TaskError",
    "WorkflowError",
    "atomic_write",
    "check_output_path",
    "load",
    "output_names",
    "plan_artifact",
    "read_result",
    "run_artifact",
    "run_graph_local",
    "run_task",
    "write_artifact",
    "write_result",
]

ARTIFACT_FORMAT = "cylonc.artifact"
ARTIFACT_VERSION = 1
TASKS_FORMAT = "cylonc.tasks"
RESULT_FILE = "result.json"


class TaskError(ExecutionError):
    """A task of a task graph failed.

    Attributes
    ----------
    task_id : str
    loc : str or None
        The pipeline's source line (``file:line``) of the failing operator, or of the pipeline.
    stderr : str
        The tail of the task's standard error.
    """

    def __init__(self, task_id: str, message: str, loc: str | None = None, stderr: str = ""):
        if loc and message.startswith(f"{loc}: "):
            message = message[len(loc) + 2:]
        self.task_id = task_id
        self.loc = loc
        self.stderr = stderr
        self.problem = message
        where = f" ({loc})" if loc else ""
        super().__init__(f"task {task_id}{where}: {message}")


# ------------------------------------------------------------------------------ file helpers


def atomic_write(path: str | os.PathLike, write: Callable[[str], None]) -> Path:
    """Call ``write(tmp_path)`` for a temporary file beside `path`, then rename it to `path`.

    Nothing is left at `path` (nor the temporary) when `write` fails.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def check_output_path(path: str | os.PathLike, what: str = "output") -> Path:
    """Check that `path` can be written (its folder exists and is writable; it is not a folder).

    Raises
    ------
    ExecutionError
        Naming the path and the reason, before any work is done.
    """
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise ExecutionError(f"cannot write {what} '{p}': it is a directory")
    if not parent.is_dir():
        raise ExecutionError(f"cannot write {what} '{p}': folder '{parent}' does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExecutionError(f"cannot write {what} '{p}': folder '{parent}' is not writable")
    if p.exists() and not os.access(p, os.W_OK):
        raise ExecutionError(f"cannot write {what} '{p}': permission denied")
    return p


# ------------------------------------------------------------------------------ results


def output_names(plan_output: Mapping) -> list[str]:
    """The names of a plan output's items: ``out`` for a table or scalar, the keys of a dict,
    ``0, 1, ...`` of a tuple."""
    kind = plan_output.get("kind")
    items = plan_output.get("items", [])
    if kind in ("table", "scalar"):
        return ["out"]
    if kind == "dict":
        return [str(it["key"]) for it in items]
    return [str(i) for i in range(len(items))]


def _json_scalar(v: Any) -> tuple[Any, str | None]:
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v), "float"
    if isinstance(v, _dt.datetime):
        return v.isoformat(), "datetime"
    if isinstance(v, _dt.date):
        return v.isoformat(), "date"
    if isinstance(v, _dt.timedelta):
        return v.total_seconds(), "timedelta"
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        return _json_scalar(v.item())
    if v is None or isinstance(v, (bool, int, float, str)):
        return v, None
    return str(v), None


def _from_json_scalar(v: Any, tag: str | None) -> Any:
    if tag == "float":
        return float(v)
    if tag == "datetime":
        return _dt.datetime.fromisoformat(v)
    if tag == "date":
        return _dt.date.fromisoformat(v)
    if tag == "timedelta":
        return _dt.timedelta(seconds=v)
    return v


def write_result(result: Any, folder: str | os.PathLike, kind: str, names: list[str]) -> dict:
    """Write a pipeline result into `folder` (created if needed) atomically.

    Parameters
    ----------
    result : pyarrow.Table, scalar, dict or tuple
        As returned by ``execute``.
    kind : {"table", "scalar", "dict", "tuple"}
    names : list of str
        Item names (`output_names`).

    Returns
    -------
    dict
        The ``result.json`` content.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if kind in ("table", "scalar"):
        values = [result]
    elif kind == "dict":
        values = [result[k] for k in result]
    else:
        values = list(result)
    items = []
    for name, value in zip(names, values):
        if isinstance(value, pa.Table):
            file = f"{name}.parquet"
            atomic_write(folder / file, lambda tmp, v=value: pq.write_table(v, tmp))
            items.append({"name": name, "table": file})
        else:
            v, tag = _json_scalar(value)
            items.append({"name": name, "value": v, "tag": tag})
    manifest = {"kind": kind, "items": items}
    atomic_write(folder / RESULT_FILE, lambda tmp: Path(tmp).write_text(json.dumps(manifest)))
    return manifest


def read_result(folder: str | os.PathLike, name: str | None = None) -> Any:
    """Read the result a task wrote into `folder` (tables fully into memory).

    With `name`, only that item: a ``pyarrow.Table`` or a scalar.

    Raises
    ------
    ExecutionError
        No (complete) result in `folder`.
    """
    import pyarrow.parquet as pq

    folder = Path(folder)
    try:
        manifest = json.loads((folder / RESULT_FILE).read_text())
    except (OSError, ValueError) as exc:
        raise ExecutionError(f"no result in '{folder}': {exc}") from None

    def value(item: Mapping) -> Any:
        if "table" in item:
            return pq.read_table(folder / item["table"])
        return _from_json_scalar(item["value"], item.get("tag"))

    items = manifest["items"]
    if name is not None:
        for it in items:
            if it["name"] == name:
                return value(it)
        raise ExecutionError(f"result in '{folder}' has no item '{name}'")
    kind = manifest["kind"]
    if kind in ("table", "scalar"):
        return value(items[0])
    if kind == "dict":
        return {it["name"]: value(it) for it in items}
    return tuple(value(it) for it in items)


def result_file(folder: str | os.PathLike, name: str) -> Path:
    """The Parquet file of table item `name` of the result in `folder`."""
    return Path(folder) / f"{name}.parquet"


# ------------------------------------------------------------------------------ artifacts


def write_artifact(path: str | os.PathLike, manifest: Mapping, members: Mapping[str, bytes | str]) -> Path:
    """Write an artifact zip atomically: ``manifest.json`` plus `members` (name -> content)."""
    path = Path(path)
    check_output_path(path, "artifact")

    def write(tmp: str) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("manifest.json", json.dumps(manifest, indent=1))
            for name, data in members.items():
                z.writestr(name, data)

    try:
        return atomic_write(path, write)
    except OSError as exc:
        raise ExecutionError(f"cannot write artifact '{path}': {exc.strerror or exc}") from None


def _ciface(lib: ctypes.CDLL, symbols: Mapping[str, int]) -> dict[str, Callable]:
    out = {}
    for sym, nargs in symbols.items():
        f = getattr(lib, f"_mlir_ciface_{sym}")
        f.restype = None
        f.argtypes = [ctypes.c_void_p] * int(nargs)
        out[sym] = f
    return out


class Artifact:
    """A loaded artifact (see the module docstring).

    Parameters
    ----------
    path : str or os.PathLike
        The artifact file.

    Raises
    ------
    ExecutionError
        Missing, unreadable, not an artifact, or of another version.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        try:
            with zipfile.ZipFile(self.path) as z:
                self._members = {n: z.read(n) for n in z.namelist()}
        except FileNotFoundError:
            raise ExecutionError(f"artifact '{self.path}' not found") from None
        except (OSError, zipfile.BadZipFile) as exc:
            raise ExecutionError(f"cannot read artifact '{self.path}': {exc}") from None
        try:
            self.manifest = json.loads(self._members["manifest.json"])
        except (KeyError, ValueError):
            raise ExecutionError(f"'{self.path}' is not a cylonc artifact (no manifest)") from None
        if self.manifest.get("format") != ARTIFACT_FORMAT:
            raise ExecutionError(f"'{self.path}' is not a cylonc artifact")
        if self.manifest.get("version") != ARTIFACT_VERSION:
            raise ExecutionError(
                f"artifact '{self.path}' has version {self.manifest.get('version')!r}; this runtime reads "
                f"version {ARTIFACT_VERSION}: rebuild it with a matching cylonc"
            )
        self.pipelines: dict[str, dict] = self.manifest["pipelines"]
        self.graph: dict = json.loads(self._members[self.manifest["tasks"]])
        self._plans: dict[str, dict] = {}
        self._kernels: dict[str, dict[str, Callable]] = {}
        self._lock = threading.Lock()

    def read(self, member: str) -> bytes:
        """The bytes of a member file."""
        return self._members[member]

    def task(self, task_id: str) -> dict:
        """The task `task_id` of the graph."""
        for t in self.graph["tasks"]:
            if t["id"] == task_id:
                return t
        raise ExecutionError(f"artifact '{self.path}' has no task '{task_id}' "
                             f"(tasks: {', '.join(t['id'] for t in self.graph['tasks'])})")

    def plan(self, pipeline: str) -> dict:
        """The plan of `pipeline` (UDFs pickled in)."""
        with self._lock:
            plan = self._plans.get(pipeline)
            if plan is None:
                entry = self.pipelines.get(pipeline)
                if entry is None:
                    raise ExecutionError(f"artifact '{self.path}' has no pipeline '{pipeline}'")
                plan = json.loads(self._members[entry["plan"]])
                self._plans[pipeline] = plan
            return plan

    def kernels(self, pipeline: str) -> dict[str, Callable]:
        """The native kernels of `pipeline` loaded from its shared library ({} when the
        artifact has none for it or they were built for another machine)."""
        with self._lock:
            got = self._kernels.get(pipeline)
            if got is not None:
                return got
            got = {}
            entry = self.pipelines.get(pipeline, {}).get("kernels") or {}
            lib = entry.get("library")
            host = self.manifest.get("host", {})
            if lib and host.get("machine") == platform.machine() and host.get("system") == platform.system():
                fd, tmp = tempfile.mkstemp(prefix="cylonc-kernels-", suffix=".so")
                try:
                    with os.fdopen(fd, "wb") as f:
                        f.write(self._members[lib])
                    handle = ctypes.CDLL(tmp)
                    got = _ciface(handle, entry.get("symbols", {}))
                    _LOADED.append(handle)
                except (OSError, AttributeError) as exc:
                    sys.stderr.write(f"cylonc: native kernels of '{pipeline}' not loadable ({exc}); using Arrow\n")
                    got = {}
                finally:
                    os.unlink(tmp)
            self._kernels[pipeline] = got
            return got

    def single_pipeline(self) -> str:
        """The name of the only pipeline (error when there are several)."""
        if len(self.graph["tasks"]) != 1:
            raise ExecutionError(
                f"artifact '{self.path}' holds a workflow of {len(self.graph['tasks'])} tasks; "
                "run it with an output folder (-o DIR)"
            )
        return self.graph["tasks"][0]["pipeline"]


_LOADED: list[Any] = []
_CACHE: dict[tuple, Artifact] = {}
_CACHE_LOCK = threading.Lock()


def load(path: str | os.PathLike) -> Artifact:
    """Load an artifact, cached per file (path, size, modification time) in this process."""
    p = Path(path).resolve()
    try:
        st = p.stat()
    except OSError:
        raise ExecutionError(f"artifact '{path}' not found") from None
    key = (str(p), st.st_size, st.st_mtime_ns)
    with _CACHE_LOCK:
        art = _CACHE.get(key)
        if art is None:
            art = Artifact(p)
            _CACHE[key] = art
        return art


# ------------------------------------------------------------------------------ running tasks

_NODE = re.compile(r"node (\d+) \(")
_INPUT = re.compile(r"input '([^']+)'")


def failure_loc(plan: Mapping, exc: BaseException, default: str | None) -> str | None:
    """The source line to blame for `exc`: the failing node's ``loc``, else the first located
    node reading the input it names, else `default` (the pipeline's)."""
    nodes = {n.get("id"): n for n in plan.get("nodes", ())}
    m = _NODE.search(str(exc))
    if m and nodes.get(int(m.group(1)), {}).get("loc"):
        return nodes[int(m.group(1))]["loc"]
    m = _INPUT.search(str(exc))
    if m:
        for n in plan.get("nodes", ()):
            if n.get("op") == "input" and n.get("name") == m.group(1) and n.get("loc"):
                return n["loc"]
    return default


def _mpi_comm() -> Any:
    if not any(os.environ.get(v) for v in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE")):
        return None
    from .executors.mpi import spmd_comm

    return spmd_comm()


def execute_pipeline(art: Artifact, pipeline: str, inputs: Mapping[str, Any], comm: Any = None) -> Any:
    """Execute one pipeline of an artifact on `inputs` (name -> table or path).

    With `comm` (an mpi4py communicator of more than one rank) the ranks run it collectively.
    """
    plan = art.plan(pipeline)
    if comm is not None and comm.Get_size() > 1:
        from .executors.mpi import run_spmd

        return run_spmd(plan, inputs, comm)
    from .interpreter import execute

    return execute(plan, inputs, kernels=art.kernels(pipeline))


def run_task(artifact: str | os.PathLike, task_id: str, inputs: Mapping[str, str], out_dir: str | os.PathLike,
             comm: Any = None) -> dict:
    """Run task `task_id` of an artifact and write its result into `out_dir`.

    Parameters
    ----------
    artifact : path
    task_id : str
    inputs : dict
        Pipeline argument name -> Parquet/CSV path (or table).
    out_dir : path
        Where the result goes (see `write_result`); only rank 0 writes.
    comm : mpi4py communicator, optional
        Run collectively on its ranks.

    Returns
    -------
    dict
        The result manifest (``result.json``); ``{}`` on ranks other than 0.

    Raises
    ------
    TaskError
        Naming the task and the pipeline's source line.
    """
    art = load(artifact)
    task = art.task(task_id)
    try:
        plan = art.plan(task["pipeline"])
        result = execute_pipeline(art, task["pipeline"], inputs, comm)
        if comm is not None and comm.Get_rank() != 0:
            return {}
        return write_result(result, out_dir, plan["output"]["kind"], output_names(plan["output"]))
    except CylonError as exc:
        loc = failure_loc(art.plan(task["pipeline"]), exc, task.get("loc"))
        raise TaskError(task_id, str(exc), loc) from exc
    except OSError as exc:
        raise TaskError(task_id, f"cannot write the result into '{out_dir}': {exc}", task.get("loc")) from exc


class WorkflowError(ExecutionError):
    """Some tasks of a task graph failed; the others ran.

    Attributes
    ----------
    failures : list of TaskError
        Each failed task: id, source line, message and stderr tail.
    skipped : list of str
        Tasks not run because a task they depend on failed.
    results : dict
        Sink name -> value of every sink whose task finished.
    workdir : pathlib.Path
        The run folder, where the finished tasks' outputs are kept.
    """

    def __init__(self, failures: list[TaskError], skipped: list[str], results: dict, workdir: Path):
        self.failures = failures
        self.skipped = skipped
        self.results = results
        self.workdir = workdir
        lines = [f"{len(failures)} task(s) failed"
                 + (f", {len(skipped)} skipped because of them" if skipped else "")
                 + f" (outputs of the finished tasks are kept in '{workdir}'):"]
        for f in failures:
            lines.append(f"  {f}")
            extra = [ln for ln in (f.stderr or "").splitlines() if ln.strip() and f.problem not in ln]
            if extra:
                lines.append("    stderr:")
                lines.extend("    | " + ln for ln in extra[-8:])
        super().__init__("\n".join(lines))


def _tail(text: str | None, lines: int = 20) -> str:
    if not text:
        return ""
    return "\n".join(str(text).rstrip().splitlines()[-lines:])


class GraphRun:
    """The state of one run of an artifact's task graph: which tasks are ready, done, failed
    or skipped, and where each task reads and writes.

    Parameters
    ----------
    art : Artifact
    sources : dict
        Graph source name -> path (defaults: the paths the artifact was built with).
    workdir : path
        Task ``T`` writes into ``workdir/tasks/T``.
    """

    def __init__(self, art: Artifact, sources: Mapping[str, Any] | None, workdir: str | os.PathLike):
        self.art = art
        self.workdir = Path(workdir)
        self.tasks = {t["id"]: t for t in art.graph["tasks"]}
        self.order = [t["id"] for t in art.graph["tasks"]]
        self.status = {tid: "pending" for tid in self.order}
        self.failures: dict[str, TaskError] = {}
        given = dict(sources or {})
        self.sources: dict[str, Any] = {}
        for s in art.graph["sources"]:
            src = given.pop(s["name"], None)
            src = s.get("path") if src is None else src
            if src is None:
                raise InputError(f"input '{s['name']}' was not given")
            self.sources[s["name"]] = os.path.abspath(src) if isinstance(src, str | os.PathLike) else src
        if given:
            known = ", ".join(s["name"] for s in art.graph["sources"]) or "none"
            raise InputError(f"unknown input(s) {', '.join(map(repr, given))} (inputs: {known})")
        self.children: dict[str, list[str]] = {tid: [] for tid in self.order}
        for t in self.tasks.values():
            for dep in t.get("after", ()):
                self.children[dep].append(t["id"])

    def task_dir(self, task_id: str) -> Path:
        """Where `task_id` writes its result."""
        return self.workdir / "tasks" / task_id

    def inputs(self, task: Mapping) -> dict[str, Any]:
        """Argument name -> the path (or table) the task reads."""
        out = {}
        for arg, ref in task["inputs"].items():
            if "source" in ref:
                out[arg] = self.sources[ref["source"]]
            else:
                out[arg] = str(result_file(self.task_dir(ref["task"]), ref["output"]))
        return out

    def ready(self) -> list[dict]:
        """Pending tasks whose dependencies are all done (they become ``submitted``)."""
        out = []
        for tid in self.order:
            if self.status[tid] == "pending" and all(self.status[d] == "done" for d in self.tasks[tid].get("after", ())):
                self.status[tid] = "submitted"
                out.append(self.tasks[tid])
        return out

    def done(self, task_id: str) -> None:
        self.status[task_id] = "done"

    def fail(self, task_id: str, error: TaskError) -> None:
        """Record a failure; every task depending on it (transitively) is skipped."""
        self.status[task_id] = "failed"
        self.failures[task_id] = error
        stack = list(self.children[task_id])
        while stack:
            tid = stack.pop()
            if self.status[tid] == "pending":
                self.status[tid] = "skipped"
                stack.extend(self.children[tid])

    def finished(self) -> bool:
        return all(s in ("done", "failed", "skipped") for s in self.status.values())

    def results(self) -> dict[str, Any]:
        """Sink name -> value, for the sinks whose task is done."""
        out = {}
        for s in self.art.graph["sinks"]:
            if "task" in s and self.status.get(s["task"]) == "done":
                out[s["name"]] = read_result(self.task_dir(s["task"]), s["output"])
            elif "source" in s:
                out[s["name"]] = self.sources[s["source"]]
        return out

    def check(self) -> dict[str, Any]:
        """The results, or `WorkflowError` when a task failed."""
        results = self.results()
        if self.failures:
            skipped = [t for t in self.order if self.status[t] == "skipped"]
            raise WorkflowError([self.failures[t] for t in self.order if t in self.failures], skipped, results,
                                self.workdir)
        return results


def run_graph_local(art: Artifact, run: GraphRun, executor: str = "local") -> GraphRun:
    """Run a graph's tasks in this process in dependency order (``executor="mpi"``: tasks of
    more than one rank on MPI ranks). A failed task does not stop the independent ones."""
    while not run.finished():
        batch = run.ready()
        if not batch:
            break
        for task in batch:
            try:
                if task["ranks"] > 1:
                    if executor != "mpi":
                        raise TaskError(task["id"], f"needs {task['ranks']} ranks: use executor 'mpi' or 'radical'",
                                        task.get("loc"))
                    _run_task_mpi(art, task, run)
                else:
                    run_task(art.path, task["id"], run.inputs(task), run.task_dir(task["id"]))
                run.done(task["id"])
            except TaskError as exc:
                run.fail(task["id"], exc)
    return run


def _run_task_mpi(art: Artifact, task: Mapping, run: GraphRun) -> None:
    from .executors.mpi import MPIExecutor

    plan = art.plan(task["pipeline"])
    try:
        result = MPIExecutor(task["ranks"]).run(plan, run.inputs(task))
        write_result(result, run.task_dir(task["id"]), plan["output"]["kind"], output_names(plan["output"]))
    except CylonError as exc:
        raise TaskError(task["id"], str(exc), failure_loc(plan, exc, task.get("loc"))) from exc


def plan_artifact(path: str | os.PathLike, plan: Mapping, *, name: str = "main", ranks: int = 1,
                  gpus_per_rank: int = 0, loc: str | None = None) -> Path:
    """Write an artifact holding one plan as a one-task graph (no IR, no kernels): how a plan
    travels to RADICAL-Pilot tasks."""
    inputs = [i["name"] for i in plan["inputs"]]
    names = output_names(plan["output"])
    nodes = {n["id"]: n for n in plan["nodes"]}
    kinds = ["table" if "schema" in nodes.get(it["ref"], {}) else "scalar" for it in plan["output"]["items"]]
    mode = "function" if ranks == 1 and gpus_per_rank == 0 else "executable"
    graph = {
        "format": TASKS_FORMAT, "version": 1, "name": name,
        "sources": [{"name": n, "path": None} for n in inputs],
        "tasks": [{"id": name, "pipeline": name, "inputs": {n: {"source": n} for n in inputs},
                   "outputs": [{"name": n, "kind": k} for n, k in zip(names, kinds)], "after": [],
                   "ranks": ranks, "cores_per_rank": 1, "gpus_per_rank": gpus_per_rank, "mode": mode,
                   "pilot": "default", "params": {}, "loc": loc}],
        "sinks": [{"name": name if len(names) == 1 else f"{name}.{n}", "task": name, "output": n} for n in names],
    }
    manifest = {
        "format": ARTIFACT_FORMAT, "version": ARTIFACT_VERSION, "name": name,
        "host": {"machine": platform.machine(), "system": platform.system()},
        "pipelines": {name: {"plan": f"plans/{name}.json", "ranks": ranks, "loc": loc,
                             "kernels": {"library": None, "symbols": {}, "note": "no native kernels (plan only)"}}},
        "tasks": "tasks.json",
    }
    return write_artifact(path, manifest, {f"plans/{name}.json": json.dumps(plan), "tasks.json": json.dumps(graph)})


def _print_value(value: Any, out: Any) -> None:
    import pyarrow as pa

    if isinstance(value, pa.Table):
        out.write(value.to_pandas().to_string(index=False) + "\n")
    elif isinstance(value, dict):
        for k, v in value.items():
            out.write(f"{k}:\n" if isinstance(v, pa.Table) else f"{k}: ")
            _print_value(v, out)
    elif isinstance(value, tuple):
        for v in value:
            _print_value(v, out)
    else:
        out.write(f"{json.dumps(_json_scalar(value)[0])}\n")


def run_artifact(path: str | os.PathLike, inputs: Mapping[str, Any], output: str | os.PathLike | None = None, *,
                 executor: str | None = None, ranks: int | None = None, stdout: Any = None) -> Any:
    """``cylonc run``: run an artifact on `inputs` with the runtime alone.

    A one-pipeline artifact runs that pipeline: a table result goes to `output` as Parquet (a
    dict or tuple result to `output` as a folder: ``NAME.parquet`` items and ``result.json``),
    else it is printed. A workflow artifact runs its whole graph with every task's result kept
    under `output` (a folder, required). Outputs are written atomically.

    Raises
    ------
    InputError
        An input missing, unreadable or of another schema than built (naming the column).
    ExecutionError
        Wrong executor or ranks for the artifact, an unwritable output, or a failure.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    art = load(path)
    tasks = art.graph["tasks"]
    built = max(t["ranks"] for t in tasks)
    if ranks is not None and ranks != built:
        raise ExecutionError(f"artifact '{path}' was built for {built} rank(s), not {ranks}: "
                             f"rebuild it with --ranks {ranks}")
    executor = executor or ("local" if built == 1 else "mpi")
    if executor not in ("local", "mpi", "radical"):
        raise ExecutionError(f"executor must be local, mpi or radical, got {executor!r}")
    if built > 1 and executor == "local":
        raise ExecutionError(f"artifact '{path}' was built for {built} ranks: use --executor mpi or radical")
    stdout = stdout or sys.stdout
    if len(tasks) > 1:
        if output is None:
            raise ExecutionError(f"artifact '{path}' holds a workflow of {len(tasks)} tasks: "
                                 "name an output folder with -o DIR")
        folder = Path(output)
        if folder.exists() and not folder.is_dir():
            raise ExecutionError(f"cannot write output '{folder}': it exists and is not a folder")
        check_output_path(folder / "result" if folder.exists() else folder, "output")
        run = GraphRun(art, inputs, folder)
        if executor == "radical":
            from .executors.radical import RadicalExecutor

            run = RadicalExecutor().run_graph(art, run.sources, folder)
        else:
            run_graph_local(art, run, executor)
        return run.check()
    task = tasks[0]
    pipeline = task["pipeline"]
    plan = art.plan(pipeline)
    if output is not None:
        check_output_path(output)
    missing = [i["name"] for i in plan["inputs"] if i["name"] not in inputs]
    defaults = {s["name"]: s["path"] for s in art.graph["sources"] if s.get("path")}
    given = {**{n: defaults[n] for n in missing if n in defaults}, **inputs}
    if executor == "local":
        from .interpreter import execute

        result = execute(plan, given, kernels=art.kernels(pipeline))
    elif executor == "mpi":
        from .executors.mpi import MPIExecutor

        result = MPIExecutor(built).run(plan, given)
    else:
        from .executors.radical import RadicalExecutor

        from .executors.radical import _materialize

        with tempfile.TemporaryDirectory(prefix="cylonc-run-") as tmp:
            run = RadicalExecutor().run_graph(art, _materialize(plan, given, Path(tmp)), tmp)
            try:
                run.check()
            except WorkflowError as exc:
                raise exc.failures[0] from None
            result = read_result(run.task_dir(task["id"]))
    if output is None:
        _print_value(result, stdout)
        return result
    out = Path(output)
    if isinstance(result, pa.Table):
        try:
            atomic_write(out, lambda tmp: pq.write_table(result, tmp))
        except OSError as exc:
            raise ExecutionError(f"cannot write output '{out}': {exc.strerror or exc}") from None
        return result
    if out.exists():
        raise ExecutionError(f"cannot write output '{out}': it exists (a non-table result is written as a folder)")
    tmp = tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent or ".")
    try:
        write_result(result, tmp, plan["output"]["kind"], output_names(plan["output"]))
        os.rename(tmp, out)
    except OSError as exc:
        raise ExecutionError(f"cannot write output '{out}': {exc.strerror or exc}") from None
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
    return result


def _parse_inputs(pairs: list[str]) -> dict[str, str]:
    out = {}
    for p in pairs:
        name, sep, path = p.partition("=")
        if not sep or not name:
            raise InputError(f"--input takes NAME=PATH, got '{p}'")
        out[name] = path
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m cylonc.runtime.artifact task ARTIFACT TASK_ID --input N=P ... --out DIR``."""
    parser = argparse.ArgumentParser(prog="python -m cylonc.runtime.artifact")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("task", help="run one task of an artifact")
    p.add_argument("artifact")
    p.add_argument("task_id")
    p.add_argument("--input", "-i", action="append", default=[])
    p.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    comm = _mpi_comm()
    rank = comm.Get_rank() if comm is not None else 0
    try:
        run_task(args.artifact, args.task_id, _parse_inputs(args.input), args.out, comm)
    except TaskError as exc:
        if rank == 0:
            print(f"cylonc: error: {exc}", file=sys.stderr)
        return 1
    except CylonError as exc:
        if rank == 0:
            print(f"cylonc: error: task {args.task_id}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
