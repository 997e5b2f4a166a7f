"""``cylon-scan-pushdown``: fold projections and filters into ``cylon.input``/``cylon.read``.

A ``cylon.project`` of a source becomes the source's ``columns`` (only those are read), and
the conjuncts of a filter on a source that ``pyarrow.dataset`` can evaluate (a column compared
with a literal, ``isin``, ``isna``/``notna``, a boolean column, and and/or/not of those) become
its predicate region, so Parquet row groups whose statistics rule them out are never read.
The runtime applies the scan predicate exactly (on the file where that is exact, after
conversion otherwise), so a conjunct folded into the scan leaves the filter; the other
conjuncts stay in a filter above. Only a source with that one user is changed. Filters stay
above an in-memory ``cylon.input`` (one marked ``cylon.memory``): skipping its rows saves no
reading, and ``cylon-fuse`` evaluates them in the kernel's single pass.

Before::

    %t = cylon.input "t" {index = 0 : i64, source_types = ["int64", "double", "string"]} : !cylon.table<"a": i64, "x": f64?, "s": !cylon.string>
    %f = cylon.filter %t : ... {
    ^bb0(%r : !cylon.row<"a": i64, "x": f64?, "s": !cylon.string>):
      %x = cylon.col %r "x" : ... -> !cylon.nullable<f64>
      %c = arith.constant 1.000000e+00 : f64
      %p = cylon.cmp "gt" %x, %c : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
      cylon.yield %p : !cylon.nullable<i1>
    }
    %p = cylon.project %f ["a"] : ... -> !cylon.table<"a": i64>

After::

    %t = cylon.input "t" columns ["a"] {index = 0 : i64, source = !cylon.table<"a": i64, "x": f64?, "s": !cylon.string>, source_types = [...]} : !cylon.table<"a": i64> {
    ^bb0(%r : !cylon.row<"a": i64, "x": f64?, "s": !cylon.string>):
      ... x > 1 ...
    }
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.ir import Block, Operation, OpResult, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint

from cylonc.compiler.passes._regions import conjuncts, predicate, row_only_read_by_col, yielded
from cylonc.dialects.cylon import (
    BinaryOp,
    CmpOp,
    ColOp,
    ConstOp,
    FilterOp,
    MEMORY_ATTR,
    InputOp,
    IsInOp,
    ProjectOp,
    ReadOp,
    RowType,
    TableType,
    UnaryOp,
    is_bool,
    strip_nullable,
)

_PREDICATES = (
    *("eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge"),
    *("oeq", "ogt", "oge", "olt", "ole", "one", "ueq", "une"),
)
"""``arith.cmpi``/``cmpf`` predicates the plan has a comparison for."""

Scan = InputOp | ReadOp


def _strs(a) -> list[str]:
    return [x.data for x in a.data]


def _rebuild(scan: Scan, columns: list[str] | None, pred: Region | None) -> Scan:
    full = scan.source_table
    if columns is not None and columns == full.column_names:
        columns = None
    types = _strs(scan.source_types)
    if isinstance(scan, InputOp):
        new: Scan = InputOp(scan.arg_name.data, scan.index.value.data, full, types, columns, pred)
    else:
        new = ReadOp(scan.format.data, scan.path.data, full, types, columns, pred)
    new.attributes.update(scan.attributes)
    return new


def _scan_of(v: SSAValue) -> Scan | None:
    if isinstance(v, OpResult) and isinstance(v.op, InputOp | ReadOp) and v.has_one_use():
        return v.op
    return None


def _is_col(v: SSAValue, block: Block) -> bool:
    return isinstance(v, OpResult) and isinstance(v.op, ColOp) and v.op.row is block.args[0]


def _is_literal(v: SSAValue) -> bool:
    if not isinstance(v, OpResult):
        return False
    if isinstance(v.op, arith.ConstantOp):
        return True
    return isinstance(v.op, ConstOp) and v.op.value is not None


def _is_true(v: SSAValue) -> bool:
    return (
        isinstance(v, OpResult)
        and isinstance(v.op, arith.ConstantOp)
        and isinstance(v.op.value, IntegerAttr)
        and v.op.value.value.data != 0
    )


def dataset_evaluable(v: SSAValue, block: Block) -> bool:
    """Whether the boolean ``v`` of ``block`` is one ``pyarrow.dataset`` can filter on."""
    if not isinstance(v, OpResult) or v.op.parent_block() is not block:
        return False
    op: Operation = v.op
    if isinstance(op, ColOp):
        return _is_col(v, block) and is_bool(strip_nullable(v.type)[0])
    if isinstance(op, arith.AndIOp | arith.OrIOp) or (isinstance(op, BinaryOp) and op.fn.data in ("and", "or")):
        return all(dataset_evaluable(o, block) for o in op.operands)
    if isinstance(op, UnaryOp) and op.fn.data == "not":
        return dataset_evaluable(op.operand, block)
    if isinstance(op, arith.XOrIOp):
        a, b = op.operands
        return (_is_true(b) and dataset_evaluable(a, block)) or (_is_true(a) and dataset_evaluable(b, block))
    if isinstance(op, UnaryOp) and op.fn.data in ("isna", "notna"):
        return _is_col(op.operand, block)
    if isinstance(op, IsInOp):
        return _is_col(op.operand, block)
    if isinstance(op, arith.CmpiOp | arith.CmpfOp | CmpOp):
        if isinstance(op, arith.CmpiOp | arith.CmpfOp):
            cmpi = isinstance(op, arith.CmpiOp)
            names = arith.CMPI_COMPARISON_OPERATIONS if cmpi else arith.CMPF_COMPARISON_OPERATIONS
            if names[op.predicate.value.data] not in _PREDICATES:
                return False
        a, b = op.operands
        return (_is_col(a, block) and _is_literal(b)) or (_is_literal(a) and _is_col(b, block))
    return False


class FoldProjectIntoScan(RewritePattern):
    """``project(scan, cols)`` -> ``scan`` reading only ``cols``."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ProjectOp, rewriter: PatternRewriter) -> None:
        scan = _scan_of(op.input)
        if scan is None:
            return
        region = scan.predicate_region
        new = _rebuild(scan, _strs(op.columns), region.clone() if region is not None else None)
        rewriter.insert(new, InsertPoint.before(scan))
        rewriter.replace_all_uses_with(op.output, new.output)
        rewriter.erase(op)
        rewriter.erase(scan)


