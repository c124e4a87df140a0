"""asdfkit.batch.run: outputs equal direct processing; chunks, restart, failures, aux data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import obspy
import pytest
from batch_helpers import content, trace_samples
from batch_jobs import bandpass, fails_while_marked, rms_and_trace

import asdfkit
from asdfkit.batch import Backend, ChunkSpec, merge_chunks, partition, run, status
from asdfkit.batch.journal import ChunkJournal, WorkDir
from asdfkit.errors import BatchError, BatchIncompleteError
from asdfkit.provenance import lineage
from asdfkit.provenance import validate as validate_prov

SERIAL = Backend("local", workers=1)
POOL = Backend("local", workers=2)


def test_single_chunk_output_equals_processing_each_station_directly(
    stations_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.h5"
    summary = run(stations_file, out, bandpass, backend=POOL, progress=False)
    assert summary.ok and len(summary.processed) == 12 and summary.merged is not None
    with asdfkit.open(stations_file) as src, asdfkit.open(out) as dst:
        assert dst.stations == src.stations
        assert dst.waveform_tags == ["processed"]
        assert [str(e.resource_id) for e in dst.events] == [str(e.resource_id) for e in src.events]
        for sid in src.stations:
            assert dst.get_station_xml(sid) == src.get_station_xml(sid)
            net, sta = sid.split(".")
            expected = bandpass(src.get_waveforms(network=net, station=sta), src.get_station_inventory(sid))
            got = dst.get_waveforms(network=net, station=sta)
            assert [tr.id for tr in got] == [tr.id for tr in expected]
            for a, b in zip(got, expected, strict=True):
                assert (
                    a.stats.starttime == b.stats.starttime and a.stats.sampling_rate == b.stats.sampling_rate
                )
                assert a.data.dtype == b.data.dtype and np.array_equal(a.data, b.data)
        header = dst.list_waveforms()[0]
        activities = lineage(dst, header).activities
        assert [a.prov_type for a in activities] == [
            "seis_prov:detrend",
            "seis_prov:taper",
            "seis_prov:bandpass_filter",
        ]
        for name in dst.provenance_documents:
            assert validate_prov(dst.get_provenance_document(name)).ok


def test_chunks_merge_to_the_single_run_and_merging_again_changes_nothing(
    stations_file: Path, tmp_path: Path
) -> None:
    whole = tmp_path / "whole.h5"
    run(stations_file, whole, bandpass, backend=SERIAL, progress=False)
    chunked = tmp_path / "chunked.h5"
    seen: list[str] = []
    for index in range(3):
        summary = run(
            stations_file, chunked, bandpass, chunk=ChunkSpec(index, 3), backend=SERIAL, progress=False
        )
        assert summary.merged is None  # several chunks: merge is its own step
        seen += summary.processed
    assert sorted(seen) == sorted(partition(seen, 1)[0]) and len(seen) == 12
    assert not chunked.exists()
    report = merge_chunks(chunked)
    assert report.copied > 0
    assert content(chunked) == content(whole)
    before = chunked.stat()
    again = merge_chunks(chunked)
    assert not again.changed and again.copied == 0
    after = chunked.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_second_run_processes_nothing(stations_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.h5"
    run(stations_file, out, bandpass, backend=SERIAL, progress=False)
    first = content(out)
    again = run(stations_file, out, bandpass, backend=SERIAL, progress=False)
    assert again.processed == [] and len(again.skipped) == 12
    assert content(out) == first
    journal = ChunkJournal.load(
        tmp_path / "out.h5.batch" / "chunk-0000-of-0001" / "journal.jsonl", ChunkSpec(0, 1), []
    )
    assert [r["processed"] for r in journal.runs] == [12, 0]


def test_a_failing_station_is_reported_and_retried(
    stations_file: Path, tmp_path: Path, fail_marker: Path
) -> None:
    fail_marker.write_text("AE.A01 TA.P03")
    out = tmp_path / "out.h5"
    summary = run(stations_file, out, fails_while_marked, backend=POOL, progress=False)
    assert sorted(summary.failed) == ["AE.A01", "TA.P03"]
    failure = summary.failed["AE.A01"]
    assert failure["error"] == "ZeroDivisionError: station AE.A01 is marked to fail"
    assert "fails_while_marked" in failure["traceback"] and "ZeroDivisionError" in failure["traceback"]
    assert not out.exists()  # nothing merged while stations failed
    state = status(out)
    assert state.count("done") == 10 and state.count("failed") == 2 and not state.complete
    with pytest.raises(BatchIncompleteError, match="2 failed"):
        merge_chunks(out)
    partial = tmp_path / "partial.h5"
    assert not partial.exists()

    fail_marker.write_text("")
    retry = run(stations_file, out, fails_while_marked, backend=POOL, progress=False)
    assert sorted(retry.processed) == ["AE.A01", "TA.P03"] and retry.ok
    assert status(out).complete
    whole = tmp_path / "whole.h5"
    run(stations_file, whole, bandpass, backend=SERIAL, progress=False)
    assert trace_samples(out).keys() == trace_samples(whole).keys()
    for key, (rate, data) in trace_samples(whole).items():
        assert trace_samples(out)[key][0] == rate and np.array_equal(trace_samples(out)[key][1], data)


def test_partial_merge_holds_the_done_stations(
    stations_file: Path, tmp_path: Path, fail_marker: Path
) -> None:
    fail_marker.write_text("AE.A00")
    out = tmp_path / "out.h5"
    run(stations_file, out, fails_while_marked, backend=SERIAL, progress=False)
    merge_chunks(out, partial=True)
    with asdfkit.open(out) as f:
        assert "AE.A00" not in {h.station_id for h in f.list_waveforms()}
        assert len({h.station_id for h in f.list_waveforms()}) == 11


def test_auxiliary_outputs_are_stored_with_provenance(stations_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.h5"
    run(stations_file, out, rms_and_trace, backend=POOL, tag="bandpass", progress=False)
    with asdfkit.open(stations_file) as src, asdfkit.open(out) as f:
        assert len(f.list_auxiliary_data("RMS")) == 12
        item = f.get_auxiliary_data("RMS", "TA_P02")
        st = bandpass(src.get_waveforms(station="P02"), obspy.Inventory())
        expected = [np.sqrt(np.mean(tr.data.astype(np.float64) ** 2)) for tr in st]
        assert np.array_equal(item.data, expected) and item.attrs["channels"] == 3
        assert f.get_provenance_id("/AuxiliaryData/RMS/TA_P02")
        assert f.waveform_tags == ["bandpass"]


def test_restart_with_other_settings_is_refused(stations_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.h5"
    run(stations_file, out, bandpass, chunk=ChunkSpec(0, 2), backend=SERIAL, progress=False)
    plan = (tmp_path / "out.h5.batch" / "plan.json").read_bytes()
    with pytest.raises(BatchError, match=r"chunks is 3 here but 2 in the work folder"):
        run(stations_file, out, bandpass, chunk=ChunkSpec(0, 3), backend=SERIAL, progress=False)
    with pytest.raises(BatchError, match=r"job is 'function:batch_jobs.rms_and_trace' here"):
        run(stations_file, out, rms_and_trace, chunk=ChunkSpec(1, 2), backend=SERIAL, progress=False)
    assert (tmp_path / "out.h5.batch" / "plan.json").read_bytes() == plan


def test_bad_input_is_refused_before_anything_is_written(stations_file: Path, tmp_path: Path) -> None:
    with asdfkit.open(stations_file, "a") as f:
        f.add_waveforms(obspy.read(), tag="other")
    out = tmp_path / "out.h5"
    with pytest.raises(BatchError, match=r"several tags \(other, raw_recording\)"):
        run(stations_file, out, bandpass, backend=SERIAL, progress=False)
    with pytest.raises(BatchError, match=r"invalid input_tag 'nope'"):
        run(stations_file, out, bandpass, input_tag="nope", backend=SERIAL, progress=False)
    with pytest.raises(asdfkit.errors.InvalidNameError, match="invalid tag 'bad tag'"):
        run(stations_file, out, bandpass, tag="bad tag", input_tag="other", backend=SERIAL, progress=False)
    with pytest.raises(asdfkit.errors.FormatError, match="no such file"):
        run(tmp_path / "missing.h5", out, bandpass, backend=SERIAL, progress=False)
    assert not out.exists() and not (tmp_path / "out.h5.batch").exists()


def test_a_restart_removes_its_own_leftovers_only(stations_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.h5"
    work = tmp_path / "out.h5.batch"
    run(stations_file, out, bandpass, chunk=ChunkSpec(0, 2), backend=SERIAL, progress=False)
    mine = work / "chunk-0000-of-0002" / "parts" / ".AE.A00+1.0123abcd.h5.partial"
    mine_packing = work / ".chunk-0000-of-0002.h5.999.partial"
    theirs = work / ".chunk-0001-of-0002.h5.999.partial"  # another array task, packing right now
    for path in (mine, mine_packing, theirs):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half written")
    again = run(stations_file, out, bandpass, chunk=ChunkSpec(0, 2), backend=SERIAL, progress=False)
    assert again.processed == []
    assert not mine.exists() and not mine_packing.exists() and theirs.exists()


def test_links_planted_in_the_work_folder_are_never_written_through(stations_file: Path, tmp_path: Path) -> None:
    """The pack and plan temporaries are created exclusively under unpredictable names: a link
    planted at the names they had before (``.NAME.pack.partial``, ``.plan.json.HOST.PID.partial``)
    does not redirect the write, and the run's leftover cleanup removes the link, not its target."""
    import os
    import socket

    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    out = tmp_path / "out.h5"
    work = tmp_path / "out.h5.batch"
    work.mkdir()
    planted = [
        work / ".chunk-0000-of-0001.h5.pack.partial",
        work / f".plan.json.{socket.gethostname()}.{os.getpid()}.partial",
    ]
    for link in planted:
        link.symlink_to(victim)
    summary = run(stations_file, out, bandpass, backend=SERIAL, progress=False)
    assert summary.ok and summary.merged is not None
    assert victim.read_bytes() == b"precious"
    assert not planted[0].is_symlink()  # a leftover of this chunk: removed (the link itself)
    with asdfkit.open(out) as f:
        assert len(f.stations) == 12


