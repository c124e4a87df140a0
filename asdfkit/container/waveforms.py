"""``/Waveforms/NET.STA/NET.STA.LOC.CHA__START__END__TAG``: one dataset per trace.

Writes check every trace of a call before the first byte is written and roll
back what they created if HDF5 fails midway.  Reads answer queries from the
header index and cut time windows exactly as ``Trace.slice`` does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import h5py
import numpy as np
from obspy import Stream, Trace, UTCDateTime
from obspy.core.event import ResourceIdentifier
from obspy.core.util import AttribDict

from ..errors import (
    DuplicateTraceError,
    InvalidDtypeError,
    InvalidTimeError,
    InvalidValueError,
    NotFoundError,
    VersionError,
)
from ..naming import TraceName, check_codes, check_provenance_id, check_tag, join_labels, split_labels
from ..spec import ID_ATTRIBUTES, VersionSpec
from ..times import check_storable, end_ns, to_ns, to_utc
from .chunks import STATS_KEY, EncodedChunks
from .compression import Compression
from .damage import read_data
from .diskspace import ensure_h5_space
from .fastwrite import DatasetWriter
from .h5util import ascii_attr, decode_str
from .index import HeaderIndex, TraceHeader
from .sizeguard import check_declared_size, read_checked

__all__ = ["WaveformStore", "TraceMeta"]

log = logging.getLogger(__name__)

OnDuplicate = Literal["raise", "skip"]


@dataclass
class TraceMeta:
    """Optional attributes of a waveform dataset, decoded."""

    event_ids: list[str] = field(default_factory=list)
    origin_ids: list[str] = field(default_factory=list)
    magnitude_ids: list[str] = field(default_factory=list)
    focal_mechanism_ids: list[str] = field(default_factory=list)
    provenance_id: str | None = None
    labels: list[str] = field(default_factory=list)

    @classmethod
    def from_attrs(cls, attrs: h5py.AttributeManager) -> TraceMeta:
        """Read the metadata from the attributes of a waveform dataset."""
        meta = cls()
        for name in ID_ATTRIBUTES:
            if name in attrs:
                text = decode_str(attrs[name])
                setattr(meta, name + "s", [p for p in text.split(",") if p])
        if "provenance_id" in attrs:
            meta.provenance_id = decode_str(attrs["provenance_id"]) or None
        if "labels" in attrs:
            meta.labels = split_labels(decode_str(attrs["labels"]))
        return meta


def cast_dtype(cast: Any) -> np.dtype | None:
    if cast is None:
        return None
    try:
        return np.dtype(cast)
    except TypeError:
        raise InvalidDtypeError(f"invalid cast dtype {cast!r}: not a numpy dtype (e.g. 'float32', 'int32')") from None


def cast_samples(data: np.ndarray, dtype: np.dtype, seed: str) -> np.ndarray:
    """``data`` as ``dtype``, refusing values the new type cannot hold (they would wrap or overflow)."""
    if data.dtype == dtype:
        return data
    if data.size and dtype.kind in "iu" and data.dtype.kind in "iuf":
        info = np.iinfo(dtype)
        low, high = data.min(), data.max()
        if not (np.isfinite(low) and np.isfinite(high)):
            raise InvalidValueError(f"cannot cast trace {seed} to {dtype}: its values include NaN or infinity")
        if low < info.min or high > info.max:
            raise InvalidValueError(
                f"cannot cast trace {seed} to {dtype}: its values span {low} to {high}, beyond "
                f"{dtype}'s {info.min} to {info.max} (they would wrap around)"
            )
    if data.size and dtype.kind == "f" and data.dtype.kind in "iuf":
        limit = np.finfo(dtype).max
        finite = data[np.isfinite(data)] if data.dtype.kind == "f" else data
        peak = np.abs(finite).max() if finite.size else 0.0  # NaN and inf stay NaN and inf
        if peak > limit:
            raise InvalidValueError(
                f"cannot cast trace {seed} to {dtype}: |values| up to {peak} exceed {dtype}'s {limit} "
                "(they would become inf)"
            )
    return data.astype(dtype)


def resource_ids(value: Any, what: str) -> list[str]:
    """Accept objects with ``resource_id``, ``ResourceIdentifier``, str, or lists of those."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple, set)) else [value]
    out = []
    for item in items:
        if hasattr(item, "resource_id"):
            item = item.resource_id
        if isinstance(item, ResourceIdentifier):
            item = item.id
        if not isinstance(item, str) or not item or "," in item:
            raise InvalidValueError(
                f"invalid {what} {item!r}: must be a non-empty QuakeML resource id without commas"
            )
        ascii_attr(item, what)
        out.append(item)
    return out


