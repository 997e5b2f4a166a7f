"""Column expressions: the frozen, typed expression nodes behind ``t.a + 1``.

A :class:`Column` is what users hold when they write ``t.price * (1 - t.disc)``: an immutable
node (column read, literal, pipeline scalar, or function call) whose type is inferred when it is
built, so a type error is reported at the user's line. Nodes are emitted as IR only when a table
operator consumes them (see ``tracer.py``). A column reduction (``t.x.sum()``) emits a
``cylon.reduce`` right away and gives a *scalar* column (no table), usable in expressions of any
table or returned.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from xdsl.dialects.builtin import Float32Type, f32, f64, i1, i64
from xdsl.ir import Attribute

from cylonc.compiler import types as T
from cylonc.compiler.frontend.location import user_location
from cylonc.dialects.cylon import DateType, StringType, TimestampType, is_bool, is_integer, is_numeric
from cylonc.errors import CompileError

if TYPE_CHECKING:
    from cylonc.compiler.frontend.tracer import TraceContext

ARITH = ("add", "sub", "mul", "div", "floordiv", "mod", "pow")
CMP = ("eq", "ne", "lt", "le", "gt", "ge")
REDUCTIONS = ("sum", "mean", "min", "max", "count", "nunique", "std", "var")

SERIES_METHODS = sorted(
    {
        "abs", "astype", "between", "count", "dt", "fillna", "isin", "isna", "isnull", "max", "mean",
        "min", "notna", "notnull", "nunique", "round", "std", "str", "sum", "var", "where", "size",
    }
)
STR_METHODS = ["contains", "endswith", "len", "lower", "slice", "startswith", "upper"]
DT_FIELDS = ["day", "month", "year"]


def _fail(msg: str, loc: tuple[str, int] | None = None) -> CompileError:
    return CompileError(msg, loc if loc is not None else user_location())


def unsupported(kind: str, name: str, supported: Sequence[str], loc=None) -> CompileError:
    return _fail(
        f"{kind}.{name} is not supported by cylonc (supported: {', '.join(supported)})", loc
    )


def _is_literal(v: object) -> bool:
    return isinstance(v, bool | int | float | str | _dt.date | np.generic) and not isinstance(v, np.ndarray)


class Column:
    """A column expression (or a pipeline scalar) inside a traced pipeline.

    Build them from tables (``t.a``, ``t["a"]``) and operators; they are typed as they are built
    and never hold data.

    Examples
    --------
    >>> import cylonc as cc
    >>> @cc.compile
    ... def q(t):
    ...     return t[(t.a * 2 > 3) & t.s.str.startswith("x")]
    """

    __slots__ = ("ctx", "kind", "args", "type", "nullable", "opts", "loc", "name", "leaves", "__weakref__")

    def __init__(
        self,
        ctx: TraceContext,
        kind: str,
        type: Attribute,
        nullable: bool,
        args: tuple[Column, ...] = (),
        opts: dict[str, Any] | None = None,
        loc=None,
        name: str | None = None,
    ):
        self.ctx = ctx
        self.kind = kind
        self.type = type
        self.nullable = nullable
        self.args = args
        self.opts = opts or {}
        self.loc = loc
        self.name = name
        if kind == "col":
            self.leaves = frozenset([(self.opts["source"], self.opts["name"])])
        else:
            self.leaves = frozenset().union(*(a.leaves for a in args)) if args else frozenset()

    # ------------------------------------------------------------------ construction helpers

    @property
    def is_scalar(self) -> bool:
        """True for values computed by reductions (no table of their own)."""
        return not self.leaves

    def _describe(self) -> str:
        if self.kind == "col":
            return f"column '{self.opts['name']}' ({T.describe(self.type)})"
        if self.kind == "lit":
            return f"{T.describe(self.type)} literal {self.opts['value']!r}"
        return f"{'scalar' if self.is_scalar else 'expression'} of type {T.describe(self.type)}"

    def _call(self, fn: str, args: tuple[Column, ...], type: Attribute, nullable: bool, loc, name=None, **opts):
        return Column(self.ctx, "call", type, nullable, args, {"fn": fn, **opts}, loc, name)

    def _lift(self, value: object, loc, like: Column | None = None) -> Column:
        """Turn an operand into a Column (literals get the type they take next to ``like``)."""
        if isinstance(value, Column):
            if value.ctx is not self.ctx:
                raise _fail("a column from another pipeline trace was used here", loc)
            return value
        return self.ctx.literal(value, like if like is not None else self, loc)

    def cast(self, type: Attribute, loc=None) -> Column:
        if self.type == type:
            return self
        if self.kind == "lit":
            return self.ctx.literal(self.opts["py"], None, loc, type=type)
        return self._call("cast", (self,), type, self.nullable, loc or self.loc, self.name)

    # ------------------------------------------------------------------ arithmetic

    def _arith(self, other: object, fn: str, reflected: bool = False) -> Column:
        loc = user_location()
        o = self._lift(other, loc)
        a, b = (o, self) if reflected else (self, o)
        self.ctx.check_same_table(a, b, loc)
        ta, tb = a.type, b.type
        symbol = {"add": "+", "sub": "-", "mul": "*", "div": "/", "floordiv": "//", "mod": "%", "pow": "**"}[fn]
        if fn == "add" and isinstance(ta, StringType) and isinstance(tb, StringType):
            return self._call("add", (a, b), ta, a.nullable or b.nullable, loc, _series_name(a, b))
        if not (is_numeric(ta) and is_numeric(tb)):
            raise _fail(f"cannot compute {a._describe()} {symbol} {b._describe()}: {symbol} needs numbers", loc)
        res = T.common_numeric(ta, tb)
        operand = res
        if fn == "div":
            res = f32 if isinstance(res, Float32Type) else f64
            operand = res
        nullable = a.nullable or b.nullable or fn in ("div", "floordiv", "mod", "pow")
        return self._call(fn, (a.cast(operand, loc), b.cast(operand, loc)), res, nullable, loc, _series_name(a, b))

    def __add__(self, o): return self._arith(o, "add")
    def __radd__(self, o): return self._arith(o, "add", True)
    def __sub__(self, o): return self._arith(o, "sub")
    def __rsub__(self, o): return self._arith(o, "sub", True)
    def __mul__(self, o): return self._arith(o, "mul")
    def __rmul__(self, o): return self._arith(o, "mul", True)
    def __truediv__(self, o): return self._arith(o, "div")
    def __rtruediv__(self, o): return self._arith(o, "div", True)
    def __floordiv__(self, o): return self._arith(o, "floordiv")
    def __rfloordiv__(self, o): return self._arith(o, "floordiv", True)
    def __mod__(self, o): return self._arith(o, "mod")
    def __rmod__(self, o): return self._arith(o, "mod", True)
    def __pow__(self, o): return self._arith(o, "pow")
    def __rpow__(self, o): return self._arith(o, "pow", True)

    def add(self, o): return self._arith(o, "add")
    def sub(self, o): return self._arith(o, "sub")
    def mul(self, o): return self._arith(o, "mul")
    def div(self, o): return self._arith(o, "div")
    truediv = div
    def floordiv(self, o): return self._arith(o, "floordiv")
    def mod(self, o): return self._arith(o, "mod")
    def pow(self, o): return self._arith(o, "pow")

    def __neg__(self) -> Column:
        loc = user_location()
        if not is_numeric(self.type) or is_bool(self.type):
            raise _fail(f"cannot negate {self._describe()}: unary - needs a number", loc)
        return self._call("neg", (self,), self.type, self.nullable, loc, self.name)

    def __pos__(self) -> Column:
        return self

    def abs(self) -> Column:
        """Absolute value."""
        loc = user_location()
        if not is_numeric(self.type) or is_bool(self.type):
            raise _fail(f"cannot take abs() of {self._describe()}: it needs a number", loc)
        return self._call("abs", (self,), self.type, self.nullable, loc, self.name)

    __abs__ = abs

    def round(self, decimals: int = 0) -> Column:
        """Round half to even to ``decimals`` digits (ints unchanged)."""
        loc = user_location()
        if not isinstance(decimals, int | np.integer):
            raise _fail(f"round() takes an integer number of decimals, got {decimals!r}", loc)
        if not is_numeric(self.type):
            raise _fail(f"cannot round {self._describe()}: it needs a number", loc)
        if (is_integer(self.type) or is_bool(self.type)) and decimals >= 0:
            return self
        return self._call("round", (self,), self.type, self.nullable, loc, self.name, ndigits=int(decimals))

    def __round__(self, ndigits: int | None = None) -> Column:
        return self.round(ndigits or 0)

    # ------------------------------------------------------------------ comparison and logic

    def _compare(self, other: object, fn: str) -> Column:
        loc = user_location()
        o = self._lift(other, loc)
        self.ctx.check_same_table(self, o, loc)
        common = _comparable(self.type, o.type)
        if common is None:
            symbol = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[fn]
            raise _fail(f"cannot compare {self._describe()} {symbol} {o._describe()}", loc)
        a, b = self.cast(common, loc), o.cast(common, loc)
        return self._call(fn, (a, b), i1, a.nullable or b.nullable, loc, _series_name(self, o))

    def __eq__(self, o): return self._compare(o, "eq")  # type: ignore[override]
    def __ne__(self, o): return self._compare(o, "ne")  # type: ignore[override]
    def __lt__(self, o): return self._compare(o, "lt")
    def __le__(self, o): return self._compare(o, "le")
    def __gt__(self, o): return self._compare(o, "gt")
    def __ge__(self, o): return self._compare(o, "ge")
    def eq(self, o): return self._compare(o, "eq")
    def ne(self, o): return self._compare(o, "ne")
    def lt(self, o): return self._compare(o, "lt")
    def le(self, o): return self._compare(o, "le")
    def gt(self, o): return self._compare(o, "gt")
    def ge(self, o): return self._compare(o, "ge")

    __hash__ = object.__hash__

    def _logic(self, other: object, fn: str, reflected: bool = False) -> Column:
        loc = user_location()
        o = self._lift(other, loc)
        a, b = (o, self) if reflected else (self, o)
        self.ctx.check_same_table(a, b, loc)
        for x in (a, b):
            if not is_bool(x.type):
                sym = "&" if fn == "and" else "|"
                raise _fail(f"{sym} needs boolean operands, got {x._describe()} (compare it first, e.g. (t.x > 0))", loc)
        return self._call(fn, (a, b), i1, a.nullable or b.nullable, loc)

    def __and__(self, o): return self._logic(o, "and")
    def __rand__(self, o): return self._logic(o, "and", True)
    def __or__(self, o): return self._logic(o, "or")
    def __ror__(self, o): return self._logic(o, "or", True)

    def __invert__(self) -> Column:
        loc = user_location()
        if not is_bool(self.type):
            raise _fail(f"~ needs a boolean operand, got {self._describe()}", loc)
        return self._call("not", (self,), i1, self.nullable, loc, self.name)

    def __bool__(self):
        raise _fail(
            "a column or pipeline scalar has no truth value at trace time: use & | ~ instead of "
            "and/or/not, and .where() instead of if"
        )

    def __iter__(self):
        raise _fail("cannot iterate over a column in a compiled pipeline: use column expressions")

    def __len__(self):
        raise _fail("len() of a column is not known at trace time: use .count() or .size")

    def __float__(self):
        raise _fail("a pipeline value cannot be converted to a Python float at trace time; use it in expressions")

    __int__ = __float__
    __index__ = __float__

    def __array__(self, *args, **kwargs):
        raise _fail("a cylonc column cannot be converted to a numpy array at trace time")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        name = getattr(ufunc, "__name__", str(ufunc))
        if name == "absolute" and method == "__call__" and len(inputs) == 1:
            return self.abs()
        raise _fail(f"numpy.{name} is not supported on cylonc columns (use @cc.udf for custom functions)")

    # ------------------------------------------------------------------ null handling and the rest

    def isna(self) -> Column:
        """True where the value is null (NaN counts as null)."""
        return self._call("isna", (self,), i1, False, user_location(), self.name)

    def notna(self) -> Column:
        """True where the value is not null."""
        return self._call("notna", (self,), i1, False, user_location(), self.name)

    isnull = isna
    notnull = notna

    def fillna(self, value: object) -> Column:
        """Replace nulls with ``value`` (a literal, column or scalar)."""
        loc = user_location()
        if value is None:
            raise _fail("fillna() needs a value", loc)
        v = self._lift(value, loc)
        self.ctx.check_same_table(self, v, loc)
        common = _combinable(self.type, v.type)
        if common is None:
            raise _fail(f"cannot fill nulls of {self._describe()} with {v._describe()}", loc)
        return self._call("fillna", (self.cast(common, loc), v.cast(common, loc)), common, v.nullable, loc, self.name)

    def where(self, cond: object, other: object = None) -> Column:
        """Keep values where ``cond`` is true, else ``other`` (null when not given)."""
        loc = user_location()
        c = self._lift(cond, loc)
        if not is_bool(c.type):
            raise _fail(f"where() needs a boolean condition, got {c._describe()}", loc)
        o = self.ctx.null(self.type, loc) if other is None else self._lift(other, loc)
        self.ctx.check_same_table(self, c, loc)
        self.ctx.check_same_table(self, o, loc)
        common = _combinable(self.type, o.type)
        if common is None:
            raise _fail(f"where(): cannot mix {self._describe()} with {o._describe()}", loc)
        a, b = self.cast(common, loc), o.cast(common, loc)
        return self._call("where", (c, a, b), common, a.nullable or b.nullable, loc, self.name)

    def mask(self, cond: object, other: object = None) -> Column:
        """Replace values where ``cond`` is true with ``other`` (pandas ``mask``)."""
        loc = user_location()
        c = self._lift(cond, loc)
        return self.where(~c if isinstance(c, Column) else not c, other)

    def isin(self, values: object) -> Column:
        """True where the value is one of ``values`` (a list of literals); null gives False."""
        loc = user_location()
        if isinstance(values, Column) or not isinstance(values, list | tuple | set | frozenset | np.ndarray):
            raise _fail(f"isin() takes a list of literals, got {type(values).__name__}", loc)
        typed = []
        for v in values:
            if v is None or (isinstance(v, float) and np.isnan(v)):
                continue
            if not _is_literal(v):
                raise _fail(f"isin() values must be literals, got {v!r}", loc)
            lit = self.ctx.literal(v, self, loc)
            if _comparable(self.type, lit.type) is None:
                raise _fail(f"isin(): cannot compare {self._describe()} with {lit._describe()}", loc)
            typed.append(lit.cast(self.type, loc).opts["value"] if lit.type != self.type else lit.opts["value"])
        return self._call("isin", (self,), i1, False, loc, self.name, values=typed)

    def between(self, left: object, right: object, inclusive: str = "both") -> Column:
        """``left <= x <= right`` (``inclusive`` as in pandas: both, neither, left, right)."""
        if inclusive not in ("both", "neither", "left", "right"):
            raise _fail(f"between(): inclusive must be both, neither, left or right, got {inclusive!r}")
        lo = self >= left if inclusive in ("both", "left") else self > left
        hi = self <= right if inclusive in ("both", "right") else self < right
        return lo & hi

    def astype(self, dtype: object) -> Column:
        """Convert to another type (numpy/pandas/pyarrow dtype or its name)."""
        loc = user_location()
        target = T.parse_dtype(dtype)
        if target is None:
            raise _fail(
                f"astype(): unknown or unsupported dtype {dtype!r} (supported: {', '.join(sorted(T.DTYPE_NAMES))}, "
                "datetime64[unit], numpy/pyarrow types)",
                loc,
            )
        if self.type == target:
            return self
        src = self.type
        ok = (
            (is_numeric(src) and is_numeric(target))
            or isinstance(target, StringType)
            or (isinstance(src, StringType) and (is_numeric(target) or isinstance(target, DateType | TimestampType)))
            or (isinstance(src, DateType | TimestampType) and isinstance(target, DateType | TimestampType))
        )
        if not ok:
            raise _fail(f"astype(): cannot convert {self._describe()} to {T.describe(target)}", loc)
        return self._call("cast", (self,), target, self.nullable, loc, self.name)

    @property
    def str(self) -> StrAccessor:
        """String functions."""
        if not isinstance(self.type, StringType):
            raise _fail(f".str needs a string column, got {self._describe()}")
        return StrAccessor(self)

    @property
    def dt(self) -> DtAccessor:
        """Date parts."""
        if not isinstance(self.type, DateType | TimestampType):
            raise _fail(f".dt needs a date or timestamp column, got {self._describe()}")
        return DtAccessor(self)

    # ------------------------------------------------------------------ reductions

    def _reduce(self, fn: str) -> Column:
        loc = user_location()
        if self.is_scalar:
            raise _fail(f".{fn}() reduces a column; this is already a scalar", loc)
        if fn in ("sum", "mean", "std", "var") and not is_numeric(self.type):
            raise _fail(f".{fn}() needs a numeric column, got {self._describe()}", loc)
        return self.ctx.reduce(self, fn, loc)

    def sum(self): return self._reduce("sum")
    def mean(self): return self._reduce("mean")
    def min(self): return self._reduce("min")
    def max(self): return self._reduce("max")
    def count(self): return self._reduce("count")
    def nunique(self): return self._reduce("nunique")
    def std(self): return self._reduce("std")
    def var(self): return self._reduce("var")

    @property
    def size(self) -> Column:
        """The number of rows (nulls included)."""
        return self._reduce("size")

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise unsupported("Series", name, SERIES_METHODS)

    def __repr__(self) -> str:
        return f"<cylonc {self._describe()}>"


class StrAccessor:
    """``.str`` functions of a string column."""

    def __init__(self, col: Column):
        self._col = col

    def _pred(self, fn: str, pat: object, **opts) -> Column:
        loc = user_location()
        if not isinstance(pat, str):
            raise _fail(f".str.{fn}() takes a string literal pattern, got {pat!r}", loc)
        c = self._col
        return c._call(f"str_{fn}", (c,), i1, c.nullable, loc, c.name, pattern=pat, **opts)

    def startswith(self, pat: str) -> Column:
        return self._pred("startswith", pat)

    def endswith(self, pat: str) -> Column:
        return self._pred("endswith", pat)

    def contains(self, pat: str, case: bool = True, regex: bool = True) -> Column:
        """Whether ``pat`` occurs (a regular expression unless ``regex=False``, as in pandas)."""
        return self._pred("contains", pat, case=bool(case), regex=bool(regex))

    def len(self) -> Column:
        c = self._col
        return c._call("str_len", (c,), i64, c.nullable, user_location(), c.name)

    def lower(self) -> Column:
        c = self._col
        return c._call("str_lower", (c,), c.type, c.nullable, user_location(), c.name)

    def upper(self) -> Column:
        c = self._col
        return c._call("str_upper", (c,), c.type, c.nullable, user_location(), c.name)

    def slice(self, start: int | None = None, stop: int | None = None, step: int | None = None) -> Column:
        loc = user_location()
        for v in (start, stop, step):
            if v is not None and not isinstance(v, int | np.integer):
                raise _fail(f".str.slice() takes integer bounds, got {v!r}", loc)
        if step == 0:
            raise _fail(".str.slice(): step cannot be zero", loc)
        c = self._col
        return c._call("str_slice", (c,), c.type, c.nullable, loc, c.name, start=start, stop=stop, step=step)

    def __getitem__(self, key: object) -> Column:
        if isinstance(key, slice):
            return self.slice(key.start, key.stop, key.step)
        if isinstance(key, int):
            return self.slice(key, key + 1 if key != -1 else None)
        raise _fail(f".str[...] takes a slice or an integer, got {key!r}")

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise unsupported("Series.str", name, STR_METHODS)


class DtAccessor:
    """``.dt`` parts of a date or timestamp column."""

    def __init__(self, col: Column):
        self._col = col

    def _part(self, fn: str) -> Column:
        c = self._col
        return c._call(f"dt_{fn}", (c,), i64, c.nullable, user_location(), c.name)

    @property
    def year(self) -> Column:
        return self._part("year")

    @property
    def month(self) -> Column:
        return self._part("month")

    @property
    def day(self) -> Column:
        return self._part("day")

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise unsupported("Series.dt", name, DT_FIELDS)


def _series_name(a: Column, b: Column) -> str | None:
    if a.kind == "lit" or a.is_scalar:
        return b.name
    if b.kind == "lit" or b.is_scalar:
        return a.name
    return a.name if a.name == b.name else None


def _comparable(a: Attribute, b: Attribute) -> Attribute | None:
    """The type two values are compared in, or None when they can't be compared."""
    if is_numeric(a) and is_numeric(b):
        return T.common_numeric(a, b) if not (is_bool(a) and is_bool(b)) else i1
    if a == b:
        return a
    if isinstance(a, DateType) and isinstance(b, TimestampType):
        return b
    if isinstance(a, TimestampType) and isinstance(b, DateType | TimestampType):
        return a
    return None


def _combinable(a: Attribute, b: Attribute) -> Attribute | None:
    """The type of a value that is either an ``a`` or a ``b`` (fillna, where)."""
    if a == b:
        return a
    if is_numeric(a) and is_numeric(b):
        if is_bool(a) and is_bool(b):
            return i1
        return T.common_numeric(a, b)
    return _comparable(a, b)


def did_you_mean(name: str, candidates: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


__all__ = ["Column", "StrAccessor", "DtAccessor", "did_you_mean", "unsupported", "ARITH", "CMP", "REDUCTIONS"]
