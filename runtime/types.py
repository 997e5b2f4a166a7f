"""Plan type strings <-> ``pyarrow.DataType``.

Plan type strings: ``"bool"``, ``"int8"`` ... ``"uint64"``, ``"float32"``, ``"float64"``,
``"string"``, ``"date32"``, ``"timestamp[us]"``, ``"timestamp[us, tz=UTC]"``, and in source
schemas only ``"decimal128(12, 2)"``, ``"large_string"``, ``"string_view"``,
``"dictionary<values=string, indices=int32, ordered=0>"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

import pyarrow as pa

__all__ = [
    "compute_type",
    "from_arrow",
    "is_float",
    "is_integer",
    "schema_from_arrow",
    "schema_to_arrow",
    "to_arrow",
]

_SIMPLE: dict[str, pa.DataType] = {
    "bool": pa.bool_(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "uint8": pa.uint8(),
    "uint16": pa.uint16(),
    "uint32": pa.uint32(),
    "uint64": pa.uint64(),
    "float32": pa.float32(),
    "float64": pa.float64(),
    "string": pa.string(),
    "date32": pa.date32(),
}
_SOURCE_ONLY: dict[str, pa.DataType] = {
    "large_string": pa.large_string(),
    "string_view": pa.string_view(),
}
_NAMES: dict[pa.DataType, str] = {t: n for n, t in {**_SIMPLE, **_SOURCE_ONLY}.items()}
_TIMESTAMP = re.compile(r"^timestamp\[(s|ms|us|ns)(?:,\s*tz=(.+))?\]$")
_DECIMAL = re.compile(r"^decimal128\(\s*(\d+)\s*,\s*(-?\d+)\s*\)$")
_DICTIONARY = re.compile(r"^dictionary<values=(.+?)(?:,\s*indices=(\w+))?(?:,\s*ordered=([01]))?>$")


@lru_cache(maxsize=1024)
def to_arrow(s: str) -> pa.DataType:
    """Convert a plan type string to a pyarrow type.

    Parameters
    ----------
    s : str
        A plan type string (see PLAN.md), including the source-only types.

    Returns
    -------
    pyarrow.DataType

    Raises
    ------
    ValueError
        If `s` is not a plan type.
    """
    if not isinstance(s, str):
        raise ValueError(f"not a plan type: {s!r}")
    s = s.strip()
    t = _SIMPLE.get(s) or _SOURCE_ONLY.get(s)
    if t is not None:
        return t
    m = _TIMESTAMP.match(s)
    if m:
        return pa.timestamp(m.group(1), tz=m.group(2).strip() if m.group(2) else None)
    m = _DECIMAL.match(s)
    if m:
        return pa.decimal128(int(m.group(1)), int(m.group(2)))
    m = _DICTIONARY.match(s)
    if m:
        values = to_arrow(m.group(1))
        indices = _SIMPLE.get(m.group(2) or "int32")
        if indices is None or not pa.types.is_integer(indices):
            raise ValueError(f"not a plan type: {s!r}")
        return pa.dictionary(indices, values, ordered=m.group(3) == "1")
    raise ValueError(f"not a plan type: {s!r}")


def from_arrow(t: pa.DataType) -> str:
    """Convert a pyarrow type to its plan type string.

    Parameters
    ----------
    t : pyarrow.DataType

    Returns
    -------
    str
        The plan name (``"float64"``, ``"date32"``, ``"timestamp[us, tz=UTC]"``, ...).

    Raises
    ------
    ValueError
        If `t` has no plan type (lists, structs, binary, float16, decimal256, null, ...).
    """
    name = _NAMES.get(t)
    if name is not None:
        return name
    if pa.types.is_timestamp(t) or isinstance(t, pa.Decimal128Type):
        return str(t)
    if pa.types.is_dictionary(t):
        ordered = int(bool(t.ordered))
        return f"dictionary<values={from_arrow(t.value_type)}, indices={t.index_type}, " \
               f"ordered={ordered}>"
    raise ValueError(f"unsupported type {t}")


def compute_type(t: pa.DataType) -> pa.DataType:
    """The type a source column of type `t` is computed as (decimal -> float64, etc.).

    Parameters
    ----------
    t : pyarrow.DataType

    Returns
    -------
    pyarrow.DataType
    """
    if pa.types.is_dictionary(t):
        return compute_type(t.value_type)
    if pa.types.is_decimal(t):
        return pa.float64()
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return pa.string()
    return t


def schema_to_arrow(fields: Iterable[Mapping]) -> pa.Schema:
    """Convert a plan schema (list of ``{"name", "type", "nullable"}``) to a pyarrow schema.

    Parameters
    ----------
    fields : iterable of dict

    Returns
    -------
    pyarrow.Schema
    """
    return pa.schema(
        [pa.field(f["name"], to_arrow(f["type"]), f.get("nullable", True)) for f in fields]
    )


def schema_from_arrow(pa_schema: pa.Schema) -> list[dict]:
    """Convert a pyarrow schema to a plan schema.

    Parameters
    ----------
    pa_schema : pyarrow.Schema

    Returns
    -------
    list of dict
        ``[{"name": ..., "type": ..., "nullable": ...}, ...]``.

    Raises
    ------
    ValueError
        If a field has no plan type; the message names the column.
    """
    out = []
    for f in pa_schema:
        try:
            type_str = from_arrow(f.type)
        except ValueError as e:
            raise ValueError(f"column {f.name!r}: {e}") from None
        out.append({"name": f.name, "type": type_str, "nullable": f.nullable})
    return out


def is_float(t: pa.DataType) -> bool:
    """Whether `t` is a floating-point type."""
    return pa.types.is_floating(t)


def is_integer(t: pa.DataType) -> bool:
    """Whether `t` is a (signed or unsigned) integer type."""
    return pa.types.is_integer(t)
