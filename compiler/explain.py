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


def _node_text(n: dict[str, Any]) -> str:
    op = n["op"]
    ref = lambda i: f"#{i}"  # noqa: E731
    if op == "input":
        return f"input '{n['name']}'"
    if op == "read":
        return f"read {n['format']} '{n['path']}'"
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
        return f"join {n['how']} {ref(n['left'])} {n['left_on']} = {ref(n['right'])} {n['right_on']}"
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
    if op == "scalar_expr":
        return f"scalar {expr_text(n['expr'])}"
    return op


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
        lines.append(f"      kernel: arrow (not fused) | device: cpu | partitioning: single rank{where}")
    out = ", ".join(f"{i['key']}=#{i['ref']}" if i["key"] else f"#{i['ref']}" for i in plan["output"]["items"])
    lines.append(f"  output {plan['output']['kind']}: {out}")
    lines.append("fused kernels: none (every operator falls back to Arrow kernels on the CPU)")
    return "\n".join(lines) + "\n"
