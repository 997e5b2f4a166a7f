"""IR -> plan: turn a ``cylon`` module into the runtime's plain-data plan (``runtime/PLAN.md``).

Module-level table operators become plan nodes in order; expression regions become expression
trees; module-level scalar arithmetic is inlined where it is used (or becomes a
``scalar_expr`` node when returned).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from xdsl.dialects import arith
from xdsl.dialects import math as mathd
from xdsl.dialects.builtin import DictionaryAttr, FloatAttr, IntegerAttr, ModuleOp, StringAttr
from xdsl.ir import Attribute, Operation, SSAValue

from cylonc.compiler import types as T
from cylonc.compiler.frontend.tracer import UdfUse
from cylonc.dialects import cylon
from cylonc.dialects.cylon import DateType, TableType, strip_nullable
from cylonc.errors import CompileError
from cylonc.runtime import PLAN_VERSION, scan_filter

_ARITH_FN = {
    "arith.addi": "add", "arith.addf": "add", "arith.subi": "sub", "arith.subf": "sub",
    "arith.muli": "mul", "arith.mulf": "mul", "arith.andi": "and", "arith.ori": "or",
    "arith.negf": "neg", "math.absf": "abs", "math.absi": "abs",
}
_PRED_FN = {
    "eq": "eq", "ne": "ne", "slt": "lt", "sle": "le", "sgt": "gt", "sge": "ge",
    "oeq": "eq", "une": "ne", "one": "ne", "olt": "lt", "ole": "le", "ogt": "gt", "oge": "ge",
    "ult": "lt", "ule": "le", "ugt": "gt", "uge": "ge", "ueq": "eq",
}


def schema(t: TableType) -> list[dict[str, Any]]:
    return [{"name": n, "type": T.to_plan(ty), "nullable": nl} for n, ty, nl in t.fields]


def _type_of(v: SSAValue) -> str:
    return T.to_plan(strip_nullable(v.type)[0])


def _json_value(v: object, t: Attribute) -> object:
    if isinstance(t, DateType):
        return (_dt.date(1970, 1, 1) + _dt.timedelta(days=int(v))).isoformat()  # type: ignore[arg-type]
    return v


def _attr_value(a: Attribute, t: Attribute) -> object:
    if isinstance(a, StringAttr):
        return a.data
    if isinstance(a, FloatAttr):
        return float(a.value.data)
    if isinstance(a, IntegerAttr):
        v = a.value.data
        if cylon.is_bool(t):
            return bool(v)
        return _json_value(v, t)
    raise CompileError(f"internal error: cannot put {a} in a plan")


class _PlanBuilder:
    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.ids: dict[SSAValue, int] = {}

    def node(self, ir_op: Operation, /, **fields: Any) -> int:
        nid = len(self.nodes)
        op = ir_op
        out = op.results[0]
        entry: dict[str, Any] = {"id": nid, "op": fields.pop("op")}
        if isinstance(out.type, TableType):
            entry["schema"] = schema(out.type)
        else:
            entry["type"] = _type_of(out)
        loc = op.attributes.get("loc")
        if isinstance(loc, StringAttr):
            entry["loc"] = loc.data
        dist = op.attributes.get("cylon.dist")
        if isinstance(dist, cylon.DistAttr):
            entry["dist"] = {"kind": dist.kind.data, "keys": _strs(dist.keys)}
        entry.update(_device_fields(op))
        entry.update(fields)
        self.nodes.append(entry)
        self.ids[out] = nid
        return nid

    def expr(self, v: SSAValue) -> dict[str, Any]:
        """The expression tree computing ``v`` (inside a region or at module level)."""
        if v in self.ids:
            return {"k": "scalar", "ref": self.ids[v], "type": _type_of(v)}
        op = v.owner
        if not isinstance(op, Operation):
            raise CompileError("internal error: a block argument used as a value")
        t = _type_of(v)
        elem = strip_nullable(v.type)[0]
        if isinstance(op, cylon.ColOp):
            return {"k": "col", "name": op.column.data, "type": t}
        if isinstance(op, arith.ConstantOp):
            return {"k": "lit", "value": _attr_value(op.value, elem), "type": t}
        if isinstance(op, cylon.ConstOp):
            value = None if op.value is None else _attr_value(op.value, elem)
            return {"k": "lit", "value": value, "type": t}
        args = [self.expr(o) for o in op.operands]
        call: dict[str, Any] = {"k": "call", "args": args, "type": t}
        if op.name in _ARITH_FN:
            call["fn"] = _ARITH_FN[op.name]
        elif isinstance(op, arith.XOrIOp):
            call["fn"] = "not"
            call["args"] = [a for a in args if not (a["k"] == "lit" and a["value"] is True)][:1] or args[:1]
        elif isinstance(op, arith.CmpiOp | arith.CmpfOp):
            names = arith.CMPI_COMPARISON_OPERATIONS if isinstance(op, arith.CmpiOp) else arith.CMPF_COMPARISON_OPERATIONS
            call["fn"] = _PRED_FN[names[op.predicate.value.data]]
        elif isinstance(op, cylon.BinaryOp | cylon.CmpOp | cylon.UnaryOp):
            call["fn"] = op.fn.data
        elif isinstance(op, cylon.RoundOp):
            call.update(fn="round", ndigits=op.ndigits.data)
        elif isinstance(op, cylon.CastOp):
            call["fn"] = "cast"
        elif isinstance(op, cylon.FillNaOp):
            call["fn"] = "fillna"
        elif isinstance(op, cylon.WhereOp):
            call["fn"] = "where"
        elif isinstance(op, cylon.IsInOp):
            operand_elem = strip_nullable(op.operand.type)[0]
            call.update(fn="isin", values=[_attr_value(a, operand_elem) for a in op.values.data])
        elif isinstance(op, cylon.StrOp):
            call["fn"] = f"str_{op.fn.data}"
            for key in ("pattern", "regex", "case", "start", "stop", "step"):
                a = op.attributes.get(key)
                if a is not None:
                    val = _attr_value(a, cylon.i1 if key in ("regex", "case") else cylon.i64)
                    call[key] = val
            if op.fn.data == "slice":
                for key in ("start", "stop", "step"):
                    call.setdefault(key, None)
            if op.fn.data == "contains":
                call.setdefault("regex", True)
                call.setdefault("case", True)
        elif isinstance(op, cylon.DtOp):
            call["fn"] = f"dt_{op.fn.data}"
        elif isinstance(op, cylon.UdfOp):
            call.update(fn="udf", name=op.callee.data)
        else:
            raise CompileError(f"internal error: no plan form for {op.name}")
        return call

    def region_exprs(self, region) -> list[dict[str, Any]]:
        last = region.blocks[0].last_op
        assert isinstance(last, cylon.YieldOp)
        return [self.expr(v) for v in last.values]


def _strs(a) -> list[str]:
    return [x.data for x in a.data]


def _device_fields(op: Operation) -> dict[str, Any]:
    """``device`` (where the node runs and its result lives: ``cylon-place``'s
    ``cylon.device``) and ``placement`` (the cost model's estimates behind it), when set."""
    out: dict[str, Any] = {}
    dev = op.attributes.get(cylon.DEVICE_ATTR)
    if isinstance(dev, StringAttr):
        out["device"] = dev.data
    est = op.attributes.get("cylon.placement")
    if isinstance(est, DictionaryAttr):
        out["placement"] = {
            k: (v.data if isinstance(v, StringAttr) else v.value.data if isinstance(v, IntegerAttr | FloatAttr) else str(v))
            for k, v in est.data.items()
        }
    return out


def _scan_fields(b: _PlanBuilder, op: cylon.InputOp | cylon.ReadOp) -> dict[str, Any]:
    """``columns`` (None: all) and ``filter`` (an EXPR over source columns, or None) of a scan."""
    region = op.predicate_region
    return {"columns": op.read_columns, "filter": None if region is None else b.region_exprs(region)[0]}


def _fused_fields(b: _PlanBuilder, op: cylon.FusedOp) -> dict[str, Any]:
    """A ``fused`` node's fields: ``ops`` (each fused operator as a plan node without ``id`` and
    ``input``), ``kernel`` (the native kernel's symbol; None: it falls back to Arrow),
    ``kernel_name``, ``fallback`` (why not native), ``abi`` and ``abi_no_nulls`` (the variant
    for data without nulls; see ``codegen.lower``)."""
    from cylonc.compiler.codegen.lower import lower_fused

    ops: list[dict[str, Any]] = []
    for c in op.chain:
        t = c.results[0].type
        assert isinstance(t, TableType)
        entry: dict[str, Any] = {"op": c.name.removeprefix("cylon."), "schema": schema(t)}
        if isinstance(c, cylon.FilterOp):
            entry["predicate"] = b.region_exprs(c.predicate)[0]
        elif isinstance(c, cylon.AssignOp):
            entry.update(names=_strs(c.names), exprs=b.region_exprs(c.body))
        elif isinstance(c, cylon.ProjectOp):
            entry["columns"] = _strs(c.columns)
        elif isinstance(c, cylon.RenameOp):
            entry["mapping"] = dict(zip(_strs(c.old), _strs(c.new)))
        elif isinstance(c, cylon.ReduceOp | cylon.AggregateOp):
            entry["aggs"] = [{"fn": fn, "column": (col or None), "name": name} for fn, col, name in (_strs(a) for a in c.aggs.data)]
            if isinstance(c, cylon.AggregateOp):
                entry["keys"] = _strs(c.keys)
        loc = c.attributes.get("loc")
        if isinstance(loc, StringAttr):
            entry["loc"] = loc.data
        ops.append(entry)
    spec = lower_fused(op, scalar_ref=lambda v: b.ids[v])
    return {
        "kernel": spec.symbol if spec.native else None,
        "kernel_name": spec.kernel,
        "fallback": spec.reason,
        "abi": spec.abi,
        "abi_no_nulls": spec.nonull_abi,
        "ops": ops,
    }


def _partition_fields(b: _PlanBuilder, op: Operation) -> dict[str, Any]:
    """The node of a communication or two-phase aggregation op (``cylon-partition``)."""
    kind = op.name.removeprefix("cylon.")
    fields: dict[str, Any] = {"op": kind, "input": b.ids[op.operands[0]]}
    if isinstance(op, cylon.ShuffleOp):
        fields["keys"] = _strs(op.keys)
    elif isinstance(op, cylon.SplittersOp | cylon.RangeShuffleOp):
        fields.update(keys=_strs(op.keys), ascending=[bool(a.value.data) for a in op.ascending_attr.data])
        if isinstance(op, cylon.RangeShuffleOp):
            fields["splitters"] = b.ids[op.splitters]
    elif isinstance(op, cylon.PartialAggregateOp | cylon.FinalAggregateOp):
        fields.update(keys=_strs(op.keys), aggs=[
            {"fn": fn, "column": (col or None), "name": name} for fn, col, name in (_strs(a) for a in op.aggs.data)
        ])
    elif isinstance(op, cylon.GatherOp | cylon.BroadcastOp):
        fields["root"] = 0
    return fields


def _readers(nodes: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """Node id -> the nodes that read its table."""
    readers: dict[int, list[dict[str, Any]]] = {}
    for node in nodes:
        refs = [node.get(k) for k in ("input", "left", "right", "splitters")] + list(node.get("inputs", ()))
        for r in set(refs):
            if isinstance(r, int):
                readers.setdefault(r, []).append(node)
    return readers


def _private(node: dict[str, Any], readers: dict[int, list[dict[str, Any]]], outputs: set[int]) -> bool:
    """Whether only one node reads `node`'s table, it is not an output, and it runs on the CPU."""
    return len(readers.get(node["id"], ())) == 1 and node["id"] not in outputs and node.get("device") != "gpu"


def _mark_semi_filters(nodes: list[dict[str, Any]], output: dict[str, Any]) -> None:
    """Sideways information passing into the probe side of a selective join. Where one input
    of an inner (or semi) join on one key is a native row-wise kernel (filters, computed
    columns; no aggregate) over a scan that passes the key through, both read only there,
    that node gets ``semi_filter``: the runtime first keeps only the rows whose key is among
    the other join input's keys (so the kernel does not materialize rows the join drops), when
    that input is small. The scan and the kernel move to just before the join, so the other
    input is computed first.

    Before (plan nodes, abridged)::

        2 input lineitem; 5 fused(filter l_shipdate > ...) of 2; 6 join(c, o) ...;
        7 join 6, 5 on o_orderkey = l_orderkey

    After::

        6 join(c, o); 2 input lineitem;
        5 fused(...) of 2 {semi_filter: {ref: 6, key: l_orderkey, build_key: o_orderkey}};
        7 join 6, 5 on o_orderkey = l_orderkey
    """
    readers = _readers(nodes)
    outputs = {item["ref"] for item in output.get("items", ())}
    by_id = {n["id"]: n for n in nodes if "id" in n}
    for join in [n for n in nodes if n.get("op") == "join"]:
        if join["how"] not in ("inner", "semi") or len(join["left_on"]) != 1:
            continue
        for side, other, key, build_key in (("left", "right", join["left_on"][0], join["right_on"][0]),
                                            ("right", "left", join["right_on"][0], join["left_on"][0])):
            chain = _probe_chain(by_id.get(join[side]), key, by_id, readers, outputs)
            if chain is None or join[side] == join[other]:
                continue
            node = chain[-1]
            src = next(c["src"] for c, fld in zip(node["abi"]["columns"], node["schema"])
                       if fld["name"] == key and c.get("from") == "input")
            node["semi_filter"] = {"ref": join[other], "key": src, "build_key": build_key}
            for n in chain:
                nodes.remove(n)
            at = nodes.index(join)
            nodes[at:at] = chain
            break


def _probe_chain(node: dict[str, Any] | None, key: str, by_id: dict[int, dict[str, Any]],
                 readers: dict[int, list[dict[str, Any]]], outputs: set[int]) -> list[dict[str, Any]] | None:
    """The join input `node` and the scan it reads, if `node` can take a ``semi_filter`` on `key`:
    a native row-wise kernel over a scan that passes `key` through from it, each read only by
    the next (the kernel by the join). A bare scan is left alone: the join itself skips the rows
    without a match (its key bitmap), and filtering them first only adds a copy."""
    if node is None or "semi_filter" in node or not _private(node, readers, outputs):
        return None
    if node["op"] != "fused" or not node.get("kernel") or node["abi"].get("reduce") is not None:
        return None
    scan = by_id.get(node["input"])
    if scan is None or scan["op"] not in ("input", "read") or not _private(scan, readers, outputs):
        return None
    passed = any(fld["name"] == key and c.get("from") == "input"
                 for c, fld in zip(node["abi"]["columns"], node["schema"]))
    return [scan, node] if passed else None


def _mark_join_filters(nodes: list[dict[str, Any]], output: dict[str, Any]) -> None:
    """Sideways information passing through a join. Where an inner join J1 feeds only an inner
    (or semi) join J2, a J1 input row whose value of one of J2's keys is not among the other J2
    input's values of that key cannot reach J2's result: J1 gets ``semi_filters``, one per
    input side at most, and the runtime joins only the rows of that side whose key is in the
    set (when the other J2 input is small: not marked where the cost model's estimates say it
    is not smaller than that side, and skipped at run time unless it has at most a quarter of
    the rows). J1 moves to just before J2 if the other J2 input came after it. Not in
    partitioned plans (the inputs are spread over ranks).

    Before (TPC-H Q5, abridged)::

        10 join(customer, orders); 11 join 10, lineitem on o_orderkey = l_orderkey;
        12 join 11, 8 on [l_suppkey, c_nationkey] = [s_suppkey, s_nationkey]

    After::

        11 join 10, lineitem on o_orderkey = l_orderkey {semi_filters: [
             {side: left, key: c_nationkey, ref: 8, build_key: s_nationkey},
             {side: right, key: l_suppkey, ref: 8, build_key: s_suppkey}]}
    """
    partition_ops = {op.name.removeprefix("cylon.") for op in cylon.PARTITION_OPS}
    if any(n.get("op") in partition_ops for n in nodes):
        return
    readers = _readers(nodes)
    outputs = {item["ref"] for item in output.get("items", ())}
    outputs |= {n["semi_filter"]["ref"] for n in nodes if "semi_filter" in n}
    by_id = {n["id"]: n for n in nodes if "id" in n}
    for j2 in [n for n in nodes if n.get("op") == "join" and n["how"] in ("inner", "semi")]:
        for side, other, keys, build_keys in (("left", "right", j2["left_on"], j2["right_on"]),
                                              ("right", "left", j2["right_on"], j2["left_on"])):
            j1 = by_id.get(j2[side])
            if (j1 is None or j1.get("op") != "join" or j1["how"] != "inner" or "semi_filters" in j1
                    or j2[side] == j2[other] or not _private(j1, readers, outputs)):
                continue
            filters = {}
            for key, build_key in zip(keys, build_keys):
                col = next((c for c in j1["columns"] if c["name"] == key), None)
                if col is None:
                    continue
                origins = ([("left", col["src"]), ("right", col.get("right_src", col["src"]))]
                           if col["from"] == "key" else [(col["from"], col["src"])])
                for at, src in origins:
                    if not _larger(by_id[j1[at]], by_id[j2[other]]):
                        continue
                    filters.setdefault(at, {"side": at, "key": src, "ref": j2[other], "build_key": build_key})
            if not filters:
                continue
            j1["semi_filters"] = [filters[s] for s in ("left", "right") if s in filters]
            if nodes.index(by_id[j2[other]]) > nodes.index(j1):
                nodes.remove(j1)
                nodes.insert(nodes.index(j2), j1)
            break


def _larger(node: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether `node` may have more rows than `other` (the cost model's estimates, where both
    have one): a key set of `other`'s rows can then shrink `node`."""
    a, b = ((n.get("placement") or {}).get("rows") for n in (node, other))
    return a is None or b is None or a > b


def _float_reads(node: dict[str, Any]) -> set[str]:
    """The columns a native ``fused`` node's kernel reads the values of."""
    return {a["column"] for abi in (node.get("abi"), node.get("abi_no_nulls")) if abi is not None
            for a in abi["args"] if a["kind"] == "values"}


def _mark_raw_nan(nodes: list[dict[str, Any]], output: dict[str, Any]) -> None:
    """Let scans hand float columns with NaN left in to native CPU kernels, which read NaN as
    null (``nan_as_null`` in their ABI), so the runtime skips the pass over the data that turns
    NaN into null. A column qualifies when every path from the scan carries it unread (as a
    join's payload, through project, rename, a filter that does not read it, or a kernel that
    passes it through) to kernels that read it; a group key, a join key, the scan's own
    filter, the output, or any other reader needs the conversion. The scan lists the columns
    as ``keep_nan``; each native ``fused`` node lists the float columns it reads as
    ``nan_inputs`` (its Arrow fallback converts them first)."""
    readers = _readers(nodes)
    outputs = {item["ref"] for item in output.get("items", ())}
    kernel_reads: dict[int, set[str]] = {}
    passes: dict[int, dict[str, list[str]]] = {}
    grouped: dict[int, set[str]] = {}
    for node in nodes:
        abis = [a for a in (node.get("abi"), node.get("abi_no_nulls")) if a is not None]
        if node.get("op") != "fused" or not node.get("kernel") or not abis or node.get("device") == "gpu":
            continue
        cols = set.intersection(*(set(a.get("nan_as_null", ())) for a in abis))
        if cols:
            node["nan_inputs"] = sorted(cols)
        for a in abis:
            cols -= set(a.get("group_keys") or ())
        kernel_reads[node["id"]] = cols
        passed: dict[str, list[str]] = {}
        for c, f in zip(abis[0].get("columns", ()), node["schema"]):
            if c.get("from") == "input":
                passed.setdefault(c["src"], []).append(f["name"])
        passes[node["id"]] = passed
        grouped[node["id"]] = {k for a in abis for k in (a.get("group_keys") or ())}

    memo: dict[tuple[int, str], bool] = {}

    def safe(nid: int, col: str) -> bool:
        if (nid, col) not in memo:
            memo[(nid, col)] = nid not in outputs and all(reader_safe(r, nid, col) for r in readers.get(nid, ()))
        return memo[(nid, col)]

    def reader_safe(r: dict[str, Any], nid: int, col: str) -> bool:
        op = r["op"]
        if op == "fused":
            if r["id"] not in kernel_reads or col in grouped[r["id"]]:
                return False
            read = col in kernel_reads[r["id"]] or col not in _float_reads(r)
            return read and all(safe(r["id"], o) for o in passes[r["id"]].get(col, ()))
        if op == "filter":
            return col not in scan_filter.columns(r["predicate"]) and safe(r["id"], col)
        if op == "project":
            return col not in r["columns"] or safe(r["id"], col)
        if op == "rename":
            return safe(r["id"], r["mapping"].get(col, col))
        if op == "join":
            for side, keys in (("left", r["left_on"]), ("right", r["right_on"])):
                if r[side] != nid:
                    continue
                if col in keys:
                    return False
                if not all(safe(r["id"], c["name"]) for c in r["columns"] if c["from"] == side and c["src"] == col):
                    return False
            return True
        return False

    for scan in nodes:
        if scan.get("op") not in ("input", "read") or scan.get("device") == "gpu":
            continue
        filtered = set(scan_filter.columns(scan.get("filter")))
        cols = [f["name"] for f in scan["schema"]
                if f["type"] in ("float32", "float64") and f["name"] not in filtered and safe(scan["id"], f["name"])]
        if cols:
            scan["keep_nan"] = cols


def module_to_plan(module: ModuleOp, udfs: dict[str, UdfUse] | None = None) -> dict[str, Any]:
    """Build the plan of a (verified) ``cylon`` module."""
    b = _PlanBuilder()
    inputs: list[dict[str, Any]] = []
    output: dict[str, Any] | None = None
    for op in module.ops:
        if isinstance(op, cylon.InputOp):
            t = op.source_table
            src = [dict(f, type=st.data) for f, st in zip(schema(t), op.source_types.data)]
            inputs.append({"name": op.arg_name.data, "schema": schema(t), "source_schema": src})
            b.node(op, op="input", name=op.arg_name.data, **_scan_fields(b, op))
        elif isinstance(op, cylon.ReadOp):
            t = op.source_table
            src = [dict(f, type=st.data) for f, st in zip(schema(t), op.source_types.data)]
            b.node(op, op="read", format=op.format.data, path=op.path.data, source_schema=src, **_scan_fields(b, op))
        elif isinstance(op, cylon.FilterOp):
            b.node(op, op="filter", input=b.ids[op.input], predicate=b.region_exprs(op.predicate)[0])
        elif isinstance(op, cylon.ProjectOp):
            b.node(op, op="project", input=b.ids[op.input], columns=_strs(op.columns))
        elif isinstance(op, cylon.AssignOp):
            b.node(op, op="assign", input=b.ids[op.input], names=_strs(op.names), exprs=b.region_exprs(op.body))
        elif isinstance(op, cylon.RenameOp):
            b.node(op, op="rename", input=b.ids[op.input], mapping=dict(zip(_strs(op.old), _strs(op.new))))
        elif isinstance(op, cylon.FusedOp):
            b.node(op, op="fused", input=b.ids[op.input], **_fused_fields(b, op))
        elif isinstance(op, cylon.JoinOp):
            cols = []
            for c in op.columns.data:
                name, side, src_col, rsrc = _strs(c)
                entry = {"name": name, "from": side, "src": src_col}
                if side == "key":
                    entry["right_src"] = rsrc
                cols.append(entry)
            b.node(
                op,
                op="join",
                left=b.ids[op.left],
                right=b.ids[op.right],
                how=op.how.data,
                left_on=_strs(op.left_on),
                right_on=_strs(op.right_on),
                columns=cols,
            )
        elif isinstance(op, cylon.AggregateOp | cylon.ReduceOp):
            aggs = [
                {"fn": fn, "column": (col or None), "name": name}
                for fn, col, name in (_strs(a) for a in op.aggs.data)
            ]
            if isinstance(op, cylon.AggregateOp):
                b.node(op, op="aggregate", input=b.ids[op.input], keys=_strs(op.keys), aggs=aggs)
            else:
                b.node(op, op="reduce", input=b.ids[op.input], aggs=aggs)
        elif isinstance(op, cylon.SortOp):
            b.node(
                op,
                op="sort",
                input=b.ids[op.input],
                keys=_strs(op.keys),
                ascending=[bool(a.data) for a in op.ascending.data],
            )
        elif isinstance(op, cylon.LimitOp):
            b.node(op, op="limit", input=b.ids[op.input], n=op.n.data)
        elif isinstance(op, cylon.DistinctOp):
            subset = None if op.subset is None else _strs(op.subset)
            b.node(op, op="distinct", input=b.ids[op.input], subset=subset)
        elif isinstance(op, cylon.UnionOp):
            b.node(op, op="union", inputs=[b.ids[v] for v in op.inputs])
        elif isinstance(op, cylon.PARTITION_OPS):
            b.node(op, **_partition_fields(b, op))
        elif isinstance(op, cylon.TRANSFER_OPS):
            b.node(op, op=op.name.removeprefix("cylon."), input=b.ids[op.input])
        elif isinstance(op, cylon.ScalarOp):
            b.node(op, op="scalar", input=b.ids[op.input], column=op.column.data)
        elif isinstance(op, cylon.OutputOp):
            items = []
            keys = _strs(op.keys) if op.keys is not None else [None] * len(op.values)
            for key, v in zip(keys, op.values):
                if v not in b.ids:
                    nid = len(b.nodes)
                    b.nodes.append({"id": nid, "op": "scalar_expr", "expr": b.expr(v), "type": _type_of(v)})
                    b.ids[v] = nid
                items.append({"key": key, "ref": b.ids[v]})
            output = {"kind": op.kind.data, "items": items}
        elif isinstance(op, arith.ConstantOp | mathd.AbsFOp | mathd.AbsIOp) or op.name.startswith(("arith.", "cylon.")):
            continue
        else:
            raise CompileError(f"internal error: no plan form for {op.name}")
    if output is None:
        raise CompileError("internal error: the module has no cylon.output")
    _mark_raw_nan(b.nodes, output)
    _mark_semi_filters(b.nodes, output)
    _mark_join_filters(b.nodes, output)
    udf_entries = {
        name: {"name": name, "return_type": u.return_type, "arg_types": u.arg_types, "pickle": None}
        for name, u in (udfs or {}).items()
    }
    return {
        "format": "cylonc.plan",
        "version": PLAN_VERSION,
        "inputs": inputs,
        "nodes": b.nodes,
        "output": output,
        "udfs": udf_entries,
    }

