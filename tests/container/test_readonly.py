"""Mode "r" never modifies the file, and refuses every write with ModeError."""

from __future__ import annotations

import numpy as np
import obspy
import pyasdf
import pytest
from obspy import UTCDateTime

import asdfkit
from asdfkit.errors import FormatError, ModeError


def _read_everything(path) -> int:
    """Touch every section through the public API; return how many samples were read."""
    samples = 0
    with asdfkit.open(path) as f:
        f.summary()
        repr(f)
        assert len(f.events) == f.quakeml.count(b"</event>")
        assert isinstance(f.inventory, obspy.Inventory)
        for sid in f.stations_with_stationxml:
            f.get_station_xml(sid)
            f.get_coordinates(sid)
        for header in f.list_waveforms():
            f.get_waveform_meta(header)
        samples += sum(tr.stats.npts for tr in f.get_waveforms())
        samples += sum(tr.stats.npts for tr in f.get_waveforms(
            starttime=UTCDateTime(2013, 5, 24, 6), endtime=UTCDateTime(2013, 5, 24, 6, 1)))
        for data_type, path_ in f.list_auxiliary_data():
            f.get_auxiliary_data(data_type, path_)
        for name in f.provenance_documents:
            f.get_provenance_document(name)
        f.flush()
    return samples


@pytest.fixture
def full_file(tmp_path, sample_stream, sample_inventory, sample_catalog, pyasdf_data):
    path = tmp_path / "full.h5"
    with asdfkit.open(path, "w") as f:
        f.add_events(sample_catalog)
        f.add_stations(sample_inventory)
        f.add_waveforms(sample_stream, tag="raw_recording", labels=["x"])
        f.add_auxiliary_data(np.arange(5), data_type="A", path="b/c", attrs={"k": 1})
        f.add_provenance_document((pyasdf_data / "example_schematic_processing_chain.xml").read_bytes(),
                                  name="chain")
    return path


@pytest.mark.parametrize("cache", ["on", "off"])
def test_reading_everything_leaves_the_file_untouched(full_file, state, file_snapshot, monkeypatch, cache):
    if cache == "off":
        monkeypatch.setenv("ASDFKIT_CACHE_DIR", "off")
    before, snap = state(full_file), file_snapshot(full_file)
    assert _read_everything(full_file) > 6 * 168001
    assert _read_everything(full_file) > 6 * 168001  # a second open reads the header cache
    assert state(full_file) == before
    assert file_snapshot(full_file) == snap


def test_reading_a_pyasdf_file_leaves_it_untouched(tmp_path, sample_set, state, file_snapshot):
    path = tmp_path / "p.h5"
    ds = pyasdf.ASDFDataSet(str(path), mode="w")
    for mseed in sorted(sample_set.glob("*.mseed")):
        ds.add_waveforms(str(mseed), tag="raw_recording")
    ds.add_quakeml(str(sample_set / "quake.xml"))
    del ds
    before, snap = state(path), file_snapshot(path)
    _read_everything(path)
    assert state(path) == before and file_snapshot(path) == snap


def test_every_write_is_refused_in_read_mode(full_file, small_stream, state, pyasdf_data):
    before = state(full_file)
    writes = [
        lambda f: f.add_waveforms(small_stream, tag="t"),
        lambda f: f.add_events(obspy.read_events()),
        lambda f: f.remove_event(f.events[0]),
        lambda f: f.add_stations(obspy.read_inventory()),
        lambda f: f.remove_station("AE.113A"),
        lambda f: f.remove_station("AE.113A", waveforms=True),
        lambda f: f.remove_waveforms(tag="raw_recording"),
        lambda f: f.add_auxiliary_data(np.ones(2), data_type="A", path="new"),
        lambda f: f.remove_auxiliary_data("A"),
        lambda f: f.add_provenance_document(
            (pyasdf_data / "example_schematic_processing_chain.xml").read_bytes(), name="p"),
        lambda f: f.remove_provenance_document("chain"),
    ]
    with asdfkit.open(full_file) as f:
        for write in writes:
            with pytest.raises(ModeError, match="read-only") as info:
                write(f)
            assert isinstance(info.value, PermissionError)
            assert str(full_file) in str(info.value) and "'a'" in str(info.value)
    assert state(full_file) == before


def test_opening_a_missing_or_foreign_file_fails_cleanly(tmp_path):
    with pytest.raises(FormatError, match="no such file"):
        asdfkit.open(tmp_path / "missing.h5")
    text = tmp_path / "notes.txt"
    text.write_text("not HDF5")
    with pytest.raises(FormatError, match="not an HDF5 file"):
        asdfkit.open(text)
    with pytest.raises(ModeError, match="invalid mode 'rw'"):
        asdfkit.open(tmp_path / "x.h5", "rw")
    assert not (tmp_path / "x.h5").exists()


def test_foreign_or_existing_files_are_refused_and_untouched(tmp_path, state):
    import h5py

    plain = tmp_path / "plain.h5"
    with h5py.File(plain, "w") as h:
        h["x"] = np.arange(3)
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as h:
        h.attrs["file_format"] = np.bytes_(b"NETCDF")
    future = tmp_path / "future.h5"
    with h5py.File(future, "w") as h:
        h.attrs["file_format"] = np.bytes_(b"ASDF")
        h.attrs["file_format_version"] = np.bytes_(b"2.0.0")
    existing = tmp_path / "existing.h5"
    with asdfkit.open(existing, "w"):
        pass
    cases = [
        (plain, "r", "HDF5 but not ASDF"), (plain, "a", "HDF5 but not ASDF"),
        (other, "r+", "file_format is 'NETCDF'"), (future, "a", "unsupported ASDF version '2.0.0'"),
        (existing, "w-", "File exists"), (existing, "x", "File exists"),
    ]
    for path, mode, match in cases:
        before = state(path)
        with pytest.raises(FormatError, match=match):
            asdfkit.open(path, mode)
        after = state(path)
        if mode == "r":
            assert after == before, path.name
        else:  # HDF5 opened it writable before asdfkit refused it: the bytes must not change
            assert (after[0], after[2]) == (before[0], before[2]), (path.name, mode)
    with pytest.raises(FormatError, match="No such file"):
        asdfkit.open(tmp_path / "missing.h5", "r+")
