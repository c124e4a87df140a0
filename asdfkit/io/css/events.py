"""event, origin, arrival, assoc → ObsPy Catalog (QuakeML).

``arrival`` rows become ``Pick``s, ``assoc`` rows ``Arrival``s of their origin.
The column ↔ attribute mapping is shared with the writer (``eventrows``) through
the small tables below; docs/css.md lists what has no counterpart.
"""

from __future__ import annotations

import re
from collections import defaultdict

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
from .naming import NameResolver
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


def _pick(row: Row, names: NameResolver, ids: _Ids) -> Pick:
    seed = names.station(row["sta"])
    loc, chan = names.channel(row["sta"], row["chan"]) if row["chan"] else ("", None)
    pick = Pick(
        resource_id=ids("pick", row["arid"]), time=UTCDateTime(ns=row["time"]),
        waveform_id=WaveformStreamID(seed.network, seed.station, loc if chan else None, chan),
        phase_hint=row["iphase"], onset=ONSETS.get((row["qual"] or "").lower()),
        polarity=polarity_from_fm(row["fm"]),
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


def _arrival(row: Row, ids: _Ids) -> Arrival:
    weight = row["wgt"] if row["wgt"] is not None else _weight(row["timedef"])
    arrival = Arrival(
        resource_id=ids("arrival", row["arid"], row["orid"]), pick_id=ids("pick", row["arid"]),
        phase=row["phase"] or "?", distance=row["delta"], azimuth=row["esaz"],
        time_residual=row["timeres"], time_weight=weight,
        backazimuth_residual=row["azres"], backazimuth_weight=_weight(row["azdef"]),
        horizontal_slowness_residual=row["slores"], horizontal_slowness_weight=_weight(row["slodef"]),
    )
    if row["vmodel"]:
        arrival.earth_model_id = ids("vmodel", row["vmodel"])
    return arrival


def _origin(row: Row, ids: _Ids) -> Origin:
    origin = Origin(
        resource_id=ids("origin", row["orid"]), time=UTCDateTime(ns=row["time"]),
        latitude=row["lat"], longitude=row["lon"],
        depth=None if row["depth"] is None else row["depth"] * 1000.0,
        depth_type=DTYPES.get((row["dtype"] or "").lower()),
        quality=OriginQuality(associated_phase_count=row["nass"], used_phase_count=row["ndef"],
                              depth_phase_count=row["ndp"]),
    )
    if row["algorithm"]:
        origin.method_id = ids("method", row["algorithm"])
    if row["auth"]:
        origin.creation_info = CreationInfo(author=row["auth"])
    if (row["review"] or "").lower() == "y":
        origin.evaluation_mode, origin.evaluation_status = "manual", "reviewed"
    return origin


def build_catalog(db: CssDatabase, names: NameResolver, report: CssReport, id_prefix: str) -> Catalog:
    """The events of a database (with their origins, picks and arrivals)."""
    ids = _Ids(id_prefix)
    origins = sorted(db.rows("origin"), key=lambda r: (r["evid"] or 0, r["orid"] or 0))
    events = {r["evid"]: r for r in db.rows("event") if r["evid"] is not None}
    assocs: dict[int, list[Row]] = defaultdict(list)
    for row in db.rows("assoc"):
        assocs[row["orid"]].append(row)
    needed = {r["arid"] for rows in assocs.values() for r in rows}
    arrivals = {r["arid"]: r for r in db.rows("arrival") if r["arid"] in needed and r["time"] is not None}
    unassociated = sum(1 for r in db.rows("arrival") if r["arid"] not in needed)
    if unassociated:
        report.warn("unassociated", f"{unassociated} arrival rows are associated with no origin: QuakeML keeps "
                    "picks inside events, so they are not converted")
    names.require({r["sta"] for r in arrivals.values()}, "arrival picks")
    by_event: dict[int, list[Row]] = defaultdict(list)
    for row in origins:
        if row["time"] is None or row["orid"] is None:
            report.warn("skipped-row", "origin row without time or orid", row.where)
            continue
        by_event[row["evid"] if row["evid"] is not None else -row["orid"]].append(row)
    catalog = Catalog(resource_id=ids("catalog"))
    for evid in sorted(set(by_event) | set(events), key=abs):
        catalog.append(_event(evid, events.get(evid), by_event.get(evid, []), assocs, arrivals, names, ids, report))
    return catalog


def _event(evid: int, erow: Row | None, orows: list[Row], assocs: dict[int, list[Row]],
           arrivals: dict[int, Row], names: NameResolver, ids: _Ids, report: CssReport) -> Event:
    event = Event(resource_id=ids("event", evid) if evid > 0 else ids("event", "orid", -evid))
    picks: dict[int, Pick] = {}
    for orow in orows:
        origin = _origin(orow, ids)
        if orow["etype"] and event.event_type is None:
            event.event_type = ETYPES.get(orow["etype"].lower())
        for arow in assocs.get(orow["orid"], []):
            if arow["arid"] not in arrivals:
                report.warn("skipped-row", f"assoc of arid {arow['arid']}: no arrival row with a time", arow.where)
                continue
            if arow["arid"] not in picks:
                picks[arow["arid"]] = _pick(arrivals[arow["arid"]], names, ids)
            origin.arrivals.append(_arrival(arow, ids))
        for value, magid, mtype in MAGNITUDES:
            if orow[value] is not None:
                mid = orow[magid] if orow[magid] is not None else orow["orid"]
                event.magnitudes.append(Magnitude(resource_id=ids("magnitude", mtype, mid), mag=orow[value],
                                                  magnitude_type=mtype, origin_id=origin.resource_id))
        event.origins.append(origin)
        report.counts["origins"] += 1
        report.counts["arrivals"] += len(origin.arrivals)
    event.picks = [picks[k] for k in sorted(picks)]
    report.counts["picks"] += len(event.picks)
    if erow is not None:
        if erow["evname"]:
            event.event_descriptions.append(EventDescription(erow["evname"], "earthquake name"))
        if erow["auth"]:
            event.creation_info = CreationInfo(author=erow["auth"])
        if erow["prefor"] is not None and any(o["orid"] == erow["prefor"] for o in orows):
            event.preferred_origin_id = ids("origin", erow["prefor"])
    if event.preferred_origin_id is None and event.origins:
        event.preferred_origin_id = event.origins[-1].resource_id
    report.counts["events"] += 1
    return event
