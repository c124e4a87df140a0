"""Converting real files into ASDF: formats, SAC metadata, JSON metadata, events, atomicity."""

from __future__ import annotations

import json
import shutil
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
        assert f"{header.seed_id}.mseed" in names and "quake.xml" in names
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
