"""``cylon-partition``: spread a pipeline over ``ranks`` data-parallel ranks.

After this pass every ``cylon`` op runs on each rank's part of its inputs, and explicit
communication ops (``cylon.shuffle``, ``cylon.allgather``, ``cylon.gather``,
``cylon.broadcast``, ``cylon.scatter``, ``cylon.splitters`` + ``cylon.range_shuffle``) move rows
where an operator needs them. Each table-making op gets a ``cylon.dist`` attribute saying how
its result is spread (see ``cylonc.dialects.cylon.DistAttr``).

Inputs start as ordered ``blocks`` (rank ``r`` holds the ``r``-th slice of the rows). Then:

- per-row ops (filter, assign, project, rename, fused chains) keep their input's distribution;
- a join co-partitions its sides by hash of the keys, shuffling only a side that is not
  already hash-partitioned on them, or broadcasts (all-gathers) a side that is small by
  estimate (``cylon.rows`` on the inputs); a join's result is hash-partitioned on its keys, so
  a group-by on the join key after it needs no shuffle;
- a group-by whose aggregates are all decomposable (sum, count, size, min, max, mean as sum
  and count, std/var from count, mean and squared deviations) aggregates locally
  (``cylon.partial_aggregate``), shuffles the partial rows by key and combines them
  (``cylon.final_aggregate``); with nunique, first or last it shuffles the raw rows; whole-table
  reductions all-gather the per-rank partials and combine them on every rank (replicated);
- a sort is a sample sort (splitters, range shuffle, local sort); ``head(n)`` after a sort takes
  the top ``n`` of each rank first and finishes on rank 0; ``drop_duplicates`` shuffles by its
  subset; a table result is gathered to rank 0.

Row order. Where an operator's answer depends on the input's row order (head without sort,
ties of a sort, first/last, the kept row of drop_duplicates on a subset) the pass keeps that
value in the order one rank would see ("ordered": rank order concatenation = the one-rank
order): an ordered table stays ordered through per-row ops, through a broadcast join of its
rows, through gathers, and a shuffle keeps each rank's rows in order. A group-by result that
must be ordered is range-partitioned by its keys; joins, unions and drop_duplicates whose
order must be kept run as broadcast joins or on rank 0.

Examples
--------
``cylonc opt -p 'cylon-partition{ranks=4}' q.mlir``
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i64
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from cylonc.dialects import cylon
from cylonc.dialects.cylon import TableType

__all__ = ["PartitionPass", "annotate_rows", "row_estimate", "tag_fused", "unfuse"]

ROWS_ATTR = "cylon.rows"
DIST_ATTR = "cylon.dist"
_ORDERED_AGGS = {"first", "last"}
_LEFT_KEEP = ("inner", "left", "semi", "anti", "left_anti")
_RIGHT_KEEP = ("inner", "right", "right_anti")
_REDUCE_AS_CYLON_REDUCE = {"sum": ("sum",), "count": ("count",), "size": ("count",), "min": ("min",),
                           "max": ("max",), "mean": ("sum", "count")}


def _strs(a) -> list[str]:
    return [x.data for x in a.data]


def _fields(v: SSAValue) -> list[str]:
    t = v.type
    assert isinstance(t, TableType)
    return t.column_names


def _is_table(v: SSAValue) -> bool:
    return isinstance(v.type, TableType)


# ---------------------------------------------------------------------------------------------
# the distribution of a value (the pass's own view; the IR carries kind and keys)


@dataclass(frozen=True)
class Dist:
    """How a value is spread: ``kind`` and ``keys`` (as ``#cylon.dist``), whether the rank-order
    concatenation is the one-rank row order (``ordered``: "global"), each rank's rows are in
    that order ("local") or neither ("none"), the keys each rank's rows are sorted by, and a
    row estimate."""

    kind: str
    keys: tuple[str, ...] = ()
    order: str = "global"
    sorted_by: tuple[str, ...] = ()
    rows: float | None = None

    @property
    def replicated(self) -> bool:
        return self.kind == "replicated"

    @property
    def attr(self) -> cylon.DistAttr:
        return cylon.DistAttr(self.kind, self.keys if self.kind in ("hash", "range") else ())


def _scale(rows: float | None, f: float) -> float | None:
    return None if rows is None else rows * f


def _carrying(op: cylon.JoinOp, wants: Sequence[tuple[str | None, str | None, tuple[str, str] | None]]
              ) -> list[str] | None:
    """For each (left column, right column, key pair) wanted, the first output column of the
    join that holds it in every output row: the merged key column of that pair, or the column
    copied from a side that every output row comes from; None if one is missing."""
    how = op.how.data
    entries = [_strs(c) for c in op.columns.data]
    out = []
    for left, right, pair in wants:
        hit = next((name for name, frm, src, rsrc in entries
                    if (frm == "key" and pair is not None and (src, rsrc) == pair)
                    or (frm == "left" and left is not None and src == left and how in _LEFT_KEEP)
                    or (frm == "right" and right is not None and src == right and how in _RIGHT_KEEP)), None)
        if hit is None:
            return None
        out.append(hit)
    return out


def _through(d: Dist, out_cols: Sequence[str], mapping: dict[str, str] | None = None,
             killed: Sequence[str] = ()) -> Dist:
    """`d` after a per-row op: columns renamed by `mapping`, `killed` ones overwritten, and
    the result holding `out_cols`."""
    mapping = mapping or {}
    cols = set(out_cols)

    def moved(k: str) -> str | None:
        if k in killed:
            return None
        n = mapping.get(k, k)
        return n if n in cols else None

    kind, keys = d.kind, d.keys
    if kind in ("hash", "range"):
        new = [moved(k) for k in keys]
        if any(n is None for n in new):
            kind, keys = "blocks", ()
        else:
            keys = tuple(new)  # type: ignore[arg-type]
    sorted_by: list[str] = []
    for k in d.sorted_by:
        n = moved(k)
        if n is None:
            break
        sorted_by.append(n)
    return replace(d, kind=kind, keys=keys, sorted_by=tuple(sorted_by))


def _order_of_shuffled(order: str) -> str:
    return "local" if order == "global" else "none"


# ---------------------------------------------------------------------------------------------
# estimates


def row_estimate(source: Any, fmt: str | None = None) -> int | None:
    """The row count of a source if it is cheap to know (a table, a Parquet footer)."""
    try:
        from cylonc.compiler.inputs import row_estimate as shared
    except ImportError:
        shared = None
    if shared is not None:
        return shared(source, fmt)
    import pyarrow as pa

    if isinstance(source, pa.Table | pa.RecordBatch):
        return source.num_rows
    if hasattr(source, "shape") and hasattr(source, "columns"):
        return int(source.shape[0])
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        name = path.name.lower()
        if fmt == "csv" or ".csv" in name or ".tsv" in name:
            return None
        try:
            import pyarrow.dataset as ds

            files = ds.dataset(str(path), format="parquet").files if path.is_dir() else [str(path)]
            import pyarrow.parquet as pq

            return sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        except Exception:  # noqa: BLE001 - an estimate only
            return None
    return None


def annotate_rows(module: ModuleOp, sources: dict[str, Any]) -> ModuleOp:
    """A clone of `module` whose ``cylon.input``/``cylon.read`` ops carry ``cylon.rows``
    (row estimates from `sources`: name -> table or path; reads use their path)."""
    out = module.clone()
    for op in out.ops:
        rows = None
        if isinstance(op, cylon.InputOp) and op.arg_name.data in sources:
            rows = row_estimate(sources[op.arg_name.data])
        elif isinstance(op, cylon.ReadOp):
            rows = row_estimate(op.path.data, op.format.data)
        if rows is not None:
            op.attributes[ROWS_ATTR] = IntegerAttr(int(rows), i64)
    return out


# ---------------------------------------------------------------------------------------------
# un-fusing


def unfuse(module: ModuleOp) -> None:
    """Inline every ``cylon.fused`` op's chain back into the module (partitioning works on
    single operators; the chains are fused again afterwards)."""
    fused_cls = getattr(cylon, "FusedOp", None)
    if fused_cls is None:
        return
    for op in list(module.ops):
        if not isinstance(op, fused_cls):
            continue
        block = op.body.blocks[0]
        yielded = block.last_op
        assert isinstance(yielded, cylon.YieldOp)
        result = yielded.values[0]
        Rewriter.erase_op(yielded)
        Rewriter.inline_block(block, InsertPoint.before(op), [op.input])
        op.output.replace_all_uses_with(result)
        Rewriter.erase_op(op)


def tag_fused(module: ModuleOp) -> None:
    """Give each ``cylon.fused`` op the ``cylon.dist`` of its chain's last operator (for chains
    fused after partitioning)."""
    fused_cls = getattr(cylon, "FusedOp", None)
    if fused_cls is None:
        return
    for op in module.ops:
        if isinstance(op, fused_cls) and DIST_ATTR not in op.attributes:
            chain = op.chain
            if chain and DIST_ATTR in chain[-1].attributes:
                op.attributes[DIST_ATTR] = chain[-1].attributes[DIST_ATTR]


# ---------------------------------------------------------------------------------------------
# the pass


@dataclass
class _Partitioner:
    module: ModuleOp
    ranks: int
    broadcast_rows: int
    info: dict[SSAValue, Dist] = field(default_factory=dict)
    need: set[SSAValue] = field(default_factory=set)
    anchor: Operation | None = None
    conversions: dict[tuple, SSAValue] = field(default_factory=dict)

    # -------------------------------------------------------------- demand for order

    def _needs(self, ops: list[Operation]) -> set[SSAValue]:
        """Values whose one-rank row order some consumer depends on."""
        need: set[SSAValue] = set()
        for op in reversed(ops):
            out = op.results[0] if op.results and _is_table(op.results[0]) else None
            wanted = out is not None and out in need
            if isinstance(op, cylon.FilterOp | cylon.ProjectOp | cylon.AssignOp | cylon.RenameOp):
                if wanted:
                    need.add(op.input)
            elif isinstance(op, cylon.JoinOp | cylon.UnionOp):
                if wanted:
                    need.update(v for v in op.operands if _is_table(v))
            elif isinstance(op, cylon.AggregateOp | cylon.ReduceOp):
                if {_strs(a)[0] for a in op.aggs.data} & _ORDERED_AGGS:
                    need.add(op.input)
            elif isinstance(op, cylon.SortOp):
                if set(_strs(op.keys)) != set(_fields(op.input)):
                    need.add(op.input)
            elif isinstance(op, cylon.LimitOp):
                need.add(op.input)
            elif isinstance(op, cylon.DistinctOp):
                subset = _strs(op.subset) if op.subset is not None else None
                if wanted or (subset is not None and set(subset) != set(_fields(op.input))):
                    need.add(op.input)
            elif isinstance(op, cylon.ScalarOp | cylon.OutputOp):
                pass
            elif isinstance(op, cylon.InputOp | cylon.ReadOp):
                pass
            elif any(_is_table(v) for v in op.operands):
                need.update(v for v in op.operands if _is_table(v))
        return need

    # -------------------------------------------------------------- emitting

    def _loc(self, op: Operation) -> None:
        if self.anchor is not None and "loc" in self.anchor.attributes and "loc" not in op.attributes:
            op.attributes["loc"] = self.anchor.attributes["loc"]

    def _set(self, v: SSAValue, d: Dist) -> SSAValue:
        self.info[v] = d
        owner = v.owner
        if isinstance(owner, Operation):
            owner.attributes[DIST_ATTR] = d.attr
        return v

    def _emit(self, op: Operation, d: Dist) -> SSAValue:
        assert self.anchor is not None
        Rewriter.insert_op(op, InsertPoint.before(self.anchor))
        self._loc(op)
        return self._set(op.results[0], d)

    def _emit_after(self, after: Operation, ops: Sequence[tuple[Operation, Dist]]) -> SSAValue:
        """Insert `ops` after `after` (in order); uses of `after`'s result outside them move to
        the last one's result."""
        old = after.results[0]
        point = after
        for op, d in ops:
            Rewriter.insert_op(op, InsertPoint.after(point))
            self._loc(op)
            self._set(op.results[0], d)
            point = op
        new = point.results[0]
        mine = {id(op) for op, _ in ops}
        old.replace_uses_with_if(new, lambda use: id(use.operation) not in mine)
        return new

    def d(self, v: SSAValue) -> Dist:
        return self.info.get(v) or Dist("blocks", order="none")

    def _cached(self, key: tuple, make) -> SSAValue:
        v = self.conversions.get(key)
        if v is None:
            v = make()
            self.conversions[key] = v
        return v

    def replicate(self, v: SSAValue) -> SSAValue:
        d = self.d(v)
        if d.replicated:
            return v
        return self._cached(("allgather", v), lambda: self._emit(
            cylon.AllGatherOp(v),
            Dist("replicated", order="global" if d.order == "global" else "none",
                 sorted_by=d.sorted_by if d.kind in ("range", "root") else (), rows=d.rows)))

    def partitioned(self, v: SSAValue) -> SSAValue:
        d = self.d(v)
        if not d.replicated:
            return v
        return self._cached(("scatter", v), lambda: self._emit(
            cylon.ScatterOp(v), Dist("blocks", order=d.order, rows=_scale(d.rows, 1 / self.ranks))))

    def to_root(self, v: SSAValue) -> SSAValue:
        v = self.partitioned(v)
        d = self.d(v)
        if d.kind == "root":
            return v
        return self._cached(("gather", v), lambda: self._emit(
            cylon.GatherOp(v),
            Dist("root", order=d.order if d.order == "global" else "none",
                 sorted_by=d.sorted_by if d.kind == "range" else (), rows=d.rows)))

    def shuffle(self, v: SSAValue, keys: Sequence[str]) -> SSAValue:
        v = self.partitioned(v)
        d = self.d(v)
        if d.kind == "hash" and list(d.keys) == list(keys):
            return v
        return self._cached(("shuffle", v, tuple(keys)), lambda: self._emit(
            cylon.ShuffleOp(v, keys),
            Dist("hash", tuple(keys), order=_order_of_shuffled(d.order), rows=d.rows)))

    # -------------------------------------------------------------- driver

    def run(self) -> None:
        ops = list(self.module.ops)
        self.need = self._needs(ops)
        for op in ops:
            self.anchor = op
            self.visit(op)
        self.anchor = None

    _HANDLERS = {
        cylon.JoinOp: "join", cylon.AggregateOp: "aggregate", cylon.ReduceOp: "reduce",
        cylon.SortOp: "sort", cylon.LimitOp: "limit", cylon.DistinctOp: "distinct",
        cylon.UnionOp: "union", cylon.OutputOp: "output",
    }
    """Table ops with a method of their own (named by the value)."""

    def visit(self, op: Operation) -> None:
        if isinstance(op, cylon.InputOp | cylon.ReadOp):
            rows = op.attributes.get(ROWS_ATTR)
            n = float(rows.value.data) if isinstance(rows, IntegerAttr) else None
            if n is not None and op.predicate_region is not None:
                n *= 0.5
            self._set(op.output, Dist("blocks", rows=n))
        elif isinstance(op, cylon.FilterOp):
            d = self.d(op.input)
            self._set(op.output, replace(d, rows=_scale(d.rows, 0.5)))
        elif isinstance(op, cylon.ProjectOp):
            self._set(op.output, _through(self.d(op.input), _strs(op.columns)))
        elif isinstance(op, cylon.AssignOp):
            self._set(op.output, _through(self.d(op.input), _fields(op.output), killed=_strs(op.names)))
        elif isinstance(op, cylon.RenameOp):
            self._set(op.output, _through(self.d(op.input), _fields(op.output),
                                          mapping=dict(zip(_strs(op.old), _strs(op.new)))))
        elif type(op) in self._HANDLERS:
            getattr(self, self._HANDLERS[type(op)])(op)
        elif isinstance(op, cylon.ScalarOp):
            op.operands[0] = self.replicate(op.input)
        elif isinstance(op, cylon.TRANSFER_OPS):
            # Host <-> device copies move no rows between ranks.
            self._set(op.results[0], self.d(op.operands[0]))
        elif isinstance(op, cylon.PARTITION_OPS):
            raise ValueError(f"cylon-partition: the module is already partitioned ({op.name})")
        elif any(_is_table(v) for v in (*op.operands, *op.results)):
            # An operator this pass does not know: run it on every rank over whole tables.
            for i, v in enumerate(op.operands):
                if _is_table(v):
                    op.operands[i] = self.replicate(v)
            for r in op.results:
                if _is_table(r):
                    self._set(r, Dist("replicated"))

    # -------------------------------------------------------------- join

    def _carriers(self, op: cylon.JoinOp, side: str, cols: Sequence[str]) -> list[str] | None:
        """Output columns that hold the values of `side`'s columns `cols` in every output row."""
        lo, ro = _strs(op.left_on), _strs(op.right_on)
        wants = []
        for c in cols:
            pos = next((i for i in range(len(lo)) if (lo[i] if side == "left" else ro[i]) == c), None)
            wants.append((c if side == "left" else None, c if side == "right" else None,
                          None if pos is None else (lo[pos], ro[pos])))
        return _carrying(op, wants)

    def _joined(self, op: cylon.JoinOp, d: Dist, side: str, order: str, rows: float | None) -> Dist:
        """The result's distribution when `side`'s rows stay where they are."""
        if d.kind in ("hash", "range"):
            keys = self._carriers(op, side, d.keys)
            if keys is None:
                return Dist("blocks", order=order, rows=rows)
            return Dist(d.kind, tuple(keys), order=order, rows=rows)
        return Dist(d.kind, order=order, rows=rows)

    def join(self, op: cylon.JoinOp) -> None:
        how = op.how.data
        lo, ro = _strs(op.left_on), _strs(op.right_on)
        L, R = self.d(op.left), self.d(op.right)
        rows = _join_rows(how, L.rows, R.rows)
        ordered = lambda *ds: "global" if all(x.order == "global" for x in ds) else "none"  # noqa: E731
        if L.replicated and R.replicated:
            self._set(op.output, Dist("replicated", order=ordered(L, R), rows=rows))
            return
        if op.output in self.need:
            if how in _LEFT_KEEP:
                op.operands[0] = self.partitioned(op.left)
                op.operands[1] = self.replicate(op.right)
                L = self.d(op.left)
                order = L.order if how in ("semi", "anti", "left_anti") else ordered(L, R)
                self._set(op.output, self._joined(op, L, "left", order, rows))
            elif how in _RIGHT_KEEP:
                op.operands[0] = self.replicate(op.left)
                op.operands[1] = self.partitioned(op.right)
                R = self.d(op.right)
                order = R.order if how == "right_anti" else ordered(L, R)
                self._set(op.output, self._joined(op, R, "right", order, rows))
            else:
                op.operands[0] = self.to_root(op.left)
                op.operands[1] = self.to_root(op.right)
                self._set(op.output, Dist("root", order=ordered(self.d(op.left), self.d(op.right)), rows=rows))
            return
        if R.replicated and how in _LEFT_KEEP:
            self._set(op.output, self._joined(op, L, "left", _bcast_order(how, L, R), rows))
            return
        if L.replicated and how in _RIGHT_KEEP:
            self._set(op.output, self._joined(op, R, "right", _bcast_order(how, R, L), rows))
            return
        op.operands[0] = self.partitioned(op.left)
        op.operands[1] = self.partitioned(op.right)
        L, R = self.d(op.left), self.d(op.right)
        # Which key positions each side is already hash-partitioned on.
        pos_l = _positions(L, lo)
        pos_r = _positions(R, ro)
        if pos_l is not None and pos_l == pos_r:
            plan = ("copart", pos_l, False, False)
        elif pos_l is not None and (pos_r is None or (R.rows or 0) <= (L.rows or 0)):
            plan = ("copart", pos_l, False, True)
        elif pos_r is not None:
            plan = ("copart", pos_r, True, False)
        else:
            plan = ("copart", list(range(len(lo))), True, True)
        _, positions, shuffle_l, shuffle_r = plan
        p = self.ranks
        cost_shuffle = ((L.rows if shuffle_l else 0) or 0) + ((R.rows if shuffle_r else 0) or 0)
        known = (not shuffle_l or L.rows is not None) and (not shuffle_r or R.rows is not None)
        cost_shuffle = cost_shuffle * (p - 1) / p if known else float("inf")
        options = []
        if how in _LEFT_KEEP and R.rows is not None and R.rows <= self.broadcast_rows:
            options.append((R.rows * (p - 1), "right"))
        if how in _RIGHT_KEEP and L.rows is not None and L.rows <= self.broadcast_rows:
            options.append((L.rows * (p - 1), "left"))
        options.sort()
        if options and options[0][0] < cost_shuffle:
            if options[0][1] == "right":
                op.operands[1] = self.replicate(op.right)
                self._set(op.output, self._joined(op, L, "left", _bcast_order(how, L, self.d(op.right)), rows))
            else:
                op.operands[0] = self.replicate(op.left)
                self._set(op.output, self._joined(op, R, "right", _bcast_order(how, R, self.d(op.left)), rows))
            return
        if shuffle_l:
            op.operands[0] = self.shuffle(op.left, [lo[i] for i in positions])
        if shuffle_r:
            op.operands[1] = self.shuffle(op.right, [ro[i] for i in positions])
        L, R = self.d(op.left), self.d(op.right)
        order = "local" if L.order != "none" and R.order != "none" else "none"
        carriers = self._key_carriers(op, positions)
        if carriers is None:
            self._set(op.output, Dist("blocks", order=order, rows=rows))
        else:
            self._set(op.output, Dist("hash", tuple(carriers), order=order, rows=rows))

    def _key_carriers(self, op: cylon.JoinOp, positions: Sequence[int]) -> list[str] | None:
        lo, ro = _strs(op.left_on), _strs(op.right_on)
        return _carrying(op, [(lo[i], ro[i], (lo[i], ro[i])) for i in positions])

    # -------------------------------------------------------------- aggregation

    def _range_by(self, v: SSAValue, keys: Sequence[str], ascending: Sequence[bool], rows) -> SSAValue:
        """Sample sort: splitters, range shuffle, local sort."""
        sp = self._emit(cylon.SplittersOp(v, keys, ascending), Dist("replicated"))
        rs = self._emit(cylon.RangeShuffleOp(v, sp, keys, ascending), Dist("range", tuple(keys), order="none", rows=rows))
        return rs

    def aggregate(self, op: cylon.AggregateOp) -> None:
        keys = _strs(op.keys)
        aggs = [_strs(a) for a in op.aggs.data]
        fns = {a[0] for a in aggs}
        d = self.d(op.input)
        rows = _scale(d.rows, 0.5)
        if d.replicated or d.kind == "root":
            self._set(op.output, Dist(d.kind, order="global", sorted_by=tuple(keys), rows=rows))
            return
        local_ok = d.kind in ("hash", "range") and set(d.keys) <= set(keys) and \
            (not (fns & _ORDERED_AGGS) or d.order != "none")
        result = op.output
        if local_ok:
            self._set(op.output, Dist(d.kind, d.keys, order="local", sorted_by=tuple(keys), rows=rows))
        elif fns <= set(cylon.DECOMPOSABLE_AGGS):
            part = self._emit(cylon.PartialAggregateOp(op.input, keys, aggs),
                              Dist("blocks", order="none", rows=rows))
            moved = self._emit(cylon.ShuffleOp(part, keys), Dist("hash", tuple(keys), order="none", rows=rows))
            final = cylon.FinalAggregateOp(moved, keys, aggs, op.output.type)  # type: ignore[arg-type]
            result = self._emit(final, Dist("hash", tuple(keys), order="local", sorted_by=tuple(keys), rows=rows))
            op.output.replace_all_uses_with(result)
            Rewriter.erase_op(op)
        else:
            needed = list(dict.fromkeys([*keys, *(a[1] for a in aggs if a[1])]))
            src = op.input
            if needed != _fields(src):
                src = self._emit(cylon.ProjectOp(src, needed), _through(d, needed))
            op.operands[0] = self.shuffle(src, keys)
            self._set(op.output, Dist("hash", tuple(keys), order="local", sorted_by=tuple(keys), rows=rows))
        if result in self.need or op.output in self.need:
            self._order_by_keys(result, keys)

    def _order_by_keys(self, v: SSAValue, keys: Sequence[str]) -> None:
        """Make `v` (each rank sorted by `keys`) globally ordered: range by keys, local sort."""
        d = self.d(v)
        owner = v.owner
        assert isinstance(owner, Operation)
        asc = [True] * len(keys)
        sp = cylon.SplittersOp(v, keys, asc)
        rs = cylon.RangeShuffleOp(v, sp.results[0], keys, asc)
        srt = cylon.SortOp(rs.results[0], keys, asc)
        self._emit_after(owner, [
            (sp, Dist("replicated")),
            (rs, Dist("range", tuple(keys), order="none", rows=d.rows)),
            (srt, Dist("range", tuple(keys), order="global", sorted_by=tuple(keys), rows=d.rows)),
        ])

    def reduce(self, op: cylon.ReduceOp) -> None:
        aggs = [_strs(a) for a in op.aggs.data]
        fns = {a[0] for a in aggs}
        d = self.d(op.input)
        if d.replicated:
            self._set(op.output, Dist("replicated", rows=1))
            return
        if fns <= set(_REDUCE_AS_CYLON_REDUCE):
            # Partial states as a plain (fusable) local reduce; all-gathered and combined.
            partial_aggs = []
            for fn, col, name in aggs:
                for state in _REDUCE_AS_CYLON_REDUCE[fn]:
                    sfn = "size" if fn == "size" else ("count" if state == "count" else state)
                    partial_aggs.append([sfn, col if sfn != "size" else "", f"{name}.{state}"])
            part = self._emit(cylon.ReduceOp(op.input, partial_aggs), Dist(d.kind if d.kind == "root" else "blocks", rows=1))
            every = self._emit(cylon.AllGatherOp(part), Dist("replicated", rows=self.ranks))
            final = cylon.FinalAggregateOp(every, [], aggs, op.output.type)  # type: ignore[arg-type]
            result = self._emit(final, Dist("replicated", rows=1))
            op.output.replace_all_uses_with(result)
            Rewriter.erase_op(op)
        elif fns <= set(cylon.DECOMPOSABLE_AGGS):
            part = self._emit(cylon.PartialAggregateOp(op.input, [], aggs), Dist("blocks", rows=1))
            every = self._emit(cylon.AllGatherOp(part), Dist("replicated", rows=self.ranks))
            final = cylon.FinalAggregateOp(every, [], aggs, op.output.type)  # type: ignore[arg-type]
            result = self._emit(final, Dist("replicated", rows=1))
            op.output.replace_all_uses_with(result)
            Rewriter.erase_op(op)
        else:
            needed = list(dict.fromkeys(a[1] for a in aggs if a[1])) or _fields(op.input)[:1]
            src = op.input
            if needed and needed != _fields(src):
                src = self._emit(cylon.ProjectOp(src, needed), _through(d, needed))
            op.operands[0] = self.to_root(src)
            self._set(op.output, Dist("root", rows=1))
            self._emit_after(op, [(cylon.BroadcastOp(op.output), Dist("replicated", rows=1))])

    # -------------------------------------------------------------- sort, limit, distinct, union

    def sort(self, op: cylon.SortOp) -> None:
        keys = _strs(op.keys)
        asc = [bool(a.data) for a in op.ascending.data]
        d = self.d(op.input)
        if d.replicated or d.kind == "root":
            self._set(op.output, replace(d, order="global", sorted_by=tuple(keys)))
            return
        users = [u.operation for u in op.output.uses]
        if len(users) == 1 and isinstance(users[0], cylon.LimitOp) and users[0].n.data >= 0:
            # Top n: each rank's first n, gathered, sorted again on rank 0.
            n = users[0].n.data
            self._set(op.output, replace(d, kind="blocks", keys=(), order="none", sorted_by=tuple(keys)))
            lim = cylon.LimitOp(op.output, n)
            gat = cylon.GatherOp(lim.results[0])
            srt = cylon.SortOp(gat.results[0], keys, asc)
            self._emit_after(op, [
                (lim, Dist("blocks", order="none", rows=n)),
                (gat, Dist("root", order="none", rows=n * self.ranks)),
                (srt, Dist("root", order="global", sorted_by=tuple(keys), rows=n * self.ranks)),
            ])
            return
        op.operands[0] = self._range_by(op.input, keys, asc, d.rows)
        self._set(op.output, Dist("range", tuple(keys), order="global", sorted_by=tuple(keys), rows=d.rows))

    def limit(self, op: cylon.LimitOp) -> None:
        n = op.n.data
        d = self.d(op.input)
        if d.replicated or d.kind == "root":
            self._set(op.output, replace(d, rows=n))
            return
        self._set(op.output, replace(d, rows=n))
        gat = cylon.GatherOp(op.output)
        lim = cylon.LimitOp(gat.results[0], n)
        self._emit_after(op, [
            (gat, Dist("root", order=d.order, sorted_by=d.sorted_by if d.kind == "range" else (), rows=n * self.ranks)),
            (lim, Dist("root", order=d.order, sorted_by=d.sorted_by if d.kind == "range" else (), rows=n)),
        ])

    def distinct(self, op: cylon.DistinctOp) -> None:
        subset = _strs(op.subset) if op.subset is not None else _fields(op.input)
        d = self.d(op.input)
        rows = _scale(d.rows, 0.5)
        if d.replicated or d.kind == "root":
            self._set(op.output, replace(d, rows=rows))
            return
        if op.output in self.need:
            op.operands[0] = self.to_root(op.input)
            self._set(op.output, replace(self.d(op.operands[0]), rows=rows))
            return
        if d.kind in ("hash", "range") and set(d.keys) <= set(subset):
            self._set(op.output, replace(d, rows=rows))
            return
        op.operands[0] = self.shuffle(op.input, subset)
        self._set(op.output, replace(self.d(op.operands[0]), rows=rows, sorted_by=()))

    def union(self, op: cylon.UnionOp) -> None:
        ds = [self.d(v) for v in op.inputs]
        rows = None if any(x.rows is None for x in ds) else sum(x.rows for x in ds)  # type: ignore[misc]
        if all(x.replicated for x in ds):
            order = "global" if all(x.order == "global" for x in ds) else "none"
            self._set(op.output, Dist("replicated", order=order, rows=rows))
            return
        if op.output in self.need:
            for i, v in enumerate(list(op.inputs)):
                op.operands[i] = self.to_root(v)
            order = "global" if all(self.d(v).order == "global" for v in op.inputs) else "none"
            self._set(op.output, Dist("root", order=order, rows=rows))
            return
        for i, v in enumerate(list(op.inputs)):
            op.operands[i] = self.partitioned(v)
        ds = [self.d(v) for v in op.inputs]
        first = ds[0]
        if len(ds) == 1:
            self._set(op.output, replace(first, rows=rows))
        elif first.kind == "hash" and all(x.kind == "hash" and x.keys == first.keys for x in ds):
            self._set(op.output, Dist("hash", first.keys, order="none", rows=rows))
        else:
            self._set(op.output, Dist("blocks", order="none", rows=rows))

    # -------------------------------------------------------------- output

    def output(self, op: cylon.OutputOp) -> None:
        for i, v in enumerate(list(op.values)):
            if not _is_table(v):
                continue
            d = self.d(v)
            if d.replicated:
                continue
            g = self.to_root(v)
            if d.order != "global" and d.sorted_by:
                keys = list(d.sorted_by)
                g = self._emit(cylon.SortOp(g, keys, [True] * len(keys)),
                               Dist("root", order="global", sorted_by=d.sorted_by, rows=d.rows))
            op.operands[i] = g


