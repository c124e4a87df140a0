"""ProvenanceRecorder.record and add_processed_waveforms on real container writes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import obspy
import pytest
from prov.model import PROV_LABEL, PROV_TYPE, ProvDocument

import asdfkit
from asdfkit import __version__
from asdfkit.errors import DuplicateTraceError, InvalidValueError, NotFoundError
from asdfkit.provenance import (
    ProvenanceRecorder,
    RecordedActivity,
    add_processed_waveforms,
    file_graph,
    lineage,
    validate,
)

SP = "http://seisprov.org/seis_prov/0.1/#"


def test_recording_an_import_from_a_real_file(tmp_path: Path, mseed_file: Path) -> None:
    path = tmp_path / "import.h5"
    with asdfkit.open(path, "w") as f:
        paths = f.add_waveforms(obspy.read(str(mseed_file)), tag="raw_recording")
        done = ProvenanceRecorder(f).record("import_waveforms", inputs=[str(mseed_file)], outputs=paths,
                                            parameters={"format": "MSEED", "traces": 1})
    assert isinstance(done, RecordedActivity)
    assert list(done.outputs) == paths == ["/Waveforms/NL.HGN/NL.HGN.00.BHZ__2003-05-29T02:13:22__"
                                           "2003-05-29T02:18:20__raw_recording"]
    with asdfkit.open(path) as f:
        assert f.provenance_documents == [done.document]
        assert validate(f.get_provenance_document(done.document)).ok
        assert f.get_provenance_id(paths[0]) == done.outputs[paths[0]]
        graph = file_graph(f)
        result = lineage(f, paths[0], graph)
    (step,) = result.steps
    assert step.activity is not None and step.activity.id == done.activity
    assert step.activity.prov_type == "asdfkit:import_waveforms"
    assert step.activity.attributes == {"format": "MSEED", "traces": 1}
    (source,) = step.inputs
    assert source.prov_type == "seis_prov:file"
    assert source.attributes == {"filename": "test.mseed", "location": str(mseed_file.parent.resolve()),
                                 "location_type": "local file system"}
    (output,) = step.outputs
    assert output.attributes["seed_id"] == "NL.HGN.00.BHZ" and output.attributes["number_of_samples"] == 11947
    assert output.attributes["sampling_rate"] == 40.0
    assert output.attributes["start_time"].startswith("2003-05-29 02:13:22.0434")
    (agent,) = step.agents
    assert (agent.attributes["software_name"], agent.attributes["software_version"]) == ("asdfkit", __version__)


def test_a_seis_prov_activity_links_to_the_inputs_existing_record(tmp_path: Path) -> None:
    with asdfkit.open(tmp_path / "x.h5", "w") as f:
        recorder = ProvenanceRecorder(f)
        (raw,) = f.add_waveforms(obspy.read()[:1], tag="raw_recording")
        imported = recorder.record("import_waveforms", inputs=["/data/rjob.mseed"], outputs=[raw])
        trace = f.get_waveforms(tag="raw_recording")[0].detrend("demean")
        (out,) = f.add_waveforms(trace, tag="detrended")
        detrended = recorder.record("detrend", inputs=[raw], outputs=[out],
                                    parameters={"detrending_method": "demean"})
        assert detrended.activity.startswith(f"{{{SP}}}sp001_dt_")
        document = f.get_provenance_document(detrended.document)
        # The input is described under the id the raw trace already points to.
        assert imported.outputs[raw].split("}")[1].encode() in document
        assert validate(document).ok
        result = lineage(f, out)
    assert [a.label for a in result.activities] == ["Import Waveforms", "Detrend"]
    assert [s.attributes["filename"] for s in result.sources] == ["rjob.mseed"]


def test_an_auxiliary_dataset_computed_from_two_traces(tmp_path: Path) -> None:
    with asdfkit.open(tmp_path / "cc.h5", "w") as f:
        first, second = f.add_waveforms(obspy.read()[:2], tag="raw_recording")  # no provenance yet
        a, b = f.get_waveforms(tag="raw_recording")[:2]
        cc = f.add_auxiliary_data(np.correlate(a.data, b.data, "same"), "CrossCorrelation", "BW_RJOB/EHZ_EHN")
        done = ProvenanceRecorder(f).record(
            "cross_correlate", inputs=f.list_waveforms(tag="raw_recording")[:2], outputs=[cc],
            parameters={"correlation_type": "cross", "max_lag_time_in_sec": np.float32(15)},
            output_type="cross_correlation_stack")
        assert f.get_provenance_id(cc) == done.outputs[cc]
        assert f.get_provenance_id(first) is None  # inputs are described, not re-linked
        result = lineage(f, cc)
    (step,) = result.steps
    assert step.activity is not None and step.activity.attributes == {"correlation_type": "cross",
                                                                      "max_lag_time_in_sec": 15.0}
    assert sorted(r.attributes["seed_id"] for r in step.inputs) == ["BW.RJOB..EHN", "BW.RJOB..EHZ"]
    assert all(r.localpart.startswith("sp000_wf_") for r in step.inputs)  # static inputs: step 0
    assert [r.prov_type for r in step.outputs] == ["seis_prov:cross_correlation_stack"]
    assert second.endswith("__raw_recording")


def test_inputs_described_with_another_seis_prov_prefix_link_too(tmp_path: Path) -> None:
    doc = ProvDocument()
    sp = doc.add_namespace("sp", SP)  # valid SEIS-PROV: the prefix is free, the namespace is not
    doc.entity(sp["sp001_wf_abcdefgh"], {PROV_TYPE: "sp:waveform_trace", PROV_LABEL: "Waveform Trace",
                                         sp["seed_id"]: "BW.RJOB..EHZ"})
    assert validate(doc).ok
    with asdfkit.open(tmp_path / "p.h5", "w") as f:
        f.add_provenance_document(doc, name="other_prefix")
        (raw,) = f.add_waveforms(obspy.read()[:1], tag="raw", provenance_id=f"{{{SP}}}sp001_wf_abcdefgh")
        spectrum = f.add_auxiliary_data(np.ones(8), "Spectra", "BW_RJOB")
        done = ProvenanceRecorder(f).record("normalize", inputs=[raw], outputs=[spectrum],
                                            parameters={"normalization_method": "absolute maximum"})
        assert validate(f.get_provenance_document(done.document)).ok
        result = lineage(f, spectrum)
    assert [s.localpart for s in result.sources] == ["sp001_wf_abcdefgh"]


BAD_CALLS: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("detrend", {"parameters": {"detrending_method": 5}}, InvalidValueError, "5 for seis_prov:detrending_method"),
    ("detrend", {"parameters": {}}, InvalidValueError, "missing required attribute seis_prov:detrending_method"),
    ("cross_correlate", {"parameters": {"correlation_type": "cc", "max_lag_time_in_sec": "ten"}},
     InvalidValueError, "'ten'"),
    ("normalize", {"parameters": {"normalization_method": "max", "bogus": 1}}, InvalidValueError,
     "unknown attribute seis_prov:bogus"),
    ("stack", {"parameters": {"note": "bell\x07"}}, InvalidValueError, "cannot be stored in XML"),
    ("Bad Name", {}, InvalidValueError, "invalid asdfkit record name 'Bad Name'"),
    ("stack", {"outputs": ["/AuxiliaryData/Nope/x"]}, NotFoundError, "/AuxiliaryData/Nope/x"),
    ("stack", {"inputs": ["/Waveforms/XX.NONE/nothing"]}, NotFoundError, "nothing"),
    ("stack", {"output_type": "cross_correlation"}, InvalidValueError, "seis_prov:correlation_type"),
    ("stack", {"name": "existing"}, InvalidValueError, "'existing' already exists"),
]


@pytest.mark.parametrize(("activity", "kwargs", "error", "message"), BAD_CALLS,
                         ids=[f"{c[0]}-{c[3][:20]}" for c in BAD_CALLS])
def test_bad_calls_raise_and_store_nothing(tmp_path: Path, file_snapshot: Callable[[Path], Any], activity: str,
                                           kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
    path = tmp_path / "bad.h5"
    with asdfkit.open(path, "w") as f:
        f.add_waveforms(obspy.read()[:1], tag="raw")
        f.add_auxiliary_data(np.ones(4), "Stacks", "x")
        f.add_provenance_document(b'<prov:document xmlns:prov="http://www.w3.org/ns/prov#"/>', name="existing")
    before = file_snapshot(path)
    with asdfkit.open(path, "a") as f:
        call = {"outputs": ["/AuxiliaryData/Stacks/x"], **kwargs}
        with pytest.raises(error, match=message):
            ProvenanceRecorder(f).record(activity, **call)
    assert file_snapshot(path) == before


def test_add_processed_waveforms_stores_chains_and_links_each_trace(tmp_path: Path) -> None:
    stream = obspy.read()
    stream.detrend("linear")
    stream.taper(0.05)
    stream.filter("bandpass", freqmin=1.0, freqmax=10.0, zerophase=True)
    with asdfkit.open(tmp_path / "p.h5", "w") as f:
        name, paths = add_processed_waveforms(f, stream, "processed", document_name="obspy_chain")
        assert name == "obspy_chain" and len(paths) == 3
        assert validate(f.get_provenance_document(name)).ok
        ids = {f.get_provenance_id(p) for p in paths}
        results = [lineage(f, p) for p in paths]
    assert len(ids) == 3 and all(str(i).startswith(f"{{{SP}}}sp") for i in ids)
    for result, trace in zip(results, stream, strict=True):
        assert [a.label for a in result.activities] == ["Detrend", "Taper", "Bandpass Filter"]
        assert result.target.attributes["seed_id"] == trace.id
        assert result.activities[-1].attributes["number_of_passes"] == 2


def test_add_processed_waveforms_leaves_nothing_behind_on_failure(tmp_path: Path,
                                                                  file_snapshot: Callable[[Path], Any]) -> None:
    path = tmp_path / "dup.h5"
    trace = obspy.read()[0].detrend("demean")
    with asdfkit.open(path, "w") as f:
        f.add_waveforms(trace, tag="processed")
    before = file_snapshot(path)
    with asdfkit.open(path, "a") as f:
        with pytest.raises(DuplicateTraceError):
            add_processed_waveforms(f, trace, "processed")
        broken = trace.copy()
        broken.stats.processing.append("not an ObsPy entry")
        with pytest.raises(InvalidValueError, match="invalid processing entry"):
            add_processed_waveforms(f, broken, "other")
    assert file_snapshot(path) == before


def test_outputs_can_be_derived_from_their_inputs(tmp_path: Path, mseed_file: Path) -> None:
    with asdfkit.open(tmp_path / "derived.h5", "w") as f:
        (out,) = f.add_waveforms(obspy.read(str(mseed_file)), tag="raw_recording")
        source = str(mseed_file)
        done = ProvenanceRecorder(f).record("convert", inputs=[source, source], outputs=[out],
                                            derived={out: [source]})
        graph = file_graph(f)
    activity_inputs = graph.used[done.activity]
    assert len(activity_inputs) == 1  # the same input given twice is described once
    assert graph.derived_from[done.outputs[out]] == activity_inputs
    assert graph.record(activity_inputs[0]).attributes["filename"] == "test.mseed"
