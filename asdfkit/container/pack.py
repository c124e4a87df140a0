"""Packing a chunk: its part files (and the input's events) copied into one new file.

Part files of one chunk hold disjoint stations (a station is committed once),
so packing copies whole groups — a station's traces and StationXML, one
provenance document, an auxiliary data type — with one ``H5Ocopy`` each,
instead of walking and comparing every dataset as a general
:func:`~asdfkit.container.surgery.merge` must.  Chunks, filters and
attributes are copied as stored (no decompression).  Where two sources hold
the same name the groups are merged member by member; two datasets of one
name must be identical (else :class:`~asdfkit.errors.MergeConflictError`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import h5py
import numpy as np

from ..errors import MergeConflictError
from .file import ASDFFile
from .partfiles import UNITS_ATTR, bound_metadata_cache

__all__ = ["pack_files"]

log = logging.getLogger(__name__)

_SECTIONS = ("Waveforms", "AuxiliaryData", "Provenance")


def _same(a: h5py.Dataset, b: h5py.Dataset) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if {k: repr(a.attrs[k]) for k in a.attrs} != {k: repr(b.attrs[k]) for k in b.attrs}:
        return False
    return bool(np.array_equal(a[()], b[()]))


def _copy_into(src: h5py.Group, dst: h5py.Group, where: str, source: Path) -> int:
    """Copy every member of ``src`` missing from ``dst`` (groups whole); the objects copied.

    Whether ``dst`` has a name is asked of HDF5's link table directly (4 us, against
    ~20 us through h5py's ``in``; a set of the names would cost the driver memory per
    station).
    """
    copied = 0
    exists = dst.id.links.exists
    for name in src:
        encoded = name.encode()
        if not exists(encoded):
            h5py.h5o.copy(src.id, encoded, dst.id, encoded)
            copied += 1
            continue
        mine, theirs = src[name], dst[name]
        if isinstance(mine, h5py.Group) and isinstance(theirs, h5py.Group):
            copied += _copy_into(mine, theirs, f"{where}/{name}", source)
        elif not (isinstance(mine, h5py.Dataset) and isinstance(theirs, h5py.Dataset) and _same(mine, theirs)):
            raise MergeConflictError(
                f"cannot pack {str(source)!r}: {where}/{name} exists in two part files with different content "
                "(rule: an object of the same name must be identical)"
            )
    return copied


def pack_files(target: Path, events: Path | None, sources: Sequence[Path], version: str | None) -> int:
    """Write a new ASDF file ``target`` holding ``events``' QuakeML and every object of ``sources``.

    Returns the number of objects (groups or datasets) copied.
    """
    ASDFFile(target, "w", format_version=version, index_cache=False).close()
    copied = 0
    with bound_metadata_cache(h5py.File(target, "a")) as out:
        if events is not None:
            with h5py.File(events, "r") as src:
                if isinstance(src.get("QuakeML"), h5py.Dataset):
                    h5py.h5o.copy(src.id, b"QuakeML", out.id, b"QuakeML")
                    copied += 1
        for source in sources:
            with bound_metadata_cache(h5py.File(source, "r")) as src:
                if isinstance(src.get("QuakeML"), h5py.Dataset) and "QuakeML" not in out:
                    h5py.h5o.copy(src.id, b"QuakeML", out.id, b"QuakeML")
                    copied += 1
                for section in _SECTIONS:
                    group = src.get(section)
                    if isinstance(group, h5py.Group):
                        copied += _copy_into(group, out.require_group(section), f"/{section}", source)
        if UNITS_ATTR in out.attrs:
            del out.attrs[UNITS_ATTR]
    return copied
