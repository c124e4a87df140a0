"""A synthetic teleseismic event as an ASDF file: known arrival times to try the alignment loop on.

One event (origin, magnitude) and ``n`` stations at 30-90 degrees on a ring of
azimuths, each with one vertical trace: a 1 Hz Ricker pulse at the iasp91 P
time plus a known shift, some traces reversed, white noise.  The truth is
returned, so a run's picks can be checked against it.

Example
-------
>>> truth = synthetic_event_file("synthetic.h5", n=12, seed=1)   # doctest: +SKIP
>>> truth.event_id, truth.shifts["XS.S000..BHZ"]                  # doctest: +SKIP
('smi:local/asdfkit/synthetic/event/1', 0.3)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..container import open as open_asdf
from .synthetic import ricker

__all__ = ["SyntheticEvent", "synthetic_event_file"]

EVENT_ID = "smi:local/asdfkit/synthetic/event/1"


@dataclass(frozen=True)
class SyntheticEvent:
    """What :func:`synthetic_event_file` wrote: the event id and, per seed id, the truth."""

    event_id: str
    shifts: dict[str, float]  # true arrival minus the iasp91 P time, seconds
    flips: dict[str, bool]  # reversed polarity
    distances: dict[str, float]  # degrees


def synthetic_event_file(
    path: str | Path,
    n: int = 12,
    *,
    snr: float = 10.0,
    seed: int = 0,
    shift_range: float = 1.0,
    flipped: int = 1,
    delta: float = 0.025,
) -> SyntheticEvent:
    """Write a new ASDF file with one synthetic event and ``n`` stations; return the truth.

    Parameters
    ----------
    path : the file to create (an existing file is refused by the container)
    n : number of stations (network ``XS``, stations ``S000``...)
    snr : peak over noise standard deviation
    seed : seed of :func:`numpy.random.default_rng`
    shift_range : true shifts are uniform in ±``shift_range`` seconds
    flipped : how many traces have reversed polarity
    delta : sampling interval, seconds
    """
    from obspy import Stream, Trace, UTCDateTime
    from obspy.core.event import Catalog, Event, Magnitude, Origin, ResourceIdentifier
    from obspy.core.inventory import Channel, Inventory, Network, Site, Station
    from obspy.geodetics import locations2degrees
    from obspy.taup import TauPyModel

    rng = np.random.default_rng(seed)
    origin_time = UTCDateTime(2020, 1, 1, 12, 0, 0)
    origin = Origin(
        resource_id=ResourceIdentifier("smi:local/asdfkit/synthetic/origin/1"),
        time=origin_time,
        latitude=0.0,
        longitude=0.0,
        depth=10_000.0,
    )
    magnitude = Magnitude(mag=6.5, magnitude_type="Mw", origin_id=origin.resource_id)
    event = Event(resource_id=ResourceIdentifier(EVENT_ID), origins=[origin], magnitudes=[magnitude])
    event.preferred_origin_id = origin.resource_id
    event.preferred_magnitude_id = magnitude.resource_id
    taup = TauPyModel("iasp91")
    shifts = rng.uniform(-shift_range, shift_range, n)
    reversed_ = np.zeros(n, dtype=bool)
    reversed_[rng.choice(n, size=min(flipped, n), replace=False)] = True
    stations, stream = [], Stream()
    truth_shift, truth_flip, truth_distance = {}, {}, {}
    for k in range(n):
        distance_target = 30.0 + 60.0 * k / max(n - 1, 1)
        azimuth = np.radians(360.0 * k / n)
        lat = float(np.degrees(np.arcsin(np.sin(np.radians(distance_target)) * np.cos(azimuth))))
        lon = float(
            np.degrees(
                np.arctan2(
                    np.sin(np.radians(distance_target)) * np.sin(azimuth), np.cos(np.radians(distance_target))
                )
            )
        )
        distance = locations2degrees(0.0, 0.0, lat, lon)
        p_time = min(a.time for a in taup.get_travel_times(10.0, distance, ["ttp"]))
        name = f"S{k:03d}"
        channel = Channel("BHZ", "", lat, lon, 0.0, 0.0, azimuth=0.0, dip=-90.0, sample_rate=1.0 / delta)
        stations.append(Station(name, lat, lon, 0.0, channels=[channel], site=Site(name=f"synthetic {name}")))
        begin = np.floor(p_time - 60.0)
        time = begin + delta * np.arange(int(round(120.0 / delta)) + 1)
        data = ricker(time - (p_time + shifts[k]), 1.0) * (-1.0 if reversed_[k] else 1.0)
        data = data + rng.normal(0.0, 1.0 / snr, data.size)
        trace = Trace(
            data.astype(np.float32),
            header={
                "network": "XS",
                "station": name,
                "channel": "BHZ",
                "delta": delta,
                "starttime": origin_time + float(begin),
            },
        )
        stream.append(trace)
        seed_id = f"XS.{name}..BHZ"
        truth_shift[seed_id] = float(shifts[k])
        truth_flip[seed_id] = bool(reversed_[k])
        truth_distance[seed_id] = float(distance)
    inventory = Inventory(networks=[Network("XS", stations=stations)], source="asdfkit synthetic")
    with open_asdf(path, "w") as f:
        f.add_events(Catalog(events=[event]))
        f.add_stations(inventory)
        f.add_waveforms(stream, "synthetic", event_id=event.resource_id)
    return SyntheticEvent(EVENT_ID, truth_shift, truth_flip, truth_distance)
