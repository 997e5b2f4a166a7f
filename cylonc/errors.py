"""The exceptions cylonc raises. No dependencies: the runtime and the compiler both use them."""

from __future__ import annotations


class CylonError(Exception):
    """Base class of every error cylonc raises on purpose."""


class CompileError(CylonError):
    """A mistake in a pipeline or its inputs, found before any data is processed.

    The message names the problem and, where the pipeline code is known, starts with the user's
    ``file:line``.

    Examples
    --------
    >>> raise CompileError("column 'x' not found", location=("q.py", 7))
    Traceback (most recent call last):
    cylonc.errors.CompileError: q.py:7: column 'x' not found
    """

    def __init__(self, message: str, location: tuple[str, int] | None = None):
        self.problem = message
        self.location = location
        if location is not None:
            message = f"{location[0]}:{location[1]}: {message}"
        super().__init__(message)


class InputError(CompileError):
    """A pipeline input that cannot be used: missing, unreadable, corrupt, or of another schema."""


class ExecutionError(CylonError):
    """A failure while running a compiled plan (a rank, a task, a UDF, an output path)."""
