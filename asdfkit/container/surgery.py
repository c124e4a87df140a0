"""File surgery on whole ASDF files: merge, extract, repack — all by HDF5 object copy.

HDF5 object copies (``H5Ocopy``) move datasets with their chunks, filters
(compression, shuffle, checksums) and attributes exactly as stored: nothing is
decoded and re-encoded, so a merged trace is byte-for-byte the trace of its
source.

Every operation writes a temporary file beside the target and renames it at
the end (:func:`asdfkit.atomic.atomic_path`): an error, Ctrl-C or SIGKILL
leaves the target exactly as it was.

Merge rules, per object:

- absent from the target: copied;
- present with the same bytes and attributes: skipped (merging twice changes nothing);
- StationXML that differs: the station documents are merged (new epochs and channels added);
- QuakeML that differs: events whose resource id is not yet in the target are added;
- any other object that differs (a trace, auxiliary dataset or provenance
  document of the same name): :class:`~asdfkit.errors.MergeConflictError`,
  found in a read-only pass before anything is written.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from obspy import read_events

from ..atomic import atomic_path
from ..errors import FormatError, InvalidValueError, MergeConflictError
from ..locking import writer_lock
from ..spec import STATIONXML_NAME
from .damage import member_names
from .diskspace import ensure_space
from .events import QUAKEML_NAME
from .file import ASDFFile
from .groupcopy import GROUPS_PREFIX, copy_groups, merged_group, write_group
from .h5util import decode_str, read_xml
from .hdf5locking import locking_options
from .links import refuse_links
from .sizeguard import read_checked
from .verify import check_decodes, verify_complete

__all__ = ["SECTIONS", "MergeSource", "SurgeryReport", "extract", "merge", "repack"]

log = logging.getLogger(__name__)

SECTIONS = frozenset({"events", "stations", "waveforms", "auxiliary", "provenance"})


@dataclass(frozen=True)
class MergeSource:
    """One input of :func:`merge` and the sections taken from it.

    Examples
    --------
    >>> MergeSource.of("in.h5", sections=["events"]).sections
    frozenset({'events'})
    """

    path: Path
    sections: frozenset[str] = SECTIONS

    @classmethod
    def of(
        cls, path: str | os.PathLike[str] | MergeSource, sections: Iterable[str] | None = None
    ) -> MergeSource:
        """A source from a path (all sections unless ``sections`` names some)."""
        if isinstance(path, MergeSource):
            return path
        chosen = SECTIONS if sections is None else frozenset(sections)
        unknown = sorted(chosen - SECTIONS)
        if unknown:
            raise InvalidValueError(
                f"invalid section {unknown[0]!r}: must be one of {', '.join(sorted(SECTIONS))}"
            )
        return cls(Path(path), chosen)


@dataclass
class SurgeryReport:
    """What a merge, extract or repack did.

    ``copied_paths`` lists the datasets copied one by one; it stays empty when
    the target is a whole file taken as it is (a batch run's only chunk file,
    linked into place), where ``copied`` is the number of datasets the file holds.
    """

    target: str
    copied: int = 0
    identical: int = 0
    stations_merged: int = 0
    events_added: int = 0
    groups_merged: int = 0
    size_before: int | None = None
    size_after: int | None = None
    copied_paths: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.copied or self.stations_merged or self.events_added or self.groups_merged)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (without the list of copied paths)."""
        return {
            "target": self.target,
            "changed": self.changed,
            "copied": self.copied,
            "identical": self.identical,
            "stations_merged": self.stations_merged,
            "events_added": self.events_added,
            "groups_merged": self.groups_merged,
            "size_before": self.size_before,
            "size_after": self.size_after,
        }


# -- comparing and walking ---------------------------------------------------------------
def _attrs(obj: h5py.HLObject) -> dict[str, str]:
    return {key: repr(obj.attrs[key]) for key in sorted(obj.attrs)}


def _same(a: h5py.Dataset, b: h5py.Dataset) -> bool:
    """Same shape, dtype, attributes and stored values."""
    if a.shape != b.shape or a.dtype != b.dtype or _attrs(a) != _attrs(b):
        return False
    return bool(np.array_equal(read_checked(a), read_checked(b)))


