"""/Waveforms: station groups and trace datasets, one station at a time (streaming).

A station's StationXML is checked first, so each trace is checked against it
as soon as it is read and nothing per trace is kept.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Container

from ..container.inspect import DATASET, GROUP, Inspector, Node
from ..spec import STATIONXML_NAME
from ..times import end_ns, format_name_time
from .attributes import ascii_id, describe, labels
from .context import ID_TARGETS, Context
from .provenance import check_provenance_id
from .quakeml import resolve_event_ids
from .stationxml import Coverage, check_stationxml
from .structure import check_link
from .xmldocs import check_unknown_attrs

__all__ = ["check_waveforms"]

WAVEFORM_ATTRS = frozenset(
    {"starttime", "sampling_rate", "provenance_id", "labels", *ID_TARGETS}
)
#: Filters that ship with the HDF5 library: deflate, shuffle, fletcher32, szip, nbit, scaleoffset.
STANDARD_FILTERS = frozenset({1, 2, 3, 4, 5, 6})
_NS = 1_000_000_000
#: Tolerance between a name's times and the attributes (float-rounding writers such as pyasdf).
TIME_TOLERANCE_NS = 1_000
_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{9}))?")


def check_waveforms(h5: Inspector, group: Node, ctx: Context,
                    stations: Container[str] | None = None, others: bool = True) -> None:
    """Check every station group under /Waveforms (rules ASDF-NAME-*, ASDF-WAVE-*, ASDF-STXML-*).

    ``stations`` limits the check to those station groups, and ``others``
    says whether members that are not groups are checked (parallel runs
    split the stations between processes).
    """
    for station in h5.children(group, values=(), expect=GROUP):
        if stations is not None and (station.name not in stations if station.kind == GROUP else not others):
            continue
        if not check_link(station, ctx):
            continue
        if station.kind != GROUP:
            ctx.add("ASDF-WAVE-001", station.path,
                    f"/Waveforms holds only station groups; {station.name!r} is a {station.kind}")
            continue
        _station(h5, station, ctx)


def _station(h5: Inspector, station: Node, ctx: Context) -> None:
    ctx.count("stations")
    name = station.name
    if not ctx.spec.station_rule.matches(name):
        ctx.add("ASDF-NAME-001", station.path,
                f"invalid station group name {name!r}: must match {ctx.spec.station_rule.pattern}")
    check_unknown_attrs(station, ctx, ())
    coverage: Coverage | None = None
    stationxml = h5.child(station, STATIONXML_NAME, values=())
    if stationxml is not None and check_link(stationxml, ctx):
        if ctx.wants("ASDF-STXML") or ctx.wants("ASDF-XML"):
            coverage = check_stationxml(h5, stationxml, name, ctx)
    traces = 0
    filters = ctx.enabled("ASDF-FILE-007")
    for node in h5.children(station, values=WAVEFORM_ATTRS, filters=filters, skip=(STATIONXML_NAME,)):
        if not check_link(node, ctx):
            continue
        if node.kind != DATASET:
            ctx.add("ASDF-WAVE-001", node.path,
                    f"a station group holds only StationXML and waveform datasets; {node.name!r} is a {node.kind}")
            continue
        traces += 1
        _trace(node, name, coverage, ctx)
    if traces and stationxml is None:
        ctx.add("ASDF-STXML-001", station.path, f"station {name} has {traces} trace(s) but no StationXML")


def _trace(node: Node, station: str, coverage: Coverage | None, ctx: Context) -> None:
    ctx.count("traces")
    path, name, spec = node.path, node.name, ctx.spec
    if not spec.trace_rule.matches(name):
        ctx.add("ASDF-NAME-002", path,
                f"invalid waveform name {name!r} for ASDF {spec.version}: must match {spec.trace_rule.pattern}")
    parts = name.split("__")
    seed = parts[0].split(".") if len(parts) == 4 else []
    if len(parts) == 4 and parts[3] == STATIONXML_NAME:
        ctx.add("ASDF-NAME-003", path, "invalid tag 'StationXML': the name is reserved")
    if len(seed) == 4 and f"{seed[0]}.{seed[1]}" != station:
        ctx.add("ASDF-NAME-004", path, f"trace of station {seed[0]}.{seed[1]} is in station group {station}")
    if node.dtype is None or not spec.allows_dtype(node.dtype):
        found = node.dtype if node.dtype is not None else node.type_class
        ctx.add("ASDF-WAVE-002", path,
                f"invalid waveform dtype {found}: ASDF {spec.version} allows {spec.dtype_names}")
    npts: int | None = None
    if node.shape is None or len(node.shape) != 1:
        ctx.add("ASDF-WAVE-003", path, f"waveform data has shape {node.shape}: must be 1-D")
    else:
        npts = node.shape[0]
        if npts == 0:
            ctx.add("ASDF-WAVE-008", path, "the trace holds no samples")
    odd = [code for code in node.filters if code not in STANDARD_FILTERS]
    if odd:
        ctx.add("ASDF-FILE-007", path,
                f"filter id(s) {odd} do not ship with HDF5: other readers cannot decode the data")
    start = _starttime(node, ctx)
    rate = _sampling_rate(node, ctx)
    for info in node.attrs:
        attribute = info.name
        if attribute in ID_TARGETS:
            text = ascii_id(path, info, ctx, listing=True)
            if text is not None:
                resolve_event_ids(path, attribute, text, ctx)
        elif attribute == "labels":
            labels(path, info, ctx)
        elif attribute not in WAVEFORM_ATTRS:
            ctx.add("ASDF-ATTR-001", path, f"unknown attribute {attribute!r}")
    check_provenance_id(path, node, ctx)
    if start is None:
        return
    end = start if rate is None or not npts else end_ns(start, npts, rate)
    if len(parts) == 4:
        _name_time(path, parts[1], start, "start", "starttime attribute", "ASDF-WAVE-006", ctx)
        if rate is not None and npts:
            _name_time(path, parts[2], end, "end", "time of the last sample", "ASDF-WAVE-007", ctx)
    if coverage is not None and rate is not None and npts and len(seed) == 4:
        coverage.check(path, seed[2], seed[3], start, end, rate, ctx)


def _starttime(node: Node, ctx: Context) -> int | None:
    info = node.attr("starttime")
    if info is None:
        ctx.add("ASDF-WAVE-004", node.path, "missing attribute 'starttime' (int64 ns since 1970)")
        return None
    if info.error:
        ctx.add("ASDF-FILE-002", node.path, info.error)
        return None
    dtype = info.dtype
    if dtype is None or dtype.kind != "i" or dtype.itemsize != 8 or not info.is_scalar or not info.read:
        ctx.add("ASDF-WAVE-004", node.path, f"starttime is {describe(info)}: must be a scalar int64")
        return None
    return int(info.value)


def _sampling_rate(node: Node, ctx: Context) -> float | None:
    info = node.attr("sampling_rate")
    if info is None:
        ctx.add("ASDF-WAVE-005", node.path, "missing attribute 'sampling_rate' (float64 Hz)")
        return None
    if info.error:
        ctx.add("ASDF-FILE-002", node.path, info.error)
        return None
    dtype = info.dtype
    if dtype is None or dtype.kind != "f" or dtype.itemsize != 8 or not info.is_scalar or not info.read:
        ctx.add("ASDF-WAVE-005", node.path, f"sampling_rate is {describe(info)}: must be a scalar float64")
        return None
    rate = float(info.value)
    if not math.isfinite(rate) or rate <= 0:
        ctx.add("ASDF-WAVE-005", node.path, f"sampling_rate is {rate!r}: must be finite and > 0")
        return None
    return rate


def _parse_name_time(text: str) -> tuple[int, bool] | None:
    """``(ns, has_nanoseconds)`` of a time in a waveform name, or None if it is not one."""
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    if year < 1 or not 1 <= month <= 12:
        return None  # not a date (other fields overflow linearly, as timegm does)
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    frac = match.group(7)
    return seconds * _NS + (int(frac) if frac else 0), frac is not None


def _name_time(path: str, text: str, actual: int, which: str, what: str, rule: str, ctx: Context) -> None:
    parsed = _parse_name_time(text)
    if parsed is None:
        return  # not a time at all: ASDF-NAME-002 already says so
    named, exact = parsed
    if exact:
        agrees = abs(named - actual) <= TIME_TOLERANCE_NS
    else:  # the name truncates to whole seconds
        agrees = named - TIME_TOLERANCE_NS <= actual < named + _NS + TIME_TOLERANCE_NS
    if not agrees:
        ctx.add(rule, path, f"the name's {which} time {text} disagrees with the {what} "
                f"{_shown(actual)} ({actual} ns)")


def _shown(ns: int) -> str:
    try:
        return format_name_time(ns, nanoseconds=True)
    except (OverflowError, ValueError):
        return "out of range"
