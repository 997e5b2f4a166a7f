"""``cylon-place``: put every operator on the CPU or the GPU, with explicit transfers.

A cost model estimates, for each table operator, its input and output rows (``cylon.rows`` on
the sources: a Parquet footer's ``num_rows`` or an in-memory table's length; selectivity
guesses for predicates; join, aggregate and limit output estimates), the time it takes on the
CPU and on the GPU (per-row costs by operator kind and expression size, plus fixed kernel
launch costs on the GPU), and the cost of moving each table between host and device memory
(bytes over PCIe, plus host-side dictionary encoding of string columns). It then picks the
devices that minimize the total time: whole connected GPU-capable regions and single-operator
changes are tried until nothing improves, so consecutive GPU operators stay on the device and
a transfer is paid once per value and direction.

Sources (``cylon.input``/``cylon.read``), scalar reads, communication ops and the output are
host-only, as is an operator whose expressions the GPU backend cannot run (UDFs, two string
columns in one expression, time-zone date parts). ``device=cpu`` / ``device=gpu`` force the
choice (``gpu`` for every GPU-capable operator); with ``device=auto`` and ``gpu=false`` (no
usable GPU) everything stays on the CPU, but the model's choice is still computed and shown.

Every table op gets ``cylon.device = "cpu" | "gpu"`` and ``cylon.placement``, a dictionary of
the estimates behind the choice: ``rows`` (output rows), ``rows_in``, ``cpu_us``/``gpu_us``
(this operator), ``xfer_us`` (the copies of its inputs to its device), ``model`` (the device
the model prefers) and ``reason``. A ``cylon.to_device`` is inserted where a GPU operator reads
a host value, a ``cylon.to_host`` where a host operator (or the output) reads a device value.

Before (``cylonc opt -p 'cylon-place{gpu=true}'``, types abridged)::

    %0 = cylon.input "lineitem" {cylon.rows = 59986052 : i64, ...} : !cylon.table<...>
    %1 = cylon.fused "fused_0" %0 : ... { ... assign ... }
    %2 = cylon.aggregate %1 by ["l_returnflag", "l_linestatus"] aggs [...] : ...
    %3 = cylon.sort %2 by ["l_returnflag", "l_linestatus"] ascending [1, 1] : ...
    cylon.output "table" %3 : ...

After::

    %0 = cylon.input "lineitem" {cylon.device = "cpu", cylon.placement = {...}, ...} : ...
    %d = cylon.to_device %0 {cylon.device = "gpu", cylon.placement = {bytes = ..., us = ...}} : ...
    %1 = cylon.fused "fused_0" %d {cylon.device = "gpu", cylon.placement = {cpu_us = ..., gpu_us = ..., model = "gpu", ...}} : ...
    %2 = cylon.aggregate %1 by [...] aggs [...] {cylon.device = "gpu", ...} : ...
    %h = cylon.to_host %2 {cylon.device = "cpu", ...} : ...
    %3 = cylon.sort %h by [...] ascending [1, 1] {cylon.device = "cpu", ...} : ...
    cylon.output "table" %3 : ...

Options: ``gpu`` (bool, a usable GPU is present; default false), ``device`` (``auto``,
``cpu`` or ``gpu``), ``ranks`` (rows are spread over this many ranks), ``rows`` (estimate
overrides, ``"name=rows;name=rows"`` by input name or read path).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects import arith
from xdsl.dialects.builtin import DictionaryAttr, IntegerAttr, ModuleOp, StringAttr, i64
from xdsl.ir import Attribute, Operation, Region, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.passes import ModulePass

from cylonc.compiler.inputs import row_estimate
from cylonc.dialects import cylon
from cylonc.dialects.cylon import DEVICE_ATTR, StringType, TableType, TimestampType, strip_nullable

__all__ = [
    "PLACEMENT_ATTR",
    "ROWS_ATTR",
    "CostModel",
    "PlacePass",
    "annotate_rows",
    "row_estimate",
    "strip_transfers",
]

ROWS_ATTR = "cylon.rows"
"""Row estimate of a source (``cylon.input``/``cylon.read``), shared with ``cylon-partition``."""
PLACEMENT_ATTR = "cylon.placement"
"""The estimates behind an op's device (a dictionary; see the module docstring)."""
DEFAULT_ROWS = 1_000_000
"""Rows assumed for a source of unknown size (a CSV file, an unreadable footer)."""

