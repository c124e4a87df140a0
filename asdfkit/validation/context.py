"""State shared by the checks of one validation run: findings, selection, cross-references."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from .. import spec
from .report import Finding
from .rules import RULES, RuleSelection

__all__ = ["Context", "StopValidation"]

log = logging.getLogger(__name__)

#: QuakeML element local names whose publicIDs the four id attributes refer to.
ID_TARGETS = {
    "event_id": "event",
    "origin_id": "origin",
    "magnitude_id": "magnitude",
    "focal_mechanism_id": "focalMechanism",
}


class StopValidation(Exception):
    """Raised inside a run when ``max_findings`` is reached; the engine catches it."""


@dataclass
class Context:
    """One run of the validator over one file."""

    path: str
    selection: RuleSelection = field(default_factory=RuleSelection.all)
    max_findings: int | None = None
    max_xml_bytes: int = 512 * 1024 * 1024
    findings: list[Finding] = field(default_factory=list)
    #: Version the file declares (None if missing/unknown) and the rules applied.
    version: str | None = None
    spec: spec.VersionSpec = field(default_factory=lambda: spec.spec_for(spec.DEFAULT_VERSION))
    #: publicIDs in /QuakeML by element local name; None when /QuakeML could not be read.
    quakeml_ids: dict[str, set[str]] | None = None
    has_quakeml: bool = False
    #: Qualified record ids of every provenance document; complete=False if one was unreadable.
    record_ids: set[str] = field(default_factory=set)
    provenance_complete: bool = True
    checked: dict[str, int] = field(default_factory=dict)

    def enabled(self, rule_id: str) -> bool:
        return self.selection.enabled(rule_id)

    def wants(self, prefix: str) -> bool:
        """Whether any rule starting with ``prefix`` is enabled."""
        return self.selection.any(prefix)

    def add(self, rule_id: str, path: str, message: str) -> None:
        """Record a finding of ``rule_id`` at HDF5 ``path`` (if that rule is selected)."""
        if not self.selection.enabled(rule_id):
            return
        rule = RULES[rule_id]
        self.findings.append(Finding(rule_id, rule.severity, path, message))
        log.debug("%s %s: %s", rule_id, path, message)
        if self.max_findings is not None and len(self.findings) >= self.max_findings:
            raise StopValidation

    def count(self, what: str, n: int = 1) -> None:
        self.checked[what] = self.checked.get(what, 0) + n
