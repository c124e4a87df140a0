"""Cut every trace around its pick into one matrix of equal-length windows.

ICCS and MCCC both work on the same windowed matrix: each row is one trace,
cut at ``[pick + window_pre - ramp, pick + window_post + ramp]`` on the
finest common sampling interval, linearly detrended, Hann-tapered over the
two ramps, divided by its maximum absolute value and multiplied by -1 when
flipped.

Windows are single precision (their rounding, 6e-8 of the peak, is far
below any noise; it halves the memory traffic); every trace is demeaned in
double precision before.  Picks are continuous (ICCS moves them by sub-sample amounts), so a window is
read at fractional sample positions with a 4-tap cubic convolution kernel
(Keys, a = -0.5): exact at whole samples, and its delay error is far below a
millisecond for signals well below the Nyquist frequency.  Traces of coarser
sampling are first resampled to the finest interval (polyphase FIR when the
ratio of the intervals is a small fraction, cubic otherwise).

Example
-------
>>> import numpy as np
>>> from asdfkit.alignment import AlignmentParams, SimpleSeismogram
>>> from asdfkit.alignment.windows import TraceMatrix, cut_windows
>>> seis = [SimpleSeismogram(np.sin(np.arange(4000) / 7.0), begin=0.0, delta=0.025, t0=50.0)]
>>> traces = TraceMatrix.from_seismograms(seis)
>>> win = cut_windows(traces, np.array([50.0]), np.array([False]), AlignmentParams())
>>> win.matrix.shape, float(win.time[0])
((1, 1441), -18.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from ..errors import AlignmentError
from .types import AlignmentParams, Seismogram

__all__ = [
    "TraceMatrix",
    "Windows",
    "check_inside",
    "check_params",
    "cut_rows",
    "cut_windows",
    "effective_picks",
    "window_time",
]

_WEIGHTINGS = ("aimbat", "vandecar")


def check_params(params: AlignmentParams) -> None:
    """Raise :class:`~asdfkit.errors.AlignmentError` if a parameter breaks its rule.

    Example
    -------
    >>> check_params(AlignmentParams(window_pre=-5.0, window_post=10.0))
    """
    rules: list[tuple[bool, str]] = [
        (
            params.window_pre < params.window_post,
            f"window_pre {params.window_pre!r} s: must be less than window_post {params.window_post!r} s",
        ),
        (params.effective_ramp_width >= 0.0, f"ramp_width {params.ramp_width!r}: must be >= 0 s"),
        (params.effective_max_shift > 0.0, f"max_shift {params.max_shift!r}: must be > 0 s"),
        (params.max_iterations >= 1, f"max_iterations {params.max_iterations!r}: must be >= 1"),
        (params.convergence >= 0.0, f"convergence {params.convergence!r}: must be >= 0"),
        (-1.0 <= params.min_cc <= 1.0, f"min_cc {params.min_cc!r}: must be in [-1, 1]"),
        (-1.0 <= params.mccc_min_cc <= 1.0, f"mccc_min_cc {params.mccc_min_cc!r}: must be in [-1, 1]"),
        (params.mccc_damp >= 0.0, f"mccc_damp {params.mccc_damp!r}: must be >= 0"),
        (
            params.mccc_weighting in _WEIGHTINGS,
            f"mccc_weighting {params.mccc_weighting!r}: must be one of {', '.join(_WEIGHTINGS)}",
        ),
        (params.mccc_block_pairs >= 1, f"mccc_block_pairs {params.mccc_block_pairs!r}: must be >= 1"),
    ]
    for ok, message in rules:
        if not ok:
            raise AlignmentError(message)


def effective_picks(seismograms: Sequence[Seismogram]) -> NDArray[np.float64]:
    """Each trace's effective pick: ``t1`` if set, else ``t0``.

    Example
    -------
    >>> from asdfkit.alignment import SimpleSeismogram
    >>> s = SimpleSeismogram(np.zeros(10), begin=0.0, delta=1.0, t0=3.0, t1=4.5)
    >>> effective_picks([s]).tolist()
    [4.5]
    """
    picks = np.array([s.t0 if s.t1 is None else s.t1 for s in seismograms], dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(picks))
    if bad.size:
        raise AlignmentError(f"pick {float(picks[bad[0]])!r} of trace {int(bad[0])}: picks must be finite")
    return picks


def window_time(params: AlignmentParams, delta: float) -> NDArray[np.float64]:
    """Time axis of a window, seconds relative to the pick, ramps included.

    Example
    -------
    >>> t = window_time(AlignmentParams(window_pre=-1.0, window_post=1.0, ramp_width=0.5), 0.5)
    >>> t.tolist()
    [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5]
    """
    ramp = params.effective_ramp_width
    first = params.window_pre - ramp
    n = int(math.floor((params.window_post + ramp - first) / delta + 1e-9)) + 1
    return first + delta * np.arange(n, dtype=np.float64)


def _taper(time: NDArray[np.float64], params: AlignmentParams) -> NDArray[np.float64]:
    """Hann ramps outside ``[window_pre, window_post]``, 1 inside."""
    ramp = params.effective_ramp_width
    taper = np.ones_like(time)
    if ramp <= 0.0:
        return taper
    before = time < params.window_pre
    after = time > params.window_post
    taper[before] = 0.5 * (1.0 - np.cos(np.pi * (time[before] - time[0]) / ramp))
    taper[after] = 0.5 * (1.0 - np.cos(np.pi * (time[-1] - time[after]) / ramp))
    return np.clip(taper, 0.0, 1.0)


def _cubic_weights(frac: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
    """Keys (a = -0.5) cubic-convolution weights for samples i-1, i, i+1, i+2."""
    f = frac
    return (
        ((-0.5 * f + 1.0) * f - 0.5) * f,
        (1.5 * f - 2.5) * f * f + 1.0,
        ((-1.5 * f + 2.0) * f + 0.5) * f,
        (0.5 * f - 0.5) * f * f,
    )


def _resample(data: NDArray[np.float64], ratio: float) -> NDArray[np.float64]:
    """Resample ``data`` to an interval ``ratio`` times shorter (ratio > 1), same first sample."""
    frac = Fraction(ratio).limit_denominator(64)
    if abs(float(frac) - ratio) <= 1e-9 * ratio:
        from scipy.signal import resample_poly

        return np.asarray(resample_poly(data, frac.numerator, frac.denominator), dtype=np.float64)
    n_out = int(math.floor((data.size - 1) * ratio + 1e-9)) + 1
    pos = np.arange(n_out, dtype=np.float64) / ratio
    start = np.floor(pos).astype(np.int64)
    weights = _cubic_weights(pos - start)
    padded = np.concatenate([data[:1], data, data[-1:], data[-1:]])
    return sum((w * padded[start + k] for k, w in enumerate(weights)), np.zeros(n_out))


def _check_finite(x: NDArray[np.float64], trace: int) -> None:
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        raise AlignmentError(
            f"sample {int(bad[0])} of trace {trace} is {float(x[bad[0]])!r}: data must be finite (no NaN/inf)"
        )


@dataclass(frozen=True)
class TraceMatrix:
    """Every trace on the finest common sampling interval, zero-padded into one array.

    Build it with :meth:`from_seismograms` (which checks the input); it is the
    input of :func:`cut_windows` and is reused across ICCS iterations.
    """

    data: NDArray[np.float32]  # (N, L) demeaned, rows padded past ``length``
    begin: NDArray[np.float64]  # (N,) time of the first sample
    length: NDArray[np.int64]  # (N,) samples of each trace
    delta: float

    @classmethod
    def from_seismograms(cls, seismograms: Sequence[Seismogram]) -> TraceMatrix:
        """Check and pack the traces; resample coarser ones to the finest interval.

        Raises
        ------
        AlignmentError
            No traces, a trace that is not 1-D, has fewer than 4 samples, holds
            NaN/inf, or has a non-positive or non-finite sampling interval.
        """
        if len(seismograms) == 0:
            raise AlignmentError("seismograms []: at least one trace is needed")
        deltas = np.array([float(s.delta) for s in seismograms], dtype=np.float64)
        for i, d in enumerate(deltas.tolist()):
            if not (math.isfinite(d) and d > 0.0):
                raise AlignmentError(f"delta {d!r} of trace {i}: must be a finite number > 0")
            if not math.isfinite(float(seismograms[i].begin)):
                raise AlignmentError(f"begin {seismograms[i].begin!r} of trace {i}: must be finite")
        delta = float(deltas.min())
        rows: list[NDArray[np.floating] | NDArray[np.integer]] = []
        for i, s in enumerate(seismograms):
            x = np.asarray(s.data)
            if x.ndim != 1 or x.size < 4:
                raise AlignmentError(
                    f"data of trace {i} (shape {x.shape}): must be 1-D with at least 4 samples"
                )
            ratio = deltas[i] / delta
            if abs(ratio - 1.0) > 1e-9:
                _check_finite(x.astype(np.float64), i)  # before resampling spreads a NaN
                x = _resample(x.astype(np.float64), ratio)
            rows.append(x)
        length = np.array([r.size for r in rows], dtype=np.int64)
        data = np.zeros((len(rows), int(length.max())), dtype=np.float32)
        for i, r in enumerate(rows):
            mean = float(np.mean(r, dtype=np.float64))  # NaN or inf if any sample is
            if not math.isfinite(mean):
                _check_finite(np.asarray(r, dtype=np.float64), i)
                raise AlignmentError(f"data of trace {i}: samples too large to average (mean {mean!r})")
            np.subtract(r, mean, out=data[i, : r.size], casting="unsafe")  # demeaned in double
        begin = np.array([float(s.begin) for s in seismograms], dtype=np.float64)
        return cls(data=data, begin=begin, length=length, delta=delta)

    def pick_limits(self, params: AlignmentParams) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Earliest and latest pick of each trace whose window (ramps included) lies in its data."""
        time = window_time(params, self.delta)
        end = self.begin + (self.length - 1) * self.delta
        # cubic interpolation reads one sample before and two after the window
        return self.begin - time[0] + self.delta, end - time[-1] - 2.0 * self.delta


