"""Pick an event's traces from an ASDF file and load them as seismograms.

Traces belong to an event through their ``event_id`` attribute (ASDF links
waveforms to QuakeML events that way).  Times are float seconds relative to
the event's origin time, computed from integer nanoseconds, so ``begin`` keeps
sub-microsecond precision.  An optional zero-phase Butterworth bandpass
(ObsPy) is applied here, on the whole trace, before any windowing.

Examples
--------
>>> import asdfkit
>>> from asdfkit.alignment.select import select_event
>>> with asdfkit.open("berkeley.h5") as f:                    # doctest: +SKIP
...     selection = select_event(f, "smi:local/css/example_2/event/1", channel="BHZ")
>>> [s.seed_id for s in selection.seismograms][:2]             # doctest: +SKIP
['BK.BKS..BHZ', 'BK.CMB..BHZ']
"""

from __future__ import annotations

import dataclasses
import fnmatch
import logging
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from obspy import UTCDateTime
from obspy.core.event import Event, Origin
from tqdm import tqdm

from ..container import ASDFFile, TraceHeader
from ..errors import AlignmentInputError, EventNotFoundError, NotFoundError

__all__ = [
    "DEFAULT_CHANNEL",
    "EventSelection",
    "EventSeismogram",
    "check_bandpass",
    "find_event",
    "origin_of",
    "select_event",
]

log = logging.getLogger(__name__)

#: Channels taken when none is given: vertical components.
DEFAULT_CHANNEL = "*Z"


@dataclass(frozen=True)
class EventSeismogram:
    """One trace of an event: a :class:`~asdfkit.alignment.types.Seismogram` with its identity.

    ``t0`` is NaN until an initial pick is attached (:mod:`asdfkit.alignment.picks`).
    """

    seed_id: str
    path: str  # HDF5 path of the waveform dataset
    provenance_id: str | None
    data: NDArray[np.float64]
    begin: float
    delta: float
    t0: float = math.nan
    t1: float | None = None
    flip: bool = False
    select: bool = True

    @property
    def station_id(self) -> str:
        return ".".join(self.seed_id.split(".")[:2])

    def with_t0(self, t0: float) -> EventSeismogram:
        return dataclasses.replace(self, t0=float(t0))


@dataclass(frozen=True)
class EventSelection:
    """An event, the origin chosen as time reference, and its seismograms."""

    event: Event
    origin: Origin
    tag: str
    seismograms: tuple[EventSeismogram, ...]

    @property
    def event_id(self) -> str:
        return str(self.event.resource_id)

    @property
    def reference(self) -> UTCDateTime:
        """The origin time: every time of the selection is relative to it."""
        return self.origin.time

    def with_seismograms(self, seismograms: list[EventSeismogram]) -> EventSelection:
        return dataclasses.replace(self, seismograms=tuple(seismograms))


def find_event(f: ASDFFile, event_id: str) -> Event:
    """The event whose resource id is ``event_id``, or ends with it after a ``/``, ``=``, ``:`` or ``?``.

    ``"event/1"`` finds ``smi:local/css/example_2/event/1``; ``"4218658"`` finds
    ``smi:service.iris.edu/fdsnws/event/1/query?eventid=4218658``.

    Raises
    ------
    NotFoundError
        No event, or several, match.
    """
    events = list(f.events)
    exact = [e for e in events if str(e.resource_id) == event_id]
    if exact:
        return exact[0]
    tail = [e for e in events if _ends_with(str(e.resource_id), event_id)]
    if len(tail) == 1:
        return tail[0]
    known = ", ".join(str(e.resource_id) for e in events[:5]) or "none"
    if len(tail) > 1:
        raise EventNotFoundError(
            f"event id {event_id!r} is ambiguous: it ends {len(tail)} event ids; give the full resource id"
        )
    raise EventNotFoundError(
        f"unknown event id {event_id!r}: must be the resource id of an event in /QuakeML (known: {known})"
    )


def _ends_with(resource_id: str, tail: str) -> bool:
    tail = tail.lstrip("/")
    return (
        bool(tail)
        and resource_id.endswith(tail)
        and len(resource_id) > len(tail)
        and resource_id[-len(tail) - 1] in "/=:?"
    )


def origin_of(event: Event) -> Origin:
    """The preferred (else first) origin; it must have a time."""
    origin = event.preferred_origin() or (event.origins[0] if event.origins else None)
    if origin is None or origin.time is None:
        raise AlignmentInputError(
            f"event {str(event.resource_id)!r} has no origin time: alignment times are relative to the origin"
        )
    return origin


