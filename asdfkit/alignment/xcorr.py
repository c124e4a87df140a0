"""FFT cross-correlation with sub-sample peaks, for one reference or for all pairs.

Conventions
-----------
The correlation of trace ``x`` with reference ``y`` at lag ``k`` is
``c(k) = sum_t x(t + k) y(t) / (|x| |y|)``: a positive lag means ``x`` is
*later* than ``y``.  Only lags ``|k| <= max_lag`` are searched — the shift
bound that keeps a trace from locking onto another arrival — and the FFT is
just long enough (``n + max_lag``, rounded up to a fast size) for those lags
to be free of wrap-around.

Sub-sample peaks
----------------
Near its maximum a band-limited correlation is shaped like a cosine, so the
three samples around the discrete peak are fitted with ``A cos(w (k - d))``
(exact for a cosine, unbiased where a parabola is biased by up to a few
percent of a sample for broad-band signals); where the three samples do not
admit a cosine the parabola's vertex is used.

Example
-------
>>> import numpy as np
>>> t = np.arange(400) * 0.025
>>> ref = np.exp(-((t - 5.0) / 0.2) ** 2)
>>> late = np.exp(-((t - 5.3) / 0.2) ** 2)
>>> lag, value = peak(correlate_with(late[None, :], ref, max_lag=40), absolute=False)
>>> round(float(lag[0]) * 0.025, 4), round(float(value[0]), 3)
(0.3, 1.0)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "PairCorrelations",
    "correlate_peaks",
    "correlate_with",
    "fft_length",
    "pair_blocks",
    "pair_correlations",
    "peak",
]

WORKERS = min(4, os.cpu_count() or 1)


def fft_length(n: int, max_lag: int) -> int:
    """Shortest fast FFT length that holds lags ``-max_lag..max_lag`` of two length-``n`` rows."""
    from scipy.fft import next_fast_len

    return int(next_fast_len(n + max_lag, real=True))


def _lag_columns(n_fft: int, max_lag: int) -> NDArray[np.intp]:
    """Columns of an inverse FFT holding lags ``-max_lag .. max_lag`` in order."""
    return np.concatenate([np.arange(n_fft - max_lag, n_fft), np.arange(0, max_lag + 1)]).astype(np.intp)


def _norms(matrix: NDArray[np.floating]) -> NDArray[np.float64]:
    norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix, dtype=np.float64))
    return np.where(norms > 0.0, norms, np.inf)  # a flat row correlates to 0, not NaN


def _correlate_full(
    matrix: NDArray[np.floating], ref: NDArray[np.floating], max_lag: int
) -> NDArray[np.float32]:
    """Unnormalised circular correlation of every row with ``ref`` (free of wrap-around up to ``max_lag``)."""
    from scipy import fft

    n_fft = fft_length(matrix.shape[1], max_lag)
    spec = fft.rfft(matrix.astype(np.float32, copy=False), n_fft, axis=1, workers=WORKERS)
    spec *= np.conj(fft.rfft(ref.astype(np.float32, copy=False), n_fft))[None, :]
    return np.asarray(fft.irfft(spec, n_fft, axis=1, workers=WORKERS, overwrite_x=True))


def _norm_products(matrix: NDArray[np.floating], ref: NDArray[np.floating]) -> NDArray[np.float64]:
    return _norms(matrix) * float(_norms(ref[None, :])[0])


def correlate_with(
    matrix: NDArray[np.floating], ref: NDArray[np.floating], max_lag: int
) -> NDArray[np.float64]:
    """Normalised cross-correlation of every row with ``ref`` at lags ``-max_lag..max_lag``.

    Returns an array ``(rows, 2 max_lag + 1)``; column ``max_lag`` is lag 0.
    """
    max_lag = max(1, min(max_lag, matrix.shape[1] - 1))
    full = _correlate_full(matrix, ref, max_lag)
    cc = full[:, _lag_columns(full.shape[1], max_lag)]
    return np.asarray(cc / _norm_products(matrix, ref)[:, None], dtype=np.float64)


def correlate_peaks(
    matrix: NDArray[np.floating], ref: NDArray[np.floating], max_lag: int, *, absolute: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``peak(correlate_with(matrix, ref, max_lag), absolute=absolute)`` without the lag matrix.

    Example
    -------
    >>> t = np.arange(400) * 0.025
    >>> ref = np.exp(-((t - 5.0) / 0.2) ** 2)
    >>> lag, value = correlate_peaks(-np.roll(ref, 7)[None, :], ref, 40, absolute=True)
    >>> float(lag[0]), round(float(value[0]), 3)
    (7.0, -1.0)
    """
    max_lag = max(1, min(max_lag, matrix.shape[1] - 1))
    lag, value = _circular_peak(_correlate_full(matrix, ref, max_lag), max_lag, absolute=absolute)
    return lag, np.clip(value / _norm_products(matrix, ref), -1.0, 1.0)


