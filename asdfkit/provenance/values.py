"""Coercion of Python values to what each xsd type of the profile requires.

The ``prov`` package writes ``float`` as xsd:double, ``int`` as xsd:int and
``datetime.datetime`` as xsd:dateTime; anything else (numpy scalars, ObsPy
``UTCDateTime``, ints where doubles are due) either fails inside ``prov`` or
produces a document the profile rejects.  :func:`coerce` turns user values into
exactly the right Python type, or raises naming the value and the rule.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import numbers
import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

import numpy as np
from obspy import UTCDateTime
from prov.constants import XSD_ANYURI
from prov.model import Literal

from ..errors import InvalidValueError
from .schema import AttributeSpec

__all__ = ["check_text", "coerce"]

# Characters XML 1.0 cannot hold (lxml refuses to serialise them, utf-8 cannot encode surrogates).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def check_text(what: str, value: str) -> str:
    """Return ``value`` if XML 1.0 can hold every character of it, else raise.

    Examples
    --------
    >>> check_text("prov:label", "Detrend")
    'Detrend'
    """
    bad = _NOT_XML.search(value)
    if bad is not None:
        raise InvalidValueError(
            f"invalid value {value!r} for {what}: character {bad.group()!r} cannot be stored in XML"
        )
    return value


def _fail(attr: AttributeSpec, value: Any, why: str) -> InvalidValueError:
    return InvalidValueError(
        f"invalid value {value!r} for seis_prov:{attr.name}: {why} ({' or '.join(attr.types)})"
    )


def _double(attr: AttributeSpec, value: Any) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise _fail(attr, value, "must be a number")
    number = float(value)
    if not math.isfinite(number):
        raise _fail(attr, value, "must be finite")
    return number


def _integer(attr: AttributeSpec, value: Any, positive: bool) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise _fail(attr, value, "must be an integer")
    if isinstance(value, (numbers.Integral, np.integer)):
        number = int(value)
    elif isinstance(value, (float, np.floating)) and float(value).is_integer():
        number = int(value)
    else:
        raise _fail(attr, value, "must be an integer")
    if positive and number < 1:
        raise _fail(attr, value, "must be a positive integer")
    return number


def _datetime(attr: AttributeSpec, value: Any) -> dt.datetime:
    try:
        if isinstance(value, UTCDateTime):
            moment = value.datetime
        elif isinstance(value, dt.datetime):
            moment = value
            if moment.tzinfo is not None:
                moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        else:
            moment = UTCDateTime(value).datetime
    except (TypeError, ValueError) as exc:
        raise _fail(attr, value, "must be a time") from exc
    return moment


def _uri(attr: AttributeSpec, value: Any) -> Literal:
    if not isinstance(value, str) or not value or any(c.isspace() for c in value):
        raise _fail(attr, value, "must be an absolute URI")
    try:
        scheme = urlparse(value).scheme
    except ValueError as exc:  # e.g. an unclosed IPv6 literal "http://["
        raise _fail(attr, value, "must be an absolute URI") from exc
    if not scheme:
        raise _fail(attr, value, "must be an absolute URI")
    check_text(f"seis_prov:{attr.name}", value)
    return Literal(value, XSD_ANYURI)


def _string(attr: AttributeSpec, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(attr, value, "must be a non-empty string")
    check_text(f"seis_prov:{attr.name}", value)
    if not attr.matches(value):
        raise InvalidValueError(
            f"invalid value {value!r} for seis_prov:{attr.name}: must match {attr.pattern}"
        )
    return value


def _already(xsd: str, value: Any) -> bool:
    """True if ``value`` is, unchanged, what coercing it to ``xsd`` returns (the common cases)."""
    kind = type(value)
    if kind is float:
        return xsd in ("xsd:double", "xsd:decimal") and math.isfinite(value)
    if kind is int:
        return xsd in ("xsd:integer", "xsd:decimal") or (xsd == "xsd:positiveInteger" and value >= 1)
    return kind is dt.datetime and xsd == "xsd:dateTime" and value.tzinfo is None


@lru_cache(maxsize=4096)
def _checked_string(attr: AttributeSpec, value: str) -> str:
    return _string(attr, value)


def coerce(attr: AttributeSpec, value: Any) -> Any:
    """Return ``value`` as the Python type ``prov`` serialises as ``attr``'s xsd type."""
    first = attr.types[0]
    if _already(first, value):
        return value
    if type(value) is str and first == "xsd:string":
        with contextlib.suppress(InvalidValueError):  # else the other types are tried, as below
            return _checked_string(attr, value)  # the same strings recur (locations, types, channels)
    if type(value) is UTCDateTime and first == "xsd:dateTime":
        return value.datetime
    errors = []
    for xsd in attr.types:
        try:
            if xsd == "xsd:double":
                return _double(attr, value)
            if xsd == "xsd:decimal":
                return _double(attr, value) if not isinstance(value, (numbers.Integral, np.integer)) \
                    else _integer(attr, value, positive=False)
            if xsd == "xsd:integer":
                return _integer(attr, value, positive=False)
            if xsd == "xsd:positiveInteger":
                return _integer(attr, value, positive=True)
            if xsd == "xsd:dateTime":
                return _datetime(attr, value)
            if xsd == "xsd:anyURI":
                return _uri(attr, value)
            if xsd == "xsd:string":
                return _string(attr, value)
        except InvalidValueError as exc:
            errors.append(exc)
            continue
        raise InvalidValueError(f"unsupported xsd type {xsd} for seis_prov:{attr.name}")  # pragma: no cover
    raise errors[-1]
