"""MCCC on the reference synthetic set, after ICCS and on its own, and on real records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from alignment_data import real_p_array

from asdfkit.alignment import (
    AlignmentParams,
    ICCSResult,
    MCCCStatus,
    SimpleSeismogram,
    iccs,
    mccc,
    relative_rms_error,
    synthetic_set,
)
from asdfkit.alignment.windows import TraceMatrix, cut_windows
from asdfkit.alignment.xcorr import pair_correlations
from asdfkit.errors import AlignmentError

AUTO = AlignmentParams(autoflip=True, autoselect=True)


def _after(seismograms: Sequence[SimpleSeismogram], res: ICCSResult) -> list[SimpleSeismogram]:
    """The traces with ICCS's picks, flips and selection."""
    return [
        replace(x, t1=float(t), flip=bool(f), select=bool(s))
        for x, t, f, s in zip(seismograms, res.t1, res.flip, res.select, strict=True)
    ]


@pytest.mark.parametrize("weighting", ["aimbat", "vandecar"])
def test_accuracy_after_iccs_snr10_n200(weighting: str) -> None:
    s = synthetic_set(200, snr=10.0, seed=0)
    params = replace(AUTO, mccc_weighting=weighting)
    res = mccc(_after(s.seismograms, iccs(s.seismograms, params)), params)
    assert res.status is MCCCStatus.SOLVED
    assert relative_rms_error(res.t1, s.t0, s.true_shifts) <= 0.0045
    assert res.solved.all() and np.isfinite(res.t1).all()
    assert res.delay.mean() == pytest.approx(0.0, abs=1e-12)
    assert res.error is (res.error_residual if weighting == "vandecar" else res.error_covariance)
    assert (res.error_residual > 0).all() and (res.error_covariance > 0).all()
    assert 0 < res.pairs_used <= res.pairs_total == 200 * 199 // 2


def test_on_its_own_from_t0_with_known_flips() -> None:
    s = synthetic_set(60, snr=20.0, seed=2)
    seis = [replace(x, flip=bool(f)) for x, f in zip(s.seismograms, s.true_flips, strict=True)]
    res = mccc(seis)
    assert res.status is MCCCStatus.SOLVED
    assert relative_rms_error(res.t1, s.t0, s.true_shifts) < 0.004


def test_vandecar_is_the_closed_form_on_a_complete_set_of_pairs() -> None:
    """t_i = (1/N) sum_j d_ji when every pair is used (VanDecar & Crosson 1990)."""
    s = synthetic_set(25, snr=10.0, seed=1, flip_fraction=0.0)
    params = AlignmentParams(mccc_weighting="vandecar", mccc_min_cc=-1.0)
    res = mccc(s.seismograms, params)
    traces = TraceMatrix.from_seismograms(s.seismograms)
    windows = cut_windows(traces, np.full(25, s.t0), np.zeros(25, dtype=bool), params)
    pc = pair_correlations(windows.matrix, int(params.effective_max_shift / 0.025), 10_000)
    d = np.zeros((25, 25))
    d[pc.i, pc.j] = pc.lag * 0.025
    d[pc.j, pc.i] = -pc.lag * 0.025
    closed = d.sum(axis=0) / 25  # (1/N) sum_j d_ji
    if res.pairs_used == pc.lag.size:  # no pair rejected as an outlier
        assert np.allclose(res.delay, closed - closed.mean(), atol=1e-9)
    else:
        pytest.fail(f"{pc.lag.size - res.pairs_used} pairs rejected on a clean set")


def test_sign_convention_later_arrival_gets_later_t1() -> None:
    s = synthetic_set(10, snr=float("inf"), seed=7, flip_fraction=0.0)
    late, early = int(np.argmax(s.true_shifts)), int(np.argmin(s.true_shifts))
    expected = s.true_shifts[late] - s.true_shifts[early]
    exact = mccc(s.seismograms, AlignmentParams(mccc_weighting="vandecar"))
    assert exact.t1[late] - exact.t1[early] == pytest.approx(expected, abs=1e-4)
    assert exact.delay[late] > 0 > exact.delay[early]
    damped = mccc(s.seismograms)  # damping shrinks the 3.6 s by ~0.1 % (10 traces)
    assert damped.t1[late] - damped.t1[early] == pytest.approx(expected, rel=2e-3)


def test_no_pairs_above_threshold_gives_nan_and_a_status() -> None:
    rng = np.random.default_rng(3)
    noise = [SimpleSeismogram(rng.normal(0, 1, 3200), begin=0.0, delta=0.025, t0=40.0) for _ in range(12)]
    res = mccc(noise, AlignmentParams(mccc_min_cc=0.9))
    assert res.status is MCCCStatus.NO_PAIRS
    for values in (res.t1, res.delay, res.error, res.error_residual, res.error_covariance):
        assert np.isnan(values).all()
    assert np.isnan(res.rmse) and res.pairs_used == 0 and res.pairs_total == 66
    assert np.isfinite(res.cc_mean).all()  # the measured correlations are still reported
    assert any("no pair" in m and "0.9" in m for m in res.messages)


