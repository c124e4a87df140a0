"""Time-window reads keep exactly the samples ``Trace.slice`` keeps (nearest_sample=True)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import obspy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from obspy import UTCDateTime

import asdfkit
from asdfkit.errors import InvalidTimeError

NS = 1_000_000_000


def _odd_trace() -> obspy.Trace:
    """A real signal at an awkward rate (3.3 Hz) starting 1 ns after a whole second."""
    tr = obspy.read()[1].copy()
    tr.data = tr.data[:57].copy()
    tr.stats.sampling_rate = 3.3
    tr.stats.starttime = UTCDateTime(ns=1369374000 * NS + 1)
    tr.stats.channel = "EHX"
    return tr


@pytest.fixture(scope="module")
def window_file(tmp_path_factory: pytest.TempPathFactory, sample_set: Path) -> tuple[Path, list[obspy.Trace]]:
    """A file with a real 40 Hz trace cut to 20 s, obspy's 100 Hz example and an odd-rate trace."""
    real = obspy.read(str(sample_set / "AE.113A..BHZ.mseed"))[0]
    real.trim(real.stats.starttime, real.stats.starttime + 20)
    traces = [real, obspy.read()[0], _odd_trace()]
    path = tmp_path_factory.mktemp("window") / "window.h5"
    with asdfkit.open(path, "w", index_cache=False) as f:
        f.add_waveforms(obspy.Stream([tr.copy() for tr in traces]), tag="t")
    with asdfkit.open(path, index_cache=False) as f:
        full = list(f.get_waveforms())
    return path, full


def _expected(full: list[obspy.Trace], t1: UTCDateTime | None, t2: UTCDateTime | None) -> dict[str, obspy.Trace]:
    out = {}
    for tr in full:
        piece = tr.slice(t1, t2)  # nearest_sample=True is slice's default
        if len(piece.data):
            out[tr.id] = piece
    return out


def _check(path: Path, full: list[obspy.Trace], t1: UTCDateTime | None, t2: UTCDateTime | None) -> None:
    with asdfkit.open(path) as f:
        got = {tr.id: tr for tr in f.get_waveforms(starttime=t1, endtime=t2)}
        listed = {h.seed_id for h in f.list_waveforms(starttime=t1, endtime=t2)}
    want = _expected(full, t1, t2)
    assert sorted(got) == sorted(want) == sorted(listed)
    for seed_id, piece in want.items():
        assert got[seed_id].stats.starttime.ns == piece.stats.starttime.ns
        assert got[seed_id].stats.npts == piece.stats.npts
        np.testing.assert_array_equal(got[seed_id].data, piece.data)


def _odd(full: list[obspy.Trace]) -> obspy.Trace:
    return next(tr for tr in full if tr.stats.channel == "EHX")


def test_full_traces_are_what_was_written(window_file):
    path, full = window_file
    assert {tr.id: tr.stats.npts for tr in full} == {
        "AE.113A..BHZ": 801, "BW.RJOB..EHZ": 3000, "BW.RJOB..EHX": 57}
    assert _odd(full).stats.starttime.ns == 1369374000 * NS + 1


@pytest.mark.parametrize("k", [0, 1, 10, 55, 56])
@pytest.mark.parametrize("frac", [-0.5, 0.5, 0.4999999, 0.5000001, 0.0])
def test_half_sample_edges_match_slice(window_file, k, frac):
    path, full = window_file
    tr = _odd(full)
    dt_ns = NS / tr.stats.sampling_rate
    t = UTCDateTime(ns=tr.stats.starttime.ns + round((k + frac) * dt_ns))
    _check(path, full, t, None)
    _check(path, full, None, t)
    _check(path, full, t, t)
    _check(path, full, t, UTCDateTime(ns=t.ns + round(3 * dt_ns)))


def test_window_is_cut_from_the_middle_of_a_real_trace(window_file):
    path, full = window_file
    real = next(tr for tr in full if tr.stats.station == "113A")
    t1, t2 = real.stats.starttime + 2.0125, real.stats.starttime + 3.0
    with asdfkit.open(path) as f:
        (got,) = f.get_waveforms(station="113A", starttime=t1, endtime=t2)
    # 2.0125 s is half a 40 Hz sample past sample 80: slice rounds away to sample 81.
    assert got.stats.starttime == real.stats.starttime + 81 / 40
    np.testing.assert_array_equal(got.data, real.data[81:121])
    _check(path, full, t1, t2)


@pytest.mark.parametrize(("start", "end"), [
    ("1999-01-01", "1999-01-02"),            # long before every trace
    ("2100-01-01", "2100-01-02"),            # long after
    (None, "1999-01-01"),                    # open start, ends before
    ("2100-01-01", None),                    # open end, starts after
])
def test_windows_outside_every_trace_return_nothing(window_file, start, end):
    path, full = window_file
    t1 = UTCDateTime(start) if start else None
    t2 = UTCDateTime(end) if end else None
    with asdfkit.open(path) as f:
        assert len(f.get_waveforms(starttime=t1, endtime=t2)) == 0
        assert f.list_waveforms(starttime=t1, endtime=t2) == []


def test_window_just_outside_one_trace_end(window_file):
    path, full = window_file
    tr = _odd(full)
    dt_ns = NS / 3.3
    for extra in (0.49, 0.5, 0.51, 1.0, 1.5):
        t = UTCDateTime(ns=tr.stats.endtime.ns + round(extra * dt_ns))
        _check(path, full, t, t + 100)
        _check(path, full, tr.stats.starttime - 100, UTCDateTime(ns=tr.stats.starttime.ns - round(extra * dt_ns)))


def test_reversed_window_is_refused(window_file):
    path, _ = window_file
    with asdfkit.open(path) as f, pytest.raises(InvalidTimeError, match="starttime must not be after endtime"):
        f.get_waveforms(starttime=UTCDateTime(2013, 5, 24, 6), endtime=UTCDateTime(2013, 5, 24, 5))


_BASE = 1251073203 * NS  # obspy's example starts 2009-08-24T00:20:03


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    trace_index=st.integers(0, 2),
    a=st.integers(-5 * NS, 40 * NS),
    length=st.one_of(st.integers(0, 3 * NS), st.integers(0, 40 * NS)),
    open_start=st.booleans(),
    open_end=st.booleans(),
)
def test_window_reads_equal_slice(window_file, trace_index, a, length, open_start, open_end):
    path, full = window_file
    ref = sorted(full, key=lambda tr: tr.id)[trace_index].stats.starttime.ns
    t1 = None if open_start else UTCDateTime(ns=ref + a)
    t2 = None if open_end else UTCDateTime(ns=ref + a + length)
    _check(path, full, t1, t2)


def test_window_on_a_trace_started_before_1970(tmp_path, small_stream):
    tr = small_stream[0]
    tr.stats.starttime = UTCDateTime(ns=-123_456_789_123)  # 1969-12-31T23:57:56.543210877
    path = tmp_path / "old.h5"
    with asdfkit.open(path, "w") as f:
        (name,) = f.add_waveforms(tr, tag="t")
    assert "__1969-12-31T23:57:56__1969-12-31T23:58:26__t" in name
    with asdfkit.open(path) as f:
        (full,) = f.get_waveforms()
    assert full.stats.starttime.ns == -123_456_789_123
    t1 = UTCDateTime(ns=-123_456_789_123 + 1_005_000_000)
    _check(path, [full], t1, t1 + 2.5)
