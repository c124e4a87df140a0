"""What runs in a worker: a task of many stations in, one verified part file out.

A worker keeps the input open (read-only, once per process, see
:class:`InputCache`), and for each station of its task reads the traces and
inventory, calls the user's function and adds the result to the task's part
file, written under a temporary name.  When the task is done the part file is
closed, read back, fsync'ed and renamed (:func:`~asdfkit.batch.parts.commit_part`):
it either exists complete, or not at all — also when the process is killed.
Before each station is written, the free space is checked (a full disk stops
the run cleanly instead of meeting libhdf5).  Workers never touch the journal;
they return a :class:`TaskResult` to the driver.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from obspy import Inventory, Stream

from ..container import open as open_asdf
from ..errors import BatchError, DiskFullError
from ..provenance import ProvenanceRecorder, add_processed_waveforms
from .parts import bound_metadata_cache, commit_part, part_name, set_units, temp_for
from .space import SpaceBudget

if TYPE_CHECKING:
    from ..container.file import ASDFFile
    from ..container.index import TraceHeader

__all__ = [
    "AuxiliaryOutput",
    "InputCache",
    "StationOutput",
    "StationResult",
    "TaskJob",
    "TaskResult",
    "process_task",
]

log = logging.getLogger(__name__)

StationFunction = Callable[[Stream, Inventory], Any]


@dataclass(frozen=True)
class AuxiliaryOutput:
    """An auxiliary dataset a station function produces (stored under ``data_type/path``)."""

    data: Any
    data_type: str
    path: str
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StationOutput:
    """What a station function may return besides a plain ``Stream``.

    Examples
    --------
    >>> def rms(st, inv):                                           # doctest: +SKIP
    ...     values = [float((tr.data.astype(float) ** 2).mean() ** 0.5) for tr in st]
    ...     sid = st[0].stats.network + "_" + st[0].stats.station
    ...     return StationOutput(auxiliary=[AuxiliaryOutput(values, "RMS", sid)])
    """

    stream: Stream | None = None
    auxiliary: Sequence[AuxiliaryOutput] = ()


@dataclass(frozen=True)
class TaskJob:
    """Everything a worker needs to process a task of stations into one part file (picklable)."""

    input: Path
    stations: tuple[str, ...]
    part_dir: Path
    function: StationFunction
    tag: str
    input_tag: str | None = None
    compression: str = "gzip"
    traceback_limit: int = 4
    provenance: bool = True
    query: tuple[tuple[str, tuple[str, ...]], ...] = ()  # trace selection: (("group", names), ("labels", ...))


@dataclass(frozen=True)
class StationResult:
    """The outcome of one station, sent back to the driver."""

    station: str
    ok: bool
    seconds: float
    traces_in: int = 0
    traces_out: int = 0
    error: str | None = None
    traceback: str | None = None
    pid: int = 0


@dataclass(frozen=True)
class TaskResult:
    """The outcome of a task: its stations' results and the part file that commits the good ones.

    ``fatal`` is set when the task had to stop the whole run (a full disk): the
    driver raises it as :class:`~asdfkit.errors.DiskFullError` after journaling
    what was committed.
    """

    results: tuple[StationResult, ...]
    part: str | None = None
    verify_seconds: float = 0.0
    fatal: str | None = None


def failed_result(unit: str, started: float, traces_in: int, exc: BaseException, limit: int) -> StationResult:
    """The result of a unit whose work raised ``exc``: the error and the last ``limit`` frames."""
    summary = "".join(traceback.format_exception(exc, limit=-limit)).strip()
    return StationResult(
        unit,
        False,
        time.perf_counter() - started,
        traces_in,
        0,
        f"{type(exc).__name__}: {exc}",
        summary,
        os.getpid(),
    )


class _OpenInput:
    """An input file held open by one process, with its traces grouped by station."""

    def __init__(self, path: Path, tag: str | None, query: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> None:
        self.file = open_asdf(path, "r")
        bound_metadata_cache(self.file.h5)  # read once per station over the whole run: keep memory flat
        self.headers: Callable[[str], list[TraceHeader]]
        if query:  # a selection (groups, labels) is answered from the file's header table, once
            selected: dict[str, list[TraceHeader]] = {}
            for header in self.file.list_waveforms(tag=tag, **{key: list(values) for key, values in query}):
                selected.setdefault(header.station_id, []).append(header)
            self.headers = lambda station: selected.get(station, [])
        else:  # the table and a list of rows per station, not a header object per trace of the input
            self.headers = self.file.headers_by_station(tag)

    def read(self, station: str) -> tuple[Stream, Inventory, bytes | None]:
        stream = Stream([self.file.get_waveform(h) for h in self.headers(station)])
        found = self.file.find_station(station)
        if found is None:  # a station without StationXML: an empty inventory
            return stream, Inventory(networks=[], source="asdfkit"), None
        return stream, found[1], found[0]


class InputCache:
    """The input kept open in each worker (one file per thread), keyed by path, state and tag.

    Opening the input and grouping its traces by station happens once per
    process instead of once per station.  The key holds the process id (a
    forked child never uses its parent's handle) and the file's inode, size
    and modification time (a rewritten input is opened again).  Threads (Dask
    with ``processes=False``) each get their own handle: an open file's
    Python-side state is not shared between threads.
    """

    _lock = threading.Lock()
    _open: dict[int, tuple[tuple[Any, ...], _OpenInput]] = {}

    @classmethod
    def get(cls, path: Path, tag: str | None, query: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> _OpenInput:
        st = os.stat(path)
        key = (str(path), tag, query, os.getpid(), st.st_ino, st.st_size, st.st_mtime_ns)
        thread = threading.get_ident()
        with cls._lock:
            current = cls._open.get(thread)
            if current is not None and current[0] == key:
                return current[1]
            if current is not None:
                cls._discard(thread)
        opened = _OpenInput(path, tag, query)
        with cls._lock:
            cls._open[thread] = (key, opened)
        return opened

    @classmethod
    def _discard(cls, thread: int) -> None:
        key, opened = cls._open.pop(thread)
        if key[3] == os.getpid():
            opened.file.close()

    @classmethod
    def close(cls) -> None:
        """Close the inputs this process holds open (after a run: in-process, or on Dask workers)."""
        with cls._lock:
            for thread in list(cls._open):
                cls._discard(thread)


def _as_output(result: Any) -> StationOutput:
    if result is None:
        return StationOutput()
    if isinstance(result, StationOutput):
        return result
    if isinstance(result, Stream):
        return StationOutput(stream=result)
    raise BatchError(
        f"invalid station function result {type(result).__name__}: must be a Stream, a StationOutput or None"
    )


def _estimate(output: StationOutput, xml: bytes | None) -> int:
    """Uncompressed bytes a station adds to a part file, with room for headers and provenance."""
    size = len(xml or b"") + 64 * 1024
    if output.stream is not None:
        size += sum(tr.data.nbytes for tr in output.stream)
    size += sum(np.asarray(a.data).nbytes for a in output.auxiliary)
    return size


def _write(out: ASDFFile, job: TaskJob, station_id: str, output: StationOutput, xml: bytes | None) -> int:
    network, station = station_id.split(".", 1)
    if xml is not None:
        out.add_stations(xml)
    traces = 0
    if output.stream is not None and len(output.stream):
        if job.provenance:
            add_processed_waveforms(
                out,
                output.stream,
                job.tag,
                document_name=f"batch_{job.tag}_{network}_{station}".lower(),
            )
        else:
            out.add_waveforms(output.stream, job.tag)
        traces = len(output.stream)
    paths = [
        out.add_auxiliary_data(a.data, a.data_type, a.path, attrs=dict(a.attrs)) for a in output.auxiliary
    ]
    if paths and job.provenance:
        name = getattr(job.function, "__name__", type(job.function).__name__)
        ProvenanceRecorder(out).record(
            name,
            inputs=[str(job.input)],
            outputs=paths,
            parameters={"station": station_id},
            name=f"batch_aux_{network}_{station}".lower(),
        )
    return traces


class _WriteFailed(Exception):
    """Writing one station's output failed: the part file may hold half of it and is discarded."""

    def __init__(self, result: StationResult) -> None:
        super().__init__(result.error)
        self.result = result


def _attempt(job: TaskJob, skip: dict[str, StationResult]) -> TaskResult:
    """One pass over the task's stations (those in ``skip`` are already failed) into one part file."""
    source = InputCache.get(job.input, job.input_tag, job.query)
    results: list[StationResult] = []
    committed: list[str] = []
    final = job.part_dir / part_name(job.stations[0], len(job.stations))
    temp = temp_for(final)
    space = SpaceBudget(temp)
    out: ASDFFile | None = None
    try:
        for station in job.stations:
            if station in skip:
                results.append(skip[station])
                continue
            started = time.perf_counter()
            traces_in = 0
            try:
                stream, inventory, xml = source.read(station)
                traces_in = len(stream)
                output = _as_output(job.function(stream, inventory))
            except Exception as exc:  # noqa: BLE001 - the user's function may raise anything
                log.info("station %s failed: %s: %s", station, type(exc).__name__, exc)
                results.append(failed_result(station, started, traces_in, exc, job.traceback_limit))
                continue
            space.take(_estimate(output, xml))
            try:
                if out is None:
                    job.part_dir.mkdir(parents=True, exist_ok=True)
                    out = open_asdf(temp, "x", compression=job.compression, index_cache=False)
                traces_out = _write(out, job, station, output, xml)
            except DiskFullError:
                raise
            except Exception as exc:  # noqa: BLE001 - e.g. a trace the container refuses
                raise _WriteFailed(failed_result(station, started, traces_in, exc, job.traceback_limit)) from exc
            committed.append(station)
            results.append(
                StationResult(station, True, time.perf_counter() - started, traces_in, traces_out, pid=os.getpid())
            )
        if out is None:
            return TaskResult(tuple(results))
        set_units(out.h5, committed)
        out.close()
        out = None
        verify = commit_part(temp, final, committed)
    except BaseException:
        if out is not None:
            try:
                out.close()
            except Exception:  # noqa: BLE001 - already failing; the file is discarded
                log.debug("closing the discarded part %s failed", temp, exc_info=True)
        temp.unlink(missing_ok=True)
        raise
    return TaskResult(tuple(results), final.name, verify)


def process_task(job: TaskJob) -> TaskResult:
    """Process a task's stations and commit them in one part file; never raises for a failing station.

    The user's function runs inside one broad boundary: whatever it raises
    (any exception type — it is foreign code) becomes a failed
    :class:`StationResult` with a short traceback, so one bad station cannot
    stop the run.  A station whose output cannot be written is failed too; the
    part file that may hold half of it is discarded and the task done again
    without it.  A full disk ends the task with ``fatal`` set.
    """
    skip: dict[str, StationResult] = {}
    while True:
        try:
            return _attempt(job, skip)
        except _WriteFailed as failure:
            log.info("station %s could not be written: %s", failure.result.station, failure.result.error)
            skip[failure.result.station] = failure.result
        except DiskFullError as exc:
            return TaskResult((), None, 0.0, str(exc))
