"""pyasdf contenders, written the way pyasdf's documentation uses its API."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyasdf
from obspy import Inventory, Stream
from obspy.core.event import Event

__all__ = ["add_events_one_by_one", "add_stations", "list_headers", "read_all", "write_streams"]


def write_streams(path: Path, streams: Iterable[Stream], tag: str, compression: str = "gzip-3") -> int:
    """One ``add_waveforms`` call per station stream into a new file.

    pyasdf always sets shuffle (with compression) and fletcher32 and lets h5py
    choose the chunk shape; only the compression level can be chosen.
    """
    count = 0
    with pyasdf.ASDFDataSet(str(path), mode="w", compression=compression) as ds:
        for stream in streams:
            ds.add_waveforms(stream, tag=tag)
            count += len(stream)
    return count


def list_headers(path: Path) -> list[tuple[str, Any, Any]]:
    """``(name, starttime, sampling_rate)`` of every trace via ``get_waveform_attributes()``.

    This is pyasdf's metadata-only path: it reads every attribute of every
    waveform dataset of each station, no samples.
    """
    out = []
    with pyasdf.ASDFDataSet(str(path), mode="r") as ds:
        for station in ds.waveforms:
            for name, attrs in station.get_waveform_attributes().items():
                out.append((name, attrs["starttime"], attrs["sampling_rate"]))
    return out


def read_all(path: Path, tag: str) -> Stream:
    """Every trace of ``tag``, station by station (``ds.waveforms[station][tag]``)."""
    stream = Stream()
    with pyasdf.ASDFDataSet(str(path), mode="r") as ds:
        for station in ds.waveforms:
            stream += station[tag]
    return stream


def add_events_one_by_one(path: Path, events: Sequence[Event]) -> int:
    """A new file, then one ``add_quakeml`` call per event."""
    with pyasdf.ASDFDataSet(str(path), mode="w") as ds:
        for event in events:
            ds.add_quakeml(event)
    return len(events)


def add_stations(path: Path, inventory: Inventory) -> int:
    """``add_stationxml`` of a whole inventory into an existing file."""
    with pyasdf.ASDFDataSet(str(path), mode="r+") as ds:
        ds.add_stationxml(inventory)
    return len(inventory.get_contents()["stations"])
