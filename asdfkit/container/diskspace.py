"""Check free space before HDF5 writes: libhdf5 can crash when it meets a full disk.

h5py turns most write failures into exceptions, but libhdf5 itself can
segfault on ``ENOSPC`` (in ``H5Fclose``, while flushing its metadata cache),
after which the file is damaged.  Catching errors is therefore not enough:
every write asks :func:`ensure_space` first for the data's uncompressed size
plus a margin (:data:`MARGIN_FRACTION` of it and :data:`MARGIN_BYTES` for
HDF5's metadata) and raises :class:`~asdfkit.errors.DiskFullError` before
anything is written.  Uncompressed size over-estimates what compressed data
takes, so the check may refuse a write that would just have fit; it never
lets one through that would not.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from ..atomic import target_of
from ..errors import DiskFullError

__all__ = ["MARGIN_BYTES", "MARGIN_FRACTION", "ensure_h5_space", "ensure_space", "free_bytes", "needed_bytes"]

log = logging.getLogger(__name__)

#: Fixed headroom kept free for HDF5's metadata (object headers, B-trees, heaps) and close.
MARGIN_BYTES = 1 * 2**20
#: Headroom as a fraction of the data written.
MARGIN_FRACTION = 0.10


def free_bytes(path: str | os.PathLike[str]) -> int | None:
    """Bytes an unprivileged user may still write on the file system holding ``path``
    (a file or directory, existing or not), or ``None`` if unknown."""
    folder = Path(path)
    while not folder.is_dir() and folder != folder.parent:  # a file, or a folder still to be made
        folder = folder.parent
    try:
        stat = os.statvfs(folder)
    except OSError:
        return None
    return stat.f_bavail * stat.f_frsize


def needed_bytes(nbytes: int) -> int:
    """Bytes that must be free to write ``nbytes`` of data."""
    return int(nbytes * (1 + MARGIN_FRACTION)) + MARGIN_BYTES


def ensure_space(path: str | os.PathLike[str], nbytes: int) -> None:
    """Raise :class:`DiskFullError` unless ``nbytes`` of data (plus margin) fit beside ``path``."""
    free = free_bytes(path)
    if free is None:
        return
    needed = needed_bytes(nbytes)
    if free < needed:
        shown = target_of(path) or path  # the user's file, not the temporary copy it is written as
        log.debug("refusing to write %d bytes to %s: %d free", nbytes, shown, free)
        raise DiskFullError(os.fspath(shown), needed, free)


def ensure_h5_space(h5: Any, nbytes: int) -> None:
    """:func:`ensure_space` for an open h5py file (in-memory files are not checked)."""
    try:
        if h5.driver == "core" or h5.mode == "r":
            return
        name = h5.filename
    except (AttributeError, ValueError, RuntimeError):
        return
    ensure_space(name, nbytes)
