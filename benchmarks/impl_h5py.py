"""The raw-h5py baselines: the least code that does each job on the ASDF layout.

These write exactly the dataset names, dtypes and the ``starttime`` /
``sampling_rate`` attributes asdfkit writes (no optional attributes, no
checks, no rollback), and read them back without any of asdfkit's
bookkeeping.  They are what "the cost of HDF5 itself" means in the ratios.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from obspy import Stream, Trace, UTCDateTime

from asdfkit.container.compression import chunk_shape

from .data import BASE_START, NETWORK, WaveformLayout, station_code

__all__ = [
    "H5Layout",
    "list_highlevel",
    "list_lowlevel",
    "read_numpy",
    "read_stream",
    "trace_name",
    "write_header_file",
    "write_streams",
]

_EPOCH = _dt.datetime(1970, 1, 1)
_NS = 1_000_000_000


@dataclass(frozen=True)
class H5Layout:
    """Dataset creation options of a waveform dataset.

    ``chunks="asdfkit"`` uses :func:`asdfkit.container.compression.chunk_shape`
    (about 128 KiB along the first axis); ``chunks="auto"`` lets h5py guess,
    which is what pyasdf gets since it passes no chunk shape.
    """

    compression: str | None = "gzip"
    level: int | None = 4
    shuffle: bool = True
    fletcher32: bool = True
    chunks: str = "asdfkit"

    def kwargs(self, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, Any]:
        """Keyword arguments for ``Group.create_dataset``."""
        out: dict[str, Any] = {"maxshape": (None,)}
        if self.chunks == "asdfkit":
            out["chunks"] = chunk_shape(shape, np.dtype(dtype).itemsize)
        else:
            out["chunks"] = True
        if self.compression:
            out["compression"] = self.compression
            out["compression_opts"] = self.level
            out["shuffle"] = self.shuffle
        out["fletcher32"] = self.fletcher32
        return out

    def describe(self) -> str:
        comp = f"{self.compression}-{self.level}" if self.compression else "none"
        extras = [n for n, on in (("shuffle", self.shuffle and self.compression), ("fletcher32", self.fletcher32)) if on]
        chunks = "chunk_shape()" if self.chunks == "asdfkit" else "h5py auto chunks"
        return "+".join([comp, *extras]) + f", {chunks}"


#: What asdfkit writes by default.
ASDFKIT_LAYOUT = H5Layout()


def _name_time(ns: int) -> str:
    return (_EPOCH + _dt.timedelta(seconds=ns // _NS)).strftime("%Y-%m-%dT%H:%M:%S")


def trace_name(net: str, sta: str, loc: str, cha: str, start_ns: int, npts: int, rate: float, tag: str) -> str:
    """``NET.STA.LOC.CHA__START__END__TAG`` with whole-second times, as asdfkit names it."""
    end = start_ns + round((npts - 1) * _NS / rate)
    return f"{net}.{sta}.{loc}.{cha}__{_name_time(start_ns)}__{_name_time(end)}__{tag}"


def _create_root(h5: h5py.File) -> h5py.Group:
    h5.attrs["file_format"] = np.bytes_(b"ASDF\x00")
    h5.attrs["file_format_version"] = np.bytes_(b"1.0.3\x00")
    h5.create_group("AuxiliaryData")
    h5.create_group("Provenance")
    return h5.create_group("Waveforms")


def write_streams(path: Path, streams: Iterable[Stream], tag: str, layout: H5Layout = ASDFKIT_LAYOUT) -> int:
    """Write every trace as ``/Waveforms/NET.STA/<name>`` with its two required attributes."""
    count = 0
    with h5py.File(path, "w") as h5:
        waveforms = _create_root(h5)
        for stream in streams:
            for tr in stream:
                stats = tr.stats
                start = int(stats.starttime.ns)
                rate = float(stats.sampling_rate)
                data = tr.data
                name = trace_name(stats.network, stats.station, stats.location, stats.channel,
                                  start, len(data), rate, tag)
                group = waveforms.require_group(f"{stats.network}.{stats.station}")
                dataset = group.create_dataset(name, data=data, **layout.kwargs(data.shape, data.dtype))
                dataset.attrs["starttime"] = np.int64(start)
                dataset.attrs["sampling_rate"] = np.float64(rate)
                count += 1
    return count


def write_header_file(path: Path, n_traces: int, npts: int, layout: WaveformLayout,
                      h5layout: H5Layout = ASDFKIT_LAYOUT, tag: str = "raw_recording") -> int:
    """Write an ASDF file of ``n_traces`` short traces (``layout.per_station`` per station).

    Used to make the 100,000-trace header-listing file; the samples are a
    ramp (their values do not matter for header listing).
    """
    data = np.arange(npts, dtype=np.float32)
    kwargs = h5layout.kwargs(data.shape, data.dtype)
    written = 0
    tmp = path.with_suffix(".partial")
    with h5py.File(tmp, "w") as h5:
        waveforms = _create_root(h5)
        s = 0
        while written < n_traces:
            sta = station_code(s)
            group = waveforms.create_group(f"{NETWORK}.{sta}")
            for window in range(layout.windows):
                start = int((BASE_START + window * layout.window_step).ns)
                for channel, rate in layout.channels:
                    if written >= n_traces:
                        break
                    name = trace_name(NETWORK, sta, "", channel, start, npts, rate, tag)
                    dataset = group.create_dataset(name, data=data, **kwargs)
                    dataset.attrs["starttime"] = np.int64(start)
                    dataset.attrs["sampling_rate"] = np.float64(rate)
                    written += 1
            s += 1
    tmp.replace(path)
    return written


def list_highlevel(path: Path) -> list[tuple[str, int, float]]:
    """``(name, starttime, sampling_rate)`` of every trace, high-level h5py API."""
    out = []
    with h5py.File(path, "r") as h5:
        waveforms = h5["Waveforms"]
        for station in waveforms.values():
            for name, dataset in station.items():
                if name == "StationXML":
                    continue
                attrs = dataset.attrs
                out.append((name, int(attrs["starttime"]), float(attrs["sampling_rate"])))
    return out


def _walk(path: Path) -> Iterator[tuple[bytes, h5py.h5d.DatasetID]]:
    fid = h5py.h5f.open(str(path).encode(), h5py.h5f.ACC_RDONLY)
    try:
        waveforms = h5py.h5g.open(fid, b"Waveforms")
        for station in waveforms:
            group = h5py.h5g.open(waveforms, station)
            for name in group:
                if name == b"StationXML":
                    continue
                yield name, h5py.h5d.open(group, name)
    finally:
        fid.close()


def list_lowlevel(path: Path, npts: bool = False) -> list[tuple[Any, ...]]:
    """``(name, starttime, sampling_rate[, npts])`` of every trace via ``h5g``/``h5d``/``h5a``.

    With ``npts`` the dataset length is read too (what asdfkit's index holds).
    """
    buf_i = np.empty((), np.int64)
    buf_f = np.empty((), np.float64)
    out: list[tuple[Any, ...]] = []
    for name, dataset in _walk(path):
        h5py.h5a.open(dataset, b"starttime").read(buf_i)
        h5py.h5a.open(dataset, b"sampling_rate").read(buf_f)
        if npts:
            out.append((name.decode(), int(buf_i), float(buf_f), dataset.get_space().get_simple_extent_dims()[0]))
        else:
            out.append((name.decode(), int(buf_i), float(buf_f)))
    return out


def read_numpy(path: Path) -> list[tuple[str, np.ndarray, int, float]]:
    """Every trace's samples and two attributes as numpy, high-level h5py API."""
    out = []
    with h5py.File(path, "r") as h5:
        for station in h5["Waveforms"].values():
            for name, dataset in station.items():
                if name == "StationXML":
                    continue
                attrs = dataset.attrs
                out.append((name, dataset[()], int(attrs["starttime"]), float(attrs["sampling_rate"])))
    return out


def read_stream(path: Path) -> Stream:
    """Every trace as an obspy ``Trace`` (codes, start, rate; nothing else)."""
    traces = []
    for name, data, start, rate in read_numpy(path):
        net, sta, loc, cha = name.split("__", 1)[0].split(".")
        tr = Trace(data=data)
        stats = tr.stats
        stats.network, stats.station, stats.location, stats.channel = net, sta, loc, cha
        stats.sampling_rate = rate
        stats.starttime = UTCDateTime(ns=start)
        traces.append(tr)
    return Stream(traces)
