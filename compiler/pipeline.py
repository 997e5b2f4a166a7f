"""The ordered compilation stages (shared/API.md §4). The decorator, the CLI and builds all go
through :func:`compile_pipeline`; no stage is implemented anywhere else."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from xdsl.context import Context
from xdsl.dialects import get_all_dialects
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, PassPipeline
from xdsl.printer import Printer
from xdsl.transforms.canonicalize import CanonicalizePass
from xdsl.transforms.common_subexpression_elimination import CommonSubexpressionElimination
from xdsl.transforms.dead_code_elimination import DeadCodeElimination
from xdsl.utils.exceptions import DiagnosticException, VerifyException

from cylonc.compiler.frontend.tracer import Trace, trace
from cylonc.compiler.inputs import SourceInfo
from cylonc.compiler.passes.predicate_pushdown import PredicatePushdown
from cylonc.compiler.passes.projection_pruning import ProjectionPruning
from cylonc.compiler.passes.scan_pushdown import ScanPushdown
from cylonc.compiler.plan import module_to_plan
from cylonc.dialects.cylon import Cylon
from cylonc.errors import CompileError

STAGES = ("cylon", "optimized", "fused", "placed", "partitioned", "lowered", "llvm", "tasks")
"""Stage names in pipeline order."""

_NOT_BUILT = {
    "fused": "fused kernels (the optimizer/codegen issue)",
    "placed": "device placement (the GPU issue)",
    "partitioned": "partitioning over ranks (the MPI issue)",
    "lowered": "lowering fused kernels to func/arith/scf/memref (the optimizer/codegen issue)",
    "llvm": "the LLVM dialect (the optimizer/codegen issue)",
    "tasks": "the task graph (the RADICAL-Pilot issue)",
}

OPTIMIZE_PASSES: tuple[type[ModulePass], ...] = (
    CanonicalizePass,
    CommonSubexpressionElimination,
    PredicatePushdown,
    ScanPushdown,
    ProjectionPruning,
    ScanPushdown,
    CommonSubexpressionElimination,
    DeadCodeElimination,
)
"""The passes of the ``optimized`` stage, in order: filters move to the sources and fold into
the scans (so columns read only by them need not be returned), then unused columns are pruned
and the projections this leaves on the sources fold into the scans."""


@dataclass(frozen=True)
class Options:
    """Compilation options (see ``cylonc.compile``)."""

    ranks: int = 1
    device: str = "auto"
    executor: str = "local"
    optimize: bool = True


@dataclass
class Compiled:
    """One compilation: the module after each stage, the plan, and the UDFs it calls."""

    stages: dict[str, ModuleOp]
    plan: dict[str, Any] | None
    udfs: dict[str, Callable[..., Any]] = field(default_factory=dict)
    kernels: dict[str, Callable[..., Any]] | None = None
    """Native fused kernels by symbol, compiled on first use (``codegen.native_kernels``)."""


def context() -> Context:
    """An xDSL context that knows every upstream dialect and ``cylon``."""
    ctx = Context()
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    if "cylon" not in ctx.registered_dialect_names:
        ctx.register_dialect("cylon", lambda: Cylon)
    if "task" not in ctx.registered_dialect_names:
        from cylonc.dialects.task import Task

        ctx.register_dialect("task", lambda: Task)
    return ctx


def check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise CompileError(f"unknown stage '{stage}' (stages, in order: {', '.join(STAGES)})")
    if stage != "cylon" and STAGE_FUNCTIONS[stage] is None:
        raise CompileError(f"stage '{stage}' is not built yet: it needs {_NOT_BUILT.get(stage, 'more work')}")


def run_passes(module: ModuleOp, passes: tuple[type[ModulePass], ...]) -> ModuleOp:
    """Apply passes to a clone of ``module`` and verify the result."""
    out = module.clone()
    try:
        PassPipeline(tuple(p() for p in passes)).apply(context(), out)
        out.verify()
    except (VerifyException, DiagnosticException) as exc:
        raise CompileError(f"internal error: a pass produced invalid IR: {exc}") from exc
    return out


StageFn = Callable[[ModuleOp, Options], ModuleOp]


def _optimize(module: ModuleOp, options: Options) -> ModuleOp:
    return run_passes(module, OPTIMIZE_PASSES) if options.optimize else module.clone()


def _fuse(module: ModuleOp, options: Options) -> ModuleOp:
    from cylonc.compiler.passes.fuse import FusePass

    return run_passes(module, (FusePass,)) if options.optimize else module.clone()


def _lower(module: ModuleOp, options: Options) -> ModuleOp:
    from cylonc.compiler.codegen.lower import lower_module

    return lower_module(module)[0]


def _partition(module: ModuleOp, options: Options) -> ModuleOp:
    """``cylon-partition`` for ``options.ranks`` (the module unchanged for one rank); the
    per-row chains it un-fuses are fused again."""
    if options.ranks <= 1:
        return module.clone()
    from cylonc.compiler.passes.fuse import FusePass
    from cylonc.compiler.passes.partition import PartitionPass, tag_fused

    out = module.clone()
    try:
        PartitionPass(ranks=options.ranks).apply(context(), out)
        if options.optimize:
            FusePass().apply(context(), out)
            tag_fused(out)
        out.verify()
    except (VerifyException, DiagnosticException) as exc:
        raise CompileError(f"internal error: partitioning produced invalid IR: {exc}") from exc
    return out


def _llvm(module: ModuleOp, options: Options) -> ModuleOp:
    from cylonc.compiler.codegen.llvm import MLIRUnavailable, llvm_stage

    try:
        return llvm_stage(module)
    except MLIRUnavailable as exc:
        raise CompileError(f"stage 'llvm' needs upstream MLIR: {exc}") from None


def _place(module: ModuleOp, options: Options) -> ModuleOp:
    """``cylon-place``: a device per operator by the cost model (or ``options.device``), with
    explicit transfers; whether a usable GPU is present is asked of the runtime (lazily: no
    CuPy import when it is not installed)."""
    from cylonc.compiler.passes.place import PlacePass
    from cylonc.runtime.kernels.cupy import gpu_problem

    out = module.clone()
    try:
        PlacePass(gpu=gpu_problem() is None, device=options.device, ranks=options.ranks).apply(context(), out)
        out.verify()
    except (VerifyException, DiagnosticException) as exc:
        raise CompileError(f"internal error: placement produced invalid IR: {exc}") from exc
    return out


def _tasks(module: ModuleOp, options: Options) -> ModuleOp:
    """The ``tasks`` stage: the pipeline as a one-task graph (``cylonc.compiler.tasks``)."""
    from cylonc.compiler.tasks import tasks_stage

    return tasks_stage(module, options)


STAGE_FUNCTIONS: dict[str, StageFn | None] = {
    "cylon": None,
    "optimized": _optimize,
    "fused": _fuse,
    "placed": _place,
    "partitioned": _partition,
    "lowered": _lower,
    "llvm": _llvm,
    "tasks": _tasks,
}
"""Each built stage's function (module of the previous stage -> its module); None: not built.
``lowered`` and ``llvm`` derive from the last built stage among ``optimized``, ``fused``,
``placed``, ``partitioned`` (kernels only: its ``cylon.fused`` ops); the plan is made from
that stage too."""

_PLAN_STAGES = ("optimized", "fused", "placed", "partitioned")
_KERNEL_STAGES = ("lowered", "llvm")


def compile_pipeline(
    fn: Callable[..., Any],
    sources: dict[str, SourceInfo],
    params: dict[str, object],
    options: Options,
    until: str | None = None,
) -> Compiled:
    """Trace ``fn`` and run the stages up to ``until`` (all built ones and the plan if None)."""
    if until is not None:
        check_stage(until)
    traced: Trace = trace(fn, {n: s.spec for n, s in sources.items()}, params)
    stages = {"cylon": traced.module}
    if until == "cylon":
        return Compiled(stages, None)
    module = traced.module
    for stage in _PLAN_STAGES:
        fn_ = STAGE_FUNCTIONS[stage]
        if fn_ is None:
            continue
        if stage == "placed":
            from cylonc.compiler.passes.place import annotate_rows as annotate_source_rows

            module = annotate_source_rows(module, {n: s.rows for n, s in sources.items()})
        replace_after = stage == "partitioned" and options.ranks > 1 and "placed" in stages
        if stage == "partitioned" and options.ranks > 1:
            from cylonc.compiler.passes.partition import annotate_rows

            module = annotate_rows(module, {n: s.data for n, s in sources.items()})
            if replace_after:  # partitioning works on single operators: re-place its result
                from cylonc.compiler.passes.place import strip_transfers

                module = strip_transfers(module)
        module = fn_(module, options)
        if replace_after:
            module = _place(module, options)
        stages[stage] = module
        if until == stage:
            return Compiled(stages, None)
    if until == "tasks":  # the graph of this one pipeline, named after its function
        from cylonc.compiler.tasks import pipeline_graph

        stages["tasks"] = pipeline_graph(fn, module, options)
        return Compiled(stages, None)
    if until is not None:
        source = module  # the kernels of the module the plan is made from
        for stage in _KERNEL_STAGES:
            source = STAGE_FUNCTIONS[stage](source, options)  # type: ignore[misc]
            stages[stage] = source
            if until == stage:
                return Compiled(stages, None)
        raise CompileError(f"stage '{until}' is not built yet")
    plan = module_to_plan(module, traced.udfs)
    return Compiled(stages, plan, {name: u.func for name, u in traced.udfs.items()})


def print_ir(module: ModuleOp, generic: bool = True) -> str:
    """MLIR text of a module: generic form (parsed by upstream ``mlir-opt
    --allow-unregistered-dialect``) or the ops' own readable assembly (``generic=False``)."""
    buf = io.StringIO()
    Printer(stream=buf, print_generic_format=generic).print_op(module)
    return buf.getvalue() + "\n"
