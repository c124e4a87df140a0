"""Merge near-duplicate events gathered from several sources.

Two events are the same when their preferred origins are within a time
tolerance and an epicentral distance (defaults 10 s and 100 km, so that
aftershocks stay apart).  The first event of a group (sources are given in
order of trust: QuakeML, then JSON, then SAC headers) is kept; the picks of the
others move into it, and a mapping old id → kept id lets traces be
re-associated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from obspy.core.event import Catalog, Event, Origin
from obspy.geodetics import gps2dist_azimuth

__all__ = ["MergeResult", "merge_duplicates"]

log = logging.getLogger(__name__)


def _origin(event: Event) -> Origin | None:
    origin = event.preferred_origin()
    if origin is None and event.origins:
        origin = event.origins[0]
    return origin


@dataclass
class MergeResult:
    """The merged catalogue and what was merged into what."""

    catalog: Catalog
    mapping: dict[str, str] = field(default_factory=dict)  # dropped event id -> kept event id

    @property
    def merged(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for old, kept in self.mapping.items():
            groups.setdefault(kept, []).append(old)
        return groups


def merge_duplicates(events: list[Event], time_tolerance: float = 10.0,
                     distance_km: float = 100.0) -> MergeResult:
    """Merge events whose origins agree within ``time_tolerance`` s and ``distance_km`` km."""
    kept: list[Event] = []
    result = MergeResult(Catalog())
    ids_seen: dict[str, Event] = {}
    for event in events:
        rid = str(event.resource_id)
        if rid in ids_seen:  # the very same event from two sources (e.g. the same SAC event twice)
            _absorb(ids_seen[rid], event)
            continue
        origin = _origin(event)
        match = None
        if origin is not None:
            for candidate in kept:
                other = _origin(candidate)
                if other is None or abs(other.time - origin.time) > time_tolerance:
                    continue
                if None in (origin.latitude, origin.longitude, other.latitude, other.longitude):
                    continue
                metres, _, _ = gps2dist_azimuth(origin.latitude, origin.longitude,
                                                other.latitude, other.longitude)
                if metres / 1000.0 <= distance_km:
                    match = candidate
                    break
        if match is None:
            kept.append(event)
            ids_seen[rid] = event
            continue
        _absorb(match, event)
        result.mapping[rid] = str(match.resource_id)
        ids_seen[rid] = match
        log.info("merged event %s into %s", rid, match.resource_id)
    result.catalog.events.extend(kept)
    return result


def _absorb(target: Event, other: Event) -> None:
    if target is other:
        return
    have = {str(p.resource_id) for p in target.picks}
    for pick in other.picks:
        if str(pick.resource_id) not in have:
            target.picks.append(pick)
            have.add(str(pick.resource_id))
