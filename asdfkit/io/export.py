"""Out of ASDF: miniSEED, SAC (with event, station, distance and picks), StationXML, QuakeML.

Selections use the container's queries (codes with wildcards, tag, time
window...).  Every output file is written under a temporary name and renamed,
so an interrupted export never leaves a half-written file.
"""

from __future__ import annotations

import logging
import os
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

from ..atomic import atomic_path, partial_path
from ..container import ASDFFile, TraceHeader
from ..container import open as open_asdf
from ..container.obspyxml import write_quakeml, write_stationxml
from ..errors import ExportMismatchError, InvalidValueError, NotFoundError, OutputExistsError
from .exportcheck import Change, fit_samples, trace_label, verify_file
from .sacmeta import UNKNOWN_DEPTH, UNKNOWN_ELEVATION
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
    changes: list[Change] = field(default_factory=list)

    def change(self, change: Change) -> None:
        """Record what the format changed for one trace (also as a warning line)."""
        self.changes.append(change)
        self.warnings.append(str(change))

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dictionary."""
        out = dict(self.__dict__)
        out["changes"] = [dict(c.__dict__) for c in self.changes]
        return out


def _name(header: TraceHeader, trace: Trace, ext: str) -> str:
    """``NET.STA.LOC.CHA.TAG.YYYYMMDDTHHMMSS.NNNNNNNNN.ext`` of the (cut) trace's start."""
    start = trace.stats.starttime
    return f"{header.seed_id}.{header.tag}.{start.strftime('%Y%m%dT%H%M%S')}.{start.ns % 10**9:09d}.{ext}"


def _refuse_existing(targets: list[Path], overwrite: bool) -> None:
    if overwrite:
        return
    existing = [str(t) for t in targets if t.exists()]
    if existing:
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        raise OutputExistsError(f"{', '.join(existing[:3])}{more} exist(s): pass --overwrite (overwrite=True) "
                                "to replace; nothing was written")


class _Staging:
    """Output files written under temporary names, checked, then renamed together (or all removed)."""

    def __init__(self, output: Path, fmt: str, overwrite: bool, report: ExportReport) -> None:
        self.fmt = fmt
        self.overwrite = overwrite
        self.report = report
        self.names: set[str] = set()
        self.staged: list[tuple[Path, Path]] = []
        self.made_dir = output if not output.exists() else None

    def unique(self, directory: Path, name: str) -> Path:
        """``directory/name``, or with ``.2``, ``.3``... before the suffix when this export used it already."""
        stem, _, ext = name.rpartition(".")
        candidate, number = name, 1
        while candidate in self.names:
            number += 1
            candidate = f"{stem}.{number}.{ext}"
        self.names.add(candidate)
        return directory / candidate

    def write(self, traces: list[tuple[Trace, str]], target: Path) -> None:
        """Write ``traces`` (each with its label) to a temporary file of ``target`` and check it."""
        _refuse_existing([target], self.overwrite)
        temp = partial_path(target)
        self.staged.append((temp, target))
        stream = Stream([trace for trace, _ in traces])
        with np.errstate(all="ignore"):  # ObsPy's SAC writer sums NaN or huge samples (depmen): no warning
            stream.write(str(temp), format=self.fmt)
        for change in verify_file(temp, self.fmt, traces, str(target)):
            self.report.change(change)

    def commit(self) -> None:
        for temp, target in self.staged:
            os.replace(temp, target)
            self.report.files.append(str(target))

    def abandon(self) -> None:
        for temp, _ in self.staged:
            temp.unlink(missing_ok=True)
        if self.made_dir is not None and self.made_dir.is_dir() and not any(self.made_dir.iterdir()):
            self.made_dir.rmdir()


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


def sac_headers(trace: Trace, inventory: Inventory | None, event: Event | None) -> list[tuple[str, str]]:
    """Fill ``trace.stats.sac`` with station, event, distance/azimuth and pick fields.

    Returns what the SAC header cannot hold, as ``(what, detail)``: an event name
    longer than ``kevnm``'s 16 characters, picks beyond its 12 slots.  Values the
    file does not know (an elevation or depth, an event depth) stay undefined.
    """
    notes: list[tuple[str, str]] = []
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
            # (the channel elevation StationXML gives is stel - stdp).  Unknown values (None, or
            # the 0.0 placeholder of a station built from a SAC header without them) stay undefined.
            station = _station_at(inventory, stats)
            channel_notes = _channel_comments(inventory, trace.id, stats.starttime)
            depth = coords.get("local_depth")
            if UNKNOWN_DEPTH in channel_notes:
                depth = None
            if depth is not None:
                sac.stdp = depth
            if station is not None and UNKNOWN_ELEVATION not in {c.value for c in station.comments}:
                if station.elevation is not None:
                    sac.stel = station.elevation
            elif station is None and coords.get("elevation") is not None and UNKNOWN_ELEVATION not in channel_notes:
                sac.stel = coords["elevation"] + (depth or 0.0)
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
            name = _event_name(event)
            if name:
                sac.kevnm = name[:16]
                if len(name) > 16:
                    notes.append(("sac_header", f"event name {name!r} cut to kevnm {name[:16]!r} "
                                                "(SAC holds 16 characters)"))
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
                dropped = sorted(f"{p.phase_hint or '?'}@{p.time}" for p in picks if p not in placed.values())
                notes.append(("sac_header", f"{len(picks)} picks, SAC holds {len(_PICK_SLOTS)}: "
                                            f"not written {', '.join(dropped)}"))
    sac.lcalda = 0
    stats.sac = sac
    return notes