def peak(cc: NDArray[np.floating], *, absolute: bool) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Sub-sample lag (in samples) and value of each row's correlation peak.

    Parameters
    ----------
    cc
        ``(rows, 2 K + 1)`` correlations at lags ``-K..K``.
    absolute
        Take the peak of ``|cc|`` (autoflip); the returned value keeps its sign.

    Example
    -------
    >>> lag, value = peak(np.cos(0.3 * (np.arange(-5, 6) - 0.25))[None, :], absolute=False)
    >>> round(float(lag[0]), 6), round(float(value[0]), 6)
    (0.25, 1.0)
    """
    cc = np.asarray(cc)
    rows, width = cc.shape
    half = (width - 1) // 2
    r = np.arange(rows)
    k = np.argmax(np.abs(cc) if absolute else cc, axis=1)
    sign = np.where(cc[r, k] < 0.0, -1.0, 1.0) if absolute else np.ones(rows)
    kc = np.clip(k, 1, width - 2)
    d, v = _refine(sign * cc[r, kc - 1], sign * cc[r, k], sign * cc[r, kc + 1], (k > 0) & (k < width - 1))
    return k - half + d, sign * np.clip(v, -1.0, 1.0)


def _refine(
    ym: NDArray[np.floating], y0: NDArray[np.floating], yp: NDArray[np.floating], inner: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Sub-sample offset and value of maxima ``y0`` between neighbours ``ym``, ``yp``.

    A cosine ``A cos(w (k - d))`` through the three samples where one fits,
    else the parabola's vertex; no refinement where ``inner`` is false (a
    maximum at the edge of the searched lags).
    """
    ym, y0, yp = (np.asarray(y, dtype=np.float64) for y in (ym, y0, yp))
    with np.errstate(divide="ignore", invalid="ignore"):
        cos_w = (ym + yp) / (2.0 * y0)
        use_cos = inner & (y0 > 0.0) & (cos_w > -1.0) & (cos_w < 1.0)
        w = np.arccos(np.where(use_cos, cos_w, 0.5))
        d_cos = np.arctan((yp - ym) / (2.0 * y0 * np.sin(w))) / w
        v_cos = y0 / np.cos(w * d_cos)
        curv = ym - 2.0 * y0 + yp
        use_par = inner & ~use_cos & (curv < 0.0)
        d_par = 0.5 * (ym - yp) / curv
        v_par = y0 - 0.25 * (ym - yp) * d_par
    d = np.where(use_cos, d_cos, np.where(use_par, d_par, 0.0))
    v = np.where(use_cos, v_cos, np.where(use_par, v_par, y0))
    return np.clip(np.nan_to_num(d), -0.5, 0.5), np.nan_to_num(v, nan=0.0)


def _segment_extreme(
    full: NDArray[np.floating], max_lag: int, largest: bool
) -> tuple[NDArray[np.intp], NDArray[np.floating]]:
    """Lag and value of each row's maximum (or minimum) over lags ``-max_lag..max_lag``.

    Lags ``0..max_lag`` sit at the start of a row of an inverse FFT and
    ``-max_lag..-1`` at its end; both segments are searched in place.
    """
    arg = np.argmax if largest else np.argmin
    rows, n_fft = full.shape
    r = np.arange(rows)
    k_pos = arg(full[:, : max_lag + 1], axis=1)
    k_neg = arg(full[:, n_fft - max_lag :], axis=1)
    v_pos, v_neg = full[r, k_pos], full[r, n_fft - max_lag + k_neg]
    negative = v_neg > v_pos if largest else v_neg < v_pos
    return np.where(negative, k_neg - max_lag, k_pos), np.where(negative, v_neg, v_pos)