def _bcast_order(how: str, part: Dist, repl: Dist) -> str:
    """Row order of a join whose `part` side stays partitioned and whose other side is
    replicated: the partitioned side's order, and for joins that expand matches also the
    replicated side's (its rows' order among each row's matches)."""
    if how in ("semi", "anti", "left_anti", "right_anti"):
        return part.order
    if repl.order != "global":
        return "none"
    return part.order


def _positions(d: Dist, on: Sequence[str]) -> list[int] | None:
    """The key positions (indices into `on`) a hash-partitioned side is partitioned on."""
    if d.kind != "hash":
        return None
    out = []
    for k in d.keys:
        if k not in on:
            return None
        out.append(list(on).index(k))
    return out


def _join_rows(how: str, left: float | None, right: float | None) -> float | None:
    if how in ("semi", "anti", "left_anti"):
        return _scale(left, 0.5)
    if how == "right_anti":
        return _scale(right, 0.5)
    if left is None or right is None:
        return None
    if how == "left":
        return max(left, right)
    if how == "right":
        return max(left, right)
    if how == "outer":
        return left + right
    return max(left, right)


def _default_broadcast_rows() -> int:
    try:
        return int(os.environ.get("CYLONC_BROADCAST_ROWS", "") or 1_000_000)
    except ValueError:
        return 1_000_000


@dataclass(frozen=True)
class PartitionPass(ModulePass):
    """Partition a ``cylon`` module over ``ranks`` ranks (see the module docstring).

    Parameters
    ----------
    ranks : int
        Number of ranks; 1 leaves the module unchanged.
    broadcast_rows : int
        Largest estimated row count of a join side that may be broadcast (``-1``: the
        ``CYLONC_BROADCAST_ROWS`` environment variable, default 1,000,000; ``0`` never
        broadcasts).
    """

    name = "cylon-partition"

    ranks: int = 2
    broadcast_rows: int = -1

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.ranks <= 1:
            return
        limit = self.broadcast_rows if self.broadcast_rows >= 0 else _default_broadcast_rows()
        unfuse(op)
        _Partitioner(op, self.ranks, limit).run()


def dist_of(op: Operation) -> cylon.DistAttr | None:
    """The ``cylon.dist`` of an op's result, if the pass set one."""
    a = op.attributes.get(DIST_ATTR)
    return a if isinstance(a, cylon.DistAttr) else None


__all__ += ["Dist", "DIST_ATTR", "ROWS_ATTR", "dist_of"]
