"""The ``cylon`` dialect: relational operators over Arrow tables, with scalar expression regions.

Tables are SSA values of ``!cylon.table<...>``, a type that carries the schema (column names,
element types, nullability), so each operator verifies the columns it names and the schema it
produces. Per-row expressions live in regions (as LingoDB's relalg does): the region's block
argument is a ``!cylon.row<...>`` of the input table, ``cylon.col`` reads a column, upstream
``arith``/``math`` ops compute where both operands are non-null numbers, and ``cylon`` expression
ops cover what those can't (null-aware arithmetic, comparison and logic, strings, dates, casts,
UDF calls); ``cylon.yield`` ends the region.

A whole pipeline (``s`` is a column of ``t``)::

    %t = cylon.input "t" {index = 0 : i64, ...} : !cylon.table<"s": i64, "x": f64?>
    %f = cylon.filter %t : !cylon.table<...> -> !cylon.table<...> {
    ^bb0(%row : !cylon.row<"s": i64, "x": f64?>):
      %x = cylon.col %row "x" : !cylon.row<...> -> !cylon.nullable<f64>
      %c = arith.constant 3.000000e+01 : f64
      %p = cylon.cmp "gt" %x, %c : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
      cylon.yield %p : !cylon.nullable<i1>
    }
    %g = cylon.aggregate %f by ["s"] aggs [["sum", "x", "total"]] : ... -> ...
    cylon.output "table" %g : !cylon.table<"s": i64, "total": f64>
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.dialects.builtin import (
    ArrayAttr,
    Float32Type,
    Float64Type,
    I64,
    IntAttr,
    IntegerAttr,
    IntegerType,
    Signedness,
    StringAttr,
    i1,
    i64,
)
from xdsl.ir import (
    Attribute,
    Dialect,
    ParametrizedAttribute,
    Region,
    SSAValue,
    TypeAttribute,
)
from xdsl.irdl import (
    IRDLOperation,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    opt_region_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    ParsePropInAttrDict,
)
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.traits import IsTerminator, Pure
from xdsl.utils.exceptions import VerifyException

# --------------------------------------------------------------------------- element types


@irdl_attr_definition
class StringType(ParametrizedAttribute, TypeAttribute):
    """A UTF-8 string value: ``!cylon.string``."""

    name = "cylon.string"


@irdl_attr_definition
class DateType(ParametrizedAttribute, TypeAttribute):
    """A calendar date (Arrow ``date32``): ``!cylon.date``."""

    name = "cylon.date"


@irdl_attr_definition
class TimestampType(ParametrizedAttribute, TypeAttribute):
    """A point in time with a unit and an optional zone: ``!cylon.timestamp<"us", "UTC">``."""

    name = "cylon.timestamp"

    unit: StringAttr
    tz: StringAttr

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string_literal(self.unit.data)
            if self.tz.data:
                printer.print_string(", ")
                printer.print_string_literal(self.tz.data)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> tuple[StringAttr, StringAttr]:
        parser.parse_characters("<")
        unit = parser.parse_str_literal("timestamp unit")
        if unit not in ("s", "ms", "us", "ns"):
            parser.raise_error(f"timestamp unit must be s, ms, us or ns, got '{unit}'")
        tz = ""
        if parser.parse_optional_characters(","):
            tz = parser.parse_str_literal("time zone")
        parser.parse_characters(">")
        return StringAttr(unit), StringAttr(tz)

    def verify(self) -> None:
        if self.unit.data not in ("s", "ms", "us", "ns"):
            raise VerifyException(f"timestamp unit must be s, ms, us or ns, got '{self.unit.data}'")


@irdl_attr_definition
class NullableType(ParametrizedAttribute, TypeAttribute):
    """A scalar that may be null: ``!cylon.nullable<f64>``. Used for expression values."""

    name = "cylon.nullable"

    elem: Attribute

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_attribute(self.elem)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> tuple[Attribute]:
        parser.parse_characters("<")
        pos = parser.pos
        elem = parser.parse_type()
        if not is_element_type(elem):
            parser.raise_error(f"!cylon.nullable wraps a column element type, got {elem}", pos, parser.pos)
        parser.parse_characters(">")
        return (elem,)

    def verify(self) -> None:
        if not is_element_type(self.elem):
            raise VerifyException(f"!cylon.nullable wraps a column element type, got {self.elem}")


def is_element_type(t: Attribute) -> bool:
    """Whether ``t`` may be the type of a table column."""
    if isinstance(t, IntegerType):
        return t.width.data in (1, 8, 16, 32, 64) and t.signedness.data != Signedness.SIGNED
    return isinstance(t, Float32Type | Float64Type | StringType | DateType | TimestampType)


def is_bool(t: Attribute) -> bool:
    return isinstance(t, IntegerType) and t.width.data == 1


def is_integer(t: Attribute) -> bool:
    return isinstance(t, IntegerType) and t.width.data > 1


def is_float(t: Attribute) -> bool:
    return isinstance(t, Float32Type | Float64Type)


def is_numeric(t: Attribute) -> bool:
    """Numbers and booleans (pandas computes with booleans as 0/1)."""
    return isinstance(t, IntegerType) or is_float(t)


def strip_nullable(t: Attribute) -> tuple[Attribute, bool]:
    """Split a value type into its element type and whether it may be null."""
    if isinstance(t, NullableType):
        return t.elem, True
    return t, False


def value_type(elem: Attribute, nullable: bool) -> Attribute:
    """The type of an expression value of element type ``elem``."""
    return NullableType(elem) if nullable else elem


# --------------------------------------------------------------------------- table types


# A dataclass, as xDSL's own parametrized base classes are: otherwise its parameters are not
# dataclass fields of TableType/RowType, whose generated __eq__/__hash__ then ignore them (every
# table type would equal every other one, and no schema check could fail).
@dataclass(frozen=True, init=False)
class _SchemaType(ParametrizedAttribute, TypeAttribute):
    names: ArrayAttr[StringAttr]
    types: ArrayAttr[Attribute]
    nullable: ArrayAttr[IntAttr]

    @classmethod
    def from_fields(cls, fields: Sequence[tuple[str, Attribute, bool]]):
        """Build the type from ``(name, element type, nullable)`` triples."""
        return cls(
            ArrayAttr([StringAttr(n) for n, _, _ in fields]),
            ArrayAttr([t for _, t, _ in fields]),
            ArrayAttr([IntAttr(int(bool(nl))) for _, _, nl in fields]),
        )

    @property
    def fields(self) -> list[tuple[str, Attribute, bool]]:
        return [
            (n.data, t, bool(nl.data))
            for n, t, nl in zip(self.names.data, self.types.data, self.nullable.data, strict=True)
        ]

    @property
    def column_names(self) -> list[str]:
        return [n.data for n in self.names.data]

    def field(self, name: str) -> tuple[str, Attribute, bool] | None:
        for f in self.fields:
            if f[0] == name:
                return f
        return None

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            for i, (n, t, nl) in enumerate(self.fields):
                if i:
                    printer.print_string(", ")
                printer.print_string_literal(n)
                printer.print_string(": ")
                printer.print_attribute(t)
                if nl:
                    printer.print_string("?")

    @classmethod
    def parse_parameters(cls, parser: AttrParser):
        seen: set[str] = set()

        def field() -> tuple[str, Attribute, bool]:
            pos = parser.pos
            name = parser.parse_str_literal("column name")
            if name in seen:
                parser.raise_error(f"{cls.name}: duplicate column '{name}'", pos, parser.pos)
            seen.add(name)
            parser.parse_characters(":")
            pos = parser.pos
            t = parser.parse_type()
            if not is_element_type(t):
                parser.raise_error(f"{cls.name}: column '{name}' has unsupported type {t}", pos, parser.pos)
            return name, t, parser.parse_optional_characters("?") is not None

        fields = parser.parse_comma_separated_list(parser.Delimiter.ANGLE, field)
        return (
            ArrayAttr([StringAttr(n) for n, _, _ in fields]),
            ArrayAttr([t for _, t, _ in fields]),
            ArrayAttr([IntAttr(int(nl)) for _, _, nl in fields]),
        )

    def verify(self) -> None:
        if not (len(self.names.data) == len(self.types.data) == len(self.nullable.data)):
            raise VerifyException(f"{self.name}: names, types and nullability differ in length")
        seen: set[str] = set()
        for n, t, _ in self.fields:
            if n in seen:
                raise VerifyException(f"{self.name}: duplicate column '{n}'")
            seen.add(n)
            if not is_element_type(t):
                raise VerifyException(f"{self.name}: column '{n}' has unsupported type {t}")


@irdl_attr_definition
class TableType(_SchemaType):
    """A table with its schema: ``!cylon.table<"id": i64, "quality": f64?, "chrom": !cylon.string>``.

    ``?`` marks a nullable column.
    """

    name = "cylon.table"


@irdl_attr_definition
class RowType(_SchemaType):
    """One row of a table, the block argument of expression regions: ``!cylon.row<...>``."""

    name = "cylon.row"

    @staticmethod
    def of(table: TableType) -> RowType:
        return RowType(table.names, table.types, table.nullable)


# --------------------------------------------------------------------------- helpers


def _strs(attr: ArrayAttr) -> list[str]:
    return [a.data for a in attr.data]


def _table(value: SSAValue, what: str) -> TableType:
    if not isinstance(value.type, TableType):
        raise VerifyException(f"{what} must be a !cylon.table, got {value.type}")
    return value.type


def _require_columns(table: TableType, names: Sequence[str], what: str) -> None:
    have = table.column_names
    for n in names:
        if n not in have:
            raise VerifyException(f"{what}: column '{n}' not in table with columns [{', '.join(have)}]")


def _check_region_row(region: Region, table: TableType, what: str) -> list[SSAValue]:
    if len(region.blocks) != 1:
        raise VerifyException(f"{what}: expression region must have one block")
    block = region.blocks[0]
    if len(block.args) != 1 or block.args[0].type != RowType.of(table):
        raise VerifyException(f"{what}: region argument must be the input's row type {RowType.of(table)}")
    last = block.last_op
    if not isinstance(last, YieldOp):
        raise VerifyException(f"{what}: expression region must end with cylon.yield")
    return list(last.values)


def _str_array(names: Sequence[str]) -> ArrayAttr[StringAttr]:
    return ArrayAttr([StringAttr(n) for n in names])


AGG_FUNCS = ("sum", "mean", "min", "max", "count", "size", "nunique", "std", "var", "first", "last")


def agg_result(fn: str, elem: Attribute | None, nullable: bool) -> tuple[Attribute, bool]:
    """Element type and nullability of aggregate ``fn`` over a column of type ``elem``.

    Follows pandas: ``sum`` of integers/booleans is int64 (0 when there is nothing to add),
    counts are int64 and never null, ``mean``/``std``/``var`` are float64.
    """
    if fn in ("count", "size", "nunique"):
        return i64, False
    assert elem is not None
    if fn == "sum":
        if not is_numeric(elem):
            raise VerifyException(f"sum needs a numeric column, got {elem}")
        return (elem if is_float(elem) else i64), False
    if fn in ("mean", "std", "var"):
        if not is_numeric(elem):
            raise VerifyException(f"{fn} needs a numeric column, got {elem}")
        return Float64Type(), True
    if fn in ("min", "max", "first", "last"):
        return elem, True
    raise VerifyException(f"unknown aggregation '{fn}' (supported: {', '.join(AGG_FUNCS)})")


def _agg_fields(table: TableType, aggs: ArrayAttr, what: str) -> list[tuple[str, Attribute, bool]]:
    out = []
    for agg in aggs.data:
        if not isinstance(agg, ArrayAttr) or len(agg.data) != 3:
            raise VerifyException(f"{what}: each aggregate is [fn, column, name], got {agg}")
        fn, col, name = _strs(agg)
        if fn not in AGG_FUNCS:
            raise VerifyException(f"{what}: unknown aggregation '{fn}' (supported: {', '.join(AGG_FUNCS)})")
        if fn == "size":
            t, nl = agg_result(fn, None, False)
        else:
            f = table.field(col)
            if f is None:
                _require_columns(table, [col], what)
            assert f is not None
            t, nl = agg_result(fn, f[1], f[2])
        out.append((name, t, nl))
    return out


def _check_result(op: IRDLOperation, expected: list[tuple[str, Attribute, bool]]) -> None:
    got = op.results[0].type
    want = TableType.from_fields(expected)
    if got != want:
        raise VerifyException(f"{op.name}: result type {got} does not match the computed schema {want}")


# --------------------------------------------------------------------------- relational ops


class _ScanMixin:
    """What ``cylon-scan-pushdown`` folds into a source op: the columns to read and a predicate.

    Without ``columns`` the result type is the whole source. With it, ``source`` holds the whole
    source's schema and the result is ``source`` restricted to ``columns``, in that order.
    ``source_types`` always has one entry per source column. The optional ``predicate`` region
    (over a row of the whole source) keeps only the rows for which it is true, before the
    columns are selected; it holds only what ``pyarrow.dataset`` evaluates (a column compared
    with a literal, ``isin``, ``isna``/``notna``, and/or/not of those).
    """

    @property
    def source_table(self) -> TableType:
        """The schema of the whole source."""
        src = self.source  # type: ignore[attr-defined]
        return src if src is not None else self.output.type  # type: ignore[attr-defined]

    @property
    def read_columns(self) -> list[str] | None:
        """The columns read (None: all)."""
        cols = self.columns  # type: ignore[attr-defined]
        return None if cols is None else _strs(cols)

    @property
    def predicate_region(self) -> Region | None:
        """The scan predicate, or None."""
        r = self.predicate  # type: ignore[attr-defined]
        return r if r is not None and r.blocks else None

    @staticmethod
    def _scan_parts(
        table: TableType, columns: Sequence[str] | None, predicate: Region | None
    ) -> tuple[dict[str, Attribute], TableType, list[Region | None]]:
        props: dict[str, Attribute] = {}
        result = table
        if columns is not None:
            props["columns"] = _str_array(columns)
            props["source"] = table
            result = TableType.from_fields([f for f in (table.field(c) for c in columns) if f is not None])
        return props, result, [predicate]

    def _verify_scan(self, what: str) -> None:
        op: IRDLOperation = self  # type: ignore[assignment]
        full = self.source_table
        if not isinstance(full, TableType):
            raise VerifyException(f"{what}: the source must be a !cylon.table")
        if len(self.source_types.data) != len(full.fields):  # type: ignore[attr-defined]
            raise VerifyException(f"{what}: source_types must have one entry per column")
        cols = self.read_columns
        if cols is None:
            if self.source is not None and self.source != op.results[0].type:  # type: ignore[attr-defined]
                raise VerifyException(f"{what}: without columns, source must equal the result type")
        else:
            if self.source is None:  # type: ignore[attr-defined]
                raise VerifyException(f"{what}: columns needs the whole source's schema in 'source'")
            _require_columns(full, cols, what)
            if not cols or len(set(cols)) != len(cols):
                raise VerifyException(f"{what}: columns must be distinct, at least one")
            _check_result(op, [full.field(c) for c in cols])  # type: ignore[misc]
        region = self.predicate_region
        if region is not None:
            vals = _check_region_row(region, full, what)
            if len(vals) != 1 or not is_bool(strip_nullable(vals[0].type)[0]):
                raise VerifyException(f"{what}: predicate must yield one boolean (i1) value")


@irdl_op_definition
class InputOp(_ScanMixin, IRDLOperation):
    """A pipeline argument (an Arrow table, a pandas frame, or a Parquet/CSV path).

    ``source_types`` holds the Arrow type of each source column as the caller gives it (e.g.
    ``decimal128(15, 2)``, read as ``f64``), so the runtime can check its inputs. ``columns``,
    ``source`` and the optional predicate region are described in ``_ScanMixin``.

    ```mlir
    %0 = cylon.input "reads" {index = 0 : i64, source_types = ["int64", "double"]} : !cylon.table<"id": i64, "q": f64?>
    %1 = cylon.input "reads" columns ["id"] {index = 0 : i64, source = !cylon.table<"id": i64, "q": f64?>, source_types = ["int64", "double"]} : !cylon.table<"id": i64> {
    ^bb0(%row : !cylon.row<"id": i64, "q": f64?>):
      %q = cylon.col %row "q" : !cylon.row<"id": i64, "q": f64?> -> !cylon.nullable<f64>
      %c = arith.constant 3.000000e+01 : f64
      %p = cylon.cmp "gt" %q, %c : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
      cylon.yield %p : !cylon.nullable<i1>
    }
    ```
    """

    name = "cylon.input"
    arg_name = prop_def(StringAttr, prop_name="name")
    index = prop_def(IntegerAttr)
    source_types = prop_def(ArrayAttr[StringAttr])
    columns = opt_prop_def(ArrayAttr[StringAttr])
    source = opt_prop_def(TableType)
    predicate = opt_region_def("single_block")
    output = result_def(TableType)

    assembly_format = "$name (`columns` $columns^)? attr-dict `:` type($output) ($predicate^)?"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(
        self,
        name: str,
        index: int,
        table: TableType,
        source_types: Sequence[str],
        columns: Sequence[str] | None = None,
        predicate: Region | None = None,
    ):
        props, result, regions = self._scan_parts(table, columns, predicate)
        super().__init__(
            properties={
                "name": StringAttr(name),
                "index": IntegerAttr(index, i64),
                "source_types": _str_array(source_types),
                **props,
            },
            regions=regions,
            result_types=[result],
        )

    def verify_(self) -> None:
        self._verify_scan("cylon.input")


MEMORY_ATTR = "cylon.memory"
"""The discardable unit attribute the frontend sets on a ``cylon.input`` that is an in-memory
table: ``cylon-scan-pushdown`` leaves its filters in place (reading it costs nothing to skip,
and a fused kernel evaluates them in its own pass)."""


@irdl_op_definition
class ReadOp(_ScanMixin, IRDLOperation):
    """A file read inside the pipeline (``cc.read_parquet`` / ``cc.read_csv``); ``columns``,
    ``source`` and the optional predicate region as for ``cylon.input``.

    ```mlir
    %0 = cylon.read "parquet" "/data/reads.parquet" {source_types = [...]} : !cylon.table<...>
    %1 = cylon.read "parquet" "/data/reads.parquet" columns ["id"] {source = !cylon.table<...>, source_types = [...]} : !cylon.table<"id": i64> {
      ...
    }
    ```
    """

    name = "cylon.read"
    format = prop_def(StringAttr)
    path = prop_def(StringAttr)
    source_types = prop_def(ArrayAttr[StringAttr])
    columns = opt_prop_def(ArrayAttr[StringAttr])
    source = opt_prop_def(TableType)
    predicate = opt_region_def("single_block")
    output = result_def(TableType)

    traits = traits_def(Pure())

    assembly_format = "$format $path (`columns` $columns^)? attr-dict `:` type($output) ($predicate^)?"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(
        self,
        fmt: str,
        path: str,
        table: TableType,
        source_types: Sequence[str],
        columns: Sequence[str] | None = None,
        predicate: Region | None = None,
    ):
        props, result, regions = self._scan_parts(table, columns, predicate)
        super().__init__(
            properties={
                "format": StringAttr(fmt),
                "path": StringAttr(path),
                "source_types": _str_array(source_types),
                **props,
            },
            regions=regions,
            result_types=[result],
        )

    def verify_(self) -> None:
        if self.format.data not in ("parquet", "csv"):
            raise VerifyException(f"cylon.read: format must be parquet or csv, got '{self.format.data}'")
        self._verify_scan("cylon.read")


@irdl_op_definition
class FilterOp(IRDLOperation):
    """Keeps the rows whose predicate is true; null and false drop the row.

    ```mlir
    %1 = cylon.filter %0 : !cylon.table<"q": f64?> -> !cylon.table<"q": f64?> {
    ^bb0(%row : !cylon.row<"q": f64?>):
      %q = cylon.col %row "q" : !cylon.row<"q": f64?> -> !cylon.nullable<f64>
      %c = arith.constant 3.000000e+01 : f64
      %p = cylon.cmp "gt" %q, %c : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
      cylon.yield %p : !cylon.nullable<i1>
    }
    ```
    """

    name = "cylon.filter"
    input = operand_def(TableType)
    predicate = region_def("single_block")
    output = result_def(TableType)

    traits = traits_def(Pure())

    assembly_format = "$input attr-dict `:` type($input) `->` type($output) $predicate"

    def __init__(self, input: SSAValue, predicate: Region):
        super().__init__(operands=[input], regions=[predicate], result_types=[input.type])

    def verify_(self) -> None:
        t = _table(self.input, "cylon.filter input")
        if self.output.type != t:
            raise VerifyException("cylon.filter: result type must equal the input type")
        vals = _check_region_row(self.predicate, t, "cylon.filter")
        if len(vals) != 1 or not is_bool(strip_nullable(vals[0].type)[0]):
            raise VerifyException("cylon.filter: predicate must yield one boolean (i1) value")


@irdl_op_definition
class ProjectOp(IRDLOperation):
    """Keeps the named columns, in the given order.

    ```mlir
    %1 = cylon.project %0 ["b", "a"] : !cylon.table<"a": i64, "b": f64> -> !cylon.table<"b": f64, "a": i64>
    ```
    """

    name = "cylon.project"
    input = operand_def(TableType)
    columns = prop_def(ArrayAttr[StringAttr])
    output = result_def(TableType)

    traits = traits_def(Pure())

    assembly_format = "$input $columns attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, columns: Sequence[str]):
        t = _table(input, "cylon.project input")
        fields = [t.field(c) for c in columns]
        super().__init__(
            operands=[input],
            properties={"columns": _str_array(columns)},
            result_types=[TableType.from_fields([f for f in fields if f is not None])],
        )

    def verify_(self) -> None:
        t = _table(self.input, "cylon.project input")
        cols = _strs(self.columns)
        _require_columns(t, cols, "cylon.project")
        if len(set(cols)) != len(cols):
            raise VerifyException("cylon.project: duplicate column in projection")
        _check_result(self, [t.field(c) for c in cols])  # type: ignore[misc]


def assign_fields(
    table: TableType, names: Sequence[str], values: Sequence[tuple[Attribute, bool]]
) -> list[tuple[str, Attribute, bool]]:
    """Schema after assigning ``names`` (pandas ``assign``: replace in place, else append)."""
    fields = list(table.fields)
    for n, (t, nl) in zip(names, values, strict=True):
        for i, f in enumerate(fields):
            if f[0] == n:
                fields[i] = (n, t, nl)
                break
        else:
            fields.append((n, t, nl))
    return fields


@irdl_op_definition
class AssignOp(IRDLOperation):
    """Computes columns from a per-row region (pandas ``assign``): a name already in the table is
    replaced in place, a new one is appended. Every value sees the input row.

    ```mlir
    %1 = cylon.assign %0 ["y"] : !cylon.table<"x": i64> -> !cylon.table<"x": i64, "y": i64> {
    ^bb0(%row : !cylon.row<"x": i64>):
      %x = cylon.col %row "x" : !cylon.row<"x": i64> -> i64
      %y = arith.addi %x, %x : i64
      cylon.yield %y : i64
    }
    ```
    """

    name = "cylon.assign"
    input = operand_def(TableType)
    names = prop_def(ArrayAttr[StringAttr])
    body = region_def("single_block")
    output = result_def(TableType)

    traits = traits_def(Pure())

    assembly_format = "$input $names attr-dict `:` type($input) `->` type($output) $body"

    def __init__(self, input: SSAValue, names: Sequence[str], body: Region):
        t = _table(input, "cylon.assign input")
        yielded = body.blocks[0].last_op
        assert isinstance(yielded, YieldOp)
        vals = [strip_nullable(v.type) for v in yielded.values]
        super().__init__(
            operands=[input],
            properties={"names": _str_array(names)},
            regions=[body],
            result_types=[TableType.from_fields(assign_fields(t, names, vals))],
        )

    def verify_(self) -> None:
        t = _table(self.input, "cylon.assign input")
        names = _strs(self.names)
        vals = _check_region_row(self.body, t, "cylon.assign")
        if len(vals) != len(names) or len(set(names)) != len(names):
            raise VerifyException("cylon.assign: needs one yielded value per distinct name")
        for v in vals:
            if not is_element_type(strip_nullable(v.type)[0]):
                raise VerifyException(f"cylon.assign: cannot store a value of type {v.type} in a column")
        _check_result(self, assign_fields(t, names, [strip_nullable(v.type) for v in vals]))


@irdl_op_definition
class RenameOp(IRDLOperation):
    """Renames columns: ``old[i]`` becomes ``new[i]``.

    ```mlir
    %1 = cylon.rename %0 ["a"] to ["b"] : !cylon.table<"a": i64> -> !cylon.table<"b": i64>
    ```
    """

    name = "cylon.rename"
    input = operand_def(TableType)
    old = prop_def(ArrayAttr[StringAttr])
    new = prop_def(ArrayAttr[StringAttr])
    output = result_def(TableType)

    traits = traits_def(Pure())

    assembly_format = "$input $old `to` $new attr-dict `:` type($input) `->` type($output)"

    @staticmethod
    def renamed(table: TableType, old: Sequence[str], new: Sequence[str]):
        mapping = dict(zip(old, new, strict=True))
        return [(mapping.get(n, n), t, nl) for n, t, nl in table.fields]

    def __init__(self, input: SSAValue, old: Sequence[str], new: Sequence[str]):
        t = _table(input, "cylon.rename input")
        super().__init__(
            operands=[input],
            properties={"old": _str_array(old), "new": _str_array(new)},
            result_types=[TableType.from_fields(self.renamed(t, old, new))],
        )

    def verify_(self) -> None:
        t = _table(self.input, "cylon.rename input")
        old, new = _strs(self.old), _strs(self.new)
        if len(old) != len(new):
            raise VerifyException("cylon.rename: old and new name lists differ in length")
        _require_columns(t, old, "cylon.rename")
        _check_result(self, self.renamed(t, old, new))


JOIN_KINDS = ("inner", "left", "right", "outer", "semi", "anti", "left_anti", "right_anti")


def join_fields(
    left: TableType, right: TableType, how: str, columns: Sequence[Sequence[str]]
) -> list[tuple[str, Attribute, bool]]:
    """Output schema of a join from its column list ``[name, from, src, right_src]``."""
    left_nulls = how in ("right", "outer", "right_anti")
    right_nulls = how in ("left", "outer", "left_anti")
    out = []
    for name, side, src, rsrc in columns:
        if side == "left":
            f = left.field(src)
            if f is None:
                raise VerifyException(f"cylon.join: left column '{src}' not found")
            out.append((name, f[1], f[2] or left_nulls))
        elif side == "right":
            f = right.field(src)
            if f is None:
                raise VerifyException(f"cylon.join: right column '{src}' not found")
            out.append((name, f[1], f[2] or right_nulls))
        elif side == "key":
            lf, rf = left.field(src), right.field(rsrc)
            if lf is None or rf is None:
                raise VerifyException(f"cylon.join: key columns '{src}'/'{rsrc}' not found")
            if how in ("right", "right_anti"):
                out.append((name, rf[1], rf[2]))
            elif how == "outer":
                out.append((name, lf[1], lf[2] or rf[2]))
            else:
                out.append((name, lf[1], lf[2]))
        else:
            raise VerifyException(f"cylon.join: column source must be left, right or key, got '{side}'")
    return out


@irdl_op_definition
class JoinOp(IRDLOperation):
    """Joins two tables on equal keys (pandas ``merge``; null keys match null keys).

    ``how`` is one of inner, left, right, outer, semi, anti, left_anti, right_anti. ``columns``
    lists each output column as ``[name, from, src, right_src]`` with ``from`` in left, right,
    key (a merged ``on=`` key).

    ```mlir
    %2 = cylon.join "inner" %0, %1 on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["a", "left", "a", ""], ["b", "right", "b", ""]] : !cylon.table<"k": i64, "a": f64>, !cylon.table<"k": i64, "b": f64> -> !cylon.table<"k": i64, "a": f64, "b": f64>
    ```
    """

    name = "cylon.join"
    left = operand_def(TableType)
    right = operand_def(TableType)
    how = prop_def(StringAttr)
    left_on = prop_def(ArrayAttr[StringAttr])
    right_on = prop_def(ArrayAttr[StringAttr])
    columns = prop_def(ArrayAttr[ArrayAttr[StringAttr]])
    output = result_def(TableType)

    traits = traits_def(Pure())

    assembly_format = (
        "$how $left `,` $right `on` $left_on `=` $right_on `columns` $columns attr-dict "
        "`:` type($left) `,` type($right) `->` type($output)"
    )

    def __init__(
        self,
        left: SSAValue,
        right: SSAValue,
        how: str,
        left_on: Sequence[str],
        right_on: Sequence[str],
        columns: Sequence[Sequence[str]],
    ):
        lt, rt = _table(left, "cylon.join left"), _table(right, "cylon.join right")
        super().__init__(
            operands=[left, right],
            properties={
                "how": StringAttr(how),
                "left_on": _str_array(left_on),
                "right_on": _str_array(right_on),
                "columns": ArrayAttr([_str_array(c) for c in columns]),
            },
            result_types=[TableType.from_fields(join_fields(lt, rt, how, columns))],
        )

    def verify_(self) -> None:
        lt, rt = _table(self.left, "cylon.join left"), _table(self.right, "cylon.join right")
        how = self.how.data
        if how not in JOIN_KINDS:
            raise VerifyException(f"cylon.join: unknown join kind '{how}' (supported: {', '.join(JOIN_KINDS)})")
        lo, ro = _strs(self.left_on), _strs(self.right_on)
        if not lo or len(lo) != len(ro):
            raise VerifyException("cylon.join: needs as many left keys as right keys, at least one")
        _require_columns(lt, lo, "cylon.join left keys")
        _require_columns(rt, ro, "cylon.join right keys")
        for a, b in zip(lo, ro):
            ta, tb = lt.field(a)[1], rt.field(b)[1]  # type: ignore[index]
            if ta != tb and not (is_numeric(ta) and is_numeric(tb)):
                raise VerifyException(f"cylon.join: key '{a}' ({ta}) cannot be compared with '{b}' ({tb})")
        cols = [_strs(c) for c in self.columns.data]
        if any(len(c) != 4 for c in cols):
            raise VerifyException("cylon.join: each column entry is [name, from, src, right_src]")
        if how in ("semi", "anti") and any(c[1] == "right" for c in cols):
            raise VerifyException(f"cylon.join: a {how} join keeps left columns only")
        _check_result(self, join_fields(lt, rt, how, cols))


@irdl_op_definition
class AggregateOp(IRDLOperation):
    """Group-by aggregation: keys first, then each ``[fn, column, name]`` in order.

    Rows with a null key are dropped and groups come out sorted by key (pandas defaults).

    ```mlir
    %1 = cylon.aggregate %0 by ["site"] aggs [["sum", "w", "total"], ["size", "", "n"]] : !cylon.table<"site": !cylon.string, "w": f64> -> !cylon.table<"site": !cylon.string, "total": f64, "n": i64>
    ```
    """

    name = "cylon.aggregate"
    input = operand_def(TableType)
    keys = prop_def(ArrayAttr[StringAttr])
    aggs = prop_def(ArrayAttr[ArrayAttr[StringAttr]])
    output = result_def(TableType)

    traits = traits_def(Pure())

    assembly_format = "$input `by` $keys `aggs` $aggs attr-dict `:` type($input) `->` type($output)"

    @staticmethod
    def result_fields(t: TableType, keys: Sequence[str], aggs: ArrayAttr):
        key_fields = [(k, t.field(k)[1], False) for k in keys]  # type: ignore[index]
        return key_fields + _agg_fields(t, aggs, "cylon.aggregate")

    def __init__(self, input: SSAValue, keys: Sequence[str], aggs: Sequence[Sequence[str]]):
        t = _table(input, "cylon.aggregate input")
        aggs_attr = ArrayAttr([_str_array(a) for a in aggs])
        super().__init__(
            operands=[input],
            properties={"keys": _str_array(keys), "aggs": aggs_attr},
            result_types=[TableType.from_fields(self.result_fields(t, keys, aggs_attr))],
        )

    def verify_(self) -> None:
        t = _table(self.input, "cylon.aggregate input")
        keys = _strs(self.keys)
        if not keys:
            raise VerifyException("cylon.aggregate: needs at least one key (use cylon.reduce)")
        _require_columns(t, keys, "cylon.aggregate keys")
        _check_result(self, self.result_fields(t, keys, self.aggs))


@irdl_op_definition
class ReduceOp(IRDLOperation):
    """Whole-table aggregation: exactly one row, one column per ``[fn, column, name]``.

    ```mlir
    %1 = cylon.reduce %0 aggs [["sum", "x", "s"]] : !cylon.table<"x": f64> -> !cylon.table<"s": f64>
    ```
    """

    name = "cylon.reduce"
    input = operand_def(TableType)
    aggs = prop_def(ArrayAttr[ArrayAttr[StringAttr]])
    output = result_def(TableType)

    traits = traits_def(Pure())

    assembly_format = "$input `aggs` $aggs attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, aggs: Sequence[Sequence[str]]):
        t = _table(input, "cylon.reduce input")
        aggs_attr = ArrayAttr([_str_array(a) for a in aggs])
        super().__init__(
            operands=[input],
            properties={"aggs": aggs_attr},
            result_types=[TableType.from_fields(_agg_fields(t, aggs_attr, "cylon.reduce"))],
        )

    def verify_(self) -> None:
        t = _table(self.input, "cylon.reduce input")
        _check_result(self, _agg_fields(t, self.aggs, "cylon.reduce"))


@irdl_op_definition
class SortOp(IRDLOperation):
    """Stable sort by keys; ``ascending`` holds 1/0 per key; nulls sort last.

    ```mlir
    %1 = cylon.sort %0 by ["a", "b"] ascending [1, 0] : !cylon.table<...> -> !cylon.table<...>
    ```
    """

    name = "cylon.sort"
    input = operand_def(TableType)
    keys = prop_def(ArrayAttr[StringAttr])
    # i64 attributes, not IntAttr: ``#builtin.int<1>`` is not MLIR syntax (upstream mlir-opt
    # rejects it) and ``%x #builtin.int<..>`` does not even parse back (``#`` reads as a result index).
    ascending_attr = prop_def(ArrayAttr[IntegerAttr[I64]], prop_name="ascending")
    output = result_def(TableType)

    traits = traits_def(Pure())

    assembly_format = "$input `by` $keys `ascending` $ascending attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, keys: Sequence[str], ascending: Sequence[bool]):
        super().__init__(
            operands=[input],
            properties={
                "keys": _str_array(keys),
                "ascending": ArrayAttr([IntegerAttr(int(a), i64) for a in ascending]),
            },
            result_types=[input.type],
        )

    @property
    def ascending(self) -> ArrayAttr[IntAttr]:
        """The 1/0 flags, one per key."""
        return ArrayAttr([a.value for a in self.ascending_attr.data])

    def verify_(self) -> None:
        t = _table(self.input, "cylon.sort input")
        keys = _strs(self.keys)
        _require_columns(t, keys, "cylon.sort")
        if not keys or len(keys) != len(self.ascending.data):
            raise VerifyException("cylon.sort: needs one ascending flag per key, at least one key")
        if self.output.type != t:
            raise VerifyException("cylon.sort: result type must equal the input type")


@irdl_op_definition
class LimitOp(IRDLOperation):
    """The first ``n`` rows; a negative ``n`` keeps all but the last ``-n`` (pandas ``head``).

    ```mlir
    %1 = cylon.limit %0 10 : !cylon.table<...> -> !cylon.table<...>
    ```
    """

    name = "cylon.limit"
    input = operand_def(TableType)
    n_attr = prop_def(IntegerAttr[I64], prop_name="n")
    output = result_def(TableType)

    traits = traits_def(Pure())

    assembly_format = "$input $n attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, n: int):
        super().__init__(operands=[input], properties={"n": IntegerAttr(n, i64)}, result_types=[input.type])

    @property
    def n(self) -> IntAttr:
        return self.n_attr.value

    def verify_(self) -> None:
        if self.output.type != self.input.type:
            raise VerifyException("cylon.limit: result type must equal the input type")


@irdl_op_definition
class DistinctOp(IRDLOperation):
    """Drops duplicate rows (over ``subset``, or all columns when absent), keeping the first.

    ```mlir
    %1 = cylon.distinct %0 {subset = ["a"]} : !cylon.table<...> -> !cylon.table<...>
    ```
    """

    name = "cylon.distinct"
    input = operand_def(TableType)
    subset = opt_prop_def(ArrayAttr[StringAttr])
    output = result_def(TableType)

    traits = traits_def(Pure())

    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, input: SSAValue, subset: Sequence[str] | None):
        props = {} if subset is None else {"subset": _str_array(subset)}
        super().__init__(operands=[input], properties=props, result_types=[input.type])

    def verify_(self) -> None:
        t = _table(self.input, "cylon.distinct input")
        if self.subset is not None:
            _require_columns(t, _strs(self.subset), "cylon.distinct")
        if self.output.type != t:
            raise VerifyException("cylon.distinct: result type must equal the input type")


@irdl_op_definition
class UnionOp(IRDLOperation):
    """Concatenates the rows of its inputs (``cc.concat``), conformed to the result schema by
    column name; a column an input lacks is null there.

    ```mlir
    %2 = cylon.union %0, %1 : !cylon.table<"a": i64>, !cylon.table<"a": i64> -> !cylon.table<"a": i64>
    ```
    """

    name = "cylon.union"
    inputs = var_operand_def(TableType)
    output = result_def(TableType)

    traits = traits_def(Pure())

    assembly_format = "$inputs attr-dict `:` type($inputs) `->` type($output)"

    def __init__(self, inputs: Sequence[SSAValue], result: TableType):
        super().__init__(operands=[inputs], result_types=[result])

    def verify_(self) -> None:
        if not self.inputs:
            raise VerifyException("cylon.union: needs at least one input")
        out = _table(self.output, "cylon.union result")
        for v in self.inputs:
            t = _table(v, "cylon.union input")
            for n, typ, _ in t.fields:
                f = out.field(n)
                if f is None:
                    raise VerifyException(f"cylon.union: input column '{n}' missing from the result")
                if f[1] != typ and not (is_numeric(f[1]) and is_numeric(typ)):
                    raise VerifyException(f"cylon.union: column '{n}' is {typ} in an input, {f[1]} in the result")


@irdl_op_definition
class ScalarOp(IRDLOperation):
    """The single value of a one-row table's column (a reduction's result).

    ```mlir
    %s = cylon.scalar %1 "s" : !cylon.table<"s": f64?> -> !cylon.nullable<f64>
    ```
    """

    name = "cylon.scalar"
    input = operand_def(TableType)
    column = prop_def(StringAttr)
    result = result_def()

    traits = traits_def(Pure())
    assembly_format = "$input $column attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue, column: str):
        f = _table(input, "cylon.scalar input").field(column)
        assert f is not None
        super().__init__(
            operands=[input], properties={"column": StringAttr(column)}, result_types=[value_type(f[1], f[2])]
        )

    def verify_(self) -> None:
        t = _table(self.input, "cylon.scalar input")
        f = t.field(self.column.data)
        if f is None:
            _require_columns(t, [self.column.data], "cylon.scalar")
        assert f is not None
        if self.result.type != value_type(f[1], f[2]):
            raise VerifyException(f"cylon.scalar: result type must be {value_type(f[1], f[2])}")


OUTPUT_KINDS = ("table", "scalar", "dict", "tuple")


@irdl_op_definition
class OutputOp(IRDLOperation):
    """What the pipeline returns: one table or scalar, or a dict (``keys``) or tuple of them.

    ```mlir
    cylon.output "dict" %t, %s {keys = ["rows", "revenue"]} : !cylon.table<...>, f64
    ```
    """

    name = "cylon.output"
    kind = prop_def(StringAttr)
    keys = opt_prop_def(ArrayAttr[StringAttr])
    values = var_operand_def()

    assembly_format = "$kind $values attr-dict `:` type($values)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, kind: str, values: Sequence[SSAValue], keys: Sequence[str] | None = None):
        props: dict[str, Attribute] = {"kind": StringAttr(kind)}
        if keys is not None:
            props["keys"] = _str_array(keys)
        super().__init__(operands=[values], properties=props)

    def verify_(self) -> None:
        kind = self.kind.data
        if kind not in OUTPUT_KINDS:
            raise VerifyException(f"cylon.output: kind must be one of {', '.join(OUTPUT_KINDS)}")
        n = len(self.values)
        if kind in ("table", "scalar") and n != 1:
            raise VerifyException(f"cylon.output: a {kind} output has exactly one value")
        if kind == "table" and not isinstance(self.values[0].type, TableType):
            raise VerifyException("cylon.output: a table output needs a !cylon.table value")
        if kind == "scalar" and isinstance(self.values[0].type, TableType):
            raise VerifyException("cylon.output: a scalar output needs a scalar value")
        if kind == "dict" and (self.keys is None or len(self.keys.data) != n):
            raise VerifyException("cylon.output: a dict output needs one key per value")


# --------------------------------------------------------------------------- distribution


DIST_KINDS = ("replicated", "blocks", "hash", "range", "root")


@irdl_attr_definition
class DistAttr(ParametrizedAttribute):
    """How a table value is spread over the ranks (set by ``cylon-partition`` as the
    ``cylon.dist`` attribute of the op that makes it):

    - ``replicated``: every rank holds the whole table;
    - ``blocks``: each row is on exactly one rank, anywhere;
    - ``hash ["k", ...]``: rows with equal keys are on the same rank;
    - ``range ["k", ...]``: sorted over the ranks (rank ``r`` holds keys not after rank ``r+1``'s);
    - ``root``: every row is on rank 0.

    ```mlir
    %s = cylon.shuffle %t by ["k"] {cylon.dist = #cylon.dist<hash ["k"]>} : !cylon.table<...> -> !cylon.table<...>
    ```
    """

    name = "cylon.dist"

    kind: StringAttr
    keys: ArrayAttr[StringAttr]

    def __init__(self, kind: str, keys: Sequence[str] = ()):
        super().__init__(StringAttr(kind), _str_array(keys))

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string(self.kind.data)
            if self.keys.data:
                printer.print_string(" [")
                printer.print_list(self.keys.data, lambda k: printer.print_string_literal(k.data))
                printer.print_string("]")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> tuple[StringAttr, ArrayAttr[StringAttr]]:
        parser.parse_characters("<")
        kind = parser.parse_identifier(" for a distribution kind (replicated, blocks, hash, range, root)")
        keys: list[str] = []
        if parser.parse_optional_characters("["):
            if not parser.parse_optional_characters("]"):
                keys = [parser.parse_str_literal(" for a key column")]
                while parser.parse_optional_characters(","):
                    keys.append(parser.parse_str_literal(" for a key column"))
                parser.parse_characters("]")
        parser.parse_characters(">")
        return StringAttr(kind), _str_array(keys)

    def verify(self) -> None:
        kind = self.kind.data
        if kind not in DIST_KINDS:
            raise VerifyException(f"#cylon.dist: unknown kind '{kind}' (kinds: {', '.join(DIST_KINDS)})")
        if (kind in ("hash", "range")) != bool(self.keys.data):
            raise VerifyException(f"#cylon.dist: '{kind}' {'needs' if kind in ('hash', 'range') else 'takes no'} key columns")


def _check_dist(op: IRDLOperation) -> None:
    """Check an op's ``cylon.dist`` attribute (if any) against its result's columns."""
    dist = op.attributes.get("cylon.dist")
    if dist is None:
        return
    if not isinstance(dist, DistAttr):
        raise VerifyException(f"{op.name}: 'cylon.dist' must be a #cylon.dist attribute")
    if op.results and isinstance(op.results[0].type, TableType):
        _require_columns(op.results[0].type, _strs(dist.keys), f"{op.name} distribution")


# --------------------------------------------------------------------------- communication ops


class _TableToSameTable(IRDLOperation):
    input = operand_def(TableType)
    output = result_def(TableType)

    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue):
        super().__init__(operands=[input], result_types=[input.type])

    def _verify_same_table(self) -> None:
        if self.output.type != _table(self.input, f"{self.name} input"):
            raise VerifyException(f"{self.name}: result type must equal the input type")

    def verify_(self) -> None:
        self._verify_same_table()
        _check_dist(self)


@irdl_op_definition
class ShuffleOp(IRDLOperation):
    """Hash-partitions a table over the ranks (all-to-all exchange): afterwards rows with equal
    ``keys`` are on one rank. Each rank's rows keep their relative order, and what a rank
    receives is concatenated in source-rank order. Equal values of integer and float keys (and
    nulls) hash alike, so tables shuffled on comparable key columns are co-partitioned.

    ```mlir
    %s = cylon.shuffle %t by ["k"] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64>
    ```
    """

    name = "cylon.shuffle"
    input = operand_def(TableType)
    keys = prop_def(ArrayAttr[StringAttr])
    output = result_def(TableType)

    assembly_format = "$input `by` $keys attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, keys: Sequence[str]):
        super().__init__(operands=[input], properties={"keys": _str_array(keys)}, result_types=[input.type])

    def verify_(self) -> None:
        t = _table(self.input, "cylon.shuffle input")
        if not self.keys.data:
            raise VerifyException("cylon.shuffle: needs at least one key")
        _require_columns(t, _strs(self.keys), "cylon.shuffle")
        if self.output.type != t:
            raise VerifyException("cylon.shuffle: result type must equal the input type")
        _check_dist(self)


@irdl_op_definition
class AllGatherOp(_TableToSameTable):
    """Every rank gets the whole table: the ranks' rows concatenated in rank order (replicates
    a distributed table, e.g. the small side of a broadcast join).

    ```mlir
    %r = cylon.allgather %t : !cylon.table<"k": i64> -> !cylon.table<"k": i64>
    ```
    """

    name = "cylon.allgather"


@irdl_op_definition
class GatherOp(_TableToSameTable):
    """Rank 0 gets the whole table (the ranks' rows concatenated in rank order); the other
    ranks are left with no rows.

    ```mlir
    %r = cylon.gather %t : !cylon.table<"k": i64> -> !cylon.table<"k": i64>
    ```
    """

    name = "cylon.gather"


@irdl_op_definition
class BroadcastOp(_TableToSameTable):
    """Every rank gets rank 0's table (replicates a result computed on rank 0).

    ```mlir
    %r = cylon.broadcast %t : !cylon.table<"s": f64> -> !cylon.table<"s": f64>
    ```
    """

    name = "cylon.broadcast"


@irdl_op_definition
class ScatterOp(_TableToSameTable):
    """Turns a replicated table into a partitioned one without communication: rank ``r`` keeps
    the ``r``-th of ``ranks`` contiguous row blocks of its copy.

    ```mlir
    %b = cylon.scatter %r : !cylon.table<"k": i64> -> !cylon.table<"k": i64>
    ```
    """

    name = "cylon.scatter"


def _key_fields(t: TableType, keys: Sequence[str]) -> list[tuple[str, Attribute, bool]]:
    return [t.field(k) for k in keys]  # type: ignore[misc]


@irdl_op_definition
class SplittersOp(IRDLOperation):
    """The splitter exchange of a sample sort: each rank samples its rows' ``keys`` at regular
    positions of its local order, the samples are all-gathered, and every rank picks the same
    ``ranks - 1`` splitters (rows of the key columns, in sort order; nulls last).

    ```mlir
    %sp = cylon.splitters %t by ["k"] ascending [1] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64>
    ```
    """

    name = "cylon.splitters"
    input = operand_def(TableType)
    keys = prop_def(ArrayAttr[StringAttr])
    ascending_attr = prop_def(ArrayAttr[IntegerAttr[I64]], prop_name="ascending")
    output = result_def(TableType)

    assembly_format = "$input `by` $keys `ascending` $ascending attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, keys: Sequence[str], ascending: Sequence[bool]):
        t = _table(input, "cylon.splitters input")
        super().__init__(
            operands=[input],
            properties={
                "keys": _str_array(keys),
                "ascending": ArrayAttr([IntegerAttr(int(a), i64) for a in ascending]),
            },
            result_types=[TableType.from_fields(_key_fields(t, keys))],
        )

    def verify_(self) -> None:
        t = _table(self.input, "cylon.splitters input")
        keys = _strs(self.keys)
        _require_columns(t, keys, "cylon.splitters")
        if not keys or len(keys) != len(self.ascending_attr.data):
            raise VerifyException("cylon.splitters: needs one ascending flag per key, at least one key")
        _check_result(self, _key_fields(t, keys))
        _check_dist(self)


@irdl_op_definition
class RangeShuffleOp(IRDLOperation):
    """Range-partitions a table by ``splitters`` (all-to-all exchange): rank ``r`` gets the rows
    after splitter ``r - 1`` and up to splitter ``r`` in the sort order of ``keys``/``ascending``,
    so equal keys land on one rank. Received rows are concatenated in source-rank order (a
    stable local sort then keeps the input order among ties).

    ```mlir
    %r = cylon.range_shuffle %t, %sp by ["k"] ascending [1] : !cylon.table<"k": i64, "x": f64>, !cylon.table<"k": i64> -> !cylon.table<"k": i64, "x": f64>
    ```
    """

    name = "cylon.range_shuffle"
    input = operand_def(TableType)
    splitters = operand_def(TableType)
    keys = prop_def(ArrayAttr[StringAttr])
    ascending_attr = prop_def(ArrayAttr[IntegerAttr[I64]], prop_name="ascending")
    output = result_def(TableType)

    assembly_format = (
        "$input `,` $splitters `by` $keys `ascending` $ascending attr-dict "
        "`:` type($input) `,` type($splitters) `->` type($output)"
    )

    def __init__(self, input: SSAValue, splitters: SSAValue, keys: Sequence[str], ascending: Sequence[bool]):
        super().__init__(
            operands=[input, splitters],
            properties={
                "keys": _str_array(keys),
                "ascending": ArrayAttr([IntegerAttr(int(a), i64) for a in ascending]),
            },
            result_types=[input.type],
        )

    def verify_(self) -> None:
        t = _table(self.input, "cylon.range_shuffle input")
        s = _table(self.splitters, "cylon.range_shuffle splitters")
        keys = _strs(self.keys)
        _require_columns(t, keys, "cylon.range_shuffle")
        if not keys or len(keys) != len(self.ascending_attr.data):
            raise VerifyException("cylon.range_shuffle: needs one ascending flag per key, at least one key")
        if s.column_names != keys:
            raise VerifyException("cylon.range_shuffle: the splitters table must hold exactly the key columns")
        if self.output.type != t:
            raise VerifyException("cylon.range_shuffle: result type must equal the input type")
        _check_dist(self)


# Partial aggregation state per function: (suffix, type or None = the column's type, nullable).
DECOMPOSABLE_AGGS = ("sum", "mean", "min", "max", "count", "size", "std", "var")


def partial_fields(table: TableType, keys: Sequence[str], aggs: ArrayAttr, what: str) -> list[tuple[str, Attribute, bool]]:
    """Schema of a partial aggregate: the keys, then each aggregate's state columns
    ``name.sum`` / ``name.count`` / ``name.min`` / ``name.max`` / ``name.mean`` / ``name.m2``
    (``sum``: the sum; ``mean``: sum (f64) and count; ``std``/``var``: count, mean and the sum of
    squared deviations from it, combined with Chan's formula)."""
    out = [(k, table.field(k)[1], False) for k in keys]  # type: ignore[index]
    for fn, col, name in (_strs(a) for a in aggs.data):
        if fn not in DECOMPOSABLE_AGGS:
            raise VerifyException(f"{what}: '{fn}' has no partial form (decomposable: {', '.join(DECOMPOSABLE_AGGS)})")
        f = table.field(col) if fn != "size" else None
        if fn != "size" and f is None:
            _require_columns(table, [col], what)
        elem = f[1] if f is not None else None
        if fn in ("count", "size"):
            out.append((f"{name}.count", i64, False))
        elif fn == "sum":
            out.append((f"{name}.sum", agg_result("sum", elem, False)[0], False))
        elif fn == "mean":
            agg_result("mean", elem, True)
            out += [(f"{name}.sum", Float64Type(), False), (f"{name}.count", i64, False)]
        elif fn in ("min", "max"):
            out.append((f"{name}.{fn}", elem, True))  # type: ignore[arg-type]
        else:
            agg_result(fn, elem, True)
            out += [(f"{name}.count", i64, False), (f"{name}.mean", Float64Type(), True), (f"{name}.m2", Float64Type(), True)]
    return out


@irdl_op_definition
class PartialAggregateOp(IRDLOperation):
    """The local phase of a two-phase aggregation: per group of ``keys`` (none: the whole
    table), each decomposable aggregate's partial state (see :func:`partial_fields`). Rows with
    a null key are dropped; groups come out in any order.

    ```mlir
    %p = cylon.partial_aggregate %t by ["k"] aggs [["mean", "x", "m"]] : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "m.sum": f64, "m.count": i64>
    ```
    """

    name = "cylon.partial_aggregate"
    input = operand_def(TableType)
    keys = prop_def(ArrayAttr[StringAttr])
    aggs = prop_def(ArrayAttr[ArrayAttr[StringAttr]])
    output = result_def(TableType)

    traits = traits_def(Pure())

    assembly_format = "$input `by` $keys `aggs` $aggs attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, keys: Sequence[str], aggs: Sequence[Sequence[str]]):
        t = _table(input, "cylon.partial_aggregate input")
        aggs_attr = ArrayAttr([_str_array(a) for a in aggs])
        super().__init__(
            operands=[input],
            properties={"keys": _str_array(keys), "aggs": aggs_attr},
            result_types=[TableType.from_fields(partial_fields(t, keys, aggs_attr, "cylon.partial_aggregate"))],
        )

    def verify_(self) -> None:
        t = _table(self.input, "cylon.partial_aggregate input")
        keys = _strs(self.keys)
        _require_columns(t, keys, "cylon.partial_aggregate keys")
        _agg_fields(t, self.aggs, "cylon.partial_aggregate")
        _check_result(self, partial_fields(t, keys, self.aggs, "cylon.partial_aggregate"))
        _check_dist(self)


@irdl_op_definition
class FinalAggregateOp(IRDLOperation):
    """The final phase of a two-phase aggregation: combines the partial states of each group
    (all of a group's partial rows must be on this rank) into the aggregates ``aggs`` of the
    original ``cylon.aggregate`` (``keys``; sorted by key) or ``cylon.reduce`` (no keys; exactly
    one row). ``source`` is the schema the partials were computed from.

    ```mlir
    %g = cylon.final_aggregate %p by ["k"] aggs [["mean", "x", "m"]] : !cylon.table<"k": i64, "m.sum": f64, "m.count": i64> -> !cylon.table<"k": i64, "m": f64?>
    ```
    """

    name = "cylon.final_aggregate"
    input = operand_def(TableType)
    keys = prop_def(ArrayAttr[StringAttr])
    aggs = prop_def(ArrayAttr[ArrayAttr[StringAttr]])
    output = result_def(TableType)

    traits = traits_def(Pure())

    assembly_format = "$input `by` $keys `aggs` $aggs attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, keys: Sequence[str], aggs: Sequence[Sequence[str]], result: TableType):
        super().__init__(
            operands=[input],
            properties={"keys": _str_array(keys), "aggs": ArrayAttr([_str_array(a) for a in aggs])},
            result_types=[result],
        )

    def verify_(self) -> None:
        t = _table(self.input, "cylon.final_aggregate input")
        out = _table(self.output, "cylon.final_aggregate result")
        keys = _strs(self.keys)
        _require_columns(t, keys, "cylon.final_aggregate keys")
        names = [_strs(a)[2] for a in self.aggs.data]
        for fn, _, name in (_strs(a) for a in self.aggs.data):
            if fn not in DECOMPOSABLE_AGGS:
                raise VerifyException(f"cylon.final_aggregate: '{fn}' has no partial form")
            states = {"count": ["count"], "size": ["count"], "sum": ["sum"], "mean": ["sum", "count"],
                      "min": ["min"], "max": ["max"], "std": ["count", "mean", "m2"], "var": ["count", "mean", "m2"]}[fn]
            _require_columns(t, [f"{name}.{s}" for s in states], "cylon.final_aggregate partial state")
        if out.column_names != keys + names:
            raise VerifyException("cylon.final_aggregate: result columns must be the keys, then one per aggregate")
        _check_dist(self)


COMM_OPS = (ShuffleOp, AllGatherOp, GatherOp, BroadcastOp, ScatterOp, SplittersOp, RangeShuffleOp)
"""Ops that move rows between ranks (inserted by ``cylon-partition``)."""
PARTITION_OPS = (*COMM_OPS, PartialAggregateOp, FinalAggregateOp)


# --------------------------------------------------------------------------- device placement


DEVICES = ("cpu", "gpu")
DEVICE_ATTR = "cylon.device"
"""The discardable attribute ``cylon-place`` sets on every table op: where it runs."""


def check_device(op: IRDLOperation) -> None:
    """Check an op's ``cylon.device`` attribute (if any): ``"cpu"`` or ``"gpu"``."""
    dev = op.attributes.get(DEVICE_ATTR)
    if dev is None:
        return
    if not isinstance(dev, StringAttr) or dev.data not in DEVICES:
        raise VerifyException(f"{op.name}: '{DEVICE_ATTR}' must be \"cpu\" or \"gpu\", got {dev}")


class _TransferOp(_TableToSameTable):
    def verify_(self) -> None:
        self._verify_same_table()
        if isinstance(self.input.owner, type(self)):
            raise VerifyException(f"{self.name}: the input was just transferred the same way (a redundant copy)")
        check_device(self)


@irdl_op_definition
class ToDeviceOp(_TransferOp):
    """Copies a host (Arrow) table to GPU memory (set by ``cylon-place`` where a GPU operator
    reads a CPU operator's result). Fixed-width columns become device arrays with validity
    masks; strings become sorted-dictionary codes. The table and its schema are unchanged.

    ```mlir
    %d = cylon.to_device %t : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?>
    ```
    """

    name = "cylon.to_device"


@irdl_op_definition
class ToHostOp(_TransferOp):
    """Copies a device table back to host memory as an Arrow table (set by ``cylon-place``
    where a CPU operator, a scalar read or the pipeline's output reads a GPU result).

    ```mlir
    %h = cylon.to_host %d : !cylon.table<"k": i64, "s": f64> -> !cylon.table<"k": i64, "s": f64>
    ```
    """

    name = "cylon.to_host"


TRANSFER_OPS = (ToDeviceOp, ToHostOp)
"""Host <-> device copies (inserted by ``cylon-place``)."""


# --------------------------------------------------------------------------- expression ops


@irdl_op_definition
class ColOp(IRDLOperation):
    """Reads a column of the current row.

    ```mlir
    %x = cylon.col %row "x" : !cylon.row<"x": f64?> -> !cylon.nullable<f64>
    ```
    """

    name = "cylon.col"
    row = operand_def(RowType)
    column = prop_def(StringAttr)
    result = result_def()

    traits = traits_def(Pure())
    assembly_format = "$row $column attr-dict `:` type($row) `->` type($result)"

    def __init__(self, row: SSAValue, column: str):
        assert isinstance(row.type, RowType)
        f = row.type.field(column)
        assert f is not None
        super().__init__(
            operands=[row], properties={"column": StringAttr(column)}, result_types=[value_type(f[1], f[2])]
        )

    def verify_(self) -> None:
        rt = self.row.type
        assert isinstance(rt, RowType)
        f = rt.field(self.column.data)
        if f is None:
            raise VerifyException(
                f"cylon.col: column '{self.column.data}' not in row with columns [{', '.join(rt.column_names)}]"
            )
        if self.result.type != value_type(f[1], f[2]):
            raise VerifyException(f"cylon.col: result type must be {value_type(f[1], f[2])}")


@irdl_op_definition
class ConstOp(IRDLOperation):
    """A literal that ``arith.constant`` can't hold: a string, date (days since epoch), timestamp
    (ticks of its unit), or a typed null (no ``value``).

    ```mlir
    %d = cylon.const {value = 8766 : i64} : !cylon.date
    %n = cylon.const : !cylon.nullable<f64>
    ```
    """

    name = "cylon.const"
    value = opt_prop_def(Attribute)
    result = result_def()

    traits = traits_def(Pure())
    assembly_format = "attr-dict `:` type($result)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, value: Attribute | None, type: Attribute):
        props = {} if value is None else {"value": value}
        super().__init__(properties=props, result_types=[type])

    def verify_(self) -> None:
        elem, nullable = strip_nullable(self.result.type)
        if self.value is None:
            if not nullable:
                raise VerifyException("cylon.const: a null constant must have a !cylon.nullable type")
            return
        if isinstance(elem, StringType) and not isinstance(self.value, StringAttr):
            raise VerifyException("cylon.const: a string constant needs a string value")
        if isinstance(elem, DateType | TimestampType) and not isinstance(self.value, IntegerAttr):
            raise VerifyException("cylon.const: a date/timestamp constant needs an integer value")


ARITH_FNS = ("add", "sub", "mul", "div", "floordiv", "mod", "pow")
LOGIC_FNS = ("and", "or")
CMP_FNS = ("eq", "ne", "lt", "le", "gt", "ge")


def _same_elem(op: IRDLOperation, *vals: SSAValue) -> Attribute:
    elems = {strip_nullable(v.type)[0] for v in vals}
    if len(elems) != 1:
        raise VerifyException(f"{op.name}: operands must have the same element type, got {sorted(map(str, elems))}")
    return elems.pop()


def _nullable_of(*vals: SSAValue) -> bool:
    return any(strip_nullable(v.type)[1] for v in vals)


@irdl_op_definition
class BinaryOp(IRDLOperation):
    """Null-aware arithmetic and logic on two values of one element type (the frontend casts
    first). ``fn``: add sub mul div floordiv mod pow (numbers; ``add`` also joins strings),
    and or (booleans, Kleene logic). A null operand gives null (except Kleene's absorbing cases).

    ```mlir
    %r = cylon.binop "div" %a, %b : !cylon.nullable<f64>, f64 -> !cylon.nullable<f64>
    ```
    """

    name = "cylon.binop"
    fn = prop_def(StringAttr)
    lhs = operand_def()
    rhs = operand_def()
    result = result_def()

    traits = traits_def(Pure())
    assembly_format = "$fn $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)"

    def __init__(self, fn: str, lhs: SSAValue, rhs: SSAValue, result: Attribute):
        super().__init__(operands=[lhs, rhs], properties={"fn": StringAttr(fn)}, result_types=[result])

    def verify_(self) -> None:
        fn = self.fn.data
        elem = _same_elem(self, self.lhs, self.rhs)
        res, _ = strip_nullable(self.result.type)
        if fn in LOGIC_FNS:
            if not is_bool(elem) or not is_bool(res):
                raise VerifyException(f"cylon.binop: '{fn}' needs booleans")
        elif fn in ARITH_FNS:
            if fn == "add" and isinstance(elem, StringType):
                if not isinstance(res, StringType):
                    raise VerifyException("cylon.binop: string 'add' gives a string")
            elif not is_numeric(elem) or not is_numeric(res):
                raise VerifyException(f"cylon.binop: '{fn}' needs numbers, got {elem}")
            elif fn == "div" and not is_float(res):
                raise VerifyException("cylon.binop: 'div' gives a float")
        else:
            raise VerifyException(
                f"cylon.binop: unknown function '{fn}' (supported: {', '.join(ARITH_FNS + LOGIC_FNS)})"
            )


@irdl_op_definition
class CmpOp(IRDLOperation):
    """Null-propagating comparison of two values of one element type; gives a boolean.

    ```mlir
    %p = cylon.cmp "ge" %d, %c : !cylon.date, !cylon.date -> i1
    ```
    """

    name = "cylon.cmp"
    fn = prop_def(StringAttr)
    lhs = operand_def()
    rhs = operand_def()
    result = result_def()

    traits = traits_def(Pure())
    assembly_format = "$fn $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)"

    def __init__(self, fn: str, lhs: SSAValue, rhs: SSAValue):
        super().__init__(
            operands=[lhs, rhs],
            properties={"fn": StringAttr(fn)},
            result_types=[value_type(i1, _nullable_of(lhs, rhs))],
        )

    def verify_(self) -> None:
        if self.fn.data not in CMP_FNS:
            raise VerifyException(f"cylon.cmp: unknown comparison '{self.fn.data}' (supported: {', '.join(CMP_FNS)})")
        _same_elem(self, self.lhs, self.rhs)
        if self.result.type != value_type(i1, _nullable_of(self.lhs, self.rhs)):
            raise VerifyException("cylon.cmp: result must be i1, nullable when an operand is")


UNARY_FNS = ("neg", "abs", "not", "isna", "notna")


@irdl_op_definition
class UnaryOp(IRDLOperation):
    """``neg``/``abs`` (numbers), ``not`` (booleans), ``isna``/``notna`` (any; never null).

    ```mlir
    %m = cylon.unary "isna" %x : !cylon.nullable<f64> -> i1
    ```
    """

    name = "cylon.unary"
    fn = prop_def(StringAttr)
    operand = operand_def()
    result = result_def()

    traits = traits_def(Pure())
    assembly_format = "$fn $operand attr-dict `:` type($operand) `->` type($result)"

    def __init__(self, fn: str, operand: SSAValue, result: Attribute):
        super().__init__(operands=[operand], properties={"fn": StringAttr(fn)}, result_types=[result])

    def verify_(self) -> None:
        fn = self.fn.data
        elem, _ = strip_nullable(self.operand.type)
        if fn in ("isna", "notna"):
            if self.result.type != i1:
                raise VerifyException(f"cylon.unary: '{fn}' gives a non-null i1")
        elif fn == "not":
            if not is_bool(elem) or self.result.type != self.operand.type:
                raise VerifyException("cylon.unary: 'not' maps a boolean to a boolean")
        elif fn in ("neg", "abs"):
            if not is_numeric(elem) or self.result.type != self.operand.type:
                raise VerifyException(f"cylon.unary: '{fn}' maps a number to a number of its type")
        else:
            raise VerifyException(f"cylon.unary: unknown function '{fn}' (supported: {', '.join(UNARY_FNS)})")


@irdl_op_definition
class RoundOp(IRDLOperation):
    """Rounds half to even to ``ndigits`` decimals (pandas ``round``).

    ```mlir
    %r = cylon.round %x 2 : f64 -> f64
    ```
    """

    name = "cylon.round"
    operand = operand_def()
    ndigits_attr = prop_def(IntegerAttr[I64], prop_name="ndigits")
    result = result_def()

    traits = traits_def(Pure())
    assembly_format = "$operand $ndigits attr-dict `:` type($operand) `->` type($result)"

    def __init__(self, operand: SSAValue, ndigits: int):
        super().__init__(operands=[operand], properties={"ndigits": IntegerAttr(ndigits, i64)}, result_types=[operand.type])

    @property
    def ndigits(self) -> IntAttr:
        return self.ndigits_attr.value

    def verify_(self) -> None:
        if not is_numeric(strip_nullable(self.operand.type)[0]) or self.result.type != self.operand.type:
            raise VerifyException("cylon.round: maps a number to a number of its type")


@irdl_op_definition
class CastOp(IRDLOperation):
    """Converts a value to another element type (``astype``; also the frontend's promotions).

    ```mlir
    %f = cylon.cast %i : i64 -> f64
    ```
    """

    name = "cylon.cast"
    operand = operand_def()
    result = result_def()

    traits = traits_def(Pure())
    assembly_format = "$operand attr-dict `:` type($operand) `->` type($result)"

    def __init__(self, operand: SSAValue, result: Attribute):
        super().__init__(operands=[operand], result_types=[result])

    def verify_(self) -> None:
        if not is_element_type(strip_nullable(self.result.type)[0]):
            raise VerifyException(f"cylon.cast: cannot cast to {self.result.type}")


@irdl_op_definition
class FillNaOp(IRDLOperation):
    """The value, or ``fill`` where it is null.

    ```mlir
    %r = cylon.fillna %x, %c : !cylon.nullable<f64>, f64 -> f64
    ```
    """

    name = "cylon.fillna"
    operand = operand_def()
    fill = operand_def()
    result = result_def()

    traits = traits_def(Pure())
    assembly_format = "$operand `,` $fill attr-dict `:` type($operand) `,` type($fill) `->` type($result)"

    def __init__(self, operand: SSAValue, fill: SSAValue):
        elem = strip_nullable(operand.type)[0]
        super().__init__(operands=[operand, fill], result_types=[value_type(elem, _nullable_of(fill))])

    def verify_(self) -> None:
        elem = _same_elem(self, self.operand, self.fill)
        if self.result.type != value_type(elem, _nullable_of(self.fill)):
            raise VerifyException("cylon.fillna: result is the operand's type, nullable only if the fill is")


@irdl_op_definition
class WhereOp(IRDLOperation):
    """``value`` where ``cond`` is true, else ``other`` (pandas ``Series.where``; null cond -> other).

    ```mlir
    %r = cylon.where %c, %x, %y : !cylon.nullable<i1>, f64, f64 -> f64
    ```
    """

    name = "cylon.where"
    cond = operand_def()
    value = operand_def()
    other = operand_def()
    result = result_def()

    traits = traits_def(Pure())
    assembly_format = (
        "$cond `,` $value `,` $other attr-dict `:` type($cond) `,` type($value) `,` type($other) `->` type($result)"
    )

    def __init__(self, cond: SSAValue, value: SSAValue, other: SSAValue):
        elem = strip_nullable(value.type)[0]
        super().__init__(
            operands=[cond, value, other], result_types=[value_type(elem, _nullable_of(value, other))]
        )

    def verify_(self) -> None:
        if not is_bool(strip_nullable(self.cond.type)[0]):
            raise VerifyException("cylon.where: condition must be a boolean")
        elem = _same_elem(self, self.value, self.other)
        if self.result.type != value_type(elem, _nullable_of(self.value, self.other)):
            raise VerifyException("cylon.where: result type must be the values' type")


@irdl_op_definition
class IsInOp(IRDLOperation):
    """Whether the value is one of ``values`` (never null: a null value gives false).

    ```mlir
    %r = cylon.isin %s ["a", "b"] : !cylon.string -> i1
    ```
    """

    name = "cylon.isin"
    operand = operand_def()
    values = prop_def(ArrayAttr)
    result = result_def()

    traits = traits_def(Pure())
    assembly_format = "$operand $values attr-dict `:` type($operand) `->` type($result)"

    def __init__(self, operand: SSAValue, values: ArrayAttr):
        super().__init__(operands=[operand], properties={"values": values}, result_types=[i1])

    def verify_(self) -> None:
        if self.result.type != i1:
            raise VerifyException("cylon.isin: result must be a non-null i1")


STR_FNS = {
    "startswith": "bool",
    "endswith": "bool",
    "contains": "bool",
    "len": "int",
    "lower": "str",
    "upper": "str",
    "slice": "str",
}


@irdl_op_definition
class StrOp(IRDLOperation):
    """A string function (``.str`` accessor): startswith, endswith, contains (``pattern``,
    ``regex``, ``case``), len, lower, upper, slice (``start``, ``stop``, ``step``).

    ```mlir
    %r = cylon.str "startswith" %s {pattern = "chr"} : !cylon.string -> i1
    ```
    """

    name = "cylon.str"
    fn = prop_def(StringAttr)
    operand = operand_def()
    result = result_def()

    traits = traits_def(Pure())
    assembly_format = "$fn $operand attr-dict `:` type($operand) `->` type($result)"

    def __init__(self, fn: str, operand: SSAValue, result: Attribute, options: dict[str, Attribute]):
        super().__init__(operands=[operand], properties={"fn": StringAttr(fn)}, attributes=options, result_types=[result])

    def verify_(self) -> None:
        fn = self.fn.data
        if fn not in STR_FNS:
            raise VerifyException(f"cylon.str: unknown function '{fn}' (supported: {', '.join(STR_FNS)})")
        if not isinstance(strip_nullable(self.operand.type)[0], StringType):
            raise VerifyException(f"cylon.str: '{fn}' needs a string operand")
        res = strip_nullable(self.result.type)[0]
        kind = STR_FNS[fn]
        ok = (
            (kind == "bool" and is_bool(res))
            or (kind == "int" and is_integer(res))
            or (kind == "str" and isinstance(res, StringType))
        )
        if not ok:
            raise VerifyException(f"cylon.str: '{fn}' gives a {kind}, not {res}")
        if fn in ("startswith", "endswith", "contains") and not isinstance(self.attributes.get("pattern"), StringAttr):
            raise VerifyException(f"cylon.str: '{fn}' needs a string 'pattern' attribute")


DT_FNS = ("year", "month", "day")


@irdl_op_definition
class DtOp(IRDLOperation):
    """A date part (``.dt`` accessor) of a date or timestamp: year, month, day.

    ```mlir
    %y = cylon.dt "year" %d : !cylon.date -> i64
    ```
    """

    name = "cylon.dt"
    fn = prop_def(StringAttr)
    operand = operand_def()
    result = result_def()

    traits = traits_def(Pure())
    assembly_format = "$fn $operand attr-dict `:` type($operand) `->` type($result)"

    def __init__(self, fn: str, operand: SSAValue):
        super().__init__(
            operands=[operand],
            properties={"fn": StringAttr(fn)},
            result_types=[value_type(i64, _nullable_of(operand))],
        )

    def verify_(self) -> None:
        if self.fn.data not in DT_FNS:
            raise VerifyException(f"cylon.dt: unknown part '{self.fn.data}' (supported: {', '.join(DT_FNS)})")
        if not isinstance(strip_nullable(self.operand.type)[0], DateType | TimestampType):
            raise VerifyException("cylon.dt: needs a date or timestamp operand")
        if self.result.type != value_type(i64, _nullable_of(self.operand)):
            raise VerifyException("cylon.dt: result must be i64, nullable when the operand is")


@irdl_op_definition
class UdfOp(IRDLOperation):
    """Calls a user scalar function (``@cc.udf``), compiled with numba; null in -> null out.

    ```mlir
    %r = cylon.udf "score" %a, %b : f64, !cylon.nullable<i64> -> !cylon.nullable<f64>
    ```
    """

    name = "cylon.udf"
    callee = prop_def(StringAttr)
    args = var_operand_def()
    result = result_def()

    assembly_format = "$callee $args attr-dict `:` type($args) `->` type($result)"

    def __init__(self, callee: str, args: Sequence[SSAValue], result: Attribute):
        super().__init__(operands=[args], properties={"callee": StringAttr(callee)}, result_types=[result])

    def verify_(self) -> None:
        for a in self.args:
            if not is_numeric(strip_nullable(a.type)[0]):
                raise VerifyException(f"cylon.udf: arguments must be numbers or booleans, got {a.type}")
        if not is_numeric(strip_nullable(self.result.type)[0]):
            raise VerifyException("cylon.udf: the result must be a number or boolean")


@irdl_op_definition
class YieldOp(IRDLOperation):
    """Ends an expression region with its values.

    ```mlir
    cylon.yield %p : i1
    ```
    """

    name = "cylon.yield"
    values = var_operand_def()

    traits = traits_def(IsTerminator())
    assembly_format = "$values attr-dict `:` type($values)"

    def __init__(self, *values: SSAValue):
        super().__init__(operands=[values])


FUSABLE_AGGS = ("sum", "count", "size", "min", "max", "mean")
"""Aggregates a fused kernel can compute from per-row partial accumulators."""


@irdl_op_definition
class FusedOp(IRDLOperation):
    """One pipeline of per-row operators over one input, run as one kernel (``cylon-fuse``).

    The region's argument is the input table; its ops are a chain of ``cylon.filter``,
    ``cylon.assign``, ``cylon.project`` and ``cylon.rename``, each reading the previous one's
    result, optionally ended by a ``cylon.reduce`` or a ``cylon.aggregate`` (group-by) whose
    aggregates are all ``sum count size min max mean``;
    ``cylon.yield`` returns the last table. ``kernel`` names the kernel (the lowered
    ``func.func`` is ``cylonc_<kernel>``).

    ```mlir
    %2 = cylon.fused "fused_0" %0 : !cylon.table<"x": f64> -> !cylon.table<"s": f64> {
    ^bb0(%in : !cylon.table<"x": f64>):
      %f = cylon.filter %in : !cylon.table<"x": f64> -> !cylon.table<"x": f64> {
      ^bb1(%row : !cylon.row<"x": f64>):
        %x = cylon.col %row "x" : !cylon.row<"x": f64> -> f64
        %c = arith.constant 0.000000e+00 : f64
        %p = arith.cmpf ogt, %x, %c : f64
        cylon.yield %p : i1
      }
      %r = cylon.reduce %f aggs [["sum", "x", "s"]] : !cylon.table<"x": f64> -> !cylon.table<"s": f64>
      cylon.yield %r : !cylon.table<"s": f64>
    }
    ```
    """

    name = "cylon.fused"
    input = operand_def(TableType)
    kernel = prop_def(StringAttr)
    body = region_def("single_block")
    output = result_def(TableType)

    traits = traits_def(Pure())

    assembly_format = "$kernel $input attr-dict `:` type($input) `->` type($output) $body"

    def __init__(self, input: SSAValue, kernel: str, body: Region, result: TableType):
        super().__init__(
            operands=[input], properties={"kernel": StringAttr(kernel)}, regions=[body], result_types=[result]
        )

    @property
    def chain(self) -> list[IRDLOperation]:
        """The fused operators, in order (without the terminator)."""
        return [op for op in self.body.blocks[0].ops if not isinstance(op, YieldOp)]  # type: ignore[misc]

    def verify_(self) -> None:
        t = _table(self.input, "cylon.fused input")
        if len(self.body.blocks) != 1:
            raise VerifyException("cylon.fused: the region must have one block")
        block = self.body.blocks[0]
        if len(block.args) != 1 or block.args[0].type != t:
            raise VerifyException(f"cylon.fused: the region argument must be the input table {t}")
        last = block.last_op
        if not isinstance(last, YieldOp) or len(last.values) != 1:
            raise VerifyException("cylon.fused: the region must end with cylon.yield of one table")
        prev: SSAValue = block.args[0]
        chain = self.chain
        if not chain:
            raise VerifyException("cylon.fused: the region fuses no operator")
        for i, op in enumerate(chain):
            if not isinstance(op, FilterOp | AssignOp | ProjectOp | RenameOp | ReduceOp | AggregateOp):
                raise VerifyException(
                    f"cylon.fused: cannot fuse {op.name} (filter, assign, project, rename, reduce, aggregate only)"
                )
            if op.operands[0] != prev:
                raise VerifyException(f"cylon.fused: {op.name} must read the previous operator's result")
            if isinstance(op, ReduceOp | AggregateOp):
                if i != len(chain) - 1:
                    raise VerifyException(f"cylon.fused: a {op.name} can only end the chain")
                for agg in op.aggs.data:
                    fn = agg.data[0].data  # type: ignore[union-attr]
                    if fn not in FUSABLE_AGGS:
                        raise VerifyException(
                            f"cylon.fused: cannot fuse aggregate '{fn}' (supported: {', '.join(FUSABLE_AGGS)})"
                        )
            prev = op.results[0]
        if last.values[0] != prev:
            raise VerifyException("cylon.fused: cylon.yield must return the last operator's result")
        if self.output.type != prev.type:
            raise VerifyException("cylon.fused: result type must be the last operator's result type")


RELATIONAL_OPS = (
    InputOp,
    ReadOp,
    FilterOp,
    ProjectOp,
    AssignOp,
    RenameOp,
    JoinOp,
    AggregateOp,
    ReduceOp,
    SortOp,
    LimitOp,
    DistinctOp,
    UnionOp,
    ScalarOp,
    OutputOp,
    FusedOp,
)
EXPRESSION_OPS = (
    ColOp,
    ConstOp,
    BinaryOp,
    CmpOp,
    UnaryOp,
    RoundOp,
    CastOp,
    FillNaOp,
    WhereOp,
    IsInOp,
    StrOp,
    DtOp,
    UdfOp,
    YieldOp,
)

Cylon = Dialect(
    "cylon",
    [*RELATIONAL_OPS, *PARTITION_OPS, *TRANSFER_OPS, *EXPRESSION_OPS],
    [StringType, DateType, TimestampType, NullableType, TableType, RowType, DistAttr],
)
