"""Windowing: time axis, taper, sub-sample cut, resampling, flips, and bad input."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from asdfkit.alignment import AlignmentParams, SimpleSeismogram, synthetic_set
from asdfkit.alignment.synthetic import ricker
from asdfkit.alignment.windows import (
    TraceMatrix,
    check_inside,
    check_params,
    cut_windows,
    effective_picks,
    window_time,
)
from asdfkit.errors import AlignmentError

PARAMS = AlignmentParams(window_pre=-5.0, window_post=5.0)  # ramp 1 s


def _pulse(
    arrival: float, delta: float = 0.025, duration: float = 40.0, sign: float = 1.0
) -> SimpleSeismogram:
    time = np.arange(int(round(duration / delta)) + 1) * delta
    return SimpleSeismogram(sign * ricker(time - arrival, 1.0), begin=0.0, delta=delta, t0=arrival)


def test_time_axis_covers_window_and_ramps() -> None:
    time = window_time(PARAMS, 0.025)
    assert time[0] == pytest.approx(-6.0)
    assert time[-1] == pytest.approx(6.0)
    assert np.allclose(np.diff(time), 0.025)


def test_taper_is_zero_at_the_ends_and_one_inside_the_window() -> None:
    seis = [SimpleSeismogram(np.ones(2000) + np.arange(2000) % 2, begin=0.0, delta=0.025, t0=25.0)]
    win = cut_windows(TraceMatrix.from_seismograms(seis), np.array([25.0]), np.array([False]), PARAMS)
    row = np.abs(win.matrix[0])
    inside = (win.time >= PARAMS.window_pre) & (win.time <= PARAMS.window_post)
    assert row[0] < 1e-12 and row[-1] < 1e-12
    assert row[inside].min() > 0.9 * row[inside].max()


def test_window_cut_at_a_sub_sample_arrival_is_symmetric() -> None:
    """Cubic interpolation puts a pulse arriving between samples at the window's centre."""
    arrival = 20.0 + 0.37 * 0.025
    seis = [_pulse(arrival)]
    win = cut_windows(TraceMatrix.from_seismograms(seis), np.array([arrival]), np.array([False]), PARAMS)
    row = win.matrix[0]
    assert np.abs(row - row[::-1]).max() < 2e-3
    assert np.abs(row).max() == pytest.approx(1.0)
    assert win.time[np.argmax(row)] == pytest.approx(0.0, abs=1e-9)


def test_flip_reverses_the_window() -> None:
    seis = [_pulse(20.0)]
    traces = TraceMatrix.from_seismograms(seis)
    plain = cut_windows(traces, np.array([20.0]), np.array([False]), PARAMS).matrix
    flipped = cut_windows(traces, np.array([20.0]), np.array([True]), PARAMS).matrix
    assert np.array_equal(flipped, -plain)
    assert plain.max() == pytest.approx(1.0)


def test_a_pure_trend_is_flat_after_detrending() -> None:
    seis = [SimpleSeismogram(3.0 + 0.5 * np.arange(2000.0), begin=0.0, delta=0.025, t0=25.0), _pulse(20.0)]
    win = cut_windows(
        TraceMatrix.from_seismograms(seis), np.array([25.0, 20.0]), np.array([False, False]), PARAMS
    )
    assert win.flat.tolist() == [True, False]
    assert np.all(win.matrix[0] == 0.0)


def test_mixed_sampling_rates_are_resampled_to_the_finest() -> None:
    fine = _pulse(20.0, delta=0.025)
    coarse = _pulse(20.0, delta=0.05)
    odd = _pulse(20.0, delta=0.03)  # ratio 6/5: polyphase
    traces = TraceMatrix.from_seismograms([coarse, fine, odd])
    assert traces.delta == 0.025
    win = cut_windows(traces, np.full(3, 20.0), np.zeros(3, dtype=bool), PARAMS)
    assert np.abs(win.matrix[0] - win.matrix[1]).max() < 0.02
    assert np.abs(win.matrix[2] - win.matrix[1]).max() < 0.02


def test_effective_pick_is_t1_when_set() -> None:
    a = SimpleSeismogram(np.zeros(10), begin=0.0, delta=1.0, t0=3.0)
    b = SimpleSeismogram(np.zeros(10), begin=0.0, delta=1.0, t0=3.0, t1=4.25)
    assert effective_picks([a, b]).tolist() == [3.0, 4.25]


