"""The driver of one chunk: plan, lock, adopt, skip what is done, run the rest in tasks, journal, pack."""

from __future__ import annotations

import dataclasses
import itertools
import logging
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..atomic import commit, discard, new_temp
from ..container import open as open_asdf
from ..container.pack import pack_files
from ..errors import BatchError, DiskFullError, FormatError
from ..locking import writer_lock
from ..naming import check_tag
from .backends import Backend, run_jobs
from .journal import ChunkJournal, Plan, WorkDir
from .partition import ChunkSpec, partition
from .parts import bound_metadata_cache, root_version, verify_file, verify_part
from .recipe import Recipe
from .results import merge_chunks
from .space import require_free_space
from .worker import InputCache, StationFunction, TaskJob, TaskResult, process_task

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
    verify_seconds: float = 0.0
    tasks: int = 0
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
            "tasks": self.tasks,
            "verify_seconds": round(self.verify_seconds, 3),
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


def _survey(
    path: Path, input_tag: str | None, selection: dict[str, list[str]] | None = None
) -> tuple[list[str], str | None]:
    """Stations of the input, and the tag to read (checked against the file's tags).

    With ``selection`` (``group``/``labels``, as :meth:`ASDFFile.list_waveforms` takes
    them) the stations are those with a selected trace of that tag.
    """
    with open_asdf(path, "r") as asdf:
        bound_metadata_cache(asdf.h5)  # listing 10,000 station groups otherwise keeps ~3 MiB
        stations = asdf.stations
        tags = asdf.waveform_tags
        if input_tag is None:
            if len(tags) > 1:
                raise BatchError(
                    f"invalid input_tag None: {str(path)!r} holds several tags ({', '.join(tags)}); choose one"
                )
            input_tag = tags[0] if tags else None
        elif input_tag not in tags:
            raise BatchError(
                f"invalid input_tag {input_tag!r}: {str(path)!r} holds {', '.join(tags) or 'no waveforms'}"
            )
        if selection:
            stations = sorted({h.station_id for h in asdf.list_waveforms(tag=input_tag, **selection)})
            if not stations:
                raise BatchError(f"no trace of {str(path)!r} matches {_selection_text(selection)}")
    return stations, input_tag


def _selection_text(selection: dict[str, list[str]]) -> str:
    return ", ".join(f"{key}={'|'.join(values)}" for key, values in sorted(selection.items()))


def _selection(group: str | Sequence[str] | None, labels: str | Sequence[str] | None) -> dict[str, list[str]]:
    """The trace selection of a run, normalised (part of the run's identity: a restart must agree)."""
    chosen = {}
    for key, value in (("group", group), ("labels", labels)):
        if value:
            chosen[key] = sorted({value} if isinstance(value, str) else set(value))
    return chosen


MAX_PER_TASK = 64
"""At most this many stations per task: what a killed worker loses, and the part file's size."""

MIN_PER_TASK = 8
"""Where tasks shrink towards the end of a run, not below this many stations (a task costs a
part file: a few milliseconds of create, verify, fsync and rename)."""


def task_size(todo: int, workers: int) -> int:
    """Stations per task: about 8 tasks per worker (load balance), at most :data:`MAX_PER_TASK`.

    Examples
    --------
    >>> task_size(12, 2), task_size(1000, 2), task_size(10_000, 2)
    (1, 63, 64)
    """
    return max(1, min(MAX_PER_TASK, math.ceil(todo / (8 * max(workers, 1)))))


def task_sizes(todo: int, workers: int) -> list[int]:
    """Stations per task, in the order tasks are sent: shrinking towards the end of the run.

    Tasks start at :func:`task_size`.  With several workers, once a quarter of
    what remains per worker is less, that is the size (down to
    :data:`MIN_PER_TASK`), so the last tasks are short and the workers finish
    together: with equal tasks, one worker idles while another ends its last
    task (half a task on average, ~0.2 s at 1,000 band-pass stations on 2
    workers).

    Examples
    --------
    >>> task_sizes(1000, 1) == [64] * 15 + [40]
    True
    >>> sizes = task_sizes(1000, 2)
    >>> len(sizes), sum(sizes), sizes[:9], sizes[-3:]
    (31, 1000, [63, 63, 63, 63, 63, 63, 63, 63, 62], [8, 8, 8])
    >>> task_sizes(12, 2)
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    """
    first = task_size(todo, workers)
    smallest = min(MIN_PER_TASK, first)
    sizes = []
    remaining = todo
    while remaining > 0:
        size = first if workers <= 1 else max(smallest, min(first, math.ceil(remaining / (4 * workers))))
        sizes.append(min(size, remaining))
        remaining -= sizes[-1]
    return sizes


