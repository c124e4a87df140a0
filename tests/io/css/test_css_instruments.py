"""calib/calper as the channel sensitivity; response files from the instrument table."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from obspy import UTCDateTime, read_inventory

from asdfkit.io.css import read_css
from asdfkit.io.css.instruments import calib_from_sensitivity, sensitivity_from_calib
from asdfkit.io.css.samples import encode

T = 1_577_836_800_000_000_000


def test_calib_is_nanometres_per_count_of_the_segtype_motion() -> None:
    s = sensitivity_from_calib(0.25, 2.0, "V")
    assert (s.value, s.frequency, s.input_units, s.output_units) == (4e9, 0.5, "M/S", "COUNTS")
    assert sensitivity_from_calib(0.25, 2.0, "A").input_units == "M/S**2"
    assert sensitivity_from_calib(0.25, 2.0, None).input_units == "M"  # CSS3.0: displacement
    assert sensitivity_from_calib(1.0, None, "V") is None  # no calper, no frequency
    assert sensitivity_from_calib(None, 1.0, "V") is None
    assert calib_from_sensitivity(s) == (0.25, 2.0, "V")


@pytest.fixture
def instrument_db(tmp_path: Path, make_db: Callable[..., Path], wfrow: Callable[..., dict[str, Any]],
                  obspy_sac: Path) -> Callable[[str, str], Path]:
    (tmp_path / "a.w").write_bytes(encode(np.arange(100, dtype=np.int32), "s4"))
    (tmp_path / "resp").mkdir()
    shutil.copy(obspy_sac / "RESP.NZ.CRLZ.10.HHZ", tmp_path / "resp" / "crlz.resp")
    shutil.copy(obspy_sac / "SAC_PZs_NZ_CRLZ_HHZ", tmp_path / "resp" / "crlz.pz")
    (tmp_path / "resp" / "antelope").write_text("theoretical  0   instrument    paz   STS-1\n1.0 1.0\n")

    def build(dfile: str, directory: str = "resp") -> Path:
        make_db("wfdisc", [wfrow("CRLZ", "HHZ", T, 100, "s4", "a.w", calib=0.5, calper=1.0, segtype="V")])
        make_db("sitechan", [{"sta": "CRLZ", "chan": "HHZ", "ondate": 2019001, "chanid": 1, "edepth": 0.0,
                              "hang": 0.0, "vang": 0.0}])
        make_db("site", [{"sta": "CRLZ", "ondate": 2019001, "lat": -43.0, "lon": 172.0, "elev": 0.1}])
        make_db("snetsta", [{"snet": "NZ", "fsta": "CRLZ", "sta": "CRLZ"}])
        make_db("schanloc", [{"sta": "CRLZ", "fchan": "HHZ", "loc": "10", "chan": "HHZ"}])
        make_db("sensor", [{"sta": "CRLZ", "chan": "HHZ", "time": 0, "endtime": None, "inid": 7, "chanid": 1,
                            "jdate": 1970001, "calratio": 1.0, "calper": 1.0, "tshift": 0.0, "instant": "y"}])
        return make_db("instrument", [{"inid": 7, "insname": "test", "band": "h", "digital": "d",
                                       "samprate": 100.0, "ncalib": 0.5, "ncalper": 1.0, "dir": directory,
                                       "dfile": dfile, "rsptype": "V"}])

    return build


def _channel(db: Path) -> Any:
    reader = read_css(db)
    return reader, reader.inventory().select(station="CRLZ")[0][0][0]


def test_resp_file_is_attached(instrument_db: Callable[[str, str], Path], obspy_sac: Path) -> None:
    reader, channel = _channel(instrument_db("crlz.resp"))
    expected = read_inventory(str(obspy_sac / "RESP.NZ.CRLZ.10.HHZ"), format="RESP")[0][0][0].response
    assert channel.location_code == "10"
    assert len(channel.response.response_stages) == len(expected.response_stages)
    assert channel.response.instrument_sensitivity.value == expected.instrument_sensitivity.value
    assert not reader.report.issues_of("response")


def test_sac_pz_file_is_attached(instrument_db: Callable[[str, str], Path], obspy_sac: Path) -> None:
    reader, channel = _channel(instrument_db("crlz.pz"))
    resp = read_inventory(str(obspy_sac / "RESP.NZ.CRLZ.10.HHZ"), format="RESP")[0][0][0].response
    ours = channel.response
    assert ours.instrument_sensitivity.input_units == "M"
    assert ours.instrument_sensitivity.frequency == 1.0  # 1 / the instrument's ncalper
    # The PZ file is that RESP in displacement: one more zero at 0, sensitivity times 2*pi*f at 1 Hz.
    velocity = ours.instrument_sensitivity.value / (2 * np.pi)
    assert velocity == pytest.approx(resp.instrument_sensitivity.value, rel=2e-3)
    assert resp.response_stages[0].pz_transfer_function_type == "LAPLACE (HERTZ)"
    assert sorted((2 * np.pi * complex(p) for p in resp.response_stages[0].poles), key=abs) == pytest.approx(
        sorted(ours.response_stages[0].poles, key=abs), rel=1e-3)
    assert not reader.report.issues_of("response")


def test_unreadable_or_missing_response_falls_back_to_calib(instrument_db: Callable[[str, str], Path]) -> None:
    for dfile in ("antelope", "absent"):
        reader, channel = _channel(instrument_db(dfile))
        assert channel.response.instrument_sensitivity.value == pytest.approx(2e9)
        issue = reader.report.issues_of("response")[0]
        assert ("neither RESP nor SAC" if dfile == "antelope" else "not found") in str(issue)
        assert "instrument:1" in issue.where


def test_instrument_dir_is_remapped(instrument_db: Callable[[str, str], Path], tmp_path: Path) -> None:
    db = instrument_db("crlz.resp", "/machine/gone/resp")
    reader = read_css(db, remap={"/machine/gone": str(tmp_path)})
    channel = reader.inventory().select(station="CRLZ")[0][0][0]
    assert channel.response.response_stages and not reader.report.issues_of("response")


def test_sensor_epoch_opening_later_on_the_ondate_is_found(tmp_path: Path, make_db: Callable[..., Path],
                                                          wfrow: Callable[..., dict[str, Any]], obspy_sac: Path) -> None:
    # Like the real berkeley_1998 sensor rows (BKS: sitechan ondate 1993347, sensor time 23:54 that day).
    (tmp_path / "a.w").write_bytes(encode(np.arange(100, dtype=np.int32), "s4"))
    (tmp_path / "resp").mkdir()
    shutil.copy(obspy_sac / "RESP.NZ.CRLZ.10.HHZ", tmp_path / "resp" / "crlz.resp")
    opened = 1_546_300_800_000_000_000 + (23 * 3600 + 54 * 60) * 10**9  # 2019-01-01T23:54
    make_db("wfdisc", [wfrow("CRLZ", "HHZ", T, 100, "s4", "a.w", calib=0.5, calper=1.0, segtype="V")])
    make_db("sitechan", [{"sta": "CRLZ", "chan": "HHZ", "ondate": 2019001, "chanid": 4, "edepth": 0.0,
                          "hang": 0.0, "vang": 0.0},
                         {"sta": "CRLZ", "chan": "HHN", "ondate": 2019001, "chanid": 5, "edepth": 0.0,
                          "hang": 0.0, "vang": 90.0}])
    make_db("site", [{"sta": "CRLZ", "ondate": 2019001, "lat": -43.0, "lon": 172.0, "elev": 0.1}])
    make_db("snetsta", [{"snet": "NZ", "fsta": "CRLZ", "sta": "CRLZ"}])
    make_db("sensor", [
        {"sta": "CRLZ", "chan": "HHZ", "time": opened, "endtime": None, "inid": 7, "chanid": 4},
        # HHN's only sensor epoch closed before its channel opened: no instrument, and the report says so
        {"sta": "CRLZ", "chan": "HHN", "time": 0, "endtime": 10**15, "inid": 7, "chanid": 99},
    ])
    db = make_db("instrument", [{"inid": 7, "insname": "test", "band": "h", "digital": "d", "samprate": 100.0,
                                 "ncalib": 0.5, "ncalper": 1.0, "dir": "resp", "dfile": "crlz.resp",
                                 "rsptype": "V"}])
    reader = read_css(db)
    station = reader.inventory().select(station="CRLZ")[0][0]
    hhz = station.select(channel="HHZ")[0]
    assert hhz.response.response_stages  # the RESP file, reached through the sensor row
    assert hhz.start_date.ns == opened  # the epoch to the minute the sensor row gives, not midnight
    hhn = station.select(channel="HHN")[0]
    assert hhn.response is None or not hhn.response.response_stages
    (issue,) = [i for i in reader.report.issues_of("response") if "HHN" in i.message]
    assert "no sensor row of CRLZ HHN overlaps" in issue.message


def test_calibration_table_of_berkeley_gives_each_epoch_its_sensitivity(berkeley: Path) -> None:
    from asdfkit.io.css.database import CssDatabase

    rows = list(CssDatabase.locate(berkeley).rows("calibration"))
    assert len(rows) == 142 and {r["sta"] for r in rows} == {"BKS", "CMB", "KCC", "PKD"}
    assert {r["units"] for r in rows if r["chan"].startswith("BH")} == {"nm/sec"}
    reader = read_css(berkeley, default_network="BK")
    inventory = reader.inventory()
    bhe = sorted(inventory.select(station="BKS", channel="BHE")[0][0], key=lambda c: c.start_date)
    assert [str(c.start_date) for c in bhe] == ["1993-12-13T23:54:00.000000Z", "1998-02-18T16:47:00.000000Z"]
    assert bhe[0].end_date == bhe[1].start_date
    # calib 0.951809866 nm/s per count at 1 s in the second calibration epoch (the one of the event)
    sens = inventory.get_response("BK.BKS..BHE", UTCDateTime(1998, 8, 12, 14, 10)).instrument_sensitivity
    assert sens.value == pytest.approx(1e9 / 0.951809866, rel=1e-12)
    assert (sens.frequency, sens.input_units) == (1.0, "M/S")
    assert bhe[0].response.instrument_sensitivity.value == pytest.approx(1e9 / 0.936312054, rel=1e-12)
    # a channel without waveforms takes its rate from its instrument row (BKS LHZ: 1 Hz)
    assert {c.sample_rate for c in inventory.select(station="BKS", channel="LHZ")[0][0]} == {1.0}
    # every recorded channel of the four stations the tables describe has its sensitivity at the event
    recorded = [t.id for t in reader.traces() if t.stats.station in {"BKS", "CMB", "KCC", "PKD"}]
    assert len(recorded) == 12
    for seed_id in recorded:
        assert inventory.get_response(seed_id, UTCDateTime(1998, 8, 12, 14, 10)).instrument_sensitivity.value > 1e8


def test_open_calibration_epoch_ends_where_the_next_begins() -> None:
    from asdfkit.io.css.stations import split_epoch

    def row(time: str) -> dict[str, Any]:
        return {"time": UTCDateTime(time).ns, "endtime": None, "id": time}

    pieces = split_epoch(UTCDateTime(2020, 1, 1), UTCDateTime(2020, 2, 1),
                         [row("2020-01-01T03:00"), row("2020-01-06")])  # type: ignore[list-item]
    assert [(str(a)[:10], str(b)[:10], c["id"]) for a, b, c in pieces] == [
        ("2020-01-01", "2020-01-06", "2020-01-01T03:00"), ("2020-01-06", "2020-02-01", "2020-01-06")]
