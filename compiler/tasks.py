"""The ``tasks`` stage: task graphs in the ``task`` dialect, and their plain-data form.

A compiled pipeline is one island: one task with the ranks, cores and GPUs per rank it needs.
:func:`tasks_stage` gives the graph of one pipeline (``cylonc ir --stage tasks``);
:class:`GraphBuilder` assembles several (``cylonc.workflow``). :func:`graph_data` turns a graph
into the ``tasks.json`` of an artifact (``runtime/PLAN.md``), which the runtime's executors read.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

from xdsl.dialects.builtin import (
    BoolAttr,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    f64,
    i64,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.utils.exceptions import VerifyException

from cylonc.dialects import cylon
from cylonc.dialects.cylon import TableType
from cylonc.dialects.task import GraphOp, SinkOp, SourceOp, TableDataType, TaskOp, ValueDataType
from cylonc.errors import CompileError

__all__ = ["GraphBuilder", "graph_data", "output_items", "resources", "tasks_stage"]


def output_items(module: ModuleOp) -> list[tuple[str, bool]]:
    """(name, is_table) of each item of a ``cylon`` module's output (see
    ``runtime.artifact.output_names``)."""
    for op in module.ops:
        if isinstance(op, cylon.OutputOp):
            kind = op.kind.data
            tables = [isinstance(v.type, TableType) for v in op.values]
            if kind in ("table", "scalar"):
                return [("out", tables[0])]
            if kind == "dict" and op.keys is not None:
                return [(k.data, t) for k, t in zip(op.keys.data, tables)]
            return [(str(i), t) for i, t in enumerate(tables)]
    raise CompileError("internal error: the module has no cylon.output")


def input_names(module: ModuleOp) -> list[str]:
    """The table arguments of a ``cylon`` module, in call order."""
    ins = [op for op in module.ops if isinstance(op, cylon.InputOp)]
    return [op.arg_name.data for op in sorted(ins, key=lambda o: o.index.value.data)]


def resources(options: Any, plan: Mapping | None = None, cores_per_rank: int | None = None) -> dict[str, Any]:
    """The size of a pipeline's task: ``ranks``, ``cores_per_rank``, ``gpus_per_rank`` and
    ``mode`` (``function`` for one CPU rank, else ``executable``)."""
    ranks = int(getattr(options, "ranks", 1) or 1)
    gpu = getattr(options, "device", "auto") == "gpu" or any(
        n.get("device") == "gpu" for n in (plan or {}).get("nodes", ())
    )
    gpus = 1 if gpu else 0
    mode = "function" if ranks == 1 and gpus == 0 else "executable"
    return {"ranks": ranks, "cores_per_rank": int(cores_per_rank or 1), "gpus_per_rank": gpus, "mode": mode}


def param_attr(value: object) -> Attribute:
    """A sweep parameter as an attribute."""
    if isinstance(value, bool):
        return BoolAttr.from_bool(value)
    if isinstance(value, int):
        return IntegerAttr(value, i64)
    if isinstance(value, float):
        return FloatAttr(value, f64)
    if hasattr(value, "item") and not isinstance(value, str):
        return param_attr(value.item())  # numpy scalars
    if isinstance(value, _dt.date | _dt.datetime):
        return StringAttr(value.isoformat())
    return StringAttr(str(value))


def param_json(value: object) -> object:
    """A sweep parameter as JSON."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, _dt.date | _dt.datetime):
        return value.isoformat()
    return str(value)


class GraphBuilder:
    """Builds a ``task.graph``.

    Examples
    --------
    >>> g = GraphBuilder("demo")
    >>> t = g.source("t")
    >>> outs = g.task("q", "q", {"t": t}, [("out", True)], ranks=1)
    >>> g.sink(outs["out"], "q")
    >>> module = g.module()
    """

    def __init__(self, name: str):
        self.name = name
        self.ops: list[Any] = []
        self._sources: dict[str, SSAValue] = {}

    def source(self, name: str, path: str | None = None) -> SSAValue:
        """The value of workflow input `name` (one ``task.source`` per name)."""
        if name not in self._sources:
            op = SourceOp(name, path)
            self.ops.append(op)
            self._sources[name] = op.output
        return self._sources[name]

    def task(
        self,
        task_id: str,
        pipeline: str,
        inputs: Mapping[str, SSAValue],
        outputs: Sequence[tuple[str, bool]],
        *,
        ranks: int = 1,
        cores_per_rank: int = 1,
        gpus_per_rank: int = 0,
        mode: str = "executable",
        pilot: str = "default",
        params: Mapping[str, object] | None = None,
        loc: str | None = None,
    ) -> dict[str, SSAValue]:
        """Add a task; returns its output values by item name."""
        op = TaskOp(
            task_id,
            pipeline,
            list(inputs.values()),
            list(inputs),
            [(n, TableDataType() if is_table else ValueDataType()) for n, is_table in outputs],
            ranks=ranks,
            cores_per_rank=cores_per_rank,
            gpus_per_rank=gpus_per_rank,
            mode=mode,
            pilot=pilot,
            params={k: param_attr(v) for k, v in (params or {}).items()},
            loc=loc,
        )
        self.ops.append(op)
        return {n: r for (n, _), r in zip(outputs, op.outs)}

    def sink(self, value: SSAValue, name: str) -> None:
        """Return `value` to the caller as `name`."""
        self.ops.append(SinkOp(value, name))

    def module(self) -> ModuleOp:
        """The verified module holding the graph."""
        module = ModuleOp([GraphOp(self.name, self.ops)])
        try:
            module.verify()
        except VerifyException as exc:
            raise CompileError(f"invalid task graph: {exc}") from None
        return module


