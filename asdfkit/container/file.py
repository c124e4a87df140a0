"""The ASDF file object: modes, format version, and the sections behind it."""

from __future__ import annotations

import fnmatch
import logging
import os
import weakref
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from obspy import Inventory, Stream, Trace
from obspy.core.event import Catalog, Event

from ..atomic import is_private_temp
from ..errors import FileLockedError, FormatError, InvalidNameError, ModeError, NotFoundError, VersionError
from ..naming import check_provenance_id, split_labels
from ..spec import DEFAULT_VERSION, FORMAT_NAME, READABLE_VERSIONS, WRITABLE_VERSIONS, spec_for
from ..times import to_utc
from .auxiliary import AuxiliaryDataItem, AuxiliaryStore
from .compression import Compression, parse_compression
from .densehdr import WRITE_LIBVER
from .events import EventStore
from .fastwrite import DatasetWriter
from .groups import GroupStore
from .h5util import ascii_attr, read_str_attr
from .hdf5locking import locking_options
from .headertable import event_origin, header_table
from .index import HeaderIndex, TraceHeader, file_key
from .labels import edit_labels
from .provenance import ProvenanceStore
from .stations import StationStore
from .tracecache import TraceAttrs, TraceAttrsLoader, station_coordinates
from .views import WaveformsView
from .waveforms import OnDuplicate, TraceMeta, WaveformStore, resource_ids
from .writesession import WriteSession

__all__ = ["ASDFFile", "open"]

log = logging.getLogger(__name__)

_MODES = {"r": "r", "r+": "r+", "w": "w", "w-": "w-", "x": "w-", "a": "a"}
_SECTIONS = ("Waveforms", "AuxiliaryData", "Provenance")
#: From this many candidate traces on, ``labels``/``event_id`` queries use the attribute cache.
_CACHED_META_MIN = 256


class _IndexLoader:
    """Loads the header index on first use: cache first, then a walk."""

    def __init__(self, h5: h5py.File, cache: tuple[Path, str] | None) -> None:
        self._h5 = h5
        self._cache = cache
        self.loaded: HeaderIndex | None = None
        self.from_walk = False
        self.store: WaveformStore | None = None

    def cached(self) -> HeaderIndex | None:
        """The cached index of the file as opened, with this session's changes replayed."""
        if self._cache is None:
            return None
        index = HeaderIndex.load(*self._cache)
        if index is not None and self.store is not None:
            index.discard(self.store.removed)
            index.extend(self.store.added)
        return index

    def __call__(self) -> HeaderIndex:
        if self.loaded is None:
            index = self.cached()
            if index is None:
                index = HeaderIndex.walk(self._h5)
                self.from_walk = True
            self.loaded = index
        return self.loaded


