"""Proposing SEED codes for codes that are not: the rule behind ``--codes-template``.

ASDF names a trace ``NET.STA.LOC.CHA`` with SEED codes (network 1-2, station
1-5, location 0-2 characters of ``A-Z0-9``; channel exactly 3).  Real files
carry other codes: lowercase or long stations (``abcdef``, ``mart``,
K-NET's ``AKT013``), 4-letter networks (``ETNA``), channels ``S  Z``, ``0``,
``HK_``, ``EW`` or none.  :func:`propose_codes` maps each distinct id as read
to a valid, unique id by the rule below; :func:`codes_template` writes it as a
CSV ``source_id,seed_id,reason`` for the user to check and edit;
:class:`asdfkit.io.codes.CodesTable` reads it back and renames traces
before conversion.

The rule (deterministic: the same ids always give the same table)
------------------------------------------------------------------
1. A code that is valid once uppercased is uppercased; a valid code is kept.
2. A missing network or station code becomes the ``--network``/``--station``
   value, else ``XX``.
3. A network or station code that is too long (or holds other characters)
   becomes a short alias: its letters and digits, uppercased, cut to the
   allowed length (2 or 5); when that alias is taken (by a code kept as it
   is, or by an earlier alias), the last character is replaced by ``0-9``
   then ``A-Z`` in turn, then the last two.  Codes kept as they are never
   change; aliases are given in the sorted order of the original codes.
4. A location code that is invalid becomes its letters and digits, cut to 2
   (or ``""`` when none are left), unique within its station the same way.
5. A channel code that is not 3 letters/digits after uppercasing is rebuilt
   following the SEED channel naming convention (SEED manual, appendix A):
   band code from the sampling rate (the corner period is unknown; the
   broadband letters are used): ``F`` >= 1000 Hz, ``C`` >= 250, ``H`` >= 80,
   ``B`` >= 10, ``M`` > 1, ``L`` > 0.1, ``V`` > 0.01, ``U`` > 0.001, else ``R``;
   instrument code ``H`` (high-gain seismometer: a guess, edit the table when
   you know better); orientation code: the last letter or digit of the
   original channel when it is one of ``Z N E 1 2 3 A B C T R U V W``
   (``S  Z`` → ``Z``, ``EW`` → ``W``), else a free one of
   ``1 2 3 4 5 6 7 8 9 0`` (``0``, ``HK_``, ``AUX0``, empty).  When the
   resulting id is taken at that station and location, the orientation
   becomes the next free character of that list (then of ``A-Z``), and
   after those the location ``00``-``99``.
6. Traces a single row cannot tell apart (several read with the same id and
   start time from one file: SEG-2, Seismic Handler files without codes)
   get one row each, ``ID#1``, ``ID#2``...: the N-th such trace of a file
   takes the row ``ID#N``.
"""

from __future__ import annotations

import itertools
import logging
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import CodesError, InvalidNameError, NotFoundError, OutputExistsError
from ..naming import check_codes
from ..spec import CHANNEL_RULE, LOCATION_RULE, NETWORK_RULE, STATION_CODE_RULE
from .codes import NTH as _NTH
from .codes import CodeRow, write_table

__all__ = ["TemplateReport", "band_code", "channel_code", "codes_template", "propose_codes", "scan_ids"]

log = logging.getLogger(__name__)

_ALNUM = re.compile(r"[^A-Z0-9]")
_ORIENTATIONS = "ZNE123ABCTRUVW"
_FREE = "1234567890"
_FILL = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_BANDS = ((1000.0, "F"), (250.0, "C"), (80.0, "H"), (10.0, "B"))
_LOW_BANDS = ((1.0, "M"), (0.1, "L"), (0.01, "V"), (0.001, "U"))  # rate > low


