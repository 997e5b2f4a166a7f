"""A readable rendering of a plan: operators, expressions, device and partitioning."""

from __future__ import annotations

from typing import Any

_SYMBOLS = {
    "add": "+", "sub": "-", "mul": "*", "div": "/", "floordiv": "//", "mod": "%", "pow": "**",
    "eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "and": "&", "or": "|",
}


def expr_text(e: dict[str, Any]) -> str:
    """Infix text of a plan expression."""
    k = e["k"]
    if k == "col":
        return e["name"]
    if k == "lit":
        return repr(e["value"])
    if k == "scalar":
        return f"${e['ref']}"
    fn, args = e["fn"], [expr_text(a) for a in e["args"]]
    if fn in _SYMBOLS:
        return f"({args[0]} {_SYMBOLS[fn]} {args[1]})"
    if fn == "not":
        return f"~{args[0]}"
    if fn == "neg":
        return f"-{args[0]}"
    if fn == "cast":
        return f"{args[0]}.astype({e['type']})"
    extra = [f"{key}={e[key]!r}" for key in ("ndigits", "values", "pattern", "start", "stop", "name") if key in e]
    return f"{fn}({', '.join(args + extra)})"


def _scan_text(n: dict[str, Any]) -> str:
    """The columns and filter pushed into a scan."""
    cols = f" {n['columns']}" if n.get("columns") is not None else ""
    where = f" where {expr_text(n['filter'])}" if n.get("filter") is not None else ""
    return cols + where


def _semi(f: dict[str, Any], ref) -> str:
    return f"{f['key']} is in {ref(f['ref'])}.{f['build_key']}"


def _node_text(n: dict[str, Any]) -> str:
    op = n["op"]
    ref = lambda i: f"#{i}"  # noqa: E731
    if op == "input":
        return f"input '{n['name']}'{_scan_text(n)}"
    if op == "read":
        return f"read {n['format']} '{n['path']}'{_scan_text(n)}"
    if op == "filter":
        return f"filter {ref(n['input'])} where {expr_text(n['predicate'])}"
    if op == "project":
        return f"project {ref(n['input'])} {n['columns']}"
    if op == "assign":
        pairs = ", ".join(f"{k}={expr_text(e)}" for k, e in zip(n["names"], n["exprs"]))
        return f"assign {ref(n['input'])} {pairs}"
    if op == "rename":
        return f"rename {ref(n['input'])} {n['mapping']}"
    if op == "join":
        rows = "".join(f"; {f['side']}: only rows whose {_semi(f, ref)}" for f in n.get("semi_filters", ()))
        rows = f" ({rows[2:]})" if rows else ""
        return f"join {n['how']} {ref(n['left'])} {n['left_on']} = {ref(n['right'])} {n['right_on']}{rows}"
    if op in ("aggregate", "reduce"):
        aggs = ", ".join(f"{a['name']}={a['fn']}({a['column'] or ''})" for a in n["aggs"])
        by = f" by {n['keys']}" if op == "aggregate" else ""
        return f"{op} {ref(n['input'])}{by}: {aggs}"
    if op == "sort":
        return f"sort {ref(n['input'])} by {n['keys']} ascending {n['ascending']}"
    if op == "limit":
        return f"limit {ref(n['input'])} {n['n']}"
    if op == "distinct":
        return f"distinct {ref(n['input'])} subset={n['subset']}"
    if op == "union":
        return "union " + ", ".join(ref(i) for i in n["inputs"])
    if op == "scalar":
        return f"scalar {ref(n['input'])}.{n['column']}"
    if op == "fused":
        semi = n.get("semi_filter")
        rows = f" (only rows whose {_semi(semi, ref)})" if semi else ""
        return f"fused {n.get('kernel_name')} {ref(n['input'])}{rows}"
    if op in ("to_device", "to_host"):
        est = n.get("placement") or {}
        size = f" ({_bytes(est['bytes'])}, ~{_us(est['us'])})" if "bytes" in est and "us" in est else ""
        return f"{op} {ref(n['input'])}{size}"
    if op in ("shuffle", "range_shuffle", "splitters"):
        extra = f" (splitters #{n['splitters']})" if op == "range_shuffle" else ""
        return f"{op} {ref(n['input'])} by {n['keys']}{extra}"
    if op in ("allgather", "gather", "broadcast", "scatter"):
        return f"{op} {ref(n['input'])}"
    if op in ("partial_aggregate", "final_aggregate"):
        aggs = ", ".join(f"{a['name']}={a['fn']}({a['column'] or ''})" for a in n["aggs"])
        return f"{op} {ref(n['input'])} by {n['keys']}: {aggs}"
    if op == "scalar_expr":
        return f"scalar {expr_text(n['expr'])}"
    return op


def _fused_lines(n: dict[str, Any]) -> list[str]:
    """The operators a ``fused`` node runs, one line each."""
    return [f"      | {_node_text(dict(sub, input='in')).replace(' #in', '')}" for sub in n.get("ops", ())]


