"""Where each trace of an event sits (distance, azimuth) and the one sort order every figure uses.

Example
-------
>>> order_by("cc", cc=[0.2, 0.9, 0.5], distance=[10.0, 20.0, 30.0], azimuth=[0.0, 0.0, 0.0])
[1, 2, 0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from obspy.core.event import Origin

from ..container import ASDFFile

__all__ = ["SORT_ORDERS", "Geometry", "geometry_of", "order_by", "where"]

#: The sort orders of the section and the picker.
SORT_ORDERS = ("distance", "cc", "azimuth")


@dataclass(frozen=True)
class Geometry:
    """Epicentral distance (degrees) and source-to-station azimuth (degrees) per trace; NaN if unknown."""

    distance: tuple[float, ...]
    azimuth: tuple[float, ...]


def geometry_of(f: ASDFFile, origin: Origin, seed_ids: Sequence[str]) -> Geometry:
    """Distance and azimuth of each trace's station from the origin (StationXML coordinates)."""
    from obspy.geodetics import gps2dist_azimuth, kilometers2degrees

    known = set(f.stations_with_stationxml)
    distance, azimuth = [], []
    for seed_id in seed_ids:
        station = ".".join(seed_id.split(".")[:2])
        coords = f.get_coordinates(station) if station in known else None
        lat = coords.get("latitude") if coords else None
        lon = coords.get("longitude") if coords else None
        if lat is None or lon is None or origin.latitude is None or origin.longitude is None:
            distance.append(math.nan)
            azimuth.append(math.nan)
            continue
        metres, az, _ = gps2dist_azimuth(origin.latitude, origin.longitude, lat, lon)
        distance.append(float(kilometers2degrees(metres / 1000.0)))
        azimuth.append(float(az))
    return Geometry(tuple(distance), tuple(azimuth))


def order_by(
    key: str, *, cc: Sequence[float], distance: Sequence[float], azimuth: Sequence[float]
) -> list[int]:
    """Trace indices in display order: distance and azimuth ascending, cc descending; NaN last."""
    if key not in SORT_ORDERS:
        from ..errors import InvalidValueError

        raise InvalidValueError(f"invalid sort order {key!r}: must be one of {', '.join(SORT_ORDERS)}")
    values = {"distance": distance, "azimuth": azimuth, "cc": [-c for c in cc]}[key]

    def rank(i: int) -> tuple[bool, float, int]:
        v = float(values[i])
        return (not math.isfinite(v), v if math.isfinite(v) else 0.0, i)

    return sorted(range(len(values)), key=rank)


def where(geometry: Geometry, i: int) -> str:
    """``"1.3° az 331°"`` for trace ``i`` (two decimals below 1°), or ``""`` when unknown.

    Example
    -------
    >>> where(Geometry((0.018, 12.34), (57.2, 331.0)), 0), where(Geometry((0.018, 12.34), (57.2, 331.0)), 1)
    ('0.02° az 57°', '12.3° az 331°')
    """
    distance = geometry.distance[i]
    if not math.isfinite(distance):
        return ""
    text = f"{distance:.2f}°" if distance < 1.0 else f"{distance:.1f}°"
    return f"{text} az {geometry.azimuth[i]:.0f}°"
