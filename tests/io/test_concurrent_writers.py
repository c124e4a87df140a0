"""Two writers of one file at the same time, as real processes (issue 14, loss 1).

Before the writer lock, two ``convert --append`` runs of 80 traces each into one file both
exited 0 and reported 80 traces while the file ended with only one run's traces (the second
rename discarded the first commit); two merges into one target and an API write during an
append lost data the same way.  Now every writer holds ``.<name>.lock``: whatever the timing,
a run either lands completely or is refused with exit 2 ("locked by another process"), and
no exit 0 ever hides a lost commit.  Readers polling the file meanwhile only ever see
committed states.

The inputs are ObsPy's one-day CH.BALST LHE miniSEED recording (86,400 samples) under 80
station codes per writer, so a conversion runs for seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import obspy
import pytest

import asdfkit

COPIES = 80
LOCKED = "locked by another process"


def _inputs(stream: obspy.Stream, folder: Path, prefix: str) -> Path:
    folder.mkdir()
    for i in range(COPIES):
        for trace in stream:
            trace.stats.station = f"{prefix}{i:03d}"
        stream.write(str(folder / f"CH.{prefix}{i:03d}..LHE.mseed"), format="MSEED")
    return folder


@pytest.fixture(scope="module")
def day(obspy_data: Path) -> obspy.Stream:
    return obspy.read(str(obspy_data / "io" / "mseed" / "tests" / "data" / "CH.BALST..LHE.D.2025.314"))


@pytest.fixture(scope="module")
def two_sets(day: obspy.Stream, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("sets")
    return _inputs(day.copy(), base / "a", "A"), _inputs(day.copy(), base / "b", "B")


@pytest.fixture
def small(obspy_data: Path, tmp_path: Path) -> Path:
    """An existing ASDF file: ObsPy's real seism.sac (one trace)."""
    out = tmp_path / "out.h5"
    sac = obspy_data / "io" / "sac" / "tests" / "data" / "seism.sac"
    done = _run(["convert", "--no-progress", str(sac), "--network", "XX", "--channel", "BHZ", str(out)])
    assert done.returncode == 0, done.stderr
    return out


