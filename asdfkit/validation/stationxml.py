"""StationXML per station: FDSN StationXML of a known version, valid, its own station only,
covering the channels, epochs and sampling rates of the station's traces."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from lxml import etree

from ..container.inspect import Inspector, Node
from ..errors import InvalidTimeError
from ..times import format_name_time, to_ns
from ..xmlsafe import root_tag
from . import xmldocs
from .context import Context

__all__ = ["Coverage", "check_stationxml"]

NS = "http://www.fdsn.org/xml/station/1"
VERSIONS = ("1.0", "1.1", "1.2")
_NETWORK, _STATION, _CHANNEL, _RATE = (f"{{{NS}}}{t}" for t in ("Network", "Station", "Channel", "SampleRate"))
#: Slack when comparing trace spans with channel epochs (dates are often whole seconds).
EPOCH_SLACK_NS = 1_000_000_000
#: Relative difference below which two sampling rates are equal.
RATE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Epoch:
    start: int | None  # ns; None: unbounded or unreadable
    end: int | None
    rate: float | None


def _iso(ns: int | None) -> str:
    if ns is None:
        return "open"
    try:
        return format_name_time(ns, nanoseconds=False)
    except (OverflowError, ValueError):
        return f"{ns} ns"


@dataclass
class Coverage:
    """The channel epochs of one station, to check its traces against, one at a time."""

    station: str
    path: str
    channels: dict[tuple[str, str], list[Epoch]] = field(default_factory=dict)

    def check(self, trace_path: str, location: str, channel: str, start: int, end: int,
              rate: float, ctx: Context) -> None:
        """ASDF-STXML-005/006/007 for one trace spanning ``start``..``end`` (ns)."""
        epochs = self.channels.get((location, channel))
        if not epochs:
            ctx.add("ASDF-STXML-005", trace_path,
                    f"channel {self.station}.{location}.{channel} is not in the station's StationXML")
            return
        if not _covered(epochs, start, end):
            spans = ", ".join(f"{_iso(e.start)} - {_iso(e.end)}" for e in epochs[:5])
            ctx.add("ASDF-STXML-006", trace_path,
                    f"trace spans {_iso(start)} - {_iso(end)}; no epoch of channel "
                    f"{self.station}.{location}.{channel} covers it (epochs: {spans})")
            return
        rates = {e.rate for e in epochs if e.rate is not None and _overlaps(e, start, end)}
        if rates and not any(math.isclose(rate, r, rel_tol=RATE_TOLERANCE) for r in rates):
            shown = ", ".join(f"{r:g}" for r in sorted(rates))
            ctx.add("ASDF-STXML-007", trace_path,
                    f"sampling_rate {rate:g} Hz differs from the StationXML SampleRate {shown} Hz "
                    f"of channel {self.station}.{location}.{channel}")


def _overlaps(epoch: Epoch, start: int, end: int) -> bool:
    return (epoch.start is None or epoch.start <= end) and (epoch.end is None or epoch.end >= start)


def _covered(epochs: list[Epoch], start: int, end: int) -> bool:
    """Whether the union of the epochs covers ``start``..``end`` (with slack at the joins)."""
    reached = start  # everything before ``reached`` is covered
    for epoch in sorted(epochs, key=lambda e: -math.inf if e.start is None else e.start):
        if epoch.start is not None and epoch.start > reached + EPOCH_SLACK_NS:
            return False  # a gap: later epochs start later still
        if epoch.end is None:
            return True
        reached = max(reached, epoch.end)
        if reached + EPOCH_SLACK_NS >= end:
            return True
    return False


def _date(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return to_ns(text.strip())
    except InvalidTimeError:
        return None  # the XSD check reports it; treat as unbounded


def _rate(channel: etree._Element) -> float | None:
    text = channel.findtext(_RATE)
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) and value > 0 else None


def check_stationxml(h5: Inspector, node: Node, station: str, ctx: Context) -> Coverage | None:
    """Check a station's StationXML; return its channel coverage, or None if unusable.

    Rules: ASDF-XML-*, ASDF-STXML-002 (root, version), ASDF-STXML-003 (XSD),
    ASDF-STXML-004 (own station only).
    """
    ctx.count("stationxml documents")
    root = xmldocs.load(h5, node, ctx, "StationXML")
    if root is None:
        return None
    namespace, local = root_tag(root)
    if (namespace, local) != (NS, "FDSNStationXML"):
        ctx.add("ASDF-STXML-002", node.path,
                f"root element is {{{namespace}}}{local}: must be {{{NS}}}FDSNStationXML")
        return None
    version = (root.get("schemaVersion") or "").strip()
    if version not in VERSIONS:
        ctx.add("ASDF-STXML-008", node.path,
                f"schemaVersion {version!r} is not one of {', '.join(VERSIONS)}: the document is used "
                "without an XSD check")
    elif ctx.enabled("ASDF-STXML-003"):
        errors = xmldocs.schema_errors(f"stationxml-{version}", root)
        if errors:
            ctx.add("ASDF-STXML-003", node.path, f"not valid against the StationXML {version} XSD: {errors}")
    coverage = Coverage(station, node.path)
    others: set[str] = set()
    own = False
    for network in root.iterchildren(_NETWORK):
        for element in network.iterchildren(_STATION):
            sid = f"{network.get('code', '')}.{element.get('code', '')}"
            if sid != station:
                others.add(sid)
                continue
            own = True
            for channel in element.iterchildren(_CHANNEL):
                location = channel.get("locationCode", "").strip()
                key = ("" if location == "--" else location, channel.get("code", "").strip())
                epoch = Epoch(_date(channel.get("startDate")), _date(channel.get("endDate")), _rate(channel))
                coverage.channels.setdefault(key, []).append(epoch)
    if others:
        ctx.add("ASDF-STXML-004", node.path,
                f"describes station(s) {', '.join(sorted(others)[:10])}: the StationXML of {station} "
                "must hold only that station")
    if not own:
        ctx.add("ASDF-STXML-004", node.path, f"does not describe station {station}")
        return None
    return coverage
