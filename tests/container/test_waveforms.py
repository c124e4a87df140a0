"""Writing and reading waveforms: names, exact times, dtypes, duplicates, gaps, deletion."""

from __future__ import annotations

import re
from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest
from asdf_reference import SPEC_STATION_REGEX, SPEC_TRACE_REGEX
from obspy import UTCDateTime

import asdfkit
from asdfkit.errors import (
    DuplicateTraceError,
    InvalidDtypeError,
    InvalidNameError,
    NotFoundError,
)


def _dataset_names(path: Path) -> dict[str, list[str]]:
    with h5py.File(path, "r") as f:
        return {sid: sorted(n for n in grp if n != "StationXML") for sid, grp in f["Waveforms"].items()}


def _attrs(path: Path, hdf5_path: str) -> dict:
    with h5py.File(path, "r") as f:
        return {k: f[hdf5_path].attrs[k] for k in f[hdf5_path].attrs}


# -- names ----------------------------------------------------------------------------------
def test_every_name_written_matches_the_spec_regex(h5path, sample_stream, small_stream, obspy_data):
    steim = obspy.read(str(obspy_data / "io/mseed/tests/data/steim2.mseed"))  # NL.HGN.00.BHZ
    with asdfkit.open(h5path, "w") as f:
        written = f.add_waveforms(sample_stream, tag="raw_recording")
        written += f.add_waveforms(small_stream, tag="synthetic_1")
        written += f.add_waveforms(steim, tag="Raw")
    names = _dataset_names(h5path)
    assert sorted(names) == ["AE.113A", "BW.RJOB", "NL.HGN", "TA.POKR"]
    assert sum(len(v) for v in names.values()) == len(written) == 10
    for sid, datasets in names.items():
        assert re.fullmatch(SPEC_STATION_REGEX, sid)
        for name in datasets:
            assert re.fullmatch(SPEC_TRACE_REGEX, name), name
            assert f"/Waveforms/{sid}/{name}" in written
    # Traces spanning more than a second get whole-second names, as pyasdf writes them.
    assert "AE.113A..BHZ__2013-05-24T05:40:00__2013-05-24T06:50:00__raw_recording" in names["AE.113A"]
    assert "NL.HGN.00.BHZ__2003-05-29T02:13:22__2003-05-29T02:15:51__Raw" in names["NL.HGN"]


def test_a_trace_within_one_second_gets_a_nanosecond_name(h5path, small_stream):
    tr = small_stream[0]
    tr.data = tr.data[:10]  # 0.09 s at 100 Hz
    tr.stats.starttime = UTCDateTime("2009-08-24T00:20:03.5")
    with asdfkit.open(h5path, "w") as f:
        (path,) = f.add_waveforms(tr, tag="short")
    assert path.endswith("BW.RJOB..EHZ__2009-08-24T00:20:03.500000000__2009-08-24T00:20:03.590000000__short")
    assert re.fullmatch(SPEC_TRACE_REGEX, path.rsplit("/", 1)[1])


@pytest.mark.parametrize("tag", ["a__b", "__", "x__"])
def test_tags_with_a_double_underscore_are_refused(h5path, small_stream, tag, file_snapshot):
    # pyasdf reads a tag "a__b" back as "b": asdfkit refuses to write such names.
    with asdfkit.open(h5path, "w"):
        pass
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f, pytest.raises(InvalidNameError, match="__"):
        f.add_waveforms(small_stream[0], tag=tag)
    assert file_snapshot(h5path) == before


@pytest.mark.parametrize("tag", ["_", "_x", "x_", "a_b", "raw_recording"])
def test_tags_with_underscores_anywhere_read_back_intact(h5path, small_stream, tag):
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(small_stream[0], tag=tag)
    with asdfkit.open(h5path) as f:
        assert f.waveform_tags == [tag]
        (tr,) = f.get_waveforms(tag=tag)
        assert tr.stats.asdf.tag == tag and f.list_waveforms()[0].tag == tag


