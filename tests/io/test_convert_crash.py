"""Crash safety of ``asdf-cli convert``, with real signals on a real conversion in a subprocess.

The inputs are 80 miniSEED files: ObsPy's one-day CH.BALST LHE recording (86,400 samples) under
80 station codes, enough for the conversion to run for seconds after its temporary file appears.
The tests wait for that file (the conversion is then writing), send the signal, and look at the
destination: absent for a new file, byte-identical for ``--append``.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import obspy
import pytest

import asdfkit
from asdfkit.atomic import find_partials, remove_stale_partials

COPIES = 80
# Started in a new session, the conversion gets signals the way a terminal sends Ctrl-C: to its
# process group.
POPEN = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, "start_new_session": True}


@pytest.fixture(scope="module")
def inputs(obspy_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    stream = obspy.read(str(obspy_data / "io" / "mseed" / "tests" / "data" / "CH.BALST..LHE.D.2025.314"))
    for i in range(COPIES):
        for trace in stream:
            trace.stats.station = f"S{i:03d}"
        stream.write(str(folder / f"CH.S{i:03d}..LHE.mseed"), format="MSEED")
    return folder


@pytest.fixture
def small(obspy_data: Path, tmp_path: Path) -> Path:
    """An existing ASDF file to append to: ObsPy's real seism.sac converted."""
    out = tmp_path / "out.h5"
    done = _convert(
        [
            str(obspy_data / "io" / "sac" / "tests" / "data" / "seism.sac"),
            "--network",
            "XX",
            "--channel",
            "BHZ",
            str(out),
        ]
    )
    assert done.returncode == 0, done.stderr
    return out


def _command(args: list[str]) -> list[str]:
    return [sys.executable, "-m", "asdfkit", "convert", "--no-progress", *args]


def _convert(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_command(args), capture_output=True, text=True, check=False)


def _digest(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_size, stat.st_mtime_ns


def _start_and_wait_until_writing(
    args: list[str], out: Path, grown_by: int = 1 << 20
) -> subprocess.Popen[str]:
    """Start a conversion and return once its temporary file is ``grown_by`` bytes past the
    size of the file it appends to (or past 0): the conversion is then mid-write."""
    base = out.stat().st_size if out.exists() else 0
    proc = subprocess.Popen(_command(args), **POPEN)  # type: ignore[call-overload]
    deadline = time.monotonic() + 300  # a liveness bound for a loaded machine, not a speed check
    while not any(_size(temp) >= base + grown_by for temp in find_partials(out, proc.pid)):
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"the conversion ended (exit {proc.returncode}) before it was mid-write: {err}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("no temporary output appeared")
        time.sleep(0.01)
    return proc


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return -1


def _partial(target: Path, pid: int) -> Path:
    """A partial file name as asdfkit makes them: ``.<name>.<pid>.<random>.partial``."""
    return target.with_name(f".{target.name}.{pid}.0123456789ab.partial")


def _trace_count(path: Path) -> int:
    with asdfkit.open(path) as f:
        return len(f.list_waveforms())


def test_sigkill_leaves_no_destination_and_a_rerun_completes(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "new.h5"
    proc = _start_and_wait_until_writing([str(inputs), str(out)], out)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL  # killed while running, not finished
    assert not out.exists()
    stale = find_partials(out, proc.pid)
    assert len(stale) == 1  # what SIGKILL leaves: the temporary file, never the destination
    done = _convert([str(inputs), str(out)])
    assert done.returncode == 0, done.stderr
    assert not stale[0].exists()  # the re-run removed the dead process's partial file
    assert list(tmp_path.glob(".new.h5.*")) == []
    report = asdfkit.validate(out)
    assert report.ok, [str(f) for f in report.errors]
    assert _trace_count(out) == COPIES


def test_sigkill_during_append_leaves_the_file_byte_identical(inputs: Path, small: Path) -> None:
    before = _digest(small)
    traces_before = _trace_count(small)
    proc = _start_and_wait_until_writing([str(inputs), "--append", str(small)], small)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert _digest(small) == before
    assert asdfkit.validate(small).ok and _trace_count(small) == traces_before
    done = _convert([str(inputs), "--append", str(small)])
    assert done.returncode == 0, done.stderr
    assert _trace_count(small) == traces_before + COPIES
    assert asdfkit.validate(small).ok
    assert list(small.parent.glob(".out.h5.*")) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
@pytest.mark.parametrize("append", [False, True], ids=["new", "append"])
def test_interrupt_exits_cleanly_removes_the_temporary_file_and_keeps_the_destination(
    inputs: Path, small: Path, signum: int, append: bool
) -> None:
    out = small if append else small.with_name("fresh.h5")
    before = _digest(small)
    args = [str(inputs), "--append", str(out)] if append else [str(inputs), str(out)]
    proc = _start_and_wait_until_writing(args, out)
    os.killpg(proc.pid, signum)
    _, err = proc.communicate()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and f"interrupted: {out}" in err
    assert find_partials(out, proc.pid) == []
    assert list(out.parent.glob(f".{out.name}.*")) == []
    assert _digest(small) == before
    if not append:
        assert not out.exists()


def test_partial_files_of_running_processes_are_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "x.h5"
    running = _partial(target, os.getppid())  # the process that started pytest runs
    running.write_bytes(b"in progress")
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    dead = _partial(target, int(finished.stdout))
    dead.write_bytes(b"left by a killed conversion")
    assert remove_stale_partials(target) == [dead]
    assert running.exists() and not dead.exists()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupt_with_worker_processes_leaves_no_file_and_no_process(
    inputs: Path, tmp_path: Path, signum: int
) -> None:
    out = tmp_path / "parallel.h5"
    proc = _start_and_wait_until_writing([str(inputs), "-j", "2", str(out)], out)
    if signum == signal.SIGINT:
        os.killpg(proc.pid, signum)  # Ctrl-C reaches the workers too
    else:
        proc.send_signal(signum)  # a scheduler stops the main process
    _, err = proc.communicate()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert not out.exists() and list(tmp_path.glob(".parallel.h5.*")) == []
    deadline = time.monotonic() + 60  # workers finish the file in hand, then exit
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _group_alive(proc.pid)


def test_workers_end_when_the_converting_process_is_killed(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "orphans.h5"
    proc = _start_and_wait_until_writing([str(inputs), "-j", "2", str(out)], out)
    proc.send_signal(signal.SIGKILL)  # the driver only, as an out-of-memory killer would
    assert proc.wait(timeout=60) == -signal.SIGKILL  # not communicate(): orphans would hold its pipes
    deadline = time.monotonic() + 60  # workers notice within a second; the bound is for a loaded machine
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    orphans = _group_alive(proc.pid)
    if orphans:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert not orphans, "worker processes outlived the killed conversion"
    assert not out.exists()


@pytest.mark.parametrize(("extra", "says"), [
    (["--append"], "was not written (an existing file keeps its content)"),
    (["--append", "--in-place"], "may hold part of this run's traces (an --in-place append is not crash-safe"),
])
def test_interrupt_message_tells_what_the_destination_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            extra: list[str], says: str) -> None:
    from click.testing import CliRunner

    import asdfkit.cli.convert as cli_convert
    from asdfkit.cli.main import cli

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_convert, "convert_to_asdf", interrupted)
    out = tmp_path / "x.h5"
    out.write_bytes(b"")
    result = CliRunner().invoke(cli, ["convert", str(tmp_path), str(out), *extra])
    assert result.exit_code == 130
    assert f"interrupted: {out} {says}" in result.output
