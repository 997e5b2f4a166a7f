"""Tracing: run the user's function on proxies and record a ``cylon`` module.

Table operators are emitted as they are called (in program order, at module level); column
expressions are emitted into the region of the operator that consumes them, with upstream
``arith``/``math`` ops where operands are non-null numbers and ``cylon`` ops otherwise.
"""

from __future__ import annotations

import contextvars
import datetime as _dt
import inspect
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
from xdsl.dialects import arith
from xdsl.dialects import math as mathd
from xdsl.dialects.builtin import (
    ArrayAttr,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    Signedness,
    StringAttr,
    UnitAttr,
    i1,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.utils.exceptions import VerifyException

from cylonc.compiler import types as T
from cylonc.compiler.frontend.expr import Column, _fail
from cylonc.compiler.frontend.location import user_location
from cylonc.compiler.frontend.table import Table
from cylonc.dialects import cylon
from cylonc.dialects.cylon import (
    MEMORY_ATTR,
    DateType,
    NullableType,
    RowType,
    StringType,
    TableType,
    TimestampType,
    is_bool,
    is_float,
    is_numeric,
    strip_nullable,
    value_type,
)
from cylonc.errors import CompileError

_current: contextvars.ContextVar[TraceContext | None] = contextvars.ContextVar("cylonc_trace", default=None)


def current() -> TraceContext | None:
    """The trace being recorded, or None when running on pandas."""
    return _current.get()


@dataclass
class TableInfo:
    token: int
    versions: dict[str, int]


@dataclass
class UdfUse:
    name: str
    func: Callable[..., Any]
    arg_types: list[str]
    return_type: str


@dataclass
class InputSpec:
    """A pipeline input as the tracer sees it."""

    name: str
    table: TableType
    source_types: list[str]
    memory: bool = False
    """An in-memory table (not a file): its filters are not folded into the scan, so a fused
    kernel evaluates them in the same pass as the rest of its work."""


_CMPI = {"eq": "eq", "ne": "ne", "lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge"}
_CMPF = {"eq": "oeq", "ne": "une", "lt": "olt", "le": "ole", "gt": "ogt", "ge": "oge"}
_ARITH_INT = {"add": arith.AddiOp, "sub": arith.SubiOp, "mul": arith.MuliOp}
_ARITH_FLOAT = {"add": arith.AddfOp, "sub": arith.SubfOp, "mul": arith.MulfOp}


def _signless_int(t: Attribute) -> bool:
    return isinstance(t, IntegerType) and t.width.data > 1 and t.signedness.data == Signedness.SIGNLESS


class TraceContext:
    """The state of one trace: the module being built and what is known about its tables."""

    def __init__(self) -> None:
        self.block = Block()
        self.tables: dict[SSAValue, TableInfo] = {}
        self.udfs: dict[str, UdfUse] = {}
        self._tokens = itertools.count()
        self.parent: dict[int, int | None] = {}
        self._versions = itertools.count()
        self._tmp = itertools.count()

    # ------------------------------------------------------------------ tables

    def _fresh(self, t: TableType) -> TableInfo:
        return TableInfo(self._token_under(None), {n: next(self._versions) for n in t.column_names})

    def _token_under(self, parent: int | None) -> int:
        token = next(self._tokens)
        self.parent[token] = parent
        return token

    def _ancestors(self, token: int) -> list[int]:
        out: list[int] = []
        t: int | None = token
        while t is not None:
            out.append(t)
            t = self.parent[t]
        return out

    def emit(self, op: Operation, loc) -> Operation:
        """Append a table operator (tagging it with the user's line) and record its rows."""
        if loc is not None:
            op.attributes["loc"] = StringAttr(f"{loc[0]}:{loc[1]}")
        self.block.add_op(op)
        out = op.results[0] if op.results else None
        if out is not None and isinstance(out.type, TableType):
            src = self.tables.get(op.operands[0]) if op.operands else None
            if isinstance(op, cylon.ProjectOp) and src is not None:
                info = TableInfo(src.token, {c: src.versions[c] for c in out.type.column_names})
            elif isinstance(op, cylon.AssignOp) and src is not None:
                versions = dict(src.versions)
                versions.update({n.data: next(self._versions) for n in op.names.data})
                info = TableInfo(src.token, versions)
            elif isinstance(op, cylon.FilterOp | cylon.SortOp | cylon.LimitOp | cylon.DistinctOp) and src is not None:
                info = TableInfo(self._token_under(src.token), dict(src.versions))
            elif isinstance(op, cylon.RenameOp) and src is not None:
                mapping = {o.data: n.data for o, n in zip(op.old.data, op.new.data)}
                info = TableInfo(src.token, {mapping.get(k, k): v for k, v in src.versions.items()})
            else:
                info = self._fresh(out.type)
            self.tables[out] = info
        return op

    def input(self, spec: InputSpec, index: int) -> Table:
        op = cylon.InputOp(spec.name, index, spec.table, spec.source_types)
        if spec.memory:
            op.attributes[MEMORY_ATTR] = UnitAttr()
        self.emit(op, None)
        return Table(self, op.output)

    def column(self, table: SSAValue, name: str, loc) -> Column:
        t = table.type
        assert isinstance(t, TableType)
        f = t.field(name)
        assert f is not None
        return Column(self, "col", f[1], f[2], opts={"source": table, "name": name}, loc=loc, name=name)

    def _token(self, e: Column) -> int | None:
        """The row set an expression lives on: the deepest of its leaves' tables, when they all
        lie on one chain of row subsets (filter/sort/limit/distinct keep pandas' index)."""
        deepest: int | None = None
        for src, _ in e.leaves:
            tok = self.tables[src].token
            if deepest is None or deepest in self._ancestors(tok):
                deepest = tok
            elif tok not in self._ancestors(deepest):
                return None
        return deepest

    def check_same_table(self, a: Column, b: Column, loc) -> None:
        if a.is_scalar or b.is_scalar:
            return
        ta, tb = self._token(a), self._token(b)
        if ta is None or tb is None or (ta not in self._ancestors(tb) and tb not in self._ancestors(ta)):
            raise _fail(
                "this expression combines columns of different tables (pandas would align them by index); "
                "merge the tables first and use the merged table's columns",
                loc,
            )

    def _check_on(self, e: Column, target: SSAValue, loc) -> None:
        info = self.tables[target]
        for src, name in e.leaves:
            si = self.tables[src]
            if si.token not in self._ancestors(info.token):
                raise _fail(
                    f"column '{name}' belongs to another table than the one it is used on (pandas would align "
                    "them by index); use the columns of the table being filtered/assigned, or merge first",
                    loc,
                )
            if info.versions.get(name) != si.versions[name]:
                raise _fail(
                    f"column '{name}' was replaced, renamed or dropped after this expression was built; "
                    "read it from the current table",
                    loc,
                )

    # ------------------------------------------------------------------ literals

    def literal(self, value: object, like: Column | None, loc, type: Attribute | None = None) -> Column:
        """A typed literal (NEP 50 weak typing next to ``like``)."""
        if isinstance(value, Column):
            return value
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is getattr(pa, "NA", object()):
            if type is None and like is None:
                raise _fail("a null literal needs a typed context (e.g. fillna/where on a column)", loc)
            return self.null(type or like.type, loc)  # type: ignore[union-attr]
        try:
            import pandas as pd

            if value is pd.NaT or value is pd.NA:
                return self.null(type or (like.type if like is not None else T.timestamp("ns")), loc)
        except ImportError:  # pragma: no cover
            pass
        if type is None:
            if like is not None:
                type = T.weak_literal_type(value, like.type)
                if (
                    isinstance(like.type, DateType)
                    and isinstance(value, _dt.datetime | np.datetime64)
                    and _is_midnight(value)
                ):
                    type = DateType()
            else:
                type = T.literal_type(value)
            if type is None:
                raise _fail(f"unsupported literal {value!r} of type {type_name(value)}", loc)
        return Column(self, "lit", type, False, opts={"value": self._convert(value, type, loc), "py": value}, loc=loc)

    def _convert(self, value: object, t: Attribute, loc) -> object:
        try:
            if is_bool(t):
                if isinstance(value, str):
                    raise ValueError
                return bool(value)
            if isinstance(t, IntegerType):
                if isinstance(value, str) or (isinstance(value, float) and not float(value).is_integer()):
                    raise ValueError
                return int(value)  # type: ignore[call-overload]
            if is_float(t):
                if isinstance(value, str):
                    raise ValueError
                return float(value)  # type: ignore[arg-type]
            if isinstance(t, StringType):
                if not isinstance(value, str):
                    raise ValueError
                return value
            if isinstance(t, DateType):
                return T.date_days(value)
            if isinstance(t, TimestampType):
                return T.timestamp_ticks(value, t.unit.data)
        except (ValueError, TypeError, OverflowError) as exc:
            raise _fail(f"literal {value!r} cannot be used as {T.describe(t)}", loc) from exc
        raise _fail(f"literal {value!r} cannot be used as {T.describe(t)}", loc)

    def null(self, t: Attribute, loc) -> Column:
        return Column(self, "lit", t, True, opts={"value": None, "py": None}, loc=loc)

    # ------------------------------------------------------------------ regions

    def region(self, target: SSAValue, exprs: Sequence[Column], loc) -> Region:
        """A region over ``target``'s rows computing ``exprs`` and yielding them."""
        t = target.type
        assert isinstance(t, TableType)
        for e in exprs:
            self._check_on(e, target, loc)
        block = Block(arg_types=[RowType.of(t)])
        em = _Emitter(self, block, block.args[0])
        vals = [em.emit(e) for e in exprs]
        block.add_op(cylon.YieldOp(*vals))
        return Region(block)

    def scalar_value(self, e: Column) -> SSAValue:
        """Emit a scalar-only expression at module level."""
        return _Emitter(self, self.block, None).emit(e)

    def _source_for(self, e: Column, loc) -> SSAValue:
        for src in dict.fromkeys(s for s, _ in e.leaves):
            try:
                self._check_on(e, src, loc)
            except CompileError:
                continue
            return src
        raise _fail("this expression uses columns that no single table holds; merge the tables first", loc)

    def _materialize(self, e: Column, loc) -> tuple[SSAValue, str]:
        """A table holding ``e`` as a column, and that column's name."""
        src = self._source_for(e, loc)
        if e.kind == "col":
            return src, e.opts["name"]
        name = f"__expr{next(self._tmp)}"
        op = self.emit(cylon.AssignOp(src, [name], self.region(src, [e], loc)), loc)
        return op.results[0], name

    def reduce(self, e: Column, fn: str, loc) -> Column:
        """Emit a whole-column reduction and give its result as a scalar."""
        table, col = self._materialize(e, loc)
        red = self.emit(cylon.ReduceOp(table, [[fn, "" if fn == "size" else col, col]]), loc)
        sc = cylon.ScalarOp(red.results[0], col)
        self.block.add_op(sc)
        elem, nullable = strip_nullable(sc.result.type)
        return Column(self, "scalar", elem, nullable, opts={"value": sc.result}, loc=loc, name=e.name)

    def series_table(self, e: Column, loc) -> SSAValue:
        """A one-column table for a returned column expression (a pandas Series)."""
        table, col = self._materialize(e, loc)
        name = e.name or "0"
        if col != name:
            if name in table.type.column_names:  # type: ignore[union-attr]
                table = self.emit(cylon.ProjectOp(table, [col]), loc).results[0]
            table = self.emit(cylon.RenameOp(table, [col], [name]), loc).results[0]
            col = name
        return self.emit(cylon.ProjectOp(table, [col]), loc).results[0]

    # ------------------------------------------------------------------ multi-table helpers

    def unify_keys(self, left: Table, right: Table, lk: list[str], rk: list[str], loc) -> tuple[Table, Table]:
        """Cast join keys of different numeric widths (or date vs timestamp) to one type."""
        lcast: dict[str, Attribute] = {}
        rcast: dict[str, Attribute] = {}
        for a, b in zip(lk, rk):
            ta, tb = left._type.field(a)[1], right._type.field(b)[1]  # type: ignore[index]
            if ta == tb:
                continue
            if is_numeric(ta) and is_numeric(tb) and not (is_bool(ta) or is_bool(tb)):
                common = T.common_numeric(ta, tb)
            elif isinstance(ta, DateType | TimestampType) and isinstance(tb, DateType | TimestampType):
                common = ta if isinstance(ta, TimestampType) else tb
            else:
                raise _fail(
                    f"merge(): key '{a}' ({T.describe(ta)}) and '{b}' ({T.describe(tb)}) have incompatible types", loc
                )
            if ta != common:
                lcast[a] = common
            if tb != common:
                rcast[b] = common

        def cast(t: Table, casts: dict[str, Attribute]) -> Table:
            if not casts:
                return t
            exprs = {c: self.column(t._value, c, loc).cast(ty, loc) for c, ty in casts.items()}
            op = self.emit(cylon.AssignOp(t._value, list(exprs), self.region(t._value, list(exprs.values()), loc)), loc)
            return Table(self, op.results[0])

        return cast(left, lcast), cast(right, rcast)

    def union(self, tables: list[Table], loc) -> Table:
        fields: dict[str, tuple[Attribute, bool]] = {}
        for t in tables:
            for n, ty, nl in t._type.fields:
                if n not in fields:
                    fields[n] = (ty, nl)
                    continue
                prev, pnl = fields[n]
                if prev != ty:
                    if is_numeric(prev) and is_numeric(ty):
                        ty = T.common_numeric(prev, ty)
                    elif isinstance(prev, DateType | TimestampType) and isinstance(ty, DateType | TimestampType):
                        ty = prev if isinstance(prev, TimestampType) else ty
                    else:
                        raise _fail(
                            f"concat(): column '{n}' is {T.describe(prev)} in one table and {T.describe(ty)} in another",
                            loc,
                        )
                fields[n] = (ty, pnl or nl)
        for t in tables:
            for n in fields:
                if n not in t.columns:
                    fields[n] = (fields[n][0], True)
        result = TableType.from_fields([(n, ty, nl) for n, (ty, nl) in fields.items()])
        op = self.emit(cylon.UnionOp([t._value for t in tables], result), loc)
        return Table(self, op.results[0])

    def read(self, fmt: str, path: str, columns: Sequence[str] | None, loc) -> Table:
        from cylonc.compiler.inputs import describe_source

        spec = describe_source(path, str(path), fmt=fmt, loc=loc).spec
        op = self.emit(cylon.ReadOp(fmt, str(path), spec.table, spec.source_types), loc)
        t = Table(self, op.results[0])
        if columns is not None:
            cols = list(columns)
            t._check_columns(cols, loc)
            t = Table(self, self.emit(cylon.ProjectOp(t._value, cols), loc).results[0])
        return t

    def udf_call(self, func: Any, return_type: Attribute, args: Sequence[object], loc) -> Column:
        cols: list[Column] = []
        anchor = next((a for a in args if isinstance(a, Column)), None)
        for a in args:
            c = self.literal(a, anchor, loc) if not isinstance(a, Column) else a
            if not is_numeric(c.type):
                raise _fail(f"UDF {func.__name__}(): arguments must be numbers or booleans, got {c._describe()}", loc)
            if anchor is not None:
                self.check_same_table(anchor, c, loc)
            cols.append(c)
        arg_types = [T.to_plan(c.type) for c in cols]
        ret = T.to_plan(return_type)
        key = next(
            (n for n, u in self.udfs.items() if u.func is func and u.arg_types == arg_types and u.return_type == ret), None
        )
        if key is None:
            key = func.__name__ if func.__name__ not in self.udfs else f"{func.__name__}_{len(self.udfs)}"
            self.udfs[key] = UdfUse(key, func, arg_types, ret)
        nullable = any(c.nullable for c in cols)
        return Column(self, "call", return_type, nullable, tuple(cols), {"fn": "udf", "callee": key}, loc)


def _is_midnight(value: object) -> bool:
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[D]") == value
    if isinstance(value, _dt.datetime):
        return value.tzinfo is None and value.time() == _dt.time(0) and getattr(value, "nanosecond", 0) == 0
    return False


def type_name(value: object) -> str:
    return type(value).__name__


class _Emitter:
    """Emits expression trees as ops into one block (memoised per node)."""

    def __init__(self, ctx: TraceContext, block: Block, row: SSAValue | None):
        self.ctx = ctx
        self.block = block
        self.row = row
        self.memo: dict[int, SSAValue] = {}

    def add(self, op: Operation) -> SSAValue:
        self.block.add_op(op)
        return op.results[0]

    def emit(self, e: Column) -> SSAValue:
        key = id(e)
        if key not in self.memo:
            self.memo[key] = self._emit(e)
        return self.memo[key]

    def _emit(self, e: Column) -> SSAValue:
        if e.kind == "col":
            assert self.row is not None
            return self.add(cylon.ColOp(self.row, e.opts["name"]))
        if e.kind == "scalar":
            return e.opts["value"]
        if e.kind == "lit":
            return self._literal(e)
        args = [self.emit(a) for a in e.args]
        fn = e.opts["fn"]
        out = value_type(e.type, e.nullable)
        nonnull = not any(isinstance(a.type, NullableType) for a in args)
        t0 = strip_nullable(args[0].type)[0] if args else None
        if fn in ("add", "sub", "mul") and nonnull and (_signless_int(t0) or is_float(t0)):
            table = _ARITH_INT if _signless_int(t0) else _ARITH_FLOAT
            return self.add(table[fn](args[0], args[1]))
        if fn in ("add", "sub", "mul", "div", "floordiv", "mod", "pow", "and", "or"):
            if fn in ("and", "or") and nonnull:
                return self.add((arith.AndIOp if fn == "and" else arith.OrIOp)(args[0], args[1]))
            return self.add(cylon.BinaryOp(fn, args[0], args[1], out))
        if fn in _CMPI:
            if nonnull and _signless_int(t0):
                return self.add(arith.CmpiOp(args[0], args[1], _CMPI[fn]))
            if nonnull and is_float(t0):
                return self.add(arith.CmpfOp(args[0], args[1], _CMPF[fn]))
            return self.add(cylon.CmpOp(fn, args[0], args[1]))
        if fn == "not":
            if nonnull:
                true = self.add(arith.ConstantOp(IntegerAttr(1, i1)))
                return self.add(arith.XOrIOp(args[0], true))
            return self.add(cylon.UnaryOp("not", args[0], out))
        if fn == "neg" and nonnull and is_float(t0):
            return self.add(arith.NegfOp(args[0]))
        if fn == "abs" and nonnull and is_float(t0):
            return self.add(mathd.AbsFOp(args[0]))
        if fn == "abs" and nonnull and _signless_int(t0):
            return self.add(mathd.AbsIOp(args[0]))
        if fn in ("neg", "abs", "isna", "notna"):
            return self.add(cylon.UnaryOp(fn, args[0], out))
        if fn == "round":
            return self.add(cylon.RoundOp(args[0], e.opts["ndigits"]))
        if fn == "cast":
            return self.add(cylon.CastOp(args[0], out))
        if fn == "fillna":
            return self.add(cylon.FillNaOp(args[0], args[1]))
        if fn == "where":
            return self.add(cylon.WhereOp(args[0], args[1], args[2]))
        if fn == "isin":
            return self.add(cylon.IsInOp(args[0], ArrayAttr([_attr(v, e.args[0].type) for v in e.opts["values"]])))
        if fn.startswith("str_"):
            opts = {k: _opt_attr(v) for k, v in e.opts.items() if k != "fn" and v is not None}
            return self.add(cylon.StrOp(fn[4:], args[0], out, opts))
        if fn.startswith("dt_"):
            return self.add(cylon.DtOp(fn[3:], args[0]))
        if fn == "udf":
            return self.add(cylon.UdfOp(e.opts["callee"], args, out))
        raise AssertionError(f"no emission for {fn}")

    def _literal(self, e: Column) -> SSAValue:
        v, t = e.opts["value"], e.type
        if v is None:
            return self.add(cylon.ConstOp(None, NullableType(t)))
        if is_bool(t):
            return self.add(arith.ConstantOp(IntegerAttr(int(v), i1)))
        if _signless_int(t):
            return self.add(arith.ConstantOp(IntegerAttr(v, t)))
        if is_float(t):
            return self.add(arith.ConstantOp(FloatAttr(v, t)))
        return self.add(cylon.ConstOp(_attr(v, t), t))


def _attr(v: object, t: Attribute) -> Attribute:
    if isinstance(t, StringType):
        return StringAttr(str(v))
    if is_float(t):
        return FloatAttr(float(v), t)  # type: ignore[arg-type]
    if is_bool(t):
        return IntegerAttr(int(bool(v)), i1)
    if isinstance(t, IntegerType):
        return IntegerAttr(int(v), t)  # type: ignore[call-overload]
    return IntegerAttr(int(v), i64)  # type: ignore[call-overload]


def _opt_attr(v: object) -> Attribute:
    if isinstance(v, bool):
        return IntegerAttr(int(v), i1)
    if isinstance(v, int):
        return IntegerAttr(v, i64)
    return StringAttr(str(v))


# --------------------------------------------------------------------------- entry point


@dataclass
class Trace:
    """The result of tracing: the verified module and the UDFs it calls."""

    module: ModuleOp
    udfs: dict[str, UdfUse] = field(default_factory=dict)


def trace(fn: Callable[..., Any], specs: dict[str, InputSpec], params: dict[str, object]) -> Trace:
    """Run ``fn`` on proxies of its inputs and return the recorded module.

    ``specs`` maps table parameters to their input specs; ``params`` holds the other arguments
    (Python scalars used as constants), both keyed by parameter name.
    """
    ctx = TraceContext()
    sig = inspect.signature(fn)
    kwargs: dict[str, object] = {}
    for i, (name, spec) in enumerate(specs.items()):
        kwargs[name] = ctx.input(spec, i)
    kwargs.update(params)
    args, kw = [], {}
    for p in sig.parameters.values():
        if p.name not in kwargs:
            continue
        if p.kind in (p.POSITIONAL_ONLY,):
            args.append(kwargs[p.name])
        else:
            kw[p.name] = kwargs[p.name]
    token = _current.set(ctx)
    try:
        result = fn(*args, **kw)
        _output(ctx, result, fn)
    finally:
        _current.reset(token)
    module = ModuleOp(Region(ctx.block))
    try:
        module.verify()
    except VerifyException as exc:
        raise CompileError(f"internal error: the traced IR does not verify: {exc}") from exc
    return Trace(module, ctx.udfs)


def _output(ctx: TraceContext, result: object, fn: Callable[..., Any]) -> None:
    loc = _return_location(fn)

    def value(v: object, what: str) -> SSAValue:
        if isinstance(v, Table):
            return v._value
        if isinstance(v, Column):
            if v.is_scalar:
                return ctx.scalar_value(v)
            return ctx.series_table(v, loc)
        if isinstance(v, bool | int | float | np.generic):
            return ctx.scalar_value(ctx.literal(v, None, loc))
        raise _fail(
            f"{what} is a {type(v).__name__}; a pipeline returns a table, a column, a scalar, "
            "or a dict/tuple of them",
            loc,
        )

    if isinstance(result, dict):
        keys = list(result)
        if not keys or not all(isinstance(k, str) for k in keys):
            raise _fail("a returned dict needs string keys and at least one entry", loc)
        vals = [value(result[k], f"result[{k!r}]") for k in keys]
        op = cylon.OutputOp("dict", vals, keys)
    elif isinstance(result, tuple | list):
        if not result:
            raise _fail("a returned tuple needs at least one entry", loc)
        vals = [value(v, f"result[{i}]") for i, v in enumerate(result)]
        op = cylon.OutputOp("tuple", vals)
    else:
        v = value(result, "the result")
        op = cylon.OutputOp("table" if isinstance(v.type, TableType) else "scalar", [v])
    ctx.block.add_op(op)


def _return_location(fn: Callable[..., Any]) -> tuple[str, int] | None:
    try:
        lines, start = inspect.getsourcelines(fn)
        path = inspect.getsourcefile(fn) or fn.__code__.co_filename
    except (OSError, TypeError):
        return None
    from cylonc.compiler.frontend.location import _display

    for i, line in enumerate(lines):
        if line.strip().startswith("return"):
            return _display(path), start + i
    return _display(path), start
