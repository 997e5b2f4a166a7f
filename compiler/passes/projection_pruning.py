"""``cylon-projection-pruning``: compute only the columns that are used.

A backward pass finds, for every table value, the columns its users need (an output or an op
this pass does not know needs all of them). A forward pass then rebuilds each op over its
narrowed inputs: assign drops the columns nobody reads, aggregate and reduce drop unused
aggregates, join lists only used columns, project keeps only used ones, and a ``cylon.project``
is inserted where an op yields more columns than its users need (at the latest right after a
``cylon.input``/``cylon.read``, where ``cylon-scan-pushdown`` folds it into the scan).
Afterwards every table value has exactly its needed columns, in their original order, so the
types seen by outputs and unknown ops do not change; identity projections are removed and
projections of projections folded.

Before::

    %t = cylon.input "t" {...} : !cylon.table<"a": i64, "b": f64, "c": f64>
    %u = cylon.assign %t ["d", "e"] : ... {  ... d = a * 2, e = b + c ... }
    %p = cylon.project %u ["a", "d"] : ... -> !cylon.table<"a": i64, "d": i64>

After::

    %t = cylon.input "t" {...} : !cylon.table<"a": i64, "b": f64, "c": f64>
    %n = cylon.project %t ["a"] : ... -> !cylon.table<"a": i64>
    %u = cylon.assign %n ["d"] : ... -> !cylon.table<"a": i64, "d": i64> {  ... d = a * 2 ... }

A value whose users need no column keeps its first one (a table keeps its row count only
through some column), and an aggregate or reduce keeps at least one aggregate.
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
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.traits import Pure

from cylonc.compiler.passes._regions import RowRegion, columns_read, predicate, yielded
from cylonc.dialects.cylon import (
    AggregateOp,
    AssignOp,
    DistinctOp,
    FilterOp,
    JoinOp,
    LimitOp,
    ProjectOp,
    ReduceOp,
    RenameOp,
    RowType,
    ScalarOp,
    SortOp,
    TableType,
    UnionOp,
)


def _strs(a) -> list[str]:
    return [x.data for x in a.data]


def _cols(v: SSAValue) -> list[str]:
    assert isinstance(v.type, TableType)
    return v.type.column_names


def _is_table(v: SSAValue) -> bool:
    return isinstance(v.type, TableType)


_KNOWN = (FilterOp, ProjectOp, AssignOp, RenameOp, JoinOp, AggregateOp, ReduceOp, SortOp, LimitOp, DistinctOp, UnionOp)


class _Pruner:
    def __init__(self, module: ModuleOp):
        self.block = module.body.blocks[0]
        self.need: dict[SSAValue, set[str]] = {}
        self.orig: dict[SSAValue, list[str]] = {}
        self.before: dict[Operation, list[list[str] | None]] = {}

    # ------------------------------------------------------------------ backward: needs

    def add(self, v: SSAValue, cols) -> None:
        if _is_table(v):
            self.need.setdefault(v, set()).update(cols)

    def needed(self, v: SSAValue) -> set[str]:
        """The columns of ``v`` its users need; the first column when they need none."""
        cols = self.need.get(v, set())
        if not cols:
            cols = {_cols(v)[0]}
        self.need[v] = cols
        return cols

    def kept_aggs(self, op: AggregateOp | ReduceOp, need: set[str]) -> list[list[str]]:
        aggs = [_strs(a) for a in op.aggs.data]
        kept = [a for a in aggs if a[2] in need]
        return kept or aggs[:1]

    def demand(self, op: Operation) -> None:
        self.before[op] = [_cols(v) if _is_table(v) else None for v in op.operands]
        for r in op.results:
            if _is_table(r):
                self.orig[r] = _cols(r)
        if isinstance(op, _KNOWN):
            need = self.needed(op.results[0])
        if isinstance(op, FilterOp):
            self.add(op.input, need | columns_read(op.predicate))
        elif isinstance(op, ProjectOp):
            self.add(op.input, need)
        elif isinstance(op, AssignOp):
            names = _strs(op.names)
            kept = [v for n, v in zip(names, yielded(op.body)) if n in need]
            self.add(op.input, (need - set(names)) | (columns_read(op.body, kept) if kept else set()))
        elif isinstance(op, RenameOp):
            back = dict(zip(_strs(op.new), _strs(op.old)))
            self.add(op.input, {back.get(c, c) for c in need})
        elif isinstance(op, JoinOp):
            left, right = set(_strs(op.left_on)), set(_strs(op.right_on))
            for c in op.columns.data:
                name, side, src, rsrc = _strs(c)
                if name in need:
                    if side in ("left", "key"):
                        left.add(src)
                    if side == "right":
                        right.add(src)
                    if side == "key":
                        right.add(rsrc)
            self.add(op.left, left)
            self.add(op.right, right)
        elif isinstance(op, AggregateOp | ReduceOp):
            cols = {a[1] for a in self.kept_aggs(op, need) if a[1]}
            if isinstance(op, AggregateOp):
                cols |= set(_strs(op.keys))
            self.add(op.input, cols)
        elif isinstance(op, SortOp):
            self.add(op.input, need | set(_strs(op.keys)))
        elif isinstance(op, LimitOp):
            self.add(op.input, need)
        elif isinstance(op, DistinctOp):
            self.add(op.input, _cols(op.input) if op.subset is None else need | set(_strs(op.subset)))
        elif isinstance(op, UnionOp):
            parts = [need & set(_cols(v)) for v in op.inputs]
            if not all(parts):
                self.need[op.output] = set(_cols(op.output))
                parts = [set(_cols(v)) for v in op.inputs]
            for v, p in zip(op.inputs, parts):
                self.add(v, p)
        elif isinstance(op, ScalarOp):
            self.add(op.input, {op.column.data})
        else:
            for v in op.operands:
                self.add(v, _cols(v) if _is_table(v) else ())

    # ------------------------------------------------------------------ forward: rebuild

    def want(self, v: SSAValue) -> list[str]:
        """The columns ``v`` keeps: those needed, in their original order."""
        need = self.need.get(v) or ({self.orig[v][0]} if v.uses else set(self.orig[v]))
        return [c for c in self.orig[v] if c in need]

    def settle(self, old: SSAValue, new: SSAValue) -> None:
        """Give ``old``'s users ``new`` (built in its place), projected to ``old``'s wanted columns."""
        want = self.want(old)
        anchor = old.owner
        assert isinstance(anchor, Operation)
        if _cols(new) != want:
            proj = ProjectOp(new, want)
            if new is old:
                Rewriter.insert_op(proj, InsertPoint.after(anchor))
                old.replace_uses_with_if(proj.output, lambda use: use.operation is not proj)
                return
            Rewriter.insert_op(proj, InsertPoint.before(anchor))
            new = proj.output
        if new is not old:
            old.replace_all_uses_with(new)

    def rebuild(self, op: Operation) -> None:
        if not isinstance(op, _KNOWN):
            if isinstance(op, ScalarOp) or not any(_is_table(r) for r in op.results):
                return
            for r in op.results:
                if _is_table(r):
                    self.settle(r, r)
            return
        out = op.results[0]
        need = self.need[out]
        new = self.build(op, need)
        if new is None:
            self.settle(out, out)
            return
        if isinstance(new, Operation):
            new.attributes.update(op.attributes)
            Rewriter.insert_op(new, InsertPoint.before(op))
            value = new.results[0]
        else:
            value = new
        self.settle(out, value)
        if value is not out:
            Rewriter.erase_op(op)

    def build(self, op: Operation, need: set[str]) -> Operation | SSAValue | None:
        """The op (or value) replacing ``op`` over its current operands; None: keep ``op``."""
        if isinstance(op, FilterOp):
            if _cols(op.input) == _cols(op.output):
                return None
            row = RowType.of(op.input.type)  # type: ignore[arg-type]
            return FilterOp(op.input, predicate(row, [(op.predicate, yielded(op.predicate))]))
        if isinstance(op, ProjectOp):
            cols = [c for c in _strs(op.columns) if c in need]
            if cols == _cols(op.input):
                return op.input
            return ProjectOp(op.input, cols) if cols != _strs(op.columns) else None
        if isinstance(op, AssignOp):
            names = _strs(op.names)
            kept = [(n, v) for n, v in zip(names, yielded(op.body)) if n in need]
            if not kept:
                return op.input
            if len(kept) == len(names) and not self.changed(op):
                return None
            b = RowRegion(RowType.of(op.input.type))  # type: ignore[arg-type]
            vals = b.copy(op.body, [v for _, v in kept])
            return AssignOp(op.input, [n for n, _ in kept], b.finish(vals))
        if isinstance(op, RenameOp):
            have = set(_cols(op.input))
            pairs = [(o, n) for o, n in zip(_strs(op.old), _strs(op.new)) if o in have]
            if not pairs:
                return op.input
            if len(pairs) == len(op.old.data) and not self.changed(op):
                return None
            return RenameOp(op.input, [o for o, _ in pairs], [n for _, n in pairs])
        if isinstance(op, JoinOp):
            cols = [_strs(c) for c in op.columns.data]
            kept = [c for c in cols if c[0] in need]
            if len(kept) == len(cols) and not self.changed(op):
                return None
            return JoinOp(op.left, op.right, op.how.data, _strs(op.left_on), _strs(op.right_on), kept)
        if isinstance(op, AggregateOp | ReduceOp):
            aggs = self.kept_aggs(op, need)
            if len(aggs) == len(op.aggs.data) and not self.changed(op):
                return None
            if isinstance(op, AggregateOp):
                return AggregateOp(op.input, _strs(op.keys), aggs)
            return ReduceOp(op.input, aggs)
        if isinstance(op, SortOp | LimitOp | DistinctOp):
            if not self.changed(op):
                return None
            if isinstance(op, SortOp):
                return SortOp(op.input, _strs(op.keys), [bool(a.data) for a in op.ascending.data])
            if isinstance(op, LimitOp):
                return LimitOp(op.input, op.n.data)
            return DistinctOp(op.input, None if op.subset is None else _strs(op.subset))
        if isinstance(op, UnionOp):
            result = op.output.type
            assert isinstance(result, TableType)
            want = self.want(op.output)
            if want == result.column_names and not self.changed(op):
                return None
            fields = [result.field(c) for c in want]
            return UnionOp(list(op.inputs), TableType.from_fields(fields))  # type: ignore[arg-type]
        return None

    def changed(self, op: Operation) -> bool:
        """Whether an operand of ``op`` lost columns since the pass began."""
        now = [_cols(v) if _is_table(v) else None for v in op.operands]
        return now != self.before[op]

    def run(self) -> None:
        ops = list(self.block.ops)
        for op in reversed(ops):
            self.demand(op)
        for op in ops:
            self.rebuild(op)


def _dead_table_ops(module: ModuleOp) -> None:
    for op in reversed(list(module.body.blocks[0].ops)):
        if op.has_trait(Pure()) and all(not r.uses for r in op.results) and op.results:
            Rewriter.erase_op(op)


class RemoveIdentityProject(RewritePattern):
    """``project(x, all columns of x in order)`` -> ``x``."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ProjectOp, rewriter: PatternRewriter) -> None:
        if _strs(op.columns) == _cols(op.input):
            rewriter.replace(op, [], [op.input])


class FoldProjects(RewritePattern):
    """``project(project(x, a), b)`` -> ``project(x, b)``."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ProjectOp, rewriter: PatternRewriter) -> None:
        inner = op.input
        if isinstance(inner, OpResult) and isinstance(inner.op, ProjectOp):
            new = ProjectOp(inner.op.input, _strs(op.columns))
            new.attributes.update(op.attributes)
            rewriter.replace(op, new)


@dataclass(frozen=True)
class ProjectionPruning(ModulePass):
    """Narrow every table to the columns its users need, down to the sources."""

    name = "cylon-projection-pruning"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        _dead_table_ops(op)
        _Pruner(op).run()
        PatternRewriteWalker(GreedyRewritePatternApplier([RemoveIdentityProject(), FoldProjects()])).rewrite_module(op)
