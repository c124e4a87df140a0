"""The rule registry, rule selection, the report model, and docs/validate.md's table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import asdfkit
from asdfkit.errors import InvalidValueError
from asdfkit.validation import RULES, Finding, Report, RuleSelection, Severity, markdown_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "validate.md"


def test_rule_ids_are_stable_and_well_formed() -> None:
    assert len(RULES) >= 45
    for rule_id, rule in RULES.items():
        assert re.fullmatch(r"ASDF-[A-Z]+-\d{3}", rule_id), rule_id
        assert rule.id == rule_id and rule.title and rule.description.endswith(")") or rule.description.endswith(".")
        assert rule.severity in (Severity.ERROR, Severity.WARNING)
    areas = {rule.area for rule in RULES.values()}
    assert areas == {"FILE", "ROOT", "ATTR", "NAME", "WAVE", "STXML", "QML", "PROV", "XML", "AUX", "GROUP"}


def test_unknown_extra_attributes_are_warnings() -> None:
    assert RULES["ASDF-ATTR-001"].severity is Severity.WARNING
    assert RULES["ASDF-WAVE-004"].severity is Severity.ERROR


@pytest.mark.parametrize(("select", "ignore", "on", "off"), [
    (None, None, "ASDF-QML-003", None),
    ("WAVE", None, "ASDF-WAVE-004", "ASDF-QML-001"),
    ("asdf-stxml", "ASDF-STXML-007", "ASDF-STXML-001", "ASDF-STXML-007"),
    (["ASDF-*-001"], None, "ASDF-NAME-001", "ASDF-NAME-002"),
    ("QML,PROV-004", None, "ASDF-PROV-004", "ASDF-PROV-003"),
    (None, ["ATTR", "FILE-00?"], "ASDF-FILE-010" if "ASDF-FILE-010" in RULES else "ASDF-ROOT-001", "ASDF-FILE-004"),
])
def test_selection(select, ignore, on, off) -> None:
    selection = RuleSelection.parse(select, ignore)
    assert selection.enabled(on)
    if off:
        assert not selection.enabled(off)


@pytest.mark.parametrize("pattern", ["FOO", "ASDF-WAVE-999", "*-XYZ"])
def test_a_pattern_matching_no_rule_is_refused(pattern: str) -> None:
    with pytest.raises(InvalidValueError, match="matches no rule"):
        RuleSelection.parse(select=[pattern])
    with pytest.raises(InvalidValueError, match="matches no rule"):
        RuleSelection.parse(ignore=pattern)


def test_bad_arguments_are_refused_before_the_file_is_touched(tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError):
        asdfkit.validate(tmp_path / "nothing.h5", select="NOPE")
    with pytest.raises(InvalidValueError):
        asdfkit.validate(tmp_path / "nothing.h5", max_findings=0)
    with pytest.raises(InvalidValueError):
        asdfkit.validate(tmp_path / "nothing.h5", workers=0)


def test_report_model() -> None:
    error = Finding("ASDF-WAVE-005", Severity.ERROR, "/Waveforms/A.B/x", "sampling_rate is 0.0")
    warning = Finding("ASDF-ATTR-001", Severity.WARNING, "/", "unknown root attribute 'x'")
    report = Report("f.h5", (error, warning), checked={"traces": 1})
    assert not report.ok and report.exit_code == 1
    assert report.counts == {"error": 1, "warning": 1}
    assert report.errors == (error,) and report.warnings == (warning,)
    assert report.by_rule() == {"ASDF-WAVE-005": 1, "ASDF-ATTR-001": 1}
    doc = json.loads(report.to_json())
    assert doc["findings"][0] == {"rule": "ASDF-WAVE-005", "severity": "error",
                                  "path": "/Waveforms/A.B/x", "message": "sampling_rate is 0.0"}
    assert doc["ok"] is False and doc["exit_code"] == 1 and doc["counts"]["warning"] == 1
    assert error.title == "sampling_rate attribute"
    assert str(error).startswith("error: ASDF-WAVE-005 /Waveforms/A.B/x")
    assert Report("f.h5", (warning,)).ok and Report("f.h5", (warning,)).exit_code == 0
    assert Report("f.h5", (), opened=False).exit_code == 2 and not Report("f.h5", (), opened=False).ok
    with pytest.raises(AttributeError):
        error.rule = "x"  # type: ignore[misc]


def test_docs_table_is_the_registry() -> None:
    text = DOC.read_text()
    assert markdown_table() in text, "regenerate the table in docs/validate.md from markdown_table()"
    documented = set(re.findall(r"^\| (ASDF-[A-Z]+-\d{3}) \|", text, flags=re.MULTILINE))
    assert documented == set(RULES)
