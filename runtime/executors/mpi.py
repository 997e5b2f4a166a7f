"""Runs partitioned plans on MPI ranks: ``mpiexec -n ranks`` workers, or the ranks of an MPI
job this process is already part of (SPMD).

The caller (`MPIExecutor.run`) checks the inputs, writes a job folder -- ``plan.json`` (UDFs
cloudpickled into it), each in-memory input split into one Arrow IPC file per rank (contiguous
row blocks: the scatter), and the paths of Parquet/CSV inputs, which each rank reads its share
of (whole row groups) -- and starts ``mpiexec -n ranks python -m
cylonc.runtime.executors.mpi_worker``. The ranks execute the plan collectively (table
collectives in `cylonc.runtime.comm`), and rank 0 writes the result (tables as IPC files) for
the caller, or, with ``output_dir``, every rank writes its part as ``part-<rank>.parquet``.

By default the worker processes stay up between runs (a pool per rank count, ended with the
calling process), so a run costs milliseconds rather than an MPI start; ``pool=False`` or
``CYLONC_MPI_POOL=0`` starts ``mpiexec`` for each run.

Failures: an error on any rank reaches every rank at its next collective (see
`cylonc.runtime.comm`) and the caller raises it, naming the rank; a rank that dies (a signal,
``os._exit``) ends the ``mpiexec`` job and the caller raises an error naming the rank within
seconds. ``timeout`` (or ``CYLONC_MPI_TIMEOUT``, seconds) bounds a run. No output folder is
left behind by a failed run.

Examples
--------
>>> from cylonc.runtime.executors.mpi import MPIExecutor
>>> MPIExecutor(ranks=2).run(plan, {"t": table})          # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import pickle
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from cylonc.errors import CylonError, ExecutionError, InputError

from .. import io
from ..comm import CollectiveError, Comm
from ..interpreter import _deps, execute, validate_plan

__all__ = ["MPIExecutor", "find_mpiexec", "run_collective", "shutdown_pools", "spmd_comm"]

WORKER_MODULE = "cylonc.runtime.executors.mpi_worker"
_MPIEXEC_FLAGS = ("-disable-auto-cleanup",)
"""hydra leaves the other ranks alone when one dies: the caller, which watches every rank's
process, sees exactly which one ended, and then stops them all itself."""
_GRACE = 3.0
"""Seconds the other ranks may take to end after one ended normally (the end of a job)."""
_START_TIMEOUT = 120.0
_POLL = 0.02


def find_mpiexec() -> str:
    """The ``mpiexec`` next to this Python (the ``mpich`` wheel's in a venv), else on PATH."""
    here = Path(sys.executable).parent / "mpiexec"
    if here.exists():
        return str(here)
    found = shutil.which("mpiexec")
    if found is None:
        raise ExecutionError('executor="mpi": no mpiexec next to the Python interpreter or on PATH '
                             "(install the 'mpich' package)")
    return found


def spmd_comm(comm: Any = None) -> Any:
    """The mpi4py communicator to run on collectively, or None to launch workers.

    `comm` if given; else ``MPI.COMM_WORLD`` when this process is one of several ranks of an
    MPI job (started by ``mpiexec``); else None.
    """
    if comm is not None:
        return comm
    env_size = next((os.environ.get(v) for v in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE",
                                                  "MPI_LOCALNRANKS") if os.environ.get(v)), None)
    mpi = sys.modules.get("mpi4py.MPI")
    if env_size is None and mpi is None:
        return None
    try:
        if env_size is not None and int(env_size) <= 1 and mpi is None:
            return None
        from mpi4py import MPI

        world = MPI.COMM_WORLD
        return world if world.Get_size() > 1 else None
    except Exception:  # noqa: BLE001 - not an MPI job after all
        return None


# ---------------------------------------------------------------------------------------------
# what every rank runs


