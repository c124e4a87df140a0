"""FFT cross-correlation: lag sign, sub-sample precision, the lag bound, pair blocks."""

from __future__ import annotations

import numpy as np
import pytest

from asdfkit.alignment.synthetic import ricker
from asdfkit.alignment.xcorr import correlate_peaks, correlate_with, pair_blocks, pair_correlations, peak

DELTA = 0.025
TIME = np.arange(1200) * DELTA


def _pulses(arrivals: list[float], signs: list[float] | None = None) -> np.ndarray:
    signs = signs or [1.0] * len(arrivals)
    return np.array([s * ricker(TIME - a, 1.0) for a, s in zip(arrivals, signs, strict=True)])


def test_a_later_trace_has_a_positive_lag() -> None:
    rows = _pulses([15.5, 14.0])
    lag, value = peak(correlate_with(rows, _pulses([15.0])[0], max_lag=200), absolute=False)
    assert lag * DELTA == pytest.approx([0.5, -1.0], abs=1e-4)
    assert value == pytest.approx([1.0, 1.0], abs=1e-3)


@pytest.mark.parametrize("fraction", [0.1, 0.25, 0.5, 0.73, 0.9])
def test_sub_sample_lags_are_recovered(fraction: float) -> None:
    """Peak interpolation: error below 1 % of a sample (whole-sample picking: up to 50 %)."""
    shift = (3 + fraction) * DELTA
    lag, _ = peak(correlate_with(_pulses([15.0 + shift]), _pulses([15.0])[0], max_lag=200), absolute=False)
    assert abs(lag[0] - shift / DELTA) < 0.01


def test_absolute_peak_keeps_the_sign_of_an_inverted_trace() -> None:
    rows = _pulses([15.2, 15.2], signs=[1.0, -1.0])
    ref = _pulses([15.0])[0]
    lag, value = peak(correlate_with(rows, ref, max_lag=200), absolute=True)
    assert lag * DELTA == pytest.approx([0.2, 0.2], abs=1e-4)
    assert value[0] > 0.99 and value[1] < -0.99
    _, value_signed = peak(correlate_with(rows, ref, max_lag=200), absolute=False)
    assert value_signed[1] < 0.7  # without autoflip the inverted trace only finds a side lobe


@pytest.mark.parametrize("absolute", [False, True])
def test_fast_peaks_equal_peaks_of_the_lag_matrix(absolute: bool) -> None:
    rng = np.random.default_rng(5)
    arrivals = list(15.0 + rng.uniform(-2, 2, 30))
    signs = list(np.where(rng.uniform(size=30) < 0.3, -1.0, 1.0))
    rows = _pulses(arrivals, signs) + rng.normal(0.0, 0.3, (30, TIME.size))
    ref = _pulses([15.0])[0]
    fast_lag, fast_value = correlate_peaks(rows, ref, 120, absolute=absolute)
    lag, value = peak(correlate_with(rows, ref, 120), absolute=absolute)
    assert np.allclose(fast_lag, lag, atol=1e-6, rtol=0)
    assert np.allclose(fast_value, value, atol=1e-6, rtol=0)
    if absolute:
        assert np.array_equal(fast_value < 0, np.array(signs) < 0)


def test_lags_beyond_the_bound_are_not_searched() -> None:
    rows = _pulses([25.0])  # 10 s after the reference
    lag, _ = peak(correlate_with(rows, _pulses([15.0])[0], max_lag=80), absolute=False)
    assert abs(lag[0]) <= 80
    lag_free, _ = peak(correlate_with(rows, _pulses([15.0])[0], max_lag=600), absolute=False)
    assert lag_free[0] * DELTA == pytest.approx(10.0, abs=1e-4)


def test_a_flat_row_correlates_to_zero_not_nan() -> None:
    rows = np.vstack([np.zeros(TIME.size), _pulses([15.0])[0]])
    cc = correlate_with(rows, _pulses([15.0])[0], max_lag=50)
    assert np.all(cc[0] == 0.0)
    assert np.isfinite(cc).all()


def test_pair_blocks_cover_every_pair_once() -> None:
    blocks = list(pair_blocks(9, 5))
    pairs = [(i, j) for block in blocks for i, start, stop in block for j in range(start, stop)]
    assert pairs == [(a, b) for a in range(9) for b in range(a + 1, 9)]
    sizes = [sum(stop - start for _, start, stop in block) for block in blocks]
    assert max(sizes) == 5 and sum(sizes) == 36


def test_pairs_match_single_reference_correlation_and_sign() -> None:
    arrivals = [15.0, 15.3, 14.8, 15.0 + 0.41 * DELTA]
    rows = _pulses(arrivals)
    pc = pair_correlations(rows, max_lag=200, block_pairs=100)
    for p in range(pc.i.size):
        expected = arrivals[pc.j[p]] - arrivals[pc.i[p]]  # delay of j relative to i
        assert pc.lag[p] * DELTA == pytest.approx(expected, abs=3e-4)
        single, value = peak(correlate_with(rows[pc.j[p]][None, :], rows[pc.i[p]], 200), absolute=False)
        assert pc.lag[p] == pytest.approx(single[0], abs=1e-3)
        assert pc.cc[p] == pytest.approx(value[0], abs=1e-4)


def test_small_blocks_give_the_same_answer_as_one_block() -> None:
    rng = np.random.default_rng(11)
    arrivals = list(15.0 + rng.uniform(-1, 1, 23))
    rows = _pulses(arrivals) + rng.normal(0.0, 0.2, (23, TIME.size))
    one = pair_correlations(rows, max_lag=200, block_pairs=10_000)
    many = pair_correlations(rows, max_lag=200, block_pairs=7)
    assert np.array_equal(one.i, many.i) and np.array_equal(one.j, many.j)
    assert np.allclose(one.lag, many.lag, atol=1e-9, rtol=0)
    assert np.allclose(one.cc, many.cc, atol=1e-7, rtol=0)
