"""Generate TPC-H data as Parquet with ``tpchgen-cli`` and load it for cylonc and pandas.

Examples
--------
>>> from tpch import datagen
>>> paths = datagen.generate(0.1, ".cylonc-cache/tpch/sf0.1")   # doctest: +SKIP
>>> tables = datagen.load(0.1, ".cylonc-cache/tpch/sf0.1")      # doctest: +SKIP
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

TABLES = ("region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem")
_MARKER = ".tpchgen-sf"


def _tpchgen() -> str:
    exe = shutil.which("tpchgen-cli", path=os.path.dirname(sys.executable)) or shutil.which(
        "tpchgen-cli"
    )
    if exe is None:
        raise RuntimeError(
            "tpchgen-cli not found next to this Python or on PATH; install it with "
            "`pip install tpchgen-cli` (it is in cylonc's [dev] extra)"
        )
    return exe


def generate(sf: float, out_dir: str | os.PathLike) -> dict[str, Path]:
    """Write all eight TPC-H tables at scale factor `sf` as ``<out_dir>/<table>.parquet``.

    Nothing is generated when `out_dir` already holds a complete set for the same `sf`. Files
    are written to a temporary folder first and moved in at the end, so an interrupted run
    never leaves a set that looks complete.

    Parameters
    ----------
    sf : float
        TPC-H scale factor (1 is about 1 GB of raw data; 0.1 takes a few seconds).
    out_dir : str or path-like
        Destination folder, created if missing.

    Returns
    -------
    dict of str to Path
        Table name to Parquet file.
    """
    out = Path(out_dir)
    paths = {name: out / f"{name}.parquet" for name in TABLES}
    marker = out / _MARKER
    if marker.is_file() and marker.read_text().strip() == repr(float(sf)):
        if all(p.is_file() for p in paths.values()):
            return paths
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".tmp-") as tmp:
        cmd = [_tpchgen(), "parquet", "-s", str(sf), "-o", tmp, "--quiet"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
        for name, path in paths.items():
            os.replace(Path(tmp) / f"{name}.parquet", path)
    marker.write_text(repr(float(sf)))
    return paths


def normalize(table: pa.Table) -> pa.Table:
    """Cast decimals to float64 and string views to strings; dates stay date32."""
    fields = []
    for field in table.schema:
        if pa.types.is_decimal(field.type):
            field = field.with_type(pa.float64())
        elif pa.types.is_string_view(field.type) or pa.types.is_large_string(field.type):
            field = field.with_type(pa.string())
        fields.append(field.remove_metadata())
    return table.cast(pa.schema(fields))


def to_pandas(table: pa.Table):
    """Convert an Arrow table to pandas, dates as ``datetime64`` (comparable with Timestamps)."""
    return table.to_pandas(date_as_object=False)


def load(
    sf: float,
    dir: str | os.PathLike,
    as_pandas: bool = False,
    tables: list[str] | tuple[str, ...] | None = None,
) -> dict:
    """Load TPC-H tables, generating them first if `dir` lacks them.

    Parameters
    ----------
    sf : float
        Scale factor.
    dir : str or path-like
        Folder holding (or to receive) the Parquet files.
    as_pandas : bool
        Return pandas DataFrames (dates as ``datetime64``) instead of Arrow tables.
    tables : sequence of str, optional
        Table names to load; all eight by default.

    Returns
    -------
    dict of str to pyarrow.Table or pandas.DataFrame
        Decimals as float64, dates as date32 (Arrow) or datetime64 (pandas).
    """
    paths = generate(sf, dir)
    out = {}
    for name in tables or TABLES:
        table = normalize(pq.read_table(paths[name]))
        out[name] = to_pandas(table) if as_pandas else table
    return out
