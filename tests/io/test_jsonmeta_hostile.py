"""Hostile AIMBAT JSON metadata gives one clear refusal (exit 1), never a traceback or bad StationXML.

Reproduced first (issue 14, item 9): deep nesting raised RecursionError, a
5000-digit number ValueError, NaN depths ObsPy's ValueError, a NUL in a station
name lxml's ValueError, all as tracebacks; an infinite elevation was stored
as XSD-invalid StationXML with exit 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import obspy
import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit.cli.main import cli
from asdfkit.errors import InvalidValueError
from asdfkit.io.jsonmeta import read_json_metadata

STATION = {"name": "RJOB", "network": "BW", "location": "", "channel": "EHZ", "latitude": 47.7,
           "longitude": 12.8, "elevation": 860.0}
EVENT = {"time": "2009-08-24T00:20:00", "latitude": 47.0, "longitude": 12.0, "depth": 10.0}
BIG = "1" * 5000

HOSTILE = {
    "deep-nesting": ("[" * 100_000 + "]" * 100_000, "nested deeper than the parser allows"),
    "nan-depth": (json.dumps([dict(EVENT, depth=float("nan"))]), "NaN is not a JSON number"),
    "inf-elevation": (json.dumps([dict(STATION, elevation=float("inf"))]), "Infinity is not a JSON number"),
    "-inf-depth": (json.dumps([dict(EVENT, depth=float("-inf"))]), "-Infinity is not a JSON number"),
    "overflowing-depth": (json.dumps([dict(EVENT, depth=1e306)]), r"invalid depth 1e\+306 .*-10 to 6371 km"),
    "elevation-out-of-range": (json.dumps([dict(STATION, elevation=1e7)]), r"-12000 to 9000 m"),
    "nul-in-name": (json.dumps([dict(STATION, name="RJ\x00OB")]), r"invalid station code 'RJ\\x00OB'"),
    "nul-in-channel": (json.dumps([dict(STATION, channel="EH\x00")]), "invalid channel"),
    "5000-digit-int": (json.dumps([STATION]).replace("860.0", BIG), "a number of 5000 characters"),
    "5000-digit-float": (json.dumps([STATION]).replace("860.0", BIG + ".5"), "a number of 5002 characters"),
    "huge-time": (json.dumps([dict(EVENT, time=1e300)]), "invalid time"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_json_is_refused_by_the_library(tmp_path: Path, case: str) -> None:
    text, message = HOSTILE[case]
    path = tmp_path / "meta.json"
    path.write_text(text)
    with pytest.raises(InvalidValueError, match=message):
        read_json_metadata(path)


@pytest.mark.parametrize("case", ["deep-nesting", "inf-elevation", "nul-in-name", "5000-digit-int"])
def test_hostile_json_is_refused_by_convert_with_exit_1(tmp_path: Path, case: str) -> None:
    path = tmp_path / "meta.json"
    path.write_text(HOSTILE[case][0])
    mseed = tmp_path / "rjob.mseed"
    obspy.read().write(str(mseed), format="MSEED")
    out = tmp_path / "out.h5"
    result = CliRunner().invoke(cli, ["convert", str(mseed), "--stations", str(path), str(out)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"cannot read {path}" in result.stderr and "--skip-bad" in result.stderr
    assert not out.exists()
    skipped = CliRunner().invoke(cli, ["convert", str(mseed), "--stations", str(path), str(out), "--skip-bad"])
    assert skipped.exit_code == 0, skipped.output
    with asdfkit.open(out) as f:
        assert len(f.list_waveforms()) == 3 and f.stations_with_stationxml == []


def test_good_json_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "meta.json"
    path.write_text(json.dumps({"events": [EVENT], "stations": [STATION, dict(STATION, channel="EHN")]}))
    catalog, inventory = read_json_metadata(path)
    assert len(catalog) == 1 and catalog[0].origins[0].depth == 10_000.0
    assert [c.code for c in inventory[0][0]] == ["EHZ", "EHN"]
    assert inventory[0][0].elevation == 860.0