def _adopt(work: WorkDir, chunk: ChunkSpec, journal: ChunkJournal, mine: set[str]) -> list[str]:
    """Verify and adopt the part files the journal does not list; delete the ones that fail."""
    adopted: list[str] = []
    for name, path in work.parts(chunk).items():
        if name in journal.parts:
            continue
        try:
            units = verify_part(path)
        except BatchError as exc:
            log.warning("not adopting %s (deleted; its stations run again): %s", path, exc)
            path.unlink(missing_ok=True)
            continue
        if not units or any(u in journal.done or u not in mine for u in units):
            log.warning("deleting %s: its stations are done already (left by a process that outlived its run)", path)
            path.unlink(missing_ok=True)
            continue
        journal.adopt(name, units)
        adopted.extend(units)
    return adopted


PARALLEL_VERIFY_OBJECTS = 500
"""A chunk file of at least this many copied objects is read back by the local pool's number
of processes (at 1,000 band-pass stations: 0.16 s on 2 processes, 0.3 s on one)."""


def _pack(work: WorkDir, chunk: ChunkSpec, source: Path, journal: ChunkJournal, processes: int = 1) -> Path:
    """Merge the journaled part files (and the input's events) into the chunk file, verified, atomically.

    ``processes``: how many processes may read the new chunk file back.
    """
    target = work.chunk_file(chunk)
    present = work.parts(chunk)
    for name, path in present.items():
        if name not in journal.parts or name in journal.packed:
            # packed before (killed before deleting it), or an orphan's late part whose stations ran again
            path.unlink(missing_ok=True)
    names = [n for n in journal.parts if n in present and n not in journal.packed]
    if names or not target.exists():
        parts = [present[n] for n in names]
        needed = sum(p.stat().st_size for p in parts) + (target.stat().st_size if target.exists() else 0)
        require_free_space(target, needed)
        # created exclusively under an unpredictable name (a link planted in the folder is never
        # followed); a killed run's leftover is removed by the next run (WorkDir.remove_partials)
        temp = new_temp(target)
        sources = [*([target] if target.exists() else []), *parts]
        try:
            copied = pack_files(temp, source, sources, root_version(sources[0]) if sources else None)
            datasets = verify_file(temp, processes if copied >= PARALLEL_VERIFY_OBJECTS else 1)
        except BaseException:
            discard(temp)
            raise
        commit(temp, target)  # fsync, rename, fsync the folder
        journal.mark_packed(names, datasets)
        for part in parts:
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
    stations_per_task: int | None = None,
    group: str | Sequence[str] | None = None,
    labels: str | Sequence[str] | None = None,
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
    stations_per_task : int, optional
        Stations a worker processes and commits together in one part file
        (default :func:`task_sizes`: about 8 tasks per worker, at most 64, and
        shorter towards the end of the run with several workers).
    group, labels : str or sequence of str, optional
        Process only the traces of these trace groups (:attr:`asdfkit.ASDFFile.groups`)
        or with these labels: each station function gets its station's selected traces,
        and stations without one are not run.  Part of the run's identity.

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
    selection = _selection(group, labels)
    stations, input_tag = _survey(source, input_tag, selection)
    identity = job_identity(function) + ("" if provenance else ":no-provenance")
    if selection:
        identity += f":select({_selection_text(selection)})"
    query = tuple((key, tuple(values)) for key, values in sorted(selection.items()))
    plan = Plan(str(source.resolve()), tuple(sorted(stations)), 0, identity, tag, input_tag)

    def make_job(stations: Sequence[str], part_dir: Path) -> TaskJob:
        return TaskJob(
            source, tuple(stations), part_dir, function, tag, input_tag, compression, traceback_limit, provenance,
            query,
        )

    summary = drive(
        source,
        output,
        plan,
        make_job,
        process_task,
        chunk=chunk,
        backend=backend,
        progress=progress,
        merge_output=merge_output,
        per_task=stations_per_task,
    )
    summary.seconds = time.perf_counter() - started
    return summary


