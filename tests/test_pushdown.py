"""Predicate pushdown, projection pruning and scan pushdown keep answers right, and make scans
read less: pipelines that exercise each rewrite (and each place a filter must not move) are run
by pandas and by cylonc with and without optimization, on Arrow tables, pandas frames and
Parquet files; the plan's scan nodes carry ``columns`` and ``filter``, and a selective filter on
a Parquet file of many row groups lets ``pyarrow.dataset`` skip most of them."""

from __future__ import annotations

import datetime
import os
import tempfile

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from helpers import assert_same, check

import cylonc as cc
from cylonc.compiler.inputs import describe_source
from cylonc.compiler.pipeline import Options, compile_pipeline
from cylonc.runtime import io as rio

NAN = float("nan")
A = pa.table(
    {
        "k": pa.array([1, 2, 3, 4, 5, 6, 7, 8], pa.int64()),
        "x": pa.array([1.5, NAN, None, -2.0, 3.0, 0.5, 1.0, 7.25], pa.float64()),
        "s": pa.array(["a", "b", None, "c", "a", "bb", "", "b"]),
        "d": pa.array([datetime.date(1994, 1, i) for i in range(1, 9)], pa.date32()),
        "g": pa.array([1, 1, 2, 2, 3, 3, 1, 2], pa.int64()),
    }
)
B = pa.table(
    {
        "k": pa.array([1, 2, 3, 9, 5, 5], pa.int64()),
        "y": pa.array([0.5, 1.5, None, 2.0, -1.0, 4.0], pa.float64()),
        "t": pa.array(["p", "q", "r", "s", None, "u"]),
    }
)


def plan_of(fn, options: Options = Options(), **sources):
    infos = {name: describe_source(value, name) for name, value in sources.items()}
    return compile_pipeline(fn, infos, {}, options).plan


def plan_ops(plan) -> list[str]:
    """The ops of a plan's nodes, those inside fused kernels included."""
    out = []
    for n in plan["nodes"]:
        out.extend(o["op"] for o in n.get("ops", [n]))
    return out


def optimized_ir(fn, *tables) -> str:
    return cc.compile(fn).ir(*tables, stage="optimized", pretty=True)


def same_as_unoptimized(fn, *tables, ordered=False):
    """Where pandas' NaN semantics differ from cylonc's (Arrow nulls), compare the optimized
    pipeline on tables, frames and Parquet files with the unoptimized one on tables."""
    expected = cc.compile(optimize=False)(fn)(*tables)
    q = cc.compile(fn)
    assert_same(q(*tables), expected, ordered=ordered, label="optimized, Arrow inputs")
    for row_group_size in (None, 2):
        with tempfile.TemporaryDirectory() as folder:
            paths = []
            for i, t in enumerate(tables):
                paths.append(os.path.join(folder, f"t{i}.parquet"))
                pq.write_table(t, paths[-1], row_group_size=row_group_size)
            label = f"optimized, Parquet inputs, row groups of {row_group_size or 'all'} rows"
            assert_same(q(*paths), expected, ordered=ordered, label=label)
    return expected


# ------------------------------------------------------------------------------- joins


def inner_join(a, b):
    t = a.merge(b, on="k")
    return t[(t.x > 0.0) & (t.y < 3.0) & (t.k > 1) & (t.x < t.y + 2.0)]


def left_join(a, b):
    t = a.merge(b, on="k", how="left")
    return t[(t.x > 0.0) & (t.y < 3.0) & (t.k < 8)]


def left_join_isna(a, b):
    t = a.merge(b, on="k", how="left")
    return t[t.y.isna() & (t.g == 1)]


def right_join(a, b):
    t = a.merge(b, on="k", how="right")
    return t[(t.x > 0.0) & (t.y > 0.0) & (t.k < 9)]


def outer_join(a, b):
    t = a.merge(b, on="k", how="outer")
    return t[t.x.isna() | (t.y > 1.0)]


@pytest.mark.parametrize("fn", [inner_join, left_join, left_join_isna, right_join, outer_join])
def test_filters_over_joins(fn):
    check(fn, A, B)


def semi_join(a, b):
    t = a.merge(b, on="k", how="semi")
    return t[(t.x > 0.0) & (t.k > 1)]


