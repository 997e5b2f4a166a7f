"""Code generation for fused kernels: the one door to upstream MLIR.

``lower`` turns ``cylon.fused`` ops into ``func``/``scf``/``arith``/``memref`` (xDSL only);
``llvm`` prints that module, lowers it to the LLVM dialect with upstream MLIR and JIT-compiles
it (``mlir.*`` is imported there and nowhere else in cylonc, and only when needed).
"""

from typing import Any

_PLAN_STAGES = ("partitioned", "placed", "fused", "optimized")


def kernel_symbols(plan: dict[str, Any]) -> dict[str, int]:
    """Every kernel symbol a plan's ``fused`` nodes can use (both variants: ``abi`` and
    ``abi_no_nulls``) -> its number of arguments."""
    return {
        abi["symbol"]: len(abi["args"])
        for n in plan.get("nodes", ())
        if n.get("op") == "fused" and n.get("kernel")
        for abi in (n.get("abi_no_nulls"), n["abi"])
        if abi is not None
    }


def native_kernels(compiled: Any) -> dict[str, Any]:
    """The compiled native kernels of a compilation's plan, by symbol (JIT or cache).

    Returns ``{}`` (and warns once) when they cannot be had, e.g. without the ``mlir``
    package: the runtime then runs those fused nodes with Arrow kernels.
    """
    from cylonc.compiler.codegen import llvm
    from cylonc.compiler.codegen.lower import lower_module

    symbols = kernel_symbols(compiled.plan or {})
    if not symbols:
        return {}
    module = next((compiled.stages[s] for s in _PLAN_STAGES if s in compiled.stages), None)
    if module is None:
        return {}
    lowered, _ = lower_module(module)
    try:
        return llvm.compile_kernels(lowered, symbols)
    except llvm.MLIRUnavailable as exc:
        llvm.warn_once("mlir", f"cylonc: fused kernels run on Arrow: {exc}")
    except Exception as exc:  # noqa: BLE001 - a JIT failure must not fail the pipeline
        llvm.warn_once(f"jit:{type(exc).__name__}", f"cylonc: JIT compilation failed, fused kernels run on Arrow: {exc}")
    return {}
