"""``executor="mpi"``: partitioned pipelines on 2 and 3 ranks give the one-rank answer.

A representative subset of the differential suite (joins of every kind, shuffled and
broadcast; group-bys of every aggregate; sort + head; drop_duplicates; concat; scalars;
TPC-H Q1/Q3/Q5/Q6 at SF 0.1), the table collectives with empty partitions and skew, inputs
split by Parquet row group, per-rank Parquet output, SPMD runs under ``mpiexec`` (also on a
sub-communicator), and failures: a rank that raises or dies fails the run on the caller with
that rank's error, quickly. The whole differential suite runs this way with
``CYLONC_TEST_EXECUTOR=mpi:2`` (or ``mpi:3``).
"""

import inspect
import os
import subprocess
import sys
import textwrap
import time

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).parent / "differential"))

from difftables import CUST_ON, CUSTOMERS, DUPS, ORDERS, T  # noqa: E402
from helpers import assert_results_match, assert_same  # noqa: E402

import cylonc as cc  # noqa: E402
from cylonc.errors import ExecutionError  # noqa: E402

pytestmark = pytest.mark.mpi

RANKS = [2, 3]
MPIEXEC = os.path.join(os.path.dirname(sys.executable), "mpiexec")
needs_mpiexec = pytest.mark.skipif(not os.path.exists(MPIEXEC), reason="no mpiexec next to the Python interpreter")


def run_both(fn, *tables, ranks, ordered=False, reference=None, **kw):
    """pandas (or `reference`) vs cylonc on `ranks` MPI ranks vs cylonc on one rank."""
    frames = [t.to_pandas() for t in tables]
    expected = (reference or fn)(*frames)
    got = cc.compile(ranks=ranks, executor="mpi", **kw)(fn)(*tables)
    one = cc.compile(**kw)(fn)(*tables)
    assert_same(got, expected, ordered=ordered, label=f"ranks={ranks}")
    assert_same(got, _as_pandas(one), ordered=ordered, label=f"ranks={ranks} vs ranks=1")
    return got


def _as_pandas(result):
    if isinstance(result, pa.Table):
        return result.to_pandas()
    if isinstance(result, dict):
        return {k: _as_pandas(v) for k, v in result.items()}
    if isinstance(result, tuple):
        return tuple(_as_pandas(v) for v in result)
    return result


# --- joins -------------------------------------------------------------------------------------

HOWS = ["inner", "left", "right", "outer", "left_anti", "right_anti"]


def _merge(how):
    def q(orders, customers):
        return orders.merge(customers, on="o_custkey", how=how)

    q.__name__ = f"merge_{how}"
    return q


@needs_mpiexec
@pytest.mark.parametrize("broadcast", [True, False], ids=["broadcast", "shuffle"])
@pytest.mark.parametrize("ranks", RANKS)
def test_joins(ranks, broadcast, monkeypatch):
    """Every join kind, with null and duplicate keys, as a broadcast join and as a shuffle."""
    monkeypatch.setenv("CYLONC_BROADCAST_ROWS", "1000000" if broadcast else "0")
    for how in HOWS:
        run_both(_merge(how), ORDERS, CUST_ON, ranks=ranks)

    def semi(o, c):
        return o.merge(c, left_on="o_custkey", right_on="c_custkey", how="semi")

    def semi_ref(o, c):
        return o[o.o_custkey.isin(c.c_custkey)]

    run_both(semi, ORDERS, CUSTOMERS, ranks=ranks, reference=semi_ref)


def join_then_groupby(orders, customers):
    j = orders.merge(customers, on="o_custkey")
    return j.groupby("o_custkey", as_index=False).agg(n=("o_orderkey", "size"), t=("o_total", "sum"),
                                                      f=("c_name", "first"))


def join_then_first(orders, customers):
    j = orders.merge(customers, on="o_custkey", how="left")
    return j.groupby("o_status_x", as_index=False).agg(f=("c_name", "first"), la=("o_orderkey", "last"))