def semi_join_ref(a, b):
    t = a[a.k.isin(b.k)]
    return t[(t.x > 0.0) & (t.k > 1)]


def anti_join(a, b):
    t = a.merge(b, on="k", how="anti")
    return t[t.g == 2]


def anti_join_ref(a, b):
    t = a[~a.k.isin(b.k)]
    return t[t.g == 2]


@pytest.mark.parametrize("fn, ref", [(semi_join, semi_join_ref), (anti_join, anti_join_ref)])
def test_filters_over_semi_and_anti_joins(fn, ref):
    check(fn, A, B, reference=ref)


def test_inner_join_filters_reach_both_scans(tmp_path):
    paths = []
    for name, t in (("a", A), ("b", B)):
        paths.append(str(tmp_path / f"{name}.parquet"))
        pq.write_table(t, paths[-1])
    text = optimized_ir(inner_join, *paths)
    a_scan = next(line for line in text.splitlines() if 'cylon.input "a"' in line)
    b_scan = next(line for line in text.splitlines() if 'cylon.input "b"' in line)
    assert a_scan.rstrip().endswith("{") and b_scan.rstrip().endswith("{"), text
    assert text.count("cylon.filter") == 1, text


def test_in_memory_inputs_keep_filters_for_the_kernel():
    """In-memory inputs (``cylon.memory``) keep their filters out of the scan: reading fewer
    rows saves nothing there, and the filter runs inside the fused kernel."""
    text = optimized_ir(inner_join, A, B)
    scans = [line for line in text.splitlines() if "cylon.input" in line]
    assert len(scans) == 2 and all("cylon.memory" in s and not s.rstrip().endswith("{") for s in scans), text
    assert "cylon.filter %0 " in text and "cylon.filter %1 " in text, text
    assert text.count("cylon.filter") == 3, text  # x < y + 2 stays above the join
    plan = plan_of(q6_like, t=A)
    assert [n["op"] for n in plan["nodes"]][:2] == ["input", "fused"], plan
    assert plan["nodes"][0]["filter"] is None and plan["nodes"][1]["ops"][0]["op"] == "filter", plan


def q6_like(t):
    f = t[(t.k >= 2) & (t.x < 5.0)]
    return (f.x * f.k).sum()


# ------------------------------------------------------------------------------- one-input ops


def rename_assign_sort(a):
    t = a.rename(columns={"x": "w"})
    t = t.assign(z=t.w * 2.0, g=t.g + 10)
    t = t.sort_values("k", ascending=False)
    return t[(t.w > 0.0) & (t.z < 10.0) & (t.g > 10) & t.s.isin(["a", "c", "bb"])][["k", "z", "s"]]


def aggregate_keys(a):
    t = a.groupby("g", as_index=False).agg(total=("x", "sum"), n=("k", "size"))
    return t[(t.g > 1) & (t.total > 1.0)]


def limit_then_filter(a):
    t = a.head(5)
    return t[t.k > 2]


def distinct_then_filter(a):
    t = a.drop_duplicates(["g"])
    return t[t.k > 1]


def shared_intermediate(a):
    t = a.assign(z=a.k * 2)
    hi = t[t.k > 4]
    return {"hi": hi[["k", "z"]], "all": t[["z"]]}


def scalar_predicate(a):
    t = a.assign(z=a.k * 2)
    return t[t.z > t.z.mean()][["k"]]


def unused_columns(a):
    t = a.assign(z=a.k * 2, w=a.x + 1.0)
    t = t.groupby("g", as_index=False).agg(m=("z", "max"), s=("w", "sum"))
    return t[["g", "m"]]


def count_rows(a):
    return a.k.count()


@pytest.mark.parametrize(
    "fn, ordered",
    [
        (rename_assign_sort, True),
        (aggregate_keys, True),
        (limit_then_filter, True),
        (distinct_then_filter, False),
        (shared_intermediate, False),
        (scalar_predicate, False),
        (unused_columns, True),
        (count_rows, False),
    ],
)
def test_one_input_pipelines(fn, ordered):
    check(fn, A, ordered=ordered)


def union_then_filter(a, b):
    t = cc.concat([a[["k", "x"]], b[["k", "y"]].rename(columns={"y": "x"})])
    return t[(t.x > 0.0) & (t.k < 9)]


