"""Batch fixtures: multi-station ASDF files derived from pyasdf's real sample recordings."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # batch_jobs must be importable in every worker process
    sys.path.insert(0, str(HERE))

from batch_helpers import build_stations  # noqa: E402


@pytest.fixture
def stations_file(sample_set: Path, tmp_path: Path) -> Path:
    """12 stations (2 networks), 3 channels each, one event."""
    return build_stations(sample_set, tmp_path / "raw.h5", copies=6)


@pytest.fixture
def fail_marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    marker = tmp_path / "fail.txt"
    monkeypatch.setenv("BATCH_FAIL", str(marker))
    yield marker
