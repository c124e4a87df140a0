"""Write -> read of random traces: every sample, the exact start, the rate, the dtype (hypothesis)."""

from __future__ import annotations

import re
import tempfile
from fractions import Fraction
from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest
from asdf_reference import SPEC_TRACE_REGEX
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from obspy import UTCDateTime

import asdfkit
from asdfkit.errors import InvalidTimeError

NS = 1_000_000_000
NAME_MIN = int(np.datetime64("1800-01-01T00:00:00", "ns").astype(np.int64))
NAME_MAX = int(np.datetime64("2199-12-31T23:59:59.999999999", "ns").astype(np.int64))
DTYPES = ["<i2", ">i2", "<i4", ">i4", "<i8", ">i8", "<f4", ">f4", "<f8", ">f8"]


@st.composite
def traces(draw) -> obspy.Trace:
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    data = draw(hnp.arrays(dtype, st.integers(1, 300),
                           elements={"allow_nan": True} if dtype.kind == "f" else None))
    tr = obspy.Trace(data=data)
    tr.stats.network = draw(st.from_regex(r"\A[A-Z0-9]{1,2}\Z"))
    tr.stats.station = draw(st.from_regex(r"\A[A-Z0-9]{1,5}\Z"))
    tr.stats.location = draw(st.from_regex(r"\A[A-Z0-9]{0,2}\Z"))
    tr.stats.channel = draw(st.from_regex(r"\A[A-Z0-9]{3}\Z"))
    tr.stats.sampling_rate = draw(st.one_of(
        st.sampled_from([1.0, 20.0, 40.0, 100.0, 200.0, 1000.0 / 3, 0.1]),
        st.floats(1e-3, 1e5, allow_nan=False, allow_infinity=False)))
    tr.stats.starttime = UTCDateTime(ns=draw(st.integers(NAME_MIN, NAME_MAX)))
    return tr


def _end_ns(tr: obspy.Trace) -> Fraction:
    return Fraction(tr.stats.starttime.ns) + Fraction(tr.stats.npts - 1) * NS / Fraction(tr.stats.sampling_rate)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tr=traces(), tag=st.from_regex(r"\A[A-Za-z_0-9]{1,12}\Z").filter(lambda t: t != "StationXML" and "__" not in t),
       compression=st.sampled_from(["gzip", "none", "gzip-1"]))
def test_write_then_read_returns_the_same_trace(tr, tag, compression):
    original = tr.copy()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.h5"
        with asdfkit.open(path, "w", compression=compression, index_cache=False) as f:
            if round(_end_ns(tr)) > NAME_MAX:  # asdfkit rounds the end to the nearest ns
                with pytest.raises(InvalidTimeError, match="1800-2199"):
                    f.add_waveforms(tr, tag=tag)
                return
            (written,) = f.add_waveforms(tr, tag=tag)
        assert re.fullmatch(SPEC_TRACE_REGEX, written.rsplit("/", 1)[1])
        with h5py.File(path, "r") as h:
            assert int(h[written].attrs["starttime"]) == original.stats.starttime.ns
            assert h[written].dtype == original.data.dtype
        with asdfkit.open(path, index_cache=False) as f:
            (back,) = f.get_waveforms()
    assert back.id == original.id and back.stats.asdf.tag == tag
    assert back.stats.starttime.ns == original.stats.starttime.ns
    assert back.stats.sampling_rate == original.stats.sampling_rate
    assert back.data.dtype == original.data.dtype
    np.testing.assert_array_equal(back.data, original.data)  # NaN == NaN here
    # The input was not modified by writing it.
    assert tr.stats == original.stats and tr.data.dtype == original.data.dtype
    np.testing.assert_array_equal(tr.data, original.data)