class FoldFilterIntoScan(RewritePattern):
    """``filter(scan, p and q)`` -> ``filter(scan where p, q)`` for ``p`` dataset-evaluable."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: FilterOp, rewriter: PatternRewriter) -> None:
        scan = _scan_of(op.input)
        if scan is None or MEMORY_ATTR in scan.attributes or not row_only_read_by_col(op.predicate):
            return
        block = op.predicate.blocks[0]
        parts = conjuncts(op.predicate)
        pushed = [p for p in parts if dataset_evaluable(p, block)]
        if not pushed:
            return
        rest = [p for p in parts if p not in pushed]
        full = scan.source_table
        assert isinstance(full, TableType)
        sources = [(op.predicate, pushed)]
        old = scan.predicate_region
        if old is not None:
            sources.insert(0, (old, yielded(old)))
        new = _rebuild(scan, scan.read_columns, predicate(RowType.of(full), sources))
        rewriter.insert(new, InsertPoint.before(scan))
        if rest:
            row = RowType.of(new.output.type)  # type: ignore[arg-type]
            f = FilterOp(new.output, predicate(row, [(op.predicate, rest)]))
            f.attributes.update(op.attributes)
            rewriter.insert(f, InsertPoint.before(op))
            rewriter.replace_all_uses_with(op.output, f.output)
        else:
            rewriter.replace_all_uses_with(op.output, new.output)
        rewriter.erase(op)
        rewriter.erase(scan)


@dataclass(frozen=True)
class ScanPushdown(ModulePass):
    """Fold projections and dataset-evaluable filter conjuncts into the sources."""

    name = "cylon-scan-pushdown"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier([FoldProjectIntoScan(), FoldFilterIntoScan()])
        ).rewrite_module(op)
