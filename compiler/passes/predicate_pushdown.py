"""``cylon-predicate-pushdown``: move filters towards the sources.

A filter's predicate is split at ``and`` into one filter per conjunct; each conjunct moves
below ``project``, ``rename`` (reading the old column names), ``assign`` (unless it reads a
column the assign computes), ``sort``, ``union`` (into every input), ``aggregate`` (when it
reads group keys only) and ``join`` (into the side its columns come from: either side of an
inner join, where a predicate on merged keys goes into both; the preserved side of a left,
right, semi, anti or anti-only join; never through an outer join). Filters never move past
``limit``, ``distinct`` or ``reduce``. Last, filters left adjacent merge into one.

Before::

    %j = cylon.join "inner" %a, %b on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]] : ...
    %f = cylon.filter %j : ... {
    ^bb0(%r : !cylon.row<"k": i64, "x": f64, "y": f64>):
      %x = cylon.col %r "x" : ... -> f64
      %y = cylon.col %r "y" : ... -> f64
      %c = arith.constant 0.000000e+00 : f64
      %p = arith.cmpf ogt, %x, %c : f64
      %q = arith.cmpf ogt, %y, %c : f64
      %pq = arith.andi %p, %q : i1
      cylon.yield %pq : i1
    }

After::

    %fa = cylon.filter %a : ... {  ... x > 0 ... }
    %fb = cylon.filter %b : ... {  ... y > 0 ... }
    %j = cylon.join "inner" %fa, %fb on ["k"] = ["k"] columns [...] : ...

A conjunct that may raise on rows it did not see before (a cast, an integer power, a UDF) is
not moved through joins or aggregates nor merged into a filter below it. A conjunct moves only
when the op it passes has no other user and the columns it reads keep their types below.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, OpResult, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint

from cylonc.compiler.passes._regions import (
    columns_read,
    conjuncts,
    field_sig,
    may_fail,
    outside_values,
    predicate,
    row_only_read_by_col,
    yielded,
)
from cylonc.dialects.cylon import (
    AggregateOp,
    AssignOp,
    FilterOp,
    JoinOp,
    ProjectOp,
    RenameOp,
    RowType,
    SortOp,
    TableType,
    UnionOp,
)

_LEFT_SIDE = ("inner", "left", "semi", "anti", "left_anti")
_RIGHT_SIDE = ("inner", "right", "right_anti")


class SplitConjunctions(RewritePattern):
    """``filter(x, a and b)`` -> ``filter(filter(x, a), b)``."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: FilterOp, rewriter: PatternRewriter) -> None:
        parts = conjuncts(op.predicate)
        if len(parts) < 2:
            return
        row = RowType.of(op.input.type)  # type: ignore[arg-type]
        chain: list[FilterOp] = []
        value = op.input
        for part in parts:
            chain.append(FilterOp(value, predicate(row, [(op.predicate, [part])])))
            chain[-1].attributes.update(op.attributes)
            value = chain[-1].output
        at = op
        for f in reversed(chain):
            # Inserted last, the lowest filter is moved first, so the conjuncts keep their order.
            rewriter.insert(f, InsertPoint.before(at))
            at = f
        rewriter.replace_all_uses_with(op.output, value)
        rewriter.erase(op)


def _join_targets(op: JoinOp, cols: set[str], movable: bool) -> list[tuple[int, dict[str, str]]]:
    if not movable:
        return []
    how = op.how.data
    entries = {c.data[0].data: [a.data for a in c.data] for c in op.columns.data}
    targets = []
    for index, side, allowed in ((0, "left", _LEFT_SIDE), (1, "right", _RIGHT_SIDE)):
        if how not in allowed:
            continue
        names: dict[str, str] = {}
        for c in cols:
            _, src_side, src, rsrc = entries[c]
            if src_side == side:
                names[c] = src
            elif src_side == "key":
                names[c] = src if side == "left" else rsrc
            else:
                break
        else:
            targets.append((index, names))
    return targets