def run_collective(plan: Mapping, sources: Mapping[str, Any], comm: Comm,
                   udfs: Mapping[str, Callable] | None = None):
    """Execute `plan` on this rank's `sources` together with the other ranks of `comm`.

    Raises
    ------
    CollectiveError
        On every rank, when any rank failed (the reports name the ranks).
    """
    try:
        result = execute(plan, sources, udfs, comm=comm)
        comm.finish()
        return result
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the other ranks
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, CollectiveError):
            cause = cause.__cause__
        if cause is not None:
            raise cause from None  # another rank failed: this rank already knows (a node wrapped it)
        comm.fail(exc)
        raise


def rank_sources(job: Mapping[str, Any], plan: Mapping, comm: Comm) -> dict[str, Any]:
    """This rank's share of each input of a job (see `MPIExecutor`)."""
    from ..kernels.distributed import rank_share

    out: dict[str, Any] = {}
    specs = {s["name"]: s for s in plan["inputs"]}
    for name, spec in job["inputs"].items():
        if spec["kind"] == "ipc":
            path = spec["files"][comm.rank]
            with pa.memory_map(path) as source:
                out[name] = pa.ipc.open_file(source).read_all()
        elif spec["kind"] == "table":
            out[name] = spec["table"]
        else:
            fmt = spec.get("format") or io.source_format(spec["path"])
            types = {f["name"]: f["type"] for f in specs[name]["source_schema"]} if fmt == "csv" else None
            try:
                out[name] = rank_share(spec["path"], comm.rank, comm.size, fmt=fmt, column_types=types)
            except (pa.ArrowException, OSError, ValueError) as e:
                raise InputError(f"input {name!r} ('{spec['path']}'): cannot read this rank's share: {e}") from e
    return out


def output_parts(plan: Mapping) -> dict[str, Any]:
    """`plan` with its table output's final gather (and a sort of the gathered rows) removed:
    each rank keeps its part."""
    plan = json.loads(json.dumps(plan))
    out = plan["output"]
    if out.get("kind") != "table":
        return plan
    nodes = {n["id"]: n for n in plan["nodes"]}
    item = out["items"][0]
    node = nodes[item["ref"]]
    if node["op"] == "sort" and nodes[node["input"]]["op"] == "gather":
        node = nodes[node["input"]]
    if node["op"] == "gather":
        item["ref"] = node["input"]
    needed = {item["ref"]}
    kept = []
    for n in reversed(plan["nodes"]):
        if n["id"] in needed:
            kept.append(n)
            needed |= _deps(n)
    plan["nodes"] = kept[::-1]
    return plan


# ---------------------------------------------------------------------------------------------
# the caller


def _pickle_udfs(plan: dict, udfs: Mapping[str, Callable] | None) -> None:
    specs = plan.get("udfs") or {}
    for name, spec in specs.items():
        if spec.get("pickle") is not None:
            continue
        fn = (udfs or {}).get(name)
        if fn is None:
            raise ExecutionError(f"udf {name!r} has no function to send to the ranks")
        import cloudpickle

        module = sys.modules.get(getattr(fn, "__module__", "") or "")
        registered = False
        if module is not None and module.__name__ not in ("__main__", "builtins"):
            try:
                cloudpickle.register_pickle_by_value(module)
                registered = True
            except ValueError:
                registered = False
        try:
            data = cloudpickle.dumps(fn)
        except Exception as e:  # noqa: BLE001
            raise ExecutionError(f"udf {name!r} cannot be sent to the ranks (not picklable: {e})") from e
        finally:
            if registered:
                cloudpickle.unregister_pickle_by_value(module)
        spec["pickle"] = base64.b64encode(data).decode("ascii")


def plan_with_udfs(plan: Mapping, udfs: Mapping[str, Callable] | None) -> dict:
    """A copy of `plan` carrying its UDFs cloudpickled (for other processes)."""
    out = json.loads(json.dumps(plan))
    _pickle_udfs(out, udfs)
    return out