def _event_name(event: Event) -> str:
    """The event's name for ``kevnm``: its "earthquake name" description, else its first description."""
    texts = [d for d in event.event_descriptions if d.text]
    named = [d for d in texts if d.type == "earthquake name"] or texts
    return str(named[0].text).strip() if named else ""


def _channel_comments(inventory: Inventory, seed_id: str, time: UTCDateTime) -> set[str]:
    """The comment texts of the channel ``seed_id`` at ``time`` (empty when it is not found)."""
    net, sta, loc, cha = seed_id.split(".")
    chosen = inventory.select(network=net, station=sta, location=loc, channel=cha, time=time)
    return {c.value for n in chosen for s in n for ch in s for c in ch.comments}


def export(
    path: str | Path,
    output: str | Path,
    fmt: str,
    *,
    per: str = "trace",
    overwrite: bool = False,
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
    overwrite : bool
        Replace existing files at the destination paths (else refused before
        anything is written: :class:`~asdfkit.errors.OutputExistsError`).
    **query
        Keywords of :meth:`ASDFFile.list_waveforms` (network, station, channel, tag, ...).

    Waveform files get unique names (id, tag, start to the nanosecond, and a
    sequence suffix for traces of one channel starting at the same instant).
    Every file is written under a temporary name, read back and checked to
    hold exactly its traces (ids and samples) before any is renamed into
    place; what the format changed on the way (sample type, sampling rate,
    start time, SAC header fields) is listed per trace in ``report.changes``.
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
            _refuse_existing([output], overwrite)
            _write_catalog(catalog, output)
            report.files.append(str(output))
            return report
        if fmt == "stationxml":
            inventory = select_inventory(f, query)
            if not inventory.networks:
                raise NotFoundError("no StationXML matches the selection")
            if per == "station":
                targets = {output / f"{network.code}.{code}.xml": (network, code)
                           for network in inventory.networks for code in sorted({s.code for s in network.stations})}
                _refuse_existing(list(targets), overwrite)
                output.mkdir(parents=True, exist_ok=True)
                for target, (network, code) in targets.items():
                    _write_inventory(_one_station(inventory, network, code), target)
                    report.files.append(str(target))
            else:
                _refuse_existing([output], overwrite)
                _write_inventory(inventory, output)
                report.files.append(str(output))
            return report
        headers = f.list_waveforms(**query)
        if not headers:
            raise NotFoundError("no waveform matches the selection")
        _export_waveforms(f, headers, output, fmt, per, window, overwrite, report)
    return report


def _export_waveforms(f: ASDFFile, headers: list[TraceHeader], output: Path, fmt: str, per: str,
                      window: tuple[Any, Any], overwrite: bool, report: ExportReport) -> None:
    """Write the selected traces (see :func:`export`); nothing is left behind on failure."""
    obspy_fmt = "SAC" if fmt == "sac" else "MSEED"
    staging = _Staging(output, obspy_fmt, overwrite, report)
    try:
        if fmt == "sac" or per in ("trace", "station"):
            output.mkdir(parents=True, exist_ok=True)
        events = {str(e.resource_id): e for e in f.events} if fmt == "sac" else {}
        inventories: dict[str, Inventory | None] = {}
        by_station: dict[str, list[tuple[Trace, str]]] = {}
        everything: list[tuple[Trace, str]] = []
        for header in headers:
            trace = f.get_waveform(header, *window)
            label = trace_label(trace)
            ext = "sac" if fmt == "sac" else "mseed"
            target = staging.unique(output, _name(header, trace, ext)) if fmt == "sac" or per == "trace" else None
            where = str(target) if target is not None else str(output)
            trace.data, notes = fit_samples(trace, obspy_fmt)
            if fmt == "sac":
                sid = header.station_id
                if sid not in inventories:
                    inventories[sid] = (f.get_station_inventory(sid)
                                        if sid in f.stations_with_stationxml else None)
                notes += sac_headers(trace, inventories[sid], _event_of(f, header, events))
            if target is not None:
                staging.write([(trace, label)], target)
            elif per == "station":
                key = f"{header.station_id}.{header.tag}"
                by_station.setdefault(key, []).append((trace, label))
                where = str(output / f"{key}.mseed")
            else:
                everything.append((trace, label))
            for what, detail in notes:
                report.change(Change(label, where, what, detail))
            report.traces += 1
        for key, traces in by_station.items():
            staging.write(traces, output / f"{key}.mseed")
        if everything:
            staging.write(everything, output)
        if report.traces != len(headers):  # pragma: no cover - a guard: every selected trace went out
            raise ExportMismatchError(f"export check failed: {report.traces} of {len(headers)} traces written")
        staging.commit()
    except BaseException:
        staging.abandon()
        raise


def _one_station(inventory: Inventory, network: Network, code: str) -> Inventory:
    """One station's epochs (a station code may have several) as an ``Inventory``."""
    epochs = [s for s in network.stations if s.code == code]
    return Inventory(networks=[Network(network.code, stations=epochs, description=network.description)],
                     source=inventory.source)


def _write_inventory(inventory: Inventory, target: Path) -> None:
    with atomic_path(target) as temp:
        temp.write_bytes(write_stationxml(inventory))


def _write_catalog(catalog: Catalog, target: Path) -> None:
    with atomic_path(target) as temp:
        temp.write_bytes(write_quakeml(catalog))
