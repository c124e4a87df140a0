"""Station and event metadata from simple JSON files (AIMBAT's formats).

An event is ``{"time", "latitude", "longitude", "depth"}`` (depth in km); a
station is ``{"name", "network", "location", "channel", "latitude",
"longitude", "elevation"}`` (elevation in m).  A file holds one object, a list
of them, or ``{"events": [...], "stations": [...]}``.

Hostile files are refused with an :class:`~asdfkit.errors.InvalidValueError`
naming the file and the rule: ``NaN``/``Infinity`` (not JSON), numbers of more
than 40 characters, nesting deeper than the parser takes, codes that break the
ASDF/SEED rules (a NUL in a station name), depths outside -10 to 6371 km and
elevations outside -12,000 to 9,000 m.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

from obspy import Inventory, UTCDateTime
from obspy.core.event import Catalog, Event, Origin, ResourceIdentifier
from obspy.core.inventory import Channel, Network, Site, Station

from ..errors import InvalidValueError
from ..naming import StationId, check_codes

__all__ = ["read_json_metadata"]

_EVENT_KEYS = {"time", "latitude", "longitude"}
_STATION_KEYS = {"name", "network", "latitude", "longitude"}
MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_NUMBER_CHARS = 40  # a float64 needs 17 significant digits and an exponent
DEPTH_KM = (-10.0, 6371.0)
ELEVATION_M = (-12000.0, 9000.0)


def _number_text(text: str) -> str:
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"a number of {len(text)} characters (rule: at most {MAX_NUMBER_CHARS})")
    return text


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _loads(text: str, path: Path) -> Any:
    """``json.loads`` refusing NaN/Infinity, overlong numbers and nesting deeper than Python's stack."""
    try:
        return json.loads(text, parse_constant=_not_json,
                          parse_int=lambda t: int(_number_text(t)),
                          parse_float=lambda t: float(_number_text(t)))
    except json.JSONDecodeError as exc:
        raise InvalidValueError(f"{path} is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise InvalidValueError(f"{path} is not metadata JSON: nested deeper than the parser allows") from exc
    except ValueError as exc:
        raise InvalidValueError(f"{path} is not metadata JSON: {exc}") from exc


def _number(obj: dict[str, Any], key: str, where: str, default: float | None = None,
            limits: tuple[float, float] | None = None, unit: str = "") -> float:
    value = obj.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidValueError(f"invalid {key} {value!r} in {where}: must be a number")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidValueError(f"invalid {key} {value!r} in {where}: must be a finite number")
    if limits is not None and not limits[0] <= number <= limits[1]:
        raise InvalidValueError(f"invalid {key} {value!r} in {where}: must be within {limits[0]:g} to "
                                f"{limits[1]:g}{unit}")
    return number


def _coordinates(obj: dict[str, Any], where: str) -> tuple[float, float]:
    lat, lon = _number(obj, "latitude", where), _number(obj, "longitude", where)
    if not -90.0 <= lat <= 90.0:
        raise InvalidValueError(f"invalid latitude {lat} in {where}: must be within -90 to 90 degrees")
    if not -180.0 <= lon <= 180.0:
        raise InvalidValueError(f"invalid longitude {lon} in {where}: must be within -180 to 180 degrees")
    return lat, lon


def _event(obj: dict[str, Any], where: str) -> Event:
    try:
        time = UTCDateTime(obj["time"])
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidValueError(f"invalid time {obj.get('time')!r} in {where}: {exc}") from exc
    lat, lon = _coordinates(obj, where)
    key = hashlib.sha1(f"{time.ns}|{lat}|{lon}".encode()).hexdigest()[:16]
    origin = Origin(resource_id=ResourceIdentifier(f"smi:local/asdfkit/json/origin/{key}"),
                    time=time, latitude=lat, longitude=lon)
    if obj.get("depth") is not None:
        origin.depth = _number(obj, "depth", where, limits=DEPTH_KM, unit=" km") * 1000.0
    event = Event(resource_id=ResourceIdentifier(f"smi:local/asdfkit/json/event/{key}"), origins=[origin])
    event.preferred_origin_id = origin.resource_id
    return event


def _station(obj: dict[str, Any], where: str) -> tuple[str, Station]:
    lat, lon = _coordinates(obj, where)
    elevation = _number(obj, "elevation", where, 0.0, limits=ELEVATION_M, unit=" m")
    try:
        StationId.from_codes(str(obj["network"]), str(obj["name"]))
        if obj.get("channel"):
            check_codes(str(obj["network"]), str(obj["name"]), str(obj.get("location") or ""), str(obj["channel"]))
    except InvalidValueError as exc:
        raise InvalidValueError(f"{where}: {exc}") from exc
    channels = []
    if obj.get("channel"):
        channels.append(Channel(code=str(obj["channel"]), location_code=str(obj.get("location") or ""),
                                latitude=lat, longitude=lon, elevation=elevation, depth=0.0))
    station = Station(code=str(obj["name"]), latitude=lat, longitude=lon, elevation=elevation,
                      site=Site(name=str(obj["name"])), channels=channels)
    return str(obj["network"]), station


def _add(stations: dict[tuple[str, str], Station], network: str, station: Station, where: str) -> None:
    """One Station per network and code: the channels of further items join it."""
    have = stations.get((network, station.code))
    if have is None:
        stations[(network, station.code)] = station
        return
    if (have.latitude, have.longitude, have.elevation) != (station.latitude, station.longitude, station.elevation):
        raise InvalidValueError(
            f"station {network}.{station.code} in {where} has other coordinates than before "
            f"({station.latitude}, {station.longitude}, {station.elevation} vs "
            f"{have.latitude}, {have.longitude}, {have.elevation})"
        )
    known = {(c.location_code, c.code) for c in have.channels}
    have.channels.extend(c for c in station.channels if (c.location_code, c.code) not in known)


def read_json_metadata(path: Path) -> tuple[Catalog, Inventory]:
    """Events and stations of one JSON file."""
    if path.stat().st_size > MAX_JSON_BYTES:
        raise InvalidValueError(f"{path} is larger than {MAX_JSON_BYTES} bytes; not a metadata file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidValueError(f"{path} is not valid JSON: {exc}") from exc
    data = _loads(text, path)
    if isinstance(data, dict) and ("events" in data or "stations" in data):
        items = [*data.get("events", []), *data.get("stations", [])]
    else:
        items = data if isinstance(data, list) else [data]
    catalog = Catalog()
    stations: dict[tuple[str, str], Station] = {}
    for number, obj in enumerate(items):
        where = f"{path} item {number}"
        if not isinstance(obj, dict):
            raise InvalidValueError(f"invalid metadata {obj!r} in {where}: must be an object")
        if _EVENT_KEYS <= obj.keys():
            catalog.events.append(_event(obj, where))
        elif _STATION_KEYS <= obj.keys():
            _add(stations, *_station(obj, where), where)
        else:
            raise InvalidValueError(
                f"unrecognised metadata in {where}: an event needs {sorted(_EVENT_KEYS)}, "
                f"a station {sorted(_STATION_KEYS)}"
            )
    networks: dict[str, Network] = {}
    for (net, _), station in stations.items():
        networks.setdefault(net, Network(code=net)).stations.append(station)
    return catalog, Inventory(networks=list(networks.values()), source="asdfkit (from JSON)")
