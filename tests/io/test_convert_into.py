"""Converting real files into ASDF: formats, SAC metadata, JSON metadata, events, atomicity."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import obspy
import pyasdf
import pytest

import asdfkit
from asdfkit.errors import InvalidValueError, NotFoundError
from asdfkit.io.convert import ConvertOptions, convert_to_asdf
from asdfkit.provenance import lineage, validate


@pytest.fixture
def sac_file(obspy_data: Path) -> Path:
    return obspy_data / "io" / "sac" / "tests" / "data" / "seism.sac"


def test_sample_set_directory(sample_set: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.h5"
    report = convert_to_asdf([sample_set], out)
    assert report.traces == 6 and report.stations == 2 and report.events == 1
    with asdfkit.open(out) as f:
        originals = obspy.read(str(sample_set / "*.mseed"))
        got = f.get_waveforms()
        assert len(got) == 6
        for tr in originals:
            match = got.select(id=tr.id)[0]
            assert match.stats.starttime.ns == tr.stats.starttime.ns
            assert (match.data == tr.data).all()
        # every trace overlaps the event window: associated
        event_id = str(f.events[0].resource_id)
        assert all(f.get_waveform_meta(h).event_ids == [event_id] for h in f.list_waveforms())
        for name in f.provenance_documents:
            assert validate(f.get_provenance_document(name)).ok
        header = f.list_waveforms()[0]
        chain = lineage(f, header)
        names = {s.attributes["filename"] for s in chain.sources}
        assert {s.prov_type for s in chain.sources} == {"seis_prov:file"}
        assert names == {f"{header.seed_id}.mseed"}  # its own file (wasDerivedFrom), not every input
    with pyasdf.ASDFDataSet(str(out), mode="r") as ds:
        assert len(ds.waveforms) == 2


def test_sac_headers_give_event_station_and_picks(sac_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sac.h5"
    report = convert_to_asdf([sac_file], out, ConvertOptions(network="XX", channel="BHZ"))
    assert report.traces == 1
    source = obspy.read(str(sac_file))[0]
    sac = source.stats.sac
    with asdfkit.open(out) as f:
        (event,) = f.events
        origin = event.preferred_origin()
        assert origin.latitude == pytest.approx(float(sac.evla))
        assert origin.longitude == pytest.approx(float(sac.evlo))
        picks = {p.comments[0].text.split()[2]: p for p in event.picks}
        assert set(picks) == {"a", "f", "t1"}
        reference = source.stats.starttime - float(sac.b)
        assert abs(picks["a"].time - (reference + float(sac.a))) < 1e-3
        assert picks["a"].phase_hint == "P" and picks["a"].onset == "impulsive"
        assert picks["a"].polarity == "negative"  # ka = IPD0
        coords = f.get_coordinates("XX.CDV")
        assert coords["latitude"] == pytest.approx(float(sac.stla), abs=1e-4)
        (header,) = f.list_waveforms()
        assert f.get_waveform_meta(header).event_ids == [str(event.resource_id)]
        assert header.npts == source.stats.npts


def test_event_without_depth_is_kept(sac_file: Path, tmp_path: Path) -> None:
    tr = obspy.read(str(sac_file))[0]
    assert "evdp" not in tr.stats.sac  # the real file has no depth
    out = tmp_path / "x.h5"
    convert_to_asdf([sac_file], out, ConvertOptions(network="XX", channel="BHZ"))
    with asdfkit.open(out) as f:
        assert len(f.events) == 1 and f.events[0].origins[0].depth is None


def test_empty_network_is_refused_with_advice(sac_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.h5"
    with pytest.raises(InvalidValueError, match="network"):
        convert_to_asdf([sac_file], out, ConvertOptions(channel="BHZ"))
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no partial file left behind


def test_json_metadata_and_duplicate_events(sample_set: Path, tmp_path: Path) -> None:
    quake = obspy.read_events(str(sample_set / "quake.xml"))[0].preferred_origin()
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({
        "events": [
            {"time": str(quake.time + 3), "latitude": quake.latitude + 0.2,
             "longitude": quake.longitude, "depth": 600.0},          # same quake, another source
            {"time": str(quake.time + 600), "latitude": quake.latitude,
             "longitude": quake.longitude, "depth": 10.0},           # an aftershock: kept apart
        ],
        "stations": [{"name": "ZZZ", "network": "XX", "location": "", "channel": "BHZ",
                      "latitude": 1.5, "longitude": 2.5, "elevation": 100.0}],
    }))
    out = tmp_path / "j.h5"
    report = convert_to_asdf([sample_set / "quake.xml", sample_set / "AE.113A..BHZ.mseed"], out,
                             ConvertOptions(events=[meta], stations=[meta]))
    assert sum(len(v) for v in report.merged_events.values()) == 1
    with asdfkit.open(out) as f:
        assert len(f.events) == 2
        assert f.get_coordinates("XX.ZZZ") == {"latitude": 1.5, "longitude": 2.5, "elevation_in_m": 100.0}


@pytest.mark.parametrize("jobs", [1, 2])
def test_bad_inputs_abort_or_skip(sample_set: Path, shared_data: Path, tmp_path: Path, jobs: int) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for path in sorted(sample_set.glob("*.mseed")):
        shutil.copy(path, folder)
    (folder / "garbage.mseed").write_bytes(b"\x00\x01 not seismic data" * 10)
    sac = sorted((shared_data / "css" / "berkeley_1998").glob("*.BHZ*"))[0]
    (folder / "truncated.sac").write_bytes(sac.read_bytes()[:1000])  # a real SAC header, samples cut off
    out = tmp_path / "o.h5"
    with pytest.raises(InvalidValueError, match="garbage.mseed|truncated.sac"):
        convert_to_asdf([folder], out, ConvertOptions(jobs=jobs))
    assert not out.exists()
    report = convert_to_asdf([folder], out, ConvertOptions(skip_bad=True, jobs=jobs))
    assert report.traces == 6
    assert sorted(Path(b["path"]).name for b in report.bad_inputs) == ["garbage.mseed", "truncated.sac"]
    assert "SacFileError" in next(b["reason"] for b in report.bad_inputs if b["path"].endswith(".sac"))


def test_small_inputs_go_to_threads_in_batches(tmp_path: Path) -> None:
    from asdfkit.io.convert import BATCH_BYTES, _batches

    sizes = [BATCH_BYTES // 3] * 7 + [2 * BATCH_BYTES] + [10] * 2
    paths = []
    for number, size in enumerate(sizes):
        path = tmp_path / f"f{number:02d}"
        path.write_bytes(b"x" * size)
        paths.append(path)
    batches = list(_batches(paths + [tmp_path / "absent"]))
    assert [p for batch in batches for p in batch] == paths + [tmp_path / "absent"]  # order kept
    assert [len(b) for b in batches] == [3, 3, 1, 1, 3]  # the big file alone; a missing one counts 0


def test_append_is_atomic_and_keeps_existing(sample_set: Path, tmp_path: Path, file_snapshot) -> None:
    out = tmp_path / "o.h5"
    convert_to_asdf([sample_set / "AE.113A..BHZ.mseed"], out)
    before = file_snapshot(out)
    # A failing append (duplicate trace) leaves the file exactly as it was.
    with pytest.raises(InvalidValueError):
        convert_to_asdf([sample_set / "AE.113A..BHZ.mseed"], out, ConvertOptions(append=True))
    assert file_snapshot(out) == before
    report = convert_to_asdf([sample_set / "AE.113A..BHN.mseed"], out, ConvertOptions(append=True))
    assert report.traces == 1
    with asdfkit.open(out) as f:
        assert sorted(h.channel for h in f.list_waveforms()) == ["BHN", "BHZ"]
        assert len(f.provenance_documents) == 2


def test_formats_obspy_reads(obspy_data: Path, tmp_path: Path) -> None:
    gse2 = obspy_data / "io" / "gse2" / "tests" / "data" / "loc_RJOB20050831023349.z"
    segy = obspy_data / "io" / "segy" / "tests" / "data" / "1.sgy_first_trace"
    out = tmp_path / "f.h5"
    report = convert_to_asdf([gse2], out, ConvertOptions(network="XX", channel="EHZ"))
    assert report.traces == 1
    with asdfkit.open(out) as f:
        (tr,) = f.get_waveforms()
        original = obspy.read(str(gse2))[0]
        assert (tr.data == original.data).all() and tr.stats.station == original.stats.station
    out2 = tmp_path / "s.h5"
    report = convert_to_asdf([segy], out2, ConvertOptions(network="XX", station="SEGY", channel="SHZ", format="SEGY",
                                                          cast="float32"))
    assert report.traces >= 1


def test_missing_input_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        convert_to_asdf([tmp_path / "absent.mseed"], tmp_path / "o.h5")


@pytest.mark.parametrize("cast", [None, "float32"])
def test_compression_threads_store_the_bytes_hdf5_would(sample_set: Path, tmp_path: Path, cast: str | None) -> None:
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    convert_to_asdf([sample_set], a, ConvertOptions(jobs=1, cast=cast))  # HDF5 compresses
    convert_to_asdf([sample_set], b, ConvertOptions(jobs=2, cast=cast))  # threads compress
    with asdfkit.open(a) as fa, asdfkit.open(b) as fb:
        sa, sb = fa.get_waveforms(), fb.get_waveforms()
        assert len(sa) == 6 and [t.id for t in sa] == [t.id for t in sb]
        assert all((x.data == y.data).all() and x.data.dtype == y.data.dtype for x, y in zip(sa, sb, strict=True))
        assert {t.data.dtype.name for t in sb} == ({"int32"} if cast is None else {"float32"})
        for header in fa.list_waveforms():
            x, y = fa.h5[header.path], fb.h5[header.path]
            assert (x.compression, x.shuffle, x.fletcher32, x.chunks) == (y.compression, y.shuffle, y.fletcher32, y.chunks)
            for start in range(0, x.shape[0], x.chunks[0]):  # every chunk, the padded edge chunk too
                assert x.id.read_direct_chunk((start,)) == y.id.read_direct_chunk((start,))


def test_automatic_jobs_and_bad_jobs(sample_set: Path, tmp_path: Path) -> None:
    import os

    from asdfkit.io.convert import AUTO_JOBS_MAX, resolve_jobs

    cpus = max(1, min(len(os.sched_getaffinity(0)), AUTO_JOBS_MAX))
    mseed = sorted(sample_set.glob("*.mseed"))  # 70 min at 40 Hz: hundreds of KiB each
    sac = sorted(Path(obspy.__file__).parent.joinpath("io", "sac", "tests", "data").glob("*.sac"))  # small
    assert resolve_jobs(0) == cpus
    assert resolve_jobs(0, mseed) == cpus
    assert resolve_jobs(0, sac) == 1
    assert resolve_jobs(5, sac) == 5
    with pytest.raises(InvalidValueError, match="invalid jobs -1"):
        convert_to_asdf([sample_set], tmp_path / "o.h5", ConvertOptions(jobs=-1))
    assert not (tmp_path / "o.h5").exists()


def _swarm(sample_set: Path, tmp_path: Path) -> tuple[Path, obspy.core.event.Event]:
    """The real quake.xml plus a second event of the same catalogue 4 s and ~22 km away (a swarm)."""
    from obspy.core.event import Catalog, Event, Origin, ResourceIdentifier

    first = obspy.read_events(str(sample_set / "quake.xml"))[0]
    origin = first.preferred_origin()
    second_origin = Origin(resource_id=ResourceIdentifier("smi:local/swarm/origin"), time=origin.time + 4,
                           latitude=origin.latitude + 0.2, longitude=origin.longitude, depth=origin.depth)
    second = Event(resource_id=ResourceIdentifier("smi:local/swarm/event"), origins=[second_origin],
                   preferred_origin_id=second_origin.resource_id)
    path = tmp_path / "swarm.xml"
    Catalog([first, second]).write(str(path), format="QUAKEML")
    return path, first


def test_events_of_one_catalogue_are_never_merged(sample_set: Path, tmp_path: Path) -> None:
    swarm, _ = _swarm(sample_set, tmp_path)
    report = convert_to_asdf([swarm], tmp_path / "s.h5")
    assert report.events == 2 and report.merged_events == {}


def test_a_merged_event_keeps_the_origins_and_magnitudes_of_the_other(sample_set: Path, tmp_path: Path) -> None:
    quake = obspy.read_events(str(sample_set / "quake.xml"))[0]
    origin = quake.preferred_origin()
    meta = tmp_path / "e.json"
    meta.write_text(json.dumps({"time": str(origin.time + 2), "latitude": origin.latitude + 0.1,
                                "longitude": origin.longitude, "depth": 500.0}))
    report = convert_to_asdf([sample_set / "quake.xml", meta, sample_set / "AE.113A..BHZ.mseed"], tmp_path / "m.h5")
    assert report.events == 1 and sum(len(v) for v in report.merged_events.values()) == 1
    (dropped,) = next(iter(report.merged_events.values()))
    with asdfkit.open(tmp_path / "m.h5") as f:
        activity = lineage(f, f.list_waveforms()[0]).steps[0].activity
        assert any(f"{dropped} -> {quake.resource_id}" in str(v) for v in activity.attributes.values())
        (event,) = f.events
        assert str(event.preferred_origin_id) == str(quake.preferred_origin_id)  # the trusted one stays preferred
        assert len(event.origins) == len(quake.origins) + 1  # the JSON origin is kept, not lost
        assert any(abs(o.time - (origin.time + 2)) < 1e-3 and o.depth == 500_000.0 for o in event.origins)


def test_append_associates_with_and_merges_into_the_stored_events(sample_set: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.h5"
    convert_to_asdf([sample_set / "quake.xml", sample_set / "AE.113A..BHZ.mseed"], out)
    with asdfkit.open(out) as f:
        (stored,) = f.events
        origin = stored.preferred_origin()
    # a trace appended without the QuakeML is associated with the stored event it overlaps
    convert_to_asdf([sample_set / "AE.113A..BHN.mseed"], out, ConvertOptions(append=True))
    # a near-duplicate from another source merges into the stored event instead of becoming a second one
    meta = tmp_path / "dup.json"
    meta.write_text(json.dumps({"time": str(origin.time + 1), "latitude": origin.latitude + 0.5,
                                "longitude": origin.longitude, "depth": 10.0}))
    report = convert_to_asdf([meta, sample_set / "AE.113A..BHE.mseed"], out, ConvertOptions(append=True))
    assert list(report.merged_events) == [str(stored.resource_id)]
    assert len(report.merged_events[str(stored.resource_id)]) == 1
    with asdfkit.open(out) as f:
        assert [str(e.resource_id) for e in f.events] == [str(stored.resource_id)]
        assert len(f.events[0].origins) == len(stored.origins) + 1
        for header in f.list_waveforms():
            assert f.get_waveform_meta(header).event_ids == [str(stored.resource_id)], header.channel


def test_skipped_duplicates_leave_the_new_traces_associated(sample_set: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.h5"
    convert_to_asdf([sample_set / "quake.xml", sample_set / "AE.113A..BHZ.mseed"], out)
    both = tmp_path / "both.mseed"
    (obspy.read(str(sample_set / "AE.113A..BHZ.mseed")) + obspy.read(str(sample_set / "AE.113A..BHN.mseed"))).write(
        str(both), format="MSEED")
    report = convert_to_asdf([both], out, ConvertOptions(append=True, on_duplicate="skip"))
    assert report.traces == 1
    with asdfkit.open(out) as f:
        (bhn,) = f.list_waveforms(channel="BHN")
        assert f.get_waveform_meta(bhn).event_ids == [str(f.events[0].resource_id)]


@pytest.mark.parametrize(("options", "message"), [
    ({"network": "TOOLONG!"}, r"invalid network code 'TOOLONG!': must match"),
    ({"location": "toolong"}, r"invalid location code 'toolong'"),
    ({"cast": "bogus"}, r"invalid cast dtype 'bogus': not a numpy dtype"),
    ({"cast": "complex64"}, r"invalid cast dtype complex64: ASDF waveforms must be one of"),
    ({"tag": "a__b"}, r"invalid tag 'a__b'"),
    ({"labels": ["a,b"]}, r"invalid label 'a,b'"),
    ({"event_window": (-5.0, 10.0)}, r"invalid event window before the origin -5.0: must be >= 0"),
    ({"dedupe_distance_km": -1.0}, r"invalid dedupe distance -1.0"),
])
def test_bad_options_are_refused_before_reading(sample_set: Path, tmp_path: Path, options: dict, message: str) -> None:
    out = tmp_path / "x.h5"
    with pytest.raises(InvalidValueError, match=message) if "cast" not in options else \
            pytest.raises(asdfkit.errors.InvalidDtypeError, match=message):
        convert_to_asdf([sample_set / "AE.113A..BHZ.mseed"], out, ConvertOptions(**options))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cast_that_would_wrap_values_is_refused(sample_set: Path, tmp_path: Path, jobs: int) -> None:
    stream = obspy.read(str(sample_set / "AE.113A..BHZ.mseed"))
    peak = int(abs(stream[0].data).max())
    assert peak > 32767  # real counts (152686): int16 cannot hold them, and would wrap them
    out = tmp_path / "c.h5"
    with pytest.raises(InvalidValueError, match=r"cannot cast trace AE.113A..BHZ to int16: its values span"):
        convert_to_asdf([sample_set / "AE.113A..BHZ.mseed"], out, ConvertOptions(cast="int16", jobs=jobs))
    assert not out.exists()
    convert_to_asdf([sample_set / "AE.113A..BHZ.mseed"], out, ConvertOptions(cast="float64", jobs=jobs))
    with asdfkit.open(out) as f:
        assert (f.get_waveforms()[0].data == stream[0].data).all()


METADATA_FILES = {  # real files of ObsPy's test data: (path under obspy/io, kind, count)
    "RESP": ("xseed/tests/data/RESP.BW.FURT..EHZ", "stations", 1),
    "dataless SEED": ("xseed/tests/data/dataless.seed.BW_FURT", "stations", 1),
    "FDSN station text": ("stationtxt/tests/data/station_level_fdsn.txt", "stations", 2),
    "SC3ML inventory": ("seiscomp/tests/data/EB_response_sc3ml", "stations", 1),
    "NDK": ("ndk/tests/data/C200604092050A.ndk", "events", 1),
    "CMTSOLUTION": ("cmtsolution/tests/data/CMTSOLUTION", "events", 1),
    "NLLOC hyp": ("nlloc/tests/data/nlloc.hyp", "events", 1),
    "SC3ML events": ("seiscomp/tests/data/quakeml_1.2_event.sc3ml", "events", 1),
}


@pytest.mark.parametrize("name", sorted(METADATA_FILES))
def test_metadata_formats_obspy_reads_are_inputs_too(obspy_data: Path, tmp_path: Path, name: str) -> None:
    relative, kind, count = METADATA_FILES[name]
    source = obspy_data / "io" / relative
    expected = obspy.read_inventory(str(source)) if kind == "stations" else obspy.read_events(str(source))
    # given directly, and found by walking a directory
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(source, folder / source.name)
    for inputs in ([source], [folder]):
        out = tmp_path / f"{len(inputs[0].parts)}.h5"
        report = convert_to_asdf(inputs, out)
        assert report.inputs == 1 and report.bad_inputs == []
        with asdfkit.open(out) as f:
            if kind == "stations":
                assert len(f.stations_with_stationxml) >= count
                assert sorted(f.stations_with_stationxml) == sorted(
                    {f"{n.code}.{s.code}" for n in expected for s in n})
            else:
                assert len(f.events) == len(expected) >= count


def test_json_station_channels_join_one_station_and_bad_coordinates_are_refused(tmp_path: Path) -> None:
    from asdfkit.io.jsonmeta import read_json_metadata

    pokr = {"name": "POKR", "network": "TA", "location": "", "latitude": 65.1171, "longitude": -147.4335,
            "elevation": 501.0}
    path = tmp_path / "st.json"
    path.write_text(json.dumps([{**pokr, "channel": "BHZ"}, {**pokr, "channel": "BHN"}]))
    _, inventory = read_json_metadata(path)
    assert len(inventory.networks) == 1 and len(inventory[0].stations) == 1
    assert sorted(c.code for c in inventory[0][0]) == ["BHN", "BHZ"]
    path.write_text(json.dumps([{**pokr, "channel": "BHZ"}, {**pokr, "channel": "BHN", "latitude": 60.0}]))
    with pytest.raises(InvalidValueError, match="station TA.POKR .* other coordinates"):
        read_json_metadata(path)
    path.write_text(json.dumps({"time": "2013-05-24T05:44:48", "latitude": 154.8, "longitude": 153.2, "depth": 611}))
    with pytest.raises(InvalidValueError, match=r"invalid latitude 154.8 .*: must be within -90 to 90"):
        read_json_metadata(path)


def test_the_lineage_of_a_trace_names_its_own_input_file(sample_set: Path, tmp_path: Path) -> None:
    out = tmp_path / "l.h5"
    convert_to_asdf([sample_set], out)
    with asdfkit.open(out) as f:
        header = f.list_waveforms(station="POKR", channel="BHZ")[0]
        chain = lineage(f, header)
        (step,) = chain.steps
        assert step.activity.prov_type == "asdfkit:convert"
        (source,) = chain.sources  # before the fix: all 9 input files of the conversion
        assert source.prov_type == "seis_prov:file"
        assert any(str(v).endswith("TA.POKR..BHZ.mseed") for v in source.attributes.values()), source.attributes
        assert len(step.inputs) == 1


@pytest.mark.parametrize("jobs", [1, 2])
def test_merge_joins_contiguous_traces_across_input_files(sample_set: Path, tmp_path: Path, jobs: int) -> None:
    original = obspy.read(str(sample_set / "AE.113A..BHZ.mseed"))[0]
    t0, dt = original.stats.starttime, original.stats.delta
    parts = []
    for i in range(4):  # an archive of 10-minute files, one of them missing (a gap)
        if i == 2:
            continue
        path = tmp_path / f"part{i}.mseed"
        original.slice(t0 + i * 600, t0 + (i + 1) * 600 - dt).write(str(path), format="MSEED")
        parts.append(path)
    out = tmp_path / "m.h5"
    report = convert_to_asdf(parts, out, ConvertOptions(merge=True, jobs=jobs))
    assert (report.traces, report.merged_traces) == (2, 2)  # parts 0+1 joined; part 3 after the gap
    with asdfkit.open(out) as f:
        first, last = sorted(f.get_waveforms(), key=lambda t: t.stats.starttime)
        expected = original.slice(t0, t0 + 1200 - dt)
        assert first.stats.starttime == t0 and first.stats.npts == 2 * 24000
        assert (first.data == expected.data).all()
        assert last.stats.starttime == t0 + 1800
        chain = lineage(f, f.list_waveforms(starttime=t0, endtime=t0 + 1)[0])
        assert len(chain.sources) == 2  # the merged trace derives from both of its files
    assert asdfkit.validate(out).ok
    assert convert_to_asdf(parts, tmp_path / "n.h5", ConvertOptions(jobs=jobs)).traces == 3  # without --merge


@pytest.mark.parametrize("fmt", ["SEGY", "SU"])
def test_multi_trace_segy_traces_are_numbered_as_stations(sample_set: Path, tmp_path: Path, fmt: str) -> None:
    # three real recordings in one SEG-Y / Seismic Unix file (formats without SEED codes)
    stream = obspy.read(str(sample_set / "AE.113A..BH?.mseed"))
    for trace in stream:
        trace.data = trace.data[:2000].astype("float32")
        trace.stats.network = trace.stats.station = trace.stats.location = trace.stats.channel = ""
    path = tmp_path / f"shot.{fmt.lower()}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # ObsPy: "CREATING TRACE HEADER" for traces read elsewhere
        stream.write(str(path), format=fmt)
    out = tmp_path / "s.h5"
    report = convert_to_asdf([path], out, ConvertOptions(network="XX", channel="BHZ", format=fmt))
    assert report.traces == 3
    with asdfkit.open(out) as f:
        got = {t.stats.station: t for t in f.get_waveforms()}
        assert sorted(got) == ["1", "2", "3"]
        for number, trace in enumerate(stream, start=1):
            assert (got[str(number)].data == trace.data).all()


def test_threads_decode_sac_outside_the_obspy_lock(sac_file: Path, sample_set: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import contextlib

    import asdfkit.io.readers as readers

    held = []

    @contextlib.contextmanager
    def lock():  # records whether a decoder runs while the lock is held
        held.append(True)
        try:
            yield
        finally:
            held.pop()

    calls = []
    real_sac = readers.read_sac
    monkeypatch.setattr(readers, "read_sac", lambda path: calls.append(("SAC", bool(held))) or real_sac(path))
    reader = readers.WaveformReader()
    assert len(reader.read(sac_file, lock())) == 1
    assert calls == [("SAC", False)]  # asdfkit's numpy SAC decoder: parallel in threads
    plugin = reader.detect(sample_set / "AE.113A..BHZ.mseed")
    assert plugin is not None and plugin[0] == "MSEED"
    seen = []
    original = plugin[1]
    monkeypatch.setattr(reader, "detect", lambda path: ("MSEED", lambda p: seen.append(bool(held)) or original(p)))
    assert len(reader.read(sample_set / "AE.113A..BHZ.mseed", lock())) == 1
    assert seen == [True]  # ObsPy's miniSEED reader (libmseed): under the lock


def test_metadata_named_by_options_counts_as_input(sample_set: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    report = convert_to_asdf([tmp_path / "empty"], tmp_path / "m.h5",
                             ConvertOptions(stations=[sample_set / "AE.113A..BH_.xml"], events=[sample_set / "quake.xml"]))
    assert (report.inputs, report.stations, report.events, report.traces) == (2, 1, 1, 0)


def test_a_full_seed_volume_gives_its_responses_and_its_waveforms(obspy_data: Path, tmp_path: Path) -> None:
    xseed = obspy_data / "io" / "xseed" / "tests" / "data"
    volume = tmp_path / "II.COCO.seed"  # real dataless control headers followed by real data records
    volume.write_bytes((xseed / "dataless.seed.II_COCO").read_bytes()
                       + (xseed / "II_COCO_three_channel_borehole.mseed").read_bytes())
    report = convert_to_asdf([volume], tmp_path / "v.h5")
    assert (report.inputs, report.traces, report.stations) == (1, 3, 1)
    with asdfkit.open(tmp_path / "v.h5") as f:
        data = obspy.read(str(xseed / "II_COCO_three_channel_borehole.mseed"))
        for trace in data:
            (got,) = f.get_waveforms(location=trace.stats.location, channel=trace.stats.channel)
            assert (got.data == trace.data).all()
        assert f.get_station_inventory("II.COCO")[0][0].channels
    # a dataless volume alone is metadata only
    report = convert_to_asdf([xseed / "dataless.seed.II_COCO"], tmp_path / "d.h5")
    assert (report.traces, report.stations) == (0, 1)


def test_append_of_sac_picks_to_a_stored_event_keeps_them(sac_file: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.sac", tmp_path / "b.sac"
    trace = obspy.read(str(sac_file))[0]
    trace.write(str(first), format="SAC")
    trace.stats.sac.t1 = trace.stats.sac.a + 2.5  # the same event, another analyst's S pick
    trace.stats.sac.kt1 = "S"
    trace.stats.channel = "BHN"
    trace.write(str(second), format="SAC")
    out = tmp_path / "p.h5"
    convert_to_asdf([first], out, ConvertOptions(network="XX", channel="BHZ"))
    with asdfkit.open(out) as f:
        before = len(f.events[0].picks)
    convert_to_asdf([second], out, ConvertOptions(network="XX", channel="BHN", append=True))
    with asdfkit.open(out) as f:
        assert len(f.events) == 1
        assert len(f.events[0].picks) > before
        assert "S" in {p.phase_hint for p in f.events[0].picks}


def test_append_that_only_adds_a_magnitude_is_not_nothing(sample_set: Path, tmp_path: Path) -> None:
    out = tmp_path / "q.h5"
    convert_to_asdf([sample_set / "quake.xml"], out)
    quake = obspy.read_events(str(sample_set / "quake.xml"))[0]
    origin = quake.preferred_origin()
    other = obspy.core.event.Event(resource_id=obspy.core.event.ResourceIdentifier("smi:local/agency-b/event"))
    copy = obspy.core.event.Origin(resource_id=obspy.core.event.ResourceIdentifier("smi:local/agency-b/origin"),
                                   time=origin.time + 1, latitude=origin.latitude, longitude=origin.longitude)
    other.origins = [copy]
    other.magnitudes = [obspy.core.event.Magnitude(
        resource_id=obspy.core.event.ResourceIdentifier("smi:local/agency-b/mag"), mag=8.2, magnitude_type="Mw")]
    path = tmp_path / "b.xml"
    obspy.core.event.Catalog([other]).write(str(path), format="QUAKEML")
    report = convert_to_asdf([path], out, ConvertOptions(append=True))
    assert report.events == 1
    with asdfkit.open(out) as f:
        assert 8.2 in {m.mag for m in f.events[0].magnitudes}


def test_cast_of_a_trace_with_nan_is_clear(tmp_path: Path, sample_set: Path) -> None:
    trace = obspy.read(str(sample_set / "AE.113A..BHZ.mseed"))[0]
    trace.data = trace.data.astype("float64")
    trace.data[:10] = float("nan")
    del trace.stats.mseed  # its int32 encoding no longer fits
    path = tmp_path / "nan.mseed"
    trace.write(str(path), format="MSEED")
    out = tmp_path / "n.h5"
    report = convert_to_asdf([path], out, ConvertOptions(cast="float32"))  # NaN stays NaN in float32
    assert report.traces == 1
    with pytest.raises(InvalidValueError, match="NaN or infinity"):
        convert_to_asdf([path], tmp_path / "i.h5", ConvertOptions(cast="int32"))
    report = convert_to_asdf([path, sample_set / "AE.113A..BHN.mseed"], tmp_path / "s.h5",
                             ConvertOptions(cast="int32", skip_bad=True))
    # only the bad trace is skipped (its file had no other), reported with its reason
    assert report.traces == 1 and not report.bad_inputs
    assert report.skipped[0]["trace"] == "AE.113A..BHZ" and "NaN" in report.skipped[0]["reason"]


def test_dedupe_merges_into_the_closest_event_and_scales(tmp_path: Path) -> None:
    import time as clock

    from obspy import UTCDateTime
    from obspy.core.event import Event, Origin, ResourceIdentifier

    from asdfkit.io.dedupe import merge_duplicates

    def event(rid: str, seconds: float, lat: float) -> Event:
        origin = Origin(time=UTCDateTime(2020, 1, 1) + seconds, latitude=lat, longitude=0.0)
        return Event(resource_id=ResourceIdentifier(rid), origins=[origin], preferred_origin_id=origin.resource_id)

    # a swarm in one catalogue, and another source's copy of its second event
    result = merge_duplicates([event("q/A1", 0, 0.0), event("q/A2", 5, 0.5), event("j/B", 5, 0.5)],
                              sources=["q.xml", "q.xml", "b.json"])
    assert result.mapping == {"j/B": "q/A2"}
    many = [event(f"e{i}", i * 3600, 0.0) for i in range(4000)]
    started = clock.perf_counter()
    result = merge_duplicates(many, sources=[f"s{i}" for i in range(4000)])
    assert len(result.catalog) == 4000
    assert clock.perf_counter() - started < 5  # sorted by time: no comparison of every pair (was 24 s)


def test_merge_does_not_let_half_sample_offsets_add_up(sample_set: Path, tmp_path: Path) -> None:
    original = obspy.read(str(sample_set / "AE.113A..BHZ.mseed"))[0]
    t0, dt = original.stats.starttime, original.stats.delta
    parts = []
    for i in range(6):  # each piece 0.4 samples later than the last ends: fine alone, drifting together
        piece = original.slice(t0 + i * 60, t0 + (i + 1) * 60 - dt)
        piece.stats.starttime += 0.4 * dt * i
        path = tmp_path / f"p{i}.mseed"
        piece.write(str(path), format="MSEED")
        parts.append(path)
    report = convert_to_asdf(parts, tmp_path / "d.h5", ConvertOptions(merge=True))
    with asdfkit.open(tmp_path / "d.h5") as f:
        for trace in f.get_waveforms():  # every merged trace is within half a sample of its pieces
            start = trace.stats.starttime
            assert any(abs(start - (t0 + i * 60 + 0.4 * dt * i)) < dt / 2 for i in range(6))
    assert report.traces > 1  # the pieces 2 samples off the first piece's grid start new traces


def test_json_station_longitude_beyond_180_is_refused(tmp_path: Path) -> None:
    from asdfkit.io.jsonmeta import read_json_metadata

    path = tmp_path / "s.json"
    path.write_text(json.dumps({"name": "AAA", "network": "XX", "latitude": 1.0, "longitude": 200.0}))
    with pytest.raises(InvalidValueError, match="invalid longitude 200.0 .* -180 to 180"):
        read_json_metadata(path)


def test_segy_traces_with_repeated_numbers_take_their_positions(sample_set: Path, tmp_path: Path) -> None:
    from asdfkit.io.convert import ConvertReport, _Converter

    stream = obspy.read(str(sample_set / "AE.113A..BH?.mseed"))
    for trace in stream:
        trace.stats.station = ""
        trace.stats.segy = obspy.core.util.AttribDict(
            trace_header=obspy.core.util.AttribDict(trace_sequence_number_within_line=1))
    _Converter(ConvertOptions(), ConvertReport()).fix_codes(stream)
    assert [t.stats.station for t in stream] == ["1", "2", "3"]


def test_lineage_through_two_converted_traces_names_both_files(sample_set: Path, tmp_path: Path) -> None:
    from asdfkit.provenance import ProvenanceRecorder

    out = tmp_path / "x.h5"
    convert_to_asdf([sample_set / "AE.113A..BHZ.mseed", sample_set / "TA.POKR..BHZ.mseed"], out)
    with asdfkit.open(out, "r+") as f:
        a, b = f.list_waveforms()
        f.add_auxiliary_data([1.0, 2.0, 3.0], data_type="CrossCorrelation", path="AE_113A_TA_POKR/ZZ")
        ProvenanceRecorder(f).record("asdfkit_xcorr", inputs=[a, b],
                                     outputs=["/AuxiliaryData/CrossCorrelation/AE_113A_TA_POKR/ZZ"])
        chain = lineage(f, "/AuxiliaryData/CrossCorrelation/AE_113A_TA_POKR/ZZ")
    convert_step = next(s for s in chain.steps if s.activity and s.activity.prov_type == "asdfkit:convert")
    files = sorted(str(i.attributes.get("filename")) for i in convert_step.inputs)
    assert files == ["AE.113A..BHZ.mseed", "TA.POKR..BHZ.mseed"]  # both traces' files, not the first's only
    assert sorted(str(s.attributes.get("filename")) for s in chain.sources) == files
