"""Describing pipeline inputs at trace time: schema (from memory, a Parquet footer or a CSV's
first block), the dialect table type, and a cache key."""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from cylonc.compiler import types as T
from cylonc.compiler.frontend.tracer import InputSpec
from cylonc.dialects.cylon import TableType
from cylonc.errors import InputError
from cylonc.runtime import io as rio
from cylonc.runtime.types import from_arrow as source_type_of


@dataclass
class SourceInfo:
    """A described input: its spec for the tracer, the data to run on, its cache key, and its
    row count estimate (None: unknown; see :func:`row_estimate`), which ``cylon-place`` records
    as ``cylon.rows`` on the ``cylon.input``."""

    spec: InputSpec
    data: pa.Table | Path
    key: tuple
    rows: int | None = None


def row_estimate(source: Any, fmt: str | None = None) -> int | None:
    """The row count of a source if it is cheap to know, else None (no data is read).

    A table's or DataFrame's length; for a Parquet file or directory, the footers'
    ``num_rows`` -- a schema-only file may declare the size it stands for with the key-value
    metadata ``cylonc.rows`` (for estimates at scales that are not generated); None for CSV
    files and unreadable paths.
    """
    if isinstance(source, pa.Table | pa.RecordBatch):
        return source.num_rows
    if hasattr(source, "shape") and hasattr(source, "columns"):
        return int(source.shape[0])
    if not isinstance(source, str | os.PathLike):
        return None
    path = Path(source)
    name = path.name.lower()
    if fmt == "csv" or ".csv" in name or ".tsv" in name:
        return None
    try:
        import pyarrow.parquet as pq

        if path.is_dir():
            import pyarrow.dataset as ds

            files = ds.dataset(str(path), format="parquet").files
        else:
            files = [str(path)]
        total = 0
        for f in files:
            meta = pq.ParquetFile(f).metadata
            declared = (meta.metadata or {}).get(b"cylonc.rows")
            total += int(declared) if declared is not None else meta.num_rows
        return total
    except Exception:  # noqa: BLE001 - an estimate only
        return None


def _may_be_null(col: pa.ChunkedArray) -> bool:
    """Whether a column may hold nulls: its null count (Arrow metadata, no scan), and always for
    floats, whose NaN the runtime reads as null (scanning for NaN on every call would cost more
    than the nullable code path saves)."""
    return bool(col.null_count) or pa.types.is_floating(col.type) or pa.types.is_decimal(col.type)


_DESCRIBED: dict[int, tuple[weakref.ref, str, SourceInfo]] = {}
"""Descriptions of recently seen in-memory tables (immutable): id -> (the table, weakly; the
input name; the description without its data)."""
_DESCRIBED_MAX = 64


def describe_source(source: Any, name: str, fmt: str | None = None, loc=None) -> SourceInfo:
    """Describe one input (a table, a DataFrame, or a path) without reading file data."""
    if isinstance(source, pa.Table):
        hit = _DESCRIBED.get(id(source))
        if hit is not None and hit[0]() is source and hit[1] == name:
            return replace(hit[2], data=source)
    info = _describe(source, name, fmt, loc)
    if isinstance(source, pa.Table) and info.data is source:
        if len(_DESCRIBED) >= _DESCRIBED_MAX:
            _DESCRIBED.pop(next(iter(_DESCRIBED)), None)
        _DESCRIBED[id(source)] = (weakref.ref(source), name, replace(info, data=None))
    return info


def _describe(source: Any, name: str, fmt: str | None, loc) -> SourceInfo:
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
    spec = InputSpec(name, table, source_types, memory=kind == "table")
    return SourceInfo(spec, data, key, row_estimate(data, fmt))