@dataclass(frozen=True)
class Windows:
    """The windowed matrix: one row per trace, ``time`` relative to the pick."""

    matrix: NDArray[np.float64]  # (N, n)
    time: NDArray[np.float64]  # (n,)
    flat: NDArray[np.bool_]  # (N,) rows that are all zero (no signal in the window)


def check_inside(
    traces: TraceMatrix,
    picks: NDArray[np.float64],
    params: AlignmentParams,
    rows: NDArray[np.intp] | None = None,
) -> None:
    """Raise :class:`~asdfkit.errors.AlignmentError` if a window (of the listed rows) leaves its trace's data."""
    low, high = traces.pick_limits(params)
    outside = (picks < low - 1e-9) | (picks > high + 1e-9)
    if rows is not None:
        outside &= np.isin(np.arange(picks.size), rows)
    bad = np.flatnonzero(outside)
    if bad.size:
        i = int(bad[0])
        time = window_time(params, traces.delta)
        end = traces.begin[i] + (traces.length[i] - 1) * traces.delta
        raise AlignmentError(
            f"window [{picks[i] + time[0]:.3f}, {picks[i] + time[-1]:.3f}] s of trace {i} (pick {picks[i]:.3f} s) "
            f"is outside its data [{traces.begin[i]:.3f}, {end:.3f}] s: the window and its ramps must lie "
            f"inside the trace ({bad.size} trace(s) affected)"
        )


