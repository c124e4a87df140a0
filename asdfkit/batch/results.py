"""After the chunks: their status, and merging them into the output file."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

from ..container.surgery import SurgeryReport, merge
from ..errors import BatchIncompleteError
from .journal import WorkDir
from .partition import ChunkSpec, partition

__all__ = ["BatchStatus", "ChunkStatus", "merge_chunks", "status"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChunkStatus:
    """Done, failed and pending stations of one chunk."""

    chunk: str
    done: tuple[str, ...]
    failed: dict[str, str]
    pending: tuple[str, ...]
    packed: bool
    runs: int

    def to_dict(self) -> dict[str, Any]:
        """The chunk status as a JSON-ready dictionary."""
        return {
            "chunk": self.chunk,
            "done": list(self.done),
            "failed": self.failed,
            "pending": list(self.pending),
            "packed": self.packed,
            "runs": self.runs,
        }


@dataclass(frozen=True)
class BatchStatus:
    """The state of a whole batch run, from its work folder."""

    output: str
    input: str
    job: str
    chunks: tuple[ChunkStatus, ...] = field(default_factory=tuple)

    def count(self, what: str) -> int:
        """Number of stations in state ``what`` (``done``, ``failed``, ``pending`` ...) over all chunks."""
        return sum(len(getattr(c, what)) for c in self.chunks)

    @property
    def complete(self) -> bool:
        """Whether every chunk is packed with no failed or pending station."""
        return all(c.packed and not c.failed and not c.pending for c in self.chunks)

    def to_dict(self) -> dict[str, Any]:
        """The status as a JSON-ready dictionary."""
        return {
            "output": self.output,
            "input": self.input,
            "job": self.job,
            "complete": self.complete,
            "done": self.count("done"),
            "failed": self.count("failed"),
            "pending": self.count("pending"),
            "chunks": [c.to_dict() for c in self.chunks],
        }


def status(output: str | os.PathLike[str]) -> BatchStatus:
    """Read the work folder of ``output``: done, failed and pending stations per chunk.

    Examples
    --------
    >>> s = status("bandpassed.h5")                                  # doctest: +SKIP
    >>> s.complete, s.count("failed")                                # doctest: +SKIP
    (False, 2)
    """
    work = WorkDir(output)
    plan = work.require_plan()
    chunks = []
    for index, stations in enumerate(partition(plan.stations, plan.chunks)):
        spec = ChunkSpec(index, plan.chunks)
        journal = work.journal(spec, stations)
        committed = work.parts(spec)
        done = tuple(s for s in stations if s in journal.done or s in committed)
        failed = {
            s: str(journal.failed[s].get("error", ""))
            for s in stations
            if s in journal.failed and s not in done
        }
        pending = tuple(s for s in stations if s not in done and s not in failed)
        packed = work.chunk_file(spec).exists() and not committed
        chunks.append(ChunkStatus(str(spec), done, failed, pending, packed, len(journal.runs)))
    return BatchStatus(str(output), plan.input, plan.job, tuple(chunks))


def merge_chunks(output: str | os.PathLike[str], *, partial: bool = False) -> SurgeryReport:
    """Merge every chunk file of a run into ``output`` (HDF5 object copy; idempotent).

    Refuses (:class:`~asdfkit.errors.BatchIncompleteError`) while a chunk is
    missing or stations are pending or failed, unless ``partial=True``.

    Examples
    --------
    >>> merge_chunks("bandpassed.h5").copied                         # doctest: +SKIP
    301
    """
    state = status(output)
    if not state.complete and not partial:
        problems = []
        for chunk in state.chunks:
            if chunk.failed:
                problems.append(
                    f"chunk {chunk.chunk}: {len(chunk.failed)} failed ({', '.join(sorted(chunk.failed)[:3])})"
                )
            if chunk.pending:
                problems.append(f"chunk {chunk.chunk}: {len(chunk.pending)} pending")
            elif not chunk.packed and not chunk.failed:
                problems.append(f"chunk {chunk.chunk}: not packed (run it again)")
        raise BatchIncompleteError(
            f"cannot merge {str(output)!r}: the run is incomplete ({'; '.join(problems)}); "
            "run the missing chunks again, or merge with partial=True (--partial)"
        )
    work = WorkDir(output)
    plan = work.require_plan()
    files = [work.chunk_file(ChunkSpec(i, plan.chunks)) for i in range(plan.chunks)]
    present = [f for f in files if f.exists()]
    report = merge(present, output)
    log.info("merged %d chunk file(s) into %s", len(present), output)
    return report
