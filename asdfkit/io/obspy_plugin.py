"""ObsPy plugin: ``obspy.read``, ``obspy.read_inventory`` and ``obspy.read_events`` on ASDF files.

Registered through entry points in ``pyproject.toml`` (ObsPy has no ASDF reader
of its own).  ``obspy.read("x.h5", tag="raw_recording", station="ANMO")`` passes
the extra keywords on as a query.
"""

from __future__ import annotations

from typing import Any

from obspy import Inventory, Stream
from obspy.core.event import Catalog

from ..container import open as open_asdf
from ..errors import AsdfkitError

__all__ = ["is_asdf", "read_events", "read_inventory", "read_waveforms"]

_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def is_asdf(filename: Any) -> bool:
    """True for an HDF5 file whose root says ``file_format = ASDF``; never raises."""
    try:
        if hasattr(filename, "read"):
            return False
        with open(filename, "rb") as handle:
            if handle.read(8) != _HDF5_MAGIC:
                return False
        with open_asdf(filename, "r", index_cache=False):
            return True
    except (OSError, AsdfkitError, ValueError, TypeError):
        return False


def read_waveforms(filename: Any, headonly: bool = False, **query: Any) -> Stream:
    """All (or the queried) traces of an ASDF file."""
    keys = ("network", "station", "location", "channel", "tag", "starttime", "endtime", "labels",
            "event_id", "sampling_rate")
    chosen = {k: v for k, v in query.items() if k in keys}
    with open_asdf(filename, "r") as f:
        if headonly:
            stream = Stream()
            from obspy import Trace

            for header in f.list_waveforms(**chosen):
                trace = Trace(header={"network": header.network, "station": header.station,
                                      "location": header.location, "channel": header.channel,
                                      "sampling_rate": header.sampling_rate,
                                      "starttime": header.starttime, "npts": header.npts})
                stream.append(trace)
            return stream
        return f.get_waveforms(**chosen)


def read_inventory(filename: Any, **_: Any) -> Inventory:
    """Every station's StationXML of an ASDF file, as one ``Inventory``."""
    with open_asdf(filename, "r") as f:
        return f.inventory


def read_events(filename: Any, **_: Any) -> Catalog:
    """The ``/QuakeML`` catalogue of an ASDF file."""
    with open_asdf(filename, "r") as f:
        return f.events
