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

__all__ = ["event_from_sac", "picks_from_sac", "reference_time", "station_from_sac"]

log = logging.getLogger(__name__)

_UNDEFINED = -12345.0
_PICK_FIELDS = [("a", "ka"), ("f", "kf")] + [(f"t{i}", f"kt{i}") for i in range(10)]
_MAGTYPES = {52: "Mb", 53: "Ms", 54: "ML", 55: "Mw", 56: "Md", 57: None}


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


def reference_time(trace: Trace) -> UTCDateTime | None:
    """The SAC reference time (nz* fields), or None if the header lacks it."""
    sac = trace.stats.get("sac")
    fields = [_get(sac, k) for k in ("nzyear", "nzjday", "nzhour", "nzmin", "nzsec", "nzmsec")]
    if any(f is None for f in fields):
        return None
    year, jday, hour, minute, sec, msec = (int(f) for f in fields)
    return UTCDateTime(year=year, julday=jday, hour=hour, minute=minute, second=sec, microsecond=msec * 1000)


def _rid(kind: str, *parts: Any) -> ResourceIdentifier:
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:16]
    return ResourceIdentifier(f"smi:local/asdfkit/sac/{kind}/{digest}")


def event_from_sac(trace: Trace) -> Event | None:
    """The event described by a SAC header (needs evla, evlo and the origin time ``o``)."""
    sac = trace.stats.get("sac")
    lat, lon, offset = _get(sac, "evla"), _get(sac, "evlo"), _get(sac, "o")
    ref = reference_time(trace)
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
        magnitude = Magnitude(resource_id=_rid("magnitude", *key), mag=mag,
                              magnitude_type=_MAGTYPES.get(int(_get(sac, "imagtyp") or 57)),
                              origin_id=origin.resource_id)
        event.magnitudes.append(magnitude)
        event.preferred_magnitude_id = magnitude.resource_id
    name = _get(sac, "kevnm")
    if name:
        event.event_descriptions.append(EventDescription(text=str(name), type="earthquake name"))
    event.comments.append(Comment(text="built by asdfkit from SAC header fields evla, evlo, evdp, o, mag"))
    return event


def station_from_sac(trace: Trace) -> Inventory | None:
    """Station and channel from stla/stlo/stel/stdp/cmpaz/cmpinc (None without coordinates)."""
    sac = trace.stats.get("sac")
    lat, lon = _get(sac, "stla"), _get(sac, "stlo")
    if lat is None or lon is None:
        return None
    stats = trace.stats
    elevation = _get(sac, "stel") or 0.0
    depth = _get(sac, "stdp") or 0.0
    azimuth = _get(sac, "cmpaz")
    inclination = _get(sac, "cmpinc")
    channel = Channel(
        code=stats.channel, location_code=stats.location, latitude=lat, longitude=lon,
        elevation=elevation, depth=depth, sample_rate=stats.sampling_rate,
        azimuth=azimuth, dip=None if inclination is None else inclination - 90.0,
    )
    station = Station(code=stats.station, latitude=lat, longitude=lon, elevation=elevation,
                      site=Site(name=stats.station), channels=[channel])
    return Inventory(networks=[Network(code=stats.network, stations=[station])],
                     source="asdfkit (from SAC headers)")


_HYPO71 = re.compile(r"^(?P<onset>[IE])(?P<phase>[PS])(?P<pol>[UDCR+\- ]?)(?P<weight>[0-4]?)$")


def _parse_label(label: str | None) -> dict[str, Any]:
    """HYPO71-style SAC pick labels (``IPU0``): onset, phase, polarity; else the label is the phase."""
    if not label:
        return {}
    text = label.strip()
    match = _HYPO71.match(text)
    if match is None:
        return {"phase_hint": text}
    out: dict[str, Any] = {"onset": "impulsive" if match["onset"] == "I" else "emergent",
                           "phase_hint": match["phase"]}
    if match["pol"] in ("U", "C", "+"):
        out["polarity"] = "positive"
    elif match["pol"] in ("D", "R", "-"):
        out["polarity"] = "negative"
    return out


def picks_from_sac(trace: Trace) -> list[Pick]:
    """QuakeML picks from the SAC pick fields a, f and t0-t9 (with their labels)."""
    sac = trace.stats.get("sac")
    ref = reference_time(trace)
    if sac is None or ref is None:
        return []
    stats = trace.stats
    waveform = WaveformStreamID(network_code=stats.network, station_code=stats.station,
                                location_code=stats.location, channel_code=stats.channel)
    picks = []
    for field, label_field in _PICK_FIELDS:
        value = _get(sac, field)
        if value is None:
            continue
        label = _get(sac, label_field)
        time = ref + value
        info = _parse_label(label)
        if field == "f" and "phase_hint" not in info:
            info["phase_hint"] = "F"
        pick = Pick(resource_id=_rid("pick", trace.id, field, time.ns), time=time,
                    waveform_id=waveform, evaluation_mode="manual", **info)
        text = f"SAC header {field}" + (f" ({label_field}={label!r})" if label else "")
        pick.comments.append(Comment(text=text))
        picks.append(pick)
    return picks
