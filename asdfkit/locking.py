"""One writer per file: a sidecar ``flock`` lock beside the file being written.

:func:`writer_lock` holds an exclusive ``flock`` on ``<dir>/.<name>.lock``
beside the target from enter to exit.  The kernel releases it when its holder
dies (SIGKILL included), so a crash never leaves a stale lock.  A second
writer fails at once with :class:`~asdfkit.errors.FileLockedError`
("locked by another process"), or waits up to ``timeout`` seconds.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import FileLockedError

__all__ = ["lock_path", "writer_lock"]

_POLL_S = 0.05


def lock_path(target: str | os.PathLike[str]) -> Path:
    """The sidecar lock file of ``target``: ``<dir>/.<name>.lock`` beside the real file.

    Examples
    --------
    >>> lock_path("/data/out.h5")
    PosixPath('/data/.out.h5.lock')
    """
    real = Path(os.path.realpath(os.fspath(target)))
    return real.with_name(f".{real.name}.lock")


@contextmanager
def writer_lock(target: str | os.PathLike[str], *, timeout: float | None = 0) -> Iterator[Path]:
    """Hold the writer lock of ``target`` (its sidecar ``.<name>.lock``) for the ``with`` block.

    ``timeout``: 0 fails at once if another process holds it, None waits as
    long as it takes, else wait up to that many seconds.

    Raises
    ------
    FileLockedError
        If another process holds the lock.
    """
    path = lock_path(target)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0), 0o666)
    deadline = None if timeout is None else time.monotonic() + max(timeout, 0.0)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
                break
            except BlockingIOError:
                if deadline is None or time.monotonic() >= deadline:
                    raise FileLockedError(
                        f"{str(Path(os.path.realpath(os.fspath(target))))!r} is locked by another process "
                        f"(another asdfkit writer holds {str(path)!r}); wait for it to finish, then run again"
                    ) from None
                time.sleep(_POLL_S)
            except OSError as exc:
                if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                    break  # no flock here: advisory only
                raise
        yield path
    finally:
        os.close(fd)
