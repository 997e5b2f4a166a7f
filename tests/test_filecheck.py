"""Runs the lit/FileCheck IR tests under ``tests/filecheck`` (dialect round trips and verifier
diagnostics, frontend IR, stages through upstream ``mlir-opt``) as one pytest test, so that the
project's single ``pytest`` command covers them. Run them directly, with per-test output, by
``lit -v tests/filecheck``.
"""

import subprocess
import sys
from pathlib import Path

SUITE = Path(__file__).resolve().parent / "filecheck"


def test_lit_suite() -> None:
    # lit (which has no ``__main__``) runs the RUN lines with the tools installed next to this
    # interpreter (see lit.cfg.py).
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from lit.main import main; sys.exit(main())", "-q", "-v", str(SUITE)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        print(output)
    assert proc.returncode == 0, f"lit failed (exit status {proc.returncode}):\n{output}"
