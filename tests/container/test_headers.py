"""Header tables (``ASDFFile.headers``) on real data, and the cache behind them."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import obspy
import pytest
from obspy.geodetics import gps2dist_azimuth, locations2degrees

import asdfkit
from asdfkit.container import file as file_module
from asdfkit.container import tracecache
from asdfkit.container.headertable import AMPLITUDE_COLUMNS, COLUMNS, EVENT_COLUMNS
from asdfkit.errors import MissingDependencyError, NotFoundError


@pytest.fixture
def sample_file(tmp_path: Path, sample_stream: obspy.Stream, sample_inventory: obspy.Inventory,
                sample_catalog: obspy.Catalog) -> Path:
    path = tmp_path / "sample.h5"
    with asdfkit.open(path, "w") as f:
        f.add_events(sample_catalog)
        f.add_stations(sample_inventory)
        f.add_waveforms(sample_stream, tag="raw_recording", event_id=sample_catalog[0], labels=["raw"])
    return path


def test_columns_and_values(sample_file: Path, sample_stream: obspy.Stream,
                            sample_catalog: obspy.Catalog) -> None:
    with asdfkit.open(sample_file, "r+") as f:
        f.groups.create("arrays/ring1", members=f.list_waveforms(station="113A"))
        f.groups.create("vertical", query={"channel": "BHZ"})
        df = f.headers()
    assert tuple(df.columns) == COLUMNS
    assert len(df) == 6
    assert str(df["starttime"].dtype) == "datetime64[ns]" and str(df["endtime"].dtype) == "datetime64[ns]"
    by_id = {tr.id: tr for tr in sample_stream}
    for row in df.itertuples():
        tr = by_id[f"{row.network}.{row.station}.{row.location}.{row.channel}"]
        assert row.starttime_ns == tr.stats.starttime.ns and row.endtime_ns == tr.stats.endtime.ns
        assert row.npts == tr.stats.npts and row.sampling_rate == tr.stats.sampling_rate
        assert row.duration_s == pytest.approx(tr.stats.endtime - tr.stats.starttime)
        assert row.labels == "raw" and row.event_ids == str(sample_catalog[0].resource_id)
        expected = {"arrays/ring1"} if row.station == "113A" else set()
        expected |= {"vertical"} if row.channel == "BHZ" else set()
        assert set(filter(None, row.groups.split(","))) == expected
    pokr = df[df.station == "POKR"].iloc[0]
    with asdfkit.open(sample_file) as f:
        coords = f.get_coordinates("TA.POKR")
    assert pokr.station_latitude == coords["latitude"] and pokr.station_elevation_m == coords["elevation_in_m"]


def test_event_distances_match_obspy(sample_file: Path, sample_catalog: obspy.Catalog) -> None:
    event = sample_catalog[0]
    origin = event.preferred_origin()
    with asdfkit.open(sample_file) as f:
        by_object = f.headers(event=event)
        df = f.headers(event=str(event.resource_id), channel="BHZ")
        coords = {sid: f.get_coordinates(sid) for sid in f.stations}
        with pytest.raises(NotFoundError, match="not found"):
            f.headers(event="smi:nowhere/none")
    assert set(EVENT_COLUMNS) <= set(df.columns) and len(df) == 2
    assert len(by_object) == 6 and not by_object[list(EVENT_COLUMNS)].isna().any().any()
    for row in df.itertuples():
        c = coords[f"{row.network}.{row.station}"]
        metres, az, baz = gps2dist_azimuth(origin.latitude, origin.longitude, c["latitude"], c["longitude"])
        assert abs(row.distance_km * 1000 - metres) < 1.0
        assert abs(row.azimuth - az) < 0.01 and abs(row.back_azimuth - baz) < 0.01
        assert abs(row.distance_deg - locations2degrees(origin.latitude, origin.longitude,
                                                        c["latitude"], c["longitude"])) < 0.01


def test_amplitudes_read_in_chunks(sample_file: Path, sample_stream: obspy.Stream,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from asdfkit.container import headertable

    monkeypatch.setattr(headertable, "CHUNK_SAMPLES", 1000)  # several chunks per trace
    with asdfkit.open(sample_file) as f:
        df = f.headers(amplitudes=True, station="113A")
    assert set(AMPLITUDE_COLUMNS) <= set(df.columns) and len(df) == 3
    for row in df.itertuples():
        data = sample_stream.select(station=row.station, channel=row.channel)[0].data.astype(float)
        assert row.amplitude_max == pytest.approx(np.abs(data).max())
        assert row.amplitude_mean == pytest.approx(data.mean())
        assert row.amplitude_rms == pytest.approx(np.sqrt(np.mean(data**2)))


def test_selection_by_group_and_label(sample_file: Path) -> None:
    with asdfkit.open(sample_file, "r+") as f:
        f.groups.create("z", query={"channel": "BHZ"})
        f.add_labels("picked", station="POKR")
        assert list(f.headers(group="z").channel) == ["BHZ", "BHZ"]
        assert set(f.headers(labels="picked").station) == {"POKR"}
        assert list(f.headers(group="z", labels="picked").station) == ["POKR"]


def test_cache_serves_warm_tables_and_follows_edits(sample_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with asdfkit.open(sample_file) as f:
        cold = f.headers()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("attributes read although the cache holds them")

    monkeypatch.setattr(tracecache, "read_trace_attrs", refuse)
    monkeypatch.setattr(file_module, "station_coordinates", refuse)
    with asdfkit.open(sample_file) as f:
        warm = f.headers()
    assert warm.equals(cold)
    # Label edits keep the cached table current, in the session and after it.
    with asdfkit.open(sample_file, "r+") as f:
        f.headers()
        f.add_labels("checked", channel="BHN")
        assert set(f.headers(labels="checked").labels) == {"raw,checked"}
    with asdfkit.open(sample_file) as f:
        table = f.headers()
    assert sorted(table[table.channel == "BHN"].labels) == ["raw,checked", "raw,checked"]
    assert set(table[table.channel != "BHN"].labels) == {"raw"}


def test_cache_replays_traces_added_by_another_session(sample_file: Path, sample_stream: obspy.Stream) -> None:
    with asdfkit.open(sample_file) as f:
        assert len(f.headers()) == 6
    moved = sample_stream.copy()
    for tr in moved:
        tr.stats.starttime += 3600
    with asdfkit.open(sample_file, "r+") as f:
        f.add_waveforms(moved, tag="raw_recording", labels=["later"])
    with asdfkit.open(sample_file) as f:
        df = f.headers()
    assert len(df) == 12 and (df.labels == "later").sum() == 6


def test_without_pandas_the_message_names_the_extra(sample_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with asdfkit.open(sample_file) as f, pytest.raises(MissingDependencyError, match=r"asdfkit\[align\]"):
        f.headers()


def test_coordinates_follow_stationxml_changes(tmp_path: Path, sample_stream: obspy.Stream,
                                               sample_inventory: obspy.Inventory) -> None:
    path = tmp_path / "bare.h5"
    with asdfkit.open(path, "w") as f:
        f.add_waveforms(sample_stream, tag="raw_recording")
    with asdfkit.open(path, "r+") as f:
        assert f.headers().station_latitude.isna().all()
        f.add_stations(sample_inventory)
        assert not f.headers().station_latitude.isna().any()
    with asdfkit.open(path) as f:
        table = f.headers()
        expected = f.get_coordinates("AE.113A")["latitude"]
    assert set(table[table.station == "113A"].station_latitude) == {expected}


def test_cached_and_direct_label_and_event_queries_agree(sample_file: Path, sample_catalog: obspy.Catalog,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    queries = [{"labels": "raw"}, {"labels": ["x", "picked"]}, {"event_id": sample_catalog[0]},
               {"event_id": "smi:none/1"}, {"labels": "picked", "event_id": sample_catalog[0], "channel": "BHZ"}]
    with asdfkit.open(sample_file, "r+") as f:
        f.add_labels("picked", station="POKR")
    with asdfkit.open(sample_file) as f:
        direct = [sorted(h.name for h in f.list_waveforms(**q)) for q in queries]
    monkeypatch.setattr(file_module, "_CACHED_META_MIN", 0)
    with asdfkit.open(sample_file) as f:
        cached = [sorted(h.name for h in f.list_waveforms(**q)) for q in queries]
    assert cached == direct and [len(x) for x in direct] == [6, 3, 6, 0, 1]


def test_a_broken_group_record_does_not_break_the_table(sample_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    import h5py

    with asdfkit.open(sample_file, "r+") as f:
        f.groups.create("z", query={"channel": "BHZ"})
    with h5py.File(sample_file, "r+") as h5:
        h5.create_dataset("AuxiliaryData/Groups/junk", data=np.frombuffer(b"[1, 2]", dtype=np.int8))
    with asdfkit.open(sample_file) as f:
        table = f.headers()
    assert sorted(table.groups) == ["", "", "", "", "z", "z"]
    assert "skipping junk" in caplog.text