def union_then_filter_ref(a, b):
    t = pd.concat([a[["k", "x"]], b[["k", "y"]].rename(columns={"y": "x"})], ignore_index=True)
    return t[(t.x > 0.0) & (t.k < 9)]


def test_filter_over_union():
    check(union_then_filter, A, B, reference=union_then_filter_ref)


def test_filters_stay_above_limit_and_distinct():
    for fn, op in ((limit_then_filter, "cylon.limit"), (distinct_then_filter, "cylon.distinct")):
        lines = optimized_ir(fn, A).splitlines()
        stop = next(i for i, line in enumerate(lines) if op in line)
        assert any("cylon.filter" in line for line in lines[stop:]), "\n".join(lines)


def test_unused_assign_and_aggregate_outputs_are_pruned():
    text = optimized_ir(unused_columns, A)
    assert '["w"]' not in text and '"sum"' not in text, text
    assert 'columns ["k", "g"]' in text, text


# ------------------------------------------------------------------------------- NaN and types


def nan_predicates(a):
    return a[(a.x != 1.0) & ~(a.x > 1.0)][["k"]]


def nan_isna(a):
    return a[a.x.isna() | (a.s == "a")][["k", "s"]]


def nan_notna_isin(a):
    return a[a.x.notna() & ~a.x.isin([0.5, 1.0])][["k"]]


@pytest.mark.parametrize("fn", [nan_predicates, nan_isna, nan_notna_isin])
def test_float_nan_in_parquet_is_null(fn):
    """A NaN stored in Parquet is a null to cylonc: the dataset filter must not see it as a number."""
    same_as_unoptimized(fn, A)


def string_date_predicates(a):
    return a[(a.s >= "b") & (a.d < datetime.date(1994, 1, 7)) & a.s.notna()][["k", "s", "d"]]


def test_string_and_date_predicates():
    check(string_date_predicates, A, to_pandas=lambda t: t.to_pandas(date_as_object=True))


def test_other_file_types_are_filtered_after_conversion():
    """large_string and decimal columns differ from the compiled types in the file: still exact."""
    import decimal

    t = pa.table(
        {
            "k": pa.array(range(10), pa.int64()),
            "s": pa.array(list("abcdeabcde"), pa.large_string()),
            "p": pa.array([decimal.Decimal(f"{i}.25") for i in range(10)], pa.decimal128(10, 2)),
        }
    )

    def q(t):
        return t[(t.s == "b") | (t.p > 7.0)][["k"]]

    got = same_as_unoptimized(q, t)
    assert sorted(got.column("k").to_pylist()) == [1, 6, 7, 8, 9]


# ------------------------------------------------------------------------------- plans and scans


def test_plan_input_node_has_columns_and_filter(tmp_path):
    def q(a):
        t = a[(a.g == 2) & a.s.str.startswith("c")]
        return t[["k"]]

    path = str(tmp_path / "a.parquet")
    pq.write_table(A, path)
    plan = plan_of(q, a=path)
    node = next(n for n in plan["nodes"] if n["op"] == "input")
    assert node["columns"] == ["k", "s"]
    assert node["filter"]["fn"] == "eq"
    assert [f["name"] for f in node["schema"]] == ["k", "s"]
    assert [f["name"] for f in plan["inputs"][0]["schema"]] == A.column_names
    assert [f["name"] for f in plan["inputs"][0]["source_schema"]] == A.column_names
    assert plan_ops(plan).count("filter") == 1
    assert "input 'a' ['k', 's'] where (g == 2)" in cc.compile(q).explain(path)
    unoptimized = plan_of(q, Options(optimize=False), a=path)
    node = next(n for n in unoptimized["nodes"] if n["op"] == "input")
    assert node["columns"] is None and node["filter"] is None


@pytest.fixture(scope="module")
def many_row_groups(tmp_path_factory):
    """100 row groups of 1000 rows, sorted by ``id`` (so statistics separate them)."""
    path = tmp_path_factory.mktemp("rowgroups") / "events.parquet"
    n = 100_000
    table = pa.table(
        {
            "id": pa.array(range(n), pa.int64()),
            "v": pc.multiply(pa.array(range(n), pa.float64()), 0.5),
            "tag": pa.array([f"t{i % 7}" for i in range(n)]),
        }
    )
    pq.write_table(table, path, row_group_size=1000)
    return path


