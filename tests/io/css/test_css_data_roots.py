"""wfdisc rows naming files outside the database are refused, not read (issue 14, item 6).

A copy of the real berkeley_1998 database with its first wfdisc row edited to
point at ``/etc/passwd``, ``/proc/self/environ``, or through a symlink: before
the data roots existed, each was read and stored as samples with exit 0.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit.cli.main import cli
from asdfkit.errors import OutsideDataRootError
from asdfkit.io.convert import ConvertOptions, convert_to_asdf
from asdfkit.io.css import read_css
from asdfkit.io.css.roots import DataRoots
from asdfkit.io.css.samples import encode
from asdfkit.io.css.tables import layout


def _edit_first_row(db: Path, **fields: str) -> None:
    """Rewrite fields of wfdisc row 1 (text left-aligned, numbers right-aligned)."""
    path = db.parent / f"{db.name}.wfdisc"
    lines = path.read_text().splitlines()
    line = lines[0]
    for name, text in fields.items():
        col = layout("wfdisc").column(name)
        cell = text.rjust(col.width) if name in ("nsamp", "foff") else text.ljust(col.width)
        line = line[: col.start] + cell[: col.width] + line[col.end:]
    lines[0] = line
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def copy(shared_data: Path, tmp_path: Path) -> Path:
    """A writable copy of berkeley_1998 (30 ic rows); returns the database prefix."""
    folder = tmp_path / "db"
    shutil.copytree(shared_data / "css" / "berkeley_1998", folder, copy_function=shutil.copyfile)
    folder.chmod(0o755)  # the shared data is read-only
    return folder / "example_2"


HOSTILE = {
    "relative": {"dir": "../../../../../../../../etc", "dfile": "passwd", "datatype": "i2", "nsamp": "100"},
    "absolute-dfile": {"dir": ".", "dfile": "/etc/passwd", "datatype": "i2", "nsamp": "100"},
    "proc": {"dir": "/proc/self", "dfile": "environ", "datatype": "i2", "nsamp": "2"},
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_row_outside_the_database_is_refused(copy: Path, case: str) -> None:
    _edit_first_row(copy, **HOSTILE[case])
    reader = read_css(copy, default_network="BK")
    with pytest.raises(OutsideDataRootError, match=r"example_2\.wfdisc:1: sample file .* is outside the database "
                                                   r"folder .*--data-root DIR"):
        list(reader.traces())


def test_with_skip_bad_the_row_is_skipped_and_listed(copy: Path, tmp_path: Path) -> None:
    _edit_first_row(copy, **HOSTILE["relative"])
    out = tmp_path / "out.h5"
    result = CliRunner().invoke(cli, ["convert", str(copy.parent / "example_2"), "--default-network", "BK",
                                      str(out), "--skip-bad", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["traces"] == 29
    refused = [w for w in summary["warnings"] if "outside the database folder" in w]
    assert len(refused) == 1 and "passwd" in refused[0] and "resolves to /etc/passwd" in refused[0]
    with asdfkit.open(out) as f:
        assert len(f.list_waveforms(station="BKS", channel="BHE")) == 0


def test_cli_refuses_with_exit_1_and_writes_nothing(copy: Path, tmp_path: Path) -> None:
    _edit_first_row(copy, **HOSTILE["proc"])
    out = tmp_path / "out.h5"
    result = CliRunner().invoke(cli, ["convert", str(copy), "--default-network", "BK", str(out)])
    assert result.exit_code == 1
    assert "/proc/self/environ" in result.stderr and "--data-root" in result.stderr
    assert not out.exists()


def test_a_symlink_leaving_the_database_is_refused_unless_its_folder_is_a_data_root(copy: Path,
                                                                                   tmp_path: Path) -> None:
    elsewhere = tmp_path / "archive"
    elsewhere.mkdir()
    samples = np.arange(100, dtype=np.int32)
    (elsewhere / "bks.w").write_bytes(encode(samples, "s4"))
    (copy.parent / "link.w").symlink_to(elsewhere / "bks.w")
    _edit_first_row(copy, dir=".", dfile="link.w", datatype="s4", nsamp="100")
    with pytest.raises(OutsideDataRootError, match=r"link\.w \(resolves to .*archive/bks\.w\)"):
        list(read_css(copy, default_network="BK").traces())

    traces = list(read_css(copy, default_network="BK", data_roots=[elsewhere]).traces())
    assert len(traces) == 30
    np.testing.assert_array_equal(traces[0].data, samples)

    out = tmp_path / "out.h5"
    report = convert_to_asdf([copy], out, ConvertOptions(css={"default_network": "BK", "data_roots": [elsewhere]}))
    assert report.traces == 30
    result = CliRunner().invoke(cli, ["convert", str(copy), "--default-network", "BK", "--data-root",
                                      str(elsewhere), str(tmp_path / "cli.h5")])
    assert result.exit_code == 0, result.output


def test_a_remap_target_is_a_data_root(copy: Path, tmp_path: Path) -> None:
    moved = tmp_path / "moved"
    moved.mkdir()
    samples = np.arange(50, dtype=np.int32)
    (moved / "w").write_bytes(encode(samples, "s4"))
    _edit_first_row(copy, dir="/old/machine/wf", dfile="w", datatype="s4", nsamp="50")
    traces = list(read_css(copy, default_network="BK", remap={"/old/machine/wf": str(moved)}).traces())
    np.testing.assert_array_equal(traces[0].data, samples)


def test_a_symlinked_database_folder_still_reads(copy: Path, tmp_path: Path) -> None:
    link = tmp_path / "link-to-db"
    link.symlink_to(copy.parent, target_is_directory=True)
    assert len(list(read_css(link / "example_2", default_network="BK").traces())) == 30


def test_data_roots_resolve_dot_dot_and_symlinks(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    os.symlink("/etc", tmp_path / "root" / "etc")
    roots = DataRoots([tmp_path / "root"])
    assert roots.contains(tmp_path / "root" / "a" / "b")
    assert not roots.contains(tmp_path / "root" / ".." / "x")
    assert not roots.contains(tmp_path / "root" / "etc" / "passwd")


def test_a_response_file_outside_the_database_is_not_read(copy: Path) -> None:
    path = copy.parent / "example_2.instrument"
    lines = path.read_text().splitlines()
    line = lines[0]
    for name, text in (("dir", "/etc"), ("dfile", "passwd")):
        col = layout("instrument").column(name)
        line = line[: col.start] + text.ljust(col.width)[: col.width] + line[col.end:]
    lines[0] = line
    path.write_text("\n".join(lines) + "\n")
    reader = read_css(copy, default_network="BK")
    reader.inventory()
    refused = [i for i in reader.report.issues_of("response") if "outside the database folder" in i.message]
    assert refused and "response file /etc/passwd" in refused[0].message
