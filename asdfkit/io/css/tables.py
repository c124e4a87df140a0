"""CSS flat-file tables: row layouts with their offsets, and parse/format of rows.

A row is one line of fixed-width fields separated by one blank.  The columns
of each table per schema are data in ``schemas``; the offsets are computed.
Load dates (``lddate``) are kept as their text: Antelope writes an epoch,
other writers a date string.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ...errors import AsdfkitError, FormatError, InvalidValueError
from .schemas import SPECS

__all__ = [
    "SCHEMAS",
    "TABLES",
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

SCHEMAS = tuple(SPECS)
_NS = 1_000_000_000


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
    for name, width, kind, fmt, null in SPECS[schema][table]:
        columns.append(Column(name, start, start + width, kind, fmt, null))
        start += width + 1
    return Layout(table, schema, tuple(columns))


_LAYOUTS = {(t, s): _build(t, s) for s in SCHEMAS for t in SPECS[s]}
TABLES = tuple(SPECS["css3.0"])


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
