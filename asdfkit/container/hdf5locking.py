"""HDF5's own file locking as an option: per call, or a process-wide default.

HDF5 (1.10.7 and later) locks every file it opens: a shared lock for readers, an exclusive
one for writers.  On file systems without locks (some NFS and Lustre set-ups) or to read a
file another program holds open for writing, the lock gets in the way.  HDF5's switch is the
``HDF5_USE_FILE_LOCKING`` environment variable, read before Python starts; h5py also takes
``locking=`` per file.  asdfkit passes that through: :func:`asdfkit.open`'s
``hdf5_locking=`` per call, :func:`set_hdf5_locking` for every later open in the process
(what ``asdf-cli --no-hdf5-locking`` calls).

This never touches asdfkit's own writer lock (``.<name>.lock``, see :mod:`asdfkit.locking`):
two asdfkit writers still refuse each other with HDF5 locking off.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import InvalidValueError

#: HDF5's environment variable, read by HDF5 itself.
ENV_VAR = "HDF5_USE_FILE_LOCKING"

_default: bool | None = None


def _check(value: object) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise InvalidValueError(f"invalid hdf5_locking {value!r}: must be True, False or None")
    return value


def set_hdf5_locking(value: bool | None) -> None:
    """Set the HDF5 file locking of every later open in this process.

    Parameters
    ----------
    value : bool or None
        ``True`` lock, ``False`` do not lock, ``None`` HDF5's default (which honours
        ``HDF5_USE_FILE_LOCKING``).
    """
    global _default
    _default = _check(value)


def get_hdf5_locking() -> bool | None:
    """The process-wide HDF5 file locking set by :func:`set_hdf5_locking` (``None``: HDF5's default)."""
    return _default


@contextmanager
def hdf5_locking(value: bool | None) -> Iterator[None]:
    """Within the ``with`` block, open files with HDF5 file locking ``value``.

    Examples
    --------
    >>> from asdfkit.container.hdf5locking import get_hdf5_locking, hdf5_locking
    >>> with hdf5_locking(False):
    ...     get_hdf5_locking()
    False
    >>> get_hdf5_locking() is None
    True
    """
    previous = _default
    set_hdf5_locking(value)
    try:
        yield
    finally:
        set_hdf5_locking(previous)


def without_hdf5_locking() -> Callable[[], None]:
    """Switch HDF5 file locking off for this process and the processes it starts.

    Sets the process-wide default (:func:`set_hdf5_locking`) and ``HDF5_USE_FILE_LOCKING=FALSE``
    for worker processes.  Returns the function that restores both.
    """
    previous, previous_env = _default, os.environ.get(ENV_VAR)
    set_hdf5_locking(False)
    os.environ[ENV_VAR] = "FALSE"

    def restore() -> None:
        set_hdf5_locking(previous)
        if previous_env is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = previous_env

    return restore


def locking_options(value: bool | None = None) -> dict[str, Any]:
    """``h5py.File`` keywords for HDF5 locking ``value``, else the process-wide default.

    Empty when both are ``None``: h5py and HDF5 then decide (and the environment variable
    applies).
    """
    chosen = _check(value) if value is not None else _default
    return {} if chosen is None else {"locking": chosen}

