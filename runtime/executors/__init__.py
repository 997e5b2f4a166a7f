"""Executors: where a plan runs (in this process, under MPI, on RADICAL-Pilot)."""

from .local import LocalExecutor

__all__ = ["LocalExecutor"]
