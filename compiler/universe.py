"""Registers the ``cylon`` dialect and passes with xDSL's tools (``xdsl-opt``, ``cylonc opt``)."""

from xdsl.universe import Universe


def _cylon_dialect():
    from cylonc.dialects.cylon import Cylon

    return Cylon


def _task_dialect():
    from cylonc.dialects.task import Task

    return Task


def _pass(name: str):
    def factory():
        from cylonc.compiler.passes import ALL_PASSES

        return ALL_PASSES[name]

    return factory


PASS_NAMES: tuple[str, ...] = ("cylon-fuse", "cylon-predicate-pushdown", "cylon-projection-pruning", "cylon-scan-pushdown", "cylon-partition", "cylon-place")

CYLONC_UNIVERSE = Universe(
    all_dialects={"cylon": _cylon_dialect, "task": _task_dialect},
    all_passes={name: _pass(name) for name in PASS_NAMES},
)
