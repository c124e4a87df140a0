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
    assert result.exit_code == 2 and "absent.mseed" in result.output


WINDOW = (obspy.UTCDateTime("2013-05-24T05:50:00.012"), obspy.UTCDateTime("2013-05-24T05:51:00"))


@pytest.mark.parametrize(("fmt", "per"), [("mseed", "trace"), ("mseed", "file"), ("sac", "trace")])
def test_time_window_cuts_the_exported_traces(asdf_file: Path, tmp_path: Path, fmt: str, per: str) -> None:
    t1, t2 = WINDOW
    out = tmp_path / ("one.mseed" if per == "file" else "dir")
    report = export(asdf_file, out, fmt, per=per, station="113A", starttime=t1, endtime=t2)
    assert report.traces == 3
    exported = obspy.Stream()
    for path in report.files:
        exported += obspy.read(path)
    with asdfkit.open(asdf_file) as f:
        for tr in exported:
            (stored,) = f.get_waveforms(station="113A", channel=tr.stats.channel)
            expected = stored.slice(t1, t2)
            assert tr.stats.npts == expected.stats.npts == 2401  # 60 s at 40 Hz, both ends; not 70 min
            assert abs(tr.stats.starttime - expected.stats.starttime) < 1e-3  # SAC keeps milliseconds
            assert (tr.data == expected.data.astype(tr.data.dtype)).all()


def test_stationxml_export_selects_channels_and_stations_without_waveforms(asdf_file: Path, tmp_path: Path) -> None:
    export(asdf_file, tmp_path / "z.xml", "stationxml", per="file", channel="BHZ")
    inv = obspy.read_inventory(str(tmp_path / "z.xml"))
    assert sorted({c.code for n in inv for s in n for c in s}) == ["BHZ"]
    # 113A, POKR and POKR.01 (no waveforms there; two epochs in the real StationXML)
    assert sorted(set(inv.get_contents()["channels"])) == ["AE.113A..BHZ", "TA.POKR..BHZ", "TA.POKR.01.BHZ"]
    export(asdf_file, tmp_path / "p.xml", "stationxml", per="file", station="POKR", location="01")
    inv = obspy.read_inventory(str(tmp_path / "p.xml"))
    assert sorted(set(inv.get_contents()["channels"])) == ["TA.POKR.01.BHE", "TA.POKR.01.BHN", "TA.POKR.01.BHZ"]
    # a criterion only traces have keeps the channels of the selected traces
    export(asdf_file, tmp_path / "t.xml", "stationxml", per="file", tag="raw_recording", station="POKR")
    inv = obspy.read_inventory(str(tmp_path / "t.xml"))
    assert sorted(inv.get_contents()["channels"]) == ["TA.POKR..BHE", "TA.POKR..BHN", "TA.POKR..BHZ"]
    # channel epochs outside the window are left out (POKR.01 has two: 2012-10-02 to 2013-06-14, and on)
    export(asdf_file, tmp_path / "w.xml", "stationxml", per="file", station="POKR", location="01",
           starttime=obspy.UTCDateTime(2013, 7, 1))
    channels = [c for n in obspy.read_inventory(str(tmp_path / "w.xml")) for s in n for c in s]
    assert len(channels) == 3 and {str(c.start_date) for c in channels} == {"2013-06-14T19:00:00.000000Z"}
    with pytest.raises(NotFoundError, match="StationXML"):
        export(asdf_file, tmp_path / "old.xml", "stationxml", station="POKR", location="01",
               endtime=obspy.UTCDateTime(2012, 1, 1))
    report = export(asdf_file, tmp_path / "per", "stationxml", per="station", channel="BHZ")
    assert [Path(p).name for p in report.files] == ["AE.113A.xml", "TA.POKR.xml"]


def test_quakeml_export_follows_the_selection(asdf_file: Path, tmp_path: Path) -> None:
    with asdfkit.open(asdf_file) as f:
        event = f.events[0]
        origin_time = event.preferred_origin().time
    export(asdf_file, tmp_path / "a.xml", "quakeml", station="POKR")  # the event POKR's traces belong to
    assert [str(e.resource_id) for e in obspy.read_events(str(tmp_path / "a.xml"))] == [str(event.resource_id)]
    export(asdf_file, tmp_path / "b.xml", "quakeml", starttime=origin_time - 60, endtime=origin_time + 60)
    assert len(obspy.read_events(str(tmp_path / "b.xml"))) == 1
    with pytest.raises(NotFoundError, match="no event"):
        export(asdf_file, tmp_path / "c.xml", "quakeml", starttime=origin_time + 60)
    with pytest.raises(NotFoundError, match="no event"):
        export(asdf_file, tmp_path / "d.xml", "quakeml", event_id="smi:local/not-there")
    assert not (tmp_path / "c.xml").exists() and not (tmp_path / "d.xml").exists()


def test_sac_stel_is_the_station_elevation_and_float64_is_reported(sample_set: Path, tmp_path: Path) -> None:
    inv = obspy.read_inventory(str(sample_set / "AE.113A..BH_.xml"))
    for channel in inv[0][0]:  # make the real station a 30 m borehole: channel elevation = surface - depth
        channel.depth, channel.elevation = 30.0, inv[0][0].elevation - 30.0
    stream = obspy.read(str(sample_set / "AE.113A..BHZ.mseed"))
    stream[0].data = stream[0].data.astype("float64") + 0.1  # not representable in float32
    with asdfkit.open(tmp_path / "b.h5", "w") as f:
        f.add_stations(inv)
        f.add_waveforms(stream, tag="raw_recording")
    report = export(tmp_path / "b.h5", tmp_path / "sac", "sac")
    sac = obspy.read(report.files[0])[0].stats.sac
    assert sac.stel == pytest.approx(inv[0][0].elevation) and sac.stdp == pytest.approx(30.0)
    assert [c.what for c in report.changes] == ["dtype", "samples"]  # cast, and the values it rounded
    for warning in report.warnings:
        assert "AE.113A..BHZ" in warning and "float32" in warning
    assert "float64" in report.warnings[0]


def test_css_export_cuts_to_the_window_and_keeps_what_goes_with_it(asdf_file: Path, tmp_path: Path) -> None:
    from asdfkit.io.css import asdf_to_css, read_css

    t1, t2 = WINDOW
    with asdfkit.open(asdf_file) as f:
        asdf_to_css(f, tmp_path / "db", station="113A", starttime=t1, endtime=t2)
    back = read_css(tmp_path / "db")
    traces = list(back.traces())
    assert len(traces) == 3 and {t.stats.npts for t in traces} == {2401}
    assert back.inventory().get_contents()["stations"][0].startswith("AE.113A")
    assert len(back.inventory().get_contents()["stations"]) == 1
    assert len(back.events()) == 1  # the event 113A's traces belong to


def test_cut_files_are_named_by_their_own_start(asdf_file: Path, tmp_path: Path) -> None:
    t1, t2 = WINDOW
    report = export(asdf_file, tmp_path / "dir", "mseed", station="113A", channel="BHZ", starttime=t1, endtime=t2)
    (name,) = [Path(p).name for p in report.files]
    start = obspy.read(report.files[0])[0].stats.starttime
    assert name == f"AE.113A..BHZ.raw_recording.20130524T055000.{start.ns % 10**9:09d}.mseed"
    assert start == obspy.UTCDateTime("2013-05-24T05:50:00")  # the window's start, cut to the nearest sample
