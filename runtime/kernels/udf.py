"""User scalar functions: compiled with ``numba.vectorize`` per signature, applied element-wise.

Nulls: every argument's nulls are filled (0 / False) before the call and the result is null
wherever any argument is null. Functions whose types numba cannot compile (strings, dates,
timestamps, or code outside numba's nopython subset) run as plain Python over the non-null
rows.
"""

from __future__ import annotations

import base64
import pickle
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cylonc.errors import ExecutionError

from ..types import to_arrow

__all__ = ["Udf", "compile_udf", "make_udfs"]

_NUMBA_TYPES = {
    "bool": "boolean",
    "int8": "int8",
    "int16": "int16",
    "int32": "int32",
    "int64": "int64",
    "uint8": "uint8",
    "uint16": "uint16",
    "uint32": "uint32",
    "uint64": "uint64",
    "float32": "float32",
    "float64": "float64",
}
_cache: dict[tuple, Any] = {}
_lock = threading.Lock()


def compile_udf(func: Callable, arg_types: Sequence[str], return_type: str,
                key: Any = None):
    """Compile `func` with ``numba.vectorize`` for one signature (cached).

    Parameters
    ----------
    func : callable
        A plain Python function of ``len(arg_types)`` scalars.
    arg_types : list of str
        Plan types of the arguments.
    return_type : str
        Plan type of the result.
    key : hashable, optional
        Cache identity of `func` (default: the function object itself).

    Returns
    -------
    numpy.ufunc-like or None
        The compiled ufunc, or None when numba cannot compile this function/signature.
    """
    types = [*arg_types, return_type]
    if any(t not in _NUMBA_TYPES for t in types):
        return None
    sig = f"{_NUMBA_TYPES[return_type]}({', '.join(_NUMBA_TYPES[t] for t in arg_types)})"
    cache_key = (func if key is None else key, sig)
    with _lock:
        if cache_key in _cache:
            return _cache[cache_key]
    import numba

    try:
        ufunc = numba.vectorize([sig])(func)
    except Exception:
        ufunc = None
    with _lock:
        _cache[cache_key] = ufunc
    return ufunc


class Udf:
    """A plan UDF bound to its Python function; call it with argument values.

    Parameters
    ----------
    name : str
    func : callable
    arg_types : list of str
    return_type : str
    key : hashable, optional
        Cache identity for the compiled ufunc.
    """

    def __init__(self, name: str, func: Callable, arg_types: Sequence[str], return_type: str,
                 key: Any = None):
        self.name = name
        self.func = func
        self.arg_types = list(arg_types)
        self.return_type = return_type
        self._key = key
        self._ufunc = None
        self._compiled = False

    def _compile(self):
        if not self._compiled:
            self._ufunc = compile_udf(self.func, self.arg_types, self.return_type, self._key)
            self._compiled = True
        return self._ufunc

    def __call__(self, args: Sequence, n: int) -> pa.Array:
        """Apply element-wise to `args` (arrays of length `n`, or scalars broadcast to it).

        Returns
        -------
        pyarrow.Array
            Of the return type, null wherever any argument is null.

        Raises
        ------
        ExecutionError
            If the function raises, or the argument count is wrong.
        """
        if len(args) != len(self.arg_types):
            raise ExecutionError(
                f"udf {self.name!r} takes {len(self.arg_types)} arguments, got {len(args)}"
            )
        ret = to_arrow(self.return_type)
        cols = []
        for a, t in zip(args, self.arg_types):
            at = to_arrow(t)
            if isinstance(a, pa.Scalar):
                a = pa.nulls(n, at) if not a.is_valid else pa.repeat(a.cast(at), n)
            elif a.type != at:
                a = a.cast(at)
            if isinstance(a, pa.ChunkedArray):
                a = a.combine_chunks()
            cols.append(a)
        mask = None
        for a in cols:
            if a.null_count:
                m = a.is_null().to_numpy(zero_copy_only=False)
                mask = m if mask is None else (mask | m)
        try:
            ufunc = self._compile()
            if ufunc is not None:
                values = [self._filled(a) for a in cols]
                with np.errstate(all="ignore"):
                    out = np.asarray(ufunc(*values))
                if out.ndim == 0:
                    out = np.full(n, out[()])
                return pa.array(out, type=ret, mask=mask, from_pandas=False)
            return self._python(cols, mask, n, ret)
        except ExecutionError:
            raise
        except Exception as e:
            raise ExecutionError(f"udf {self.name!r} raised {type(e).__name__}: {e}") from e

    @staticmethod
    def _filled(a: pa.Array) -> np.ndarray:
        if a.null_count:
            fill = False if pa.types.is_boolean(a.type) else 0
            a = pc.fill_null(a, pa.scalar(fill, a.type))
        return a.to_numpy(zero_copy_only=False)

    def _python(self, cols, mask, n, ret) -> pa.Array:
        if mask is not None:
            keep = pa.array(np.flatnonzero(~mask))
            cols = [a.take(keep) for a in cols]
        results = list(map(self.func, *(a.to_pylist() for a in cols))) if cols else \
            [self.func() for _ in range(n)]
        if mask is None:
            return pa.array(results, type=ret, from_pandas=True)
        out = np.empty(n, dtype=object)
        out[~mask] = results
        return pa.array(out, type=ret, from_pandas=True)


def _unpickle(name: str, data: str) -> Callable:
    try:
        return pickle.loads(base64.b64decode(data))
    except Exception as e:
        raise ExecutionError(f"udf {name!r}: cannot unpickle the function: {e}") from e


def make_udfs(plan_udfs: Mapping[str, Mapping] | None,
              provided: Mapping[str, Callable] | None = None) -> dict[str, Udf]:
    """Bind the plan's UDF specs to functions.

    Parameters
    ----------
    plan_udfs : dict
        ``plan["udfs"]``: ``name -> {"name", "return_type", "arg_types", "pickle"}``.
    provided : dict, optional
        ``name -> callable`` passed to ``execute``; takes precedence over ``pickle``.

    Returns
    -------
    dict of str to Udf

    Raises
    ------
    ExecutionError
        A UDF with neither a function passed in nor a pickle, or an unloadable pickle.
    """
    provided = dict(provided or {})
    out = {}
    for name, spec in (plan_udfs or {}).items():
        func = provided.get(name)
        key = None
        if func is None:
            data = spec.get("pickle")
            if data is None:
                raise ExecutionError(
                    f"udf {name!r} has no pickled function: pass it in execute(udfs=...)"
                )
            func = _unpickle(name, data)
            key = ("pickle", data)
        if not callable(func):
            raise ExecutionError(f"udf {name!r} is not callable")
        out[name] = Udf(name, func, spec["arg_types"], spec["return_type"], key)
    return out
