"""Upstream MLIR: the lowered module to the LLVM dialect, JIT compilation, and the kernel cache.

This module is cylonc's only door to upstream MLIR (``mlir.*`` is imported here, lazily, and
nowhere else). The ``lowered`` module (xDSL) is printed as generic MLIR text, parsed by upstream
MLIR, lowered with :data:`PIPELINE` and compiled by ``mlir.execution_engine.ExecutionEngine``
at opt level 3. Compiled kernels are cached by a hash of the lowered text (plus the MLIR
version, the pipeline and the host CPU):

- in memory, so the second call of a pipeline pays no compilation;
- on disk under ``$CYLONC_CACHE_DIR`` (default ``~/.cache/cylonc``) ``/kernels/<hash>.so``:
  the engine's object file linked into a shared library with the system C compiler, which a
  later process loads with ``ctypes`` without running MLIR at all. Without a C compiler the
  LLVM-dialect text is stored instead (``<hash>.llvm.mlir``), which skips the MLIR pipeline.
  ``CYLONC_CACHE_DIR=off`` disables the disk cache.

A kernel is handed to the runtime as a callable ``kernel(*descriptor_addresses)``: one address
of a 1-D memref descriptor (``{allocated, aligned, offset, size, stride}``) per ABI argument
(see ``runtime/kernels/native.py``).
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import os
import platform
import shutil
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xdsl.dialects.builtin import ModuleOp

PIPELINE = "builtin.module(convert-scf-to-cf,convert-to-llvm,reconcile-unrealized-casts)"
"""The upstream pass pipeline from the ``lowered`` stage to the LLVM dialect."""

OPT_LEVEL = 3

KernelFn = Callable[..., None]

_lock = threading.Lock()
_memory: dict[str, dict[str, KernelFn]] = {}
_keep_alive: list[Any] = []
_warned: set[str] = set()
STATS = {"jit": 0, "disk": 0, "memory": 0}
"""How kernels were obtained in this process: JIT-compiled, loaded from disk, found in memory."""


class MLIRUnavailable(RuntimeError):
    """The ``mlir`` Python package (upstream MLIR bindings) is not installed."""


def available() -> bool:
    """Whether upstream MLIR's Python bindings are installed (nothing is imported)."""
    try:
        return importlib.util.find_spec("mlir") is not None and importlib.util.find_spec("mlir.ir") is not None
    except (ImportError, ValueError):
        return False


