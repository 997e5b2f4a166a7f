"""Collective communication of Arrow tables over mpi4py.

Tables travel as Arrow IPC stream bytes in ``MPI.BYTE`` buffers (``Alltoallv``, ``Allgatherv``,
``Gatherv``, ``Bcast``), never as pickles. Only small metadata (error reports) is pickled.

Every collective starts with a status handshake (an ``Allreduce`` of one flag), so that a rank
that fails in local work makes every rank raise the same `CollectiveError` at its next
collective instead of leaving the others blocked: all ranks run the same sequence of
collectives, so the failing rank's :meth:`Comm.fail` meets the others at that collective's
handshake. A rank that dies outright is the launcher's business (``mpiexec`` ends the job).

Examples
--------
>>> from cylonc.runtime.comm import Comm
>>> c = Comm()              # one rank, no MPI: every collective is the identity
>>> c.rank, c.size
(0, 1)
"""

from __future__ import annotations

import os
import signal
import traceback
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from cylonc.errors import CylonError, ExecutionError, InputError

__all__ = ["Comm", "CollectiveError", "MAX_MESSAGE", "deserialize", "serialize"]

MAX_MESSAGE = 2**31 - 1
"""Largest byte count one MPI call moves per peer (MPI counts are C ints); bigger exchanges
go in rounds."""


class CollectiveError(ExecutionError):
    """One or more ranks failed; every rank raises this with the same reports.

    Parameters
    ----------
    reports : list of dict
        ``{"rank", "type", "message", "traceback"}`` per failed rank, in rank order.
    """

    def __init__(self, reports: Sequence[Mapping[str, Any]]):
        self.reports = [dict(r) for r in reports]
        first = self.reports[0] if self.reports else {"rank": "?", "type": "Error", "message": "unknown failure"}
        more = f" (and {len(self.reports) - 1} more rank(s) failed)" if len(self.reports) > 1 else ""
        super().__init__(f"rank {first['rank']}: {first['message']}{more}")

    @property
    def first(self) -> dict[str, Any]:
        return self.reports[0]


def report(rank: int, exc: BaseException) -> dict[str, Any]:
    """A picklable description of an exception raised on `rank`."""
    if isinstance(exc, CylonError):
        message = str(exc)
    else:
        message = f"{type(exc).__name__}: {exc}"
    return {
        "rank": rank,
        "type": type(exc).__name__,
        "kind": "input" if isinstance(exc, InputError) else "execution",
        "message": message,
        "traceback": "".join(traceback.format_exception(exc))[-4000:],
    }


def serialize(tables: Sequence[pa.Table | None]) -> tuple[np.ndarray, np.ndarray]:
    """IPC stream bytes of each table, back to back in one buffer (empty tables: 0 bytes).

    Returns
    -------
    (numpy.ndarray of uint8, numpy.ndarray of int64)
        The buffer and each table's byte count.
    """
    sink = pa.BufferOutputStream()
    counts = np.zeros(len(tables), dtype=np.int64)
    for i, t in enumerate(tables):
        if t is None or t.num_rows == 0:
            continue
        start = sink.tell()
        with pa.ipc.new_stream(sink, t.schema) as writer:
            writer.write_table(t)
        counts[i] = sink.tell() - start
    buf = sink.getvalue()
    return np.frombuffer(buf, dtype=np.uint8), counts


def deserialize(buf: np.ndarray, counts: Sequence[int], schema: pa.Schema) -> pa.Table:
    """Concatenate the IPC streams in `buf` (one per count, in order) into one table.

    Zero-copy: the result's buffers point into `buf`.
    """
    parts = []
    offset = 0
    for c in counts:
        c = int(c)
        if c:
            reader = pa.ipc.open_stream(pa.py_buffer(buf[offset:offset + c]))
            t = reader.read_all()
            if not t.schema.equals(schema):
                t = t.cast(schema) if t.schema.names == schema.names else t
            parts.append(t)
        offset += c
    if not parts:
        return schema.empty_table()
    if len(parts) == 1:
        return parts[0]
    return pa.concat_tables(parts)


