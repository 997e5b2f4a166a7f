"""The public surface: ``compile``, ``CompiledPipeline``, ``udf``, ``concat``, ``read_parquet``,
``read_csv``. Each works both inside a traced pipeline and on plain pandas objects."""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from cylonc.compiler import types as T
from cylonc.compiler.explain import explain_plan
from cylonc.compiler.frontend.expr import Column, _fail
from cylonc.compiler.frontend.location import user_location
from cylonc.compiler.frontend.table import check_table_list
from cylonc.compiler.frontend.tracer import current
from cylonc.compiler.inputs import SourceInfo, describe_source
from cylonc.compiler.pipeline import STAGES, Compiled, Options, check_stage, compile_pipeline, print_ir
from cylonc.dialects.cylon import is_numeric
from cylonc.errors import CompileError

DEVICES = ("cpu", "gpu", "auto")
EXECUTORS = ("local", "mpi", "radical")


def _is_source(v: object) -> bool:
    if isinstance(v, pa.Table | pa.RecordBatch | str | os.PathLike):
        return True
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        return False
    return isinstance(v, pd.DataFrame)


def _gpu_problem() -> str | None:
    try:
        import cupy  # type: ignore[import-not-found]

        if cupy.cuda.runtime.getDeviceCount() < 1:
            return "CuPy finds no CUDA device"
    except Exception as exc:  # noqa: BLE001 - any failure means no usable GPU
        return f"CuPy is not usable here ({type(exc).__name__}: {exc})"
    return None