def warn_once(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        warnings.warn(message, RuntimeWarning, stacklevel=3)


def _mlir():
    if not available():
        raise MLIRUnavailable("the `mlir` package (upstream MLIR Python bindings) is not installed")
    import mlir.execution_engine as ee
    import mlir.ir as ir
    import mlir.passmanager as pm

    return ir, pm, ee


def module_text(module: ModuleOp) -> str:
    """Generic MLIR text of an xDSL module (what upstream MLIR parses)."""
    from cylonc.compiler.pipeline import print_ir

    return print_ir(module, generic=True)


def _lower_text(ir: Any, pm: Any, text: str) -> Any:
    mod = ir.Module.parse(text)
    pm.PassManager.parse(PIPELINE).run(mod.operation)
    return mod


def to_llvm_dialect(text: str) -> str:
    """The LLVM-dialect text (generic form) of lowered MLIR text.

    Raises
    ------
    MLIRUnavailable
        Without the ``mlir`` package.
    """
    ir, pm, _ = _mlir()
    with ir.Context():
        mod = _lower_text(ir, pm, text)
        return mod.operation.get_asm(print_generic_op_form=True)


def llvm_stage(module: ModuleOp) -> ModuleOp:
    """The ``llvm`` stage: the ``lowered`` module in the LLVM dialect, as an xDSL module of
    unregistered (generic) ops that prints back exactly what upstream MLIR produced."""
    from xdsl.context import Context
    from xdsl.dialects.builtin import Builtin
    from xdsl.parser import Parser

    text = to_llvm_dialect(module_text(module))
    ctx = Context(allow_unregistered=True)
    ctx.load_dialect(Builtin)
    return Parser(ctx, text).parse_module()


# --------------------------------------------------------------------------- cache


def cache_dir() -> Path | None:
    """The on-disk kernel cache folder (None: disabled)."""
    root = os.environ.get("CYLONC_CACHE_DIR")
    if root is not None and root.strip().lower() in ("", "off", "0", "none"):
        return None
    base = Path(root) if root else Path.home() / ".cache" / "cylonc"
    return base / "kernels"


def _host() -> str:
    try:
        import llvmlite.binding as llb  # numba's LLVM, for the host CPU name and features

        return f"{llb.get_host_cpu_name()}:{llb.get_host_cpu_features().flatten()}"
    except Exception:  # noqa: BLE001 - any failure: fall back to coarser host facts
        return f"{platform.machine()}:{platform.processor()}:{platform.node()}"


_HOST: str | None = None


def cache_key(text: str) -> str:
    """Hash of lowered MLIR text with what else decides the machine code."""
    global _HOST
    if _HOST is None:
        _HOST = _host()
    try:
        from importlib.metadata import version

        mlir_version = version("xtc-mlir-python-bindings")
    except Exception:  # noqa: BLE001
        mlir_version = "unknown"
    h = hashlib.sha256()
    for part in (text, PIPELINE, str(OPT_LEVEL), mlir_version, _HOST, platform.system()):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def _c_compiler() -> str | None:
    return os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _packed(address: int, nargs: int) -> KernelFn:
    """A callable over the engine's packed wrapper ``void(void **args)`` of a C-interface
    function, whose arguments are descriptor pointers."""
    fn = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(address)

    def call(*descriptors: int) -> None:
        if len(descriptors) != nargs:
            raise TypeError(f"kernel takes {nargs} descriptors, got {len(descriptors)}")
        ptrs = (ctypes.c_void_p * nargs)(*descriptors)
        base = ctypes.addressof(ptrs)
        size = ctypes.sizeof(ctypes.c_void_p)
        packed = (ctypes.c_void_p * nargs)(*(base + i * size for i in range(nargs)))
        fn(packed)

    call._cylonc_keep = (fn,)  # type: ignore[attr-defined]
    return call


def _from_engine(engine: Any, symbols: dict[str, int]) -> dict[str, KernelFn]:
    out: dict[str, KernelFn] = {}
    for sym, nargs in symbols.items():
        addr = engine.raw_lookup(f"_mlir_ciface_{sym}")
        if not addr:
            raise RuntimeError(f"the JIT has no kernel {sym}")
        out[sym] = _packed(addr, nargs)
    return out


def _load_disk(key: str, symbols: dict[str, int]) -> dict[str, KernelFn] | None:
    d = cache_dir()
    if d is None:
        return None
    so = d / f"{key}.so"
    if so.is_file():
        from cylonc.runtime.kernels.native import load_kernels

        try:
            return load_kernels(str(so), symbols)
        except (OSError, AttributeError):
            return None
    text_path = d / f"{key}.llvm.mlir"
    if text_path.is_file() and available():
        try:
            ir, _, ee = _mlir()
            with ir.Context():
                mod = ir.Module.parse(text_path.read_text())
                engine = ee.ExecutionEngine(mod, opt_level=OPT_LEVEL)
            _keep_alive.append(engine)
            return _from_engine(engine, symbols)
        except Exception:  # noqa: BLE001 - a bad cache entry is recompiled
            return None
    return None


def _link(engine: Any, path: Path) -> None:
    """The engine's code as a shared library at ``path`` (the system C compiler links it)."""
    cc = _c_compiler()
    if cc is None:
        raise OSError("no C compiler (cc, gcc or clang; or $CC) to link kernels with")
    with tempfile.TemporaryDirectory() as tmp:
        obj = os.path.join(tmp, "k.o")
        engine.dump_to_object_file(obj)

        def link(out: Path) -> None:
            subprocess.run(
                [cc, "-shared", "-o", str(out), obj, "-lm", "-Wl,-z,notext"],
                check=True,
                capture_output=True,
                timeout=60,
            )

        _atomic_write(path, link)


def _store_disk(key: str, engine: Any, llvm_text: str) -> None:
    d = cache_dir()
    if d is None:
        return
    try:
        if _c_compiler() is not None:
            _link(engine, d / f"{key}.so")
            return
        _atomic_write(d / f"{key}.llvm.mlir", lambda p: p.write_text(llvm_text))
    except (OSError, subprocess.SubprocessError):
        pass  # the disk cache is an optimization only


def build_shared_library(module: ModuleOp, path: str | os.PathLike) -> Path:
    """Compile a ``lowered`` module's kernels into a shared library at ``path`` (for
    ahead-of-time builds; load it with ``cylonc.runtime.kernels.native.load_kernels``).

    Raises
    ------
    MLIRUnavailable
        Without the ``mlir`` package.
    OSError
        No C compiler to link with, or the file cannot be written.
    """
    ir, pm, ee = _mlir()
    with ir.Context():
        mod = _lower_text(ir, pm, module_text(module))
        engine = ee.ExecutionEngine(mod, opt_level=OPT_LEVEL)
    out = Path(path)
    try:
        _link(engine, out)
    except subprocess.SubprocessError as exc:
        raise OSError(f"linking kernels into {out} failed: {exc}") from exc
    return out


def compile_kernels(module: ModuleOp, symbols: dict[str, int]) -> dict[str, KernelFn]:
    """JIT-compile (or fetch from cache) the kernels of a ``lowered`` module.

    Parameters
    ----------
    module : ModuleOp
        The ``lowered`` stage (``func.func`` kernels with ``llvm.emit_c_interface``).
    symbols : dict
        Kernel symbol -> number of (descriptor) arguments.

    Returns
    -------
    dict
        Symbol -> callable taking one memref descriptor address per argument.

    Raises
    ------
    MLIRUnavailable
        No cached kernels and no ``mlir`` package.
    """
    if not symbols:
        return {}
    text = module_text(module)
    key = cache_key(text)
    with _lock:
        hit = _memory.get(key)
        if hit is not None:
            STATS["memory"] += 1
            return hit
        kernels = _load_disk(key, symbols)
        if kernels is not None:
            STATS["disk"] += 1
        else:
            ir, pm, ee = _mlir()
            with ir.Context():
                mod = _lower_text(ir, pm, text)
                llvm_text = mod.operation.get_asm(print_generic_op_form=True)
                engine = ee.ExecutionEngine(mod, opt_level=OPT_LEVEL)
            _keep_alive.append(engine)
            kernels = _from_engine(engine, symbols)
            STATS["jit"] += 1
            _store_disk(key, engine, llvm_text)
        _memory[key] = kernels
        return kernels


def clear_memory_cache() -> None:
    """Forget the in-memory kernels (compiled code stays loaded); for tests."""
    with _lock:
        _memory.clear()


__all__ = [
    "MLIRUnavailable",
    "PIPELINE",
    "STATS",
    "available",
    "build_shared_library",
    "cache_dir",
    "cache_key",
    "compile_kernels",
    "module_text",
    "llvm_stage",
    "to_llvm_dialect",
]
