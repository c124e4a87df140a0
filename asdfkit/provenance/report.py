"""Findings of the SEIS-PROV validator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["RULES", "ProvFinding", "ProvReport"]

#: Every rule the SEIS-PROV validator checks, with what it means.
RULES: dict[str, str] = {
    "xml.malformed": "the document is not well-formed XML (or is empty or too large)",
    "xml.unsafe": "the document declares a DOCTYPE (entities and DTDs are refused)",
    "prov.root": "the root element must be prov:document",
    "prov.schema": "the document must be valid against the W3C PROV-XML schema",
    "prov.parse": "the prov package must be able to read the document",
    "prov.id.prefix": "a record id uses a namespace prefix that is not declared",
    "prov.relation.dangling": "a relation refers to a record that is not in the document",
    "sp.empty": "the document holds no SEIS-PROV record (an empty document is invalid, as in the "
                "SEIS-PROV test suite)",
    "sp.namespace.prefix": "exactly one prefix must be bound to the SEIS-PROV namespace",
    "sp.id.namespace": "a record with a SEIS-PROV type must have its id in the SEIS-PROV namespace",
    "sp.id.pattern": "a record id must match ^sp\\d{3,5}_<code>_[a-z0-9]{7,12}$ with its type's code",
    "sp.id.duplicate": "entity and activity ids must be unique across the document and its bundles "
                       "(a repeated agent id is a warning: PROV merges the descriptions)",
    "sp.type.missing": "an entity or activity with a SEIS-PROV id must have a SEIS-PROV prov:type",
    "sp.type.count": "a SEIS-PROV entity or activity must have exactly one prov:type",
    "sp.type.form": "a SEIS-PROV prov:type must be the string 'seis_prov:<name>'",
    "sp.type.unknown": "the prov:type must be a SEIS-PROV type of the record's kind",
    "sp.agent.type": "a SEIS-PROV agent must be a software agent, person or organization",
    "sp.label.count": "a SEIS-PROV record must have exactly one prov:label",
    "sp.label.value": "an entity's or activity's prov:label must be its type's fixed label",
    "sp.attr.required": "a required seis_prov attribute is missing",
    "sp.attr.unknown": "an unknown seis_prov attribute on a type that allows none",
    "sp.attr.type": "an attribute value is not of its xsd type",
    "sp.attr.pattern": "an attribute value does not match its pattern",
}


@dataclass(frozen=True)
class ProvFinding:
    """One problem: which rule, where, and what."""

    rule: str
    message: str
    record_id: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = f" [{self.record_id}]" if self.record_id else ""
        return f"{self.severity}: {self.rule}{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The finding as a JSON-ready dictionary."""
        return {"rule": self.rule, "severity": self.severity, "record_id": self.record_id,
                "message": self.message}


@dataclass
class ProvReport:
    """Every finding of one document, and the ids of its records."""

    findings: list[ProvFinding] = field(default_factory=list)
    record_ids: set[str] = field(default_factory=set)
    seis_prov_records: int = 0

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not any(f.severity == "error" for f in self.findings)

    @property
    def errors(self) -> list[ProvFinding]:
        """Findings of severity ``error``."""
        return [f for f in self.findings if f.severity == "error"]

    def rules(self) -> set[str]:
        """Names of the rules that produced a finding."""
        return {f.rule for f in self.findings}

    def add(self, rule: str, message: str, record_id: str | None = None, severity: str = "error") -> None:
        """Record a finding of ``rule`` (``severity`` ``error`` or ``warning``), optionally on one record."""
        self.findings.append(ProvFinding(rule, message, record_id, severity))

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dictionary."""
        return {"ok": self.ok, "seis_prov_records": self.seis_prov_records,
                "findings": [f.to_dict() for f in self.findings]}

    def __str__(self) -> str:
        if not self.findings:
            return f"valid SEIS-PROV ({self.seis_prov_records} SEIS-PROV records)"
        return "\n".join(str(f) for f in self.findings)
