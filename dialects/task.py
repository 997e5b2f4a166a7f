"""The ``task`` dialect: a workflow as a graph of tasks over files.

Each task is one pipeline island: a compiled plan that runs as a unit on ``ranks`` processes
with ``cores_per_rank`` cores and ``gpus_per_rank`` GPUs each. Its operands are the data it
reads, its results the data it writes; an SSA edge is a dependency (the producer's output file
becomes the consumer's input), so independent tasks may run concurrently. Data are
``!task.table`` (a Parquet file) or ``!task.value`` (a scalar, kept in the task's JSON result).

A workflow of two pipelines and a two-point sweep::

    task.graph "demo" {
      %reads = task.source "reads" {path = "/data/reads.parquet"} : !task.table
      %clean = task.task "clean" "clean" (%reads) {cores_per_rank = 1 : i64, gpus_per_rank = 0 : i64,
          inputs = ["reads"], mode = "function", outputs = ["out"], pilot = "default", ranks = 1 : i64}
          : (!task.table) -> !task.table
      %s0 = task.task "score.0" "score.0" (%clean) {..., params = {threshold = 1.0 : f64}}
          : (!task.table) -> !task.value
      %s1 = task.task "score.1" "score.1" (%clean) {...} : (!task.table) -> !task.value
      task.sink %s0 "score.0" : !task.value
      task.sink %s1 "score.1" : !task.value
    }

The generic form (``print_generic_format``) is what upstream ``mlir-opt
--allow-unregistered-dialect`` parses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, IntegerAttr, StringAttr, i64
from xdsl.ir import Attribute, Block, Dialect, ParametrizedAttribute, Region, SSAValue, TypeAttribute
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import NoTerminator
from xdsl.utils.exceptions import VerifyException

MODES = ("executable", "function")
"""How a task runs: a process launched by the resource manager (``executable``; MPI and GPU
islands), or a Python call in a pilot-resident worker (``function``; RADICAL-Pilot raptor)."""


@irdl_attr_definition
class TableDataType(ParametrizedAttribute, TypeAttribute):
    """A table passed between tasks as a Parquet file: ``!task.table``."""

    name = "task.table"


@irdl_attr_definition
class ValueDataType(ParametrizedAttribute, TypeAttribute):
    """A scalar result (kept in the producing task's JSON result): ``!task.value``."""

    name = "task.value"


DataType = TableDataType | ValueDataType


def _strs(a: ArrayAttr) -> list[str]:
    return [s.data for s in a.data]  # type: ignore[attr-defined]


def _str_array(items: Sequence[str]) -> ArrayAttr[StringAttr]:
    return ArrayAttr([StringAttr(s) for s in items])


def _unique(names: Sequence[str], what: str, op: str) -> None:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise VerifyException(f"{op}: duplicate {what} '{n}'")
        seen.add(n)


@irdl_op_definition
class SourceOp(IRDLOperation):
    """An input of the workflow, named as the caller gives it; ``path`` is the file it was
    built against (the default when the caller names none).

    ```mlir
    %0 = task.source "reads" {path = "/data/reads.parquet"} : !task.table
    ```
    """

    name = "task.source"
    source_name = prop_def(StringAttr, prop_name="name")
    path = opt_prop_def(StringAttr)
    output = result_def(TableDataType)

    assembly_format = "$name attr-dict `:` type($output)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, name: str, path: str | None = None):
        props: dict[str, Attribute] = {"name": StringAttr(name)}
        if path is not None:
            props["path"] = StringAttr(path)
        super().__init__(properties=props, result_types=[TableDataType()])

    def verify_(self) -> None:
        if not self.source_name.data:
            raise VerifyException("task.source: the name must not be empty")


@irdl_op_definition
class TaskOp(IRDLOperation):
    """One task: run the plan ``pipeline`` of the artifact on its operands.

    ``inputs`` names the pipeline argument each operand binds (one per operand), ``outputs``
    the items of its result (one per result: ``out`` for a single table or scalar, the keys of
    a dict, ``0, 1, ...`` of a tuple). ``ranks``/``cores_per_rank``/``gpus_per_rank`` size it,
    ``mode`` is ``executable`` or ``function`` (a function task has one rank and no GPU),
    ``pilot`` names the pilot it runs on, ``params`` the scalar arguments of a sweep point and
    ``loc`` the pipeline's source line.

    ```mlir
    %1 = task.task "score.0" "score.0" (%0) {cores_per_rank = 1 : i64, gpus_per_rank = 0 : i64,
        inputs = ["t"], mode = "function", outputs = ["out"], pilot = "default", ranks = 1 : i64}
        : (!task.table) -> !task.table
    ```
    """

    name = "task.task"
    sym_name = prop_def(StringAttr)
    pipeline = prop_def(StringAttr)
    inputs = prop_def(ArrayAttr[StringAttr])
    outputs = prop_def(ArrayAttr[StringAttr])
    ranks = prop_def(IntegerAttr)
    cores_per_rank = prop_def(IntegerAttr)
    gpus_per_rank = prop_def(IntegerAttr)
    mode = prop_def(StringAttr)
    pilot = prop_def(StringAttr)
    params = opt_prop_def(DictionaryAttr)
    loc = opt_prop_def(StringAttr)
    args = var_operand_def(DataType)
    outs = var_result_def(DataType)

    assembly_format = "$sym_name $pipeline `(` $args `)` attr-dict `:` functional-type($args, $outs)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(
        self,
        task_id: str,
        pipeline: str,
        args: Sequence[SSAValue],
        inputs: Sequence[str],
        outputs: Sequence[tuple[str, Attribute]],
        *,
        ranks: int = 1,
        cores_per_rank: int = 1,
        gpus_per_rank: int = 0,
        mode: str = "executable",
        pilot: str = "default",
        params: Mapping[str, Attribute] | None = None,
        loc: str | None = None,
    ):
        props: dict[str, Attribute] = {
            "sym_name": StringAttr(task_id),
            "pipeline": StringAttr(pipeline),
            "inputs": _str_array(inputs),
            "outputs": _str_array([n for n, _ in outputs]),
            "ranks": IntegerAttr(ranks, i64),
            "cores_per_rank": IntegerAttr(cores_per_rank, i64),
            "gpus_per_rank": IntegerAttr(gpus_per_rank, i64),
            "mode": StringAttr(mode),
            "pilot": StringAttr(pilot),
        }
        if params:
            props["params"] = DictionaryAttr(dict(params))
        if loc is not None:
            props["loc"] = StringAttr(loc)
        super().__init__(operands=[list(args)], result_types=[[t for _, t in outputs]], properties=props)

    @property
    def task_id(self) -> str:
        return self.sym_name.data

    def verify_(self) -> None:
        where = f"task.task '{self.sym_name.data}'"
        if not self.sym_name.data:
            raise VerifyException("task.task: the task id must not be empty")
        for key in ("ranks", "cores_per_rank"):
            if self.properties[key].value.data < 1:  # type: ignore[attr-defined]
                raise VerifyException(f"{where}: {key} must be at least 1")
        if self.gpus_per_rank.value.data < 0:
            raise VerifyException(f"{where}: gpus_per_rank must not be negative")
        if self.mode.data not in MODES:
            raise VerifyException(f"{where}: mode must be one of {', '.join(MODES)}, got '{self.mode.data}'")
        if self.mode.data == "function" and (self.ranks.value.data != 1 or self.gpus_per_rank.value.data != 0):
            raise VerifyException(f"{where}: a function task has one rank and no GPU (MPI and GPU islands are executable)")
        names, outs = _strs(self.inputs), _strs(self.outputs)
        if len(names) != len(self.args):
            raise VerifyException(f"{where}: {len(self.args)} operands but {len(names)} input names")
        if len(outs) != len(self.outs):
            raise VerifyException(f"{where}: {len(self.outs)} results but {len(outs)} output names")
        _unique(names, "input", where)
        _unique(outs, "output", where)
        for name, v in zip(names, self.args):
            if not isinstance(v.type, TableDataType):
                raise VerifyException(f"{where}: input '{name}' must be a !task.table (only tables feed pipelines)")


