"""Registers the ``cylon`` dialect and passes with xDSL's tools (``xdsl-opt``, ``cylonc opt``)."""

from xdsl.universe import Universe


def _cylon_dialect():
    from cylonc.dialects.cylon import Cylon

    return Cylon


def _pass(name: str):
    def factory():
        from cylonc.compiler.passes import ALL_PASSES

        return ALL_PASSES[name]

    return factory


PASS_NAMES: tuple[str, ...] = ()

CYLONC_UNIVERSE = Universe(
    all_dialects={"cylon": _cylon_dialect},
    all_passes={name: _pass(name) for name in PASS_NAMES},
)
