"""``cylon-fuse``: fuse chains of per-row operators into ``cylon.fused`` kernels.

A chain is a maximal sequence of ``cylon.filter``, ``cylon.assign``, ``cylon.project`` and
``cylon.rename`` over one input, each reading the previous one's result and being its only
user, optionally ended by a ``cylon.reduce`` or a grouped ``cylon.aggregate`` whose aggregates
are all decomposable (sum, count, size, min, max, mean): the pipelines of HyPer and LingoDB,
which one loop over the input rows computes without materializing any intermediate table. Chains of only projections
and renames are left alone (there is nothing to compute).

Before::

    %1 = cylon.filter %0 : !cylon.table<"x": f64, "y": f64> -> !cylon.table<"x": f64, "y": f64> {
    ^bb0(%row : !cylon.row<"x": f64, "y": f64>):
      %x = cylon.col %row "x" : !cylon.row<"x": f64, "y": f64> -> f64
      %c = arith.constant 0.000000e+00 : f64
      %p = arith.cmpf ogt, %x, %c : f64
      cylon.yield %p : i1
    }
    %2 = cylon.assign %1 ["z"] : ... -> !cylon.table<"x": f64, "y": f64, "z": f64> { ... }
    %3 = cylon.reduce %2 aggs [["sum", "z", "s"]] : ... -> !cylon.table<"s": f64>
    %4 = cylon.scalar %3 "s" : !cylon.table<"s": f64> -> f64

After::

    %3 = cylon.fused "fused_0" %0 : !cylon.table<"x": f64, "y": f64> -> !cylon.table<"s": f64> {
    ^bb0(%in : !cylon.table<"x": f64, "y": f64>):
      %1 = cylon.filter %in : ... { ... }
      %2 = cylon.assign %1 ["z"] : ... { ... }
      %r = cylon.reduce %2 aggs [["sum", "z", "s"]] : ... -> !cylon.table<"s": f64>
      cylon.yield %r : !cylon.table<"s": f64>
    }
    %4 = cylon.scalar %3 "s" : !cylon.table<"s": f64> -> f64

Kernels are named ``fused_<i>`` in module order. Whether a kernel runs natively or falls back
to the Arrow interpreter is decided when it is lowered (``cylonc.compiler.codegen.lower``).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter, PatternRewriteWalker, RewritePattern

from cylonc.dialects import cylon

_ROW_OPS = (cylon.FilterOp, cylon.AssignOp, cylon.ProjectOp, cylon.RenameOp)
_WORK_OPS = (cylon.FilterOp, cylon.AssignOp, cylon.ReduceOp, cylon.AggregateOp)


def _fusable_reduce(op: Operation) -> bool:
    return isinstance(op, cylon.ReduceOp | cylon.AggregateOp) and all(
        a.data[0].data in cylon.FUSABLE_AGGS  # type: ignore[union-attr]
        for a in op.aggs.data
    )


def _chain_op(op: Operation | None) -> bool:
    return isinstance(op, _ROW_OPS) or (op is not None and _fusable_reduce(op))


def _sole_user(value: SSAValue) -> Operation | None:
    uses = list(value.uses)
    return uses[0].operation if len(uses) == 1 else None


def _extends(prev: Operation | None, op: Operation) -> bool:
    """Whether ``op`` continues the chain that ends with ``prev`` (its input's owner)."""
    return (
        isinstance(prev, _ROW_OPS)
        and prev.parent is op.parent
        and isinstance(prev.parent_op(), ModuleOp)
        and _sole_user(prev.results[0]) is op
    )


def chain_ending_at(op: Operation) -> list[Operation]:
    """The maximal fusable chain whose last operator is ``op`` (empty if ``op`` is not the
    end of one: it is not fusable, or its only user continues the chain)."""
    if not _chain_op(op) or not isinstance(op.parent_op(), ModuleOp):
        return []
    if isinstance(op, _ROW_OPS):
        user = _sole_user(op.results[0])
        if user is not None and _chain_op(user) and _extends(op, user):
            return []
    chain = [op]
    while True:
        prev = chain[0].operands[0].owner
        if not isinstance(prev, Operation) or not _extends(prev, chain[0]):
            break
        chain.insert(0, prev)
    return chain


@dataclass
class FuseChains(RewritePattern):
    """Rewrites the last operator of a chain (and the chain before it) into a ``cylon.fused``."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        chain = chain_ending_at(op)
        if not chain or not any(isinstance(c, _WORK_OPS) for c in chain):
            return
        source = chain[0].operands[0]
        block = Block(arg_types=[source.type])
        mapping: dict[SSAValue, SSAValue] = {source: block.args[0]}
        for c in chain:
            block.add_op(c.clone(value_mapper=mapping))
        last = mapping[chain[-1].results[0]]
        block.add_op(cylon.YieldOp(last))
        assert isinstance(last.type, cylon.TableType)
        fused = cylon.FusedOp(source, "fused", Region(block), last.type)
        loc = chain[-1].attributes.get("loc")
        if loc is not None:
            fused.attributes["loc"] = loc
        rewriter.replace(chain[-1], fused)
        for c in reversed(chain[:-1]):
            rewriter.erase(c)


@dataclass(frozen=True)
class FusePass(ModulePass):
    """Fuse filter/assign/project/rename chains (and a final decomposable reduce or group-by
    aggregate) into ``cylon.fused`` ops named ``fused_<i>`` in module order."""

    name = "cylon-fuse"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(FuseChains(), apply_recursively=False, walk_regions_first=False).rewrite_module(op)
        for i, fused in enumerate(o for o in op.walk() if isinstance(o, cylon.FusedOp)):
            fused.properties["kernel"] = StringAttr(f"fused_{i}")


__all__ = ["FusePass", "FuseChains", "chain_ending_at"]
