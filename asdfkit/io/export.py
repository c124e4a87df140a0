"""Out of ASDF: miniSEED, SAC (with event, station, distance and picks), StationXML, QuakeML.

Selections use the container's queries (codes with wildcards, tag, time
window...).  Every output file is written under a temporary name and renamed,
so an interrupted export never leaves a half-written file.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from obspy import Inventory, Stream, Trace, UTCDateTime
from obspy.core.event import Catalog, Event
from obspy.core.inventory import Network
from obspy.core.util import AttribDict
from obspy.geodetics import gps2dist_azimuth, kilometer2degrees

from ..atomic import atomic_path
from ..container import ASDFFile, TraceHeader
from ..container import open as open_asdf
from ..container.obspyxml import write_quakeml, write_stationxml
from ..errors import InvalidValueError, NotFoundError
from .selection import select_events, select_inventory

__all__ = ["EXPORT_FORMATS", "ExportReport", "export"]

log = logging.getLogger(__name__)

EXPORT_FORMATS = ("mseed", "sac", "stationxml", "quakeml")
_PICK_SLOTS = ["a"] + [f"t{i}" for i in range(10)] + ["f"]
_IMAGTYP = {"mb": 52, "ms": 53, "ml": 54, "mw": 55, "md": 56}  # SAC imb, ims, iml, imw, imd
_FROM_SAC = re.compile(r"^SAC header (a|f|t[0-9])\b")


def _pick_slots(picks: list[Any]) -> dict[str, Any]:
    """SAC pick slot → pick: picks read from a SAC field go back to it; the others (P first, then
    by time) fill the free slots a, t0-t9 and last f (SAC's end-of-event marker)."""
    placed: dict[str, Any] = {}
    rest = []
    for pick in picks:
        origin = next((m.group(1) for c in pick.comments if (m := _FROM_SAC.match(c.text or ""))), None)
        if origin is not None and origin not in placed:
            placed[origin] = pick
        else:
            rest.append(pick)
    rest.sort(key=lambda p: (p.phase_hint not in ("P", "p"), p.time))
    free = [slot for slot in _PICK_SLOTS if slot not in placed]
    placed.update(zip(free, rest, strict=False))
    return placed


@dataclass
class ExportReport:
    """What an export wrote."""

    files: list[str] = field(default_factory=list)
    traces: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _name(header: TraceHeader, trace: Trace, ext: str) -> str:
    start = trace.stats.starttime.strftime("%Y%m%dT%H%M%S")  # of the cut trace when a window is given
    return f"{header.seed_id}.{header.tag}.{start}.{ext}"


def _write(trace_or_stream: Trace | Stream, target: Path, fmt: str) -> None:
    with atomic_path(target) as temp:
        trace_or_stream.write(str(temp), format=fmt)


def _event_of(f: ASDFFile, header: TraceHeader, events: dict[str, Event]) -> Event | None:
    for rid in f.get_waveform_meta(header).event_ids:
        if rid in events:
            return events[rid]
    return None


def _station_at(inventory: Inventory, stats: AttribDict) -> Any:
    chosen = inventory.select(network=stats.network, station=stats.station, time=stats.starttime)
    for network in chosen.networks:
        for station in network.stations:
            return station
    return None


def sac_headers(trace: Trace, inventory: Inventory | None, event: Event | None) -> None:
    """Fill ``trace.stats.sac`` with station, event, distance/azimuth and pick fields."""
    sac = AttribDict()
    stats = trace.stats
    coords = None
    if inventory is not None:
        try:
            coords = inventory.get_coordinates(trace.id, stats.starttime)
            orientation = inventory.get_orientation(trace.id, stats.starttime)
        except Exception:  # noqa: BLE001 - obspy raises plain Exception when a channel is missing
            coords = orientation = None
        if coords:
            sac.stla, sac.stlo = coords["latitude"], coords["longitude"]
            # SAC's stel is the station's surface elevation and stdp the sensor's depth below it
            # (the channel elevation StationXML gives is stel - stdp).
            depth = coords.get("local_depth") or 0.0
            station = _station_at(inventory, stats)
            sac.stel = station.elevation if station is not None else coords["elevation"] + depth
            sac.stdp = depth
        if orientation:
            if orientation.get("azimuth") is not None:
                sac.cmpaz = orientation["azimuth"]
            if orientation.get("dip") is not None:
                sac.cmpinc = orientation["dip"] + 90.0
    if event is not None:
        origin = event.preferred_origin() or (event.origins[0] if event.origins else None)
        if origin is not None and origin.time is not None:
            ref = origin.time
            sac.nzyear, sac.nzjday = ref.year, ref.julday
            sac.nzhour, sac.nzmin, sac.nzsec = ref.hour, ref.minute, ref.second
            sac.nzmsec = ref.microsecond // 1000
            ref = UTCDateTime(ref.year, julday=ref.julday, hour=ref.hour, minute=ref.minute,
                              second=ref.second, microsecond=(ref.microsecond // 1000) * 1000)
            sac.b = stats.starttime - ref
            sac.o = origin.time - ref
            sac.iztype = 11  # IO: the reference is the origin time
            sac.evla, sac.evlo = origin.latitude, origin.longitude
            if origin.depth is not None:
                sac.evdp = origin.depth / 1000.0
            magnitude = event.preferred_magnitude() or (event.magnitudes[0] if event.magnitudes else None)
            if magnitude is not None:
                sac.mag = magnitude.mag
                kind = _IMAGTYP.get((magnitude.magnitude_type or "").lower())
                if kind is not None:
                    sac.imagtyp = kind
            if coords:
                metres, az, baz = gps2dist_azimuth(origin.latitude, origin.longitude,
                                                   coords["latitude"], coords["longitude"])
                sac.dist, sac.az, sac.baz = metres / 1000.0, az, baz
                sac.gcarc = kilometer2degrees(metres / 1000.0)
            picks = [p for p in event.picks if p.waveform_id is not None
                     and p.waveform_id.get_seed_string() == trace.id]
            placed = _pick_slots(picks)
            for slot, pick in placed.items():
                sac[slot] = pick.time - ref
                sac[f"k{slot}"] = (pick.phase_hint or "")[:8]
            if len(picks) > len(placed):
                log.warning("%s: %d picks, SAC holds %d", trace.id, len(picks), len(_PICK_SLOTS))
    sac.lcalda = 0
    stats.sac = sac


def export(
    path: str | Path,
    output: str | Path,
    fmt: str,
    *,
    per: str = "trace",
    **query: Any,
) -> ExportReport:
    """Export from an ASDF file.

    Parameters
    ----------
    path : ASDF file
    output : path
        A directory for ``per="trace"``/``"station"`` waveform exports, else a file.
    fmt : {"mseed", "sac", "stationxml", "quakeml"}
    per : {"trace", "station", "file"}
        One file per trace, per station, or one file (SAC is always per trace).
    **query
        Keywords of :meth:`ASDFFile.list_waveforms` (network, station, channel, tag, ...).
    """
    fmt = fmt.lower()
    if fmt not in EXPORT_FORMATS:
        raise InvalidValueError(f"invalid export format {fmt!r}: must be one of {', '.join(EXPORT_FORMATS)}")
    if per not in ("trace", "station", "file"):
        raise InvalidValueError(f"invalid per {per!r}: must be trace, station or file")
    output = Path(output)
    report = ExportReport()
    window = query.get("starttime"), query.get("endtime")
    with open_asdf(path) as f:
        if fmt == "quakeml":
            catalog = select_events(f, query)
            if query and not len(catalog):
                raise NotFoundError("no event matches the selection")
            _write_catalog(catalog, output)
            report.files.append(str(output))
            return report
        if fmt == "stationxml":
            inventory = select_inventory(f, query)
            if not inventory.networks:
                raise NotFoundError("no StationXML matches the selection")
            if per == "station":
                output.mkdir(parents=True, exist_ok=True)
                for network in inventory.networks:
                    for code in sorted({s.code for s in network.stations}):
                        target = output / f"{network.code}.{code}.xml"
                        _write_inventory(_one_station(inventory, network, code), target)
                        report.files.append(str(target))
            else:
                _write_inventory(inventory, output)
                report.files.append(str(output))
            return report
        headers = f.list_waveforms(**query)
        if not headers:
            raise NotFoundError("no waveform matches the selection")
        if fmt == "sac" or per in ("trace", "station"):
            output.mkdir(parents=True, exist_ok=True)
        events = {str(e.resource_id): e for e in f.events} if fmt == "sac" else {}
        inventories: dict[str, Inventory | None] = {}
        by_station: dict[str, list[Trace]] = {}
        everything = Stream()
        for header in headers:
            trace = f.get_waveform(header, *window)
            if fmt == "sac":
                sid = header.station_id
                if sid not in inventories:
                    inventories[sid] = (f.get_station_inventory(sid)
                                        if sid in f.stations_with_stationxml else None)
                if trace.data.dtype != np.dtype("float32"):
                    _to_float32(trace, report)
                sac_headers(trace, inventories[sid], _event_of(f, header, events))
                target = output / _name(header, trace, "sac")
                _write(trace, target, "SAC")
                report.files.append(str(target))
            elif per == "trace":
                target = output / _name(header, trace, "mseed")
                _write(trace, target, "MSEED")
                report.files.append(str(target))
            elif per == "station":
                by_station.setdefault(f"{header.station_id}.{header.tag}", []).append(trace)
            else:
                everything.append(trace)
            report.traces += 1
        for key, traces in by_station.items():
            target = output / f"{key}.mseed"
            _write(Stream(traces), target, "MSEED")
            report.files.append(str(target))
        if per == "file" and fmt == "mseed":
            _write(everything, output, "MSEED")
            report.files.append(str(output))
    return report


def _one_station(inventory: Inventory, network: Network, code: str) -> Inventory:
    """One station's epochs (a station code may have several) as an ``Inventory``."""
    epochs = [s for s in network.stations if s.code == code]
    return Inventory(networks=[Network(network.code, stations=epochs, description=network.description)],
                     source=inventory.source)


def _to_float32(trace: Trace, report: ExportReport) -> None:
    """SAC holds float32 samples only: cast, and report traces whose values changed."""
    original = trace.data
    trace.data = original.astype(np.float32)
    if not np.array_equal(trace.data, original):
        report.warnings.append(
            f"{trace.id}: {original.dtype} samples rounded to float32 (SAC stores float32 only); "
            "export to miniSEED to keep them exactly"
        )


def _write_inventory(inventory: Inventory, target: Path) -> None:
    with atomic_path(target) as temp:
        temp.write_bytes(write_stationxml(inventory))


def _write_catalog(catalog: Catalog, target: Path) -> None:
    with atomic_path(target) as temp:
        temp.write_bytes(write_quakeml(catalog))
