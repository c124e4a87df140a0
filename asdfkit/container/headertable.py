"""Header tables: one row per trace from the header index, as a pandas DataFrame.

No samples are read unless amplitude statistics are asked for.  Columns:

``name, network, station, location, channel, tag, starttime, endtime``
(``datetime64[ns]``, UTC), ``starttime_ns, endtime_ns`` (int64), ``npts,
sampling_rate, duration_s, labels, groups, event_ids`` (comma-separated
text), ``station_latitude, station_longitude, station_elevation_m`` (NaN
without StationXML); with ``event=``: ``distance_km, azimuth, back_azimuth``
(:func:`obspy.geodetics.gps2dist_azimuth`, WGS84) and ``distance_deg``
(:func:`obspy.geodetics.locations2degrees`); with ``amplitudes=True``:
``amplitude_max`` (largest absolute value), ``amplitude_mean``,
``amplitude_rms``, read chunk by chunk.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import h5py
import numpy as np

from ..errors import MissingDependencyError, NotFoundError
from .index import HeaderIndex
from .tracecache import TraceAttrs

if TYPE_CHECKING:
    import pandas as pd
    from obspy.core.event import Event

__all__ = ["COLUMNS", "EVENT_COLUMNS", "AMPLITUDE_COLUMNS", "event_origin", "header_table", "require_pandas"]

COLUMNS = (
    "name", "network", "station", "location", "channel", "tag", "starttime", "endtime",
    "starttime_ns", "endtime_ns", "npts", "sampling_rate", "duration_s", "labels", "groups",
    "event_ids", "station_latitude", "station_longitude", "station_elevation_m",
)
EVENT_COLUMNS = ("distance_km", "azimuth", "back_azimuth", "distance_deg")
AMPLITUDE_COLUMNS = ("amplitude_max", "amplitude_mean", "amplitude_rms")
#: Samples read at a time for amplitude statistics.
CHUNK_SAMPLES = 1 << 20


def require_pandas() -> Any:
    """The pandas module, or :class:`MissingDependencyError` naming the extra that installs it."""
    try:
        import pandas
    except ImportError as exc:
        raise MissingDependencyError(
            "header tables need pandas: pip install 'asdfkit[align]' (the align extra brings it)"
        ) from exc
    return pandas


def event_origin(event: Event) -> tuple[float, float]:
    """``(latitude, longitude)`` of an event's preferred (else first) origin."""
    origin = event.preferred_origin() or (event.origins[0] if event.origins else None)
    if origin is None or origin.latitude is None or origin.longitude is None:
        raise NotFoundError(f"event {event.resource_id} has no origin with coordinates")
    return float(origin.latitude), float(origin.longitude)


def _distances(station_ids: np.ndarray, stations: dict[str, tuple[float, float, float]],
               origin: tuple[float, float]) -> dict[str, np.ndarray]:
    from obspy.geodetics import gps2dist_azimuth, locations2degrees

    unique, inverse = np.unique(station_ids.astype(str), return_inverse=True)
    table = np.full((len(unique), 4), np.nan)
    for i, sid in enumerate(unique):
        lat, lon, _ = stations.get(sid, (math.nan, math.nan, math.nan))
        if math.isnan(lat) or math.isnan(lon):
            continue
        metres, azimuth, back = gps2dist_azimuth(origin[0], origin[1], lat, lon)
        table[i] = (metres / 1000.0, azimuth, back, locations2degrees(origin[0], origin[1], lat, lon))
    rows = table[inverse.ravel()] if len(station_ids) else np.empty((0, 4))
    return {name: rows[:, k] for k, name in enumerate(EVENT_COLUMNS)}


def _amplitudes(h5: h5py.File, paths: Sequence[str], progress: bool) -> dict[str, np.ndarray]:
    from tqdm import tqdm

    out = np.full((len(paths), 3), np.nan)
    for i, path in enumerate(tqdm(paths, desc="amplitudes", unit="trace", disable=not progress)):
        dataset = h5[path]
        count = dataset.shape[0] if dataset.shape else 0
        peak, total, squares = 0.0, 0.0, 0.0
        for first in range(0, count, CHUNK_SAMPLES):
            block = np.asarray(dataset[first:first + CHUNK_SAMPLES], dtype=np.float64)
            peak = max(peak, float(np.abs(block).max()))
            total += float(block.sum())
            squares += float(np.square(block).sum())
        if count:
            out[i] = (peak, total / count, math.sqrt(squares / count))
    return {name: out[:, k] for k, name in enumerate(AMPLITUDE_COLUMNS)}


def header_table(
    index: HeaderIndex,
    rows: np.ndarray,
    attrs: TraceAttrs,
    groups_of: Callable[[list[str]], dict[str, list[str]]],
    *,
    origin: tuple[float, float] | None = None,
    h5: h5py.File | None = None,
    amplitudes: bool = False,
    progress: bool = False,
) -> pd.DataFrame:
    """The DataFrame of the index rows ``rows`` (see the module docstring for the columns)."""
    pd = require_pandas()
    names = [index.names[i] for i in rows]
    codes = [index.codes[i] for i in rows]
    start = index.start[rows]
    end = index.end()[rows] if len(index) else np.empty(0, np.int64)
    npts = index.npts[rows]
    rate = index.rate[rows]
    values = attrs.values
    empty = ("", "")
    pairs = [values.get(n, empty) for n in names]
    network = np.array([c[0] for c in codes], dtype=object)
    station = np.array([c[1] for c in codes], dtype=object)
    station_ids = np.array([f"{c[0]}.{c[1]}" for c in codes], dtype=object)
    coords = attrs.stations or {}
    unique, inverse = np.unique(station_ids.astype(str), return_inverse=True)
    nan3 = (math.nan, math.nan, math.nan)
    per_station = np.array([coords.get(s, nan3) for s in unique], dtype=np.float64).reshape(-1, 3)
    located = per_station[inverse.ravel()] if len(names) else np.empty((0, 3))
    membership = groups_of(names)
    columns: dict[str, Any] = {
        "name": names,
        "network": network,
        "station": station,
        "location": [c[2] for c in codes],
        "channel": [c[3] for c in codes],
        "tag": [c[4] for c in codes],
        "starttime": pd.to_datetime(start, unit="ns"),
        "endtime": pd.to_datetime(end, unit="ns"),
        "starttime_ns": start,
        "endtime_ns": end,
        "npts": npts,
        "sampling_rate": rate,
        "duration_s": (end - start) / 1e9,
        "labels": [p[0] for p in pairs],
        "groups": [",".join(membership.get(n, ())) for n in names],
        "event_ids": [p[1] for p in pairs],
        "station_latitude": located[:, 0],
        "station_longitude": located[:, 1],
        "station_elevation_m": located[:, 2],
    }
    if origin is not None:
        columns.update(_distances(station_ids, coords, origin))
    if amplitudes:
        if h5 is None:
            raise ValueError("amplitudes need the open HDF5 file")
        paths = [f"/Waveforms/{sid}/{n}" for sid, n in zip(station_ids, names, strict=True)]
        columns.update(_amplitudes(h5, paths, progress))
    return pd.DataFrame(columns)