def cut_windows(
    traces: TraceMatrix,
    picks: NDArray[np.float64],
    flips: NDArray[np.bool_],
    params: AlignmentParams,
    rows: NDArray[np.intp] | None = None,
) -> Windows:
    """Cut, detrend, taper, normalise and flip the window of every (or every listed) trace.

    The windows as ICCS and MCCC see them (computed by :func:`cut_rows` in
    single precision), returned in double precision with their time axis.

    Parameters
    ----------
    traces
        The packed traces.
    picks, flips
        Per trace of ``traces`` (all rows, also when ``rows`` is given).
    params
        Window, ramp.
    rows
        Optional subset of rows to cut, in this order.

    Example
    -------
    >>> from asdfkit.alignment import SimpleSeismogram
    >>> seis = [SimpleSeismogram(np.cos(np.arange(400) / 3.0), begin=0.0, delta=0.1, t0=20.0, flip=True)]
    >>> tm = TraceMatrix.from_seismograms(seis)
    >>> w = cut_windows(tm, np.array([20.0]), np.array([True]), AlignmentParams(-2, 2, ramp_width=1))
    >>> round(float(np.abs(w.matrix).max()), 6)
    1.0
    """
    matrix, flat = cut_rows(traces, picks, flips, params, rows)
    return Windows(matrix=matrix.astype(np.float64), time=window_time(params, traces.delta), flat=flat)


