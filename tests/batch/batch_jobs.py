"""Station functions the batch tests run (importable, so process and Dask workers find them)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
from obspy import Inventory, Stream

from asdfkit.batch import AuxiliaryOutput, StationOutput


def bandpass(st: Stream, inv: Inventory) -> Stream:
    """Real ObsPy processing: detrend, taper, bandpass."""
    st.detrend("linear")
    st.taper(max_percentage=0.05)
    st.filter("bandpass", freqmin=0.05, freqmax=2.0, corners=4)
    return st


def unchanged(st: Stream, inv: Inventory) -> Stream:
    """The stream as it came: what is left to measure is the batch machinery."""
    return st


def logged_bandpass(st: Stream, inv: Inventory) -> Stream:
    """``bandpass``, appending the station to $BATCH_LOG first; sleeps $BATCH_SLOW seconds.

    The log is the proof of which stations were (re)processed: one O_APPEND line per call.
    """
    station = f"{st[0].stats.network}.{st[0].stats.station}"
    with open(os.environ["BATCH_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{station} {os.getpid()}\n")
    time.sleep(float(os.environ.get("BATCH_SLOW", "0")))
    return bandpass(st, inv)


def fails_while_marked(st: Stream, inv: Inventory) -> Stream:
    """Fails for the stations listed in the file $BATCH_FAIL (if it exists), else ``bandpass``."""
    station = f"{st[0].stats.network}.{st[0].stats.station}"
    marker = Path(os.environ["BATCH_FAIL"])
    if marker.exists() and station in marker.read_text().split():
        raise ZeroDivisionError(f"station {station} is marked to fail")
    return bandpass(st, inv)


def rms_and_trace(st: Stream, inv: Inventory) -> StationOutput:
    """Both outputs: the bandpassed traces and their RMS as auxiliary data."""
    bandpass(st, inv)
    rms = np.array([float(np.sqrt(np.mean(tr.data.astype(np.float64) ** 2))) for tr in st])
    path = f"{st[0].stats.network}_{st[0].stats.station}"
    return StationOutput(stream=st, auxiliary=[AuxiliaryOutput(rms, "RMS", path, {"channels": len(st)})])


def cpu_heavy(st: Stream, inv: Inventory) -> Stream:
    """CPU-bound processing used by the pool-versus-serial comparisons."""
    for _ in range(3):
        st.filter("lowpass", freq=1.0, corners=8)
    return st
