"""The header index: every trace's name, start, sampling rate and length.

Built by a low-level walk over ``/Waveforms`` that opens each dataset once and
reads just ``starttime``, ``sampling_rate`` and the dataset's length; no
samples are read.  The result is cached outside the file (the file itself is
never touched by a read), keyed by the file's path, size, inode and
modification time, and kept up to date by asdfkit's own writes.

The cache lives in ``$ASDFKIT_CACHE_DIR`` (default ``~/.cache/asdfkit``).
Set ``ASDFKIT_CACHE_DIR=off`` to disable it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import translate
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from obspy import UTCDateTime

from ..spec import STATIONXML_NAME
from ..times import end_ns, to_utc
from .damage import damage_guard

__all__ = ["HeaderIndex", "TraceHeader", "cache_dir"]

log = logging.getLogger(__name__)

_CACHE_FORMAT = 1
_INT64 = h5py.h5t.NATIVE_INT64
_DOUBLE = h5py.h5t.NATIVE_DOUBLE


@dataclass(frozen=True)
class TraceHeader:
    """What asdfkit knows of a trace without reading its samples."""

    name: str
    network: str
    station: str
    location: str
    channel: str
    tag: str
    starttime_ns: int
    sampling_rate: float
    npts: int

    @property
    def station_id(self) -> str:
        """``NET.STA``."""
        return f"{self.network}.{self.station}"

    @property
    def seed_id(self) -> str:
        """``NET.STA.LOC.CHA``."""
        return f"{self.network}.{self.station}.{self.location}.{self.channel}"

    @property
    def path(self) -> str:
        """HDF5 path of the dataset."""
        return f"/Waveforms/{self.station_id}/{self.name}"

    @property
    def endtime_ns(self) -> int:
        """Time of the last sample, nanoseconds since the epoch."""
        return end_ns(self.starttime_ns, self.npts, self.sampling_rate)

    @property
    def starttime(self) -> UTCDateTime:
        """Time of the first sample as an ObsPy ``UTCDateTime``."""
        return to_utc(self.starttime_ns)

    @property
    def endtime(self) -> UTCDateTime:
        """Time of the last sample as an ObsPy ``UTCDateTime``."""
        return to_utc(self.endtime_ns)

    def to_dict(self) -> dict[str, Any]:
        """The header as a JSON-ready dictionary."""
        return {
            "name": self.name,
            "seed_id": self.seed_id,
            "tag": self.tag,
            "starttime": str(self.starttime),
            "endtime": str(self.endtime),
            "starttime_ns": self.starttime_ns,
            "sampling_rate": self.sampling_rate,
            "npts": self.npts,
        }


_NUMERIC = (h5py.h5t.INTEGER, h5py.h5t.FLOAT)


def _read_scalar(dataset: h5py.h5d.DatasetID, name: bytes, buf: np.ndarray, mtype: h5py.h5t.TypeID) -> None:
    """Read the numeric attribute ``name`` into the 0-d ``buf``, checking it fits first.

    HDF5 copies as many elements as the attribute's dataspace holds into the
    buffer whatever its size, so an array-valued attribute would overrun it.
    Anything but one integer or float raises ``TypeError`` (the walk skips the
    dataset; the validator reports it).
    """
    attr = h5py.h5a.open(dataset, name)
    space = attr.get_space()
    kind = space.get_simple_extent_type()
    if kind not in (h5py.h5s.SCALAR, h5py.h5s.SIMPLE) or space.get_simple_extent_npoints() != 1:
        raise TypeError(f"attribute {name.decode()!r} holds {space.get_simple_extent_npoints()} values, not 1")
    if attr.get_type().get_class() not in _NUMERIC:
        raise TypeError(f"attribute {name.decode()!r} is not a number")
    attr.read(buf, mtype=mtype)


def _split(name: str) -> tuple[str, str, str, str, str]:
    # SEED__START__END__TAG: only the tag may contain "_" (even "__"), so split from the left.
    fields = name.split("__", 3)
    seed = fields[0]
    tag = fields[-1] if len(fields) > 1 else ""
    parts = seed.split(".")
    if len(parts) != 4:
        parts = (parts + ["", "", "", ""])[:4]
    return parts[0], parts[1], parts[2], parts[3], tag


class HeaderIndex:
    """Columnar header table of every trace in a file."""

    def __init__(
        self,
        names: Sequence[str],
        start: np.ndarray,
        rate: np.ndarray,
        npts: np.ndarray,
    ) -> None:
        self.names: list[str] = list(names)
        self.start = np.asarray(start, dtype=np.int64)
        self.rate = np.asarray(rate, dtype=np.float64)
        self.npts = np.asarray(npts, dtype=np.int64)
        self._codes: list[tuple[str, str, str, str, str]] | None = None
        self._columns: dict[str, np.ndarray] = {}
        self._position: dict[str, int] | None = None

    # -- construction ------------------------------------------------------------
    @classmethod
    def empty(cls) -> HeaderIndex:
        """A header table with no rows."""
        return cls([], np.empty(0, np.int64), np.empty(0), np.empty(0, np.int64))

    @classmethod
    def walk(cls, h5: h5py.File) -> HeaderIndex:
        """Build the index by a low-level walk over ``/Waveforms``."""
        names: list[str] = []
        start: list[int] = []
        rate: list[float] = []
        npts: list[int] = []
        if "Waveforms" not in h5 or not isinstance(h5["Waveforms"], h5py.Group):
            return cls.empty()
        waveforms = h5py.h5g.open(h5.id, b"Waveforms")
        buf_i = np.empty((), np.int64)
        buf_f = np.empty((), np.float64)
        skip = STATIONXML_NAME.encode()
        with damage_guard(h5.filename, "/Waveforms"):
            groups = list(waveforms)
        for group_name in groups:
            try:
                group = h5py.h5g.open(waveforms, group_name)
            except (KeyError, TypeError, ValueError, OSError):
                continue
            with damage_guard(h5.filename, f"/Waveforms/{group_name.decode(errors='replace')}"):
                members = list(group)
            for name in members:
                if name == skip:
                    continue
                try:
                    dataset = h5py.h5d.open(group, name)
                    # Explicit memory types spare h5py building a type object per read.
                    _read_scalar(dataset, b"starttime", buf_i, _INT64)
                    _read_scalar(dataset, b"sampling_rate", buf_f, _DOUBLE)
                    length = dataset.get_space().get_simple_extent_dims()
                    text = name.decode()
                except (KeyError, TypeError, ValueError, OSError, RuntimeError):
                    log.warning(
                        "skipping %s/%s: not a waveform dataset with starttime and sampling_rate",
                        group_name.decode(errors="replace"), name.decode(errors="replace"),
                    )
                    continue
                names.append(text)
                start.append(int(buf_i))
                rate.append(float(buf_f))
                npts.append(int(length[0]) if length else 1)
        return cls(names, np.array(start, np.int64), np.array(rate), np.array(npts, np.int64))

    # -- mutation (asdfkit's own writes keep the index current) ---------------------
    def append(self, name: str, start: int, rate: float, npts: int) -> None:
        """Add one row: trace name, start (ns), sampling rate (Hz) and sample count."""
        self.names.append(name)
        self.start = np.append(self.start, np.int64(start))
        self.rate = np.append(self.rate, rate)
        self.npts = np.append(self.npts, np.int64(npts))
        self._invalidate()

    def extend(self, rows: Iterable[tuple[str, int, float, int]]) -> None:
        """Add rows given as ``(name, start_ns, rate, npts)`` tuples."""
        rows = list(rows)
        if not rows:
            return
        names, start, rate, npts = zip(*rows, strict=True)
        self.names.extend(names)
        self.start = np.concatenate([self.start, np.array(start, np.int64)])
        self.rate = np.concatenate([self.rate, np.array(rate, np.float64)])
        self.npts = np.concatenate([self.npts, np.array(npts, np.int64)])
        self._invalidate()

    def discard(self, names: Iterable[str]) -> None:
        """Drop the rows of the given trace names; unknown names are ignored."""
        drop = set(names)
        if not drop:
            return
        keep = np.array([n not in drop for n in self.names], dtype=bool)
        self.names = [n for n in self.names if n not in drop]
        self.start, self.rate, self.npts = self.start[keep], self.rate[keep], self.npts[keep]
        self._invalidate()

    def _invalidate(self) -> None:
        self._codes = None
        self._columns = {}
        self._position = None

    # -- access --------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[TraceHeader]:
        return (self.header(i) for i in range(len(self.names)))

    def __contains__(self, name: object) -> bool:
        if self._position is None:
            self._position = {n: i for i, n in enumerate(self.names)}
        return name in self._position

    def header(self, i: int) -> TraceHeader:
        """The :class:`TraceHeader` of row ``i`` (its name alone is parsed if the codes are not yet)."""
        net, sta, loc, cha, tag = self._codes[i] if self._codes is not None else _split(self.names[i])
        return TraceHeader(
            self.names[i], net, sta, loc, cha, tag,
            int(self.start[i]), float(self.rate[i]), int(self.npts[i]),
        )

    @property
    def codes(self) -> list[tuple[str, str, str, str, str]]:
        """``(network, station, location, channel, tag)`` of every row, parsed once."""
        if self._codes is None:
            self._codes = [_split(name) for name in self.names]
        return self._codes

    def column(self, field: str) -> np.ndarray:
        """One of network, station, location, channel, tag as an object array."""
        if field not in self._columns:
            position = ("network", "station", "location", "channel", "tag").index(field)
            values = np.empty(len(self.names), dtype=object)
            values[:] = [c[position] for c in self.codes]
            self._columns[field] = values
        return self._columns[field]

    def rows_by_station(self, tag: str | None = None) -> dict[str, list[int]]:
        """Row numbers of each station's traces (``NET.STA`` → rows), of one tag or all.

        Parses one name at a time and keeps no codes: a process that reads
        every station once holds the table and these row lists, not a header
        object per trace.

        Examples
        --------
        >>> HeaderIndex(["XS.A..BHZ__2020__2020__raw", "XS.B..BHZ__2020__2020__raw",
        ...              "XS.A..BHN__2020__2020__raw"], [0, 0, 0], [1.0] * 3, [1] * 3).rows_by_station("raw")
        {'XS.A': [0, 2], 'XS.B': [1]}
        """
        rows: dict[str, list[int]] = {}
        for i, name in enumerate(self.names):
            network, station, _, _, trace_tag = _split(name)
            if tag is None or trace_tag == tag:
                rows.setdefault(f"{network}.{station}", []).append(i)
        return rows

    def tags(self) -> set[str]:
        """The distinct tags, without parsing (and keeping) every row's codes.

        Examples
        --------
        >>> HeaderIndex(["XS.A..BHZ__2020__2020__raw", "XS.B..BHZ__2020__2020__raw"],
        ...             [0, 0], [1.0, 1.0], [1, 1]).tags()
        {'raw'}
        """
        if self._codes is not None:
            return {c[4] for c in self._codes}
        return {_split(name)[4] for name in self.names}

    def end(self) -> np.ndarray:
        """End times (ns) of every trace, vectorised (float interval, ns rounding)."""
        span = np.round((np.maximum(self.npts, 1) - 1) / self.rate * 1e9).astype(np.int64)
        return self.start + span

    def match(self, field: str, patterns: str | Sequence[str] | None) -> np.ndarray:
        """Boolean mask of rows whose ``field`` matches any UNIX wildcard pattern."""
        if patterns is None:
            return np.ones(len(self.names), dtype=bool)
        if isinstance(patterns, str):
            patterns = [patterns]
        regex = re.compile("|".join(f"(?:{translate(p)})" for p in patterns))
        values = self.column(field)
        if not len(values):
            return np.zeros(0, dtype=bool)
        unique, inverse = np.unique(values.astype(str), return_inverse=True)
        hits = np.array([regex.match(u) is not None for u in unique], dtype=bool)
        return hits[inverse.ravel()]

    # -- persistence ---------------------------------------------------------------
    def save(self, path: Path, key: str) -> None:
        """Write the table atomically to the cache file ``path``, tagged with ``key``."""
        blob = "\n".join(self.names).encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".partial")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(
                    handle, key=np.array(key), names=np.frombuffer(blob, np.uint8),
                    start=self.start, rate=self.rate, npts=self.npts,
                    version=np.array(_CACHE_FORMAT),
                )
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path, key: str) -> HeaderIndex | None:
        """Read a table saved by :meth:`save`; ``None`` if missing, stale (other ``key``) or damaged."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if int(data["version"]) != _CACHE_FORMAT or str(data["key"]) != key:
                    return None
                blob = data["names"].tobytes().decode()
                names = blob.split("\n") if blob else []
                index = cls(names, data["start"], data["rate"], data["npts"])
        except (OSError, ValueError, KeyError, EOFError):
            return None
        if not len(index.start) == len(index.rate) == len(index.npts) == len(names):
            return None
        return index


def cache_dir() -> Path | None:
    """Where header caches live, or ``None`` when caching is off."""
    value = os.environ.get("ASDFKIT_CACHE_DIR")
    if value is not None and value.lower() in ("", "0", "off", "false", "none"):
        return None
    if value:
        return Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "asdfkit"


def file_key(path: str | os.PathLike[str]) -> tuple[Path, str] | None:
    """``(cache file, key)`` of an HDF5 file on disk, or ``None`` if not cacheable."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        real = os.path.realpath(path)
        stat = os.stat(real)
    except OSError:
        return None
    digest = hashlib.sha256(real.encode()).hexdigest()[:32]
    key = f"{real}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ino}"
    return directory / "index" / f"{digest}.npz", key
