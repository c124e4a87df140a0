"""AIMBAT's interactive picker in matplotlib: the stack on top, the section below.

================================  =============================================
mouse / key                       what it does
================================  =============================================
click on the stack                set the phase pick of every trace there
drag on the stack                 set the window (from press to release)
click on a trace                  select / deselect it (by hand: sticky)
``f`` over a trace                flip / unflip it (by hand: sticky)
``i`` / ``m``                     run ICCS / MCCC from the state shown
``d`` / ``c`` / ``a``             sort by distance / cc / azimuth
``w``                             save the state as a new run (comment box text)
================================  =============================================

It draws on any matplotlib :class:`~matplotlib.figure.Figure`: one made by
``pyplot.figure()`` with an interactive backend (``asdf-cli align pick``), a
Jupyter figure with ipympl (``%matplotlib widget``), or a figure on the Agg
canvas, where tests drive it with synthesized mouse and key events.  The
model is :class:`~asdfkit.alignment.session.PickSession`.

Example
-------
>>> import matplotlib.pyplot as plt                                           # doctest: +SKIP
>>> picker = Picker.open("berkeley.h5", "event/1", start_from="latest",
...                      figure=plt.figure(figsize=(11, 9)))                  # doctest: +SKIP
>>> plt.show()                                                                 # doctest: +SKIP
>>> [r.run_id for r in picker.saved]                                          # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AsdfkitError
from .plot import signed, window_marks
from .session import PickSession
from .sorting import geometry_of, order_by, where
from .store import StoredRun

if TYPE_CHECKING:
    from matplotlib.backend_bases import KeyEvent, MouseEvent
    from matplotlib.figure import Figure

__all__ = ["Picker"]

log = logging.getLogger(__name__)

_SELECTED = "#1f3b73"
_DESELECTED = "#a0a0a0"
_STACK = "#b2182b"
_SORT_KEYS = {"d": "distance", "c": "cc", "a": "azimuth"}
_CLICK_FRACTION = 0.01  # a press and release closer than this fraction of the window is a click


class Picker:
    """The picker window: draws a :class:`PickSession` and edits it from mouse and key events.

    Parameters
    ----------
    session : the state being edited
    figure : the figure to draw on (cleared)
    sort : ``distance``, ``cc`` or ``azimuth``
    comment : initial text of the comment box
    """

    def __init__(
        self, session: PickSession, figure: Figure, *, sort: str = "distance", comment: str = ""
    ) -> None:
        from matplotlib.widgets import TextBox

        from ..container import open as open_asdf

        self.session = session
        self.figure = figure
        self.sort = sort
        with open_asdf(session.file) as f:
            self.geometry = geometry_of(f, session.selection.origin, session.seed_ids)
        figure.clear()
        grid = figure.add_gridspec(
            2,
            1,
            height_ratios=[1.4, max(len(session.seed_ids) * 0.35, 3.0)],
            hspace=0.05,
            left=0.27,
            right=0.97,
            top=0.9,
            bottom=0.12,
        )
        self.stack_ax = figure.add_subplot(grid[0])
        self.section_ax = figure.add_subplot(grid[1], sharex=self.stack_ax)
        box_ax = figure.add_axes((0.27, 0.015, 0.7, 0.035))
        self.comment_box = TextBox(box_ax, "comment ", initial=comment)
        self.order: list[int] = []
        self._press: float | None = None
        self._connections = [
            figure.canvas.mpl_connect("button_press_event", self.on_press),
            figure.canvas.mpl_connect("button_release_event", self.on_release),
            figure.canvas.mpl_connect("key_press_event", self.on_key),
        ]
        manager = getattr(figure.canvas, "manager", None)
        handler = getattr(manager, "key_press_handler_id", None)
        if handler is not None:  # matplotlib's own keys (f fullscreen, c back...) would fire too
            figure.canvas.mpl_disconnect(handler)
        self.draw()

    @classmethod
    def open(
        cls,
        file: str | Path,
        event_id: str,
        *,
        figure: Figure | None = None,
        sort: str = "distance",
        comment: str = "",
        **load: Any,
    ) -> Picker:
        """Load a session (keywords of :meth:`PickSession.load`) and draw it on ``figure`` (default: pyplot's)."""
        session = PickSession.load(file, event_id, **load)
        if figure is None:
            import matplotlib.pyplot as plt

            figure = plt.figure(figsize=(11, 9))
        return cls(session, figure, sort=sort, comment=comment)

    @property
    def saved(self) -> list[StoredRun]:
        """The runs saved from this picker, oldest first."""
        return self.session.saved

    # -- drawing ---------------------------------------------------------------------------
    def draw(self) -> None:
        """Redraw the stack and the section from the session's state."""
        session = self.session
        time, matrix, stack, cc = session.windows()
        self.order = order_by(
            self.sort, cc=list(cc), distance=self.geometry.distance, azimuth=self.geometry.azimuth
        )
        ax, sx = self.stack_ax, self.section_ax
        ax.clear()
        sx.clear()
        window_marks(ax, session.params, label=True)
        ax.plot(time, stack, color=_STACK, lw=1.4, label="stack of selected traces")
        ax.set_ylim(-1.1, 1.1)
        ax.set_yticks([])
        ax.legend(fontsize=7, loc="lower left", ncol=3, frameon=False)
        ax.tick_params(labelbottom=False)
        window_marks(sx, session.params)
        labels = []
        for position, i in enumerate(self.order):
            selected = bool(session.state.select[i])
            sx.plot(time, 0.45 * matrix[i] - position, color=_SELECTED if selected else _DESELECTED, lw=0.8)
            place = " " + where(self.geometry, i) if where(self.geometry, i) else ""
            flags = (" flip" if session.state.flip[i] else "") + (
                "*" if session.state.select_manual[i] or session.state.flip_manual[i] else ""
            )
            cc_text = signed(float(cc[i])) if math.isfinite(cc[i]) else "-"
            labels.append(f"{session.seed_ids[i]}{place} cc {cc_text}{flags}")
        sx.set_yticks([-p for p in range(len(self.order))])
        sx.set_yticklabels(labels, fontsize=7)
        sx.set_ylim(-len(self.order) + 0.4, 0.6)
        sx.set_xlim(time[0], time[-1])
        sx.set_xlabel("time relative to the current pick (s)")
        sx.tick_params(axis="y", length=0)
        origin = "new state at t0" if session.parent is None else f"from {session.parent.run_id}"
        self.figure.suptitle(
            f"{session.selection.event_id} — {session.phase}, {origin}, sorted by {self.sort}\n"
            "click stack: pick · drag stack: window · click trace: select · f: flip · i: ICCS · m: MCCC · "
            "d/c/a: sort · w: save",
            fontsize=9,
        )
        ax.set_title(session.message or " ", fontsize=9, loc="left")
        self.figure.canvas.draw_idle()

    # -- events ----------------------------------------------------------------------------
    def _trace_at(self, ydata: float | None) -> int | None:
        if ydata is None or not self.order:
            return None
        position = int(round(-ydata))
        return self.order[position] if 0 <= position < len(self.order) else None

    def _safely(self, action: Any, *args: Any) -> None:
        """Do an edit; a refused one (bad window, last selected trace) becomes the status message."""
        try:
            action(*args)
        except AsdfkitError as exc:
            self.session.message = f"refused: {exc}"
            log.info("picker: %s", exc)
        self.draw()

    def on_press(self, event: MouseEvent) -> None:
        if event.button != 1 or event.xdata is None:
            return
        if event.inaxes is self.stack_ax:
            self._press = float(event.xdata)
        elif event.inaxes is self.section_ax:
            i = self._trace_at(event.ydata)
            if i is not None:
                self._safely(self.session.toggle_select, i)

    def on_release(self, event: MouseEvent) -> None:
        start, self._press = self._press, None
        if start is None or event.button != 1 or event.inaxes is not self.stack_ax or event.xdata is None:
            return
        end = float(event.xdata)
        if abs(end - start) < _CLICK_FRACTION * self.session.params.window_length:
            self._safely(self.session.shift_all, round(end, 3))
        else:
            self._safely(self.session.set_window, round(min(start, end), 2), round(max(start, end), 2))

    def on_key(self, event: KeyEvent) -> None:
        if self.comment_box.capturekeystrokes:  # typing a comment
            return
        key = event.key
        if key == "f" and event.inaxes is self.section_ax:
            i = self._trace_at(event.ydata)
            if i is not None:
                self._safely(self.session.toggle_flip, i)
        elif key == "i":
            self._safely(self.session.run_iccs)
        elif key == "m":
            self._safely(self.session.run_mccc)
        elif key in _SORT_KEYS:
            self.sort = _SORT_KEYS[key]
            self.draw()
        elif key == "w":
            self._safely(self.session.save, self.comment_box.text)
        elif key == "q":
            import matplotlib.pyplot as plt

            if plt.fignum_exists(getattr(self.figure, "number", -1)):
                plt.close(self.figure)  # type: ignore[arg-type]
