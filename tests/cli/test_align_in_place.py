"""``asdf-cli align run`` on a file too large to copy: exit 2 naming --in-place; --in-place stores the run."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from asdfkit import atomic
from asdfkit.alignment.store import list_runs
from asdfkit.cli.main import cli

ALIGN = ["--event", "event/1", "--window", "-2", "4", "--bandpass", "0.5", "2"]


@pytest.fixture
def berkeley_h5(shared_data: Path, tmp_path: Path) -> Path:
    out = tmp_path / "berkeley.h5"
    result = CliRunner().invoke(
        cli, ["convert", str(shared_data / "css" / "berkeley_1998"), "--default-network", "BK", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def test_align_exits_2_naming_in_place_and_in_place_stores_the_run(
    berkeley_h5: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASDFKIT_COPY_LIMIT", "1000")
    monkeypatch.setattr(atomic, "_clone", lambda src, dst: False)  # a file system that cannot clone
    before = berkeley_h5.read_bytes()
    refused = CliRunner().invoke(cli, ["align", str(berkeley_h5), *ALIGN])
    assert refused.exit_code == 2, refused.output
    assert "--in-place" in refused.output and "copy limit of 1000 bytes" in refused.output
    assert berkeley_h5.read_bytes() == before
    done = CliRunner().invoke(cli, ["align", str(berkeley_h5), *ALIGN, "--in-place"])
    assert done.exit_code == 0, done.output
    assert [r.run_id for r in list_runs(berkeley_h5)] == ["run_0001"]


def test_export_picks_into_file_offers_in_place(berkeley_h5: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert CliRunner().invoke(cli, ["align", str(berkeley_h5), *ALIGN]).exit_code == 0
    monkeypatch.setenv("ASDFKIT_COPY_LIMIT", "1000")
    monkeypatch.setattr(atomic, "_clone", lambda src, dst: False)
    before = berkeley_h5.read_bytes()
    refused = CliRunner().invoke(cli, ["align", "export-picks", str(berkeley_h5), "--into-file"])
    assert refused.exit_code == 2 and "--in-place" in refused.output, refused.output
    assert berkeley_h5.read_bytes() == before
    usage = CliRunner().invoke(cli, ["align", "export-picks", str(berkeley_h5), "-o", "x.xml", "--in-place"])
    assert usage.exit_code == 2 and "--into-file" in usage.output
    done = CliRunner().invoke(cli, ["align", "export-picks", str(berkeley_h5), "--into-file", "--in-place"])
    assert done.exit_code == 0, done.output
    assert berkeley_h5.read_bytes() != before
