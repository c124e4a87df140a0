"""Alignment per event as a batch job: the stored run equals align_event's on the same data."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import asdfkit
from asdfkit.alignment.run import align_event
from asdfkit.alignment.store import DATA_TYPE, event_key
from asdfkit.alignment.types import AlignmentParams
from asdfkit.batch import Backend, align_events
from asdfkit.provenance import validate

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "alignment"))
from alignment_data import BERKELEY_EVENT, berkeley  # noqa: E402

sys.path.pop(0)

PARAMS = AlignmentParams(window_pre=-2.0, window_post=4.0, bandpass=(0.5, 2.0))


@pytest.fixture(scope="module")
def berkeley_h5(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return berkeley(shared_data, tmp_path_factory)


def test_align_events_stores_what_align_event_stores(berkeley_h5: Path, tmp_path: Path) -> None:
    out = tmp_path / "aligned.h5"
    summary = align_events(berkeley_h5, out, params=PARAMS, backend=Backend("local", 1), progress=False)
    key = event_key(BERKELEY_EVENT)
    assert summary.ok and summary.processed == [key] and summary.merged is not None
    reference = tmp_path / "reference.h5"
    shutil.copyfile(berkeley_h5, reference)
    align_event(reference, BERKELEY_EVENT, params=PARAMS)
    with asdfkit.open(out) as got, asdfkit.open(reference) as want:
        assert len(got.events) == 1 and got.list_waveforms() == []
        for name in ("picks", "quality"):
            a = got.get_auxiliary_data(DATA_TYPE, f"{key}/run_0001/{name}")
            b = want.get_auxiliary_data(DATA_TYPE, f"{key}/run_0001/{name}")
            assert a.data.dtype == b.data.dtype and np.array_equal(a.data, b.data)
            skip = {"created"}
            assert {k: str(v) for k, v in a.attrs.items() if k not in skip} == {
                k: str(v) for k, v in b.attrs.items() if k not in skip
            }
        (doc,) = got.provenance_documents
        assert validate(got.get_provenance_document(doc)).ok

    again = align_events(berkeley_h5, out, params=PARAMS, backend=Backend("local", 1), progress=False)
    assert again.processed == [] and again.skipped == [key]


def test_a_bad_event_is_reported_not_fatal(berkeley_h5: Path, tmp_path: Path) -> None:
    out = tmp_path / "aligned.h5"
    summary = align_events(
        berkeley_h5,
        out,
        events=[BERKELEY_EVENT, "smi:nowhere/event/9"],
        params=PARAMS,
        backend=Backend("local", 2),
        progress=False,
    )
    bad = event_key("smi:nowhere/event/9")
    assert list(summary.failed) == [bad] and "NotFoundError" in summary.failed[bad]["error"]
    assert summary.processed and event_key(BERKELEY_EVENT) in summary.processed


def test_batch_align_command_stores_the_same_run_and_reports_json(berkeley_h5: Path, tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from asdfkit.cli.main import cli

    out = tmp_path / "cli.h5"
    args = ["batch", "align", str(berkeley_h5), str(out), "--window", "-2", "4", "--bandpass", "0.5", "2",
            "--workers", "1", "--no-progress", "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    key = event_key(BERKELEY_EVENT)
    assert summary["processed"] == 1 and summary["failed"] == []
    reference = tmp_path / "reference.h5"
    shutil.copyfile(berkeley_h5, reference)
    align_event(reference, BERKELEY_EVENT, params=PARAMS)
    with asdfkit.open(out) as got, asdfkit.open(reference) as want:
        a = got.get_auxiliary_data(DATA_TYPE, f"{key}/run_0001/picks").data
        b = want.get_auxiliary_data(DATA_TYPE, f"{key}/run_0001/picks").data
        assert np.array_equal(a, b)
    other = str(tmp_path / "bad.h5")
    bad = CliRunner().invoke(cli, [*args[:3], other, "--event", "smi:nowhere/event/9", "--workers", "1", "--no-progress"])
    assert bad.exit_code == 1 and "NotFoundError" in bad.output
