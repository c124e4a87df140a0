"""Figures of a stored alignment run (matplotlib, no pyplot state, Agg canvas).

- :func:`plot_section`: the traces windowed at the initial picks ``t0`` and at
  the final picks ``t1``, side by side, in one sort order (distance, cc or
  azimuth), with each stack on top;
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

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..container import open as open_asdf
from .select import find_event, origin_of, select_event
from .sorting import Geometry, geometry_of, order_by, where
from .store import StoredRun, read_run
from .types import AlignmentParams
from .windows import TraceMatrix, cut_windows

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from obspy.core.event import Event

__all__ = ["Section", "params_of", "plot_quality", "plot_section", "section_of"]

_SELECTED = "#1f3b73"
_DESELECTED = "#a0a0a0"
_STACK = "#b2182b"


def params_of(run: StoredRun) -> AlignmentParams:
    """The :class:`AlignmentParams` a stored run used."""
    return run.alignment_params


@dataclass(frozen=True)
class Section:
    """Windowed traces of a run at ``t0`` and at ``t1`` (rows in the run's order), and where they sit."""

    run: StoredRun
    time: NDArray[np.float64]
    at_t0: NDArray[np.float64]
    at_t1: NDArray[np.float64]
    event: Event | None = None
    geometry: Geometry | None = None

    def stack(self, matrix: NDArray[np.float64]) -> NDArray[np.float64]:
        select = np.array([r.select for r in self.run.rows])
        rows = matrix[select] if select.any() else matrix
        return np.asarray(rows.mean(axis=0))

    def order(self, sort: str) -> list[int]:
        rows = self.run.rows
        nan = (math.nan,) * len(rows)
        return order_by(
            sort,
            cc=[r.iccs_cc for r in rows],
            distance=self.geometry.distance if self.geometry else nan,
            azimuth=self.geometry.azimuth if self.geometry else nan,
        )


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
        geometry = geometry_of(f, selection.origin, [r.seed_id for r in stored.rows])
    by_seed = {s.seed_id: s for s in selection.seismograms}
    seismograms = [by_seed[r.seed_id] for r in stored.rows]
    traces = TraceMatrix.from_seismograms(seismograms)
    flips = np.array([r.flip for r in stored.rows])
    t0 = np.array([r.t0 for r in stored.rows])
    t1 = np.array([r.t1 for r in stored.rows])
    before = cut_windows(traces, t0, flips, params)
    after = cut_windows(traces, t1, flips, params)
    return Section(stored, after.time, before.matrix, after.matrix, selection.event, geometry)


def signed(value: float, digits: int = 2) -> str:
    """``value`` with a sign, never ``-0.00``.

    Example
    -------
    >>> signed(-0.001), signed(0.456)
    ('+0.00', '+0.46')
    """
    text = f"{value:+.{digits}f}"
    return text.replace("-", "+") if float(text) == 0.0 else text


def plain(value: float, digits: int = 2) -> str:
    """``value`` without a sign for zero (never ``-0.00``)."""
    text = f"{value:.{digits}f}"
    return text.lstrip("-") if float(text) == 0.0 else text


def event_title(event: Event | None, run: StoredRun) -> str:
    """Event line of a title: origin time, magnitude, depth, location; filter band and window."""
    params = params_of(run)
    parts = []
    if event is not None:
        origin = event.preferred_origin() or (event.origins[0] if event.origins else None)
        magnitude = event.preferred_magnitude() or (event.magnitudes[0] if event.magnitudes else None)
        if origin is not None and origin.time is not None:
            parts.append(origin.time.strftime("%Y-%m-%d %H:%M:%S") + " UTC")
        if magnitude is not None and magnitude.mag is not None:
            parts.append(f"{magnitude.magnitude_type or 'M'} {magnitude.mag:.1f}")
        if origin is not None and origin.depth is not None:
            parts.append(f"depth {origin.depth / 1000.0:.0f} km")
        if origin is not None and origin.latitude is not None and origin.longitude is not None:
            parts.append(f"{origin.latitude:.2f}°, {origin.longitude:.2f}°")
    band = "no filter" if params.bandpass is None else f"{params.bandpass[0]:g}–{params.bandpass[1]:g} Hz"
    parts.append(f"{band}, window {params.window_pre:g}…{params.window_post:g} s")
    return " · ".join(parts)


def _figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def window_marks(ax: Axes, params: AlignmentParams, *, label: bool = False) -> None:
    """The pick (dashed) and the taper ramps (shaded) on an axis of time relative to the pick."""
    ramp = params.effective_ramp_width
    ax.axvline(0.0, color="0.3", lw=0.8, ls="--", label="pick" if label else None)
    ax.axvspan(
        params.window_pre - ramp,
        params.window_pre,
        color="0.9",
        lw=0,
        label=f"taper ramps ({ramp:g} s)" if label else None,
    )
    ax.axvspan(params.window_post, params.window_post + ramp, color="0.9", lw=0)


def trace_label(section: Section, i: int) -> str:
    """``seed id  Δ 12.3° az 45°  cc +0.91 (flip)`` for one row."""
    row = section.run.rows[i]
    place = "  " + where(section.geometry, i) if section.geometry is not None else ""
    manual = "*" if row.select_manual or row.flip_manual else ""
    return f"{row.seed_id}{place.rstrip()}  cc {signed(row.iccs_cc)}" + (" flip" if row.flip else "") + manual


def _panel(
    stack_ax: Axes,
    ax: Axes,
    section: Section,
    matrix: NDArray[np.float64],
    order: list[int],
    title: str,
    labels: bool,
    xlabel: str,
) -> None:
    params = params_of(section.run)
    rows = section.run.rows
    time = section.time
    stack = section.stack(matrix)
    window_marks(stack_ax, params, label=labels)
    stack_ax.plot(time, stack, color=_STACK, lw=1.4, label="stack of selected traces" if labels else None)
    stack_ax.set_title(title, fontsize=10)
    stack_ax.set_yticks([])
    stack_ax.set_ylabel("stack", fontsize=9)
    stack_ax.set_ylim(-1.05, 1.05)
    if labels:
        stack_ax.legend(fontsize=7, loc="lower left", ncol=3, frameon=False)
    window_marks(ax, params)
    for position, i in enumerate(order):
        row = rows[i]
        color = _SELECTED if row.select else _DESELECTED
        ax.plot(time, 0.45 * matrix[i] - position, color=color, lw=0.8)
    ax.set_ylim(-len(order) + 0.4, 0.6)
    ax.set_xlim(time[0], time[-1])
    stack_ax.set_xlim(time[0], time[-1])
    ax.set_yticks([-p for p in range(len(order))])
    if labels:
        ax.set_yticklabels([trace_label(section, i) for i in order], fontsize=7)
    else:
        ax.set_yticklabels([])
    ax.set_xlabel(xlabel)
    ax.tick_params(axis="y", length=0)


def plot_section(
    path: str | Path, event_id: str | None = None, run: str = "latest", *, sort: str = "distance"
) -> Figure:
    """Traces before (at ``t0``) and after alignment (at ``t1``), stacks on top, in one sort order.

    Grey traces are deselected; labels give seed id, distance, azimuth, ICCS cc,
    flips and manual decisions (``*``); the dashed line is the pick, the shaded
    bands the taper ramps.  ``sort``: ``distance`` (default), ``cc`` or ``azimuth``.
    """
    section = section_of(path, event_id, run)
    stored = section.run
    order = section.order(sort)
    n = len(order)
    traces_height = max(n * 0.42, 2.6)
    fig = _figure(11.5, 2.6 + traces_height)
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
        xlabel=f"time relative to t0, the {stored.t0_source} pick (s)",
    )
    _panel(
        fig.add_subplot(grid[0, 1]),
        fig.add_subplot(grid[1, 1]),
        section,
        section.at_t1,
        order,
        f"aligned at t1 ({method}); sorted by {sort}",
        labels=False,
        xlabel=f"time relative to t1, the {method} pick (s)",
    )
    fig.suptitle(_title(stored) + "\n" + event_title(section.event, stored), fontsize=10)
    return fig


