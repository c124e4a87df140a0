"""The driver of one chunk: plan, skip what is done, run the rest, journal, pack."""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..container import open as open_asdf
from ..container.surgery import MergeSource, merge
from ..errors import BatchError, FormatError
from ..naming import check_tag
from .backends import Backend, run_jobs
from .journal import ChunkJournal, Plan, WorkDir
from .partition import ChunkSpec, partition
from .recipe import Recipe
from .results import merge_chunks
from .worker import StationFunction, StationJob, StationResult, process_station

__all__ = ["BatchSummary", "drive", "job_identity", "run"]

log = logging.getLogger(__name__)


@dataclass
class BatchSummary:
    """What one ``run`` of one chunk did."""

    output: str
    chunk: str
    backend: str
    stations: int
    processed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    failed: dict[str, dict[str, str]] = field(default_factory=dict)
    seconds: float = 0.0
    chunk_file: str = ""
    merged: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """Whether no station failed."""
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        """The summary as a JSON-ready dictionary."""
        return {
            "output": self.output,
            "chunk": self.chunk,
            "backend": self.backend,
            "ok": self.ok,
            "stations": self.stations,
            "processed": len(self.processed),
            "skipped": len(self.skipped),
            "adopted": len(self.adopted),
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
            "chunk_file": self.chunk_file,
            "merged": self.merged,
        }


def job_identity(function: StationFunction) -> str:
    """A stable name of the job (a recipe's hash, or a function's dotted name)."""
    if isinstance(function, Recipe):
        return f"recipe:{function.name}:{function.fingerprint}"
    module = getattr(function, "__module__", type(function).__module__)
    name = getattr(function, "__qualname__", type(function).__qualname__)
    return f"function:{module}.{name}"


def _survey(path: Path, input_tag: str | None) -> tuple[list[str], str | None]:
    """Stations of the input, and the tag to read (checked against the file's tags)."""
    with open_asdf(path, "r") as asdf:
        stations = asdf.stations
        tags = asdf.waveform_tags
    if input_tag is None:
        if len(tags) > 1:
            raise BatchError(
                f"invalid input_tag None: {str(path)!r} holds several tags ({', '.join(tags)}); choose one"
            )
        return stations, tags[0] if tags else None
    if input_tag not in tags:
        raise BatchError(
            f"invalid input_tag {input_tag!r}: {str(path)!r} holds {', '.join(tags) or 'no waveforms'}"
        )
    return stations, input_tag


def _pack(work: WorkDir, chunk: ChunkSpec, source: Path, journal: ChunkJournal) -> Path:
    """Merge the committed part files (and the input's events) into the chunk file, atomically."""
    target = work.chunk_file(chunk)
    parts = work.parts(chunk)
    if parts or not target.exists():
        merge([MergeSource.of(source, ["events"]), *parts.values()], target)
    for station, part in parts.items():
        if station in journal.done:
            part.unlink()  # its content is in the chunk file now
    return target


