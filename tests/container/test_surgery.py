"""File surgery: merge any ASDF files, extract by query, repack — by HDF5 object copy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import obspy
import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit.cli.main import cli
from asdfkit.container.surgery import MergeSource, extract, merge, repack
from asdfkit.errors import FormatError, InvalidValueError, MergeConflictError


def _station_file(sample_set: Path, path: Path, net_sta: str, compression: str = "gzip") -> Path:
    with asdfkit.open(path, "w", compression=compression) as f:
        f.add_events(obspy.read_events(str(sample_set / "quake.xml")))
        f.add_stations(obspy.read_inventory(str(sample_set / f"{net_sta}..BH_.xml")))
        f.add_waveforms(obspy.read(str(sample_set / f"{net_sta}..BH*.mseed")), tag="raw_recording")
    return path


@pytest.fixture
def two_files(sample_set: Path, tmp_path: Path) -> tuple[Path, Path]:
    return (
        _station_file(sample_set, tmp_path / "ae.h5", "AE.113A", "gzip-6"),
        _station_file(sample_set, tmp_path / "ta.h5", "TA.POKR", "szip"),
    )


def _filters(path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with h5py.File(path, "r") as f:
        f.visititems(
            lambda name, obj: (
                out.__setitem__(
                    name, (obj.compression, obj.compression_opts, obj.shuffle, obj.fletcher32, obj.chunks)
                )
                if isinstance(obj, h5py.Dataset)
                else None
            )
        )
    return out


def test_merge_copies_everything_and_keeps_each_dataset_compression(
    two_files: tuple[Path, Path], tmp_path: Path, file_snapshot: Callable[[Path], dict[str, Any]]
) -> None:
    target = tmp_path / "merged.h5"
    report = merge(list(two_files), target)
    assert report.changed and report.size_before is None
    merged = file_snapshot(target)
    filters = _filters(target)
    for source in two_files:
        for name, entry in file_snapshot(source).items():
            if name not in ("/", "QuakeML"):
                assert merged[name] == entry, name  # same attrs and bytes
    for source in two_files:
        for name, filters_there in _filters(source).items():
            if name != "QuakeML":
                assert filters[name] == filters_there, name  # same filters and chunks
    with asdfkit.open(target) as f:
        assert f.stations == ["AE.113A", "TA.POKR"]
        assert len(f.get_waveforms()) == 6 and len(f.events) == 1
    with asdfkit.open(two_files[1]) as a, asdfkit.open(target) as b:
        for x, y in zip(a.get_waveforms(), b.get_waveforms(network="TA"), strict=True):
            assert np.array_equal(x.data, y.data) and x.stats.starttime == y.stats.starttime


def test_merging_again_is_a_no_op_that_does_not_touch_the_file(
    two_files: tuple[Path, Path], tmp_path: Path, state: Callable[[Path], tuple[int, int, str]]
) -> None:
    target = tmp_path / "merged.h5"
    merge(list(two_files), target)
    before = state(target)
    again = merge(list(two_files), target)
    assert not again.changed and again.copied == 0 and again.identical > 0
    assert state(target) == before


def test_a_conflicting_trace_is_refused_and_the_target_left_untouched(
    two_files: tuple[Path, Path],
    tmp_path: Path,
    sample_set: Path,
    state: Callable[[Path], tuple[int, int, str]],
) -> None:
    target = tmp_path / "merged.h5"
    merge([two_files[0]], target)
    before = state(target)
    other = tmp_path / "other.h5"
    with asdfkit.open(other, "w") as f:
        st = obspy.read(str(sample_set / "AE.113A..BHZ.mseed"))
        st[0].data = st[0].data * 2
        f.add_waveforms(st, tag="raw_recording")
        name = f.list_waveforms()[0].path
    with pytest.raises(MergeConflictError, match=f"{name} exists in both with different content"):
        merge([two_files[1], other], target)
    assert state(target) == before
    assert not list(tmp_path.glob(".*partial"))


def test_a_conflict_says_what_differs(sample_set: Path, tmp_path: Path) -> None:
    """Two copies of one trace that differ only in labels: the message names the attribute."""
    st = obspy.read(str(sample_set / "AE.113A..BHZ.mseed"))
    first, second = tmp_path / "first.h5", tmp_path / "second.h5"
    for path in (first, second):
        with asdfkit.open(path, "w") as f:
            f.add_waveforms(st, tag="raw_recording")
    with asdfkit.open(second, "a") as f:
        f.add_labels("good")
    target = tmp_path / "target.h5"
    merge([first], target)
    with pytest.raises(MergeConflictError, match=r"only the attribute 'labels' differs"):
        merge([second], target)
    with asdfkit.open(second, "a") as f:
        (name,) = [h.path for h in f.list_waveforms()]
    with h5py.File(second, "r+") as h5:
        h5[name][0] += 1
    with pytest.raises(MergeConflictError, match=r"the attribute 'labels' and the stored values differ"):
        merge([second], target)
    result = CliRunner().invoke(cli, ["merge", str(second), str(target)])
    assert result.exit_code == 1 and "'labels'" in result.stderr and len(result.stderr.splitlines()) == 1


def test_stationxml_epochs_and_events_are_merged(sample_set: Path, tmp_path: Path, obspy_data: Path) -> None:
    target = _station_file(sample_set, tmp_path / "target.h5", "AE.113A")
    inv = obspy.read_inventory(str(sample_set / "AE.113A..BH_.xml"))
    for channel in inv[0][0]:
        channel.start_date = channel.start_date - 86400 * 365 * 5
        channel.end_date = channel.start_date + 86400
    extra = obspy.read_events()  # ObsPy's example catalogue: three other events
    source = tmp_path / "source.h5"
    with asdfkit.open(source, "w") as f:
        f.add_stations(inv)
        f.add_events(extra)
    report = merge([source], target)
    assert report.stations_merged == 1 and report.events_added == 3
    with asdfkit.open(target) as f:
        assert len(f.events) == 4
        assert len(f.get_station_inventory("AE.113A")[0][0].channels) == 2 * len(inv[0][0].channels)


def test_sections_choose_what_a_source_gives(two_files: tuple[Path, Path], tmp_path: Path) -> None:
    target = tmp_path / "events_only.h5"
    merge([MergeSource.of(two_files[0], ["events"])], target)
    with asdfkit.open(target) as f:
        assert len(f.events) == 1 and f.stations == []
    with pytest.raises(InvalidValueError, match="invalid section 'traces'"):
        MergeSource.of(two_files[0], ["traces"])


def test_merge_refuses_bad_sources(two_files: tuple[Path, Path], tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not hdf5")
    target = tmp_path / "merged.h5"
    with pytest.raises(FormatError, match="not an HDF5 file"):
        merge([two_files[0], text], target)
    with pytest.raises(InvalidValueError, match="the target cannot also be a source"):
        merge([two_files[0]], two_files[0])
    assert not target.exists()


def test_extract_by_query(two_files: tuple[Path, Path], tmp_path: Path) -> None:
    merged = tmp_path / "merged.h5"
    merge(list(two_files), merged)
    out = tmp_path / "pokr_z.h5"
    report = extract(merged, out, station="POKR", channel="BHZ")
    assert report.copied == 3  # trace, StationXML, QuakeML
    with asdfkit.open(merged) as src, asdfkit.open(out) as f:
        assert [h.seed_id for h in f.list_waveforms()] == ["TA.POKR..BHZ"]
        assert f.get_station_xml("TA.POKR") == src.get_station_xml("TA.POKR")
        assert np.array_equal(
            f.get_waveforms()[0].data, src.get_waveforms(station="POKR", channel="BHZ")[0].data
        )
        assert len(f.events) == 1
    with pytest.raises(InvalidValueError, match="it exists"):
        extract(merged, out, station="AE")


def test_extract_carries_the_provenance_of_the_traces(tmp_path: Path) -> None:
    from asdfkit.provenance import add_processed_waveforms, lineage

    source = tmp_path / "processed.h5"
    with asdfkit.open(source, "w") as f:
        f.add_waveforms(obspy.read(), tag="raw_recording")
        add_processed_waveforms(
            f,
            obspy.read().select(channel="EHZ").detrend("linear"),
            tag="detrended",
            document_name="detrend_z",
        )
        add_processed_waveforms(
            f, obspy.read().select(channel="EHN").taper(0.05), tag="tapered", document_name="taper_n"
        )
    out = tmp_path / "detrended.h5"
    extract(source, out, tag="detrended")
    with asdfkit.open(out) as f:
        assert f.provenance_documents == ["detrend_z"]
        assert [a.prov_type for a in lineage(f, f.list_waveforms()[0]).activities] == ["seis_prov:detrend"]


def test_repack_reclaims_space_and_keeps_content(
    two_files: tuple[Path, Path], tmp_path: Path, file_snapshot: Callable[[Path], dict[str, Any]]
) -> None:
    merged = tmp_path / "merged.h5"
    merge(list(two_files), merged)
    with asdfkit.open(merged, "a") as f:
        assert f.remove_waveforms(network="AE") == 3
    kept = file_snapshot(merged)
    report = repack(merged)
    assert report.size_after is not None and report.size_before is not None
    assert report.size_after < report.size_before * 0.8
    assert file_snapshot(merged) == kept
    with asdfkit.open(merged) as f:
        assert len(f.get_waveforms()) == 3