def _title(stored: StoredRun) -> str:
    status = f"ICCS {stored.status_iccs}"
    if stored.mccc:
        rmse = f"{stored.mccc_rmse * 1000:.0f} ms" if np.isfinite(stored.mccc_rmse) else "-"
        status += f", MCCC {stored.status_mccc} (rmse {rmse})"
    made = f" ({stored.origin} from {stored.parent})" if stored.parent else ""
    return f"{stored.event_id} — {stored.phase}, {stored.run_id}{made}: {status}"


def plot_quality(
    path: str | Path, event_id: str | None = None, run: str = "latest", *, sort: str = "distance"
) -> Figure:
    """Per-station quality of one run: cc values, and picks relative to the prediction with errors."""
    with open_asdf(path) as f:
        stored = read_run(f, event_id, run)
        event = find_event(f, stored.event_id)
        geometry = geometry_of(f, origin_of(event), [r.seed_id for r in stored.rows])
    section = Section(stored, np.zeros(0), np.zeros((0, 0)), np.zeros((0, 0)), event, geometry)
    order = section.order(sort)
    rows = [stored.rows[i] for i in order]
    x = np.arange(len(rows))
    selected = [r for r in rows if r.select]
    offset = float(np.mean([r.t1 - r.t0 for r in selected])) if selected else 0.0
    fig = _figure(max(7.0, 0.75 * len(rows) + 2.0), 6.4)
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
            label="MCCC cc: mean ± std over pairs",
        )
    min_cc = stored.params.get("min_cc")
    if isinstance(min_cc, float):
        top.axhline(min_cc, color="0.4", lw=0.8, ls=":", label=f"min_cc {min_cc:g}")
    top.set_ylim(min(0.0, *(r.iccs_cc for r in rows)) - 0.05, 1.35)
    top.set_ylabel("correlation")
    top.legend(fontsize=8, loc="upper center", ncol=3, frameon=False)
    residual = [(r.t1 - r.t0 - offset) * 1000.0 for r in rows]
    errors: Any = [r.mccc_error * 1000.0 for r in rows] if stored.mccc else None
    bottom.axhline(0.0, color="0.4", lw=0.8)
    bottom.errorbar(
        x,
        residual,
        yerr=errors,
        fmt="s",
        color=_SELECTED,
        ms=5,
        capsize=3,
        label="t1 − t0 − mean" + (", bars: MCCC standard error" if stored.mccc else ""),
    )
    bottom.legend(fontsize=8, loc="best", frameon=False)
    bottom.set_ylabel("t1 − t0 − mean (ms)")
    bottom.set_xticks(x)
    labels = []
    for i, r in zip(order, rows, strict=True):
        place = where(geometry, i)
        labels.append(f"{r.seed_id.rsplit('.', 2)[0]}\n{place}\nt0 {plain(r.t0, 1)} s".replace("\n\n", "\n"))
    bottom.set_xticklabels(labels, fontsize=7)
    bottom.set_xlabel(
        f"station (sorted by {sort}), distance, azimuth and predicted {stored.phase} time "
        f"(mean t1 − t0 = {signed(offset)} s removed)"
    )
    fig.suptitle(_title(stored) + "\n" + event_title(event, stored), fontsize=10)
    return fig
