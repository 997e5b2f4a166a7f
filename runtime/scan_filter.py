"""Scan filters: the ``filter`` EXPR of an ``input``/``read`` node (see PLAN.md).

The filter is a plan EXPR over the source's columns. `split` divides its conjuncts into a
``pyarrow.compute.Expression`` that ``pyarrow.dataset`` evaluates while reading (skipping
Parquet row groups by their statistics) and the conjuncts that must wait until the data is
converted to the plan's types. A conjunct goes to the dataset only when its result there is
exactly the plan's: every column it reads has the compiled type in the file, and a float column
is read only by comparisons other than ``ne`` and by ``isin``, never under ``not``. A NaN in the
file is a null once converted: such comparisons are false on it, as on a null, while ``ne``,
``not`` and ``isna`` would tell them apart (and Parquet statistics, which ignore NaN, would
skip row groups whose NaN rows ``isna`` keeps).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .kernels.arrow import _coerce_literal, _literal
from .types import to_arrow

__all__ = ["and_all", "columns", "conjuncts", "split"]

_CMP = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}
_FLIP = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}


def columns(expr: Mapping | None) -> dict[str, str]:
    """The columns an EXPR reads (name -> plan type), in first-use order."""
    out: dict[str, str] = {}

    def walk(e: Any) -> None:
        if isinstance(e, Mapping):
            if e.get("k") == "col":
                out.setdefault(e["name"], e["type"])
            for a in e.get("args", ()):
                walk(a)

    walk(expr)
    return out


def conjuncts(expr: Mapping | None) -> list[Mapping]:
    """The EXPR split at ``and``."""
    if expr is None:
        return []
    if expr.get("k") == "call" and expr.get("fn") == "and":
        return [c for a in expr["args"] for c in conjuncts(a)]
    return [expr]


def _field(e: Mapping, types: Mapping[str, pa.DataType]) -> tuple[pc.Expression, bool] | None:
    if e.get("k") != "col":
        return None
    actual = types.get(e["name"])
    if actual is None or actual != to_arrow(e["type"]):
        return None
    return pc.field(e["name"]), pa.types.is_floating(actual)


def _expression(e: Mapping, types: Mapping[str, pa.DataType], negated: bool) -> pc.Expression | None:
    if e.get("k") == "col":
        f = _field(e, types)
        return None if f is None or not pa.types.is_boolean(types[e["name"]]) else f[0]
    if e.get("k") != "call":
        return None
    fn, args = e.get("fn"), e.get("args", [])
    if fn in ("and", "or") and len(args) == 2:
        parts = [_expression(a, types, negated) for a in args]
        if any(p is None for p in parts):
            return None
        return parts[0] & parts[1] if fn == "and" else parts[0] | parts[1]
    if fn == "not" and len(args) == 1:
        inner = _expression(args[0], types, not negated)
        return None if inner is None else ~inner
    if fn in ("isna", "notna") and len(args) == 1:
        f = _field(args[0], types)
        if f is None or f[1]:
            return None
        return f[0].is_null() if fn == "isna" else f[0].is_valid()
    if fn == "isin" and len(args) == 1:
        f = _field(args[0], types)
        if f is None or (f[1] and negated):
            return None
        t = types[args[0]["name"]]
        values = [s for s in (_coerce_literal(v, t) for v in e.get("values", ())) if s is not None]
        return f[0].isin(pa.array([s.as_py() for s in values], type=t))
    if fn in _CMP and len(args) == 2:
        a, b = args
        if a.get("k") == "lit" and b.get("k") == "col":
            a, b, fn = b, a, _FLIP[fn]
        f = _field(a, types)
        if f is None or b.get("k") != "lit" or b.get("value") is None:
            return None
        if f[1] and (fn == "ne" or negated):
            return None
        return _CMP[fn](f[0], _literal(b["value"], types[a["name"]]))
    return None


def split(expr: Mapping | None, types: Mapping[str, pa.DataType]
          ) -> tuple[pc.Expression | None, list[Mapping]]:
    """Split a scan filter for data whose columns have the Arrow ``types``.

    Parameters
    ----------
    expr : dict or None
        The node's ``filter`` EXPR.
    types : dict
        Column name -> Arrow type of the data the dataset reads (the file's types).

    Returns
    -------
    tuple
        ``(expression, rest)``: the ``and`` of the conjuncts that are exact on that data as a
        ``pyarrow.compute.Expression`` (None if there are none), and the other conjuncts, to
        apply after conversion.
    """
    pushed: list[pc.Expression] = []
    rest: list[Mapping] = []
    for c in conjuncts(expr):
        x = _expression(c, types, False)
        if x is None:
            rest.append(c)
        else:
            pushed.append(x)
    combined = None
    for x in pushed:
        combined = x if combined is None else combined & x
    return combined, rest


def and_all(parts: Sequence[Mapping]) -> Mapping | None:
    """One EXPR that is the ``and`` of ``parts`` (None if there are none)."""
    out: Mapping | None = None
    for p in parts:
        out = p if out is None else {"k": "call", "fn": "and", "args": [out, p], "type": "bool"}
    return out