def _difference(a: h5py.Dataset, b: h5py.Dataset) -> str:
    """What differs between two datasets of the same name, in words (for conflict messages)."""
    if a.shape != b.shape:
        return f"shape {a.shape} in the target, {b.shape} in the source"
    if a.dtype != b.dtype:
        return f"dtype {a.dtype} in the target, {b.dtype} in the source"
    first, second = _attrs(a), _attrs(b)
    differ = sorted(key for key in set(first) | set(second) if first.get(key) != second.get(key))
    samples = not np.array_equal(read_checked(a), read_checked(b))
    if differ and samples:
        return f"the attribute{'s' if len(differ) > 1 else ''} {_names(differ)} and the stored values differ"
    if differ:
        return f"only the attribute{'s' if len(differ) > 1 else ''} {_names(differ)} differ{'' if len(differ) > 1 else 's'}"
    return "only the stored values differ" if samples else "the content differs"


def _names(keys: list[str]) -> str:
    return ", ".join(repr(key) for key in keys[:5]) + (", ..." if len(keys) > 5 else "")


def _datasets(group: h5py.Group, prefix: str) -> Iterator[str]:
    """HDF5 paths of every dataset below ``group``, sorted."""
    found: list[str] = []

    def visit(name: str, obj: Any) -> None:
        if isinstance(obj, h5py.Dataset):
            found.append(f"{prefix}/{name}")

    group.visititems(visit)
    yield from sorted(found)


def _source_paths(src: h5py.File, sections: frozenset[str]) -> Iterator[tuple[str, str]]:
    """``(kind, path)`` of every object a source contributes, in a fixed order."""
    if "events" in sections and isinstance(src.get(QUAKEML_NAME), h5py.Dataset):
        yield "events", f"/{QUAKEML_NAME}"
    waveforms = src.get("Waveforms")
    if isinstance(waveforms, h5py.Group) and sections & {"stations", "waveforms"}:
        for sid in sorted(member_names(waveforms)):
            station = waveforms[sid]
            if not isinstance(station, h5py.Group):
                continue
            for name in sorted(member_names(station)):
                kind = "stations" if name == STATIONXML_NAME else "waveforms"
                if kind in sections and isinstance(station[name], h5py.Dataset):
                    yield kind, f"/Waveforms/{sid}/{name}"
    for kind, section in (("auxiliary", "AuxiliaryData"), ("provenance", "Provenance")):
        group = src.get(section)
        if kind in sections and isinstance(group, h5py.Group):
            for path in _datasets(group, f"/{section}"):
                yield kind, path


def _open_source(path: Path) -> h5py.File:
    if not path.exists():
        raise FormatError(f"cannot merge {str(path)!r}: no such file") from FileNotFoundError(path)
    if not h5py.is_hdf5(path):
        raise FormatError(f"cannot merge {str(path)!r}: not an HDF5 file")
    return h5py.File(path, "r", **locking_options())


def _new_event_ids(target: ASDFFile, data: bytes) -> list[Any]:
    """Events of a QuakeML document whose resource ids the target does not hold."""
    have = {str(e.resource_id) for e in target.events}
    return [e for e in read_events(data, format="QUAKEML") if str(e.resource_id) not in have]


