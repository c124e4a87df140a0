"""Read back a finished HDF5 file: every dataset complete, every stored chunk decodable.

:func:`verify_complete` is what :func:`asdfkit.atomic.atomic_path` runs (its
``verify`` argument) on a finished temporary file before renaming it into
place: the file reopens, every object is reachable, every chunked dataset has
all the chunks its extent needs stored (a chunk HDF5 failed to write reads
back as zeros otherwise) and, with ``read=True``, every stored chunk decodes
(fletcher32 checksum and deflate/szip).  :func:`scan` is the chunk walk that
``validate --checksums`` reports from.

Each chunk is read on its own into a buffer of at most :data:`PIECE_BYTES`,
and only chunks actually stored are read, so declared sizes never drive an
allocation.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import h5py
import numpy as np
from h5py import h5d, h5g, h5o, h5s, h5z

from ..errors import DamagedFileError

__all__ = ["PIECE_BYTES", "ChunkResult", "check_decodes", "scan", "stored_bytes", "verify_complete"]

log = logging.getLogger(__name__)

#: Largest buffer one read allocates (a larger chunk is read in slices).
PIECE_BYTES = 64 * 2**20
#: Deepest group nesting walked.
MAX_DEPTH = 64
_ERRORS = (OSError, RuntimeError, ValueError, KeyError, TypeError)


@dataclass(frozen=True)
class ChunkResult:
    """One stored chunk (or a contiguous dataset's data) and whether it decoded."""

    path: str
    start: tuple[int, ...]
    address: int
    size: int
    chunked: bool
    fletcher32: bool
    error: str | None = None


def datasets(root: Any) -> Iterator[tuple[str, Any]]:
    """``(path, DatasetID)`` of every dataset under a low-level group, by hard links, each once."""
    seen: set[int] = set()
    stack: list[tuple[str, Any, int]] = [("", root, 0)]
    while stack:
        prefix, group, depth = stack.pop()
        try:
            names = sorted(group, reverse=True)
        except _ERRORS:
            continue
        for raw in names:
            path = f"{prefix}/{raw.decode(errors='replace')}"
            try:
                info = h5o.get_info(group, raw)
                if info.addr in seen:
                    continue
                seen.add(info.addr)
                if info.type == h5o.TYPE_DATASET:
                    yield path, h5d.open(group, raw)
                elif info.type == h5o.TYPE_GROUP and depth < MAX_DEPTH:
                    stack.append((path, h5g.open(group, raw), depth + 1))
            except _ERRORS:
                continue


def stored_bytes(root: Any) -> int:
    """Bytes of dataset storage :func:`scan` reads (a progress bar's total)."""
    total = 0
    for _, dataset in datasets(root):
        try:
            total += dataset.get_storage_size()
        except _ERRORS:
            continue
    return total


def _layout(dataset: Any) -> tuple[tuple[int, ...] | None, list[tuple[tuple[int, ...], int, int]], bool]:
    """Chunk shape (None if contiguous), ``(offset, address, size)`` of stored chunks, fletcher32."""
    plist = dataset.get_create_plist()
    fletcher32 = any(plist.get_filter(i)[0] == h5z.FILTER_FLETCHER32 for i in range(plist.get_nfilters()))
    if plist.get_layout() != h5d.CHUNKED:
        size = dataset.get_storage_size()
        address = dataset.get_offset() or 0
        return None, ([((0,) * len(dataset.shape), address, size)] if size else []), fletcher32
    stored = []
    for i in range(dataset.get_num_chunks()):
        info = dataset.get_chunk_info(i)
        stored.append((tuple(info.chunk_offset), info.byte_offset, info.size))
    return plist.get_chunk(), stored, fletcher32


def _read(dataset: Any, dtype: np.dtype, start: tuple[int, ...], count: tuple[int, ...]) -> None:
    """Read the hyperslab ``start``/``count`` in pieces of at most PIECE_BYTES (decoding it)."""
    if not count:
        dataset.read(h5s.ALL, h5s.ALL, np.empty((), dtype=dtype))
        return
    row = int(np.prod(count[1:], dtype=np.int64)) * dtype.itemsize
    rows = max(1, PIECE_BYTES // max(row, 1))
    file_space = dataset.get_space()
    first, end = start[0], start[0] + count[0]
    while first < end:
        piece = (min(rows, end - first), *count[1:])
        file_space.select_hyperslab((first, *start[1:]), piece)
        dataset.read(h5s.create_simple(piece), file_space, np.empty(piece, dtype=dtype))
        first += piece[0]


def _reason(exc: BaseException, fletcher32: bool) -> str:
    text = str(exc).strip()
    if "filter" in text.lower():
        what = "fletcher32 checksum mismatch or corrupt compressed data" if fletcher32 else "filter failure"
        return f"{what} (HDF5: {text})"
    return text or type(exc).__name__


def scan_dataset(path: str, dataset: Any, read: bool = True) -> Iterator[ChunkResult]:
    """Every stored chunk of one dataset, read (``read=True``) and with its error, if any."""
    try:
        dtype = dataset.dtype
        shape = dataset.shape
        chunk, stored, fletcher32 = _layout(dataset)
    except _ERRORS:
        return  # unreadable metadata: the structural checks report it
    if dtype.kind not in "iufbS" or dtype.hasobject:
        return
    for offset, address, size in stored:
        if chunk is None:
            start, count = (0,) * len(shape), tuple(shape)
        else:
            start = offset
            count = tuple(min(c, s - o) for c, s, o in zip(chunk, shape, offset, strict=True))
            if any(c <= 0 for c in count):
                continue  # beyond the current extent of a shrunk dataset: never read
        error = None
        if read:
            try:
                _read(dataset, dtype, start, count)
            except _ERRORS as exc:
                error = _reason(exc, fletcher32)
        yield ChunkResult(path, start, address, size, chunk is not None, fletcher32, error)


def scan(root: Any, skip: frozenset[str] = frozenset(), read: bool = True) -> Iterator[ChunkResult]:
    """:func:`scan_dataset` over every dataset under the low-level group ``root`` (but ``skip``)."""
    for path, dataset in datasets(root):
        if path not in skip:
            yield from scan_dataset(path, dataset, read)


def _missing_chunks(dataset: Any) -> tuple[int, int] | None:
    """``(stored, needed)`` chunk counts of a chunked dataset missing some, else None."""
    plist = dataset.get_create_plist()
    if plist.get_layout() != h5d.CHUNKED:
        return None
    shape, chunk = dataset.shape, plist.get_chunk()
    needed = math.prod(-(-s // c) for s, c in zip(shape, chunk, strict=True)) if shape else 1
    stored = dataset.get_num_chunks()
    return (stored, needed) if stored < needed else None


def verify_complete(path: str | os.PathLike[str], *, read: bool = True,
                    progress: Callable[[int], None] | None = None) -> None:
    """Raise :class:`DamagedFileError` unless the HDF5 file at ``path`` reads back complete.

    Checks that the file opens, that every chunked dataset has every chunk its
    extent needs stored and, with ``read``, that every stored chunk decodes
    (its fletcher32 checksum matches and its compression decodes).  The cost
    is one read of the file (docs/performance.md, "Cost of safety").
    """
    name = os.fspath(path)
    try:
        handle = h5py.File(name, "r")
    except _ERRORS as exc:
        raise DamagedFileError(f"{name} is damaged: it does not reopen as HDF5 ({exc})") from exc
    with handle:
        checked = 0
        for where, dataset in datasets(handle.id):
            try:
                missing = _missing_chunks(dataset)
            except _ERRORS as exc:
                raise DamagedFileError(f"{name} is damaged: {where!r} cannot be read ({exc})") from exc
            if missing is not None:
                raise DamagedFileError(
                    f"{name} is incomplete: {where!r} has {missing[0]} of its {missing[1]} chunks stored"
                )
            for result in scan_dataset(where, dataset, read):
                if result.error is not None:
                    raise DamagedFileError(f"{name} is damaged: {where!r} at {result.start} "
                                           f"does not decode: {result.error}")
                if progress is not None:
                    progress(result.size)
            checked += 1
    log.debug("verified %s: %d datasets%s", name, checked, " read back" if read else "")


def check_decodes(obj: h5py.Dataset | h5py.Group) -> None:
    """Raise :class:`DamagedFileError` unless every stored chunk under ``obj`` decodes.

    Run on a source object before HDF5 copies it (``H5Ocopy``): copying a
    dataset whose chunks are corrupt can crash libhdf5 (a double free), and a
    copy would carry the damage into the output unread.
    """
    name = obj.file.filename
    items = [(obj.name, obj.id)] if isinstance(obj, h5py.Dataset) else [
        (f"{obj.name.rstrip('/')}{path}", dsid) for path, dsid in datasets(obj.id)]
    for where, dataset in items:
        for result in scan_dataset(where, dataset):
            if result.error is not None:
                raise DamagedFileError(f"{name} is damaged: {where!r} at {result.start} does not decode: "
                                       f"{result.error}; not copied")
