"""A full disk: writes stop cleanly before HDF5 meets ENOSPC; nothing half-written is committed.

On a real 6 MB tmpfs (mounted here; the tests run as root in CI) libhdf5
segfaulted when an API append met the full disk and left ``/Waveforms``
unreadable.  Now every write checks free space first (``DiskFullError``), so
the file keeps every trace written before, and the CLI exits 1 with one
line, leaving the output absent or byte-identical.  Where mounting is
impossible the same tests run with ``os.statvfs`` reporting the free space of
a 6 MB file system (an injection: the write path is the same).  Commands run
in subprocesses when the disk is real (a crash would kill the test process).
"""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import obspy
import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit.atomic import atomic_path
from asdfkit.cli.main import cli
from asdfkit.container import diskspace
from asdfkit.container.surgery import merge
from asdfkit.container.verify import verify_complete
from asdfkit.errors import DamagedFileError, DiskFullError

ROOT = Path(__file__).resolve().parents[2]
SIZE = 6 * 2**20
COPIES = 80


class SmallDisk:
    """A 6 MB file system: a real tmpfs, or a folder whose statvfs says 6 MB minus its contents."""

    def __init__(self, path: Path, real: bool) -> None:
        self.path, self.real = path, real

    def run(self, *args: str) -> tuple[int, str]:
        """``asdf-cli ARGS``: (exit code, stderr); a signal is a negative code."""
        if self.real:
            env = dict(os.environ, ASDFKIT_CACHE_DIR="off")
            env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
            proc = subprocess.run([sys.executable, "-m", "asdfkit", *args], env=env, capture_output=True,
                                  text=True, timeout=300)
            return proc.returncode, proc.stderr
        result = CliRunner().invoke(cli, list(args))
        return result.exit_code, result.stderr if hasattr(result, "stderr") else result.output