class ASDFFile:
    """An open ASDF file.  Use :func:`asdfkit.open` to create one.

    Examples
    --------
    >>> import asdfkit, obspy
    >>> with asdfkit.open("example.h5", "w") as f:            # doctest: +SKIP
    ...     f.add_waveforms(obspy.read(), tag="raw_recording")
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        mode: str = "r",
        *,
        format_version: str | None = None,
        compression: str | Compression | None = "gzip",
        shuffle: bool = True,
        fletcher32: bool = True,
        force_compression: bool = False,
        index_cache: bool = True,
        in_place: bool = False,
        copy_limit: int | None = None,
        lock_timeout: float | None = 0,
        hdf5_locking: bool | None = None,
    ) -> None:
        if mode not in _MODES:
            raise ModeError(f"invalid mode {mode!r}: must be one of r, r+, w, w-, x, a")
        self.path = Path(path)
        self.mode = mode
        self._hdf5_locking = locking_options(hdf5_locking)
        self._compression = parse_compression(
            compression, shuffle=shuffle, fletcher32=fletcher32, force=force_compression
        )
        if format_version is not None and format_version not in WRITABLE_VERSIONS:
            raise VersionError(
                f"invalid format_version {format_version!r}: asdfkit writes "
                f"{', '.join(WRITABLE_VERSIONS)}"
            )
        # Writers hold the file's lock and (unless in_place) work on a copy committed on close.
        # A temporary file of this process's own atomic write is private already: written directly.
        self._session: WriteSession | None = None
        if mode != "r" and not is_private_temp(self.path):
            self._session = WriteSession(self.path, mode, in_place=in_place, copy_limit=copy_limit,
                                         lock_timeout=lock_timeout)
        try:
            self._open(mode, format_version, index_cache)
        except BaseException:
            if self._session is not None:
                self._session.abort()
            raise
        self._finalizer = (
            weakref.finalize(self, _close_unclosed, self._h5, self._session, str(self.path))
            if self._session is not None else None
        )

    def _open(self, mode: str, format_version: str | None, index_cache: bool) -> None:
        session = self._session
        existed = session.existed if session is not None else self.path.exists()
        if mode == "r" and not existed:
            raise FormatError(f"cannot open {str(self.path)!r}: no such file") from FileNotFoundError(self.path)
        if existed and mode in ("r", "r+", "a"):
            if not h5py.is_hdf5(self.path):
                raise FormatError(f"cannot open {str(self.path)!r}: not an HDF5 file")
        self._cache_key = file_key(self.path) if (existed and index_cache and mode in ("r", "r+", "a")) else None
        self._index_cache = index_cache
        work, h5mode = (session.work, session.h5mode) if session is not None else (self.path, _MODES[mode])
        try:
            # v108: objects created get version-2 headers, which hold attributes over 64 KiB (densehdr)
            self._h5 = h5py.File(work, h5mode, libver=None if mode == "r" else WRITE_LIBVER,
                                 **self._hdf5_locking)
        except (OSError, ValueError) as exc:
            if isinstance(exc, BlockingIOError) or "unable to lock file" in str(exc):
                raise FileLockedError(
                    f"cannot open {str(self.path)!r}: locked by another process (a program has it "
                    "open for writing: HDF5 file lock; hdf5_locking=False or asdf-cli --no-hdf5-locking "
                    "reads it anyway)"
                ) from exc
            raise FormatError(f"cannot open {str(self.path)!r} in mode {mode!r}: {exc}") from exc
        try:
            self.format_version = self._setup_root(format_version)
        except BaseException:
            self._h5.close()
            raise
        self._spec = spec_for(self.format_version)
        self._writable = mode != "r"
        self._index = _IndexLoader(self._h5, self._cache_key)
        if mode in ("w", "w-", "x") or (mode == "a" and not existed):
            # A brand-new file: its (empty) index is complete from the start.
            self._index.loaded = HeaderIndex.empty()
        self._events = EventStore(self._h5, self._compression, self._writable)
        self._writer = DatasetWriter()
        self._stations = StationStore(self._h5, self._compression, self._writable, self._writer)
        self._waveforms = WaveformStore(self._h5, self._spec, self._compression, self._index, self._writer)
        self._index.store = self._waveforms
        self._auxiliary = AuxiliaryStore(self._h5, self.format_version, self._compression,
                                         self._h5.libver)
        self._provenance = ProvenanceStore(self._h5, self.format_version, self._compression)
        self._trace_attrs = TraceAttrsLoader(self._h5, self._cache_key if index_cache else None)
        # The store calls back through a weak reference: no cycle keeps an unclosed file alive
        # (a handle collected without close() is committed at once, see writesession).
        me = weakref.ref(self)
        self._groups = GroupStore(self._h5, self.format_version,
                                  lambda: _alive(me)._check_writable(),
                                  lambda **query: _alive(me)._select_meta(query),
                                  lambda header, event: _alive(me)._distance(header, event),
                                  lambda name: name in _alive(me)._waveforms.index,
                                  lambda: _alive(me)._waveforms.index)
        self._modified = False

    # -- root attributes and version --------------------------------------------------------
    def _setup_root(self, requested: str | None) -> str:
        attrs = self._h5.attrs
        new = self.mode in ("w", "w-", "x") or (self.mode == "a" and len(self._h5) == 0 and not attrs)
        if new:
            version = requested or DEFAULT_VERSION
            attrs["file_format"] = ascii_attr(FORMAT_NAME)
            attrs["file_format_version"] = ascii_attr(version)
            for name in _SECTIONS:
                self._h5.require_group(name)
            return version
        fmt = read_str_attr(attrs, "file_format")
        if fmt is None:
            if not any(name in self._h5 for name in (*_SECTIONS, "QuakeML")):
                raise FormatError(f"{str(self.path)!r} is HDF5 but not ASDF: no file_format attribute")
            log.warning("%s has no file_format attribute; reading it as ASDF", self.path)
        elif fmt.strip() != FORMAT_NAME:
            raise FormatError(f"{str(self.path)!r} is not ASDF: file_format is {fmt!r}, must be 'ASDF'")
        stored = read_str_attr(attrs, "file_format_version")
        if stored is None:
            stored = "1.0.0"
            log.warning("%s has no file_format_version; assuming %s", self.path, stored)
        version = stored.strip()
        if version not in READABLE_VERSIONS:
            raise FormatError(
                f"{str(self.path)!r} has unsupported ASDF version {version!r}: "
                f"asdfkit reads {', '.join(READABLE_VERSIONS)}"
            )
        if requested is not None and requested != version:
            raise VersionError(
                f"cannot write ASDF {requested} into {str(self.path)!r}: the file is version {version}"
            )
        if self.mode != "r" and version not in WRITABLE_VERSIONS:
            raise VersionError(f"cannot write to ASDF {version} files; convert them to 1.0.3 first")
        return version

    def _check_writable(self) -> None:
        if not self._writable:
            raise ModeError(f"{str(self.path)!r} is open read-only (mode 'r'); open it with mode 'a' or 'r+'")
        self._modified = True

    # -- context and closing -----------------------------------------------------------------
    def __enter__(self) -> ASDFFile:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is not None and self._session is not None:
            self.discard()
        else:
            self.close()

    def __repr__(self) -> str:
        state = "closed" if not self._h5 else f"mode {self.mode!r}"
        return f"<ASDFFile {str(self.path)!r} ASDF {self.format_version}, {state}>"

    def flush(self) -> None:
        """Write buffered changes to disk (to the working copy until :meth:`close` commits it)."""
        if self._h5:
            self._h5.flush()

    def discard(self) -> None:
        """Close the file without committing: every change since opening is dropped.

        What an exception inside ``with asdfkit.open(...)`` does.  A file
        opened with ``in_place=True`` (or read-only) is simply closed: changes
        already written into it stay.
        """
        if self._finalizer is not None:
            self._finalizer.detach()
        if self._h5:
            self._h5.close()
        if self._session is not None:
            self._session.abort()

    def close(self) -> None:
        """Close the file, commit the changes and bring the header cache up to date.

        For a writable file not opened ``in_place`` the working copy is
        fsync'ed and renamed over the file, atomically.
        """
        if self._finalizer is not None:
            self._finalizer.detach()
        if not self._h5:
            if self._session is not None and self._session.active:
                self._session.abort()
            return
        loader = self._index
        to_save = None
        if self._index_cache:
            if self._modified:
                to_save = loader.loaded if loader.loaded is not None else loader.cached()
            elif loader.from_walk:
                to_save = loader.loaded
        if self._session is not None:
            try:
                self._h5.close()
            except BaseException:
                self._session.abort()
                raise
            if self._modified or not self._session.existed or self.mode in ("w", "w-", "x"):
                self._session.commit()
            else:  # opened for writing, nothing written: the copy is dropped, the file untouched
                self._session.abort()
        else:
            self._h5.close()
        target = file_key(self.path) if to_save is not None else None
        if target is not None and to_save is not None:
            try:
                to_save.save(*target)
            except OSError as exc:
                log.debug("could not write header cache for %s: %s", self.path, exc)
        if self._index_cache and self._trace_attrs.loaded is not None and (self._modified or self._trace_attrs.dirty):
            self._trace_attrs.save(file_key(self.path))

    @property
    def h5(self) -> h5py.File:
        """The underlying ``h5py.File`` (for advanced use; bypasses asdfkit's checks)."""
        if self._writable:
            self._modified = True  # whatever is done through it is committed on close
        return self._h5

    @property
    def compression(self) -> Compression:
        """Compression settings applied to waveforms written from now on."""
        return self._compression

    # -- events ------------------------------------------------------------------------------
    @property
    def events(self) -> Catalog:
        """All events as an ObsPy ``Catalog`` (parsed once per open file)."""
        return self._events.catalog

    def add_events(self, events: Catalog | Event | Iterable[Event]) -> list[str]:
        """Add events to ``/QuakeML``; return their resource ids.

        Existing events are not re-parsed or rewritten; a resource id that is
        already in the file is refused (:class:`~asdfkit.errors.DuplicateEventError`).
        """
        self._check_writable()
        return self._events.add(events)

    add_quakeml = add_events

    def remove_event(self, resource_id: Any) -> None:
        """Remove one event by resource id (or ``Event``)."""
        self._check_writable()
        self._events.remove(resource_id)

    @property
    def quakeml(self) -> bytes:
        """The raw QuakeML document (empty bytes if none)."""
        return self._events.xml

    # -- stations ----------------------------------------------------------------------------
    @property
    def stations(self) -> list[str]:
        """``NET.STA`` of every station group (with StationXML, waveforms or both)."""
        group = self._h5.get("Waveforms")
        return sorted(group) if isinstance(group, h5py.Group) else []

    @property
    def stations_with_stationxml(self) -> list[str]:
        """Station ids (``NET.STA``) that have a StationXML document, sorted."""
        return self._stations.ids()

    def add_stations(self, inventory: Inventory | bytes) -> list[str]:
        """Add StationXML, split per ``NET.STA``; merges with stations already stored."""
        self._check_writable()
        self._trace_attrs.stations_changed()
        return self._stations.add(inventory)

    add_stationxml = add_stations

    def get_station_xml(self, station_id: str) -> bytes:
        """Raw StationXML bytes of one station."""
        return self._stations.xml(station_id)

    def get_station_inventory(self, station_id: str) -> Inventory:
        """ObsPy ``Inventory`` of one station (``"IU.ANMO"``)."""
        return self._stations.inventory(station_id)

    def find_station(self, station_id: str) -> tuple[bytes, Inventory] | None:
        """A station's StationXML bytes and ObsPy ``Inventory`` (read once), or None if it has none.

        Examples
        --------
        >>> found = f.find_station("IU.ANMO")                           # doctest: +SKIP
        >>> inventory = found[1] if found else Inventory()              # doctest: +SKIP
        """
        raw = self._stations.find(station_id)
        return None if raw is None else (raw, self._stations.inventory(station_id, raw))

    def get_inventory(self, network: str = "*", station: str = "*") -> Inventory:
        """One ``Inventory`` of every station matching the wildcards."""
        chosen = [
            sid for sid in self._stations.ids()
            if fnmatch.fnmatchcase(sid.split(".")[0], network) and fnmatch.fnmatchcase(sid.split(".")[1], station)
        ]
        return self._stations.select(chosen)

    @property
    def inventory(self) -> Inventory:
        """Every station's StationXML in one ``Inventory``."""
        return self.get_inventory()

    def get_coordinates(self, station_id: str, time: Any = None) -> dict[str, float | None]:
        """``{"latitude", "longitude", "elevation_in_m"}`` of a station."""
        return self._stations.coordinates(station_id, time)

    def get_all_coordinates(self) -> dict[str, dict[str, float | None]]:
        """Coordinates of every station with StationXML."""
        return {sid: self._stations.coordinates(sid) for sid in self._stations.ids()}

    def remove_station(self, station_id: str, waveforms: bool = False) -> None:
        """Delete a station's StationXML; with ``waveforms=True`` its whole group."""
        self._check_writable()
        self._trace_attrs.stations_changed()
        if waveforms:
            group = self._h5.get("Waveforms")
            if not isinstance(group, h5py.Group) or station_id not in group:
                raise NotFoundError(f"station {station_id!r} not found")
            headers = [h for h in self.list_waveforms() if h.station_id == station_id]
            self._waveforms.remove(headers)
            if station_id in group:
                del group[station_id]
        else:
            self._stations.remove(station_id)

    # -- waveforms ---------------------------------------------------------------------------
    @property
    def waveforms(self) -> WaveformsView:
        """pyasdf-style access: ``f.waveforms["IU.ANMO"]["raw_recording"]``."""
        return WaveformsView(self)

    def add_waveforms(
        self,
        waveform: Stream | Any,
        tag: str,
        event_id: Any = None,
        origin_id: Any = None,
        magnitude_id: Any = None,
        focal_mechanism_id: Any = None,
        provenance_id: str | None = None,
        labels: Sequence[str] | None = None,
        *,
        on_duplicate: OnDuplicate = "raise",
        cast: Any = None,
        compression: str | Compression | None = None,
    ) -> list[str]:
        """Add every trace of a ``Stream`` (or a ``Trace``) under ``tag``.

        Parameters
        ----------
        waveform : Stream, Trace or iterable of Trace
            Gappy (masked) traces are split into gap-free datasets.
        tag : str
            Path-like label of the waveforms, ``^[A-Za-z_0-9]+$``;
            ``raw_recording`` is reserved for raw digitizer counts.
        event_id, origin_id, magnitude_id, focal_mechanism_id
            QuakeML objects, resource ids, strings, or lists of them.
        provenance_id : str, optional
            ``{namespace-uri}localpart`` of the record that produced the data.
        labels : sequence of str, optional
        on_duplicate : {"raise", "skip"}
            What to do with a trace identical to one already stored.
        cast : dtype, optional
            Convert samples to this dtype first; without it, dtypes the
            format does not allow are refused.
        compression : str, optional
            Override the file's compression for these traces.

        Returns
        -------
        list of str
            HDF5 paths of the datasets written.
        """
        self._check_writable()
        comp = None if compression is None else parse_compression(compression)
        return self._waveforms.add(
            waveform, tag, event_id=event_id, origin_id=origin_id, magnitude_id=magnitude_id,
            focal_mechanism_id=focal_mechanism_id, provenance_id=provenance_id, labels=labels,
            on_duplicate=on_duplicate, cast=cast, compression=comp,
        )

    def list_waveforms(self, **query: Any) -> list[TraceHeader]:
        """Headers of the traces matching ``query`` (no samples are read).

        Accepts the keywords of :meth:`get_waveforms`.
        """
        return self._select(**query)

    def _select(self, group: str | Sequence[str] | None = None, **query: Any) -> list[TraceHeader]:
        """The trace query, with ``group=`` (one name or a list: traces in any of them) ANDed."""
        headers = self._select_meta(query)
        if group is None:
            return headers
        names: set[str] = set()
        for name in [group] if isinstance(group, str) else list(group):
            names.update(h.name for h in self._groups.headers(name))
        return [h for h in headers if h.name in names]

    def _select_meta(self, query: dict[str, Any]) -> list[TraceHeader]:
        """The store's query; ``labels``/``event_id`` of many traces answered from the attribute cache."""
        labels, event_id = query.get("labels"), query.get("event_id")
        if labels is None and event_id is None:
            return self._waveforms.select(**query)
        rest = {k: v for k, v in query.items() if k not in ("labels", "event_id")}
        headers = self._waveforms.select(**rest)
        if len(headers) < _CACHED_META_MIN and self._trace_attrs.loaded is None:
            return self._waveforms.select(**query)  # few traces: read their attributes directly
        wanted_labels = {labels} if isinstance(labels, str) else set(labels or [])
        wanted_events = set(resource_ids(event_id, "event_id"))
        values = self._attrs_now().values
        kept = []
        for header in headers:
            text, events = values.get(header.name, ("", ""))
            if wanted_labels and not wanted_labels & set(split_labels(text)):
                continue
            if wanted_events and not wanted_events & set(events.split(",")):
                continue
            kept.append(header)
        return kept

    def get_waveforms(
        self,
        network: str | Sequence[str] | None = None,
        station: str | Sequence[str] | None = None,
        location: str | Sequence[str] | None = None,
        channel: str | Sequence[str] | None = None,
        tag: str | Sequence[str] | None = None,
        starttime: Any = None,
        endtime: Any = None,
        **query: Any,
    ) -> Stream:
        """Read the matching traces as a ``Stream``.

        Codes and tags take UNIX wildcards (``"BH?"``, ``"A*"``) or lists of
        them.  With ``starttime``/``endtime`` each trace holds exactly the
        samples ``Trace.slice(starttime, endtime)`` would keep.  Further
        keywords: ``sampling_rate``, ``labels`` (traces with any of them),
        ``group`` (a group name of :attr:`groups`, or a list: traces in any),
        ``event_id``, ``origin_id``, ``magnitude_id``, ``focal_mechanism_id``,
        ``provenance_id``.
        """
        headers = self._select(
            network=network, station=station, location=location, channel=channel, tag=tag,
            starttime=starttime, endtime=endtime, **query,
        )
        return Stream([self._waveforms.read(h, starttime, endtime) for h in headers])

    def get_waveform(self, header: TraceHeader, starttime: Any = None, endtime: Any = None) -> Trace:
        """Read the one trace a header (from :meth:`list_waveforms`) describes.

        With ``starttime``/``endtime`` it holds exactly the samples
        ``Trace.slice(starttime, endtime)`` would keep.
        """
        return self._waveforms.read(header, starttime, endtime)

    def get_waveform_meta(self, header: TraceHeader) -> TraceMeta:
        """Ids, labels and provenance id of one trace (its samples are not read)."""
        return self._waveforms.meta(header)

    def headers_by_station(self, tag: str | None = None) -> Callable[[str], list[TraceHeader]]:
        """A lookup ``NET.STA`` → headers of that station's traces (of ``tag``, or all).

        For a process that reads every station once (a batch worker): the
        station's headers are built when asked for, from the file's header
        table, instead of one header object per trace held for the whole run.

        Examples
        --------
        >>> lookup = f.headers_by_station("raw_recording")          # doctest: +SKIP
        >>> [h.channel for h in lookup("IU.ANMO")]                  # doctest: +SKIP
        ['BHE', 'BHN', 'BHZ']
        """
        index = self._waveforms.index
        rows = index.rows_by_station(tag)

        def lookup(station_id: str) -> list[TraceHeader]:
            return [index.header(i) for i in rows.get(station_id, ())]

        return lookup

    @property
    def n_waveforms(self) -> int:
        """How many traces the file holds (from the index: no header objects are built)."""
        return len(self._waveforms.index)

    @property
    def waveform_tags(self) -> list[str]:
        """Every tag in the file, sorted."""
        return sorted(self._waveforms.index.tags())

    def remove_waveform(self, header: TraceHeader) -> None:
        """Delete the one trace a header (from :meth:`list_waveforms`) describes."""
        self._check_writable()
        self._waveforms.remove([header])

    def remove_waveforms(self, **query: Any) -> int:
        """Delete the traces matching ``query``; return how many were deleted."""
        self._check_writable()
        if not query:
            raise ValueError("remove_waveforms needs at least one criterion (e.g. tag='synthetic')")
        return self._waveforms.remove(self._waveforms.select(**query))

    # -- auxiliary data ----------------------------------------------------------------------
    def add_auxiliary_data(
        self,
        data: Any,
        data_type: str,
        path: str | Sequence[str],
        attrs: dict[str, Any] | None = None,
        provenance_id: str | None = None,
        *,
        parameters: dict[str, Any] | None = None,
        compression: str | Compression | None = None,
    ) -> str:
        """Store an array at ``/AuxiliaryData/<data_type>/<path>``; return its HDF5 path.

        ``attrs`` (``parameters`` is accepted as pyasdf's name) may hold any
        value HDF5 can store; anything else is refused before the file is touched.
        """
        self._check_writable()
        if attrs is not None and parameters is not None:
            raise ValueError("give attrs or parameters, not both")
        comp = None if compression is None else parse_compression(compression)
        return self._auxiliary.add(data, data_type, path, attrs if attrs is not None else parameters,
                                   provenance_id, comp)

    def get_auxiliary_data(self, data_type: str, path: str) -> AuxiliaryDataItem:
        """Read one auxiliary dataset with its attributes."""
        return self._auxiliary.get(data_type, path)

    def list_auxiliary_data(self, data_type: str | None = None) -> list[tuple[str, str]]:
        """``(data_type, path)`` of every auxiliary dataset."""
        return self._auxiliary.entries(data_type)

    @property
    def auxiliary_data_types(self) -> list[str]:
        """Names of the auxiliary data types stored in the file."""
        return self._auxiliary.types()

    def remove_auxiliary_data(self, data_type: str, path: str | None = None) -> None:
        """Delete one auxiliary dataset, a group below a type, or a whole type."""
        self._check_writable()
        self._auxiliary.remove(data_type, path)

    # -- provenance --------------------------------------------------------------------------
    def add_provenance_document(self, document: Any, name: str | None = None, overwrite: bool = False) -> str:
        """Store a PROV-XML document (bytes or ``prov`` document); return its name."""
        self._check_writable()
        return self._provenance.add(document, name, overwrite)

    def get_provenance_document(self, name: str) -> bytes:
        """The stored PROV-XML bytes of one document."""
        return self._provenance.get(name)

    @property
    def provenance_documents(self) -> list[str]:
        """Names of the provenance documents stored in the file."""
        return self._provenance.names()

    def remove_provenance_document(self, name: str) -> None:
        """Delete the provenance document ``name``; the file must be open for writing."""
        self._check_writable()
        self._provenance.remove(name)

    # -- provenance links ----------------------------------------------------------------------
    def _linkable(self, path: str) -> h5py.Dataset:
        full = "/" + path.strip("/")
        if not full.startswith(("/Waveforms/", "/AuxiliaryData/")):
            raise InvalidNameError(
                f"invalid path {path!r}: provenance ids belong to /Waveforms/... or /AuxiliaryData/... datasets"
            )
        try:
            node = h5py.h5o.open(self._h5.id, full.encode())
        except KeyError:
            node = None
        if not isinstance(node, h5py.h5d.DatasetID) or full.endswith("/StationXML"):
            raise NotFoundError(f"dataset {full!r} not found")
        return h5py.Dataset(node)

    def get_provenance_id(self, path: str) -> str | None:
        """The ``provenance_id`` of a waveform or auxiliary dataset (by HDF5 path), or None."""
        return read_str_attr(self._linkable(path).attrs, "provenance_id")

    def set_provenance_id(self, path: str, provenance_id: str) -> None:
        """Point a waveform or auxiliary dataset at a provenance record ``{uri}localpart``."""
        self._check_writable()
        self.set_provenance_ids({path: provenance_id})

    def set_provenance_ids(self, ids: dict[str, str]) -> None:
        """Point many datasets at their provenance records: ``{HDF5 path: "{uri}localpart"}``.

        Every path and id is checked before the first attribute is written.
        """
        self._check_writable()
        checked = [(self._linkable(path), ascii_attr(check_provenance_id(pid), "provenance_id"))
                   for path, pid in ids.items()]
        for node, value in checked:
            self._writer.set_attrs(node.id, {"provenance_id": value}, replace=True)

    def set_event_ids(self, path: str, event_ids: Any) -> None:
        """Associate a stored waveform with events, replacing its ``event_id`` attribute.

        ``event_ids`` takes what ``add_waveforms(event_id=...)`` takes (events,
        resource ids, strings, or lists of them); an empty list removes the
        association.
        """
        self._check_writable()
        full = "/" + path.strip("/")
        if not full.startswith("/Waveforms/"):
            raise InvalidNameError(f"invalid path {path!r}: event ids belong to /Waveforms/... datasets")
        ids = resource_ids(event_ids, "event_id")
        node = self._linkable(full)
        if ids:
            self._writer.set_attrs(node.id, {"event_id": ascii_attr(",".join(ids), "event_id")}, replace=True)
        elif "event_id" in node.attrs:
            del node.attrs["event_id"]
        self._trace_attrs.set_events(full.rpartition("/")[2], ",".join(ids))

    # -- groups, labels and header tables -------------------------------------------------------
    @property
    def groups(self) -> GroupStore:
        """Named, commented, nested groups of traces (see :mod:`asdfkit.container.groups`).

        Examples
        --------
        >>> f.groups.create("arrays/ring1", members=f.list_waveforms(station="R1*"))  # doctest: +SKIP
        >>> f.get_waveforms(group="arrays/ring1")                                     # doctest: +SKIP
        """
        return self._groups

    def _distance(self, header: TraceHeader, event_id: str) -> tuple[float, float] | None:
        from obspy.geodetics import gps2dist_azimuth, locations2degrees

        lat, lon = self._origin(event_id)
        coords = self._trace_attrs.coordinates(lambda: station_coordinates(self._h5, self.get_coordinates))
        slat, slon, _ = coords.get(header.station_id, (float("nan"),) * 3)
        if slat != slat or slon != slon:  # NaN: no coordinates
            return None
        return gps2dist_azimuth(lat, lon, slat, slon)[0] / 1000.0, locations2degrees(lat, lon, slat, slon)

    def _origin(self, event_id: str) -> tuple[float, float]:
        for event in self.events:
            if str(event.resource_id) == str(event_id):
                return event_origin(event)
        raise NotFoundError(f"event {event_id!r} not found in /QuakeML")

    def _attrs_now(self) -> TraceAttrs:
        return self._trace_attrs.get(self._waveforms.index, lambda: station_coordinates(self._h5, self.get_coordinates))

    def add_labels(self, labels: str | Sequence[str], **query: Any) -> int:
        """Add labels to every trace matching ``query`` (keywords of :meth:`get_waveforms`); return how many changed."""
        return self._edit_labels(self._select(**query), add=labels)

    def remove_labels(self, labels: str | Sequence[str], **query: Any) -> int:
        """Remove labels from every trace matching ``query``; return how many changed."""
        return self._edit_labels(self._select(**query), remove=labels)

    def _edit_labels(self, headers: list[TraceHeader], **change: Any) -> int:
        self._check_writable()
        changed = edit_labels(self._h5, headers, **change)
        for name, text in changed.items():
            self._trace_attrs.set_labels(name, text)
        return len(changed)

    def headers(self, *, event: Any = None, amplitudes: bool = False, progress: bool = False,
                **query: Any) -> Any:
        """A pandas ``DataFrame`` of the matching traces' headers, one row per trace.

        Built from the header index and its cache without reading samples
        (unless ``amplitudes=True``).  Columns are listed in
        :mod:`asdfkit.container.headertable`.

        Parameters
        ----------
        event : Event or str, optional
            Add ``distance_km``, ``azimuth``, ``back_azimuth`` and ``distance_deg``
            from this event's preferred origin to each station.
        amplitudes : bool
            Add ``amplitude_max``, ``amplitude_mean``, ``amplitude_rms`` (reads samples chunk by chunk).
        progress : bool
            Show a progress bar while reading samples.
        **query
            Keywords of :meth:`get_waveforms` (``group=``, ``labels=``...).

        Examples
        --------
        >>> df = f.headers(channel="BHZ", event=f.events[0])      # doctest: +SKIP
        >>> df[["station", "distance_km", "back_azimuth"]]         # doctest: +SKIP
        """
        from .headertable import require_pandas

        require_pandas()
        index = self._waveforms.index
        given = {k: v for k, v in query.items() if v is not None}
        if given:
            position = {n: i for i, n in enumerate(index.names)}
            rows = np.array(sorted(position[h.name] for h in self._select(**given)), dtype=np.int64)
        else:
            rows = np.arange(len(index))
        origin = None
        if event is not None:
            origin = event_origin(event) if hasattr(event, "origins") else self._origin(
                str(getattr(event, "id", event)))
        return header_table(index, rows, self._attrs_now(), self._groups.of_trace_names, origin=origin,
                            h5=self._h5, amplitudes=amplitudes, progress=progress)

    # -- overview ----------------------------------------------------------------------------
    def _size(self) -> int | None:
        if self._session is not None and self._session.active:
            return self._session.size()
        return self.path.stat().st_size if self.path.exists() else None

    def summary(self) -> dict[str, Any]:
        """A dictionary describing the file (what ``asdf-cli info`` prints)."""
        index = self._waveforms.index
        per_tag: dict[str, int] = {}
        for tag in index.column("tag") if len(index) else []:
            per_tag[tag] = per_tag.get(tag, 0) + 1
        span = None
        if len(index):
            span = [str(to_utc(int(index.start.min()))), str(to_utc(int(index.end().max())))]
        return {
            "path": str(self.path),
            "format_version": self.format_version,
            "size_bytes": self._size(),
            "events": len(self._events),
            "stations": len(self.stations),
            "stations_with_stationxml": len(self._stations.ids()),
            "traces": len(index),
            "traces_per_tag": dict(sorted(per_tag.items())),
            "samples": int(index.npts.sum()) if len(index) else 0,
            "time_span": span,
            "auxiliary_data_types": self._auxiliary.types(),
            "auxiliary_datasets": len(self._auxiliary.entries()),
            "provenance_documents": self._provenance.names(),
        }


def _close_unclosed(h5: h5py.File, session: WriteSession, path: str) -> None:
    """A writable file garbage-collected without close(): commit, as a closed file would."""
    log.warning("%s was not closed; committing its changes now (close it, or use 'with')", path)
    try:
        if h5:
            h5.close()
        session.commit()
    except Exception as exc:  # noqa: BLE001 - nobody to raise to at garbage collection
        log.error("could not commit %s: %s", path, exc)
        session.abort()


def _alive(ref: weakref.ref[ASDFFile]) -> ASDFFile:
    """The file a weak reference points to (it is alive while its stores are used)."""
    asdf = ref()
    if asdf is None:  # pragma: no cover - a store outliving its file
        raise ModeError("the ASDF file this object belongs to is closed")
    return asdf


def open(  # noqa: A001 - mirrors h5py.File / builtins.open
    path: str | os.PathLike[str],
    mode: str = "r",
    **options: Any,
) -> ASDFFile:
    """Open an ASDF file.

    Parameters
    ----------
    path : str or path-like
    mode : {"r", "r+", "w", "w-", "x", "a"}
        As in h5py: ``r`` read-only (default; never modifies the file),
        ``r+`` read/write an existing file, ``w`` create or truncate, ``w-``/``x``
        create and fail if it exists, ``a`` read/write or create.
    format_version : str, optional
        ASDF version of a new file (default 1.0.3; 1.0.0-1.0.2 on request).
    compression : str, optional
        ``"gzip"`` (default, level 4), ``"gzip-0"`` ... ``"gzip-9"``, ``"szip"``, ``"none"``.
    shuffle, fletcher32 : bool
        HDF5 shuffle and checksum filters (both on by default).
    force_compression : bool
        Allow filters that do not ship with HDF5 (``lzf``).
    index_cache : bool
        Use and keep the header-index cache (see :mod:`asdfkit.container.index`).
    in_place : bool
        Writing modes only.  False (default): the file is written on a clone or
        copy that a successful ``close()`` renames over it (an exception in the
        ``with`` block discards it), so a crash never damages the file.  True:
        write into the file directly (no copy; NOT crash-safe: a crash while
        writing can make the file unreadable).
    copy_limit : int, optional
        Largest file copied for a crash-safe write (default 2 GiB, or
        ``ASDFKIT_COPY_LIMIT``); larger files, or a copy that would leave less
        than 10 % of the file's size free, raise
        :class:`~asdfkit.errors.UnsafeWriteError`.  Clones are not limited.
    lock_timeout : float or None
        Writing modes hold the file's writer lock (``.<name>.lock``) until
        closed; another writer fails at once with
        :class:`~asdfkit.errors.FileLockedError` (0, default), waits (None) or
        waits up to this many seconds.
    hdf5_locking : bool or None
        HDF5's own file locking (h5py's ``locking=``): ``None`` (default) the
        process-wide setting of
        :func:`~asdfkit.container.hdf5locking.set_hdf5_locking`, else HDF5's
        default (``HDF5_USE_FILE_LOCKING`` applies); ``False`` opens a file that
        another program holds open for writing, or one on a file system without
        locks.  asdfkit's own writer lock stays on either way.

    Examples
    --------
    >>> import asdfkit, obspy
    >>> with asdfkit.open("example.h5", "w") as f:          # doctest: +SKIP
    ...     f.add_waveforms(obspy.read(), tag="raw_recording")
    """
    return ASDFFile(path, mode, **options)