def _spy_dataset(monkeypatch):
    calls = []
    real = rio._parquet_dataset

    class Spy:
        def __init__(self, dataset):
            self._dataset = dataset

        def __getattr__(self, name):
            return getattr(self._dataset, name)

        def to_table(self, **kw):
            calls.append(kw)
            return self._dataset.to_table(**kw)

    monkeypatch.setattr(rio, "_parquet_dataset", lambda path, label: Spy(real(path, label)))
    return calls


def test_read_parquet_filter_skips_row_groups(many_row_groups, monkeypatch):
    path = str(many_row_groups)

    def q():
        t = cc.read_parquet(path)
        t = t[(t.id >= 41_500) & (t.id < 42_700) & (t.tag != "t3")]
        return t[["v"]]

    def ref():
        t = pd.read_parquet(path)
        t = t[(t.id >= 41_500) & (t.id < 42_700) & (t.tag != "t3")]
        return t[["v"]]

    plan = plan_of(q)
    read = next(n for n in plan["nodes"] if n["op"] == "read")
    assert read["columns"] == ["v"]
    assert read["filter"] is not None
    assert plan_ops(plan) == ["read"], plan_ops(plan)

    calls = _spy_dataset(monkeypatch)
    got = cc.compile(q)()
    assert_same(got, ref(), ordered=True)
    (call,) = calls
    assert call["columns"] == ["v"]
    dataset = ds.dataset(path, format="parquet")
    fragments = list(dataset.get_fragments())
    assert sum(f.num_row_groups for f in fragments) == 100
    kept = sum(len(f.split_by_row_group(call["filter"])) for f in dataset.get_fragments(filter=call["filter"]))
    assert kept == 2, f"the scan filter {call['filter']} keeps {kept} of 100 row groups"

    calls.clear()
    assert_same(cc.compile(optimize=False)(q)(), ref(), ordered=True)
    (call,) = calls
    assert call.get("filter") is None


def test_input_path_filter_skips_row_groups(many_row_groups, monkeypatch):
    def q(events):
        return events[events.id < 1500][["id", "tag"]]

    calls = _spy_dataset(monkeypatch)
    got = cc.compile(q)(str(many_row_groups))
    assert got.num_rows == 1500 and got.column_names == ["id", "tag"]
    (call,) = calls
    dataset = ds.dataset(str(many_row_groups), format="parquet")
    kept = sum(len(f.split_by_row_group(call["filter"])) for f in dataset.get_fragments(filter=call["filter"]))
    assert kept == 2


def test_read_csv_filter_and_columns(tmp_path):
    path = tmp_path / "a.csv"
    pacsv.write_csv(A.select(["k", "x", "s", "g"]), path)
    path = str(path)

    def q():
        t = cc.read_csv(path)
        return t[(t.g == 1) & (t.k > 1)][["k", "s"]]

    def ref():
        t = pd.read_csv(path)
        return t[(t.g == 1) & (t.k > 1)][["k", "s"]]

    plan = plan_of(q)
    read = next(n for n in plan["nodes"] if n["op"] == "read")
    assert read["columns"] == ["k", "s"] and read["filter"] is not None
    assert_same(cc.compile(q)(), ref())


def nan_isna_only(a):
    return a[a.x.isna()][["k"]]


def nan_not_isin(a):
    return a[~a.x.isin([1.5, 3.0])][["k"]]


@pytest.mark.parametrize("fn", [nan_isna_only, nan_not_isin])
def test_float_nan_in_parquet_row_groups(fn):
    """Parquet statistics ignore NaN: a row group of 1.5 and NaN must not be skipped for
    ``isna`` or ``~isin([1.5])`` (the NaN row is a null, kept by both)."""
    got = same_as_unoptimized(fn, A)
    assert 2 in got.column("k").to_pylist()


# ------------------------------------------------------------------------------- runtime scans


def _col(name, type_):
    return {"k": "col", "name": name, "type": type_}


def _lit(value, type_):
    return {"k": "lit", "value": value, "type": type_}


def _call(fn, *args, **options):
    return {"k": "call", "fn": fn, "args": list(args), "type": "bool", **options}


