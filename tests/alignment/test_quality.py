"""Quality DataFrames across events and runs, with per-station and per-event summaries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from alignment_data import BERKELEY_EVENT, berkeley, fresh_copy, okhotsk

from asdfkit.alignment.quality import COLUMNS, event_summary, quality_frame, station_summary
from asdfkit.alignment.run import align_event
from asdfkit.alignment.store import list_runs
from asdfkit.alignment.types import AlignmentParams
from asdfkit.errors import InvalidValueError


@pytest.fixture(scope="session")
def two_runs(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Berkeley with two runs of different windows, autoselect on in the second."""
    path = fresh_copy(berkeley(shared_data, tmp_path_factory), tmp_path_factory.mktemp("quality"))
    align_event(
        path, BERKELEY_EVENT, params=AlignmentParams(window_pre=-2.0, window_post=4.0, bandpass=(0.5, 2.0))
    )
    align_event(
        path,
        BERKELEY_EVENT,
        params=AlignmentParams(
            window_pre=-3.0, window_post=6.0, bandpass=(0.5, 2.0), autoselect=True, min_cc=0.7
        ),
    )
    return path


def test_one_row_per_seismogram_and_run(two_runs: Path) -> None:
    df = quality_frame(two_runs)
    runs = list_runs(two_runs)
    assert list(df.columns) == list(COLUMNS)
    assert len(df) == sum(len(r.rows) for r in runs) == 20
    assert sorted(df["run"].unique()) == ["run_0001", "run_0002"]
    for run in runs:
        part = df[df["run"] == run.run_id]
        np.testing.assert_allclose(part["t1"] - part["t0"], part["shift"])
        np.testing.assert_array_equal(part["iccs_cc"], [r.iccs_cc for r in run.rows])
        assert (part["status_iccs"] == run.status_iccs).all()
        # the residual removes the run's common offset: zero mean over selected traces
        assert part.loc[part["select"], "residual"].mean() == pytest.approx(0.0, abs=1e-9)
    assert len(quality_frame(two_runs, latest=True)) == 10


def test_station_summary_is_mean_and_standard_error(two_runs: Path) -> None:
    df = quality_frame(two_runs)
    summary = station_summary(df, runs="all")
    selected = df[df["select"]]
    for station, group in selected.groupby("station"):
        values = group["iccs_cc"].to_numpy()
        assert summary.loc[station, "count"] == len(values)
        assert summary.loc[station, "iccs_cc_mean"] == pytest.approx(values.mean())
        if len(values) > 1:
            expected = values.std(ddof=1) / np.sqrt(len(values))
            assert summary.loc[station, "iccs_cc_sem"] == pytest.approx(expected)
    everyone = station_summary(df, selected_only=False, runs="all")
    assert (everyone["count"] == 2).all() and len(everyone) == 10


def test_station_summary_uses_one_run_per_event_by_default(two_runs: Path) -> None:
    # two runs of one event are not two samples: by default only the latest run counts
    df = quality_frame(two_runs)
    latest = df[df["run"] == "run_0002"]
    summary = station_summary(df, selected_only=False)
    assert (summary["count"] == 1).all() and summary["iccs_cc_sem"].isna().all()
    for station, group in latest.groupby("station"):
        assert summary.loc[station, "iccs_cc_mean"] == pytest.approx(group["iccs_cc"].mean())
    assert station_summary(df).equals(station_summary(latest))
    with pytest.raises(InvalidValueError, match="invalid runs 'newest': must be 'latest' or 'all'"):
        station_summary(df, runs="newest")


def test_frame_keeps_t1_iccs_and_event_summary_carries_mccc_rmse(two_runs: Path) -> None:
    df = quality_frame(two_runs)
    runs = {r.run_id: r for r in list_runs(two_runs)}
    for run_id, part in df.groupby("run"):
        np.testing.assert_array_equal(part["t1_iccs"], [r.t1_iccs for r in runs[run_id].rows])
    summary = event_summary(df)
    for run_id, run in runs.items():
        assert summary.loc[(BERKELEY_EVENT, run_id), "mccc_rmse"] == pytest.approx(run.mccc_rmse, nan_ok=True)


def test_event_summary_counts_and_statuses(two_runs: Path) -> None:
    df = quality_frame(two_runs)
    summary = event_summary(df)
    assert list(summary.index) == [(BERKELEY_EVENT, "run_0001"), (BERKELEY_EVENT, "run_0002")]
    for run in list_runs(two_runs):
        row = summary.loc[(BERKELEY_EVENT, run.run_id)]
        assert row["traces"] == 10
        assert row["selected"] == sum(r.select for r in run.rows)
        assert row["status_iccs"] == run.status_iccs
        assert row["iccs_cc_mean"] == pytest.approx(np.mean([r.iccs_cc for r in run.rows if r.select]))


def test_frames_span_events(
    two_runs: Path, sample_set: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    other = fresh_copy(okhotsk(sample_set, tmp_path_factory), tmp_path_factory.mktemp("okhotsk"))
    import asdfkit

    with asdfkit.open(other) as f:
        event_id = str(f.events[0].resource_id)
    align_event(
        other, event_id, params=AlignmentParams(window_pre=-20.0, window_post=40.0, bandpass=(0.02, 0.5))
    )
    df = quality_frame([*list_runs(two_runs), *list_runs(other)])
    assert set(df["event"]) == {BERKELEY_EVENT, event_id}
    assert len(event_summary(df)) == 3
    assert len(quality_frame([])) == 0