@needs_mpiexec
@pytest.mark.parametrize("ranks", RANKS)
def test_join_then_groupby(ranks, monkeypatch):
    monkeypatch.setenv("CYLONC_BROADCAST_ROWS", "0")
    run_both(join_then_groupby, ORDERS, CUST_ON, ranks=ranks)
    run_both(join_then_first, ORDERS, CUST_ON, ranks=ranks)


# --- group-by, sort, head, distinct, concat, scalars ------------------------------------------------

AGGS = ["sum", "mean", "min", "max", "count", "size", "nunique", "std", "var", "first", "last"]


def every_agg(t):
    return t.groupby(["k", "b"], as_index=False).agg(**{fn: ("x" if fn != "nunique" else "s", fn) for fn in AGGS})


def dates_and_strings(t):
    return t.groupby("g", as_index=False).agg(d1=("d", "min"), d2=("d", "max"), s1=("s", "first"),
                                              s2=("s", "last"), n=("s", "nunique"))


def sort_head(t):
    return t.sort_values(["k", "x2"], ascending=[True, False]).head(4)[["k", "x2", "name"]]


def head_no_sort(t):
    return t[t.i > -5].head(3)


def grouped_then_top(t):
    g = t.groupby("k", as_index=False).agg(total=("x2", "sum"))
    return g.sort_values("total").head(2)


def full_sort(t):
    return t.sort_values(["y"], ascending=[False])


def dedup(t):
    return t.drop_duplicates(subset=["a"])


def dedup_all(t):
    return t.drop_duplicates()


def concat_ref(a, b):
    return pd.concat([a, b], ignore_index=True)


def concat_groupby(a, b):
    u = cc.concat([a, b])
    return u.groupby("k", as_index=False).agg(n=("i", "size"), s=("x", "sum"))


def concat_groupby_ref(a, b):
    u = pd.concat([a, b], ignore_index=True)
    return u.groupby("k", as_index=False).agg(n=("i", "size"), s=("x", "sum"))


def scalars(t):
    return {"sum": t.x.sum(), "mean": t.x.mean(), "std": t.x.std(), "n": t.s.nunique(),
            "lo": t.d.min(), "above": t[t.x > t.x.mean()].i.count()}


@needs_mpiexec
@pytest.mark.parametrize("ranks", RANKS)
def test_table_operations(ranks):
    run_both(every_agg, T, ranks=ranks)
    run_both(dates_and_strings, T, ranks=ranks)
    run_both(sort_head, T, ranks=ranks, ordered=True)
    run_both(head_no_sort, T, ranks=ranks, ordered=True)
    run_both(grouped_then_top, T, ranks=ranks, ordered=True)
    run_both(full_sort, T, ranks=ranks, ordered=True)
    run_both(dedup, DUPS, ranks=ranks)
    run_both(dedup_all, DUPS, ranks=ranks)
    run_both(lambda a, b: cc.concat([a, b]), T, T.slice(2, 4), ranks=ranks, reference=concat_ref)
    run_both(concat_groupby, T, T.slice(2, 4), ranks=ranks, reference=concat_groupby_ref)
    run_both(scalars, T, ranks=ranks)


def test_groupby_result_is_sorted_by_key_like_pandas():
    got = cc.compile(ranks=3, executor="mpi")(every_agg)(T)
    expected = every_agg(T.to_pandas())
    assert_same(got, expected, ordered=True)


@needs_mpiexec
def test_empty_and_tiny_inputs():
    """Fewer rows than ranks: most ranks have nothing."""
    for t in (T.slice(0, 0), T.slice(0, 1)):
        run_both(every_agg, t, ranks=3)
        run_both(scalars, t, ranks=3)
        run_both(sort_head, t, ranks=3, ordered=True)


@cc.udf("float64")
def _score(x, i):
    return x * 2.0 + i


def with_udf(t):
    return t[_score(t.x2, t.i) > 3].assign(s=_score(t.x2, t.i))[["name", "s"]]


def with_udf_ref(t):
    s = t.x2 * 2.0 + t.i
    return t[s > 3].assign(s=s)[["name", "s"]]


@needs_mpiexec
def test_udf_travels_to_the_ranks():
    run_both(with_udf, T, ranks=2, reference=with_udf_ref)