SCAN_FILTER = _call(
    "and",
    _call("ge", _col("d", "date32"), _lit("1994-01-03", "date32")),
    _call("or", _call("isin", _col("s", "string"), values=["a", "c"]), _call("isna", _col("x", "float64"))),
)


@pytest.mark.parametrize("kind", ["table", "parquet", "csv"])
def test_runtime_load_applies_scan_filter(kind, tmp_path):
    """``io.load`` with a plan's ``columns`` and ``filter``: the filter reads columns that are
    not returned; Parquet gets the date comparison as a dataset filter, the NaN-sensitive
    ``isna`` after conversion."""
    from cylonc.runtime.types import schema_from_arrow

    source = A.select(["k", "x", "s", "d"])
    full = schema_from_arrow(source.schema)
    if kind == "parquet":
        path = tmp_path / "a.parquet"
        pq.write_table(source, path)
        source = path
    elif kind == "csv":
        path = tmp_path / "a.csv"
        pacsv.write_csv(source, path)
        source = path
    schema = [f for f in full if f["name"] == "k"]
    got = rio.load(source, full, schema, name="a", columns=["k"], filter=SCAN_FILTER)
    assert got.column_names == ["k"]
    assert got.column("k").to_pylist() == [3, 4, 5]


def test_runtime_scan_filter_split():
    from cylonc.runtime import scan_filter

    types = {"d": pa.date32(), "s": pa.large_string(), "x": pa.float64()}
    pushed, rest = scan_filter.split(SCAN_FILTER, types)
    assert str(pushed) == "(d >= 1994-01-03)"
    assert rest == [SCAN_FILTER["args"][1]]
    types["s"] = pa.string()
    x_gt_1 = _call("gt", _col("x", "float64"), _lit(1.0, "float64"))
    pushed, rest = scan_filter.split(_call("and", SCAN_FILTER, x_gt_1), types)
    assert len(rest) == 1 and "x > 1" in str(pushed)


def _semi_tables():
    import numpy as np

    rng = np.random.default_rng(5)
    n = 20_000
    big = pa.table({
        "k": pa.array(rng.integers(0, 5_000, n), mask=rng.random(n) < 0.01),
        "x": rng.random(n),
        "d": pa.array(rng.integers(0, 100, n), pa.int64()),
    })
    small = pa.table({
        "k": pa.array(rng.integers(0, 5_000, 300), mask=rng.random(300) < 0.02),
        "y": rng.random(300),
    })
    return big, small


def filtered_then_joined(big, small):
    f = big[big.d > 30]
    f = f.assign(z=f.x * 2.0)
    j = small.merge(f, on="k")
    return j.groupby("k", as_index=False).agg(s=("z", "sum"), n=("y", "size"))


def test_selective_join_filters_the_probe_side_first(monkeypatch):
    """The kernel over the large join input keeps only rows whose key the small input has
    (``semi_filter``; null keys match null keys as in the join), computed after the small side:
    same answers as pandas."""
    from cylonc.runtime.kernels import arrow as K
    from cylonc.runtime.kernels import native_lib as nl

    kept = []
    real, restrict = K.semi_filter, nl.KeySet.restrict

    def spy(table, *args):
        out = real(table, *args)
        kept.append((table.num_rows, out.num_rows))
        return out

    def spy_restrict(self, probe, sel):  # the kernel's path: the rows it selects, tested
        before = int(sel.sum())
        hits = restrict(self, probe, sel)
        kept.append((before, hits))
        return hits

    monkeypatch.setattr(K, "semi_filter", spy)
    monkeypatch.setattr(nl.KeySet, "restrict", spy_restrict)
    big, small = _semi_tables()
    plan = plan_of(filtered_then_joined, big=big, small=small)
    fused = next(n for n in plan["nodes"] if n.get("semi_filter"))
    join = next(n for n in plan["nodes"] if n["op"] == "join")
    assert fused["semi_filter"] == {"ref": join["left"], "key": "k", "build_key": "k"}
    order = [n["id"] for n in plan["nodes"]]
    assert order.index(join["left"]) < order.index(fused["input"]) < order.index(fused["id"]) < order.index(join["id"])
    assert f"(only rows whose k is in #{join['left']}.k)" in cc.compile(filtered_then_joined).explain(big=big, small=small)
    check(filtered_then_joined, big=big, small=small)
    assert kept and all(after < before for before, after in kept), kept