# -- merge -------------------------------------------------------------------------------
def _progress(total: int | None, desc: str, enabled: bool) -> Any:
    """A tqdm bar on stderr (a no-op one when not ``enabled``)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="object", disable=not enabled)


def _merge_pass(out: ASDFFile, sources: Sequence[MergeSource], report: SurgeryReport, write: bool,
                progress: bool = False) -> None:
    """Walk every source object; in the dry pass only count and find conflicts."""
    h5 = out.h5
    planned: set[str] = set()
    with _progress(None, "merging", progress and write) as bar:
        _merge_sources(out, h5, sources, report, write, planned, bar)


def _merge_sources(out: ASDFFile, h5: h5py.File, sources: Sequence[MergeSource], report: SurgeryReport,
                   write: bool, planned: set[str], bar: Any) -> None:
    for source in sources:
        with _open_source(source.path) as src:
            paths = list(_source_paths(src, source.sections))
            if write:  # every object decodes before any is copied (H5Ocopy can crash on damage)
                for _, path in paths:
                    check_decodes(src[path])
            for kind, path in paths:
                bar.update(1)
                node = src[path]
                existing = h5.get(path)
                if existing is None and path not in planned:
                    report.copied += 1
                    report.copied_paths.append(path)
                    planned.add(path)
                    if write:
                        parent, _, name = path.rpartition("/")
                        h5.copy(node, h5.require_group(parent or "/"), name=name)
                    continue
                if existing is None or _same(existing, node):
                    report.identical += 1
                    continue
                if kind == "stations":
                    report.stations_merged += 1
                    if write:
                        out.add_stations(read_xml(node))
                elif kind == "events":
                    new = _new_event_ids(out, read_xml(node))
                    report.events_added += len(new)
                    if write and new:
                        out.add_events(new)
                elif kind == "auxiliary" and path.startswith(GROUPS_PREFIX):
                    united = merged_group(existing, node, path, str(source.path))
                    if united is None:
                        report.identical += 1
                    else:
                        report.groups_merged += 1
                        if write:
                            write_group(h5, path, united)
                else:
                    raise MergeConflictError(
                        f"cannot merge {str(source.path)!r} into {report.target!r}: {path} exists in both "
                        f"with different content ({_difference(existing, node)}; rule: an object of the same "
                        "name must be identical)"
                    )


def _section_roots(sections: frozenset[str]) -> list[str]:
    """The HDF5 groups (or dataset) holding ``sections``."""
    where = {"events": f"/{QUAKEML_NAME}", "stations": "/Waveforms", "waveforms": "/Waveforms",
             "auxiliary": "/AuxiliaryData", "provenance": "/Provenance"}
    return sorted({where[s] for s in sections if s in where})


def _root_version(path: Path) -> str | None:
    with _open_source(path) as src:
        value = src.attrs.get("file_format_version")
    return None if value is None else decode_str(value)


def merge(
    sources: Sequence[str | os.PathLike[str] | MergeSource],
    target: str | os.PathLike[str],
    *,
    sections: Iterable[str] | None = None,
    in_place: bool = False,
    progress: bool = False,
) -> SurgeryReport:
    """Merge ASDF files into ``target`` (created if missing) by HDF5 object copy.

    Parameters
    ----------
    sources : paths or MergeSource
        Files to merge, in order.  A :class:`MergeSource` names the sections
        taken from that file.
    target : path
        The ASDF file to merge into; it is replaced atomically, and not touched
        at all when there is nothing new (merging twice is a no-op).
    sections : iterable of str, optional
        Sections taken from plain-path sources (default: all of
        ``events, stations, waveforms, auxiliary, provenance``).
    in_place : bool
        Merge into an existing ``target`` directly instead of into a copy that
        replaces it (no copy of a large target; NOT crash-safe).
    progress : bool
        Show a progress bar (tqdm, on stderr) while objects are copied.

    Raises
    ------
    asdfkit.errors.MergeConflictError
        If an object exists in two files with different content (nothing is written).
    asdfkit.errors.FileLockedError
        If another process writes ``target`` (its writer lock is held from the
        first read of ``target`` to the commit).
    asdfkit.errors.UnsafeWriteError
        If the copy of an existing ``target`` is too large or does not fit.

    Examples
    --------
    >>> merge(["chunk0.h5", "chunk1.h5"], "all.h5").copied       # doctest: +SKIP
    12
    """
    items = [MergeSource.of(s, sections) for s in sources]
    target = Path(target)
    with writer_lock(target):
        return _merge(items, target, in_place, progress)


def _merge(items: list[MergeSource], target: Path, in_place: bool, progress: bool = False) -> SurgeryReport:
    report = SurgeryReport(str(target))
    report.size_before = target.stat().st_size if target.exists() else None
    resolved = target.resolve()
    if any(s.path.resolve() == resolved for s in items):
        raise InvalidValueError(f"invalid source {str(target)!r}: the target cannot also be a source")
    for item in items:
        with _open_source(item.path) as src:
            refuse_links(src, _section_roots(item.sections), f"merge {str(item.path)!r} into {str(target)!r}")
    version = _root_version(items[0].path) if items else None
    if target.exists():
        # Dry pass, read-only: is there anything new?  (Conflicts surface here or in the
        # write pass, which works on a temporary copy: the target is never half-merged.)
        with ASDFFile(target, "r", index_cache=False) as out:
            _merge_pass(out, items, report, write=False)
        if not report.changed:
            report.size_after = report.size_before
            log.info("merge into %s: nothing new (%d identical objects)", target, report.identical)
            return report
    final = SurgeryReport(str(target), size_before=report.size_before)
    ensure_space(target, sum(s.path.stat().st_size for s in items))
    existed = target.exists()
    if in_place and existed:
        with ASDFFile(target, "a", index_cache=False, in_place=True) as out:
            _merge_pass(out, items, final, write=True, progress=progress)
    else:
        with atomic_path(target, copy_existing=True, verify=verify_complete) as temp:
            with ASDFFile(
                temp, "a" if existed else "w", format_version=None if existed else version, index_cache=False
            ) as out:
                _merge_pass(out, items, final, write=True, progress=progress)
    final.size_after = target.stat().st_size
    log.info(
        "merged %d file(s) into %s: %d copied, %d identical",
        len(items),
        target,
        final.copied,
        final.identical,
    )
    return final


# -- extract -----------------------------------------------------------------------------
def _documents_for(src: h5py.File, provenance_ids: set[str]) -> list[str]:
    """Provenance documents that define any of the ids (by their local part)."""
    group = src.get("Provenance")
    if not isinstance(group, h5py.Group) or not provenance_ids:
        return []
    locals_ = {pid.rpartition("}")[2].encode() for pid in provenance_ids}
    chosen = []
    for name in sorted(group):
        node = group[name]
        if isinstance(node, h5py.Dataset):
            data = read_xml(node)
            if any(b'"' + part + b'"' in data or b":" + part + b'"' in data for part in locals_):
                chosen.append(name)
    return chosen


def _new_like(path: Path, src: h5py.File) -> h5py.File:
    out = h5py.File(path, "w")
    for key in src.attrs:
        out.attrs[key] = src.attrs[key]
    for section in ("Waveforms", "AuxiliaryData", "Provenance"):
        out.require_group(section)
    return out


def extract(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    events: bool = True,
    auxiliary: bool | Sequence[str] = False,
    provenance: bool = True,
    groups: bool = True,
    overwrite: bool = False,
    progress: bool = False,
    **query: Any,
) -> SurgeryReport:
    """Copy the traces matching ``query`` (and what they need) into a new ASDF file.

    Parameters
    ----------
    source, target : path
    events : bool
        Copy ``/QuakeML`` (default True).
    auxiliary : bool or sequence of str
        Copy all auxiliary data (True) or these data types.
    provenance : bool
        Copy the provenance documents that describe the extracted traces.
    groups : bool
        Copy the trace groups (default True); static groups keep only the
        extracted members (see :mod:`asdfkit.container.groupcopy`).
    overwrite : bool
        Replace an existing ``target`` (otherwise refused).
    progress : bool
        Show a progress bar (tqdm, on stderr) while objects are copied.
    **query
        Keywords of :meth:`ASDFFile.list_waveforms` (``network``, ``station``,
        ``channel``, ``tag``, ``starttime``, ``endtime``...).  Whole traces
        overlapping the window are copied (no cutting: no re-encoding).

    Examples
    --------
    >>> extract("all.h5", "anmo.h5", network="IU", station="ANMO").copied   # doctest: +SKIP
    4
    """
    source, target = Path(source), Path(target)
    with writer_lock(target):
        return _extract(source, target, events, auxiliary, provenance, groups, overwrite, query, progress)


def _extract(
    source: Path,
    target: Path,
    events: bool,
    auxiliary: bool | Sequence[str],
    provenance: bool,
    groups: bool,
    overwrite: bool,
    query: dict[str, Any],
    progress: bool = False,
) -> SurgeryReport:
    if target.exists() and not overwrite:
        raise InvalidValueError(
            f"invalid target {str(target)!r}: it exists (pass overwrite=True to replace it)"
        )
    if source.resolve() == target.resolve():
        raise InvalidValueError(f"invalid target {str(target)!r}: it is the source file")
    report = SurgeryReport(str(target))
    with ASDFFile(source, "r") as asdf:
        headers = asdf.list_waveforms(**query)
        pids = {pid for h in headers if (pid := asdf.get_waveform_meta(h).provenance_id)}
        src = asdf.h5
        with atomic_path(target, verify=verify_complete) as temp, _new_like(temp, src) as out:
            paths = [h.path for h in headers]
            stations = sorted({h.station_id for h in headers})
            paths += [
                f"/Waveforms/{s}/{STATIONXML_NAME}"
                for s in stations
                if f"/Waveforms/{s}/{STATIONXML_NAME}" in src
            ]
            if events and isinstance(src.get(QUAKEML_NAME), h5py.Dataset):
                paths.append(f"/{QUAKEML_NAME}")
            if provenance:
                paths += [f"/Provenance/{name}" for name in _documents_for(src, pids)]
            aux = src.get("AuxiliaryData")
            if auxiliary and isinstance(aux, h5py.Group):
                types = sorted(aux) if auxiliary is True else list(auxiliary)
                for data_type in types:
                    if groups and data_type == GROUPS_PREFIX.strip("/").split("/")[1]:
                        continue  # copied below, trimmed to the extracted traces
                    if data_type in aux and isinstance(aux[data_type], h5py.Group):
                        paths += list(_datasets(aux[data_type], f"/AuxiliaryData/{data_type}"))
            aux_roots = [f"/AuxiliaryData/{t}" for t in types] if auxiliary and isinstance(aux, h5py.Group) else []
            refuse_links(src, paths + aux_roots, f"extract from {str(source)!r}")
            for path in paths:  # every object decodes before any is copied (H5Ocopy can crash on damage)
                check_decodes(src[path])
            ensure_space(temp, sum(_storage_size(src[path]) for path in paths))
            with _progress(len(paths), "extracting", progress) as bar:
                for path in paths:
                    parent, _, name = path.rpartition("/")
                    out.copy(src[path], out.require_group(parent or "/"), name=name)
                    report.copied += 1
                    report.copied_paths.append(path)
                    bar.update(1)
            if groups:
                report.copied += copy_groups(src, out, {h.name for h in headers})
    report.size_after = target.stat().st_size
    log.info("extracted %d trace(s) of %s into %s", len(headers), source, target)
    return report


def _storage_size(obj: h5py.Dataset | h5py.Group) -> int:
    """Bytes of dataset storage under ``obj`` (what copying it writes, before metadata)."""
    if isinstance(obj, h5py.Dataset):
        return int(obj.id.get_storage_size())
    sizes: list[int] = []
    obj.visititems(lambda _, o: sizes.append(o.id.get_storage_size()) if isinstance(o, h5py.Dataset) else None)
    return sum(sizes)


# -- repack ------------------------------------------------------------------------------
def repack(
    source: str | os.PathLike[str], target: str | os.PathLike[str] | None = None, *, progress: bool = False
) -> SurgeryReport:
    """Rewrite an ASDF file object by object to reclaim the space HDF5 leaves after deletions.

    HDF5 does not shrink a file when datasets are deleted; copying every object
    into a fresh file does (like ``h5repack``, keeping each dataset's filters).
    Without ``target`` the file is replaced in place, atomically.  ``progress``
    shows a bar (tqdm, on stderr) over the top-level objects and the stations.

    Examples
    --------
    >>> r = repack("edited.h5")                                   # doctest: +SKIP
    >>> r.size_before - r.size_after                              # doctest: +SKIP
    1048576
    """
    source = Path(source)
    dest = source if target is None else Path(target)
    with writer_lock(dest):
        return _repack(source, dest, progress)


def _repack(source: Path, dest: Path, progress: bool = False) -> SurgeryReport:
    report = SurgeryReport(str(dest), size_before=source.stat().st_size if source.exists() else None)
    if source.exists():
        ensure_space(dest, source.stat().st_size)
    with atomic_path(dest, verify=verify_complete) as temp:
        with _open_source(source) as src, h5py.File(temp, "w") as out:
            refuse_links(src, ["/"], f"repack {str(source)!r}", soft=False)  # its soft links stay inside
            for key in src.attrs:
                out.attrs[key] = src.attrs[key]
            names = sorted(src)
            for name in names:  # every object decodes before any is copied (H5Ocopy can crash on damage)
                check_decodes(src[name])
            waveforms = src.get("Waveforms")
            stations = sorted(waveforms) if isinstance(waveforms, h5py.Group) and progress else []
            with _progress(len(src) + len(stations), "repacking", progress) as bar:
                for name in names:
                    if name == "Waveforms" and stations:  # station by station, so the bar moves
                        group = out.create_group(name)
                        for key in waveforms.attrs:
                            group.attrs[key] = waveforms.attrs[key]
                        for station in stations:
                            src.copy(waveforms[station], group, name=station)
                            bar.update(1)
                    else:
                        src.copy(src[name], out, name=name)
                    report.copied += 1
                    bar.update(1)
    report.size_after = dest.stat().st_size
    log.info("repacked %s: %s -> %d bytes", source, report.size_before, report.size_after)
    return report
