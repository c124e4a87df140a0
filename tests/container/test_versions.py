"""Writing ASDF 1.0.0-1.0.2 on request, and refusing what an older version can't hold."""

from __future__ import annotations

import h5py
import numpy as np
import obspy
import pyasdf
import pytest
from obspy import UTCDateTime

import asdfkit
from asdfkit.errors import InvalidDtypeError, InvalidNameError, VersionError


@pytest.mark.parametrize("version", ["1.0.0", "1.0.1", "1.0.2", "1.0.3"])
def test_each_version_is_written_and_read_by_pyasdf(tmp_path, sample_stream, version):
    path = tmp_path / f"v{version}.h5"
    with asdfkit.open(path, "w", format_version=version) as f:
        assert f.format_version == version
        f.add_waveforms(sample_stream.select(station="113A"), tag="raw_recording")
        f.add_auxiliary_data(np.arange(3), data_type="Simple", path="plain_name")
    with h5py.File(path, "r") as h:
        assert h.attrs["file_format_version"] == version.encode()
        assert h.attrs["file_format"] == b"ASDF"
    with asdfkit.open(path) as f:
        assert f.format_version == version and len(f.list_waveforms()) == 3
    ds = pyasdf.ASDFDataSet(str(path), mode="r")
    try:
        assert ds.asdf_format_version == version
        assert len(ds.waveforms["AE.113A"].raw_recording) == 3
    finally:
        del ds


def test_a_file_keeps_its_version_when_appended_to(tmp_path, small_stream):
    path = tmp_path / "old.h5"
    with asdfkit.open(path, "w", format_version="1.0.1"):
        pass
    with asdfkit.open(path, "a") as f:
        assert f.format_version == "1.0.1"
        f.add_waveforms(small_stream, tag="t")
    with pytest.raises(VersionError, match="the file is version 1.0.1"):
        asdfkit.open(path, "a", format_version="1.0.3")


@pytest.mark.parametrize("version", ["0.0.2", "1.0.4", "2.0.0", "latest"])
def test_unknown_or_unwritable_versions_are_refused(tmp_path, version):
    with pytest.raises(VersionError, match=rf"invalid format_version '{version}'.*1\.0\.0, 1\.0\.1"):
        asdfkit.open(tmp_path / "x.h5", "w", format_version=version)
    assert not (tmp_path / "x.h5").exists()


def test_int16_needs_1_0_1(tmp_path, small_stream, file_snapshot):
    tr = small_stream[0]
    tr.data = (tr.data * 100).astype(np.int16)
    path = tmp_path / "a.h5"
    with asdfkit.open(path, "w", format_version="1.0.0"):
        pass
    before = file_snapshot(path)
    with asdfkit.open(path, "a") as f, pytest.raises(InvalidDtypeError, match=r"int16.*ASDF 1\.0\.0"):
        f.add_waveforms(tr, tag="t")
    assert file_snapshot(path) == before


def _same_second_pair(small_stream: obspy.Stream) -> obspy.Stream:
    a = small_stream[0].copy()
    a.data = a.data[:20].copy()
    a.stats.starttime = UTCDateTime("2009-08-24T00:20:03.1")
    b = a.copy()
    b.stats.starttime = UTCDateTime("2009-08-24T00:20:03.5")
    return obspy.Stream([a, b])


@pytest.mark.parametrize("version", ["1.0.0", "1.0.1"])
def test_names_without_nanoseconds_cannot_tell_short_traces_apart(tmp_path, small_stream, file_snapshot, version):
    pair = _same_second_pair(small_stream)
    path = tmp_path / "a.h5"
    with asdfkit.open(path, "w", format_version=version) as f:
        (first,) = f.add_waveforms(pair[0], tag="t")
    assert first.endswith("EHZ__2009-08-24T00:20:03__2009-08-24T00:20:03__t")  # no ns in old names
    before = file_snapshot(path)
    with asdfkit.open(path, "a") as f:
        with pytest.raises(VersionError, match=r"no nanosecond component.*1\.0\.2 or later"):
            f.add_waveforms(pair[1], tag="t")
    assert file_snapshot(path) == before


def test_1_0_2_names_short_traces_with_nanoseconds(tmp_path, small_stream):
    pair = _same_second_pair(small_stream)
    with asdfkit.open(tmp_path / "a.h5", "w", format_version="1.0.2") as f:
        paths = f.add_waveforms(pair, tag="t")
    assert [p.rsplit("__", 3)[1] for p in paths] == ["2009-08-24T00:20:03.100000000",
                                                     "2009-08-24T00:20:03.500000000"]


@pytest.mark.parametrize("name", ["CI.ARV_CI.BAK", "with-dash", "_leading", "trailing_", "x"])
def test_aux_names_outside_the_old_rule_need_1_0_3(tmp_path, file_snapshot, name):
    path = tmp_path / "a.h5"
    with asdfkit.open(path, "w", format_version="1.0.2"):
        pass
    before = file_snapshot(path)
    with asdfkit.open(path, "a") as f, pytest.raises(InvalidNameError, match=r"auxiliary data name"):
        f.add_auxiliary_data(np.ones(2), data_type=name, path="ok_name")
    assert file_snapshot(path) == before
    with asdfkit.open(tmp_path / "new.h5", "w") as f:  # fine in 1.0.3
        f.add_auxiliary_data(np.ones(2), data_type=name, path="ok_name")


def test_old_aux_rule_still_allows_plain_names(tmp_path):
    with asdfkit.open(tmp_path / "a.h5", "w", format_version="1.0.0") as f:
        assert f.add_auxiliary_data(np.ones(2), data_type="AdjointSources", path="IU_ANMO_MXZ") == (
            "/AuxiliaryData/AdjointSources/IU_ANMO_MXZ")
