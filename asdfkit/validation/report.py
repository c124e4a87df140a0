"""What the validator found: frozen :class:`Finding` values collected in a :class:`Report`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .rules import RULES, Severity

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_UNREADABLE", "Finding", "Report"]

#: Exit codes of ``asdf-cli validate``, also :attr:`Report.exit_code`.
EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


@dataclass(frozen=True)
class Finding:
    """One broken rule at one place in a file.

    Examples
    --------
    >>> Finding("ASDF-WAVE-005", Severity.ERROR, "/Waveforms/XX.A/x", "sampling_rate is 0.0").severity
    <Severity.ERROR: 'error'>
    """

    rule: str
    severity: Severity
    path: str
    message: str

    @property
    def title(self) -> str:
        """Short name of the rule."""
        rule = RULES.get(self.rule)
        return rule.title if rule else ""

    def to_dict(self) -> dict[str, str]:
        """The finding as a JSON-ready dictionary."""
        return {"rule": self.rule, "severity": self.severity.value, "path": self.path,
                "message": self.message}

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.rule} {self.path}: {self.message}"


@dataclass(frozen=True)
class Report:
    """Everything the validator found in one file.

    ``opened`` is false when the file could not be opened as HDF5 at all;
    ``truncated`` is true when validation stopped after ``max_findings``.
    """

    path: str
    findings: tuple[Finding, ...] = ()
    opened: bool = True
    format_version: str | None = None
    truncated: bool = False
    checked: Mapping[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings of severity error."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings of severity warning."""
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        """True when the file opened and breaks no error rule (warnings allowed)."""
        return self.opened and not any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings per severity: ``{"error": n, "warning": m}``."""
        out = {severity.value: 0 for severity in Severity}
        for finding in self.findings:
            out[finding.severity.value] += 1
        return out

    @property
    def exit_code(self) -> int:
        """0 valid (warnings allowed), 1 opens as HDF5 but breaks rules, 2 not HDF5."""
        if not self.opened:
            return EXIT_UNREADABLE
        return EXIT_OK if self.ok else EXIT_INVALID

    def by_rule(self) -> dict[str, int]:
        """Number of findings per rule id."""
        out: dict[str, int] = {}
        for finding in self.findings:
            out[finding.rule] = out.get(finding.rule, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dictionary."""
        return {
            "path": self.path,
            "ok": self.ok,
            "opened": self.opened,
            "exit_code": self.exit_code,
            "format_version": self.format_version,
            "truncated": self.truncated,
            "counts": self.counts,
            "checked": dict(self.checked),
            "seconds": round(self.seconds, 4),
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent)
