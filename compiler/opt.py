"""``cylonc opt``: xDSL's own ``xdsl-opt`` driver with the ``cylon`` dialect and passes
registered (they also reach plain ``xdsl-opt`` through the ``xdsl.universe`` entry point)."""

from __future__ import annotations

from xdsl.xdsl_opt_main import xDSLOptMain

from cylonc.compiler.universe import CYLONC_UNIVERSE


def _linear_string_lexer() -> None:
    """xDSL 0.74 lexes string literals with a nested-quantifier regex that backtracks
    exponentially on an unterminated string (a truncated IR file hangs the parser); the same
    language with possessive quantifiers fails in linear time."""
    import re

    from xdsl.utils.mlir_lexer import MLIRLexer

    MLIRLexer._unescaped_characters_regex = re.compile(r'"(?:[^"\\\n\v\f]++|\\(?:["nt\\]|[0-9A-Fa-f]{2}))*+"')


_linear_string_lexer()


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


def locate_error(path: str | None, exc: BaseException) -> str:
    """A one-line ``FILE:LINE:COL: error: ...`` for a failure without a parser position
    (verification errors): the line is the first use of the op the message names."""
    import re

    lines = [ln for ln in str(exc).splitlines() if ln.strip() and not set(ln.strip()) <= set("^-|")]
    message = next((ln.split("Operation does not verify:")[-1].strip() for ln in lines if "does not verify" in ln), None)
    message = message or (lines[-1].strip("| ") if lines else type(exc).__name__)
    where = path or "<stdin>"
    line, col = 1, 1
    match = re.search(r"\b([a-z_]+\.[a-z_]+)\b", message)
    if match and path is not None:
        try:
            text = open(path, encoding="utf-8", errors="replace").read().splitlines()
        except OSError:
            text = []
        for i, src in enumerate(text):
            col_found = src.find(match.group(1))
            if col_found >= 0:
                line, col = i + 1, col_found + 1
                break
    return f"{where}:{line}:{col}: error: {message}"
