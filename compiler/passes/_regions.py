"""Helpers of the relational passes: reading, splitting and rebuilding expression regions.

A filter predicate or assign body is a one-block region whose argument is a ``!cylon.row``;
``cylon.col`` reads a column of it. Moving such a region to another table means rebuilding it
over that table's row type, reading possibly renamed columns; these helpers do that, copying
only the ops a chosen set of yielded values needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerAttr
from xdsl.ir import Block, BlockArgument, Operation, OpResult, Region, SSAValue

from cylonc.dialects.cylon import (
    BinaryOp,
    CastOp,
    ColOp,
    RowType,
    TableType,
    UdfOp,
    YieldOp,
    i1,
    strip_nullable,
    value_type,
)


def row_arg(region: Region) -> BlockArgument:
    """The row argument of an expression region."""
    return region.blocks[0].args[0]


def yielded(region: Region) -> list[SSAValue]:
    """The values an expression region yields."""
    last = region.blocks[0].last_op
    assert isinstance(last, YieldOp)
    return list(last.values)


def slice_ops(region: Region, values: Iterable[SSAValue]) -> list[Operation]:
    """The ops of the region's block that compute ``values``, in block order."""
    block = region.blocks[0]
    needed: set[Operation] = set()
    stack = [v for v in values]
    while stack:
        v = stack.pop()
        if isinstance(v, OpResult) and v.op.parent_block() is block and v.op not in needed:
            needed.add(v.op)
            stack.extend(v.op.operands)
    return [op for op in block.ops if op in needed]


def columns_read(region: Region, values: Iterable[SSAValue] | None = None) -> set[str]:
    """The columns the region (or the part of it computing ``values``) reads."""
    ops = slice_ops(region, yielded(region) if values is None else values)
    return {op.column.data for op in ops if isinstance(op, ColOp)}


def row_only_read_by_col(region: Region) -> bool:
    """Whether only ``cylon.col`` uses the row argument (so the region can change tables)."""
    return all(isinstance(u.operation, ColOp) for u in row_arg(region).uses)


def outside_values(region: Region, values: Iterable[SSAValue] | None = None) -> set[SSAValue]:
    """Values the region (or its slice for ``values``) uses that are defined outside it."""
    block = region.blocks[0]
    ops = slice_ops(region, yielded(region) if values is None else values)
    out: set[SSAValue] = set()
    for op in ops:
        for v in op.operands:
            if isinstance(v, BlockArgument) and v.block is block:
                continue
            if isinstance(v, OpResult) and v.op.parent_block() is block:
                continue
            out.add(v)
    return out


def is_and(op: Operation | None) -> bool:
    return isinstance(op, arith.AndIOp) or (isinstance(op, BinaryOp) and op.fn.data == "and")


def conjuncts(region: Region) -> list[SSAValue]:
    """The region's yielded boolean split at ``and`` (``arith.andi`` / ``cylon.binop "and"``).

    Rows pass a filter exactly when every conjunct is true (Kleene ``and`` is true only when
    both sides are), so each conjunct can be its own filter.
    """
    block = region.blocks[0]
    out: list[SSAValue] = []

    def walk(v: SSAValue) -> None:
        if isinstance(v, OpResult) and v.op.parent_block() is block and is_and(v.op):
            walk(v.op.operands[0])
            walk(v.op.operands[1])
        else:
            out.append(v)

    walk(yielded(region)[0])
    return out


def may_fail(region: Region, values: Iterable[SSAValue] | None = None) -> bool:
    """Whether computing the values can raise on some rows (casts, integer powers, UDFs).

    Such a predicate must not be evaluated on rows it did not see before (rows another
    filter or a join would have removed).
    """
    for op in slice_ops(region, yielded(region) if values is None else values):
        if isinstance(op, CastOp | UdfOp):
            return True
        if isinstance(op, BinaryOp) and op.fn.data == "pow":
            return True
    return False


def field_sig(table: TableType, name: str) -> tuple[object, bool] | None:
    """``(element type, nullable)`` of a column, or None when absent."""
    f = table.field(name)
    return None if f is None else (f[1], f[2])


def same_fields(a: TableType, b: TableType) -> bool:
    """Whether two table types have the same columns, types and nullability, in order."""
    return a.fields == b.fields


class RowRegion:
    """Builds an expression region over ``row_type`` from parts of other regions."""

    def __init__(self, row_type: RowType):
        self.block = Block(arg_types=[row_type])

    @property
    def row(self) -> BlockArgument:
        return self.block.args[0]

    def copy(
        self, region: Region, values: Sequence[SSAValue], rename: Mapping[str, str] | None = None
    ) -> list[SSAValue]:
        """Copy the ops computing ``values`` (columns read through ``rename``); the copies."""
        rename = rename or {}
        old_row = row_arg(region)
        mapper: dict[SSAValue, SSAValue] = {}
        for op in slice_ops(region, values):
            if isinstance(op, ColOp) and op.row is old_row:
                col = op.column.data
                new: Operation = ColOp(self.row, rename.get(col, col))
                for key, attr in op.attributes.items():
                    new.attributes[key] = attr
            else:
                new = op.clone(value_mapper=mapper)
            self.block.add_op(new)
            mapper.update(zip(op.results, new.results))
        return [mapper.get(v, v) for v in values]

    def add(self, op: Operation) -> SSAValue:
        self.block.add_op(op)
        return op.results[0]

    def conj(self, values: Sequence[SSAValue]) -> SSAValue:
        """The ``and`` of boolean values, left to right."""
        acc = values[0]
        for v in values[1:]:
            nullable = strip_nullable(acc.type)[1] or strip_nullable(v.type)[1]
            if nullable:
                acc = self.add(BinaryOp("and", acc, v, value_type(i1, True)))
            else:
                acc = self.add(arith.AndIOp(acc, v))
        return acc

    def true(self) -> SSAValue:
        return self.add(arith.ConstantOp(IntegerAttr(1, i1)))

    def finish(self, values: Sequence[SSAValue]) -> Region:
        self.block.add_op(YieldOp(*values))
        return Region(self.block)


def predicate(
    row_type: RowType,
    parts: Sequence[tuple[Region, Sequence[SSAValue]]],
    rename: Mapping[str, str] | None = None,
) -> Region:
    """A predicate region over ``row_type``: the ``and`` of the given values of given regions."""
    b = RowRegion(row_type)
    vals: list[SSAValue] = []
    for region, values in parts:
        vals.extend(b.copy(region, values, rename))
    return b.finish([b.conj(vals)])
