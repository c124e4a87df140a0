"""Stored alignment runs: layout, provenance, immutability, all-or-nothing writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from alignment_data import BERKELEY_EVENT, PARAMS, fresh_copy

import asdfkit
from asdfkit.alignment.run import align_event
from asdfkit.alignment.store import DATA_TYPE, TABLE_DTYPE, event_key, list_runs, read_run
from asdfkit.alignment.types import AlignmentParams, ICCSStatus, MCCCStatus
from asdfkit.errors import InvalidValueError, NotFoundError
from asdfkit.provenance import lineage, validate
from asdfkit.spec import spec_for


def test_event_keys_are_valid_in_every_version_and_distinct() -> None:
    ids = [
        BERKELEY_EVENT,
        "smi:local/css/example_2/event/2",
        "quakeml:us.anss.org/event/us1000",
        "smi:service.iris.edu/fdsnws/event/1/query?eventid=4218658",
        "%%%",
    ]
    keys = [event_key(i) for i in ids]
    assert len(set(keys)) == len(keys)
    for version in ("1.0.0", "1.0.3"):
        rule = spec_for(version).aux_rule
        assert all(rule.matches(k) for k in keys), version


def test_a_run_is_a_table_and_a_quality_record(berkeley_h5: Path, tmp_path: Path) -> None:
    path = fresh_copy(berkeley_h5, tmp_path)
    run = align_event(path, BERKELEY_EVENT, params=PARAMS)
    key = event_key(BERKELEY_EVENT)
    assert run.run_id == "run_0001" and run.event_key == key
    with asdfkit.open(path) as f:
        assert sorted(f.list_auxiliary_data(DATA_TYPE)) == [
            (DATA_TYPE, f"{key}/run_0001/picks"),
            (DATA_TYPE, f"{key}/run_0001/quality"),
        ]
        table = f.get_auxiliary_data(DATA_TYPE, f"{key}/run_0001/picks")
        quality = f.get_auxiliary_data(DATA_TYPE, f"{key}/run_0001/quality")
        origin_ns = f.events[0].origins[0].time.ns
    assert table.data.dtype == TABLE_DTYPE
    assert [s.decode() for s in table.data["seed_id"]] == [r.seed_id for r in run.rows]
    np.testing.assert_array_equal(table.data["t1_ns"], [r.t1_ns for r in run.rows])
    for row in run.rows:
        assert row.t0 == pytest.approx((row.t0_ns - origin_ns) / 1e9)
        assert abs(row.t1 - row.t0) <= PARAMS.effective_max_shift + 1e-6
    assert ICCSStatus(run.status_iccs) and MCCCStatus(run.status_mccc)
    assert quality.attrs["event_id"] == BERKELEY_EVENT
    assert quality.attrs["param_window_pre"] == -2.0
    assert quality.attrs["param_autoflip"] is False
    assert tuple(quality.attrs["param_bandpass"]) == (0.5, 2.0)
    assert len(quality.data) == run.iterations == len(run.history)
    assert run.params["window_post"] == 4.0 and run.params["max_shift"] is None
    report = asdfkit.validate(path)
    assert report.ok, [str(x) for x in report.errors]


def test_provenance_links_inputs_correlation_alignment_and_picks(berkeley_h5: Path, tmp_path: Path) -> None:
    path = fresh_copy(berkeley_h5, tmp_path)
    run = align_event(path, BERKELEY_EVENT, params=PARAMS)
    key = event_key(BERKELEY_EVENT)
    with asdfkit.open(path) as f:
        picks_path = f"/AuxiliaryData/{DATA_TYPE}/{key}/{run.run_id}/picks"
        quality_path = f"/AuxiliaryData/{DATA_TYPE}/{key}/{run.run_id}/quality"
        picks_id = f.get_provenance_id(picks_path)
        assert picks_id and f.get_provenance_id(quality_path) == run.provenance_id
        documents = [n for n in f.provenance_documents if n.startswith("asdfkit_alignment_run_0001")]
        assert len(documents) == 1
        assert validate(f.get_provenance_document(documents[0])).ok
        inputs = {f.get_waveform_meta(h).provenance_id for h in f.list_waveforms(channel="BHZ")}
        chain = lineage(f, picks_path)
    titles = [a.title for a in chain.activities]
    assert titles[-2:] == ["Cross Correlate", "Align Arrivals"]
    assert "Convert" in titles[0]  # the chain continues through the traces' own provenance
    correlate = chain.steps[-2]
    assert {r.id for r in correlate.inputs} == inputs
    assert chain.target.prov_type == "asdfkit:alignment_picks"


def test_reruns_are_new_immutable_runs(berkeley_h5: Path, tmp_path: Path, file_snapshot: Any) -> None:
    path = fresh_copy(berkeley_h5, tmp_path)
    first = align_event(path, BERKELEY_EVENT, params=PARAMS)
    key = event_key(BERKELEY_EVENT)
    snap = {k: v for k, v in file_snapshot(path).items() if "run_0001" in k}
    second = align_event(
        path, BERKELEY_EVENT, params=AlignmentParams(window_pre=-3.0, window_post=6.0), mccc=False
    )
    assert second.run_id == "run_0002" and second.status_mccc is None
    assert {k: v for k, v in file_snapshot(path).items() if "run_0001" in k} == snap
    assert read_run(path).run_id == "run_0002"
    assert read_run(path, "event/1", "1") == first
    assert read_run(path, BERKELEY_EVENT, "run_0001").rows == first.rows
    assert [r.run_id for r in list_runs(path)] == ["run_0001", "run_0002"]
    assert all(np.isnan(r.mccc_error) for r in second.rows)  # not run: NaN, never zero
    # an interrupted run (no quality dataset) is never listed, and its number is not reused
    with asdfkit.open(path, "r+") as f:
        f.add_auxiliary_data(np.zeros(1), DATA_TYPE, f"{key}/run_0007/picks")
    assert [r.run_id for r in list_runs(path)] == ["run_0001", "run_0002"]
    assert align_event(path, BERKELEY_EVENT, params=PARAMS).run_id == "run_0008"


def test_unknown_run_names_the_runs_that_exist(berkeley_h5: Path, tmp_path: Path) -> None:
    path = fresh_copy(berkeley_h5, tmp_path)
    with pytest.raises(NotFoundError, match="no alignment run stored"):
        read_run(path, BERKELEY_EVENT)
    align_event(path, BERKELEY_EVENT, params=PARAMS)
    with pytest.raises(NotFoundError, match=r"unknown run 'run_0009'.*'latest' or one of run_0001"):
        read_run(path, BERKELEY_EVENT, "run_0009")


def test_a_failed_write_leaves_the_file_unchanged(
    berkeley_h5: Path, tmp_path: Path, file_snapshot: Any
) -> None:
    # A hostile file: a dataset sits where the Alignment group belongs.  The
    # provenance document is written before the table fails, and must go again.
    path = fresh_copy(berkeley_h5, tmp_path)
    with asdfkit.open(path, "r+") as f:
        f.h5["AuxiliaryData"].create_dataset(DATA_TYPE, data=np.arange(3))
    before = file_snapshot(path)
    with pytest.raises(InvalidValueError, match="is a dataset, not a group"):
        align_event(path, BERKELEY_EVENT, params=PARAMS)
    assert file_snapshot(path) == before


def test_mccc_without_pairs_is_stored_as_a_status_not_zeros(okhotsk_h5: Path, tmp_path: Path) -> None:
    # Two real teleseismic records of the 2013 Okhotsk M8.3 (pyasdf's sample set)
    path = fresh_copy(okhotsk_h5, tmp_path)
    with asdfkit.open(path) as f:
        event_id = str(f.events[0].resource_id)
    run = align_event(
        path,
        event_id,
        params=AlignmentParams(window_pre=-20.0, window_post=40.0, bandpass=(0.02, 0.5), mccc_min_cc=0.99),
    )
    assert run.status_mccc in (MCCCStatus.NO_PAIRS.value, MCCCStatus.TOO_FEW_TRACES.value)
    assert all(np.isnan(r.mccc_error) for r in run.rows)
    assert np.isnan(run.mccc_rmse)
    assert all(np.isfinite(r.t1) for r in run.rows)  # ICCS picks stay
    assert asdfkit.validate(path).ok


def test_a_foreign_run_is_refused_by_name(berkeley_h5: Path, tmp_path: Path) -> None:
    path = fresh_copy(berkeley_h5, tmp_path)
    key = event_key(BERKELEY_EVENT)
    with asdfkit.open(path, "r+") as f:
        f.add_auxiliary_data(np.zeros(3), DATA_TYPE, f"{key}/run_0001/picks")
        f.add_auxiliary_data(
            np.zeros(3), DATA_TYPE, f"{key}/run_0001/quality", attrs={"event_id": BERKELEY_EVENT}
        )
    with pytest.raises(InvalidValueError, match=rf"alignment run {key}/run_0001 lacks .*seed_id.*not a run"):
        read_run(path)
    # the next run of our own does not overwrite it
    assert align_event(path, BERKELEY_EVENT, params=PARAMS).run_id == "run_0002"
