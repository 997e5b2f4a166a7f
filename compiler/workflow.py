"""Workflows: several compiled pipelines as one task graph, parameter sweeps, and runs on any
executor.

A step's table output feeds later steps through a Parquet file; steps that do not depend on
each other run concurrently (on RADICAL-Pilot). ``map`` compiles a pipeline once per point of
a parameter grid (its scalar arguments, which the tracer bakes in as constants), one task each.

Examples
--------
>>> import cylonc as cc
>>> wf = cc.workflow("demo")
>>> clean = wf.add(clean_reads, reads="reads.parquet")            # doctest: +SKIP
>>> per_site = wf.add(site_totals, t=clean, sites=sites_table)     # doctest: +SKIP
>>> sweep = wf.map(count_above, {"threshold": [10, 20, 30]}, t=clean)  # doctest: +SKIP
>>> res = wf.run(executor="radical")                               # doctest: +SKIP
>>> res[per_site], res[sweep]                                      # doctest: +SKIP
"""

from __future__ import annotations

import inspect
import itertools
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from cylonc.compiler.pipeline import Compiled, Options
from cylonc.compiler.tasks import GraphBuilder, resources
from cylonc.errors import CompileError, CylonError, ExecutionError
from cylonc.runtime import artifact as A

__all__ = ["Output", "Step", "Sweep", "Workflow", "WorkflowResult", "workflow"]

EXECUTORS = ("local", "mpi", "radical")


@dataclass(frozen=True, eq=False)
class Output:
    """One output item of a step (``step["key"]`` for a dict result, ``step[0]`` for a tuple)."""

    step: Step
    item: str

    def __repr__(self) -> str:
        return f"<cylonc output {self.step.task_id}[{self.item!r}]>"


class Step:
    """A task of a workflow: a pipeline applied to tables, earlier steps' outputs and scalars."""

    def __init__(self, wf: Workflow, task_id: str, pipeline: Any, args: tuple, kwargs: dict,
                 options: Options, cores_per_rank: int | None, pilot: str):
        self.workflow = wf
        self.task_id = task_id
        self.pipeline = pipeline
        self.args = args
        self.kwargs = kwargs
        self.options = options
        self.cores_per_rank = cores_per_rank
        self.pilot = pilot
        self.kind: str | None = None
        self.items: list[tuple[str, bool]] = []

    def __getitem__(self, key: str | int) -> Output:
        return Output(self, str(key))

    def __repr__(self) -> str:
        return f"<cylonc step {self.task_id}>"


class Sweep(tuple):
    """The steps of ``Workflow.map``, one per grid point (``.points`` holds the points)."""

    points: list[dict[str, Any]]

    def __new__(cls, steps: Sequence[Step], points: list[dict[str, Any]]):
        obj = super().__new__(cls, steps)
        obj.points = points
        return obj


def _pipeline(obj: Any) -> Any:
    from cylonc.compiler.api import CompiledPipeline

    if isinstance(obj, CompiledPipeline):
        return obj
    if callable(obj):
        return CompiledPipeline(obj, Options())
    raise CompileError(f"a workflow step needs a pipeline function, got {type(obj).__name__}")


def _loc_of(fn: Callable) -> str | None:
    try:
        path = inspect.getsourcefile(fn) or fn.__code__.co_filename
        line = fn.__code__.co_firstlineno
    except (TypeError, AttributeError):
        return None
    try:
        rel = os.path.relpath(path)
        path = path if rel.startswith("..") else rel
    except ValueError:
        pass
    return f"{path}:{line}"


