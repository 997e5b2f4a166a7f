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

OPTIMIZE_PASSES: tuple[type[ModulePass], ...] = (CanonicalizePass, CommonSubexpressionElimination, DeadCodeElimination)
"""The passes of the ``optimized`` stage, in order."""


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


def context() -> Context:
    """An xDSL context that knows every upstream dialect and ``cylon``."""
    ctx = Context()
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    if "cylon" not in ctx.registered_dialect_names:
        ctx.register_dialect("cylon", lambda: Cylon)
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


STAGE_FUNCTIONS: dict[str, StageFn | None] = {
    "cylon": None,
    "optimized": _optimize,
    "fused": None,
    "placed": None,
    "partitioned": None,
    "lowered": None,
    "llvm": None,
    "tasks": None,
}
"""Each built stage's function (module of the previous stage -> its module); None: not built.
``lowered`` and ``llvm`` derive from ``fused`` (kernels only); the plan is made from the last
built stage among ``optimized``, ``fused``, ``placed``, ``partitioned``."""

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
        module = fn_(module, options)
        stages[stage] = module
        if until == stage:
            return Compiled(stages, None)
    if until is not None:
        source = stages["fused"] if until in _KERNEL_STAGES else module
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
