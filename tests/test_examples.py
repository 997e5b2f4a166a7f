"""The examples run from a shell as the README says."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_quickstart_runs_and_agrees_with_pandas():
    proc = subprocess.run(
        [sys.executable, str(REPO / "examples" / "quickstart.py")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("cylonc result (6 rows"), proc.stdout
    header = lines[1].split()
    assert header == ["region", "site", "reads", "samples", "mean_quality", "weighted_bases"]
    assert len(lines) >= 8 and "tokyo" in proc.stdout, proc.stdout
    assert "pandas agrees: yes" in lines, proc.stdout
