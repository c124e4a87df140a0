"""The quality-control loop on a synthetic event with known arrivals: edit, rerun, rollback, delete.

After every step the file is valid and pyasdf opens it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from alignment_data import BERKELEY_EVENT, PARAMS, fresh_copy

import asdfkit
from asdfkit.alignment import AlignmentParams, align_event, list_runs, read_run
from asdfkit.alignment.edits import Edit
from asdfkit.alignment.store import DATA_TYPE, delete_run, rollback_run
from asdfkit.alignment.synthetic_file import SyntheticEvent, synthetic_event_file
from asdfkit.errors import AlignmentInputError, EventNotFoundError, RunInUseError, RunNotFoundError
from asdfkit.provenance import file_graph, lineage

WINDOW = AlignmentParams(window_pre=-5.0, window_post=5.0)


@pytest.fixture(scope="session")
def synthetic_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SyntheticEvent]:
    path = tmp_path_factory.mktemp("loop") / "synthetic.h5"
    return path, synthetic_event_file(path, n=12, seed=1, flipped=1)


@pytest.fixture
def synthetic(synthetic_source: tuple[Path, SyntheticEvent], tmp_path: Path) -> tuple[Path, SyntheticEvent]:
    path = tmp_path / "synthetic.h5"
    shutil.copyfile(synthetic_source[0], path)
    return path, synthetic_source[1]


def assert_clean(path: Path) -> None:
    """Valid for asdfkit's validator, and opened and read by pyasdf."""
    report = asdfkit.validate(path)
    assert report.ok, [str(e) for e in report.errors]
    import pyasdf

    with pyasdf.ASDFDataSet(str(path), mode="r") as ds:
        alignment_documents = [n for n in ds.provenance.list() if n.startswith("asdfkit_alignment_")]
        assert len(alignment_documents) == len(list_runs(path))  # one per run, no orphan
        for run in list_runs(path):
            table = ds.auxiliary_data[DATA_TYPE][run.event_key][run.run_id]["picks"].data[:]
            assert len(table) == len(run.rows)


def error_ms(run: object, truth: SyntheticEvent) -> np.ndarray:
    rows = run.rows  # type: ignore[attr-defined]
    misfit = np.array([r.t1 - r.t0 - truth.shifts[r.seed_id] for r in rows])
    return (misfit - np.median(misfit)) * 1000.0


def test_rerun_with_a_deselect_a_flip_and_a_shifted_pick(synthetic: tuple[Path, SyntheticEvent]) -> None:
    path, truth = synthetic
    first = align_event(path, "event/1", params=WINDOW, comment="first look")
    assert first.comment == "first look" and first.origin == "run" and first.parent is None
    assert not any(r.select_manual or r.flip_manual for r in first.rows)
    assert_clean(path)
    reversed_id = next(s for s, flipped in truth.flips.items() if flipped)
    ids = [r.seed_id for r in first.rows]
    out, moved = ids[3], ids[5]
    assert abs(error_ms(first, truth)[ids.index(reversed_id)]) > 100  # autoflip off: it sits on a side lobe
    second = align_event(
        path,
        "event/1",
        start_from="latest",
        edits=[Edit.parse("flip", reversed_id), Edit.parse("deselect", out), Edit.parse("pick", f"{moved}=+0.4")],
        comment="edited",
    )
    assert second.run_id == "run_0002" and second.parent == "run_0001" and second.origin == "rerun"
    assert second.edits == (f"flip {reversed_id}", f"deselect {out}", f"pick {moved}=+0.4")
    assert second.params == first.params  # kept from the parent
    rows = {r.seed_id: r for r in second.rows}
    before = {r.seed_id: r for r in first.rows}
    # the traces behave as told ...
    assert rows[reversed_id].flip and rows[reversed_id].flip_manual
    assert not rows[out].select and rows[out].select_manual
    assert np.isnan(rows[out].mccc_error)  # deselected: not solved by MCCC
    # ... the reversed trace is now aligned, the shifted pick is re-aligned by ICCS ...
    errors = dict(zip(ids, error_ms(second, truth), strict=True))
    assert abs(errors[reversed_id]) < 25
    assert abs(rows[moved].t1 - before[moved].t1) < 0.025  # 0.4 s away at the start
    # ... and the other traces keep their picks within noise (MCCC errors of ~2.5 ms)
    others = [s for s in ids if s not in (reversed_id, out, moved)]
    assert max(abs(rows[s].t1 - before[s].t1) for s in others) < 0.010
    assert_clean(path)


