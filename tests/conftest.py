"""Shared pytest fixtures and paths."""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cylonc-cache"
sys.path.insert(0, str(REPO / "examples"))


@pytest.fixture(scope="session")
def tpch_sf01() -> Path:
    """Folder of the TPC-H Parquet tables at scale factor 0.1 (generated once, ~2 s; cached)."""
    from tpch import datagen

    folder = CACHE / "tpch" / "sf0.1"
    datagen.generate(0.1, folder)
    return folder