class CompiledPipeline:
    """A pipeline function compiled by ``@cylonc.compile``.

    Calling it traces the function on the first call for the given input schemas (cached per
    schema and options), optimizes it and runs it. The undecorated function is
    ``__wrapped__``.

    Examples
    --------
    >>> import cylonc as cc, pyarrow as pa
    >>> @cc.compile
    ... def q(t):
    ...     return t[t.x > 1].assign(y=t.x * 2)
    >>> q(pa.table({"x": [1, 2, 3]})).to_pydict()
    {'x': [2, 3], 'y': [4, 6]}
    """

    def __init__(self, fn: Callable[..., Any], options: Options):
        if not callable(fn):
            raise CompileError(f"@cylonc.compile needs a function, got {type(fn).__name__}")
        self.fn = fn
        self.options = options
        self._cache: dict[tuple, Compiled] = {}
        functools.update_wrapper(self, fn)

    # ------------------------------------------------------------------ inputs

    def _check_options(self, loc, options: Options | None = None) -> Options:
        o = options or self.options
        if not isinstance(o.ranks, int) or isinstance(o.ranks, bool) or o.ranks < 1:
            raise CompileError(f"ranks must be a positive integer, got {o.ranks!r}", loc)
        if o.device not in DEVICES:
            raise CompileError(f"device must be one of {', '.join(DEVICES)}, got {o.device!r}", loc)
        if o.executor not in EXECUTORS:
            raise CompileError(f"executor must be one of {', '.join(EXECUTORS)}, got {o.executor!r}", loc)
        if o.ranks > 1 and o.executor == "local":
            raise CompileError(
                f'ranks={o.ranks} needs executor="mpi" (or "radical"): executor="local" runs in-process on one rank',
                loc,
            )
        if o.executor != "local":
            raise CompileError(f'executor="{o.executor}" is not built yet; use executor="local"', loc)
        if o.device == "gpu":
            problem = _gpu_problem()
            if problem is not None:
                raise CompileError(f'device="gpu" but no usable GPU: {problem}; use device="cpu" or "auto"', loc)
            raise CompileError('device="gpu" is not built yet; use device="cpu" or "auto"', loc)
        return o

    def _bind(self, args: tuple, kwargs: dict, loc) -> tuple[dict[str, SourceInfo], dict[str, object]]:
        try:
            bound = inspect.signature(self.fn).bind(*args, **kwargs)
        except TypeError as exc:
            raise CompileError(f"cannot call {self.fn.__name__}: {exc}", loc) from None
        bound.apply_defaults()
        sources: dict[str, SourceInfo] = {}
        params: dict[str, object] = {}
        for name, value in bound.arguments.items():
            if _is_source(value):
                sources[name] = describe_source(value, name, loc=loc)
            elif value is None or isinstance(value, bool | int | float | np.generic) or T.literal_type(value) is not None:
                params[name] = value
            else:
                raise CompileError(
                    f"argument '{name}' is a {type(value).__name__}; pass a pyarrow.Table, a pandas.DataFrame, "
                    "a Parquet/CSV path, or a Python scalar",
                    loc,
                )
        return sources, params

    def _compiled(self, sources: dict[str, SourceInfo], params: dict[str, object], options: Options) -> Compiled:
        key = (
            tuple(s.key for s in sources.values()),
            tuple((k, type(v).__name__, repr(v)) for k, v in params.items()),
            options,
        )
        hit = self._cache.get(key)
        if hit is None:
            hit = compile_pipeline(self.fn, sources, params, options)
            self._cache[key] = hit
        return hit

    # ------------------------------------------------------------------ public

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        loc = user_location()
        options = self._check_options(loc)
        sources, params = self._bind(args, kwargs, loc)
        compiled = self._compiled(sources, params, options)
        from cylonc.runtime.executors.local import LocalExecutor

        assert compiled.plan is not None
        data = {name: s.data for name, s in sources.items()}
        return LocalExecutor().run(compiled.plan, data, udfs=compiled.udfs)

    def ir(self, *inputs: Any, stage: str = "cylon", pretty: bool = False, **kw_inputs: Any) -> str:
        """MLIR text of ``stage`` for these inputs (a path's schema is enough; no data is read).

        Generic form by default, which upstream ``mlir-opt --allow-unregistered-dialect``
        parses; ``pretty=True`` prints the ops' readable assembly.
        """
        loc = user_location()
        options = self._check_options(loc)
        check_stage(stage)
        sources, params = self._bind(inputs, kw_inputs, loc)
        compiled = compile_pipeline(self.fn, sources, params, options, until=stage)
        return print_ir(compiled.stages[stage], generic=not pretty)

    def explain(self, *inputs: Any, **kw_inputs: Any) -> str:
        """A readable plan: each operator, its expressions, device and partitioning."""
        loc = user_location()
        options = self._check_options(loc)
        sources, params = self._bind(inputs, kw_inputs, loc)
        compiled = self._compiled(sources, params, options)
        assert compiled.plan is not None
        return explain_plan(compiled.plan, self.fn.__name__, options)

    def build(self, path: str | os.PathLike, *inputs: Any, ranks: int | None = None, device: str | None = None) -> Path:
        """Write an ahead-of-time artifact (not built yet: the RADICAL-Pilot/AOT issue)."""
        raise CompileError("ahead-of-time builds are not built yet (the task graph/AOT issue)", user_location())

    def __repr__(self) -> str:
        return f"<cylonc.CompiledPipeline {self.fn.__name__} {self.options}>"


def compile(
    fn: Callable[..., Any] | None = None,
    *,
    ranks: int = 1,
    device: str = "auto",
    executor: str = "local",
    optimize: bool = True,
) -> Any:
    """Compile a pandas-style pipeline function.

    Parameters
    ----------
    fn : callable
        The pipeline: takes tables (and optionally Python scalars), returns a table, a scalar,
        or a dict/tuple of them.
    ranks : int
        Data-parallel ranks (``ranks > 1`` needs ``executor="mpi"``).
    device : {"cpu", "gpu", "auto"}
        Where operators run; ``auto`` decides per operator.
    executor : {"local", "mpi", "radical"}
        In-process, under ``mpiexec``, or as RADICAL-Pilot tasks.
    optimize : bool
        ``False`` runs the traced IR without optimization passes.

    Examples
    --------
    >>> import cylonc as cc
    >>> @cc.compile
    ... def q(t):
    ...     return t.groupby("k", as_index=False).agg(total=("x", "sum"))
    >>> @cc.compile(optimize=False)
    ... def r(t):
    ...     return t.x.mean()
    """
    options = Options(ranks=ranks, device=device, executor=executor, optimize=optimize)
    if fn is None:
        return lambda f: CompiledPipeline(f, options)
    return CompiledPipeline(fn, options)


