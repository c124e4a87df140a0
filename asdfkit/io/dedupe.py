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

import bisect
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
    by_time = _TimeIndex()
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
        match = _closest(origin, by_time, group, mine, time_tolerance, distance_km)
        if match is None:
            kept.append(event)
            ids_seen[rid] = event
            group[id(event)] = set(mine)
            if origin is not None and origin.time is not None:
                by_time.add(origin.time.ns, event)
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


class _TimeIndex:
    """Kept events sorted by origin time: candidates within a tolerance in O(log n)."""

    def __init__(self) -> None:
        self.times: list[int] = []
        self.events: list[Event] = []

    def add(self, time_ns: int, event: Event) -> None:
        at = bisect.bisect_right(self.times, time_ns)
        self.times.insert(at, time_ns)
        self.events.insert(at, event)

    def near(self, time_ns: int, tolerance_ns: int) -> list[Event]:
        lo = bisect.bisect_left(self.times, time_ns - tolerance_ns)
        hi = bisect.bisect_right(self.times, time_ns + tolerance_ns)
        return self.events[lo:hi]


def _closest(origin: Origin | None, by_time: _TimeIndex, group: dict[int, set[str]], mine: set[str],
             time_tolerance: float, distance_km: float) -> Event | None:
    """The kept event of another source closest to ``origin`` (time and distance, each scaled by
    its tolerance), or ``None`` when none is within both tolerances."""
    if origin is None or origin.time is None or origin.latitude is None or origin.longitude is None:
        return None
    best, best_score = None, float("inf")
    for candidate in by_time.near(origin.time.ns, round(time_tolerance * 1e9)):
        if group[id(candidate)] & mine:
            continue  # one source's events are distinct, however close
        other = _origin(candidate)
        if other is None or other.latitude is None or other.longitude is None:
            continue
        metres, _, _ = gps2dist_azimuth(origin.latitude, origin.longitude, other.latitude, other.longitude)
        km, seconds = metres / 1000.0, abs(other.time - origin.time)
        if km > distance_km:
            continue
        score = (seconds / time_tolerance if time_tolerance else 0.0) + (km / distance_km if distance_km else 0.0)
        if score < best_score:
            best, best_score = candidate, score
    return best


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
