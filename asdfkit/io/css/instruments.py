"""Instrument information: calib/calper ↔ StationXML sensitivity, response files.

Antelope's ``calib`` is the number of nanometres (per second for velocity,
per second squared for acceleration: the ground-motion kind ``segtype`` names,
``D``/``V``/``A``) that one count represents at the period ``calper``.  CSS3.0
defined it for displacement, which is used when ``segtype`` says nothing.  So a
channel's ``InstrumentSensitivity`` is ``1 / (calib·1e-9)`` counts per m, m/s
or m/s² at ``1 / calper`` Hz.  Without ``calper`` there is no frequency and no
sensitivity is attached (the report says so).

Responses come from the instrument table (``dir/dfile`` per ``inid``, reached
from a channel through the sensor table) when ObsPy can read the file as RESP
or SAC poles and zeros; Antelope's own response format is reported, not read.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from obspy.core.inventory import InstrumentSensitivity, PolesZerosResponseStage, Response

from ...errors import FormatError
from .tables import Row

__all__ = [
    "InstrumentIndex",
    "calib_from_sensitivity",
    "read_response_file",
    "sensitivity_from_calib",
    "sensitivity_from_calibration",
]

SEGTYPE_UNITS = {"D": "M", "V": "M/S", "A": "M/S**2"}
_UNIT_SEGTYPE = {"M": "D", "M/S": "V", "M/S**2": "A", "M/S/S": "A", "M/S2": "A"}
_DESCRIPTIONS = {"M": "displacement", "M/S": "velocity", "M/S**2": "acceleration"}


def sensitivity_from_calib(calib: float | None, calper: float | None,
                           segtype: str | None) -> InstrumentSensitivity | None:
    """The sensitivity ``calib``/``calper`` describe, or ``None`` if they can't.

    Examples
    --------
    >>> s = sensitivity_from_calib(0.5, 1.0, "V")
    >>> s.value, s.frequency, s.input_units
    (2000000000.0, 1.0, 'M/S')
    """
    if not calib or calper is None or calper <= 0:
        return None
    units = SEGTYPE_UNITS.get((segtype or "").upper(), "M")
    return InstrumentSensitivity(
        value=1e9 / calib, frequency=1.0 / calper, input_units=units,
        output_units="COUNTS", input_units_description=_DESCRIPTIONS[units],
        output_units_description="digital counts",
    )


# calibration.units → (StationXML input units, factor from the unit to the SI one, description)
_CALIBRATION_UNITS = {
    "nm": ("M", 1e-9, "displacement"),
    "nm/sec": ("M/S", 1e-9, "velocity"),
    "nm/s": ("M/S", 1e-9, "velocity"),
    "nm/sec**2": ("M/S**2", 1e-9, "acceleration"),
    "nm/s**2": ("M/S**2", 1e-9, "acceleration"),
    "nm/sec/sec": ("M/S**2", 1e-9, "acceleration"),
    "pascals": ("PA", 1.0, "pressure"),
    "teslas": ("T", 1.0, "magnetic field"),
    "volts/m": ("V/M", 1.0, "electric field"),
    "deg_c": ("DEGC", 1.0, "temperature"),
}


def sensitivity_from_calibration(row: Row) -> InstrumentSensitivity | str:
    """The sensitivity an Antelope ``calibration`` row gives, or why it gives none.

    ``calib`` is ``units`` per count at ``calper`` seconds ("for the complete
    system response"), so the sensitivity is ``1 / (calib·factor)`` counts per
    SI unit at ``1 / calper`` Hz.

    Examples
    --------
    >>> from asdfkit.io.css.tables import Row
    >>> row = Row({"calib": 0.951809866, "calper": 1.0, "units": "nm/sec"}, "calibration", 2)
    >>> s = sensitivity_from_calibration(row)
    >>> round(s.value), s.frequency, s.input_units
    (1050630001, 1.0, 'M/S')
    """
    calib, calper, units = row["calib"], row["calper"], (row["units"] or "").lower()
    if not calib:
        return "no calib"
    if calper is None or calper <= 0:
        return f"calib {calib} without calper"
    if units not in _CALIBRATION_UNITS:
        return f"units {row['units'] or '-'} not understood (known: {', '.join(sorted(_CALIBRATION_UNITS))})"
    si_units, factor, description = _CALIBRATION_UNITS[units]
    return InstrumentSensitivity(
        value=1.0 / (calib * factor), frequency=1.0 / calper, input_units=si_units, output_units="COUNTS",
        input_units_description=description, output_units_description="digital counts",
    )


def calib_from_sensitivity(sensitivity: InstrumentSensitivity | None) -> tuple[float, float, str] | None:
    """``(calib, calper, segtype)`` of a sensitivity in m, m/s or m/s² (else ``None``)."""
    if sensitivity is None or not sensitivity.value or not sensitivity.frequency:
        return None
    units = (sensitivity.input_units or "").upper().replace(" ", "")
    segtype = _UNIT_SEGTYPE.get(units)
    if segtype is None:
        return None
    return 1e9 / float(sensitivity.value), 1.0 / float(sensitivity.frequency), segtype


def _parse_sacpz(text: str) -> tuple[list[complex], list[complex], float]:
    zeros: list[complex] = []
    poles: list[complex] = []
    counts = {"ZEROS": 0, "POLES": 0}
    constant = None
    target: list[complex] | None = None
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("*"):
            continue
        key = parts[0].upper()
        if key in counts:
            counts[key] = int(parts[1])
            target = zeros if key == "ZEROS" else poles
        elif key == "CONSTANT":
            constant = float(parts[1])
            target = None
        elif target is not None and len(parts) == 2:
            target.append(complex(float(parts[0]), float(parts[1])))
        else:
            raise ValueError(f"unexpected line {line.strip()!r}")
    if constant is None or (not counts["ZEROS"] and not counts["POLES"]):
        raise ValueError("no ZEROS/POLES/CONSTANT")
    zeros += [0j] * (counts["ZEROS"] - len(zeros))
    poles += [0j] * (counts["POLES"] - len(poles))
    return zeros, poles, constant


def _response_from_sacpz(text: str, frequency: float) -> Response:
    zeros, poles, constant = _parse_sacpz(text)
    s = 2j * math.pi * frequency
    shape = abs(cmath.exp(sum(cmath.log(s - z) for z in zeros) - sum(cmath.log(s - p) for p in poles)))
    # One stage normalized at ``frequency`` (A0 = 1/|H|): its gain is the overall sensitivity there.
    # (Built by hand: Response.from_paz recomputes the sensitivity through a slow evalresp import.)
    stage = PolesZerosResponseStage(
        stage_sequence_number=1, stage_gain=constant * shape, stage_gain_frequency=frequency,
        input_units="M", output_units="COUNTS", pz_transfer_function_type="LAPLACE (RADIANS/SECOND)",
        normalization_frequency=frequency, zeros=zeros, poles=poles, normalization_factor=1.0 / shape,
    )
    sensitivity = InstrumentSensitivity(
        value=constant * shape, frequency=frequency, input_units="M", output_units="COUNTS",
        input_units_description="displacement", output_units_description="digital counts",
    )
    return Response(instrument_sensitivity=sensitivity, response_stages=[stage])


def read_response_file(path: Path, frequency: float = 1.0) -> Response:
    """Read a RESP or SAC pole-zero response file with ObsPy.

    Raises :class:`~asdfkit.errors.FormatError` when neither reader understands it.
    """
    from obspy import read_inventory
    from obspy.io.xseed.parser import SEEDParserException

    try:
        text = path.read_text(encoding="utf-8", errors="strict")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"cannot read response file {path}: {exc}") from exc
    if "B053F" in text or "B054F" in text or "B058F" in text:
        try:
            inventory = read_inventory(str(path), format="RESP")
            return inventory[0][0][0].response
        except (SEEDParserException, ValueError, IndexError, KeyError) as exc:
            raise FormatError(f"response file {path} is RESP-like but ObsPy cannot read it: {exc}") from exc
    try:
        return _response_from_sacpz(text, frequency)
    except (ValueError, IndexError, ZeroDivisionError) as exc:
        raise FormatError(
            f"response file {path} is neither RESP nor SAC poles and zeros (ObsPy reads only those): {exc}"
        ) from exc


@dataclass(frozen=True)
class InstrumentRef:
    """A sensor epoch's instrument: its table row and where its response file is."""

    inid: int
    row: Row
    start_ns: int | None
    end_ns: int | None
    chanid: int | None = None

    def overlaps(self, start_ns: int | None, end_ns: int | None) -> bool:
        """Whether this sensor epoch shares time with ``[start_ns, end_ns]`` (``None``: open)."""
        return ((end_ns is None or self.start_ns is None or self.start_ns <= end_ns)
                and (start_ns is None or self.end_ns is None or start_ns <= self.end_ns))


class InstrumentIndex:
    """sensor rows (sta, chan, epoch, chanid → inid) joined to instrument rows.

    A sitechan epoch finds its sensor by ``chanid`` when both tables carry it,
    else by time: the sensor epoch that overlaps the channel's.  (Matching the
    channel's ``ondate`` midnight against the sensor's ``time`` is not enough:
    real sensor epochs start later on the day the channel opens.)
    """

    def __init__(self, sensors: Iterable[Row], instruments: Iterable[Row]) -> None:
        by_id = {row["inid"]: row for row in instruments if row["inid"] is not None}
        self._refs: dict[tuple[str, str], list[InstrumentRef]] = {}
        for row in sensors:
            inst = by_id.get(row["inid"])
            if inst is not None:
                ref = InstrumentRef(row["inid"], inst, row["time"], row["endtime"], row.get("chanid"))
                self._refs.setdefault((row["sta"], row["chan"]), []).append(ref)
        for refs in self._refs.values():
            refs.sort(key=lambda r: (r.start_ns is not None, r.start_ns or 0))

    def __bool__(self) -> bool:
        return bool(self._refs)

    def has(self, sta: str, chan: str) -> bool:
        """Whether any sensor row of ``sta``/``chan`` reaches an instrument."""
        return (sta, chan) in self._refs

    def lookup(self, sta: str, chan: str, start_ns: int | None = None, end_ns: int | None = None, *,
               chanid: int | None = None) -> InstrumentRef | None:
        """The instrument of ``sta``/``chan`` during ``[start_ns, end_ns]`` (``None`` if none).

        With ``chanid`` the sensor rows of that channel id are preferred; among
        the candidates, the epoch holding ``start_ns`` wins, then the first that
        overlaps the window.
        """
        refs = self._refs.get((sta, chan), [])
        if chanid is not None and any(r.chanid == chanid for r in refs):
            refs = [r for r in refs if r.chanid == chanid]
        overlapping = [r for r in refs if r.overlaps(start_ns, end_ns)]
        for ref in overlapping:
            if ref.overlaps(start_ns, start_ns):
                return ref
        return overlapping[0] if overlapping else None
