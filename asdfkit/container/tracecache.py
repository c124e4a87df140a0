"""The header index's second half: labels, event ids and station coordinates.

:mod:`asdfkit.container.index` caches what every trace's name and two numeric
attributes say; header tables (:meth:`ASDFFile.headers`) also need each
trace's ``labels`` and ``event_id`` and each station's coordinates.  Reading
those means opening every dataset's attributes and parsing every StationXML,
so they are cached the same way, beside the index cache
(``<cache dir>/index/<digest>.attrs.json``), under the same key (path, size,
inode, modification time): any change to the file by another program makes
the cache stale and it is rebuilt.  asdfkit's own writes keep it current: a
session replays traces added or removed, label edits update it, StationXML
changes drop the coordinates, and the result is saved under the new key when
the file is closed.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from ..spec import STATIONXML_NAME
from .h5util import decode_str
from .index import HeaderIndex

__all__ = ["TraceAttrs", "TraceAttrsLoader"]

log = logging.getLogger(__name__)

_FORMAT = 1
Coordinates = tuple[float, float, float]


def _station(name: str) -> str:
    return ".".join(name.split("__", 1)[0].split(".")[:2])


def _read_attr(dataset: h5py.h5d.DatasetID, key: bytes) -> str:
    if not h5py.h5a.exists(dataset, key):
        return ""
    attr = h5py.h5a.open(dataset, key)
    dtype = attr.dtype
    buf = np.zeros(attr.shape, dtype=dtype)
    attr.read(buf, mtype=h5py.h5t.py_create(dtype))  # as h5py's AttributeManager reads (vlen-safe)
    return decode_str(buf[()] if buf.ndim == 0 else buf)


def read_trace_attrs(h5: h5py.File, names: Iterable[str]) -> dict[str, tuple[str, str]]:
    """``{name: (labels text, event_id text)}`` read from the datasets' attributes (low-level API)."""
    out: dict[str, tuple[str, str]] = {}
    if not isinstance(h5.get("Waveforms"), h5py.Group):
        return out
    by_station: dict[str, list[str]] = {}
    for name in names:
        by_station.setdefault(_station(name), []).append(name)
    waveforms = h5py.h5g.open(h5.id, b"Waveforms")
    for sid, items in by_station.items():
        try:
            group = h5py.h5g.open(waveforms, sid.encode())
        except (KeyError, TypeError, ValueError, OSError):
            continue
        for name in items:
            try:
                dataset = h5py.h5d.open(group, name.encode())
                out[name] = (_read_attr(dataset, b"labels"), _read_attr(dataset, b"event_id"))
            except (KeyError, TypeError, ValueError, OSError) as exc:
                log.warning("cannot read the attributes of %s/%s: %s", sid, name, exc)
    return out


class TraceAttrs:
    """Labels and event ids per trace name, coordinates per station id."""

    def __init__(self, values: dict[str, tuple[str, str]], stations: dict[str, Coordinates] | None) -> None:
        self.values = values
        self.stations = stations

    def to_json(self) -> bytes:
        names = list(self.values)
        return json.dumps({
            "version": _FORMAT,
            "names": names,
            "labels": [self.values[n][0] for n in names],
            "events": [self.values[n][1] for n in names],
            "stations": self.stations,
        }).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> TraceAttrs | None:
        try:
            data = json.loads(raw)
            if data.get("version") != _FORMAT:
                return None
            values = dict(zip(data["names"], zip(data["labels"], data["events"], strict=True), strict=True))
            stations = data["stations"]
            if stations is not None:
                stations = {k: tuple(float("nan") if x is None else float(x) for x in v)
                            for k, v in stations.items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        return cls(values, stations)


class TraceAttrsLoader:
    """Loads, reconciles, edits and saves the :class:`TraceAttrs` of one open file."""

    def __init__(self, h5: h5py.File, cache: tuple[Path, str] | None) -> None:
        self._h5 = h5
        self._cache = cache
        self.loaded: TraceAttrs | None = None
        self.dirty = False
        self._coordinates: dict[str, Coordinates] | None = None

    @staticmethod
    def _path(index_path: Path) -> Path:
        return index_path.with_name(index_path.stem + ".attrs.json")

    def _load(self) -> TraceAttrs | None:
        if self._cache is None:
            return None
        path, key = self._cache
        try:
            raw = self._path(path).read_bytes()
        except OSError:
            return None
        head, _, body = raw.partition(b"\n")
        if head.decode(errors="replace") != key:
            return None
        return TraceAttrs.from_json(body)

    def get(self, index: HeaderIndex, coordinates: Callable[[], dict[str, Coordinates]]) -> TraceAttrs:
        """The attributes of every trace in ``index`` (reading only what the cache lacks)."""
        if self.loaded is None:
            self.loaded = self._load() or TraceAttrs({}, None)
        attrs = self.loaded
        names = index.names
        if len(attrs.values) != len(names) or any(n not in attrs.values for n in names):
            present = set(names)
            for gone in [n for n in attrs.values if n not in present]:
                del attrs.values[gone]
            new = [n for n in names if n not in attrs.values]
            if new:
                log.info("reading labels and event ids of %d trace(s)", len(new))
                attrs.values.update(read_trace_attrs(self._h5, new))
            self.dirty = True
        if attrs.stations is None:
            attrs.stations = self.coordinates(coordinates)
            self.dirty = True
        return attrs

    def set_labels(self, name: str, text: str) -> None:
        """Record a label edit made in this session."""
        if self.loaded is not None and name in self.loaded.values:
            self.loaded.values[name] = (text, self.loaded.values[name][1])

    def set_events(self, name: str, text: str) -> None:
        if self.loaded is not None and name in self.loaded.values:
            self.loaded.values[name] = (self.loaded.values[name][0], text)

    def coordinates(self, compute: Callable[[], dict[str, Coordinates]]) -> dict[str, Coordinates]:
        """Station coordinates alone (cached ones if loaded, else computed once per session)."""
        if self.loaded is not None and self.loaded.stations is not None:
            return self.loaded.stations
        if self._coordinates is None:
            self._coordinates = compute()
        return self._coordinates

    def stations_changed(self) -> None:
        self._coordinates = None
        if self.loaded is not None:
            self.loaded.stations = None

    def save(self, cache: tuple[Path, str] | None) -> None:
        """Write the cache under ``cache``'s key (the file's key after closing)."""
        if cache is None or self.loaded is None:
            return
        path, key = cache
        target = self._path(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".partial")
            with os.fdopen(fd, "wb") as handle:
                handle.write(key.encode() + b"\n" + self.loaded.to_json())
            os.replace(tmp, target)
        except OSError as exc:
            log.debug("could not write the trace attribute cache %s: %s", target, exc)


def station_coordinates(h5: h5py.File, lookup: Callable[[str], dict[str, Any]]) -> dict[str, Coordinates]:
    """``{NET.STA: (latitude, longitude, elevation m)}`` of every station with StationXML."""
    out: dict[str, Coordinates] = {}
    waveforms = h5.get("Waveforms")
    if not isinstance(waveforms, h5py.Group):
        return out
    for sid in waveforms:
        node = waveforms[sid]
        if isinstance(node, h5py.Group) and STATIONXML_NAME in node:
            try:
                coords = lookup(sid)
            except (KeyError, ValueError) as exc:
                log.warning("no coordinates for %s: %s", sid, exc)
                continue
            lat, lon, elev = (float("nan") if coords.get(k) is None else float(coords[k])
                              for k in ("latitude", "longitude", "elevation_in_m"))
            out[sid] = (lat, lon, elev)
    return out
