"""After the chunks: their status, and merging them into the output file."""

from __future__ import annotations

import contextlib
import filecmp
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..container.surgery import SurgeryReport, merge
from ..errors import BatchError, BatchIncompleteError
from ..locking import writer_lock
from .journal import WorkDir
from .partition import ChunkSpec, partition
from .parts import count_datasets, fsync_file, fsync_folder, read_units
from .space import require_free_space

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
    datasets: int | None = None  # in the packed chunk file (None: not packed, or an older journal)

    def to_dict(self) -> dict[str, Any]:
        """The chunk status as a JSON-ready dictionary."""
        return {
            "chunk": self.chunk,
            "done": list(self.done),
            "failed": self.failed,
            "pending": list(self.pending),
            "packed": self.packed,
            "runs": self.runs,
            "datasets": self.datasets,
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
        unjournaled: set[str] = set()
        unpacked = False
        for name, path in work.parts(spec).items():
            if name in journal.packed:
                continue
            unpacked = True
            if name not in journal.parts:  # committed, not journaled yet (or the driver was killed)
                with contextlib.suppress(BatchError):
                    unjournaled.update(read_units(path))
        # membership tests in the journal's dict and a set, never in a tuple: linear in stations
        done = tuple(s for s in stations if s in journal.done or s in unjournaled)
        failed = {
            s: str(journal.failed[s].get("error", ""))
            for s in stations
            if s in journal.failed and s not in journal.done and s not in unjournaled
        }
        pending = tuple(s for s in stations if s not in journal.done and s not in unjournaled and s not in failed)
        packed = work.chunk_file(spec).exists() and not unpacked
        chunks.append(ChunkStatus(
            str(spec), done, failed, pending, packed, len(journal.runs), journal.datasets if packed else None
        ))
    return BatchStatus(str(output), plan.input, plan.job, tuple(chunks))


def merge_chunks(
    output: str | os.PathLike[str], *, partial: bool = False, progress: bool = False
) -> SurgeryReport:
    """Merge every chunk file of a run into ``output`` (HDF5 object copy; idempotent).

    Refuses (:class:`~asdfkit.errors.BatchIncompleteError`) while a chunk is
    missing or stations are pending or failed, unless ``partial=True``.
    ``progress`` shows a progress bar (stderr) while objects are copied.

    Examples
    --------
    >>> merge_chunks("bandpassed.h5").copied                         # doctest: +SKIP
    301
    """
    work = WorkDir(output)
    plan = work.require_plan()
    specs = [ChunkSpec(i, plan.chunks) for i in range(plan.chunks)]
    with contextlib.ExitStack() as locks:
        for spec in specs:  # no chunk may be running while its file is merged (or its state read)
            if work.chunk_dir(spec).exists() or work.chunk_file(spec).exists():
                locks.enter_context(writer_lock(work.chunk_dir(spec)))
        state = status(output)
        if not state.complete and not partial:
            raise BatchIncompleteError(
                f"cannot merge {str(output)!r}: the run is incomplete ({'; '.join(_problems(state))}); "
                "run the missing chunks again, or merge with partial=True (--partial)"
            )
        present = [(f, c) for f, c in zip((work.chunk_file(s) for s in specs), state.chunks, strict=True)
                   if f.exists()]
        target = Path(output)
        if len(present) == 1 and not target.exists():
            report = _copy_single(*present[0], target)
        else:
            report = merge([f for f, _ in present], output, progress=progress)
    log.info("merged %d chunk file(s) into %s", len(present), output)
    return report


def _problems(state: BatchStatus) -> list[str]:
    """What keeps each chunk of an incomplete run from being merged."""
    problems = []
    for chunk in state.chunks:
        if chunk.failed:
            problems.append(f"chunk {chunk.chunk}: {len(chunk.failed)} failed ({', '.join(sorted(chunk.failed)[:3])})")
        if chunk.pending:
            problems.append(f"chunk {chunk.chunk}: {len(chunk.pending)} pending")
        elif not chunk.packed and not chunk.failed:
            problems.append(f"chunk {chunk.chunk}: not packed (run it again)")
    return problems


def _copy_single(chunk_file: Path, chunk: ChunkStatus, target: Path) -> SurgeryReport:
    """One chunk file and no output yet: the output is that file (what a merge would write).

    A hard link where the file system allows it (the chunk file was verified
    when it was packed; writers that replace the output atomically break the
    link, leaving the chunk file as it was), else a byte copy compared with
    its source before it is renamed into place.
    """
    size = chunk_file.stat().st_size
    with writer_lock(target):
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        os.close(fd)
        temp = Path(name)
        try:
            temp.unlink()
            try:
                os.link(chunk_file, temp)
            except OSError:  # no hard links here (another file system, FAT, some network mounts)
                require_free_space(target, size)
                shutil.copyfile(chunk_file, temp)
                fsync_file(temp)
                if not filecmp.cmp(chunk_file, temp, shallow=False):
                    raise BatchError(f"copying {str(chunk_file)!r} to {str(temp)!r} gave different bytes") from None
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    fsync_folder(target.parent)
    report = SurgeryReport(str(target), size_before=None, size_after=size)
    # linked whole: no per-object paths to list, and the datasets as the pack counted them
    report.copied = chunk.datasets if chunk.datasets is not None else count_datasets(target)
    return report
