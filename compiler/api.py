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
from cylonc.errors import CompileError, CylonError, InputError

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
    """Why there is no usable GPU (None: there is one); CuPy is imported only if installed."""
    from cylonc.runtime.kernels.cupy import gpu_problem

    return gpu_problem()


RESULTS = ("arrow", "cupy")


def _size_key(sources: dict[str, SourceInfo]) -> tuple:
    """Input sizes to the nearest power of two (partitioning decisions depend on them)."""
    import math

    out = []
    for name, s in sources.items():
        rows = getattr(s, "rows", None)
        out.append((name, None if rows is None else round(math.log2(rows + 1))))
    return tuple(out)


def _agree_on_sources(sources: dict[str, SourceInfo], comm: Any) -> dict[str, SourceInfo]:
    """SPMD: each rank holds a part of every in-memory input; a column may hold nulls on one
    rank only, and the whole input's size is the sum. Every rank gets the same descriptions."""
    from dataclasses import replace

    from cylonc.compiler.frontend.tracer import InputSpec
    from cylonc.dialects.cylon import TableType

    mine = {n: ([f[2] for f in s.spec.table.fields], s.rows) for n, s in sources.items()}
    everyone = comm.allgather(mine)
    out = {}
    for name, s in sources.items():
        flags = [any(r[name][0][i] for r in everyone if name in r) for i in range(len(s.spec.table.fields))]
        sizes = [r[name][1] for r in everyone if name in r]
        rows = None if any(n is None for n in sizes) else sum(sizes)
        fields = [(n, t, nl) for (n, t, _), nl in zip(s.spec.table.fields, flags)]
        spec = replace(s.spec, table=TableType.from_fields(fields))
        key = s.key[:-1] + (tuple((n, st, nl) for (n, st, _), nl in zip(s.key[-1], flags)),)
        out[name] = replace(s, spec=spec, key=key, rows=rows)
    return out


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
        if o.device == "gpu":
            problem = _gpu_problem()
            if problem is not None:
                raise CompileError(f'device="gpu" but no usable GPU: {problem}; use device="cpu" or "auto"', loc)
        if getattr(self, "to", "arrow") == "cupy":
            problem = _gpu_problem()
            if problem is not None:
                raise CompileError(f'to="cupy" keeps results in GPU memory, but there is no usable GPU: {problem}; '
                                   'use to="arrow"', loc)
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
            # partitioning, and placement where a GPU could be chosen, depend on input sizes
            _size_key(sources) if options.ranks > 1 or (options.device == "auto" and _gpu_problem() is None) else None,
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
        if options.executor == "mpi":
            return self._run_mpi(args, kwargs, loc, options)
        if options.executor == "radical":
            return self._run_radical(args, kwargs, loc, options)
        sources, params = self._bind(args, kwargs, loc)
        compiled = self._compiled(sources, params, options)
        from cylonc.runtime.executors.local import LocalExecutor

        assert compiled.plan is not None
        data = {name: s.data for name, s in sources.items()}
        if compiled.kernels is None:
            from cylonc.compiler.codegen import native_kernels

            compiled.kernels = native_kernels(compiled)
        if getattr(self, "to", "arrow") == "cupy":
            from cylonc.runtime.interpreter import execute

            return execute(compiled.plan, data, compiled.udfs, compiled.kernels, to="cupy")
        return LocalExecutor().run(compiled.plan, data, udfs=compiled.udfs, kernels=compiled.kernels)

    def _run_mpi(self, args: tuple, kwargs: dict, loc, options: Options) -> Any:
        """``executor="mpi"``: collectively on the ranks of ``comm`` or of the MPI job this process
        belongs to (SPMD: each rank passes its own part of in-memory inputs and gets the whole
        result); otherwise on ``ranks`` ranks started with ``mpiexec``."""
        from dataclasses import replace

        from cylonc.runtime.executors import mpi as M

        comm = M.spmd_comm(getattr(self, "comm", None))
        sources, params = self._bind(args, kwargs, loc)
        data = {name: s.data for name, s in sources.items()}
        if comm is None:
            compiled = self._compiled(sources, params, options)
            return M.MPIExecutor(options.ranks).run(compiled.plan, data, udfs=compiled.udfs)
        if options.ranks not in (1, comm.Get_size()):
            raise CompileError(
                f"ranks={options.ranks}, but this process runs in an MPI job of {comm.Get_size()} ranks "
                "(under mpiexec the pipeline runs on all of them; leave ranks out)",
                loc,
            )
        options = replace(options, ranks=comm.Get_size())
        sources = _agree_on_sources(sources, comm)
        plan, problem = None, None
        if comm.Get_rank() == 0:
            try:
                compiled = self._compiled(sources, params, options)
                plan = M.plan_with_udfs(compiled.plan, compiled.udfs)
            except CylonError as exc:
                problem = (type(exc).__name__, str(exc))
        plan, problem = comm.bcast((plan, problem), root=0)
        if problem is not None:
            raise (InputError if problem[0] == "InputError" else CompileError)(problem[1])
        return M.run_spmd(plan, data, comm)

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

    def _run_radical(self, args: tuple, kwargs: dict, loc, options: Options) -> Any:
        """``executor="radical"``: one RADICAL-Pilot task on this process's pilot (a raptor
        function task for one CPU rank, else an executable task); configured by ``CYLONC_RP_*``
        (see ``cylonc.runtime.executors.radical``)."""
        from cylonc.compiler.tasks import resources
        from cylonc.compiler.workflow import _loc_of
        from cylonc.runtime.executors.radical import RadicalExecutor

        sources, params = self._bind(args, kwargs, loc)
        compiled = self._compiled(sources, params, options)
        gpus = resources(options, compiled.plan)["gpus_per_rank"]
        return RadicalExecutor(ranks=options.ranks).run(
            compiled.plan, {n: s.data for n, s in sources.items()}, udfs=compiled.udfs, loc=_loc_of(self.fn),
            gpus_per_rank=gpus)

    def build(self, path: str | os.PathLike, *inputs: Any, ranks: int | None = None, device: str | None = None,
              kernels: bool = True, **kw_inputs: Any) -> Path:
        """Write an ahead-of-time artifact: the IR of each built stage, the plan, the task graph,
        the input schemas and the fused kernels compiled for this machine (one file).

        Parameters
        ----------
        path : path
            The artifact file (written atomically).
        *inputs, **kw_inputs
            Tables, paths (only the schema is read) or ``pyarrow.Schema`` objects, and Python
            scalars, as for a call.
        ranks, device : optional
            Override the decorator's options.
        kernels : bool
            Compile the fused kernels to a shared library (``mlir-translate``, ``llc``, ``cc``).

        Returns
        -------
        pathlib.Path
            Run it with ``cylonc run PATH --input NAME=FILE ...``.
        """
        from cylonc.compiler.workflow import Workflow

        loc = user_location()
        self._check_options(loc, Options(ranks=ranks or self.options.ranks, device=device or self.options.device,
                                         executor="mpi" if (ranks or self.options.ranks) > 1 else "local"))
        wf = Workflow(self.fn.__name__, ranks=ranks, device=device)
        wf.add(self, *inputs, **kw_inputs)
        return wf.build(path, kernels=kernels)

    def map(self, grid: Any, *inputs: Any, executor: str | None = None, workdir: str | os.PathLike | None = None,
            **kw_inputs: Any) -> list:
        """Run the pipeline once per point of a parameter grid (its scalar arguments), one task
        per point (RADICAL-Pilot raptor function tasks with ``executor="radical"``).

        Examples
        --------
        >>> q.map({"threshold": [0.1, 0.2]}, t=table)                   # doctest: +SKIP
        [<pyarrow.Table ...>, <pyarrow.Table ...>]
        """
        from cylonc.compiler.workflow import Workflow

        wf = Workflow(self.fn.__name__)
        sweep = wf.map(self, grid, *inputs, **kw_inputs)
        return wf.run(executor or self.options.executor, workdir=workdir)[sweep]

    def __repr__(self) -> str:
        return f"<cylonc.CompiledPipeline {self.fn.__name__} {self.options}>"


def compile(
    fn: Callable[..., Any] | None = None,
    *,
    ranks: int = 1,
    device: str = "auto",
    executor: str = "local",
    optimize: bool = True,
    comm: Any = None,
    to: str = "arrow",
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
    comm : mpi4py.MPI.Comm, optional
        With ``executor="mpi"``: run collectively on this communicator's ranks (SPMD, e.g. a
        sub-communicator); under ``mpiexec`` the default is ``MPI.COMM_WORLD``.
    to : {"arrow", "cupy"}
        ``"cupy"`` keeps table results in GPU memory (``cylonc.runtime.kernels.cupy.DeviceTable``:
        one CuPy array per column, ``.validity(name)``, ``.to_arrow()``); needs a usable GPU.

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
    if to not in RESULTS:
        raise CompileError(f"to must be one of {', '.join(RESULTS)}, got {to!r}", user_location())

    def make(f: Callable[..., Any]) -> CompiledPipeline:
        pipeline = CompiledPipeline(f, options)
        pipeline.comm = comm
        pipeline.to = to
        return pipeline

    if fn is None:
        return make
    return make(fn)


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