def _grid_points(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(grid, Mapping):
        keys = list(grid)
        for k in keys:
            if isinstance(grid[k], str | bytes) or not isinstance(grid[k], Sequence | range):
                raise CompileError(f"map(): grid values are lists of points; '{k}' is a {type(grid[k]).__name__}")
        return [dict(zip(keys, combo)) for combo in itertools.product(*(grid[k] for k in keys))]
    points = [dict(p) for p in grid]
    if not points:
        raise CompileError("map(): the grid has no points")
    return points


def _schema_file(folder: Path, label: str, schema: list[dict]) -> Path:
    """An empty Parquet file of a plan schema (what a downstream step is compiled against)."""
    import pyarrow.parquet as pq

    from cylonc.runtime.types import schema_to_arrow

    path = folder / f"{label}.parquet"
    pq.write_table(schema_to_arrow(schema).empty_table(), path)
    return path


class Workflow:
    """Several compiled pipelines as one task graph (see the module docstring).

    Parameters
    ----------
    name : str
        The graph's name.
    ranks, device : optional
        Defaults for the steps (else each pipeline's own options).
    pilot : str
        The RADICAL-Pilot pilot steps run on unless they name another.
    """

    def __init__(self, name: str = "workflow", *, ranks: int | None = None, device: str | None = None,
                 pilot: str = "default"):
        self.name = name
        self.ranks = ranks
        self.device = device
        self.pilot = pilot
        self.steps: list[Step] = []
        self._sources: dict[Any, tuple[str, Any]] = {}
        self._compiled: tuple[list, Any] | None = None

    # -------------------------------------------------------------- building the graph

    def _task_id(self, base: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_.-]+", "_", base).strip("_") or "step"
        taken = {s.task_id for s in self.steps}
        if base not in taken:
            return base
        i = 2
        while f"{base}_{i}" in taken:
            i += 1
        return f"{base}_{i}"

    def add(self, pipeline: Any, *args: Any, name: str | None = None, ranks: int | None = None,
            device: str | None = None, cores_per_rank: int | None = None, pilot: str | None = None,
            **kwargs: Any) -> Step:
        """Add a step: `pipeline` on `args`/`kwargs` (tables, paths, steps or their outputs,
        Python scalars).

        Parameters
        ----------
        name : str, optional
            Task id (default: the function's name, made unique).
        ranks, device : optional
            Override the pipeline's options for this step.
        cores_per_rank : int, optional
            Cores each rank of the task gets (default 1).
        pilot : str, optional
            The pilot this step's task runs on (RADICAL-Pilot).
        """
        p = _pipeline(pipeline)
        if name is not None and not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", name):
            raise CompileError(f"step name '{name}' must be letters, digits, '_', '.' or '-' (it names files)")
        if name is not None and any(s.task_id == name for s in self.steps):
            raise CompileError(f"workflow '{self.name}' already has a step named '{name}'")
        options = replace(
            p.options,
            ranks=ranks or self.ranks or p.options.ranks,
            device=device or self.device or p.options.device,
            executor="local",
        )
        if not isinstance(options.ranks, int) or options.ranks < 1:
            raise CompileError(f"ranks must be a positive integer, got {options.ranks!r}")
        step = Step(self, name or self._task_id(p.fn.__name__), p, args, kwargs, options, cores_per_rank,
                    pilot or self.pilot)
        self.steps.append(step)
        self._compiled = None
        return step

    def map(self, pipeline: Any, grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]], *args: Any,
            name: str | None = None, **kwargs: Any) -> Sweep:
        """One step per point of `grid` (scalar arguments of `pipeline`).

        Parameters
        ----------
        grid : dict of lists, or list of dicts
            ``{"threshold": [1, 2], "k": [3, 4]}`` (every combination) or explicit points.
        name : str, optional
            Base task id; point ``i`` is ``NAME.i``.
        **kwargs
            As for `add` (other arguments, and ``ranks``, ``device``, ``cores_per_rank``,
            ``pilot``).
        """
        p = _pipeline(pipeline)
        points = _grid_points(grid)
        base = name or self._task_id(p.fn.__name__)
        step_opts = {k: kwargs.pop(k) for k in ("ranks", "device", "cores_per_rank", "pilot") if k in kwargs}
        steps = [self.add(p, *args, name=f"{base}.{i}", **step_opts, **{**kwargs, **point})
                 for i, point in enumerate(points)]
        return Sweep(steps, points)

    # -------------------------------------------------------------- compiling

    def _source_name(self, arg: str, value: Any) -> str:
        from cylonc.runtime import io as rio

        key = str(Path(value).resolve()) if isinstance(value, str | os.PathLike) else id(value)
        hit = self._sources.get(key)
        if hit is not None:
            return hit[0]
        taken = {n for n, _ in self._sources.values()}
        name, i = arg, 2
        while name in taken:
            name, i = f"{arg}_{i}", i + 1
        if not isinstance(value, str | os.PathLike | pa.Schema):
            value = rio.prepare(value, name=name)  # DataFrames become tables once
        self._sources[key] = (name, value)
        return name

    def compile(self) -> tuple[list[Any], Any]:
        """Compile every step; returns the pipeline builds and the ``task`` graph module."""
        if self._compiled is not None:
            return self._compiled
        from cylonc.compiler.aot import PipelineBuild
        from cylonc.compiler.api import _is_source
        from cylonc.compiler.inputs import describe_source
        from cylonc.runtime.types import schema_from_arrow

        if not self.steps:
            raise CompileError(f"workflow '{self.name}' has no steps")
        g = GraphBuilder(self.name)
        builds: list[PipelineBuild] = []
        values: dict[tuple[str, str], Any] = {}
        plans: dict[str, dict] = {}
        self._sources.clear()
        with tempfile.TemporaryDirectory(prefix="cylonc-schemas-") as tmp:
            for step in self.steps:
                p = step.pipeline
                try:
                    bound = inspect.signature(p.fn).bind(*step.args, **step.kwargs)
                except TypeError as exc:
                    raise CompileError(f"step {step.task_id}: cannot call {p.fn.__name__}: {exc}") from None
                bound.apply_defaults()
                sources, params, edges, paths = {}, {}, {}, {}
                for arg, v in bound.arguments.items():
                    if isinstance(v, Step):
                        v = Output(v, "out") if len(v.items) == 1 or not v.items else v
                        if isinstance(v, Step):
                            raise CompileError(f"step {step.task_id}: argument '{arg}' is step {v.task_id}, which "
                                               f"returns several items; pick one: {v.task_id}[KEY]")
                    if isinstance(v, Output):
                        up = v.step
                        if up.workflow is not self or up not in self.steps[: self.steps.index(step)]:
                            raise CompileError(f"step {step.task_id}: argument '{arg}' refers to a step that is not "
                                               "an earlier step of this workflow")
                        item = v.item if len(up.items) != 1 else up.items[0][0]
                        kinds = dict(up.items)
                        if item not in kinds:
                            raise CompileError(f"step {step.task_id}: step {up.task_id} has no output '{v.item}' "
                                               f"(outputs: {', '.join(kinds)})")
                        if not kinds[item]:
                            raise CompileError(f"step {step.task_id}: argument '{arg}' is a scalar output of step "
                                               f"{up.task_id}; only tables feed pipelines (pass scalars with map())")
                        plan = plans[up.task_id]
                        ref = plan["output"]["items"][[n for n, _ in up.items].index(item)]["ref"]
                        schema = next(n["schema"] for n in plan["nodes"] if n["id"] == ref)
                        path = _schema_file(Path(tmp), f"{up.task_id}.{item}", schema)
                        sources[arg] = describe_source(path, arg)
                        edges[arg] = values[(up.task_id, item)]
                    elif isinstance(v, pa.Schema):  # schema only (builds): given at run time
                        src = self._source_name(arg, v)
                        path = _schema_file(Path(tmp), f"schema.{src}", schema_from_arrow(v))
                        sources[arg] = describe_source(path, arg)
                        edges[arg] = g.source(src, None)
                        paths[arg] = None
                    elif _is_source(v):
                        src = self._source_name(arg, v)
                        data = self._sources[str(Path(v).resolve()) if isinstance(v, str | os.PathLike) else id(v)][1]
                        sources[arg] = describe_source(data, arg)
                        edges[arg] = g.source(src, str(Path(v).resolve()) if isinstance(v, str | os.PathLike) else None)
                        paths[arg] = str(Path(v).resolve()) if isinstance(v, str | os.PathLike) else None
                    else:
                        params[arg] = v
                try:
                    compiled: Compiled = p._compiled(sources, params, step.options)
                except CylonError as exc:
                    raise type(exc)(f"step {step.task_id}: {exc}") from None
                plan = compiled.plan
                assert plan is not None
                plans[step.task_id] = plan
                names = A.output_names(plan["output"])
                nodes = {n["id"]: n for n in plan["nodes"]}
                step.kind = plan["output"]["kind"]
                step.items = [(n, "schema" in nodes[it["ref"]]) for n, it in zip(names, plan["output"]["items"])]
                loc = _loc_of(p.fn)
                outs = g.task(step.task_id, step.task_id, edges, step.items, pilot=step.pilot, loc=loc,
                              params={k: v for k, v in params.items() if v is not None},
                              **resources(step.options, plan, step.cores_per_rank))
                for n, _ in step.items:
                    values[(step.task_id, n)] = outs[n]
                    g.sink(outs[n], step.task_id if len(step.items) == 1 else f"{step.task_id}.{n}")
                builds.append(PipelineBuild(step.task_id, compiled, step.options, loc, paths, params))
        self._compiled = (builds, g.module())
        return self._compiled

    def ir(self, pretty: bool = False) -> str:
        """The MLIR of the task graph."""
        from cylonc.compiler.pipeline import print_ir

        return print_ir(self.compile()[1], generic=not pretty)

    def build(self, path: str | os.PathLike, *, kernels: bool = True) -> Path:
        """Write the workflow's artifact (see ``cylonc.compiler.aot``)."""
        from cylonc.compiler.aot import write_build

        builds, graph = self.compile()
        try:
            return write_build(path, builds, graph, name=self.name, kernels=kernels)
        except ExecutionError as exc:
            raise CompileError(str(exc)) from None

    # -------------------------------------------------------------- running

    def _materialize(self, workdir: Path) -> dict[str, str]:
        import pyarrow.parquet as pq

        out = {}
        for name, value in self._sources.values():
            if isinstance(value, pa.Schema):
                raise CompileError(f"input '{name}' was given as a schema only; pass data to run the workflow")
            if isinstance(value, str | os.PathLike):
                out[name] = str(Path(value).resolve())
            else:
                path = workdir / "inputs" / f"{name}.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(value.replace_schema_metadata(None), path)
                out[name] = str(path)
        return out

    def run(self, executor: str = "local", *, workdir: str | os.PathLike | None = None, **options: Any) -> WorkflowResult:
        """Run every step; returns a `WorkflowResult`.

        Parameters
        ----------
        executor : {"local", "mpi", "radical"}
            In this process (steps of several ranks need ``mpi``), with MPI for multi-rank
            steps, or as RADICAL-Pilot tasks.
        workdir : path, optional
            Where the artifact, the inputs written from memory and every step's outputs go;
            kept when given, else a temporary folder removed after a successful run.
        **options
            For ``radical``: `RadicalExecutor` options (``resource``, ``cores``, ``pilots``, ...).

        Raises
        ------
        cylonc.runtime.artifact.WorkflowError
            When steps failed: each with its task id, source line and stderr tail; the other
            steps' results are in ``.results`` and their files in ``.workdir``.
        """
        if executor not in EXECUTORS:
            raise CompileError(f"executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
        builds, graph = self.compile()
        keep = workdir is not None
        folder = Path(workdir) if keep else Path(tempfile.mkdtemp(prefix="cylonc-wf-"))
        folder.mkdir(parents=True, exist_ok=True)
        from cylonc.compiler.aot import write_build

        art_path = write_build(folder / "workflow.cylonc", builds, graph, name=self.name, kernels=False, ir=False)
        art = A.load(art_path)
        sources = self._materialize(folder)
        if executor == "radical":
            from cylonc.runtime.executors.radical import RadicalExecutor

            run = RadicalExecutor(**options).run_graph(art, sources, folder)
        else:
            if options:
                raise CompileError(f"executor={executor!r} takes no options, got {', '.join(options)}")
            run = A.run_graph_local(art, A.GraphRun(art, sources, folder), executor)
        try:
            values = run.check()
        except A.WorkflowError as exc:
            exc.results = WorkflowResult(self, exc.results)
            raise
        result = WorkflowResult(self, values)
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
        return result


class WorkflowResult(Mapping):
    """The results of a workflow run, by step, output, sweep or sink name.

    ``res[step]`` is the step's result as the pipeline returns it (a table, a scalar, a dict or
    a tuple), ``res[step["key"]]`` one item, ``res[sweep]`` a list (one per point),
    ``res["name"]`` a sink by name.
    """

    def __init__(self, wf: Workflow, values: Mapping[str, Any]):
        self.workflow = wf
        self.values = dict(values)

    def _step(self, step: Step) -> Any:
        if len(step.items) == 1:
            return self.values[step.task_id]
        items = [self.values[f"{step.task_id}.{n}"] for n, _ in step.items]
        if step.kind == "dict":
            return {n: v for (n, _), v in zip(step.items, items)}
        return tuple(items)

    def __getitem__(self, key: Any) -> Any:
        try:
            if isinstance(key, Sweep):
                return [self._step(s) for s in key]
            if isinstance(key, Step):
                return self._step(key)
            if isinstance(key, Output):
                s = key.step
                return self.values[s.task_id] if len(s.items) == 1 else self.values[f"{s.task_id}.{key.item}"]
            return self.values[key]
        except KeyError:
            raise KeyError(f"no result for {key!r} (a step that failed or was skipped?)") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def __repr__(self) -> str:
        return f"<cylonc.WorkflowResult {', '.join(self.values)}>"


def workflow(name: str = "workflow", **options: Any) -> Workflow:
    """A new `Workflow` (``cylonc.workflow``).

    Examples
    --------
    >>> import cylonc as cc
    >>> wf = cc.workflow("demo")
    """
    return Workflow(name, **options)
