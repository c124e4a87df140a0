"""Pure functions and value objects for ASDF names.  No I/O.

A waveform dataset is named ``NET.STA.LOC.CHA__START__END__TAG``; its station
group is ``NET.STA``.  These helpers check and build such names against the
regular expressions of a given format version (see :mod:`asdfkit.spec`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import spec
from .errors import InvalidNameError, InvalidValueError
from .times import format_name_time, parse_name_time

__all__ = [
    "StationId",
    "TraceName",
    "check_aux_name",
    "check_provenance_name",
    "check_tag",
    "join_labels",
    "split_labels",
]


def _check(rule: spec.Rule, value: object, hint: str = "") -> str:
    if not isinstance(value, str) or not rule.matches(value):
        raise InvalidNameError(
            f"invalid {rule.what} {value!r}: must match {rule.pattern}{hint}"
        )
    return value


@dataclass(frozen=True, order=True)
class StationId:
    """A ``NET.STA`` station identifier.

    Examples
    --------
    >>> StationId.parse("IU.ANMO").network
    'IU'
    """

    network: str
    station: str

    @classmethod
    def parse(cls, text: str) -> StationId:
        _check(spec.STATION_RULE, text)
        network, station = text.split(".")
        return cls(network, station)

    @classmethod
    def from_codes(cls, network: str, station: str) -> StationId:
        if network == "":
            raise InvalidNameError(
                f"invalid network code '' for station {station!r}: ASDF needs one "
                f"(must match {spec.NETWORK_RULE.pattern}); set trace.stats.network "
                "(or inventory network code) to the code of the network, or 'XX' if unknown"
            )
        _check(spec.NETWORK_RULE, network, _upper_hint(network))
        _check(spec.STATION_CODE_RULE, station, _upper_hint(station))
        return cls(network, station)

    def __str__(self) -> str:
        return f"{self.network}.{self.station}"


def _upper_hint(value: object) -> str:
    if isinstance(value, str) and value != value.upper():
        return " (codes are upper case)"
    return ""


@dataclass(frozen=True)
class TraceName:
    """The parts of a waveform dataset name."""

    network: str
    station: str
    location: str
    channel: str
    start: str
    end: str
    tag: str

    @classmethod
    def parse(cls, name: str) -> TraceName:
        """Split a waveform name; tolerant (checks structure, not the version regex)."""
        try:
            seed, start, end, tag = name.split("__", 3)
            network, station, location, channel = seed.split(".")
        except ValueError:
            raise InvalidNameError(
                f"invalid waveform name {name!r}: must be NET.STA.LOC.CHA__START__END__TAG"
            ) from None
        return cls(network, station, location, channel, start, end, tag)

    @classmethod
    def build(
        cls,
        codes: tuple[str, str, str, str],
        start_ns: int,
        end_ns: int,
        tag: str,
        nanoseconds: bool,
    ) -> TraceName:
        start = format_name_time(start_ns, nanoseconds)
        end = format_name_time(end_ns, nanoseconds)
        return cls(*codes, start, end, tag)

    @property
    def station_id(self) -> str:
        return f"{self.network}.{self.station}"

    @property
    def seed_id(self) -> str:
        return f"{self.network}.{self.station}.{self.location}.{self.channel}"

    @property
    def start_ns(self) -> int:
        return parse_name_time(self.start)

    def __str__(self) -> str:
        return f"{self.seed_id}__{self.start}__{self.end}__{self.tag}"


def check_codes(network: str, station: str, location: str, channel: str) -> None:
    """Check SEED codes of a trace against the ASDF rules."""
    StationId.from_codes(network, station)
    if location == "--":
        raise InvalidNameError(
            f"invalid location code {location!r}: must match {spec.LOCATION_RULE.pattern}; "
            "use '' for an empty location"
        )
    _check(spec.LOCATION_RULE, location, _upper_hint(location))
    _check(spec.CHANNEL_RULE, channel, _upper_hint(channel))


def check_tag(tag: object) -> str:
    """Check a waveform tag (``^[A-Za-z_0-9]+$``, never ``StationXML``, no ``__``).

    ``__`` separates the parts of a waveform name; pyasdf reads a tag ``a__b``
    back as ``b``, so asdfkit refuses to write one.
    """
    _check(spec.TAG_RULE, tag)
    if tag == spec.STATIONXML_NAME:
        raise InvalidNameError("invalid tag 'StationXML': the name is reserved")
    if "__" in str(tag):
        raise InvalidNameError(
            f"invalid tag {tag!r}: must not contain '__' (it separates the parts of a waveform name)"
        )
    return str(tag)


def check_aux_name(name: object, version: str = spec.DEFAULT_VERSION) -> str:
    """Check one part (data type, group or dataset name) of an auxiliary data path."""
    return _check(spec.spec_for(version).aux_rule, name)


def split_aux_path(path: str | Iterable[str], version: str = spec.DEFAULT_VERSION) -> list[str]:
    """Split ``"A/B/C"`` (or a sequence of parts) and check every part."""
    parts = path.strip("/").split("/") if isinstance(path, str) else list(path)
    if not parts or parts == [""]:
        raise InvalidNameError(f"invalid auxiliary data path {path!r}: must name a dataset")
    return [check_aux_name(part, version) for part in parts]


def check_provenance_name(name: object, version: str = spec.DEFAULT_VERSION) -> str:
    """Check a provenance document name against the version's regex."""
    return _check(spec.spec_for(version).provenance_rule, name)


def check_provenance_id(value: object) -> str:
    """Check a ``{namespace-uri}localpart`` provenance id."""
    return _check(spec.PROVENANCE_ID_RULE, value)


def join_labels(labels: Iterable[str]) -> str:
    """Join labels with commas, refusing labels that contain a comma or are empty."""
    if isinstance(labels, str):
        labels = [labels]
    clean = []
    for label in labels:
        if not isinstance(label, str):
            raise InvalidValueError(f"invalid label {label!r}: must be a str")
        label = label.strip()
        if not label or "," in label:
            raise InvalidValueError(
                f"invalid label {label!r}: must be non-empty and contain no comma"
            )
        clean.append(label)
    return ",".join(clean)


def split_labels(text: str) -> list[str]:
    """Inverse of :func:`join_labels`."""
    return [part.strip() for part in text.split(",") if part.strip()]
