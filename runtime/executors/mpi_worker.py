"""The MPI worker: ``mpiexec -n N python -m cylonc.runtime.executors.mpi_worker``.

``--job FOLDER`` runs one job folder (see `cylonc.runtime.executors.mpi.MPIExecutor`) and
exits; ``--serve FOLDER`` keeps the ranks up and runs the jobs that the caller sends to rank 0
over the Unix socket ``FOLDER/ctl.sock`` (one JSON line each: ``{"job": PATH}`` or
``{"stop": true}``; rank 0 answers ``{"done": PATH}``).

Per job, rank 0 writes ``result.pkl`` (+ IPC files) or ``error.json`` (the failed ranks'
reports) into the job folder; with an output folder every rank writes
``part-<rank>.parquet``. Waiting ranks sleep between polls rather than spin.
"""

from __future__ import annotations

import json
import os
import shutil
import select
import socket
import sys
import time
from pathlib import Path

import numpy as np


def _threads(size: int) -> None:
    """One share of the machine's cores per rank (``CYLONC_THREADS_PER_RANK`` overrides)."""
    import pyarrow as pa

    try:
        n = int(os.environ.get("CYLONC_THREADS_PER_RANK", "") or 0)
    except ValueError:
        n = 0
    if n <= 0:
        n = max(1, (os.cpu_count() or 1) // max(size, 1))
    pa.set_cpu_count(n)
    pa.set_io_thread_count(max(n, 1))


def _watch_caller(pid: int) -> None:
    """End this rank when the calling process ends, wherever this rank is (even blocked in a
    collective): the ranks never outlive their caller."""
    import threading

    def watch() -> None:
        try:
            fd = os.pidfd_open(pid)
            select.select([fd], [], [])
        except (OSError, AttributeError):
            while True:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                except PermissionError:
                    pass
                time.sleep(1.0)
        os._exit(3)

    threading.Thread(target=watch, name="cylonc-caller-watch", daemon=True).start()


def run_job(mpi_comm, folder: Path) -> bool:
    """Run one job folder collectively; True when it succeeded."""
    from cylonc.runtime.comm import CollectiveError, Comm, report
    from cylonc.runtime.executors.mpi import rank_sources, run_collective, save_result, write_error

    rank = mpi_comm.Get_rank()
    comm = None
    try:
        job = json.loads((folder / "job.json").read_text())
        plan = json.loads(Path(job["plan"]).read_text())
        comm = Comm(mpi_comm, fault=job.get("fault"))
        t0 = time.perf_counter()
        try:
            sources = rank_sources(job, plan, comm)
        except BaseException as exc:  # noqa: BLE001 - reported collectively below
            comm.fail(exc)
        t1 = time.perf_counter()
        result = run_collective(plan, sources, comm)
        t2 = time.perf_counter()
        out_dir = job.get("output_dir")
        if out_dir:
            _write_parts(result, Path(out_dir), comm)
        elif rank == 0:
            save_result(result, folder)
        if rank == 0:
            timing = {"load_s": t1 - t0, "run_s": t2 - t1, "write_s": time.perf_counter() - t2}
            (folder / "timing.json").write_text(json.dumps(timing))
        return True
    except CollectiveError as exc:
        if rank == 0:
            write_error(folder, exc.reports)
        return False
    except BaseException as exc:  # noqa: BLE001 - a failure after the last collective
        write_error(folder, [report(rank, exc)], name=f"error-{rank}.json")
        return False


def _write_parts(result, out_dir: Path, comm) -> None:
    """Each rank's rows as ``part-<rank>.parquet``, in a temporary folder renamed at the end."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not isinstance(result, pa.Table):
        raise TypeError("an output folder needs a table result")
    tmp = out_dir.parent / f".{out_dir.name}.cylonc-tmp"
    if comm.rank == 0:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
    comm.allgather_object(None)
    pq.write_table(result, tmp / f"part-{comm.rank}.parquet")
    comm.allgather_object(None)
    if comm.rank == 0:
        if out_dir.exists():
            out_dir.rmdir()
        os.replace(tmp, out_dir)
    comm.finish()


def _serve(mpi_comm, folder: Path) -> None:
    rank = mpi_comm.Get_rank()
    conn = None
    buffer = b""
    if rank == 0:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(str(folder / "ctl.sock"))
    header = np.zeros(2, dtype=np.int64)
    while True:
        if rank == 0:
            message = None
            while message is None:
                while b"\n" not in buffer:
                    chunk = conn.recv(65536)
                    if not chunk:
                        message = {"stop": True}
                        break
                    buffer += chunk
                if message is None:
                    line, buffer = buffer.split(b"\n", 1)
                    message = json.loads(line)
            payload = message.get("job", "").encode()
            header[:] = (0 if message.get("stop") else 1, len(payload))
            mpi_comm.Ibcast(header, root=0).Wait()
            if not header[0]:
                break
            mpi_comm.Bcast(np.frombuffer(payload, dtype=np.uint8).copy(), root=0)
        else:
            req = mpi_comm.Ibcast(header, root=0)
            pause = 0.0005
            while not req.Test():
                time.sleep(pause)
                pause = min(pause * 2, 0.02)
            if not header[0]:
                break
            buf = np.empty(int(header[1]), dtype=np.uint8)
            mpi_comm.Bcast(buf, root=0)
            payload = buf.tobytes()
        job = Path(payload.decode())
        run_job(mpi_comm, job)
        if rank == 0:
            conn.sendall(json.dumps({"done": str(job)}).encode() + b"\n")
    if conn is not None:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    caller = None
    if len(argv) == 4 and argv[2] == "--caller":
        caller = int(argv[3])
        argv = argv[:2]
    if len(argv) != 2 or argv[0] not in ("--job", "--serve"):
        print("usage: python -m cylonc.runtime.executors.mpi_worker (--job | --serve) FOLDER [--caller PID]",
              file=sys.stderr)
        return 2
    if caller is not None:
        _watch_caller(caller)
    import faulthandler
    import signal

    faulthandler.register(signal.SIGUSR2, all_threads=True)  # `kill -USR2 PID`: where is it?
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)  # hydra's note that a rank ended (we watch)
    from mpi4py import MPI

    world = MPI.COMM_WORLD
    folder = Path(argv[1])
    (folder / f"pid-{world.Get_rank()}").write_text(str(os.getpid()))
    _threads(world.Get_size())
    world.Barrier()  # every rank's pid file is written before rank 0 reports for work
    if argv[0] == "--job":
        run_job(world, folder)  # a failed job is reported in the folder, not by the exit code
        world.Barrier()
        return 0
    _serve(world, folder)
    world.Barrier()
    return 0


if __name__ == "__main__":
    sys.exit(main())
