"""The Dask back-end (LocalCluster, threads and processes) gives the local pool's output."""

from __future__ import annotations

from pathlib import Path

import pytest
from batch_helpers import content
from batch_jobs import fails_while_marked

from asdfkit.batch import Backend, ChunkSpec, Recipe, merge_chunks, run

RECIPE = Recipe.from_dict(
    {
        "tag": "bandpass",
        "steps": [
            {"op": "detrend", "type": "linear"},
            {"op": "taper", "max_percentage": 0.05},
            {"op": "filter", "type": "bandpass", "freqmin": 0.05, "freqmax": 2.0},
            {"op": "decimate", "factor": 2},
        ],
    }
)


@pytest.fixture
def pool_output(stations_file: Path, tmp_path: Path) -> Path:
    out = tmp_path / "pool.h5"
    summary = run(stations_file, out, RECIPE, backend=Backend("local", 2), progress=False)
    assert summary.ok
    return out


def test_dask_threads_equal_the_local_pool(stations_file: Path, tmp_path: Path, pool_output: Path) -> None:
    out = tmp_path / "dask_threads.h5"
    summary = run(stations_file, out, RECIPE, backend=Backend("dask", 2, processes=False), progress=False)
    assert summary.ok and summary.backend == "dask LocalCluster (2 workers, threads)"
    assert content(out) == content(pool_output)


def test_dask_processes_in_chunks_equal_the_local_pool(
    stations_file: Path, tmp_path: Path, pool_output: Path
) -> None:
    out = tmp_path / "dask_processes.h5"
    for index in range(2):
        summary = run(
            stations_file, out, RECIPE, chunk=ChunkSpec(index, 2), backend=Backend("dask", 2), progress=False
        )
        assert summary.ok and len(summary.processed) == 6
        assert {r for r in summary.processed} and summary.backend.endswith("processes)")
    merge_chunks(out)
    assert content(out) == content(pool_output)


def test_dask_reports_failing_stations(stations_file: Path, tmp_path: Path, fail_marker: Path) -> None:
    fail_marker.write_text("TA.P04")
    out = tmp_path / "out.h5"
    summary = run(
        stations_file, out, fails_while_marked, backend=Backend("dask", 2, processes=False), progress=False
    )
    assert list(summary.failed) == ["TA.P04"]
    assert "ZeroDivisionError" in summary.failed["TA.P04"]["traceback"]
