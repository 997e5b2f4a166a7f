"""Device placement (``cylon-place``, the ``placed`` stage): the cost model's decisions, the
transfer ops, the plan's ``device`` fields, ``explain``, and the errors without a GPU."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from xdsl.parser import Parser
from xdsl.utils.exceptions import VerifyException

import cylonc as cc
from cylonc.compiler.inputs import describe_source, row_estimate
from cylonc.compiler.passes.place import PlacePass, strip_transfers
from cylonc.compiler.pipeline import Options, compile_pipeline, context, print_ir
from cylonc.compiler.plan import module_to_plan
from cylonc.dialects import cylon
from cylonc.runtime import execute
from cylonc.runtime.kernels import cupy as G


@pytest.fixture(autouse=True)
def no_gpu(monkeypatch):
    """These tests see a machine without a usable GPU (and no emulation)."""
    monkeypatch.delenv(G.EMULATE_ENV, raising=False)
    monkeypatch.setattr(G, "gpu_problem", lambda: "CuPy is not installed (test)")


T = pa.table({"k": pa.array([1, 2, 2, 3, None], pa.int64()), "x": [1.0, 2.5, -1.0, 4.0, 8.0],
              "s": ["a", "b", "b", None, "c"]})


def pipeline(t):
    f = t[t.x > 0]
    g = f.assign(y=f.x * 2).groupby("k", as_index=False).agg(total=("y", "sum"), n=("x", "size"))
    return g.sort_values("total")


def fused_module(fn=pipeline, **tables):
    sources = {n: describe_source(t, n) for n, t in tables.items()}
    return compile_pipeline(fn, sources, {}, Options(), until="fused").stages["fused"]


def place(module, **options):
    out = module.clone()
    PlacePass(**options).apply(context(), out)
    out.verify()
    return out


def devices(module) -> list[tuple[str, str]]:
    return [(op.name, op.attributes[cylon.DEVICE_ATTR].data) for op in module.ops if cylon.DEVICE_ATTR in op.attributes]


def test_no_gpu_places_everything_on_the_cpu_but_records_the_model():
    m = place(fused_module(t=T), rows="t=50000000")
    assert {d for _, d in devices(m)} == {"cpu"}
    assert not [op for op in m.ops if isinstance(op, cylon.TRANSFER_OPS)]
    est = {op.name: op.attributes["cylon.placement"] for op in m.ops if "cylon.placement" in op.attributes}
    assert est["cylon.fused"].data["model"].data == "gpu"
    assert est["cylon.fused"].data["reason"].data == "no GPU"


def test_gpu_island_with_explicit_transfers():
    m = place(fused_module(t=T), gpu=True, rows="t=50000000")
    names = [op.name for op in m.ops]
    assert names.count("cylon.to_device") == 1 and names.count("cylon.to_host") == 1
    placed = dict(devices(m))
    assert placed["cylon.fused"] == "gpu" and placed["cylon.input"] == "cpu"
    # the value read by the GPU op is the transferred one
    fused = next(op for op in m.ops if isinstance(op, cylon.FusedOp))
    assert isinstance(fused.input.owner, cylon.ToDeviceOp)
    # tiny inputs stay on the CPU: launches and copies cost more than they save
    small = place(fused_module(t=T), gpu=True, rows="t=5")
    assert {d for _, d in devices(small)} == {"cpu"}


def test_forced_devices_and_idempotence():
    m = fused_module(t=T)
    forced = place(m, gpu=True, device="gpu")
    assert dict(devices(forced))["cylon.fused"] == "gpu"
    cpu = place(m, gpu=True, device="cpu", rows="t=50000000")
    assert {d for _, d in devices(cpu)} == {"cpu"}
    again = place(forced, gpu=True, device="gpu")
    assert print_ir(again) == print_ir(forced)
    stripped = strip_transfers(forced)
    assert not [op for op in stripped.ops if isinstance(op, cylon.TRANSFER_OPS)]


def test_udf_expressions_stay_on_the_host():
    @cc.udf("float64")
    def twice(x):
        return 2.0 * x

    def with_udf(t):
        return t.assign(y=twice(t.x))

    m = place(fused_module(with_udf, t=T), gpu=True, device="gpu")
    op = next(op for op in m.ops if isinstance(op, cylon.FusedOp | cylon.AssignOp))
    assert op.attributes[cylon.DEVICE_ATTR].data == "cpu"
    assert "UDFs run on the CPU" in op.attributes["cylon.placement"].data["reason"].data


def test_transfer_ops_verify_and_round_trip():
    text = '''builtin.module {
  %0 = cylon.input "t" {index = 0 : i64, source_types = ["int64"]} : !cylon.table<"k": i64>
  %1 = cylon.to_device %0 {cylon.device = "gpu"} : !cylon.table<"k": i64> -> !cylon.table<"k": i64>
  %2 = cylon.to_host %1 : !cylon.table<"k": i64> -> !cylon.table<"k": i64>
  cylon.output "table" %2 : !cylon.table<"k": i64>
}'''
    m = Parser(context(), text).parse_module()
    m.verify()
    assert Parser(context(), print_ir(m)).parse_module().is_structurally_equivalent(m)
    for bad, msg in (
        (text.replace('%2 = cylon.to_host %1', '%2 = cylon.to_device %1'), "redundant copy"),
        (text.replace('{cylon.device = "gpu"}', '{cylon.device = "tpu"}'), "must be \"cpu\" or \"gpu\""),
        (text.replace('%2 = cylon.to_host %1 : !cylon.table<"k": i64> -> !cylon.table<"k": i64>',
                      '%2 = "cylon.to_host"(%1) : (!cylon.table<"k": i64>) -> !cylon.table<"j": i64>')
         .replace('"table" %2 : !cylon.table<"k": i64>', '"table" %2 : !cylon.table<"j": i64>'), "result type"),
    ):
        with pytest.raises(VerifyException, match=msg):
            Parser(context(), bad).parse_module().verify()


def test_gpu_placed_plan_runs_without_a_gpu():
    """A plan placed for a GPU machine (an artifact built there) runs here on Arrow: its
    transfers do nothing and its GPU nodes run as CPU nodes."""
    m = place(fused_module(t=T), gpu=True, device="gpu")
    plan = module_to_plan(m)
    ops = [(n["op"], n.get("device")) for n in plan["nodes"]]
    assert ("to_device", "gpu") in ops and ("to_host", "cpu") in ops and ("fused", "gpu") in ops
    assert all("device" in n for n in plan["nodes"] if n["op"] != "scalar_expr")
    got = execute(plan, {"t": T})
    want = cc.compile(pipeline, device="cpu")(T)
    assert got.equals(want)


def test_device_gpu_without_a_gpu_is_a_clear_error():
    with pytest.raises(cc.CompileError, match=r'device="gpu" but no usable GPU: .*use device="cpu" or "auto"'):
        cc.compile(pipeline, device="gpu")(T)
    with pytest.raises(cc.CompileError, match=r'to="cupy" .* no usable GPU'):
        cc.compile(pipeline, to="cupy")(T)
    with pytest.raises(cc.CompileError, match="to must be one of arrow, cupy"):
        cc.compile(pipeline, to="numpy")


def test_auto_without_a_gpu_runs_and_explains_the_model():
    q = cc.compile(pipeline)
    assert q(T).equals(cc.compile(pipeline, device="cpu")(T))
    text = q.explain(T)
    assert "device: cpu (no GPU)" in text
    assert "estimates: ~" in text and "the model picks" in text
    assert "device: cpu (reads on the host)" in text


def test_row_estimates(tmp_path):
    schema = pa.schema([pa.field("k", pa.int64())])
    plain = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"k": list(range(7))}), plain)
    declared = tmp_path / "declared.parquet"
    pq.write_table(schema.with_metadata({"cylonc.rows": "123456789"}).empty_table(), declared)
    assert row_estimate(plain) == 7
    assert row_estimate(declared) == 123456789
    assert row_estimate(T) == 5
    assert row_estimate(tmp_path / "x.csv") is None
    assert describe_source(declared, "t").rows == 123456789
    ir = cc.compile(lambda t: t[t.k > 3]).ir(declared, stage="placed")
    assert '"cylon.rows" = 123456789 : i64' in ir or "cylon.rows = 123456789 : i64" in ir
