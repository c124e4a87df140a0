"""QuakeML and StationXML through ObsPy's codecs, without its plugin look-up.

``Catalog.write`` and ``obspy.read_events`` find their codec through package
entry points on every call, which costs more than serializing a small event.
These helpers call the codecs directly and fall back to the public API if a
future ObsPy moves them.  Callers must have checked the XML with
:func:`asdfkit.xmlsafe.parse` before reading it.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def _quiet() -> Iterator[None]:
    """ObsPy's plugin look-up warns (entry-point API deprecations); that is no finding of ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


def write_quakeml(catalog: Catalog) -> bytes:
    """QuakeML bytes of ``catalog`` (ObsPy's writer, without validation)."""
    buffer = io.BytesIO()
    if _write_q is not None:
        _write_q(catalog, buffer)
    else:
        with _quiet():
            catalog.write(buffer, format="QUAKEML", validate=False)
    return buffer.getvalue()


def read_quakeml(data: bytes) -> Catalog:
    """The ``Catalog`` of QuakeML ``data`` (already checked by :func:`asdfkit.xmlsafe.parse`)."""
    if _read_q is not None:
        return _read_q(io.BytesIO(data))
    with _quiet():
        return obspy.read_events(io.BytesIO(data), format="QUAKEML")


def write_stationxml(inventory: Inventory) -> bytes:
    """StationXML bytes of ``inventory`` (ObsPy's writer, without validation)."""
    buffer = io.BytesIO()
    if _write_s is not None:
        _write_s(inventory, buffer)
    else:
        with _quiet():
            inventory.write(buffer, format="STATIONXML", validate=False)
    return buffer.getvalue()


def read_stationxml(data: bytes) -> Inventory:
    """The ``Inventory`` of StationXML ``data`` (already checked by :func:`asdfkit.xmlsafe.parse`)."""
    if _read_s is not None:
        return _read_s(io.BytesIO(data))
    with _quiet():
        return obspy.read_inventory(io.BytesIO(data), format="STATIONXML")
