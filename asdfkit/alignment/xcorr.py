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

__all__ = ["PairCorrelations", "correlate_with", "fft_length", "pair_blocks", "pair_correlations", "peak"]

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


def correlate_with(
    matrix: NDArray[np.float64], ref: NDArray[np.float64], max_lag: int
) -> NDArray[np.float64]:
    """Normalised cross-correlation of every row with ``ref`` at lags ``-max_lag..max_lag``.

    Returns an array ``(rows, 2 max_lag + 1)``; column ``max_lag`` is lag 0.
    """
    from scipy import fft

    n = matrix.shape[1]
    max_lag = min(max_lag, n - 1)
    n_fft = fft_length(n, max_lag)
    spec = fft.rfft(matrix.astype(np.float32), n_fft, axis=1, workers=WORKERS)
    spec *= np.conj(fft.rfft(ref.astype(np.float32), n_fft))[None, :]
    full = fft.irfft(spec, n_fft, axis=1, workers=WORKERS)
    cc = full[:, _lag_columns(n_fft, max_lag)]
    cc /= (_norms(matrix) * float(_norms(ref[None, :])[0]))[:, None]
    return np.asarray(cc, dtype=np.float64)


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
    cc = np.asarray(cc, dtype=np.float64)
    rows, width = cc.shape
    half = (width - 1) // 2
    r = np.arange(rows)
    k = np.argmax(np.abs(cc) if absolute else cc, axis=1)
    sign = np.where(cc[r, k] < 0.0, -1.0, 1.0) if absolute else np.ones(rows)
    inner = (k > 0) & (k < width - 1)
    kc = np.clip(k, 1, width - 2)
    y0 = sign * cc[r, k]
    ym = sign * cc[r, kc - 1]
    yp = sign * cc[r, kc + 1]
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
    d = np.clip(np.nan_to_num(d), -0.5, 0.5)
    v = np.clip(np.nan_to_num(v, nan=0.0), -1.0, 1.0)
    return k - half + d, sign * v


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


def pair_blocks(n_rows: int, block_pairs: int) -> Iterator[tuple[NDArray[np.intp], NDArray[np.intp]]]:
    """Yield the pairs ``i < j`` of ``n_rows`` rows, at most ``block_pairs`` at a time.

    Example
    -------
    >>> [(a.tolist(), b.tolist()) for a, b in pair_blocks(3, 2)]
    [([0, 0], [1, 2]), ([1], [2])]
    """
    i_all, j_all = np.triu_indices(n_rows, k=1)
    for start in range(0, i_all.size, block_pairs):
        yield (
            i_all[start : start + block_pairs].astype(np.intp),
            j_all[start : start + block_pairs].astype(np.intp),
        )


def pair_correlations(matrix: NDArray[np.float64], max_lag: int, block_pairs: int) -> PairCorrelations:
    """Correlate every pair of rows, ``block_pairs`` pairs at a time (bounded memory).

    The spectra of the rows are computed once (single precision: the peak
    positions move by far less than 1e-4 sample); each block multiplies its
    pairs' spectra, inverts them in one batched FFT and keeps only the peak,
    so memory is about ``block_pairs x 1.5 n_fft x 8`` bytes whatever the
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
    max_lag = min(max_lag, n - 1)
    n_fft = fft_length(n, max_lag)
    spec = fft.rfft(matrix.astype(np.float32), n_fft, axis=1, workers=WORKERS)
    spec_conj = np.conj(spec)
    norms = _norms(matrix)
    columns = _lag_columns(n_fft, max_lag)
    n_pairs = n_rows * (n_rows - 1) // 2
    lag = np.empty(n_pairs, dtype=np.float64)
    cc = np.empty(n_pairs, dtype=np.float64)
    i_out = np.empty(n_pairs, dtype=np.intp)
    j_out = np.empty(n_pairs, dtype=np.intp)
    done = 0
    for i, j in pair_blocks(n_rows, block_pairs):
        product = spec[j]
        product *= spec_conj[i]
        full = fft.irfft(product, n_fft, axis=1, workers=WORKERS)
        del product
        block = full[:, columns]
        del full
        block /= (norms[i] * norms[j]).astype(np.float32)[:, None]
        b_lag, b_cc = peak(block, absolute=False)
        stop = done + i.size
        lag[done:stop], cc[done:stop], i_out[done:stop], j_out[done:stop] = b_lag, b_cc, i, j
        done = stop
    return PairCorrelations(i=i_out, j=j_out, lag=lag, cc=cc)
