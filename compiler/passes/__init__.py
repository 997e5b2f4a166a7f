"""The ``cylon`` passes, one per file (file name = pass name with ``-`` as ``_``)."""

from xdsl.passes import ModulePass

ALL_PASSES: dict[str, type[ModulePass]] = {}

from cylonc.compiler.passes.fuse import FusePass  # noqa: E402

ALL_PASSES[FusePass.name] = FusePass

from cylonc.compiler.passes.predicate_pushdown import PredicatePushdown  # noqa: E402

ALL_PASSES[PredicatePushdown.name] = PredicatePushdown

from cylonc.compiler.passes.projection_pruning import ProjectionPruning  # noqa: E402

ALL_PASSES[ProjectionPruning.name] = ProjectionPruning

from cylonc.compiler.passes.scan_pushdown import ScanPushdown  # noqa: E402

ALL_PASSES[ScanPushdown.name] = ScanPushdown

from cylonc.compiler.passes.partition import PartitionPass  # noqa: E402

ALL_PASSES[PartitionPass.name] = PartitionPass

from cylonc.compiler.passes.place import PlacePass  # noqa: E402

ALL_PASSES[PlacePass.name] = PlacePass
