"""HDF5 external and soft links are refused by merge, extract and repack (issue 14, item 6).

Before: ``merge`` copied the content of an external link's target file into
the output as if it were a trace, dropped an externally linked auxiliary group
without a word, and ``repack`` kept external links (the new file still read
another one).  Now each command exits 1 naming every link, and writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit.cli.main import cli
from asdfkit.container.links import describe_links
from asdfkit.container.surgery import extract, merge, repack
from asdfkit.errors import ExternalLinkError

STOLEN = "BW.RJOB..EHZ__2009-08-24T00:20:03__2009-08-24T00:20:32__stolen"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.h5"
    with h5py.File(path, "w") as s:
        s["data"] = np.frombuffer(b"SECRET!!" * 8, dtype=np.int32)
        s.create_group("g")["d"] = np.arange(3)
    return path


def _asdf(path: Path) -> Path:
    with asdfkit.open(path, "w") as f:
        f.add_waveforms(obspy.read(), "raw")
    return path


@pytest.fixture
def linked(tmp_path: Path, secret: Path) -> Path:
    """An ASDF file with an external link as a trace and one as an auxiliary group."""
    path = _asdf(tmp_path / "linked.h5")
    with h5py.File(path, "a") as h:
        h[f"Waveforms/BW.RJOB/{STOLEN}"] = h5py.ExternalLink(str(secret), "/data")
        h["AuxiliaryData/Linked"] = h5py.ExternalLink(str(secret), "/g")
    return path


def test_links_are_described(linked: Path, secret: Path) -> None:
    with h5py.File(linked, "r") as h:
        assert describe_links(h, ["/"]) == [
            f"/AuxiliaryData/Linked -> external link to {str(secret)!r}:/g",
            f"/Waveforms/BW.RJOB/{STOLEN} -> external link to {str(secret)!r}:/data",
        ]
        assert describe_links(h, ["/Waveforms/BW.RJOB"]) == [
            f"/Waveforms/BW.RJOB/{STOLEN} -> external link to {str(secret)!r}:/data"]
        assert describe_links(h, ["/AuxiliaryData/Linked/d"]) == [
            f"/AuxiliaryData/Linked -> external link to {str(secret)!r}:/g"]


def test_merge_refuses_external_links_and_writes_nothing(linked: Path, tmp_path: Path) -> None:
    target = tmp_path / "m.h5"
    with pytest.raises(ExternalLinkError, match=r"holds 2 HDF5 external or soft links.*AuxiliaryData/Linked"
                                                r".*__stolen -> external link"):
        merge([linked], target)
    assert not target.exists()


def test_merge_into_an_existing_target_leaves_it_untouched(linked: Path, tmp_path: Path) -> None:
    target = _asdf(tmp_path / "t.h5")
    before = target.read_bytes()
    result = CliRunner().invoke(cli, ["merge", str(linked), str(target)])
    assert result.exit_code == 1
    assert "__stolen -> external link" in result.stderr and "AuxiliaryData/Linked" in result.stderr
    assert target.read_bytes() == before


def test_a_soft_link_is_refused_by_merge(tmp_path: Path) -> None:
    source = _asdf(tmp_path / "soft.h5")
    with h5py.File(source, "a") as h:
        h.create_group("Private")["notes"] = np.arange(4)
        h["AuxiliaryData/Copy"] = h5py.SoftLink("/Private")
    with pytest.raises(ExternalLinkError, match="/AuxiliaryData/Copy -> soft link to /Private"):
        merge([source], tmp_path / "m.h5")


def test_extract_refuses_a_selected_link_only(linked: Path, tmp_path: Path) -> None:
    other = _asdf(tmp_path / "other.h5")  # a real trace of another file, which the index lists
    with h5py.File(linked, "a") as h:
        del h[f"Waveforms/BW.RJOB/{STOLEN}"]
        h[f"Waveforms/BW.RJOB/{STOLEN.replace('stolen', 'other')}"] = h5py.ExternalLink(
            str(other), f"Waveforms/BW.RJOB/{STOLEN.replace('stolen', 'raw')}")
    with asdfkit.open(linked) as f:
        assert len(f.list_waveforms(channel="EHZ")) == 2
    with pytest.raises(ExternalLinkError, match="__other -> external link"):
        extract(linked, tmp_path / "x.h5", channel="EHZ")
    assert not (tmp_path / "x.h5").exists()
    report = extract(linked, tmp_path / "n.h5", channel="EHN")  # no link among what is copied
    assert report.copied == 1
    result = CliRunner().invoke(cli, ["extract", str(linked), str(tmp_path / "a.h5"), "--channel", "EHN",
                                      "--all-auxiliary"])
    assert result.exit_code == 1 and "AuxiliaryData/Linked" in result.stderr
    assert not (tmp_path / "a.h5").exists()


def test_repack_refuses_external_links_and_keeps_the_file(linked: Path) -> None:
    before = linked.read_bytes()
    result = CliRunner().invoke(cli, ["repack", str(linked)])
    assert result.exit_code == 1
    assert "holds 2 HDF5 external links" in result.stderr
    assert linked.read_bytes() == before
    with pytest.raises(ExternalLinkError):
        repack(linked, linked.with_name("r.h5"))
    assert not linked.with_name("r.h5").exists()


def test_files_without_links_still_merge_extract_and_repack(tmp_path: Path) -> None:
    source = _asdf(tmp_path / "plain.h5")
    assert merge([source], tmp_path / "m.h5").copied == 3
    assert extract(source, tmp_path / "x.h5", channel="EHZ").copied == 1
    assert repack(source, tmp_path / "r.h5").copied > 0
