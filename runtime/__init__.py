"""The cylonc runtime: executes compiled plans (see PLAN.md). Never imports the compiler."""

from .interpreter import PLAN_FORMAT, PLAN_VERSION, execute

__all__ = ["PLAN_FORMAT", "PLAN_VERSION", "execute"]
