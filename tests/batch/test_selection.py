"""``batch run --group/--label``: only the selected traces are processed, and a restart must agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from batch_jobs import bandpass
from click.testing import CliRunner

import asdfkit
from asdfkit.batch import Backend, run
from asdfkit.cli.main import cli
from asdfkit.errors import BatchError


def _stations(path: Path) -> set[str]:
    with asdfkit.open(path) as f:
        return {h.station_id for h in f.list_waveforms()}


def test_a_group_and_a_label_choose_the_traces_and_stations(stations_file: Path, tmp_path: Path) -> None:
    with asdfkit.open(stations_file, "a") as f:
        headers = f.list_waveforms()
        stations = sorted({h.station_id for h in headers})
        chosen = [h for h in headers if h.station_id in stations[:3] and h.channel.endswith("Z")]
        f.groups.create("picked/verticals", members=chosen)
        f.add_labels("good", station=stations[5].split(".")[1])
    out = tmp_path / "grouped.h5"
    summary = run(stations_file, out, bandpass, backend=Backend("local", 1), progress=False,
                  group="picked/verticals")
    assert summary.ok
    with asdfkit.open(out) as f:
        written = f.list_waveforms()
    assert {h.station_id for h in written} == set(stations[:3])
    assert sorted(h.seed_id for h in written) == sorted(h.seed_id for h in chosen)
    labelled = tmp_path / "labelled.h5"
    result = CliRunner().invoke(cli, ["batch", "run", str(stations_file), str(labelled), "--function",
                                      f"{Path(__file__).parent / 'batch_jobs.py'}:bandpass",
                                      "--workers", "1", "--backend", "local", "--label", "good",
                                      "--no-progress"])
    assert result.exit_code == 0, result.output
    assert _stations(labelled) == {stations[5]}


def test_a_restart_with_another_selection_is_refused(stations_file: Path, tmp_path: Path) -> None:
    with asdfkit.open(stations_file, "a") as f:
        headers = f.list_waveforms()
        f.groups.create("one", members=headers[:1])
        f.groups.create("two", members=headers[-1:])
    out = tmp_path / "out.h5"
    assert run(stations_file, out, bandpass, backend=Backend("local", 1), progress=False, group="one",
               merge_output=False).ok
    with pytest.raises(BatchError):
        run(stations_file, out, bandpass, backend=Backend("local", 1), progress=False, group="two")


def test_a_selection_matching_nothing_is_refused(stations_file: Path, tmp_path: Path) -> None:
    with pytest.raises(BatchError, match="matches"):
        run(stations_file, tmp_path / "none.h5", bandpass, backend=Backend("local", 1), progress=False,
            labels="nowhere")
    assert not (tmp_path / "none.h5").exists()
