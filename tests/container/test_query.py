"""Queries: codes with wildcards and lists, tags, labels, time, event ids, sampling rate."""

from __future__ import annotations

from pathlib import Path

import obspy
import pytest
from obspy import UTCDateTime

import asdfkit

PROV = "{http://seisprov.org/seis_prov/0.1/#}sp002_dt_f5a9e3b"


@pytest.fixture(scope="module")
def query_file(tmp_path_factory: pytest.TempPathFactory, sample_set: Path, obspy_data: Path) -> Path:
    """Real traces from three sources, with ids, labels and provenance on some."""
    sample = obspy.Stream()
    for mseed in sorted(sample_set.glob("*.mseed")):
        sample += obspy.read(str(mseed))
    catalog = obspy.read_events(str(sample_set / "quake.xml"))
    event = catalog[0]
    steim = obspy.read(str(obspy_data / "io/mseed/tests/data/steim2.mseed"))  # NL.HGN.00.BHZ 40 Hz
    example = obspy.read()  # BW.RJOB..EH? 100 Hz, 2009
    path = tmp_path_factory.mktemp("query") / "query.h5"
    with asdfkit.open(path, "w", index_cache=False) as f:
        f.add_waveforms(sample, tag="raw_recording", event_id=event, origin_id=event.origins[0],
                        labels=["raw", "alaska"])
        f.add_waveforms(sample.select(station="113A").copy().decimate(4), tag="decimated",
                        event_id=event, provenance_id=PROV, labels=["processed"])
        f.add_waveforms(steim, tag="raw_recording", event_id="smi:local/other-event",
                        magnitude_id="smi:local/mag1", focal_mechanism_id="smi:local/fm1")
        f.add_waveforms(example, tag="SYNTHETIC", labels=["processed", "example"])
    return path


def _ids(f: asdfkit.ASDFFile, **query) -> list[str]:
    return sorted(f"{h.seed_id}/{h.tag}" for h in f.list_waveforms(**query))


@pytest.fixture
def f(query_file: Path):
    with asdfkit.open(query_file) as handle:
        yield handle


def test_everything_without_a_query(f):
    assert len(f.list_waveforms()) == 6 + 3 + 1 + 3
    assert f.waveform_tags == ["SYNTHETIC", "decimated", "raw_recording"]


@pytest.mark.parametrize(("query", "expected"), [
    ({"network": "AE"}, ["AE.113A..BHE/decimated", "AE.113A..BHE/raw_recording", "AE.113A..BHN/decimated",
                         "AE.113A..BHN/raw_recording", "AE.113A..BHZ/decimated", "AE.113A..BHZ/raw_recording"]),
    ({"network": ["TA", "NL"]}, ["NL.HGN.00.BHZ/raw_recording", "TA.POKR..BHE/raw_recording",
                                 "TA.POKR..BHN/raw_recording", "TA.POKR..BHZ/raw_recording"]),
    ({"station": "P?KR", "channel": "BH[EN]"}, ["TA.POKR..BHE/raw_recording", "TA.POKR..BHN/raw_recording"]),
    ({"location": "00"}, ["NL.HGN.00.BHZ/raw_recording"]),
    ({"location": "0*", "channel": "*Z"}, ["NL.HGN.00.BHZ/raw_recording"]),
    ({"channel": ["EHZ", "BHZ"], "tag": "raw_recording"},
     ["AE.113A..BHZ/raw_recording", "NL.HGN.00.BHZ/raw_recording", "TA.POKR..BHZ/raw_recording"]),
    ({"channel": "EH?"}, ["BW.RJOB..EHE/SYNTHETIC", "BW.RJOB..EHN/SYNTHETIC", "BW.RJOB..EHZ/SYNTHETIC"]),
    ({"tag": "SYNTHETIC", "channel": "*N"}, ["BW.RJOB..EHN/SYNTHETIC"]),
    ({"tag": "synthetic"}, []),  # tags are case sensitive
    ({"tag": ["decimated", "SYNTH*"], "channel": "*Z"},
     ["AE.113A..BHZ/decimated", "BW.RJOB..EHZ/SYNTHETIC"]),
    ({"network": "XX"}, []),
])
def test_code_and_tag_queries(f, query, expected):
    assert _ids(f, **query) == expected


