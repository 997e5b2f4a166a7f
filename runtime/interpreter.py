"""Executes a cylonc plan (see PLAN.md) in this process with Arrow kernels."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa

from cylonc.errors import CylonError, ExecutionError, InputError

from . import io
from .comm import Comm
from .kernels import arrow as K
from .kernels import distributed as D
from .kernels import native as N
from .kernels.udf import make_udfs
from .types import to_arrow

__all__ = ["PLAN_FORMAT", "PLAN_VERSION", "execute", "validate_plan"]

PLAN_FORMAT = "cylonc.plan"
PLAN_VERSION = 1

_SINGLE = Comm()
_TABLE_REFS = ("input", "left", "right", "splitters")


def validate_plan(plan: Any) -> None:
    """Check a plan's envelope: format, version, and the shape of its top-level fields.

    Raises
    ------
    ExecutionError
        Not a plan, another format or version, or malformed fields.
    """
    if not isinstance(plan, Mapping):
        raise ExecutionError(f"a plan is a dict, got {type(plan).__name__}")
    if plan.get("format") != PLAN_FORMAT:
        raise ExecutionError(
            f"not a cylonc plan: format is {plan.get('format')!r}, expected {PLAN_FORMAT!r}"
        )
    version = plan.get("version")
    if version != PLAN_VERSION:
        raise ExecutionError(
            f"plan version {version!r} is not supported: this runtime executes version "
            f"{PLAN_VERSION} plans; recompile the pipeline with a matching cylonc"
        )
    for key, kind in (("inputs", list), ("nodes", list), ("output", Mapping)):
        if not isinstance(plan.get(key), kind):
            raise ExecutionError(f"malformed plan: {key!r} must be a {kind.__name__}")
    ids = [node.get("id") for node in plan["nodes"]]
    if len(set(ids)) != len(ids):
        raise ExecutionError("malformed plan: duplicate node ids")


def _expr_refs(e: Any, out: set) -> None:
    if isinstance(e, Mapping):
        if e.get("k") == "scalar":
            out.add(e["ref"])
        for a in e.get("args", ()):
            _expr_refs(a, out)


def _deps(node: Mapping) -> set:
    refs = {node[k] for k in _TABLE_REFS if k in node}
    if "semi_filter" in node:
        refs.add(node["semi_filter"]["ref"])
    refs.update(f["ref"] for f in node.get("semi_filters", ()))
    refs.update(node.get("inputs", ()) if node.get("op") == "union" else ())
    for key in ("predicate", "expr"):
        if key in node:
            _expr_refs(node[key], refs)
    for e in node.get("exprs", ()):
        _expr_refs(e, refs)
    for sub in node.get("ops", ()) if node.get("op") == "fused" else ():
        refs |= _deps(sub)
    return refs


class _Run:
    def __init__(self, plan: Mapping, sources: Mapping, udfs: Mapping | None,
                 kernels: Mapping | None = None, comm=None, to: str = "arrow"):
        self.plan = plan
        self.comm = comm
        self.kernels = kernels or {}
        self.inputs = {spec["name"]: spec for spec in plan["inputs"]}
        self.sources = io.plan_sources(plan, sources or {})
        self.udfs = make_udfs(plan.get("udfs"), udfs)
        self.values: dict[int, Any] = {}
        self.scalars: dict[int, pa.Scalar] = {}
        self.to = to
        self.gpu = None  # the device backend, when the plan places nodes on a usable GPU
        if to == "cupy" or any(n.get("device") == "gpu" for n in plan["nodes"]):
            from .kernels import cupy as G

            self.gpu = G.backend()
            if to == "cupy" and self.gpu is None:
                raise ExecutionError(f'to="cupy" needs a usable GPU: {G.gpu_problem()}')
        used = set().union(*(_deps(n) for n in plan["nodes"])) if plan["nodes"] else set()
        self.result_only = {n["id"] for n in plan["nodes"] if n.get("op") == "to_host" and n["id"] not in used}
        """``to_host`` nodes only the output reads (skipped with ``to="cupy"``)."""

    def expr(self, e: Mapping, table: pa.Table | None):
        return K.evaluate(e, table, scalars=self.scalars, udfs=self.udfs)

    def table(self, ref) -> pa.Table:
        v = self.values.get(ref)
        if not isinstance(v, pa.Table):
            if v is not None and self.gpu is not None:
                from .kernels import cupy as G

                if isinstance(v, G.DeviceTable):
                    return G.to_host(v)
            raise ValueError(f"node {ref} is not a computed table")
        return v

    def device_node(self, node: Mapping):
        """A transfer, or a node placed on the GPU (PLAN.md, ``device``): on the device when
        there is a usable GPU (a node it cannot run goes through Arrow on the host), else on
        Arrow with the transfers doing nothing."""
        from .kernels import cupy as G

        op = node["op"]
        if op == "to_host":
            v = self.values.get(node["input"])
            if isinstance(v, G.DeviceTable) and self.to == "cupy" and node["id"] in self.result_only:
                return v
            return G.to_host(v) if isinstance(v, G.DeviceTable) else self.table(node["input"])
        if self.gpu is None:
            return self.table(node["input"]) if op == "to_device" else self.node(dict(node, device="cpu"))
        if op == "to_device":
            v = self.values.get(node["input"])
            return v if isinstance(v, G.DeviceTable) else G.to_device(self.table(node["input"]), node["schema"], self.gpu)
        try:
            return G.run_node(node, self.values.__getitem__, self.scalars, self.gpu)
        except G.Unsupported as exc:
            G.STATS["fallbacks"] += 1
            G.note_fallback(node, exc)
            out = K.conform(self.node(dict(node, device="cpu")), node["schema"])
            return G.to_device(out, node["schema"], self.gpu)

    def node(self, node: Mapping):
        op = node["op"]
        if op in ("to_device", "to_host") or node.get("device") == "gpu":
            return self.device_node(node)
        if op == "input":
            name = node["name"]
            if name not in self.inputs:
                raise ValueError(f"unknown input {name!r}")
            return io.load(self.sources[name], self.inputs[name]["source_schema"],
                           node["schema"], name=name, columns=node.get("columns"),
                           check=False, filter=node.get("filter"), keep_nan=node.get("keep_nan", ()))
        if op in D.NODE_OPS:
            return D.run_node(node, self.table, self.comm or _SINGLE)
        if op == "read" and self.comm is not None and self.comm.size > 1:
            return io.load(D.read_share(node, self.comm), node["source_schema"], node["schema"],
                           label=f"read node {node['id']}", columns=node.get("columns"),
                           filter=node.get("filter"))
        if op == "read":
            return io.load(node["path"], node["source_schema"], node["schema"],
                           label=f"read node {node['id']}", columns=node.get("columns"),
                           format=node.get("format"), filter=node.get("filter"),
                           keep_nan=node.get("keep_nan", ()))
        if op == "scalar":
            t = self.table(node["input"])
            if t.num_rows != 1:
                raise ValueError(f"expected a one-row table, got {t.num_rows} rows")
            return K._cast(t[node["column"]][0], to_arrow(node["type"]))
        if op == "scalar_expr":
            v = self.expr(node["expr"], None)
            if not isinstance(v, pa.Scalar):
                raise ValueError("scalar expression is not a scalar")
            return K._cast(v, to_arrow(node["type"]))
        if op == "union":
            return K.union([self.table(i) for i in node["inputs"]], node["schema"])
        if op == "join":
            left, right = self.table(node["left"]), self.table(node["right"])
            return K.join(left, right, node["how"], node["left_on"], node["right_on"],
                          node["columns"], self.join_keep(node, {"left": left, "right": right}))
        t = self.table(node["input"])
        if op == "fused":
            return self.fused(node, t)
        if op == "filter":
            return K.filter_rows(t, self.expr(node["predicate"], t))
        if op == "project":
            return K.project(t, node["columns"])
        if op == "assign":
            return K.assign(t, node["names"], [self.expr(e, t) for e in node["exprs"]])
        if op == "rename":
            return K.rename(t, node["mapping"])
        if op == "aggregate":
            return K.aggregate(t, node["keys"], node["aggs"])
        if op == "reduce":
            return K.reduce(t, node["aggs"])
        if op == "sort":
            return K.sort(t, node["keys"], node.get("ascending", True))
        if op == "limit":
            return K.limit(t, node["n"])
        if op == "distinct":
            return K.distinct(t, node.get("subset"))
        raise ValueError(f"unknown op {op!r}")

    def semi_filter(self, node: Mapping, t: pa.Table) -> pa.Table:
        """`t` restricted by the node's ``semi_filter`` (if any) to what the join it feeds keeps."""
        semi = node.get("semi_filter")
        if semi is None:
            return t
        return K.semi_filter(t, semi["key"], self.table(semi["ref"]), semi["build_key"])

    def join_keep(self, node: Mapping, sides: Mapping[str, pa.Table]) -> dict | None:
        """The rows of each join input that its ``semi_filters`` keep (``K.join``'s `keep`)."""
        keep = {}
        for f in node.get("semi_filters", ()):
            if f["side"] not in keep:
                rows = K.semi_rows(sides[f["side"]], f["key"], self.table(f["ref"]), f["build_key"])
                if rows is not None:
                    keep[f["side"]] = rows
        return keep or None

    def fused(self, node: Mapping, t: pa.Table) -> pa.Table:
        """A fused chain: its native kernel when one is given, else its ``ops`` in turn. With
        ``semi_filter``, only the rows an inner join downstream can keep: the kernel tests the
        key of the rows it selects where it can, else the input is filtered first."""
        semi = node.get("semi_filter")
        if node.get("kernel") and self.kernels:
            keys = None
            if semi is not None:
                if (node.get("abi") or {}).get("reduce") is None:  # a row-wise kernel tests its selection
                    keys = K.semi_keys(t, semi["key"], self.table(semi["ref"]), semi["build_key"])
                if keys is None:
                    t, semi = self.semi_filter(node, t), None
            try:
                out = N.run_fused(node, t, self.kernels, self.scalars,
                                  (keys, semi["key"]) if keys is not None else None)
            finally:
                if keys is not None:
                    keys.close()
            if out is not None:
                return out
        if semi is not None:
            t = self.semi_filter(node, t)
        t = io.nan_to_null(t, node.get("nan_inputs", ()))
        key = ("fused", node.get("id"))
        try:
            for sub in node["ops"]:
                self.values[key] = t
                t = K.conform(self.node(dict(sub, input=key)), sub["schema"])
        finally:
            self.values.pop(key, None)
        return t

    def run(self):
        nodes = self.plan["nodes"]
        keep = {item["ref"] for item in self.plan["output"].get("items", ())}
        last_use: dict[int, int] = {}
        for i, node in enumerate(nodes):
            for ref in _deps(node):
                last_use[ref] = i
        for i, node in enumerate(nodes):
            nid, op = node.get("id"), node.get("op")
            try:
                value = self.node(node)
                if "schema" in node and isinstance(value, pa.Table):
                    value = K.conform(value, node["schema"])
            except InputError:
                raise
            except ExecutionError as e:
                raise ExecutionError(f"{_where(node)}node {nid} ({op}): {e}") from e
            except CylonError:
                raise
            except Exception as e:
                raise ExecutionError(f"{_where(node)}node {nid} ({op}): {type(e).__name__}: {e}") from e
            self.values[nid] = value
            if isinstance(value, pa.Scalar):
                self.scalars[nid] = value
            for ref in _deps(node):
                if last_use.get(ref) == i and ref not in keep and ref not in self.scalars:
                    self.values.pop(ref, None)
        return self.output()

    def output(self):
        out = self.plan["output"]
        kind = out.get("kind")
        items = out.get("items", [])
        for item in items:
            if item["ref"] not in self.values:
                raise ExecutionError(f"output refers to unknown node {item['ref']}")
        values = [self.result(self.values[item["ref"]]) for item in items]
        if kind in ("table", "scalar"):
            if len(values) != 1:
                raise ExecutionError(f"output kind {kind!r} needs exactly one item")
            return values[0]
        if kind == "dict":
            return {item["key"]: v for item, v in zip(items, values)}
        if kind == "tuple":
            return tuple(values)
        raise ExecutionError(f"unknown output kind {kind!r}")


    def result(self, v):
        """An output value: Arrow (or, with ``to="cupy"``, a device table) or a Python scalar."""
        if self.gpu is not None and not isinstance(v, pa.Table | pa.Scalar):
            from .kernels import cupy as G

            if isinstance(v, G.DeviceTable):
                return v if self.to == "cupy" else G.to_host(v)
        if self.to == "cupy" and isinstance(v, pa.Table):
            from .kernels import cupy as G

            return G.to_device(v, None, self.gpu)
        return _python(v)