class UDF:
    """A user scalar function (see :func:`udf`)."""

    def __init__(self, func: Callable[..., Any], return_type: object):
        rt = T.parse_dtype(return_type)
        if rt is None or not is_numeric(rt):
            raise CompileError(
                f"@cylonc.udf: return type must be a numeric or bool dtype, got {return_type!r}", user_location()
            )
        self.func = func
        self.return_type = rt
        self._vectorized: Any = None
        functools.update_wrapper(self, func)

    def __call__(self, *args: Any) -> Any:
        ctx = current()
        if ctx is not None and any(isinstance(a, Column) for a in args):
            return ctx.udf_call(self.func, self.return_type, args, user_location())
        import pandas as pd

        series = [a for a in args if isinstance(a, pd.Series)]
        if not series:
            return self.func(*args)
        if self._vectorized is None:
            import numba

            self._vectorized = numba.vectorize(cache=False)(self.func)
        arrays = [a.to_numpy(dtype=np.float64 if a.hasnans else None) if isinstance(a, pd.Series) else a for a in args]
        result = self._vectorized(*arrays)
        return pd.Series(result, index=series[0].index)


def udf(return_type: object = "float64") -> Callable[[Callable[..., Any]], UDF]:
    """Declare a user scalar function, compiled with numba and applied element-wise.

    Examples
    --------
    >>> import cylonc as cc
    >>> @cc.udf("float64")
    ... def score(q, n):
    ...     return q * 2.0 + n
    >>> @cc.compile
    ... def p(t):
    ...     return t.assign(s=score(t.q, t.n))
    """
    if callable(return_type) and not isinstance(return_type, type):
        return UDF(return_type, "float64")  # type: ignore[return-value]
    return lambda f: UDF(f, return_type)


def concat(tables: Any, ignore_index: bool = True, **kwargs: Any) -> Any:
    """Union all: rows of each table in turn, columns matched by name (missing -> null).

    Examples
    --------
    >>> import cylonc as cc
    >>> @cc.compile
    ... def both(a, b):
    ...     return cc.concat([a, b])
    """
    ctx = current()
    if ctx is None:
        import pandas as pd

        if tables and all(isinstance(t, pa.Table) for t in tables):
            return pa.concat_tables(tables, promote_options="permissive")
        return pd.concat(tables, ignore_index=ignore_index, **kwargs)
    loc = user_location()
    if kwargs:
        raise _fail(f"concat(): unsupported arguments {sorted(kwargs)}", loc)
    return ctx.union(check_table_list(tables, loc), loc)


def read_parquet(path: str | os.PathLike, columns: list[str] | None = None) -> Any:
    """Read a Parquet file or directory inside a pipeline (the optimizer can push filters and
    projections into the scan). Outside a pipeline this is ``pandas.read_parquet``.

    Examples
    --------
    >>> import cylonc as cc
    >>> @cc.compile
    ... def q():
    ...     t = cc.read_parquet("reads.parquet", columns=["id", "q"])
    ...     return t[t.q > 30]
    """
    ctx = current()
    if ctx is None:
        import pandas as pd

        return pd.read_parquet(path, columns=columns)
    return ctx.read("parquet", os.fspath(path), columns, user_location())


def read_csv(path: str | os.PathLike, **kwargs: Any) -> Any:
    """Read a CSV file inside a pipeline. Outside a pipeline this is ``pandas.read_csv``.

    Examples
    --------
    >>> import cylonc as cc
    >>> @cc.compile
    ... def q():
    ...     return cc.read_csv("sites.csv")
    """
    ctx = current()
    if ctx is None:
        import pandas as pd

        return pd.read_csv(path, **kwargs)
    loc = user_location()
    if kwargs:
        raise _fail(f"read_csv(): unsupported arguments {sorted(kwargs)} inside a compiled pipeline", loc)
    return ctx.read("csv", os.fspath(path), None, loc)


__all__ = ["compile", "CompiledPipeline", "udf", "UDF", "concat", "read_parquet", "read_csv", "STAGES"]
