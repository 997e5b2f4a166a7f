"""Quick start: one cylonc pipeline on generated genomics-like data, checked against pandas.

Run ``python examples/quickstart.py``. It builds three tables with numpy (sequencing ``reads``,
the ``samples`` they came from, and the collection ``sites``), runs `site_summary` compiled by
cylonc on Arrow tables, prints the result, then runs the very same function undecorated on
pandas DataFrames and prints whether the two agree. ``cc.compile(site_summary)`` is what
``@cc.compile`` above the ``def`` would do; spelling it out keeps the plain function for pandas.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
import pyarrow as pa

import cylonc as cc

SITES = {
    "boston": "americas",
    "chicago": "americas",
    "london": "europe",
    "nairobi": "africa",
    "sydney": "oceania",
    "tokyo": "asia",
}
CHROMS = [f"chr{i}" for i in range(1, 23)] + ["chrX", "chrY", "chrM"]


def generate(n_reads: int = 200_000, n_samples: int = 400, seed: int = 7) -> dict[str, pa.Table]:
    """Generate the ``reads``, ``samples`` and ``sites`` tables.

    Parameters
    ----------
    n_reads, n_samples : int
        Table sizes. About 2% of reads name a sample that does not exist.
    seed : int
        Seed of the numpy generator; the same seed gives the same tables.

    Returns
    -------
    dict of str to pyarrow.Table
        ``reads(read_id, sample_id, chrom, position, length, quality, mapped)`` with about 5%
        null ``quality``; ``samples(sample_id, site, weight, collected)`` with ``collected`` a
        date32; ``sites(site, region)``.
    """
    rng = np.random.default_rng(seed)
    chrom_weights = np.linspace(2.0, 1.0, len(CHROMS))
    chrom_weights[-1] = 0.3
    chrom = rng.choice(np.array(CHROMS), n_reads, p=chrom_weights / chrom_weights.sum())
    quality = np.clip(rng.normal(32.0, 7.0, n_reads), 2.0, 42.0).round(1)
    reads = pa.table(
        {
            "read_id": np.arange(n_reads, dtype=np.int64),
            "sample_id": rng.integers(1, int(n_samples * 1.02) + 1, n_reads),
            "chrom": pa.array(chrom, pa.string()),
            "position": rng.integers(1, 250_000_000, n_reads),
            "length": rng.integers(35, 351, n_reads),
            "quality": pa.array(quality, mask=rng.random(n_reads) < 0.05),
            "mapped": rng.random(n_reads) < 0.93,
        }
    )
    start = np.datetime64("2022-01-01", "D")
    samples = pa.table(
        {
            "sample_id": np.arange(1, n_samples + 1, dtype=np.int64),
            "site": pa.array(rng.choice(np.array(list(SITES)), n_samples), pa.string()),
            "weight": rng.uniform(0.5, 2.0, n_samples).round(3),
            "collected": pa.array(start + rng.integers(0, 3 * 365, n_samples), pa.date32()),
        }
    )
    sites = pa.table({"site": list(SITES), "region": list(SITES.values())})
    return {"reads": reads, "samples": samples, "sites": sites}


def site_summary(reads, samples, sites):
    """Per region and site: good mapped reads of recent samples, mean quality, weighted bases."""
    good = reads[
        reads.mapped
        & (reads.quality >= 20)
        & reads.length.between(50, 300)
        & (reads.chrom != "chrM")
    ]
    recent = samples[samples.collected >= pd.Timestamp("2023-01-01")]
    hits = good.merge(recent, on="sample_id").merge(sites, on="site")
    hits = hits.assign(weighted_bases=hits.length * hits.weight)
    out = hits.groupby(["region", "site"], as_index=False).agg(
        reads=("read_id", "count"),
        samples=("sample_id", "nunique"),
        mean_quality=("quality", "mean"),
        weighted_bases=("weighted_bases", "sum"),
    )
    return out.sort_values(["region", "weighted_bases"], ascending=[True, False])


compiled_site_summary = cc.compile(site_summary)


def to_pandas(tables: dict[str, pa.Table]) -> dict[str, pd.DataFrame]:
    """Convert the generated tables to pandas, with dates as ``datetime64``."""
    return {name: t.to_pandas(date_as_object=False) for name, t in tables.items()}


def agree(result: pa.Table, expected: pd.DataFrame) -> bool:
    """Whether the cylonc result equals the pandas one, row by row, within float tolerance."""
    try:
        pd.testing.assert_frame_equal(
            result.to_pandas().reset_index(drop=True),
            expected.reset_index(drop=True),
            check_dtype=False,
            rtol=1e-6,
        )
    except AssertionError as err:
        print(err, file=sys.stderr)
        return False
    return True


def main() -> int:
    tables = generate()
    start = time.perf_counter()
    result = compiled_site_summary(**tables)
    elapsed = time.perf_counter() - start
    print(f"cylonc result ({result.num_rows} rows, {elapsed:.2f} s including compilation):")
    print(result.to_pandas().to_string(index=False))
    expected = site_summary(**to_pandas(tables))
    same = agree(result, expected)
    print(f"pandas agrees: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
