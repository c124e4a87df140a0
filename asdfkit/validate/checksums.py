"""``validate --checksums``: read every stored chunk of every dataset and report those that fail.

A chunk whose fletcher32 checksum does not match, or whose deflate/szip
stream does not decode, makes HDF5 fail the read.  Each chunk is read on its
own (into a buffer of at most :data:`PIECE_BYTES`), so one bad chunk is
reported with its position and the others are still checked.  Only chunks
that are actually stored are read (``get_num_chunks``/``get_chunk_info``), so a
file declaring huge unallocated datasets costs nothing.  Objects whose
metadata cannot be read are skipped here: the structural checks already
report them (ASDF-FILE-002).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from h5py import h5d, h5g, h5o, h5s, h5z

from ..container.inspect import H5_ERRORS
from .context import Context

__all__ = ["PIECE_BYTES", "check_checksums", "stored_bytes"]

log = logging.getLogger(__name__)

RULE = "ASDF-FILE-008"
#: Largest buffer one read allocates (a chunk larger than this is read in slices).
PIECE_BYTES = 64 * 2**20
#: Deepest group nesting walked (the structural checks report deeper files).
MAX_DEPTH = 64

Progress = Callable[[int], None]


def _datasets(root: Any) -> Iterator[tuple[str, Any]]:
    """``(path, DatasetID)`` of every dataset reachable by hard links, each object once."""
    seen: set[int] = set()
    stack: list[tuple[str, Any, int]] = [("", root, 0)]
    while stack:
        prefix, group, depth = stack.pop()
        try:
            names = sorted(group, reverse=True)
        except H5_ERRORS:
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
            except H5_ERRORS:
                continue


def _chunks(dataset: Any) -> tuple[np.dtype, tuple[int, ...], tuple[int, ...] | None, list[tuple[tuple[int, ...], int, int]]]:
    """dtype, shape, chunk shape and ``(offset, file address, stored size)`` of each stored chunk."""
    dtype = dataset.dtype
    shape = dataset.shape
    plist = dataset.get_create_plist()
    if plist.get_layout() != h5d.CHUNKED:
        address = dataset.get_offset()
        size = dataset.get_storage_size()
        return dtype, shape, None, [((0,) * len(shape), address or 0, size)] if size else []
    chunk = plist.get_chunk()
    stored = []
    for i in range(dataset.get_num_chunks()):
        info = dataset.get_chunk_info(i)
        stored.append((tuple(info.chunk_offset), info.byte_offset, info.size))
    return dtype, shape, chunk, stored


def stored_bytes(root: Any) -> int:
    """Bytes of dataset storage the check will read (for a progress bar's total)."""
    total = 0
    for _, dataset in _datasets(root):
        try:
            total += dataset.get_storage_size()
        except H5_ERRORS:
            continue
    return total


def _read(dataset: Any, dtype: np.dtype, start: tuple[int, ...], count: tuple[int, ...]) -> None:
    """Read the hyperslab ``start``/``count`` of ``dataset`` in pieces of at most PIECE_BYTES."""
    row = int(np.prod(count[1:], dtype=np.int64)) * dtype.itemsize if count else dtype.itemsize
    rows = max(1, PIECE_BYTES // max(row, 1)) if count else 1
    file_space = dataset.get_space()
    first = start[0] if count else 0
    end = first + (count[0] if count else 1)
    while first < end:
        step = min(rows, end - first)
        piece = (step, *count[1:]) if count else ()
        buf = np.empty(piece, dtype=dtype)
        if count:
            file_space.select_hyperslab((first, *start[1:]), piece)
            dataset.read(h5s.create_simple(piece), file_space, buf)
        else:
            dataset.read(h5s.ALL, h5s.ALL, buf)
        first += step


def check_dataset(path: str, dataset: Any, ctx: Context, progress: Progress | None = None) -> int:
    """Read every stored chunk of one dataset; report each that fails. Returns the failures."""
    try:
        dtype, shape, chunk, stored = _chunks(dataset)
    except H5_ERRORS:
        return 0  # unreadable metadata: ASDF-FILE-002 reports it
    if dtype.kind not in "iufbS" or dtype.hasobject:
        return 0  # strings/compounds of other kinds: read by the structural checks if at all
    try:
        plist = dataset.get_create_plist()
        fletcher32 = any(plist.get_filter(i)[0] == h5z.FILTER_FLETCHER32 for i in range(plist.get_nfilters()))
    except H5_ERRORS:
        fletcher32 = False
    failures = 0
    for offset, address, size in stored:
        if chunk is None:
            start, count = (0,) * len(shape), shape
        else:
            start = offset
            count = tuple(min(c, s - o) for c, s, o in zip(chunk, shape, offset, strict=True))
        if any(c <= 0 for c in count) and shape:
            continue  # a chunk beyond the current extent (a shrunk dataset): never read
        try:
            _read(dataset, dtype, start, count)
        except H5_ERRORS as exc:
            failures += 1
            where = f"chunk at {start[0] if len(start) == 1 else start}" if chunk else "contiguous data"
            ctx.add(RULE, path, f"{where} (file offset {address}, {size} bytes stored) does not decode: "
                                f"{_reason(exc, fletcher32)}")
        if progress is not None:
            progress(size)
    ctx.count("chunks", len(stored))
    return failures


def _reason(exc: BaseException, fletcher32: bool) -> str:
    text = str(exc).strip()
    if "filter" in text.lower():
        what = "fletcher32 checksum mismatch or corrupt compressed data" if fletcher32 else "filter failure"
        return f"{what} (HDF5: {text})"
    return text


def check_checksums(root: Any, ctx: Context, progress: Progress | None = None) -> int:
    """Check every dataset under the low-level group ``root``; return the number of bad chunks."""
    failures = 0
    unreadable = {f.path for f in ctx.findings if f.rule == "ASDF-FILE-002"}  # reported already
    for path, dataset in _datasets(root):
        if path not in unreadable:
            failures += check_dataset(path, dataset, ctx, progress)
    log.info("checked every stored chunk of %s: %d failed", ctx.path, failures)
    return failures