def test_manual_decisions_are_sticky_in_later_runs(synthetic: tuple[Path, SyntheticEvent]) -> None:
    path, truth = synthetic
    align_event(path, "event/1", params=WINDOW)
    ids = [r.seed_id for r in read_run(path).rows]
    reversed_id = next(s for s, flipped in truth.flips.items() if flipped)
    good = ids[0] if ids[0] != reversed_id else ids[1]
    align_event(path, "event/1", start_from="1", edits=[Edit(good, "deselect"), Edit(reversed_id, "unflip")])
    # autoflip and autoselect on, from the edited run: they would flip the reversed trace and select
    # the good one, but both were decided by hand
    params = AlignmentParams(window_pre=-5.0, window_post=5.0, autoflip=True, autoselect=True, min_cc=0.3)
    third = align_event(path, "event/1", start_from="latest", params=params)
    rows = {r.seed_id: r for r in third.rows}
    assert not rows[good].select and rows[good].select_manual and rows[good].iccs_cc > 0.8
    assert not rows[reversed_id].flip and rows[reversed_id].flip_manual
    assert third.params["autoflip"] is True
    # a fresh run (not --from) has no manual decision: autoflip finds the reversed trace
    fresh = align_event(path, "event/1", params=params)
    assert {r.seed_id for r in fresh.rows if r.flip} == {reversed_id}


def test_rollback_reproduces_the_older_run_exactly(synthetic: tuple[Path, SyntheticEvent]) -> None:
    path, _ = synthetic
    first = align_event(path, "event/1", params=WINDOW)
    align_event(path, "event/1", start_from="latest", params=AlignmentParams(window_pre=-3.0, window_post=3.0),
                edits=[Edit.parse("deselect", "XS.S004")])
    back = rollback_run(path, "event/1", "1", comment="the first was better")
    assert back.run_id == "run_0003" and back.origin == "rollback" and back.parent == "run_0001"
    assert back.comment == "the first was better"
    assert [r.t1_ns for r in back.rows] == [r.t1_ns for r in first.rows]
    assert [(r.select, r.flip, r.iccs_cc, r.mccc_error) for r in back.rows] == [
        (r.select, r.flip, r.iccs_cc, r.mccc_error) for r in first.rows
    ]
    assert back.params == first.params and back.status_mccc == first.status_mccc
    assert read_run(path, "event/1", "latest").run_id == "run_0003"
    assert [r.run_id for r in list_runs(path)] == ["run_0001", "run_0002", "run_0003"]  # history kept
    assert_clean(path)
    with asdfkit.open(path) as f:
        chain = lineage(f, f"/AuxiliaryData/{DATA_TYPE}/{back.path}/picks")
    assert [a.title for a in chain.activities][-2:] == ["Align Arrivals", "Rollback Alignment"]


def test_delete_refuses_parents_and_leaves_no_orphan_provenance(synthetic: tuple[Path, SyntheticEvent]) -> None:
    path, _ = synthetic
    align_event(path, "event/1", params=WINDOW)
    align_event(path, "event/1", start_from="1", edits=[Edit.parse("deselect", "XS.S002")])
    align_event(path, "event/1", params=WINDOW)
    with asdfkit.open(path) as f:
        documents = set(f.provenance_documents)
    with pytest.raises(RunInUseError, match=r"run run_0001 .* cannot be deleted: run_0002 was made from it"):
        delete_run(path, "event/1", "1")
    removed = delete_run(path, "event/1", "3")
    assert removed["run"] == "run_0003" and removed["children"] == []
    with asdfkit.open(path) as f:
        assert set(f.provenance_documents) == documents - {removed["provenance_document"]}
    forced = delete_run(path, "event/1", "1", force=True)
    assert forced["children"] == ["run_0002"]
    assert [r.run_id for r in list_runs(path)] == ["run_0002"]
    assert_clean(path)
    # the deleted number is not given again while a run names it as its parent
    assert align_event(path, "event/1", params=WINDOW).run_id == "run_0003"
    delete_run(path, "event/1", "2")
    delete_run(path, "event/1", "3")
    with asdfkit.open(path) as f:
        assert f.provenance_documents == [] and f.list_auxiliary_data() == []
        assert DATA_TYPE not in f.h5["AuxiliaryData"]  # no empty groups left behind
    assert_clean(path)


