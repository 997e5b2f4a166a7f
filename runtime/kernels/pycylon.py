"""An optional pycylon backend hook: where ``pycylon`` imports, its distributed table
operations can stand in for the Arrow shuffle + local kernels of a partitioned plan.

pycylon is not a dependency; every entry point checks `available` first. The runtime's own
MPI path (`cylonc.runtime.comm`) is what runs when pycylon is absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

__all__ = ["available", "context", "from_arrow", "shuffle", "to_arrow", "why_unavailable"]

_PROBLEM: str | None = None
_MODULE: Any = None


def _load() -> Any:
    global _MODULE, _PROBLEM
    if _MODULE is None and _PROBLEM is None:
        try:
            import pycylon  # type: ignore[import-not-found]

            _MODULE = pycylon
        except Exception as exc:  # noqa: BLE001 - any failure means no backend
            _PROBLEM = f"{type(exc).__name__}: {exc}"
    return _MODULE


def available() -> bool:
    """Whether pycylon imports here."""
    return _load() is not None


def why_unavailable() -> str | None:
    """The import problem, or None when pycylon is usable."""
    _load()
    return _PROBLEM


_CONTEXT: Any = None


def context(distributed: bool = True) -> Any:
    """pycylon's ``CylonContext`` (MPI-distributed by default), made once."""
    global _CONTEXT
    pc = _load()
    if pc is None:
        raise RuntimeError(f"pycylon is not available: {_PROBLEM}")
    if _CONTEXT is None:
        from pycylon.net import MPIConfig  # type: ignore[import-not-found]

        _CONTEXT = pc.CylonContext(config=MPIConfig() if distributed else None, distributed=distributed)
    return _CONTEXT


def from_arrow(table: pa.Table, distributed: bool = False) -> Any:
    """A pycylon ``Table`` of an Arrow table."""
    pc = _load()
    if pc is None:
        raise RuntimeError(f"pycylon is not available: {_PROBLEM}")
    return pc.Table.from_arrow(context(distributed), table)


def to_arrow(table: Any) -> pa.Table:
    """The Arrow table of a pycylon ``Table``."""
    return table.to_arrow()


def shuffle(table: pa.Table, keys: Sequence[str]) -> pa.Table:
    """Hash-partition `table` by `keys` over pycylon's MPI ranks (pycylon's own shuffle)."""
    t = from_arrow(table, distributed=True)
    return to_arrow(t.shuffle(list(keys)))
