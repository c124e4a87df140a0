"""The typed builder: records, ids by the id rule, values coerced to the profile's types."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pytest
from lxml import etree
from obspy import UTCDateTime
from prov.model import ProvDocument

from asdfkit.errors import InvalidValueError
from asdfkit.provenance import (
    ASDFKIT_NAMESPACE,
    ProvenanceBuilder,
    QualifiedId,
    make_local_id,
    qualified_id,
    validate,
)

SP = "http://seisprov.org/seis_prov/0.1/#"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def _values(builder: ProvenanceBuilder, local: str) -> dict[str, tuple[str, str | None]]:
    """``{attribute: (text, xsi:type)}`` of one record in the serialised document."""
    root = etree.fromstring(builder.to_xml())
    (element,) = [e for e in root if e.get("{http://www.w3.org/ns/prov#}id", "").endswith(local)]
    return {etree.QName(c).localname: (c.text or "", c.get(XSI_TYPE)) for c in element
            if etree.QName(c).namespace == SP}


def test_a_processing_chain_builds_valid_seis_prov() -> None:
    b = ProvenanceBuilder()
    obspy_agent = b.software_agent("ObsPy", "1.5.1", "https://www.obspy.org", doi="10.5281/zenodo.17641")
    person = b.person("Hans Mustermann", email="hans@example.org")
    b.acted_for(obspy_agent, person)
    raw = b.entity("waveform_trace", seed_id="BW.RJOB..EHZ", sampling_rate=100)
    detrend = b.activity("detrend", detrending_method="linear fit", used=[raw], agent=obspy_agent)
    out = b.entity("waveform_trace", seed_id="BW.RJOB..EHZ", generated_by=detrend, derived_from=[raw])
    report = validate(b.to_xml())
    assert report.ok, report
    assert report.seis_prov_records == 5
    assert {qualified_id(x) for x in (obspy_agent, person, raw, detrend, out)} <= report.record_ids
    assert isinstance(b.document, ProvDocument)


def test_ids_follow_the_id_rule() -> None:
    b = ProvenanceBuilder()
    agent = b.software_agent("ObsPy", "1.5.1", "https://www.obspy.org")
    first = b.entity("waveform_trace")
    act = b.activity("taper", window_type="hann", taper_width=0.05, side="both")
    assert re.fullmatch(r"sp000_sa_[a-z0-9]{10}", agent.localpart)
    assert re.fullmatch(r"sp001_wf_[a-z0-9]{10}", first.localpart)
    assert re.fullmatch(r"sp002_tp_[a-z0-9]{10}", act.localpart)
    assert b.entity("file", step=0, filename="a", location="b", location_type="c").localpart.startswith("sp000_fi_")
    assert b.entity("waveform_trace", step=12345).localpart.startswith("sp12345_wf_")
    assert qualified_id(act) == f"{{{SP}}}{act.localpart}"
    assert b.entity("waveform_trace", record_id="sp009_wf_abcdefg").localpart == "sp009_wf_abcdefg"


@pytest.mark.parametrize("bad", ["sp009_dt_abcdefg", "sp9_wf_abcdefg", "sp009_wf_ABCDEFG", "sp009_wf_abc"])
def test_explicit_ids_must_follow_the_rule(bad: str) -> None:
    with pytest.raises(InvalidValueError, match=re.escape(bad)):
        ProvenanceBuilder().entity("waveform_trace", record_id=bad)


def test_make_local_id_and_qualified_ids() -> None:
    assert re.fullmatch(r"sp042_dt_[a-z0-9]{7}", make_local_id("dt", 42, length=7))
    for step, length in ((-1, 10), (100000, 10), (1, 6), (1, 13)):
        with pytest.raises(InvalidValueError):
            make_local_id("dt", step, length)
    with pytest.raises(InvalidValueError, match="'D1'"):
        make_local_id("D1", 1)
    parsed = QualifiedId.parse(f"{{{SP}}}sp001_wf_abcdefg")
    assert (parsed.namespace, parsed.localpart) == (SP, "sp001_wf_abcdefg")
    assert str(parsed) == f"{{{SP}}}sp001_wf_abcdefg"
    with pytest.raises(InvalidValueError, match="namespace-uri"):
        QualifiedId.parse("seis_prov:sp001_wf_abcdefg")


@pytest.mark.parametrize(("given", "text", "xsi"), [
    (100, "100.0", "xsd:double"),  # an int where a double is due
    (np.float32(2.5), "2.5", "xsd:double"),
    (np.int64(40), "40.0", "xsd:double"),
    (np.float64(0.025), "0.025", "xsd:double"),
])
def test_doubles_accept_ints_and_numpy_scalars(given: Any, text: str, xsi: str) -> None:
    b = ProvenanceBuilder()
    b.entity("waveform_trace", record_id="sp001_wf_abcdefg", sampling_rate=given)
    assert _values(b, "sp001_wf_abcdefg")["sampling_rate"] == (text, xsi)
    assert validate(b.to_xml()).ok


@pytest.mark.parametrize("given", [np.int32(6000), np.uint16(6000), 6000.0, 6000])
def test_positive_integers_accept_numpy_and_integral_floats(given: Any) -> None:
    b = ProvenanceBuilder()
    b.entity("waveform_trace", record_id="sp001_wf_abcdefg", number_of_samples=given)
    text, xsi = _values(b, "sp001_wf_abcdefg")["number_of_samples"]
    assert text == "6000" and xsi in ("xsd:int", "xsd:integer", "xsd:long")
    assert validate(b.to_xml()).ok


@pytest.mark.parametrize("given", [
    UTCDateTime(2013, 1, 2, 12, 10, 11, 500000),
    dt.datetime(2013, 1, 2, 12, 10, 11, 500000),
    dt.datetime(2013, 1, 2, 13, 10, 11, 500000, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    dt.datetime(2013, 1, 2, 12, 10, 11, 500000, tzinfo=dt.UTC),
    "2013-01-02T12:10:11.5Z",
])
def test_times_of_every_kind_become_xsd_datetimes_in_utc(given: Any) -> None:
    b = ProvenanceBuilder()
    b.entity("waveform_trace", record_id="sp001_wf_abcdefg", start_time=given)
    text, xsi = _values(b, "sp001_wf_abcdefg")["start_time"]
    assert (text, xsi) == ("2013-01-02T12:10:11.500000", "xsd:dateTime")
    assert validate(b.to_xml()).ok


def test_uris_are_typed_any_uri() -> None:
    b = ProvenanceBuilder()
    b.software_agent("ObsPy", "1.5.1", "https://www.obspy.org", record_id="sp000_sa_abcdefg")
    assert _values(b, "sp000_sa_abcdefg")["website"] == ("https://www.obspy.org", "xsd:anyURI")


def test_bandstop_takes_the_spelling_of_the_profile() -> None:
    b = ProvenanceBuilder()
    b.activity("bandstop_filter", filter_type="Butterworth", lower_corner_frequency=1,
               uppoer_corner_frequency=2, record_id="sp001_bs_abcdefg")
    assert _values(b, "sp001_bs_abcdefg")["uppoer_corner_frequency"] == ("2.0", "xsd:double")
    with pytest.raises(InvalidValueError, match="upper_corner_frequency.*uppoer_corner_frequency"):
        b.activity("bandstop_filter", filter_type="Butterworth", upper_corner_frequency=2.0)


@pytest.mark.parametrize(("kind", "type_name", "attrs", "message"), [
    ("entity", "waveform_trace", {"sampling_rate": "fast"}, r"'fast' for seis_prov:sampling_rate: must be a number"),
    ("entity", "waveform_trace", {"sampling_rate": True}, r"True for seis_prov:sampling_rate: must be a number"),
    ("entity", "waveform_trace", {"sampling_rate": float("nan")}, r"nan .*must be finite"),
    ("entity", "waveform_trace", {"number_of_samples": 0}, r"0 for seis_prov:number_of_samples: must be a positive"),
    ("entity", "waveform_trace", {"number_of_samples": -5}, r"-5 .*positive integer"),
    ("entity", "waveform_trace", {"number_of_samples": 2.5}, r"2.5 .*must be an integer"),
    ("entity", "waveform_trace", {"start_time": "yesterday"}, r"'yesterday' for seis_prov:start_time: must be a time"),
    ("entity", "waveform_trace", {"seed_id": "bw.rjob"}, r"'bw.rjob' for seis_prov:seed_id: must match \^\[A-Z0-9\]"),
    ("entity", "waveform_trace", {"component": "X"}, r"'X' .*must match Z\|N\|E\|R\|T"),
    ("entity", "waveform_trace", {"description": "   "}, r"'   ' .*non-empty string"),
    ("entity", "waveform_trace", {"description": "a\x00b"}, r"description.*cannot be stored in XML"),
    ("entity", "waveform_trace", {"description": "a\ud800b"}, r"description.*cannot be stored in XML"),
    ("entity", "waveform_trace", {"units": 5}, r"5 for seis_prov:units: must be a non-empty string"),
    ("entity", "waveform_trace", {"colour": "red"}, r"unknown attribute seis_prov:colour for waveform_trace"),
    ("entity", "detrend", {}, r"unknown SEIS-PROV entity type 'detrend'"),
    ("activity", "detrend", {"detrending_method": "spline"}, r"'spline' .*linear fit\|demean\|simple"),
    ("activity", "detrend", {}, r"missing required attribute seis_prov:detrending_method"),
    ("activity", "decimate", {"factor": 2.5}, r"2.5 for seis_prov:factor"),
    ("activity", "pad", {"fill_value": "zero"}, r"'zero' for seis_prov:fill_value"),
    ("activity", "cross_correlate", {"correlation_type": "cc", "max_lag_time_in_sec": "10"}, r"'10' .*max_lag"),
    ("activity", "seismogram", {}, r"unknown SEIS-PROV activity type 'seismogram'"),
])
def test_bad_values_name_the_value_and_the_rule(kind: str, type_name: str, attrs: dict[str, Any],
                                                message: str) -> None:
    b = ProvenanceBuilder()
    before = b.to_xml()
    with pytest.raises(InvalidValueError, match=message):
        getattr(b, kind)(type_name, **attrs)
    assert b.to_xml() == before  # nothing half-added


@pytest.mark.parametrize(("website", "message"), [
    ("www.obspy.org", "must be an absolute URI"),
    ("https://www.obspy.org/a b", "must be an absolute URI"),
    ("http://[", "must be an absolute URI"),
    ("", "must be an absolute URI"),
])
def test_agent_websites_must_be_absolute_uris(website: str, message: str) -> None:
    with pytest.raises(InvalidValueError, match=re.escape(repr(website)) + ".*" + message):
        ProvenanceBuilder().software_agent("ObsPy", "1.5.1", website)


def test_agents_persons_and_organizations() -> None:
    b = ProvenanceBuilder()
    one = b.software_agent("ObsPy", "1.5.1", "https://www.obspy.org")
    assert b.software_agent("ObsPy", "1.5.1", "https://www.obspy.org") == one
    assert b.software_agent("ObsPy", "1.4.0", "https://www.obspy.org") != one
    b.person("Susanna Musterfrau", email="susanna@example.org", institute="LMU", record_id="sp000_pp_abcdefg")
    b.organization("LMU", website="https://www.lmu.de", record_id="sp000_og_abcdefg")
    assert _values(b, "sp000_pp_abcdefg") == {"name": ("Susanna Musterfrau", None),
                                              "email": ("susanna@example.org", None),
                                              "institute": ("LMU", None)}  # persons may carry more
    assert validate(b.to_xml()).ok
    with pytest.raises(InvalidValueError, match="'nobody' for seis_prov:email: must match"):
        b.person("X", email="nobody")
    with pytest.raises(InvalidValueError, match="prov:label.*cannot be stored in XML"):
        b.person("X", label="bell\x07")
    with pytest.raises(InvalidValueError, match="seis_prov:hobby.*cannot be stored in XML"):
        b.person("X", hobby="\x1b[31m")


def test_custom_records_live_in_the_asdfkit_namespace() -> None:
    b = ProvenanceBuilder()
    raw = b.entity("waveform_trace")
    pick = b.custom("activity", "arrival_alignment", attributes={
        "method": "ICCS", "iterations": np.int64(7), "converged": True, "window": 2.5,
        "reference": UTCDateTime(2020, 1, 1), "skipped": None})
    picks = b.custom("entity", "arrival_picks", label="Arrival Picks")
    b.used(pick, raw)
    b.generated(picks, pick)
    assert pick.namespace.uri == ASDFKIT_NAMESPACE
    assert re.fullmatch(r"sp002_arrival_alignment_[a-z0-9]{10}", pick.localpart)
    text = b.to_xml().decode()
    assert "<asdfkit:iterations xsi:type=\"xsd:int\">7</asdfkit:iterations>" in text
    assert "skipped" not in text
    report = validate(b.to_xml())
    assert report.ok and report.seis_prov_records == 1  # custom records are plain PROV
    for kind, name in (("plan", "x"), ("entity", "Bad Name"), ("entity", "9lives")):
        with pytest.raises(InvalidValueError, match=re.escape(repr(kind if kind == "plan" else name))):
            b.custom(kind, name)
    with pytest.raises(InvalidValueError, match="asdfkit:note.*cannot be stored in XML"):
        b.custom("entity", "remark", attributes={"note": "nul\x00"})


def test_a_custom_record_copied_from_another_document_keeps_its_id() -> None:
    first = ProvenanceBuilder()
    original = first.custom("entity", "alignment_picks", attributes={"path": "/AuxiliaryData/x"})
    second = ProvenanceBuilder()
    copy = second.custom("entity", "alignment_picks", attributes={"path": "/AuxiliaryData/x"},
                         record_id=original.localpart)
    assert copy == original
    second.entity("waveform_trace", seed_id="BW.RJOB..EHZ")  # a SEIS-PROV document holds a SEIS-PROV record
    assert validate(second.to_xml()).ok
    for bad in ("sp001_other_name_abcdefghij", "sp001_alignment_picks_ABC", "x"):
        with pytest.raises(InvalidValueError, match=rf"invalid record id '{bad}': must be a local id of an "
                                                    r"asdfkit:alignment_picks record"):
            second.custom("entity", "alignment_picks", record_id=bad)
