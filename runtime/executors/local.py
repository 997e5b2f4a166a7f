"""Runs plans in this process."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..interpreter import execute

__all__ = ["LocalExecutor"]


class LocalExecutor:
    """Execute plans in the calling process with the Arrow interpreter."""

    name = "local"

    def run(self, plan: Mapping, sources: Mapping[str, Any] | None = None,
            udfs: Mapping[str, Callable] | None = None,
            kernels: Mapping[str, Callable] | None = None):
        """Run `plan` on `sources`; see `cylonc.runtime.execute`.

        Parameters
        ----------
        plan : dict
        sources : dict
            Input name -> table, DataFrame or path.
        udfs : dict, optional
            UDF name -> Python function.
        kernels : dict, optional
            Kernel symbol -> compiled native kernel (``fused`` nodes).

        Returns
        -------
        pyarrow.Table, scalar, dict or tuple
        """
        return execute(plan, sources, udfs, kernels)
