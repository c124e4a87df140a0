"""A safety check of HDF5 global heap collections before variable-length data is read.

Variable-length strings (``labels``, and attributes some writers store as
variable-length) live in *global heap collections*.  HDF5 (up to 2.0 at least)
loops forever on a collection whose free-space record has size 0, and walks
out of bounds on records larger than what is left; one flipped byte is
enough.  The validator therefore scans the file for collections
(``GCOL``, version 1) and walks their records exactly as HDF5 does, in plain
Python on the raw bytes, before the first variable-length value is read.  If
a collection is unsound, no variable-length value of the file is read.

The scan reads the whole file once (memory-mapped, ``bytes.find`` speed);
files larger than :data:`MAX_SCAN_BYTES` are not scanned and their
variable-length values are not read either.
"""

from __future__ import annotations

import logging
import mmap
import os

__all__ = ["MAX_SCAN_BYTES", "check_global_heaps"]

log = logging.getLogger(__name__)

#: Files larger than this are not scanned (their variable-length values are not read).
MAX_SCAN_BYTES = 8 * 1024**3
_SIGNATURE = b"GCOL"
_MIN_COLLECTION = 4096


def check_global_heaps(path: str, sizeof_length: int = 8) -> str | None:
    """None if every global heap collection of the file is sound, else why not.

    Parameters
    ----------
    path
        The HDF5 file.
    sizeof_length
        The file's "size of lengths" (8 for every file h5py writes).

    Examples
    --------
    >>> check_global_heaps("example.h5")                    # doctest: +SKIP
    """
    try:
        size = os.path.getsize(path)
        if size > MAX_SCAN_BYTES:
            log.warning("%s is larger than %d bytes: variable-length values are not read", path, MAX_SCAN_BYTES)
            return f"the file is larger than {MAX_SCAN_BYTES} bytes: its global heaps were not checked"
        if size == 0:
            return None
        with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            position = data.find(_SIGNATURE)
            while position != -1:
                problem = _check_collection(data, position, sizeof_length)
                if problem:
                    return f"the global heap collection at byte {position} is corrupt ({problem})"
                position = data.find(_SIGNATURE, position + 4)
    except (OSError, ValueError) as exc:
        return f"cannot scan the file's global heaps: {exc}"
    return None


def _check_collection(data: mmap.mmap, start: int, length: int) -> str | None:
    header = 4 + 1 + 3 + length
    if start + header > len(data) or data[start + 4] != 1 or data[start + 5:start + 8] != b"\x00\x00\x00":
        return None  # the four letters, but not a collection header: data that happens to spell GCOL
    total = int.from_bytes(data[start + 8:start + 8 + length], "little")
    if total < _MIN_COLLECTION or start + total > len(data):
        return f"collection size {total} is impossible"
    record = 2 + 2 + 4 + length
    end = start + total
    position = start + header
    while position < end:
        if position + record > end:
            return None  # a tail too small for a record is free space
        index = int.from_bytes(data[position:position + 2], "little")
        size = int.from_bytes(data[position + 8:position + 8 + length], "little")
        need = record + ((size + 7) & ~7) if index else size
        if need == 0:
            return f"free-space record of size 0 at byte {position}: HDF5 would loop forever"
        if need > end - position:
            return f"record {index} at byte {position} claims {size} bytes, more than the collection holds"
        position += need
    return None
