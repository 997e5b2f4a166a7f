"""Ahead-of-time builds, the ``tasks`` stage and ``task`` dialect, workflows on the local executor.

``cylonc run`` on an artifact must not import xDSL, MLIR or ``cylonc.compiler`` (checked in a
subprocess), must give the decorator's answer, must check inputs against the built schemas
(naming the column), and must write its output atomically. RADICAL-Pilot runs are in
``test_radical.py``; here only the task descriptions it would get are checked.
"""

import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import cylonc as cc
from cylonc.errors import CompileError, ExecutionError, InputError
from cylonc.runtime import artifact as A

CYLONC = [sys.executable, "-m", "cylonc.cli"]

PIPELINES = textwrap.dedent(
    """
    import cylonc as cc

    @cc.udf("float64")
    def bump(x):
        return x * 10.0 + 1.0

    @cc.compile
    def clean(t):
        return t[t.x > 0.0].assign(y=t.x * 2.0 + 1.0)

    @cc.compile
    def score(t, threshold):
        f = t[t.y > threshold]
        return f.groupby("k", as_index=False).agg(s=("y", "sum"), n=("y", "count"))

    def totals(t):
        return {"s": t.x.sum(), "n": t.k.count(), "top": t[t.x > 2.0][["k", "x"]]}

    def with_udf(t):
        return t.assign(z=bump(t.x))

    wf = cc.workflow("cli_demo")
    _c = wf.add(clean, "DATA")
    wf.map(score, {"threshold": [0.0, 5.0]}, t=_c)
    """
)


@pytest.fixture
def env(tmp_path):
    """A folder with ``pipes.py``, ``t.parquet`` and a mismatching ``bad.parquet``."""
    t = pa.table({"k": [1, 2, 3, 1, 2], "x": [1.0, 2.0, 3.5, 4.0, -1.0]})
    pq.write_table(t, tmp_path / "t.parquet")
    pq.write_table(pa.table({"k": [1, 2], "x": ["a", "b"]}), tmp_path / "bad.parquet")
    (tmp_path / "pipes.py").write_text(PIPELINES.replace("DATA", str(tmp_path / "t.parquet")))
    sys.path.insert(0, str(tmp_path))
    import importlib

    sys.modules.pop("pipes", None)
    mod = importlib.import_module("pipes")
    yield tmp_path, mod, t
    sys.path.remove(str(tmp_path))
    sys.modules.pop("pipes", None)


