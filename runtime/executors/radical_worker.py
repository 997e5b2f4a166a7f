"""The RADICAL-Pilot raptor worker that runs cylonc function tasks (loaded by RP from this file).

A raptor master hands function tasks to this worker; ``function = "cylonc_task"`` calls
:meth:`CylonWorker.cylonc_task` in the worker process (no new process per task), which runs one
task of an artifact (``cylonc.runtime.artifact.run_task``). Artifacts stay loaded between tasks.
"""

import os
import sys

# RP's MPI worker copies RP_PROF_TGT into each task's environment; it is unset when RP
# profiling is off.
os.environ.setdefault("RP_PROF_TGT", os.devnull)

import radical.pilot as rp  # noqa: E402

from cylonc.runtime import artifact as _artifact  # noqa: E402  (warm import: pyarrow, interpreter)


class CylonWorker(rp.raptor.MPIWorker):
    """A raptor worker whose ``cylonc_task`` method runs cylonc tasks."""

    def cylonc_task(self, artifact, task_id, inputs, out_dir):
        """Run task `task_id` of `artifact` on `inputs`, writing its result into `out_dir`.

        Returns the result manifest; a failure prints the located message on stderr and
        raises, so RP marks the task FAILED.
        """
        try:
            return _artifact.run_task(artifact, task_id, inputs, out_dir)
        except Exception as exc:
            print(f"cylonc: error: {exc}", file=sys.stderr)
            raise RuntimeError(str(exc)) from None
