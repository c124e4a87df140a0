"""ICCS: iterative cross-correlation and stack (Lou, van der Lee & Lloyd 2013).

Each iteration correlates every windowed trace with the stack of the selected
traces, moves its pick by the sub-sample lag of the correlation peak, and
rebuilds the stack; it stops when ``1 - r(stack_new, stack_old) <=
params.convergence`` or after ``params.max_iterations``.

What this implementation adds to the published algorithm:

* sub-sample lags (cosine/parabolic peak interpolation) and windows re-cut at
  the fractional pick, so picks are not limited to whole samples;
* a shift bound: a pick never moves more than ``params.effective_max_shift``
  (derived from the window) from where it started, nor so far that its window
  leaves the data, so a trace cannot lock onto another arrival;
* picks stay anchored: the mean shift of the selected traces is kept at
  zero, so the whole array cannot drift as one (relative times are what ICCS
  measures; re-reference them afterwards if needed);
* a majority-polarity guard: if autoflip would leave most traces flipped, the
  convention is inverted so that the majority keeps positive polarity;
* autoselect never drops every trace: the selection is kept, and the status
  says ``ALL_DESELECTED``;
* manual decisions are sticky: a trace whose selection (``select_manual``) or
  polarity (``flip_manual``) was set by hand keeps it whatever autoselect and
  autoflip find, and the mean shift can be anchored on chosen traces
  (``anchor``: e.g. all but those whose pick was moved by hand).

Example
-------
>>> from asdfkit.alignment.synthetic import synthetic_set
>>> s = synthetic_set(30, snr=10.0, seed=0)
>>> res = iccs(s.seismograms, AlignmentParams(autoflip=True))
>>> res.status.value, bool((res.flip == s.true_flips).all())
('converged', True)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ..errors import AlignmentError
from .types import AlignmentParams, ICCSResult, ICCSStatus, Seismogram
from .windows import TraceMatrix, check_inside, check_params, cut_rows, effective_picks, window_time
from .xcorr import correlate_peaks

__all__ = ["iccs", "pearson_rows"]

log = logging.getLogger(__name__)


def pearson_rows(matrix: NDArray[np.floating], ref: NDArray[np.floating]) -> NDArray[np.float64]:
    """Zero-lag Pearson correlation of every row with ``ref`` (NaN for flat rows).

    Example
    -------
    >>> pearson_rows(np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]), np.array([0.0, 1.0, 2.0])).tolist()
    [1.0, -1.0]
    """
    x = np.asarray(matrix, dtype=np.float64)
    b = np.asarray(ref, dtype=np.float64) - float(np.mean(ref, dtype=np.float64))
    mean = x.mean(axis=1)
    sxx = np.maximum(np.einsum("ij,ij->i", x, x) - x.shape[1] * mean**2, 0.0)
    denom = np.sqrt(sxx * float(b @ b))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (x @ b) / denom  # sum(b) = 0: centring x is not needed
    return np.where(denom > 0.0, r, np.nan)


def _stack(matrix: NDArray[np.floating], select: NDArray[np.bool_]) -> NDArray[np.float64]:
    weights = select.astype(matrix.dtype) / max(int(select.sum()), 1)
    return np.asarray(weights @ matrix, dtype=np.float64)


def _change(new: NDArray[np.float64], old: NDArray[np.float64]) -> float:
    r = pearson_rows(new[None, :], old)[0]
    return 1.0 if not np.isfinite(r) else float(1.0 - r)


def iccs(
    seismograms: Sequence[Seismogram],
    params: AlignmentParams = AlignmentParams(),  # noqa: B008 (frozen, immutable)
    *,
    select_manual: NDArray[np.bool_] | None = None,
    flip_manual: NDArray[np.bool_] | None = None,
    anchor: NDArray[np.bool_] | None = None,
) -> ICCSResult:
    """Align an array of traces with ICCS.

    Parameters
    ----------
    seismograms
        The traces; each starts from its effective pick (``t1`` if set, else
        ``t0``), its ``flip`` and ``select``.
    params
        Window, ramp, shift bound, autoflip/autoselect, ``min_cc``,
        ``max_iterations``, ``convergence``.
    select_manual, flip_manual
        Per trace: the selection / polarity was decided by hand; autoselect /
        autoflip leave it alone (a trace with a manual polarity is correlated
        with the stack's sign as it is).
    anchor
        Per trace: the traces whose mean shift is held at zero (default: the
        selected ones).  Only selected traces of the anchor count.

    Returns
    -------
    ICCSResult
        New picks ``t1``, ``flip``, ``select``, per-trace ``cc`` (zero-lag
        Pearson r with the final stack), the stack and its time axis, a
        status and the convergence history.  ``at_bound`` marks picks held
        at the shift bound.

    Raises
    ------
    AlignmentError
        No traces, non-finite data or picks, a window outside a trace's
        data, or a parameter that breaks its rule.

    Example
    -------
    >>> from asdfkit.alignment.synthetic import synthetic_set
    >>> s = synthetic_set(20, snr=20.0, seed=2, flip_fraction=0.0)
    >>> res = iccs(s.seismograms)
    >>> bool(np.corrcoef(res.t1 - s.t0, s.true_shifts)[0, 1] > 0.999)
    True
    """
    check_params(params)
    traces = TraceMatrix.from_seismograms(seismograms)
    start = effective_picks(seismograms)
    check_inside(traces, start, params)
    flips = np.array([bool(s.flip) for s in seismograms])
    select = np.array([bool(s.select) for s in seismograms])
    n = len(seismograms)
    fixed_select = _mask(select_manual, n, "select_manual")
    fixed_flip = _mask(flip_manual, n, "flip_manual")
    anchored = _mask(anchor, n, "anchor") if anchor is not None else np.ones(n, dtype=bool)
    messages: list[str] = []
    if not select.any():
        messages.append("no trace was selected on input: every trace is used for the stack")
        select[:] = True

    bound = params.effective_max_shift
    low, high = traces.pick_limits(params)
    low = np.maximum(low, start - bound)
    high = np.minimum(high, start + bound)
    max_lag = int(np.floor(bound / traces.delta))

    picks = start.copy()
    time = window_time(params, traces.delta)
    matrix, flat = cut_rows(traces, picks, flips, params)
    usable = ~flat
    if not usable.any():
        return _result(
            picks,
            flips,
            select,
            matrix,
            time,
            params,
            ICCSStatus.NO_SIGNAL,
            0,
            (),
            [*messages, "every windowed trace is flat: nothing to align"],
            np.zeros(picks.size, dtype=bool),
        )
    if not (select & usable).any():
        messages.append("every selected trace is flat in its window: every trace with signal is used instead")
        select = usable.copy()
    stack = _stack(matrix, select & usable)

    history: list[float] = []
    at_bound = np.zeros(len(seismograms), dtype=bool)  # the last correlation wanted past the bound
    status = ICCSStatus.MAX_ITERATIONS
    all_deselected = False
    deselect_all: list[tuple[int, float]] = []  # (iteration, best cc) where autoselect would drop all
    iteration = 0
    for iteration in range(1, params.max_iterations + 1):
        lag, value = correlate_peaks(matrix, stack, max_lag, absolute=params.autoflip)
        if params.autoflip and fixed_flip.any():  # polarity set by hand: the positive peak
            lag[fixed_flip], value[fixed_flip] = correlate_peaks(
                matrix[fixed_flip], stack, max_lag, absolute=False
            )
        lag[~usable] = 0.0
        if params.autoflip:
            flips = flips ^ (usable & (value < 0.0) & ~fixed_flip)
            value = np.abs(value)
            n_flipped = int(flips[usable & ~fixed_flip].sum())
            if n_flipped * 2 > int((usable & ~fixed_flip).sum()) and not fixed_flip.any():
                flips = np.where(usable, ~flips, flips)
                stack = -stack
                messages.append(
                    f"iteration {iteration}: autoflip would leave {n_flipped} of {int(usable.sum())} traces "
                    "flipped; the polarity convention was inverted so that the majority stays positive"
                )
        wanted = picks + lag * traces.delta
        at_bound = usable & ((wanted < low) | (wanted > high) | (np.abs(lag) >= max_lag))
        shift = np.clip(wanted, low, high) - start
        held = select & usable & anchored
        shift -= shift[held if held.any() else select & usable].mean()
        picks = np.clip(start + shift, low, high)
        if params.autoselect:
            proposed = np.where(fixed_select, select, usable & (value >= params.min_cc))
            all_deselected = not proposed.any()
            if all_deselected:
                deselect_all.append((iteration, float(np.max(value[usable]))))
            else:
                select = proposed
        matrix, _ = cut_rows(traces, picks, flips, params)
        new_stack = _stack(matrix, select & usable)
        history.append(_change(new_stack, stack))
        stack = new_stack
        if history[-1] <= params.convergence:
            status = ICCSStatus.CONVERGED
            break
    if deselect_all:
        its = [i for i, _ in deselect_all]
        messages.append(
            f"autoselect (min_cc {params.min_cc}) would deselect every trace in {len(its)} iteration(s) "
            f"({its[0]}..{its[-1]}; best cc at the last {deselect_all[-1][1]:.3f}): the selection was kept"
        )
    if status is ICCSStatus.MAX_ITERATIONS:
        messages.append(
            f"stack still changing after {params.max_iterations} iterations (1 - r = {history[-1]:.3g})"
        )
    if all_deselected:
        status = ICCSStatus.ALL_DESELECTED
    if at_bound.any():
        messages.append(
            f"{int(at_bound.sum())} pick(s) held at the shift bound (±{bound:g} s or the data's end)"
        )
    for m in messages:
        log.info("ICCS: %s", m)
    return _result(
        picks,
        flips,
        select,
        matrix,
        time,
        params,
        status,
        iteration,
        tuple(history),
        messages,
        at_bound,
        stack,
    )


def _mask(values: NDArray[np.bool_] | None, n: int, name: str) -> NDArray[np.bool_]:
    """A boolean mask of one value per trace (all False when ``None``)."""
    if values is None:
        return np.zeros(n, dtype=bool)
    mask = np.asarray(values, dtype=bool)
    if mask.shape != (n,):
        raise AlignmentError(f"{name} of shape {mask.shape}: must have one value per trace ({n})")
    return mask


def _result(
    picks: NDArray[np.float64],
    flips: NDArray[np.bool_],
    select: NDArray[np.bool_],
    matrix: NDArray[np.floating],
    time: NDArray[np.float64],
    params: AlignmentParams,
    status: ICCSStatus,
    iterations: int,
    history: tuple[float, ...],
    messages: list[str],
    at_bound: NDArray[np.bool_],
    stack: NDArray[np.float64] | None = None,
) -> ICCSResult:
    if stack is None:
        stack = np.zeros(time.size)
    return ICCSResult(
        t1=picks,
        flip=flips,
        select=select,
        cc=pearson_rows(matrix, stack),
        stack=stack,
        stack_time=time,
        status=status,
        iterations=iterations,
        history=history,
        params=params,
        messages=tuple(messages),
        at_bound=at_bound,
    )
