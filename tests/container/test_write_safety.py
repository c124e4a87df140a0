"""Writer locks, copy-on-write opens, the copy limit and temporary files (issue 14, 1, 2, 5, 9).

Real processes, real symbolic links; the CLI through ``python -m asdfkit``.
"""

from __future__ import annotations

import errno
import fcntl
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest

import asdfkit
from asdfkit import atomic, locking
from asdfkit.atomic import atomic_path, find_partials, new_temp
from asdfkit.container.index import file_key
from asdfkit.container.surgery import merge
from asdfkit.errors import FileLockedError, FormatError, UnsafeWriteError
from asdfkit.locking import lock_path, writer_lock

LOCKED = "locked by another process"


@pytest.fixture
def asdf(tmp_path: Path) -> Path:
    path = tmp_path / "data.h5"
    with asdfkit.open(path, "w") as f:
        f.add_waveforms(obspy.read(), tag="raw_recording")  # ObsPy's real example (3 traces)
    return path


def _count(path: Path) -> int:
    with asdfkit.open(path) as f:
        return f.n_waveforms


def _one(station: str) -> obspy.Trace:
    trace = obspy.read()[0]
    trace.stats.station = station
    return trace


def _hold(path: Path, how: str) -> subprocess.Popen[str]:
    """Another process holding ``path`` for writing: ``api`` (asdfkit.open "a") or ``h5py``."""
    code = {
        "api": "import asdfkit; f = asdfkit.open(sys.argv[1], 'a')",
        "h5py": "import h5py; f = h5py.File(sys.argv[1], 'a')",
        "lock": "from asdfkit.locking import writer_lock; c = writer_lock(sys.argv[1]); c.__enter__()",
    }[how]
    proc = subprocess.Popen(
        [sys.executable, "-c", f"import sys, time\n{code}\nprint('held', flush=True)\ntime.sleep(120)", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held", proc.communicate()[1]
    return proc


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.communicate()


# -- the writer lock ----------------------------------------------------------------------------
def test_a_second_process_is_refused_and_the_lock_is_released_on_exit(asdf: Path) -> None:
    holder = _hold(asdf, "lock")
    try:
        with pytest.raises(FileLockedError, match=LOCKED):
            asdfkit.open(asdf, "a")
        with pytest.raises(FileLockedError, match=LOCKED), writer_lock(asdf):
            pass
        with asdfkit.open(asdf) as f:  # readers are never blocked
            assert f.n_waveforms == 3
    finally:
        _stop(holder)  # SIGKILL: the kernel releases the flock
    with asdfkit.open(asdf, "a") as f:
        f.add_waveforms(_one("AFTER"), tag="raw_recording")
    assert _count(asdf) == 4
    assert not lock_path(asdf).exists()  # the sidecar is removed by its last holder


def test_lock_timeout_waits_for_the_holder(asdf: Path) -> None:
    holder = _hold(asdf, "lock")
    threading.Timer(0.5, lambda: _stop(holder)).start()
    with asdfkit.open(asdf, "a", lock_timeout=60) as f:  # waits until the holder is killed
        f.add_waveforms(_one("WAIT"), tag="raw_recording")
    assert holder.poll() is not None
    assert _count(asdf) == 4


def test_two_writable_handles_in_one_process_are_refused(asdf: Path) -> None:
    with asdfkit.open(asdf, "a") as f:
        f.add_waveforms(_one("FIRST"), tag="raw_recording")
        with pytest.raises(FileLockedError, match="already has it open for writing"):
            asdfkit.open(asdf, "r+")
        with asdfkit.open(asdf) as reader:  # the committed file, without FIRST
            assert reader.n_waveforms == 3
    assert _count(asdf) == 4


def test_another_thread_is_refused(asdf: Path) -> None:
    errors: list[BaseException] = []

    def write() -> None:
        try:
            asdfkit.open(asdf, "a").close()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    with asdfkit.open(asdf, "a"):
        thread = threading.Thread(target=write)
        thread.start()
        thread.join()
    assert len(errors) == 1 and isinstance(errors[0], FileLockedError)


def test_the_lock_follows_symbolic_links(asdf: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.h5"
    link.symlink_to(asdf)
    with writer_lock(link) as lock:
        assert lock.path == lock_path(asdf)
        holder = subprocess.run(
            [sys.executable, "-c", "import asdfkit, sys; asdfkit.open(sys.argv[1], 'a')", str(asdf)],
            capture_output=True, text=True, check=False,
        )
    assert holder.returncode == 1 and LOCKED in holder.stderr


def test_without_flock_a_target_changed_meanwhile_is_not_overwritten(
    asdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a file system without flock (ENOLCK) the inode/size/mtime check refuses the commit."""
    real_flock = fcntl.flock

    def no_flock(fd: int, op: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".lock"):
            raise OSError(errno.ENOLCK, "No locks available")
        real_flock(fd, op)

    monkeypatch.setattr(locking.fcntl, "flock", no_flock)
    with pytest.raises(FileLockedError, match=LOCKED):
        with asdfkit.open(asdf, "a") as f:
            f.add_waveforms(_one("MINE"), tag="raw_recording")
            # another writer (which could not be locked out) commits meanwhile
            with h5py.File(asdf, "a") as other:
                other.attrs["touched"] = 1
    with asdfkit.open(asdf) as f:
        assert f.n_waveforms == 3 and "touched" in f.h5.attrs
    with asdfkit.open(asdf, "a") as f:  # undisturbed, the commit goes through
        f.add_waveforms(_one("MINE"), tag="raw_recording")
    assert _count(asdf) == 4


def test_an_hdf5_writer_in_place_is_detected(asdf: Path) -> None:
    """A program holding the file open for writing (HDF5's own lock): no copy of a half-written file."""
    holder = _hold(asdf, "h5py")
    try:
        with pytest.raises(FileLockedError, match=LOCKED):
            asdfkit.open(asdf, "a")
        with pytest.raises(FileLockedError, match=LOCKED):
            asdfkit.open(asdf, "r")
        done = subprocess.run([sys.executable, "-m", "asdfkit", "validate", str(asdf)],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 2
        assert "LOCKED" in done.stdout and LOCKED in done.stdout and "NOT HDF5" not in done.stdout
    finally:
        _stop(holder)
    assert asdfkit.validate(asdf).ok


# -- copy-on-write opens ------------------------------------------------------------------------
def test_an_exception_in_the_with_block_discards_every_change(asdf: Path) -> None:
    before = asdf.read_bytes()
    with pytest.raises(RuntimeError, match="boom"):
        with asdfkit.open(asdf, "a") as f:
            f.add_waveforms(_one("GONE"), tag="raw_recording")
            f.add_auxiliary_data(np.arange(10), "X", "y")
            raise RuntimeError("boom")
    assert asdf.read_bytes() == before
    assert find_partials(asdf) == [] and not lock_path(asdf).exists()
    f = asdfkit.open(asdf, "r+")
    f.add_waveforms(_one("DISC"), tag="raw_recording")
    f.discard()
    assert asdf.read_bytes() == before


def test_w_over_an_existing_file_keeps_it_until_the_commit(asdf: Path) -> None:
    with asdfkit.open(asdf, "w") as f:
        f.add_waveforms(_one("NEW"), tag="raw_recording")
        assert _count(asdf) == 3  # readers still see the old file
    assert _count(asdf) == 1
    with pytest.raises(ValueError, match="boom"), asdfkit.open(asdf, "w"):
        raise ValueError("boom")
    assert _count(asdf) == 1


def test_commit_keeps_the_mode_and_the_index_cache_follows_the_new_file(
    asdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASDFKIT_CACHE_DIR", str(tmp_path / "cache"))
    asdf.chmod(0o640)
    with asdfkit.open(asdf) as f:  # builds the cache
        assert f.n_waveforms == 3
    old_key = file_key(asdf)
    with asdfkit.open(asdf, "a") as f:
        f.add_waveforms(_one("NEXT"), tag="raw_recording")
    assert (asdf.stat().st_mode & 0o777) == 0o640
    new_key = file_key(asdf)
    assert old_key is not None and new_key is not None and old_key[1] != new_key[1]  # new inode
    with asdfkit.open(asdf) as f:
        assert f.n_waveforms == 4 and not f._index.from_walk  # read from the cache written at commit
        assert "NEXT" in {h.station for h in f.list_waveforms()}


def test_an_unmodified_writable_open_leaves_the_file_untouched(asdf: Path) -> None:
    before = os.stat(asdf)
    with asdfkit.open(asdf, "a") as f:
        assert f.n_waveforms == 3
    after = os.stat(asdf)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_an_unclosed_file_is_committed_when_collected(asdf: Path) -> None:
    f = asdfkit.open(asdf, "a")
    f.add_waveforms(_one("LATE"), tag="raw_recording")
    del f
    assert _count(asdf) == 4 and find_partials(asdf) == []


def test_copy_limit_and_free_space_raise_unsafe_write_error_and_in_place_works(
    asdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = asdf.stat().st_size
    monkeypatch.setattr(atomic, "_clone", lambda src, dst: False)  # as on ext4: a full copy
    with pytest.raises(UnsafeWriteError) as info:
        asdfkit.open(asdf, "a", copy_limit=1000)
    message = str(info.value)
    assert f"{size} bytes" in message and "free space" in message and "in_place=True" in message
    monkeypatch.setattr(atomic, "_free_space", lambda directory: size)  # less than size + 10 %
    with pytest.raises(UnsafeWriteError, match=f"free space is {size} bytes"):
        asdfkit.open(asdf, "r+")
    assert find_partials(asdf) == [] and not lock_path(asdf).exists()
    with asdfkit.open(asdf, "a", in_place=True) as f:
        f.add_waveforms(_one("INPL"), tag="raw_recording")
    assert _count(asdf) == 4


def test_the_cli_exits_2_naming_in_place_and_in_place_writes(asdf: Path, tmp_path: Path,
                                                               obspy_data: Path) -> None:
    sac = obspy_data / "io" / "sac" / "tests" / "data" / "seism.sac"
    env = {**os.environ, "ASDFKIT_COPY_LIMIT": "1000"}
    other = tmp_path / "other.h5"
    with asdfkit.open(other, "w") as f:
        f.add_waveforms(_one("MERGE"), tag="raw_recording")
    commands = {
        "convert": ["convert", "--no-progress", str(sac), "--network", "XX", "--channel", "BHZ", "--append", str(asdf)],
        "merge": ["merge", str(other), str(asdf)],
    }
    for name, args in commands.items():
        before = asdf.read_bytes()
        done = subprocess.run([sys.executable, "-m", "asdfkit", *args], capture_output=True, text=True,
                              env=env, check=False)
        if "reflink" in done.stderr:  # pragma: no cover - a cloning file system needs no copy
            continue
        assert done.returncode == 2, (name, done.stderr)
        assert "--in-place" in done.stderr and "bytes" in done.stderr and "Traceback" not in done.stderr
        assert asdf.read_bytes() == before
        done = subprocess.run([sys.executable, "-m", "asdfkit", *args, "--in-place"], capture_output=True,
                              text=True, env=env, check=False)
        assert done.returncode == 0, (name, done.stderr)
    assert _count(asdf) == 5


# -- temporary files ----------------------------------------------------------------------------
def test_a_planted_symlink_at_the_old_predictable_name_redirects_nothing(
    tmp_path: Path, obspy_data: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out.h5"
    for pid_guess in range(os.getpid(), os.getpid() + 50):  # every name a pid-only scheme would use
        (tmp_path / f".out.h5.{pid_guess}.partial").symlink_to(victim)
    sac = obspy_data / "io" / "sac" / "tests" / "data" / "seism.sac"
    done = subprocess.run([sys.executable, "-m", "asdfkit", "convert", "--no-progress", str(sac),
                           "--network", "XX", "--channel", "BHZ", str(out)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "precious"
    assert not out.is_symlink() and _count(out) == 1


def test_new_temp_never_opens_an_existing_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = tmp_path / "out.h5"
    tokens = iter(["aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    monkeypatch.setattr(atomic.secrets, "token_hex", lambda n: next(tokens))
    planted = tmp_path / f".out.h5.{os.getpid()}.aaaaaaaaaaaa.partial"
    planted.symlink_to(victim)
    temp = new_temp(target)
    assert temp.name == f".out.h5.{os.getpid()}.bbbbbbbbbbbb.partial"
    assert (temp.stat().st_mode & 0o777) == 0o600 and not temp.is_symlink()
    assert victim.read_text() == "precious" and planted.is_symlink()
    atomic.discard(temp)


def test_a_symlinked_lock_file_is_refused(asdf: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    lock_path(asdf).symlink_to(victim)
    with pytest.raises(FileLockedError, match="symbolic link"):
        asdfkit.open(asdf, "a")
    assert victim.read_text() == "precious"


def test_an_output_that_is_a_symlink_is_followed_and_stays_a_link(
    asdf: Path, tmp_path: Path, obspy_data: Path
) -> None:
    link = tmp_path / "link.h5"
    link.symlink_to(asdf)
    sac = obspy_data / "io" / "sac" / "tests" / "data" / "seism.sac"
    done = subprocess.run([sys.executable, "-m", "asdfkit", "convert", "--no-progress", str(sac),
                           "--network", "XX", "--channel", "BHZ", "--append", str(link)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and link.resolve() == asdf and _count(asdf) == 4
    with asdfkit.open(link, "a") as f:
        f.add_waveforms(_one("LINK"), tag="raw_recording")
    assert link.is_symlink() and _count(asdf) == 5
    with atomic_path(link) as temp:
        assert temp.parent == asdf.parent
        temp.write_text("replaced")
    assert link.is_symlink() and asdf.read_text() == "replaced"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_stale_partials_of_dead_processes_are_removed(asdf: Path) -> None:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import sys
        from pathlib import Path
        from asdfkit.atomic import new_temp
        print(new_temp(Path(sys.argv[1])))
    """), str(asdf)], capture_output=True, text=True, check=True)
    dead = Path(done.stdout.strip())
    assert dead.exists() and find_partials(asdf) == [dead]
    mine = new_temp(asdf)
    with asdfkit.open(asdf, "a") as f:
        f.add_waveforms(_one("CLEAN"), tag="raw_recording")
    assert not dead.exists() and mine.exists()  # this process's own partial is left alone
    atomic.discard(mine)


def test_locked_files_and_missing_files_keep_their_error_types(tmp_path: Path) -> None:
    assert issubclass(FileLockedError, FormatError)
    with pytest.raises(FormatError, match="No such file"):
        asdfkit.open(tmp_path / "missing.h5", "r+")
    assert not (tmp_path / ".missing.h5.lock").exists()
    assert list(tmp_path.iterdir()) == []
    time.sleep(0)  # nothing left behind by the refused open


def test_no_other_writer_of_this_thread_while_a_writable_handle_is_open(asdf: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.h5"
    with asdfkit.open(other, "w") as f:
        f.add_waveforms(_one("OTHER"), tag="raw_recording")
    with asdfkit.open(asdf, "a") as f:
        f.add_waveforms(_one("MINE"), tag="raw_recording")
        with pytest.raises(FileLockedError, match="already has it open for writing"):
            merge([other], asdf)
    with asdfkit.open(asdf) as f:
        assert "MINE" in {h.station for h in f.list_waveforms()}
    merge([other], asdf)  # once the handle is closed
    assert _count(asdf) == 5


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_a_commit_keeps_the_owner_when_root_edits_someone_elses_file(asdf: Path) -> None:
    os.chown(asdf, 1234, 4321)
    with asdfkit.open(asdf, "a") as f:
        f.add_waveforms(_one("ROOT"), tag="raw_recording")
    st = asdf.stat()
    assert (st.st_uid, st.st_gid) == (1234, 4321) and _count(asdf) == 4


def test_partial_path_creates_an_exclusive_file_with_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "x.sac"
    temp = atomic.partial_path(target)
    assert temp.exists() and not temp.is_symlink() and temp.name.startswith(f".x.sac.{os.getpid()}.")
    assert (temp.stat().st_mode & 0o777) == atomic._umask_mode()
    assert find_partials(target, os.getpid()) == [temp]
    with pytest.raises(ValueError, match="unpredictable"):
        atomic.partial_path(target, os.getpid() + 1)
    temp.unlink()
