"""Resource ids that one event file repeats, made visible and storable.

QuakeML requires every ``publicID`` to be unique, and so does ASDF's single
``/QuakeML`` document.  Real files repeat them: ObsPy's CSV reader gives two
rows with the same ``id`` column two events of one id (``io/csv/tests/data/
incomplete.csv``), and ISF-derived QuakeML repeats a magnitude id in every
event (``io/iaspei/tests/data/19670130012028.xml``).  :func:`repeated_ids`
reports both: events of one id are one event to the conversion (their origins,
magnitudes... are merged into the first, as the dedupe does for the same
event from two files), and a repeated id of an origin, magnitude, pick... gets
a suffix ``#2``, ``#3``... so that each object keeps its own id.

:func:`complete_waveform_ids` gives the ``waveformID`` of picks, amplitudes
and station magnitudes the network and station codes QuakeML requires when a
reader left them unset (ISF bulletins have no network code): ``""``, which is
what ObsPy's QuakeML reader gives back for an absent code, so nothing changes
but the document's validity.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from obspy.core.event import Catalog, ResourceIdentifier

__all__ = ["complete_waveform_ids", "repeated_ids"]

_PARTS = ("origins", "magnitudes", "station_magnitudes", "amplitudes", "picks", "focal_mechanisms")


def _objects(catalog: Catalog) -> Iterator[Any]:
    """Every object below the events that carries a resource id (arrivals inside their origins)."""
    for event in catalog:
        for part in _PARTS:
            for item in getattr(event, part):
                yield item
                if part == "origins":
                    yield from item.arrivals


def repeated_ids(catalog: Catalog, label: str) -> list[str]:
    """Rename repeated ids of objects below the events; return a message per repeated id (events too).

    Examples
    --------
    >>> from obspy.core.event import Catalog, Event, Magnitude
    >>> events = [Event(resource_id="smi:x/e1", magnitudes=[Magnitude(resource_id="smi:x/m")]),
    ...           Event(resource_id="smi:x/e2", magnitudes=[Magnitude(resource_id="smi:x/m")])]
    >>> messages = repeated_ids(Catalog(events), "f.xml")
    >>> str(events[1].magnitudes[0].resource_id)
    'smi:x/m#2'
    """
    messages = []
    events = Counter(str(e.resource_id) for e in catalog)
    for rid, count in events.items():
        if count > 1:
            messages.append(f"{label}: {count} events share the resource id {rid!r}: they are one event in "
                            "the output (the origins, magnitudes and picks of each are kept in it)")
    taken = set(events)
    repeated: Counter[str] = Counter()
    for item in _objects(catalog):
        rid = str(item.resource_id)
        if rid not in taken:
            taken.add(rid)
            continue
        repeated[rid] += 1
        number = repeated[rid] + 1
        while f"{rid}#{number}" in taken:
            number += 1
        item.resource_id = ResourceIdentifier(f"{rid}#{number}")
        taken.add(str(item.resource_id))
    for rid, count in repeated.items():
        messages.append(f"{label}: the resource id {rid!r} is given to {count + 1} objects (QuakeML ids must be "
                        f"unique): the repeats are stored as {rid}#2... (references still point to the first)")
    return messages


def complete_waveform_ids(catalog: Catalog) -> int:
    """Set unset network and station codes of waveform ids to ``""``; return how many were set."""
    count = 0
    for event in catalog:
        ids = [item.waveform_id for part in ("picks", "amplitudes", "station_magnitudes")
               for item in getattr(event, part)]
        ids += [wid for mechanism in event.focal_mechanisms for wid in mechanism.waveform_id]
        for wid in ids:
            for attribute in ("network_code", "station_code"):
                if wid is not None and getattr(wid, attribute) is None:
                    setattr(wid, attribute, "")
                    count += 1
    return count