def test_selective_join_on_uint64_keys_beyond_int64():
    """uint64 probe keys partly past int64's range (no int64 form) while the other side's are
    not: the probe side's key test and the join filters keep the right rows, as in pandas."""
    import numpy as np

    rng = np.random.default_rng(11)

    def keys(n, high, beyond):
        k = rng.integers(0, high, n).astype(np.uint64)
        k[rng.random(n) < beyond] += np.uint64(2**63)
        return pa.array(k, pa.uint64())

    big = pa.table({"k": keys(20_000, 5_000, 0.01), "x": rng.random(20_000),
                    "d": pa.array(rng.integers(0, 100, 20_000), pa.int64())})
    small = pa.table({"k": keys(300, 5_000, 0.0), "y": rng.random(300)})
    assert any(n.get("semi_filter") for n in plan_of(filtered_then_joined, big=big, small=small)["nodes"])
    check(filtered_then_joined, big=big, small=small)
    facts, dims, tiny = _chain_tables()
    facts = facts.set_column(1, "b", keys(facts.num_rows, 3_000, 0.01))
    tiny = tiny.set_column(0, "b", keys(tiny.num_rows, 3_000, 0.0))
    check(chained_joins, facts=facts, dims=dims, small=tiny)


def _chain_tables():
    import numpy as np

    rng = np.random.default_rng(9)
    n = 30_000
    facts = pa.table({
        "a": pa.array(rng.integers(0, 2_000, n)),
        "b": pa.array(rng.integers(0, 3_000, n), mask=rng.random(n) < 0.01),
        "x": rng.random(n),
    })
    dims = pa.table({"a": pa.array(rng.permutation(2_000)), "c": pa.array(rng.integers(0, 50, 2_000))})
    small = pa.table({
        "b": pa.array(rng.integers(0, 3_000, 200), mask=rng.random(200) < 0.03),
        "c": pa.array(rng.integers(0, 50, 200)),
        "y": rng.random(200),
    })
    return facts, dims, small


def chained_joins(facts, dims, small):
    j = dims.merge(facts, on="a")
    j = j.merge(small, on=["b", "c"])
    return j.groupby(["b", "c"], as_index=False).agg(s=("x", "sum"), t=("y", "max"), n=("a", "size"))


def test_join_feeding_a_selective_join_joins_fewer_rows(monkeypatch):
    """An inner join feeding another one only joins the input rows whose keys of the second
    join the other input has (``semi_filters``, one per side; null keys match null keys): same
    answers as pandas, fewer rows joined."""
    from cylonc.runtime.kernels import arrow as K

    kept = []
    real = K.join

    def spy(left, right, how, left_on, right_on, columns, keep=None):
        kept.append({side: (len(rows), (left if side == "left" else right).num_rows)
                     for side, rows in (keep or {}).items()})
        return real(left, right, how, left_on, right_on, columns, keep)

    monkeypatch.setattr(K, "join", spy)
    facts, dims, small = _chain_tables()
    plan = plan_of(chained_joins, facts=facts, dims=dims, small=small)
    j1, j2 = [n for n in plan["nodes"] if n["op"] == "join"]
    assert j2["left"] == j1["id"]
    assert j1["semi_filters"] == [
        {"side": "left", "key": "c", "ref": j2["right"], "build_key": "c"},
        {"side": "right", "key": "b", "ref": j2["right"], "build_key": "b"},
    ]
    text = cc.compile(chained_joins).explain(facts=facts, dims=dims, small=small)
    assert f"(left: only rows whose c is in #{j2['right']}.c; right: only rows whose b is in #{j2['right']}.b)" in text
    check(chained_joins, facts=facts, dims=dims, small=small)
    filtered = [k for k in kept if k]
    assert filtered and all(rows < total for k in filtered for rows, total in k.values()), kept


def test_join_filters_left_out_of_partitioned_plans():
    facts, dims, small = _chain_tables()
    plan = plan_of(chained_joins, Options(ranks=2), facts=facts, dims=dims, small=small)
    assert not any("semi_filters" in n for n in plan["nodes"])
