"""Station functions of the batch scale benchmark (``--function benchmarks/batch_scale_jobs.py:bp``)."""

from __future__ import annotations

from obspy import Inventory, Stream


def bp(st: Stream, inv: Inventory) -> Stream:
    """The workload of issue 19: detrend, taper, zero-phase band-pass 0.5-4 Hz."""
    st.detrend("linear")
    st.taper(0.05)
    st.filter("bandpass", freqmin=0.5, freqmax=4.0, zerophase=True)
    return st


def noop(st: Stream, inv: Inventory) -> Stream:
    """The stream unchanged: what is left is the machinery's own cost."""
    return st