# ---------------------------------------------------------------------------------------------
# row estimates of the sources


def annotate_rows(module: ModuleOp, rows: dict[str, int | None]) -> ModuleOp:
    """A clone of ``module`` whose sources carry ``cylon.rows`` (by input name; reads by
    path, estimated from the file when not given). Existing annotations are kept."""
    out = module.clone()
    for op in out.ops:
        if ROWS_ATTR in op.attributes:
            continue
        n = None
        if isinstance(op, cylon.InputOp):
            n = rows.get(op.arg_name.data)
        elif isinstance(op, cylon.ReadOp):
            n = rows.get(op.path.data, row_estimate(op.path.data, op.format.data))
        if n is not None:
            op.attributes[ROWS_ATTR] = IntegerAttr(int(n), i64)
    return out


def strip_transfers(module: ModuleOp) -> ModuleOp:
    """A clone of ``module`` without ``cylon.to_device``/``cylon.to_host`` (their users read
    the transferred value itself)."""
    out = module.clone()
    _strip(out)
    return out


def _strip(module: ModuleOp) -> None:
    for op in list(module.ops):
        if isinstance(op, cylon.TRANSFER_OPS):
            op.output.replace_all_uses_with(op.input)
            Rewriter.erase_op(op)


# ---------------------------------------------------------------------------------------------
# the cost model


def _width(elem: Attribute) -> float:
    """Bytes per value of an element type in device memory (strings: dictionary codes)."""
    if isinstance(elem, StringType):
        return 4.0
    bits = getattr(getattr(elem, "width", None), "data", None) or getattr(elem, "bitwidth", None)
    if isinstance(elem, cylon.DateType):
        return 4.0
    if isinstance(elem, TimestampType):
        return 8.0
    return max(1.0, (bits or 64) / 8)


def _strings(t: TableType) -> int:
    return sum(1 for _, e, _ in t.fields if isinstance(e, StringType))


def row_bytes(t: TableType) -> float:
    """Bytes one row of ``t`` occupies on the device (values, plus a validity byte for each
    nullable column)."""
    return sum(_width(e) + (1.0 if nl else 0.0) for _, e, nl in t.fields)


@dataclass(frozen=True)
class CostModel:
    """Per-row and fixed costs (nanoseconds per row, microseconds per launch or copy).

    The CPU numbers are those of the Arrow kernels and the native fused kernels on one node;
    the GPU numbers those of memory-bound CuPy kernels on a data-center GPU (a few TB/s);
    transfers go over PCIe from pageable host memory.
    """

    cpu_row_ns: float = 1.0
    """A fused or per-row kernel: per row, plus ``cpu_expr_ns`` per expression op."""
    cpu_expr_ns: float = 0.8
    cpu_join_ns: float = 40.0
    """Hash join: per build + probe row."""
    cpu_join_out_ns: float = 5.0
    cpu_group_ns: float = 10.0
    """Hash aggregation: per row, plus ``cpu_agg_ns`` per aggregate."""
    cpu_agg_ns: float = 2.0
    cpu_sort_ns: float = 3.0
    """Comparison sort: per row, key and ``log2(rows)``."""
    cpu_distinct_ns: float = 30.0
    cpu_copy_ns: float = 1.0
    gpu_row_ns: float = 0.05
    gpu_expr_ns: float = 0.01
    gpu_join_ns: float = 1.0
    gpu_join_out_ns: float = 0.3
    gpu_group_ns: float = 0.6
    gpu_agg_ns: float = 0.2
    gpu_sort_ns: float = 0.4
    """Radix sort: per row and key."""
    gpu_distinct_ns: float = 1.0
    gpu_copy_ns: float = 0.05
    launch_us: float = 8.0
    """One kernel launch (plus the synchronization a result size needs)."""
    pcie_gb_s: float = 10.0
    """Host <-> device bandwidth (pageable memory)."""
    copy_us: float = 15.0
    """Fixed cost of one table copy (allocation, one transfer per column)."""
    encode_ns: float = 5.0
    """Host-side dictionary encoding of one string value (to the device)."""
    decode_ns: float = 2.0
    """Host-side decoding of one string code (back to Arrow)."""

    def transfer_us(self, t: TableType, rows: float, to_device: bool) -> float:
        """Time to copy ``rows`` rows of ``t`` between host and device."""
        data = rows * row_bytes(t) / (self.pcie_gb_s * 1e3)
        strings = rows * _strings(t) * (self.encode_ns if to_device else self.decode_ns) / 1e3
        return self.copy_us + data + strings


