"""asdfkit contenders: each function opens the file, does one job through the public API, closes it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from obspy import Inventory, Stream
from obspy.core.event import Event

import asdfkit
from asdfkit import TraceHeader

__all__ = ["add_events_one_by_one", "add_stations", "list_headers", "read_all", "write_streams"]


def write_streams(path: Path, streams: Iterable[Stream], tag: str, compression: str = "gzip") -> int:
    """One ``add_waveforms`` call per station stream into a new file."""
    count = 0
    with asdfkit.open(path, "w", compression=compression) as f:
        for stream in streams:
            count += len(f.add_waveforms(stream, tag=tag))
    return count


def list_headers(path: Path, index_cache: bool = True) -> list[TraceHeader]:
    """``list_waveforms()``: name, codes, starttime, sampling rate and npts of every trace."""
    with asdfkit.open(path, index_cache=index_cache) as f:
        return f.list_waveforms()


def read_all(path: Path, index_cache: bool = True) -> Stream:
    """``get_waveforms()`` of everything in the file."""
    with asdfkit.open(path, index_cache=index_cache) as f:
        return f.get_waveforms()


def add_events_one_by_one(path: Path, events: Sequence[Event]) -> int:
    """A new file, then one ``add_events`` call per event."""
    with asdfkit.open(path, "w") as f:
        for event in events:
            f.add_events(event)
    return len(events)


def add_stations(path: Path, inventory: Inventory) -> list[str]:
    """``add_stations`` of a whole inventory into an existing file."""
    with asdfkit.open(path, "r+") as f:
        return f.add_stations(inventory)
