"""Out of ASDF: miniSEED, SAC with headers, StationXML, QuakeML; and the ObsPy plugin."""

from __future__ import annotations

from pathlib import Path

import obspy
import pytest
from click.testing import CliRunner
from obspy.geodetics import gps2dist_azimuth

import asdfkit
from asdfkit.cli.main import cli
from asdfkit.errors import InvalidValueError, NotFoundError
from asdfkit.io.convert import ConvertOptions, convert_to_asdf
from asdfkit.io.export import export
from asdfkit.io.obspy_plugin import is_asdf


@pytest.fixture
def asdf_file(sample_set: Path, tmp_path: Path) -> Path:
    out = tmp_path / "in.h5"
    convert_to_asdf([sample_set], out)
    return out


@pytest.fixture
def sac_asdf(obspy_data: Path, tmp_path: Path) -> Path:
    out = tmp_path / "sac.h5"
    sac = obspy_data / "io" / "sac" / "tests" / "data" / "seism.sac"
    convert_to_asdf([sac], out, ConvertOptions(network="XX", channel="BHZ"))
    return out


def test_mseed_per_trace_round_trip(asdf_file: Path, tmp_path: Path) -> None:
    report = export(asdf_file, tmp_path / "ms", "mseed", per="trace")
    assert len(report.files) == 6
    with asdfkit.open(asdf_file) as f:
        for path in report.files:
            (tr,) = obspy.read(path)
            (stored,) = f.get_waveforms(network=tr.stats.network, station=tr.stats.station,
                                        location=tr.stats.location, channel=tr.stats.channel)
            assert (tr.data == stored.data).all()
            assert tr.stats.starttime == stored.stats.starttime


def test_mseed_per_station_and_selection(asdf_file: Path, tmp_path: Path) -> None:
    report = export(asdf_file, tmp_path / "ms", "mseed", per="station", station="POKR")
    assert [Path(p).name for p in report.files] == ["TA.POKR.raw_recording.mseed"]
    assert len(obspy.read(report.files[0])) == 3


def test_sac_headers_carry_event_station_distance(asdf_file: Path, tmp_path: Path) -> None:
    report = export(asdf_file, tmp_path / "sac", "sac", channel="BHZ", station="113A")
    (path,) = report.files
    tr = obspy.read(path)[0]
    sac = tr.stats.sac
    with asdfkit.open(asdf_file) as f:
        origin = f.events[0].preferred_origin()
        coords = f.get_coordinates("AE.113A")
    assert sac.evla == pytest.approx(origin.latitude, abs=1e-4)
    assert sac.stla == pytest.approx(coords["latitude"], abs=1e-4)
    metres, az, baz = gps2dist_azimuth(origin.latitude, origin.longitude, coords["latitude"], coords["longitude"])
    assert sac.dist == pytest.approx(metres / 1000, rel=1e-4)
    assert sac.baz == pytest.approx(baz, abs=1e-2)
    # the reference time is the origin: o == 0 (to SAC's millisecond reference precision)
    assert abs(sac.o) < 1e-3
    assert abs((tr.stats.starttime - origin.time) - sac.b) < 1e-3


def test_sac_picks_survive_asdf_round_trip(sac_asdf: Path, obspy_data: Path, tmp_path: Path) -> None:
    report = export(sac_asdf, tmp_path / "sac", "sac")
    out = obspy.read(report.files[0])[0].stats.sac
    original = obspy.read(str(obspy_data / "io" / "sac" / "tests" / "data" / "seism.sac"))[0]
    ref_out = out.o  # both relative to their own reference: compare pick minus origin
    ref_in = original.stats.sac.o
    assert out.a - ref_out == pytest.approx(original.stats.sac.a - ref_in, abs=2e-3)
    assert out.ka.strip() == "P"


def test_stationxml_and_quakeml(asdf_file: Path, tmp_path: Path) -> None:
    export(asdf_file, tmp_path / "st.xml", "stationxml", per="file")
    inv = obspy.read_inventory(str(tmp_path / "st.xml"))
    assert sorted(f"{n.code}.{s.code}" for n in inv for s in n) == ["AE.113A", "TA.POKR"]
    export(asdf_file, tmp_path / "q.xml", "quakeml")
    assert len(obspy.read_events(str(tmp_path / "q.xml"))) == 1


def test_bad_export_requests(asdf_file: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError, match="format"):
        export(asdf_file, tmp_path / "x", "wav")
    with pytest.raises(NotFoundError):
        export(asdf_file, tmp_path / "x", "mseed", station="NOPE")


def test_obspy_plugin_reads_asdf(asdf_file: Path, sample_set: Path) -> None:
    assert is_asdf(str(asdf_file))
    assert not is_asdf(str(sample_set / "quake.xml"))
    st = obspy.read(str(asdf_file))
    assert len(st) == 6
    assert len(obspy.read(str(asdf_file), station="POKR")) == 3
    assert len(obspy.read(str(asdf_file), headonly=True)) == 6
    assert len(obspy.read_inventory(str(asdf_file))) == 2
    assert len(obspy.read_events(str(asdf_file))) == 1


def test_cli_convert_both_ways(sample_set: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "c.h5"
    result = runner.invoke(cli, ["convert", str(sample_set), str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert '"traces": 6' in result.output
    result = runner.invoke(cli, ["convert", str(out), str(tmp_path / "sacdir"), "--to", "sac", "--channel", "BHZ"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "sacdir").glob("*.sac"))) == 2
    result = runner.invoke(cli, ["convert", str(sample_set), str(tmp_path / "noext")])
    assert result.exit_code == 2
    result = runner.invoke(cli, ["convert", str(tmp_path / "absent.mseed"), str(tmp_path / "z.h5")])
    assert result.exit_code == 1 and "absent.mseed" in result.output
