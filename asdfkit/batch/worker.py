"""What runs in a worker: one station in, one committed part file out.

A worker opens the input read-only, reads the station's traces and
inventory, calls the user's function, and writes the result to the station's
part file under a temporary name renamed at the end: the part file either
exists complete, or not at all — also when the process is killed.  Workers
never touch the journal; they return a :class:`StationResult` to the driver.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obspy import Inventory, Stream

from ..atomic import atomic_path
from ..container import open as open_asdf
from ..errors import BatchError, NotFoundError
from ..provenance import ProvenanceRecorder, add_processed_waveforms

__all__ = ["AuxiliaryOutput", "StationJob", "StationOutput", "StationResult", "process_station"]

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
class StationJob:
    """Everything a worker needs to process one station (picklable)."""

    input: Path
    station: str
    part: Path
    function: StationFunction
    tag: str
    input_tag: str | None = None
    compression: str = "gzip"
    traceback_limit: int = 4
    provenance: bool = True


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


def _read(job: StationJob) -> tuple[Stream, Inventory, bytes | None]:
    network, station = job.station.split(".", 1)
    with open_asdf(job.input, "r") as asdf:
        stream = asdf.get_waveforms(network=network, station=station, tag=job.input_tag)
        try:
            xml = asdf.get_station_xml(job.station)
        except NotFoundError:  # a station without StationXML: an empty inventory
            return stream, Inventory(networks=[], source="asdfkit"), None
        return stream, asdf.get_station_inventory(job.station), xml


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


def _write(job: StationJob, output: StationOutput, xml: bytes | None) -> int:
    network, station = job.station.split(".", 1)
    job.part.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(job.part) as temp:
        with open_asdf(temp, "w", compression=job.compression, index_cache=False) as out:
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
                out.add_auxiliary_data(a.data, a.data_type, a.path, attrs=dict(a.attrs))
                for a in output.auxiliary
            ]
            if paths and job.provenance:
                name = getattr(job.function, "__name__", type(job.function).__name__)
                ProvenanceRecorder(out).record(
                    name,
                    inputs=[str(job.input)],
                    outputs=paths,
                    parameters={"station": job.station},
                    name=f"batch_aux_{network}_{station}".lower(),
                )
    return traces


def process_station(job: StationJob) -> StationResult:
    """Process one station and commit its part file; never raises for a failing station.

    The user's function runs inside one broad boundary: whatever it raises
    (any exception type — it is foreign code) becomes a failed
    :class:`StationResult` with a short traceback, so one bad station cannot
    stop the run.
    """
    started = time.perf_counter()
    traces_in = 0
    try:
        stream, inventory, xml = _read(job)
        traces_in = len(stream)
        output = _as_output(job.function(stream, inventory))
        traces_out = _write(job, output, xml)
    except Exception as exc:  # noqa: BLE001 - the user's function may raise anything
        log.info("station %s failed: %s: %s", job.station, type(exc).__name__, exc)
        return failed_result(job.station, started, traces_in, exc, job.traceback_limit)
    return StationResult(
        job.station, True, time.perf_counter() - started, traces_in, traces_out, pid=os.getpid()
    )
