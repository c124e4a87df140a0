"""Batch data safety: a full disk stops the run cleanly, damaged part files are never adopted,
a second run of the same chunk is locked out (issue 14, items 3 and 9)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import h5py
import pytest
from batch_helpers import content
from batch_jobs import bandpass

import asdfkit.batch.space
from asdfkit.batch import Backend, ChunkSpec, merge_chunks, run, status
from asdfkit.batch.parts import verify_part
from asdfkit.batch.worker import TaskJob, process_task
from asdfkit.errors import BatchError, DiskFullError
from asdfkit.locking import writer_lock

HERE = Path(__file__).resolve().parent
SERIAL = Backend("local", workers=1)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "asdfkit", "batch", *args],
        env={**os.environ, "PYTHONPATH": str(HERE), **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def _command(source: Path, out: Path) -> list[str]:
    return ["run", str(source), str(out), "--function", "batch_jobs:bandpass", "--workers", "2", "--no-progress"]


@pytest.fixture
def reference(stations_file: Path, tmp_path: Path) -> Path:
    out = tmp_path / "reference.h5"
    run(stations_file, out, bandpass, backend=SERIAL, progress=False)
    return out


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path | None]:
    """A real 6 MB tmpfs (root only); None where mounting is impossible (then ENOSPC is injected)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(folder)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        yield None
        return
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(folder: Path, leave: int) -> Path:
    """A ballast file leaving ``leave`` bytes free on the file system of ``folder``."""
    ballast = folder / "ballast"
    st = os.statvfs(folder)
    with open(ballast, "wb") as fh:
        fh.write(b"\0" * (st.f_bavail * st.f_frsize - leave))
    return ballast


def _check_every_part_verifies(out: Path) -> None:
    for part in (out.with_name(out.name + ".batch") / "chunk-0000-of-0001" / "parts").glob("*"):
        assert not part.name.endswith(".partial"), f"a temporary file was left: {part}"
        if part.suffix == ".h5":
            verify_part(part)  # complete: every chunk decodes, its stations are named


def test_a_full_disk_stops_the_run_cleanly_and_the_restart_completes_it(
    stations_file: Path, tmp_path: Path, small_disk: Path | None, reference: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    room = asdfkit.batch.space.RESERVE_BYTES + 600_000  # a few stations' worth beyond the reserve
    if small_disk is not None:
        out = small_disk / "out.h5"
        ballast = _fill(small_disk, room)
        first = _cli(*_command(stations_file, out))
        assert first.returncode == 1, first.stderr
        lines = first.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in first.stderr, first.stderr
        assert lines[0].startswith("error: not enough space to write ") and str(small_disk) in lines[0]
    else:  # no mount possible here: the same check against an injected free-space figure
        out = tmp_path / "injected" / "out.h5"
        out.parent.mkdir()
        ballast = out.parent / "ballast"
        used = lambda: sum(p.stat().st_size for p in out.parent.rglob("*") if p.is_file())  # noqa: E731
        monkeypatch.setattr(asdfkit.batch.space, "free_bytes", lambda path: room - used())
        with pytest.raises(DiskFullError, match="not enough space to write"):
            run(stations_file, out, bandpass, backend=SERIAL, progress=False)
        monkeypatch.undo()
    assert not out.exists()
    state = status(out)
    assert state.count("done") < 12  # really stopped midway
    _check_every_part_verifies(out)

    ballast.unlink(missing_ok=True)
    again = _cli(*_command(stations_file, out), "--json")
    assert again.returncode == 0, again.stderr
    assert content(out) == content(reference)


def _corrupt_first_chunk(part: Path) -> None:
    """Flip bytes inside the first stored chunk of the first trace: its fletcher32 no longer matches."""
    with h5py.File(part, "r") as f:
        names: list[str] = []
        f["Waveforms"].visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) and "__" in n else None)
        dataset = f["Waveforms"][names[0]]
        assert dataset.fletcher32
        offset = dataset.id.get_chunk_info(0).byte_offset
    with open(part, "r+b") as fh:
        fh.seek(offset + 16)
        data = fh.read(8)
        fh.seek(offset + 16)
        fh.write(bytes(b ^ 0xFF for b in data))


