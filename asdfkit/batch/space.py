"""Free space, checked before writing: libhdf5 may crash when it meets a full disk.

The free space is the container layer's (:func:`asdfkit.container.diskspace.free_bytes`):
:func:`require_free_space` compares it with the bytes
about to be written plus a reserve, and raises
:class:`~asdfkit.errors.DiskFullError` (naming the path, the bytes needed and
free) before anything is written.
"""

from __future__ import annotations

import os

from ..container.diskspace import free_bytes
from ..errors import DiskFullError

__all__ = ["RESERVE_BYTES", "SpaceBudget", "require_free_space"]

RESERVE_BYTES = 2 * 2**20
"""Kept free beyond every estimate: HDF5 metadata, the journal, rounding to blocks."""


def require_free_space(path: str | os.PathLike[str], needed: int, *, reserve: int = RESERVE_BYTES) -> None:
    """Refuse to write ``needed`` bytes at ``path`` unless they fit with ``reserve`` to spare.

    Raises
    ------
    DiskFullError
        Naming the path, the bytes needed and the bytes free.

    Examples
    --------
    >>> require_free_space("/", 0, reserve=0)
    """
    free = free_bytes(path)
    if free is not None and free < needed + reserve:
        raise DiskFullError(
            f"not enough space to write {str(path)!r}: {needed + reserve} bytes needed "
            f"({needed} + {reserve} reserve), {free} free; free some space and run the same command again"
        )


class SpaceBudget:
    """:func:`require_free_space` for a stream of writes, calling ``statvfs`` only now and then.

    Each :meth:`take` adds bytes about to be written.  The file system is asked
    again once the bytes taken since the last look exceed half of what was
    then free beyond the reserve — so a write is never allowed that the last
    look could not cover twice over, and a large free disk costs one
    ``statvfs`` per several hundred MiB written.
    """

    def __init__(self, path: str | os.PathLike[str], *, reserve: int = RESERVE_BYTES) -> None:
        self.path = path
        self.reserve = reserve
        self._allowance = 0

    def take(self, needed: int) -> None:
        if needed > self._allowance:
            free = free_bytes(self.path)
            if free is None:  # the file system does not say: no check, as for the container's writes
                return
            if free < needed + self.reserve:
                require_free_space(self.path, needed, reserve=self.reserve)  # raises, naming the numbers
            self._allowance = (free - self.reserve) // 2
        self._allowance -= needed
