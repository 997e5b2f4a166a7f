"""Runs task graphs (and single plans) on RADICAL-Pilot.

Every task of an artifact's task graph (``runtime/artifact.py``) becomes an RP task:

- a task of one CPU rank is a *function task*: a raptor master hands it to a pilot-resident
  :class:`~cylonc.runtime.executors.radical_worker.CylonWorker`, which calls
  ``run_task`` in-process (no process start per task). One master (with its worker) serves up
  to ``tasks_per_master`` function tasks of a run; more masters start when a run has more, up
  to a quarter of the pilot's cores (a master and its worker take a core each). Masters stay
  up for later runs.
- an MPI island (``ranks > 1``) or a GPU island is an *executable task*
  (``python -m cylonc.runtime.artifact task ...``) with ``ranks``, ``cores_per_rank`` and
  ``gpus_per_rank``; RP stages the artifact and its inputs into the task sandbox (links) and
  moves its outputs back.

Tasks are submitted as their inputs become ready; independent tasks run concurrently; a failed
task is reported with its id, its stderr tail and the pipeline's source line while the others
go on (`cylonc.runtime.artifact.WorkflowError`).

One RP session per process, opened on first use; each named pilot starts once and is reused by
every later call, and everything is closed when the process exits (or by `shutdown`).

Configuration (keyword arguments override the environment):

==================  ===========================  ==========================================
option              environment                  default
==================  ===========================  ==========================================
``resource``        ``CYLONC_RP_RESOURCE``       ``local.localhost``
``cores``           ``CYLONC_RP_CORES``          local: max(8, CPU count); else 1
``gpus``            ``CYLONC_RP_GPUS``           0
``runtime``         ``CYLONC_RP_RUNTIME``        60 (minutes)
``project``         ``CYLONC_RP_PROJECT``        none
``queue``           ``CYLONC_RP_QUEUE``          none
``access_schema``   ``CYLONC_RP_SCHEMA``         the resource's default
``folder``          ``CYLONC_RP_DIR``            a temporary folder (removed at exit)
``tasks_per_master`` ``CYLONC_RP_TASKS_PER_MASTER`` 256
``worker_ranks``    ``CYLONC_RP_WORKER_RANKS``   1
``timeout``         ``CYLONC_RP_TIMEOUT``        none (seconds for one run)
``progress``        ``CYLONC_PROGRESS``          on a TTY: a status line; else log lines
``raptor``          ``CYLONC_RP_RAPTOR``         auto: raptor for 4+ function tasks or when
                                                 a master is up (``1``: always, ``0``: never);
                                                 `run` (the decorator): always
``pilots``          ``CYLONC_RP_PILOTS`` (JSON)  none
==================  ===========================  ==========================================

``pilots={"big": {"resource": ..., "cores": ...}}`` adds named pilots for tasks whose ``pilot``
names them (``"default"`` is the one configured above; a name configured nowhere means the
default pilot).

For a local resource RP needs this process's virtual environment on ``PATH`` (it is put there)
and a resource config with the real launch methods: one is written into the folder and named
by ``RADICAL_CONFIG_USER_DIR`` unless that is already set. ``RADICAL_BASE`` defaults to the
folder, ``RADICAL_PROFILE`` and ``RADICAL_REPORT`` to ``False``.

Examples
--------
>>> from cylonc.runtime.executors.radical import RadicalExecutor
>>> RadicalExecutor().run(plan, {"t": "t.parquet"})          # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import math
import os
import queue
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cylonc.errors import CylonError, ExecutionError

from .. import artifact as A

__all__ = ["PilotConfig", "RadicalExecutor", "describe_tasks", "pilot_config", "shutdown"]

log = logging.getLogger("cylonc.radical")

WORKER_FILE = str(Path(__file__).with_name("radical_worker.py"))
WORKER_CLASS = "CylonWorker"
TASK_FUNCTION = "cylonc_task"
DEFAULT_RESOURCE = "local.localhost"
RAPTOR_MIN = 4
"""With ``raptor`` on auto, the function tasks of a run that start raptor masters."""
_FINAL = ("DONE", "FAILED", "CANCELED")
_RUNNING = ("AGENT_EXECUTING", "AGENT_STAGING_OUTPUT_PENDING", "AGENT_STAGING_OUTPUT",
            "TMGR_STAGING_OUTPUT_PENDING", "TMGR_STAGING_OUTPUT")


# ------------------------------------------------------------------------------ configuration


@dataclass(frozen=True)
class PilotConfig:
    """What a pilot asks for (see the module docstring for the environment variables)."""

    resource: str = DEFAULT_RESOURCE
    cores: int | None = None
    gpus: int = 0
    runtime: int = 60
    project: str | None = None
    queue: str | None = None
    access_schema: str | None = None

    @property
    def local(self) -> bool:
        return self.resource.startswith("local.")

    def description(self, sandbox: str | None = None) -> dict[str, Any]:
        """The ``radical.pilot.PilotDescription`` fields."""
        d: dict[str, Any] = {"resource": self.resource, "runtime": self.runtime, "cores": self.pilot_cores()}
        if self.gpus:
            d["gpus"] = self.gpus
        for key in ("project", "queue", "access_schema"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        if sandbox:
            d["sandbox"] = sandbox
        return d

    def pilot_cores(self) -> int:
        if self.cores:
            return int(self.cores)
        return max(8, os.cpu_count() or 1) if self.local else 1

    def max_masters(self) -> int:
        """Raptor masters this pilot may hold: each takes two cores (master and worker), and
        at most half the pilot goes to them."""
        return max(1, self.pilot_cores() // 4)


def _env_int(name: str) -> int | None:
    v = os.environ.get(name, "").strip()
    if not v:
        return None
    try:
        return int(v)
    except ValueError:
        raise ExecutionError(f"{name} must be an integer, got {v!r}") from None


def pilot_config(**overrides: Any) -> PilotConfig:
    """The default pilot's configuration: `overrides` (not None), then ``CYLONC_RP_*``."""
    env = {
        "resource": os.environ.get("CYLONC_RP_RESOURCE") or None,
        "cores": _env_int("CYLONC_RP_CORES"),
        "gpus": _env_int("CYLONC_RP_GPUS"),
        "runtime": _env_int("CYLONC_RP_RUNTIME"),
        "project": os.environ.get("CYLONC_RP_PROJECT") or None,
        "queue": os.environ.get("CYLONC_RP_QUEUE") or None,
        "access_schema": os.environ.get("CYLONC_RP_SCHEMA") or None,
    }
    values = {k: v for k, v in env.items() if v is not None}
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = set(values) - set(PilotConfig.__dataclass_fields__)
    if unknown:
        raise ExecutionError(f"unknown pilot option(s): {', '.join(sorted(unknown))}")
    return PilotConfig(**values)


