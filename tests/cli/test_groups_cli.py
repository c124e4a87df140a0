"""``asdf-cli group``, ``label`` and ``info --traces`` on real data: JSON shapes and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import obspy
import pytest
from click.testing import CliRunner
from obspy.geodetics import gps2dist_azimuth

import asdfkit
from asdfkit.cli.main import cli
from tests.conftest import snapshot


@pytest.fixture
def built(tmp_path: Path) -> Path:
    path = tmp_path / "x.h5"
    with asdfkit.open(path, "w") as f:
        f.add_events(obspy.read_events())
        f.add_stations(obspy.read_inventory())
        f.add_waveforms(obspy.read(), tag="raw_recording")
    return path


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout


def test_group_lifecycle(built: Path) -> None:
    code, out = run("group", "create", built, "arrays/ring1", "--channel", "EHZ,EHN", "--comment", "two", "--json")
    assert code == 0 and json.loads(out)["kind"] == "static" and len(json.loads(out)["members"]) == 2
    code, out = run("group", "create", built, "east", "--channel", "EH?", "--dynamic", "--json")
    assert code == 0 and json.loads(out)["query"] == {"channel": "EH?"}
    code, out = run("group", "list", built, "--json")
    assert code == 0 and json.loads(out) == {"groups": [
        {"name": "arrays/ring1", "kind": "static", "comment": "two", "members": 2},
        {"name": "east", "kind": "dynamic", "comment": "", "members": 3}]}
    code, out = run("group", "add", built, "arrays/ring1", "--channel", "EHE")
    assert code == 0
    code, out = run("group", "remove", built, "arrays/ring1", "--channel", "EHZ", "--json")
    assert code == 0 and json.loads(out) == {"name": "arrays/ring1", "removed": 1, "members": 2}
    code, out = run("group", "show", built, "arrays/ring1", "--json")
    shown = json.loads(out)
    assert code == 0 and set(shown) >= {"name", "kind", "comment", "query", "members"}
    assert [m.split("__")[0] for m in shown["members"]] == ["BW.RJOB..EHE", "BW.RJOB..EHN"]
    assert run("group", "rename", built, "arrays/ring1", "arrays/north/ring1")[0] == 0
    assert run("group", "delete", built, "east")[0] == 0
    code, out = run("group", "list", built, "--json")
    assert [g["name"] for g in json.loads(out)["groups"]] == ["arrays/north/ring1"]


def test_usage_errors_exit_2_and_write_nothing(built: Path) -> None:
    assert run("group", "create", built, "east", "--channel", "EH?", "--dynamic")[0] == 0
    before = snapshot(built)
    assert run("group", "add", built, "east", "--channel", "EHZ")[0] == 2
    assert run("group", "show", built, "nope")[0] == 2
    assert run("group", "delete", built, "nope")[0] == 2
    assert run("group", "create", built, "east", "--channel", "EHZ")[0] == 2
    assert run("group", "create", built, "bad name")[0] == 2
    assert run("group", "create", built, "d2", "--dynamic")[0] == 2  # a query needs a criterion
    assert run("label", "add", built, "a,b")[0] == 2
    assert run("info", built, "--station", "RJOB")[0] == 2  # selection without --traces
    # a usage error is reported before an empty selection (exit 1)
    assert run("group", "create", built, "east", "--channel", "NOPE")[0] == 2
    assert run("group", "create", built, "bad name", "--channel", "NOPE")[0] == 2
    assert run("label", "add", built, "a,b", "--station", "NOPE")[0] == 2
    assert run("group", "create", built, "west", "--channel", "NOPE")[0] == 1
    assert run("label", "remove", built, "gone", "--station", "NOPE")[0] == 1
    assert snapshot(built) == before


def test_labels_and_selection(built: Path) -> None:
    code, out = run("label", "add", built, "good", "--channel", "EHZ", "--json")
    assert code == 0 and json.loads(out) == {"label": "good", "changed": 1}
    code, out = run("group", "create", built, "picked", "--label", "good", "--dynamic")
    assert code == 0
    code, out = run("info", built, "--traces", "--group", "picked", "--json")
    rows = json.loads(out)["traces"]
    assert code == 0 and [r["channel"] for r in rows] == ["EHZ"] and rows[0]["labels"] == "good"
    assert run("label", "remove", built, "good", "--json")[1] == json.dumps({"label": "good", "changed": 1}) + "\n"
    code, out = run("info", built, "--traces", "--group", "picked", "--json")
    assert code == 0 and json.loads(out) == {"traces": []}


def test_info_traces_with_event(built: Path) -> None:
    event = obspy.read_events()[0]
    origin = event.preferred_origin() or event.origins[0]
    rjob = obspy.read_inventory().select(network="BW", station="RJOB")[0].stations[-1]  # latest epoch
    coords = {"latitude": rjob.latitude, "longitude": rjob.longitude}
    code, out = run("info", built, "--traces", "--event", event.resource_id, "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3
    metres = gps2dist_azimuth(origin.latitude, origin.longitude, coords["latitude"], coords["longitude"])[0]
    assert all(abs(float(r["distance_km"]) * 1000 - metres) < 1 for r in rows)
    code, out = run("info", built, "--traces", "--channel", "EHZ", "--json")
    (row,) = json.loads(out)["traces"]
    assert row["starttime"].startswith("2009-08-24T00:20:03") and row["npts"] == 3000
    assert row["station_latitude"] == pytest.approx(coords["latitude"])
    assert run("info", built, "--traces", "--event", "smi:none")[0] == 2


def test_extract_and_export_by_group_and_label(built: Path, tmp_path: Path) -> None:
    assert run("group", "create", built, "horizontal", "--channel", "EHN,EHE")[0] == 0
    assert run("label", "add", built, "picked", "--channel", "EHZ")[0] == 0
    out = tmp_path / "h.h5"
    assert run("extract", built, out, "--group", "horizontal")[0] == 0
    with asdfkit.open(out) as f:
        assert sorted(h.channel for h in f.list_waveforms()) == ["EHE", "EHN"]
        assert len(f.groups["horizontal"].members) == 2 and not f.groups.missing()
    code, out_json = run("convert", built, tmp_path / "sac", "--to", "sac", "--group", "horizontal", "--json")
    assert code == 0 and json.loads(out_json)["traces"] == 2
    code, out_json = run("convert", built, tmp_path / "sac2", "--to", "sac", "--label", "picked", "--json")
    files = json.loads(out_json)["files"]
    assert code == 0 and len(files) == 1 and ".EHZ." in files[0]
    assert run("extract", built, tmp_path / "n.h5", "--group", "nope")[0] != 0
    assert not (tmp_path / "n.h5").exists()
