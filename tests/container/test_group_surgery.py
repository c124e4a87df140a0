"""Groups travel with file surgery: extract trims, repack keeps, merge unites or refuses."""

from __future__ import annotations

from pathlib import Path

import obspy
import pytest

import asdfkit
from asdfkit.container.surgery import extract, merge, repack
from asdfkit.errors import MergeConflictError


@pytest.fixture
def grouped(tmp_path: Path, sample_stream: obspy.Stream, sample_inventory: obspy.Inventory) -> Path:
    path = tmp_path / "grouped.h5"
    with asdfkit.open(path, "w") as f:
        f.add_stations(sample_inventory)
        f.add_waveforms(sample_stream, tag="raw_recording")
        f.groups.create("arrays/all", members=f.list_waveforms(), comment="every trace")
        f.groups.create("vertical", query={"channel": "BHZ"})
    return path


def test_extract_trims_static_groups(grouped: Path, tmp_path: Path) -> None:
    out = tmp_path / "pokr.h5"
    extract(grouped, out, station="POKR")
    with asdfkit.open(out) as f:
        assert list(f.groups) == ["arrays/all", "vertical"]
        assert f.groups["arrays/all"].comment == "every trace"
        assert {n.split(".")[1] for n in f.groups["arrays/all"].members} == {"POKR"}
        assert len(f.groups["arrays/all"].members) == 3 and not f.groups.missing()
        assert [h.seed_id for h in f.groups.headers("vertical")] == ["TA.POKR..BHZ"]
    assert asdfkit.validate(out).ok
    none = tmp_path / "none.h5"
    extract(grouped, none, station="POKR", groups=False)
    with asdfkit.open(none) as f:
        assert list(f.groups) == []


def test_extract_by_group(grouped: Path, tmp_path: Path) -> None:
    out = tmp_path / "z.h5"
    extract(grouped, out, group="vertical")
    with asdfkit.open(out) as f:
        assert sorted(h.channel for h in f.list_waveforms()) == ["BHZ", "BHZ"]


def test_repack_keeps_groups(grouped: Path, tmp_path: Path) -> None:
    out = tmp_path / "packed.h5"
    repack(grouped, out)
    with asdfkit.open(grouped) as a, asdfkit.open(out) as b:
        assert [a.groups[n] for n in a.groups] == [b.groups[n] for n in b.groups]


def test_merge_unites_static_groups(grouped: Path, tmp_path: Path) -> None:
    one, two, target = tmp_path / "one.h5", tmp_path / "two.h5", tmp_path / "merged.h5"
    extract(grouped, one, station="POKR")
    extract(grouped, two, station="113A")
    report = merge([one, two], target)
    assert report.groups_merged == 1
    with asdfkit.open(target) as f:
        assert len(f.groups["arrays/all"].members) == 6 and not f.groups.missing()
        assert len(f.groups.members("vertical")) == 2
    again = merge([one, two], target)
    assert not again.changed


def test_merge_refuses_different_dynamic_queries(grouped: Path, tmp_path: Path, state) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "other.h5"
    extract(grouped, other, station="POKR")
    with asdfkit.open(other, "r+") as f:
        f.groups.delete("vertical")
        f.groups.create("vertical", query={"channel": "BHN"})
    target = tmp_path / "target.h5"
    extract(grouped, target, station="113A")
    before = state(target)
    with pytest.raises(MergeConflictError, match="dynamic group 'vertical'"):
        merge([other], target)
    assert state(target) == before
