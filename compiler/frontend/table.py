"""The table proxy users hold inside a traced pipeline (a thin wrapper over an SSA table value).

Every method checks its arguments against the schema, emits one ``cylon`` operator into the
trace and returns a new proxy (``__setitem__`` rebinds this one, as pandas mutates in place).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from xdsl.ir import SSAValue

from cylonc.compiler.frontend.expr import Column, _fail, did_you_mean, unsupported
from cylonc.compiler.frontend.location import user_location
from cylonc.dialects import cylon
from cylonc.dialects.cylon import AGG_FUNCS, TableType, is_numeric

if TYPE_CHECKING:
    from cylonc.compiler.frontend.tracer import TraceContext

TABLE_METHODS = sorted(
    {
        "assign", "astype", "columns", "copy", "drop", "drop_duplicates", "groupby", "head", "merge",
        "rename", "reset_index", "sort_values", "[column]", "[[columns]]", "[mask]", ".column",
        "[column] = expr",
    }
)
GROUPBY_METHODS = sorted(set(AGG_FUNCS) | {"agg", "aggregate", "[column]", "[[columns]]", ".column"})

_AGG_ALIASES = {
    "sum": "sum", "mean": "mean", "min": "min", "max": "max", "count": "count", "size": "size",
    "nunique": "nunique", "std": "std", "var": "var", "first": "first", "last": "last",
    "amin": "min", "amax": "max", "len": "size", "average": "mean", "nanmean": "mean", "nansum": "sum",
    "nanmin": "min", "nanmax": "max", "nanstd": "std", "nanvar": "var",
}


def agg_name(fn: object, loc) -> str:
    """Normalise an aggregation given as a name, a builtin or a numpy function."""
    name = fn if isinstance(fn, str) else getattr(fn, "__name__", None)
    if name in _AGG_ALIASES:
        return _AGG_ALIASES[name]
    raise _fail(f"unknown aggregation {fn!r} (supported: {', '.join(AGG_FUNCS)})", loc)


def _as_list(value: object, what: str, loc) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    raise _fail(f"{what} must be a column name or a list of column names, got {value!r}", loc)


class Table:
    """A table inside a traced pipeline (a pandas ``DataFrame`` subset).

    Examples
    --------
    >>> import cylonc as cc
    >>> @cc.compile
    ... def q(reads, samples):
    ...     hq = reads[reads.quality > 30]
    ...     j = hq.merge(samples, on="sample_id")
    ...     return j.groupby("site", as_index=False).agg(w=("weight", "sum"))
    """

    def __init__(self, ctx: TraceContext, value: SSAValue, index_cols: Sequence[str] = ()):
        object.__setattr__(self, "_ctx", ctx)
        object.__setattr__(self, "_value", value)
        object.__setattr__(self, "_index_cols", tuple(index_cols))

    # ------------------------------------------------------------------ schema

    @property
    def _type(self) -> TableType:
        t = self._value.type
        assert isinstance(t, TableType)
        return t

    @property
    def columns(self) -> list[str]:
        """The column names."""
        return self._type.column_names

    def _check_columns(self, names: Sequence[str], loc, what: str = "column") -> None:
        have = self.columns
        for n in names:
            if n not in have:
                raise _fail(
                    f"{what} '{n}' not found in table with columns [{', '.join(have)}]{did_you_mean(n, have)}", loc
                )

    def _col(self, name: str, loc) -> Column:
        self._check_columns([name], loc)
        return self._ctx.column(self._value, name, loc)

    def _wrap(self, op, index_cols: Sequence[str] = ()) -> Table:
        return Table(self._ctx, op.output, index_cols)

    # ------------------------------------------------------------------ access

    def __getattr__(self, name: str) -> Column:
        if name.startswith("_"):
            raise AttributeError(name)
        loc = user_location()
        if name in self.columns:
            return self._ctx.column(self._value, name, loc)
        import pandas as pd

        if hasattr(pd.DataFrame, name):
            raise unsupported("DataFrame", name, TABLE_METHODS, loc)
        self._check_columns([name], loc)
        raise AssertionError("unreachable")

    def __getitem__(self, key: object) -> Any:
        loc = user_location()
        if isinstance(key, str):
            return self._col(key, loc)
        if isinstance(key, list | tuple) and all(isinstance(k, str) for k in key):
            cols = list(key)
            self._check_columns(cols, loc)
            if len(set(cols)) != len(cols):
                raise _fail(f"duplicate column in projection {cols}", loc)
            return self._wrap(self._ctx.emit(cylon.ProjectOp(self._value, cols), loc))
        if isinstance(key, Column):
            if not cylon.is_bool(key.type):
                raise _fail(f"a filter needs a boolean mask, got {key._describe()}", loc)
            if key.is_scalar:
                raise _fail("a filter mask must be a column expression of this table, not a scalar", loc)
            region = self._ctx.region(self._value, [key], loc)
            return self._wrap(self._ctx.emit(cylon.FilterOp(self._value, region), loc), self._index_cols)
        if isinstance(key, slice):
            if key.start in (None, 0) and key.step in (None, 1) and key.stop is not None:
                return self.head(key.stop)
            raise _fail("only t[:n] slices are supported (use head(n))", loc)
        raise _fail(f"cannot index a table with {key!r} (use a column name, a list of names or a boolean mask)", loc)

    def __setitem__(self, name: object, value: object) -> None:
        loc = user_location()
        if not isinstance(name, str):
            raise _fail(f"column names must be strings, got {name!r}", loc)
        new = self._assign({name: value}, loc)
        object.__setattr__(self, "_value", new._value)

    def __setattr__(self, name: str, value: object) -> None:
        raise _fail(f"set columns with t['{name}'] = ... or t.assign({name}=...), not attribute assignment")

    def __len__(self):
        raise _fail("len() of a table is not known at trace time: use t.<column>.size or .count()")

    def __iter__(self):
        raise _fail("cannot iterate over a table in a compiled pipeline")

    def __bool__(self):
        raise _fail("a table has no truth value at trace time")

    def __repr__(self) -> str:
        return f"<cylonc table [{', '.join(self.columns)}]>"

    # ------------------------------------------------------------------ column-wise ops

    def _assign(self, values: Mapping[str, object], loc) -> Table:
        exprs: list[Column] = []
        names: list[str] = []
        for name, v in values.items():
            if callable(v) and not isinstance(v, Column):
                v = v(self)
            e = v if isinstance(v, Column) else self._ctx.literal(v, None, loc)
            if not isinstance(e, Column):
                raise _fail(f"cannot assign {type(v).__name__} to column '{name}'", loc)
            names.append(name)
            exprs.append(e)
        region = self._ctx.region(self._value, exprs, loc)
        op = self._ctx.emit(cylon.AssignOp(self._value, names, region), loc)
        return self._wrap(op, self._index_cols)

    def assign(self, **kwargs: object) -> Table:
        """Add or replace columns (``assign(y=t.x * 2)``); callables get the table."""
        loc = user_location()
        if not kwargs:
            return self
        if any(callable(v) and not isinstance(v, Column) for v in kwargs.values()):
            out = self
            for k, v in kwargs.items():
                out = out._assign({k: v}, loc)
            return out
        return self._assign(kwargs, loc)

    def rename(self, mapper: object = None, *, columns: Mapping[str, str] | None = None, axis: object = None, **kw) -> Table:
        """Rename columns (``rename(columns={"old": "new"})``)."""
        loc = user_location()
        if kw:
            raise _fail(f"rename(): unsupported arguments {sorted(kw)} (supported: columns=, mapper with axis=1)", loc)
        if columns is None and mapper is not None and axis in (1, "columns"):
            columns = mapper  # type: ignore[assignment]
        if not isinstance(columns, Mapping):
            raise _fail("rename() needs columns={old: new}", loc)
        mapping = {k: v for k, v in columns.items() if k in self.columns}
        for v in mapping.values():
            if not isinstance(v, str):
                raise _fail(f"rename(): new names must be strings, got {v!r}", loc)
        new_names = [mapping.get(c, c) for c in self.columns]
        if len(set(new_names)) != len(new_names):
            raise _fail(f"rename() would give duplicate column names {new_names}", loc)
        if not mapping:
            return self
        op = self._ctx.emit(cylon.RenameOp(self._value, list(mapping), list(mapping.values())), loc)
        return self._wrap(op)

    def drop(self, labels: object = None, *, columns: object = None, axis: object = 0, errors: str = "raise") -> Table:
        """Drop columns (``drop(columns=[...])``)."""
        loc = user_location()
        if columns is None and labels is not None and axis in (1, "columns"):
            columns = labels
        if columns is None:
            raise _fail("drop() removes columns: use drop(columns=[...]) (row labels are not supported)", loc)
        cols = _as_list(columns, "drop(columns=)", loc)
        if errors == "raise":
            self._check_columns(cols, loc)
        keep = [c for c in self.columns if c not in cols]
        return self._wrap(self._ctx.emit(cylon.ProjectOp(self._value, keep), loc))

    def astype(self, dtype: object) -> Table:
        """Convert columns: one dtype for all, or ``{column: dtype}``."""
        loc = user_location()
        mapping = dtype if isinstance(dtype, Mapping) else {c: dtype for c in self.columns}
        self._check_columns(list(mapping), loc)
        return self._assign({c: self._ctx.column(self._value, c, loc).astype(d) for c, d in mapping.items()}, loc)

    def copy(self, deep: bool = True) -> Table:
        return self

    def reset_index(self, drop: bool = False) -> Table:
        """Turn group keys kept as the index (``as_index=True``) back into columns, or drop them."""
        if drop and self._index_cols:
            return self.drop(columns=list(self._index_cols))
        return Table(self._ctx, self._value)

    # ------------------------------------------------------------------ row-wise ops

    def head(self, n: int = 5) -> Table:
        """The first ``n`` rows."""
        loc = user_location()
        if not isinstance(n, int | np.integer) or isinstance(n, bool):
            raise _fail(f"head() takes an integer, got {n!r}", loc)
        return self._wrap(self._ctx.emit(cylon.LimitOp(self._value, int(n)), loc), self._index_cols)

    def sort_values(self, by: object, ascending: object = True, na_position: str = "last", kind: object = None, ignore_index: bool = False) -> Table:
        """Stable sort by one or more columns; nulls last."""
        loc = user_location()
        keys = _as_list(by, "sort_values(by=)", loc)
        self._check_columns(keys, loc)
        if isinstance(ascending, bool | np.bool_):
            asc = [bool(ascending)] * len(keys)
        elif isinstance(ascending, list | tuple) and len(ascending) == len(keys):
            asc = [bool(a) for a in ascending]
        else:
            raise _fail(f"sort_values(): ascending must be a bool or one bool per key, got {ascending!r}", loc)
        if na_position != "last":
            raise _fail("sort_values(): only na_position='last' is supported", loc)
        return self._wrap(self._ctx.emit(cylon.SortOp(self._value, keys, asc), loc), self._index_cols)

    def drop_duplicates(self, subset: object = None, keep: str = "first", ignore_index: bool = False) -> Table:
        """Drop duplicate rows, keeping the first of each."""
        loc = user_location()
        if keep != "first":
            raise _fail("drop_duplicates(): only keep='first' is supported", loc)
        cols = None if subset is None else _as_list(subset, "drop_duplicates(subset=)", loc)
        if cols is not None:
            self._check_columns(cols, loc)
        return self._wrap(self._ctx.emit(cylon.DistinctOp(self._value, cols), loc))

    # ------------------------------------------------------------------ merge

    def merge(
        self,
        right: Table,
        how: str = "inner",
        on: object = None,
        left_on: object = None,
        right_on: object = None,
        suffixes: Sequence[str | None] = ("_x", "_y"),
        **kw: object,
    ) -> Table:
        """Join with ``right`` on equal keys (pandas ``merge``; plus ``semi``/``anti``)."""
        loc = user_location()
        if kw:
            raise _fail(f"merge(): unsupported arguments {sorted(kw)} (supported: how, on, left_on, right_on, suffixes)", loc)
        if not isinstance(right, Table):
            raise _fail(f"merge() needs a table of the same pipeline, got {type(right).__name__}", loc)
        if how not in cylon.JOIN_KINDS:
            raise _fail(f"merge(): unknown how={how!r} (supported: {', '.join(cylon.JOIN_KINDS)})", loc)
        if on is not None:
            if left_on is not None or right_on is not None:
                raise _fail("merge(): give either on= or left_on=/right_on=, not both", loc)
            lk = rk = _as_list(on, "merge(on=)", loc)
        elif left_on is not None or right_on is not None:
            if left_on is None or right_on is None:
                raise _fail("merge(): left_on= and right_on= go together", loc)
            lk = _as_list(left_on, "merge(left_on=)", loc)
            rk = _as_list(right_on, "merge(right_on=)", loc)
            if len(lk) != len(rk):
                raise _fail("merge(): left_on and right_on must have the same length", loc)
        else:
            lk = rk = [c for c in self.columns if c in right.columns]
            if not lk:
                raise _fail("merge(): no common columns to join on; give on= or left_on=/right_on=", loc)
        self._check_columns(lk, loc, "left key")
        right._check_columns(rk, loc, "right key")
        left, right = self._ctx.unify_keys(self, right, lk, rk, loc)
        merged = {l for l, r in zip(lk, rk) if l == r}
        rkeys_merged = {r for l, r in zip(lk, rk) if l == r}
        lcols = left.columns
        rcols = [c for c in right.columns if c not in rkeys_merged]
        overlap = set() if how in ("semi", "anti") else {c for c in lcols if c in rcols and c not in merged}
        sx, sy = (tuple(suffixes) + (None, None))[:2]
        if overlap and not sx and not sy:
            raise _fail(f"merge(): columns {sorted(overlap)} overlap and no suffixes are given", loc)
        columns: list[list[str]] = []
        for c in lcols:
            name = f"{c}{sx or ''}" if c in overlap else c
            if c in merged:
                columns.append([c, "key", c, c])
            else:
                columns.append([name, "left", c, ""])
        if how not in ("semi", "anti"):
            for c in rcols:
                name = f"{c}{sy or ''}" if c in overlap else c
                columns.append([name, "right", c, ""])
        names = [c[0] for c in columns]
        if len(set(names)) != len(names):
            raise _fail(f"merge() would give duplicate column names {names}; pass other suffixes", loc)
        op = self._ctx.emit(cylon.JoinOp(left._value, right._value, how, lk, rk, columns), loc)
        return self._wrap(op)

    def join(self, *args, **kwargs):
        raise unsupported("DataFrame", "join", TABLE_METHODS + ["merge(right, on=...) instead"])

    # ------------------------------------------------------------------ group-by

    def groupby(self, by: object, as_index: bool = True, sort: bool = True, dropna: bool = True, **kw) -> GroupBy:
        """Group rows by key columns; aggregate with ``.agg(...)`` or ``.col.sum()``."""
        loc = user_location()
        if kw:
            raise _fail(f"groupby(): unsupported arguments {sorted(kw)} (supported: by, as_index, sort, dropna)", loc)
        if not dropna:
            raise _fail("groupby(): only dropna=True is supported (null keys are dropped, as pandas does)", loc)
        keys = _as_list(by, "groupby(by=)", loc)
        self._check_columns(keys, loc)
        return GroupBy(self, keys, bool(as_index))


class GroupBy:
    """A grouped table: ``t.groupby(keys)``; aggregate it to get a table (keys first)."""

    def __init__(self, table: Table, keys: list[str], as_index: bool, selection: list[str] | None = None, series: bool = False):
        self._table = table
        self._keys = keys
        self._as_index = as_index
        self._selection = selection
        self._series = series

    def _value_columns(self) -> list[str]:
        if self._selection is not None:
            return self._selection
        return [c for c in self._table.columns if c not in self._keys]

    def _emit(self, aggs: list[list[str]], loc) -> Table:
        outs = [a[2] for a in aggs]
        dup = {o for o in outs if outs.count(o) > 1 or o in self._keys}
        if dup:
            raise _fail(f"aggregation output names {sorted(dup)} repeat or clash with the group keys", loc)
        t = self._table
        for fn, col, _ in aggs:
            if fn in ("sum", "mean", "std", "var") and not is_numeric(t._type.field(col)[1]):  # type: ignore[index]
                raise _fail(f"cannot {fn} non-numeric column '{col}'", loc)
        op = t._ctx.emit(cylon.AggregateOp(t._value, self._keys, aggs), loc)
        return Table(t._ctx, op.output, self._keys if self._as_index else ())

    def agg(self, func: object = None, /, **named: object) -> Table:
        """Named aggregation ``agg(out=("col", "sum"), ...)``, a ``{col: fn}`` dict, or one fn."""
        loc = user_location()
        aggs: list[list[str]] = []
        if named:
            if func is not None:
                raise _fail("agg(): give either named aggregations or a function, not both", loc)
            for out, spec in named.items():
                col = getattr(spec, "column", None)
                fn = getattr(spec, "aggfunc", None)
                if col is None:
                    if self._series and not isinstance(spec, tuple):
                        col, fn = self._value_columns()[0], spec
                    elif not (isinstance(spec, tuple) and len(spec) == 2):
                        raise _fail(f"agg(): {out}= needs a (column, function) pair, got {spec!r}", loc)
                    else:
                        col, fn = spec
                self._table._check_columns([col], loc)
                name = agg_name(fn, loc)
                aggs.append([name, "" if name == "size" else col, out])
        elif isinstance(func, Mapping):
            for col, fn in func.items():
                self._table._check_columns([col], loc)
                if isinstance(fn, list | tuple):
                    raise _fail("agg(): lists of functions per column are not supported; use named aggregation", loc)
                name = agg_name(fn, loc)
                aggs.append([name, "" if name == "size" else col, col])
        elif func is not None:
            if isinstance(func, list | tuple):
                raise _fail("agg(): a list of functions is not supported; use named aggregation", loc)
            return self._all(agg_name(func, loc), loc)
        else:
            raise _fail("agg() needs named aggregations such as agg(total=('x', 'sum'))", loc)
        return self._emit(aggs, loc)

    aggregate = agg

    def _all(self, fn: str, loc) -> Table:
        if fn == "size":
            name = self._selection[0] if self._series and self._selection else "size"
            return self._emit([["size", "", name]], loc)
        cols = self._value_columns()
        if fn in ("sum", "mean", "std", "var") and self._selection is None:
            cols = [c for c in cols if is_numeric(self._table._type.field(c)[1])]  # type: ignore[index]
        return self._emit([[fn, c, c] for c in cols], loc)

    def _make(fn: str) -> Callable[[GroupBy], Table]:  # type: ignore[misc]
        def method(self: GroupBy, *args: object, **kwargs: object) -> Table:
            return self._all(fn, user_location())

        method.__name__ = fn
        method.__doc__ = f"``{fn}`` of each value column per group."
        return method

    sum = _make("sum")
    mean = _make("mean")
    min = _make("min")
    max = _make("max")
    count = _make("count")
    size = _make("size")
    nunique = _make("nunique")
    std = _make("std")
    var = _make("var")
    first = _make("first")
    last = _make("last")
    del _make

    def __getitem__(self, key: object) -> GroupBy:
        loc = user_location()
        if self._selection is not None:
            raise _fail("a column selection of a groupby cannot be indexed again", loc)
        if isinstance(key, str):
            self._table._check_columns([key], loc)
            return GroupBy(self._table, self._keys, self._as_index, [key], series=True)
        cols = _as_list(key, "groupby column selection", loc)
        self._table._check_columns(cols, loc)
        return GroupBy(self._table, self._keys, self._as_index, cols)

    def __getattr__(self, name: str) -> GroupBy:
        if name.startswith("_"):
            raise AttributeError(name)
        loc = user_location()
        if name in self._table.columns and self._selection is None:
            return GroupBy(self._table, self._keys, self._as_index, [name], series=True)
        import pandas as pd

        if hasattr(pd.core.groupby.DataFrameGroupBy, name):
            raise unsupported("DataFrameGroupBy", name, GROUPBY_METHODS, loc)
        self._table._check_columns([name], loc)
        raise AssertionError("unreachable")


def check_table_list(tables: object, loc) -> list[Table]:
    if not isinstance(tables, list | tuple) or not tables:
        raise _fail("concat() takes a non-empty list of tables", loc)
    for t in tables:
        if not isinstance(t, Table):
            raise _fail(f"concat() takes tables of this pipeline, got {type(t).__name__}", loc)
    return list(tables)
