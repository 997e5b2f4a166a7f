#!/usr/bin/env bash
# The GPU check: run from the repository root on a machine with a CUDA GPU and CuPy.
#
#   bash benchmarks/gpu_check.sh [SF]          # SF defaults to 1
#
# 1. reports the GPU and the Python packages it uses;
# 2. installs wheels carried in .whl/ (see README "GPU"), if any, into /tmp/site;
# 3. makes `import cylonc` work from this checkout without an install (a symlink tree);
# 4. runs the GPU tests: generated CUDA source compiled by nvcc, the kernels on the device,
#    placement, and the differential suite with device="gpu" (tests/test_gpu_codegen.py -m gpu);
# 5. times TPC-H Q1, Q3, Q5, Q6 at SF with device="gpu" against "cpu" and writes the table to
#    $OUT/gpu_results.md (benchmarks/gpu_check.py).
# Logs and the table go to $OUT (default /tmp/cylonc-gpu-check). Exit status: non-zero if a
# step failed; every step runs regardless.

set -u
SF="${1:-1}"
OUT="${OUT:-/tmp/cylonc-gpu-check}"
PY="${PYTHON:-python3}"
mkdir -p "$OUT"
# PYTHONSAFEPATH: `python -` and `python -c` must not import the checkout's own cylonc/ folder
# (the public surface alone) in place of the package assembled below.
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PYTHONSAFEPATH=1
unset CYLONC_GPU_EMULATE
status=0
step() { echo; echo "=== $*"; }

step "device"
nvidia-smi -L 2>&1 | head -4
command -v nvcc >/dev/null && nvcc --version | tail -1

step "carried wheels"
if ls .whl/*.whl >/dev/null 2>&1; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && export PYTHONPATH="/tmp/site${PYTHONPATH:+:$PYTHONPATH}"
  export PATH="/tmp/site/bin:$PATH"
else
  echo "none (.whl/ is empty)"
fi

step "cylonc from this checkout"
if ! "$PY" -c "import cylonc.compiler.api" 2>/dev/null; then
  SRC=/tmp/cylonc-src
  rm -rf "$SRC" && mkdir -p "$SRC/cylonc"
  for f in cylonc/*; do ln -s "$PWD/$f" "$SRC/cylonc/$(basename "$f")"; done
  for d in compiler dialects runtime; do ln -s "$PWD/$d" "$SRC/cylonc/$d"; done
  export PYTHONPATH="$SRC${PYTHONPATH:+:$PYTHONPATH}"
  mkdir -p "$SRC/bin" && printf '#!/bin/sh\nexec %s -m cylonc.cli "$@"\n' "$PY" > "$SRC/bin/cylonc" && chmod +x "$SRC/bin/cylonc"
  export PATH="$SRC/bin:$PATH"
fi
"$PY" - <<'EOF' 2>&1 | tee "$OUT/versions.txt"
import importlib, sys
print("python", sys.version.split()[0])
for name in ("cylonc", "cupy", "xdsl", "pyarrow", "pandas", "numpy", "numba", "pytest", "hypothesis", "mlir"):
    try:
        m = importlib.import_module(name)
        print(name, getattr(m, "__version__", "?"))
    except Exception as exc:
        print(name, "MISSING:", type(exc).__name__, exc)
from cylonc.runtime.kernels import cupy as G
print("gpu_problem:", G.gpu_problem())
EOF

step "GPU tests (tests/test_gpu_codegen.py, tests/test_placement.py; -m gpu runs the differential suite)"
( cd tests && timeout 420 "$PY" -m pytest -q -p no:cacheprovider -rs -x test_gpu_codegen.py test_placement.py \
    -m "not slow" 2>&1 | tee "$OUT/gpu_tests.log" | tail -40 ) || status=1
grep -q " passed" "$OUT/gpu_tests.log" && ! grep -q -E "[0-9]+ (failed|error)" "$OUT/gpu_tests.log" || status=1

step "TPC-H SF $SF: device=gpu vs device=cpu"
timeout 300 "$PY" benchmarks/gpu_check.py --sf "$SF" --repeat 3 --out "$OUT/gpu_results.md" 2>&1 | tee "$OUT/tpch.log" | tail -30 \
  || status=1
[ -s "$OUT/gpu_results.md" ] || status=1

step "done (status $status); results in $OUT"
ls -la "$OUT"
exit $status
