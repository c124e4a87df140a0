"""event, origin, origerr, netmag, stamag, arrival, assoc, remark → ObsPy Catalog (QuakeML).

``arrival`` rows become ``Pick``s, ``assoc`` rows ``Arrival``s of their origin;
origerr (``origerr``), netmag/stamag (``magnitudes``) and remark (``remarks``)
have their own modules, shared with the writer (``eventrows``), as are the
small tables below; docs/css.md lists what has no counterpart.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from obspy import UTCDateTime
from obspy.core.event import (
    Arrival,
    Catalog,
    CreationInfo,
    Event,
    EventDescription,
    Magnitude,
    Origin,
    OriginQuality,
    Pick,
    QuantityError,
    ResourceIdentifier,
    WaveformStreamID,
)

from .database import CssDatabase
from .magnitudes import contribute, duplicates_netmag, magnitude, station_magnitude
from .naming import NameResolver
from .origerr import apply_origerr
from .remarks import Remarks
from .report import CssReport
from .tables import Row

__all__ = ["ETYPES", "ONSETS", "build_catalog", "polarity_from_fm", "uri_part"]

ONSETS = {"i": "impulsive", "e": "emergent", "w": "questionable"}
ETYPES = {"qb": "quarry blast", "eq": "earthquake", "ke": "earthquake", "ex": "explosion",
          "me": "meteorite", "nu": "nuclear explosion", "sh": "landslide"}
DTYPES = {"f": "from location", "d": "constrained by depth phases", "r": "operator assigned",
          "g": "operator assigned"}
MAGNITUDES = (("mb", "mbid", "mb"), ("ms", "msid", "Ms"), ("ml", "mlid", "ML"))


def polarity_from_fm(fm: str | None) -> str | None:
    """QuakeML polarity of a CSS first motion: ``c``/``u`` positive, ``d``/``r`` negative.

    Examples
    --------
    >>> polarity_from_fm("c."), polarity_from_fm(".r"), polarity_from_fm("..")
    ('positive', 'negative', 'undecidable')
    """
    if not fm:
        return None
    for char in fm.lower()[:2]:
        if char in "cu":
            return "positive"
        if char in "dr":
            return "negative"
    return "undecidable"


def _weight(flag: str | None) -> float | None:
    return {"d": 1.0, "n": 0.0}.get((flag or "").lower())


_URI_UNSAFE = re.compile(r"[^\w\-.*()+?~'=,;#&]")


def uri_part(text: object) -> str:
    """``text`` made safe for a QuakeML resource-id path segment.

    Examples
    --------
    >>> uri_part("locsat:iasp91")
    'locsat_iasp91'
    """
    return _URI_UNSAFE.sub("_", str(text)) or "_"


class _Ids:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix.rstrip("/")

    def __call__(self, *parts: object) -> ResourceIdentifier:
        return ResourceIdentifier("/".join([self.prefix, *map(uri_part, parts)]))


def _pick(row: Row, names: NameResolver, ids: _Ids, remarks: Remarks) -> Pick:
    seed = names.station(row["sta"])
    loc, chan = names.channel(row["sta"], row["chan"]) if row["chan"] else ("", None)
    pick = Pick(
        resource_id=ids("pick", row["arid"]), time=UTCDateTime(ns=row["time"]),
        waveform_id=WaveformStreamID(seed.network, seed.station, loc if chan else None, chan),
        phase_hint=row["iphase"], onset=ONSETS.get((row["qual"] or "").lower()),
        polarity=polarity_from_fm(row["fm"]), comments=remarks.comments(row["commid"], ids),
    )
    if row["deltim"] is not None:
        pick.time_errors = QuantityError(uncertainty=row["deltim"])
    if row["azimuth"] is not None:  # the measured station-to-event azimuth
        pick.backazimuth = row["azimuth"]
        if row["delaz"] is not None:
            pick.backazimuth_errors = QuantityError(uncertainty=row["delaz"])
    if row["slow"] is not None:
        pick.horizontal_slowness = row["slow"]
        if row["delslo"] is not None:
            pick.horizontal_slowness_errors = QuantityError(uncertainty=row["delslo"])
    if row["auth"]:
        pick.creation_info = CreationInfo(author=row["auth"])
    return pick


def _arrival(row: Row, ids: _Ids, remarks: Remarks) -> Arrival:
    weight = row["wgt"] if row["wgt"] is not None else _weight(row["timedef"])
    arrival = Arrival(
        resource_id=ids("arrival", row["arid"], row["orid"]), pick_id=ids("pick", row["arid"]),
        phase=row["phase"] or "?", distance=row["delta"], azimuth=row["esaz"],
        time_residual=row["timeres"], time_weight=weight,
        backazimuth_residual=row["azres"], backazimuth_weight=_weight(row["azdef"]),
        horizontal_slowness_residual=row["slores"], horizontal_slowness_weight=_weight(row["slodef"]),
        comments=remarks.comments(row["commid"], ids),
    )
    if row["vmodel"]:
        arrival.earth_model_id = ids("vmodel", row["vmodel"])
    return arrival


def _origin(row: Row, ids: _Ids, remarks: Remarks) -> Origin:
    origin = Origin(
        resource_id=ids("origin", row["orid"]), time=UTCDateTime(ns=row["time"]),
        latitude=row["lat"], longitude=row["lon"],
        depth=None if row["depth"] is None else row["depth"] * 1000.0,
        depth_type=DTYPES.get((row["dtype"] or "").lower()),
        quality=OriginQuality(associated_phase_count=row["nass"], used_phase_count=row["ndef"],
                              depth_phase_count=row["ndp"]),
        comments=remarks.comments(row["commid"], ids),
    )
    if row["algorithm"]:
        origin.method_id = ids("method", row["algorithm"])
    if row["auth"]:
        origin.creation_info = CreationInfo(author=row["auth"])
    if (row["review"] or "").lower() == "y":
        origin.evaluation_mode, origin.evaluation_status = "manual", "reviewed"
    return origin


@dataclass
class _Tables:
    """The rows of one database that events are built from, indexed."""

    names: NameResolver
    ids: _Ids
    report: CssReport
    remarks: Remarks
    assocs: dict[int, list[Row]] = field(default_factory=lambda: defaultdict(list))
    arrivals: dict[int, Row] = field(default_factory=dict)
    origerr: dict[int, Row] = field(default_factory=dict)
    netmag: dict[int, Row] = field(default_factory=dict)
    stamag: list[Row] = field(default_factory=list)
    all_orids: set[int] = field(default_factory=set)


def build_catalog(db: CssDatabase, names: NameResolver, report: CssReport, id_prefix: str) -> Catalog:
    """The events of a database (origins with their uncertainties and arrivals, magnitudes,
    station magnitudes, picks, comments)."""
    t = _Tables(names, _Ids(id_prefix), report, Remarks(db.rows("remark")))
    origins = sorted(db.rows("origin"), key=lambda r: (r["evid"] or 0, r["orid"] or 0))
    events = {r["evid"]: r for r in db.rows("event") if r["evid"] is not None}
    for row in db.rows("assoc"):
        t.assocs[row["orid"]].append(row)
    needed = {r["arid"] for rows in t.assocs.values() for r in rows}
    t.arrivals = {r["arid"]: r for r in db.rows("arrival") if r["arid"] in needed and r["time"] is not None}
    unassociated = sum(1 for r in db.rows("arrival") if r["arid"] not in needed)
    if unassociated:
        report.warn("unassociated", f"{unassociated} arrival rows are associated with no origin: QuakeML keeps "
                    "picks inside events, so they are not converted")
    t.origerr = {r["orid"]: r for r in db.rows("origerr") if r["orid"] is not None}
    t.netmag = {r["magid"]: r for r in db.rows("netmag") if r["magid"] is not None and r["magnitude"] is not None}
    t.stamag = [r for r in db.rows("stamag") if r["sta"] is not None and r["magnitude"] is not None]
    names.require({r["sta"] for r in t.arrivals.values()} | {r["sta"] for r in t.stamag},
                  "arrival picks and station magnitudes")
    by_event: dict[int, list[Row]] = defaultdict(list)
    for row in origins:
        if row["time"] is None or row["orid"] is None:
            report.warn("skipped-row", "origin row without time or orid", row.where)
            continue
        by_event[row["evid"] if row["evid"] is not None else -row["orid"]].append(row)
    t.all_orids = {o["orid"] for rows in by_event.values() for o in rows}
    catalog = Catalog(resource_id=t.ids("catalog"))
    for evid in sorted(set(by_event) | set(events), key=abs):
        catalog.append(_event(evid, events.get(evid), by_event.get(evid, []), t))
    _report_unmatched(t, t.all_orids, set(by_event) | set(events))
    return catalog


def _report_unmatched(t: _Tables, orids: set[int], evids: set[int]) -> None:
    for orid, row in sorted(t.origerr.items()):
        if orid not in orids:
            t.report.warn("unmatched", f"origerr row of orid {orid}: no origin has that orid, not converted",
                          row.where)
    for magid, row in sorted(t.netmag.items()):
        if row["orid"] not in orids and row["evid"] not in evids:
            t.report.warn("unmatched", f"netmag row of magid {magid}: neither its orid {row['orid']} nor its "
                          f"evid {row['evid']} is converted", row.where)
    for row in t.stamag:
        if row["orid"] not in orids and row["evid"] not in evids:
            t.report.warn("unmatched", f"stamag row of {row['sta']}: neither its orid nor its evid is converted",
                          row.where)
    unused = t.remarks.unused()
    if unused:
        t.report.warn("unmatched", f"{len(unused)} remark comment(s) referred to by no converted row "
                      f"(commid {', '.join(map(str, unused[:10]))}{'...' if len(unused) > 10 else ''})")


def _event(evid: int, erow: Row | None, orows: list[Row], t: _Tables) -> Event:
    ids, report = t.ids, t.report
    event = Event(resource_id=ids("event", evid) if evid > 0 else ids("event", "orid", -evid))
    picks: dict[int, Pick] = {}
    origin_ids = {}
    for orow in orows:
        origin = _origin(orow, ids, t.remarks)
        origin_ids[orow["orid"]] = origin.resource_id
        if orow["orid"] in t.origerr:
            apply_origerr(origin, t.origerr[orow["orid"]])
            origin.comments.extend(t.remarks.comments(t.origerr[orow["orid"]]["commid"], ids))
        if orow["etype"] and event.event_type is None:
            event.event_type = ETYPES.get(orow["etype"].lower())
        for arow in t.assocs.get(orow["orid"], []):
            if arow["arid"] not in t.arrivals:
                report.warn("skipped-row", f"assoc of arid {arow['arid']}: no arrival row with a time", arow.where)
                continue
            if arow["arid"] not in picks:
                picks[arow["arid"]] = _pick(t.arrivals[arow["arid"]], t.names, ids, t.remarks)
            origin.arrivals.append(_arrival(arow, ids, t.remarks))
        for value, magid, mtype in MAGNITUDES:
            if orow[value] is not None and not duplicates_netmag(orow, magid, mtype, t.netmag):
                mid = orow[magid] if orow[magid] is not None else orow["orid"]
                event.magnitudes.append(Magnitude(resource_id=ids("magnitude", mtype, mid), mag=orow[value],
                                                  magnitude_type=mtype, origin_id=origin.resource_id))
        event.origins.append(origin)
        report.counts["origins"] += 1
        report.counts["arrivals"] += len(origin.arrivals)
    _magnitudes(event, evid, origin_ids, t)
    event.picks = [picks[k] for k in sorted(picks)]
    report.counts["picks"] += len(event.picks)
    if erow is not None:
        if erow["evname"]:
            event.event_descriptions.append(EventDescription(erow["evname"], "earthquake name"))
        if erow["auth"]:
            event.creation_info = CreationInfo(author=erow["auth"])
        if erow["prefor"] is not None and any(o["orid"] == erow["prefor"] for o in orows):
            event.preferred_origin_id = ids("origin", erow["prefor"])
        if erow.get("prefmag") is not None and erow["prefmag"] in t.netmag:
            event.preferred_magnitude_id = ids("magnitude", erow["prefmag"])
        event.comments = t.remarks.comments(erow["commid"], ids)
    if event.preferred_origin_id is None and event.origins:
        event.preferred_origin_id = event.origins[-1].resource_id
    report.counts["events"] += 1
    return event


def _magnitudes(event: Event, evid: int, origin_ids: dict[int, ResourceIdentifier], t: _Tables) -> None:
    """netmag and stamag rows of this event: by their orid, else by their evid."""
    def mine(row: Row) -> bool:
        return row["orid"] in origin_ids or (row["orid"] not in t.all_orids and row["evid"] == evid)

    for magid in sorted(t.netmag):
        row = t.netmag[magid]
        if mine(row):
            event.magnitudes.append(magnitude(row, origin_ids.get(row["orid"]), t.ids, t.remarks))
            t.report.counts["magnitudes (netmag)"] += 1
    for row in t.stamag:
        if mine(row):
            sm = station_magnitude(row, origin_ids.get(row["orid"]), t.names, t.ids, t.remarks)
            event.station_magnitudes.append(sm)
            contribute(event, row["magid"], sm, t.ids)
            t.report.counts["station magnitudes"] += 1
