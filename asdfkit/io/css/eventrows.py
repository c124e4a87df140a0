"""ObsPy Catalog → event, origin, origerr, netmag, stamag, arrival, assoc and remark rows
(the inverse of ``events``).

Integer ids are allocated in order (``evid``, ``orid``, ``arid``, ``magid``,
``commid``); QuakeML resource ids are not kept.  ``seaz`` has no QuakeML home
and is computed from the origin and the station coordinates when both are
known.  Text longer than its column (which depends on the schema) is cut and
reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from obspy.core.event import Catalog, Event, Origin, Pick
from obspy.geodetics import gps2dist_azimuth

from .events import DTYPES, ETYPES, MAGNITUDES, ONSETS
from .magnitudes import netmag_rows
from .naming import NameAllocator
from .origerr import origerr_row, uncertainty
from .remarks import RemarkRows
from .report import CssReport
from .stationrows import jdate
from .tables import layout

__all__ = ["EventRows"]

_QUAL = {v: k for k, v in ONSETS.items()}
_ETYPE = {v: k for k, v in ETYPES.items() if k not in ("ke",)}
_DTYPE = {"from location": "f", "constrained by depth phases": "d", "operator assigned": "g"}
_FM = {"positive": "c.", "negative": "d.", "undecidable": ".."}
_REVIEWED = ("reviewed", "final", "confirmed")
assert set(_DTYPE) <= set(DTYPES.values())


def _tail(resource_id: Any) -> str | None:
    return str(resource_id).rstrip("/").rsplit("/", 1)[-1] if resource_id else None


def _flag(weight: float | None) -> str | None:
    return None if weight is None else ("d" if weight > 0 else "n")


@dataclass
class EventRows:
    """Collects the event tables of one or more catalogs."""

    names: NameAllocator
    report: CssReport
    coordinates: dict[tuple[str, str], tuple[float, float]]
    event: list[dict[str, Any]] = field(default_factory=list)
    origin: list[dict[str, Any]] = field(default_factory=list)
    arrival: list[dict[str, Any]] = field(default_factory=list)
    assoc: list[dict[str, Any]] = field(default_factory=list)
    origerr: list[dict[str, Any]] = field(default_factory=list)
    netmag: list[dict[str, Any]] = field(default_factory=list)
    stamag: list[dict[str, Any]] = field(default_factory=list)
    remarks: RemarkRows = field(default_factory=RemarkRows)
    _arids: dict[str, tuple[int, str, str, str]] = field(default_factory=dict)

    def _text(self, value: str | None, table: str, column: str, what: str) -> str | None:
        width = layout(table, self.names.schema).column(column).width
        if value and len(value) > width:
            self.report.warn("truncated", f"{what} {value!r} cut to {width} characters", once=(what, value))
            return value[:width]
        return value or None

    def add(self, catalog: Catalog) -> None:
        for event in catalog:
            self._event(event)

    def _event(self, event: Event) -> None:
        evid = len(self.event) + 1
        for pick in event.picks:
            self._pick(pick)
        prefor = None
        orids: dict[str, int] = {}
        for origin in event.origins:
            orid = self._origin(origin, event, evid)
            orids[str(origin.resource_id)] = orid
            if origin.resource_id == event.preferred_origin_id or prefor is None:
                prefor = orid
        magids = self._magnitudes(event, evid, orids)
        name = event.event_descriptions[0].text if event.event_descriptions else None
        info = event.creation_info
        self.event.append({"evid": evid, "evname": self._text(name, "event", "evname", "event name"),
                           "prefor": prefor, "prefmag": magids.get(str(event.preferred_magnitude_id)),
                           "auth": self._text(info.author if info else None, "event", "auth", "event author"),
                           "commid": self.remarks.add(event.comments)})
        self.report.counts["events"] += 1

    def _station_code(self, wid: Any) -> str | None:
        if wid is None or not wid.station_code:
            self.report.warn("skipped-station-magnitude", "station magnitude without a station code")
            return None
        return self.names.station(wid.network_code or "", wid.station_code)

    def _magnitudes(self, event: Event, evid: int, orids: dict[str, int]) -> dict[str, int]:
        """netmag and stamag rows; the origins' mb/ms/ml columns point at their netmag rows."""
        netmag, stamag, magids = netmag_rows(event, evid, orids, len(self.netmag) + 1, self._station_code,
                                             self.remarks.add, self._text)
        self.netmag.extend(netmag)
        self.stamag.extend(stamag)
        self.report.counts["magnitudes"] += len(netmag)
        self.report.counts["station magnitudes"] += len(stamag)
        for row in self.origin[len(self.origin) - len(event.origins):]:
            for value, magid, mtype in MAGNITUDES:
                for mag in netmag:
                    if mag["orid"] == row["orid"] and (mag["magtype"] or "").lower() == mtype.lower():
                        row[value], row[magid] = mag["magnitude"], mag["magid"]
                        break
        return magids

    def _pick(self, pick: Pick) -> None:
        key = str(pick.resource_id)
        if key in self._arids or pick.time is None:
            return
        wid = pick.waveform_id
        net, code = (wid.network_code or "") if wid else "", (wid.station_code or "") if wid else ""
        if not code:
            self.report.warn("skipped-pick", f"pick {key}: no station code")
            return
        sta = self.names.station(net, code)
        chan = self.names.channel(sta, wid.location_code or "", wid.channel_code) if wid.channel_code else None
        arid = len(self.arrival) + 1
        self._arids[key] = (arid, sta, net, code)
        info = pick.creation_info
        self.arrival.append({
            "sta": sta, "time": pick.time.ns, "arid": arid, "jdate": jdate(pick.time), "chan": chan,
            "iphase": self._text(pick.phase_hint, "arrival", "iphase", "phase hint"), "deltim": uncertainty(pick.time_errors),
            "azimuth": pick.backazimuth, "delaz": uncertainty(pick.backazimuth_errors),
            "slow": pick.horizontal_slowness, "delslo": uncertainty(pick.horizontal_slowness_errors),
            "fm": _FM.get(pick.polarity or ""), "qual": _QUAL.get(pick.onset or ""),
            "auth": self._text(info.author if info else None, "arrival", "auth", "pick author"),
            "commid": self.remarks.add(pick.comments),
        })
        self.report.counts["picks"] += 1

    def _origin(self, origin: Origin, event: Event, evid: int) -> int:
        orid = len(self.origin) + 1
        quality = origin.quality
        row: dict[str, Any] = {
            "lat": origin.latitude, "lon": origin.longitude,
            "depth": None if origin.depth is None else origin.depth / 1000.0,
            "time": origin.time.ns, "orid": orid, "evid": evid, "jdate": jdate(origin.time),
            "nass": quality.associated_phase_count if quality else None,
            "ndef": quality.used_phase_count if quality else None,
            "ndp": quality.depth_phase_count if quality else None,
            "etype": _ETYPE.get(event.event_type or ""),
            "review": "y" if origin.evaluation_status in _REVIEWED else None,
            "dtype": _DTYPE.get(origin.depth_type or ""),
            "algorithm": self._text(_tail(origin.method_id), "origin", "algorithm", "origin method"),
            "auth": self._text(origin.creation_info.author if origin.creation_info else None, "origin", "auth",
                               "origin author"),
            "commid": self.remarks.add(origin.comments),
        }
        self.origin.append(row)
        errors = origerr_row(origin, orid)
        if errors is not None:
            self.origerr.append(errors)
        self.report.counts["origins"] += 1
        for arrival in origin.arrivals:
            self._assoc(arrival, origin, orid)
        return orid

    def _assoc(self, arrival: Any, origin: Origin, orid: int) -> None:
        found = self._arids.get(str(arrival.pick_id))
        if found is None:
            self.report.warn("skipped-arrival", f"arrival {arrival.resource_id}: its pick is not in the event")
            return
        arid, sta, net, code = found
        seaz = None
        coords = self.coordinates.get((net, code))
        if coords and origin.latitude is not None and origin.longitude is not None:
            seaz = gps2dist_azimuth(origin.latitude, origin.longitude, coords[0], coords[1])[2]
        self.assoc.append({
            "arid": arid, "orid": orid, "sta": sta, "phase": self._text(arrival.phase, "assoc", "phase", "phase"),
            "delta": arrival.distance, "seaz": seaz, "esaz": arrival.azimuth, "timeres": arrival.time_residual,
            "timedef": _flag(arrival.time_weight), "azres": arrival.backazimuth_residual,
            "azdef": _flag(arrival.backazimuth_weight), "slores": arrival.horizontal_slowness_residual,
            "slodef": _flag(arrival.horizontal_slowness_weight), "wgt": arrival.time_weight,
            "vmodel": self._text(_tail(arrival.earth_model_id), "assoc", "vmodel", "earth model"),
            "commid": self.remarks.add(arrival.comments),
        })
        self.report.counts["arrivals"] += 1