# --- TPC-H ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tpch_tables(tpch_sf01):
    from tpch import datagen

    return datagen.load(0.1, tpch_sf01)


@needs_mpiexec
@pytest.mark.parametrize("name", ["q1", "q3", "q5", "q6"])
def test_tpch(name, tpch_tables):
    from tpch import queries

    fn = queries.QUERIES[name]
    args = {p: tpch_tables[p] for p in inspect.signature(fn).parameters}
    one = cc.compile(fn)(**args)
    for ranks in RANKS:
        got = cc.compile(ranks=ranks, executor="mpi")(fn)(**args)
        assert_results_match(got, one, ordered=name != "q6")


# --- inputs and outputs -----------------------------------------------------------------------


def summarize(t):
    f = t[t.i > -5]
    return f.groupby("k", as_index=False).agg(n=("i", "size"), s=("x2", "sum"), last=("d", "max"))


@needs_mpiexec
def test_parquet_inputs_split_by_row_group(tmp_path):
    big = pa.concat_tables([T] * 5)
    path = tmp_path / "t.parquet"
    pq.write_table(big, path, row_group_size=4)
    parts = tmp_path / "parts"
    parts.mkdir()
    pq.write_table(big.slice(0, 13), parts / "a.parquet", row_group_size=5)
    pq.write_table(big.slice(13), parts / "b.parquet", row_group_size=7)
    expected = summarize(big.to_pandas())
    for ranks in RANKS:
        for src in (str(path), str(parts)):
            got = cc.compile(ranks=ranks, executor="mpi")(summarize)(src)
            assert_same(got, expected, ordered=True)
        got = cc.compile(ranks=ranks, executor="mpi")(head_no_sort)(str(path))
        assert_same(got, head_no_sort(big.to_pandas()), ordered=True)


@needs_mpiexec
def test_output_one_parquet_file_per_rank(tmp_path):
    from cylonc.compiler.inputs import describe_source
    from cylonc.compiler.pipeline import Options, compile_pipeline
    from cylonc.runtime.executors.mpi import MPIExecutor

    def q(t):
        return t[t.i > -5][["i", "name"]]

    compiled = compile_pipeline(q, {"t": describe_source(T, "t")}, {}, Options(ranks=3, executor="mpi"))
    out = MPIExecutor(3).run(compiled.plan, {"t": T}, output_dir=tmp_path / "out")
    files = sorted(p.name for p in out.iterdir())
    assert files == ["part-0.parquet", "part-1.parquet", "part-2.parquet"]
    assert_same(pq.read_table(out), q(T.to_pandas()))


# --- collectives -------------------------------------------------------------------------------

