"""CSS flat-file tables: fixed-width row layouts as data, and their parse/format.

A row is one line of fixed-width fields separated by one blank.  Each layout
below lists ``(name, width, kind, format, null)`` in column order; the offsets
are computed, so a css3.1 layout is the css3.0 one with some columns widened.

Kinds: ``s`` string (null ``-``), ``i`` integer, ``f`` float, ``t`` epoch time
kept exact as integer nanoseconds, ``l`` load date (kept as its text: Antelope
writes an epoch, other writers a date string).
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ...errors import AsdfkitError, FormatError, InvalidValueError

__all__ = [
    "SCHEMAS",
    "Column",
    "Layout",
    "Row",
    "format_row",
    "format_time",
    "layout",
    "parse_row",
    "parse_time_ns",
    "read_rows",
]

SCHEMAS = ("css3.0", "css3.1")
_NS = 1_000_000_000
_TIME_NULL = -9999999999.999
_END_NULL = 9999999999.999

_Spec = tuple[str, int, str, str, Any]

_LDDATE: _Spec = ("lddate", 17, "l", "%17.5f", None)

_SPECS: dict[str, list[_Spec]] = {
    "wfdisc": [
        ("sta", 6, "s", "%-6s", None), ("chan", 8, "s", "%-8s", None),
        ("time", 17, "t", "%17.5f", _TIME_NULL), ("wfid", 8, "i", "%8d", -1),
        ("chanid", 8, "i", "%8d", -1), ("jdate", 8, "i", "%8d", -1),
        ("endtime", 17, "t", "%17.5f", _END_NULL), ("nsamp", 8, "i", "%8d", -1),
        ("samprate", 11, "f", "%11.7f", -1.0), ("calib", 16, "f", "%16.9g", 0.0),
        ("calper", 16, "f", "%16.6f", -1.0), ("instype", 6, "s", "%-6s", None),
        ("segtype", 1, "s", "%-1s", None), ("datatype", 2, "s", "%-2s", None),
        ("clip", 1, "s", "%-1s", None), ("dir", 64, "s", "%-64s", None),
        ("dfile", 32, "s", "%-32s", None), ("foff", 10, "i", "%10d", None),
        ("commid", 8, "i", "%8d", -1), _LDDATE,
    ],
    "site": [
        ("sta", 6, "s", "%-6s", None), ("ondate", 8, "i", "%8d", -1),
        ("offdate", 8, "i", "%8d", -1), ("lat", 9, "f", "%9.4f", -999.0),
        ("lon", 9, "f", "%9.4f", -999.0), ("elev", 9, "f", "%9.4f", -999.0),
        ("staname", 50, "s", "%-50s", None), ("statype", 4, "s", "%-4s", None),
        ("refsta", 6, "s", "%-6s", None), ("dnorth", 9, "f", "%9.4f", None),
        ("deast", 9, "f", "%9.4f", None), _LDDATE,
    ],
    "sitechan": [
        ("sta", 6, "s", "%-6s", None), ("chan", 8, "s", "%-8s", None),
        ("ondate", 8, "i", "%8d", -1), ("chanid", 8, "i", "%8d", -1),
        ("offdate", 8, "i", "%8d", -1), ("ctype", 4, "s", "%-4s", None),
        ("edepth", 9, "f", "%9.4f", -9.9999), ("hang", 6, "f", "%6.1f", -999.9),
        ("vang", 6, "f", "%6.1f", -999.9), ("descrip", 50, "s", "%-50s", None), _LDDATE,
    ],
    "snetsta": [
        ("snet", 8, "s", "%-8s", None), ("fsta", 6, "s", "%-6s", None),
        ("sta", 6, "s", "%-6s", None), _LDDATE,
    ],
    "schanloc": [
        ("sta", 6, "s", "%-6s", None), ("fchan", 8, "s", "%-8s", None),
        ("loc", 8, "s", "%-8s", None), ("chan", 8, "s", "%-8s", None), _LDDATE,
    ],
    "affiliation": [("net", 8, "s", "%-8s", None), ("sta", 6, "s", "%-6s", None), _LDDATE],
    "network": [
        ("net", 8, "s", "%-8s", None), ("netname", 80, "s", "%-80s", None),
        ("nettype", 4, "s", "%-4s", None), ("auth", 15, "s", "%-15s", None),
        ("commid", 8, "i", "%8d", -1), _LDDATE,
    ],
    "origin": [
        ("lat", 9, "f", "%9.4f", -999.0), ("lon", 9, "f", "%9.4f", -999.0),
        ("depth", 9, "f", "%9.4f", -999.0), ("time", 17, "t", "%17.5f", _TIME_NULL),
        ("orid", 8, "i", "%8d", -1), ("evid", 8, "i", "%8d", -1),
        ("jdate", 8, "i", "%8d", -1), ("nass", 4, "i", "%4d", -1),
        ("ndef", 4, "i", "%4d", -1), ("ndp", 4, "i", "%4d", -1),
        ("grn", 8, "i", "%8d", -1), ("srn", 8, "i", "%8d", -1),
        ("etype", 2, "s", "%-2s", None), ("review", 4, "s", "%-4s", None),
        ("depdp", 9, "f", "%9.4f", -999.0), ("dtype", 1, "s", "%-1s", None),
        ("mb", 7, "f", "%7.2f", -999.0), ("mbid", 8, "i", "%8d", -1),
        ("ms", 7, "f", "%7.2f", -999.0), ("msid", 8, "i", "%8d", -1),
        ("ml", 7, "f", "%7.2f", -999.0), ("mlid", 8, "i", "%8d", -1),
        ("algorithm", 15, "s", "%-15s", None), ("auth", 15, "s", "%-15s", None),
        ("commid", 8, "i", "%8d", -1), _LDDATE,
    ],
    "event": [
        ("evid", 8, "i", "%8d", -1), ("evname", 15, "s", "%-15s", None),
        ("prefor", 8, "i", "%8d", -1), ("auth", 15, "s", "%-15s", None),
        ("commid", 8, "i", "%8d", -1), _LDDATE,
    ],
    "arrival": [
        ("sta", 6, "s", "%-6s", None), ("time", 17, "t", "%17.5f", _TIME_NULL),
        ("arid", 8, "i", "%8d", -1), ("jdate", 8, "i", "%8d", -1),
        ("stassid", 8, "i", "%8d", -1), ("chanid", 8, "i", "%8d", -1),
        ("chan", 8, "s", "%-8s", None), ("iphase", 8, "s", "%-8s", None),
        ("stype", 1, "s", "%-1s", None), ("deltim", 6, "f", "%6.3f", -1.0),
        ("azimuth", 7, "f", "%7.2f", -1.0), ("delaz", 7, "f", "%7.2f", -1.0),
        ("slow", 7, "f", "%7.2f", -1.0), ("delslo", 7, "f", "%7.2f", -1.0),
        ("ema", 7, "f", "%7.2f", -1.0), ("rect", 7, "f", "%7.3f", -1.0),
        ("amp", 10, "f", "%10.1f", -1.0), ("per", 7, "f", "%7.2f", -1.0),
        ("logat", 7, "f", "%7.2f", -999.0), ("clip", 1, "s", "%-1s", None),
        ("fm", 2, "s", "%-2s", None), ("snr", 10, "f", "%10.2g", -1.0),
        ("qual", 1, "s", "%-1s", None), ("auth", 15, "s", "%-15s", None),
        ("commid", 8, "i", "%8d", -1), _LDDATE,
    ],
    "assoc": [
        ("arid", 8, "i", "%8d", -1), ("orid", 8, "i", "%8d", -1),
        ("sta", 6, "s", "%-6s", None), ("phase", 8, "s", "%-8s", None),
        ("belief", 4, "f", "%4.2f", 9.99), ("delta", 8, "f", "%8.3f", -1.0),
        ("seaz", 7, "f", "%7.2f", -999.0), ("esaz", 7, "f", "%7.2f", -999.0),
        ("timeres", 8, "f", "%8.3f", -999.0), ("timedef", 1, "s", "%-1s", None),
        ("azres", 7, "f", "%7.1f", -999.0), ("azdef", 1, "s", "%-1s", None),
        ("slores", 7, "f", "%7.2f", -999.0), ("slodef", 1, "s", "%-1s", None),
        ("emares", 7, "f", "%7.1f", -999.0), ("wgt", 6, "f", "%6.3f", -1.0),
        ("vmodel", 15, "s", "%-15s", None), ("commid", 8, "i", "%8d", -1), _LDDATE,
    ],
    "instrument": [
        ("inid", 8, "i", "%8d", -1), ("insname", 50, "s", "%-50s", None),
        ("instype", 6, "s", "%-6s", None), ("band", 1, "s", "%-1s", None),
        ("digital", 1, "s", "%-1s", None), ("samprate", 11, "f", "%11.7f", -1.0),
        ("ncalib", 16, "f", "%16.6f", -99.999999), ("ncalper", 16, "f", "%16.6f", -1.0),
        ("dir", 64, "s", "%-64s", None), ("dfile", 32, "s", "%-32s", None),
        ("rsptype", 6, "s", "%-6s", None), _LDDATE,
    ],
    "sensor": [
        ("sta", 6, "s", "%-6s", None), ("chan", 8, "s", "%-8s", None),
        ("time", 17, "t", "%17.5f", _TIME_NULL), ("endtime", 17, "t", "%17.5f", _END_NULL),
        ("inid", 8, "i", "%8d", -1), ("chanid", 8, "i", "%8d", -1),
        ("jdate", 8, "i", "%8d", -1), ("calratio", 16, "f", "%16.6f", None),
        ("calper", 16, "f", "%16.6f", -1.0), ("tshift", 6, "f", "%6.2f", None),
        ("instant", 1, "s", "%-1s", None), _LDDATE,
    ],
}

# css3.1 widens the local station code to 14 and the local channel code to 15
# characters (css3.md); the foreign codes (fsta, fchan) keep their SEED widths.
_CSS31_WIDTHS = {"sta": 14, "refsta": 14, "chan": 15}


@dataclass(frozen=True)
class Column:
    """One fixed-width field of a row layout."""

    name: str
    start: int
    end: int
    kind: str
    fmt: str
    null: Any

    @property
    def width(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Layout:
    """The fixed-width layout of one table in one schema."""

    table: str
    schema: str
    columns: tuple[Column, ...]

    @property
    def width(self) -> int:
        return self.columns[-1].end

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


@dataclass(frozen=True)
class Row:
    """A parsed row: its values by column name, and where it came from."""

    values: Mapping[str, Any]
    path: str
    line: int

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _build(table: str, schema: str) -> Layout:
    columns = []
    start = 0
    for name, width, kind, fmt, null in _SPECS[table]:
        if schema == "css3.1" and kind == "s" and name in _CSS31_WIDTHS:
            width = _CSS31_WIDTHS[name]
            fmt = f"%-{width}s"
        columns.append(Column(name, start, start + width, kind, fmt, null))
        start += width + 1
    return Layout(table, schema, tuple(columns))


_LAYOUTS = {(t, s): _build(t, s) for t in _SPECS for s in SCHEMAS}
TABLES = tuple(_SPECS)


def layout(table: str, schema: str = "css3.0") -> Layout:
    """The layout of ``table`` in ``schema``.

    Examples
    --------
    >>> layout("wfdisc").width
    283
    >>> layout("wfdisc").column("datatype").start
    143
    """
    try:
        return _LAYOUTS[(table, schema)]
    except KeyError:
        if schema not in SCHEMAS:
            raise InvalidValueError(f"invalid CSS schema {schema!r}: must be one of {', '.join(SCHEMAS)}") from None
        raise InvalidValueError(f"unknown CSS table {table!r}: known tables are {', '.join(TABLES)}") from None


def parse_time_ns(text: str) -> int:
    """Exact integer nanoseconds of a decimal epoch such as ``"902931000.01564"``.

    Examples
    --------
    >>> parse_time_ns("902931000.01564")
    902931000015640000
    """
    value = Decimal(text.strip())
    if not value.is_finite():
        raise InvalidOperation(text)
    return int((value * _NS).to_integral_value())


def format_time(ns: int, decimals: int = 5, width: int = 17) -> str:
    """``%17.5f`` of integer nanoseconds, rounded half-even in integer arithmetic.

    Examples
    --------
    >>> format_time(902931000015635000)
    '  902931000.01564'
    """
    unit = 10 ** (9 - decimals)
    q, r = divmod(int(ns), unit)
    if 2 * r > unit or (2 * r == unit and q % 2):
        q += 1
    sign = "-" if q < 0 else ""
    whole, frac = divmod(abs(q), 10**decimals)
    return f"{sign}{whole}.{frac:0{decimals}d}".rjust(width)


def _is_null(value: float, null: Any) -> bool:
    return null is not None and abs(value - float(null)) <= 1e-9 * max(1.0, abs(float(null)))


def _parse_field(col: Column, text: str, where: str) -> Any:
    raw = text.strip()
    if col.kind == "l":
        return raw or None
    if col.kind == "s":
        if col.name == "loc":  # an empty SEED location: Antelope writes blanks
            return "" if raw in ("", "-") else raw
        return None if raw in ("", "-") else raw
    if raw in ("", "-"):
        return None
    try:
        if col.kind == "i":
            number: Any = int(raw)
            return None if col.null is not None and number == col.null else number
        if col.kind == "t":
            ns = parse_time_ns(raw)
            return None if _is_null(ns / _NS, col.null) else ns
        number = float(raw)
    except (ValueError, InvalidOperation):
        kinds = {"i": "an integer", "t": "a decimal epoch time", "f": "a number"}
        raise InvalidValueError(
            f"{where}: invalid {col.name} {raw!r}: must be {kinds[col.kind]} (columns {col.start + 1}-{col.end})"
        ) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidValueError(f"{where}: invalid {col.name} {raw!r}: must be a finite number")
    return None if _is_null(number, col.null) else number


def parse_row(lay: Layout, line: str, path: str = "<row>", lineno: int = 0) -> Row:
    """Parse one line of ``lay``; errors name the file, line and field."""
    where = f"{path}:{lineno}"
    text = line.rstrip("\r\n")
    # Trailing blanks of the last (lddate) field are often stripped by editors.
    last = lay.columns[-1]
    if len(text) < last.start:
        raise FormatError(
            f"{where}: truncated {lay.table} row: {len(text)} characters, a {lay.schema} "
            f"{lay.table} row has {lay.width} (field {_field_at(lay, len(text))!r} is cut)"
        )
    if len(text) > lay.width and text[lay.width:].strip():
        raise FormatError(
            f"{where}: {lay.table} row of {len(text)} characters is longer than the {lay.width} "
            f"of a {lay.schema} {lay.table} row (is the schema right?)"
        )
    values = {col.name: _parse_field(col, text[col.start:col.end], where) for col in lay.columns}
    return Row(values, path, lineno)


def _field_at(lay: Layout, pos: int) -> str:
    for col in lay.columns:
        if col.end > pos:
            return col.name
    return lay.columns[-1].name


def read_rows(path: Path, lay: Layout, on_error: Callable[[AsdfkitError], None] | None = None) -> Iterator[Row]:
    """Iterate the rows of a table file lazily (blank lines are skipped).

    A bad row raises, unless ``on_error`` is given: it then receives the error
    and the row is skipped.
    """
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise FormatError(f"cannot read CSS table {path}: {exc.strerror}") from exc
    with handle:
        for lineno, raw in enumerate(handle, 1):
            try:
                try:
                    line = raw.decode("ascii")
                except UnicodeDecodeError:
                    line = raw.decode("latin-1")  # station names with accents
                if line.strip():
                    yield parse_row(lay, line, str(path), lineno)
            except AsdfkitError as exc:
                if on_error is None:
                    raise
                on_error(exc)


def _lddate() -> str:
    return f"{_time.time():17.5f}"


def format_row(lay: Layout, values: Mapping[str, Any], lddate: str | None = None) -> str:
    """Format one row; missing values are written as the column's null."""
    parts = []
    for col in lay.columns:
        value = values.get(col.name)
        if col.kind == "l":
            text = (value or lddate or _lddate())[: col.width].rjust(col.width)
        elif col.kind == "s":
            text = "-" if value is None else str(value)
            if len(text) > col.width:
                raise InvalidValueError(
                    f"invalid {lay.table}.{col.name} {text!r}: longer than its {col.width} characters in {lay.schema}"
                )
            text = col.fmt % text
        elif col.kind == "t":
            text = format_time(value, int(col.fmt[-2]), col.width) if value is not None else col.fmt % col.null
        else:
            null = col.null if col.null is not None else 0
            text = col.fmt % (null if value is None else value)
            if len(text) > col.width:
                raise InvalidValueError(
                    f"invalid {lay.table}.{col.name} {value!r}: does not fit {col.fmt} ({col.width} characters)"
                )
        parts.append(text)
    return " ".join(parts)
