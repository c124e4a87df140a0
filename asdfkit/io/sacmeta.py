"""Metadata carried by SAC headers: the event, the station, and the picks.

ObsPy keeps a SAC file's header in ``trace.stats.sac``.  From it asdfkit builds
the event (origin and magnitude; depth optional — pyasdf's sac2asdf skips
events without one), the station and channel (coordinates, orientation), and
QuakeML picks from ``a``, ``f`` and ``t0``-``t9`` with their ``ka``/``kf``/``ktN``
labels (pyasdf drops them).  Picks are relative to the header's reference time.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections.abc import Iterable
from typing import Any

from obspy import Inventory, Trace, UTCDateTime
from obspy.core.event import (
    Comment,
    Event,
    EventDescription,
    Magnitude,
    Origin,
    Pick,
    ResourceIdentifier,
    WaveformStreamID,
)
from obspy.core.inventory import Channel, Network, Site, Station
from obspy.core.inventory.util import Comment as InventoryComment
from obspy.core.util import AttribDict

__all__ = ["SacMetadata", "event_from_sac", "picks_from_sac", "reference_time", "station_from_sac"]

log = logging.getLogger(__name__)

_UNDEFINED = -12345.0
_PICK_FIELDS = [("a", "ka"), ("f", "kf")] + [(f"t{i}", f"kt{i}") for i in range(10)]
_NZ = ("nzyear", "nzjday", "nzhour", "nzmin", "nzsec", "nzmsec")
_MAGTYPES = {52: "Mb", 53: "Ms", 54: "ML", 55: "Mw", 56: "Md", 57: None}


def _header(trace: Trace) -> Any:
    """``trace.stats.sac`` as a plain mapping (an AttribDict's own dict: fast lookups), or None."""
    sac = trace.stats.get("sac")
    return vars(sac) if isinstance(sac, AttribDict) else sac


def _get(sac: Any, key: str) -> Any:
    value = sac.get(key) if sac is not None else None
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return None if not value or value == "-12345" else value
    number = float(value)
    if not math.isfinite(number) or abs(number - _UNDEFINED) < 1e-3:
        return None
    return number


def _reference(fields: list[Any]) -> UTCDateTime | None:
    """The reference time from the ``_get`` values of the nz* fields."""
    if any(f is None for f in fields):
        return None
    year, jday, hour, minute, sec, msec = (int(f) for f in fields)
    return UTCDateTime(year=year, julday=jday, hour=hour, minute=minute, second=sec, microsecond=msec * 1000)


def reference_time(trace: Trace) -> UTCDateTime | None:
    """The SAC reference time (nz* fields), or None if the header lacks it.

    Examples
    --------
    >>> from obspy import read
    >>> from obspy.core.util import get_example_file
    >>> reference_time(read(get_example_file("test.sac"))[0])
    UTCDateTime(1978, 7, 18, 8, 0)
    """
    sac = _header(trace)
    return _reference([_get(sac, k) for k in _NZ])


def _rid(kind: str, *parts: Any) -> ResourceIdentifier:
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:16]
    return ResourceIdentifier(f"smi:local/asdfkit/sac/{kind}/{digest}")


def _event(sac: Any, ref: UTCDateTime | None) -> Event | None:
    """The event of a SAC header, given its reference time."""
    lat, lon, offset = _get(sac, "evla"), _get(sac, "evlo"), _get(sac, "o")
    if lat is None or lon is None or offset is None or ref is None:
        return None
    time = ref + offset
    depth_km = _get(sac, "evdp")
    key = (round(time.timestamp, 3), round(lat, 4), round(lon, 4))
    event = Event(resource_id=_rid("event", *key))
    origin = Origin(resource_id=_rid("origin", *key), time=time, latitude=lat, longitude=lon)
    if depth_km is not None:
        # SAC's evdp is kilometres by convention (older files wrote metres; large values say so).
        origin.depth = depth_km * 1000.0 if depth_km < 1000 else depth_km
    event.origins.append(origin)
    event.preferred_origin_id = origin.resource_id
    mag = _get(sac, "mag")
    if mag is not None:
        magnitude = Magnitude(
            resource_id=_rid("magnitude", *key),
            mag=mag,
            magnitude_type=_MAGTYPES.get(int(_get(sac, "imagtyp") or 57)),
            origin_id=origin.resource_id,
        )
        event.magnitudes.append(magnitude)
        event.preferred_magnitude_id = magnitude.resource_id
    name = _get(sac, "kevnm")
    if name:
        event.event_descriptions.append(EventDescription(text=str(name), type="earthquake name"))
    event.comments.append(Comment(text="built by asdfkit from SAC header fields evla, evlo, evdp, o, mag"))
    return event


