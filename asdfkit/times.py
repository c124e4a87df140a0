"""Exact times: UTC nanoseconds since 1970 as Python integers.

ASDF stores a trace's start as an int64 count of nanoseconds.  Everything here
works on integers (and exact fractions for the sampling interval) so no time
is ever rounded through float64.
"""

from __future__ import annotations

import datetime as _dt
from fractions import Fraction
from typing import Any

from obspy import UTCDateTime

from .errors import InvalidTimeError

__all__ = ["end_ns", "format_name_time", "to_ns", "to_utc"]

_NS_PER_S = 1_000_000_000
_INT64_MAX = 2**63 - 1
_EPOCH = _dt.datetime(1970, 1, 1)
# The waveform-name regex accepts years 1800-2199.
_NAME_MIN_NS = int((_dt.datetime(1800, 1, 1) - _EPOCH).total_seconds()) * _NS_PER_S
_NAME_MAX_NS = int((_dt.datetime(2200, 1, 1) - _EPOCH).total_seconds()) * _NS_PER_S - 1


def to_ns(value: Any) -> int:
    """Convert a time to integer UTC nanoseconds without float rounding.

    Parameters
    ----------
    value : UTCDateTime, datetime, str, int or float
        ``int`` is taken as nanoseconds; ``float`` as seconds (its float
        precision is the caller's choice); strings go through ``UTCDateTime``
        (which parses at most microseconds: give nanoseconds as ``int``).

    Examples
    --------
    >>> to_ns(UTCDateTime(ns=1369374000000000001))
    1369374000000000001
    >>> to_ns("2013-05-24T05:40:00.000001")
    1369374000000001000
    """
    if isinstance(value, bool):
        raise InvalidTimeError(f"invalid time {value!r}: must be a time, not a bool")
    if isinstance(value, UTCDateTime):
        return int(value.ns)
    if isinstance(value, int):
        return value
    try:
        return int(UTCDateTime(value).ns)
    except (TypeError, ValueError) as exc:
        raise InvalidTimeError(f"invalid time {value!r}: {exc}") from exc


def to_utc(ns: int) -> UTCDateTime:
    """Return the ``UTCDateTime`` of integer nanoseconds (exact)."""
    return UTCDateTime(ns=int(ns))


def end_ns(start_ns: int, npts: int, sampling_rate: float) -> int:
    """Time of the last sample, rounded to the nearest nanosecond.

    The interval is computed with the exact rational value of the float
    ``sampling_rate``.
    """
    if npts <= 1:
        return int(start_ns)
    rate = float(sampling_rate)
    if rate.is_integer():  # the common case, in integers: same rounding as Fraction (half to even)
        quotient, remainder = divmod((npts - 1) * _NS_PER_S, int(rate))
        twice, divisor = 2 * remainder, int(rate)
        if twice > divisor or (twice == divisor and quotient % 2):
            quotient += 1
        return int(start_ns) + quotient
    return int(start_ns) + round(Fraction(npts - 1) * _NS_PER_S / Fraction(rate))


def check_storable(ns: int, what: str = "starttime") -> int:
    """Refuse times a trace name (years 1800-2199, within int64 nanoseconds) cannot hold."""
    if not _NAME_MIN_NS <= ns <= _NAME_MAX_NS:
        raise InvalidTimeError(
            f"invalid {what} {_describe(ns)}: ASDF waveform names only hold years 1800-2199"
        )
    return ns


def _describe(ns: int) -> str:
    try:
        return (_EPOCH + _dt.timedelta(microseconds=ns // 1000)).isoformat() + "Z"
    except OverflowError:
        return f"{ns} ns since 1970"


def format_name_time(ns: int, nanoseconds: bool) -> str:
    """Format a time as it appears in a waveform name.

    Whole seconds are truncated (floor, also before 1970); with
    ``nanoseconds`` the ``.NNNNNNNNN`` fraction is appended.

    Examples
    --------
    >>> format_name_time(1369374000000000001, nanoseconds=True)
    '2013-05-24T05:40:00.000000001'
    """
    seconds, frac = divmod(int(ns), _NS_PER_S)
    text = (_EPOCH + _dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    if nanoseconds:
        text += f".{frac:09d}"
    return text


def parse_name_time(text: str) -> int:
    """Inverse of :func:`format_name_time` (seconds resolution unless ``.NNN`` given)."""
    whole, _, frac = text.partition(".")
    try:
        moment = _dt.datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S")
    except ValueError as exc:
        raise InvalidTimeError(f"invalid time in waveform name {text!r}: {exc}") from exc
    delta = moment - _EPOCH
    seconds = delta.days * 86400 + delta.seconds
    return seconds * _NS_PER_S + (int(frac.ljust(9, "0")[:9]) if frac else 0)