@dataclass
class _Prepared:
    trace: Trace
    data: np.ndarray
    codes: tuple[str, str, str, str]
    start_ns: int
    end_ns: int
    attrs: dict[str, Any]
    name: str = ""
    skip: bool = False


class WaveformStore:
    """The waveform datasets of one open file."""

    def __init__(
        self,
        h5: h5py.File,
        spec: VersionSpec,
        compression: Compression,
        index_loader: Any,
        writer: DatasetWriter | None = None,
    ) -> None:
        self._h5 = h5
        self._spec = spec
        self._compression = compression
        self._index_loader = index_loader  # callable returning the HeaderIndex
        self._writer = writer or DatasetWriter()
        self.added: list[tuple[str, int, float, int]] = []
        self.removed: list[str] = []

    @property
    def index(self) -> HeaderIndex:
        return self._index_loader()

    # -- writing -------------------------------------------------------------------
    def add(
        self,
        data: Stream | Trace | Iterable[Trace],
        tag: str,
        *,
        event_id: Any = None,
        origin_id: Any = None,
        magnitude_id: Any = None,
        focal_mechanism_id: Any = None,
        provenance_id: str | None = None,
        labels: Sequence[str] | None = None,
        on_duplicate: OnDuplicate = "raise",
        cast: Any = None,
        compression: Compression | None = None,
    ) -> list[str]:
        """Add traces; return the HDF5 paths written (see ``ASDFFile.add_waveforms``)."""
        if on_duplicate not in ("raise", "skip"):
            raise InvalidValueError(f"invalid on_duplicate {on_duplicate!r}: must be 'raise' or 'skip'")
        check_tag(tag)
        traces = _as_traces(data)
        common = {
            "event_id": resource_ids(event_id, "event_id"),
            "origin_id": resource_ids(origin_id, "origin_id"),
            "magnitude_id": resource_ids(magnitude_id, "magnitude_id"),
            "focal_mechanism_id": resource_ids(focal_mechanism_id, "focal_mechanism_id"),
        }
        if provenance_id is not None:
            check_provenance_id(provenance_id)
        label_text = join_labels(labels) if labels else None
        target = cast_dtype(cast)
        prepared = [
            self._prepare(tr, common, provenance_id, label_text, target) for tr in traces
        ]
        self._assign_names(prepared, tag, on_duplicate)
        return self._write(prepared, compression or self._compression)

    def _prepare(
        self,
        trace: Trace,
        common: dict[str, list[str]],
        provenance_id: str | None,
        label_text: str | None,
        cast: np.dtype | None,
    ) -> _Prepared:
        stats = trace.stats
        codes = (stats.network, stats.station, stats.location, stats.channel)
        check_codes(*codes)
        seed = ".".join(codes)
        data = np.asarray(trace.data)
        if cast is not None and data.dtype != cast:
            if not self._spec.allows_dtype(cast):
                raise InvalidDtypeError(
                    f"invalid cast dtype {cast} for {seed}: ASDF {self._spec.version} waveforms "
                    f"must be one of {self._spec.dtype_names}"
                )
            data = cast_samples(data, cast, seed)
        if not self._spec.allows_dtype(data.dtype):
            raise InvalidDtypeError(
                f"invalid dtype {data.dtype} of trace {seed}: ASDF {self._spec.version} waveforms "
                f"must be one of {self._spec.dtype_names}; pass cast='float32' (or another) "
                "to convert explicitly"
            )
        if data.ndim != 1 or data.size == 0:
            raise InvalidValueError(f"invalid trace {seed}: must hold a 1-D array of at least one sample")
        rate = float(stats.sampling_rate)
        if not np.isfinite(rate) or rate <= 0:
            raise InvalidValueError(f"invalid sampling_rate {rate!r} of trace {seed}: must be > 0")
        start = check_storable(to_ns(stats.starttime), f"starttime of {seed}")
        end = check_storable(end_ns(start, data.size, rate), f"endtime of {seed}")
        attrs: dict[str, Any] = {"starttime": np.int64(start), "sampling_rate": np.float64(rate)}
        carried = stats.get("asdf", AttribDict())
        for name in ID_ATTRIBUTES:
            ids = common[name] or resource_ids(carried.get(name + "s"), name)
            if ids:
                attrs[name] = ascii_attr(",".join(ids), name)
        prov = provenance_id if provenance_id is not None else carried.get("provenance_id")
        if prov:
            attrs["provenance_id"] = ascii_attr(check_provenance_id(str(prov)), "provenance_id")
        text = label_text if label_text is not None else (
            join_labels(carried["labels"]) if carried.get("labels") else None
        )
        if text:
            attrs["labels"] = text
        return _Prepared(trace, np.ascontiguousarray(data), codes, start, end, attrs)

    def _assign_names(self, prepared: list[_Prepared], tag: str, on_duplicate: OnDuplicate) -> None:
        waveforms = _open_group(self._h5.id, "Waveforms")
        taken: dict[str, _Prepared] = {}
        for item in prepared:
            station_id = f"{item.codes[0]}.{item.codes[1]}"
            group = _open_group(waveforms, station_id) if waveforms is not None else None
            same_second = item.start_ns // 10**9 == item.end_ns // 10**9
            candidates = [False, True] if not same_second else [True]
            if not self._spec.nanosecond_names:
                candidates = [False]
            for nanoseconds in candidates:
                name = str(TraceName.build(item.codes, item.start_ns, item.end_ns, tag, nanoseconds))
                key = f"{station_id}/{name}"
                if key in taken:
                    other = taken[key]
                    if _same(other.start_ns, other.attrs["sampling_rate"], other.data, item):
                        raise DuplicateTraceError(
                            f"trace {name!r} is given twice in the same call with identical samples"
                        )
                    continue
                if group is not None and group.links.exists(name.encode()):
                    existing = h5py.h5o.open(group, name.encode())
                    if isinstance(existing, h5py.h5d.DatasetID) and _same_as_stored(h5py.Dataset(existing), item):
                        if on_duplicate == "skip":
                            log.info("skipping identical trace already stored as %s", key)
                            item.skip = True
                            item.name = key
                            break
                        raise DuplicateTraceError(
                            f"trace {key!r} is already stored with identical samples; "
                            "pass on_duplicate='skip' to ignore re-added traces"
                        )
                    continue
                item.name = key
                taken[key] = item
                break
            else:
                seed = ".".join(item.codes)
                if not self._spec.nanosecond_names:
                    raise VersionError(
                        f"trace {seed} starting {to_utc(item.start_ns)} collides with a different "
                        f"trace of tag {tag!r}; ASDF {self._spec.version} names have no nanosecond "
                        "component to tell them apart (write 1.0.2 or later, or use another tag)"
                    )
                raise DuplicateTraceError(
                    f"trace {seed} starting {to_utc(item.start_ns)} has the same id, start, end "
                    f"and tag {tag!r} as a different trace already stored; use another tag"
                )

    def _write(self, prepared: list[_Prepared], compression: Compression) -> list[str]:
        ensure_h5_space(self._h5, sum(item.data.nbytes for item in prepared if not item.skip))
        waveforms = self._h5.require_group("Waveforms")
        created_groups: list[str] = []
        created: list[str] = []
        try:
            for item in prepared:
                if item.skip:
                    continue
                station_id, name = item.name.split("/")
                group_id = _open_group(waveforms.id, station_id)
                if group_id is None:
                    group = waveforms.create_group(station_id)
                    created_groups.append(station_id)
                else:
                    group = h5py.Group(group_id)
                encoded = item.trace.stats.get(STATS_KEY)
                if not (isinstance(encoded, EncodedChunks) and encoded.matches(item.data, compression)):
                    encoded = None  # HDF5 filters the samples itself
                dsid = self._writer.create(group, name, item.data, compression, encoded)
                created.append(item.name)
                self._writer.set_attrs(dsid, item.attrs)
        except BaseException:
            for path in reversed(created):
                if path in waveforms:
                    del waveforms[path]
            for station_id in created_groups:
                if station_id in waveforms and len(waveforms[station_id]) == 0:
                    del waveforms[station_id]
            raise
        rows = []
        for item in prepared:
            if not item.skip:
                rows.append((item.name.split("/")[1], item.start_ns, float(item.attrs["sampling_rate"]), item.data.size))
        self.added.extend(rows)
        self._index_extend(rows)
        return [f"/Waveforms/{item.name}" for item in prepared if not item.skip]

    def _index_extend(self, rows: list[tuple[str, int, float, int]]) -> None:
        loaded = getattr(self._index_loader, "loaded", None)
        if loaded is not None:
            loaded.extend(rows)

    # -- queries -------------------------------------------------------------------
    def select(
        self,
        network: str | Sequence[str] | None = None,
        station: str | Sequence[str] | None = None,
        location: str | Sequence[str] | None = None,
        channel: str | Sequence[str] | None = None,
        tag: str | Sequence[str] | None = None,
        starttime: Any = None,
        endtime: Any = None,
        sampling_rate: float | tuple[float, float] | None = None,
        labels: str | Sequence[str] | None = None,
        event_id: Any = None,
        origin_id: Any = None,
        magnitude_id: Any = None,
        focal_mechanism_id: Any = None,
        provenance_id: str | None = None,
    ) -> list[TraceHeader]:
        """Headers of the traces matching every given criterion (samples are not read)."""
        if starttime is not None and endtime is not None and to_ns(starttime) > to_ns(endtime):
            raise InvalidTimeError(
                f"invalid time window {to_utc(to_ns(starttime))} - {to_utc(to_ns(endtime))}: "
                "starttime must not be after endtime"
            )
        index = self.index
        mask = np.ones(len(index), dtype=bool)
        for fld, value in (("network", network), ("station", station), ("location", location),
                           ("channel", channel), ("tag", tag)):
            if value is not None:
                mask &= index.match(fld, value)
        if starttime is not None or endtime is not None:
            rate = index.rate
            slack = np.round(1e9 / np.where(rate > 0, rate, 1.0)).astype(np.int64)
            if starttime is not None:
                mask &= index.end() + slack >= to_ns(starttime)
            if endtime is not None:
                mask &= index.start - slack <= to_ns(endtime)
        if sampling_rate is not None:
            if isinstance(sampling_rate, tuple):
                low, high = sampling_rate
                mask &= (index.rate >= low) & (index.rate <= high)
            else:
                mask &= np.isclose(index.rate, float(sampling_rate), rtol=1e-9, atol=0.0)
        rows = np.flatnonzero(mask)
        headers = [index.header(int(i)) for i in rows]
        wanted = {
            "event_ids": resource_ids(event_id, "event_id"),
            "origin_ids": resource_ids(origin_id, "origin_id"),
            "magnitude_ids": resource_ids(magnitude_id, "magnitude_id"),
            "focal_mechanism_ids": resource_ids(focal_mechanism_id, "focal_mechanism_id"),
        }
        label_set = [labels] if isinstance(labels, str) else list(labels or [])
        if any(wanted.values()) or label_set or provenance_id is not None:
            headers = [
                h for h in headers
                if _meta_matches(self.meta(h), wanted, label_set, provenance_id)
            ]
        if starttime is not None or endtime is not None:
            t1 = UTCDateTime(ns=to_ns(starttime)) if starttime is not None else None
            t2 = UTCDateTime(ns=to_ns(endtime)) if endtime is not None else None
            headers = [h for h in headers if _inside(h, t1, t2) or slice_window(h, t1, t2)[1] > 0]
        return headers

    def meta(self, header: TraceHeader) -> TraceMeta:
        """The optional attributes (ids, labels, provenance) of one trace."""
        return TraceMeta.from_attrs(self._dataset(header).attrs)

    def _dataset(self, header: TraceHeader) -> h5py.Dataset:
        try:
            return self._h5[header.path]
        except KeyError:
            raise NotFoundError(f"waveform {header.path!r} not found") from None

    def read(self, header: TraceHeader, starttime: Any = None, endtime: Any = None) -> Trace:
        """Read one trace, optionally cut to ``[starttime, endtime]`` like ``Trace.slice``."""
        dataset = self._dataset(header)
        check_declared_size(dataset, "waveform", header.npts)
        t1 = UTCDateTime(ns=to_ns(starttime)) if starttime is not None else None
        t2 = UTCDateTime(ns=to_ns(endtime)) if endtime is not None else None
        if t1 is None and t2 is None:
            first, count, start_ns = 0, header.npts, header.starttime_ns
            data = read_data(dataset)
        else:
            first, count, start_ns = slice_window(header, t1, t2)
            data = read_data(dataset, slice(first, first + count))
        trace = Trace(data=data)
        stats = trace.stats
        stats.network, stats.station = header.network, header.station
        stats.location, stats.channel = header.location, header.channel
        stats.sampling_rate = header.sampling_rate
        stats.starttime = UTCDateTime(ns=start_ns)
        meta = TraceMeta.from_attrs(dataset.attrs)
        details = AttribDict()
        details.tag = header.tag
        for name in ID_ATTRIBUTES:
            ids = getattr(meta, name + "s")
            if ids:
                details[name + "s"] = [ResourceIdentifier(i) for i in ids]
        if meta.provenance_id:
            details.provenance_id = meta.provenance_id
        if meta.labels:
            details.labels = meta.labels
        stats.asdf = details
        stats._format = "ASDF"
        return trace

    def remove(self, headers: Iterable[TraceHeader]) -> int:
        """Delete traces; empty station groups without StationXML go too."""
        waveforms = self._h5.get("Waveforms")
        count = 0
        names = []
        for header in headers:
            path = f"{header.station_id}/{header.name}"
            if waveforms is None or path not in waveforms:
                raise NotFoundError(f"waveform {header.path!r} not found")
            del waveforms[path]
            names.append(header.name)
            count += 1
            if len(waveforms[header.station_id]) == 0:
                del waveforms[header.station_id]
        self.removed.extend(names)
        loaded = getattr(self._index_loader, "loaded", None)
        if loaded is not None:
            loaded.discard(names)
        return count