def drive(
    source: Path,
    output: str | os.PathLike[str],
    plan: Plan,
    make_job: Callable[[Sequence[str], Path], Any],
    process: Callable[[Any], TaskResult],
    *,
    chunk: ChunkSpec | None = None,
    backend: Backend | None = None,
    progress: bool = True,
    merge_output: bool | None = None,
    unit: str = "station",
    per_task: int | None = None,
) -> BatchSummary:
    """Run one chunk of any per-unit job: plan, lock, adopt, skip, run tasks, journal, pack, merge.

    ``plan.stations`` lists the units (stations, or events for alignment);
    ``make_job(units, part_dir)`` builds a picklable task and ``process(job)``
    commits the task's part file in ``part_dir`` and returns its :class:`TaskResult`.
    The chunk's lock (``OUT.batch/.chunk-I-of-N.lock``) is held from the first
    look at the journal to the packed chunk file: a second run of the same
    chunk fails with :class:`~asdfkit.errors.FileLockedError`.
    """
    chunk = chunk or ChunkSpec.from_env() or ChunkSpec(0, 1)
    backend = backend or Backend("local", workers=os.cpu_count() or 1)
    plan = dataclasses.replace(plan, chunks=chunk.count)
    work = WorkDir(output)
    work.ensure_plan(plan)
    mine = partition(plan.stations, chunk.count)[chunk.index]
    with writer_lock(work.chunk_dir(chunk)):
        journal = work.journal(chunk, mine)
        try:
            summary = _drive_locked(work, journal, source, mine, make_job, process, chunk, backend,
                                    progress, unit, per_task)
        finally:
            journal.close()
            InputCache.close()
    del journal, mine  # the merge needs neither: what the driver holds stays the station list
    if merge_output if merge_output is not None else (chunk.count == 1 and summary.ok):
        summary.merged = merge_chunks(output).to_dict()
    return summary


def _drive_locked(
    work: WorkDir,
    journal: ChunkJournal,
    source: Path,
    mine: list[str],
    make_job: Callable[[Sequence[str], Path], Any],
    process: Callable[[Any], TaskResult],
    chunk: ChunkSpec,
    backend: Backend,
    progress: bool,
    unit: str,
    per_task: int | None,
) -> BatchSummary:
    work.remove_partials(chunk)
    journal.start_run(backend.describe())
    summary = BatchSummary(str(work.output), str(chunk), backend.describe(), len(mine))
    summary.adopted = _adopt(work, chunk, journal, set(mine))
    adopted = set(summary.adopted)
    summary.skipped = [s for s in mine if s in journal.done and s not in adopted]
    todo = [s for s in mine if s not in journal.done]
    sizes = [per_task] * math.ceil(len(todo) / per_task) if per_task else task_sizes(len(todo), backend.workers)
    part_dir = work.part_dir(chunk)
    starts = itertools.accumulate(sizes, initial=0)
    jobs = [make_job(todo[start : start + size], part_dir) for start, size in zip(starts, sizes, strict=False)]
    summary.tasks = len(jobs)
    log.info(
        "chunk %s: %d %ss, %d done before, %d to process in %d task(s) on %s",
        chunk,
        len(mine),
        unit,
        len(mine) - len(todo),
        len(todo),
        len(jobs),
        backend.describe(),
    )
    fatal: str | None = None
    with tqdm(total=len(todo), desc=f"chunk {chunk}", unit=unit, disable=not progress) as bar:
        results = run_jobs(jobs, backend, process)
        try:
            for task in results:
                done: dict[str, dict[str, Any]] = {}
                failed: dict[str, dict[str, Any]] = {}
                for result in task.results:
                    entry: dict[str, Any] = {
                        "seconds": round(result.seconds, 4),
                        "traces_in": result.traces_in,
                        "traces_out": result.traces_out,
                        "pid": result.pid,
                    }
                    if result.ok:
                        done[result.station] = entry
                    else:
                        entry.update(error=result.error or "", traceback=result.traceback or "")
                        failed[result.station] = entry
                        summary.failed[result.station] = {"error": entry["error"], "traceback": entry["traceback"]}
                        log.warning("%s %s failed: %s", unit, result.station, result.error)
                    summary.processed.append(result.station)
                journal.record(task.part, done, failed)
                summary.verify_seconds += task.verify_seconds
                bar.update(len(task.results))
                if task.fatal is not None:
                    fatal = task.fatal
                    break
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()  # stop the back-end: pending tasks are cancelled
    if fatal is not None:
        raise DiskFullError(fatal)
    # the local pool's processes are gone: as many read the chunk file back (Dask's may be elsewhere)
    readers = min(backend.workers, os.cpu_count() or 1) if backend.kind == "local" else 1
    summary.chunk_file = str(_pack(work, chunk, source, journal, readers))
    journal.finish_run()
    return summary
