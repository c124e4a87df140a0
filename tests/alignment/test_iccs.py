"""ICCS on the reference synthetic set and on real recordings (pyasdf's sample data set)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from alignment_data import real_p_array

from asdfkit.alignment import (
    AlignmentParams,
    ICCSStatus,
    SimpleSeismogram,
    iccs,
    relative_rms_error,
    synthetic_set,
)
from asdfkit.alignment.synthetic import ricker
from asdfkit.errors import AlignmentError

AUTO = AlignmentParams(autoflip=True, autoselect=True)


def test_accuracy_snr10_n200() -> None:
    s = synthetic_set(200, snr=10.0, seed=0)
    res = iccs(s.seismograms, AUTO)
    assert res.status is ICCSStatus.CONVERGED
    assert relative_rms_error(res.t1, s.t0, s.true_shifts) <= 0.006
    assert np.array_equal(res.flip, s.true_flips)
    assert res.select.all()
    assert res.history[-1] <= AUTO.convergence
    assert np.nanmin(res.cc) > 0.5


@pytest.mark.parametrize("n", [50, 200])
def test_no_global_polarity_inversion_over_20_seeds(n: int) -> None:
    wrong = []
    for seed in range(20):
        s = synthetic_set(n, snr=10.0, seed=seed)
        res = iccs(s.seismograms, AUTO)
        if not np.array_equal(res.flip, s.true_flips):
            wrong.append((seed, int((res.flip != s.true_flips).sum())))
    assert wrong == []


def test_sign_convention_later_arrival_gets_later_t1() -> None:
    s = synthetic_set(30, snr=float("inf"), seed=3, flip_fraction=0.0)
    late, early = int(np.argmax(s.true_shifts)), int(np.argmin(s.true_shifts))
    res = iccs(s.seismograms)
    assert res.t1[late] > res.t1[early]
    assert res.t1[late] - res.t1[early] == pytest.approx(s.true_shifts[late] - s.true_shifts[early], abs=1e-3)


def test_noise_free_picks_are_exact_to_a_fraction_of_a_millisecond() -> None:
    s = synthetic_set(40, snr=float("inf"), seed=8)
    res = iccs(s.seismograms, AUTO)
    assert relative_rms_error(res.t1, s.t0, s.true_shifts) < 2e-4  # a sample is 25 ms
    assert np.array_equal(res.flip, s.true_flips)


def test_picks_stay_anchored_mean_shift_zero() -> None:
    s = synthetic_set(100, snr=10.0, seed=5)
    res = iccs(s.seismograms, AUTO)
    assert float(np.mean(res.t1[res.select] - s.t0)) == pytest.approx(0.0, abs=1e-9)


def test_majority_polarity_guard() -> None:
    """70 % of the traces are reversed: the majority's polarity becomes the positive one."""
    s = synthetic_set(100, snr=10.0, seed=2, flip_fraction=0.7)
    res = iccs(s.seismograms, AUTO)
    assert res.flip.sum() <= 50
    assert np.array_equal(res.flip, ~s.true_flips)
    assert relative_rms_error(res.t1, s.t0, s.true_shifts) <= 0.006


def test_guard_inverts_a_majority_that_autoflip_would_flip() -> None:
    """Input flips all set: autoflip alone would keep 90 % flipped; the guard inverts that."""
    s = synthetic_set(60, snr=10.0, seed=4)
    flipped_input = [replace(x, flip=True) for x in s.seismograms]
    res = iccs(flipped_input, AUTO)
    assert np.array_equal(res.flip, s.true_flips)
    assert any("majority" in m for m in res.messages)


def test_snr3_never_deselects_every_trace() -> None:
    s = synthetic_set(200, snr=3.0, seed=0)
    res = iccs(s.seismograms, AUTO)
    assert res.status is ICCSStatus.ALL_DESELECTED
    assert res.select.all()  # the selection was kept, not emptied
    assert any("would deselect every trace" in m for m in res.messages)
    assert np.isfinite(res.t1).all()
    assert relative_rms_error(res.t1, s.t0, s.true_shifts) < 0.05  # still aligned (true shifts: ±2 s)
    assert np.mean(res.flip == s.true_flips) > 0.95


