"""Lower ``cylon.fused`` kernels to ``func``/``scf``/``arith``/``math``/``memref`` (xDSL only).

Each natively supported ``cylon.fused`` op becomes one ``func.func @cylonc_<kernel>`` (with
``llvm.emit_c_interface``) that runs one ``scf.for`` over the rows of an Arrow record batch.
Every argument is a 1-D ``memref`` whose descriptor the runtime builds over an Arrow buffer
(no copies); the order and meaning of the arguments is the kernel's ABI, a plain dict that the
plan carries (``runtime/PLAN.md``, node ``fused``):

- ``params: memref<?xi64>``: ``[0]`` rows (in), ``[1]`` selected rows (out), then bit offsets
  of bitmaps and the values/validity of scalar operands (in);
- per input column read: its values (``memref<?xT>``; booleans: the bitmap bytes as
  ``memref<?xi8>`` with a bit offset) and, for a nullable column, its validity bitmap;
- without a final reduce: the selection (``memref<?xi8>``, one byte per row, if the chain
  filters) and per computed output column its values and, when it may be null, a byte mask;
- with a final reduce: ``acc: memref<?xi64>``, the accumulators (float ones as f64 bits),
  which the runtime initializes and the kernel updates, so a table is reduced batch by batch;
- with a final group-by: the rows' dense group codes (``memref<?xi64>``, computed by the
  runtime's hash group-by; -1 for a null key) and the per-group accumulator table, which
  the kernel updates in place for each kept row (under an ``scf.if``).

A kernel reading nullable columns also gets a ``<symbol>_nonull`` variant that reads no
bitmaps, which the runtime uses when those columns hold no nulls (then the loop vectorizes).

Nulls follow the Arrow interpreter exactly (``runtime/kernels/arrow.py``): every value carries
a validity bit; nulls propagate, ``and``/``or`` are Kleene, a float input or result that is NaN
is null,
filters drop null, aggregates skip nulls. Whatever the lowering does not support (strings,
date parts, UDFs, integer ``**``, ...) raises :class:`Unsupported`, and that
fused op falls back to the Arrow interpreter; the reason is shown by ``explain``.

Example (``sum(x * y)`` over rows with ``x > 0``; abridged)::

    func.func @cylonc_fused_0(%params: memref<?xi64>, %x: memref<?xf64>, %y: memref<?xf64>,
                              %acc: memref<?xi64>) attributes {llvm.emit_c_interface} {
      %n = ... memref.load %params[0]
      %r:2 = scf.for %i = %c0 to %n step %c1 iter_args(%cnt = %z, %s = %s0) -> (i64, f64) {
        %xv = memref.load %x[%i] : memref<?xf64>
        %keep = arith.cmpf ogt, %xv, %c0f : f64
        ...
        %s2 = arith.addf %s, %term fastmath<reassoc> : f64
        scf.yield %cnt2, %s2 : i64, f64
      }
      ...
    }
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects import math as mathd
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    DictionaryAttr,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    Signedness,
    StringAttr,
    UnitAttr,
    f32,
    f64,
    i1,
    i8,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.irdl import irdl_op_definition

from cylonc.compiler import types as T
from cylonc.dialects import cylon
from cylonc.dialects.cylon import DateType, StringType, TableType, TimestampType, strip_nullable

ABI_VERSION = 1
"""Version of the kernel ABI (the ``abi`` dict of a plan's ``fused`` node)."""

_INDEX = IndexType()
_REASSOC = arith.FastMathFlagsAttr(["reassoc"])


@irdl_op_definition
class RemFOp(arith.FloatingPointLikeBinaryOperation):
    """Upstream ``arith.remf`` (C ``fmod``), which xDSL's arith dialect lacks; only printed."""

    name = "arith.remf"


class Unsupported(Exception):
    """A fused op (or part of it) has no native lowering; the message says why."""


@dataclass
class Val:
    """A lowered expression value: its SSA value, its validity (None: never null) and its
    ``cylon`` element type (which says how to interpret the signless bits)."""

    v: SSAValue
    valid: SSAValue | None
    elem: Attribute


@dataclass
class KernelSpec:
    """The outcome of lowering one ``cylon.fused`` op."""

    kernel: str
    symbol: str
    ops: list[str]
    func: func.FuncOp | None = None
    abi: dict[str, Any] | None = None
    reason: str | None = None
    nonull_func: func.FuncOp | None = None
    """A variant for batches without nulls in the nullable columns read (no bitmaps read: the
    common case, as Parquet and pandas mark most columns nullable); None if none are read."""
    nonull_abi: dict[str, Any] | None = None

    @property
    def native(self) -> bool:
        return self.func is not None

    @property
    def funcs(self) -> list[func.FuncOp]:
        return [f for f in (self.nonull_func, self.func) if f is not None]

    @property
    def abis(self) -> list[dict[str, Any]]:
        return [a for a in (self.nonull_abi, self.abi) if a is not None]


# --------------------------------------------------------------------------- types


def _unsigned(t: Attribute) -> bool:
    return isinstance(t, IntegerType) and t.signedness.data == Signedness.UNSIGNED


def _is_int(t: Attribute) -> bool:
    return isinstance(t, IntegerType) and t.width.data > 1


def _is_float(t: Attribute) -> bool:
    return isinstance(t, Float32Type | Float64Type)


def _describe(t: Attribute) -> str:
    try:
        return T.describe(t)
    except TypeError:
        return str(t)


def kernel_type(elem: Attribute) -> Attribute:
    """The signless MLIR type that holds values of ``cylon`` element type ``elem``."""
    if isinstance(elem, IntegerType):
        return IntegerType(elem.width.data)
    if _is_float(elem):
        return elem
    if isinstance(elem, DateType):
        return i32
    if isinstance(elem, TimestampType):
        return i64
    raise Unsupported(f"{_describe(elem)} values are not supported by native kernels")


def storage_type(elem: Attribute) -> Attribute:
    """The element type of a kernel buffer holding ``elem`` values (booleans: one byte)."""
    k = kernel_type(elem)
    return i8 if k == i1 else k


def _memref(t: Attribute) -> MemRefType:
    return MemRefType(t, [DYNAMIC_INDEX])


def _plan_type(elem: Attribute) -> str:
    return T.to_plan(elem)


# --------------------------------------------------------------------------- the lowering


class _Lowering:
    """Builds the ``func.func`` of one fused op and its ABI."""

    def __init__(self, op: cylon.FusedOp, scalar_ref: Callable[[SSAValue], Any], no_nulls: bool = False):
        self.op = op
        self.scalar_ref = scalar_ref
        self.no_nulls = no_nulls
        self.nullable_read = False
        self.input: TableType = op.input.type  # type: ignore[assignment]
        self.entry = Block(arg_types=[_memref(i64)])
        self.abi_args: list[dict[str, Any]] = [{"kind": "params"}]
        self.n_params = 2
        self.scalars: list[dict[str, Any]] = []
        self.target = self.entry
        self.vals: dict[SSAValue, Val] = {}
        self.outer_vals: dict[SSAValue, Val] = {}
        self.col_values: dict[str, SSAValue] = {}
        self.col_valid: dict[str, SSAValue | None] = {}
        self.assumed_valid: list[str] = []
        self.nan_valid: dict[str, SSAValue | None] = {}
        self.nan_as_null: list[str] = []
        self.consts: dict[tuple, SSAValue] = {}
        self.c0 = self.emit(arith.ConstantOp(IntegerAttr(0, _INDEX)))
        self.c1 = self.emit(arith.ConstantOp(IntegerAttr(1, _INDEX)))
        self.params = self.entry.args[0]
        self.n = self.emit(arith.IndexCastOp(self.load(self.params, 0), _INDEX))
        self.body: Block | None = None
        self.i: SSAValue | None = None

    # ------------------------------------------------------------------ building blocks

    def emit(self, op: Operation) -> SSAValue:
        self.target.add_op(op)
        return op.results[0] if op.results else None  # type: ignore[return-value]

    def index(self, k: int) -> SSAValue:
        if k == 0:
            return self.c0
        if k == 1:
            return self.c1
        return self.const(k, _INDEX)

    def load(self, ref: SSAValue, k: int | SSAValue) -> SSAValue:
        idx = self.index(k) if isinstance(k, int) else k
        return self.emit(memref.LoadOp.get(ref, [idx]))

    def const(self, value: int | float, t: Attribute) -> SSAValue:
        """A constant, emitted once in the entry block."""
        key = (str(t), repr(value) if isinstance(value, float) else value)
        if key not in self.consts:
            if _is_float(t):
                attr: Attribute = FloatAttr(float(value), t)  # type: ignore[arg-type]
            else:
                attr = IntegerAttr(value, t)  # type: ignore[arg-type]
            op = arith.ConstantOp(attr)
            if self.entry.first_op is not None and self.target is not self.entry:
                self.entry.insert_op_before(op, self.entry.first_op)
            else:
                self.entry.add_op(op)
            self.consts[key] = op.results[0]
        return self.consts[key]

    def true(self) -> SSAValue:
        return self.const(1, i1)

    def false(self) -> SSAValue:
        return self.const(0, i1)

    def int_const(self, value: int, t: Attribute) -> SSAValue:
        """``value`` (wrapped to the width of ``t``) as a signless constant."""
        w = t.width.data if isinstance(t, IntegerType) else 64  # type: ignore[union-attr]
        value &= (1 << w) - 1
        if w > 1 and value >= 1 << (w - 1):
            value -= 1 << w
        return self.const(value, t)

    def new_param(self) -> int:
        self.n_params += 1
        return self.n_params - 1

    def add_arg(self, t: Attribute, abi: dict[str, Any]) -> SSAValue:
        self.abi_args.append(abi)
        return self.entry.insert_arg(t, len(self.entry.args))

    def in_entry(self) -> _EntryScope:
        return _EntryScope(self)

    # ------------------------------------------------------------------ validity helpers

    def and_(self, *xs: SSAValue | None) -> SSAValue | None:
        out = None
        for x in xs:
            if x is None:
                continue
            out = x if out is None else self.emit(arith.AndIOp(out, x))
        return out

    def or_(self, a: SSAValue | None, b: SSAValue | None) -> SSAValue | None:
        """Validity of "either is valid": None (always) if either is always valid."""
        if a is None or b is None:
            return None
        return self.emit(arith.OrIOp(a, b))

    def not_(self, x: SSAValue) -> SSAValue:
        return self.emit(arith.XOrIOp(x, self.true()))

    def select(self, c: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(arith.SelectOp(c, a, b))

    def valid_or_true(self, x: SSAValue | None) -> SSAValue:
        return self.true() if x is None else x

    def not_nan(self, v: SSAValue) -> SSAValue:
        return self.emit(arith.CmpfOp(v, v, "ord"))

    def finish(self, val: Val) -> Val:
        """A call's result: a NaN float is null (as the interpreter's ``_nan_to_null``)."""
        if _is_float(val.elem):
            return Val(val.v, self.and_(val.valid, self.not_nan(val.v)), val.elem)
        return val

    # ------------------------------------------------------------------ bitmaps and columns

    def bit(self, buf: SSAValue, offset_param: int) -> SSAValue:
        """Bit ``i + offset`` of an Arrow bitmap (LSB first) as an ``i1``."""
        assert self.i is not None
        with self.in_entry():
            off = self.load(self.params, offset_param)
        j = self.emit(arith.AddiOp(self.emit(arith.IndexCastOp(self.i, i64)), off))
        byte_idx = self.emit(arith.IndexCastOp(self.emit(arith.ShRUIOp(j, self.const(3, i64))), _INDEX))
        byte = self.emit(memref.LoadOp.get(buf, [byte_idx]))
        shift = self.emit(arith.TruncIOp(self.emit(arith.AndIOp(j, self.const(7, i64))), i8))
        return self.emit(arith.TruncIOp(self.emit(arith.ShRUIOp(byte, shift)), i1))

    def _field(self, name: str) -> tuple[str, Attribute, bool]:
        f = self.input.field(name)
        if f is None:  # pragma: no cover - the verifier guarantees it
            raise Unsupported(f"column '{name}' is not in the kernel's input")
        return f

    def input_values(self, name: str) -> SSAValue:
        if name not in self.col_values:
            _, elem, _ = self._field(name)
            if isinstance(elem, StringType):
                raise Unsupported(f"string column '{name}' is used in an expression")
            k = kernel_type(elem)
            if k == i1:
                off = self.new_param()
                buf = self.add_arg(_memref(i8), {"kind": "values", "column": name, "type": "bool", "bit_offset": off})
                self.col_values[name] = self.bit(buf, off)
            else:
                buf = self.add_arg(_memref(k), {"kind": "values", "column": name, "type": _plan_type(elem)})
                assert self.i is not None
                self.col_values[name] = self.emit(memref.LoadOp.get(buf, [self.i]))
        return self.col_values[name]

    def input_valid(self, name: str) -> SSAValue | None:
        if name not in self.col_valid:
            _, _, nullable = self._field(name)
            self.nullable_read |= nullable
            if not nullable or self.no_nulls:
                self.col_valid[name] = None
                self.assumed_valid.append(name)
            else:
                off = self.new_param()
                buf = self.add_arg(_memref(i8), {"kind": "validity", "column": name, "bit_offset": off})
                self.col_valid[name] = self.bit(buf, off)
        return self.col_valid[name]

    # ------------------------------------------------------------------ values

    def get(self, v: SSAValue) -> Val:
        if v in self.vals:
            return self.vals[v]
        return self.outer(v)

    def outer(self, v: SSAValue) -> Val:
        """A value defined outside the fused op (a scalar operand), computed before the loop."""
        if v in self.outer_vals:
            return self.outer_vals[v]
        owner = v.owner
        if not isinstance(owner, Operation):
            raise Unsupported("an expression reads a block argument")
        with self.in_entry():
            if isinstance(owner, cylon.ScalarOp):
                val = self.scalar_param(v)
            else:
                val = self.lower_expr(owner)
        self.outer_vals[v] = val
        return val

    def scalar_param(self, v: SSAValue) -> Val:
        elem, _ = strip_nullable(v.type)
        k = kernel_type(elem)
        value_slot, valid_slot = self.new_param(), self.new_param()
        self.scalars.append(
            {"ref": self.scalar_ref(v), "type": _plan_type(elem), "value": value_slot, "valid": valid_slot}
        )
        raw = self.load(self.params, value_slot)
        if _is_float(k):
            x = self.emit(arith.BitcastOp(raw, f64))
            if k == f32:
                x = self.emit(arith.TruncFOp(x, f32))
        elif k == i64:
            x = raw
        else:
            x = self.emit(arith.TruncIOp(raw, k))  # type: ignore[arg-type]
        valid = self.emit(arith.CmpiOp(self.load(self.params, valid_slot), self.const(0, i64), "ne"))
        return Val(x, valid, elem)

    def lower_region(self, region: Region, env: dict[str, Any]) -> list[Val]:
        self.env = env
        block = region.blocks[0]
        for op in block.ops:  # name what cannot be lowered before the columns it reads
            if isinstance(op, cylon.StrOp | cylon.DtOp | cylon.UdfOp):
                self.lower_expr(op)
        for op in block.ops:
            if isinstance(op, cylon.YieldOp):
                return [self.get(x) for x in op.values]
            self.vals[op.results[0]] = self.lower_expr(op)
        raise Unsupported("an expression region without cylon.yield")  # pragma: no cover

    def column(self, name: str) -> Val:
        src = self.env[name]
        if isinstance(src, Val):
            return src
        _, elem, _ = self._field(src)
        valid = self.source_valid(src)
        return Val(self.input_values(src), valid, elem)

    def column_valid(self, name: str) -> SSAValue | None:
        src = self.env[name]
        if isinstance(src, Val):
            return src.valid
        return self.source_valid(src)

    def source_valid(self, name: str) -> SSAValue | None:
        """An input column's validity; a float NaN reads as null, so the runtime need not
        convert NaN to null before the kernel (the column is listed in ``nan_as_null``)."""
        valid = self.input_valid(name)
        _, elem, _ = self._field(name)
        if not _is_float(elem):
            return valid
        if name not in self.nan_valid:
            self.nan_as_null.append(name)
            self.nan_valid[name] = self.and_(valid, self.not_nan(self.input_values(name)))
        return self.nan_valid[name]

    # ------------------------------------------------------------------ expressions

    def lower_expr(self, op: Operation) -> Val:
        res_elem, _ = strip_nullable(op.results[0].type)
        if isinstance(op, cylon.ColOp):
            if self.target is self.entry:
                raise Unsupported("a column read outside a row expression")
            return self.column(op.column.data)
        if isinstance(op, arith.ConstantOp):
            return self.literal(op.value, res_elem)
        if isinstance(op, cylon.ConstOp):
            if op.value is None:
                k = kernel_type(res_elem)
                zero = self.const(0.0, k) if _is_float(k) else self.const(0, k)
                return Val(zero, self.false(), res_elem)
            return self.literal(op.value, res_elem)
        name = op.name
        if isinstance(op, cylon.StrOp):
            raise Unsupported(f"string function str.{op.fn.data}")
        if isinstance(op, cylon.DtOp):
            raise Unsupported(f"date part dt.{op.fn.data}")
        if isinstance(op, cylon.UdfOp):
            raise Unsupported(f"user function '{op.callee.data}' (UDFs run through numba)")
        args = [self.get(o) for o in op.operands]
        if name in _ARITH_FN:
            fn = _ARITH_FN[name]
            if fn in ("and", "or"):
                return self.logical(fn, args[0], args[1], res_elem)
            if fn in ("neg", "abs"):
                return self.finish(self.unary(fn, args[0]))
            return self.finish(self.binary(fn, args[0], args[1], res_elem))
        if isinstance(op, arith.XOrIOp):
            trues = [a for a, o in zip(args, op.operands) if _is_true_const(o)]
            others = [a for a, o in zip(args, op.operands) if not _is_true_const(o)]
            if not trues or len(others) > 1:
                raise Unsupported("arith.xori other than 'not'")
            return self.unary("not", (others or trues)[0])
        if isinstance(op, arith.CmpiOp | arith.CmpfOp):
            names = arith.CMPI_COMPARISON_OPERATIONS if isinstance(op, arith.CmpiOp) else arith.CMPF_COMPARISON_OPERATIONS
            fn = _PRED_FN.get(names[op.predicate.value.data])
            if fn is None:
                raise Unsupported(f"{name} predicate {names[op.predicate.value.data]}")
            return self.compare(fn, args[0], args[1])
        if isinstance(op, cylon.BinaryOp):
            fn = op.fn.data
            if fn in ("and", "or"):
                return self.logical(fn, args[0], args[1], res_elem)
            return self.finish(self.binary(fn, args[0], args[1], res_elem))
        if isinstance(op, cylon.CmpOp):
            return self.compare(op.fn.data, args[0], args[1])
        if isinstance(op, cylon.UnaryOp):
            fn = op.fn.data
            if fn in ("isna", "notna"):
                a = args[0]
                na = None if a.valid is None else self.not_(a.valid)
                if _is_float(a.elem):
                    nan = self.emit(arith.CmpfOp(a.v, a.v, "uno"))
                    na = nan if na is None else self.emit(arith.OrIOp(na, nan))
                if na is None:
                    na = self.false()
                return Val(na if fn == "isna" else self.not_(na), None, cylon.i1)
            return self.finish(self.unary(fn, args[0]))
        if isinstance(op, cylon.RoundOp):
            return self.finish(self.round(args[0], op.ndigits.data))
        if isinstance(op, cylon.CastOp):
            return self.finish(self.convert(args[0], res_elem))
        if isinstance(op, cylon.FillNaOp):
            a, fill = args
            ok = a.valid
            if _is_float(a.elem):
                ok = self.and_(ok, self.not_nan(a.v))
            if ok is None:
                return self.finish(a)
            fill = self.convert(fill, a.elem)
            v = self.select(ok, a.v, fill.v)
            return self.finish(Val(v, self.or_(ok, fill.valid), a.elem))
        if isinstance(op, cylon.WhereOp):
            cond, a, other = args
            c = self.and_(cond.v, cond.valid)
            assert c is not None
            if a.elem != other.elem:
                raise Unsupported("cylon.where over values of different types")
            v = self.select(c, a.v, other.v)
            if a.valid is None and other.valid is None:
                valid = None
            else:
                valid = self.select(c, self.valid_or_true(a.valid), self.valid_or_true(other.valid))
            return self.finish(Val(v, valid, a.elem))
        if isinstance(op, cylon.IsInOp):
            return self.isin(args[0], op.values.data)
        raise Unsupported(f"{name} has no native lowering")

    def literal(self, attr: Attribute, elem: Attribute) -> Val:
        k = kernel_type(elem)
        if isinstance(attr, FloatAttr):
            x = float(attr.value.data)
            if math.isnan(x):
                return Val(self.const(0.0, k), self.false(), elem)
            if not _is_float(k):
                raise Unsupported(f"a float literal of type {_describe(elem)}")
            return Val(self.const(x, k), None, elem)
        if isinstance(attr, IntegerAttr):
            v = attr.value.data
            if _is_float(k):
                return Val(self.const(float(v), k), None, elem)
            return Val(self.int_const(int(v), k), None, elem)
        raise Unsupported(f"{_describe(elem)} literal {attr}")

    # -- arithmetic

    def convert(self, a: Val, dst: Attribute) -> Val:
        """``astype`` between numbers and booleans (``cast_value`` in the interpreter)."""
        src = a.elem
        if src == dst:
            return a
        for t in (src, dst):
            if not (isinstance(t, IntegerType) or _is_float(t)):
                raise Unsupported(f"cast from {_describe(src)} to {_describe(dst)}")
        ks, kd = kernel_type(src), kernel_type(dst)
        v = a.v
        if kd == i1:
            if _is_float(ks):
                v = self.emit(arith.CmpfOp(v, self.const(0.0, ks), "une"))
            else:
                v = self.emit(arith.CmpiOp(v, self.const(0, ks), "ne"))
        elif ks == i1:
            v = self.emit(arith.ExtUIOp(v, kd) if not _is_float(kd) else arith.UIToFPOp(v, kd))  # type: ignore[arg-type]
        elif _is_int(src) and _is_int(dst):
            ws, wd = ks.width.data, kd.width.data  # type: ignore[union-attr]
            if wd < ws:
                v = self.emit(arith.TruncIOp(v, kd))  # type: ignore[arg-type]
            elif wd > ws:
                v = self.emit((arith.ExtUIOp if _unsigned(src) else arith.ExtSIOp)(v, kd))  # type: ignore[arg-type]
        elif _is_int(src) and _is_float(dst):
            v = self.emit((arith.UIToFPOp if _unsigned(src) else arith.SIToFPOp)(v, kd))  # type: ignore[arg-type]
        elif _is_float(src) and _is_int(dst):
            if _unsigned(dst):
                raise Unsupported(f"cast from {_describe(src)} to {_describe(dst)}")
            # Arrow's unsafe cast truncates; out of range (and NaN) gives INT_MIN, as x86 does.
            w = kd.width.data  # type: ignore[union-attr]
            lo, hi = self.const(-(2.0 ** (w - 1)), ks), self.const(2.0 ** (w - 1), ks)
            ok = self.emit(
                arith.AndIOp(self.emit(arith.CmpfOp(v, lo, "oge")), self.emit(arith.CmpfOp(v, hi, "olt")))
            )
            safe = self.select(ok, v, self.const(0.0, ks))
            v = self.select(ok, self.emit(arith.FPToSIOp(safe, kd)), self.int_const(-(1 << (w - 1)), kd))  # type: ignore[arg-type]
        elif _is_float(src) and _is_float(dst):
            v = self.emit(arith.ExtFOp(v, kd) if kd == f64 else arith.TruncFOp(v, kd))  # type: ignore[arg-type]
        return Val(v, a.valid, dst)

    def binary(self, fn: str, a: Val, b: Val, res_elem: Attribute) -> Val:
        ct = res_elem
        if fn == "div" and not _is_float(res_elem):
            ct = f64
        if isinstance(ct, StringType) or isinstance(a.elem, StringType):
            raise Unsupported("string concatenation")
        if not (_is_int(ct) or _is_float(ct)):
            raise Unsupported(f"'{fn}' on {_describe(ct)} values")
        a, b = self.convert(a, ct), self.convert(b, ct)
        valid = self.and_(a.valid, b.valid)
        if _is_float(ct):
            ops = {"add": arith.AddfOp, "sub": arith.SubfOp, "mul": arith.MulfOp, "div": arith.DivfOp}
            if fn in ops:
                return Val(self.emit(ops[fn](a.v, b.v)), valid, ct)
            if fn == "pow":
                return Val(self.emit(mathd.PowFOp(a.v, b.v)), valid, ct)
            if fn in ("floordiv", "mod"):
                return Val(self.float_divmod(fn, a.v, b.v, ct), valid, ct)
            raise Unsupported(f"float '{fn}'")
        k = kernel_type(ct)
        ops_i = {"add": arith.AddiOp, "sub": arith.SubiOp, "mul": arith.MuliOp}
        if fn in ops_i:
            return Val(self.emit(ops_i[fn](a.v, b.v)), valid, ct)
        if fn in ("floordiv", "mod"):
            zero = self.const(0, k)
            bz = self.emit(arith.CmpiOp(b.v, zero, "eq"))
            valid = self.and_(valid, self.not_(bz))
            if _unsigned(ct):
                bs = self.select(bz, self.const(1, k), b.v)
                op = arith.DivUIOp if fn == "floordiv" else arith.RemUIOp
                return Val(self.emit(op(a.v, bs)), valid, ct)
            minus1 = self.int_const(-1, k)
            bm1 = self.emit(arith.CmpiOp(b.v, minus1, "eq"))
            bs = self.select(self.emit(arith.OrIOp(bz, bm1)), self.const(1, k), b.v)
            q = self.emit(arith.DivSIOp(a.v, bs))
            r = self.emit(arith.RemSIOp(a.v, bs))
            rnz = self.emit(arith.CmpiOp(r, zero, "ne"))
            sign_differs = self.emit(
                arith.XOrIOp(self.emit(arith.CmpiOp(r, zero, "slt")), self.emit(arith.CmpiOp(bs, zero, "slt")))
            )
            adj = self.emit(arith.AndIOp(rnz, sign_differs))
            if fn == "floordiv":
                q = self.select(adj, self.emit(arith.SubiOp(q, self.const(1, k))), q)
                q = self.select(bm1, self.emit(arith.SubiOp(zero, a.v)), q)
                return Val(q, valid, ct)
            r = self.select(adj, self.emit(arith.AddiOp(r, bs)), r)
            return Val(self.select(bm1, zero, r), valid, ct)
        raise Unsupported(f"integer '{fn}'")

    def float_divmod(self, fn: str, a: SSAValue, b: SSAValue, k: Attribute) -> SSAValue:
        """numpy's ``floor_divide``/``remainder`` of floats (``npy_divmod``), step by step."""
        zero, one, half = self.const(0.0, k), self.const(1.0, k), self.const(0.5, k)
        mod = self.emit(RemFOp(a, b))
        q = self.emit(arith.DivfOp(a, b))
        bz = self.emit(arith.CmpfOp(b, zero, "oeq"))
        div = self.emit(arith.DivfOp(self.emit(arith.SubfOp(a, mod)), b))
        mod_nz = self.emit(arith.CmpfOp(mod, zero, "une"))
        signs = self.emit(
            arith.XOrIOp(self.emit(arith.CmpfOp(b, zero, "olt")), self.emit(arith.CmpfOp(mod, zero, "olt")))
        )
        adjust = self.emit(arith.AndIOp(mod_nz, signs))
        if fn == "mod":
            mod1 = self.select(adjust, self.emit(arith.AddfOp(mod, b)), mod)
            mod2 = self.select(mod_nz, mod1, self.emit(mathd.CopySignOp(zero, b)))
            return self.select(bz, mod, mod2)
        div1 = self.select(adjust, self.emit(arith.SubfOp(div, one)), div)
        fl = self.emit(mathd.FloorOp(div1))
        up = self.emit(arith.CmpfOp(self.emit(arith.SubfOp(div1, fl)), half, "ogt"))
        fl2 = self.select(up, self.emit(arith.AddfOp(fl, one)), fl)
        div_nz = self.emit(arith.CmpfOp(div1, zero, "une"))
        floordiv = self.select(div_nz, fl2, self.emit(mathd.CopySignOp(zero, q)))
        return self.select(bz, q, floordiv)

    def unary(self, fn: str, a: Val) -> Val:
        k = kernel_type(a.elem)
        if fn == "not":
            if k == i1:
                return Val(self.not_(a.v), a.valid, a.elem)
            if _is_int(a.elem):
                return Val(self.emit(arith.XOrIOp(a.v, self.int_const(-1, k))), a.valid, a.elem)
            raise Unsupported(f"'not' on {_describe(a.elem)}")
        if _is_float(a.elem):
            if fn == "neg":
                return Val(self.emit(arith.NegfOp(a.v)), a.valid, a.elem)
            if fn == "abs":
                return Val(self.emit(mathd.AbsFOp(a.v)), a.valid, a.elem)
        elif _is_int(a.elem):
            if fn == "neg":
                return Val(self.emit(arith.SubiOp(self.const(0, k), a.v)), a.valid, a.elem)
            if fn == "abs":
                if _unsigned(a.elem):
                    return a
                neg = self.emit(arith.SubiOp(self.const(0, k), a.v))
                isneg = self.emit(arith.CmpiOp(a.v, self.const(0, k), "slt"))
                return Val(self.select(isneg, neg, a.v), a.valid, a.elem)
        raise Unsupported(f"'{fn}' on {_describe(a.elem)}")

    def round(self, a: Val, nd: int) -> Val:
        if not _is_float(a.elem):
            if nd >= 0 and (isinstance(a.elem, IntegerType)):
                return a
            raise Unsupported(f"round({nd}) of {_describe(a.elem)}")
        k = a.elem
        if nd >= 0:
            f = self.const(10.0**nd, k)
            y = self.emit(mathd.RoundEvenOp(self.emit(arith.MulfOp(a.v, f))))
            return Val(self.emit(arith.DivfOp(y, f)), a.valid, k)
        f = self.const(10.0 ** (-nd), k)
        y = self.emit(mathd.RoundEvenOp(self.emit(arith.DivfOp(a.v, f))))
        return Val(self.emit(arith.MulfOp(y, f)), a.valid, k)

    def logical(self, fn: str, a: Val, b: Val, res_elem: Attribute) -> Val:
        if kernel_type(res_elem) != i1:
            if not _is_int(res_elem):
                raise Unsupported(f"'{fn}' on {_describe(res_elem)}")
            a, b = self.convert(a, res_elem), self.convert(b, res_elem)
            op = arith.AndIOp if fn == "and" else arith.OrIOp
            return Val(self.emit(op(a.v, b.v)), self.and_(a.valid, b.valid), res_elem)
        a, b = self.convert(a, cylon.i1), self.convert(b, cylon.i1)
        if a.valid is None and b.valid is None:
            op = arith.AndIOp if fn == "and" else arith.OrIOp
            return Val(self.emit(op(a.v, b.v)), None, cylon.i1)
        av, bv = self.valid_or_true(a.valid), self.valid_or_true(b.valid)
        if fn == "and":
            fa = self.emit(arith.AndIOp(av, self.not_(a.v)))
            fb = self.emit(arith.AndIOp(bv, self.not_(b.v)))
            known_false = self.emit(arith.OrIOp(fa, fb))
            both = self.emit(arith.AndIOp(av, bv))
            valid = self.emit(arith.OrIOp(both, known_false))
            v = self.emit(arith.AndIOp(self.not_(known_false), self.emit(arith.AndIOp(a.v, b.v))))
            return Val(v, valid, cylon.i1)
        ta = self.emit(arith.AndIOp(av, a.v))
        tb = self.emit(arith.AndIOp(bv, b.v))
        known_true = self.emit(arith.OrIOp(ta, tb))
        both = self.emit(arith.AndIOp(av, bv))
        valid = self.emit(arith.OrIOp(both, known_true))
        return Val(known_true, valid, cylon.i1)

    def compare(self, fn: str, a: Val, b: Val) -> Val:
        if a.elem != b.elem:
            raise Unsupported(f"comparison of {_describe(a.elem)} with {_describe(b.elem)}")
        elem = a.elem
        k = kernel_type(elem)
        if _is_float(elem):
            pred = {"eq": "oeq", "ne": "une", "lt": "olt", "le": "ole", "gt": "ogt", "ge": "oge"}[fn]
            v = self.emit(arith.CmpfOp(a.v, b.v, pred))
        else:
            unsigned = k == i1 or _unsigned(elem)
            table = _UCMP if unsigned else _SCMP
            v = self.emit(arith.CmpiOp(a.v, b.v, table[fn]))
        return Val(v, self.and_(a.valid, b.valid), cylon.i1)

    def isin(self, a: Val, values: tuple[Attribute, ...]) -> Val:
        elem = a.elem
        if not (isinstance(elem, IntegerType) or _is_float(elem)):
            raise Unsupported(f"isin on {_describe(elem)} values")
        k = kernel_type(elem)
        consts: list[int] = []
        for attr in values:
            c = _coerce_literal(attr, elem)
            if c is not None and c not in consts:
                consts.append(c)
        if _is_float(k):
            bits_t = i64 if k == f64 else i32
            x = self.emit(arith.BitcastOp(a.v, bits_t))
        else:
            bits_t, x = k, a.v
        hit = self.false()
        for c in consts:
            eq = self.emit(arith.CmpiOp(x, self.int_const(c, bits_t), "eq"))
            hit = self.emit(arith.OrIOp(hit, eq))
        if a.valid is not None:
            hit = self.emit(arith.AndIOp(hit, a.valid))
        return Val(hit, None, cylon.i1)


class _EntryScope:
    """``with lowering.in_entry():`` emits into the entry block (loop-invariant code)."""

    def __init__(self, lowering: _Lowering):
        self.lowering = lowering
        self.saved: Block | None = None

    def __enter__(self) -> None:
        self.saved = self.lowering.target
        self.lowering.target = self.lowering.entry

    def __exit__(self, *exc: object) -> None:
        assert self.saved is not None
        self.lowering.target = self.saved


_ARITH_FN = {
    "arith.addi": "add", "arith.addf": "add", "arith.subi": "sub", "arith.subf": "sub",
    "arith.muli": "mul", "arith.mulf": "mul", "arith.andi": "and", "arith.ori": "or",
    "arith.negf": "neg", "math.absf": "abs", "math.absi": "abs",
}  # fmt: skip
_PRED_FN = {
    "eq": "eq", "ne": "ne", "slt": "lt", "sle": "le", "sgt": "gt", "sge": "ge",
    "oeq": "eq", "une": "ne", "one": "ne", "olt": "lt", "ole": "le", "ogt": "gt", "oge": "ge",
    "ult": "lt", "ule": "le", "ugt": "gt", "uge": "ge", "ueq": "eq",
}  # fmt: skip
_SCMP = {"eq": "eq", "ne": "ne", "lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge"}
_UCMP = {"eq": "eq", "ne": "ne", "lt": "ult", "le": "ule", "gt": "ugt", "ge": "uge"}


def _is_true_const(v: SSAValue) -> bool:
    op = v.owner
    return (
        isinstance(op, arith.ConstantOp)
        and isinstance(op.value, IntegerAttr)
        and op.value.type == i1
        and op.value.value.data != 0
    )


def _coerce_literal(attr: Attribute, elem: Attribute) -> int | None:
    """The bits of an ``isin`` value as a value of ``elem`` (None: it can equal no value),
    following the interpreter's ``_coerce_literal``."""
    if isinstance(attr, IntegerAttr):
        v: int | float = int(attr.value.data)
        if cylon.is_bool(attr.type):
            v = int(bool(v))
    elif isinstance(attr, FloatAttr):
        v = float(attr.value.data)
        if math.isnan(v):
            return None
    else:
        return None
    if cylon.is_bool(elem):
        return int(v) if v in (0, 1) else None
    if _is_float(elem):
        if elem == f64:
            return struct.unpack("<q", struct.pack("<d", float(v)))[0]
        try:
            return struct.unpack("<i", struct.pack("<f", float(v)))[0]
        except OverflowError:
            return None
    assert isinstance(elem, IntegerType)
    if float(v) != int(v):
        return None
    v = int(v)
    w = elem.width.data
    lo, hi = (0, (1 << w) - 1) if _unsigned(elem) else (-(1 << (w - 1)), (1 << (w - 1)) - 1)
    return v if lo <= v <= hi else None


# --------------------------------------------------------------------------- fused ops


_AGG_SLOTS = {"sum": 1, "count": 1, "size": 1, "min": 2, "max": 2, "mean": 2}


def _lower(
    op: cylon.FusedOp, scalar_ref: Callable[[SSAValue], Any], no_nulls: bool = False
) -> tuple[func.FuncOp, dict[str, Any], bool]:
    L = _Lowering(op, scalar_ref, no_nulls)
    chain = op.chain
    reduce = chain[-1] if isinstance(chain[-1], cylon.ReduceOp | cylon.AggregateOp) else None
    grouped = isinstance(reduce, cylon.AggregateOp)
    rows = chain[:-1] if reduce is not None else chain

    # accumulators: count of selected rows, then each aggregate's slots
    aggs: list[dict[str, Any]] = []
    acc_types: list[Attribute] = []
    acc_init: list[int] = []
    if grouped:  # per group, slot 0 counts its kept rows (groups without any are dropped)
        acc_types.append(i64)
        acc_init.append(0)
    if reduce is not None:
        rin: TableType = reduce.input.type  # type: ignore[assignment]
        out: TableType = reduce.output.type  # type: ignore[assignment]
        n_keys = len(reduce.keys.data) if grouped else 0  # type: ignore[union-attr]
        for agg, (oname, otype, _) in zip(reduce.aggs.data, out.fields[n_keys:]):
            fn, col, name = (a.data for a in agg.data)  # type: ignore[union-attr]
            elem = None
            if fn != "size":
                f = rin.field(col)
                assert f is not None
                elem = f[1]
                if fn != "count" and not (isinstance(elem, IntegerType) or _is_float(elem)):
                    if not (fn in ("min", "max") and isinstance(elem, DateType | TimestampType)):
                        raise Unsupported(f"{fn} of {_describe(elem)} column '{col}'")
            slots = list(range(len(acc_types), len(acc_types) + _AGG_SLOTS[fn]))
            kind = "i64"
            if fn in ("sum", "mean", "min", "max") and elem is not None and _is_float(elem):
                kind = "f64"
            unsigned = elem is not None and (_unsigned(elem) or cylon.is_bool(elem))
            for s in range(len(slots)):
                if s == 0 and kind == "f64":
                    acc_types.append(f64)
                    init = {"min": math.inf, "max": -math.inf}.get(fn, 0.0)
                    acc_init.append(struct.unpack("<q", struct.pack("<d", init))[0])
                else:
                    acc_types.append(i64)
                    init = 0
                    if s == 0 and fn == "min":
                        init = -1 if unsigned else (1 << 63) - 1
                    elif s == 0 and fn == "max":
                        init = 0 if unsigned else -(1 << 63)
                    acc_init.append(init)
            aggs.append(
                {
                    "fn": fn,
                    "column": col or None,
                    "name": name,
                    "type": _plan_type(otype),
                    "acc": kind,
                    "unsigned": bool(unsigned),
                    "slots": slots,
                    "input_type": None if elem is None else _plan_type(elem),
                }
            )

    body = Block(arg_types=[_INDEX, i64] + ([] if grouped else acc_types))
    L.body, L.i = body, body.args[0]
    L.target = body
    env: dict[str, Any] = {n: n for n in L.input.column_names}
    sel: SSAValue | None = None
    has_filter = False
    for c in rows:
        if isinstance(c, cylon.FilterOp):
            (p,) = L.lower_region(c.predicate, env)
            keep = L.and_(p.v, p.valid)
            assert keep is not None
            sel = L.and_(sel, keep)
            has_filter = True
        elif isinstance(c, cylon.AssignOp):
            vals = L.lower_region(c.body, env)
            env = dict(env)
            for n, v in zip((a.data for a in c.names.data), vals):
                env[n] = v
        elif isinstance(c, cylon.ProjectOp):
            env = {n.data: env[n.data] for n in c.columns.data}
        elif isinstance(c, cylon.RenameOp):
            mapping = {o.data: n.data for o, n in zip(c.old.data, c.new.data)}
            env = {mapping.get(k, k): v for k, v in env.items()}
        else:  # pragma: no cover - the verifier rules it out
            raise Unsupported(f"{c.name} in a fused chain")
        L.env = env
    L.env = env
    selected = L.valid_or_true(sel)
    count = L.emit(arith.AddiOp(body.args[1], L.emit(arith.ExtUIOp(selected, i64))))
    yields: list[SSAValue] = [count]
    abi: dict[str, Any] = {"version": ABI_VERSION}

    def agg_updates(accs: list[SSAValue], sel: SSAValue | None) -> list[SSAValue]:
        """The new slot values after one row kept where ``sel`` (None: kept)."""
        selected = L.valid_or_true(sel)
        new = list(accs)
        for a in aggs:
            fn, slots = a["fn"], a["slots"]
            if fn == "size":
                new[slots[0]] = L.emit(arith.AddiOp(accs[slots[0]], L.emit(arith.ExtUIOp(selected, i64))))
                continue
            if fn == "count":
                keep = L.valid_or_true(L.and_(sel, L.column_valid(a["column"])))
                new[slots[0]] = L.emit(arith.AddiOp(accs[slots[0]], L.emit(arith.ExtUIOp(keep, i64))))
                continue
            x = L.column(a["column"])
            keep = L.and_(sel, x.valid)
            if a["acc"] == "f64":
                v = x.v if kernel_type(x.elem) == f64 else L.emit(arith.ExtFOp(x.v, f64))
                zero = L.const(0.0, f64)
            else:
                k = kernel_type(x.elem)
                if k == i64:
                    v = x.v
                else:
                    ext = arith.ExtUIOp if (a["unsigned"] or k == i1) else arith.ExtSIOp
                    v = L.emit(ext(x.v, i64))
                zero = L.const(0, i64)
            s0 = slots[0]
            if fn in ("sum", "mean"):
                term = v if keep is None else L.select(keep, v, zero)
                add = arith.AddfOp(accs[s0], term, _REASSOC) if a["acc"] == "f64" else arith.AddiOp(accs[s0], term)
                new[s0] = L.emit(add)
            else:
                if a["acc"] == "f64":
                    op_ = arith.MinnumfOp if fn == "min" else arith.MaxnumfOp
                elif a["unsigned"]:
                    op_ = arith.MinUIOp if fn == "min" else arith.MaxUIOp
                else:
                    op_ = arith.MinSIOp if fn == "min" else arith.MaxSIOp
                m = L.emit(op_(accs[s0], v))
                new[s0] = m if keep is None else L.select(keep, m, accs[s0])
            if len(slots) > 1:
                one = L.emit(arith.ExtUIOp(L.valid_or_true(keep), i64))
                new[slots[1]] = L.emit(arith.AddiOp(accs[slots[1]], one))
        return new

    if reduce is not None and not grouped:
        yields += agg_updates(list(body.args[2:]), sel)
        acc_ref = L.add_arg(_memref(i64), {"kind": "acc"})
        abi["reduce"] = aggs
        abi["acc_init"] = acc_init
    elif grouped:
        assert isinstance(reduce, cylon.AggregateOp)
        keys = [k.data for k in reduce.keys.data]
        inputs = []
        for k in keys:
            src = env[k]
            if not isinstance(src, str):
                raise Unsupported(f"group key '{k}' is computed in the chain")
            if _is_float(L._field(src)[1]):
                raise Unsupported(f"float group key '{k}'")
            inputs.append(src)
        for a in aggs:  # read the aggregated columns before the per-group update
            if a["fn"] == "count":
                L.column_valid(a["column"])
            elif a["fn"] != "size":
                L.column(a["column"])
        codes = L.add_arg(_memref(i64), {"kind": "group_codes"})
        gacc = L.add_arg(_memref(i64), {"kind": "group_acc"})
        code = L.emit(memref.LoadOp.get(codes, [L.i]))
        keep = L.and_(sel, L.emit(arith.CmpiOp(code, L.const(0, i64), "sge")))
        assert keep is not None
        then = Block()
        L.target = then
        base = L.emit(arith.MuliOp(code, L.const(len(acc_types), i64)))
        idx = [L.emit(arith.IndexCastOp(L.emit(arith.AddiOp(base, L.const(j, i64))), _INDEX)) for j in range(len(acc_types))]
        olds = []
        for j, t in enumerate(acc_types):
            raw = L.emit(memref.LoadOp.get(gacc, [idx[j]]))
            olds.append(raw if t == i64 else L.emit(arith.BitcastOp(raw, f64)))
        news = agg_updates(olds, None)
        news[0] = L.emit(arith.AddiOp(olds[0], L.const(1, i64)))
        for j, (t, old_v, new_v) in enumerate(zip(acc_types, olds, news)):
            if new_v is old_v:
                continue
            raw = new_v if t == i64 else L.emit(arith.BitcastOp(new_v, i64))
            L.emit(memref.StoreOp.get(raw, gacc, [idx[j]]))
        then.add_op(scf.YieldOp())
        L.target = body
        body.add_op(scf.IfOp(keep, [], Region(then)))
        abi["reduce"] = aggs
        abi["acc_init"] = acc_init
        abi["group_keys"] = inputs
    else:
        abi["reduce"] = None
        columns: list[dict[str, Any]] = []
        out: TableType = op.output.type  # type: ignore[assignment]
        if has_filter:
            sel_ref = L.add_arg(_memref(i8), {"kind": "select"})
            L.emit(memref.StoreOp.get(L.emit(arith.ExtUIOp(selected, i8)), sel_ref, [L.i]))
        n_out = 0
        null_slots: list[int] = []
        for name, elem, _ in out.fields:
            src = env[name]
            if not isinstance(src, Val):
                columns.append({"name": name, "from": "input", "src": src})
                continue
            if not (isinstance(elem, IntegerType) or _is_float(elem)):
                raise Unsupported(f"computed {_describe(elem)} column '{name}'")
            k = n_out
            n_out += 1
            st = storage_type(elem)
            vref = L.add_arg(_memref(st), {"kind": "output", "index": k, "type": _plan_type(elem)})
            v = L.emit(arith.ExtUIOp(src.v, i8)) if kernel_type(elem) == i1 else src.v
            L.emit(memref.StoreOp.get(v, vref, [L.i]))
            entry: dict[str, Any] = {"name": name, "from": "kernel", "index": k, "type": _plan_type(elem)}
            if src.valid is not None:
                slot = L.new_param()
                mref = L.add_arg(_memref(i8), {"kind": "output_validity", "index": k, "null_count": slot})
                L.emit(memref.StoreOp.get(L.emit(arith.ExtUIOp(src.valid, i8)), mref, [L.i]))
                # nulls among the kept rows, so that the runtime builds a bitmap only if needed
                counter = body.insert_arg(i64, len(body.args))
                null = L.not_(src.valid) if sel is None else L.emit(arith.AndIOp(sel, L.not_(src.valid)))
                yields.append(L.emit(arith.AddiOp(counter, L.emit(arith.ExtUIOp(null, i64)))))
                null_slots.append(slot)
                entry["nullable"] = True
            else:
                entry["nullable"] = False
            columns.append(entry)
        abi["columns"] = columns
    body.add_op(scf.YieldOp(*yields))

    # entry: load the accumulators, run the loop, store the results
    L.target = L.entry
    inits: list[SSAValue] = [L.const(0, i64)]
    if reduce is not None and not grouped:
        for s, t in enumerate(acc_types):
            raw = L.load(acc_ref, s)
            inits.append(raw if t == i64 else L.emit(arith.BitcastOp(raw, f64)))
    elif reduce is None:
        inits += [L.const(0, i64)] * len(null_slots)
    loop = scf.ForOp(L.c0, L.n, L.c1, inits, body)
    L.entry.add_op(loop)
    L.emit(memref.StoreOp.get(loop.results[0], L.params, [L.c1]))
    if reduce is None:
        for j, slot in enumerate(null_slots):
            L.emit(memref.StoreOp.get(loop.results[1 + j], L.params, [L.index(slot)]))
    if reduce is not None and not grouped:
        for s, t in enumerate(acc_types):
            r = loop.results[1 + s]
            raw = r if t == i64 else L.emit(arith.BitcastOp(r, i64))
            L.emit(memref.StoreOp.get(raw, acc_ref, [L.index(s)]))
    L.emit(func.ReturnOp())

    arg_types = [a.type for a in L.entry.args]
    symbol = symbol_of(op) + ("_nonull" if no_nulls else "")
    fn_op = func.FuncOp(symbol, (arg_types, []), Region(L.entry))
    fn_op.attributes["llvm.emit_c_interface"] = UnitAttr()
    abi["symbol"] = symbol
    abi["args"] = L.abi_args
    abi["params"] = L.n_params
    abi["scalars"] = L.scalars
    abi["no_nulls"] = L.assumed_valid
    abi["nan_as_null"] = L.nan_as_null
    return fn_op, abi, L.nullable_read


def symbol_of(op: cylon.FusedOp) -> str:
    """The ``func.func`` symbol of a fused op's kernel."""
    return f"cylonc_{op.kernel.data}"


def lower_fused(op: cylon.FusedOp, scalar_ref: Callable[[SSAValue], Any] | None = None) -> KernelSpec:
    """Lower one ``cylon.fused`` op.

    Parameters
    ----------
    op : cylon.FusedOp
    scalar_ref : callable, optional
        Maps a scalar operand (a ``cylon.scalar`` result used in an expression) to its plan
        node id, recorded in the ABI; by default the operands are numbered in order.

    Returns
    -------
    KernelSpec
        With ``func`` and ``abi`` when the op lowers natively, else ``reason`` says why not.
    """
    counter: dict[SSAValue, int] = {}
    ref = scalar_ref or (lambda v: counter.setdefault(v, len(counter)))
    ops = [c.name.removeprefix("cylon.") for c in op.chain]
    spec = KernelSpec(op.kernel.data, symbol_of(op), ops)
    try:
        spec.func, spec.abi, nullable_read = _lower(op, ref)
        spec.func.verify()
        if nullable_read:
            counter.clear()
            spec.nonull_func, spec.nonull_abi, _ = _lower(op, ref, no_nulls=True)
            spec.nonull_func.verify()
    except Unsupported as exc:
        spec.func = spec.abi = spec.nonull_func = spec.nonull_abi = None
        spec.reason = str(exc)
    return spec


def fused_ops(module: ModuleOp) -> list[cylon.FusedOp]:
    return [op for op in module.walk() if isinstance(op, cylon.FusedOp)]


def lower_module(module: ModuleOp) -> tuple[ModuleOp, list[KernelSpec]]:
    """The ``lowered`` stage: per natively supported fused op, its ``func.func`` and, when it
    reads nullable columns, a ``<symbol>_nonull`` variant for data without nulls there.

    Fused ops that fall back to the Arrow interpreter are listed, with the reason, in the
    module's ``cylonc.fallback`` attribute.
    """
    specs = [lower_fused(op) for op in fused_ops(module)]
    out = ModuleOp([f for s in specs for f in s.funcs])
    fallbacks = {s.kernel: StringAttr(s.reason or "") for s in specs if not s.native}
    if fallbacks:
        out.attributes["cylonc.fallback"] = DictionaryAttr(fallbacks)
    return out, specs


__all__ = [
    "ABI_VERSION",
    "KernelSpec",
    "Unsupported",
    "fused_ops",
    "kernel_type",
    "lower_fused",
    "lower_module",
    "storage_type",
    "symbol_of",
]

