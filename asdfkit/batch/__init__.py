"""Per-station chunked batch processing: local pool and Dask back-ends.

- :func:`run` processes one chunk of an ASDF file's stations with a function
  ``(Stream, Inventory) -> Stream`` or a :class:`Recipe`, committing each
  station atomically (restartable after a crash or SIGKILL);
- :func:`merge_chunks` combines the chunk files into the output;
- :func:`status` reports done, failed and pending stations;
- :func:`align_events` aligns every event (ICCS/MCCC) as the same kind of job.

See ``docs/batch.md``.
"""

from .alignment import align_events
from .backends import Backend
from .loader import load_function
from .partition import ChunkSpec, partition
from .recipe import STEPS, Recipe, Step
from .results import BatchStatus, ChunkStatus, merge_chunks, status
from .runner import BatchSummary, job_identity, run
from .worker import AuxiliaryOutput, StationOutput, StationResult

__all__ = [
    "STEPS",
    "AuxiliaryOutput",
    "Backend",
    "BatchStatus",
    "BatchSummary",
    "ChunkSpec",
    "ChunkStatus",
    "Recipe",
    "StationOutput",
    "StationResult",
    "Step",
    "align_events",
    "job_identity",
    "load_function",
    "merge_chunks",
    "partition",
    "run",
    "status",
]