def cut_rows(
    traces: TraceMatrix,
    picks: NDArray[np.float64],
    flips: NDArray[np.bool_],
    params: AlignmentParams,
    rows: NDArray[np.intp] | None = None,
) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
    """:func:`cut_windows` in single precision, without the time axis: ``(matrix, flat)``.

    Example
    -------
    >>> from asdfkit.alignment import SimpleSeismogram
    >>> seis = [SimpleSeismogram(np.cos(np.arange(400) / 3.0), begin=0.0, delta=0.1, t0=20.0)]
    >>> matrix, flat = cut_rows(TraceMatrix.from_seismograms(seis), np.array([20.0]), np.array([False]),
    ...                         AlignmentParams(-2, 2, ramp_width=1))
    >>> matrix.dtype.name, matrix.shape, flat.tolist()
    ('float32', (1, 61), [False])
    """
    idx = np.arange(traces.data.shape[0]) if rows is None else np.asarray(rows, dtype=np.intp)
    time = window_time(params, traces.delta)
    n = time.size
    position = (picks[idx] + time[0] - traces.begin[idx]) / traces.delta
    start = np.floor(position).astype(np.int64)
    frac = position - start
    weights = np.stack(_cubic_weights(frac), axis=1).astype(np.float32)  # (rows, 4)
    width = traces.data.shape[1]
    first = np.clip(start - 1, 0, max(width - n - 3, 0))  # inside the data when check_inside passed
    flat_index = (idx * width + first)[:, None] + np.arange(n + 3)[None, :]
    gathered = np.take(traces.data, flat_index)
    taps = sliding_window_view(gathered, n, axis=1)[:, :4, :]  # (rows, 4, n): the 4 shifts, no copy
    matrix = np.matmul(weights[:, None, :], taps)[:, 0, :]
    del gathered, taps
    # linear detrend: least-squares fit of [1, t] (t centred, so the two are orthogonal)
    slope_axis = (time - time.mean()).astype(np.float32)
    slope_axis /= np.sqrt(slope_axis @ slope_axis)
    mean = matrix.mean(axis=1)
    slope = matrix @ slope_axis
    matrix -= mean[:, None]
    matrix -= slope[:, None] * slope_axis[None, :]
    matrix *= _taper(time, params).astype(np.float32)[None, :]
    peak = np.maximum(matrix.max(axis=1), -matrix.min(axis=1))
    # flat: nothing left but single-precision rounding of the mean and trend
    flat = peak <= 1e-5 * (np.abs(mean) + np.abs(slope) * float(np.abs(slope_axis).max()))
    scale = np.where(flat, 0.0, 1.0 / np.where(flat, 1.0, peak))
    scale = np.where(flips[idx], -scale, scale)
    matrix *= scale.astype(np.float32)[:, None]
    return matrix, flat
