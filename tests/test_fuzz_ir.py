"""Fuzzing `cylonc opt` with malformed and mutated IR: every input must give a diagnostic and
exit code 1 (or parse fine and exit 0), never a Python traceback or a crash."""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

import cylonc as cc
from cylonc.cli import main

N_MUTANTS = int(os.environ.get("CYLONC_FUZZ_CASES", "2000"))

TYPES = ["i64", "f64", "i1", "!cylon.string", "!cylon.date", '!cylon.timestamp<"us">', "!cylon.nullable<f64>",
         '!cylon.table<"a": i64>', '!cylon.row<"a": i64>', "index", "tensor<2xf32>", "!cylon.bogus"]
OPS = ["cylon.filter", "cylon.assign", "cylon.join", "cylon.aggregate", "cylon.col", "cylon.binop", "cylon.nope",
       "arith.addi", "cylon.yield", "cylon.output", "func.func"]


def _seed_pipelines():
    t = pa.table({"k": [1, 2, None], "x": [1.5, None, 3.0], "s": ["a", "b", None],
                  "d": pa.array([0, 1, 2], pa.date32())})
    u = pa.table({"k": [1, 2], "w": [0.5, 0.25]})

    def q1(t):
        f = t[(t.x > 1) & t.s.str.startswith("a")]
        return f.assign(y=f.x * 2, m=f.d.dt.month).groupby("k", as_index=False).agg(s=("y", "sum"), n=("m", "size"))

    def q2(t, u):
        j = t.merge(u, on="k", how="left")
        return {"rows": j[j.w.fillna(0) < j.w.mean()].sort_values("k").head(2), "total": (j.x * j.w).sum()}

    def q3(t, u):
        return cc.concat([t[["k"]], u[["k"]]]).drop_duplicates().rename(columns={"k": "key"})

    texts = []
    for fn, args in ((q1, (t,)), (q2, (t, u)), (q3, (t, u))):
        p = cc.compile(fn)
        for stage in ("cylon", "optimized"):
            texts.append(p.ir(*args, stage=stage))
            texts.append(p.ir(*args, stage=stage, pretty=True))
    here = Path(__file__).parent / "filecheck"
    for f in sorted(here.rglob("*.mlir")):
        if "diagnostics" in f.read_text() or "not " in f.read_text().split("\n", 1)[0]:
            continue
        for chunk in f.read_text().split("// -----"):
            body = "\n".join(line for line in chunk.splitlines() if not line.lstrip().startswith("//"))
            if body.strip():
                texts.append(body)
    return texts


def _mutate(text: str, rng: random.Random) -> str:
    kind = rng.randrange(9)
    lines = text.splitlines()
    if kind == 0:
        return text[: rng.randrange(len(text))]
    if kind == 1:
        i = rng.randrange(len(text))
        return text[:i] + text[i + rng.randrange(1, 40):]
    if kind == 2 and lines:
        i = rng.randrange(len(lines))
        lines.insert(rng.randrange(len(lines) + 1), lines[i])
        return "\n".join(lines)
    if kind == 3:
        found = list(re.finditer(r"i64|f64|i1\b|!cylon\.string|!cylon\.date", text))
        if found:
            m = rng.choice(found)
            return text[: m.start()] + rng.choice(TYPES) + text[m.end():]
    if kind == 4:
        found = list(re.finditer(r"cylon\.[a-z_]+|arith\.[a-z_]+", text))
        if found:
            m = rng.choice(found)
            return text[: m.start()] + rng.choice(OPS) + text[m.end():]
    if kind == 5:
        found = list(re.finditer(r'"[a-z_]+"', text))
        if found:
            m = rng.choice(found)
            return text[: m.start()] + rng.choice(['"zz"', '""', '"k', "k", '"sum"', '"bogus"']) + text[m.end():]
    if kind == 6:
        i = rng.randrange(len(text))
        return text[:i] + "".join(rng.choice("{}()<>[]%^:,=\"?!#@ \n0x") for _ in range(rng.randrange(1, 6))) + text[i:]
    if kind == 7:
        found = list(re.finditer(r"%[0-9a-z_]+", text))
        if found:
            m = rng.choice(found)
            return text[: m.start()] + rng.choice(["%999", "%arg7", "%0"]) + text[m.end():]
    if kind == 8 and lines:
        del lines[rng.randrange(len(lines))]
        return "\n".join(lines)
    return text.replace("->", "", 1)


@pytest.fixture(scope="module")
def seeds():
    return _seed_pipelines()


def _run(path: Path, args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["opt", str(path), *args])
    return rc, err.getvalue() + out.getvalue()


def test_seeds_parse_and_round_trip(seeds, tmp_path):
    """Every seed is valid IR that `cylonc opt` accepts."""
    for i, text in enumerate(seeds):
        f = tmp_path / f"seed{i}.mlir"
        f.write_text(text)
        rc, out = _run(f, [])
        assert rc == 0, out


def test_mutated_ir_gives_diagnostics_not_tracebacks(seeds, tmp_path):
    """Thousands of mutants: exit 0 (still valid) or 1 with a located diagnostic; no traceback."""
    rng = random.Random(20261126)
    f = tmp_path / "m.mlir"
    failures = 0
    for i in range(N_MUTANTS):
        text = _mutate(rng.choice(seeds), rng)
        f.write_text(text)
        rc, out = _run(f, ["-p", "canonicalize,cse"] if i % 3 == 0 else [])
        assert "Traceback" not in out, f"mutant {i} gave a traceback:\n{text}\n{out}"
        assert rc in (0, 1), f"mutant {i}: exit code {rc}\n{text}\n{out}"
        if rc == 1:
            failures += 1
            assert out.strip(), f"mutant {i}: failed without a diagnostic\n{text}"
            assert re.search(r"m\.mlir:\d+:\d+|line \d+|:\d+:\d+", out), f"mutant {i}: no location\n{text}\n{out}"
    assert failures > N_MUTANTS // 2


def test_cli_process_exit_code(tmp_path):
    """The real console script exits 1 with a one-line-located diagnostic."""
    f = tmp_path / "bad.mlir"
    f.write_text('%0 = cylon.col %x "a" : !cylon.row<"a": i64> -> i64\n')
    exe = Path(sys.executable).with_name("cylonc")
    proc = subprocess.run([str(exe), "opt", str(f)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert re.search(r"bad\.mlir:\d+:\d+", proc.stderr + proc.stdout)
