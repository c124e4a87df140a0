"""The header index: equal to a raw walk, cached between opens, invalidated by other tools."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import obspy
import pyasdf
import pytest
from obspy import UTCDateTime

import asdfkit
from asdfkit.container.index import HeaderIndex, cache_dir


def _raw_walk(path: Path) -> set[tuple[str, int, float, int]]:
    """What h5py sees, independently of asdfkit."""
    out = set()
    with h5py.File(path, "r") as f:
        for group in f.get("Waveforms", {}).values():
            for name, dataset in group.items():
                if name != "StationXML":
                    out.add((name, int(dataset.attrs["starttime"]), float(dataset.attrs["sampling_rate"]),
                             dataset.shape[0]))
    return out


def _listed(path: Path) -> set[tuple[str, int, float, int]]:
    with asdfkit.open(path) as f:
        return {(h.name, h.starttime_ns, h.sampling_rate, h.npts) for h in f.list_waveforms()}


class WalkRecorder(list):
    """Counts low-level walks; ``forbid()`` makes the next walk fail the test."""

    forbidden = False

    def forbid(self, on: bool = True) -> None:
        self.forbidden = on


@pytest.fixture
def walks(monkeypatch) -> WalkRecorder:
    calls = WalkRecorder()
    real = HeaderIndex.walk.__func__

    def counting(cls, h5):
        if calls.forbidden:
            raise AssertionError("the header index was rebuilt by a walk instead of read from the cache")
        calls.append(1)
        return real(cls, h5)

    monkeypatch.setattr(HeaderIndex, "walk", classmethod(counting))
    return calls


@pytest.fixture
def written(h5path, sample_stream, small_stream) -> Path:
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(sample_stream, tag="raw_recording")
        f.add_waveforms(small_stream, tag="synthetic")
    return h5path


def test_list_waveforms_equals_a_raw_walk(written):
    assert _listed(written) == _raw_walk(written)
    assert len(_raw_walk(written)) == 9


def test_list_waveforms_equals_a_raw_walk_of_a_pyasdf_file(tmp_path, sample_set):
    path = tmp_path / "p.h5"
    ds = pyasdf.ASDFDataSet(str(path), mode="w")
    for mseed in sorted(sample_set.glob("*.mseed")):
        ds.add_waveforms(str(mseed), tag="raw_recording")
    ds.add_stationxml(str(sample_set / "AE.113A..BH_.xml"))
    del ds
    assert _listed(path) == _raw_walk(path) and len(_raw_walk(path)) == 6


def test_headers_describe_the_traces(written, sample_stream):
    with asdfkit.open(written) as f:
        (header,) = f.list_waveforms(station="POKR", channel="BHE")
    tr = sample_stream.select(station="POKR", channel="BHE")[0]
    assert header.seed_id == tr.id and header.tag == "raw_recording" and header.npts == tr.stats.npts
    assert header.starttime_ns == tr.stats.starttime.ns and header.endtime_ns == tr.stats.endtime.ns
    assert header.path == f"/Waveforms/TA.POKR/{header.name}"
    assert header.to_dict()["endtime"] == str(tr.stats.endtime)


def test_second_open_uses_the_cache(written, walks):
    first = _listed(written)  # a brand-new file written by asdfkit already has a cache
    assert walks == []
    walks.forbid()
    assert _listed(written) == first
    with asdfkit.open(written) as f:
        assert len(f.get_waveforms(tag="synthetic")) == 3
    assert list((cache_dir() / "index").glob("*.npz"))


def test_cache_is_written_by_the_first_walk(tmp_path, sample_set, walks):
    path = tmp_path / "p.h5"
    ds = pyasdf.ASDFDataSet(str(path), mode="w")
    ds.add_waveforms(str(sample_set / "AE.113A..BHZ.mseed"), tag="raw_recording")
    del ds
    _listed(path)
    assert walks == [1]
    walks.forbid()
    _listed(path)


def test_own_writes_update_the_cache(written, small_stream, walks):
    walks.forbid()
    with asdfkit.open(written, "a") as f:  # no read before the write
        shifted = small_stream.copy()
        for tr in shifted:
            tr.stats.starttime += 3600
        f.add_waveforms(shifted, tag="synthetic")
    with asdfkit.open(written, "a") as f:  # a read, then a delete
        assert len(f.list_waveforms()) == 12
        assert f.remove_waveforms(tag="raw_recording", station="113A") == 3
    with asdfkit.open(written, "r+") as f:
        f.remove_station("TA.POKR", waveforms=True)
    assert _listed(written) == _raw_walk(written)
    assert len(_raw_walk(written)) == 6


def test_refused_and_rolled_back_writes_leave_the_cache_right(written, small_stream, walks):
    walks.forbid()
    bad = small_stream.copy()
    bad[2].stats.network = "bad"  # refused before anything is written
    with asdfkit.open(written, "a") as f, pytest.raises(ValueError):
        f.add_waveforms(bad, tag="more")
    real = h5py.h5d.create  # HDF5's H5Dcreate, whichever h5py layer calls it
    calls = []

    def failing(parent, name, *args, **kwargs):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("simulated HDF5 failure")
        return real(parent, name, *args, **kwargs)

    with asdfkit.open(written, "a") as f:  # fails after one dataset was created: rolled back
        with pytest.MonkeyPatch.context() as patch:  # not ``monkeypatch``: walks stays forbidden
            patch.setattr(h5py.h5d, "create", failing)
            with pytest.raises(OSError, match="simulated"):
                f.add_waveforms(small_stream, tag="more")
    assert len(calls) == 2
    assert _listed(written) == _raw_walk(written) and len(_raw_walk(written)) == 9


@pytest.mark.parametrize("change", ["add", "delete", "rename", "attribute", "pyasdf"])
def test_changes_by_other_tools_invalidate_the_cache(written, small_stream, walks, change, sample_set):
    before = _listed(written)
    if change == "pyasdf":
        ds = pyasdf.ASDFDataSet(str(written), mode="a")
        extra = obspy.read()
        for tr in extra:
            tr.stats.station = "RJOB2"
        ds.add_waveforms(extra, tag="by_pyasdf")
        del ds
    else:
        with h5py.File(written, "a") as h:
            group = h["Waveforms/BW.RJOB"]
            name = sorted(group)[0]
            if change == "add":
                group.create_dataset(name.replace("EHE", "EHX"), data=np.arange(10.0))
                group[name.replace("EHE", "EHX")].attrs["starttime"] = group[name].attrs["starttime"]
                group[name.replace("EHE", "EHX")].attrs["sampling_rate"] = 100.0
            elif change == "delete":
                del group[name]
            elif change == "rename":
                group.move(name, name.replace("__synthetic", "__renamed"))
            elif change == "attribute":
                group[name].attrs["starttime"] = np.int64(group[name].attrs["starttime"] + 1)
    after = _raw_walk(written)
    assert after != before
    walks.clear()
    assert _listed(written) == after
    assert walks == [1]


def test_cache_can_be_turned_off(written, monkeypatch, walks, tmp_path):
    monkeypatch.setenv("ASDFKIT_CACHE_DIR", "off")
    assert cache_dir() is None
    _listed(written)
    _listed(written)
    assert walks == [1, 1]
    monkeypatch.setenv("ASDFKIT_CACHE_DIR", str(tmp_path / "fresh"))
    with asdfkit.open(written, index_cache=False) as f:
        f.list_waveforms()
    assert not (tmp_path / "fresh").exists()


def test_a_corrupt_cache_falls_back_to_a_walk(written, walks):
    for blob in (cache_dir() / "index").glob("*.npz"):
        blob.write_bytes(b"not a numpy archive")
    assert _listed(written) == _raw_walk(written)
    assert walks == [1]


def test_a_copy_of_a_file_is_not_mistaken_for_it(written, tmp_path, small_stream, walks):
    copy = tmp_path / "copy.h5"
    copy.write_bytes(written.read_bytes())
    with asdfkit.open(copy, "a") as f:
        f.add_waveforms(small_stream, tag="only_in_copy")
    walks.forbid()
    assert len(_listed(written)) == 9
    walks.forbid(False)
    assert len(_listed(copy)) == 12


def test_time_queries_use_exact_end_times(tmp_path, small_stream):
    # 3000 samples at 100 Hz from ...03 end at ...32.99; a window starting 1 ns later is past
    # the last sample by less than half a sample, so slice still keeps that sample.
    path = tmp_path / "t.h5"
    with asdfkit.open(path, "w") as f:
        f.add_waveforms(small_stream[0], tag="t")
    end = small_stream[0].stats.endtime
    with asdfkit.open(path) as f:
        (tr,) = f.get_waveforms(starttime=UTCDateTime(ns=end.ns + 1), endtime=end + 10)
        assert tr.stats.npts == 1 and tr.stats.starttime == end
        assert f.get_waveforms(starttime=end + 0.006, endtime=end + 10).count() == 0