def band_code(rate: float | None) -> str:
    """SEED band code of a sampling rate (broadband letters; the corner period is unknown).

    Examples
    --------
    >>> [band_code(r) for r in (2000, 500, 100, 40, 5, 1, 0.1, None)]
    ['F', 'C', 'H', 'B', 'M', 'L', 'V', 'B']
    """
    if rate is None or rate <= 0:
        return "B"
    for low, letter in _BANDS:
        if rate >= low:
            return letter
    for low, letter in _LOW_BANDS:  # (1, 10) M, (0.1, 1] L, (0.01, 0.1] V, (0.001, 0.01] U
        if rate > low:
            return letter
    return "R"


def channel_code(channel: str, rate: float | None) -> tuple[str, str]:
    """``(code, reason)`` for a channel code as read (see the module's rule 5).

    Examples
    --------
    >>> channel_code("bhz", 20.0)
    ('BHZ', "channel 'bhz' uppercased")
    >>> channel_code("S  Z", 100.0)[0], channel_code("EW", 100.0)[0], channel_code("0", 200.0)[0]
    ('HHZ', 'HHW', 'HH1')
    """
    upper = channel.upper()
    if CHANNEL_RULE.matches(upper):
        return upper, "" if upper == channel else f"channel {channel!r} uppercased"
    letters = _ALNUM.sub("", upper)
    last = letters[-1:] if letters[-1:] and letters[-1] in _ORIENTATIONS else ""
    code = band_code(rate) + "H" + (last or _FREE[0])
    rate_text = "unknown" if rate is None else f"{rate:g} Hz"
    why = f"component {last!r}" if last else "no component letter"
    return code, (f"channel {channel!r} is not 3 letters/digits: band from sampling rate {rate_text}, "
                  f"instrument H (assumed), {why}")


class _Aliases:
    """Injective renaming of codes within one scope: codes kept as they are reserved first."""

    def __init__(self, length: int) -> None:
        self.length = length
        self.taken: set[str] = set()
        self.given: dict[str, str] = {}

    def reserve(self, code: str) -> None:
        self.taken.add(code)

    def alias(self, original: str) -> str:
        if original in self.given:
            return self.given[original]
        base = (_ALNUM.sub("", original.upper()) or "X")[: self.length]
        for candidate in _candidates(base, self.length):
            if candidate not in self.taken:
                self.taken.add(candidate)
                self.given[original] = candidate
                return candidate
        raise CodesError(f"no free alias for code {original!r}")  # pragma: no cover - 36**length codes


def _candidates(base: str, length: int) -> Iterator[str]:
    """``base``, then its last character, then its last two, replaced by ``0-9A-Z`` in turn."""
    yield base
    for width in (1, 2):
        stem = base[:min(len(base), length - width)]
        for suffix in itertools.product(_FILL, repeat=width):
            yield stem + "".join(suffix)


