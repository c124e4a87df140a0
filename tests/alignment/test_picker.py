"""The interactive picker, driven headless: the Picker class on an Agg canvas with synthesized events.

Mouse and key events are made with matplotlib's own ``MouseEvent``/``KeyEvent`` at pixel positions
computed from data coordinates, and processed by the canvas as a GUI backend would; the assertions
are on the session state and on the runs stored in the file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backend_bases import KeyEvent, MouseEvent
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import asdfkit
from asdfkit.alignment import AlignmentParams, align_event, list_runs, read_run
from asdfkit.alignment.picker import Picker
from asdfkit.alignment.synthetic_file import SyntheticEvent, synthetic_event_file

WINDOW = AlignmentParams(window_pre=-5.0, window_post=5.0)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SyntheticEvent]:
    path = tmp_path_factory.mktemp("picker") / "synthetic.h5"
    truth = synthetic_event_file(path, n=8, seed=3, flipped=1)
    align_event(path, "event/1", params=WINDOW)
    return path, truth


@pytest.fixture
def picker(source: tuple[Path, SyntheticEvent], tmp_path: Path) -> Picker:
    path = tmp_path / "synthetic.h5"
    shutil.copyfile(source[0], path)
    figure = Figure(figsize=(11, 9))
    FigureCanvasAgg(figure)
    drawn = Picker.open(path, "event/1", start_from="latest", figure=figure, sort="distance")
    figure.canvas.draw()
    return drawn


def _pixels(picker: Picker, ax: object, x: float, y: float) -> tuple[float, float]:
    px, py = ax.transData.transform((x, y))  # type: ignore[attr-defined]
    return float(px), float(py)


def press(picker: Picker, ax: object, x: float, y: float) -> None:
    px, py = _pixels(picker, ax, x, y)
    event = MouseEvent("button_press_event", picker.figure.canvas, px, py, button=1)
    picker.figure.canvas.callbacks.process("button_press_event", event)


def release(picker: Picker, ax: object, x: float, y: float) -> None:
    px, py = _pixels(picker, ax, x, y)
    event = MouseEvent("button_release_event", picker.figure.canvas, px, py, button=1)
    picker.figure.canvas.callbacks.process("button_release_event", event)


def click(picker: Picker, ax: object, x: float, y: float) -> None:
    press(picker, ax, x, y)
    release(picker, ax, x, y)


def key(picker: Picker, name: str, ax: object | None = None, x: float = 0.0, y: float = 0.0) -> None:
    px, py = _pixels(picker, ax, x, y) if ax is not None else (2.0, 2.0)
    picker.figure.canvas.callbacks.process("key_press_event", KeyEvent("key_press_event", picker.figure.canvas,
                                                                        name, px, py))


def test_click_a_trace_toggles_its_selection_by_hand(picker: Picker) -> None:
    target = picker.order[2]
    click(picker, picker.section_ax, 0.0, -2.0)
    assert not picker.session.state.select[target] and picker.session.state.select_manual[target]
    click(picker, picker.section_ax, 0.0, -2.0)
    assert picker.session.state.select[target]
    other = picker.order[0]
    assert picker.session.state.select[other] and not picker.session.state.select_manual[other]


def test_key_flips_the_trace_under_the_mouse_and_sorting_keys_reorder(picker: Picker) -> None:
    target = picker.order[4]
    before = picker.session.state.flip[target]
    key(picker, "f", picker.section_ax, 1.0, -4.0)
    assert picker.session.state.flip[target] != before and picker.session.state.flip_manual[target]
    distances = [picker.geometry.distance[i] for i in picker.order]
    assert distances == sorted(distances)
    key(picker, "a")
    assert picker.sort == "azimuth"
    azimuths = [picker.geometry.azimuth[i] for i in picker.order]
    assert azimuths == sorted(azimuths)
    key(picker, "c")
    _, _, _, cc = picker.session.windows()
    assert [cc[i] for i in picker.order] == sorted(cc, reverse=True)


def test_click_on_the_stack_moves_every_pick_and_a_drag_sets_the_window(picker: Picker) -> None:
    start = picker.session.state.t1.copy()
    click(picker, picker.stack_ax, 0.5, 0.0)
    np.testing.assert_allclose(picker.session.state.t1 - start, 0.5, atol=0.01)
    press(picker, picker.stack_ax, -2.0, 0.0)
    release(picker, picker.stack_ax, 3.0, 0.0)
    assert picker.session.params.window_pre == pytest.approx(-2.0, abs=0.02)
    assert picker.session.params.window_post == pytest.approx(3.0, abs=0.02)
    assert picker.stack_ax.get_xlim()[0] == pytest.approx(-2.0 - picker.session.params.effective_ramp_width, abs=0.05)


def test_a_refused_edit_is_a_message_not_a_crash(picker: Picker) -> None:
    for position in range(len(picker.order) - 1):
        click(picker, picker.section_ax, 0.0, -float(position))
    last = picker.order[-1]
    click(picker, picker.section_ax, 0.0, -float(len(picker.order) - 1))
    assert picker.session.state.select[last]  # the last selected trace stays
    assert picker.session.message.startswith("refused: at least one trace must stay selected")


def test_keys_run_iccs_and_mccc_and_save_a_run_with_the_comment(
    picker: Picker, source: tuple[Path, SyntheticEvent]
) -> None:
    path = picker.session.file
    truth = source[1]
    parent = read_run(path)
    reversed_id = next(s for s, flipped in truth.flips.items() if flipped)
    i = picker.session.seed_ids.index(reversed_id)
    key(picker, "f", picker.section_ax, 0.0, -float(picker.order.index(i)))  # flip the reversed trace
    dropped = picker.order[0] if picker.order[0] != i else picker.order[1]
    click(picker, picker.section_ax, 0.0, -float(picker.order.index(dropped)))  # and leave one out
    key(picker, "i")
    assert picker.session.message.startswith("ICCS converged")
    key(picker, "m")
    assert picker.session.message.startswith("MCCC solved")
    picker.comment_box.set_val("flipped the reversed trace by hand")
    key(picker, "w")
    assert picker.session.message == "saved run_0002"
    stored = read_run(path)
    assert [r.run_id for r in picker.saved] == ["run_0002"] == [stored.run_id]
    assert stored.origin == "pick" and stored.parent == parent.run_id
    assert stored.comment == "flipped the reversed trace by hand"
    rows = {r.seed_id: r for r in stored.rows}
    assert rows[reversed_id].flip and rows[reversed_id].flip_manual
    assert not stored.rows[dropped].select and stored.rows[dropped].select_manual
    assert sorted(stored.edits) == sorted([f"flip {reversed_id}", f"deselect {stored.rows[dropped].seed_id}"])
    # the stored picks are those shown: the reversed trace is now on its true arrival
    misfit = np.array([r.t1 - r.t0 - truth.shifts[r.seed_id] for r in stored.rows])
    misfit -= np.median(misfit)
    assert abs(misfit[i]) < 0.025
    np.testing.assert_allclose([r.t1 for r in stored.rows], picker.session.state.t1, atol=1e-6)
    # a second save (nothing changed) is a new run from the first
    key(picker, "w")
    assert read_run(path).parent == "run_0002" and len(list_runs(path)) == 3
    assert asdfkit.validate(path).ok


def test_a_comment_being_typed_is_not_a_command(picker: Picker) -> None:
    picker.comment_box.begin_typing()
    try:
        key(picker, "w")
    finally:
        picker.comment_box.stop_typing()
    assert picker.saved == []


def test_the_picker_on_the_berkeley_event(aligned_h5: Path, tmp_path: Path) -> None:
    path = tmp_path / "berkeley.h5"
    shutil.copyfile(aligned_h5, path)
    figure = Figure(figsize=(11, 9))
    FigureCanvasAgg(figure)
    picker = Picker.open(path, "event/1", start_from="latest", figure=figure, sort="distance")
    figure.canvas.draw()
    labels = [t.get_text() for t in picker.section_ax.get_yticklabels()]
    assert labels[0].startswith("BK.SAO..BHZ 0.02° az") and labels[-1].startswith("BK.YBH..BHZ 5.1° az")
    click(picker, picker.section_ax, 0.0, -float(len(picker.order) - 1))  # YBH, the farthest, out
    key(picker, "f", picker.section_ax, 0.0, 0.0)  # SAO, the nearest, flipped
    picker.comment_box.set_val("YBH out, SAO flipped")
    key(picker, "w")
    stored = read_run(path)
    rows = {r.seed_id: r for r in stored.rows}
    assert stored.origin == "pick" and stored.parent == "run_0001" and stored.comment == "YBH out, SAO flipped"
    assert not rows["BK.YBH..BHZ"].select and rows["BK.YBH..BHZ"].select_manual
    assert rows["BK.SAO..BHZ"].flip and rows["BK.SAO..BHZ"].flip_manual
    assert stored.status_mccc == "solved" and stored.params == read_run(path, "event/1", "1").params
    assert asdfkit.validate(path).ok
