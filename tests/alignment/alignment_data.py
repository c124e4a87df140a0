"""Real ASDF files for the alignment tests on files, converted once per session.

- the Berkeley 1998 event (``asdf-cli convert`` of the shared Antelope CSS3.0 database,
  ``--default-network BK``): 10 stations at 0-5 degrees, 30 traces, 1 event;
- pyasdf's small sample data set (2013 Okhotsk M8.3, 2 stations, teleseismic).

``conftest.py`` wraps them in session fixtures; tests copy a file before
writing to it (:func:`fresh_copy`).  :func:`real_p_array` builds an array of
real records with known relative times (ICCS and MCCC tests).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from asdfkit.alignment import AlignmentParams, SimpleSeismogram
from asdfkit.io.convert import ConvertOptions, convert_to_asdf

_CACHE: dict[str, Path] = {}

PARAMS = AlignmentParams(window_pre=-2.0, window_post=4.0, bandpass=(0.5, 2.0))
"""The alignment parameters of the tests' runs on the Berkeley event."""


def converted(
    name: str, source: Path, factory: pytest.TempPathFactory, options: ConvertOptions | None = None
) -> Path:
    """Convert ``source`` into ASDF once per session (read-only use: never write to it)."""
    if name not in _CACHE:
        target = factory.mktemp(f"align-{name}") / f"{name}.h5"
        convert_to_asdf([source], target, options)
        _CACHE[name] = target
    return _CACHE[name]


def fresh_copy(path: Path, tmp_path: Path) -> Path:
    """A writable copy of a converted file."""
    target = tmp_path / path.name
    shutil.copyfile(path, target)
    return target


def berkeley(shared_data: Path, factory: pytest.TempPathFactory) -> Path:
    """The converted Berkeley 1998 event (10 stations, 30 traces)."""
    return converted(
        "berkeley",
        shared_data / "css" / "berkeley_1998",
        factory,
        ConvertOptions(css={"default_network": "BK"}),
    )


def okhotsk(sample_set: Path, factory: pytest.TempPathFactory) -> Path:
    """pyasdf's small sample data set converted (2 stations, 6 traces, the 2013 Okhotsk event)."""
    return converted("okhotsk", sample_set, factory)


BERKELEY_EVENT = "smi:local/css/example_2/event/1"


def real_p_array(
    sample_set: Path, n: int = 30, snr: float = 5.0, seed: int = 0
) -> tuple[list[SimpleSeismogram], np.ndarray, np.ndarray]:
    """An array made of real records with known relative times.

    Every trace is the real P wave of TA.POKR (BHZ, 0.05-2 Hz, 60 s around the iasp91 P) plus
    a different stretch of real pre-event noise (6 channels x 5 non-overlapping minutes, scaled
    to peak/snr), with its start time moved by a known shift (exact: no resampling) and 10 % of
    them reversed.  Returns the traces, the true shifts and the true flips.
    """
    import obspy
    from obspy.geodetics import locations2degrees
    from obspy.taup import TauPyModel

    event = obspy.read_events(str(sample_set / "quake.xml"))[0]
    origin = event.preferred_origin() or event.origins[0]
    stream = obspy.read(str(sample_set / "*.mseed"))
    stream.detrend("demean")
    stream.filter("bandpass", freqmin=0.05, freqmax=2.0, corners=2, zerophase=True)
    z = stream.select(station="POKR", channel="BHZ")[0]
    coords = obspy.read_inventory(str(sample_set / "TA.POKR..BH_.xml")).get_coordinates(z.id, origin.time)
    distance = locations2degrees(origin.latitude, origin.longitude, coords["latitude"], coords["longitude"])
    p = TauPyModel("iasp91").get_travel_times(origin.depth / 1000.0, distance, ["P"])[0].time
    delta = z.stats.delta
    length = int(round(60.0 / delta))
    first = int(round((p - 30.0 - float(z.stats.starttime - origin.time)) / delta))
    signal = z.data[first : first + length].astype(np.float64)
    peak = np.abs(signal[int(15 / delta) : int(45 / delta)]).max()
    noise = [tr.data[k * length : (k + 1) * length].astype(np.float64) for tr in stream for k in range(5)]
    rng = np.random.default_rng(seed)
    shifts = rng.uniform(-1.5, 1.5, n)
    flips = np.zeros(n, dtype=bool)
    flips[rng.choice(n, n // 10, replace=False)] = True
    seis = []
    for k in range(n):
        data = np.where(flips[k], -1.0, 1.0) * signal + noise[k] / noise[k].std() * peak / snr
        seis.append(SimpleSeismogram(data, begin=p - 30.0 + shifts[k], delta=delta, t0=p))
    return seis, shifts, flips
