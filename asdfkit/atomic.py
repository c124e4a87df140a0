"""Atomic output files: write under a temporary name, rename at the end.

The temporary file is ``.<name>.<pid>.partial`` beside the target, so the
rename never crosses a file system.  An exception (Ctrl-C included) removes
it; a process killed outright (SIGKILL, a crash) cannot, and leaves it
behind, so the next :func:`atomic_path` for the same target removes the
partial files of processes that no longer run.  Either way the target is
never seen half-written: it is the old file until the rename, the new one
after.  This protects against a killed process, not against a power cut
(nothing is fsync'ed).
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .container.diskspace import ensure_space

__all__ = ["atomic_path", "partial_path", "remove_stale_partials"]

log = logging.getLogger(__name__)

_SUFFIX = ".partial"


def partial_path(target: Path, pid: int | None = None) -> Path:
    """The temporary path of ``target`` for process ``pid`` (default: this one).

    Examples
    --------
    >>> partial_path(Path("/data/out.h5"), 42)
    PosixPath('/data/.out.h5.42.partial')
    """
    return target.with_name(f".{target.name}.{os.getpid() if pid is None else pid}{_SUFFIX}")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_partials(target: Path) -> list[Path]:
    """Remove the partial files of ``target`` left by processes that no longer run.

    Returns the removed paths.  A partial file whose process still runs (another
    conversion to the same target) is left alone.
    """
    removed = []
    prefix = f".{target.name}."
    for name in glob.glob(glob.escape(str(target.parent / prefix)) + "*" + _SUFFIX):
        path = Path(name)
        pid = path.name[len(prefix) : -len(_SUFFIX)]
        if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
            path.unlink(missing_ok=True)
            log.info("removed %s, left by process %s that was killed while writing %s", path, pid, target)
            removed.append(path)
    return removed


@contextmanager
def atomic_path(
    target: Path, *, copy_existing: bool = False, verify: Callable[[Path], None] | None = None
) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``.

    On any exception (Ctrl-C included) the temporary file is removed and
    ``target`` is left exactly as it was.  With ``copy_existing`` the temporary
    file starts as a copy of ``target`` (for appends; free space for the copy
    is checked first, :class:`~asdfkit.errors.DiskFullError`).  ``verify`` is
    called on the finished temporary file (closed by then) before the rename;
    if it raises, the temporary file is removed and ``target`` left untouched
    (:func:`asdfkit.container.verify.verify_complete` is the usual one).

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as temp:
    ...     _ = temp.write_text("done")
    >>> target.read_text(), temp.exists()
    ('done', False)
    """
    target = Path(target)
    remove_stale_partials(target)
    temp = partial_path(target)
    try:
        if copy_existing and target.exists():
            ensure_space(target, target.stat().st_size)
            shutil.copy2(target, temp)
        yield temp
        if verify is not None:
            verify(temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
