"""ASDF-side data → CSS → back: names, samples, times, coordinates, picks; both mappings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from obspy import Inventory, Stream, Trace, UTCDateTime
from obspy.core.event import Arrival, Catalog, Event, Origin, Pick, QuantityError, WaveformStreamID
from obspy.core.inventory import Channel, InstrumentSensitivity, Network, Response, Station

import asdfkit
from asdfkit.errors import InvalidValueError
from asdfkit.io.css import asdf_to_css, css_to_asdf, read_css, write_css
from asdfkit.io.css.naming import NameAllocator, NameResolver
from asdfkit.io.css.tables import layout, read_rows

T0 = UTCDateTime("2020-03-04T05:06:07.123450")
DTYPES = [np.int16, np.int32, np.float32, np.float64]


def _channel(code: str, loc: str, lat: float, lon: float, elev: float, depth: float = 2.0) -> Channel:
    sens = InstrumentSensitivity(value=6.0e8 + 12345, frequency=1.0, input_units="M/S", output_units="COUNTS")
    return Channel(code, loc, lat, lon, elev - depth, depth, azimuth=90.0 if code.endswith("E") else 0.0,
                   dip=-90.0 if code.endswith("Z") else 0.0, sample_rate=40.0, start_date=UTCDateTime(2019, 1, 1),
                   response=Response(instrument_sensitivity=sens))


def _inventory() -> Inventory:
    stations = {
        ("IU", "ANMO"): (34.94591, -106.4572, 1671.04),
        ("XX", "ANMO"): (-12.3456789, 45.6789123, -3.25),
        ("XX", "ANMOX"): (1.0, 2.0, 3.0),
        ("GR", "FUR"): (48.162899, 11.2752, 565.0),
    }
    networks = []
    for net in ("GR", "IU", "XX"):
        stas = []
        for (n, code), (lat, lon, elev) in stations.items():
            if n == net:
                chans = [_channel(c, loc, lat, lon, elev) for loc in ("", "00", "10") for c in ("BHZ", "BHE")]
                stas.append(Station(code, lat, lon, elev, channels=chans, start_date=UTCDateTime(2019, 1, 1)))
        networks.append(Network(net, stations=stas))
    return Inventory(networks=networks, source="test")


def _stream(rng: np.random.Generator) -> Stream:
    traces = []
    for i, (sid, dtype) in enumerate(zip(["IU.ANMO..BHZ", "XX.ANMO.00.BHZ", "XX.ANMO.10.BHE", "GR.FUR.00.BHE",
                                          "XX.ANMOX..BHZ"], DTYPES + [np.int32], strict=True)):
        net, sta, loc, cha = sid.split(".")
        kind = np.dtype(dtype)
        data = (rng.integers(-30000, 30000, 400) if kind.kind == "i" else rng.standard_normal(400) * 1e3).astype(dtype)
        traces.append(Trace(data, {"network": net, "station": sta, "location": loc, "channel": cha,
                                   "sampling_rate": 40.0, "starttime": T0 + i}))
    return Stream(traces)


def _catalog() -> Catalog:
    origin = Origin(time=T0 - 30, latitude=35.123456, longitude=-106.98765, depth=12345.0)
    picks, arrivals = [], []
    for i, (net, sta, loc, cha, onset, polarity) in enumerate([
        ("IU", "ANMO", "", "BHZ", "impulsive", "positive"),
        ("XX", "ANMO", "00", "BHZ", "emergent", "negative"),
        ("GR", "FUR", "00", "BHE", "questionable", None),
    ]):
        pick = Pick(time=T0 + 10.25 + i, waveform_id=WaveformStreamID(net, sta, loc, cha), phase_hint="P",
                    onset=onset, polarity=polarity, backazimuth=123.45, time_errors=QuantityError(uncertainty=0.05))
        picks.append(pick)
        arrivals.append(Arrival(pick_id=pick.resource_id, phase="P", distance=1.234, azimuth=210.5,
                                time_residual=-0.125, time_weight=1.0))
    origin.arrivals = arrivals
    return Catalog([Event(origins=[origin], picks=picks, preferred_origin_id=origin.resource_id)])


@pytest.mark.parametrize(("schema", "expanded"), [("css3.0", False), ("css3.1", False), ("css3.1", True)])
def test_round_trip_names_samples_times_coordinates_picks(tmp_path: Path, rng: np.random.Generator,
                                                           schema: str, expanded: bool) -> None:
    stream, inventory, catalog = _stream(rng), _inventory(), _catalog()
    report = write_css(tmp_path / "db", stream, inventory, catalog, schema=schema, expanded=expanded)
    assert report.counts["traces"] == 5
    snetsta = {(r["snet"], r["fsta"]): r["sta"] for r in read_rows(tmp_path / "db.snetsta", layout("snetsta", schema))}
    if expanded:
        assert snetsta[("XX", "ANMO")] == "XX_ANMO" and snetsta[("IU", "ANMO")] == "IU_ANMO"
    else:
        assert snetsta[("IU", "ANMO")] == "ANMO" and snetsta[("XX", "ANMO")] == "XXANMO"  # an invented alias
    reader = read_css(tmp_path / "db")
    assert reader.schema == schema
    back = {t.id: t for t in reader.traces()}
    assert sorted(back) == sorted(t.id for t in stream)
    for trace in stream:
        other = back[trace.id]
        assert other.data.dtype == trace.data.dtype and np.array_equal(other.data, trace.data)
        assert other.stats.starttime.ns == trace.stats.starttime.ns
    inv = reader.inventory()
    assert sorted(inv.get_contents()["channels"]) == sorted(inventory.get_contents()["channels"])
    for net in inventory:
        for sta in net:
            twin = inv.select(network=net.code, station=sta.code)[0][0]
            assert abs(twin.latitude - sta.latitude) <= 5e-5 and abs(twin.longitude - sta.longitude) <= 5e-5
            assert abs(twin.elevation - sta.elevation) <= 0.05
            for cha in sta:
                got = twin.select(location=cha.location_code, channel=cha.code)[0]
                sens = got.response.instrument_sensitivity
                has_trace = any(t.id == f"{net.code}.{sta.code}.{cha.location_code}.{cha.code}" for t in stream)
                # wfdisc calib is %16.9g; the instrument's ncalib (channels without waveforms) %16.6f
                rel = 1e-8 if has_trace else 1e-6
                assert sens.value == pytest.approx(cha.response.instrument_sensitivity.value, rel=rel)
                assert (sens.frequency, sens.input_units) == (1.0, "M/S")
                assert (got.azimuth, got.dip, got.depth) == (cha.azimuth, cha.dip, pytest.approx(cha.depth))
                assert got.sample_rate == cha.sample_rate  # channels without waveforms: instrument samprate
    event = reader.events()[0]
    origin = event.preferred_origin()
    assert origin.time == T0 - 30 and origin.depth == 12345.0
    lat_fmt = layout("origin", schema).column("lat").fmt  # %9.4f in css3.0, %12.7f in css3.1
    assert (origin.latitude, origin.longitude) == (float(lat_fmt % 35.123456), float(lat_fmt % -106.98765))
    original = {(p.waveform_id.get_seed_string(), p.onset, p.polarity) for p in catalog[0].picks}
    assert {(p.waveform_id.get_seed_string(), p.onset, p.polarity) for p in event.picks} == original
    for pick in event.picks:
        assert pick.backazimuth == 123.45 and pick.time_errors.uncertainty == 0.05
        assert pick.time.ns in {p.time.ns for p in catalog[0].picks}
    for arrival in origin.arrivals:
        assert (arrival.distance, arrival.azimuth, arrival.time_residual, arrival.time_weight) == \
            (1.234, 210.5, -0.125, 1.0)
    assert reader.report.missing == [] and reader.report.disagreements == []


def test_expanded_mapping_needs_css31(tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError, match="css3.1"):
        write_css(tmp_path / "db", [], schema="css3.0", expanded=True)


def test_expanded_database_without_snetsta_reads_with_the_option(tmp_path: Path, rng: np.random.Generator) -> None:
    write_css(tmp_path / "db", _stream(rng), schema="css3.1", expanded=True)
    (tmp_path / "db.snetsta").write_text("")
    (tmp_path / "db.affiliation").write_text("")
    with pytest.raises(InvalidValueError, match="no network code for stations GR_FUR, IU_ANMO"):
        list(read_css(tmp_path / "db").traces())
    ids = sorted(t.id for t in read_css(tmp_path / "db", expanded=True).traces())
    assert ids == sorted(t.id for t in _stream(rng))


def test_what_css_cannot_hold_is_reported_or_refused(tmp_path: Path) -> None:
    sub = Trace(np.arange(10, dtype=np.int32), {"network": "XX", "station": "A", "channel": "BHZ",
                                                  "sampling_rate": 40.0, "starttime": UTCDateTime(ns=10**18 + 1234)})
    big = Trace(np.arange(10, dtype=np.int64), {"network": "XX", "station": "A", "channel": "BHN"})
    report = write_css(tmp_path / "db", [sub, big])
    assert report.counts["times rounded to 10 us"] == 1 and report.issues_of("cast")
    back = {t.stats.channel: t for t in read_css(tmp_path / "db").traces()}
    assert back["BHZ"].stats.starttime.ns == 10**18  # rounded to the 10 us column
    assert back["BHN"].data.dtype == np.int32
    huge = Trace(np.array([2**40], dtype=np.int64), {"network": "XX", "station": "A", "channel": "BHE"})
    with pytest.raises(InvalidValueError, match="int64 samples beyond int32"):
        write_css(tmp_path / "db2", [huge])
    with pytest.raises(InvalidValueError, match="exists"):
        write_css(tmp_path / "db", [sub])


@pytest.mark.parametrize(("schema", "expanded"), [("css3.0", False), ("css3.1", True)])
def test_asdf_round_trip_with_clashing_codes(tmp_path: Path, rng: np.random.Generator,
                                             schema: str, expanded: bool) -> None:
    import pyasdf

    stream, inventory, catalog = _stream(rng), _inventory(), _catalog()
    with asdfkit.open(tmp_path / "a.h5", "w") as f:
        f.add_stations(inventory)
        f.add_waveforms(stream, tag="raw_recording")
        f.add_events(catalog)
    with asdfkit.open(tmp_path / "a.h5") as f:
        asdf_to_css(f, tmp_path / "css" / "db", schema=schema, expanded=expanded)
    stas = {r["sta"] for r in read_rows(tmp_path / "css" / "db.site", layout("site", schema))}
    assert len(stas) == 4  # IU.ANMO and XX.ANMO got distinct CSS station names
    with asdfkit.open(tmp_path / "b.h5", "w") as f:
        report = css_to_asdf(tmp_path / "css" / "db", f)
    assert report.counts["traces"] == 5
    with asdfkit.open(tmp_path / "b.h5") as f:
        assert sorted(h.seed_id for h in f.list_waveforms()) == sorted(t.id for t in stream)
        assert sorted(f.stations_with_stationxml) == ["GR.FUR", "IU.ANMO", "XX.ANMO", "XX.ANMOX"]
        for trace in stream:
            net, sta, loc, cha = trace.id.split(".")
            other = f.get_waveforms(network=net, station=sta, location=loc, channel=cha)[0]
            assert np.array_equal(other.data, trace.data) and other.stats.starttime.ns == trace.stats.starttime.ns
        assert len(f.events[0].picks) == 3
    # The interoperability oracle reads the result of the round trip with every name intact.
    ds = pyasdf.ASDFDataSet(str(tmp_path / "b.h5"), mode="r")
    try:
        assert sorted(ds.waveforms.list()) == ["GR.FUR", "IU.ANMO", "XX.ANMO", "XX.ANMOX"]
        for trace in stream:
            net, sta, loc, cha = trace.id.split(".")
            got = ds.waveforms[f"{net}.{sta}"].raw_recording.select(location=loc, channel=cha)
            assert len(got) == 1 and np.array_equal(got[0].data, trace.data)
            assert got[0].stats.starttime == trace.stats.starttime
            channels = ds.waveforms[f"{net}.{sta}"].StationXML.select(location=loc, channel=cha)[0][0]
            original = inventory.select(network=net, station=sta)[0][0]
            assert abs(channels.latitude - original.latitude) <= 5e-5
            assert len(channels) == 1
        assert {p.waveform_id.get_seed_string() for p in ds.events[0].picks} == {
            p.waveform_id.get_seed_string() for p in catalog[0].picks}
    finally:
        del ds


codes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet="ABXYZ019", min_size=1, max_size=2), codes,
                          st.sampled_from(["", "00", "10", "A1"]), st.sampled_from(["BHZ", "HHE", "LH1"])),
                min_size=1, max_size=25),
       st.booleans())
def test_any_seed_codes_map_to_unique_css_names_and_back(ids: list[tuple[str, str, str, str]], expanded: bool) -> None:
    names = NameAllocator("css3.1" if expanded else "css3.0", expanded)
    names.reserve(sta for _, sta, _, _ in ids)
    css = {}
    for net, sta, loc, cha in ids:
        s = names.station(net, sta)
        css[(net, sta, loc, cha)] = (s, names.channel(s, loc, cha))
        assert len(s) <= (14 if expanded else 6)
    assert len(set(css.values())) == len(css)  # unique
    resolver = NameResolver(
        snetsta={r["sta"]: (r["snet"], r["fsta"]) for r in names.snetsta_rows()},
        schanloc={(r["sta"], r["chan"]): (r["fchan"], r["loc"]) for r in names.schanloc_rows()},
    )
    for (net, sta, loc, cha), (s, c) in css.items():
        seed = resolver.station(s)
        assert (seed.network, seed.station, *resolver.channel(s, c)) == (net, sta, loc, cha)