@dataclass
class _Est:
    """The estimates of one op."""

    rows_in: float
    rows: float
    cpu_us: float
    gpu_us: float | None
    """None: the GPU cannot run it."""
    why_host: str = ""


def _count_ops(regions: Iterable[Region]) -> int:
    n = 0
    for r in regions:
        for op in r.walk():
            if not isinstance(op, cylon.ColOp | cylon.YieldOp | arith.ConstantOp | cylon.ConstOp):
                n += 1
    return n


def _is_true(v: SSAValue) -> bool:
    owner = v.owner
    return (
        isinstance(owner, arith.ConstantOp)
        and isinstance(owner.value, IntegerAttr)
        and owner.value.value.data in (1, -1)
        and cylon.is_bool(v.type)
    )


def selectivity(v: SSAValue) -> float:
    """A guess of the fraction of rows for which the boolean expression ``v`` is true
    (System R style: equality 0.1, ranges 1/3, ``and`` multiplies, ``or`` adds)."""
    op = v.owner
    if isinstance(op, cylon.CmpOp | arith.CmpiOp | arith.CmpfOp):
        if isinstance(op, cylon.CmpOp):
            fn = op.fn.data
        else:
            names = arith.CMPI_COMPARISON_OPERATIONS if isinstance(op, arith.CmpiOp) else arith.CMPF_COMPARISON_OPERATIONS
            pred = names[op.predicate.value.data]
            fn = pred[1:] if len(pred) == 3 else pred  # slt -> lt, oeq -> eq, eq -> eq
        return {"eq": 0.1, "ne": 0.9}.get(fn, 1 / 3)
    if isinstance(op, arith.AndIOp) or (isinstance(op, cylon.BinaryOp) and op.fn.data == "and"):
        return selectivity(op.operands[0]) * selectivity(op.operands[1])
    if isinstance(op, arith.OrIOp) or (isinstance(op, cylon.BinaryOp) and op.fn.data == "or"):
        a, b = selectivity(op.operands[0]), selectivity(op.operands[1])
        return a + b - a * b
    if isinstance(op, arith.XOrIOp) and any(_is_true(o) for o in op.operands):
        other = [o for o in op.operands if not _is_true(o)] or list(op.operands[:1])
        return 1 - selectivity(other[0])
    if isinstance(op, cylon.UnaryOp):
        if op.fn.data == "not":
            return 1 - selectivity(op.operand)
        return {"isna": 0.05, "notna": 0.95}.get(op.fn.data, 0.5)
    if isinstance(op, cylon.IsInOp):
        return min(0.1 * max(len(op.values.data), 1), 0.5)
    if isinstance(op, cylon.StrOp):
        return 0.1
    return 0.5


def _region_selectivity(region: Region | None) -> float:
    if region is None or not region.blocks:
        return 1.0
    last = region.blocks[0].last_op
    if not isinstance(last, cylon.YieldOp) or not last.values:
        return 1.0
    return selectivity(last.values[0])