def test_synthetic_set_is_reproducible_and_as_defined() -> None:
    a, b = synthetic_set(40, seed=7), synthetic_set(40, seed=7)
    assert np.array_equal(a.seismograms[3].data, b.seismograms[3].data)
    assert a.true_flips.sum() == 4
    assert np.abs(a.true_shifts).max() <= 2.0
    assert all(s.t0 == 40.0 and s.delta == 0.025 for s in a.seismograms)
    noise = a.seismograms[0].data[:400]  # 10 s before any arrival
    assert np.std(noise) == pytest.approx(0.1, rel=0.15)


# -- bad input ---------------------------------------------------------------------------------


def test_no_traces() -> None:
    with pytest.raises(AlignmentError, match=r"seismograms \[\]: at least one trace"):
        TraceMatrix.from_seismograms([])


def test_nan_data_names_the_sample_and_the_rule() -> None:
    data = ricker(np.arange(2000) * 0.025 - 20.0, 1.0)
    data[123] = np.nan
    with pytest.raises(AlignmentError, match=r"sample 123 of trace 1 is nan: data must be finite") as info:
        TraceMatrix.from_seismograms([_pulse(20.0), SimpleSeismogram(data, begin=0.0, delta=0.025, t0=20.0)])
    assert isinstance(info.value, ValueError)


def test_nan_in_a_trace_to_resample_names_its_own_sample() -> None:
    coarse = _pulse(20.0, delta=0.05)
    data = coarse.data.copy()
    data[40] = -np.inf
    with pytest.raises(AlignmentError, match=r"sample 40 of trace 1 is -inf"):
        TraceMatrix.from_seismograms([_pulse(20.0), replace(coarse, data=data)])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"delta": 0.0}, r"delta 0.0 of trace 0: must be a finite number > 0"),
        ({"delta": float("nan")}, r"delta nan of trace 0"),
        ({"data": np.zeros((3, 3))}, r"must be 1-D with at least 4 samples"),
        ({"begin": float("inf")}, r"begin inf of trace 0: must be finite"),
    ],
)
def test_bad_trace_fields(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"data": np.zeros(100), "begin": 0.0, "delta": 0.025, "t0": 1.0}
    fields.update(kwargs)
    with pytest.raises(AlignmentError, match=message):
        TraceMatrix.from_seismograms([SimpleSeismogram(**fields)])  # type: ignore[arg-type]


def test_window_outside_the_data_names_window_data_and_rule() -> None:
    seis = [_pulse(20.0), _pulse(38.0)]  # data 0..40 s; window of trace 1 ends at 44 s
    traces = TraceMatrix.from_seismograms(seis)
    with pytest.raises(
        AlignmentError,
        match=r"window \[32.000, 44.000\] s of trace 1 .* outside its data "
        r"\[0.000, 40.000\] s: the window and its ramps must lie inside",
    ):
        check_inside(traces, np.array([20.0, 38.0]), PARAMS)


def test_non_finite_pick() -> None:
    with pytest.raises(AlignmentError, match=r"pick nan of trace 0: picks must be finite"):
        effective_picks([SimpleSeismogram(np.zeros(10), begin=0.0, delta=1.0, t0=float("nan"))])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            AlignmentParams(window_pre=5.0, window_post=5.0),
            r"window_pre 5.0 s: must be less than window_post",
        ),
        (AlignmentParams(mccc_weighting="ols"), r"mccc_weighting 'ols': must be one of aimbat, vandecar"),
        (AlignmentParams(max_shift=0.0), r"max_shift 0.0: must be > 0"),
        (AlignmentParams(max_iterations=0), r"max_iterations 0: must be >= 1"),
        (AlignmentParams(mccc_block_pairs=0), r"mccc_block_pairs 0: must be >= 1"),
        (AlignmentParams(min_cc=1.5), r"min_cc 1.5: must be in \[-1, 1\]"),
    ],
)
def test_bad_params(params: AlignmentParams, message: str) -> None:
    with pytest.raises(AlignmentError, match=message):
        check_params(params)
