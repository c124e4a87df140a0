"""``asdf-cli``'s group options and the ``info`` command, on real data."""

from __future__ import annotations

import json
from pathlib import Path

import click
import obspy
import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit.cli.main import cli


@pytest.fixture
def built(tmp_path: Path) -> Path:
    path = tmp_path / "x.h5"
    with asdfkit.open(path, "w") as f:
        f.add_events(obspy.read_events())
        f.add_stations(obspy.read_inventory())
        f.add_waveforms(obspy.read(), tag="raw_recording")
        f.add_waveforms(obspy.read().select(channel="EHZ"), tag="other")
    return path


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert asdfkit.__version__ in result.output


def test_every_command_has_help() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--help"]).exit_code == 0
    for name in cli.list_commands(click.Context(cli)):
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Usage:" in result.output


def test_info_text(built: Path) -> None:
    result = CliRunner().invoke(cli, ["info", str(built)])
    assert result.exit_code == 0, result.output
    assert "ASDF 1.0.3" in result.output
    assert "events:      3" in result.output
    assert "raw_recording: 3" in result.output
    assert "other: 1" in result.output
    assert "2009-08-24T00:20:03" in result.output


def test_info_json(built: Path) -> None:
    result = CliRunner().invoke(cli, ["info", "--json", str(built)])
    assert result.exit_code == 0, result.output
    (doc,) = json.loads(result.stdout)["files"]
    assert doc["traces"] == 4
    assert doc["traces_per_tag"] == {"other": 1, "raw_recording": 3}
    assert doc["stations"] == 3 and doc["stations_with_stationxml"] == 3
    assert doc["format_version"] == "1.0.3"


def test_info_does_not_modify(built: Path, file_snapshot) -> None:
    before, mtime = file_snapshot(built), built.stat().st_mtime_ns
    assert CliRunner().invoke(cli, ["info", str(built)]).exit_code == 0
    assert file_snapshot(built) == before
    assert built.stat().st_mtime_ns == mtime


def test_info_missing_and_non_hdf5_files_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["info", str(tmp_path / "absent.h5")])
    assert result.exit_code == 2
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"not hdf5 at all")
    result = runner.invoke(cli, ["info", str(junk)])
    assert result.exit_code == 2
    assert "not an HDF5 file" in result.output


def test_info_bad_quakeml_exits_1(built: Path) -> None:
    import h5py
    import numpy as np

    with h5py.File(built, "r+") as f:
        del f["QuakeML"]
        f.create_dataset("QuakeML", data=np.frombuffer(b"<not-xml", dtype=np.int8), maxshape=(None,))
    result = CliRunner().invoke(cli, ["info", str(built)])
    assert result.exit_code == 1
    assert "QuakeML" in result.output


def test_usage_error_exits_2() -> None:
    result = CliRunner().invoke(cli, ["info"])
    assert result.exit_code == 2