# -- exact times ----------------------------------------------------------------------------
def test_starttime_is_exact_to_the_nanosecond(h5path, small_stream):
    tr = small_stream[0]
    tr.stats.starttime = UTCDateTime(ns=1369374000000000001)  # 2013-05-24T05:40:00.000000001
    with asdfkit.open(h5path, "w") as f:
        (path,) = f.add_waveforms(tr, tag="t")
    attrs = _attrs(h5path, path)
    assert attrs["starttime"].dtype == np.int64 and int(attrs["starttime"]) == 1369374000000000001
    assert attrs["sampling_rate"].dtype == np.float64 and float(attrs["sampling_rate"]) == 100.0
    with asdfkit.open(h5path) as f:
        (back,) = f.get_waveforms()
        (header,) = f.list_waveforms()
    assert back.stats.starttime.ns == 1369374000000000001
    assert header.starttime_ns == 1369374000000000001
    assert back.stats.endtime.ns == 1369374000000000001 + 2999 * 10_000_000


def test_real_microsecond_start_is_stored_exactly(h5path, sample_stream):
    # TA.POKR..BHZ starts at ...05:40:00.000001; pyasdf's float path stores ...001024 ns.
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(sample_stream.select(station="POKR", channel="BHZ"), tag="raw_recording")
    with h5py.File(h5path, "r") as h:
        (name,) = [n for n in h["Waveforms/TA.POKR"]]
        assert int(h["Waveforms/TA.POKR"][name].attrs["starttime"]) == 1369374000000001000


def test_samples_dtype_and_rate_round_trip(h5path, sample_stream, small_stream):
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(sample_stream, tag="raw_recording")
        f.add_waveforms(small_stream, tag="processed")
    with asdfkit.open(h5path) as f:
        raw = f.get_waveforms(tag="raw_recording")
        processed = f.get_waveforms(tag="processed")
    for original, stream in ((sample_stream, raw), (small_stream, processed)):
        assert len(stream) == len(original)
        for tr in original:
            (got,) = stream.select(id=tr.id)
            assert got.data.dtype == tr.data.dtype
            np.testing.assert_array_equal(got.data, tr.data)
            assert got.stats.starttime.ns == tr.stats.starttime.ns
            assert got.stats.sampling_rate == tr.stats.sampling_rate


@pytest.mark.parametrize("dtype", [">f4", ">i4", "<i8", ">f8"])
def test_either_byte_order_round_trips(h5path, small_stream, dtype):
    tr = small_stream[0]
    tr.data = (tr.data * 10).astype(dtype)
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(tr, tag="endian")
    with asdfkit.open(h5path) as f:
        (got,) = f.get_waveforms()
    np.testing.assert_array_equal(got.data, tr.data)


# -- distinct traces never share a name -----------------------------------------------------
def _piece(tr: obspy.Trace, start: str, npts: int, offset: int = 0) -> obspy.Trace:
    piece = tr.copy()
    piece.data = tr.data[offset:offset + npts].copy()
    piece.stats.starttime = UTCDateTime(start)
    return piece


def test_colliding_names_get_a_nanosecond_component(h5path, small_stream):
    # Both span 2009-08-24T00:20:03 .. 00:20:04 in whole seconds: same short name.
    a = _piece(small_stream[0], "2009-08-24T00:20:03.25", 100)
    b = _piece(small_stream[0], "2009-08-24T00:20:03.50", 60, offset=500)
    with asdfkit.open(h5path, "w") as f:
        (pa,) = f.add_waveforms(a, tag="t")
        (pb,) = f.add_waveforms(b, tag="t")
    assert pa != pb
    assert pa.endswith("EHZ__2009-08-24T00:20:03__2009-08-24T00:20:04__t")
    assert pb.endswith("EHZ__2009-08-24T00:20:03.500000000__2009-08-24T00:20:04.090000000__t")
    with asdfkit.open(h5path) as f:
        stream = f.get_waveforms()
    assert len(stream) == 2
    stream.sort(keys=["starttime"])
    np.testing.assert_array_equal(stream[0].data, a.data)
    np.testing.assert_array_equal(stream[1].data, b.data)


