"""Atomic output files: write under a temporary name, rename at the end.

The temporary file is ``.<name>.<pid>.<random>.partial`` beside the target,
so the rename never crosses a file system.  It is created exclusively
(``O_CREAT | O_EXCL | O_NOFOLLOW``, mode 0600) under a name nobody can
predict, so a symbolic link planted beside the target cannot redirect the
write.  A target that is itself a symbolic link is followed on purpose: the
temporary file goes beside the real file, which receives the data, and the
link stays a link.

An exception (Ctrl-C included) removes the temporary file; a process killed
outright (SIGKILL, a crash) cannot, and leaves it behind, so the next
:func:`atomic_path` for the same target removes the partial files of
processes that no longer run.  Either way the target is never seen
half-written: it is the old file until the rename, the new one after.

While the temporary file is written the target's writer lock
(:func:`asdfkit.locking.writer_lock`) is held, so two writers cannot both
commit a result computed from the same old file.  Before the rename the new
file is flushed to disk (``fsync``), and after it the directory is, so a power
loss leaves either the complete old file or the complete new one.
"""

from __future__ import annotations

import errno
import fcntl
import glob
import logging
import os
import secrets
import shutil
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import FileLockedError, UnsafeWriteError
from .locking import real_target, writer_lock

__all__ = [
    "DEFAULT_COPY_LIMIT",
    "atomic_path",
    "clone_or_copy",
    "commit",
    "copy_limit",
    "find_partials",
    "fsync_file",
    "fsync_folder",
    "is_private_temp",
    "target_of",
    "new_temp",
    "partial_path",
    "remove_stale_partials",
]

log = logging.getLogger(__name__)

_SUFFIX = ".partial"
DEFAULT_COPY_LIMIT = 2 * 1024**3
#: Free space a full copy needs beyond the file's size (10 %).
COPY_MARGIN = 0.10
_FICLONE = 0x40049409  # _IOW(0x94, 9, int) on Linux

_private: dict[str, Path] = {}  # temporary file -> the target it will replace
_private_lock = threading.Lock()


def copy_limit() -> int:
    """The default ``copy_limit``: ``ASDFKIT_COPY_LIMIT`` (bytes) if set, else 2 GiB."""
    value = os.environ.get("ASDFKIT_COPY_LIMIT", "").strip()
    if value:
        try:
            return int(float(value))
        except ValueError:
            log.warning("ignoring ASDFKIT_COPY_LIMIT=%r: not a number of bytes", value)
    return DEFAULT_COPY_LIMIT


def _umask_mode() -> int:
    """The mode a new file gets under this process's umask (0666 & ~umask)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o644


def new_temp(target: Path) -> Path:
    """Create an empty temporary file beside ``target``, exclusively, under an unpredictable name.

    The name is ``.<name>.<pid>.<random>.partial``; the file is created with
    ``O_EXCL | O_NOFOLLOW`` (an existing file or a symbolic link at that name
    is never opened) and mode 0600.  It is registered as this process's
    private file (:func:`is_private_temp`) until :func:`commit` or
    :func:`discard` is called.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        temp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(6)}{_SUFFIX}")
        try:
            fd = os.open(temp, flags, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        with _private_lock:
            _private[os.path.abspath(temp)] = target
        return temp
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target))  # pragma: no cover


def partial_path(target: Path, pid: int | None = None) -> Path:
    """Create a temporary file for ``target`` (what :func:`new_temp` does) with the mode of a new file.

    Kept for callers that stage files themselves and ``os.replace`` them later: the
    file is created exclusively under an unpredictable name (never a planted
    link), with mode ``0666 & ~umask`` so the renamed file gets ordinary
    permissions.  Names are no longer predictable, so ``pid`` may only be this
    process's (use :func:`find_partials` to find another process's files).
    """
    if pid is not None and pid != os.getpid():
        raise ValueError(f"partial names are unpredictable: use find_partials({str(target)!r}, {pid})")
    temp = new_temp(Path(target))
    _forget(temp)  # the caller renames or removes it itself
    os.chmod(temp, _umask_mode())
    return temp