def _python(v):
    if isinstance(v, pa.Table):
        return v
    if not v.is_valid:
        return math.nan if pa.types.is_floating(v.type) else None
    return v.as_py()


def execute(plan: Mapping, sources: Mapping[str, Any] | None = None,
            udfs: Mapping[str, Callable] | None = None,
            kernels: Mapping[str, Callable] | None = None, comm=None, to: str = "arrow"):
    """Execute a plan in this process (one rank of it with `comm`).

    Parameters
    ----------
    plan : dict
        A version-1 cylonc plan (see ``runtime/PLAN.md``).
    sources : dict
        Input name -> ``pyarrow.Table``, ``pandas.DataFrame``, or path (Parquet file or
        directory, CSV file).
    udfs : dict, optional
        UDF name -> Python function, for UDFs the plan carries without a pickle.
    kernels : dict, optional
        Kernel symbol -> compiled native kernel for ``fused`` nodes (a callable taking one
        memref descriptor address per ABI argument, see ``kernels/native.py``). A ``fused``
        node whose kernel is not given runs its ``ops`` with Arrow kernels.
    comm : cylonc.runtime.comm.Comm, optional
        This rank's communicator, for partitioned plans (PLAN.md): `sources` are then this
        rank's share of each input. Use `cylonc.runtime.executors.mpi.run_collective` so that
        a failure on one rank reaches the others.
    to : {"arrow", "cupy"}
        ``"cupy"`` returns table results as ``kernels.cupy.DeviceTable`` (kept in GPU memory:
        a final ``to_host`` is skipped); it needs a usable GPU. Nodes with ``"device": "gpu"``
        run on the GPU when there is one, else on Arrow (their transfers then do nothing).

    Returns
    -------
    pyarrow.Table, scalar, dict or tuple
        As the plan's ``output`` says; scalars are Python values (null float -> ``nan``, other
        null -> ``None``).

    Raises
    ------
    InputError
        A missing or unusable source (file problems, schema mismatch).
    ExecutionError
        Another format or version of plan, or a failure while running a node (the message
        names the node id and op).
    """
    validate_plan(plan)
    if to not in ("arrow", "cupy"):
        raise ExecutionError(f'to must be "arrow" or "cupy", got {to!r}')
    return _Run(plan, sources, udfs, kernels, comm, to).run()


def _where(node: dict) -> str:
    """The pipeline source line a node came from, as a message prefix."""
    loc = node.get("loc")
    return f"{loc}: " if isinstance(loc, str) and loc else ""
