"""Loading pipeline sources: Arrow tables, pandas DataFrames, Parquet files/directories, CSV.

Every problem with a source raises `cylonc.errors.InputError` whose message starts with the
source's label (``input 'reads'``), names the path for files and the column where one is at
fault.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.dataset as ds

from cylonc.errors import InputError

from . import scan_filter
from .kernels import arrow as K
from .types import compute_type, from_arrow, schema_to_arrow, to_arrow

__all__ = ["check_schema", "csv_options", "load", "prepare", "schema_of", "source_format"]

_CSV_SUFFIXES = (".csv", ".tsv")
_COMPRESSED = (".gz", ".bz2", ".zst", ".lz4")


def _label(name: str | None, label: str | None) -> str:
    if label is not None:
        return label
    return f"input {name!r}" if name is not None else "source"


def source_format(path: str | os.PathLike) -> str:
    """Guess the format of a source path from its name.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    str
        ``"csv"`` for ``.csv``/``.tsv`` (optionally compressed, e.g. ``.csv.gz``), else
        ``"parquet"`` (files and directories).
    """
    name = Path(path).name.lower()
    for ext in _COMPRESSED:
        if name.endswith(ext):
            name = name[: -len(ext)]
    return "csv" if name.endswith(_CSV_SUFFIXES) else "parquet"


def csv_options(path: str | os.PathLike, column_types: Mapping[str, pa.DataType] | None = None,
                include_columns: Sequence[str] | None = None):
    """The pyarrow CSV options used for `path` (pandas-like null handling).

    Returns
    -------
    tuple
        ``(ReadOptions, ParseOptions, ConvertOptions)``.
    """
    name = Path(path).name.lower()
    delimiter = "\t" if ".tsv" in name else ","
    convert = pacsv.ConvertOptions(
        strings_can_be_null=True,
        column_types=dict(column_types or {}),
        include_columns=list(include_columns) if include_columns is not None else None,
    )
    return pacsv.ReadOptions(), pacsv.ParseOptions(delimiter=delimiter), convert


def prepare(source: Any, *, name: str | None = None, label: str | None = None):
    """Normalise a source to a `pyarrow.Table` or a `pathlib.Path`.

    Parameters
    ----------
    source : pyarrow.Table, pyarrow.RecordBatch, pandas.DataFrame, str or os.PathLike
    name, label : str, optional
        The input's name, or a full label, for error messages.

    Returns
    -------
    pyarrow.Table or pathlib.Path

    Raises
    ------
    InputError
        If `source` is of an unsupported kind or a DataFrame cannot be converted.
    """
    label = _label(name, label)
    if isinstance(source, pa.Table):
        return source
    if isinstance(source, pa.RecordBatch):
        return pa.Table.from_batches([source])
    if isinstance(source, (str, os.PathLike)):
        return Path(source)
    if _is_dataframe(source):
        _check_dataframe(source, label)
        try:
            return pa.Table.from_pandas(source, preserve_index=False)
        except (pa.ArrowException, ValueError, TypeError) as e:
            raise InputError(f"{label}: cannot convert the DataFrame to Arrow: {e}") from e
    raise InputError(
        f"{label}: expected a pyarrow.Table, a pandas.DataFrame or a path, "
        f"got {type(source).__name__}"
    )


def _is_dataframe(source: Any) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(source, pd.DataFrame)


def _check_dataframe(df, label: str) -> None:
    if not all(isinstance(c, str) for c in df.columns):
        raise InputError(f"{label}: DataFrame column names must be strings")
    if df.columns.has_duplicates:
        dup = df.columns[df.columns.duplicated()][0]
        raise InputError(f"{label}: duplicate column {dup!r}")


def _check_path(path: Path, label: str) -> None:
    if not path.exists():
        raise InputError(f"{label}: file not found: '{path}'")
    if not os.access(path, os.R_OK):
        raise InputError(f"{label}: cannot read '{path}': permission denied")
    if path.is_file() and path.stat().st_size == 0:
        raise InputError(f"{label}: file is empty: '{path}'")


def _parquet_dataset(path: Path, label: str) -> ds.Dataset:
    _check_path(path, label)
    try:
        dataset = ds.dataset(str(path), format="parquet")
    except (pa.ArrowException, OSError, ValueError) as e:
        raise InputError(f"{label}: cannot read Parquet '{path}': {e}") from e
    if path.is_dir() and not dataset.files:
        raise InputError(f"{label}: no Parquet files in directory '{path}'")
    return dataset


def _csv_schema(path: Path, label: str) -> pa.Schema:
    _check_path(path, label)
    if path.is_dir():
        raise InputError(f"{label}: cannot read CSV '{path}': it is a directory")
    read, parse, convert = csv_options(path)
    try:
        with pacsv.open_csv(str(path), read_options=read, parse_options=parse,
                            convert_options=convert) as reader:
            schema = reader.schema
    except (pa.ArrowException, OSError, ValueError, UnicodeDecodeError) as e:
        raise InputError(f"{label}: cannot read CSV '{path}': {e}") from e
    if len(schema) == 0:
        raise InputError(f"{label}: file is empty: '{path}'")
    return schema


def schema_of(source: Any, *, name: str | None = None, label: str | None = None,
              format: str | None = None, csv_null_as: pa.DataType | None = pa.float64()
              ) -> pa.Schema:
    """The Arrow schema of a source, reading as little as possible.

    Parquet: the footer only (the first file's for a directory). CSV: the first block only
    (pyarrow's type inference on it). DataFrame: the Arrow types of its columns.

    Parameters
    ----------
    source : pyarrow.Table, pandas.DataFrame, str or os.PathLike
    name, label : str, optional
        The input's name, or a full label, for error messages.
    format : {"parquet", "csv"}, optional
        Overrides the format guessed from the path.
    csv_null_as : pyarrow.DataType or None
        The type reported for a CSV column that is empty in the first block (pyarrow infers
        ``null``); default ``float64`` like pandas. ``None`` keeps ``null``.

    Returns
    -------
    pyarrow.Schema

    Raises
    ------
    InputError
        Missing, unreadable, empty or corrupt file, or an unsupported source.
    """
    label = _label(name, label)
    if _is_dataframe(source):
        _check_dataframe(source, label)
        try:
            return pa.Schema.from_pandas(source, preserve_index=False)
        except (pa.ArrowException, ValueError, TypeError) as e:
            raise InputError(f"{label}: cannot convert the DataFrame to Arrow: {e}") from e
    src = prepare(source, label=label)
    if isinstance(src, pa.Table):
        return src.schema
    if (format or source_format(src)) == "csv":
        schema = _csv_schema(src, label)
        if csv_null_as is not None:
            for i, f in enumerate(schema):
                if pa.types.is_null(f.type):
                    schema = schema.set(i, f.with_type(csv_null_as))
        return schema
    return _parquet_dataset(src, label).schema


def _where(label: str, path: Path | None) -> str:
    return f"{label} ('{path}')" if path is not None else label


def check_schema(actual: pa.Schema, source_schema: Sequence[Mapping], *, name: str | None = None,
                 label: str | None = None, path: str | os.PathLike | None = None) -> None:
    """Check a source's schema against the compiled ``source_schema``.

    Column order is free. Types match when they compute as the same plan type (so a
    ``large_string`` column matches ``string``, ``decimal128(12, 2)`` matches
    ``decimal128(15, 2)``); a column of Arrow type ``null`` matches any type.

    Parameters
    ----------
    actual : pyarrow.Schema
    source_schema : list of dict
        The plan's ``source_schema`` fields.
    name, label : str, optional
        The input's name, or a full label, for error messages.
    path : path-like, optional
        Named in the messages.

    Raises
    ------
    InputError
        For a missing, extra, duplicated or differently typed column.
    """
    where = _where(_label(name, label), Path(path) if path is not None else None)
    names = actual.names
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"{where}: duplicate column {dup[0]!r}")
    expected = {f["name"]: f["type"] for f in source_schema}
    for n in expected:
        if n not in names:
            raise InputError(f"{where}: column {n!r} is missing")
    for n in names:
        if n not in expected:
            raise InputError(f"{where}: unexpected column {n!r} (not in the compiled schema)")
    for f in actual:
        want = to_arrow(expected[f.name])
        if pa.types.is_null(f.type) or f.type == want:
            continue
        try:
            from_arrow(f.type)
            same = compute_type(f.type) == compute_type(want)
        except ValueError:
            same = False
        if not same:
            raise InputError(
                f"{where}: column {f.name!r} is {_type_name(f.type)}, compiled for "
                f"{expected[f.name]}"
            )


def plan_sources(plan: Mapping, sources: Mapping[str, Any]) -> dict[str, Any]:
    """Each plan input's source (a table, or a path), checked against its ``source_schema``.

    Raises
    ------
    InputError
        `sources` is not a mapping, an input is missing, or a source does not fit.
    """
    if not isinstance(sources, Mapping):
        raise InputError(f"sources must map input names to tables or paths, got {type(sources).__name__}")
    out = {}
    for spec in plan["inputs"]:
        name = spec["name"]
        if name not in sources:
            raise InputError(f"input {name!r} was not given")
        src = prepare(sources[name], name=name)
        check_schema(schema_of(src, name=name, csv_null_as=None), spec["source_schema"], name=name,
                     path=src if not isinstance(src, pa.Table) else None)
        out[name] = src
    return out


def _type_name(t: pa.DataType) -> str:
    try:
        return from_arrow(t)
    except ValueError:
        return str(t)


def _nan_to_null(col: pa.ChunkedArray | pa.Array):
    if not pa.types.is_floating(col.type) or len(col) == 0:
        return col
    nan = pc.is_nan(col)
    if not pc.any(nan).as_py():
        return col
    return pc.if_else(nan, pa.scalar(None, col.type), col)


def nan_to_null(table: pa.Table, columns: Sequence[str]) -> pa.Table:
    """`table` with NaN turned into null in `columns` (those a scan kept NaN in)."""
    for name in columns:
        i = table.schema.get_field_index(name)
        if i >= 0:
            table = table.set_column(i, table.schema.field(i), _nan_to_null(table.column(i)))
    return table


def _convert(table: pa.Table, schema: Sequence[Mapping], where: str,
             keep_nan: Sequence[str] = ()) -> pa.Table:
    target = schema_to_arrow(schema)
    cols = []
    for f in target:
        if f.name not in table.column_names:
            raise InputError(f"{where}: column {f.name!r} is missing")
        col = table[f.name]
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        if col.type != f.type:
            try:
                col = col.cast(f.type)
            except (pa.ArrowException, ValueError) as e:
                raise InputError(
                    f"{where}: column {f.name!r} of type {_type_name(col.type)} cannot be "
                    f"converted to {_type_name(f.type)}: {e}"
                ) from e
        cols.append(col if f.name in keep_nan else _nan_to_null(col))
    return pa.Table.from_arrays(cols, schema=target)


def load(source: Any, source_schema: Sequence[Mapping], schema: Sequence[Mapping], *,
         name: str | None = None, label: str | None = None,
         columns: Sequence[str] | None = None, format: str | None = None,
         check: bool = True, filter: Mapping | None = None,
         keep_nan: Sequence[str] = ()) -> pa.Table:
    """Load a source, check it against ``source_schema`` and convert it to ``schema``.

    Parameters
    ----------
    source : pyarrow.Table, pandas.DataFrame, str or os.PathLike
        A table, or a path to a Parquet file, a directory of Parquet files, or a CSV file.
    source_schema : list of dict
        The compiled schema of the whole source.
    schema : list of dict
        The schema of the result: its columns, in order, with plan types.
    name, label : str, optional
        The input's name, or a full label, for error messages.
    columns : list of str, optional
        The columns to read (default: those of `schema`). Files are read with column
        selection.
    format : {"parquet", "csv"}, optional
        Overrides the format guessed from the path.
    check : bool
        Check the source against `source_schema` (skip when already done).
    filter : dict, optional
        A plan EXPR over the source's columns: keep only the rows where it is true (a scan
        node's ``filter``). Parquet is read through ``pyarrow.dataset`` with the conjuncts that
        are exact on the file's data (row groups are skipped by their statistics); the others,
        and the whole filter for tables and CSV, apply after conversion.
    keep_nan : list of str
        Float columns whose NaN stay NaN (a native kernel that reads NaN as null takes them;
        see the scan node's ``keep_nan``).

    Returns
    -------
    pyarrow.Table
        Columns exactly `schema`: decimals as float64, large/view strings as string,
        dictionaries decoded, float NaN as null.

    Raises
    ------
    InputError
        Missing, unreadable, empty, corrupt or ragged file, or a schema mismatch.
    """
    label = _label(name, label)
    src = prepare(source, label=label)
    wanted = list(columns) if columns is not None else [f["name"] for f in schema]
    post = scan_filter.conjuncts(filter)
    pushed = None

    def read_columns() -> list[str]:
        return wanted + [c for c in scan_filter.columns(scan_filter.and_all(post)) if c not in wanted]

    if isinstance(src, pa.Table):
        if check:
            check_schema(src.schema, source_schema, label=label)
        return _filter_after(_convert(src.select(read_columns()), _with_filter_columns(schema, post), label, keep_nan),
                             post, wanted)
    where = _where(label, src)
    fmt = format or source_format(src)
    if fmt == "csv":
        if check:
            check_schema(_csv_schema(src, label), source_schema, label=label, path=src)
        else:
            _check_path(src, label)
        types = {f["name"]: to_arrow(f["type"]) for f in source_schema}
        read, parse, convert = csv_options(src, types, read_columns())
        try:
            table = pacsv.read_csv(str(src), read_options=read, parse_options=parse,
                                   convert_options=convert)
        except (pa.ArrowException, OSError, ValueError, UnicodeDecodeError) as e:
            raise InputError(f"{where}: cannot read CSV: {e}") from e
    elif fmt == "parquet":
        dataset = _parquet_dataset(src, label)
        if check:
            check_schema(dataset.schema, source_schema, label=label, path=src)
        if filter is not None:
            pushed, post = scan_filter.split(filter, {f.name: f.type for f in dataset.schema})
        try:
            table = dataset.to_table(columns=read_columns(), filter=pushed)
        except (pa.ArrowException, OSError, ValueError) as e:
            raise InputError(f"{where}: cannot read Parquet: {e}") from e
    else:
        raise InputError(f"{where}: unknown format {fmt!r} (expected 'parquet' or 'csv')")
    return _filter_after(_convert(table, _with_filter_columns(schema, post), where, keep_nan), post, wanted)


def _with_filter_columns(schema: Sequence[Mapping], post: Sequence[Mapping]) -> list[Mapping]:
    names = {f["name"] for f in schema}
    extra = scan_filter.columns(scan_filter.and_all(post))
    return list(schema) + [{"name": n, "type": t, "nullable": True} for n, t in extra.items() if n not in names]


def _filter_after(table: pa.Table, post: Sequence[Mapping], wanted: Sequence[str]) -> pa.Table:
    if not post:
        return table
    mask = K.evaluate(scan_filter.and_all(post), table)  # type: ignore[arg-type]
    return K.filter_rows(table, mask).select(list(wanted))