def event_from_sac(trace: Trace) -> Event | None:
    """The event described by a SAC header (needs evla, evlo and the origin time ``o``).

    Examples
    --------
    >>> from obspy import read
    >>> from obspy.core.util import get_example_file
    >>> event_from_sac(read(get_example_file("test.sac"))[0]) is None  # no event headers
    True
    """
    return _event(_header(trace), reference_time(trace))


def _channel_key(trace: Trace) -> tuple[Any, ...] | None:
    """``(network, station, lat, lon, elevation, location, channel, depth, rate, azimuth, inclination)``."""
    sac = _header(trace)
    lat, lon = _get(sac, "stla"), _get(sac, "stlo")
    if lat is None or lon is None:
        return None
    stats = trace.stats
    return (
        stats.network,
        stats.station,
        lat,
        lon,
        _get(sac, "stel"),
        stats.location,
        stats.channel,
        _get(sac, "stdp"),
        stats.sampling_rate,
        _get(sac, "cmpaz"),
        _get(sac, "cmpinc"),
    )


def _station(key: tuple[Any, ...], channels: Iterable[tuple[Any, ...]]) -> Station:
    """A Station (coordinates of ``key``) holding one Channel per channel key."""
    _, code, lat, lon, elevation = key[:5]
    out = []
    for c in channels:
        location, channel, depth, rate, azimuth, inclination = c[5:]
        out.append(
            Channel(
                code=channel,
                location_code=location,
                latitude=c[2],
                longitude=c[3],
                elevation=c[4] or 0.0,
                depth=depth or 0.0,
                sample_rate=rate,
                azimuth=azimuth,
                dip=None if inclination is None else inclination - 90.0,
                comments=_unknown(c[4], UNKNOWN_ELEVATION) + _unknown(depth, UNKNOWN_DEPTH),
            )
        )
    return Station(
        code=code, latitude=lat, longitude=lon, elevation=elevation or 0.0, site=Site(name=code), channels=out,
        comments=_unknown(elevation, UNKNOWN_ELEVATION),
    )


#: Comment on a station or channel built from a SAC header without ``stel``/``stdp``: StationXML
#: requires a value, so 0.0 stands in; a SAC export reads the comment and leaves the field undefined.
UNKNOWN_ELEVATION = "SAC stel undefined: elevation unknown (0.0 stands in)"
UNKNOWN_DEPTH = "SAC stdp undefined: depth unknown (0.0 stands in)"


def _unknown(value: float | None, text: str) -> list[InventoryComment]:
    return [InventoryComment(value=text)] if value is None else []


def station_from_sac(trace: Trace) -> Inventory | None:
    """Station and channel from stla/stlo/stel/stdp/cmpaz/cmpinc (None without coordinates).

    Examples
    --------
    >>> from obspy import read
    >>> from obspy.core.util import get_example_file
    >>> trace = read(get_example_file("test.sac"))[0]
    >>> station_from_sac(trace) is None  # test.sac has no station coordinates
    True
    """
    key = _channel_key(trace)
    if key is None:
        return None
    return Inventory(
        networks=[Network(code=key[0], stations=[_station(key, [key])])], source="asdfkit (from SAC headers)"
    )


_HYPO71 = re.compile(r"^(?P<onset>[IE])(?P<phase>[PS])(?P<pol>[UDCR+\- ]?)(?P<weight>[0-4]?)$")


def _parse_label(label: str | None) -> dict[str, Any]:
    """HYPO71-style SAC pick labels (``IPU0``): onset, phase, polarity; else the label is the phase."""
    if not label:
        return {}
    text = label.strip()
    match = _HYPO71.match(text)
    if match is None:
        return {"phase_hint": text}
    out: dict[str, Any] = {
        "onset": "impulsive" if match["onset"] == "I" else "emergent",
        "phase_hint": match["phase"],
    }
    if match["pol"] in ("U", "C", "+"):
        out["polarity"] = "positive"
    elif match["pol"] in ("D", "R", "-"):
        out["polarity"] = "negative"
    return out