def test_empty_location_matches_only_empty_location_codes(f):
    ids = _ids(f, location="", channel="BHZ")
    assert ids == ["AE.113A..BHZ/decimated", "AE.113A..BHZ/raw_recording", "TA.POKR..BHZ/raw_recording"]


def test_sampling_rate_exact_and_range(f):
    assert {h.tag for h in f.list_waveforms(sampling_rate=10.0)} == {"decimated"}
    assert len(f.list_waveforms(sampling_rate=40.0)) == 7
    assert {h.sampling_rate for h in f.list_waveforms(sampling_rate=(20.0, 200.0))} == {40.0, 100.0}
    assert f.list_waveforms(sampling_rate=39.999) == []


def test_labels_match_any_of_the_given(f):
    assert len(f.list_waveforms(labels="processed")) == 6
    assert _ids(f, labels=["example"], channel="EHZ") == ["BW.RJOB..EHZ/SYNTHETIC"]
    assert len(f.list_waveforms(labels=["alaska", "example"])) == 9
    assert f.list_waveforms(labels="Processed") == []


def test_event_and_origin_ids(f, sample_set):
    event = obspy.read_events(str(sample_set / "quake.xml"))[0]
    assert len(f.list_waveforms(event_id=event)) == 9
    assert len(f.list_waveforms(event_id=str(event.resource_id), tag="decimated")) == 3
    assert len(f.list_waveforms(origin_id=event.origins[0].resource_id)) == 6
    assert _ids(f, event_id="smi:local/other-event") == ["NL.HGN.00.BHZ/raw_recording"]
    assert _ids(f, magnitude_id="smi:local/mag1") == _ids(f, focal_mechanism_id="smi:local/fm1")
    assert f.list_waveforms(event_id="smi:local/none") == []


def test_provenance_id(f):
    assert _ids(f, provenance_id=PROV) == [
        "AE.113A..BHE/decimated", "AE.113A..BHN/decimated", "AE.113A..BHZ/decimated"]


def test_time_window_selects_overlapping_traces(f):
    alaska = UTCDateTime("2013-05-24T06:00:00")
    assert len(f.list_waveforms(starttime=alaska - 1, endtime=alaska + 1)) == 9
    assert _ids(f, starttime=UTCDateTime(2003, 5, 29, 2, 14), endtime=UTCDateTime(2003, 5, 29, 2, 15)) == [
        "NL.HGN.00.BHZ/raw_recording"]
    assert len(f.list_waveforms(endtime=UTCDateTime(2010, 1, 1))) == 4
    assert len(f.list_waveforms(starttime=UTCDateTime(2013, 5, 24, 6, 50, 1))) == 0


def test_criteria_combine_with_and(f):
    hdrs = f.list_waveforms(network="AE", tag="raw_recording", labels="raw", channel="BHN",
                            starttime=UTCDateTime(2013, 5, 24, 6), sampling_rate=40.0)
    assert [h.seed_id for h in hdrs] == ["AE.113A..BHN"]
    stream = f.get_waveforms(network="AE", tag="raw_recording", labels="raw", channel="BHN",
                             starttime=UTCDateTime(2013, 5, 24, 6), sampling_rate=40.0)
    assert len(stream) == 1 and stream[0].stats.starttime == UTCDateTime(2013, 5, 24, 6)


def test_get_waveforms_matches_list_waveforms(f):
    headers = f.list_waveforms(channel="*Z")
    stream = f.get_waveforms(channel="*Z")
    assert sorted((h.seed_id, h.tag, h.npts) for h in headers) == sorted(
        (tr.id, tr.stats.asdf.tag, tr.stats.npts) for tr in stream)
