"""The ``cylonc`` command: dump IR per stage, explain plans, run passes on IR text.

Examples
--------
``cylonc ir examples/tpch/queries.py:q6 --input lineitem=lineitem.parquet --stage optimized``
``cylonc opt pipeline.mlir -p canonicalize,cse``
``cylonc build examples/tpch/queries.py:q6 --input lineitem=lineitem.parquet -o q6.cylonc``
``cylonc run q6.cylonc --input lineitem=lineitem.parquet -o out.parquet``
``cylonc tasks q6.cylonc``

``run`` and ``tasks`` use the runtime alone: they never import ``cylonc.compiler``, xDSL or MLIR.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Sequence
from typing import Any

from cylonc.errors import CylonError

STAGE_HELP = "cylon, optimized, fused, placed, partitioned, lowered, llvm, tasks"


def _fail(message: str) -> int:
    print(f"cylonc: error: {message}", file=sys.stderr)
    return 1


def load_pipeline(target: str, ranks: int | None = None, device: str | None = None, obj: Any = None) -> Any:
    """The ``CompiledPipeline`` named by ``FILE.py:FUNC`` (a plain function is compiled);
    `obj` is the object already loaded from `target`, if it was."""
    from cylonc.compiler.api import CompiledPipeline
    from cylonc.compiler.pipeline import Options

    if obj is None:
        obj = load_target(target)
    base = obj.options if isinstance(obj, CompiledPipeline) else Options()
    fn = obj.fn if isinstance(obj, CompiledPipeline) else obj
    n = ranks if ranks is not None else base.ranks
    options = Options(
        ranks=n,
        device=device if device is not None else base.device,
        executor="mpi" if isinstance(n, int) and n > 1 else "local",  # ir/explain/build run nothing
        optimize=base.optimize,
    )
    return CompiledPipeline(fn, options)


def load_target(target: str) -> Any:
    """The object named by ``FILE.py:NAME`` (the file is imported)."""
    from cylonc.errors import CompileError

    path, sep, func = target.rpartition(":")
    if not sep or not path or not func:
        raise CompileError(f"expected FILE.py:FUNC, got '{target}'")
    if not os.path.isfile(path):
        raise CompileError(f"pipeline file not found: '{path}'")
    name = "_cylonc_user_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CompileError(f"cannot import '{path}'")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.pop(0)
    obj = getattr(module, func, None)
    if obj is None:
        raise CompileError(f"'{path}' has no function '{func}'")
    return obj


def _inputs(pairs: Sequence[str]) -> dict[str, str]:
    from cylonc.errors import CompileError

    out = {}
    for p in pairs or ():
        name, sep, path = p.partition("=")
        if not sep or not name or not path:
            raise CompileError(f"--input takes NAME=PATH, got '{p}'")
        out[name] = path
    return out


def _pipeline_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("target", metavar="FILE.py:FUNC", help="the pipeline function")
    p.add_argument("--input", "-i", action="append", default=[], metavar="NAME=PATH", help="an input (repeatable)")
    p.add_argument("--ranks", type=int, default=None)
    p.add_argument("--device", choices=("cpu", "gpu", "auto"), default=None)


def _opt(argv: Sequence[str]) -> int:
    from xdsl.utils.exceptions import ParseError

    from cylonc.compiler.opt import CylonOptMain, locate_error

    try:
        main = CylonOptMain(args=list(argv))
        main.run()
    except SystemExit as exc:
        return int(exc.code or 0)
    except ParseError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - every failure becomes a located diagnostic, never a traceback
        print(locate_error(main.args.input_file, exc), file=sys.stderr)
        return 1
    return 0


def _params(pairs: Sequence[str]) -> dict[str, Any]:
    import json

    from cylonc.errors import CompileError

    out: dict[str, Any] = {}
    for p in pairs or ():
        name, sep, text = p.partition("=")
        if not sep or not name:
            raise CompileError(f"--param takes NAME=VALUE, got '{p}'")
        try:
            out[name] = json.loads(text)
        except ValueError:
            out[name] = text
    return out


def _build(args: argparse.Namespace) -> int:
    """``cylonc build``: a pipeline function, or a ``cylonc.Workflow`` object, to an artifact."""
    from cylonc.compiler.workflow import Workflow

    obj = load_target(args.target)
    if isinstance(obj, Workflow):
        if args.input or args.param:
            return _fail("a workflow's inputs are given when it is defined; drop --input/--param")
        out = obj.build(args.output, kernels=not args.no_kernels)
    else:
        pipeline = load_pipeline(args.target, args.ranks, args.device, obj=obj)
        out = pipeline.build(args.output, kernels=not args.no_kernels, **_inputs(args.input), **_params(args.param))
    print(f"cylonc: wrote {out}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cylonc`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "opt":
        return _opt(argv[1:])
    parser = argparse.ArgumentParser(prog="cylonc", description="Compile pandas-style dataframe pipelines.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_ir = sub.add_parser("ir", help="print the MLIR of a stage")
    _pipeline_args(p_ir)
    p_ir.add_argument("--stage", default="cylon", help=f"one of: {STAGE_HELP}")
    p_ir.add_argument("--pretty", action="store_true", help="the ops' readable assembly instead of generic form")
    p_ex = sub.add_parser("explain", help="print the plan: operators, kernels, devices, partitioning")
    _pipeline_args(p_ex)
    sub.add_parser("opt", help="run passes on IR text: cylonc opt FILE.mlir -p PASS[,PASS...]")
    p_build = sub.add_parser("build", help="write an ahead-of-time artifact (a pipeline or a workflow)")
    _pipeline_args(p_build)
    p_build.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                         help="a scalar argument (JSON value, else a string)")
    p_build.add_argument("-o", "--output", required=True, metavar="ARTIFACT")
    p_build.add_argument("--no-kernels", action="store_true", help="do not compile the fused kernels")
    p_run = sub.add_parser("run", help="run an artifact (no compiler, no JIT)")
    p_run.add_argument("artifact")
    p_run.add_argument("--input", "-i", action="append", default=[], metavar="NAME=PATH")
    p_run.add_argument("-o", "--output", default=None, metavar="OUT", help="OUT.parquet (a folder for a workflow)")
    p_run.add_argument("--executor", choices=("local", "mpi", "radical"), default=None)
    p_run.add_argument("--ranks", type=int, default=None)
    p_tasks = sub.add_parser("tasks", help="print an artifact's RADICAL-Pilot task descriptions as JSON")
    p_tasks.add_argument("artifact")
    p_tasks.add_argument("--input", "-i", action="append", default=[], metavar="NAME=PATH")
    p_tasks.add_argument("--workdir", default="cylonc-run", help="where the tasks' outputs would go")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":  # the runtime alone: no cylonc.compiler, xDSL or MLIR
            from cylonc.runtime.artifact import run_artifact

            run_artifact(args.artifact, _inputs(args.input), args.output, executor=args.executor, ranks=args.ranks)
            return 0
        if args.command == "tasks":
            import json

            from cylonc.runtime.artifact import load
            from cylonc.runtime.executors.radical import describe_tasks

            described = describe_tasks(load(args.artifact), _inputs(args.input), args.workdir)
            sys.stdout.write(json.dumps(described, indent=1) + "\n")
            return 0
        if args.command == "build":
            return _build(args)
        pipeline = load_pipeline(args.target, args.ranks, args.device)
        inputs = _inputs(args.input)
        if args.command == "ir":
            sys.stdout.write(pipeline.ir(stage=args.stage, pretty=args.pretty, **inputs))
        else:
            sys.stdout.write(pipeline.explain(**inputs))
    except CylonError as exc:
        return _fail(str(exc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
