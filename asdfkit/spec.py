"""The ASDF format as data: versions, name rules, dtypes and filters.

Nothing here performs I/O.  Every rule carries the regular expression text so
error messages can quote it verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = [
    "DEFAULT_VERSION",
    "FORMAT_NAME",
    "READABLE_VERSIONS",
    "WRITABLE_VERSIONS",
    "Rule",
    "VersionSpec",
    "spec_for",
]

FORMAT_NAME = "ASDF"
DEFAULT_VERSION = "1.0.3"
#: Versions asdfkit writes.
WRITABLE_VERSIONS: tuple[str, ...] = ("1.0.0", "1.0.1", "1.0.2", "1.0.3")
#: Versions asdfkit reads; 0.0.2 is the pre-release written by old SPECFEM builds.
READABLE_VERSIONS: tuple[str, ...] = ("0.0.2", *WRITABLE_VERSIONS)


@dataclass(frozen=True)
class Rule:
    """A named regular expression that a name must fully match."""

    what: str
    pattern: str

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.pattern)

    def matches(self, value: str) -> bool:
        return self.regex.fullmatch(value) is not None


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    try:
        return _CACHE[pattern]
    except KeyError:
        _CACHE[pattern] = compiled = re.compile(pattern)
        return compiled


_TIME = (
    r"(18|19|20|21)\d{2}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])"
    r"T([0-1][0-9]|2[0-4]):([0-5]\d|60):[0-5]\d"
)
_TIME_NS = _TIME + r"(\.\d{9})?"

STATION_RULE = Rule("station name", r"^[A-Z0-9]{1,2}\.[A-Z0-9]{1,5}$")
TAG_RULE = Rule("tag", r"^[A-Za-z_0-9]+$")
TRACE_RULE_NS = Rule(
    "waveform name",
    r"^[A-Z0-9]{1,2}\.[A-Z0-9]{1,5}\.[A-Z0-9]{0,2}\.[A-Z0-9]{3}"
    rf"__{_TIME_NS}__{_TIME_NS}__[A-Za-z_0-9]+$",
)
TRACE_RULE_S = Rule(
    "waveform name",
    r"^[A-Z0-9]{1,2}\.[A-Z0-9]{1,5}\.[A-Z0-9]{0,2}\.[A-Z0-9]{3}"
    rf"__{_TIME}__{_TIME}__[A-Za-z_0-9]+$",
)
NETWORK_RULE = Rule("network code", r"^[A-Z0-9]{1,2}$")
STATION_CODE_RULE = Rule("station code", r"^[A-Z0-9]{1,5}$")
LOCATION_RULE = Rule("location code", r"^[A-Z0-9]{0,2}$")
CHANNEL_RULE = Rule("channel code", r"^[A-Z0-9]{3}$")
AUX_RULE_OLD = Rule("auxiliary data name", r"^[a-zA-Z0-9][a-zA-Z0-9_]*[a-zA-Z0-9]$")
AUX_RULE_103 = Rule("auxiliary data name", r"^[a-zA-Z0-9-_\.!#$%&*+,:;<=>\?@\^~]+$")
PROV_RULE_OLD = Rule("provenance document name", r"^[0-9a-z][0-9a-z_]*[0-9a-z]$")
PROV_RULE_103 = Rule("provenance document name", r"^[ -~]+$")
PROVENANCE_ID_RULE = Rule("provenance_id", r"^\{[!-z|~]+\}[!-~]+$")

_INTS = ("<i4", ">i4", "<i8", ">i8")
_FLOATS = ("<f4", ">f4", "<f8", ">f8")
_INT16 = ("<i2", ">i2")


@dataclass(frozen=True)
class VersionSpec:
    """The rules of one ASDF format version."""

    version: str
    trace_rule: Rule
    aux_rule: Rule
    provenance_rule: Rule
    waveform_dtypes: frozenset[np.dtype]
    nanosecond_names: bool

    station_rule: Rule = STATION_RULE
    tag_rule: Rule = TAG_RULE

    def allows_dtype(self, dtype: np.dtype) -> bool:
        return np.dtype(dtype) in self.waveform_dtypes

    @property
    def dtype_names(self) -> str:
        names = sorted({np.dtype(d).newbyteorder("=").name for d in self.waveform_dtypes})
        return ", ".join(names)


def _dtypes(*groups: tuple[str, ...]) -> frozenset[np.dtype]:
    return frozenset(np.dtype(d) for group in groups for d in group)


_SPECS = {
    "0.0.2": VersionSpec("0.0.2", TRACE_RULE_S, AUX_RULE_OLD, PROV_RULE_OLD,
                         _dtypes(_INTS, _FLOATS), False),
    "1.0.0": VersionSpec("1.0.0", TRACE_RULE_S, AUX_RULE_OLD, PROV_RULE_OLD,
                         _dtypes(_INTS, _FLOATS), False),
    "1.0.1": VersionSpec("1.0.1", TRACE_RULE_S, AUX_RULE_OLD, PROV_RULE_OLD,
                         _dtypes(_INT16, _INTS, _FLOATS), False),
    "1.0.2": VersionSpec("1.0.2", TRACE_RULE_NS, AUX_RULE_OLD, PROV_RULE_OLD,
                         _dtypes(_INT16, _INTS, _FLOATS), True),
    "1.0.3": VersionSpec("1.0.3", TRACE_RULE_NS, AUX_RULE_103, PROV_RULE_103,
                         _dtypes(_INT16, _INTS, _FLOATS), True),
}


def spec_for(version: str) -> VersionSpec:
    """Return the rules of ASDF format ``version``.

    Raises
    ------
    asdfkit.errors.VersionError
        If the version is not one asdfkit knows.
    """
    from .errors import VersionError

    try:
        return _SPECS[version]
    except KeyError:
        raise VersionError(
            f"unsupported ASDF format version {version!r}: "
            f"must be one of {', '.join(READABLE_VERSIONS)}"
        ) from None


#: XML datasets are int8, 1-D and resizable.
XML_DTYPE = np.dtype("int8")
#: Reserved dataset name inside a station group.
STATIONXML_NAME = "StationXML"
#: Waveform attribute names defined by the spec.
ID_ATTRIBUTES = ("event_id", "origin_id", "magnitude_id", "focal_mechanism_id")
