"""The reference synthetic array for ICCS/MCCC accuracy: Ricker pulses with known shifts.

Every trace is a 1 Hz Ricker wavelet sampled at 40 Hz, arriving at
``t0 + shift`` with the shift drawn uniformly (continuous) from ±2 s; 10 %
of the traces (exactly ``round(0.1 N)``) have reversed polarity; white
Gaussian noise of standard deviation ``peak / snr`` is added.  Every trace
has the same initial pick ``t0`` and begins at time 0.  A fixed seed gives a
fixed set.  This is the set the accuracy targets and the benchmark refer to:
keep it as it is.

Example
-------
>>> s = synthetic_set(20, snr=10.0, seed=1)
>>> len(s.seismograms), s.seismograms[0].delta, int(s.true_flips.sum())
(20, 0.025, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .types import SimpleSeismogram

__all__ = ["SyntheticSet", "relative_rms_error", "ricker", "synthetic_set"]


def ricker(time: NDArray[np.float64], frequency: float) -> NDArray[np.float64]:
    """Ricker wavelet of peak ``frequency`` centred on time 0, peak value 1.

    Example
    -------
    >>> float(ricker(np.array([0.0]), 1.0)[0])
    1.0
    """
    a = (np.pi * frequency * time) ** 2
    return (1.0 - 2.0 * a) * np.exp(-a)


@dataclass(frozen=True)
class SyntheticSet:
    """Seismograms and the truth they were made from (``true_shifts`` relative to ``t0``)."""

    seismograms: tuple[SimpleSeismogram, ...]
    true_shifts: NDArray[np.float64]
    true_flips: NDArray[np.bool_]
    t0: float
    snr: float
    seed: int


def synthetic_set(
    n: int,
    snr: float = 10.0,
    seed: int = 0,
    *,
    delta: float = 0.025,
    frequency: float = 1.0,
    shift_range: float = 2.0,
    flip_fraction: float = 0.1,
    t0: float = 40.0,
    duration: float = 80.0,
) -> SyntheticSet:
    """Build ``n`` traces of the reference synthetic set.

    Parameters
    ----------
    n
        Number of traces.
    snr
        Peak amplitude over noise standard deviation (``inf``: noise-free).
    seed
        Seed of :func:`numpy.random.default_rng`.
    delta, frequency, shift_range, flip_fraction, t0, duration
        The set's definition (40 Hz, 1 Hz Ricker, ±2 s, 10 %, t0 = 40 s of 80 s).

    Example
    -------
    >>> s = synthetic_set(5, snr=float("inf"), seed=3)
    >>> bool(np.all(np.abs(s.true_shifts) <= 2.0))
    True
    """
    rng = np.random.default_rng(seed)
    shifts = rng.uniform(-shift_range, shift_range, n)
    flips = np.zeros(n, dtype=bool)
    flips[rng.choice(n, size=int(round(flip_fraction * n)), replace=False)] = True
    samples = int(round(duration / delta)) + 1
    time = delta * np.arange(samples)
    data = ricker(time[None, :] - (t0 + shifts)[:, None], frequency)
    data[flips] *= -1.0
    if np.isfinite(snr):
        data += rng.normal(0.0, 1.0 / snr, data.shape)
    seismograms = tuple(SimpleSeismogram(data=row, begin=0.0, delta=delta, t0=t0) for row in data)
    return SyntheticSet(
        seismograms=seismograms, true_shifts=shifts, true_flips=flips, t0=t0, snr=snr, seed=seed
    )


def relative_rms_error(
    picks: NDArray[np.float64], t0: NDArray[np.float64] | float, true_shifts: NDArray[np.float64]
) -> float:
    """RMS of (picked shift − true shift) with the common offset removed (NaN picks ignored; NaN if all are).

    Example
    -------
    >>> relative_rms_error(np.array([1.0, 2.0]), 0.0, np.array([0.5, 1.5]))
    0.0
    """
    error = np.asarray(picks, dtype=np.float64) - t0 - true_shifts
    error = error[np.isfinite(error)]
    if error.size == 0:
        return float("nan")
    return float(np.sqrt(np.mean((error - error.mean()) ** 2)))
