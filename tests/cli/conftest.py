"""Fixtures of the CLI tests: the real Berkeley 1998 event, converted as a user would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from asdfkit.cli.main import cli


@pytest.fixture(scope="module")
def converted(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Berkeley database through `asdf-cli convert`, as a user would do it."""
    out = tmp_path_factory.mktemp("align-cli") / "berkeley.h5"
    result = CliRunner().invoke(
        cli, ["convert", str(shared_data / "css" / "berkeley_1998"), "--default-network", "BK", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def berkeley_h5(converted: Path, tmp_path: Path) -> Path:
    """A fresh copy of the converted Berkeley file for one test."""
    path = tmp_path / "berkeley.h5"
    shutil.copyfile(converted, path)
    return path