def _bytes(b: float) -> str:
    for unit, f in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if b >= f:
            return f"{b / f:.3g} {unit}"
    return f"{int(b)} B"


def _us(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.3g} s"
    if us >= 1e3:
        return f"{us / 1e3:.3g} ms"
    return f"{us:.3g} us"


def _device_text(n: dict[str, Any]) -> str:
    """``gpu`` / ``cpu`` and why (``cylon-place``'s reason)."""
    dev = n.get("device", "cpu")
    reason = (n.get("placement") or {}).get("reason")
    return f"{dev} ({reason})" if reason else dev


def _placement_line(n: dict[str, Any]) -> list[str]:
    """The cost model's estimates behind a node's device."""
    est = n.get("placement") or {}
    if "cpu_us" not in est or n["op"] in ("to_device", "to_host"):
        return []
    text = f"~{est.get('rows_in', 0):.3g} rows in, ~{est.get('rows', 0):.3g} out; cpu {_us(est['cpu_us'])}"
    if "gpu_us" in est:
        text += f", gpu {_us(est['gpu_us'])}"
        if est.get("xfer_us"):
            text += f" + {_us(est['xfer_us'])} copies in"
        text += f"; the model picks {est.get('model', 'cpu')}"
    return [f"      estimates: {text}"]


def _kernel_text(n: dict[str, Any]) -> str:
    if n.get("device") == "gpu" and n["op"] in ("fused", "filter", "assign"):
        return f"CUDA C cylonc_gpu_{n.get('kernel_name') or 'node' + str(n['id'])} (generated, CuPy RawKernel)"
    if n["op"] in ("to_device", "to_host"):
        return "copy " + ("host -> device" if n["op"] == "to_device" else "device -> host")
    if n.get("device") == "gpu":
        return "cupy (sort/search primitives)"
    if n["op"] != "fused":
        return "arrow (not fused)"
    if n.get("kernel"):
        from cylonc.compiler.codegen.llvm import available

        if not available():
            return f"arrow fallback for {n['kernel_name']} (the mlir package is not installed)"
        return f"native {n['kernel']} (MLIR JIT: one loop over the rows)"
    return f"arrow fallback for {n.get('kernel_name')} ({n.get('fallback')})"


def _fused_summary(plan: dict[str, Any]) -> str:
    fused = [n for n in plan["nodes"] if n["op"] == "fused"]
    if not fused:
        return "fused kernels: none (every operator falls back to Arrow kernels on the CPU)"
    parts = []
    for n in fused:
        ops = "+".join(sub["op"] for sub in n.get("ops", ()))
        how = _kernel_text(n)
        how = "native" if how.startswith("native") else how.replace(f" for {n.get('kernel_name')}", "")
        parts.append(f"{n.get('kernel_name')} #{n['id']} [{ops}]: {how}")
    rest = "other operators run on Arrow kernels"
    if any(n.get("device") == "gpu" for n in plan["nodes"]):
        rest = "other GPU operators run on CuPy, the rest on Arrow kernels"
    return "fused kernels: " + "; ".join(parts) + f" ({rest})"


_DISTS = {"replicated": "replicated (every rank)", "blocks": "row blocks over the ranks",
          "hash": "hash by", "range": "range by", "root": "on rank 0"}


def _dist_text(n: dict[str, Any]) -> str:
    """How a node's result is spread over the ranks (``cylon-partition``)."""
    d = n.get("dist")
    if not d:
        return "single rank"
    keys = f" {d['keys']}" if d.get("keys") else ""
    return _DISTS.get(d["kind"], d["kind"]) + keys


def explain_plan(plan: dict[str, Any], name: str, options: Any) -> str:
    """The text ``CompiledPipeline.explain`` returns."""
    lines = [
        f"pipeline {name}: {len(plan['nodes'])} operators, ranks={options.ranks}, "
        f"device={options.device}, executor={options.executor}, optimize={options.optimize}"
    ]
    for n in plan["nodes"]:
        cols = n.get("schema")
        shape = f" -> [{', '.join(c['name'] + ':' + c['type'] for c in cols)}]" if cols else f" -> {n.get('type')}"
        where = f"  ({n['loc']})" if "loc" in n else ""
        lines.append(f"  #{n['id']} {_node_text(n)}{shape}")
        lines.extend(_fused_lines(n) if n["op"] == "fused" else [])
        lines.append(f"      kernel: {_kernel_text(n)} | device: {_device_text(n)} | partitioning: {_dist_text(n)}{where}")
        lines.extend(_placement_line(n))
    out = ", ".join(f"{i['key']}=#{i['ref']}" if i["key"] else f"#{i['ref']}" for i in plan["output"]["items"])
    lines.append(f"  output {plan['output']['kind']}: {out}")
    lines.append(_fused_summary(plan))
    return "\n".join(lines) + "\n"