COMM_SCRIPT = """
import numpy as np, pyarrow as pa
from mpi4py import MPI
from cylonc.runtime.comm import Comm
from cylonc.runtime.kernels import distributed as D

for limit in (2**31 - 1, 200):          # 200 bytes: every exchange goes in rounds
    c = Comm(MPI.COMM_WORLD, max_message=limit)
    r, p = c.rank, c.size
    schema = pa.schema([("k", pa.int64()), ("s", pa.string())])
    # Empty partitions: rank r sends rows only to rank (r + 1) % p, and rank 0 sends nothing.
    parts = [schema.empty_table() for _ in range(p)]
    if r != 0:
        n = 10 * r
        parts[(r + 1) % p] = pa.table({"k": np.arange(n) + 1000 * r, "s": [f"{r}-{i}" for i in range(n)]},
                                      schema=schema)
    got = c.alltoall_tables(parts, schema)
    src = (r - 1) % p
    want = 0 if src == 0 else 10 * src
    assert got.num_rows == want, (r, got.num_rows, want)
    # Skew: every row of every rank goes to rank 0, in source-rank order.
    t = pa.table({"k": np.full(1000, r, dtype=np.int64), "s": ["x" * 50] * 1000}, schema=schema)
    got = D.shuffle(t, ["k"], c) if False else c.alltoall_tables([t] + [None] * (p - 1), schema)
    if r == 0:
        assert got.num_rows == 1000 * p and got["k"].to_pylist() == sorted(got["k"].to_pylist())
    else:
        assert got.num_rows == 0
    # Hash shuffle: equal keys meet; int and float keys co-partition.
    ints = pa.table({"k": pa.array(np.arange(100) % 7 + r, pa.int64())})
    floats = pa.table({"k": pa.array((np.arange(100) % 7 + r).astype(float))})
    a, b = D.shuffle(ints, ["k"], c), D.shuffle(floats, ["k"], c)
    keys = c.allgather_object(sorted(set(a["k"].to_pylist())))
    assert sorted(set(a["k"].to_pylist())) == sorted(set(int(x) for x in b["k"].to_pylist()))
    assert sum(len(k) for k in keys) == len(set().union(*map(set, keys)))
    # Allgather, gather, broadcast keep rank order.
    mine = pa.table({"r": pa.array([r] * (r + 1), pa.int64())})
    assert c.allgather_table(mine)["r"].to_pylist() == [q for q in range(p) for _ in range(q + 1)]
    g = c.gather_table(mine)
    assert g.num_rows == (sum(range(1, p + 1)) if r == 0 else 0)
    assert c.broadcast_table(mine)["r"].to_pylist() == [0]
    # Sample sort: every rank's keys are not after the next rank's.
    t = pa.table({"k": pa.array(np.random.default_rng(r).integers(0, 50, 500 * (r + 1)))})
    sp = D.splitters(t, ["k"], [True], c)
    s = D.range_shuffle(t, sp, ["k"], [True], c)
    bounds = c.allgather_object((min(s["k"].to_pylist(), default=None), max(s["k"].to_pylist(), default=None)))
    seen = [b for b in bounds if b[0] is not None]
    assert all(x[1] <= y[0] for x, y in zip(seen, seen[1:])), bounds
    assert sum(c.allgather_object(s.num_rows)) == sum(500 * (q + 1) for q in range(p))
    c.finish()
print("ok", MPI.COMM_WORLD.rank)
"""


