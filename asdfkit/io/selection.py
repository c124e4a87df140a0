"""What an export's query selects besides waveforms: stations, channels, events.

A query is the keywords of :meth:`ASDFFile.list_waveforms`.  Exports apply it
to every kind of content, so ``--station BKS --channel BHZ`` writes BKS's BHZ
metadata and the events BKS's traces belong to, not the whole file:

- **stations and channels**: codes (``network``, ``station``, ``location``,
  ``channel``, wildcards or lists) and the time window (channel epochs that
  overlap it) filter the StationXML directly, so stations without waveforms
  can be exported.  Criteria only traces have (``tag``, ``labels``,
  ``event_id``, ``sampling_rate``, ``provenance_id``...) keep just the channels
  of the selected traces.
- **events**: a query of only ``starttime``/``endtime``/``event_id`` keeps the
  events whose preferred origin time lies in the window and whose id matches;
  any other query keeps the events the selected traces are associated with
  (through their event, origin, magnitude or focal-mechanism ids).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from obspy import Inventory, UTCDateTime
from obspy.core.event import Catalog, Event

from ..container.waveforms import resource_ids
from ..times import to_ns

if TYPE_CHECKING:
    from ..container import ASDFFile

__all__ = ["select_events", "select_inventory"]

_CODE_KEYS = ("network", "station", "location", "channel")
_METADATA_KEYS = frozenset(_CODE_KEYS) | {"starttime", "endtime"}
_EVENT_KEYS = frozenset({"starttime", "endtime", "event_id"})


def _given(query: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in query.items() if v is not None and v != [] and v != ()}


def _matches(value: str, patterns: str | Sequence[str] | None) -> bool:
    if patterns is None:
        return True
    items = [patterns] if isinstance(patterns, str) else list(patterns)
    return any(fnmatch.fnmatchcase(value, p) for p in items)


def _overlaps(start: UTCDateTime | None, end: UTCDateTime | None, query: dict[str, Any]) -> bool:
    t1, t2 = query.get("starttime"), query.get("endtime")
    if t2 is not None and start is not None and start.ns > to_ns(t2):
        return False
    return not (t1 is not None and end is not None and end.ns < to_ns(t1))


def select_inventory(f: ASDFFile, query: dict[str, Any]) -> Inventory:
    """The StationXML (stations, then channels) a query selects, as one ``Inventory``."""
    query = _given(query)
    ids = [sid for sid in f.stations_with_stationxml
           if _matches(sid.split(".")[0], query.get("network")) and _matches(sid.split(".")[1], query.get("station"))]
    traced: set[tuple[str, str, str, str]] | None = None
    if set(query) - _METADATA_KEYS:
        traced = {(h.network, h.station, h.location, h.channel) for h in f.list_waveforms(**query)}
        with_traces = {f"{n}.{s}" for n, s, _, _ in traced}
        ids = [sid for sid in ids if sid in with_traces]
    channel_filter = traced is not None or any(k in query for k in ("location", "channel", "starttime", "endtime"))
    inventory = Inventory(networks=[], source="asdfkit")
    for sid in ids:
        part = f.get_station_inventory(sid)
        for network in part.networks:
            for station in network.stations:
                if not channel_filter:
                    continue
                station.channels = [
                    c for c in station.channels
                    if _matches(c.location_code, query.get("location")) and _matches(c.code, query.get("channel"))
                    and _overlaps(c.start_date, c.end_date, query)
                    and (traced is None or (network.code, station.code, c.location_code, c.code) in traced)
                ]
            if channel_filter:
                network.stations = [s for s in network.stations if s.channels or (
                    traced is None and not any(k in query for k in ("location", "channel"))
                    and _overlaps(s.start_date, s.end_date, query))]
        part.networks = [n for n in part.networks if n.stations]
        inventory.networks.extend(part.networks)
    return inventory


def _origin_time(event: Event) -> UTCDateTime | None:
    origin = event.preferred_origin() or (event.origins[0] if event.origins else None)
    return None if origin is None else origin.time


def _linked_ids(event: Event) -> set[str]:
    ids = {str(event.resource_id)}
    for items in (event.origins, event.magnitudes, event.focal_mechanisms):
        ids.update(str(item.resource_id) for item in items)
    return ids


def select_events(f: ASDFFile, query: dict[str, Any]) -> Catalog:
    """The events a query selects (all of them for an empty query)."""
    query = _given(query)
    catalog = f.events
    if not query:
        return catalog
    if set(query) <= _EVENT_KEYS:
        wanted = set(resource_ids(query.get("event_id"), "event_id"))
        chosen = []
        for event in catalog:
            time = _origin_time(event)
            if wanted and str(event.resource_id) not in wanted:
                continue
            if ("starttime" in query or "endtime" in query) and (
                    time is None or not _overlaps(time, time, query)):
                continue
            chosen.append(event)
        return Catalog(events=chosen)
    linked: set[str] = set()
    for header in f.list_waveforms(**query):
        meta = f.get_waveform_meta(header)
        for name in ("event_ids", "origin_ids", "magnitude_ids", "focal_mechanism_ids"):
            linked.update(getattr(meta, name))
    return Catalog(events=[e for e in catalog if _linked_ids(e) & linked])