def test_provenance_shows_the_parent_and_the_manual_decisions(synthetic: tuple[Path, SyntheticEvent]) -> None:
    path, _ = synthetic
    first = align_event(path, "event/1", params=WINDOW)
    second = align_event(path, "event/1", start_from="latest",
                         edits=[Edit.parse("deselect", "XS.S001"), Edit.parse("pick", "XS.S002=-0.3")])
    with asdfkit.open(path) as f:
        graph = file_graph(f)
        picks = second.picks_provenance_id
        assert picks is not None and first.picks_provenance_id in graph.derived_from[picks]
        chain = lineage(f, f"/AuxiliaryData/{DATA_TYPE}/{second.path}/picks")
    records = [graph.record(r) for r in graph.records]
    manual = [r for r in records if r.prov_type == "asdfkit:manual_decisions"]
    assert len(manual) == 1
    assert manual[0].attributes["deselect"] == "XS.S001" and manual[0].attributes["pick"] == "XS.S002=-0.3"
    assert manual[0].attributes["decided_by"] == "hand"
    titles = [a.title for a in chain.activities]
    assert titles.count("Align Arrivals") == 2  # through the parent run into its own inputs
    assert "Cross Correlate" in titles


def test_runs_stored_before_the_manual_columns_read_as_automatic(
    berkeley_h5: Path, tmp_path: Path
) -> None:
    path = fresh_copy(berkeley_h5, tmp_path)
    run = align_event(path, BERKELEY_EVENT, params=PARAMS)
    # rewrite the table without the two new columns, as an older asdfkit stored it
    with asdfkit.open(path, "r+") as f:
        item = f.get_auxiliary_data(DATA_TYPE, f"{run.path}/picks")
        old = [n for n in item.data.dtype.names if n not in ("select_manual", "flip_manual")]
        data = np.zeros(len(item.data), dtype=[(n, item.data.dtype[n]) for n in old])
        for name in old:
            data[name] = item.data[name]
        attrs = {k: v for k, v in item.attrs.items() if k != "provenance_id"}
        f.remove_auxiliary_data(DATA_TYPE, f"{run.path}/picks")
        f.add_auxiliary_data(data, DATA_TYPE, f"{run.path}/picks", attrs=attrs, provenance_id=item.provenance_id)
    with asdfkit.open(path) as f:
        assert "select_manual" not in f.get_auxiliary_data(DATA_TYPE, f"{run.path}/picks").data.dtype.names
    old_run = read_run(path)
    assert old_run.rows[0].seed_id == run.rows[0].seed_id
    assert not any(r.select_manual or r.flip_manual for r in old_run.rows)
    again = align_event(path, BERKELEY_EVENT, start_from="latest", edits=[Edit.parse("flip", "BK.SAO")])
    assert [r.seed_id for r in again.rows if r.flip_manual] == ["BK.SAO..BHZ"]
    assert_clean(path)


def test_bad_requests_leave_the_file_unchanged(synthetic: tuple[Path, SyntheticEvent], file_snapshot: object) -> None:
    path, _ = synthetic
    align_event(path, "event/1", params=WINDOW)
    before = file_snapshot(path)  # type: ignore[operator]
    with pytest.raises(RunNotFoundError, match="unknown run '9'"):
        align_event(path, "event/1", start_from="9")
    with pytest.raises(EventNotFoundError, match="unknown event id 'event/2'"):
        align_event(path, "event/2", start_from="latest")
    with pytest.raises(AlignmentInputError, match="t0_source cannot be given with start_from='latest'"):
        align_event(path, "event/1", start_from="latest", t0_source="picks")
    with pytest.raises(AlignmentInputError, match="unknown trace 'XS.X'"):
        align_event(path, "event/1", start_from="latest", edits=[Edit.parse("flip", "XS.X")])
    with pytest.raises(AlignmentInputError, match="must lie inside every trace"):  # a pick pushed off the data
        align_event(path, "event/1", start_from="latest", edits=[Edit.parse("pick", "XS.S000=+58")])
    with pytest.raises(RunNotFoundError):
        rollback_run(path, "event/1", "4")
    with pytest.raises(RunNotFoundError):
        delete_run(path, "event/1", "run_0004")
    assert file_snapshot(path) == before  # type: ignore[operator]