def _split_rows(n: int, ranks: int) -> list[tuple[int, int]]:
    return [((n * r) // ranks, (n * (r + 1)) // ranks - (n * r) // ranks) for r in range(ranks)]


def _write_ipc(table: pa.Table, path: Path) -> None:
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _rank_pids(folder: Path) -> dict[int, int]:
    pids = {}
    for f in folder.glob("pid-*"):
        try:
            pids[int(f.read_text().strip())] = int(f.name.split("-")[1])
        except (OSError, ValueError):
            continue
    return pids


_BAD = re.compile(r"PID (\d+) RUNNING AT .*?\n=\s+(?:EXIT CODE|KILLED BY SIGNAL): (\d+)", re.S)
_EXIT = re.compile(r"EXIT STRING: ([^\n]+)")


def _death_message(log: str, pid_folder: Path, returncode: int | None) -> str:
    """Which rank died and how, from hydra's report and the ranks' pid files."""
    pids = _rank_pids(pid_folder)
    m = _BAD.search(log)
    how = _EXIT.search(log)
    detail = how.group(1).strip() if how else (f"exit code {m.group(2)}" if m else f"mpiexec exit code {returncode}")
    if m:
        rank = pids.get(int(m.group(1)))
        who = f"rank {rank}" if rank is not None else f"a rank (pid {m.group(1)})"
        return f"{who} died ({detail}); the MPI run was aborted"
    tail = "\n".join(log.strip().splitlines()[-5:])
    return f"the MPI run ended unexpectedly ({detail})" + (f": {tail}" if tail else "")


class _Failure(Exception):
    pass


def _wait_status(pid: int) -> int | None:
    """The wait status of an ended (zombie, not yet reaped) process, else None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[-1]) if fields[0] in ("Z", "X") else None
    except (OSError, ValueError, IndexError):
        return None


def _describe_status(status: int | None) -> str:
    if status is None:
        return "killed, or exited in the middle of the run"
    sig = status & 0x7F
    if sig:
        try:
            return f"killed by signal {sig} ({signal.Signals(sig).name})"
        except ValueError:
            return f"killed by signal {sig}"
    return f"exit code {status >> 8}"


class _Launch:
    """One ``mpiexec`` job: the worker ranks (serving jobs one after another, or one)."""

    def __init__(self, ranks: int, folder: Path, argv: list[str], env: dict[str, str]):
        self.ranks = ranks
        self.folder = folder
        self.log_path = folder / "mpiexec.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        self.pidfds: dict[int, tuple[int, int]] = {}
        self.ended: dict[int, int | None] = {}
        self.batch: dict[int, int] = {}
        self.batches = 0
        self.first_end: float | None = None
        self.watching = False

    def alive(self) -> bool:
        return self.proc.poll() is None

    def watch_ranks(self) -> bool:
        """Watch every rank's process (pidfds), once all ranks wrote their pid files."""
        if self.watching:
            return True
        pids = _rank_pids(self.folder)
        if len(pids) < self.ranks:
            return False
        for pid, rank in pids.items():
            try:
                self.pidfds[os.pidfd_open(pid)] = (rank, pid)
            except (OSError, AttributeError):
                continue
        self.watching = True
        return True

    def fds(self) -> list[int]:
        return list(self.pidfds)

    def check(self) -> str | None:
        """Why the run failed if a rank ended outside the protocol (a signal, a non-zero exit,
        or an exit while the others go on), else None."""
        if not self.pidfds:
            return None
        try:
            ready = select.select(list(self.pidfds), [], [], 0)[0]
        except (OSError, ValueError):
            ready = []
        if ready:
            self.batches += 1
        for fd in sorted(ready, key=lambda f: self.pidfds[f][0]):
            rank, pid = self.pidfds.pop(fd)
            self.ended[rank] = _wait_status(pid)
            self.batch[rank] = self.batches
            os.close(fd)
            if self.first_end is None:
                self.first_end = time.monotonic()
        culprit = self._culprit()
        if culprit is not None and (self.ended[culprit] or (
                self.pidfds and self.alive() and time.monotonic() - self.first_end > _GRACE)):
            return self._died(culprit)
        return None

    def _died(self, rank: int) -> str:
        return f"rank {rank} died ({_describe_status(self.ended[rank])}); the MPI run was aborted"

    def _culprit(self) -> int | None:
        """The rank that ended first: among those first seen ended (at one look), one killed by a
        signal, else one with a non-zero exit, else the lowest."""
        if not self.ended:
            return None
        if all(st == 0 for st in self.ended.values()) and not self.pidfds:
            return None  # every rank ended normally
        first = [r for r in self.ended if self.batch[r] == 1]
        for test in (lambda st: bool(st and st & 0x7F), lambda st: bool(st)):
            hits = [r for r in first if test(self.ended[r])]
            if hits:
                return hits[0]
        return first[0]

    def close_fds(self) -> None:
        for fd in self.pidfds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.pidfds.clear()

    def log_text(self) -> str:
        try:
            self.log.flush()
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self.close_fds()
        self.log.close()

    def death(self) -> str:
        """Why the job ended (it has, or is ending): the rank that died first if the rank
        watch saw it, else hydra's report."""
        seen = self.check()
        try:
            self.proc.wait(2)
        except subprocess.TimeoutExpired:
            pass
        if seen is None:
            self.check()
            culprit = self._culprit()
            seen = None if culprit is None else self._died(culprit)
        time.sleep(0.05)
        return seen or _death_message(self.log_text(), self.folder, self.proc.returncode)


class _Pool:
    """Worker ranks kept up between runs; rank 0 takes jobs over a Unix socket."""

    def __init__(self, ranks: int, mpiexec: str, env: dict[str, str]):
        self.folder = Path(tempfile.mkdtemp(prefix="cylonc-mpi-pool-"))
        self.lock = threading.Lock()
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        path = str(self.folder / "ctl.sock")
        server.bind(path)
        server.listen(1)
        server.settimeout(_POLL * 10)
        argv = [mpiexec, *_MPIEXEC_FLAGS, "-n", str(ranks), sys.executable, "-m", WORKER_MODULE, "--serve", str(self.folder), "--caller", str(os.getpid())]
        self.launch = _Launch(ranks, self.folder, argv, env)
        deadline = time.monotonic() + _START_TIMEOUT
        self.conn = None
        try:
            while self.conn is None:
                try:
                    self.conn, _ = server.accept()
                except TimeoutError:
                    if not self.launch.alive():
                        raise ExecutionError(f'executor="mpi": the MPI workers did not start: '
                                             f"{self.launch.death()}") from None
                    if time.monotonic() > deadline:
                        self.launch.kill()
                        raise ExecutionError('executor="mpi": the MPI workers did not start in '
                                             f"{_START_TIMEOUT:.0f} s") from None
        finally:
            server.close()
        self.launch.watch_ranks()
        self.conn.setblocking(False)
        self.buffer = b""

    def alive(self) -> bool:
        return self.launch.alive()

    def submit(self, job: Path, timeout: float | None) -> None:
        msg = json.dumps({"job": str(job)}).encode() + b"\n"
        try:
            self.conn.setblocking(True)
            self.conn.sendall(msg)
            self.conn.setblocking(False)
        except OSError:
            raise _Failure(self.launch.death()) from None
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                chunk = self.conn.recv(65536)
                if not chunk:
                    raise _Failure(self.launch.death())
                self.buffer += chunk
            except BlockingIOError:
                pass
            except OSError:
                raise _Failure(self.launch.death()) from None
            if b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                reply = json.loads(line)
                if reply.get("done") == str(job):
                    return
            if not self.launch.alive():
                raise _Failure(self.launch.death())
            dead = self.launch.check()
            if dead is not None:
                self.launch.kill()
                raise _Failure(dead)
            if deadline is not None and time.monotonic() > deadline:
                self.close(kill=True)
                raise ExecutionError(f'executor="mpi": the run did not finish within {timeout:g} s; '
                                     "the MPI ranks were stopped")
            _wait_readable([self.conn, *self.launch.fds()], _POLL * 25)

    def close(self, kill: bool = False) -> None:
        if self.conn is not None and not kill and self.launch.alive():
            try:
                self.conn.setblocking(True)
                self.conn.sendall(b'{"stop": true}\n')
                self.launch.proc.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        try:
            if self.conn is not None:
                self.conn.close()
        except OSError:
            pass
        self.launch.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def _wait_readable(files: list, seconds: float) -> None:
    try:
        select.select(files, [], [], seconds)
    except (OSError, ValueError):
        time.sleep(seconds)


_POOLS: dict[tuple, _Pool] = {}
_POOLS_LOCK = threading.Lock()


def shutdown_pools() -> None:
    """Stop every pool of worker ranks this process started."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for p in pools:
        p.close()


atexit.register(shutdown_pools)


def _env_flag(name: str, default: bool) -> bool:
    v = os.environ.get(name)
    return default if v is None or v == "" else v not in ("0", "false", "no")


def _env_timeout() -> float | None:
    v = os.environ.get("CYLONC_MPI_TIMEOUT", "")
    try:
        return float(v) if v else None
    except ValueError:
        return None


def _fault_from_env() -> dict[str, Any] | None:
    """``CYLONC_MPI_FAULT=ACTION:RANK:WHERE`` (e.g. ``kill:1:shuffle``): fault injection."""
    v = os.environ.get("CYLONC_MPI_FAULT", "")
    if not v:
        return None
    action, rank, *where = v.split(":")
    return {"action": action, "rank": int(rank), "at": where[0] if where else "any"}


class MPIExecutor:
    """Execute plans on ``ranks`` MPI ranks (``mpiexec``), or collectively on a communicator.

    Parameters
    ----------
    ranks : int
        Number of ranks to start.
    mpiexec : str, optional
        The launcher (default: `find_mpiexec`).
    timeout : float, optional
        Seconds a run may take (default ``CYLONC_MPI_TIMEOUT``, or no limit).
    pool : bool, optional
        Keep the worker ranks up between runs (default ``CYLONC_MPI_POOL``, or True).
    fault : dict, optional
        Fault injection for tests (see `cylonc.runtime.comm.Comm`); default from
        ``CYLONC_MPI_FAULT``.
    """

    name = "mpi"

    def __init__(self, ranks: int = 1, *, mpiexec: str | None = None, timeout: float | None = None,
                 pool: bool | None = None, fault: Mapping[str, Any] | None = None):
        if not isinstance(ranks, int) or ranks < 1:
            raise ExecutionError(f"ranks must be a positive integer, got {ranks!r}")
        self.ranks = ranks
        self.mpiexec = mpiexec
        self.timeout = timeout if timeout is not None else _env_timeout()
        self.pool = _env_flag("CYLONC_MPI_POOL", True) if pool is None else pool
        self.fault = dict(fault) if fault is not None else _fault_from_env()
        self.last_timing: dict[str, float] = {}
        """Seconds of the last run: ``scatter_s`` (job files), ``load_s``/``run_s``/``write_s``
        (rank 0: its inputs, the plan, the result) and ``total_s`` (the whole call)."""

    # -------------------------------------------------------------- checks and job files

    def _write_job(self, folder: Path, plan: dict, sources: dict[str, Any], output_dir: Path | None) -> Path:
        job_inputs: dict[str, Any] = {}
        for i, (name, src) in enumerate(sources.items()):
            if isinstance(src, pa.Table):
                files = []
                table = src.replace_schema_metadata(None)
                for r, (lo, n) in enumerate(_split_rows(table.num_rows, self.ranks)):
                    path = folder / f"in-{i}-{r}.arrow"
                    _write_ipc(table.slice(lo, n), path)
                    files.append(str(path))
                job_inputs[name] = {"kind": "ipc", "files": files}
            else:
                job_inputs[name] = {"kind": "path", "path": str(src), "format": io.source_format(src)}
        (folder / "plan.json").write_text(json.dumps(plan))
        job = {"plan": str(folder / "plan.json"), "inputs": job_inputs, "fault": self.fault,
               "output_dir": None if output_dir is None else str(output_dir)}
        path = folder / "job.json"
        path.write_text(json.dumps(job))
        return folder

    # -------------------------------------------------------------- run

    def run(self, plan: Mapping, sources: Mapping[str, Any] | None = None,
            udfs: Mapping[str, Callable] | None = None, output_dir: str | os.PathLike | None = None):
        """Run `plan` on `sources` on the ranks; see `cylonc.runtime.execute`.

        Parameters
        ----------
        plan : dict
            A plan (partitioned for ``ranks`` ranks when ``ranks > 1``).
        sources : dict
            Input name -> table, DataFrame or path.
        udfs : dict, optional
            UDF name -> Python function (sent to the ranks with cloudpickle).
        output_dir : path-like, optional
            For a table result: each rank writes its rows as ``part-<rank>.parquet`` in this new
            folder (instead of gathering them), and the folder's path is returned.

        Returns
        -------
        pyarrow.Table, scalar, dict or tuple (or the output folder's Path)

        Raises
        ------
        InputError
            A missing or unusable input (checked before any rank starts).
        ExecutionError
            A failure on a rank (the message names it), a rank that died, or a timeout.
        """
        validate_plan(plan)
        plan = json.loads(json.dumps(plan))
        checked = io.plan_sources(plan, sources or {})
        _pickle_udfs(plan, udfs)
        out_dir = None
        if output_dir is not None:
            out_dir = Path(output_dir)
            if out_dir.exists() and any(out_dir.iterdir()):
                raise ExecutionError(f"output folder '{out_dir}' exists and is not empty")
            plan = output_parts(plan)
        folder = Path(tempfile.mkdtemp(prefix="cylonc-mpi-job-"))
        start = time.perf_counter()
        try:
            self._write_job(folder, plan, checked, out_dir)
            written = time.perf_counter()
            try:
                self._execute(folder)
            except BaseException:
                if out_dir is not None:
                    shutil.rmtree(out_dir.parent / f".{out_dir.name}.cylonc-tmp", ignore_errors=True)
                raise
            result = self._result(folder, out_dir)
            self.last_timing = {"scatter_s": written - start, "total_s": time.perf_counter() - start}
            try:
                self.last_timing.update(json.loads((folder / "timing.json").read_text()))
            except (OSError, ValueError):
                pass
            return result
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("CYLONC_MPI_FAULT", None)
        env.setdefault("PYTHONUNBUFFERED", "1")
        return env

    def _execute(self, folder: Path) -> None:
        mpiexec = self.mpiexec or find_mpiexec()
        if not self.pool:
            argv = [mpiexec, *_MPIEXEC_FLAGS, "-n", str(self.ranks), sys.executable, "-m", WORKER_MODULE, "--job", str(folder), "--caller", str(os.getpid())]
            launch = _Launch(self.ranks, folder, argv, self._env())
            deadline = None if self.timeout is None else time.monotonic() + self.timeout
            try:
                while launch.alive():
                    if deadline is not None and time.monotonic() > deadline:
                        launch.kill()
                        raise ExecutionError(f'executor="mpi": the run did not finish within {self.timeout:g} s; '
                                             "the MPI ranks were stopped")
                    launch.watch_ranks()
                    dead = launch.check()
                    if dead is not None:
                        launch.kill()
                        self._raise_reported(folder)
                        raise ExecutionError(f'executor="mpi": {dead}')
                    _wait_readable(launch.fds(), _POLL)
                self._raise_reported(folder)
                if launch.proc.returncode != 0:
                    raise ExecutionError(f'executor="mpi": {launch.death()}')
            finally:
                launch.kill()
            return
        key = (self.ranks, mpiexec, sys.executable)
        with _POOLS_LOCK:
            pool = _POOLS.get(key)
            if pool is not None and not pool.alive():
                pool.close(kill=True)
                pool = None
            if pool is None:
                pool = _Pool(self.ranks, mpiexec, self._env())
                _POOLS[key] = pool
        with pool.lock:
            try:
                pool.submit(folder, self.timeout)
            except _Failure as f:
                with _POOLS_LOCK:
                    if _POOLS.get(key) is pool:
                        del _POOLS[key]
                self._raise_reported(folder)
                pool.close(kill=True)
                raise ExecutionError(f'executor="mpi": {f}') from None
        self._raise_reported(folder)

    @staticmethod
    def _raise_reported(folder: Path) -> None:
        """Raise the error the ranks reported for this job, if any."""
        path = folder / "error.json"
        if not path.exists():
            reports = []
            for f in sorted(folder.glob("error-*.json")):
                try:
                    reports.append(json.loads(f.read_text()))
                except (OSError, ValueError):
                    continue
            if not reports:
                return
        else:
            reports = json.loads(path.read_text())
        reports.sort(key=lambda r: r.get("rank", 0))
        first = reports[0]
        more = f" (and {len(reports) - 1} more rank(s) failed)" if len(reports) > 1 else ""
        message = f"rank {first['rank']}: {first['message']}{more}"
        err = InputError(message) if first.get("kind") == "input" else ExecutionError(message)
        err.reports = reports  # type: ignore[attr-defined]
        if first.get("traceback") and first.get("type") not in ("InputError", "CompileError"):
            err.add_note(f"on rank {first['rank']}:\n{first['traceback'].rstrip()}")
        raise err

    @staticmethod
    def _result(folder: Path, out_dir: Path | None):
        if out_dir is not None:
            return out_dir
        with open(folder / "result.pkl", "rb") as f:
            shape = pickle.load(f)
        return _rebuild(shape, folder)


def _rebuild(value, folder: Path):
    if isinstance(value, dict) and value.get("__table__"):
        with pa.memory_map(str(folder / value["file"])) as source:
            table = pa.ipc.open_file(source).read_all()
        return table.combine_chunks() if table.num_rows else table
    if isinstance(value, dict) and value.get("__dict__"):
        return {k: _rebuild(v, folder) for k, v in value["items"]}
    if isinstance(value, tuple):
        return tuple(_rebuild(v, folder) for v in value)
    return value


def save_result(result, folder: Path):
    """Write a result for the caller: tables as IPC files, the rest pickled (see `_rebuild`)."""
    counter = [0]

    def shape(v):
        if isinstance(v, pa.Table):
            name = f"result-{counter[0]}.arrow"
            counter[0] += 1
            _write_ipc(v, folder / name)
            return {"__table__": True, "file": name}
        if isinstance(v, dict):
            return {"__dict__": True, "items": [(k, shape(x)) for k, x in v.items()]}
        if isinstance(v, tuple):
            return tuple(shape(x) for x in v)
        return v

    data = shape(result)
    tmp = folder / "result.pkl.tmp"
    with open(tmp, "wb") as f:
        pickle.dump(data, f)
    os.replace(tmp, folder / "result.pkl")


def run_spmd(plan: Mapping, sources: Mapping[str, Any], mpi_comm: Any,
             udfs: Mapping[str, Callable] | None = None):
    """Run `plan` collectively on the ranks of `mpi_comm` (this process is one of them).

    Each rank's in-memory sources are its own part of the inputs (the whole input is their
    concatenation in rank order); a Parquet/CSV path is split among the ranks by row group.
    Every rank returns the whole result. Errors on any rank raise on every rank.
    """
    comm = Comm(mpi_comm)
    job = {"inputs": {}}
    for name, src in sources.items():
        src = io.prepare(src, name=name)
        job["inputs"][name] = {"kind": "table", "table": src} if isinstance(src, pa.Table) else \
            {"kind": "path", "path": str(src), "format": io.source_format(src)}
    try:
        local = rank_sources(job, plan, comm)
    except CylonError as exc:
        local = exc
    reports = comm.allgather_object(None if not isinstance(local, BaseException) else
                                    (comm.rank, type(local).__name__, str(local)))
    bad = [r for r in reports if r is not None]
    if bad:
        rank, kind, message = bad[0]
        raise (InputError if kind == "InputError" else ExecutionError)(f"rank {rank}: {message}")
    result = run_collective(plan, local, comm, udfs)
    # Rank 0 holds the gathered tables: share them.
    return _share_result(result, comm)


def _share_result(result, comm: Comm):
    if comm.size == 1:
        return result
    if isinstance(result, pa.Table):
        return comm.broadcast_table(result)
    if isinstance(result, dict):
        return {k: _share_result(v, comm) for k, v in result.items()}
    if isinstance(result, tuple):
        return tuple(_share_result(v, comm) for v in result)
    return result


def write_error(folder: Path, reports: list[dict[str, Any]], name: str = "error.json") -> None:
    tmp = folder / (name + ".tmp")
    tmp.write_text(json.dumps(reports))
    os.replace(tmp, folder / name)


_ = (CollectiveError,)
