"""MCCC: multi-channel cross-correlation and least squares (VanDecar & Crosson 1990).

Every pair ``i < j`` of windowed traces is cross-correlated (in blocks of
``params.mccc_block_pairs`` pairs, so memory stays bounded) giving the delay
``d_ij`` of ``j`` relative to ``i`` and the peak ``c_ij``.  The pairs with
``c_ij >= params.mccc_min_cc`` give observation equations ``t_j - t_i =
d_ij``; with the zero-mean row ``sum t_i = 0`` their normal equations are an
N x N weighted graph Laplacian plus ``1 1^T``, assembled in O(pairs) and
solved by Cholesky — the (pairs x N) design matrix is never built.

Weighting (``params.mccc_weighting``):

``"aimbat"`` (default, AIMBAT v2)
    rows weighted by ``c_ij^2``, Tikhonov damping ``mccc_damp^2 I`` (which
    pulls the times towards the input picks), ``error`` from the covariance
    diagonal ``s^2 diag(A^-1)`` with ``s^2 = weighted SSE / (pairs - N + 1)``.
``"vandecar"``
    unweighted, undamped (on a complete set of pairs this is exactly the
    closed form ``t_i = (1/N) sum_j d_ji``); ``error`` from the residuals,
    ``sqrt(sum_j r_ij^2 / (n_i - 1))`` over the ``n_i`` partners of ``i``
    (``N - 2`` for a complete set, as in the paper).

Pair delays that disagree with the solution by more than 4 robust standard
deviations (and at least a sample) — cycle skips, a correlation peak on
noise — are dropped and the system solved again (at most 3 times); the
result's messages count them.

Both estimates are always in the result (``error_residual``,
``error_covariance``).  Only the *selected* traces are solved unless
``only_selected=False``; the others, traces with no pair above the
threshold, and traces outside the largest connected group of pairs (whose
times relative to it are undefined) get NaN, never zero, and the status
says so (``PARTIAL``, ``NO_PAIRS``, ``TOO_FEW_TRACES``).

Example
-------
>>> from asdfkit.alignment.synthetic import synthetic_set
>>> s = synthetic_set(20, snr=30.0, seed=4, flip_fraction=0.0)
>>> res = mccc(s.seismograms)
>>> res.status.value, res.pairs_used
('solved', 190)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from .types import AlignmentParams, MCCCResult, MCCCStatus, Seismogram
from .windows import TraceMatrix, check_inside, check_params, cut_rows, effective_picks
from .xcorr import pair_correlations

__all__ = ["mccc"]

log = logging.getLogger(__name__)


def _partner_sum(
    i: NDArray[np.intp], j: NDArray[np.intp], values: NDArray[np.float64] | None, n: int
) -> NDArray[np.float64]:
    """Sum of a per-pair value (or the count of pairs) over the partners of each trace."""
    total = np.bincount(i, values, minlength=n) + np.bincount(j, values, minlength=n)
    return np.asarray(total, dtype=np.float64)


def _largest_group(n: int, i: NDArray[np.intp], j: NDArray[np.intp]) -> NDArray[np.bool_]:
    """Traces in the largest connected group of the used pairs."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(i.size), (i, j)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    degree = np.bincount(i, minlength=n) + np.bincount(j, minlength=n)
    labels = np.where(degree > 0, labels, -1)
    counts = np.bincount(labels[labels >= 0], minlength=1)
    return labels == int(np.argmax(counts)) if counts.max() > 1 else np.zeros(n, dtype=bool)


_ROBUST_PASSES = 3


def _outliers(resid: NDArray[np.float64], delta: float) -> NDArray[np.bool_]:
    """Pairs whose residual exceeds 4 robust standard deviations (MAD), and at least one sample."""
    scale = 1.4826 * float(np.median(np.abs(resid)))
    return np.asarray(np.abs(resid) > max(4.0 * scale, delta))


