"""Manual decisions: the Edit value type, the CSV file, and how edits change a trace state."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from obspy import UTCDateTime

from asdfkit.alignment.edits import Edit, TraceState, apply_edits, read_edits, resolve_target
from asdfkit.errors import AlignmentInputError

SEED_IDS = ["XS.S000..BHZ", "XS.S001..BHZ", "XS.S002..BHZ", "XS.S002.00.BHZ"]
REFERENCE = UTCDateTime(2020, 1, 1, 12)


def test_parse_and_spell_each_action() -> None:
    assert Edit.parse("deselect", "XS.S000") == Edit("XS.S000", "deselect")
    assert Edit.parse("pick", "XS.S000=+0.4") == Edit("XS.S000", "pick", offset=0.4)
    assert Edit.parse("pick", "XS.S000=-1.25").offset == -1.25
    absolute = Edit.parse("pick", "XS.S000=2020-01-01T12:06:09.5")
    assert absolute.time == UTCDateTime(2020, 1, 1, 12, 6, 9, 500000) and absolute.offset is None
    assert absolute.text() == "pick XS.S000=2020-01-01T12:06:09.500000Z"
    assert Edit.parse("pick", "XS.S000=+0.4").text() == "pick XS.S000=+0.4"
    with pytest.raises(dataclasses.FrozenInstanceError):
        Edit("XS.S000", "flip").action = "unflip"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("action", "text", "message"),
    [
        ("pick", "XS.S000", "must be ID=TIME"),
        ("pick", "XS.S000=soon", "invalid pick value 'soon' for XS.S000: must be an absolute ISO time"),
        ("pick", "XS.S000=0.4", "invalid pick value '0.4'"),  # an offset needs its sign
        ("erase", "XS.S000", "invalid edit action 'erase': must be one of select, deselect"),
        ("flip", "", "invalid edit target ''"),
    ],
)
def test_bad_edits_name_the_value_and_the_rule(action: str, text: str, message: str) -> None:
    with pytest.raises(AlignmentInputError, match=message):
        Edit.parse(action, text)


def test_targets_are_seed_ids_or_unique_station_ids() -> None:
    assert resolve_target("XS.S001", SEED_IDS) == 1
    assert resolve_target("XS.S002.00.BHZ", SEED_IDS) == 3
    with pytest.raises(AlignmentInputError, match=r"trace 'XS.S002' is ambiguous: XS.S002..BHZ, XS.S002.00.BHZ"):
        resolve_target("XS.S002", SEED_IDS)
    with pytest.raises(AlignmentInputError, match=r"unknown trace 'XS.S999': must be a seed id or a unique NET.STA"):
        resolve_target("XS.S999", SEED_IDS)


def test_edits_file_reads_every_action(tmp_path: Path) -> None:
    path = tmp_path / "edits.csv"
    path.write_text("id,action,value\nXS.S000,deselect,\nXS.S001,flip,\nXS.S001..BHZ,pick,-0.2\n")
    assert read_edits(path) == (
        Edit("XS.S000", "deselect"),
        Edit("XS.S001", "flip"),
        Edit("XS.S001..BHZ", "pick", offset=-0.2),
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("trace,what\nXS.S000,deselect\n")
    with pytest.raises(AlignmentInputError, match="the header must be 'id,action,value'"):
        read_edits(bad)
    value = tmp_path / "value.csv"
    value.write_text("id,action,value\nXS.S000,pick,+0.1\nXS.S000,flip,1\n")
    with pytest.raises(AlignmentInputError, match=r"line 3: flip of XS.S000: takes no value"):
        read_edits(value)


def test_apply_edits_sets_values_and_marks_them_manual() -> None:
    state = TraceState.initial([10.0, 20.0, 30.0, 40.0])
    edits = [
        Edit("XS.S000", "deselect"),
        Edit("XS.S001", "flip"),
        Edit("XS.S001", "pick", offset=0.4),
        Edit("XS.S002.00.BHZ", "pick", time=REFERENCE + 41.5),
    ]
    new = apply_edits(state, SEED_IDS, edits, REFERENCE)
    np.testing.assert_allclose(new.t1, [10.0, 20.4, 30.0, 41.5])
    assert new.select.tolist() == [False, True, True, True]
    assert new.select_manual.tolist() == [True, False, False, False]
    assert new.flip.tolist() == [False, True, False, False] == new.flip_manual.tolist()
    assert new.edited.tolist() == [False, True, False, True]  # picks and polarities moved by hand
    assert state.t1.tolist() == [10.0, 20.0, 30.0, 40.0]  # the input is not changed


def test_contradictions_and_deselecting_everything_are_refused() -> None:
    state = TraceState.initial([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(AlignmentInputError, match="contradictory edits of XS.S000..BHZ: 'flip XS.S000' and 'unflip"):
        apply_edits(state, SEED_IDS, [Edit("XS.S000", "flip"), Edit("XS.S000..BHZ", "unflip")], REFERENCE)
    everything = [Edit(s, "deselect") for s in SEED_IDS]
    with pytest.raises(AlignmentInputError, match="the edits deselect every trace"):
        apply_edits(state, SEED_IDS, everything, REFERENCE)
    same_twice = apply_edits(state, SEED_IDS, [Edit("XS.S000", "flip"), Edit("XS.S000", "flip")], REFERENCE)
    assert same_twice.flip[0]