@irdl_op_definition
class SinkOp(IRDLOperation):
    """A result of the workflow, returned to the caller under ``name``.

    ```mlir
    task.sink %1 "score.0" : !task.table
    ```
    """

    name = "task.sink"
    sink_name = prop_def(StringAttr, prop_name="name")
    value = operand_def(DataType)

    assembly_format = "$value $name attr-dict `:` type($value)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, value: SSAValue, name: str):
        super().__init__(operands=[value], properties={"name": StringAttr(name)})


@irdl_op_definition
class GraphOp(IRDLOperation):
    """A workflow: one block of ``task.source``, ``task.task`` and ``task.sink`` ops in
    dependency order. Task ids, source names and sink names are each unique.

    ```mlir
    task.graph "demo" {
      %0 = task.source "t" : !task.table
      %1 = task.task "q" "q" (%0) {...} : (!task.table) -> !task.table
      task.sink %1 "q" : !task.table
    }
    ```
    """

    name = "task.graph"
    graph_name = prop_def(StringAttr, prop_name="name")
    body = region_def("single_block")

    traits = traits_def(NoTerminator())
    assembly_format = "$name attr-dict-with-keyword $body"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, name: str, ops: Sequence[IRDLOperation] = ()):
        super().__init__(properties={"name": StringAttr(name)}, regions=[Region(Block(list(ops)))])

    def verify_(self) -> None:
        tasks, sources, sinks = [], [], []
        for op in self.body.block.ops:
            if isinstance(op, TaskOp):
                tasks.append(op.sym_name.data)
            elif isinstance(op, SourceOp):
                sources.append(op.source_name.data)
            elif isinstance(op, SinkOp):
                sinks.append(op.sink_name.data)
            else:
                raise VerifyException(f"task.graph: unexpected op {op.name} (only task.source, task.task, task.sink)")
        _unique(tasks, "task id", "task.graph")
        _unique(sources, "source", "task.graph")
        _unique(sinks, "sink", "task.graph")


Task = Dialect("task", [GraphOp, SourceOp, TaskOp, SinkOp], [TableDataType, ValueDataType])
"""The ``task`` dialect."""

__all__ = ["Task", "GraphOp", "SourceOp", "TaskOp", "SinkOp", "TableDataType", "ValueDataType", "MODES"]
