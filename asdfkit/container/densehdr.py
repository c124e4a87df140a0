"""Attributes larger than 64 KiB: object headers that can hold them.

An HDF5 version-1 object header (what files written with the default
``libver`` low bound ``earliest`` give every object) stores each attribute as
one header message of at most 64 KiB: ``event_id`` of a day-long trace
associated with 1,500 aftershocks (99 kB of resource ids) fails with "object
header message is too large".  Version-2 headers move large attributes to
*dense* attribute storage (a fractal heap).  asdfkit opens files for writing
with the low bound ``v108`` (:data:`WRITE_LIBVER`), so every object it creates
has a version-2 header; pyasdf and every HDF5 >= 1.8 reads those.  A dataset
written earlier (by pyasdf or an older asdfkit) whose attribute outgrows its
version-1 header is rewritten first: :func:`make_room` copies it into a new
dataset with a version-2 header (same creation properties, its chunks copied
as stored, no recompression; the same attributes) and puts it in its place.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import h5py
import numpy as np

from .sizeguard import read_checked

__all__ = ["COMPACT_LIMIT", "WRITE_LIBVER", "make_room", "needs_dense"]

log = logging.getLogger(__name__)

#: libver bounds of files asdfkit writes: version-2 object headers (dense attributes), v1 B-tree chunk indexes.
WRITE_LIBVER = ("v108", "latest")

#: An attribute value larger than this may not fit a version-1 header message (64 KiB less name and types).
COMPACT_LIMIT = 60_000


def _nbytes(value: Any) -> int:
    if isinstance(value, np.generic):  # the scalars and np.bytes_ of every trace: no array made
        return int(value.nbytes)
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, (bytes, np.bytes_)):
        return len(value)
    array = np.asarray(value)
    if array.dtype.kind == "O":
        return sum(_nbytes(v) for v in array.ravel())
    return int(array.nbytes)


def needs_dense(dsid: h5py.h5d.DatasetID, attrs: Mapping[str, Any]) -> bool:
    """Whether writing ``attrs`` needs dense storage that ``dsid``'s version-1 header lacks."""
    if not any(_nbytes(value) > COMPACT_LIMIT for value in attrs.values()):
        return False
    return bool(h5py.h5o.get_info(dsid).hdr.version < 2)


def _copy_data(old: h5py.h5d.DatasetID, new: h5py.h5d.DatasetID, dataset: h5py.Dataset) -> None:
    if old.get_create_plist().get_layout() == h5py.h5d.CHUNKED:
        for number in range(old.get_num_chunks()):
            offset = old.get_chunk_info(number).chunk_offset
            mask, blob = old.read_direct_chunk(offset)
            new.write_direct_chunk(offset, blob, mask)
    elif dataset.size:
        new.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(read_checked(dataset)))


def make_room(dsid: h5py.h5d.DatasetID) -> h5py.h5d.DatasetID:
    """Replace the dataset ``dsid`` by a copy with a version-2 object header; return the copy's id.

    Data (raw chunks), creation properties and attributes are kept; the copy
    takes the original's name.
    """
    dataset = h5py.Dataset(dsid)
    name = dataset.name
    parent_name, _, base = name.rpartition("/")
    parent = dataset.file[parent_name or "/"]
    dcpl = dsid.get_create_plist()
    dcpl.set_attr_creation_order(h5py.h5p.CRT_ORDER_TRACKED)  # a version-2 header whatever the file's libver
    temp = f".{base}.dense"
    if temp in parent:
        del parent[temp]
    space = dsid.get_space()
    new = h5py.h5d.create(parent.id, temp.encode("utf-8"), dsid.get_type(), space, dcpl=dcpl)
    _copy_data(dsid, new, dataset)
    copy = h5py.Dataset(new)
    for key in dataset.attrs:
        copy.attrs.create(key, dataset.attrs[key], dtype=dataset.attrs.get_id(key).dtype)
    del parent[base]
    parent.move(temp, base)
    log.info("rewrote %s with a version-2 object header for an attribute over %d bytes", name, COMPACT_LIMIT)
    return h5py.h5d.open(parent.id, base.encode("utf-8"))