def test_snr3_after_iccs_reports_a_status_never_silent_zeros() -> None:
    s = synthetic_set(100, snr=3.0, seed=1)
    res = mccc(_after(s.seismograms, iccs(s.seismograms, AUTO)), AUTO)
    assert res.status in (MCCCStatus.NO_PAIRS, MCCCStatus.PARTIAL)
    assert res.messages
    assert np.isnan(res.t1[~res.solved]).all() and np.isnan(res.error[~res.solved]).all()
    assert not np.any(res.error == 0.0)


def test_traces_without_good_pairs_are_nan_and_status_partial() -> None:
    s = synthetic_set(30, snr=30.0, seed=5, flip_fraction=0.0)
    rng = np.random.default_rng(4)
    seis = [
        replace(x, data=rng.normal(0.0, 1.0, x.data.size)) if k < 3 else x
        for k, x in enumerate(s.seismograms)
    ]
    res = mccc(seis)
    assert res.status is MCCCStatus.PARTIAL
    assert np.isnan(res.t1[:3]).all() and np.isfinite(res.t1[3:]).all()
    assert res.solved.tolist() == [False] * 3 + [True] * 27
    assert relative_rms_error(res.t1[3:], s.t0, s.true_shifts[3:]) < 0.003


def test_only_selected_traces_are_solved_unless_told_otherwise() -> None:
    s = synthetic_set(20, snr=30.0, seed=6, flip_fraction=0.0)
    seis = [replace(x, select=k % 4 != 0) for k, x in enumerate(s.seismograms)]
    res = mccc(seis)
    assert np.isnan(res.t1[::4]).all() and np.isnan(res.cc_mean[::4]).all()
    assert np.isfinite(np.delete(res.t1, np.s_[::4])).all()
    assert res.status is MCCCStatus.SOLVED
    everything = mccc(seis, only_selected=False)
    assert np.isfinite(everything.t1).all()


def test_a_deselected_trace_may_lie_outside_its_data() -> None:
    s = synthetic_set(8, snr=30.0, seed=6, flip_fraction=0.0)
    seis = [*s.seismograms[:7], replace(s.seismograms[7], t1=75.0, select=False)]
    res = mccc(seis)
    assert np.isnan(res.t1[7]) and np.isfinite(res.t1[:7]).all()
    with pytest.raises(AlignmentError, match=r"trace 7 \(pick 75.000 s\)"):
        mccc(seis, only_selected=False)


def test_too_few_traces() -> None:
    s = synthetic_set(3, snr=10.0, seed=0)
    res = mccc([s.seismograms[0]])
    assert res.status is MCCCStatus.TOO_FEW_TRACES
    assert np.isnan(res.t1).all()
    two = mccc(s.seismograms[:2], AlignmentParams(mccc_min_cc=0.0))
    assert two.status is MCCCStatus.SOLVED
    assert np.isnan(two.error_residual).all()  # needs 3 traces
    assert np.isfinite(two.error_covariance).all()


def test_memory_bounded_blocks_give_the_same_answer() -> None:
    s = synthetic_set(40, snr=10.0, seed=8)
    seis = _after(s.seismograms, iccs(s.seismograms, AUTO))
    one = mccc(seis, AUTO)
    blocks = mccc(seis, replace(AUTO, mccc_block_pairs=7))
    assert np.allclose(one.t1, blocks.t1, atol=1e-9, rtol=0)
    assert np.allclose(one.error_covariance, blocks.error_covariance, rtol=1e-6)
    assert one.pairs_used == blocks.pairs_used


def test_damping_pulls_times_towards_the_input_picks() -> None:
    s = synthetic_set(20, snr=30.0, seed=9, flip_fraction=0.0)
    light = mccc(s.seismograms, AlignmentParams(mccc_damp=0.1))
    heavy = mccc(s.seismograms, AlignmentParams(mccc_damp=10.0))
    assert np.abs(heavy.delay).sum() < 0.5 * np.abs(light.delay).sum()


def test_bad_input() -> None:
    with pytest.raises(AlignmentError, match="at least one trace"):
        mccc([])
    s = synthetic_set(3, seed=0)
    with pytest.raises(AlignmentError, match=r"window .* of trace 0 .* outside its data"):
        mccc([replace(s.seismograms[0], t1=5.0), *s.seismograms[1:]])
    with pytest.raises(AlignmentError, match=r"mccc_weighting 'l1'"):
        mccc(s.seismograms, AlignmentParams(mccc_weighting="l1"))


def test_real_p_wave_array_after_iccs(sample_set: Path) -> None:
    seis, shifts, _ = real_p_array(sample_set)
    res = mccc(_after(seis, iccs(seis, AUTO)), AUTO)
    assert res.status is MCCCStatus.SOLVED
    assert relative_rms_error(res.t1, seis[0].t0, shifts) < 0.025