def test_collision_inside_one_call_keeps_both(h5path, small_stream):
    a = _piece(small_stream[0], "2009-08-24T00:20:03", 150)
    b = a.copy()
    # 1 ns later, same samples (a string would lose the ns: UTCDateTime parses to microseconds)
    b.stats.starttime = UTCDateTime(ns=a.stats.starttime.ns + 1)
    with asdfkit.open(h5path, "w") as f:
        paths = f.add_waveforms(obspy.Stream([a, b]), tag="t")
    assert len(set(paths)) == 2
    starts = sorted(int(_attrs(h5path, p)["starttime"]) for p in paths)
    assert starts == [a.stats.starttime.ns, a.stats.starttime.ns + 1]


def test_same_span_different_samples_is_kept_and_a_third_is_refused(h5path, small_stream, file_snapshot):
    a = small_stream[0]
    b = a.copy()
    b.data = b.data + 1.0  # identical id, start, end and tag; different samples
    c = a.copy()
    c.data = c.data + 2.0
    with asdfkit.open(h5path, "w") as f:
        (pa,) = f.add_waveforms(a, tag="t")
        (pb,) = f.add_waveforms(b, tag="t")  # never dropped: it takes the nanosecond name
    assert pb.endswith("EHZ__2009-08-24T00:20:03.000000000__2009-08-24T00:20:32.990000000__t")
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f:
        with pytest.raises(DuplicateTraceError, match="another tag"):
            f.add_waveforms(c, tag="t")  # no name left that tells it apart
        stream = f.get_waveforms()
    assert file_snapshot(h5path) == before
    assert sorted(float(tr.data[0]) for tr in stream) == [a.data[0], b.data[0]]


# -- duplicates -----------------------------------------------------------------------------
def test_readding_an_identical_trace_raises_and_changes_nothing(h5path, sample_stream, file_snapshot):
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(sample_stream, tag="raw_recording")
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f:
        with pytest.raises(DuplicateTraceError, match="on_duplicate='skip'") as info:
            f.add_waveforms(sample_stream[2], tag="raw_recording")
        assert "AE.113A..BHZ" in str(info.value)
    assert file_snapshot(h5path) == before


def test_on_duplicate_skip_writes_only_the_new_traces(h5path, sample_stream, file_snapshot):
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(sample_stream[:3], tag="raw_recording")
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f:
        assert f.add_waveforms(sample_stream[:3], tag="raw_recording", on_duplicate="skip") == []
    assert file_snapshot(h5path) == before
    with asdfkit.open(h5path, "a") as f:
        written = f.add_waveforms(sample_stream, tag="raw_recording", on_duplicate="skip")
    assert [p.split("/")[2] for p in written] == ["TA.POKR"] * 3
    with asdfkit.open(h5path) as f:
        assert len(f.list_waveforms()) == 6


def test_identical_trace_twice_in_one_call_is_refused(h5path, small_stream, file_snapshot):
    with asdfkit.open(h5path, "w"):
        pass
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f, pytest.raises(DuplicateTraceError, match="twice"):
        f.add_waveforms(obspy.Stream([small_stream[0], small_stream[0].copy()]), tag="t")
    assert file_snapshot(h5path) == before


def test_same_trace_under_another_tag_is_not_a_duplicate(h5path, small_stream):
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(small_stream, tag="a")
        f.add_waveforms(small_stream, tag="b")
        assert f.waveform_tags == ["a", "b"]
        assert len(f.list_waveforms()) == 6


# -- dtypes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["uint8", "int8", "float16", "complex64", "uint32"])
def test_dtypes_outside_the_spec_are_refused(h5path, small_stream, file_snapshot, dtype):
    tr = small_stream[0]
    tr.data = np.abs(tr.data[:500]).astype(dtype)
    with asdfkit.open(h5path, "w"):
        pass
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f:
        with pytest.raises(InvalidDtypeError) as info:
            f.add_waveforms(tr, tag="t")
    message = str(info.value)
    assert dtype in message and "BW.RJOB..EHZ" in message and "cast=" in message
    assert isinstance(info.value, TypeError)
    assert file_snapshot(h5path) == before


@pytest.mark.parametrize(("dtype", "cast"), [("uint8", "int32"), ("int8", "int32"),
                                             ("float16", "float32"), ("uint32", "int64")])
