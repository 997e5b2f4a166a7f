"""The ``cylon`` passes, one per file (file name = pass name with ``-`` as ``_``)."""

from xdsl.passes import ModulePass

ALL_PASSES: dict[str, type[ModulePass]] = {}
