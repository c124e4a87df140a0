"""Interoperability with pyasdf: documents built here open there, documents pyasdf writes validate here."""

from __future__ import annotations

from pathlib import Path

import obspy
import pyasdf
import pytest
from prov.model import ProvDocument
from pyasdf.exceptions import ASDFValueError

import asdfkit
from asdfkit.provenance import ProvenanceBuilder, lineage, qualified_id, resolve, validate

SP = "http://seisprov.org/seis_prov/0.1/#"


def _chain() -> tuple[ProvenanceBuilder, str]:
    b = ProvenanceBuilder()
    agent = b.software_agent("ObsPy", "1.5.1", "https://www.obspy.org")
    raw = b.entity("waveform_trace", seed_id="BW.RJOB..EHZ", sampling_rate=100, number_of_samples=3000,
                   start_time=obspy.UTCDateTime(2009, 8, 24, 0, 20, 3))
    act = b.activity("bandpass_filter", filter_type="Butterworth", lower_corner_frequency=1,
                     upper_corner_frequency=5, filter_order=4, number_of_passes=2, used=[raw], agent=agent)
    out = b.entity("waveform_trace", seed_id="BW.RJOB..EHZ", generated_by=act)
    return b, qualified_id(out)


def _ids(document: ProvDocument) -> set[str]:
    return {f"{{{r.identifier.namespace.uri}}}{r.identifier.localpart}"
            for r in document.get_records() if r.identifier is not None}


def test_documents_built_here_open_in_pyasdf(tmp_path: Path) -> None:
    path = tmp_path / "asdfkit.h5"
    builder, pid = _chain()
    with asdfkit.open(path, "w") as f:
        f.add_provenance_document(builder.to_xml(), name="bandpass_chain")
        (trace_path,) = f.add_waveforms(obspy.read()[:1], tag="filtered", provenance_id=pid)
    ds = pyasdf.ASDFDataSet(str(path), mode="r")
    try:
        assert ds.provenance.list() == ["bandpass_chain"]
        document = ds.provenance["bandpass_chain"]
        assert isinstance(document, ProvDocument)
        assert _ids(document) == _ids(builder.document)
        found = ds.provenance.get_provenance_document_for_id(pid)
        assert found["name"] == "bandpass_chain"
        trace = ds.waveforms["BW.RJOB"].filtered[0]
        assert trace.stats.asdf.provenance_id == pid
        assert validate(document).ok  # pyasdf's parsed document, re-serialised by prov, still validates
    finally:
        del ds
    assert trace_path.endswith("__filtered")


def test_documents_pyasdf_writes_open_and_validate_here(tmp_path: Path) -> None:
    path = tmp_path / "pyasdf.h5"
    builder, pid = _chain()
    ds = pyasdf.ASDFDataSet(str(path), mode="w")
    try:
        ds.add_provenance_document(builder.document, name="written_by_pyasdf")
        ds.add_waveforms(obspy.read()[:1], tag="filtered", provenance_id=pid)
    finally:
        del ds
    with asdfkit.open(path) as f:
        assert f.provenance_documents == ["written_by_pyasdf"]
        data = f.get_provenance_document("written_by_pyasdf")
        report = validate(data)
        assert report.ok, str(report)
        assert pid in report.record_ids
        (header,) = f.list_waveforms()
        assert f.get_provenance_id(header.path) == pid  # pyasdf's {uri}localpart form
        record = resolve(f, pid)
        assert (record.document, record.label) == ("written_by_pyasdf", "Waveform Trace")
        chain = lineage(f, header)
    (step,) = chain.steps
    assert step.activity is not None and step.activity.attributes["number_of_passes"] == 2
    assert [a.attributes["software_name"] for a in step.agents] == ["ObsPy"]


def test_pyasdfs_example_stored_by_pyasdf_is_followed_here(tmp_path: Path, pyasdf_data: Path) -> None:
    path = tmp_path / "example.h5"
    example = ProvDocument.deserialize(
        content=(pyasdf_data / "example_schematic_processing_chain.xml").read_bytes(), format="xml")
    final = f"{{{SP}}}sp007_wf_jude89du8l"
    assert final in _ids(example)
    ds = pyasdf.ASDFDataSet(str(path), mode="w")
    try:
        ds.add_provenance_document(example, name="schematic")
        ds.add_waveforms(obspy.read()[:1], tag="processed", provenance_id=final)
    finally:
        del ds
    with asdfkit.open(path) as f:
        assert validate(f.get_provenance_document("schematic")).ok
        chain = lineage(f, f.list_waveforms()[0])
    assert [a.label for a in chain.activities] == ["Detrend", "Lowpass Filter", "Decimate"]
    assert [s.localpart for s in chain.sources] == ["sp001_wf_a34j4didj3"]


def test_unknown_ids_are_not_found_by_either(tmp_path: Path) -> None:
    path = tmp_path / "asdfkit.h5"
    builder, _ = _chain()
    missing = f"{{{SP}}}sp099_wf_notthere"
    with asdfkit.open(path, "w") as f:
        f.add_provenance_document(builder.to_xml(), name="chain")
        with pytest.raises(asdfkit.errors.NotFoundError, match="sp099_wf_notthere"):
            resolve(f, missing)
    ds = pyasdf.ASDFDataSet(str(path), mode="r")
    try:
        with pytest.raises(ASDFValueError, match="sp099_wf_notthere"):
            ds.provenance.get_provenance_document_for_id(missing)
    finally:
        del ds
