"""berkeley_1998: a real Antelope css3.0 database converts completely, into ASDF and back to CSS."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from obspy import Inventory
from obspy.io.sac import SACTrace

import asdfkit
from asdfkit.errors import InvalidValueError
from asdfkit.io.css import CssReader, asdf_to_css, css_to_asdf, read_css, write_css

STATIONS = ["BKS", "CMB", "HOPS", "JRSC", "KCC", "MHC", "ORV", "PKD", "SAO", "YBH"]
SAC_ONLY = {"HOPS", "JRSC", "MHC", "ORV", "SAO", "YBH"}


@pytest.fixture(scope="module")
def converted(berkeley: Path) -> tuple[CssReader, list, Inventory, object]:
    reader = read_css(berkeley, default_network="BK")
    traces = list(reader.traces())
    return reader, traces, reader.inventory(), reader.events()


def test_all_30_traces_of_10_stations(converted: tuple, berkeley: Path) -> None:
    reader, traces, _, _ = converted
    assert len(traces) == 30 and reader.report.counts["traces"] == 30
    assert sorted({t.stats.station for t in traces}) == STATIONS
    assert {t.id.rsplit(".", 1)[0] for t in traces} == {f"BK.{s}." for s in STATIONS}
    assert sorted({t.stats.channel for t in traces}) == ["BHE", "BHN", "BHZ"]
    assert reader.report.missing == []
    bks = next(t for t in traces if t.id == "BK.BKS..BHE")
    assert bks.stats.starttime.ns == 902_931_000_015_640_000  # exact, from the wfdisc column
    assert bks.stats.npts == 6000 and bks.stats.sampling_rate == 20.0
    sac = SACTrace.read(str(berkeley.parent / "19980812141000.BKS.BHE"), byteorder="little")
    assert np.array_equal(bks.data, sac.data)


def test_every_station_has_coordinates_tables_first(converted: tuple) -> None:
    _, _, inventory, _ = converted
    assert sorted(s.code for s in inventory.select(network="BK")[0]) == STATIONS
    coords = {s.code: (s.latitude, s.longitude, s.elevation) for s in inventory[0]}
    assert coords["BKS"] == pytest.approx((37.8762, -122.2355, 243.9))  # site table, not SAC's 276 m
    assert coords["HOPS"] == pytest.approx((38.9935, -123.0723, 299.1), abs=1e-4)  # SAC header
    for code in SAC_ONLY:
        channels = inventory.select(station=code)[0][0].channels
        assert sorted(c.code for c in channels) == ["BHE", "BHN", "BHZ"]
        z = next(c for c in channels if c.code == "BHZ")
        assert z.dip == -90.0 and z.sample_rate == 20.0
    bks_z = inventory.select(station="BKS", channel="BHZ")[0][0][0]
    assert bks_z.depth == pytest.approx(25.6) and bks_z.dip == -90.0 and bks_z.azimuth == 0.0
    assert bks_z.elevation == pytest.approx(243.9 - 25.6)


def test_fallbacks_and_disagreements_are_reported(converted: tuple) -> None:
    reader, _, _, _ = converted
    report = reader.report
    bks = [d for d in report.disagreements if d.subject == "BK.BKS" and d.field == "elevation"]
    assert len(bks) == 1 and bks[0].table_value == pytest.approx(243.9) and bks[0].other_value == 276.0
    assert bks[0].used == "table"
    fallback = " ".join(str(i) for i in report.issues_of("fallback"))
    assert all(f"station BK.{s}: no site row; coordinates from the SAC header" in fallback for s in SAC_ONLY)
    network = " ".join(str(i) for i in report.issues_of("network"))
    assert all(f"station {s}: network BK from the default_network option" in network for s in SAC_ONLY)
    assert not any("BKS" in str(i) for i in report.issues_of("network"))
    assert report.issues_of("response")  # instrument response files are not in the database


def test_the_event(converted: tuple) -> None:
    _, _, _, catalog = converted
    assert len(catalog) == 1
    origin = catalog[0].preferred_origin()
    assert origin.time.ns == 902_931_023 * 10**9
    assert (origin.latitude, origin.longitude, origin.depth) == (36.755, -121.464, 8000.0)
    assert catalog[0].magnitudes[0].mag == 5.1 and catalog[0].magnitudes[0].magnitude_type == "ML"


def test_without_a_network_option_the_stations_are_named(berkeley: Path) -> None:
    reader = read_css(berkeley)
    with pytest.raises(InvalidValueError) as info:
        next(reader.traces())
    message = str(info.value)
    assert "HOPS, JRSC, MHC, ORV, SAO, YBH" in message and "default_network" in message
    with pytest.raises(InvalidValueError, match="default_network"):
        reader.inventory()
    assert len(reader.events()) == 1  # events need no station


def test_into_asdf_and_pyasdf_opens_it(berkeley: Path, tmp_path: Path) -> None:
    import pyasdf

    path = tmp_path / "berkeley.h5"
    with asdfkit.open(path, "w") as f:
        report = css_to_asdf(berkeley, f, default_network="BK")
    assert report.counts["traces"] == 30
    with asdfkit.open(path) as f:
        assert len(f.list_waveforms()) == 30 and len(f.events) == 1
        assert sorted(f.stations_with_stationxml) == [f"BK.{s}" for s in STATIONS]
        trace = f.get_waveforms(station="KCC", channel="BHZ")[0]
        assert trace.stats.starttime.ns == 902_931_000_040_700_000
    ds = pyasdf.ASDFDataSet(str(path), mode="r")
    try:
        assert len(ds.waveforms) == 10 and len(ds.events) == 1
        assert ds.waveforms["BK.HOPS"].StationXML[0][0].latitude == pytest.approx(38.9935, abs=1e-4)
        assert len(ds.waveforms["BK.ORV"].raw_recording) == 3
    finally:
        del ds


def test_round_trip_through_css(converted: tuple, tmp_path: Path) -> None:
    reader, traces, inventory, catalog = converted
    report = write_css(tmp_path / "rt", traces, inventory, catalog)
    assert report.counts["traces"] == 30
    back = read_css(tmp_path / "rt")  # snetsta now maps every station: no option needed
    again = {t.id: t for t in back.traces()}
    assert sorted(again) == sorted(t.id for t in traces)
    for trace in traces:
        other = again[trace.id]
        assert other.data.dtype == trace.data.dtype and np.array_equal(other.data, trace.data)
        assert other.stats.starttime.ns == trace.stats.starttime.ns  # already on the 10 us grid
    inv2 = back.inventory()
    for net in inventory:
        for sta in net:
            twin = inv2.select(network=net.code, station=sta.code)[0][0]
            assert twin.latitude == pytest.approx(sta.latitude, abs=5e-5)
            assert twin.longitude == pytest.approx(sta.longitude, abs=5e-5)
            assert twin.elevation == pytest.approx(sta.elevation, abs=0.05)
            assert sorted(c.code for c in twin) == sorted(c.code for c in sta)
            for cha in sta:
                match = [c for c in twin if c.code == cha.code and c.start_date == cha.start_date]
                assert match and match[0].depth == pytest.approx(cha.depth, abs=0.05)
                assert (match[0].azimuth, match[0].dip) == (cha.azimuth, cha.dip)
                assert match[0].end_date == cha.end_date
    origin2 = back.events()[0].preferred_origin()
    origin = catalog[0].preferred_origin()
    assert origin2.time == origin.time and origin2.latitude == origin.latitude
    assert back.report.disagreements == [] and back.report.missing == []


def test_asdf_to_css_streams_from_the_file(berkeley: Path, tmp_path: Path) -> None:
    path = tmp_path / "b.h5"
    with asdfkit.open(path, "w") as f:
        css_to_asdf(berkeley, f, default_network="BK")
    with asdfkit.open(path) as f:
        report = asdf_to_css(f, tmp_path / "css" / "out", schema="css3.1", expanded=True)
    assert report.counts["traces"] == 30
    names = (tmp_path / "css" / "out.snetsta").read_text()
    assert "BK_HOPS" in names
    assert (tmp_path / "css" / "out").read_text().splitlines()[1] == "schema css3.1"
    back = read_css(tmp_path / "css" / "out")
    assert back.schema == "css3.1"
    assert sorted(t.id for t in back.traces()) == sorted(f"BK.{s}..BH{c}" for s in STATIONS for c in "ENZ")
