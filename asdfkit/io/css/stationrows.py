"""ObsPy Inventory → site and sitechan rows (the inverse of ``stations``).

Station and channel epochs become day numbers (``ondate``/``offdate``, the
last day of operation inclusive), coordinates are rounded to the columns
(1e-4°, 0.1 m), and a channel keeps only its depth and orientation: CSS has
no per-channel position.  Every channel epoch also gets a sensor row, whose
``time``/``endtime`` keep the epoch's exact times (the reader uses them), and
an instrument row.  A channel's sensitivity goes into the wfdisc rows of its
waveforms (``calib``/``calper``) and, so that channels without waveforms keep
it too, into that instrument row (``ncalib``/``ncalper``/``rsptype``).
Anything else a channel holds is named in the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from obspy import Inventory, UTCDateTime
from obspy.core.inventory import Channel, Station

from .instruments import calib_from_sensitivity
from .naming import NameAllocator
from .report import CssReport

__all__ = ["StationRows", "jdate"]


def jdate(time: UTCDateTime | None, end: bool = False) -> int | None:
    """``YYYYDDD`` of a time; with ``end``, of the last day it still covers."""
    if time is None:
        return None
    if end:  # UTCDateTime's calendar fields round to microseconds
        time = UTCDateTime(ns=time.ns - 1000)
    return time.year * 1000 + time.julday


@dataclass
class _Epoch:
    start_ns: int | None
    end_ns: int | None
    calib: tuple[float, float, str] | None
    chanid: int


@dataclass
class StationRows:
    """Collects site/sitechan rows and what traces need from the inventory."""

    names: NameAllocator
    report: CssReport
    site: list[dict[str, Any]] = field(default_factory=list)
    sitechan: list[dict[str, Any]] = field(default_factory=list)
    instrument: list[dict[str, Any]] = field(default_factory=list)
    sensor: list[dict[str, Any]] = field(default_factory=list)
    coordinates: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    epochs: dict[tuple[str, str, str, str], list[_Epoch]] = field(default_factory=dict)
    networks: dict[str, str] = field(default_factory=dict)

    def add(self, inventory: Inventory) -> None:
        for network in sorted(inventory.networks, key=lambda n: n.code):
            if network.description:
                self.networks.setdefault(network.code, network.description)
            for station in sorted(network.stations, key=lambda s: (s.code, s.start_date or UTCDateTime(0))):
                self._station(network.code, station)

    def _station(self, net: str, station: Station) -> None:
        sta = self.names.station(net, station.code)
        subject = f"{net}.{station.code}"
        self.coordinates.setdefault((net, station.code), (station.latitude, station.longitude))
        name = (station.site.name if station.site and station.site.name else "") or None
        if name and len(name) > 50:
            self.report.warn("truncated", f"station {subject}: site name cut to 50 characters", once=("name", subject))
            name = name[:50]
        self.site.append({
            "sta": sta, "ondate": jdate(station.start_date), "offdate": jdate(station.end_date, end=True),
            "lat": station.latitude, "lon": station.longitude,
            "elev": None if station.elevation is None else station.elevation / 1000.0,
            "staname": name, "statype": "ss", "dnorth": 0.0, "deast": 0.0,
        })
        self.report.counts["stations"] += 1
        for channel in sorted(station.channels, key=lambda c: (c.location_code, c.code, c.start_date or UTCDateTime(0))):
            self._channel(net, station, sta, channel)

    def _channel(self, net: str, station: Station, sta: str, channel: Channel) -> None:
        chan = self.names.channel(sta, channel.location_code, channel.code)
        subject = f"{net}.{station.code}.{channel.location_code}.{channel.code}"
        depth = channel.depth or 0.0
        if (channel.latitude, channel.longitude) != (station.latitude, station.longitude):
            self.report.warn("lost", f"channel {subject}: its own latitude/longitude (CSS keeps the station's)",
                             once=("pos", subject))
        if channel.elevation is not None and station.elevation is not None and \
                abs(channel.elevation - (station.elevation - depth)) > 0.05:
            self.report.warn("lost", f"channel {subject}: elevation {channel.elevation} m is not station elevation "
                             f"- depth; CSS derives it", once=("elev", subject))
        response = channel.response
        calib = calib_from_sensitivity(response.instrument_sensitivity) if response else None
        if response is not None and response.response_stages:
            self.report.warn("lost", f"channel {subject}: response stages (CSS keeps only calib/calper)",
                             once=("resp", subject))
        elif response is not None and response.instrument_sensitivity is not None and calib is None:
            self.report.warn("lost", f"channel {subject}: sensitivity in {response.instrument_sensitivity.input_units} "
                             "(calib holds nm, nm/s or nm/s**2 per count)", once=("units", subject))
        chanid = len(self.sitechan) + 1
        self.sitechan.append({
            "sta": sta, "chan": chan, "ondate": jdate(channel.start_date), "chanid": chanid,
            "offdate": jdate(channel.end_date, end=True), "ctype": "n", "edepth": depth / 1000.0,
            "hang": channel.azimuth, "vang": None if channel.dip is None else channel.dip + 90.0,
            "descrip": (channel.description or None) and channel.description[:50],
        })
        # Every channel epoch gets an instrument and a sensor row: the sensor row keeps the epoch's
        # exact times (sitechan has whole days) and the instrument its nominal calib, for channels
        # without waveforms (null when the sensitivity can't be a calib).
        inid = len(self.instrument) + 1
        self.instrument.append({
            "inid": inid, "insname": ((channel.sensor.description if channel.sensor else None) or "")[:50] or None,
            "band": channel.code[:1].lower(), "digital": "d", "samprate": channel.sample_rate,
            "ncalib": calib[0] if calib else None, "ncalper": calib[1] if calib else None,
            "rsptype": calib[2] if calib else None,
        })
        self.sensor.append({
            "sta": sta, "chan": chan, "time": channel.start_date.ns if channel.start_date else None,
            "endtime": channel.end_date.ns if channel.end_date else None, "inid": inid, "chanid": chanid,
            "jdate": jdate(channel.start_date), "calratio": 1.0, "calper": calib[1] if calib else None,
            "tshift": 0.0, "instant": "y",
        })
        key = (net, station.code, channel.location_code, channel.code)
        self.epochs.setdefault(key, []).append(_Epoch(
            None if channel.start_date is None else channel.start_date.ns,
            None if channel.end_date is None else channel.end_date.ns, calib, chanid,
        ))
        self.report.counts["channels"] += 1

    def lookup(self, key: tuple[str, str, str, str], time_ns: int) -> tuple[int | None, tuple[float, float, str] | None]:
        """``(chanid, (calib, calper, segtype))`` of the channel epoch covering ``time_ns``."""
        for epoch in self.epochs.get(key, []):
            if (epoch.start_ns is None or epoch.start_ns <= time_ns) and (epoch.end_ns is None or time_ns < epoch.end_ns):
                return epoch.chanid, epoch.calib
        return None, None