def _env_pilots() -> dict[str, PilotConfig]:
    """Named pilots from ``CYLONC_RP_PILOTS`` (JSON: name -> options)."""
    text = os.environ.get("CYLONC_RP_PILOTS", "").strip()
    if not text:
        return {}
    try:
        spec = json.loads(text)
        return {name: pilot_config(**opts) for name, opts in spec.items()}
    except (ValueError, TypeError, AttributeError) as exc:
        raise ExecutionError(f"CYLONC_RP_PILOTS must be JSON: {{name: {{option: value}}}} ({exc})") from None


# ------------------------------------------------------------------------------ task descriptions


def _uid(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def _staged_name(arg: str, path: str) -> str:
    p = Path(str(path))
    suffix = "".join(p.suffixes[-2:]) if p.is_file() or p.suffix else ""
    return f"inputs/{arg}{suffix}"


def task_description(task: Mapping, artifact: str, inputs: Mapping[str, str], out_dir: str,
                     outputs: list[Mapping], *, python: str | None = None, raptor: bool = True) -> dict[str, Any]:
    """The RP task description (plain dict) of one task of a graph.

    Function tasks call ``CylonWorker.cylonc_task`` with absolute paths (raptor tasks are not
    staged); executable tasks get the artifact and inputs linked into their sandbox and their
    outputs (``result.json`` last) moved to `out_dir`. ``raptor=False`` makes every task an
    executable task.
    """
    common = {"name": task["id"], "ranks": task["ranks"], "cores_per_rank": task["cores_per_rank"],
              "gpus_per_rank": task["gpus_per_rank"]}
    if task["mode"] == "function" and raptor:
        return {**common, "mode": "task.function", "function": TASK_FUNCTION,
                "args": [str(artifact), task["id"], dict(inputs), str(out_dir)], "kwargs": {}}
    staged = {arg: _staged_name(arg, p) for arg, p in inputs.items()}
    args = ["-m", "cylonc.runtime.artifact", "task", "artifact.cylonc", task["id"]]
    for arg, name in staged.items():
        args += ["--input", f"{arg}={name}"]
    args += ["--out", "out"]
    files = [f"{o['name']}.parquet" for o in outputs if o["kind"] == "table"] + [A.RESULT_FILE]
    return {
        **common,
        "mode": "task.executable",
        "executable": python or sys.executable,
        "arguments": args,
        "input_staging": [{"source": f"file://{os.path.abspath(artifact)}", "target": "task:///artifact.cylonc",
                           "action": "Link"}]
        + [{"source": f"file://{os.path.abspath(inputs[arg])}", "target": f"task:///{name}", "action": "Link"}
           for arg, name in staged.items()],
        "output_staging": [{"source": f"task:///out/{f}", "target": f"file://{os.path.abspath(out_dir)}/{f}",
                            "action": "Move"} for f in files],
    }


def master_description(pilot: str = "default") -> dict[str, Any]:
    """A raptor master."""
    return {"mode": "raptor.master", "pilot": pilot}


def worker_description(ranks: int = 1) -> dict[str, Any]:
    """A raptor worker running :class:`CylonWorker`."""
    return {"mode": "raptor.worker", "raptor_class": WORKER_CLASS, "raptor_file": WORKER_FILE, "ranks": ranks}


def masters_needed(function_tasks: int, tasks_per_master: int) -> int:
    """Raptor masters for a number of function tasks (0 for none)."""
    return 0 if function_tasks <= 0 else math.ceil(function_tasks / max(1, tasks_per_master))


def describe_tasks(art: A.Artifact, sources: Mapping[str, Any] | None = None, workdir: str | os.PathLike = "cylonc-run",
                   *, pilots: Mapping[str, PilotConfig] | None = None, tasks_per_master: int | None = None,
                   worker_ranks: int | None = None) -> dict[str, Any]:
    """Every RP description a run of `art`'s graph needs, as plain JSON data.

    Returns
    -------
    dict
        ``{"pilots": {name: PilotDescription fields}, "raptors": [{"uid", "pilot", "master",
        "workers"}], "tasks": [TaskDescription fields]}``; a function task names its master in
        ``raptor_id``, every task its pilot (by name) in ``pilot``.
    """
    given = dict(sources or {})
    for src in art.graph["sources"]:  # not given and no default: a placeholder to fill in
        if src["name"] not in given and not src.get("path"):
            given[src["name"]] = f"<{src['name']}>"
    run = A.GraphRun(art, given, workdir)
    tpm = tasks_per_master or _env_int("CYLONC_RP_TASKS_PER_MASTER") or 256
    wr = worker_ranks or _env_int("CYLONC_RP_WORKER_RANKS") or 1
    pilots = {**_env_pilots(), **dict(pilots or {})}
    pilots.setdefault("default", pilot_config())
    for t in art.graph["tasks"]:
        pilots.setdefault(t["pilot"], pilots["default"])
    fn_tasks: dict[str, list[str]] = {}
    for t in art.graph["tasks"]:
        if t["mode"] == "function":
            fn_tasks.setdefault(t["pilot"], []).append(t["id"])
    raptors, master_of = [], {}
    for pilot, ids in fn_tasks.items():
        n = min(masters_needed(len(ids), tpm), pilots[pilot].max_masters())
        uids = [_uid(f"raptor.{pilot}.{i:04d}") for i in range(n)]
        for i, uid in enumerate(uids):
            raptors.append({"uid": uid, "pilot": pilot, "master": {**master_description(pilot), "uid": uid},
                            "workers": [worker_description(wr)]})
        for i, tid in enumerate(ids):
            master_of[tid] = uids[i % n]
    tasks = []
    for t in art.graph["tasks"]:
        d = task_description(t, str(art.path), run.inputs(t), str(run.task_dir(t["id"])), t["outputs"])
        d["uid"] = _uid(f"task.{t['id']}")
        d["pilot"] = t["pilot"]
        if t["id"] in master_of:
            d["raptor_id"] = master_of[t["id"]]
        tasks.append(d)
    return {"pilots": {n: p.description() for n, p in pilots.items()}, "raptors": raptors, "tasks": tasks}


# ------------------------------------------------------------------------------ progress


class Progress:
    """Per-task progress: a status line on a TTY, log lines otherwise (and always in
    ``WORKDIR/progress.log``)."""

    def __init__(self, total: int, workdir: Path, mode: str | None = None, stream: Any = None):
        self.stream = stream or sys.stderr
        mode = mode or os.environ.get("CYLONC_PROGRESS") or ("tty" if _isatty(self.stream) else "log")
        self.mode = mode
        self.total = total
        self.states: dict[str, str] = {}
        self.file = None
        try:
            workdir.mkdir(parents=True, exist_ok=True)
            self.file = open(workdir / "progress.log", "a", buffering=1)  # noqa: SIM115
        except OSError:
            self.file = None
        self.t0 = time.monotonic()
        self._last = 0.0

    def update(self, task_id: str, state: str, detail: str = "") -> None:
        """Record `state` (submitted, running, done, failed, skipped) of `task_id`."""
        if self.states.get(task_id) == state:
            return
        self.states[task_id] = state
        line = f"[{time.monotonic() - self.t0:7.1f}s] {task_id}: {state}" + (f" ({detail})" if detail else "")
        if self.file is not None:
            self.file.write(line + "\n")
        if self.mode == "log":
            log.info(line)
        elif self.mode == "tty":
            now = time.monotonic()
            if now - self._last > 0.1 or state in ("failed",):
                self._last = now
                self.stream.write("\r\x1b[K" + self.summary())
                self.stream.flush()

    def summary(self) -> str:
        counts = {s: 0 for s in ("submitted", "running", "done", "failed", "skipped")}
        for s in self.states.values():
            counts[s] = counts.get(s, 0) + 1
        return f"cylonc: {self.total} tasks: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n or s != "skipped")

    def close(self) -> None:
        if self.mode == "tty":
            self.stream.write("\r\x1b[K" + self.summary() + "\n")
            self.stream.flush()
        elif self.mode == "log":
            log.info(self.summary())
        if self.file is not None:
            self.file.write(self.summary() + "\n")
            self.file.close()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


# ------------------------------------------------------------------------------ the session


def _venv() -> str | None:
    v = os.environ.get("VIRTUAL_ENV")
    if v:
        return v
    return sys.prefix if sys.prefix != sys.base_prefix else None


def _prepare_environment(folder: Path, pilots: Mapping[str, PilotConfig]) -> None:
    venv = _venv()
    if venv:
        os.environ["VIRTUAL_ENV"] = venv
        bin_dir = os.path.join(venv, "bin")
        path = os.environ.get("PATH", "").split(os.pathsep)
        if not path or path[0] != bin_dir:
            os.environ["PATH"] = os.pathsep.join([bin_dir] + [p for p in path if p != bin_dir])
    os.environ.setdefault("RADICAL_BASE", str(folder / "radical"))
    os.environ.setdefault("RADICAL_PROFILE", "False")
    os.environ.setdefault("RADICAL_REPORT", "False")
    os.environ.setdefault("RADICAL_LOG_LVL", "WARNING")
    local = [p for p in pilots.values() if p.local]
    if local and "RADICAL_CONFIG_USER_DIR" not in os.environ:
        cfg = folder / "config"
        (cfg / ".radical" / "pilot" / "configs").mkdir(parents=True, exist_ok=True)
        cores = max([p.pilot_cores() for p in local] + [os.cpu_count() or 1, 8])
        mpi_path = f"export PATH={os.path.join(venv, 'bin')}:$PATH" if venv else "true"
        entry = {
            "cores_per_node": cores,
            "gpus_per_node": max([p.gpus for p in local] + [0]),
            "launch_methods": {"order": ["FORK", "MPIEXEC"], "FORK": {},
                               "MPIEXEC": {"pre_exec_cached": [mpi_path]}},
        }
        (cfg / ".radical" / "pilot" / "configs" / "resource_local.json").write_text(json.dumps({"localhost": entry}))
        os.environ["RADICAL_CONFIG_USER_DIR"] = str(cfg)


class _Session:
    """The process's RP session: pilots by configuration, raptor masters per pilot, and the
    task-state callback that feeds the running graph."""

    def __init__(self, folder: Path, owned: bool, pilots: Mapping[str, PilotConfig]):
        self.folder = folder
        self.owned = owned
        _prepare_environment(folder, pilots)
        import radical.pilot as rp

        self.rp = rp
        self.session = rp.Session(cfg={"base": str(folder / "client")})
        self.pmgr = rp.PilotManager(session=self.session)
        self.tmgr = rp.TaskManager(session=self.session)
        self.pilots: dict[PilotConfig, Any] = {}
        self.masters: dict[PilotConfig, list[Any]] = {}
        self.workers: dict[str, list[Any]] = {}
        self.listeners: dict[str, Callable[[Any, str], None]] = {}
        self.lock = threading.Lock()
        self.runs = 0
        self.tmgr.register_callback(self._callback)

    def _callback(self, task: Any, state: str) -> None:
        listener = self.listeners.get(task.uid)
        if listener is not None:
            listener(task, state)

    def pilot(self, config: PilotConfig) -> Any:
        """The pilot for `config` (submitted on first use)."""
        p = self.pilots.get(config)
        if p is None or p.state in ("FAILED", "CANCELED", "DONE"):
            sandbox = str(self.folder / "sandbox") if config.local else None
            p = self.pmgr.submit_pilots(self.rp.PilotDescription(config.description(sandbox)))
            self.tmgr.add_pilots(p)
            self.pilots[config] = p
            self.masters[config] = []
        return p

    def raptors(self, config: PilotConfig, n: int, worker_ranks: int) -> list[Any]:
        """At least `n` raptor masters (each with a worker) on the pilot of `config`."""
        pilot = self.pilot(config)
        masters = [m for m in self.masters[config] if m.state not in _FINAL]
        while len(masters) < n:
            m = pilot.submit_raptors([self.rp.TaskDescription(master_description())])[0]
            worker = self.rp.TaskDescription(worker_description(worker_ranks))
            worker.pilot = pilot.uid  # RP would deal it to any pilot of the task manager, round robin
            self.workers[m.uid] = m.submit_workers([worker])
            masters.append(m)
        self.masters[config] = masters
        return masters[: max(n, 1)] if n else []

    def close(self) -> None:
        try:
            uids = [p.uid for p in self.pilots.values()]
            if uids:
                self.pmgr.cancel_pilots(uids, _timeout=60)
        except Exception:  # noqa: BLE001 - closing must not raise at exit
            pass
        try:
            self.session.close(download=False)
        except Exception:  # noqa: BLE001
            pass
        if self.owned and not os.environ.get("CYLONC_RP_KEEP"):
            shutil.rmtree(self.folder, ignore_errors=True)


_SESSION: _Session | None = None
_SESSION_LOCK = threading.Lock()


def _session(pilots: Mapping[str, PilotConfig], folder: str | os.PathLike | None) -> _Session:
    global _SESSION
    with _SESSION_LOCK:
        if _SESSION is None:
            try:
                import radical.pilot  # noqa: F401
            except ImportError:
                raise ExecutionError('executor="radical" needs RADICAL-Pilot: pip install "radical.pilot==1.103.0" '
                                     "(or cylonc[radical])") from None
            chosen = folder or os.environ.get("CYLONC_RP_DIR")
            if chosen:
                path, owned = Path(chosen).resolve(), False
                path.mkdir(parents=True, exist_ok=True)
            else:
                path, owned = Path(tempfile.mkdtemp(prefix="cylonc-rp-")), True
            try:
                _SESSION = _Session(path, owned, pilots)
            except Exception as exc:  # noqa: BLE001 - RP's own errors become one clear message
                if owned:
                    shutil.rmtree(path, ignore_errors=True)
                raise ExecutionError(f"cannot start a RADICAL-Pilot session: {type(exc).__name__}: {exc}") from None
            atexit.register(shutdown)
        return _SESSION



def shutdown() -> None:
    """Cancel the pilots and close the RP session of this process (also done at exit)."""
    global _SESSION
    with _SESSION_LOCK:
        s, _SESSION = _SESSION, None
    if s is not None:
        s.close()


def session_folder() -> Path | None:
    """The folder of the open session (None when none is open)."""
    return _SESSION.folder if _SESSION is not None else None


# ------------------------------------------------------------------------------ the executor


@dataclass
class RadicalExecutor:
    """Run plans and task graphs as RADICAL-Pilot tasks (see the module docstring).

    Parameters
    ----------
    resource, cores, gpus, runtime, project, queue, access_schema
        The default pilot (environment ``CYLONC_RP_*`` where not given).
    pilots : dict, optional
        More named pilots: name -> dict of the same keys.
    ranks : int
        Ranks of a plan run with `run` (its task is an executable MPI task when > 1).
    tasks_per_master : int, optional
        Function tasks one raptor master serves in a run.
    worker_ranks : int, optional
        Ranks of each raptor worker.
    raptor : bool, optional
        Run one-rank CPU tasks as raptor function tasks (True) or as executables (False);
        default: ``CYLONC_RP_RAPTOR`` or auto (raptor for 4 or more function tasks, or when a
        master is already up; `run` always uses raptor).
    timeout : float, optional
        Seconds one run may take.
    folder : path, optional
        Where RP's files go (the session's; only the first session of a process uses it).
    progress : {"tty", "log", "off"}, optional
    """

    resource: str | None = None
    cores: int | None = None
    gpus: int | None = None
    runtime: int | None = None
    project: str | None = None
    queue: str | None = None
    access_schema: str | None = None
    pilots: Mapping[str, Mapping[str, Any]] | None = None
    ranks: int = 1
    tasks_per_master: int | None = None
    worker_ranks: int | None = None
    raptor: bool | None = None
    timeout: float | None = None
    folder: str | os.PathLike | None = None
    progress: str | None = None
    name: str = field(default="radical", init=False)

    def pilot_configs(self) -> dict[str, PilotConfig]:
        """Pilot name -> configuration (``CYLONC_RP_PILOTS`` and `pilots` add named ones)."""
        out = {"default": pilot_config(resource=self.resource, cores=self.cores, gpus=self.gpus,
                                       runtime=self.runtime, project=self.project, queue=self.queue,
                                       access_schema=self.access_schema)}
        for name, cfg in _env_pilots().items():
            out.setdefault(name, cfg)
        for name, opts in (self.pilots or {}).items():
            out[name] = replace(out["default"], **dict(opts)) if name == "default" else pilot_config(**dict(opts))
        return out

    # -------------------------------------------------------------- single plans

    def run(self, plan: Mapping, sources: Mapping[str, Any] | None = None,
            udfs: Mapping[str, Callable] | None = None, kernels: Any = None, loc: str | None = None,
            gpus_per_rank: int = 0):
        """Run one plan as one RP task; see `cylonc.runtime.execute`.

        In-memory inputs are written to Parquet for the task; the plan travels in an artifact
        (cached per plan in the session folder). `kernels` are not sent (the task uses Arrow).
        """
        from .mpi import plan_with_udfs
        from ..interpreter import validate_plan

        validate_plan(plan)
        plan = plan_with_udfs(plan, udfs)
        s = _session(self.pilot_configs(), self.folder)
        text = json.dumps(plan, sort_keys=True)
        digest = hashlib.sha256(f"{text}|{self.ranks}|{gpus_per_rank}|{loc}".encode()).hexdigest()[:24]
        art_path = s.folder / "artifacts" / f"{digest}.cylonc"
        if not art_path.exists():
            art_path.parent.mkdir(parents=True, exist_ok=True)
            A.plan_artifact(art_path, plan, name="pipeline", ranks=self.ranks, gpus_per_rank=gpus_per_rank, loc=loc)
        workdir = Path(tempfile.mkdtemp(prefix="run-", dir=s.folder))
        try:
            paths = _materialize(plan, sources or {}, workdir)
            run = replace(self, raptor=True if self.raptor is None else self.raptor).run_graph(art_path, paths, workdir)
            results = run.check()
            art = A.load(art_path)
            task = art.graph["tasks"][0]
            if len(task["outputs"]) == 1:
                return results[art.graph["sinks"][0]["name"]]
            return A.read_result(run.task_dir(task["id"]))
        except A.WorkflowError as exc:
            raise exc.failures[0] if len(exc.failures) == 1 else exc from None
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    # -------------------------------------------------------------- graphs

    def run_graph(self, artifact: str | os.PathLike | A.Artifact, sources: Mapping[str, Any] | None,
                  workdir: str | os.PathLike) -> A.GraphRun:
        """Run every task of an artifact's graph; returns the finished `GraphRun`
        (``.check()`` gives the results or raises `WorkflowError`)."""
        art = artifact if isinstance(artifact, A.Artifact) else A.load(artifact)
        workdir = Path(workdir).resolve()
        run = A.GraphRun(art, sources, workdir)
        for name, src in list(run.sources.items()):  # tasks read files: write in-memory inputs
            if not isinstance(src, str | os.PathLike):
                import pyarrow.parquet as pq

                from .. import io

                table = io.prepare(src, name=name)
                path = workdir / "inputs" / f"{name}.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(table.replace_schema_metadata(None), path)
                run.sources[name] = str(path)
        configs = self.pilot_configs()
        for t in art.graph["tasks"]:  # a pilot named nowhere is the default one
            configs.setdefault(t["pilot"], configs["default"])
        s = _session(configs, self.folder)
        with s.lock:
            s.runs += 1
            return _GraphDriver(self, s, art, run, configs, f"r{s.runs:04d}").drive()


class _GraphDriver:
    """Submits a graph's tasks as they become ready and follows their states."""

    def __init__(self, ex: RadicalExecutor, s: _Session, art: A.Artifact, run: A.GraphRun,
                 configs: Mapping[str, PilotConfig], prefix: str):
        self.ex, self.s, self.art, self.run, self.configs, self.prefix = ex, s, art, run, configs, prefix
        self.events: queue.Queue = queue.Queue()
        self.uids: dict[str, str] = {}
        self.progress = Progress(len(run.order), run.workdir, ex.progress)
        self.tpm = ex.tasks_per_master or _env_int("CYLONC_RP_TASKS_PER_MASTER") or 256
        self.worker_ranks = ex.worker_ranks or _env_int("CYLONC_RP_WORKER_RANKS") or 1
        self.raptor_setting: Any = ex.raptor if ex.raptor is not None else os.environ.get("CYLONC_RP_RAPTOR", "auto")
        self.raptor = True
        timeout = ex.timeout if ex.timeout is not None else _env_int("CYLONC_RP_TIMEOUT")
        self.deadline = time.monotonic() + timeout if timeout else None
        self.masters: dict[str, list[Any]] = {}
        self.next_master: dict[str, int] = {}
        self.assigned: dict[str, Any] = {}

    def _too_big(self, t: Mapping) -> str | None:
        """Why the task can never be scheduled on its pilot (None when it can)."""
        cfg = self.configs[t["pilot"]]
        cores, gpus = t["ranks"] * t["cores_per_rank"], t["ranks"] * t["gpus_per_rank"]
        if cores > cfg.pilot_cores():
            return (f"needs {cores} cores but pilot '{t['pilot']}' has {cfg.pilot_cores()} "
                    "(set its cores: CYLONC_RP_CORES or pilots=)")
        if gpus > cfg.gpus:
            return (f"needs {gpus} GPU(s) but pilot '{t['pilot']}' has {cfg.gpus} "
                    "(set its GPUs: CYLONC_RP_GPUS or pilots=)")
        return None

    def _function(self, t: Mapping) -> bool:
        return t["mode"] == "function" and self.raptor

    def _listen(self, task: Any, state: str) -> None:
        self.events.put((task, state))

    def _prepare_masters(self) -> None:
        setting = str(self.raptor_setting).lower()
        if setting in ("false", "0", "off", "no"):
            self.raptor = False
        elif setting in ("true", "1", "on", "yes"):
            self.raptor = True
        else:  # auto: a raptor pays off for several function tasks, or once it is up
            n = sum(1 for t in self.art.graph["tasks"] if t["mode"] == "function")
            up = any(m.state not in _FINAL for ms in self.s.masters.values() for m in ms)
            self.raptor = n >= RAPTOR_MIN or up
        counts: dict[str, int] = {}
        for t in self.art.graph["tasks"]:
            if self._function(t):
                counts[t["pilot"]] = counts.get(t["pilot"], 0) + 1
        for pilot, n in counts.items():
            need = min(masters_needed(n, self.tpm), self.configs[pilot].max_masters())
            self.masters[pilot] = self.s.raptors(self.configs[pilot], need, self.worker_ranks)
            self.next_master[pilot] = 0
        for pilot in {t["pilot"] for t in self.art.graph["tasks"]}:
            self.s.pilot(self.configs[pilot])

    def _submit(self, tasks: list[dict]) -> None:
        rp = self.s.rp
        by_master: dict[Any, list[Any]] = {}
        plain: list[Any] = []
        for t in tasks:
            problem = self._too_big(t)
            if problem:
                self.run.fail(t["id"], A.TaskError(t["id"], problem, t.get("loc")))
                self.progress.update(t["id"], "failed", problem)
                continue
            out_dir = self.run.task_dir(t["id"])
            out_dir.mkdir(parents=True, exist_ok=True)
            d = task_description(t, str(self.art.path), self.run.inputs(t), str(out_dir), t["outputs"],
                                 raptor=self.raptor)
            uid = _uid(f"{self.prefix}.{t['id']}")
            d["uid"] = uid
            self.uids[uid] = t["id"]
            self.s.listeners[uid] = self._listen
            td = rp.TaskDescription(d)
            td.pilot = self.s.pilot(self.configs[t["pilot"]]).uid
            if self._function(t):
                masters = self.masters[t["pilot"]]
                i = self.next_master[t["pilot"]]
                self.next_master[t["pilot"]] = i + 1
                master = masters[i % len(masters)]
                self.assigned[t["id"]] = master
                by_master.setdefault(master, []).append(td)
            else:
                plain.append(td)
            self.progress.update(t["id"], "submitted")
        for master, tds in by_master.items():
            master.submit_tasks(tds)
        if plain:
            self.s.tmgr.submit_tasks(plain)

    def _finish(self, task: Any, state: str) -> None:
        tid = self.uids.get(task.uid)
        if tid is None or self.run.status.get(tid) in ("done", "failed"):
            return
        self.s.listeners.pop(task.uid, None)
        out_dir = self.run.task_dir(tid)
        if state == "DONE" and (out_dir / A.RESULT_FILE).is_file():
            self.run.done(tid)
            self.progress.update(tid, "done")
            return
        t = self.run.tasks[tid]
        stderr = _text(getattr(task, "stderr", None))
        message = _failure_message(task, state, stderr, out_dir)
        loc = _loc_from(stderr) or self._loc(t, message)
        self.run.fail(tid, A.TaskError(tid, message, loc, A._tail(stderr, 20)))
        self.progress.update(tid, "failed", message[:120])
        for other, st in self.run.status.items():
            if st == "skipped":
                self.progress.update(other, "skipped")

    def _loc(self, t: Mapping, message: str) -> str | None:
        try:
            return A.failure_loc(self.art.plan(t["pipeline"]), ExecutionError(message), t.get("loc"))
        except CylonError:
            return t.get("loc")

    def _check_raptors(self) -> None:
        """Fail the function tasks of a raptor master that ended, or whose workers all did."""
        for tid, master in list(self.assigned.items()):
            if self.run.status[tid] != "submitted":
                continue
            workers = self.s.workers.get(master.uid, [])
            dead = master if master.state in _FINAL else None
            if dead is None and workers and all(w.state in _FINAL for w in workers):
                dead = workers[-1]
            if dead is None:
                continue
            err = A._tail(_text(getattr(dead, "stderr", None)), 20)
            what = "raptor master" if dead is master else "raptor worker"
            self.run.fail(tid, A.TaskError(tid, f"{what} {dead.uid} is {dead.state}", self.run.tasks[tid].get("loc"),
                                           err))
            self.progress.update(tid, "failed")

    def _check_pilots(self) -> None:
        self._check_raptors()
        for name in {t["pilot"] for t in self.art.graph["tasks"]}:
            p = self.s.pilots.get(self.configs[name])
            if p is not None and p.state in ("FAILED", "CANCELED"):
                for uid, tid in self.uids.items():
                    if self.run.status[tid] == "submitted" and self.run.tasks[tid]["pilot"] == name:
                        self.run.fail(tid, A.TaskError(tid, f"pilot '{name}' ({p.uid}) is {p.state}",
                                                       self.run.tasks[tid].get("loc")))
                        self.progress.update(tid, "failed")
                for tid, st in self.run.status.items():
                    if st == "pending" and self.run.tasks[tid]["pilot"] == name:
                        self.run.fail(tid, A.TaskError(tid, f"pilot '{name}' is {p.state}", self.run.tasks[tid].get("loc")))

    def drive(self) -> A.GraphRun:
        try:
            self._prepare_masters()
            self._submit(self.run.ready())
            last_event = last_check = time.monotonic()
            while not self.run.finished():
                if self.deadline is not None and time.monotonic() > self.deadline:
                    self._cancel("the run timed out")
                    break
                try:
                    task, state = self.events.get(timeout=0.5)
                except queue.Empty:
                    task = None
                now = time.monotonic()
                if task is not None:
                    last_event = now
                    tid = self.uids.get(task.uid)
                    if tid is not None and state in _RUNNING:
                        self.progress.update(tid, "running")
                    if state in _FINAL:
                        self._finish(task, state)
                        ready = self.run.ready()
                        if ready:
                            self._submit(ready)
                if now - last_check > 2.0:
                    last_check = now
                    self._check_pilots()
                    if now - last_event > 5.0:  # quiet: look for final states whose callbacks were missed
                        self._poll()
            return self.run
        finally:
            for uid in self.uids:
                self.s.listeners.pop(uid, None)
            self.progress.close()

    def _poll(self) -> None:
        """Catch final states whose callbacks were missed."""
        live = [uid for uid, tid in self.uids.items() if self.run.status[tid] == "submitted"]
        if not live:
            return
        try:
            tasks = self.s.tmgr.get_tasks(uids=live)
        except Exception:  # noqa: BLE001 - not known to RP yet
            return
        for task in tasks if isinstance(tasks, list) else [tasks]:
            if task is not None and task.state in _FINAL:
                self._finish(task, task.state)
        ready = self.run.ready()
        if ready:
            self._submit(ready)

    def _cancel(self, why: str) -> None:
        live = [uid for uid, tid in self.uids.items() if self.run.status[tid] == "submitted"]
        try:
            if live:
                self.s.tmgr.cancel_tasks(live)
        except Exception:  # noqa: BLE001
            pass
        for tid, st in list(self.run.status.items()):
            if st in ("submitted", "pending"):
                self.run.fail(tid, A.TaskError(tid, why, self.run.tasks[tid].get("loc")))


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list | tuple):  # raptor: one entry per rank
        return "\n".join(_text(x) for x in v if x)
    return str(v)


