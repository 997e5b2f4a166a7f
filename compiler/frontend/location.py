"""Finding the user's ``file:line`` for diagnostics: the innermost frame outside cylonc."""

from __future__ import annotations

import os
import sys

import cylonc
import cylonc.compiler
import cylonc.dialects
import cylonc.runtime

_OWN_DIRS = tuple(
    os.path.dirname(os.path.abspath(m.__file__)) + os.sep  # type: ignore[arg-type]
    for m in (cylonc, cylonc.compiler, cylonc.dialects, cylonc.runtime)
)
_LIBRARY_MARKERS = (os.sep + "numpy" + os.sep, os.sep + "pandas" + os.sep, os.sep + "pyarrow" + os.sep)


def _display(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _is_launcher(path: str) -> bool:
    return os.path.basename(path) == "cylonc" and os.path.basename(os.path.dirname(path)) in ("bin", "Scripts")


def user_location() -> tuple[str, int] | None:
    """``(file, line)`` of the innermost caller that is user code, or None."""
    frame = sys._getframe(1)
    while frame is not None:
        fname = os.path.abspath(frame.f_code.co_filename)
        if not fname.startswith(_OWN_DIRS) and not any(m in fname for m in _LIBRARY_MARKERS):
            if frame.f_code.co_filename.startswith("<frozen") or _is_launcher(fname):
                return None
            return _display(frame.f_code.co_filename), frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return None