def _cli(args: list[str]) -> list[str]:
    return [sys.executable, "-m", "asdfkit", *args]


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_cli(args), capture_output=True, text=True, check=False)


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(_cli(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _count(path: Path) -> int:
    with asdfkit.open(path) as f:
        return f.n_waveforms


def _stations(path: Path) -> set[str]:
    with asdfkit.open(path) as f:
        return {h.station for h in f.list_waveforms()}


def _wait_for_partial(proc: subprocess.Popen[str], target: Path) -> None:
    """Return once ``proc`` is writing its temporary copy of ``target``."""
    deadline = time.monotonic() + 300  # liveness bound on a loaded machine, not a speed check
    while not list(target.parent.glob(f".{target.name}.{proc.pid}.*.partial")):
        if proc.poll() is not None:
            pytest.fail(f"the writer ended (exit {proc.returncode}) before it wrote: {proc.communicate()[1]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the writer never started writing")
        time.sleep(0.01)


def _poll_readers(procs: list[subprocess.Popen[str]], path: Path, allowed: set[int]) -> set[int]:
    """Read the file's trace count until every process ended; every count seen must be allowed."""
    seen = set()
    while any(p.poll() is None for p in procs):
        n = _count(path)
        assert n in allowed, f"a reader saw {n} traces: a half state (allowed: {sorted(allowed)})"
        seen.add(n)
        time.sleep(0.05)
    return seen


def _check_outcome(procs: list[subprocess.Popen[str]], base: int, path: Path, per_run: int) -> list[int]:
    codes = []
    for proc in procs:
        _, err = proc.communicate()
        assert proc.returncode in (0, 2), err
        if proc.returncode == 2:
            assert LOCKED in err and "Traceback" not in err, err
        codes.append(proc.returncode)
    assert 0 in codes
    # Never an exit 0 whose commit was discarded: the file holds every successful run's traces.
    assert _count(path) == base + per_run * codes.count(0), codes
    return codes


@pytest.mark.parametrize("stagger", [False, True], ids=["together", "second-while-first-writes"])
def test_two_concurrent_appends_never_lose_a_commit(two_sets: tuple[Path, Path], small: Path,
                                                    stagger: bool) -> None:
    base = _count(small)
    first = _start(["convert", "--no-progress", str(two_sets[0]), "--append", str(small)])
    if stagger:
        _wait_for_partial(first, small)
    second = _start(["convert", "--no-progress", str(two_sets[1]), "--append", str(small)])
    _poll_readers([first, second], small, {base, base + COPIES, base + 2 * COPIES})
    codes = _check_outcome([first, second], base, small, COPIES)
    stations = _stations(small)
    for code, prefix in zip(codes, "AB", strict=True):
        landed = {s for s in stations if s.startswith(prefix)}
        assert len(landed) == (COPIES if code == 0 else 0)
    assert asdfkit.validate(small).ok
    assert sorted(p.name for p in small.parent.iterdir()) == ["out.h5"]  # no partial, no lock file left


def _asdf_of(inputs: Path, out: Path) -> Path:
    done = _run(["convert", "--no-progress", str(inputs), str(out)])
    assert done.returncode == 0, done.stderr
    return out


def test_two_concurrent_merges_into_one_target_never_lose_a_commit(two_sets: tuple[Path, Path],
                                                                   small: Path, tmp_path: Path) -> None:
    sources = [_asdf_of(two_sets[0], tmp_path / "a.h5"), _asdf_of(two_sets[1], tmp_path / "b.h5")]
    pristine = small.read_bytes()
    base = _count(small)
    for _ in range(4):  # fresh target each round: both merges start together
        small.write_bytes(pristine)
        procs = [_start(["merge", str(src), str(small)]) for src in sources]
        _poll_readers(procs, small, {base, base + COPIES, base + 2 * COPIES})
        _check_outcome(procs, base, small, COPIES)
        assert asdfkit.validate(small).ok


_API_WRITER = textwrap.dedent(
    """
    import sys, time, obspy, asdfkit
    path, hold = sys.argv[1], float(sys.argv[2])
    try:
        with asdfkit.open(path, "a") as f:
            trace = obspy.read()[0]
            trace.stats.network, trace.stats.station = "ZZ", "API"
            f.add_waveforms(trace, tag="raw_recording")
            print("open", flush=True)
            time.sleep(hold)
    except asdfkit.errors.AsdfkitError as exc:
        print("refused:", exc, flush=True)
        sys.exit(2)
    print("committed", flush=True)
    """
)


def _api_writer(path: Path, hold: float) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", _API_WRITER, str(path), str(hold)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_an_api_write_during_an_append_is_refused_not_lost(two_sets: tuple[Path, Path], small: Path) -> None:
    base = _count(small)
    append = _start(["convert", "--no-progress", str(two_sets[0]), "--append", str(small)])
    _wait_for_partial(append, small)
    api = _api_writer(small, 0)
    out, err = api.communicate()
    assert api.returncode == 2 and LOCKED in out, (out, err)
    _, err = append.communicate()
    assert append.returncode == 0, err
    assert _count(small) == base + COPIES
    assert "API" not in _stations(small)


def test_an_append_while_the_api_holds_the_file_exits_2_and_the_api_commit_lands(
    two_sets: tuple[Path, Path], small: Path
) -> None:
    base = _count(small)
    api = _api_writer(small, 30)
    assert api.stdout is not None
    assert api.stdout.readline().strip() == "open"
    done = _run(["convert", "--no-progress", str(two_sets[0]), "--append", str(small)])
    assert done.returncode == 2 and LOCKED in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert _count(small) == base  # the API's changes are not visible before it commits
    api.send_signal(signal.SIGINT)  # ends the sleep: KeyboardInterrupt discards the API's copy
    api.communicate()
    assert _count(small) == base
    api = _api_writer(small, 0)
    out, _ = api.communicate()
    assert api.returncode == 0 and "committed" in out
    assert _count(small) == base + 1 and "API" in _stations(small)


def test_a_writer_killed_holding_the_lock_does_not_block_the_next(small: Path) -> None:
    api = _api_writer(small, 60)
    assert api.stdout is not None and api.stdout.readline().strip() == "open"
    os.kill(api.pid, signal.SIGKILL)
    api.communicate()
    base = _count(small)
    api = _api_writer(small, 0)
    out, err = api.communicate()
    assert api.returncode == 0, (out, err)
    assert _count(small) == base + 1