def _unjournaled_part(stations_file: Path, out: Path, stations: tuple[str, ...]) -> Path:
    """A part file as a worker commits it, the journal never told (the driver died in between)."""
    folder = out.with_name(out.name + ".batch") / "chunk-0000-of-0001" / "parts"
    result = process_task(TaskJob(stations_file, stations, folder, bandpass, "processed", "raw_recording"))
    assert result.part is not None and [r.ok for r in result.results] == [True] * len(stations)
    return folder / result.part


def test_a_damaged_part_file_is_never_adopted(stations_file: Path, tmp_path: Path, reference: Path) -> None:
    # a fresh work folder where a crash left committed parts the journal does not list
    out = tmp_path / "out.h5"
    (out.with_name(out.name + ".batch")).mkdir()
    good = _unjournaled_part(stations_file, out, ("AE.A00", "AE.A01"))
    assert verify_part(good) == ["AE.A00", "AE.A01"]
    bad = _unjournaled_part(stations_file, out, ("TA.P00",))
    truncated = _unjournaled_part(stations_file, out, ("TA.P01",))
    _corrupt_first_chunk(bad)
    with pytest.raises(BatchError, match="damaged part file"):
        verify_part(bad)
    with open(truncated, "r+b") as fh:
        fh.truncate(truncated.stat().st_size // 2)
    summary = run(stations_file, out, bandpass, backend=SERIAL, progress=False)
    assert sorted(summary.adopted) == ["AE.A00", "AE.A01"]
    assert "TA.P00" in summary.processed and "TA.P01" in summary.processed
    assert not bad.exists() and not truncated.exists()
    assert content(out) == content(reference)


def test_a_second_run_of_the_same_output_is_locked_out(
    stations_file: Path, tmp_path: Path, reference: Path
) -> None:
    out, log = tmp_path / "out.h5", tmp_path / "log.txt"
    env = {"BATCH_LOG": str(log), "BATCH_SLOW": "0.3"}
    command = ["run", str(stations_file), str(out), "--function", "batch_jobs:logged_bandpass",
               "--workers", "2", "--no-progress"]
    first = subprocess.Popen(
        [sys.executable, "-m", "asdfkit", "batch", *command],
        env={**os.environ, "PYTHONPATH": str(HERE), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not (log.exists() and log.read_text()):  # the first run holds the chunk and works
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.05)
    second = _cli(*command, env=env)
    assert second.returncode == 2, second.stderr
    assert "locked by another process" in second.stderr and "Traceback" not in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    _, stderr = first.communicate(timeout=600)
    assert first.returncode == 0, stderr
    assert content(out) == content(reference)
    stations = [line.split()[0] for line in log.read_text().splitlines()]
    assert sorted(stations) == sorted(set(stations))  # every station ran once: the second run did nothing
    third = _cli(*command, "--json", env=env)  # and the folder is not stuck
    assert third.returncode == 0, third.stderr


def test_merge_and_run_are_refused_while_a_chunk_is_held(stations_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.h5"
    for index in range(2):
        run(stations_file, out, bandpass, chunk=ChunkSpec(index, 2), backend=SERIAL, progress=False)
    work = out.with_name(out.name + ".batch")
    with writer_lock(work / "chunk-0001-of-0002"):  # as a running `batch run --chunk 1/2` holds it
        merging = _cli("merge", str(out))
        running = _cli("run", str(stations_file), str(out), "--function", "batch_jobs:bandpass",
                       "--chunk", "1/2", "--workers", "1", "--no-progress")
    for child in (merging, running):
        assert child.returncode == 2 and "locked by another process" in child.stderr, child.stderr
    assert not out.exists()
    assert merge_chunks(out).copied > 0