@pytest.fixture
def disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmallDisk]:
    mount = tmp_path / "mnt"
    mount.mkdir()
    try:
        # ASDFKIT_TEST_INJECT_ENOSPC=1 runs the injection where mounting works too (to test the fallback).
        mounted = not os.environ.get("ASDFKIT_TEST_INJECT_ENOSPC") and subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(mount)],
                                 capture_output=True, check=False).returncode == 0
    except OSError:  # no mount command
        mounted = False
    if mounted:
        try:
            yield SmallDisk(mount, True)
        finally:
            subprocess.run(["umount", str(mount)], check=False)
        return
    real_statvfs = os.statvfs

    def statvfs(path: str | os.PathLike[str]) -> object:
        if not str(Path(path).resolve()).startswith(str(mount.resolve())):
            return real_statvfs(path)
        used = sum(p.stat().st_size for p in mount.rglob("*") if p.is_file())
        return SimpleNamespace(f_bavail=max(SIZE - used, 0) // 4096, f_frsize=4096)

    monkeypatch.setattr(diskspace.os, "statvfs", statvfs)
    yield SmallDisk(mount, False)


@pytest.fixture(scope="module")
def inputs(obspy_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ObsPy's real one-day CH.BALST LHE recording under COPIES station codes (~28 MB of samples, ~8 MB compressed)."""
    folder = tmp_path_factory.mktemp("inputs")
    stream = obspy.read(str(obspy_data / "io" / "mseed" / "tests" / "data" / "CH.BALST..LHE.D.2025.314"))
    for i in range(COPIES):
        for trace in stream:
            trace.stats.station = f"S{i:03d}"
        stream.write(str(folder / f"CH.S{i:03d}..LHE.mseed"), format="MSEED")
    return folder


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr and len(lines) == 1, stderr[-2000:]
    return lines[0]


APPEND = """
import sys, obspy, asdfkit
from asdfkit.errors import DiskFullError
stream = obspy.read(sys.argv[2])
for i in range(200):
    for trace in stream:
        trace.stats.station = f"A{i:03d}"
    try:
        with asdfkit.open(sys.argv[1], "a") as f:
            f.add_waveforms(stream, tag="raw")
    except DiskFullError as exc:
        print(i, exc)
        break
"""


def test_api_append_stops_before_the_disk_is_full(disk: SmallDisk, inputs: Path) -> None:
    target = disk.path / "a.h5"
    with asdfkit.open(target, "w"):
        pass
    source = str(next(inputs.glob("*.mseed")))
    if disk.real:
        proc = subprocess.run([sys.executable, "-c", APPEND, str(target), source], capture_output=True,
                              text=True, timeout=300, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        assert proc.returncode == 0, proc.stderr[-2000:]
        added, message = proc.stdout.split(" ", 1)
    else:
        stream = obspy.read(source)
        added = "0"
        with pytest.raises(DiskFullError) as info:
            for i in range(200):
                for trace in stream:
                    trace.stats.station = f"A{i:03d}"
                with asdfkit.open(target, "a") as f:
                    f.add_waveforms(stream, tag="raw")
                added = str(i + 1)
        message = str(info.value)
    assert "not enough free space" in message and str(target) in message and "bytes needed" in message
    assert int(added) >= 3  # several appends fitted before the disk filled
    with asdfkit.open(target) as f:
        assert f.n_waveforms == int(added)
        assert f.get_waveforms(station="A000")[0].stats.npts == obspy.read(source)[0].stats.npts
    verify_complete(target)  # every chunk of every earlier trace still decodes
    assert asdfkit.validate(target, checksums=True).counts["error"] == 0


def test_convert_that_would_overflow_writes_nothing(disk: SmallDisk, inputs: Path) -> None:
    output = disk.path / "out.h5"
    code, stderr = disk.run("convert", *map(str, sorted(inputs.glob("*.mseed"))), str(output))
    assert code == 1
    line = _one_error_line(stderr)
    assert "not enough free space" in line and str(disk.path) in line
    assert not output.exists()
    assert list(disk.path.iterdir()) == []  # no partial file left either


@pytest.mark.parametrize("in_place", [False, True])
def test_append_that_would_overflow_leaves_the_file_untouched(disk: SmallDisk, inputs: Path,
                                                               in_place: bool) -> None:
    files = sorted(map(str, inputs.glob("*.mseed")))
    output = disk.path / "out.h5"
    code, stderr = disk.run("convert", *files[:3], str(output))
    assert code == 0, stderr
    before = _digest(output)
    code, stderr = disk.run("convert", *files[3:], str(output), "--append",
                            *(["--in-place"] if in_place else []))
    assert code == 1
    line = _one_error_line(stderr)
    assert "not enough free space" in line and str(output) in line
    assert _digest(output) == before
    assert sorted(p.name for p in disk.path.iterdir()) == ["out.h5"]


def test_read_only_file_system_exits_2(disk: SmallDisk, inputs: Path) -> None:
    files = sorted(map(str, inputs.glob("*.mseed")))[:2]
    if not disk.real:  # the injection cannot make a folder read-only for root: check the mapping
        from asdfkit.cli.oserrors import system_error_exit

        assert system_error_exit(OSError(errno.EROFS, "Read-only file system", str(disk.path))) == 2
        assert system_error_exit(OSError(errno.ENOSPC, "No space left", str(disk.path))) == 1
        return
    subprocess.run(["mount", "-o", "remount,ro", str(disk.path)], check=True)
    code, stderr = disk.run("convert", *files, str(disk.path / "new.h5"))
    assert code == 2
    line = _one_error_line(stderr)
    assert "Read-only file system" in line and str(disk.path) in line
    assert list(disk.path.iterdir()) == []


def test_verify_refuses_incomplete_and_damaged_files(tmp_path: Path) -> None:
    """A dataset with unstored chunks (reads back as zeros) or a chunk that fails fletcher32."""
    import h5py

    stream = obspy.read()
    good = tmp_path / "good.h5"
    with asdfkit.open(good, "w") as f:
        f.add_waveforms(stream, tag="raw")
    verify_complete(good)
    incomplete = tmp_path / "incomplete.h5"
    with h5py.File(incomplete, "w") as h5:
        dataset = h5.create_dataset("x", shape=(100_000,), chunks=(1000,), dtype="i4", fletcher32=True)
        dataset[:50_000] = np.arange(50_000)  # HDF5 "failed" to write the second half
    with pytest.raises(DamagedFileError, match="50 of its 100 chunks"):
        verify_complete(incomplete)
    damaged = tmp_path / "damaged.h5"
    data = bytearray(good.read_bytes())
    with h5py.File(good, "r") as h5:
        name = next(n for n in h5["Waveforms/BW.RJOB"] if n != "StationXML")
        info = h5[f"Waveforms/BW.RJOB/{name}"].id.get_chunk_info(0)
    data[info.byte_offset + 5] ^= 0x40
    damaged.write_bytes(data)
    with pytest.raises(DamagedFileError, match="does not decode"):
        verify_complete(damaged)
    verify_complete(damaged, read=False)  # complete, just not read back

    # atomic_path: a failing verification removes the temporary file and keeps the target
    target = tmp_path / "target.h5"
    target.write_bytes(b"old")
    with pytest.raises(DamagedFileError):
        with atomic_path(target, verify=verify_complete) as temp:
            temp.write_bytes(damaged.read_bytes())
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged.h5", "good.h5", "incomplete.h5",
                                                          "target.h5"]


def test_merge_of_a_damaged_source_is_refused(tmp_path: Path) -> None:
    """merge copies chunks without decoding them: the verification catches the damage."""
    import h5py

    source = tmp_path / "src.h5"
    with asdfkit.open(source, "w") as f:
        f.add_waveforms(obspy.read(), tag="raw")
    with h5py.File(source, "r") as h5:
        name = next(n for n in h5["Waveforms/BW.RJOB"] if n != "StationXML")
        info = h5[f"Waveforms/BW.RJOB/{name}"].id.get_chunk_info(0)
    data = bytearray(source.read_bytes())
    data[info.byte_offset + 5] ^= 0x40
    source.write_bytes(data)
    with pytest.raises(DamagedFileError):
        merge([source], tmp_path / "merged.h5")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src.h5"]


def test_free_space_margin() -> None:
    assert diskspace.needed_bytes(0) == diskspace.MARGIN_BYTES
    assert diskspace.needed_bytes(10 * 2**20) == 11 * 2**20 + diskspace.MARGIN_BYTES
    with pytest.raises(DiskFullError, match=r"needed, [\d,]+ free") as info:
        diskspace.ensure_space("/", 2**62)
    assert info.value.errno == errno.ENOSPC and info.value.needed > info.value.free


def test_hdf5_write_failures_map_to_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    """h5py leaves ``errno`` unset and names it in the message: still exit 1 (full) / 2 (read-only)."""
    from asdfkit.cli.oserrors import system_error_exit

    full = OSError("Can't write data (file write failed: time = x, filename = '/d/a.h5', "
                   "file descriptor = 3, errno = 28, error message = 'No space left on device')")
    assert system_error_exit(full) == 1
    assert capsys.readouterr().err == "error: /d/a.h5: No space left on device\n"
    readonly = OSError("Unable to create file (unable to open file: name = '/ro/x.h5', errno = 30, "
                       "error message = 'Read-only file system', flags = 13)")
    assert system_error_exit(readonly) == 2
    assert capsys.readouterr().err == "error: /ro/x.h5: Read-only file system\n"
    assert system_error_exit(ValueError("a bug")) is None  # re-raised with its traceback