def propose_codes(ids: dict[str, float | None], *, network: str | None = None,
                  station: str | None = None) -> list[CodeRow]:
    """One row per id as read (``NET.STA.LOC.CHA`` → sampling rate), sorted, valid and unique.

    Examples
    --------
    >>> rows = propose_codes({"abcdef.BBOA..CPZ": 20.0, ".mart.1.cp": 100.0})
    >>> [(r.source_id, r.seed_id) for r in rows]
    [('.mart.1.cp', 'XX.MART.1.HH1'), ('abcdef.BBOA..CPZ', 'AB.BBOA..CPZ')]
    """
    parsed = {}
    nth: dict[str, str] = {}
    for source in sorted(ids):
        base, mark, number = source.rpartition(_NTH)
        if mark and number.isdigit():
            nth[source] = number
        else:
            base = source
        parts = base.split(".")
        if len(parts) != 4:  # a code holding a dot: keep the first three, the rest is the channel
            parts = (parts + ["", "", ""])[:3] + [".".join(parts[3:])]
        parsed[source] = parts
    default_net = network or "XX"
    default_sta = station or "XX"
    net_aliases = _Aliases(2)
    net_aliases.reserve(default_net)
    for net, _, _, _ in parsed.values():
        if NETWORK_RULE.matches(net):
            net_aliases.reserve(net)
    nets: dict[str, tuple[str, str]] = {}
    for net, _, _, _ in parsed.values():
        if net not in nets:
            nets[net] = _map_code(net, NETWORK_RULE.matches, net_aliases, default_net, "network", 2)
    sta_aliases: dict[str, _Aliases] = {}
    for net, sta, _, _ in parsed.values():
        scope = sta_aliases.setdefault(nets[net][0], _Aliases(5))
        scope.reserve(default_sta)
        if STATION_CODE_RULE.matches(sta):
            scope.reserve(sta)
    stas: dict[tuple[str, str], tuple[str, str]] = {}
    for net, sta, _, _ in parsed.values():
        key = (net, sta)
        if key not in stas:
            stas[key] = _map_code(sta, STATION_CODE_RULE.matches, sta_aliases[nets[net][0]], default_sta,
                                  "station", 5)
    loc_aliases: dict[tuple[str, str], _Aliases] = {}
    for net, sta, loc, _ in parsed.values():
        scope = loc_aliases.setdefault((nets[net][0], stas[(net, sta)][0]), _Aliases(2))
        if LOCATION_RULE.matches(loc):
            scope.reserve(loc)
    taken: set[str] = set()
    rows = []
    pending = []
    for source, (net, sta, loc, cha) in parsed.items():
        new_net, why_net = nets[net]
        new_sta, why_sta = stas[(net, sta)]
        scope = loc_aliases[(new_net, new_sta)]
        if LOCATION_RULE.matches(loc):
            new_loc, why_loc = loc, ""
        elif LOCATION_RULE.matches(loc.upper()):
            new_loc, why_loc = loc.upper(), f"location {loc!r} uppercased"
        elif not _ALNUM.sub("", loc.upper()):
            new_loc, why_loc = "", f"location {loc!r} holds no letter or digit: empty"
        else:
            new_loc, why_loc = scope.alias(loc), f"location {loc!r} is not 0-2 letters/digits: alias"
        new_cha, why_cha = channel_code(cha, ids[source])
        reasons = [r for r in (why_net, why_sta, why_loc, why_cha) if r]
        if source in nth:
            reasons.append(f"trace {nth[source]} of those read as {source.rpartition(_NTH)[0]!r} with one start "
                           "time in one file")
        seed_id = f"{new_net}.{new_sta}.{new_loc}.{new_cha}"
        if not reasons:
            taken.add(seed_id)  # kept as read: never renamed
        pending.append((source, new_net, new_sta, new_loc, new_cha, reasons))
    for source, new_net, new_sta, new_loc, new_cha, reasons in pending:
        seed_id = f"{new_net}.{new_sta}.{new_loc}.{new_cha}"
        if reasons:
            for location, orientation in _free_slots(new_loc, new_cha[2]):
                seed_id = f"{new_net}.{new_sta}.{location}.{new_cha[:2]}{orientation}"
                if seed_id not in taken:
                    break
            else:  # pragma: no cover - 4,600 channels of one band at one station
                raise CodesError(f"no free channel code for {source!r}")
            if location != new_loc:
                reasons.append(f"location {location!r}: the channels of {new_cha[:2]} at location {new_loc!r} "
                               "are taken")
            elif not seed_id.endswith(new_cha):
                reasons.append(f"orientation {seed_id[-1]!r}: {new_cha} is taken at this station")
            taken.add(seed_id)
        check_codes(*seed_id.split("."))
        rows.append(CodeRow(source, seed_id, "; ".join(reasons) if reasons else "unchanged"))
    return rows


def _free_slots(location: str, orientation: str) -> Iterator[tuple[str, str]]:
    """``(location, orientation)`` to try: the proposed ones, other orientations, then locations 00-99."""
    yield location, orientation
    for loc in [location] + [f"{n:02d}" for n in range(100) if f"{n:02d}" != location]:
        for other in _FREE + _FILL:
            yield loc, other


