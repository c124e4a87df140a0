"""Session fixtures shared by the alignment tests on real files (see :mod:`alignment_data`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alignment_data import BERKELEY_EVENT, PARAMS, berkeley, fresh_copy, okhotsk

from asdfkit.alignment.run import align_event


@pytest.fixture(scope="session")
def berkeley_h5(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The converted Berkeley 1998 event (read-only use)."""
    return berkeley(shared_data, tmp_path_factory)


@pytest.fixture(scope="session")
def okhotsk_h5(sample_set: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pyasdf's sample data set converted (read-only use)."""
    return okhotsk(sample_set, tmp_path_factory)


@pytest.fixture(scope="session")
def aligned_h5(berkeley_h5: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Berkeley file with one stored run, aligned with :data:`PARAMS` (read-only use)."""
    path = fresh_copy(berkeley_h5, tmp_path_factory.mktemp("aligned"))
    align_event(path, BERKELEY_EVENT, params=PARAMS)
    return path