def _picks(trace: Trace, sac: Any, ref: UTCDateTime | None) -> list[Pick]:
    """QuakeML picks of the SAC pick fields, given the reference time."""
    if sac is None or ref is None:
        return []
    stats = trace.stats
    picks = []
    waveform = None
    for field, label_field in _PICK_FIELDS:
        value = _get(sac, field)
        if value is None:
            continue
        if waveform is None:
            waveform = WaveformStreamID(
                network_code=stats.network,
                station_code=stats.station,
                location_code=stats.location,
                channel_code=stats.channel,
            )
        label = _get(sac, label_field)
        time = ref + value
        info = _parse_label(label)
        if field == "f" and "phase_hint" not in info:
            info["phase_hint"] = "F"
        pick = Pick(
            resource_id=_rid("pick", trace.id, field, time.ns),
            time=time,
            waveform_id=waveform,
            evaluation_mode="manual",
            **info,
        )
        text = f"SAC header {field}" + (f" ({label_field}={label!r})" if label else "")
        pick.comments.append(Comment(text=text))
        picks.append(pick)
    return picks


def picks_from_sac(trace: Trace) -> list[Pick]:
    """QuakeML picks from the SAC pick fields a, f and t0-t9 (with their labels).

    Examples
    --------
    >>> from obspy import read
    >>> from obspy.core.util import get_example_file
    >>> picks_from_sac(read(get_example_file("test.sac"))[0])  # no pick headers
    []
    """
    return _picks(trace, _header(trace), reference_time(trace))


_EVENT_FIELDS = ("evla", "evlo", "o", "evdp", "mag", "imagtyp", "kevnm")
_UNSET: Any = object()


class SacMetadata:
    """Events, picks and stations of many traces' SAC headers, each object built once.

    The per-trace functions (:func:`event_from_sac`, :func:`picks_from_sac`,
    :func:`station_from_sac`) build a new Event and a new Inventory for every
    trace.  This collector gives the same content for a whole conversion: an
    Event is built once per distinct set of event headers and shared by the
    traces that carry it, reference times are computed once per distinct nz*
    fields, and stations are collected as plain values and turned into one
    Inventory (networks, stations and channels merged by code) at the end.

    Attributes
    ----------
    events : dict[str, Event]
        The event of each trace's header, by trace key ``f"{trace.id}|{starttime.ns}"``.
    picks : dict[str, list[Pick]]
        The picks of each trace's header (traces without picks are absent).

    Examples
    --------
    >>> from obspy import read
    >>> from obspy.core.util import get_example_file
    >>> meta = SacMetadata()
    >>> meta.add(read(get_example_file("test.sac"))[0])
    >>> meta.events, meta.picks, len(meta.inventory().networks)
    ({}, {}, 0)
    """

    def __init__(self, source: str = "asdfkit (from SAC headers)") -> None:
        self.source = source
        self.events: dict[str, Event] = {}
        self.picks: dict[str, list[Pick]] = {}
        self._references: dict[tuple[Any, ...], UTCDateTime | None] = {}
        self._events: dict[tuple[Any, ...], Event | None] = {}
        # network code -> station key -> channel keys (dicts keep the order traces came in)
        self._channels: dict[str, dict[tuple[Any, ...], dict[tuple[Any, ...], None]]] = {}

    @staticmethod
    def key(trace: Trace) -> str:
        """The key of a trace in :attr:`events` and :attr:`picks`."""
        return f"{trace.id}|{trace.stats.starttime.ns}"

    def add(self, trace: Trace) -> None:
        """Collect the metadata of one trace's SAC header (traces without one are ignored).

        The station goes into :meth:`inventory` only if the trace has a
        network code (StationXML requires one) and the header has stla/stlo.
        """
        sac = _header(trace)
        if sac is None:
            return
        nz = tuple(sac.get(k) for k in _NZ)
        ref = self._references.get(nz, _UNSET)
        if ref is _UNSET:
            ref = self._references[nz] = _reference([_get(sac, k) for k in _NZ])
        header = (nz, *(sac.get(k) for k in _EVENT_FIELDS))
        event = self._events.get(header, _UNSET)
        if event is _UNSET:
            event = self._events[header] = _event(sac, ref)
        key = self.key(trace)
        if event is not None:
            self.events[key] = event
        picks = _picks(trace, sac, ref)
        if picks:
            self.picks[key] = picks
        if trace.stats.network:
            channel = _channel_key(trace)
            if channel is not None:
                stations = self._channels.setdefault(channel[0], {})
                stations.setdefault(channel[:5], {})[channel] = None

    def inventory(self) -> Inventory:
        """One Inventory of the header stations: a network per code, a station per code and coordinates.

        Identical channels of several traces (the same channel in many files)
        appear once.
        """
        networks = [
            Network(code=code, stations=[_station(key, channels) for key, channels in stations.items()])
            for code, stations in self._channels.items()
        ]
        return Inventory(networks=networks, source=self.source)