def _displs(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if len(counts) else counts


class Comm:
    """A communicator for the runtime: a wrapper of an ``mpi4py`` communicator (or none, for
    one rank) with table collectives.

    Parameters
    ----------
    mpi_comm : mpi4py.MPI.Comm, optional
        ``None``: a single rank without MPI.
    fault : dict, optional
        Fault injection for tests: ``{"rank": r, "at": "shuffle" | "allgather" | "gather" |
        "broadcast" | "any", "action": "kill" | "raise"}``; rank ``r`` is killed (SIGKILL) or
        raises in the middle of its first such collective.
    max_message : int
        Largest per-peer byte count of one MPI call (exchanges above it go in rounds).
    """

    def __init__(self, mpi_comm: Any = None, fault: Mapping[str, Any] | None = None,
                 max_message: int = MAX_MESSAGE):
        self.mpi = mpi_comm
        self.rank = 0 if mpi_comm is None else mpi_comm.Get_rank()
        self.size = 1 if mpi_comm is None else mpi_comm.Get_size()
        self.fault = dict(fault) if fault else None
        self.max_message = int(max_message)
        self.collectives = 0
        if self.size > 1:
            from mpi4py import MPI

            self._MPI = MPI

    @classmethod
    def world(cls, **kw: Any) -> "Comm":
        """``MPI.COMM_WORLD`` wrapped."""
        from mpi4py import MPI

        return cls(MPI.COMM_WORLD, **kw)

    def __repr__(self) -> str:
        return f"<cylonc Comm rank {self.rank} of {self.size}>"

    # ------------------------------------------------------------------ failures

    def _handshake(self, ok: bool) -> None:
        """The status flag exchange that starts every collective."""
        self.collectives += 1
        if self.size == 1:
            return
        flag = np.array([0 if ok else 1], dtype=np.int32)
        out = np.zeros(1, dtype=np.int32)
        self.mpi.Allreduce(flag, out, op=self._MPI.MAX)
        if out[0] and ok:
            reports = [r for r in self.mpi.allgather(None) if r is not None]
            raise CollectiveError(reports)

    def fail(self, exc: BaseException) -> None:
        """Report this rank's failure to the others at their next collective and raise the
        combined `CollectiveError` (also on this rank)."""
        if isinstance(exc, CollectiveError):
            raise exc
        if self.size == 1:
            raise exc
        self._handshake(False)
        reports = [r for r in self.mpi.allgather(report(self.rank, exc)) if r is not None]
        raise CollectiveError(reports) from exc

    def finish(self) -> None:
        """The closing handshake: raises if any rank failed after the last collective."""
        self._handshake(True)

    def _inject(self, where: str) -> None:
        f = self.fault
        if not f or int(f.get("rank", -1)) != self.rank or f.get("at", "any") not in (where, "any"):
            return
        self.fault = None
        if f.get("action", "kill") == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise ExecutionError(f"injected fault in {where} on rank {self.rank}")

    # ------------------------------------------------------------------ byte collectives

    def _alltoallv(self, send: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exchange byte segments: ``counts[d]`` bytes (back to back in `send`) go to rank d.
        Returns the received buffer and the byte count from each source rank."""
        MPI = self._MPI
        rcounts = np.zeros(self.size, dtype=np.int64)
        self.mpi.Alltoall(counts.astype(np.int64), rcounts)
        sdispl, rdispl = _displs(counts), _displs(rcounts)
        recv = np.empty(int(rcounts.sum()), dtype=np.uint8)
        limit = self.max_message
        local = np.array([max(len(send), len(recv))], dtype=np.int64)
        biggest = np.zeros(1, dtype=np.int64)
        self.mpi.Allreduce(local, biggest, op=MPI.MAX)
        if biggest[0] <= limit:
            self.mpi.Alltoallv([send, (counts, sdispl), MPI.BYTE], [recv, (rcounts, rdispl), MPI.BYTE])
            return recv, rcounts
        chunk = max(1, limit // self.size)
        rounds = int((biggest[0] + chunk - 1) // chunk)
        for j in range(rounds):
            lo = j * chunk
            sc = np.clip(counts - lo, 0, chunk)
            rc = np.clip(rcounts - lo, 0, chunk)
            sbuf = np.concatenate([send[d + lo:d + lo + c] for d, c in zip(sdispl, sc)]) if sc.sum() else \
                np.empty(0, np.uint8)
            rbuf = np.empty(int(rc.sum()), dtype=np.uint8)
            self.mpi.Alltoallv([sbuf, (sc, _displs(sc)), MPI.BYTE], [rbuf, (rc, _displs(rc)), MPI.BYTE])
            for d, c, off in zip(rdispl, rc, _displs(rc)):
                if c:
                    recv[d + lo:d + lo + c] = rbuf[off:off + c]
        return recv, rcounts

    def _allgatherv(self, send: np.ndarray, root: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Every rank's bytes concatenated in rank order, on every rank (`root` None) or on
        `root` only (the others get an empty buffer)."""
        MPI = self._MPI
        counts = np.zeros(self.size, dtype=np.int64)
        self.mpi.Allgather(np.array([len(send)], dtype=np.int64), counts)
        mine = root is None or root == self.rank
        recv = np.empty(int(counts.sum()) if mine else 0, dtype=np.uint8)
        limit = self.max_message
        chunk = max(1, limit // max(self.size, 1))
        rounds = max(1, int((counts.max(initial=0) + chunk - 1) // chunk)) if counts.sum() > limit else 1
        displ = _displs(counts)
        for j in range(rounds):
            lo = j * chunk if rounds > 1 else 0
            rc = np.clip(counts - lo, 0, chunk) if rounds > 1 else counts
            piece = send[lo:lo + int(rc[self.rank])]
            rbuf = recv if rounds == 1 else np.empty(int(rc.sum()) if mine else 0, dtype=np.uint8)
            spec = [rbuf, (rc, _displs(rc)), MPI.BYTE]
            if root is None:
                self.mpi.Allgatherv(piece, spec)
            else:
                self.mpi.Gatherv(piece, spec if mine else None, root=root)
            if rounds > 1 and mine:
                for d, c, off in zip(displ, rc, _displs(rc)):
                    if c:
                        recv[d + lo:d + lo + c] = rbuf[off:off + c]
        return recv, counts

    # ------------------------------------------------------------------ table collectives

    def alltoall_tables(self, parts: Sequence[pa.Table | None], schema: pa.Schema,
                        what: str = "shuffle") -> pa.Table:
        """Send ``parts[d]`` to rank ``d``; return what this rank receives, concatenated in
        source-rank order (empty parts cost no bytes; this rank's own part is not copied).

        Parameters
        ----------
        parts : list of pyarrow.Table or None
            One per rank.
        schema : pyarrow.Schema
            The tables' schema (the result's when nothing arrives).
        what : str
            The exchange's name, for fault injection.
        """
        if len(parts) != self.size:
            raise ValueError(f"alltoall needs one table per rank ({self.size}), got {len(parts)}")
        if self.fault and self.fault.get("action") == "raise":
            self._inject(what)
        if self.size > 1:
            send, counts = serialize([None if d == self.rank else t for d, t in enumerate(parts)])
        self._handshake(True)
        own = parts[self.rank]
        own = schema.empty_table() if own is None else own
        if not own.schema.equals(schema):
            own = own.cast(schema) if own.schema.names == schema.names else own
        if self.size == 1:
            return own
        self._inject(what)
        recv, rcounts = self._alltoallv(send, counts)
        split = int(rcounts[:self.rank].sum())
        pieces = [deserialize(recv[:split], rcounts[:self.rank], schema), own,
                  deserialize(recv[split:], rcounts[self.rank + 1:], schema)]
        pieces = [t for t in pieces if t.num_rows]
        if not pieces:
            return schema.empty_table()
        return pieces[0] if len(pieces) == 1 else pa.concat_tables(pieces)

    def allgather_table(self, table: pa.Table) -> pa.Table:
        """Every rank's table concatenated in rank order, on every rank."""
        return self._gather(table, None, "allgather")

    def gather_table(self, table: pa.Table, root: int = 0) -> pa.Table:
        """Every rank's table concatenated in rank order on `root`; an empty table elsewhere."""
        return self._gather(table, root, "gather")

    def _gather(self, table: pa.Table, root: int | None, what: str) -> pa.Table:
        if self.fault and self.fault.get("action") == "raise":
            self._inject(what)
        send, _ = serialize([table]) if self.size > 1 else (None, None)
        self._handshake(True)
        if self.size == 1:
            return table
        self._inject(what)
        recv, counts = self._allgatherv(send, root)
        if root is not None and root != self.rank:
            return table.schema.empty_table()
        return deserialize(recv, counts, table.schema)

    def broadcast_table(self, table: pa.Table, root: int = 0) -> pa.Table:
        """`root`'s table on every rank."""
        if self.fault and self.fault.get("action") == "raise":
            self._inject("broadcast")
        send, _ = serialize([table]) if self.size > 1 and self.rank == root else (None, None)
        self._handshake(True)
        if self.size == 1:
            return table
        self._inject("broadcast")
        n = np.array([len(send) if send is not None else 0], dtype=np.int64)
        self.mpi.Bcast(n, root=root)
        buf = send if self.rank == root else np.empty(int(n[0]), dtype=np.uint8)
        step = self.max_message
        for lo in range(0, int(n[0]), step):
            self.mpi.Bcast([buf[lo:lo + step], self._MPI.BYTE], root=root)
        return table if self.rank == root else deserialize(buf, [int(n[0])], table.schema)

    def allgather_object(self, obj: Any) -> list[Any]:
        """Small Python objects (metadata only) from every rank, in rank order."""
        self._handshake(True)
        if self.size == 1:
            return [obj]
        return self.mpi.allgather(obj)

    def allreduce_sum(self, values: np.ndarray) -> np.ndarray:
        """Element-wise sum over the ranks of an int64/float64 array."""
        values = np.ascontiguousarray(values)
        self._handshake(True)
        if self.size == 1:
            return values.copy()
        out = np.empty_like(values)
        self.mpi.Allreduce(values, out, op=self._MPI.SUM)
        return out
