"""QuakeML and StationXML through ObsPy's codecs, without its plugin look-up.

``Catalog.write`` and ``obspy.read_events`` find their codec through package
entry points on every call, which costs more than serializing a small event.
These helpers call the codecs directly and fall back to the public API if a
future ObsPy moves them.  Callers must have checked the XML with
:func:`asdfkit.xmlsafe.parse` before reading it.
"""

from __future__ import annotations

import io

import obspy
from obspy import Inventory
from obspy.core.event import Catalog

__all__ = ["read_quakeml", "read_stationxml", "write_quakeml", "write_stationxml"]

try:  # pragma: no branch
    from obspy.io.quakeml.core import _read_quakeml as _read_q
    from obspy.io.quakeml.core import _write_quakeml as _write_q
    from obspy.io.stationxml.core import _read_stationxml as _read_s
    from obspy.io.stationxml.core import _write_stationxml as _write_s
except ImportError:  # pragma: no cover - older/newer ObsPy layouts
    _read_q = _write_q = _read_s = _write_s = None


def write_quakeml(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    if _write_q is not None:
        _write_q(catalog, buffer)
    else:  # pragma: no cover
        catalog.write(buffer, format="QUAKEML", validate=False)
    return buffer.getvalue()


def read_quakeml(data: bytes) -> Catalog:
    if _read_q is not None:
        return _read_q(io.BytesIO(data))
    return obspy.read_events(io.BytesIO(data), format="QUAKEML")  # pragma: no cover


def write_stationxml(inventory: Inventory) -> bytes:
    buffer = io.BytesIO()
    if _write_s is not None:
        _write_s(inventory, buffer)
    else:  # pragma: no cover
        inventory.write(buffer, format="STATIONXML", validate=False)
    return buffer.getvalue()


def read_stationxml(data: bytes) -> Inventory:
    if _read_s is not None:
        return _read_s(io.BytesIO(data))
    return obspy.read_inventory(io.BytesIO(data), format="STATIONXML")  # pragma: no cover
