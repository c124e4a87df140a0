"""How a writable :class:`~asdfkit.ASDFFile` writes: on a copy committed on close, or in place.

HDF5 has no journal: a process killed while it writes into a file can leave
the file unreadable, including the data that was there before.  So a file
opened for writing (``a``, ``r+``, ``w``, ``w-``/``x``) is written as a
temporary file beside it: a clone or copy of the existing file for ``a``/``r+``
(see :func:`asdfkit.atomic.clone_or_copy`), a new file otherwise.  A
successful ``close()`` renames it over the target (fsync'ed, atomically); an
exception in the ``with`` block, or :meth:`ASDFFile.discard`, removes it.
Readers see the old file until the rename, the new one after.

``in_place=True`` writes into the file itself (no copy: for files too large to
copy), which is NOT crash-safe.  Either way the file's writer lock
(:func:`asdfkit.locking.writer_lock`) is held from opening to closing.
"""

from __future__ import annotations

import logging
import os
from contextlib import AbstractContextManager
from pathlib import Path

import h5py

from ..atomic import clone_or_copy, commit, discard, new_temp, remove_stale_partials
from ..errors import FormatError
from ..locking import WriterLock, real_target, writer_lock

__all__ = ["WriteSession"]

log = logging.getLogger(__name__)

_H5_MODES = {"r+": "r+", "w": "w", "w-": "w-", "x": "w-", "a": "a"}


class WriteSession:
    """The lock and the working file of one writable open.

    Attributes
    ----------
    work : Path
        The file HDF5 opens: the temporary file, or the target with ``in_place``.
    h5mode : str
        The h5py mode to open ``work`` with.
    existed : bool
        Whether the target existed when the lock was taken.
    """

    def __init__(
        self,
        target: Path,
        mode: str,
        *,
        in_place: bool = False,
        copy_limit: int | None = None,
        lock_timeout: float | None = 0,
    ) -> None:
        self.target = target
        self.real = real_target(target)
        self.in_place = in_place
        self._lock_cm: AbstractContextManager[WriterLock] | None = writer_lock(
            self.real, timeout=lock_timeout, reentrant=False
        )
        self.lock = self._lock_cm.__enter__()
        self._temp: Path | None = None
        try:
            self.existed = self.real.exists()
            self.work, self.h5mode = self._prepare(mode, copy_limit)
        except BaseException:
            self.abort()
            raise

    def _prepare(self, mode: str, copy_limit: int | None) -> tuple[Path, str]:
        if self.in_place:
            return self.real, _H5_MODES[mode]
        name = str(self.target)
        if mode in ("w-", "x") and self.existed:
            raise FormatError(
                f"cannot open {name!r} in mode {mode!r}: File exists (mode {mode!r} creates a new file only)"
            )
        if mode == "r+" and not self.existed:
            raise FormatError(f"cannot open {name!r} in mode 'r+': No such file")
        remove_stale_partials(self.real)
        self.lock.remember()
        self._temp = new_temp(self.real)
        if mode in ("a", "r+") and self.existed:
            if not h5py.is_hdf5(self.real):
                raise FormatError(f"cannot open {name!r}: not an HDF5 file")
            how = clone_or_copy(self.real, self._temp, limit=copy_limit, what=f"open (mode {mode!r})")
            log.debug("writing %s on a %s: %s", name, how, self._temp)
            return self._temp, "r+"
        return self._temp, "w"

    def commit(self) -> None:
        """Rename the working file over the target (after HDF5 closed it) and release the lock."""
        try:
            if self._temp is not None:
                self.lock.check_unchanged()
                commit(self._temp, self.real)
                self._temp = None
        except BaseException:
            self.abort()
            raise
        self._release()

    def abort(self) -> None:
        """Remove the working file (the target stays as it was) and release the lock."""
        if self._temp is not None:
            discard(self._temp)
            self._temp = None
        self._release()

    def _release(self) -> None:
        if self._lock_cm is not None:
            cm, self._lock_cm = self._lock_cm, None
            cm.__exit__(None, None, None)

    @property
    def active(self) -> bool:
        return self._lock_cm is not None

    def size(self) -> int | None:
        """Current size of the working file."""
        try:
            return os.stat(self.work).st_size
        except OSError:
            return None
