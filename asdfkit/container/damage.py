"""Turn HDF5's failures to decode a file into :class:`~asdfkit.errors.DamagedFileError`.

A flipped byte in a chunk makes its fletcher32 checksum or its deflate stream
fail; a flipped byte in metadata makes HDF5 fail to follow an address.  h5py
reports either as a bare ``OSError`` (no ``errno``) or ``RuntimeError`` from
its own code.  :func:`read_data` and :func:`damage_guard` name the file and
the object instead, so commands report a damaged file in one line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import h5py
import numpy as np

from ..errors import AsdfkitError, DamagedFileError

__all__ = ["damage_guard", "from_hdf5", "read_data"]

_H5PY_DIR = os.path.dirname(h5py.__file__)


def from_hdf5(exc: BaseException) -> bool:
    """True if ``exc`` is HDF5 (through h5py) failing to read the file, not a bug or a system error.

    That is an ``OSError`` without ``errno``, a ``RuntimeError``, a
    ``UnicodeDecodeError`` (an object name that is not UTF-8) or a ``KeyError``
    other than "doesn't exist" (an object header that does not decode) raised
    inside h5py.
    """
    if isinstance(exc, AsdfkitError):
        return False
    if isinstance(exc, OSError):
        if exc.errno is not None:
            return False
    elif isinstance(exc, KeyError):
        if "doesn't exist" in str(exc) or "Unable to" not in str(exc):
            return False
    elif not isinstance(exc, (RuntimeError, UnicodeDecodeError)):
        return False
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    filename = tb.tb_frame.f_code.co_filename
    return filename.startswith(_H5PY_DIR) or filename.startswith("h5py/") or filename.endswith(".pyx")


def _message(path: Any, where: str, exc: BaseException) -> str:
    reason = str(exc).strip() or type(exc).__name__
    return f"{os.fspath(path) if path else 'file'} is damaged: {where} cannot be read ({reason})"


def damaged(path: Any, where: str, exc: BaseException) -> DamagedFileError:
    """The error to raise for ``exc`` met reading ``where`` (an object path) in ``path``."""
    return DamagedFileError(_message(path, where, exc))


def read_data(dataset: h5py.Dataset, selection: Any = ()) -> np.ndarray:
    """``dataset[selection]``; a chunk that fails to decode raises :class:`DamagedFileError`."""
    try:
        return dataset[selection]
    except (OSError, RuntimeError) as exc:
        if not from_hdf5(exc):
            raise
        try:
            path = dataset.file.filename
        except (OSError, ValueError, RuntimeError):  # pragma: no cover - a closed file
            path = None
        raise damaged(path, repr(dataset.name), exc) from exc


@contextmanager
def damage_guard(path: Any, where: str = "the file") -> Iterator[None]:
    """Re-raise HDF5 read failures inside the block as :class:`DamagedFileError` naming ``path``."""
    try:
        yield
    except (OSError, RuntimeError, UnicodeDecodeError, KeyError) as exc:
        if not from_hdf5(exc):
            raise
        raise damaged(path, where, exc) from exc


def member_names(group: h5py.Group) -> list[str]:
    """The names of ``group``'s members; a name that is not UTF-8 raises :class:`DamagedFileError`.

    (h5py hands such names out as ``bytes``, which then fail to sort or join with ``str``.)
    """
    with damage_guard(group.file.filename, repr(group.name)):
        names = list(group)
    for name in names:
        if isinstance(name, bytes):
            raise DamagedFileError(
                f"{group.file.filename} is damaged: {group.name!r} holds a member whose name is not "
                f"UTF-8 ({name[:80]!r})"
            )
    return names
