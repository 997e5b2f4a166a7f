"""TPC-H Q1, Q3, Q5 and Q6 at scale factor 0.1: pandas and cylonc against DuckDB's SQL answer."""

import inspect

import pytest
from helpers import assert_results_match
from tpch import datagen, queries, sql

import cylonc as cc

SF = 0.1
SORTED = {"q1", "q3", "q5"}
NAMES = sorted(queries.QUERIES)


def _inputs(name, tables):
    return {p: tables[p] for p in inspect.signature(queries.QUERIES[name]).parameters}


@pytest.fixture(scope="module")
def arrow_tables(tpch_sf01):
    return datagen.load(SF, tpch_sf01)


@pytest.fixture(scope="module")
def pandas_tables(arrow_tables):
    return {name: datagen.to_pandas(t) for name, t in arrow_tables.items()}


@pytest.fixture(scope="module")
def duckdb_answer(tpch_sf01):
    paths = datagen.generate(SF, tpch_sf01)
    answers = {}

    def answer(name):
        if name not in answers:
            answers[name] = sql.run_duckdb(name, paths)
        return answers[name]

    return answer


@pytest.mark.parametrize("name", NAMES)
def test_pandas_matches_duckdb(name, pandas_tables, duckdb_answer):
    result = queries.QUERIES[name](**_inputs(name, pandas_tables))
    assert_results_match(result, duckdb_answer(name), ordered=name in SORTED)


@pytest.mark.parametrize("optimize", [True, False], ids=["optimized", "unoptimized"])
@pytest.mark.parametrize("name", NAMES)
def test_compiled_matches_duckdb(name, optimize, arrow_tables, duckdb_answer):
    pipeline = cc.compile(optimize=optimize)(queries.QUERIES[name])
    result = pipeline(**_inputs(name, arrow_tables))
    assert_results_match(result, duckdb_answer(name), ordered=name in SORTED)