def is_private_temp(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a temporary file this process created and has not yet committed."""
    return os.path.abspath(path) in _private


def target_of(path: str | os.PathLike[str]) -> Path | None:
    """The file a private temporary file will replace (None for any other path).

    Messages name the user's file, not the temporary one it is being written as.
    """
    return _private.get(os.path.abspath(path))


def _forget(temp: Path) -> None:
    with _private_lock:
        _private.pop(os.path.abspath(temp), None)


def discard(temp: Path) -> None:
    """Remove a temporary file (a failed or abandoned write)."""
    _forget(temp)
    temp.unlink(missing_ok=True)


def fsync_file(path: str | os.PathLike[str]) -> None:
    """Flush a closed file's data and metadata to the disk."""
    _fsync_path(Path(path))


def fsync_folder(folder: str | os.PathLike[str]) -> None:
    """Flush a folder's entries (a rename or a new name in it) to the disk, where the file system can."""
    _fsync_path(Path(folder), directory=True)


def _fsync_path(path: Path, directory: bool = False) -> None:
    fd = os.open(path, (os.O_RDONLY | os.O_DIRECTORY) if directory else os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems cannot fsync a directory
        if not directory or exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def commit(temp: Path, target: Path, *, mode: int | None = None, durable: bool = True) -> None:
    """Rename the finished ``temp`` over ``target``, durably.

    ``temp`` gets ``mode`` (default: the target's mode, or 0666 & ~umask for a
    new file) and, where permitted, the target's owner and group; it is
    fsync'ed, renamed, and the directory is fsync'ed: after a
    power loss the target is either the complete old file or the complete new
    one.  ``durable=False`` skips both fsyncs (still atomic for readers and
    against a killed process, not against a power loss).
    """
    try:
        old = os.stat(target)
    except FileNotFoundError:
        old = None
    if mode is None:
        mode = _umask_mode() if old is None else stat.S_IMODE(old.st_mode)
    if old is not None and (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
        try:  # keep the owner (root, or a group this user belongs to); else the writer owns it
            os.chown(temp, old.st_uid, old.st_gid)
        except PermissionError:
            pass
    os.chmod(temp, mode)
    if durable:
        fsync_file(temp)
    os.replace(temp, target)
    _forget(temp)
    if durable:
        fsync_folder(target.parent)


def _clone(src_fd: int, dst_fd: int) -> bool:
    try:
        fcntl.ioctl(dst_fd, _FICLONE, src_fd)
        return True
    except OSError:
        return False


def _copy_range(src_fd: int, dst_fd: int, size: int) -> None:
    copied = 0
    try:
        while copied < size:
            n = os.copy_file_range(src_fd, dst_fd, size - copied)
            if n == 0:
                break
            copied += n
        return
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL, errno.EBADF):
            raise
    os.lseek(src_fd, copied, os.SEEK_SET)
    os.lseek(dst_fd, copied, os.SEEK_SET)
    with open(src_fd, "rb", closefd=False) as src, open(dst_fd, "wb", closefd=False) as dst:
        shutil.copyfileobj(src, dst, 1 << 22)


def clone_or_copy(source: Path, temp: Path, *, limit: int | None = None, what: str = "open") -> str:
    """Fill the (empty) ``temp`` with the content of ``source``; return "clone" or "copy".

    A clone (``FICLONE``: btrfs, XFS with reflink, ...) shares the blocks and
    costs no space or time; else the file is copied (``copy_file_range``, which
    some file systems turn into a clone or a server-side copy, else read/write).
    A full copy is refused above ``limit`` bytes (default :func:`copy_limit`) or
    when the free space is below the size plus 10 %.

    While copying, a shared ``flock`` is held on ``source``: HDF5 holds an
    exclusive one while a program (h5py, pyasdf, an ``--in-place`` write) has
    the file open for writing, and a copy of a file being written in place
    would be inconsistent.

    Raises
    ------
    UnsafeWriteError
        If a full copy is needed and too large, or does not fit.
    FileLockedError
        If another program has ``source`` open for writing.
    """
    limit = copy_limit() if limit is None else limit
    src_fd = os.open(source, os.O_RDONLY | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(src_fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FileLockedError(
                f"{str(source)!r} is locked by another process: a program has it open for writing "
                "(HDF5 file lock); close it first"
            ) from None
        except OSError:
            pass  # no flock on this file system
        size = os.fstat(src_fd).st_size
        with open(temp, "r+b") as dst:
            dst_fd = dst.fileno()
            if size and _clone(src_fd, dst_fd):
                return "clone"
            free = _free_space(temp.parent)
            needed = int(size * (1 + COPY_MARGIN))
            if size > limit or free < needed:
                why = (f"it is larger than the copy limit of {limit} bytes" if size > limit
                       else f"the free space is {free} bytes, below the {needed} bytes a copy needs")
                raise UnsafeWriteError(
                    f"cannot {what} {str(source)!r} safely: writing it crash-safely works on a copy of its "
                    f"{size} bytes and {why} (free space {free} bytes); pass in_place=True "
                    "(asdf-cli: --in-place) to write into the file directly, which is NOT crash-safe"
                )
            _copy_range(src_fd, dst_fd, size)
            return "copy"
    finally:
        os.close(src_fd)


def _free_space(directory: Path) -> int:
    st = os.statvfs(directory)
    return st.f_bavail * st.f_frsize


def find_partials(target: str | os.PathLike[str], pid: int | None = None) -> list[Path]:
    """The partial files of ``target`` (of process ``pid`` only, if given), sorted."""
    real = real_target(target)
    prefix = f".{real.name}."
    found = []
    for name in glob.glob(glob.escape(str(real.parent / prefix)) + "*" + _SUFFIX):
        path = Path(name)
        owner = _owner(path.name[len(prefix) : -len(_SUFFIX)])
        if owner is not None and (pid is None or owner == pid):
            found.append(path)
    return sorted(found)


def _owner(middle: str) -> int | None:
    """The pid in ``<pid>`` (older asdfkit) or ``<pid>.<random>``; None if not a partial name."""
    pid, _, token = middle.partition(".")
    if not pid.isdigit() or (token and not all(c in "0123456789abcdef" for c in token)):
        return None
    return int(pid)


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
    conversion to the same target) is left alone, and so is this process's own.
    """
    removed = []
    prefix = f".{real_target(target).name}."
    for path in find_partials(target):
        pid = _owner(path.name[len(prefix) : -len(_SUFFIX)])
        if pid is not None and pid != os.getpid() and not _running(pid):
            path.unlink(missing_ok=True)
            log.info("removed %s, left by process %s that was killed while writing %s", path, pid, target)
            removed.append(path)
    return removed


@contextmanager
def atomic_path(
    target: str | os.PathLike[str],
    *,
    copy_existing: bool = False,
    verify: Callable[[Path], None] | None = None,
    copy_limit: int | None = None,
    lock_timeout: float | None = 0,
    durable: bool = True,
) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``.

    On any exception (Ctrl-C included) the temporary file is removed and
    ``target`` is left exactly as it was.  With ``copy_existing`` the temporary
    file starts as a clone or copy of ``target`` (for appends; see
    :func:`clone_or_copy` for the limits).  The temporary file exists (empty)
    when it is yielded.  ``verify``, if given, is called with the finished
    temporary file before the rename; if it raises, nothing is committed.
    The target's writer lock is held throughout (re-entrant: a caller may
    already hold it).  ``durable=False`` skips the two fsyncs of the commit
    (for many small files that a power loss may lose, e.g. exports).

    Raises
    ------
    FileLockedError
        If another process writes ``target``, or (on a file system without
        ``flock``) ``target`` changed while the temporary file was written.
    UnsafeWriteError
        If ``copy_existing`` needs a full copy that is too large or does not fit.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as temp:
    ...     _ = temp.write_text("done")
    >>> target.read_text(), temp.exists()
    ('done', False)
    """
    real = real_target(target)
    with writer_lock(real, timeout=lock_timeout) as lock:
        remove_stale_partials(real)
        lock.remember()  # the state the new file is computed from
        temp = new_temp(real)
        try:
            if copy_existing and real.exists():
                clone_or_copy(real, temp, limit=copy_limit, what="append to")
            yield temp
            if verify is not None:
                verify(temp)
            lock.check_unchanged()
            commit(temp, real, durable=durable)
            lock.remember()
        except BaseException:
            discard(temp)
            raise