def run(
    input: str | os.PathLike[str],  # noqa: A002 - the natural name
    output: str | os.PathLike[str],
    function: StationFunction,
    *,
    chunk: ChunkSpec | None = None,
    backend: Backend | None = None,
    tag: str | None = None,
    input_tag: str | None = None,
    compression: str = "gzip",
    progress: bool = True,
    merge_output: bool | None = None,
    traceback_limit: int = 4,
    provenance: bool = True,
) -> BatchSummary:
    """Run ``function(stream, inventory)`` over the stations of one chunk of an ASDF file.

    Parameters
    ----------
    input : path
        The ASDF file to process (opened read-only by every worker).
    output : path
        The merged output file; chunk files and journals live in ``OUTPUT.batch/``.
    function : callable or Recipe
        ``(Stream, Inventory) -> Stream | StationOutput | None``; must be
        picklable (a module-level function) for process and Dask workers.
    chunk : ChunkSpec, optional
        This job's chunk (default: the SLURM array task's, else ``0/1``).
    backend : Backend, optional
        Default: a local process pool with one process per CPU.
    tag, input_tag : str, optional
        Output tag (default the recipe's, else ``processed``); the tag to read
        (needed when the input holds several).
    merge_output : bool, optional
        Merge into ``output`` at the end; default: when the run has one chunk
        and no station failed.
    provenance : bool
        Record the SEIS-PROV chain of every output trace (default); ``False``
        stores the data alone (faster for long processing histories).

    Returns
    -------
    BatchSummary
        Stations processed, skipped (done before), adopted and failed (with tracebacks).

    Examples
    --------
    >>> from asdfkit.batch import Recipe, run                       # doctest: +SKIP
    >>> recipe = Recipe.load("bandpass.toml")                       # doctest: +SKIP
    >>> summary = run("raw.h5", "bandpassed.h5", recipe, chunk=ChunkSpec(0, 4))  # doctest: +SKIP
    >>> summary.to_dict()["processed"]                              # doctest: +SKIP
    25
    """
    started = time.perf_counter()
    source = Path(input)
    if not source.exists():
        raise FormatError(f"cannot open {str(source)!r}: no such file") from FileNotFoundError(source)
    if isinstance(function, Recipe):
        tag = tag or function.tag
        input_tag = input_tag or function.input_tag
    tag = check_tag(tag or "processed")
    stations, input_tag = _survey(source, input_tag)
    identity = job_identity(function) + ("" if provenance else ":no-provenance")
    plan = Plan(str(source.resolve()), tuple(sorted(stations)), 0, identity, tag, input_tag)

    def make_job(station: str, part: Path) -> StationJob:
        return StationJob(
            source, station, part, function, tag, input_tag, compression, traceback_limit, provenance
        )

    summary = drive(
        source,
        output,
        plan,
        make_job,
        process_station,
        chunk=chunk,
        backend=backend,
        progress=progress,
        merge_output=merge_output,
    )
    summary.seconds = time.perf_counter() - started
    return summary


def drive(
    source: Path,
    output: str | os.PathLike[str],
    plan: Plan,
    make_job: Callable[[str, Path], Any],
    process: Callable[[Any], StationResult],
    *,
    chunk: ChunkSpec | None = None,
    backend: Backend | None = None,
    progress: bool = True,
    merge_output: bool | None = None,
    unit: str = "station",
) -> BatchSummary:
    """Run one chunk of any per-unit job: plan, adopt, skip, run, journal, pack, merge.

    ``plan.stations`` lists the units (stations, or events for alignment);
    ``make_job(unit, part_path)`` builds a picklable job and ``process(job)``
    commits the unit's part file and returns its :class:`StationResult`.
    """
    chunk = chunk or ChunkSpec.from_env() or ChunkSpec(0, 1)
    backend = backend or Backend("local", workers=os.cpu_count() or 1)
    plan = dataclasses.replace(plan, chunks=chunk.count)
    work = WorkDir(output)
    work.ensure_plan(plan)
    mine = partition(plan.stations, chunk.count)[chunk.index]
    journal = work.journal(chunk, mine)
    work.remove_partials(chunk)
    journal.start_run(backend.describe())
    summary = BatchSummary(str(output), str(chunk), backend.describe(), len(mine))
    committed = work.parts(chunk)
    for name in mine:
        if name in committed and name not in journal.done:
            journal.adopt(name)
            summary.adopted.append(name)
    summary.skipped = [s for s in mine if s in journal.done and s not in summary.adopted]
    todo = [s for s in mine if s not in journal.done]
    jobs = [make_job(name, work.part(chunk, name)) for name in todo]
    log.info(
        "chunk %s: %d %ss, %d done before, %d to process on %s",
        chunk,
        len(mine),
        unit,
        len(mine) - len(todo),
        len(todo),
        backend.describe(),
    )
    with tqdm(total=len(jobs), desc=f"chunk {chunk}", unit=unit, disable=not progress) as bar:
        for result in run_jobs(jobs, backend, process):
            entry: dict[str, Any] = {
                "seconds": round(result.seconds, 4),
                "traces_in": result.traces_in,
                "traces_out": result.traces_out,
                "pid": result.pid,
            }
            if not result.ok:
                entry.update(error=result.error or "", traceback=result.traceback or "")
                summary.failed[result.station] = {"error": entry["error"], "traceback": entry["traceback"]}
                log.warning("%s %s failed: %s", unit, result.station, result.error)
            journal.record(result.station, entry, result.ok)
            summary.processed.append(result.station)
            bar.update(1)
    summary.chunk_file = str(_pack(work, chunk, source, journal))
    journal.finish_run()
    if merge_output if merge_output is not None else (chunk.count == 1 and summary.ok):
        summary.merged = merge_chunks(output).to_dict()
    return summary
