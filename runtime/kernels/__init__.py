"""Kernels the runtime executes plan nodes with."""