def test_autoselect_drops_pure_noise_traces_and_keeps_the_rest() -> None:
    s = synthetic_set(40, snr=20.0, seed=6, flip_fraction=0.0)
    rng = np.random.default_rng(1)
    noise = [replace(x, data=rng.normal(0.0, 1.0, x.data.size)) for x in s.seismograms[:4]]
    res = iccs([*noise, *s.seismograms[4:]], AUTO)
    assert res.select.tolist() == [False] * 4 + [True] * 36
    assert relative_rms_error(res.t1[4:], s.t0, s.true_shifts[4:]) < 0.005


def test_shift_bound_keeps_a_trace_off_a_later_larger_arrival() -> None:
    """One trace has a second arrival, twice as large, 24 s after its first."""
    params = AlignmentParams(window_pre=-10.0, window_post=30.0, autoflip=True)  # bound: 10 s
    s = synthetic_set(20, snr=20.0, seed=9, flip_fraction=0.0, duration=120.0)
    time = np.arange(s.seismograms[0].data.size) * 0.025
    first = s.t0 + s.true_shifts[0]
    twin = replace(s.seismograms[0], data=s.seismograms[0].data + 2.0 * ricker(time - first - 24.0, 1.0))
    res = iccs([twin, *s.seismograms[1:]], params)
    assert abs(res.t1[0] - s.t0) <= params.effective_max_shift
    assert relative_rms_error(res.t1, s.t0, s.true_shifts) < 0.01
    # the test can fail: with the bound lifted the trace locks onto the later arrival
    free = iccs([twin, *s.seismograms[1:]], replace(params, max_shift=40.0))
    assert (free.t1[0] - free.t1[1:].mean()) - (s.true_shifts[0] - s.true_shifts[1:].mean()) > 20.0


def test_a_pick_that_would_move_past_the_bound_is_held_there_and_flagged() -> None:
    s = synthetic_set(20, snr=20.0, seed=4, flip_fraction=0.0)
    arrivals = s.t0 + s.true_shifts
    params = AlignmentParams(max_shift=3.0)
    seis = [replace(x, t0=float(a)) for x, a in zip(s.seismograms, arrivals, strict=True)]
    seis[0] = replace(seis[0], t0=float(arrivals[0]) - 3.4)  # its arrival is 3.4 s after its pick
    res = iccs(seis, params)
    assert res.at_bound is not None and res.at_bound.tolist() == [True] + [False] * 19
    assert abs(res.t1[0] - seis[0].t0) <= 3.0
    assert abs(res.t1[0] - seis[0].t0) > 2.5  # it went as far as it could
    assert any("1 pick(s) held at the shift bound" in m for m in res.messages)


def test_mixed_sampling_rates() -> None:
    s = synthetic_set(60, snr=10.0, seed=1)
    mixed = [replace(x, data=x.data[::2], delta=0.05) if k % 2 else x for k, x in enumerate(s.seismograms)]
    res = iccs(mixed, AUTO)
    assert np.diff(res.stack_time)[0] == pytest.approx(0.025)
    assert res.status is ICCSStatus.CONVERGED
    assert relative_rms_error(res.t1, s.t0, s.true_shifts) < 0.008
    assert np.array_equal(res.flip, s.true_flips)


def test_starts_from_t1_when_set() -> None:
    s = synthetic_set(30, snr=float("inf"), seed=2, flip_fraction=0.0)
    started = [replace(x, t1=x.t0 + dt) for x, dt in zip(s.seismograms, s.true_shifts, strict=True)]
    res = iccs(started)
    assert res.iterations <= 2
    assert np.abs(res.t1 - (s.t0 + s.true_shifts)).max() < 1e-3