def _open_group(parent: h5py.h5g.GroupID, name: str) -> h5py.h5g.GroupID | None:
    """The group ``name`` of ``parent`` through the low-level API (a tenth of ``Group.get``'s cost), or None."""
    raw = name.encode()
    if not parent.links.exists(raw):
        return None
    node = h5py.h5o.open(parent, raw)
    return node if isinstance(node, h5py.h5g.GroupID) else None


def _as_traces(data: Stream | Trace | Iterable[Trace]) -> list[Trace]:
    if isinstance(data, Trace):
        items = [data]
    else:
        items = list(data)
    out: list[Trace] = []
    for tr in items:
        if not isinstance(tr, Trace):
            raise InvalidValueError(f"invalid waveform {tr!r}: must be an obspy Trace or Stream")
        if isinstance(tr.data, np.ma.MaskedArray):
            # A gappy trace is several gap-free datasets.
            out.extend(Stream([tr]).split().traces)
        else:
            out.append(tr)
    return out


def _same(start_ns: int, rate: float, data: np.ndarray, item: _Prepared) -> bool:
    return (
        start_ns == item.start_ns
        and float(rate) == float(item.attrs["sampling_rate"])
        and data.shape == item.data.shape
        and np.array_equal(data, item.data)
    )


def _same_as_stored(dataset: h5py.Dataset, item: _Prepared) -> bool:
    attrs = dataset.attrs
    if "starttime" not in attrs or "sampling_rate" not in attrs:
        return False
    if int(attrs["starttime"]) != item.start_ns or dataset.shape != item.data.shape:
        return False
    return _same(int(attrs["starttime"]), float(attrs["sampling_rate"]), read_checked(dataset, "waveform"), item)