def cli(*args, cwd=None, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([*CYLONC, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


# ------------------------------------------------------------------------------ artifacts


def test_build_writes_one_artifact_with_ir_plan_graph_and_kernels(env):
    d, mod, t = env
    path = mod.clean.build(d / "clean.cylonc", t)
    assert path == d / "clean.cylonc" and path.is_file()
    assert [p.name for p in d.iterdir() if p.name.startswith(".")] == []  # no temporaries left
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
        graph = json.loads(z.read("tasks.json"))
        tasks_ir = z.read("ir/tasks.mlir").decode()
    entry = manifest["pipelines"]["clean"]
    assert manifest["format"] == "cylonc.artifact" and manifest["version"] == 1
    assert {"ir/clean/cylon.mlir", "ir/clean/optimized.mlir", "plans/clean.json", "tasks.json"} <= names
    assert entry["inputs"][0]["name"] == "t"
    assert [f["name"] for f in entry["inputs"][0]["source_schema"]] == ["k", "x"]
    assert entry["kernels"]["library"] in names or entry["kernels"]["library"] is None
    assert entry["kernels"]["note"]
    assert graph["tasks"][0]["mode"] == "function" and graph["tasks"][0]["ranks"] == 1
    assert '"task.task"' in tasks_ir


def test_artifact_kernels_are_loaded_and_used(env):
    d, mod, t = env
    path = mod.clean.build(d / "clean.cylonc", t)
    art = A.load(path)
    entry = art.pipelines["clean"]["kernels"]
    if entry["library"] is None:
        pytest.skip(entry["note"])
    assert set(art.kernels("clean")) == set(entry["symbols"]) != set()
    from cylonc.runtime.kernels import native as N

    before = N.STATS["nodes"]
    got = A.run_artifact(path, {"t": str(d / "t.parquet")}, stdout=io.StringIO())
    assert N.STATS["nodes"] > before
    assert got.to_pydict() == mod.clean(t).to_pydict()
    no_kernels = mod.clean.build(d / "plain.cylonc", t, kernels=False)
    assert A.load(no_kernels).pipelines["clean"]["kernels"]["library"] is None
    assert "no native kernels" in A.load(no_kernels).pipelines["clean"]["kernels"]["note"]


def test_cylonc_run_imports_no_compiler_and_matches_decorator(env):
    d, mod, t = env
    r = cli("build", "pipes.py:clean", "--input", "t=t.parquet", "-o", "clean.cylonc", cwd=d)
    assert r.returncode == 0, r.stderr
    code = textwrap.dedent(
        """
        import sys
        from cylonc.cli import main
        rc = main(["run", "clean.cylonc", "--input", "t=t.parquet", "-o", "out.parquet"])
        bad = sorted(m for m in sys.modules if m.split(".")[0] in ("xdsl", "mlir") or m.startswith("cylonc.compiler"))
        print("RC", rc, "MODULES", bad)
        """
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=d, timeout=300)
    assert "RC 0 MODULES []" in r.stdout, r.stdout + r.stderr
    expected = mod.clean(t)
    got = pq.read_table(d / "out.parquet")
    assert got.to_pydict() == expected.to_pydict()


def test_console_script_run_does_not_import_compiler(env):
    """The ``cylonc`` console script itself (``-X importtime`` lists every import)."""
    d, mod, t = env
    mod.clean.build(d / "clean.cylonc", t)
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "cylonc.cli", "run", "clean.cylonc",
                        "--input", "t=t.parquet", "-o", "o.parquet"], capture_output=True, text=True, cwd=d,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    imported = [ln.split("|")[-1].strip() for ln in r.stderr.splitlines() if ln.startswith("import time:")]
    assert not [m for m in imported if m.split(".")[0] in ("xdsl", "mlir") or m.startswith("cylonc.compiler")]


def test_run_checks_schema_naming_the_column_and_writes_nothing(env):
    d, mod, t = env
    mod.clean.build(d / "clean.cylonc", t)
    r = cli("run", "clean.cylonc", "--input", "t=bad.parquet", "-o", "out.parquet", cwd=d)
    assert r.returncode == 1
    assert "column 'x'" in r.stderr and "string" in r.stderr and "float64" in r.stderr
    assert "Traceback" not in r.stderr
    assert not list(d.glob("out*")) and not list(d.glob(".out*"))
    with pytest.raises(InputError, match="column 'x'"):
        A.run_artifact(d / "clean.cylonc", {"t": str(d / "bad.parquet")}, d / "o.parquet")


def test_run_unwritable_output_is_a_clear_error(env):
    d, mod, t = env
    mod.clean.build(d / "clean.cylonc", t)
    r = cli("run", "clean.cylonc", "--input", "t=t.parquet", "-o", d / "missing" / "out.parquet", cwd=d)
    assert r.returncode == 1 and "cannot write output" in r.stderr and "does not exist" in r.stderr
    ro = d / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        r = cli("run", "clean.cylonc", "--input", "t=t.parquet", "-o", ro / "out.parquet", cwd=d)
        assert r.returncode == 1 and "not writable" in r.stderr
    finally:
        ro.chmod(0o700)


def test_run_failure_leaves_no_partial_output(env, monkeypatch):
    d, mod, t = env
    mod.clean.build(d / "clean.cylonc", t)
    (d / "out.parquet").write_bytes(b"previous")

    def boom(table, where, **kw):
        Path(where).write_bytes(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq, "write_table", boom)
    with pytest.raises(ExecutionError, match="No space left"):
        A.run_artifact(d / "clean.cylonc", {"t": str(d / "t.parquet")}, d / "out.parquet")
    assert (d / "out.parquet").read_bytes() == b"previous"
    assert sorted(p.name for p in d.iterdir() if p.name.startswith(".")) == []


def test_run_dict_result_and_udf(env):
    d, mod, t = env
    cc.compile(mod.totals).build(d / "totals.cylonc", d / "t.parquet")
    out = io.StringIO()
    got = A.run_artifact(d / "totals.cylonc", {"t": str(d / "t.parquet")}, stdout=out)
    assert got["s"] == pytest.approx(9.5) and got["n"] == 5 and got["top"].num_rows == 2
    assert "s: 9.5" in out.getvalue()
    A.run_artifact(d / "totals.cylonc", {"t": str(d / "t.parquet")}, d / "tot")
    assert A.read_result(d / "tot")["top"].to_pydict() == {"k": [3, 1], "x": [3.5, 4.0]}
    # UDFs travel pickled in the plan: run in a fresh process
    r = cli("build", "pipes.py:with_udf", "--input", "t=t.parquet", "-o", "u.cylonc", cwd=d)
    assert r.returncode == 0, r.stderr
    r = cli("run", "u.cylonc", "--input", "t=t.parquet", "-o", "u.parquet", cwd=d)
    assert r.returncode == 0, r.stderr
    assert pq.read_table(d / "u.parquet")["z"].to_pylist() == [11.0, 21.0, 36.0, 41.0, -9.0]


def test_ranks_and_executor_checks(env):
    d, mod, t = env
    mod.clean.build(d / "clean.cylonc", t)
    with pytest.raises(ExecutionError, match="built for 1 rank"):
        A.run_artifact(d / "clean.cylonc", {"t": t}, executor="mpi", ranks=2)
    with pytest.raises(ExecutionError, match="not found"):
        A.run_artifact(d / "nothing.cylonc", {"t": t})
    (d / "junk.cylonc").write_bytes(b"junk")
    with pytest.raises(ExecutionError, match="cannot read artifact"):
        A.run_artifact(d / "junk.cylonc", {"t": t})


@pytest.mark.mpi
def test_multi_rank_artifact_runs_on_mpi(env):
    d, mod, t = env
    big = pa.table({"k": [1, 2, 3, 1, 2] * 40, "x": [1.0, 2.0, 3.5, 4.0, -1.0] * 40})
    pq.write_table(big, d / "big.parquet")
    q = cc.compile(lambda t: t.groupby("k", as_index=False).agg(s=("x", "sum")))
    q.build(d / "g2.cylonc", d / "big.parquet", ranks=2)
    with pytest.raises(ExecutionError, match="executor mpi or radical"):
        A.run_artifact(d / "g2.cylonc", {"t": str(d / "big.parquet")}, executor="local")
    got = A.run_artifact(d / "g2.cylonc", {"t": str(d / "big.parquet")}, d / "g2.parquet")
    assert sorted(zip(*got.to_pydict().values())) == [(1, 200.0), (2, 40.0), (3, 140.0)]


def test_build_from_schema_only(env):
    d, mod, t = env
    mod.clean.build(d / "s.cylonc", t.schema)
    art = A.load(d / "s.cylonc")
    assert art.graph["sources"] == [{"name": "t", "path": None}]
    got = A.run_artifact(d / "s.cylonc", {"t": t}, stdout=io.StringIO())
    assert got.to_pydict() == mod.clean(t).to_pydict()


# ------------------------------------------------------------------------------ tasks stage and dialect


def test_tasks_stage_prints_mlir_that_round_trips(env):
    d, mod, t = env
    generic = mod.clean.ir(t, stage="tasks")
    pretty = mod.clean.ir(t, stage="tasks", pretty=True)
    assert '"task.graph"' in generic and '"task.task"' in generic and "ranks = 1 : i64" in generic
    assert 'task.task "clean" "clean"' in pretty and 'mode = "function"' in pretty
    from xdsl.parser import Parser

    from cylonc.compiler.pipeline import context, print_ir

    for text in (generic, pretty):
        module = Parser(context(), text).parse_module()
        module.verify()
        assert print_ir(module) == generic
    mlir_opt = shutil.which("mlir-opt") or next(
        (str(p) for p in Path(sys.prefix).glob("lib/python*/site-packages/mlir/bin/mlir-opt")), None)
    if mlir_opt is None:
        pytest.skip("upstream mlir-opt not installed")
    r = subprocess.run([mlir_opt, "--allow-unregistered-dialect"], input=generic, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    r = cli("ir", "pipes.py:clean", "--input", "t=t.parquet", "--stage", "tasks", cwd=d)
    assert r.returncode == 0 and '"task.task"' in r.stdout


def test_task_dialect_verifier():
    from xdsl.utils.exceptions import VerifyException

    from cylonc.dialects.task import GraphOp, SinkOp, SourceOp, TableDataType, TaskOp, ValueDataType

    src = SourceOp("t")
    with pytest.raises(VerifyException, match="ranks must be at least 1"):
        TaskOp("a", "a", [src.output], ["t"], [("out", TableDataType())], ranks=0).verify()
    with pytest.raises(VerifyException, match="function task has one rank"):
        TaskOp("a", "a", [src.output], ["t"], [("out", TableDataType())], ranks=2, mode="function").verify()
    with pytest.raises(VerifyException, match="mode must be one of"):
        TaskOp("a", "a", [src.output], ["t"], [("out", TableDataType())], mode="batch").verify()
    with pytest.raises(VerifyException, match="1 operands but 2 input names"):
        TaskOp("a", "a", [src.output], ["t", "u"], [("out", TableDataType())]).verify()
    scalar = TaskOp("s", "s", [src.output], ["t"], [("out", ValueDataType())])
    with pytest.raises(VerifyException, match="only tables feed pipelines"):
        TaskOp("b", "b", [scalar.outs[0]], ["t"], [("out", TableDataType())]).verify()
    a = TaskOp("a", "a", [src.output], ["t"], [("out", TableDataType())])
    b = TaskOp("a", "a", [src.output], ["t"], [("out", TableDataType())])
    with pytest.raises(VerifyException, match="duplicate task id 'a'"):
        GraphOp("g", [src, a, b, SinkOp(a.outs[0], "a")]).verify()


# ------------------------------------------------------------------------------ workflows (local)


def test_workflow_two_pipelines_and_sweep_match_the_decorator(env, tmp_path):
    d, mod, t = env
    wf = cc.workflow("demo")
    c = wf.add(mod.clean, t)
    s = wf.map(mod.score, {"threshold": [0.0, 3.5, 5.0, 50.0]}, t=c)
    res = wf.run(workdir=tmp_path / "wf")
    assert res[c].to_pydict() == mod.clean(t).to_pydict()
    for th, got in zip([0.0, 3.5, 5.0, 50.0], res[s]):
        assert got.to_pydict() == mod.score(mod.clean(t), th).to_pydict()
    assert (tmp_path / "wf" / "tasks" / "score.2" / "out.parquet").is_file()
    ir = wf.ir()
    assert ir.count('"task.task"') == 5 and "threshold = 5.0" in wf.ir(pretty=True).replace("5.000000e+00", "5.0")
    assert s.points[1] == {"threshold": 3.5}
    assert mod.score.map({"threshold": [0.0, 5.0]}, t=mod.clean(t))[1].to_pydict() == \
        mod.score(mod.clean(t), 5.0).to_pydict()


def test_workflow_dict_outputs_and_errors(env):
    d, mod, t = env
    wf = cc.workflow()
    tot = wf.add(mod.totals, t)
    with pytest.raises(CompileError, match="returns several items"):
        wf.add(mod.clean, tot)
        wf.compile()
    wf = cc.workflow()
    tot = wf.add(mod.totals, t)
    c = wf.add(mod.clean, tot["top"])
    res = wf.run()
    assert res[tot]["n"] == 5 and res[tot["s"]] == pytest.approx(9.5)
    assert res[c].to_pydict() == {"k": [3, 1], "x": [3.5, 4.0], "y": [8.0, 9.0]}
    wf2 = cc.workflow()
    tot2 = wf2.add(mod.totals, t)
    wf2.add(mod.clean, tot2["s"])
    with pytest.raises(CompileError, match="only tables feed pipelines"):
        wf2.compile()


def test_workflow_failed_task_is_reported_and_others_kept(env, tmp_path):
    d, mod, t = env
    shutil.copy(d / "t.parquet", d / "t2.parquet")
    wf = cc.workflow("fail")
    good = wf.add(mod.clean, d / "t.parquet", name="good")
    bad = wf.add(mod.clean, d / "t2.parquet", name="bad")
    wf.add(mod.score, bad, 1.0, name="after_bad")
    after_good = wf.add(mod.score, good, 1.0, name="after_good")
    wf.compile()
    (d / "t2.parquet").write_bytes(b"not parquet")
    with pytest.raises(A.WorkflowError) as info:
        wf.run(workdir=tmp_path / "wf")
    err = info.value
    assert [f.task_id for f in err.failures] == ["bad"] and err.skipped == ["after_bad"]
    assert err.failures[0].loc.endswith("pipes.py:8")  # the pipeline's definition
    assert "task bad (" in str(err) and "t2.parquet" in str(err)
    assert err.results[after_good].to_pydict() == mod.score(mod.clean(t), 1.0).to_pydict()
    assert (tmp_path / "wf" / "tasks" / "after_good" / "out.parquet").is_file()
    assert not (tmp_path / "wf" / "tasks" / "after_bad").exists()


def test_cli_builds_a_workflow_object_and_runs_it(env):
    d, mod, t = env
    r = cli("build", "pipes.py:wf", "-o", "wf.cylonc", cwd=d)
    assert r.returncode == 0, r.stderr
    r = cli("run", "wf.cylonc", "-o", "wf_out", cwd=d)
    assert r.returncode == 0, r.stderr
    got = pq.read_table(d / "wf_out" / "tasks" / "score.1" / "out.parquet")
    assert got.to_pydict() == mod.score(mod.clean(t), 5.0).to_pydict()


# ------------------------------------------------------------------------------ task descriptions


def test_task_descriptions_json(env, tmp_path):
    d, mod, t = env
    wf = cc.workflow("desc")
    c = wf.add(mod.clean, d / "t.parquet")
    wf.map(mod.score, {"threshold": [float(i) for i in range(5)]}, t=c)
    big = cc.compile(lambda t: t.groupby("k", as_index=False).agg(s=("y", "sum")))
    wf.add(big, c, ranks=2, pilot="mpi", name="grouped")
    wf.build(tmp_path / "desc.cylonc", kernels=False)
    from cylonc.runtime.executors.radical import describe_tasks, pilot_config

    art = A.load(tmp_path / "desc.cylonc")
    out = describe_tasks(art, {}, tmp_path / "run", pilots={"mpi": pilot_config(cores=2)}, tasks_per_master=4)
    assert set(out["pilots"]) == {"default", "mpi"} and out["pilots"]["mpi"]["cores"] == 2
    assert len(out["raptors"]) == 2  # 6 function tasks, 4 per master
    by_name = {td["name"]: td for td in out["tasks"]}
    assert by_name["clean"]["mode"] == "task.function" and by_name["clean"]["function"] == "cylonc_task"
    assert by_name["score.0"]["raptor_id"] != by_name["score.1"]["raptor_id"]
    g = by_name["grouped"]
    assert g["mode"] == "task.executable" and g["ranks"] == 2 and g["pilot"] == "mpi"
    assert g["arguments"][:3] == ["-m", "cylonc.runtime.artifact", "task"]
    assert g["input_staging"][0]["target"] == "task:///artifact.cylonc"
    assert g["output_staging"][-1]["source"] == "task:///out/result.json"
    assert g["output_staging"][-1]["target"].endswith("/run/tasks/grouped/result.json")
    json.dumps(out)
    r = cli("tasks", tmp_path / "desc.cylonc", cwd=d, env_extra={"CYLONC_RP_PILOTS": '{"mpi": {"cores": 3}}'})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["pilots"]["mpi"]["cores"] == 3


def test_cylonc_tasks_json_makes_radical_task_descriptions(env):
    rp = pytest.importorskip("radical.pilot", reason="radical.pilot is not installed")
    d, mod, t = env
    mod.clean.build(d / "clean.cylonc", d / "t.parquet", kernels=False)
    cc.compile(lambda t: t.groupby("k", as_index=False).agg(s=("x", "sum"))).build(
        d / "g.cylonc", d / "t.parquet", ranks=2, kernels=False)
    for name in ("clean.cylonc", "g.cylonc"):
        r = cli("tasks", name, "--input", "t=t.parquet", cwd=d)
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        for p in out["pilots"].values():
            rp.PilotDescription(p).verify()
        for raptor in out["raptors"]:
            rp.TaskDescription(raptor["master"]).verify()
            for w in raptor["workers"]:
                rp.TaskDescription(w).verify()
        for td in out["tasks"]:
            desc = rp.TaskDescription(td)
            desc.verify()
            assert desc.ranks == (2 if name == "g.cylonc" else 1)
            assert desc.mode == ("task.executable" if name == "g.cylonc" else "task.function")


def test_progress_tty_and_log(tmp_path, caplog):
    from cylonc.runtime.executors.radical import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    p = Progress(2, tmp_path, stream=stream)
    assert p.mode == "tty"
    p.update("a", "submitted")
    p.update("a", "running")
    p.update("a", "done")
    p.update("b", "failed", "boom")
    p.close()
    assert "2 tasks: 0 submitted, 0 running, 1 done, 1 failed" in stream.getvalue()
    text = (tmp_path / "progress.log").read_text()
    assert "a: running" in text and "b: failed (boom)" in text
    with caplog.at_level("INFO", logger="cylonc.radical"):
        p = Progress(1, tmp_path, stream=io.StringIO())
        assert p.mode == "log"
        p.update("c", "done")
        p.close()
    assert any("c: done" in r.message for r in caplog.records)