def _leaf_columns(v: SSAValue, seen: set[SSAValue] | None = None) -> set[tuple[str, bool]]:
    """The columns (name, is string) an expression value reads, inside its region."""
    seen = set() if seen is None else seen
    if v in seen:
        return set()
    seen.add(v)
    op = v.owner
    if isinstance(op, cylon.ColOp):
        return {(op.column.data, isinstance(strip_nullable(op.result.type)[0], StringType))}
    if not isinstance(op, Operation) or isinstance(op, cylon.ScalarOp):
        return set()
    out: set[tuple[str, bool]] = set()
    for o in op.operands:
        out |= _leaf_columns(o, seen)
    return out


def _is_string(v: SSAValue) -> bool:
    return isinstance(strip_nullable(v.type)[0], StringType)


def gpu_unsupported(op: Operation) -> str | None:
    """Why the GPU backend cannot run ``op``'s expressions (None: it can).

    String values are computed on the host over a column's dictionary (one lookup table per
    expression), so a string expression may read one string column only.
    """
    for region in op.regions:
        for inner in region.walk():
            if isinstance(inner, cylon.UdfOp):
                return f"user function '{inner.callee.data}' (UDFs run on the CPU through numba)"
            if isinstance(inner, cylon.DtOp):
                elem = strip_nullable(inner.operand.type)[0]
                if isinstance(elem, TimestampType) and elem.tz.data:
                    return "a date part of a timestamp with a time zone"
            if isinstance(inner, cylon.YieldOp):
                boundary = [v for v in inner.values if _is_string(v)]
            elif inner.results and not any(_is_string(r) for r in inner.results):
                boundary = [inner.results[0]] if any(_is_string(o) for o in inner.operands) else []
            else:
                boundary = []
            for v in boundary:
                cols = _leaf_columns(v)
                if len(cols) > 1 or (cols and not all(s for _, s in cols)):
                    names = ", ".join(sorted(n for n, _ in cols))
                    return f"a string expression over several columns ({names})"
    return None


# ---------------------------------------------------------------------------------------------
# the pass


def _table_operands(op: Operation) -> list[SSAValue]:
    return [o for o in op.operands if isinstance(o.type, TableType)]


