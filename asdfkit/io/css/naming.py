"""SEED ↔ CSS names: the snetsta/schanloc tables, read and written.

css3.0 has no network or location code (``sta`` ≤ 6, ``chan`` ≤ 8 characters).
A channel is ``schan`` or ``schan_sloc`` (``BHZ_00``), recorded in schanloc.  A
station is ``ssta`` recorded in snetsta, and when one code is used by two
networks an alias is invented for the later one and recorded too.  css3.1's
expanded mapping writes ``NET_STA`` (≤ 14 characters), unique by construction.

Reading always follows the tables; formulas are a labelled fallback only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ...errors import InvalidValueError
from .report import CssReport
from .tables import Row

__all__ = ["NameAllocator", "NameResolver", "SeedStation"]

_CODE = re.compile(r"^[A-Z0-9]+$")
_EXPANDED_STA = re.compile(r"^([A-Z0-9]{1,2})_([A-Z0-9]{1,5})$")
_CHAN_LOC = re.compile(r"^([A-Z0-9]{3})_([A-Z0-9]{1,2})$")
WIDTHS = {"css3.0": (6, 8), "css3.1": (14, 15)}


@dataclass(frozen=True)
class SeedStation:
    """SEED network and station of a CSS ``sta``, and where the network came from."""

    network: str
    station: str
    source: str


@dataclass
class NameResolver:
    """CSS ``sta``/``chan`` → SEED codes, following snetsta, schanloc and affiliation.

    Stations snetsta does not map take their network from affiliation when it
    names exactly one SEED-like network, else from ``default_network``; with
    neither, :meth:`require` raises naming the stations and the option.
    """

    snetsta: dict[str, tuple[str, str]] = field(default_factory=dict)
    schanloc: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    affiliation: dict[str, set[str]] = field(default_factory=dict)
    default_network: str | None = None
    expanded: bool = False
    report: CssReport = field(default_factory=CssReport)

    @classmethod
    def from_rows(cls, snetsta: Iterable[Row], schanloc: Iterable[Row], affiliation: Iterable[Row],
                  **options: object) -> NameResolver:
        resolver = cls(**options)  # type: ignore[arg-type]
        for row in snetsta:
            if row["sta"] and row["snet"] and row["fsta"]:
                resolver.snetsta[row["sta"]] = (row["snet"], row["fsta"])
        for row in schanloc:
            if row["sta"] and row["chan"] and row["fchan"]:
                resolver.schanloc[(row["sta"], row["chan"])] = (row["fchan"], row["loc"] or "")
        for row in affiliation:
            if row["sta"] and row["net"]:
                resolver.affiliation.setdefault(row["sta"], set()).add(row["net"])
        return resolver

    def _lookup(self, sta: str) -> SeedStation | None:
        if sta in self.snetsta:
            net, fsta = self.snetsta[sta]
            return SeedStation(net, fsta, "snetsta")
        match = _EXPANDED_STA.match(sta)
        if self.expanded and match:
            return SeedStation(match.group(1), match.group(2), "expanded mapping NET_STA")
        nets = [n for n in self.affiliation.get(sta, ()) if _CODE.match(n) and len(n) <= 2]
        if len(nets) == 1:
            return SeedStation(nets[0], sta, "affiliation")
        if self.default_network:
            return SeedStation(self.default_network, sta, "default_network option")
        return None

    def require(self, stations: Iterable[str], what: str) -> None:
        """Raise if any of ``stations`` has no network (naming them all and the option)."""
        missing = sorted({s for s in stations if s and self._lookup(s) is None})
        if missing:
            raise self._no_network(missing, what)

    @staticmethod
    def _no_network(missing: list[str], what: str) -> InvalidValueError:
        many = len(missing) > 1
        return InvalidValueError(
            f"no network code for station{'s' if many else ''} {', '.join(missing)} ({what}): snetsta does "
            f"not map {'them' if many else 'it'} and affiliation names no single network; pass "
            "default_network='XX' (asdf-cli: --default-network XX), the SEED network code for stations the tables do not map"
        )

    def station(self, sta: str) -> SeedStation:
        found = self._lookup(sta)
        if found is None:
            raise self._no_network([sta], "station lookup")
        if found.source != "snetsta":
            self.report.warn(
                "network", f"station {sta}: network {found.network} from the {found.source}",
                once=("sta", sta),
            )
        if not (_CODE.match(found.station) and len(found.station) <= 5):
            self.report.warn(
                "invalid-code", f"station {sta}: {found.station!r} is not a SEED station code "
                "(1-5 upper-case letters or digits); ASDF will refuse it", once=("code", sta),
            )
        return found

    def channel(self, sta: str, chan: str) -> tuple[str, str]:
        """``(location, channel)`` of a CSS ``chan`` at ``sta``."""
        if (sta, chan) in self.schanloc:
            fchan, loc = self.schanloc[(sta, chan)]
            return loc, fchan
        match = _CHAN_LOC.match(chan)
        if match:
            self.report.warn(
                "channel", f"station {sta} channel {chan}: no schanloc row; split as CHAN_LOC",
                once=("chan", sta, chan),
            )
            return match.group(2), match.group(1)
        return "", chan


@dataclass
class NameAllocator:
    """SEED codes → CSS ``sta``/``chan`` for writing, recording snetsta/schanloc rows.

    Examples
    --------
    >>> names = NameAllocator("css3.0")
    >>> names.station("IU", "ANMO"), names.station("XX", "ANMO")
    ('ANMO', 'XXANMO')
    >>> names.channel("ANMO", "00", "BHZ")
    'BHZ_00'
    """

    schema: str = "css3.0"
    expanded: bool = False
    reserved: set[str] = field(default_factory=set)
    stations: dict[tuple[str, str], str] = field(default_factory=dict)
    channels: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.schema not in WIDTHS:
            raise InvalidValueError(f"invalid CSS schema {self.schema!r}: must be one of {', '.join(WIDTHS)}")
        if self.expanded and self.schema != "css3.1":
            raise InvalidValueError(
                "the expanded mapping NET_STA needs schema='css3.1': css3.0 station codes hold 6 characters"
            )

    def reserve(self, station_codes: Iterable[str]) -> None:
        """Keep aliases off codes that are real SEED station codes elsewhere in the data."""
        self.reserved.update(station_codes)

    def station(self, network: str, station: str) -> str:
        key = (network, station)
        if key in self.stations:
            return self.stations[key]
        width = WIDTHS[self.schema][0]
        used = set(self.stations.values())
        if self.expanded:
            name = f"{network}_{station}"
        elif station not in used and len(station) <= width:
            name = station
        else:
            name = self._alias(network, station, used | self.reserved, width)
        self.stations[key] = name
        return name

    @staticmethod
    def _alias(network: str, station: str, taken: set[str], width: int) -> str:
        candidate = f"{network}{station}"
        if len(candidate) <= width and candidate not in taken:
            return candidate
        for n in range(1, 10**width):
            suffix = str(n)
            candidate = station[: width - len(suffix)] + suffix
            if candidate not in taken:
                return candidate
        raise InvalidValueError(f"cannot invent a CSS alias for {network}.{station}: every code is taken")

    def channel(self, sta: str, location: str, channel: str) -> str:
        key = (sta, location, channel)
        if key not in self.channels:
            name = channel if location == "" else f"{channel}_{location}"
            width = WIDTHS[self.schema][1]
            if len(name) > width:
                raise InvalidValueError(
                    f"invalid channel {channel!r} location {location!r}: {name!r} is longer than the "
                    f"{width} characters of a {self.schema} chan"
                )
            self.channels[key] = name
        return self.channels[key]

    def snetsta_rows(self) -> list[dict[str, str]]:
        return [{"snet": n, "fsta": s, "sta": sta} for (n, s), sta in sorted(self.stations.items())]

    def schanloc_rows(self) -> list[dict[str, str]]:
        return [{"sta": sta, "fchan": c, "loc": loc, "chan": chan}
                for (sta, loc, c), chan in sorted(self.channels.items())]

    def affiliation_rows(self) -> list[dict[str, str]]:
        return [{"net": n, "sta": sta} for (n, _), sta in sorted(self.stations.items())]
