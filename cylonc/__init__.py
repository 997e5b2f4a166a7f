"""cylonc: compile pandas-style dataframe pipelines to fused kernels over Arrow, MPI and GPUs.

Examples
--------
>>> import cylonc as cc, pyarrow as pa
>>> @cc.compile
... def q(t):
...     return t[t.x > 1].x.sum()
>>> q(pa.table({"x": [1, 2, 3]}))
5
"""

from cylonc.errors import CompileError, CylonError, ExecutionError, InputError

__version__ = "0.1.0"

_LAZY = {
    "compile": "cylonc.compiler.api",
    "CompiledPipeline": "cylonc.compiler.api",
    "udf": "cylonc.compiler.api",
    "concat": "cylonc.compiler.api",
    "read_parquet": "cylonc.compiler.api",
    "read_csv": "cylonc.compiler.api",
    "STAGES": "cylonc.compiler.pipeline",
    "workflow": "cylonc.compiler.workflow",
    "Workflow": "cylonc.compiler.workflow",
    "WorkflowError": "cylonc.runtime.artifact",
}


def __getattr__(name: str):
    """Import the compiler on first use, so that the runtime alone stays light (and xDSL-free)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cylonc' has no attribute '{name}'")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + list(_LAZY))


__all__ = ["compile", "CompiledPipeline", "udf", "concat", "read_parquet", "read_csv", "CompileError",
           "CylonError", "ExecutionError", "InputError", "STAGES", "workflow", "Workflow", "WorkflowError"]
