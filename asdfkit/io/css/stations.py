"""site, sitechan, network (+ wfdisc, SAC headers, instruments) → ObsPy Inventory.

Precedence: the tables first; for what they lack, the SAC header of the
channel's first ``sc``/``ic`` row, said in the report.  Where both have a value
and they differ by more than the column precision, the table value is used
and the disagreement reported.  Units: ``elev``/``edepth`` are km; ``hang`` is
the azimuth; ``vang`` is from the vertical, so the SEED dip is ``vang − 90``.
A channel's elevation is the sensor's: site ``elev`` − ``edepth``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from obspy import Inventory, UTCDateTime
from obspy.core.inventory import Channel, Network, Response, Site, Station

from ...errors import AsdfkitError, InvalidValueError
from .database import CssDatabase
from .instruments import (
    InstrumentIndex,
    InstrumentRef,
    read_response_file,
    sensitivity_from_calib,
    sensitivity_from_calibration,
)
from .naming import NameResolver
from .report import CssReport
from .tables import Row
from .wfdisc import ChannelSeen

__all__ = ["build_inventory", "jdate_to_utc"]

_DAY = 86400
_SLACK_NS = (_DAY + 60) * 10**9  # a whole day of sitechan date precision, plus a margin
# Differences below these are column precision (or SAC float32) noise, not disagreements.
_TOL = {"latitude": 2e-4, "longitude": 2e-4, "elevation": 0.1, "depth": 0.1, "azimuth": 0.1, "dip": 0.1}


def jdate_to_utc(jdate: int | None, where: str = "", end: bool = False) -> UTCDateTime | None:
    """``YYYYDDD`` as the start of that day (of the next day when ``end``).

    Examples
    --------
    >>> jdate_to_utc(1998224)
    UTCDateTime(1998, 8, 12, 0, 0)
    """
    if jdate is None:
        return None
    year, day = divmod(int(jdate), 1000)
    if not 1 <= day <= 366 or year < 1:
        raise InvalidValueError(f"{where}: invalid julian date {jdate}: must be YYYYDDD with DDD in 1-366")
    start = UTCDateTime(year=year, julday=1) + (day - 1) * _DAY
    return start + _DAY if end else start


@dataclass
class _Place:
    latitude: float
    longitude: float
    elevation: float
    start: UTCDateTime | None
    end: UTCDateTime | None
    name: str | None


def _sac(seen: ChannelSeen | None, attr: str) -> float | None:
    if seen is None or seen.sac is None:
        return None
    value = getattr(seen.sac, attr, None)
    return None if value is None else float(value)


class _Builder:
    def __init__(self, db: CssDatabase, names: NameResolver, seen: dict[tuple[str, str], ChannelSeen],
                 instruments: InstrumentIndex, response_path: Callable[[Row], Any], report: CssReport) -> None:
        self.db, self.names, self.seen, self.report = db, names, seen, report
        self.instruments, self.response_path = instruments, response_path
        self.sites: dict[str, list[Row]] = {}
        self.sitechans: dict[str, list[Row]] = {}
        for row in db.rows("site"):
            self.sites.setdefault(row["sta"], []).append(row)
        for row in db.rows("sitechan"):
            self.sitechans.setdefault(row["sta"], []).append(row)
        self.netnames = {r["net"]: r["netname"] for r in db.rows("network") if r["net"]}
        self.calibrations: dict[tuple[str, str], list[Row]] = {}
        for row in db.rows("calibration"):
            self.calibrations.setdefault((row["sta"], row["chan"]), []).append(row)
        for rows in self.calibrations.values():
            rows.sort(key=lambda r: r["time"] if r["time"] is not None else -(2**62))

    def compare(self, subject: str, field: str, table: float | None, seen: ChannelSeen | None,
                other: float | None) -> None:
        if table is not None and other is not None and abs(table - other) > _TOL[field]:
            self.report.disagree(subject, field, round(table, 6), round(other, 6), seen.sac_source if seen else "")

    def places(self, sta: str, subject: str) -> list[_Place]:
        rows = sorted(self.sites.get(sta, []), key=lambda r: r["ondate"] or 0)
        first = next((s for (st, _), s in sorted(self.seen.items()) if st == sta and s.sac is not None), None)
        out = []
        for row in rows:
            lat, lon, elev = row["lat"], row["lon"], row["elev"]
            elev_m = None if elev is None else elev * 1000.0
            self.compare(subject, "latitude", lat, first, _sac(first, "stla"))
            self.compare(subject, "longitude", lon, first, _sac(first, "stlo"))
            self.compare(subject, "elevation", elev_m, first, _sac(first, "stel"))
            lat = lat if lat is not None else _sac(first, "stla")
            lon = lon if lon is not None else _sac(first, "stlo")
            elev_m = elev_m if elev_m is not None else _sac(first, "stel")
            if lat is None or lon is None:
                self.report.warn("no-coordinates", f"station {subject}: site row without coordinates", row.where)
                continue
            out.append(_Place(lat, lon, elev_m or 0.0, jdate_to_utc(row["ondate"], row.where),
                              jdate_to_utc(row["offdate"], row.where, end=True), row["staname"]))
        if not rows and first is not None and _sac(first, "stla") is not None and _sac(first, "stlo") is not None:
            self.report.warn("fallback", f"station {subject}: no site row; coordinates from the {first.sac_source}",
                             once=("site", sta))
            out.append(_Place(_sac(first, "stla") or 0.0, _sac(first, "stlo") or 0.0, _sac(first, "stel") or 0.0,
                              None, None, None))
        if not out:
            self.report.warn("no-coordinates", f"station {subject}: no site row and no SAC header with "
                             "coordinates: left out of the inventory (its waveforms still convert)")
        return out

    def instrument(self, sta: str, chan: str, row: Row | None, start: UTCDateTime | None,
                   end: UTCDateTime | None) -> InstrumentRef | None:
        """The instrument of a sitechan row's channel during ``[start, end]`` (by chanid, else by time)."""
        return self.instruments.lookup(sta, chan, None if start is None else start.ns,
                                       None if end is None else end.ns,
                                       chanid=row.get("chanid") if row is not None else None)

    def response(self, sta: str, chan: str, row: Row | None, seen: ChannelSeen | None, subject: str,
                 epoch: _Epoch) -> Response | None:
        start, end, calibration = epoch
        ref = self.instrument(sta, chan, row, start, end)
        if ref is None and self.instruments.has(sta, chan):
            self.report.warn("response", f"{subject}: no sensor row of {sta} {chan} overlaps the sitechan "
                             f"epoch {start or '-'} - {end or '-'}: no instrument for it",
                             row.where if row is not None else "", once=("noinst", sta, chan))
        if ref is not None and ref.row["dfile"]:
            calper = ref.row["ncalper"] or (seen.calper if seen else None)
            try:
                path = self.response_path(ref.row)  # OutsideDataRootError: reported, not read
                if not path.is_file():
                    raise FileNotFoundError(f"response file {path} of instrument {ref.inid} not found")
                return read_response_file(path, 1.0 / calper if calper and calper > 0 else 1.0)
            except (OSError, AsdfkitError) as exc:
                self.report.warn("response", f"{subject}: {exc}", ref.row.where, once=("resp", ref.inid))
        sensitivity = None
        if calibration is not None:
            found = sensitivity_from_calibration(calibration)
            if isinstance(found, str):
                self.report.warn("sensitivity", f"{subject}: calibration row: {found}: no sensitivity from it",
                                 calibration.where, once=("calibration", sta, chan))
            else:
                sensitivity = found
        # the calib applied to the epoch's waveforms, then the nominal one of its instrument
        if sensitivity is None and seen is not None and seen.calib and _holds(start, end, seen.start_ns):
            sensitivity = sensitivity_from_calib(seen.calib, seen.calper, seen.segtype)
            if sensitivity is None:
                self.report.warn("sensitivity", f"{subject}: wfdisc calib {seen.calib} without calper: "
                                 "no sensitivity from it", once=("calper", sta, chan))
        if sensitivity is None and ref is not None:
            sensitivity = sensitivity_from_calib(ref.row["ncalib"], ref.row["ncalper"], ref.row["rsptype"])
        return None if sensitivity is None else Response(instrument_sensitivity=sensitivity)

    def epochs(self, sta: str, chan: str, row: Row | None) -> list[_Epoch]:
        """The sitechan epoch, to the second where its sensor row says, split by calibration epochs.

        sitechan dates are whole days; the sensor row of the same channel
        (by ``chanid``, else by time) has exact times, used when they fall in
        those days.
        """
        start = jdate_to_utc(row["ondate"], row.where) if row is not None else None
        end = jdate_to_utc(row["offdate"], row.where, end=True) if row is not None else None
        ref = self.instrument(sta, chan, row, start, end)
        if ref is not None:
            if start is not None and ref.start_ns is not None and 0 <= ref.start_ns - start.ns < _SLACK_NS:
                start = UTCDateTime(ns=ref.start_ns)
            if end is not None and ref.end_ns is not None and 0 <= end.ns - ref.end_ns < _SLACK_NS:
                end = UTCDateTime(ns=ref.end_ns)
        return split_epoch(start, end, self.calibrations.get((sta, chan), []))

    def sample_rate(self, sta: str, chan: str, row: Row | None, seen: ChannelSeen | None,
                    epoch: _Epoch) -> float | None:
        """The wfdisc rate; for channels without waveforms, the epoch's instrument ``samprate``."""
        if seen is not None and seen.samprate:
            return seen.samprate
        start, end, _ = epoch
        ref = self.instrument(sta, chan, row, start, end)
        rate = ref.row["samprate"] if ref is not None else None
        return rate if rate and rate > 0 else None

    def channel(self, sta: str, chan: str, place: _Place, row: Row | None, epoch: _Epoch) -> Channel:
        seen = self.seen.get((sta, chan))
        loc, code = self.names.channel(sta, chan)
        seed = self.names.station(sta)
        subject = f"{seed.network}.{seed.station}.{loc}.{code}"
        depth = row["edepth"] * 1000.0 if row is not None and row["edepth"] is not None else None
        azimuth = row["hang"] if row is not None else None
        dip = row["vang"] - 90.0 if row is not None and row["vang"] is not None else None
        sac_dip = _sac(seen, "cmpinc")
        sac_dip = None if sac_dip is None else sac_dip - 90.0
        self.compare(subject, "depth", depth, seen, _sac(seen, "stdp"))
        self.compare(subject, "azimuth", azimuth, seen, _sac(seen, "cmpaz"))
        self.compare(subject, "dip", dip, seen, sac_dip)
        if seen is not None and seen.sac is not None and (depth is None or azimuth is None or dip is None):
            self.report.warn("fallback", f"channel {subject}: orientation/depth from the {seen.sac_source} "
                             "(no sitechan value)", once=("chan", sta, chan))
        depth = depth if depth is not None else _sac(seen, "stdp")
        azimuth = azimuth if azimuth is not None else _sac(seen, "cmpaz")
        dip = dip if dip is not None else sac_dip
        start, end, _ = epoch
        self.report.counts["channels"] += 1
        return Channel(
            code, loc, place.latitude, place.longitude, place.elevation - (depth or 0.0), depth or 0.0,
            azimuth=azimuth, dip=dip, sample_rate=self.sample_rate(sta, chan, row, seen, epoch),
            start_date=start, end_date=end, response=self.response(sta, chan, row, seen, subject, epoch),
            description=row["descrip"] if row is not None else None,
        )

    def station(self, sta: str) -> list[Station]:
        seed = self.names.station(sta)
        subject = f"{seed.network}.{seed.station}"
        places = self.places(sta, subject)
        if not places:
            return []
        stations = [Station(seed.station, p.latitude, p.longitude, p.elevation, start_date=p.start,
                            end_date=p.end, site=Site(name=p.name or seed.station)) for p in places]
        rows = sorted(self.sitechans.get(sta, []), key=lambda r: (r["chan"], r["ondate"] or 0))
        chans_with_rows = {r["chan"] for r in rows}
        items: list[tuple[str, Row | None]] = [(r["chan"], r) for r in rows]
        items += [(chan, None) for (st, chan) in sorted(self.seen) if st == sta and chan not in chans_with_rows]
        for chan, row in items:
            for epoch in self.epochs(sta, chan, row):
                index = _epoch_index(places, epoch[0])
                stations[index].channels.append(self.channel(sta, chan, places[index], row, epoch))
        self.report.counts["stations"] += 1
        return stations


