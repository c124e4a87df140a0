"""Groups of traces (static and dynamic, nested) and editable labels, on real data."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest

import asdfkit
from asdfkit.container.groups import GROUPS_TYPE
from asdfkit.errors import GroupKindError, InvalidNameError, InvalidValueError, ModeError, NotFoundError


@pytest.fixture
def sample_file(tmp_path: Path, sample_stream: obspy.Stream, sample_inventory: obspy.Inventory,
                sample_catalog: obspy.Catalog) -> Path:
    path = tmp_path / "sample.h5"
    with asdfkit.open(path, "w") as f:
        f.add_events(sample_catalog)
        f.add_stations(sample_inventory)
        f.add_waveforms(sample_stream, tag="raw_recording", event_id=sample_catalog[0])
    return path


def _later(stream: obspy.Stream, seconds: float) -> obspy.Stream:
    moved = stream.copy()
    for trace in moved:
        trace.stats.starttime += seconds
    return moved


def test_nested_static_and_dynamic_groups(sample_file: Path) -> None:
    with asdfkit.open(sample_file, "r+") as f:
        vertical = f.groups.create("components/vertical", query={"channel": "BHZ"}, comment="Z only")
        ring = f.groups.create("arrays/ring1", members=f.list_waveforms(station="113A"), comment="AE")
        f.groups.create("arrays/north/all", members=[h.path for h in f.list_waveforms(network="TA")])
        assert vertical.dynamic and not ring.dynamic
        assert list(f.groups) == ["arrays/north/all", "arrays/ring1", "components/vertical"]
        assert f.groups.folders() == ["arrays", "arrays/north", "components"]
        assert f.groups.in_folder("arrays") == ["arrays/ring1"]
        assert f.groups.in_folder("arrays", recursive=True) == ["arrays/north/all", "arrays/ring1"]
        assert len(f.groups) == 3 and "arrays/ring1" in f.groups and "arrays" not in f.groups
        assert f.groups["components/vertical"].comment == "Z only"
        assert {tr.stats.channel for tr in f.get_waveforms(group="components/vertical")} == {"BHZ"}
        assert {h.station for h in f.list_waveforms(group="arrays/ring1")} == {"113A"}
        # group= is ANDed with the other criteria; a list means "in any of them".
        assert len(f.list_waveforms(group="arrays/ring1", channel="BHZ")) == 1
        assert len(f.list_waveforms(group=["arrays/ring1", "arrays/north/all"])) == 6


def test_dynamic_group_follows_new_traces_static_does_not(sample_file: Path,
                                                          sample_stream: obspy.Stream) -> None:
    with asdfkit.open(sample_file, "r+") as f:
        f.groups.create("dyn", query={"station": "POKR"})
        f.groups.create("fixed", members=f.list_waveforms(station="POKR"))
    with asdfkit.open(sample_file, "r+") as f:
        f.add_waveforms(_later(sample_stream, 7200), tag="raw_recording")
    with asdfkit.open(sample_file, "r") as f:
        assert len(f.groups.members("dyn")) == 6
        assert len(f.groups.members("fixed")) == 3


def test_edit_static_group_and_refusals(sample_file: Path, state) -> None:  # type: ignore[no-untyped-def]
    with asdfkit.open(sample_file, "r+") as f:
        f.groups.create("g", members=f.list_waveforms(channel="BHZ"))
        f.groups.create("d", query={"channel": "BHZ"})
        assert f.groups.add("g", f.list_waveforms(channel="BH[ZN]")) == 2
        assert f.groups.add("g", f.list_waveforms(channel="BHZ")) == 0
        assert f.groups.remove("g", f.list_waveforms(station="113A")) == 2
        assert len(f.groups["g"].members) == 2
        f.groups.set_comment("g", "two")
        moved = f.groups.rename("g", "folder/sub/g2")
        assert moved.comment == "two" and "g" not in f.groups and f.groups.members("folder/sub/g2")
    before = state(sample_file)
    with asdfkit.open(sample_file, "r+") as f:
        with pytest.raises(GroupKindError, match="dynamic"):
            f.groups.add("d", f.list_waveforms())
        with pytest.raises(NotFoundError, match="'nope' not found"):
            f.groups.add("nope", f.list_waveforms())
        with pytest.raises(NotFoundError, match="folder"):
            f.groups["folder/sub"]
        with pytest.raises(InvalidValueError, match="already exists"):
            f.groups.create("d", query={"channel": "BHN"})
        with pytest.raises(InvalidValueError, match="is a folder"):
            f.groups.create("folder", query={"channel": "BHN"})
        with pytest.raises(InvalidValueError, match="is a group, not a folder"):
            f.groups.create("d/x", query={"channel": "BHN"})
        with pytest.raises(InvalidNameError, match=r"\^\[A-Za-z0-9_\]\+\$"):
            f.groups.create("bad name", query={"channel": "BHN"})
        with pytest.raises(NotFoundError, match="no such trace"):
            f.groups.create("x", members=["XX.NONE..BHZ__2000-01-01T00:00:00__2000-01-01T00:00:01__raw"])
        with pytest.raises(InvalidValueError, match="query key 'colour'"):
            f.groups.create("x", query={"colour": "red"})
        with pytest.raises(InvalidValueError, match="exactly one"):
            f.groups.create("x")
        with pytest.raises(InvalidValueError, match="distance_event"):
            f.groups.create("x", query={"max_distance_km": 10})
    assert state(sample_file)[::2] == before[::2]  # same size and bytes (r+ touches the mtime)
    with asdfkit.open(sample_file, "r") as f:
        with pytest.raises(ModeError):
            f.groups.create("x", query={"channel": "BHZ"})


def test_delete_removes_empty_folders(sample_file: Path) -> None:
    with asdfkit.open(sample_file, "r+") as f:
        f.groups.create("a/b/c", query={"channel": "BHZ"})
        f.groups.create("a/d", query={"channel": "BHN"})
        f.groups.delete("a/b/c")
        assert f.groups.folders() == ["a"]
        f.groups.delete("a/d")
        assert list(f.groups) == [] and f.groups.folders() == []
        assert GROUPS_TYPE not in f.h5["AuxiliaryData"]
        assert f.n_waveforms == 6


def test_old_versions_need_two_character_parts(tmp_path: Path, sample_stream: obspy.Stream) -> None:
    path = tmp_path / "old.h5"
    with asdfkit.open(path, "w", format_version="1.0.0") as f:
        f.add_waveforms(sample_stream, tag="raw")
        with pytest.raises(InvalidNameError, match="ASDF 1.0.0"):
            f.groups.create("arrays/z", query={"channel": "BHZ"})
        f.groups.create("arrays/zz", query={"channel": "BHZ"})
    report = asdfkit.validate(path)
    assert report.ok and not [x for x in report.findings if x.rule.startswith("ASDF-NAME")]


def test_distance_query(sample_file: Path, sample_catalog: obspy.Catalog) -> None:
    from obspy.geodetics import gps2dist_azimuth

    event = sample_catalog[0]
    origin = event.preferred_origin()
    with asdfkit.open(sample_file, "r+") as f:
        km = {}
        for sid in ("AE.113A", "TA.POKR"):
            c = f.get_coordinates(sid)
            km[sid] = gps2dist_azimuth(origin.latitude, origin.longitude, c["latitude"], c["longitude"])[0] / 1e3
        cut = sum(km.values()) / 2
        near = min(km, key=km.__getitem__)
        f.groups.create("near", query={"distance_event": str(event.resource_id), "max_distance_km": cut})
        assert {h.station_id for h in f.groups.headers("near")} == {near}


def test_files_stay_valid_and_open_in_pyasdf(sample_file: Path) -> None:
    import pyasdf

    with asdfkit.open(sample_file, "r+") as f:
        f.groups.create("arrays/ring1", members=f.list_waveforms(station="113A"), comment="ü comment")
        f.groups.create("vertical", query={"channel": "BHZ", "labels": ["good"]})
        f.add_labels(["good", "picked"], channel="BHZ")
        expected = {tr.id: tr.data.copy() for tr in f.get_waveforms()}
    report = asdfkit.validate(sample_file)
    assert report.ok and not [x for x in report.findings if x.rule.startswith(("ASDF-GROUP", "ASDF-NAME", "ASDF-AUX"))]
    ds = pyasdf.ASDFDataSet(str(sample_file), mode="r")
    try:
        got = {}
        for station in ds.waveforms:
            for tr in station.raw_recording:
                got[tr.id] = tr.data
        assert got.keys() == expected.keys()
        assert all((got[k] == expected[k]).all() for k in got)
        assert sorted(ds.auxiliary_data[GROUPS_TYPE].list()) == ["arrays", "vertical"]
        labels = {tr.id: list(tr.stats.asdf.get("labels", [])) for tr in ds.waveforms["AE.113A"].raw_recording}
        assert labels["AE.113A..BHZ"] == ["good", "picked"] and labels["AE.113A..BHN"] == []
    finally:
        del ds


def test_labels_add_remove_and_select(sample_file: Path) -> None:
    with asdfkit.open(sample_file, "r+") as f:
        assert f.add_labels("good", station="POKR") == 3
        assert f.add_labels(["good", "bad"], channel="BHZ") == 2
        assert f.remove_labels("good", channel="BHE") == 1
        with pytest.raises(InvalidValueError, match="no comma"):
            f.add_labels("a,b", channel="BHZ")
    with asdfkit.open(sample_file, "r") as f:
        assert {h.seed_id for h in f.list_waveforms(labels="good")} == {
            "TA.POKR..BHN", "TA.POKR..BHZ", "AE.113A..BHZ"}
        assert len(f.list_waveforms(labels=["bad"])) == 2
        header = f.list_waveforms(station="POKR", channel="BHZ")[0]
        assert f.get_waveform_meta(header).labels == ["good", "bad"]
    with asdfkit.open(sample_file, "r+") as f:
        assert f.remove_labels(["good", "bad"]) == 3
        assert "labels" not in f.h5[header.path].attrs


def test_missing_members_reported(sample_file: Path) -> None:
    with asdfkit.open(sample_file, "r+") as f:
        f.groups.create("all", members=f.list_waveforms())
        gone = f.list_waveforms(channel="BHE")
        f.remove_waveforms(channel="BHE")
        assert f.groups.missing() == {"all": sorted(h.name for h in gone)}
        assert len(f.groups.members("all")) == 4
    report = asdfkit.validate(sample_file)
    found = [x for x in report.findings if x.rule == "ASDF-GROUP-001"]
    assert report.ok and len(found) == 2 and all("not in /Waveforms" in x.message for x in found)


def test_broken_group_record_is_a_warning(sample_file: Path) -> None:
    with h5py.File(sample_file, "r+") as h5:
        h5.create_dataset(f"AuxiliaryData/{GROUPS_TYPE}/junk", data=np.frombuffer(b"not json", dtype=np.int8))
    report = asdfkit.validate(sample_file)
    assert report.ok and [x.rule for x in report.findings if x.rule.startswith("ASDF-GROUP")] == ["ASDF-GROUP-002"]
