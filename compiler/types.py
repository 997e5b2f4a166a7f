"""Type mapping between Arrow, the ``cylon`` dialect and the plan's type strings, and the
typing rules of pandas-style expressions (promotion, literal types)."""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pyarrow as pa
from xdsl.dialects.builtin import Float32Type, Float64Type, IntegerType, Signedness, StringAttr, f32, f64, i1, i64
from xdsl.ir import Attribute

from cylonc.dialects.cylon import (
    DateType,
    StringType,
    TimestampType,
    is_bool,
    is_float,
    is_integer,
    is_numeric,
)

_INT_WIDTHS = (8, 16, 32, 64)


def int_type(width: int, signed: bool = True) -> IntegerType:
    return IntegerType(width, Signedness.SIGNLESS if signed else Signedness.UNSIGNED)


def timestamp(unit: str = "us", tz: str | None = None) -> TimestampType:
    return TimestampType(StringAttr(unit), StringAttr(tz or ""))


def from_arrow(t: pa.DataType) -> Attribute | None:
    """The dialect element type that computes values of Arrow type ``t`` (None: unsupported).

    Decimals compute as ``f64``; dictionaries as their value type.
    """
    if pa.types.is_dictionary(t):
        return from_arrow(t.value_type)
    if pa.types.is_boolean(t):
        return i1
    if pa.types.is_integer(t):
        return int_type(t.bit_width, pa.types.is_signed_integer(t))
    if pa.types.is_float32(t):
        return f32
    if pa.types.is_float64(t) or pa.types.is_decimal(t) or pa.types.is_float16(t):
        return f64
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return StringType()
    if pa.types.is_date(t):
        return DateType()
    if pa.types.is_timestamp(t):
        return timestamp(t.unit, t.tz)
    return None


def to_plan(t: Attribute) -> str:
    """The plan type string of a dialect element type."""
    if isinstance(t, IntegerType):
        if t.width.data == 1:
            return "bool"
        prefix = "uint" if t.signedness.data == Signedness.UNSIGNED else "int"
        return f"{prefix}{t.width.data}"
    if isinstance(t, Float32Type):
        return "float32"
    if isinstance(t, Float64Type):
        return "float64"
    if isinstance(t, StringType):
        return "string"
    if isinstance(t, DateType):
        return "date32"
    if isinstance(t, TimestampType):
        tz = t.tz.data
        return f"timestamp[{t.unit.data}, tz={tz}]" if tz else f"timestamp[{t.unit.data}]"
    raise TypeError(f"no plan type for {t}")


def describe(t: Attribute) -> str:
    """A pandas-flavoured name of a type for error messages."""
    if is_bool(t):
        return "bool"
    if isinstance(t, StringType):
        return "string"
    if isinstance(t, DateType):
        return "date"
    if isinstance(t, TimestampType):
        return "timestamp"
    return to_plan(t)


def arrow_source_type(t: pa.DataType) -> str:
    """The plan's source type string of an Arrow type (as ``runtime/types.py`` spells it)."""
    from cylonc.runtime.types import from_arrow as runtime_from_arrow

    return runtime_from_arrow(t)


# --------------------------------------------------------------------------- promotion


def common_numeric(a: Attribute, b: Attribute) -> Attribute:
    """The type two numbers combine to (numpy rules, booleans count as int64)."""
    if is_float(a) or is_float(b):
        if isinstance(a, Float32Type) and isinstance(b, Float32Type):
            return f32
        return f64
    if is_bool(a) and is_bool(b):
        return i64
    a = i64 if is_bool(a) else a
    b = i64 if is_bool(b) else b
    assert isinstance(a, IntegerType) and isinstance(b, IntegerType)
    sa = a.signedness.data != Signedness.UNSIGNED
    sb = b.signedness.data != Signedness.UNSIGNED
    width = max(a.width.data, b.width.data)
    if sa == sb:
        return int_type(width, sa)
    return i64


