"""Figures of a stored alignment run (matplotlib, no pyplot state, Agg canvas).

- :func:`plot_section`: the traces windowed at the initial picks ``t0`` and at
  the final picks ``t1``, side by side, sorted by ICCS cc, with each stack on top;
- :func:`plot_quality`: per station, ICCS cc and MCCC cc (mean ± std over
  partners), and the pick relative to the prediction (``t1 − t0`` minus the
  run's mean over selected traces) with the MCCC standard error.

Examples
--------
>>> from asdfkit.alignment.plot import plot_section
>>> fig = plot_section("berkeley.h5", event_id="event/1")      # doctest: +SKIP
>>> fig.savefig("section.png", dpi=120)                        # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..container import open as open_asdf
from .select import select_event
from .store import StoredRun, read_run
from .types import AlignmentParams
from .windows import TraceMatrix, cut_windows

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Section", "params_of", "plot_quality", "plot_section", "section_of"]

_SELECTED = "#1f3b73"
_DESELECTED = "#a0a0a0"
_STACK = "#b2182b"


def params_of(run: StoredRun) -> AlignmentParams:
    """The :class:`AlignmentParams` a stored run used."""
    names = {f.name for f in fields(AlignmentParams)}
    return AlignmentParams(**{k: v for k, v in run.params.items() if k in names})


@dataclass(frozen=True)
class Section:
    """Windowed traces of a run at ``t0`` and at ``t1`` (rows in the run's order)."""

    run: StoredRun
    time: NDArray[np.float64]
    at_t0: NDArray[np.float64]
    at_t1: NDArray[np.float64]

    def stack(self, matrix: NDArray[np.float64]) -> NDArray[np.float64]:
        select = np.array([r.select for r in self.run.rows])
        rows = matrix[select] if select.any() else matrix
        return np.asarray(rows.mean(axis=0))


def section_of(path: str | Path, event_id: str | None = None, run: str = "latest") -> Section:
    """Reload a run's traces (with its bandpass) and window them at ``t0`` and ``t1``."""
    with open_asdf(path) as f:
        stored = read_run(f, event_id, run)
        params = params_of(stored)
        channels = {r.seed_id.rsplit(".", 1)[-1] for r in stored.rows}
        selection = select_event(
            f,
            stored.event_id,
            tag=stored.tag,
            channel=channels.pop() if len(channels) == 1 else "*",
            bandpass=params.bandpass,
            corners=params.bandpass_corners,
        )
    by_seed = {s.seed_id: s for s in selection.seismograms}
    seismograms = [by_seed[r.seed_id] for r in stored.rows]
    traces = TraceMatrix.from_seismograms(seismograms)
    flips = np.array([r.flip for r in stored.rows])
    t0 = np.array([r.t0 for r in stored.rows])
    t1 = np.array([r.t1 for r in stored.rows])
    before = cut_windows(traces, t0, flips, params)
    after = cut_windows(traces, t1, flips, params)
    return Section(stored, after.time, before.matrix, after.matrix)


def _figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _window_marks(ax: Axes, params: AlignmentParams) -> None:
    ax.axvline(0.0, color="0.3", lw=0.8, ls="--")
    ax.axvspan(params.window_pre - params.effective_ramp_width, params.window_pre, color="0.93", lw=0)
    ax.axvspan(params.window_post, params.window_post + params.effective_ramp_width, color="0.93", lw=0)


def _panel(
    stack_ax: Axes,
    ax: Axes,
    section: Section,
    matrix: NDArray[np.float64],
    order: list[int],
    title: str,
    labels: bool,
) -> None:
    params = params_of(section.run)
    rows = section.run.rows
    time = section.time
    stack = section.stack(matrix)
    _window_marks(stack_ax, params)
    stack_ax.plot(time, stack, color=_STACK, lw=1.4)
    stack_ax.set_title(title, fontsize=10)
    stack_ax.set_yticks([])
    stack_ax.set_ylabel("stack", fontsize=9)
    stack_ax.set_ylim(-1.05, 1.05)
    _window_marks(ax, params)
    for position, i in enumerate(order):
        row = rows[i]
        color = _SELECTED if row.select else _DESELECTED
        ax.plot(time, 0.45 * matrix[i] - position, color=color, lw=0.8)
    ax.set_ylim(-len(order) + 0.4, 0.6)
    ax.set_xlim(time[0], time[-1])
    stack_ax.set_xlim(time[0], time[-1])
    ax.set_yticks([-p for p in range(len(order))])
    if labels:
        ax.set_yticklabels(
            [
                f"{rows[i].seed_id}  {rows[i].iccs_cc:+.2f}" + (" (flip)" if rows[i].flip else "")
                for i in order
            ],
            fontsize=8,
        )
    else:
        ax.set_yticklabels([])
    ax.set_xlabel("time relative to the pick (s)")
    ax.tick_params(axis="y", length=0)
    if labels:
        ax.set_ylabel("trace (ICCS cc)", fontsize=9)


def plot_section(path: str | Path, event_id: str | None = None, run: str = "latest") -> Figure:
    """Traces before (at ``t0``) and after alignment (at ``t1``), sorted by ICCS cc, stacks on top.

    Grey traces are deselected; labels give seed id, ICCS cc and flips; the
    dashed line is the pick, the shaded bands the taper ramps.
    """
    section = section_of(path, event_id, run)
    stored = section.run
    order = sorted(range(len(stored.rows)), key=lambda i: -stored.rows[i].iccs_cc)
    n = len(order)
    traces_height = max(n * 0.42, 2.6)
    fig = _figure(11.0, 2.3 + traces_height)
    grid = fig.add_gridspec(2, 2, height_ratios=[1.3, traces_height])
    method = "MCCC" if any(np.isfinite(r.mccc_error) for r in stored.rows) else "ICCS"
    _panel(
        fig.add_subplot(grid[0, 0]),
        fig.add_subplot(grid[1, 0]),
        section,
        section.at_t0,
        order,
        f"at t0 ({stored.t0_source})"
        + ("; grey: deselected" if not all(r.select for r in stored.rows) else ""),
        labels=True,
    )
    _panel(
        fig.add_subplot(grid[0, 1]),
        fig.add_subplot(grid[1, 1]),
        section,
        section.at_t1,
        order,
        f"aligned at t1 ({method})",
        labels=False,
    )
    fig.suptitle(_title(stored), fontsize=11)
    return fig


def _title(stored: StoredRun) -> str:
    status = f"ICCS {stored.status_iccs}"
    if stored.mccc:
        rmse = f"{stored.mccc_rmse * 1000:.0f} ms" if np.isfinite(stored.mccc_rmse) else "-"
        status += f", MCCC {stored.status_mccc} (rmse {rmse})"
    return f"{stored.event_id} — {stored.phase}, {stored.run_id}: {status}"


def plot_quality(path: str | Path, event_id: str | None = None, run: str = "latest") -> Figure:
    """Per-station quality of one run: cc values, and picks relative to the prediction with errors."""
    stored = read_run(path, event_id, run)
    rows = sorted(stored.rows, key=lambda r: r.t0)
    x = np.arange(len(rows))
    selected = [r for r in rows if r.select]
    offset = float(np.mean([r.t1 - r.t0 for r in selected])) if selected else 0.0
    fig = _figure(max(6.0, 0.65 * len(rows) + 2.0), 6.0)
    top, bottom = fig.subplots(2, 1, sharex=True)
    colors = [_SELECTED if r.select else _DESELECTED for r in rows]
    top.bar(x - 0.18, [r.iccs_cc for r in rows], width=0.34, color=colors, label="ICCS cc with the stack")
    if stored.mccc:
        top.errorbar(
            x + 0.18,
            [r.mccc_cc_mean for r in rows],
            yerr=[r.mccc_cc_std for r in rows],
            fmt="o",
            color=_STACK,
            ms=4,
            capsize=3,
            label="MCCC cc, mean ± std over pairs",
        )
    min_cc = stored.params.get("min_cc")
    if isinstance(min_cc, float):
        top.axhline(min_cc, color="0.4", lw=0.8, ls=":", label=f"min_cc {min_cc:g}")
    top.set_ylim(min(0.0, *(r.iccs_cc for r in rows)) - 0.05, 1.3)
    top.set_ylabel("correlation")
    top.legend(fontsize=8, loc="upper center", ncol=3, frameon=False)
    residual = [(r.t1 - r.t0 - offset) * 1000.0 for r in rows]
    errors: Any = [r.mccc_error * 1000.0 for r in rows] if stored.mccc else None
    bottom.axhline(0.0, color="0.4", lw=0.8)
    bottom.errorbar(x, residual, yerr=errors, fmt="s", color=_SELECTED, ms=5, capsize=3)
    bottom.set_ylabel("t1 − t0 − mean (ms)")
    bottom.set_xticks(x)
    bottom.set_xticklabels([f"{r.seed_id.rsplit('.', 2)[0]}\n{r.t0:.1f} s" for r in rows], fontsize=8)
    bottom.set_xlabel(f"station and predicted {stored.phase} time (mean t1 − t0 = {offset:+.2f} s removed)")
    fig.suptitle(_title(stored), fontsize=11)
    return fig
