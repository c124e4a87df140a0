"""One writer per file: a sidecar ``flock`` lock beside the file being written.

Every asdfkit writer of a file (``asdf-cli convert``/``merge``/``extract``/
``repack``/``align``, :func:`asdfkit.open` in a writing mode) holds
:func:`writer_lock` on the file from before it reads the old state until its
result is renamed into place.  The lock is an exclusive ``flock`` on the
sidecar file ``<dir>/.<name>.lock``:

- it is released by the kernel when its holder dies (SIGKILL included), so
  a crash never leaves a stale lock behind;
- it is independent of HDF5's own file locking (an ``flock`` on the HDF5
  file itself would collide with h5py's), and it survives the target being
  renamed over (a lock on the target's inode would stay on the old file);
- a second writer fails at once with :class:`~asdfkit.errors.FileLockedError`
  ("locked by another process"), or waits up to ``timeout`` seconds.

The lock is taken on the file a symbolic link points to, so two writers
reaching one file through different names still exclude each other.  Within
one process the lock is re-entrant for the thread holding it (a command that
holds it may open the file through the API); another thread waits or fails
like another process would.

Where ``flock`` is not supported (some network file systems: ``ENOLCK``,
``EOPNOTSUPP``) the lock is advisory only: :class:`WriterLock` then remembers
the target's inode, size and modification time and
:meth:`WriterLock.check_unchanged` refuses to commit over a file that changed
meanwhile (:func:`asdfkit.atomic.atomic_path` calls it before every rename).
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FileLockedError, FormatError

__all__ = ["WriterLock", "file_state", "held_lock", "lock_path", "real_target", "writer_lock"]

log = logging.getLogger(__name__)

_POLL_S = 0.05
_UNSUPPORTED = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS}


def real_target(target: str | os.PathLike[str]) -> Path:
    """The file a path names, symbolic links followed (the path itself if it does not exist)."""
    return Path(os.path.realpath(os.fspath(target)))


def lock_path(target: str | os.PathLike[str]) -> Path:
    """The sidecar lock file of ``target``: ``<dir>/.<name>.lock`` beside the real file.

    Examples
    --------
    >>> lock_path("/data/out.h5")
    PosixPath('/data/.out.h5.lock')
    """
    real = real_target(target)
    return real.with_name(f".{real.name}.lock")


def file_state(path: Path) -> tuple[int, int, int, int] | None:
    """``(device, inode, size, mtime_ns)`` of a file, or None if it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


@dataclass(eq=False)
class WriterLock:
    """A held writer lock (what :func:`writer_lock` yields)."""

    target: Path
    path: Path
    flock: bool
    fd: int
    thread: int
    pid: int
    depth: int = 0
    exclusive: int = 0
    snapshot: tuple[int, int, int, int] | None = field(default=None)

    def remember(self) -> None:
        """Record the target's current state (after this process committed to it)."""
        self.snapshot = file_state(self.target)

    def check_unchanged(self) -> None:
        """Refuse to commit if the target changed since :meth:`remember` (no-flock file systems).

        Raises
        ------
        FileLockedError
            If inode, size or modification time of the target differ.
        """
        now = file_state(self.target)
        if now != self.snapshot:
            why = ("this file system has no flock, so the lock could not be held" if not self.flock
                   else "a program that does not take asdfkit's lock wrote it")
            raise FileLockedError(
                f"{str(self.target)!r} is locked by another process: it changed while this process "
                f"was writing ({why}); nothing was committed, run the command again"
            )


_held: dict[Path, WriterLock] = {}
_registry = threading.Lock()
_fork_hook = False


def _after_fork_in_child() -> None:
    """A forked child does not hold its parent's locks: close its copies of their descriptors."""
    for lock in list(_held.values()):
        try:
            os.close(lock.fd)
        except OSError:
            pass
    _held.clear()


def held_lock(target: str | os.PathLike[str]) -> WriterLock | None:
    """The writer lock this thread holds on ``target``, or None."""
    lock = _held.get(real_target(target))
    if lock is not None and lock.pid == os.getpid() and lock.thread == threading.get_ident():
        return lock
    return None


