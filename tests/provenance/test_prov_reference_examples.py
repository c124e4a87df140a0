"""The SEIS-PROV spec's published examples, rebuilt with the ``prov`` API, and its invalid files.

Each example is rebuilt from its published content (SeismicData/SEIS-PROV,
validator/seis_prov_validate/test_data/valid_files/example_*.xml): the same ids,
attributes, value types (xsd:int as int, doubles as float, times as datetime) and
relations, written with ``prov`` directly and not adapted to asdfkit.  The
reference invalid files are restated as minimal documents in our own words.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import obspy
import pytest
from prov.model import PROV, PROV_LABEL, PROV_TYPE, Namespace, ProvDocument, QualifiedName
from prov_xml import SP_URI, sp_attr, sp_document, sp_record

import asdfkit
from asdfkit.provenance import lineage, validate

T0 = dt.datetime(2013, 1, 2, 12, 10, 11)


def _id(record: Any) -> QualifiedName:
    identifier: QualifiedName | None = record.identifier
    assert identifier is not None
    return identifier


def xml(doc: ProvDocument) -> str:
    return str(doc.serialize(format="xml"))


def new_document() -> tuple[ProvDocument, Namespace]:
    doc = ProvDocument()
    return doc, doc.add_namespace("seis_prov", SP_URI)


def software(doc: ProvDocument, sp: Namespace, local: str, name: str, version: str, website: str,
             doi: str | None = None) -> QualifiedName:
    attrs: dict[Any, Any] = {PROV_TYPE: PROV["SoftwareAgent"], PROV_LABEL: name}
    if doi is not None:
        attrs[sp["doi"]] = doi
    attrs.update({sp["software_name"]: name, sp["software_version"]: version, sp["website"]: website})
    return _id(doc.agent(sp[local], attrs))


def person(doc: ProvDocument, sp: Namespace, local: str, name: str, email: str) -> QualifiedName:
    return _id(doc.agent(sp[local], {PROV_TYPE: PROV["Person"], PROV_LABEL: name, sp["email"]: email,
                                     sp["name"]: name}))


def entity(doc: ProvDocument, sp: Namespace, local: str, type_name: str, label: str,
           **attrs: Any) -> QualifiedName:
    return _id(doc.entity(sp[local], {PROV_LABEL: label, PROV_TYPE: f"seis_prov:{type_name}",
                                      **{sp[k]: v for k, v in attrs.items()}}))


def activity(doc: ProvDocument, sp: Namespace, local: str, type_name: str, label: str,
             **attrs: Any) -> QualifiedName:
    return _id(doc.activity(sp[local], other_attributes={
        PROV_LABEL: label, PROV_TYPE: f"seis_prov:{type_name}", **{sp[k]: v for k, v in attrs.items()}}))


def furt(doc: ProvDocument, sp: Namespace, local: str, samples: int = 6000) -> QualifiedName:
    return entity(doc, sp, local, "waveform_trace", "Waveform Trace", number_of_samples=samples,
                  sampling_rate=100.0, seed_id="BW.FURT.00.BHZ", start_time=T0, units="m/s")


def detailed_processing_chain() -> ProvDocument:
    doc, sp = new_document()
    obspy_agent = software(doc, sp, "sp000_sa_9dig8ata", "ObsPy", "0.10.1", "http://www.obspy.org",
                           doi="10.1785/gssrl.81.3.530")
    chain = [
        furt(doc, sp, "sp001_wf_490dfadf3"),
        activity(doc, sp, "sp002_dt_f87sf7sf78", "detrend", "Detrend", detrending_method="demean"),
        furt(doc, sp, "sp003_wf_js83hf34aj"),
        activity(doc, sp, "sp004_lp_f87sf7sf78", "lowpass_filter", "Lowpass Filter", corner_frequency=10.0,
                 filter_order=4, filter_type="Butterworth", number_of_passes=1),
        furt(doc, sp, "sp005_wf_378f8ks8kd"),
        activity(doc, sp, "sp006_dc_f87sf7sf78", "decimate", "Decimate", factor=2),
        furt(doc, sp, "sp007_wf_jadz89du8l", samples=3000),
    ]
    for step in chain[1::2]:
        doc.wasAssociatedWith(step, obspy_agent)
    for before, step, after in zip(chain[0::2], chain[1::2], chain[2::2], strict=False):
        doc.used(step, before)
        doc.wasGeneratedBy(after, step)
    return doc


def cross_correlation() -> ProvDocument:
    doc, sp = new_document()
    obspy_agent = software(doc, sp, "sp001_sa_9dig8ata", "ObsPy", "0.10.1", "http://www.obspy.org",
                           doi="10.1785/gssrl.81.3.530")
    a = entity(doc, sp, "sp002_wf_a34j4didj3", "waveform_trace", "Waveform Trace", number_of_samples=6000,
               sampling_rate=100.0, seed_id="BW.FURT.00.BHZ", start_time=T0, units="m/s")
    b = entity(doc, sp, "sp003_wf_0034aiddj8", "waveform_trace", "Waveform Trace", number_of_samples=6000,
               sampling_rate=100.0, seed_id="BW.ALTM..BHZ", start_time=T0, units="m/s")
    co = activity(doc, sp, "sp004_co_f87sf7sf78", "cross_correlate", "Cross Correlate",
                  correlation_type="Phase Cross Correlation", max_lag_time_in_sec=120.0)
    cc = entity(doc, sp, "sp005_cc_utakgh82hl", "cross_correlation", "Cross Correlation",
                correlation_type="Phase Cross Correlation", max_correlation_coefficient=0.75,
                max_lag_time_in_sec=120.0, seed_id_a="BW.FURT.00.BHZ", seed_id_b="BW.ALTM..BHZ")
    doc.wasAssociatedWith(co, obspy_agent)
    doc.used(co, a)
    doc.used(co, b)
    doc.wasGeneratedBy(cc, co)
    return doc


#: SPECFEM3D GLOBE's Par_file values as published in the simulation and adjoint examples.
SPECFEM_PARAMETERS: dict[str, Any] = {
    "SIMULATION_TYPE": 1, "NOISE_TOMOGRAPHY": 0, "NCHUNKS": 1, "ANGULAR_WIDTH_XI_IN_DEGREES": 90.0,
    "ANGULAR_WIDTH_ETA_IN_DEGREES": 90.0, "CENTER_LATITUDE_IN_DEGREES": 40.0,
    "CENTER_LONGITUDE_IN_DEGREES": 10.0, "GAMMA_ROTATION_AZIMUTH": 20.0, "NEX_XI": 240, "NEX_ETA": 240,
    "NPROC_XI": 5, "NPROC_ETA": 5, "ANISOTROPIC_KL": False, "RECEIVERS_CAN_BE_BURIED": True,
    "USE_LDDRK": False, "EXACT_MASS_MATRIX_FOR_ROTATION": False, "ABSORBING_CONDITIONS": False,
    "OCEANS": False, "ELLIPTICITY": False, "TOPOGRAPHY": False, "GRAVITY": False, "ROTATION": False,
    "ATTENUATION": False,
}


def simulation_inputs(doc: ProvDocument, sp: Namespace, file_location: str) -> list[QualifiedName]:
    """Earth model, input parameters and file of the simulation (shared by two examples)."""
    return [
        entity(doc, sp, "sp000_em_skfusjdoej", "earth_model", "Earth Model", model_name="Random Model",
               model_type="3D", website="http://random.org/model"),
        entity(doc, sp, "sp000_in_38jd89da8l", "input_parameters", "Input Parameters", **SPECFEM_PARAMETERS),
        entity(doc, sp, "sp000_fi_d49dh0h4", "file", "File", filename="constants.h", location=file_location,
               location_type="HDF5 Data Set"),
    ]


def simulation_activity(doc: ProvDocument, sp: Namespace) -> QualifiedName:
    return _id(doc.activity(sp["sp001_ws_f87sf7sf78"], dt.datetime(2014, 2, 2, 12, 15, 3),
                            dt.datetime(2014, 2, 2, 14, 7, 13),
                            {PROV_LABEL: "Waveform Simulation", PROV_TYPE: "seis_prov:waveform_simulation"}))


def waveform_simulation() -> ProvDocument:
    doc, sp = new_document()
    hans = person(doc, sp, "sp000_pp_dj89345j", "Hans Mustermann", "hans.mustermann@email.com")
    susanna = person(doc, sp, "sp000_pp_9034j90df", "Susanna Musterfrau", "susanna.musterfrau@email.com")
    specfem = software(doc, sp, "sp000_sa_9dig8ata", "SPECFEM3D GLOBE", "7.0.0",
                       "http://geodynamics.org/cig/software/specfem3d")
    model, parameters, constants = simulation_inputs(doc, sp, "/AuxiliaryData/Files/constants_h")
    synthetic = entity(doc, sp, "sp001_wf_a34j4didj3", "waveform_trace", "Waveform Trace",
                       description="Synthetic Waveform")
    simulation = simulation_activity(doc, sp)
    doc.wasAssociatedWith(simulation, specfem)
    doc.wasAssociatedWith(model, susanna)  # as published: the "activity" of this association is the model
    doc.actedOnBehalfOf(specfem, hans)
    for used in (model, parameters, constants):
        doc.used(simulation, used)
    doc.wasGeneratedBy(synthetic, simulation)
    return doc


EXAMPLES = {
    "detailed_processing_chain": (detailed_processing_chain, 8),
    "cross_correlation": (cross_correlation, 5),
    "waveform_simulation": (waveform_simulation, 8),
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_published_example_rebuilt_with_prov_validates(name: str) -> None:
    build, records = EXAMPLES[name]
    report = validate(xml(build()))
    assert report.ok, f"{name}:\n{report}"
    assert report.findings == []
    assert report.seis_prov_records == records


def test_rebuilt_examples_write_values_as_the_published_files_do() -> None:
    chain = xml(detailed_processing_chain())
    assert '<seis_prov:number_of_samples xsi:type="xsd:int">3000</seis_prov:number_of_samples>' in chain
    assert '<seis_prov:sampling_rate xsi:type="xsd:double">100.0</seis_prov:sampling_rate>' in chain
    assert '<seis_prov:start_time xsi:type="xsd:dateTime">2013-01-02T12:10:11</seis_prov:start_time>' in chain
    assert '<prov:softwareAgent prov:id="seis_prov:sp000_sa_9dig8ata">' in chain
    simulation = xml(waveform_simulation())
    assert '<seis_prov:GRAVITY xsi:type="xsd:boolean">false</seis_prov:GRAVITY>' in simulation
    assert "<prov:startTime>2014-02-02T12:15:03</prov:startTime>" in simulation


def test_the_rebuilt_chain_is_followed_from_an_asdf_file(tmp_path: Path) -> None:
    path = tmp_path / "chain.h5"
    final = f"{{{SP_URI}}}sp007_wf_jadz89du8l"
    with asdfkit.open(path, "w") as f:
        f.add_provenance_document(detailed_processing_chain(), name="detailed_chain")
        (trace_path,) = f.add_waveforms(obspy.read()[:1], tag="processed", provenance_id=final)
    with asdfkit.open(path) as f:
        result = lineage(f, trace_path)
    assert [a.localpart for a in result.activities] == [
        "sp002_dt_f87sf7sf78", "sp004_lp_f87sf7sf78", "sp006_dc_f87sf7sf78"]
    assert [s.localpart for s in result.sources] == ["sp001_wf_490dfadf3"]
    assert {a.attributes["software_version"] for s in result.steps for a in s.agents} == {"0.10.1"}
    assert result.steps[1].activity.attributes["corner_frequency"] == 10.0  # type: ignore[union-attr]


def test_pyasdfs_shipped_example_validates_as_it_is(pyasdf_data: Path) -> None:
    data = (pyasdf_data / "example_schematic_processing_chain.xml").read_bytes()
    assert b'xsi:type="xsd:int"' in data  # integers written as xsd:int, not xsd:positiveInteger
    report = validate(data)
    assert report.ok and report.findings == [], str(report)
    assert report.seis_prov_records == 7


_TR = ' xmlns:tr="http://example.com/ns/tr#"'

#: The reference validator's invalid files (SeismicData/SEIS-PROV, invalid_files/), restated.
INVALID = [
    ("wrong_label", sp_document(sp_record("entity", "sp001_wf_c17dd1f", "waveform_trace", "Seismogram")),
     {"sp.label.value"}),
    ("detrend_wrong_method", sp_document(sp_record("activity", "sp001_dt_4e3a746", "detrend", "Detrend",
                                                   sp_attr("detrending_method", "random"))), {"sp.attr.pattern"}),
    ("duplicate_ids", sp_document(*2 * [sp_record("entity", "sp001_wf_c17dd1f", "waveform_trace",
                                                  "Waveform Trace")]), {"sp.id.duplicate"}),
    ("record_non_sp_ns_but_sp_type", sp_document(
        '<prov:entity prov:id="tr:sp001_wf_c17dd1f"><prov:label>Waveform Trace</prov:label>'
        '<prov:type xsi:type="xsd:string">seis_prov:waveform_trace</prov:type></prov:entity>', namespaces=_TR),
     {"sp.id.namespace"}),
    ("record_seis_prov_id_but_wrong_type", sp_document(
        '<prov:entity prov:id="seis_prov:sp001_wf_c17dd1f"><prov:label>Waveform Trace</prov:label>'
        '<prov:type xsi:type="xsd:string">tr:random</prov:type></prov:entity>', namespaces=_TR),
     {"sp.type.missing"}),
    ("wrong_type_in_attribute_negative_instead_of_positive_integer", sp_document(sp_record(
        "entity", "sp001_wf_8afb672", "waveform_trace", "Waveform Trace",
        sp_attr("number_of_samples", "-10000", "xsd:positiveInteger"))), {"sp.attr.type", "prov.schema"}),
    ("software_agent_missing_multiple_attributes", sp_document(
        '<prov:softwareAgent prov:id="seis_prov:sp001_sa_9345084"><prov:label>ObsPy</prov:label>'
        "</prov:softwareAgent>"), {"sp.attr.required"}),
    ("waveform_with_extra_attribute", sp_document(sp_record(
        "entity", "sp001_wf_c17dd1f", "waveform_trace", "Waveform Trace", sp_attr("seed_id", "BW.FURT..BHZ"),
        sp_attr("mood", "happy"))), {"sp.attr.unknown"}),
    ("unknown_seis_prov_type", sp_document(sp_record("entity", "sp001_su_c17dd1f", "something_unknown",
                                                     "Something Unknown")), {"sp.type.unknown"}),
]


@pytest.mark.parametrize(("document", "expected"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_reference_invalid_files_are_flagged(document: str, expected: set[str]) -> None:
    report = validate(document)
    assert not report.ok
    assert report.rules() == expected, str(report)


def test_software_agent_missing_attributes_names_each_of_them() -> None:
    report = validate(INVALID[6][1])
    assert sorted(f.message.split()[2] for f in report.findings) == [
        "seis_prov:software_name", "seis_prov:software_version", "seis_prov:website"]
