"""Files written by asdfkit and by pyasdf from real data validate clean; validating changes nothing."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import h5py
import numpy as np
import pytest

import asdfkit
from asdfkit.validation import Report, Severity


def test_asdfkit_file_of_obspy_examples_is_valid(obspy_example_file: Path) -> None:
    report = asdfkit.validate(obspy_example_file)
    assert report.ok and report.exit_code == 0
    # ObsPy's example recordings are 100 Hz, its example StationXML says 200 Hz: a true warning.
    assert {f.rule for f in report.findings} == {"ASDF-STXML-007"}
    assert all(f.severity is Severity.WARNING for f in report.findings)
    assert report.checked["traces"] == 3 and report.checked["events"] == 3
    assert report.checked["provenance documents"] == 1 and report.checked["auxiliary datasets"] == 1
    assert report.format_version == "1.0.3"


def test_asdfkit_file_of_the_sample_set_has_no_finding(sample_set_file: Path) -> None:
    report = asdfkit.validate(sample_set_file)
    assert report.findings == ()
    assert report.checked == {"events": 1, "stations": 2, "stationxml documents": 2, "traces": 6}


def test_pyasdf_file_has_no_finding(pyasdf_file: Path) -> None:
    report = asdfkit.validate(pyasdf_file)
    assert report.findings == (), [str(f) for f in report.findings]
    assert report.checked["traces"] == 6


def test_base_file_has_no_finding(base_file: Path) -> None:
    assert asdfkit.validate(base_file).findings == ()


def test_validate_never_modifies_the_file(obspy_example_file: Path, file_snapshot) -> None:
    before, mtime = file_snapshot(obspy_example_file), obspy_example_file.stat().st_mtime_ns
    asdfkit.validate(obspy_example_file)
    assert file_snapshot(obspy_example_file) == before
    assert obspy_example_file.stat().st_mtime_ns == mtime


def test_accepts_str_and_pathlike(base_file: Path) -> None:
    assert asdfkit.validate(str(base_file)).ok
    assert asdfkit.validate(base_file).path == str(base_file)


def _many_traces(path: Path, stations: int, per_station: int) -> None:
    with h5py.File(path, "w") as f:
        f.attrs["file_format"] = np.bytes_(b"ASDF\x00")
        f.attrs["file_format_version"] = np.bytes_(b"1.0.3\x00")
        for s in range(stations):
            group = f.create_group(f"Waveforms/XX.S{s:03d}")
            for i in range(per_station):
                name = f"XX.S{s:03d}..BHZ__2013-05-24T05:{i // 60:02d}:{i % 60:02d}__2013-05-24T05:{i // 60:02d}:{i % 60:02d}__raw"
                ds = group.create_dataset(name, data=np.zeros(1, np.int32))
                ds.attrs["starttime"] = np.int64((1369371600 + i) * 10**9)
                ds.attrs["sampling_rate"] = np.float64(1.0)


def test_memory_does_not_grow_with_the_number_of_traces(tmp_path: Path) -> None:
    small, large = tmp_path / "small.h5", tmp_path / "large.h5"
    _many_traces(small, 2, 50)
    _many_traces(large, 20, 50)
    peaks = []
    for path in (small, large):
        asdfkit.validate(path)  # warm caches (schemas, regexes)
        tracemalloc.start()
        report = asdfkit.validate(path, workers=1)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert report.findings == tuple(f for f in report.findings if f.rule == "ASDF-STXML-001")
    assert report.checked["traces"] == 1000
    # Ten times the traces, (almost) the same peak: nothing is kept per trace.
    assert peaks[1] < peaks[0] * 1.5 + 200_000, peaks


@pytest.mark.parametrize("workers", [1, 2])
def test_parallel_checking_finds_the_same(tmp_path: Path, base_file: Path, workers: int) -> None:
    path = tmp_path / "many.h5"
    _many_traces(path, 6, 20)
    with h5py.File(path, "r+") as f:
        f["Waveforms/XX.S004"][next(iter(f["Waveforms/XX.S004"]))].attrs["sampling_rate"] = -1.0
        f["Waveforms/XX.S000"][next(iter(f["Waveforms/XX.S000"]))].attrs["sampling_rate"] = 0.0
    sequential = asdfkit.validate(path, workers=1)
    report = asdfkit.validate(path, workers=workers)
    assert report.findings == sequential.findings
    assert report.checked == sequential.checked
    assert [f.rule for f in report.errors] == ["ASDF-WAVE-005", "ASDF-WAVE-005"]
    assert report.errors[0].path.startswith("/Waveforms/XX.S000/")


def test_parallel_checking_honours_max_findings(tmp_path: Path) -> None:
    path = tmp_path / "many.h5"
    _many_traces(path, 4, 10)
    report = asdfkit.validate(path, workers=2, max_findings=3)
    assert report.truncated and len(report.findings) == 3


def test_report_is_a_report(base_file: Path) -> None:
    assert isinstance(asdfkit.validate(base_file), Report)


def test_a_crashing_worker_becomes_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from asdfkit.validation import parallel

    def die(conn, ctx, stations) -> None:  # what a segfault inside HDF5 looks like to the parent
        os._exit(3)

    monkeypatch.setattr(parallel, "_child", die)
    path = tmp_path / "many.h5"
    _many_traces(path, 4, 5)
    report = asdfkit.validate(path, workers=2)
    crashed = [f for f in report.findings if f.rule == "ASDF-FILE-002"]
    assert len(crashed) == 1 and crashed[0].path == "/Waveforms"
    assert "crashed (exit code 3)" in crashed[0].message
    assert report.checked["traces"] == 10  # the parent's half was still checked



def test_hdf5_metadata_cache_stays_capped(tmp_path: Path) -> None:
    """HDF5's own memory: without the cap its metadata cache grows adaptively while every object
    is visited once (~700 MB after the 100,000-trace benchmark file; 110 MB with the cap)."""
    from asdfkit.container.inspect import METADATA_CACHE_BYTES, Inspector

    path = tmp_path / "many.h5"
    _many_traces(path, 20, 100)
    with Inspector.open(path) as h5:
        waveforms = h5.child(h5.root(), "Waveforms")
        assert waveforms is not None
        count = sum(1 for station in h5.children(waveforms, expect="group") for _ in h5.children(station))
        assert count == 2000
        assert h5.metadata_cache_bytes() == METADATA_CACHE_BYTES