@needs_mpiexec
@pytest.mark.parametrize("ranks", RANKS)
def test_collectives_with_empty_partitions_and_skew(ranks, tmp_path):
    script = tmp_path / "comm.py"
    script.write_text(COMM_SCRIPT)
    res = subprocess.run([MPIEXEC, "-n", str(ranks), sys.executable, str(script)], capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.count("ok") == ranks


# --- SPMD --------------------------------------------------------------------------------------

SPMD_SCRIPT = """
import pyarrow as pa
from mpi4py import MPI
import cylonc as cc

world = MPI.COMM_WORLD
r = world.rank
# Each rank passes its own part (pycylon style); the whole table is their concatenation.
# Only rank 1's part has a null: every rank compiles for a nullable column.
part = pa.table({"k": pa.array([r, r + 1, 7], pa.int64()),
                 "x": pa.array([1.0 * r, None if r == 1 else 2.0, 3.0])})

@cc.compile(executor="mpi")
def q(t):
    t = t.assign(x=t.x.fillna(-1.0))
    return t.groupby("k", as_index=False).agg(s=("x", "sum"), n=("x", "size"))

res = q(part).to_pydict()
whole = pa.concat_tables(world.allgather(part)).to_pandas()
whole = whole.assign(x=whole.x.fillna(-1.0))
want = whole.groupby("k", as_index=False).agg(s=("x", "sum"), n=("x", "size"))
assert res["k"] == want["k"].tolist() and res["s"] == want["s"].tolist(), (res, want)

# A sub-communicator: the even ranks run on their own.
sub = world.Split(r % 2, r)
@cc.compile(executor="mpi", comm=sub)
def total(t):
    return t.x.sum()
s = total(part)
mine = [p for i, p in enumerate(world.allgather(part)) if i % 2 == r % 2]
assert abs(s - sum(t["x"].to_pandas().sum() for t in mine)) < 1e-9, s
print("ok", r)
"""


@needs_mpiexec
def test_spmd_under_mpiexec(tmp_path):
    script = tmp_path / "spmd.py"
    script.write_text(SPMD_SCRIPT)
    env = dict(os.environ, CYLONC_MPI_FAULT="")
    res = subprocess.run([MPIEXEC, "-n", "3", sys.executable, str(script)], capture_output=True, text=True,
                         timeout=180, env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.count("ok") == 3


# --- failures ----------------------------------------------------------------------------------


def _shuffled(t):
    return t.groupby("k", as_index=False).agg(n=("i", "nunique"))


def _fails_fast_then_recovers(monkeypatch, match: str):
    """With ``CYLONC_MPI_FAULT`` set, a 3-rank run fails within 30 s with an error matching
    `match`; without it, the next run (a fresh set of ranks) gives pandas' answer."""
    q = cc.compile(ranks=3, executor="mpi")(_shuffled)
    start = time.monotonic()
    with pytest.raises(ExecutionError, match=match):
        q(T)
    assert time.monotonic() - start < 30
    monkeypatch.delenv("CYLONC_MPI_FAULT")
    assert_same(q(T), _shuffled(T.to_pandas()))


@needs_mpiexec
def test_killed_rank_fails_the_run_quickly(monkeypatch):
    """A rank killed in the middle of a shuffle: the caller gets an error naming it, fast."""
    monkeypatch.setenv("CYLONC_MPI_FAULT", "kill:1:shuffle")
    _fails_fast_then_recovers(monkeypatch, r"rank 1 died")


@needs_mpiexec
@pytest.mark.parametrize("pool", ["1", "0"], ids=["pool", "one-shot"])
def test_rank_that_raises_fails_the_run_with_its_error(pool, monkeypatch):
    monkeypatch.setenv("CYLONC_MPI_POOL", pool)
    monkeypatch.setenv("CYLONC_MPI_FAULT", "raise:2:shuffle")
    _fails_fast_then_recovers(monkeypatch, r"^rank 2: .*test_mpi.py:\d+: node \d+ \(shuffle\): injected fault")


@cc.udf("float64")
def _fails_on_big(x):
    if x > 100.0:
        raise ValueError("too big")
    return x


def udf_failure(t):
    return t.assign(y=_fails_on_big(t.x))


@needs_mpiexec
def test_udf_error_on_one_rank_names_the_rank(tmp_path):
    t = pa.table({"x": pa.array([1.0, 2.0, 3.0, 4.0, 500.0, 6.0])})
    with pytest.raises(ExecutionError, match=r"rank 2: .*udf '_fails_on_big'.*too big"):
        cc.compile(ranks=3, executor="mpi")(udf_failure)(t)


@needs_mpiexec
def test_failed_run_leaves_no_output_folder(tmp_path, monkeypatch):
    from cylonc.compiler.inputs import describe_source
    from cylonc.compiler.pipeline import Options, compile_pipeline
    from cylonc.runtime.executors.mpi import MPIExecutor

    compiled = compile_pipeline(_shuffled, {"t": describe_source(T, "t")}, {}, Options(ranks=2, executor="mpi"))
    out = tmp_path / "out"
    with pytest.raises(ExecutionError, match="rank 1"):
        MPIExecutor(2, fault={"action": "raise", "rank": 1, "at": "shuffle"}).run(compiled.plan, {"t": T},
                                                                                 output_dir=out)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_ranks_without_mpi_executor_is_an_error():
    with pytest.raises(cc.CompileError, match='needs executor="mpi"'):
        cc.compile(ranks=2)(_shuffled)(T)


def test_runtime_does_not_import_the_compiler():
    code = ("import sys, cylonc.runtime.executors.mpi, cylonc.runtime.executors.mpi_worker, "
            "cylonc.runtime.kernels.distributed; "
            "bad = [m for m in sys.modules if m.startswith(('cylonc.compiler', 'xdsl', 'mlir'))]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# --- pycylon -----------------------------------------------------------------------------------


def test_pycylon_backend():
    pytest.importorskip("pycylon", reason="pycylon is not installed (optional backend)")
    from cylonc.runtime.kernels import pycylon as backend

    assert backend.available()
    t = pa.table({"k": [1, 2, 2], "x": [1.0, 2.0, 3.0]})
    assert backend.to_arrow(backend.from_arrow(t)).num_rows == 3