def _open_lock_file(path: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
    try:
        return os.open(path, flags, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileLockedError(
                f"cannot lock {str(path)!r}: the lock file is a symbolic link (refused; remove it)"
            ) from exc
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.EPERM, errno.EROFS):
            raise FormatError(
                f"cannot write {str(path.with_name(path.name[1:-5]))!r}: {exc.strerror} "
                f"(creating its lock file {str(path)!r})"
            ) from exc
        raise


def _flock(fd: int, deadline: float | None) -> bool:
    """Take LOCK_EX on ``fd``; True if held, False if flock is unsupported here."""
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
            return True
        except BlockingIOError:
            if deadline is None or time.monotonic() >= deadline:
                raise
            time.sleep(_POLL_S)
        except OSError as exc:
            if exc.errno in _UNSUPPORTED:
                return False
            raise


def _acquire(real: Path, timeout: float | None) -> WriterLock:
    path = real.with_name(f".{real.name}.lock")
    deadline = None if timeout is None else time.monotonic() + max(timeout, 0.0)
    while True:
        fd = _open_lock_file(path)
        try:
            supported = _flock(fd, deadline)
        except BlockingIOError:
            os.close(fd)
            raise FileLockedError(
                f"{str(real)!r} is locked by another process (another asdfkit writer holds "
                f"{str(path)!r}); wait for it to finish, then run again"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        if not supported:
            log.warning("%s: this file system does not support flock; writes to %s are checked "
                        "for concurrent changes before they are committed instead", path, real)
            return WriterLock(real, path, False, fd, threading.get_ident(), os.getpid())
        # The holder before us may have removed the lock file after we opened it: then we
        # locked a file nobody else sees, and must lock the one now at the path.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
        except FileNotFoundError:
            same = False
        if same:
            return WriterLock(real, path, True, fd, threading.get_ident(), os.getpid())
        os.close(fd)


def _release(lock: WriterLock) -> None:
    if lock.flock:
        try:  # remove the sidecar while still holding it (others re-check after locking)
            if os.path.samestat(os.fstat(lock.fd), os.stat(lock.path, follow_symlinks=False)):
                os.unlink(lock.path)
        except OSError:
            pass
    os.close(lock.fd)


@contextmanager
def writer_lock(
    target: str | os.PathLike[str],
    *,
    timeout: float | None = 0,
    reentrant: bool = True,
) -> Iterator[WriterLock]:
    """Hold the writer lock of ``target`` (its sidecar ``.<name>.lock``) for the ``with`` block.

    Parameters
    ----------
    target : path
        The file about to be written (need not exist yet).  Symbolic links
        are followed: the lock belongs to the real file.
    timeout : float or None
        0 (default): fail at once if another process holds the lock; None:
        wait as long as it takes; else wait up to that many seconds.
    reentrant : bool
        Whether a thread already holding the lock may take it again.  An
        open writable :class:`~asdfkit.ASDFFile` takes it non-re-entrantly:
        while it is open, no other writer of this process may take the lock
        (its commit would be lost to the handle's own), though the handle may
        be opened inside an operation that holds the lock.

    Raises
    ------
    FileLockedError
        If the lock is held by another process, another thread, or (with
        ``reentrant=False``) another writable handle of this thread.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "out.h5"
    >>> with writer_lock(target) as lock:
    ...     lock.path.name
    '.out.h5.lock'
    """
    global _fork_hook
    real = real_target(target)
    with _registry:
        if not _fork_hook:
            os.register_at_fork(after_in_child=_after_fork_in_child)
            _fork_hook = True
        current = _held.get(real)
        if current is not None and current.pid != os.getpid():
            current = None  # inherited through a fork without exec; not ours
    if current is not None and current.thread == threading.get_ident():
        if current.exclusive:  # an open writable handle would later commit over anything nested
            raise FileLockedError(
                f"{str(real)!r} is locked by another process: this process already has it open for "
                "writing (close that handle first)"
            )
        lock = current
    else:
        deadline = None if timeout is None else time.monotonic() + max(timeout, 0.0)
        while current is not None:  # another thread of this process holds it
            if deadline is not None and time.monotonic() >= deadline:
                raise FileLockedError(
                    f"{str(real)!r} is locked by another process (another thread of this process "
                    "is writing it)"
                )
            time.sleep(_POLL_S)
            current = _held.get(real)
        remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
        lock = _acquire(real, remaining)
        lock.remember()
        with _registry:
            _held[real] = lock
    lock.depth += 1
    if not reentrant:
        lock.exclusive += 1
    try:
        yield lock
    finally:
        lock.depth -= 1
        if not reentrant:
            lock.exclusive -= 1
        if lock.depth == 0:
            with _registry:
                _held.pop(real, None)
            _release(lock)
