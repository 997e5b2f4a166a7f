"""``cylonc opt``: xDSL's own ``xdsl-opt`` driver with the ``cylon`` dialect and passes
registered (they also reach plain ``xdsl-opt`` through the ``xdsl.universe`` entry point)."""

from __future__ import annotations

from xdsl.xdsl_opt_main import xDSLOptMain

from cylonc.compiler.universe import CYLONC_UNIVERSE


class CylonOptMain(xDSLOptMain):
    """``xdsl-opt`` that always knows the ``cylon`` dialect and passes."""

    def register_all_dialects(self) -> None:
        super().register_all_dialects()
        for name, factory in CYLONC_UNIVERSE.all_dialects.items():
            if name not in self.ctx.registered_dialect_names:
                self.ctx.register_dialect(name, factory)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        for name, factory in CYLONC_UNIVERSE.all_passes.items():
            self.available_passes.setdefault(name, factory)