def _targets(x: Operation, cols: set[str], movable: bool) -> list[tuple[int, dict[str, str]]]:
    """Where a predicate reading ``cols`` of ``x``'s result can go: (operand, column map)."""
    same = {c: c for c in cols}
    if isinstance(x, ProjectOp | SortOp):
        return [(0, same)]
    if isinstance(x, RenameOp):
        back = {n.data: o.data for o, n in zip(x.old.data, x.new.data)}
        return [(0, {c: back.get(c, c) for c in cols})]
    if isinstance(x, AssignOp):
        return [] if cols & {n.data for n in x.names.data} else [(0, same)]
    if isinstance(x, AggregateOp):
        keys = {k.data for k in x.keys.data}
        return [(0, same)] if movable and cols <= keys else []
    if isinstance(x, UnionOp):
        return [(i, same) for i in range(len(x.inputs))]
    if isinstance(x, JoinOp):
        return _join_targets(x, cols, movable)
    return []


def _types_kept(x: Operation, index: int, names: dict[str, str]) -> bool:
    out, below = x.results[0].type, x.operands[index].type
    assert isinstance(out, TableType) and isinstance(below, TableType)
    return all(field_sig(below, names[c]) == field_sig(out, c) for c in names)


class PushFilter(RewritePattern):
    """Move a filter below the op that produces its input (past a chain of filters on it)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: FilterOp, rewriter: PatternRewriter) -> None:
        region = op.predicate
        if not row_only_read_by_col(region):
            return
        below: SSAValue = op.input
        user: Operation = op
        while isinstance(below, OpResult) and isinstance(below.op, FilterOp) and below.has_one_use():
            user = below.op
            below = below.op.input
        if not isinstance(below, OpResult) or not below.has_one_use():
            return
        x = below.op
        cols = columns_read(region)
        targets = _targets(x, cols, not may_fail(region))
        if not targets:
            return
        if isinstance(x, UnionOp):
            if not all(_types_kept(x, i, m) for i, m in targets):
                return
        else:
            targets = [(i, m) for i, m in targets if _types_kept(x, i, m)]
            if not targets:
                return
        block = op.parent_block()
        assert block is not None
        if user is not op:
            limit = block.get_operation_index(user)
            for v in outside_values(region):
                if isinstance(v, OpResult) and v.op.parent_block() is block:
                    if block.get_operation_index(v.op) >= limit:
                        return
        at = InsertPoint.before(user)
        operands = list(x.operands)
        for index, names in targets:
            source = x.operands[index]
            row = RowType.of(source.type)  # type: ignore[arg-type]
            f = FilterOp(source, predicate(row, [(region, yielded(region))], names))
            f.attributes.update(op.attributes)
            rewriter.insert(f, at)
            operands[index] = f.output
        new_x = x.clone()
        new_x.operands = operands
        rewriter.insert(new_x, at)
        rewriter.replace_all_uses_with(x.results[0], new_x.results[0])
        rewriter.erase(x)
        rewriter.replace_all_uses_with(op.output, op.input)
        rewriter.erase(op)


class MergeFilters(RewritePattern):
    """``filter(filter(x, p), q)`` -> ``filter(x, p and q)``."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: FilterOp, rewriter: PatternRewriter) -> None:
        inner = op.input
        if not isinstance(inner, OpResult) or not isinstance(inner.op, FilterOp) or not inner.has_one_use():
            return
        g = inner.op
        if may_fail(op.predicate) or not row_only_read_by_col(op.predicate) or not row_only_read_by_col(g.predicate):
            return
        row = RowType.of(g.input.type)  # type: ignore[arg-type]
        merged = FilterOp(
            g.input, predicate(row, [(g.predicate, yielded(g.predicate)), (op.predicate, yielded(op.predicate))])
        )
        merged.attributes.update(g.attributes)
        rewriter.replace(op, merged)
        rewriter.erase(g)


@dataclass(frozen=True)
class PredicatePushdown(ModulePass):
    """Split filters into conjuncts, move each towards the sources, merge what stays adjacent."""

    name = "cylon-predicate-pushdown"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(GreedyRewritePatternApplier([SplitConjunctions(), PushFilter()])).rewrite_module(op)
        PatternRewriteWalker(MergeFilters()).rewrite_module(op)