def test_a_station_without_stationxml_gets_an_empty_inventory(stations_file: Path, tmp_path: Path) -> None:
    with asdfkit.open(stations_file, "a") as f:
        f.add_waveforms(obspy.read(), tag="raw_recording")  # BW.RJOB: traces, no StationXML
    out = tmp_path / "out.h5"
    summary = run(stations_file, out, rms_and_trace, backend=SERIAL, progress=False)
    assert summary.ok and len(summary.processed) == 13
    with asdfkit.open(out) as f:
        assert "BW.RJOB" in f.stations and "BW.RJOB" not in f.stations_with_stationxml
        assert len(f.get_waveforms(station="RJOB")) == 3


def test_without_provenance_the_data_are_the_same(stations_file: Path, tmp_path: Path) -> None:
    with_prov, without = tmp_path / "with.h5", tmp_path / "without.h5"
    run(stations_file, with_prov, bandpass, backend=SERIAL, progress=False)
    run(stations_file, without, bandpass, backend=SERIAL, progress=False, provenance=False)
    with asdfkit.open(without) as f:
        assert f.provenance_documents == []
        assert f.get_provenance_id(f.list_waveforms()[0].path) is None
    a, b = trace_samples(with_prov), trace_samples(without)
    assert a.keys() == b.keys() and all(np.array_equal(a[k][1], b[k][1]) for k in a)


