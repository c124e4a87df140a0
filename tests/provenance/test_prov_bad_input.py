"""Hostile and broken input: a clear asdfkit error on store, a finding on validate, nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import obspy
import pytest
from prov.model import PROV_LABEL, PROV_TYPE, ProvDocument
from prov_xml import SP_URI, sp_attr, sp_document, waveform

import asdfkit
from asdfkit.errors import InvalidValueError, XMLError
from asdfkit.provenance import ProvenanceBuilder, ProvenanceRecorder, read_document, validate

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<prov:document xmlns:prov="http://www.w3.org/ns/prov#"><prov:entity prov:id="lol:a">&lol9;</prov:entity>
</prov:document>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE doc [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<prov:document xmlns:prov="http://www.w3.org/ns/prov#" xmlns:seis_prov="http://seisprov.org/seis_prov/0.1/#">
<prov:entity prov:id="seis_prov:sp001_wf_abcdefg"><prov:label>&secret;</prov:label></prov:entity>
</prov:document>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE prov:document SYSTEM "file:///etc/passwd">
<prov:document xmlns:prov="http://www.w3.org/ns/prov#"/>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<prov:document xmlns:prov="http://www.w3.org/ns/prov#"/>"""

#: (case, bytes, rule the validator must report, what the store's error says)
HOSTILE: list[tuple[str, bytes, str, str]] = [
    ("truncated", sp_document(waveform()).encode()[:-20], "xml.malformed", "not well-formed"),
    ("not-xml", b"\x89HDF\r\n\x1a\n binary", "xml.malformed", "not well-formed"),
    ("empty", b"", "xml.malformed", "empty"),
    ("only-padding", b"\x00\x00 \n", "xml.malformed", "empty"),
    ("billion-laughs", BILLION_LAUGHS, "xml.unsafe", "DOCTYPE|entity amplification"),
    ("external-entity", EXTERNAL_ENTITY, "xml.unsafe", "DOCTYPE"),
    ("external-dtd", EXTERNAL_DTD, "xml.unsafe", "DOCTYPE"),
    ("parameter-entity", PARAMETER_ENTITY, "xml.unsafe", "DOCTYPE"),
    ("stationxml", b'<FDSNStationXML xmlns="http://www.fdsn.org/xml/station/1" schemaVersion="1.1"/>',
     "prov.root", "not a PROV-XML document"),
    ("quakeml", b'<q:quakeml xmlns:q="http://quakeml.org/xmlns/quakeml/1.2"/>', "prov.root",
     "not a PROV-XML document"),
    ("prov-name-wrong-namespace", b'<prov:document xmlns:prov="http://www.w3.org/ns/prov"/>', "prov.root",
     "not a PROV-XML document"),
]


@pytest.fixture
def asdf_file(tmp_path: Path) -> Path:
    path = tmp_path / "target.h5"
    with asdfkit.open(path, "w") as f:
        f.add_waveforms(obspy.read()[:1], tag="raw")
        f.add_provenance_document(ProvenanceBuilder().to_xml(), name="existing")
    return path


@pytest.mark.parametrize(("data", "rule", "message"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_documents_are_refused_on_store(asdf_file: Path, file_snapshot: Callable[[Path], Any],
                                                data: bytes, rule: str, message: str) -> None:
    before = file_snapshot(asdf_file)
    with asdfkit.open(asdf_file, "a") as f:
        with pytest.raises(XMLError, match=message):
            f.add_provenance_document(data, name="hostile")
        with pytest.raises(XMLError):
            f.add_provenance_document(data, name="existing", overwrite=True)
        assert f.provenance_documents == ["existing"]
    assert file_snapshot(asdf_file) == before
    with pytest.raises(XMLError):
        read_document(data)


@pytest.mark.parametrize(("data", "rule"), [(h[1], h[2]) for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_documents_are_findings_on_validate(data: bytes, rule: str) -> None:
    report = validate(data)  # never raises
    assert not report.ok
    assert rule in report.rules()
    assert ":0:0:" not in str(report)  # nothing of /etc/passwd was read
    assert all(f.message for f in report.findings)


def test_xinclude_is_never_followed(asdf_file: Path) -> None:
    data = (b'<prov:document xmlns:prov="http://www.w3.org/ns/prov#" xmlns:xi="http://www.w3.org/2001/XInclude">'
            b'<xi:include href="file:///etc/passwd" parse="text"/></prov:document>')
    report = validate(data)
    assert not report.ok and ":0:0:" not in str(report)
    with asdfkit.open(asdf_file, "a") as f:
        f.add_provenance_document(data, name="xinclude")  # stored as bytes, never expanded
        assert f.get_provenance_document("xinclude") == data


WRONG_VALUES: list[tuple[str, str, str]] = [
    ("sampling_rate", "one hundred", "sp.attr.type"),
    ("number_of_samples", "-1", "sp.attr.type"),
    ("number_of_samples", "1.5", "sp.attr.type"),
    ("start_time", "2013-01-02 12:10:11", "sp.attr.type"),
    ("start_time", "last tuesday", "sp.attr.type"),
    ("component", "Q", "sp.attr.pattern"),
]


@pytest.mark.parametrize(("name", "value", "rule"), WRONG_VALUES)
def test_wrong_value_types_are_findings_on_validate(name: str, value: str, rule: str) -> None:
    report = validate(sp_document(waveform("sp001_wf_abcdefg", sp_attr(name, value))))
    assert report.rules() == {rule}
    assert repr(value) in report.findings[0].message


def test_prov_documents_with_pitfall_values_are_findings_not_crashes() -> None:
    doc = ProvDocument()
    sp = doc.add_namespace("seis_prov", SP_URI)
    doc.entity(sp["sp001_wf_abcdefg"], {PROV_TYPE: "seis_prov:waveform_trace", PROV_LABEL: "Waveform Trace",
                                        sp["number_of_samples"]: 0.5, sp["sampling_rate"]: "fast"})
    assert validate(doc).rules() == {"sp.attr.type"}
    assert len(validate(doc).findings) == 2


@pytest.mark.parametrize(("activity", "parameters", "message"), [
    ("interpolate", {"interpolation_method": "linear", "new_sampling_rate": "fast"},
     "'fast' for seis_prov:new_sampling_rate: must be a number"),
    ("decimate", {"factor": -1}, "-1 for seis_prov:factor: must be a positive integer"),
    ("cut", {"new_start_time": object()}, "for seis_prov:new_start_time: must be a time"),
    ("merge", {"merging_strategy": "nul\x00"}, "seis_prov:merging_strategy: character .* cannot be stored"),
    ("calculate_adjoint_source", {"adjoint_source_type": "cc", "adjoint_source_type_uri": "no uri"},
     "'no uri' for seis_prov:adjoint_source_type_uri: must be an absolute URI"),
])
def test_wrong_value_types_are_refused_before_anything_is_stored(
        tmp_path: Path, file_snapshot: Callable[[Path], Any], activity: str, parameters: dict[str, Any],
        message: str) -> None:
    path = tmp_path / "values.h5"
    with asdfkit.open(path, "w") as f:
        aux = f.add_auxiliary_data(np.zeros(3), "Misc", "x")
    before = file_snapshot(path)
    with asdfkit.open(path, "a") as f:
        with pytest.raises(InvalidValueError, match=message):
            ProvenanceRecorder(f).record(activity, outputs=[aux], parameters=parameters)
        assert f.provenance_documents == [] and f.get_provenance_id(aux) is None
    assert file_snapshot(path) == before
