"""One-line messages and exit codes for system errors and damaged files that reach the CLI.

A full disk (``ENOSPC``, ``EDQUOT``) is a data problem: exit 1.  A path the
user may not write (``EACCES``, ``EPERM``, ``EROFS``) is a usage problem:
exit 2.  HDF5 failing to decode a file (see :mod:`asdfkit.container.damage`)
is a damaged file: exit 1.  Each is one line on stderr naming the path; other
exceptions are bugs and keep their traceback.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Sequence

import click

from ..container.damage import from_hdf5

__all__ = ["system_error_exit"]

_FULL = {errno.ENOSPC, errno.EDQUOT}
_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}
_HDF5_ERRNO = re.compile(r"\berrno = (\d+)")
_HDF5_NAME = re.compile(r"\b(?:file)?name = '([^']+)'")


def _files(args: Sequence[str]) -> list[str]:
    return [a for a in args if not a.startswith("-") and os.path.isfile(a)]


def _errno(exc: BaseException) -> int | None:
    """The errno of an OSError, or the one HDF5 names in its message (h5py leaves ``errno`` unset)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc.errno
    found = _HDF5_ERRNO.search(str(exc))
    return int(found.group(1)) if found else None


def system_error_exit(exc: BaseException, args: Sequence[str] = ()) -> int | None:
    """Print one line for ``exc`` and return the exit code, or ``None`` if it is a bug to re-raise."""
    code = _errno(exc) if isinstance(exc, (OSError, RuntimeError)) else None
    if code is not None and code in _FULL | _DENIED:
        filename = exc.filename if isinstance(exc, OSError) else None
        named = _HDF5_NAME.search(str(exc))
        path = filename or (named.group(1) if named else None) or ", ".join(_files(args)) or "?"
        click.echo(f"error: {path}: {os.strerror(code)}", err=True)
        return 1 if code in _FULL else 2
    if from_hdf5(exc):
        files = _files(args)
        which = " or ".join(files) if files else "an input file"
        click.echo(f"error: {which} is damaged: HDF5 cannot read it ({str(exc).strip()})", err=True)
        return 1
    return None