def test_cast_converts_explicitly(h5path, small_stream, dtype, cast):
    tr = small_stream[0]
    tr.data = np.abs(tr.data[:500]).astype(dtype)
    with asdfkit.open(h5path, "w") as f:
        (path,) = f.add_waveforms(tr, tag="t", cast=cast)
    with h5py.File(h5path, "r") as h:
        assert h[path].dtype == np.dtype(cast)
        np.testing.assert_array_equal(h[path][()], tr.data.astype(cast))


def test_cast_to_a_dtype_outside_the_spec_is_refused(h5path, small_stream):
    with asdfkit.open(h5path, "w") as f, pytest.raises(InvalidDtypeError, match="uint16"):
        f.add_waveforms(small_stream[0], tag="t", cast="uint16")


def test_int16_is_refused_in_1_0_0_and_accepted_from_1_0_1(tmp_path, small_stream):
    tr = small_stream[0]
    tr.data = tr.data.astype(np.int16)
    with asdfkit.open(tmp_path / "old.h5", "w", format_version="1.0.0") as f:
        with pytest.raises(InvalidDtypeError, match=r"int16.*1\.0\.0"):
            f.add_waveforms(tr, tag="t")
        assert f.list_waveforms() == []
    for version in ("1.0.1", "1.0.3"):
        with asdfkit.open(tmp_path / f"{version}.h5", "w", format_version=version) as f:
            (path,) = f.add_waveforms(tr, tag="t")
        with h5py.File(tmp_path / f"{version}.h5", "r") as h:
            assert h[path].dtype == np.int16


# -- codes ----------------------------------------------------------------------------------
def test_empty_network_code_is_refused_with_a_way_out(h5path, obspy_data):
    sac = obspy.read(str(obspy_data / "io/sac/tests/data/LMOW.BHE.SAC"))  # network ''
    assert sac[0].stats.network == ""
    with asdfkit.open(h5path, "w") as f:
        with pytest.raises(InvalidNameError) as info:
            f.add_waveforms(sac, tag="raw_recording")
        message = str(info.value)
        assert "network code ''" in message and "LMOW" in message
        assert "trace.stats.network" in message and "'XX'" in message
        assert f.list_waveforms() == []
        sac[0].stats.network = "XX"
        (path,) = f.add_waveforms(sac, tag="raw_recording")
    assert path.startswith("/Waveforms/XX.LMOW/XX.LMOW..BHE__2001-04-10T00:23:00__")


# -- gaps -----------------------------------------------------------------------------------
def test_a_gappy_masked_trace_becomes_one_dataset_per_segment(h5path, obspy_data):
    segments = obspy.read(str(obspy_data / "io/mseed/tests/data/gaps.mseed"))
    assert len(segments) == 4
    merged = segments.copy().merge()
    assert len(merged) == 1 and isinstance(merged[0].data, np.ma.MaskedArray)
    with asdfkit.open(h5path, "w") as f:
        paths = f.add_waveforms(merged, tag="raw_recording")
    assert len(paths) == 4
    with asdfkit.open(h5path) as f:
        back = f.get_waveforms().sort(keys=["starttime"])
    for want, got in zip(segments.sort(keys=["starttime"]), back, strict=True):
        assert got.stats.starttime.ns == want.stats.starttime.ns
        assert not isinstance(got.data, np.ma.MaskedArray)
        np.testing.assert_array_equal(got.data, want.data)


# -- attributes -----------------------------------------------------------------------------
def test_ids_labels_and_provenance_are_stored_and_read(h5path, small_stream, sample_catalog):
    event = sample_catalog[0]
    prov = "{http://seisprov.org/seis_prov/0.1/#}sp001_wf_f84fb9a"
    with asdfkit.open(h5path, "w") as f:
        (path,) = f.add_waveforms(
            small_stream[0], tag="t", event_id=[event, "smi:local/other"], origin_id=event.origins[0],
            magnitude_id=event.magnitudes[0].resource_id, focal_mechanism_id=event.focal_mechanisms[0],
            provenance_id=prov, labels=["Łódź", "deep"],
        )
    attrs = _attrs(h5path, path)
    assert attrs["event_id"] == f"{event.resource_id},smi:local/other".encode()
    assert isinstance(attrs["labels"], str) and attrs["labels"] == "Łódź,deep"
    with asdfkit.open(h5path) as f:
        (tr,) = f.get_waveforms()
        meta = f.get_waveform_meta(f.list_waveforms()[0])
    asdf = tr.stats.asdf
    assert [str(r) for r in asdf.event_ids] == [str(event.resource_id), "smi:local/other"]
    assert [str(r) for r in asdf.origin_ids] == [str(event.origins[0].resource_id)]
    assert [str(r) for r in asdf.magnitude_ids] == [str(event.magnitudes[0].resource_id)]
    assert [str(r) for r in asdf.focal_mechanism_ids] == [str(event.focal_mechanisms[0].resource_id)]
    assert asdf.provenance_id == meta.provenance_id == prov
    assert asdf.labels == meta.labels == ["Łódź", "deep"]
    assert asdf.tag == "t"


