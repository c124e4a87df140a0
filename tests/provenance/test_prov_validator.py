"""validate(): every rule of RULES with a minimal invalid document, and all findings at once."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from prov.model import PROV_LABEL, PROV_TYPE, ProvDocument
from prov_xml import SP_URI, relation, software_agent, sp_attr, sp_document, sp_record, waveform

from asdfkit.provenance import RULES, ProvFinding, ProvReport, validate

SP = "seis_prov:"
WF = "sp001_wf_abcdefg"
WF_ID = f"{{{SP_URI}}}{WF}"


def _detrend(*children: str, local: str = "sp002_dt_abcdefg", label: str = "Detrend") -> str:
    return sp_record("activity", local, "detrend", label, *children)


_OTHER_NS = ' xmlns:ex="http://example.org/ns#"'

#: (case id, document, expected rule ids).  Every case is the smallest document we could
#: write that breaks exactly the rules listed.
CASES: list[tuple[str, Any, set[str]]] = [
    ("not-xml", b"<prov:document", {"xml.malformed"}),
    ("empty", b"", {"xml.malformed"}),
    ("not-a-document-object", 42, {"xml.malformed"}),
    ("doctype", '<!DOCTYPE d><prov:document xmlns:prov="http://www.w3.org/ns/prov#"/>', {"xml.unsafe"}),
    ("html-root", "<html><body/></html>", {"prov.root"}),
    ("label-after-type", sp_document(sp_record("entity", WF, None, None,
                                               '<prov:type xsi:type="xsd:string">seis_prov:waveform_trace</prov:type>',
                                               "<prov:label>Waveform Trace</prov:label>")), {"prov.schema"}),
    ("entity-without-id", sp_document("<prov:entity/>", waveform()), {"prov.parse"}),
    ("undeclared-id-prefix", sp_document('<prov:entity prov:id="nope:sp001_wf_abcdefg"/>', waveform()),
     {"prov.id.prefix", "prov.schema", "prov.parse"}),
    ("dangling-relation", sp_document(waveform(), relation(
        "wasGeneratedBy", ("entity", SP + WF), ("activity", SP + "sp002_dt_notthere"))), {"prov.relation.dangling"}),
    ("no-seis-prov-record", sp_document('<prov:entity prov:id="ex:a"/>', namespaces=_OTHER_NS), {"sp.empty"}),
    ("two-prefixes", sp_document(waveform(), namespaces=f' xmlns:sp="{SP_URI}"'), {"sp.namespace.prefix"}),
    ("sp-type-foreign-id", sp_document('<prov:entity prov:id="ex:sp001_wf_abcdefg"><prov:label>Waveform Trace'
                                       '</prov:label><prov:type xsi:type="xsd:string">seis_prov:waveform_trace'
                                       "</prov:type></prov:entity>", namespaces=_OTHER_NS), {"sp.id.namespace"}),
    ("id-uppercase-hash", sp_document(waveform("sp001_wf_ABCDEFG")), {"sp.id.pattern"}),
    ("id-wrong-code", sp_document(waveform("sp001_dt_abcdefg")), {"sp.id.pattern"}),
    ("id-short-step", sp_document(waveform("sp01_wf_abcdefg")), {"sp.id.pattern"}),
    ("id-plus-in-hash", sp_document(waveform("sp001_wf_abc+defg")), {"sp.id.pattern", "prov.schema"}),
    ("duplicate-id", sp_document(waveform(), waveform()), {"sp.id.duplicate"}),
    ("duplicate-across-bundle", sp_document(
        waveform(), f'<prov:bundleContent prov:id="{SP}sp009_bd_bundle1">{waveform()}</prov:bundleContent>'),
     {"sp.id.duplicate"}),
    ("no-type", sp_document(sp_record("entity", WF, None, "Waveform Trace")), {"sp.type.missing"}),
    ("two-types", sp_document(waveform(WF, '<prov:type xsi:type="xsd:string">trace</prov:type>')), {"sp.type.count"}),
    ("type-as-qname", sp_document(sp_record("entity", WF, None, "Waveform Trace",
                                            '<prov:type xsi:type="xsd:QName">seis_prov:waveform_trace</prov:type>')),
     {"sp.type.form"}),
    ("unknown-type", sp_document(sp_record("entity", WF, "seismogram", "Seismogram")), {"sp.type.unknown"}),
    ("activity-type-on-entity", sp_document(sp_record("entity", "sp001_dt_abcdefg", "detrend", "Detrend",
                                                      sp_attr("detrending_method", "demean"))), {"sp.type.unknown"}),
    ("untyped-agent", sp_document('<prov:agent prov:id="seis_prov:sp000_xx_abcdefg"><prov:label>x</prov:label>'
                                  "</prov:agent>"), {"sp.agent.type"}),
    ("no-label", sp_document(sp_record("entity", WF, "waveform_trace", None)), {"sp.label.count"}),
    ("two-labels", sp_document(waveform(WF, "<prov:label>Trace</prov:label>")), {"sp.label.count", "prov.schema"}),
    ("wrong-label", sp_document(sp_record("entity", WF, "waveform_trace", "Waveform")), {"sp.label.value"}),
    ("missing-required", sp_document(_detrend()), {"sp.attr.required"}),
    ("extra-attribute", sp_document(waveform(WF, sp_attr("colour", "red"))), {"sp.attr.unknown"}),
    ("bandstop-correct-spelling", sp_document(sp_record(
        "activity", "sp001_bs_abcdefg", "bandstop_filter", "Bandstop Filter", sp_attr("filter_type", "Butterworth"),
        sp_attr("upper_corner_frequency", "2.0", "xsd:double"))), {"sp.attr.unknown"}),
    ("text-for-double", sp_document(waveform(WF, sp_attr("sampling_rate", "fast"))), {"sp.attr.type"}),
    ("underscore-double", sp_document(waveform(WF, sp_attr("sampling_rate", "1_000"))), {"sp.attr.type"}),
    ("negative-count", sp_document(waveform(WF, sp_attr("number_of_samples", "-6000", "xsd:int"))),
     {"sp.attr.type"}),
    ("zero-count", sp_document(waveform(WF, sp_attr("number_of_samples", "0", "xsd:int"))), {"sp.attr.type"}),
    ("arabic-digit-count", sp_document(waveform(WF, sp_attr("number_of_samples", "\u0663"))), {"sp.attr.type"}),
    ("time-with-space", sp_document(waveform(WF, sp_attr("start_time", "2013-01-02 12:10:11"))), {"sp.attr.type"}),
    ("relative-uri", sp_document(software_agent(website="www.obspy.org")), {"sp.attr.type"}),
    ("broken-ipv6-uri", sp_document(software_agent(website="http://[")), {"sp.attr.type"}),
    ("blank-string", sp_document(waveform(WF, sp_attr("description", "  "))), {"sp.attr.type"}),
    ("lowercase-seed-id", sp_document(waveform(WF, sp_attr("seed_id", "bw.furt..bhz"))), {"sp.attr.pattern"}),
    ("detrend-method", sp_document(_detrend(sp_attr("detrending_method", "spline"))), {"sp.attr.pattern"}),
]


@pytest.mark.parametrize(("document", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_rule_has_a_minimal_invalid_document(document: Any, expected: set[str]) -> None:
    report = validate(document)
    assert report.rules() == expected, str(report)
    assert report.ok is False  # an empty SEIS-PROV document (sp.empty) is invalid too
    assert all(f.rule in RULES and f.message for f in report.findings)


def test_every_rule_is_covered_by_a_case() -> None:
    covered = set().union(*(expected for _, _, expected in CASES))
    assert set(RULES) - covered == set()
    assert covered - set(RULES) == set()


def test_a_document_with_many_errors_reports_all_of_them() -> None:
    document = sp_document(
        waveform("sp001_wf_abcdefg", sp_attr("sampling_rate", "fast"), sp_attr("colour", "red")),
        sp_record("entity", "sp002_wf_abcdefg", "waveform_trace", "Trace"),
        _detrend(local="sp003_dt_ABC"),
        sp_record("activity", "sp004_bs_abcdefg", "bandstop_filter", "Bandstop Filter",
                  sp_attr("filter_type", "Butterworth"), sp_attr("uppoer_corner_frequency", "x")),
        '<prov:softwareAgent prov:id="seis_prov:sp000_sa_abcdefg"><prov:label>ObsPy</prov:label>'
        "</prov:softwareAgent>",
        waveform("sp005_wf_abcdefg"), waveform("sp005_wf_abcdefg"),
        relation("used", ("activity", SP + "sp003_dt_ABC"), ("entity", SP + "sp099_wf_gone000")),
    )
    report = validate(document)
    found = {(f.rule, f.record_id and f.record_id.rsplit("}", 1)[1]) for f in report.findings}
    assert found >= {
        ("sp.attr.type", "sp001_wf_abcdefg"), ("sp.attr.unknown", "sp001_wf_abcdefg"),
        ("sp.label.value", "sp002_wf_abcdefg"), ("sp.id.pattern", "sp003_dt_ABC"),
        ("sp.attr.required", "sp003_dt_ABC"), ("sp.attr.type", "sp004_bs_abcdefg"),
        ("sp.id.duplicate", "sp005_wf_abcdefg"), ("prov.relation.dangling", None),
    }
    missing = [f for f in report.findings if f.rule == "sp.attr.required" and "sp000_sa" in str(f.record_id)]
    assert len(missing) == 3  # software_name, software_version and website, each reported
    assert not report.ok and len(report.errors) == len(report.findings) >= 11


def test_findings_name_record_rule_and_value() -> None:
    report = validate(sp_document(waveform(WF, sp_attr("sampling_rate", "fast"))))
    (finding,) = report.findings
    assert finding == ProvFinding("sp.attr.type", finding.message, WF_ID)
    assert "'fast'" in finding.message and "sampling_rate" in finding.message
    assert str(finding).startswith(f"error: sp.attr.type [{WF_ID}]: ")
    assert report.to_dict() == {"ok": False, "seis_prov_records": 1, "findings": [
        {"rule": "sp.attr.type", "severity": "error", "record_id": WF_ID, "message": finding.message}]}


def test_a_valid_document_reports_its_records() -> None:
    agent = "sp000_sa_abcdefg"
    document = sp_document(software_agent(agent), waveform(), _detrend(sp_attr("detrending_method", "linear fit")),
                           relation("used", ("activity", SP + "sp002_dt_abcdefg"), ("entity", SP + WF)),
                           relation("wasAssociatedWith", ("activity", SP + "sp002_dt_abcdefg"),
                                    ("agent", SP + agent)))
    report = validate(document)
    assert report.ok and report.findings == []
    assert report.seis_prov_records == 3
    assert WF_ID in report.record_ids
    assert str(report) == "valid SEIS-PROV (3 SEIS-PROV records)"
    assert validate(document.encode()).to_dict() == report.to_dict()


def test_bandstop_keeps_the_spec_typo() -> None:
    document = sp_document(sp_record("activity", "sp001_bs_abcdefg", "bandstop_filter", "Bandstop Filter",
                                     sp_attr("filter_type", "Butterworth"),
                                     sp_attr("uppoer_corner_frequency", "2.0", "xsd:double")))
    assert validate(document).ok


def test_values_are_judged_by_what_they_are_not_how_they_were_typed() -> None:
    document = sp_document(waveform(WF, sp_attr("number_of_samples", "6000", "xsd:int"),
                                    sp_attr("sampling_rate", "100", "xsd:int"),
                                    sp_attr("start_time", "2013-01-02T12:10:11Z"),
                                    sp_attr("azimuth", "  90.5 ", "xsd:string")))
    assert validate(document).ok


def test_huge_integers_are_judged_without_crashing() -> None:
    document = sp_document(waveform(WF, sp_attr("number_of_samples", "9" * 5000)))
    assert validate(document).ok  # python's int() refuses >4300 digits; the validator must not use it


def test_other_elements_are_plain_prov_even_when_warnings_are_errors() -> None:
    document = sp_document(waveform(), '<prov:other><x xmlns="urn:x"/></prov:other>')
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = validate(document)
    assert report.ok, str(report)


def test_trailing_padding_is_not_a_finding() -> None:
    assert validate(sp_document(waveform()).encode() + b"\x00\x00\n").ok


def test_a_prov_document_that_cannot_be_serialised_is_a_finding() -> None:
    doc = ProvDocument()
    sp = doc.add_namespace("seis_prov", SP_URI)
    doc.entity(sp[WF], {PROV_TYPE: "seis_prov:waveform_trace", PROV_LABEL: "Waveform Trace",
                        sp["description"]: "nul\x00byte"})
    report = validate(doc)
    assert report.rules() == {"xml.malformed"}
    assert isinstance(report, ProvReport) and not report.ok