@dataclass
class _Placer:
    module: ModuleOp
    gpu: bool
    device: str
    ranks: int
    overrides: dict[str, int]
    model: CostModel = field(default_factory=CostModel)

    def __post_init__(self) -> None:
        self.ops: list[Operation] = []
        self.users: dict[SSAValue, list[Operation]] = {}
        self.rows: dict[SSAValue, float] = {}
        self.est: dict[Operation, _Est] = {}
        self.notes: dict[Operation, str] = {}
        self.model_ops: set[Operation] = set()

    # ------------------------------------------------------------ estimates

    def _source_rows(self, op: cylon.InputOp | cylon.ReadOp) -> float:
        key = op.arg_name.data if isinstance(op, cylon.InputOp) else op.path.data
        n: float | None = self.overrides.get(key)
        if n is None:
            attr = op.attributes.get(ROWS_ATTR)
            n = float(attr.value.data) if isinstance(attr, IntegerAttr) else None
        if n is None:
            self.notes[op] = f"size unknown, {DEFAULT_ROWS:.0e} rows assumed"
            n = DEFAULT_ROWS
        return float(n) / max(self.ranks, 1)

    def _group_by(self, n: float, keys: int, aggs: int) -> tuple[float, float, float]:
        """Groups (a guess: ~sqrt(rows) per key, at most half the rows), CPU and GPU time of a
        group-by (``keys == 0``: a whole-table reduction)."""
        m = self.model
        if keys == 0:
            cpu = n * (m.cpu_row_ns + m.cpu_agg_ns * aggs) / 1e3
            gpu = m.launch_us * (1 + aggs) + n * (m.gpu_row_ns + m.gpu_expr_ns * aggs) / 1e3
            return 1.0, cpu, gpu
        groups = max(1.0, min(n / 2, math.sqrt(n) * keys))
        cpu = n * (m.cpu_group_ns + m.cpu_agg_ns * aggs) / 1e3
        gpu = m.launch_us * (8 * keys + 3 * aggs) + n * (m.gpu_group_ns * keys + m.gpu_agg_ns * aggs) / 1e3
        return groups, cpu, gpu

    def estimate(self, op: Operation) -> _Est:
        m = self.model
        ins = [self.rows.get(v, 1.0) for v in _table_operands(op)]
        n = ins[0] if ins else 0.0
        exprs = _count_ops(op.regions)
        out = n
        cpu = gpu = 0.0
        host = ""
        if isinstance(op, cylon.InputOp | cylon.ReadOp):
            n = self._source_rows(op)
            out = n * _region_selectivity(op.predicate_region)
            cpu = n * (m.cpu_row_ns + m.cpu_expr_ns * exprs) / 1e3
            host = "reads on the host"
        elif isinstance(op, cylon.FusedOp):
            rows = n
            cpu = n * (m.cpu_row_ns + m.cpu_expr_ns * exprs) / 1e3
            gpu = m.launch_us * 2 + n * (m.gpu_row_ns + m.gpu_expr_ns * exprs) / 1e3
            for c in op.chain:
                if isinstance(c, cylon.FilterOp):
                    rows *= _region_selectivity(c.predicate)
                elif isinstance(c, cylon.ReduceOp):
                    rows = 1.0
                elif isinstance(c, cylon.AggregateOp):  # a fused group-by: hash/sort costs too
                    groups, c_cpu, c_gpu = self._group_by(rows, len(c.keys.data), len(c.aggs.data))
                    cpu, gpu, rows = cpu + c_cpu, gpu + c_gpu, groups
            out = rows
        elif isinstance(op, cylon.FilterOp | cylon.AssignOp):
            if isinstance(op, cylon.FilterOp):
                out = n * _region_selectivity(op.predicate)
            cpu = n * (3 * m.cpu_row_ns + 2 * m.cpu_expr_ns * exprs) / 1e3
            gpu = m.launch_us * 2 + n * (m.gpu_row_ns + m.gpu_expr_ns * exprs) / 1e3
        elif isinstance(op, (cylon.ProjectOp, cylon.RenameOp, *cylon.TRANSFER_OPS)):
            cpu = gpu = 1.0
        elif isinstance(op, cylon.JoinOp):
            left, right = ins
            how = op.how.data
            out = {
                "inner": max(left, right), "left": max(left, right), "right": max(left, right),
                "outer": left + right, "semi": 0.5 * left, "anti": 0.5 * left,
                "left_anti": 0.5 * left, "right_anti": 0.5 * right,
            }.get(how, max(left, right))
            n = left + right
            cpu = (n * m.cpu_join_ns + out * m.cpu_join_out_ns) / 1e3
            gpu = m.launch_us * 20 + (n * m.gpu_join_ns + out * m.gpu_join_out_ns) / 1e3
        elif isinstance(op, cylon.AggregateOp | cylon.ReduceOp | cylon.PartialAggregateOp | cylon.FinalAggregateOp):
            keys = len(op.keys.data) if not isinstance(op, cylon.ReduceOp) else 0
            out, cpu, gpu = self._group_by(n, keys, len(op.aggs.data))
        elif isinstance(op, cylon.SortOp):
            keys = len(op.keys.data)
            cpu = n * m.cpu_sort_ns * keys * max(math.log2(max(n, 2)), 1) / 1e3
            gpu = m.launch_us * 6 * keys + n * m.gpu_sort_ns * keys / 1e3
        elif isinstance(op, cylon.LimitOp):
            k = op.n.data
            out = min(n, float(k)) if k >= 0 else max(n + k, 0.0)
            cpu, gpu = 1.0, m.launch_us
        elif isinstance(op, cylon.DistinctOp):
            out = n / 2
            cpu = n * m.cpu_distinct_ns / 1e3
            gpu = m.launch_us * 12 + n * m.gpu_distinct_ns / 1e3
        elif isinstance(op, cylon.UnionOp):
            out = n = sum(ins)
            cpu = n * m.cpu_copy_ns / 1e3
            gpu = m.launch_us * len(ins) + n * m.gpu_copy_ns / 1e3
        elif isinstance(op, cylon.ScalarOp | cylon.OutputOp):
            out = 1.0
            host = "reads a value on the host" if isinstance(op, cylon.ScalarOp) else "the pipeline's result"
        elif isinstance(op, cylon.PARTITION_OPS):
            host = "communicates through host memory (MPI)"
            cpu = n * m.cpu_copy_ns / 1e3
        else:
            host = f"{op.name} has no GPU kernel"
            cpu = n * m.cpu_copy_ns / 1e3
        if not host:
            host = gpu_unsupported(op) or ""
            if host:
                host = f"not on the GPU: {host}"
        return _Est(n, out, cpu, None if host else gpu, host)

    # ------------------------------------------------------------ total cost

    def _consumers(self) -> dict[SSAValue, list[Operation]]:
        users: dict[SSAValue, list[Operation]] = {}
        for op in self.ops:
            for v in _table_operands(op):
                users.setdefault(v, []).append(op)
        return users

    def cost(self, on_gpu: set[Operation]) -> float:
        total = 0.0
        for op in self.ops:
            e = self.est[op]
            total += e.gpu_us if op in on_gpu and e.gpu_us is not None else e.cpu_us
        for v, users in self.users.items():
            src = v.owner if isinstance(v.owner, Operation) else None
            src_gpu = src in on_gpu
            t = v.type
            assert isinstance(t, TableType)
            if any((u in on_gpu) != src_gpu for u in users):
                total += self.model.transfer_us(t, self.rows.get(v, 1.0), to_device=not src_gpu)
        return total

    def optimize(self, capable: list[Operation]) -> set[Operation]:
        """The set of ops on the GPU that minimizes :meth:`cost`."""
        best: set[Operation] = set()
        best_cost = self.cost(best)
        candidates: list[set[Operation]] = []
        # each connected region of GPU-capable ops, whole
        cap = set(capable)
        seen: set[Operation] = set()
        for op in capable:
            if op in seen:
                continue
            comp, todo = set(), [op]
            while todo:
                o = todo.pop()
                if o in comp:
                    continue
                comp.add(o)
                for v in _table_operands(o):
                    if v.owner in cap:
                        todo.append(v.owner)  # type: ignore[arg-type]
                for r in o.results:
                    for u in self.users.get(r, ()):
                        if u in cap:
                            todo.append(u)
            seen |= comp
            candidates.append(comp)
        candidates.append(cap)
        for cand in candidates:
            trial = best | cand
            c = self.cost(trial)
            if c < best_cost:
                best, best_cost = trial, c
        # single-op moves until nothing improves
        for _ in range(4 * len(capable) + 4):
            improved = False
            for op in capable:
                trial = best ^ {op}
                c = self.cost(trial)
                if c < best_cost - 1e-9:
                    best, best_cost, improved = trial, c, True
            if not improved:
                break
        return best

    # ------------------------------------------------------------ run

    def run(self) -> None:
        _strip(self.module)
        self.ops = [op for op in self.module.ops if any(isinstance(r.type, TableType) for r in op.results)
                    or _table_operands(op)]
        self.users = self._consumers()
        for op in self.ops:
            e = self.estimate(op)
            self.est[op] = e
            for r in op.results:
                if isinstance(r.type, TableType):
                    self.rows[r] = e.rows
        capable = [op for op in self.ops if self.est[op].gpu_us is not None]
        model = self.model_ops = self.optimize(capable)
        if self.device == "gpu":
            chosen = set(capable)
        elif self.device == "cpu" or not self.gpu:
            chosen = set()
        else:
            chosen = model
        for op in self.ops:
            self._annotate(op, op in chosen, op in model)
        self._insert_transfers(chosen)

    def _xfer_in(self, op: Operation, on_gpu: bool, placed: set[Operation]) -> float:
        total = 0.0
        for v in _table_operands(op):
            src_gpu = v.owner in placed
            if src_gpu != on_gpu:
                assert isinstance(v.type, TableType)
                total += self.model.transfer_us(v.type, self.rows.get(v, 1.0), to_device=on_gpu)
        return total

    def _annotate(self, op: Operation, on_gpu: bool, model_gpu: bool) -> None:
        e = self.est[op]
        if isinstance(op, cylon.OutputOp):
            return
        if e.gpu_us is None:
            reason = e.why_host
        elif self.device in ("cpu", "gpu"):
            reason = f"device={self.device}"
        elif not self.gpu:
            reason = "no GPU"
        else:
            reason = "cost model"
        if op in self.notes:
            reason += f" ({self.notes[op]})"
        fields: dict[str, Attribute] = {
            "rows": IntegerAttr(round(e.rows), i64),
            "rows_in": IntegerAttr(round(e.rows_in), i64),
            "cpu_us": IntegerAttr(round(e.cpu_us), i64),
            "model": StringAttr("gpu" if model_gpu else "cpu"),
            "reason": StringAttr(reason),
        }
        if e.gpu_us is not None:
            fields["gpu_us"] = IntegerAttr(round(e.gpu_us), i64)
            xfer = self._xfer_in(op, model_gpu, self.model_ops) if model_gpu else 0.0
            fields["xfer_us"] = IntegerAttr(round(xfer), i64)
        op.attributes[DEVICE_ATTR] = StringAttr("gpu" if on_gpu else "cpu")
        op.attributes[PLACEMENT_ATTR] = DictionaryAttr(fields)

    def _insert_transfers(self, on_gpu: set[Operation]) -> None:
        made: dict[tuple[SSAValue, bool], SSAValue] = {}
        for op in list(self.ops):
            want_gpu = op in on_gpu
            for i, v in enumerate(list(op.operands)):
                if not isinstance(v.type, TableType):
                    continue
                src = v.owner
                if (src in on_gpu) == want_gpu:
                    continue
                key = (v, want_gpu)
                if key not in made:
                    t = cylon.ToDeviceOp(v) if want_gpu else cylon.ToHostOp(v)
                    t.attributes[DEVICE_ATTR] = StringAttr("gpu" if want_gpu else "cpu")
                    rows = self.rows.get(v, 1.0)
                    assert isinstance(v.type, TableType)
                    t.attributes[PLACEMENT_ATTR] = DictionaryAttr({
                        "rows": IntegerAttr(round(rows), i64),
                        "bytes": IntegerAttr(round(rows * row_bytes(v.type)), i64),
                        "us": IntegerAttr(round(self.model.transfer_us(v.type, rows, want_gpu)), i64),
                    })
                    where = InsertPoint.after(src) if isinstance(src, Operation) else InsertPoint.before(op)
                    Rewriter.insert_op(t, where)
                    made[key] = t.output
                op.operands[i] = made[key]


@dataclass(frozen=True)
class PlacePass(ModulePass):
    """Set ``cylon.device`` on every table op by the cost model and insert the transfers."""

    name = "cylon-place"

    gpu: bool = False
    """Whether a usable GPU is present (the model's choice is computed either way)."""
    device: str = "auto"
    """``auto`` (the cost model), ``cpu`` or ``gpu`` (forced)."""
    ranks: int = 1
    """Rows of every source are spread over this many ranks."""
    rows: str = ""
    """Row estimate overrides: ``"lineitem=59986052;orders=15000000"`` (input names or read paths)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.device not in ("auto", "cpu", "gpu"):
            raise ValueError(f"cylon-place: device must be auto, cpu or gpu, got '{self.device}'")
        overrides: dict[str, int] = {}
        for part in self.rows.replace(",", ";").split(";"):
            if part.strip():
                name, sep, n = part.partition("=")
                if not sep:
                    raise ValueError(f"cylon-place: rows takes NAME=ROWS pairs, got '{part}'")
                overrides[name.strip()] = int(float(n))
        _Placer(op, self.gpu, self.device, self.ranks, overrides).run()