def _meta_matches(
    meta: TraceMeta, wanted: dict[str, list[str]], labels: list[str], provenance_id: str | None
) -> bool:
    for name, ids in wanted.items():
        if ids and not set(ids) & set(getattr(meta, name)):
            return False
    if labels and not set(labels) & set(meta.labels):
        return False
    return provenance_id is None or meta.provenance_id == provenance_id


def _inside(header: TraceHeader, t1: UTCDateTime | None, t2: UTCDateTime | None) -> bool:
    """True when the whole trace lies within the window (so a slice keeps samples)."""
    return (t1 is None or header.starttime_ns >= t1.ns) and (t2 is None or header.endtime_ns <= t2.ns)


def slice_window(
    header: TraceHeader, starttime: UTCDateTime | None, endtime: UTCDateTime | None
) -> tuple[int, int, int]:
    """``(first sample, count, new start ns)`` that ``Trace.slice`` would give.

    ObsPy's own trimming runs on a stand-in trace whose samples are lazily
    allocated zero pages, so the result is ObsPy's by construction, rounding
    rules included, without reading or allocating the real samples.
    """
    base = np.zeros(header.npts, dtype=np.int8)
    proxy = Trace(data=base)
    proxy.stats.sampling_rate = header.sampling_rate
    proxy.stats.starttime = UTCDateTime(ns=header.starttime_ns)
    if starttime is not None and endtime is not None and starttime > endtime:
        return 0, 0, header.starttime_ns
    proxy.trim(starttime=starttime, endtime=endtime, nearest_sample=True)
    count = len(proxy.data)
    first = int(proxy.data.ctypes.data - base.ctypes.data) if count else 0
    return first, count, int(proxy.stats.starttime.ns)