def test_the_pack_counts_the_datasets_the_merge_reports(
    stations_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chunk file's datasets are counted while it is verified (no second walk at merge time),
    with the local pool's processes sharing the reading; an older journal without the count
    still merges with the right figure."""
    from asdfkit.batch import runner
    from asdfkit.batch.parts import count_datasets

    readers: list[int] = []

    def verify(path: Path, processes: int = 1) -> int:
        readers.append(processes)
        return runner_verify(path, processes)

    runner_verify = runner.verify_file
    monkeypatch.setattr(runner, "PARALLEL_VERIFY_OBJECTS", 1)  # 12 stations: share the reading anyway
    monkeypatch.setattr(runner, "verify_file", verify)
    out = tmp_path / "out.h5"
    summary = run(stations_file, out, bandpass, backend=POOL, progress=False)
    assert readers == [2] and summary.tasks == len(runner.task_sizes(12, 2))
    datasets = count_datasets(out)
    assert datasets == 12 * 5 + 1  # per station: 3 traces, StationXML, a provenance document; QuakeML
    assert summary.merged is not None and summary.merged["copied"] == datasets
    assert status(out).chunks[0].datasets == datasets

    old = tmp_path / "old.h5"
    run(stations_file, old, bandpass, backend=SERIAL, progress=False, merge_output=False)
    journal = WorkDir(old).journal_path(ChunkSpec(0, 1))
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert any("datasets" in line for line in lines)
    journal.write_text("".join(json.dumps({k: v for k, v in line.items() if k != "datasets"}) + "\n"
                               for line in lines))
    assert status(old).chunks[0].datasets is None
    assert merge_chunks(old).copied == count_datasets(old) == datasets