def tasks_stage(module: ModuleOp, options: Any, name: str = "pipeline", loc: str | None = None,
                plan: Mapping | None = None) -> ModuleOp:
    """The ``tasks`` stage of one pipeline: its inputs, one task, its outputs."""
    g = GraphBuilder(name)
    inputs = {n: g.source(n) for n in input_names(module)}
    items = output_items(module)
    outs = g.task(name, name, inputs, items, loc=loc, **resources(options, plan))
    for item, _ in items:
        g.sink(outs[item], name if len(items) == 1 else f"{name}.{item}")
    return g.module()


def _graph_op(module: ModuleOp) -> GraphOp:
    for op in module.ops:
        if isinstance(op, GraphOp):
            return op
    raise CompileError("internal error: no task.graph in the module")


def graph_data(module: ModuleOp) -> dict[str, Any]:
    """The plain-data task graph (``tasks.json``, see ``runtime/PLAN.md``)."""
    from xdsl.dialects.builtin import ArrayAttr

    graph = _graph_op(module)
    refs: dict[SSAValue, dict[str, str]] = {}
    sources, tasks, sinks = [], [], []

    def attr_json(a: Attribute) -> object:
        if isinstance(a, IntegerAttr):
            v = a.value.data
            return bool(v) if a.type == BoolAttr.from_bool(True).type else v
        if isinstance(a, FloatAttr):
            return a.value.data
        if isinstance(a, StringAttr):
            return a.data
        if isinstance(a, ArrayAttr):
            return [attr_json(x) for x in a.data]
        return str(a)

    for op in graph.body.block.ops:
        if isinstance(op, SourceOp):
            sources.append({"name": op.source_name.data, "path": op.path.data if op.path else None})
            refs[op.output] = {"source": op.source_name.data}
        elif isinstance(op, TaskOp):
            tid = op.sym_name.data
            inputs = {n.data: refs[v] for n, v in zip(op.inputs.data, op.args)}
            outputs = [
                {"name": n.data, "kind": "table" if isinstance(r.type, TableDataType) else "scalar"}
                for n, r in zip(op.outputs.data, op.outs)
            ]
            after = sorted({r["task"] for r in inputs.values() if "task" in r})
            tasks.append({
                "id": tid,
                "pipeline": op.pipeline.data,
                "inputs": inputs,
                "outputs": outputs,
                "after": after,
                "ranks": op.ranks.value.data,
                "cores_per_rank": op.cores_per_rank.value.data,
                "gpus_per_rank": op.gpus_per_rank.value.data,
                "mode": op.mode.data,
                "pilot": op.pilot.data,
                "params": {k: attr_json(v) for k, v in op.params.data.items()} if op.params else {},
                "loc": op.loc.data if op.loc else None,
            })
            for o, r in zip(outputs, op.outs):
                refs[r] = {"task": tid, "output": o["name"]}
        elif isinstance(op, SinkOp):
            sinks.append({"name": op.sink_name.data, **refs[op.value]})
    from cylonc.runtime.artifact import TASKS_FORMAT

    return {"format": TASKS_FORMAT, "version": 1, "name": graph.graph_name.data,
            "sources": sources, "tasks": tasks, "sinks": sinks}



def pipeline_graph(fn: Any, module: ModuleOp, options: Any) -> ModuleOp:
    """The ``tasks`` stage of pipeline function `fn` (task and graph named after it, ``loc``
    its definition line)."""
    from cylonc.compiler.workflow import _loc_of

    return tasks_stage(module, options, name=getattr(fn, "__name__", "pipeline"), loc=_loc_of(fn))
