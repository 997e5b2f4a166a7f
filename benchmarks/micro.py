"""Micro benchmarks: data, the pandas-style pipelines (run by pandas and by ``cc.compile``) and
their DuckDB SQL.

Data (``make(n, seed)``), all columns non-null:

- ``join``: tables ``left(k int64, a float64)`` and ``right(k int64, b float64)``, ``n`` rows
  each, keys drawn uniformly from ``[0, n)`` so a key matches about one row on the other side
  (the inner join has about ``n`` rows);
- ``groupby``: ``t(k int64, v float64)``, ``n`` rows in exactly ``max(n // 10, 1)`` groups, keys
  in random order;
- ``sort``: ``t(k int64, v float64)``, ``n`` rows with distinct keys spread over the whole
  int64 range in random order (so the sorted order is unique).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def make(n: int, seed: int = 42) -> dict[str, dict[str, pa.Table]]:
    """The micro benchmarks' input tables, by benchmark, then by parameter name."""
    rng = np.random.default_rng(seed)
    left = pa.table({"k": rng.integers(0, n, n, dtype=np.int64), "a": rng.random(n)})
    right = pa.table({"k": rng.integers(0, n, n, dtype=np.int64), "b": rng.random(n)})
    groups = max(n // 10, 1)
    gkeys = rng.permutation(np.arange(n, dtype=np.int64) % groups)
    grouped = pa.table({"k": gkeys, "v": rng.random(n)})
    # An odd multiplier is a bijection mod 2**64: distinct keys, scattered over int64.
    skeys = (rng.permutation(n).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)).view(np.int64)
    return {
        "join": {"left": left, "right": right},
        "groupby": {"t": grouped},
        "sort": {"t": pa.table({"k": skeys, "v": rng.random(n)})},
    }


def join(left, right):
    """Inner join on ``k``: columns ``k, a, b``."""
    return left.merge(right, on="k", how="inner")


def groupby(t):
    """Sum of ``v`` per ``k``: columns ``k, s``."""
    return t.groupby("k", as_index=False).agg(s=("v", "sum"))


def sort(t):
    """All rows sorted by ``k``."""
    return t.sort_values("k")


MICRO = {"join": join, "groupby": groupby, "sort": sort}

SQL = {
    "join": "select l.k, l.a, r.b from left_ l join right_ r on l.k = r.k",
    "groupby": "select k, sum(v) as s from t group by k",
    "sort": "select k, v from t order by k",
}
"""DuckDB SQL; the tables are registered as ``left_``, ``right_`` and ``t``."""

SQL_TABLES = {"left": "left_", "right": "right_", "t": "t"}

ORDERED = {"sort"}
"""Micro benchmarks whose row order is part of the answer."""