def weak_literal_type(value: object, other: Attribute) -> Attribute | None:
    """The type a Python literal takes next to a value of type ``other`` (NEP 50: Python
    numbers are weak and adopt the column's type where they fit)."""
    if isinstance(value, bool | np.bool_):
        return i1 if is_bool(other) else (other if is_numeric(other) else i1)
    if isinstance(value, int | np.integer):
        if is_integer(other) or is_float(other):
            return other
        return i64
    if isinstance(value, float | np.floating):
        return other if is_float(other) else f64
    if isinstance(value, str):
        if isinstance(other, DateType | TimestampType):
            return other
        return StringType()
    if isinstance(value, _dt.datetime | np.datetime64):
        if isinstance(other, TimestampType):
            return other
        return timestamp("us")
    if isinstance(value, _dt.date):
        if isinstance(other, TimestampType):
            return other
        return DateType()
    return None


def literal_type(value: object) -> Attribute | None:
    """The type of a Python literal on its own."""
    if isinstance(value, bool | np.bool_):
        return i1
    if isinstance(value, int | np.integer):
        return i64
    if isinstance(value, float | np.floating):
        return f64
    if isinstance(value, str):
        return StringType()
    if isinstance(value, _dt.datetime | np.datetime64):
        return timestamp("us")
    if isinstance(value, _dt.date):
        return DateType()
    return None


_EPOCH_DATE = _dt.date(1970, 1, 1)
_UNIT_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def to_datetime64(value: object) -> np.datetime64:
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[ns]")
    if isinstance(value, str):
        return np.datetime64(value, "ns")
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return np.datetime64(value, "ns")
    if isinstance(value, _dt.date):
        return np.datetime64(value, "ns")
    raise TypeError(value)


def date_days(value: object) -> int:
    """Days since the epoch of a date-like literal."""
    return int(to_datetime64(value).astype("datetime64[D]").astype(np.int64))


def timestamp_ticks(value: object, unit: str) -> int:
    """Ticks of ``unit`` since the epoch of a datetime-like literal."""
    return int(to_datetime64(value).astype(f"datetime64[{unit}]").astype(np.int64))


def is_datelike_literal(value: object) -> bool:
    return isinstance(value, _dt.date | np.datetime64)


DTYPE_NAMES: dict[str, Attribute] = {
    "bool": i1,
    "boolean": i1,
    "int": i64,
    "int8": int_type(8),
    "int16": int_type(16),
    "int32": int_type(32),
    "int64": i64,
    "uint8": int_type(8, False),
    "uint16": int_type(16, False),
    "uint32": int_type(32, False),
    "uint64": int_type(64, False),
    "float": f64,
    "float32": f32,
    "float64": f64,
    "double": f64,
    "str": StringType(),
    "string": StringType(),
    "object": StringType(),
    "date32": DateType(),
    "date32[day]": DateType(),
}


def parse_dtype(dtype: object) -> Attribute | None:
    """The element type named by a numpy/pandas/pyarrow dtype or its name (None: unknown)."""
    if dtype is bool:
        return i1
    if dtype is int:
        return i64
    if dtype is float:
        return f64
    if dtype is str:
        return StringType()
    if isinstance(dtype, pa.DataType):
        return from_arrow(dtype)
    pa_dtype = getattr(dtype, "pyarrow_dtype", None)
    if isinstance(pa_dtype, pa.DataType):
        return from_arrow(pa_dtype)
    name = dtype if isinstance(dtype, str) else None
    if name is None:
        try:
            name = np.dtype(dtype).name  # type: ignore[arg-type]
        except TypeError:
            name = str(dtype)
    name = name.strip()
    lowered = name.lower()
    if lowered.endswith("[pyarrow]"):
        lowered = lowered[: -len("[pyarrow]")]
    if lowered in DTYPE_NAMES:
        return DTYPE_NAMES[lowered]
    if lowered.startswith("datetime64"):
        unit = lowered[len("datetime64[") : -1] if "[" in lowered else "ns"
        unit, _, tz = unit.partition(",")
        return timestamp(unit.strip() if unit.strip() in _UNIT_PER_SECOND else "ns", tz.strip() or None)
    if lowered.startswith("timestamp["):
        inner = lowered[len("timestamp[") : -1]
        unit, _, tz = inner.partition(",")
        tz = tz.replace("tz=", "").strip()
        return timestamp(unit.strip(), tz or None)
    return None
