"""Merge near-duplicate events gathered from several sources.

Two events are the same when their preferred origins are within a time
tolerance and an epicentral distance (defaults 10 s and 100 km, so that
aftershocks stay apart) and they come from different sources: the events of
one catalogue are distinct by its author's word, however close (a swarm).
The first event of a group (sources are given in order of trust: the file
being appended to, QuakeML, JSON, then SAC headers) is kept; the origins,
magnitudes, focal mechanisms, amplitudes, station magnitudes and picks of the
others move into it (their preferred origin stays theirs: the kept event's
preferred origin does not change), and a mapping old id → kept id lets traces
be re-associated.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
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
    changed: set[str] = field(default_factory=set)  # kept events that took something from others
    sources: dict[str, frozenset[str]] = field(default_factory=dict)  # kept event id -> its sources

    @property
    def merged(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for old, kept in self.mapping.items():
            groups.setdefault(kept, []).append(old)
        return groups


def merge_duplicates(events: list[Event], time_tolerance: float = 10.0, distance_km: float = 100.0,
                     sources: Sequence[str | frozenset[str]] | None = None) -> MergeResult:
    """Merge events of different sources whose origins agree within ``time_tolerance`` s and ``distance_km`` km.

    ``sources`` names each event's source (a file; a set of them for an event
    already merged); without it every event is its own source.  The result's
    ``sources`` gives the sources of every kept event, for a later merge.
    """
    kept: list[Event] = []
    result = MergeResult(Catalog())
    ids_seen: dict[str, Event] = {}
    group: dict[int, set[str]] = {}  # id(kept event) -> its sources
    for index, event in enumerate(events):
        rid = str(event.resource_id)
        label = sources[index] if sources is not None else f"#{index}"
        mine = set(label) if isinstance(label, frozenset) else {label}
        if rid in ids_seen:  # the very same event from two sources (e.g. the same SAC event twice)
            target = ids_seen[rid]
            if _absorb(target, event):
                result.changed.add(str(target.resource_id))
            group.setdefault(id(target), set()).update(mine)
            continue
        origin = _origin(event)
        match = None
        if origin is not None:
            for candidate in kept:
                if group[id(candidate)] & mine:
                    continue  # one source's events are distinct, however close
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
            group[id(event)] = set(mine)
            continue
        _absorb(match, event)
        result.changed.add(str(match.resource_id))
        group[id(match)].update(mine)
        result.mapping[rid] = str(match.resource_id)
        ids_seen[rid] = match
        log.info("merged event %s into %s", rid, match.resource_id)
    result.catalog.events.extend(kept)
    result.sources = {str(e.resource_id): frozenset(group[id(e)]) for e in kept}
    return result


_PARTS = ("origins", "magnitudes", "focal_mechanisms", "amplitudes", "station_magnitudes", "picks")


def _absorb(target: Event, other: Event) -> bool:
    """Move what ``other`` has and ``target`` lacks (by resource id) into ``target``; True if anything moved."""
    if target is other:
        return False
    moved = False
    for part in _PARTS:
        mine, theirs = getattr(target, part), getattr(other, part)
        have = {str(item.resource_id) for item in mine}
        for item in theirs:
            if str(item.resource_id) not in have:
                mine.append(item)
                have.add(str(item.resource_id))
                moved = True
    return moved
