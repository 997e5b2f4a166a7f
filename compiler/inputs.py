"""Describing pipeline inputs at trace time: schema (from memory, a Parquet footer or a CSV's
first block), the dialect table type, and a cache key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cylonc.compiler import types as T
from cylonc.compiler.frontend.tracer import InputSpec
from cylonc.dialects.cylon import TableType
from cylonc.errors import InputError
from cylonc.runtime import io as rio
from cylonc.runtime.types import from_arrow as source_type_of


@dataclass
class SourceInfo:
    """A described input: its spec for the tracer, the data to run on, and its cache key."""

    spec: InputSpec
    data: pa.Table | Path
    key: tuple


def _may_be_null(col: pa.ChunkedArray) -> bool:
    if col.null_count:
        return True
    if pa.types.is_floating(col.type):
        return bool(pc.any(pc.is_nan(col)).as_py() or False)
    return False


def describe_source(source: Any, name: str, fmt: str | None = None, loc=None) -> SourceInfo:
    """Describe one input (a table, a DataFrame, or a path) without reading file data."""
    label = f"input '{name}'"
    try:
        data = rio.prepare(source, label=label)
        schema = data.schema if isinstance(data, pa.Table) else rio.schema_of(data, label=label, format=fmt)
    except InputError as exc:
        raise InputError(str(exc), loc) from None
    fields = []
    source_types = []
    for f in schema:
        elem = T.from_arrow(f.type)
        try:
            st = source_type_of(f.type)
        except ValueError:
            st = None
        if elem is None or st is None:
            raise InputError(f"{label}: column '{f.name}' has type {f.type}, which cylonc does not support", loc)
        if isinstance(data, pa.Table):
            nullable = _may_be_null(data.column(f.name))
        else:
            nullable = f.nullable
        fields.append((f.name, elem, nullable))
        source_types.append(st)
    names = [f[0] for f in fields]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"{label}: duplicate column names {dup}", loc)
    kind = "table" if isinstance(data, pa.Table) else (fmt or rio.source_format(data))
    table = TableType.from_fields(fields)
    key = (name, kind, tuple((n, st, nl) for (n, _, nl), st in zip(fields, source_types)))
    return SourceInfo(InputSpec(name, table, source_types), data, key)
