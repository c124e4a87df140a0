"""The driver's memory does not grow with the station count beyond the station list (issue 19).

Measured with ``tracemalloc`` in the driver (the pool workers are other processes), so
the figure is the Python objects the driver holds, not the noise of the machine's RSS.
"""

from __future__ import annotations

import json
import sys
import tracemalloc
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import obspy
import pytest
from batch_jobs import unchanged

import asdfkit
from asdfkit.batch import Backend, run
from asdfkit.batch.backends import IN_FLIGHT_PER_WORKER, run_jobs
from asdfkit.batch.journal import ChunkJournal, WorkDir
from asdfkit.batch.partition import ChunkSpec


def _one_channel_stations(path: Path, count: int) -> Path:
    """``count`` one-channel stations cut from ObsPy's real example recording."""
    base = obspy.read()
    stream = obspy.Stream()
    for k in range(count):
        trace = base[k % 3].copy()
        trace.data = trace.data[(k * 7) % 1000 :][:200].astype(np.float32)
        trace.stats.network, trace.stats.station, trace.stats.channel = "XS", f"S{k:04d}", "BHZ"
        stream.append(trace)
    with asdfkit.open(path, "w") as f:
        f.add_waveforms(stream, tag="raw_recording")
    return path


def _driver_peak(tmp_path: Path, count: int) -> int:
    source = _one_channel_stations(tmp_path / f"in{count}.h5", count)
    tracemalloc.start()
    try:
        summary = run(source, tmp_path / f"out{count}.h5", unchanged, backend=Backend("local", 2),
                      progress=False, provenance=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(summary.processed) == count and summary.ok
    return peak


def test_driver_memory_grows_by_little_more_than_the_station_list(tmp_path: Path) -> None:
    small, large = 100, 600
    growth = (_driver_peak(tmp_path, large) - _driver_peak(tmp_path, small)) / (large - small)
    names = [f"XS.S{k:04d}" for k in range(large)]
    station_list = (sys.getsizeof(names) + sum(sys.getsizeof(n) for n in names)) / large
    # The driver holds a few copies of the list (plan, journal, summary) and reads the
    # input's header table once; before issue 19 it also kept every finished task's
    # results and per-station journal entries (~1.5 KB a station).
    assert growth < 8 * station_list, f"{growth:.0f} B per station (the list itself: {station_list:.0f} B)"


class _CountingJobs(Sequence[int]):
    """Jobs that count how many the back-end has taken."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.taken = 0

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        return range(self.count)[index]

    def __iter__(self) -> Iterator[int]:
        for job in range(self.count):
            self.taken += 1
            yield job


def test_the_pool_submits_a_bounded_window_of_tasks() -> None:
    jobs = _CountingJobs(200)
    results = run_jobs(jobs, Backend("local", 2), abs)
    first = next(results)
    window = 2 * IN_FLIGHT_PER_WORKER
    assert first in range(200) and jobs.taken <= 2 * window  # a window and its refill, not all 200 up front
    rest = list(results)
    assert sorted([first, *rest]) == list(range(200)) and jobs.taken == 200


def test_the_journal_keeps_part_names_not_per_station_timings(stations_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.h5"
    run(stations_file, out, unchanged, backend=Backend("local", 1), progress=False, provenance=False,
        merge_output=False, stations_per_task=5)
    work = WorkDir(out)
    chunk = ChunkSpec(0, 1)
    journal = ChunkJournal.load(work.journal_path(chunk), chunk, [])
    assert len(journal.done) == 12 and len(journal.parts) == 3  # 12 stations in tasks of 5, 5, 2
    assert all(journal.done[s] in journal.parts and s in journal.parts[journal.done[s]] for s in journal.done)
    lines = work.journal_path(chunk).read_text().splitlines()
    timed = [entry for line in lines if '"done"' in line for entry in json.loads(line)["done"].values()]
    assert len(timed) == 12 and all(entry["seconds"] >= 0 and entry["traces_in"] == 3 for entry in timed)


@pytest.mark.parametrize("count", [1, 3])
def test_the_pool_handles_fewer_jobs_than_its_window(count: int) -> None:
    assert count < 2 * IN_FLIGHT_PER_WORKER
    assert sorted(run_jobs(list(range(-count, 0)), Backend("local", 2), abs)) == list(range(1, count + 1))
