"""What a CSS conversion met on its way: missing files, disagreements, fallbacks, counts.

The report is filled while a database is read or written; nothing in it stops
a conversion.  The CLI decides how to show it (:meth:`CssReport.lines`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CssReport", "Disagreement", "Issue", "MissingFile"]


@dataclass(frozen=True)
class MissingFile:
    """A row whose waveform (or response) file could not be read."""

    row: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.row}: {self.path}: {self.reason}"


@dataclass(frozen=True)
class Disagreement:
    """Two sources give different values for the same thing; ``used`` says which won."""

    subject: str
    field: str
    table_value: Any
    other_value: Any
    other_source: str
    used: str = "table"

    def __str__(self) -> str:
        return (
            f"{self.subject} {self.field}: tables say {self.table_value!r}, {self.other_source} says "
            f"{self.other_value!r} (using the {self.used} value)"
        )


@dataclass(frozen=True)
class Issue:
    """A warning: a fallback taken, a row skipped, something CSS could not hold."""

    kind: str
    message: str
    where: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class CssReport:
    """Everything a read or write of a CSS database wants the user to know.

    Attributes
    ----------
    missing : list of MissingFile
        ``(row, path, reason)`` of every row whose file could not be found or read.
    disagreements : list of Disagreement
        Tables against SAC headers (or other sources), once per station/channel and field.
    issues : list of Issue
        Fallbacks taken (metadata from SAC headers, network from an option),
        rows skipped, precision lost on writing, responses not attached.
    counts : Counter
        ``traces``, ``stations``, ``channels``, ``events``, ``origins``, ``picks``,
        ``arrivals``, ``rows`` ... as they were produced.
    """

    missing: list[MissingFile] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    _seen: set[tuple[Any, ...]] = field(default_factory=set, repr=False)

    def add_missing(self, row: str, path: str, reason: str) -> None:
        """Record a row whose waveform file could not be found or read."""
        self.missing.append(MissingFile(row, path, reason))

    def disagree(self, subject: str, field_name: str, table_value: Any, other_value: Any,
                 other_source: str, used: str = "table") -> None:
        """Record that a table value differs from another source; kept once per subject and field."""
        key = ("d", subject, field_name)
        if key not in self._seen:
            self._seen.add(key)
            self.disagreements.append(
                Disagreement(subject, field_name, table_value, other_value, other_source, used)
            )

    def warn(self, kind: str, message: str, where: str = "", once: Any = None) -> None:
        """Record an issue; with ``once``, only the first issue of that key is kept."""
        if once is not None:
            key = ("w", kind, once)
            if key in self._seen:
                return
            self._seen.add(key)
        self.issues.append(Issue(kind, message, where))

    def issues_of(self, kind: str) -> list[Issue]:
        """The issues of one ``kind``."""
        return [i for i in self.issues if i.kind == kind]

    @property
    def ok(self) -> bool:
        """True when no file was missing and no row was skipped."""
        return not self.missing and not self.issues_of("skipped-row")

    def lines(self) -> list[str]:
        """Human-readable lines, counts first."""
        out = [", ".join(f"{n} {k}" for k, n in sorted(self.counts.items()))] if self.counts else []
        out += [f"missing: {m}" for m in self.missing]
        out += [f"disagreement: {d}" for d in self.disagreements]
        out += [f"{i.kind}: {i}" for i in self.issues]
        return out