def test_max_iterations_status() -> None:
    s = synthetic_set(50, snr=10.0, seed=3)
    res = iccs(s.seismograms, AlignmentParams(autoflip=True, max_iterations=1))
    assert res.status is ICCSStatus.MAX_ITERATIONS
    assert res.iterations == 1 and len(res.history) == 1 and res.history[0] > AUTO.convergence
    assert any("still changing" in m for m in res.messages)


def test_flat_traces_give_no_signal_status() -> None:
    flat = [SimpleSeismogram(np.full(3000, 7.0), begin=0.0, delta=0.025, t0=40.0) for _ in range(3)]
    res = iccs(flat, AUTO)
    assert res.status is ICCSStatus.NO_SIGNAL
    assert np.array_equal(res.t1, np.full(3, 40.0))
    assert np.isnan(res.cc).all()


def test_input_is_left_untouched() -> None:
    s = synthetic_set(20, snr=10.0, seed=0)
    before = [x.data.copy() for x in s.seismograms]
    iccs(s.seismograms, AUTO)
    assert all(np.array_equal(a, x.data) for a, x in zip(before, s.seismograms, strict=True))


def test_bad_input() -> None:
    with pytest.raises(AlignmentError, match="at least one trace"):
        iccs([])
    s = synthetic_set(3, seed=0)
    with pytest.raises(AlignmentError, match=r"window .* of trace 2 .* outside its data"):
        iccs([*s.seismograms[:2], replace(s.seismograms[2], t0=70.0)])
    bad = s.seismograms[1].data.copy()
    bad[5] = np.inf
    with pytest.raises(AlignmentError, match=r"sample 5 of trace 1 is inf"):
        iccs([s.seismograms[0], replace(s.seismograms[1], data=bad)])


# -- real recordings ---------------------------------------------------------------------------


def _real_p_waves(sample_set: Path) -> list[SimpleSeismogram]:
    """BHZ of AE.113A and TA.POKR (2013 Okhotsk M8.3), bandpassed, t0 = iasp91 P, times from origin."""
    import obspy
    from obspy.geodetics import locations2degrees
    from obspy.taup import TauPyModel

    event = obspy.read_events(str(sample_set / "quake.xml"))[0]
    origin = event.preferred_origin() or event.origins[0]
    model = TauPyModel("iasp91")
    out = []
    for station in ("AE.113A", "TA.POKR"):
        inventory = obspy.read_inventory(str(sample_set / f"{station}..BH_.xml"))
        trace = obspy.read(str(sample_set / f"{station}..BHZ.mseed"))[0]
        trace.detrend("demean")
        trace.filter("bandpass", freqmin=0.05, freqmax=2.0, corners=2, zerophase=True)
        coords = inventory.get_coordinates(trace.id, origin.time)
        distance = locations2degrees(
            origin.latitude, origin.longitude, coords["latitude"], coords["longitude"]
        )
        p = model.get_travel_times(origin.depth / 1000.0, distance, ["P"])[0].time
        begin = float(trace.stats.starttime - origin.time)
        out.append(SimpleSeismogram(trace.data, begin=begin, delta=trace.stats.delta, t0=p))
    return out


def test_real_recordings_align(sample_set: Path) -> None:
    seis = _real_p_waves(sample_set)
    res = iccs(seis, AlignmentParams(autoflip=True))
    assert res.status is ICCSStatus.CONVERGED
    assert not res.flip.any()
    assert (res.cc > 0.5).all()
    assert np.abs(res.t1 - np.array([s.t0 for s in seis])).max() < 3.0  # iasp91 P is within seconds


def test_real_p_wave_array_with_known_shifts(sample_set: Path) -> None:
    seis, shifts, flips = real_p_array(sample_set)
    res = iccs(seis, AUTO)
    assert res.status is ICCSStatus.CONVERGED
    assert np.array_equal(res.flip, flips)
    assert res.select.all()
    assert relative_rms_error(res.t1, seis[0].t0, shifts) < 0.025  # a sample is 25 ms