def check_bandpass(bandpass: tuple[float, float] | None, corners: int, delta: float | None = None) -> None:
    """Refuse a bandpass that is not ``0 < low < high`` (``< Nyquist`` when ``delta`` is given)."""
    if bandpass is None:
        return
    low, high = (float(v) for v in bandpass)
    if not (0 < low < high) or not all(map(math.isfinite, (low, high))):
        raise AlignmentInputError(f"invalid bandpass {low:g}-{high:g} Hz: must satisfy 0 < low < high")
    if delta is not None and high >= 0.5 / delta:
        raise AlignmentInputError(
            f"invalid bandpass {low:g}-{high:g} Hz: high must be below the "
            f"Nyquist frequency {0.5 / delta:g} Hz"
        )
    if int(corners) != corners or not 1 <= corners <= 10:
        raise AlignmentInputError(f"invalid bandpass corners {corners!r}: must be an integer 1-10")


def _event_headers(
    f: ASDFFile, event_id: str, tag: str | None, channel: str, query: dict[str, Any]
) -> list[TraceHeader]:
    headers = f.list_waveforms(event_id=event_id, **query)
    if not headers:
        raise NotFoundError(
            f"no waveform is associated with event {event_id!r}: a trace belongs to "
            "an event through its event_id attribute"
        )
    if tag is not None:
        headers = [h for h in headers if h.tag == tag]
    headers = [h for h in headers if fnmatch.fnmatchcase(h.channel, channel)]
    if not headers:
        raise NotFoundError(f"no waveform of event {event_id!r} matches tag={tag!r}, channel={channel!r}")
    tags = sorted({h.tag for h in headers})
    if len(tags) > 1:
        raise AlignmentInputError(
            f"traces of event {event_id!r} carry several tags ({', '.join(tags)}): choose one with tag=..."
        )
    by_seed: dict[str, TraceHeader] = {}
    for header in headers:
        kept = by_seed.get(header.seed_id)
        if kept is not None:
            log.warning("%s: several segments under tag %s; aligning the longest", header.seed_id, header.tag)
        if kept is None or header.npts > kept.npts:
            by_seed[header.seed_id] = header
    return [by_seed[k] for k in sorted(by_seed)]


def select_event(
    f: ASDFFile,
    event_id: str,
    *,
    tag: str | None = None,
    channel: str | None = None,
    bandpass: tuple[float, float] | None = None,
    corners: int = 2,
    progress: bool = False,
    **query: Any,
) -> EventSelection:
    """Load an event's traces as seismograms, times relative to its origin.

    Parameters
    ----------
    f : ASDFFile
        An open file (read-only is enough).
    event_id : str
        QuakeML resource id of the event, or a unique tail of it (``"event/1"``).
    tag : str, optional
        Waveform tag; without it the event's traces must carry a single tag.
    channel : str, optional
        Channel pattern (UNIX wildcards), default :data:`DEFAULT_CHANNEL` (verticals).
    bandpass : (low, high), optional
        Zero-phase Butterworth bandpass in Hz, applied to each whole trace after a
        linear detrend and a 5 % taper.
    corners : int
        Filter corners.
    progress : bool
        Show a progress bar (tqdm) while the traces are read.
    **query
        Further keywords of :meth:`ASDFFile.list_waveforms` (``network``, ``station``...).

    Returns
    -------
    EventSelection
        Seismograms sorted by seed id, ``t0`` still NaN.
    """
    check_bandpass(bandpass, corners)
    event = find_event(f, event_id)
    origin = origin_of(event)
    rid = str(event.resource_id)
    headers = _event_headers(f, rid, tag, channel or DEFAULT_CHANNEL, query)
    reference_ns = origin.time.ns
    seismograms = []
    for header in tqdm(headers, desc="reading traces", unit="trace", disable=not progress):
        trace = f.get_waveform(header)
        if bandpass is not None:
            check_bandpass(bandpass, corners, trace.stats.delta)
            trace.data = trace.data.astype(np.float64)
            trace.detrend("linear")
            trace.taper(0.05)
            trace.filter(
                "bandpass", freqmin=bandpass[0], freqmax=bandpass[1], corners=corners, zerophase=True
            )
        seismograms.append(
            EventSeismogram(
                seed_id=header.seed_id,
                path=header.path,
                provenance_id=f.get_waveform_meta(header).provenance_id,
                data=np.asarray(trace.data, dtype=np.float64),
                begin=(header.starttime_ns - reference_ns) / 1e9,
                delta=1.0 / header.sampling_rate,
            )
        )
    log.info("event %s: %d trace(s) under tag %s", rid, len(seismograms), headers[0].tag)
    return EventSelection(event, origin, headers[0].tag, tuple(seismograms))