def test_ids_travel_with_a_trace_read_from_another_file(tmp_path, small_stream):
    with asdfkit.open(tmp_path / "a.h5", "w") as f:
        f.add_waveforms(small_stream, tag="t", event_id="smi:local/ev1", labels=["x"])
    with asdfkit.open(tmp_path / "a.h5") as f:
        stream = f.get_waveforms()
    with asdfkit.open(tmp_path / "b.h5", "w") as f:
        f.add_waveforms(stream, tag="copy")
        meta = [f.get_waveform_meta(h) for h in f.list_waveforms()]
    assert [m.event_ids for m in meta] == [["smi:local/ev1"]] * 3
    assert [m.labels for m in meta] == [["x"]] * 3


# -- atomicity ------------------------------------------------------------------------------
def test_a_failure_midway_rolls_back_the_whole_call(h5path, sample_stream, file_snapshot, monkeypatch):
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(sample_stream[0], tag="raw_recording")
    before = file_snapshot(h5path)
    real = h5py.h5d.create  # HDF5's H5Dcreate, whichever h5py layer calls it
    calls = []

    def failing(parent, name, *args, **kwargs):
        calls.append(name)
        if len(calls) == 4:
            raise OSError("disk full (simulated)")
        return real(parent, name, *args, **kwargs)

    with asdfkit.open(h5path, "a") as f:
        monkeypatch.setattr(h5py.h5d, "create", failing)
        with pytest.raises(OSError, match="simulated"):
            f.add_waveforms(sample_stream[1:], tag="raw_recording")
        monkeypatch.undo()
        assert len(f.list_waveforms()) == 1
    assert len(calls) == 4
    assert file_snapshot(h5path) == before


# -- deletion -------------------------------------------------------------------------------
def test_remove_waveforms_by_query(h5path, sample_stream, sample_inventory):
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(sample_stream, tag="raw_recording")
        f.add_waveforms(sample_stream.select(channel="BHZ"), tag="vertical")
        f.add_stations(sample_inventory.select(station="POKR"))
        assert f.remove_waveforms(tag="vertical") == 2
        assert f.remove_waveforms(station="113A") == 3
        with pytest.raises(ValueError, match="at least one criterion"):
            f.remove_waveforms()
        assert f.remove_waveforms(station="NOPE") == 0
    with asdfkit.open(h5path) as f:
        assert sorted(h.seed_id for h in f.list_waveforms()) == [
            "TA.POKR..BHE", "TA.POKR..BHN", "TA.POKR..BHZ"]
        assert f.waveform_tags == ["raw_recording"]
        # The emptied group without StationXML is gone; POKR keeps its StationXML.
        assert f.stations == ["TA.POKR"]
    assert _dataset_names(h5path) == {"TA.POKR": sorted(_dataset_names(h5path)["TA.POKR"])}


def test_remove_station_with_waveforms(h5path, sample_stream, sample_inventory):
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(sample_stream, tag="raw_recording")
        f.add_stations(sample_inventory)
        f.remove_station("AE.113A", waveforms=True)
        with pytest.raises(NotFoundError):
            f.remove_station("AE.113A", waveforms=True)
    with asdfkit.open(h5path) as f:
        assert f.stations == f.stations_with_stationxml == ["TA.POKR"]
        assert {h.station for h in f.list_waveforms()} == {"POKR"}