_LOC = re.compile(r"^cylonc: error: task \S+ \(([^)]+)\): ", re.M)


def _loc_from(stderr: str) -> str | None:
    m = _LOC.search(stderr or "")
    return m.group(1) if m else None


def _failure_message(task: Any, state: str, stderr: str, out_dir: Path) -> str:
    m = re.search(r"^cylonc: error: task \S+(?: \([^)]+\))?: (.*)$", stderr or "", re.M)
    if m:
        return m.group(1)
    if state == "DONE":
        return f"finished without writing a result into '{out_dir}'"
    exc = _text(getattr(task, "exception", None))
    if exc:
        return exc
    code = getattr(task, "exit_code", None)
    tail = A._tail(stderr, 1)
    return f"{state.lower()} (exit code {code})" + (f": {tail}" if tail else "")


def _materialize(plan: Mapping, sources: Mapping[str, Any], workdir: Path) -> dict[str, str]:
    """Input name -> path: in-memory tables and DataFrames written to Parquet in `workdir`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .. import io

    out = {}
    for name, src in io.plan_sources(plan, sources).items():
        if isinstance(src, pa.Table):
            path = workdir / "inputs" / f"{name}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(src.replace_schema_metadata(None), path)
            out[name] = str(path)
        else:
            out[name] = str(Path(src).resolve())
    return out
