"""``/QuakeML``: the file's event catalogue.

Adding events appends the new ``<event>`` elements to the stored document in
place: existing events are neither re-parsed by ObsPy nor re-serialized, and
only the tail of the dataset is rewritten.  The catalogue is parsed at most
once per open file and kept in memory.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable

import h5py
import numpy as np
from lxml import etree
from obspy.core.event import Catalog, Event, ResourceIdentifier

from .. import xmlsafe
from ..errors import DuplicateEventError, InvalidValueError, NotFoundError, XMLError
from ..spec import XML_DTYPE
from .compression import Compression
from .diskspace import ensure_h5_space
from .h5util import read_xml, write_xml
from .obspyxml import read_quakeml, write_quakeml

__all__ = ["EventStore"]

log = logging.getLogger(__name__)

QUAKEML_NAME = "QuakeML"
_BED_NS = "http://quakeml.org/xmlns/bed/1.2"
_LAST_EVENT_END = re.compile(rb"</(?:[A-Za-z_][\w.\-]*:)?event\s*>")


def _as_events(events: Catalog | Event | Iterable[Event]) -> list[Event]:
    if isinstance(events, Event):
        return [events]
    items = list(events)
    for item in items:
        if not isinstance(item, Event):
            raise InvalidValueError(f"invalid event {item!r}: must be an obspy Event")
    return items


def _serialize(events: list[Event]) -> bytes:
    return write_quakeml(Catalog(events=events))


def _public_ids(element: etree._Element) -> list[str]:
    return [str(v) for v in element.xpath(".//@publicID | @publicID")]


def _after_last_event(raw: bytes) -> int | None:
    """Byte offset just after the last ``</event>`` closing tag, if any."""
    for window in (65536, len(raw)):
        offset = max(0, len(raw) - window)
        ends = [m.end() for m in _LAST_EVENT_END.finditer(raw, offset)]
        if ends:
            return ends[-1]
        if offset == 0:
            break
    return None


class EventStore:
    """The QuakeML document of one open file."""

    def __init__(self, h5: h5py.File, compression: Compression, writable: bool) -> None:
        self._h5 = h5
        self._compression = compression
        self._writable = writable
        self._catalog: Catalog | None = None
        self._xml: bytes | None = None
        self._ids: set[str] | None = None
        self._insert_at: int | None = None

    # -- reading ---------------------------------------------------------------
    def _raw(self) -> bytes:
        if self._xml is None:
            node = self._h5.get(QUAKEML_NAME)
            self._xml = xmlsafe.clean(read_xml(node)) if isinstance(node, h5py.Dataset) else b""
        return self._xml

    @property
    def xml(self) -> bytes:
        """The stored QuakeML document (empty bytes if there is none)."""
        return self._raw()

    @property
    def catalog(self) -> Catalog:
        """The events as an ObsPy ``Catalog`` (parsed once, then cached)."""
        if self._catalog is None:
            raw = self._raw()
            if not raw:
                self._catalog = Catalog()
            else:
                xmlsafe.parse(raw, "QuakeML")  # refuse hostile XML before ObsPy sees it
                try:
                    self._catalog = read_quakeml(raw)
                except Exception as exc:  # obspy raises many types on bad QuakeML
                    raise XMLError(f"/QuakeML could not be read as QuakeML 1.2: {exc}") from exc
        return self._catalog

    def resource_ids(self) -> set[str]:
        """Every ``publicID`` in the stored document."""
        if self._ids is None:
            raw = self._raw()
            self._ids = set(_public_ids(xmlsafe.parse(raw, "QuakeML"))) if raw else set()
        return self._ids

    def __len__(self) -> int:
        if self._catalog is not None:
            return len(self._catalog)
        raw = self._raw()
        if not raw:
            return 0
        root = xmlsafe.parse(raw, "QuakeML")
        return len(root.xpath("//*[local-name()='event']"))

    # -- writing ---------------------------------------------------------------
    def add(self, events: Catalog | Event | Iterable[Event]) -> list[str]:
        """Append events; return their resource ids.

        Raises
        ------
        asdfkit.errors.DuplicateEventError
            If any resource id of the new events is already in the file or
            repeated among them (nothing is written then).
        """
        new = _as_events(events)
        if not new:
            return []
        root = xmlsafe.parse(_serialize(new), "QuakeML")
        elements = list(root.iter(f"{{{_BED_NS}}}event"))
        new_ids = [rid for el in elements for rid in _public_ids(el)]
        existing = self.resource_ids()
        seen: set[str] = set()
        for rid in new_ids:
            if rid in existing or rid in seen:
                raise DuplicateEventError(
                    f"duplicate QuakeML resource id {rid!r}: resource ids must be unique in /QuakeML"
                )
            seen.add(rid)
        raw = self._raw()
        at = self._insert_at if self._insert_at is not None else _after_last_event(raw)
        insert = b""
        if at is not None:
            insert = b"".join(b"\n" + etree.tostring(el) for el in elements)
            updated = raw[:at] + insert + raw[at:]
            self._write_tail(updated, at)
        else:
            # Empty file, or a foreign document without any <event>: write it whole, once.
            updated = _serialize([*self.catalog, *new]) if raw else _serialize(new)
            self._write_all(updated)
        self._xml = updated
        self._insert_at = (at + len(insert)) if at is not None else _after_last_event(updated)
        self._ids = existing | seen
        if self._catalog is not None:
            self._catalog.events.extend(copy.deepcopy(new))
        return [str(ev.resource_id) for ev in new]

    def _write_all(self, data: bytes) -> None:
        write_xml(self._h5, QUAKEML_NAME, data, self._compression)

    def _write_tail(self, data: bytes, start: int) -> None:
        node = self._h5.get(QUAKEML_NAME)
        if not isinstance(node, h5py.Dataset) or node.maxshape != (None,) or node.ndim != 1:
            self._write_all(data)
            return
        # The stored bytes may carry trailing padding that ``clean`` removed.
        ensure_h5_space(self._h5, len(data) - start)
        node.resize((len(data),))
        node[start:] = np.frombuffer(data[start:], dtype=XML_DTYPE)

    def remove(self, resource_id: str | ResourceIdentifier | Event) -> None:
        """Remove one event by its resource id."""
        if isinstance(resource_id, Event):
            resource_id = resource_id.resource_id
        rid = str(resource_id)
        catalog = self.catalog
        keep = [ev for ev in catalog if str(ev.resource_id) != rid]
        if len(keep) == len(catalog):
            raise NotFoundError(f"event {rid!r} not found in /QuakeML")
        if keep:
            self._write_all(_serialize(keep))
        else:
            del self._h5[QUAKEML_NAME]
        self._catalog = Catalog(events=keep)
        self._xml = None
        self._insert_at = None
        self._ids = None