def _map_code(code: str, matches: Callable[[str], bool], aliases: _Aliases, default: str, what: str,
              length: int) -> tuple[str, str]:
    """``(new code, reason)`` of a network or station code (rules 1-3)."""
    if matches(code):
        return code, ""
    if not code:
        return default, f"no {what} code: {default}"
    upper = code.upper()
    if matches(upper):
        if upper not in aliases.taken:
            aliases.reserve(upper)
            return upper, f"{what} {code!r} uppercased"
        return aliases.alias(code), f"{what} {code!r} uppercased is {upper!r}, taken by another {what}: alias"
    return aliases.alias(code), f"{what} {code!r} is not 1-{length} letters/digits: alias"


def scan_ids(paths: Iterable[Path], fmt: str | None = None) -> tuple[dict[str, float | None], list[str]]:
    """Every distinct trace id of the waveform files (headers only) with its highest sampling rate.

    Traces without samples are left out (a conversion skips them).

    Returns the ids and the files that could not be read (they are reported,
    not fatal: the conversion reports them again).
    """
    import obspy

    ids: dict[str, float | None] = {}
    repeats: dict[str, int] = {}  # most traces of one id with one start time in one file
    unreadable = []
    for path in paths:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ObsPy's notes on odd headers: the codes are what we want
                stream = obspy.read(str(path), format=fmt, headonly=True)
        except Exception as exc:  # noqa: BLE001 - obspy raises anything on files it cannot read
            unreadable.append(f"{path}: {type(exc).__name__}: {exc}")
            continue
        stream.traces = [t for t in stream if t.stats.npts]  # no samples, nothing to store (skipped)
        same_start = Counter((trace.id, trace.stats.starttime.ns) for trace in stream)
        for trace in stream:
            rate = float(trace.stats.sampling_rate) or None
            old = ids.get(trace.id)
            ids[trace.id] = rate if old is None or (rate is not None and rate > old) else old
            repeats[trace.id] = max(repeats.get(trace.id, 1), same_start[(trace.id, trace.stats.starttime.ns)])
    for source, count in repeats.items():  # traces a single row cannot tell apart: one row each
        if count > 1:
            rate = ids.pop(source)
            ids.update({f"{source}{_NTH}{n}": rate for n in range(1, count + 1)})
    return ids, unreadable


@dataclass
class TemplateReport:
    """What ``--codes-template`` wrote."""

    table: str
    ids: int
    changed: int
    unreadable: list[str]

    def to_dict(self) -> dict[str, object]:
        """The report as a JSON-ready dictionary."""
        return dict(self.__dict__)


def codes_template(inputs: Iterable[str | Path], table: str | Path, *, network: str | None = None,
                   station: str | None = None, fmt: str | None = None, overwrite: bool = False) -> TemplateReport:
    """Read the waveform inputs' headers and write the proposed codes table to ``table``.

    Inputs are expanded and classified as by :func:`~asdfkit.io.convert.convert_to_asdf`
    (files, directories, globs); only waveform files are read (headers only).

    Raises
    ------
    OutputExistsError
        ``table`` exists and ``overwrite`` is false.
    NotFoundError
        No waveform file among the inputs, or none readable.
    """
    from ..atomic import atomic_path
    from .sources import classify_all, expand

    table = Path(table)
    if table.exists() and not overwrite:
        raise OutputExistsError(f"{table} exists: pass --overwrite to replace it")
    for what, value, rule in (("network", network, NETWORK_RULE), ("station", station, STATION_CODE_RULE)):
        if value is not None and not rule.matches(value):
            raise InvalidNameError(f"invalid --{what} {value!r}: must match {rule.pattern}")
    paths = [s.path for s in classify_all(expand(inputs)) if s.kind == "waveform"]
    ids, unreadable = scan_ids(paths, fmt)
    if not ids:
        raise NotFoundError(f"no waveform trace found in {len(paths)} waveform file(s) of the inputs"
                            + (f" ({len(unreadable)} unreadable: {unreadable[0]})" if unreadable else ""))
    rows = propose_codes(ids, network=network, station=station)
    with atomic_path(table) as temp:
        write_table(rows, temp)
    return TemplateReport(str(table), len(rows), sum(r.source_id != r.seed_id for r in rows), unreadable)
