"""SIGKILL a run midway, restart it: same output as an uninterrupted run, no committed station redone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_helpers import content
from batch_jobs import bandpass

from asdfkit.batch import Backend, run, status

HERE = Path(__file__).resolve().parent


def _command(stations_file: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "asdfkit",
        "batch",
        "run",
        str(stations_file),
        str(out),
        "--function",
        "batch_jobs:logged_bandpass",
        "--workers",
        "2",
        "--no-progress",
        "--json",
    ]


def _env(log: Path, slow: float) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(HERE), "BATCH_LOG": str(log), "BATCH_SLOW": str(slow)}


def _wait_for(condition: object, what: str, limit: float = 120.0) -> None:
    """Poll (no timing assertion: the limit only stops a hung test)."""
    deadline = time.monotonic() + limit
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def _logged(log: Path) -> list[str]:
    return [line.split()[0] for line in log.read_text().splitlines()] if log.exists() else []


def _committed(out: Path) -> set[str]:
    state = status(out)
    return {s for chunk in state.chunks for s in chunk.done}


def _uninterrupted(stations_file: Path, tmp_path: Path) -> Path:
    reference = tmp_path / "reference.h5"
    run(stations_file, reference, bandpass, backend=Backend("local", 1), progress=False)
    return reference


def _restart_and_check(stations_file: Path, out: Path, log: Path, tmp_path: Path) -> dict[str, int]:
    """Restart the killed run; no committed station runs again; output equals an uninterrupted run's."""
    committed = _committed(out)
    before_restart = len(_logged(log))
    restart = subprocess.run(
        _command(stations_file, out),
        env=_env(log, 0),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert restart.returncode == 0, restart.stderr
    summary = json.loads(restart.stdout)
    redone = _logged(log)[before_restart:]
    assert not committed & set(redone), f"committed stations processed again: {committed & set(redone)}"
    assert len(redone) == len(set(redone))  # and none twice
    assert summary["skipped"] + summary["adopted"] == len(committed)
    assert summary["processed"] == 12 - len(committed) == len(redone)
    assert committed | set(redone) == set(status(out).chunks[0].done)
    assert content(out) == content(_uninterrupted(stations_file, tmp_path))
    return {"committed": len(committed), "redone": len(redone)}


@pytest.mark.parametrize("done_before_kill", [1, 5, 9])  # 9: three stations (two rounds) still to go
def test_sigkill_of_the_driver_then_restart(stations_file: Path, tmp_path: Path, done_before_kill: int) -> None:
    out, log = tmp_path / "out.h5", tmp_path / "processed.log"
    driver = subprocess.Popen(
        _command(stations_file, out),
        env=_env(log, 0.4),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    plan = out.with_name("out.h5.batch") / "plan.json"
    _wait_for(
        lambda: plan.exists() and len(_committed(out)) >= done_before_kill, f"{done_before_kill} stations done"
    )
    os.kill(driver.pid, signal.SIGKILL)
    assert driver.wait() == -signal.SIGKILL
    _wait_for(lambda: _group_gone(driver.pid), "the orphaned workers to leave")
    assert not out.exists()

    # Really killed midway: the chunk was not packed.  Workers orphaned by the kill finish the
    # task they hold (and may take one queued task) before their watchdog ends them, so under
    # load the last stations can be committed after the driver died; the restart then adopts them.
    committed = _committed(out)
    assert done_before_kill <= len(committed)
    assert len(committed) < 12 or not status(out).chunks[0].packed
    _restart_and_check(stations_file, out, log, tmp_path)


@pytest.mark.parametrize("started_before_kill", [2, 6])
def test_sigkill_of_a_worker_then_restart(stations_file: Path, tmp_path: Path, started_before_kill: int) -> None:
    out, log = tmp_path / "out.h5", tmp_path / "processed.log"
    driver = subprocess.Popen(
        _command(stations_file, out),
        env=_env(log, 0.4),
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(lambda: len(_logged(log)) >= started_before_kill, f"{started_before_kill} stations started")
    worker = int(log.read_text().splitlines()[-1].split()[1])
    assert worker != driver.pid
    os.kill(worker, signal.SIGKILL)
    _, stderr = driver.communicate(timeout=600)
    assert driver.returncode == 1 and "a worker process died" in stderr
    _wait_for(lambda: _group_gone(driver.pid), "the other workers to leave")
    counts = _restart_and_check(stations_file, out, log, tmp_path)
    assert counts["redone"] >= 1  # the killed worker's station at least