def _circular_peak(
    full: NDArray[np.floating], max_lag: int, *, absolute: bool = False
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Sub-sample lag and (unnormalised, signed) value of each row's peak in an inverse FFT.

    ``max_lag`` must be >= 1.  With ``absolute`` the peak of ``|c|`` is taken.
    """
    rows, n_fft = full.shape
    r = np.arange(rows)
    lag, value = _segment_extreme(full, max_lag, largest=True)
    sign = np.ones(rows)
    if absolute:
        lag_min, value_min = _segment_extreme(full, max_lag, largest=False)
        lower = -value_min > value
        lag = np.where(lower, lag_min, lag)
        sign = np.where(lower, -1.0, 1.0)
    col = lag % n_fft
    d, v = _refine(
        sign * full[r, (col - 1) % n_fft],
        sign * full[r, col],
        sign * full[r, (col + 1) % n_fft],
        np.abs(lag) < max_lag,
    )
    return lag + d, sign * v


@dataclass(frozen=True)
class PairCorrelations:
    """Peak of the correlation of every pair ``i < j``.

    ``lag[p]`` (samples) is the delay of row ``j[p]`` relative to row ``i[p]``
    (positive: ``j`` is later); ``cc[p]`` the normalised peak value.
    """

    i: NDArray[np.intp]
    j: NDArray[np.intp]
    lag: NDArray[np.float64]
    cc: NDArray[np.float64]


CACHE_PAIRS = 512  # pairs per FFT batch at most: the batch stays in the CPU cache


def pair_blocks(n_rows: int, block_pairs: int) -> Iterator[list[tuple[int, int, int]]]:
    """Yield blocks of pairs ``i < j`` in order, each a list of runs ``(i, start, stop)``.

    A run is the pairs ``(i, j)`` for ``start <= j < stop``: its spectra are a
    contiguous slice times one row's.  A block holds at most
    ``min(block_pairs, CACHE_PAIRS)`` pairs.

    Example
    -------
    >>> list(pair_blocks(4, 2))
    [[(0, 1, 3)], [(0, 3, 4), (1, 2, 3)], [(1, 3, 4), (2, 3, 4)]]
    """
    cap = max(1, min(block_pairs, CACHE_PAIRS))
    block: list[tuple[int, int, int]] = []
    room = cap
    for i in range(n_rows - 1):
        start = i + 1
        while start < n_rows:
            stop = min(start + room, n_rows)
            block.append((i, start, stop))
            room -= stop - start
            start = stop
            if room == 0:
                yield block
                block, room = [], cap
    if block:
        yield block


def pair_correlations(matrix: NDArray[np.floating], max_lag: int, block_pairs: int) -> PairCorrelations:
    """Correlate every pair of rows, ``block_pairs`` pairs at a time (bounded memory).

    The spectra of the rows are computed once (single precision: the peak
    positions move by far less than 1e-4 sample); each block of pairs
    multiplies slices of spectra by one row's (runs ``(i, start..stop)``), inverts
    them in one batched FFT and keeps only the peaks, so besides the spectra
    and the per-pair results memory holds one block (at most
    ``min(block_pairs, CACHE_PAIRS) x 1.5 n_fft x 4`` bytes) whatever the
    number of pairs.

    Example
    -------
    >>> t = np.arange(300) * 0.025
    >>> rows = np.array([np.exp(-((t - c) / 0.2) ** 2) for c in (3.0, 3.1, 2.95)])
    >>> pc = pair_correlations(rows, max_lag=40, block_pairs=2)
    >>> np.round(pc.lag * 0.025, 3).tolist()
    [0.1, -0.05, -0.15]
    """
    from scipy import fft

    n_rows, n = matrix.shape
    max_lag = max(1, min(max_lag, n - 1))
    n_fft = fft_length(n, max_lag)
    spec = fft.rfft(matrix.astype(np.float32, copy=False), n_fft, axis=1, workers=WORKERS)
    spec_conj = np.conj(spec)
    norms = _norms(matrix)
    n_pairs = n_rows * (n_rows - 1) // 2
    lag = np.empty(n_pairs, dtype=np.float64)
    cc = np.empty(n_pairs, dtype=np.float64)
    i_out = np.empty(n_pairs, dtype=np.intp)
    j_out = np.empty(n_pairs, dtype=np.intp)
    done = 0
    buffer = np.empty((min(block_pairs, CACHE_PAIRS, max(n_pairs, 1)), spec.shape[1]), dtype=spec.dtype)
    for block in pair_blocks(n_rows, block_pairs):
        filled = 0
        for i, start, stop in block:
            size = stop - start
            np.multiply(spec[start:stop], spec_conj[i], out=buffer[filled : filled + size])
            i_out[done + filled : done + filled + size] = i
            j_out[done + filled : done + filled + size] = np.arange(start, stop)
            filled += size
        full = fft.irfft(buffer[:filled], n_fft, axis=1, workers=WORKERS)
        end = done + filled
        lag[done:end], value = _circular_peak(full, max_lag)
        cc[done:end] = np.clip(value / (norms[i_out[done:end]] * norms[j_out[done:end]]), -1.0, 1.0)
        done = end
    return PairCorrelations(i=i_out, j=j_out, lag=lag, cc=cc)