def _solve(
    n: int,
    i: NDArray[np.intp],
    j: NDArray[np.intp],
    d: NDArray[np.float64],
    w: NDArray[np.float64],
    damp: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Solve the weighted Laplacian system; return times and diag(A^-1)."""
    from scipy.linalg import cho_factor, cho_solve

    # i < j: each pair fills one upper cell, then its mirror
    a = np.asarray(-np.bincount(i * n + j, w, minlength=n * n), dtype=np.float64).reshape(n, n)
    a += a.T
    a[np.diag_indices(n)] = _partner_sum(i, j, w, n) + damp**2
    a += 1.0  # the zero-mean row sum(t) = 0, as 1 1^T
    rhs = np.bincount(j, w * d, minlength=n) - np.bincount(i, w * d, minlength=n)
    factor = cho_factor(a, lower=True, check_finite=False)
    times = cho_solve(factor, rhs, check_finite=False)
    inverse_diag = np.diag(cho_solve(factor, np.eye(n), check_finite=False)).copy()
    return times, inverse_diag


def mccc(
    seismograms: Sequence[Seismogram],
    params: AlignmentParams = AlignmentParams(),  # noqa: B008 (frozen, immutable)
    *,
    only_selected: bool = True,
) -> MCCCResult:
    """Refine the relative arrival times of an array with MCCC.

    Parameters
    ----------
    seismograms
        The traces, windowed around their effective pick (``t1`` if set, else
        ``t0``) with their ``flip`` applied (usually the output of ICCS).
    params
        Window, ramp, ``max_shift`` (bound of the pair delays),
        ``mccc_min_cc``, ``mccc_damp``, ``mccc_weighting``, ``mccc_block_pairs``.
    only_selected
        Solve the selected traces only (default; the others get NaN), or every trace.

    Returns
    -------
    MCCCResult
        ``t1`` = pick + relative time, ``delay`` (zero mean over solved
        traces), both error estimates, ``cc_mean``/``cc_std`` over partners,
        ``rmse``, pairs used/correlated, ``solved`` and a status.

    Raises
    ------
    AlignmentError
        No traces, non-finite data or picks, a window outside a trace's
        data, or a parameter that breaks its rule.

    Example
    -------
    >>> from asdfkit.alignment.synthetic import synthetic_set
    >>> s = synthetic_set(10, snr=float("inf"), seed=5, flip_fraction=0.0)
    >>> res = mccc(s.seismograms, AlignmentParams(mccc_weighting="vandecar"))
    >>> bool(np.abs((res.t1 - s.t0 - s.true_shifts) - np.mean(res.t1 - s.t0 - s.true_shifts)).max() < 1e-3)
    True
    """
    check_params(params)
    traces = TraceMatrix.from_seismograms(seismograms)
    picks = effective_picks(seismograms)
    flips = np.array([bool(s.flip) for s in seismograms])
    wanted = (
        np.array([bool(s.select) for s in seismograms]) if only_selected else np.ones(len(seismograms), bool)
    )
    rows = np.flatnonzero(wanted)
    check_inside(traces, picks, params, rows)
    n_all = len(seismograms)
    nan = np.full(n_all, np.nan)
    messages: list[str] = []

    def result(status: MCCCStatus, **kw: object) -> MCCCResult:
        fields: dict[str, object] = dict(
            t1=nan.copy(),
            delay=nan.copy(),
            error=nan.copy(),
            error_residual=nan.copy(),
            error_covariance=nan.copy(),
            cc_mean=nan.copy(),
            cc_std=nan.copy(),
            rmse=float("nan"),
            pairs_used=0,
            status=status,
            params=params,
            pairs_total=0,
            solved=np.zeros(n_all, dtype=bool),
        )
        fields.update(kw)
        for m in messages:
            log.info("MCCC: %s", m)
        return MCCCResult(messages=tuple(messages), **fields)  # type: ignore[arg-type]

    if rows.size < 2:
        messages.append(f"{rows.size} trace(s) to solve: MCCC needs at least 2")
        return result(MCCCStatus.TOO_FEW_TRACES)

    matrix, _ = cut_rows(traces, picks, flips, params, rows=rows)
    max_lag = int(np.floor(params.effective_max_shift / traces.delta))
    pc = pair_correlations(matrix, max_lag, params.mccc_block_pairs)
    m = rows.size
    partners = m - 1
    cc_mean_sub = _partner_sum(pc.i, pc.j, pc.cc, m) / partners
    cc_var = np.maximum(_partner_sum(pc.i, pc.j, pc.cc**2, m) / partners - cc_mean_sub**2, 0.0)
    cc_mean, cc_std = nan.copy(), nan.copy()
    cc_mean[rows], cc_std[rows] = cc_mean_sub, np.sqrt(cc_var)

    used = pc.cc >= params.mccc_min_cc
    if not used.any():
        messages.append(
            f"no pair of {pc.cc.size} has a correlation >= mccc_min_cc {params.mccc_min_cc} "
            f"(best {float(pc.cc.max()):.3f}): nothing solved"
        )
        return result(MCCCStatus.NO_PAIRS, cc_mean=cc_mean, cc_std=cc_std, pairs_total=int(pc.cc.size))

    keep = used.copy()
    vandecar = params.mccc_weighting == "vandecar"
    rejected = 0
    for robust_pass in range(_ROBUST_PASSES + 1):
        group = _largest_group(m, pc.i[keep], pc.j[keep])
        keep &= group[pc.i] & group[pc.j]
        sub = np.flatnonzero(group)  # indices into rows
        remap = np.full(m, -1)
        remap[sub] = np.arange(sub.size)
        i, j = remap[pc.i[keep]], remap[pc.j[keep]]
        d = pc.lag[keep] * traces.delta
        c = pc.cc[keep]
        k = sub.size
        w = np.ones_like(c) if vandecar else c**2
        times, inverse_diag = _solve(k, i, j, d, w, 0.0 if vandecar else params.mccc_damp)
        times -= times.mean()
        outlier = _outliers(d - (times[j] - times[i]), traces.delta)
        if robust_pass == _ROBUST_PASSES or not outlier.any():
            break
        keep[np.flatnonzero(keep)[outlier]] = False
        rejected += int(outlier.sum())
    if rejected:
        messages.append(
            f"{rejected} pair delay(s) rejected as outliers (residual > 4 robust standard deviations, "
            "e.g. a cycle skip)"
        )

    resid = d - (times[j] - times[i])
    n_pairs = int(keep.sum())
    sse = float(np.sum(w * resid**2))
    rmse = float(np.sqrt(sse / n_pairs))
    s2 = sse / max(n_pairs - k + 1, 1)
    err_cov = np.sqrt(s2 * inverse_diag)
    count = _partner_sum(i, j, None, k)
    with np.errstate(divide="ignore", invalid="ignore"):
        err_res = np.where(count >= 2, np.sqrt(_partner_sum(i, j, resid**2, k) / (count - 1)), np.nan)

    solved_rows = rows[sub]
    solved = np.zeros(n_all, dtype=bool)
    solved[solved_rows] = True
    delay, t1, e_res, e_cov = nan.copy(), nan.copy(), nan.copy(), nan.copy()
    delay[solved_rows] = times
    t1[solved_rows] = picks[solved_rows] + times
    e_res[solved_rows] = err_res
    e_cov[solved_rows] = err_cov
    status = MCCCStatus.SOLVED
    if k < m:
        status = MCCCStatus.PARTIAL
        messages.append(
            f"{m - k} of {m} trace(s) have no pair above mccc_min_cc {params.mccc_min_cc} (outliers aside) "
            "connecting them to the largest group of traces: their times are NaN"
        )
    if only_selected and rows.size < n_all:
        messages.append(f"{n_all - rows.size} deselected trace(s) not solved (NaN)")
    if k < 3:
        messages.append("fewer than 3 traces solved: the residual error estimate is undefined (NaN)")
    return result(
        status,
        t1=t1,
        delay=delay,
        error=e_res if vandecar else e_cov,
        error_residual=e_res,
        error_covariance=e_cov,
        cc_mean=cc_mean,
        cc_std=cc_std,
        rmse=rmse,
        pairs_used=n_pairs,
        pairs_total=int(pc.cc.size),
        solved=solved,
    )