def _holds(start: UTCDateTime | None, end: UTCDateTime | None, ns: int | None) -> bool:
    return ns is None or ((start is None or start.ns <= ns) and (end is None or ns < end.ns))


_Epoch = tuple[UTCDateTime | None, UTCDateTime | None, Row | None]


def split_epoch(start: UTCDateTime | None, end: UTCDateTime | None, calibrations: list[Row]) -> list[_Epoch]:
    """``[start, end)`` cut into pieces that each have one calibration row (or none).

    Calibration rows (sorted by time) that overlap the epoch each give the
    piece they cover; what no row covers stays a piece of its own without one.
    Gaps and overhangs shorter than a day (sitechan dates are whole days,
    calibration ends are often a millisecond before the next start) are
    absorbed by the neighbouring piece.
    """
    lo = -(2**62) if start is None else start.ns
    hi = 2**62 if end is None else end.ns
    slack = _SLACK_NS
    pieces: list[list[Any]] = []
    cursor = lo
    for number, cal in enumerate(calibrations):
        c_lo = -(2**62) if cal["time"] is None else cal["time"]
        c_hi = 2**62 if cal["endtime"] is None else cal["endtime"]
        later = calibrations[number + 1]["time"] if number + 1 < len(calibrations) else None
        if cal["endtime"] is None and later is not None:
            c_hi = later  # an open calibration epoch ends where the next one begins
        a, b = max(cursor, c_lo), min(hi, c_hi)
        if b - a <= 0 or (b - a < slack and (a > lo or b < hi)):
            continue
        if a - cursor >= slack:
            pieces.append([cursor, a, None])
        elif pieces:
            pieces[-1][1] = a
        else:
            a = cursor
        pieces.append([a, b, cal])
        cursor = b
    if hi - cursor >= slack or not pieces:
        pieces.append([cursor, hi, None])
    else:
        pieces[-1][1] = hi

    def utc(ns: int, bound: UTCDateTime | None) -> UTCDateTime | None:
        return bound if abs(ns) == 2**62 else UTCDateTime(ns=ns)

    return [(utc(a, start), utc(b, end), cal) for a, b, cal in pieces]


def _epoch_index(places: list[_Place], when: UTCDateTime | None) -> int:
    for i, place in enumerate(places):
        if when is not None and (place.start is None or place.start <= when) and (place.end is None or when < place.end):
            return i
    return len(places) - 1


def build_inventory(db: CssDatabase, names: NameResolver, seen: dict[tuple[str, str], ChannelSeen],
                    instruments: InstrumentIndex, response_path: Callable[[Row], Any],
                    report: CssReport) -> Inventory:
    """The stations of a database as an ObsPy ``Inventory``."""
    builder = _Builder(db, names, seen, instruments, response_path, report)
    stas = sorted(set(builder.sites) | set(builder.sitechans) | {sta for sta, _ in seen})
    names.require(stas, "station metadata")
    networks: dict[str, Network] = {}
    for sta in stas:
        for station in builder.station(sta):
            net = names.station(sta).network
            if net not in networks:
                networks[net] = Network(net, description=builder.netnames.get(net))
            networks[net].stations.append(station)
    return Inventory(networks=[networks[k] for k in sorted(networks)], source="asdfkit CSS reader")
