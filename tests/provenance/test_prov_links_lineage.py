"""Storage and links (/Provenance, provenance_id, resolve) and lineage as objects, text and JSON."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest

import asdfkit
from asdfkit.errors import InvalidValueError, NotFoundError
from asdfkit.provenance import (
    Lineage,
    LineageStep,
    ProvenanceBuilder,
    ProvenanceRecorder,
    ProvGraph,
    RecordInfo,
    add_processed_waveforms,
    file_graph,
    lineage,
    qualified_id,
    read_document,
    resolve,
)

SP = "http://seisprov.org/seis_prov/0.1/#"


@pytest.fixture
def chain_file(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A file with one two-step chain; returns the path and the ids and paths of interest."""
    b = ProvenanceBuilder()
    agent = b.software_agent("ObsPy", "1.5.1", "https://www.obspy.org")
    raw = b.entity("waveform_trace", seed_id="BW.RJOB..EHZ", description="raw")
    detrend = b.activity("detrend", detrending_method="demean", used=[raw], agent=agent)
    mid = b.entity("waveform_trace", generated_by=detrend)
    taper = b.activity("taper", window_type="hann", taper_width=0.05, side="both", used=[mid], agent=agent)
    out = b.entity("waveform_trace", generated_by=taper)
    path = tmp_path / "chain.h5"
    with asdfkit.open(path, "w") as f:
        f.add_provenance_document(b.to_xml(), name="processing_chain")
        (trace,) = f.add_waveforms(obspy.read()[:1], tag="processed", provenance_id=qualified_id(out))
        aux = f.add_auxiliary_data(np.arange(10.0), "Spectra", "BW_RJOB/EHZ", provenance_id=qualified_id(mid))
        (bare,) = f.add_waveforms(obspy.read()[1:2], tag="unlinked")
    return path, {"out": qualified_id(out), "mid": qualified_id(mid), "raw": qualified_id(raw),
                  "detrend": qualified_id(detrend), "taper": qualified_id(taper), "agent": qualified_id(agent),
                  "trace": trace, "aux": aux, "bare": bare}


def test_documents_and_ids_are_stored_as_asdf_specifies(chain_file: tuple[Path, dict[str, str]]) -> None:
    path, ids = chain_file
    with h5py.File(path, "r") as h5:
        assert list(h5["Provenance"]) == ["processing_chain"]
        stored = h5["Provenance/processing_chain"][()].tobytes()
        assert stored.startswith(b"<?xml") and b"seis_prov:waveform_trace" in stored
        for key in ("trace", "aux"):
            raw = h5[ids[key]].attrs["provenance_id"]
            text = raw.decode() if isinstance(raw, bytes) else str(raw)
            assert text.startswith("{" + SP + "}sp00") and text == ids["out" if key == "trace" else "mid"]
        assert "provenance_id" not in h5[ids["bare"]].attrs


def test_resolve_ids_to_their_document_and_record(chain_file: tuple[Path, dict[str, str]]) -> None:
    path, ids = chain_file
    with asdfkit.open(path) as f:
        record = resolve(f, f.get_provenance_id(ids["trace"]))  # type: ignore[arg-type]
        graph = file_graph(f)
        assert isinstance(record, RecordInfo)
        assert (record.id, record.kind, record.document) == (ids["out"], "entity", "processing_chain")
        assert (record.prov_type, record.label) == ("seis_prov:waveform_trace", "Waveform Trace")
        assert graph.record(ids["detrend"]).attributes == {"detrending_method": "demean"}
        assert graph.record(ids["agent"]).kind == "agent"
        assert graph.generated_by[ids["out"]] == [ids["taper"]]
        for unknown in (f"{{{SP}}}sp099_wf_notthere", "{urn:elsewhere#}sp001_wf_abcdefg"):
            with pytest.raises(NotFoundError, match="not found"):
                resolve(f, unknown, graph)
            with pytest.raises(KeyError):  # NotFoundError is also a KeyError
                graph.record(unknown)
        with pytest.raises(InvalidValueError, match="namespace-uri"):
            resolve(f, "seis_prov:sp001_wf_abcdefg", graph)


def test_lineage_of_a_trace_as_objects_text_and_json(chain_file: tuple[Path, dict[str, str]]) -> None:
    path, ids = chain_file
    with asdfkit.open(path) as f:
        header = f.list_waveforms(tag="processed")[0]
        result = lineage(f, header)
        for other in (ids["trace"], header.name, ids["out"]):
            assert lineage(f, other).to_dict()["steps"] == result.to_dict()["steps"]
    assert isinstance(result, Lineage) and all(isinstance(s, LineageStep) for s in result.steps)
    assert len(result) == 2 and result.subject == ids["trace"]
    first, second = result.steps
    assert [r.id for r in first.inputs] == [ids["raw"]] and [r.id for r in first.outputs] == [ids["mid"]]
    assert [r.id for r in second.inputs] == [ids["mid"]] and [r.id for r in second.outputs] == [ids["out"]]
    assert [a.id for a in first.agents] == [ids["agent"]]
    assert [s.id for s in result.sources] == [ids["raw"]]
    text = result.to_text()
    assert text.splitlines()[0] == f"lineage of {ids['trace']}"
    assert "1. Detrend sp002_dt_" in text and "(detrending_method=demean)  [by ObsPy 1.5.1]" in text
    assert text.index("Detrend") < text.index("Taper") and str(result) == text
    data = json.loads(json.dumps(result.to_dict()))
    assert [s["activity"]["type"] for s in data["steps"]] == ["seis_prov:detrend", "seis_prov:taper"]
    assert data["steps"][1]["activity"]["attributes"] == {"window_type": "hann", "taper_width": 0.05,
                                                          "side": "both"}
    assert data["target"]["id"] == ids["out"] and data["sources"][0]["attributes"]["description"] == "raw"


def test_lineage_of_auxiliary_data_and_of_an_activity(chain_file: tuple[Path, dict[str, str]]) -> None:
    path, ids = chain_file
    with asdfkit.open(path) as f:
        aux = lineage(f, ids["aux"])
        of_activity = lineage(f, ids["taper"])
    assert [s.activity.label for s in aux.steps if s.activity] == ["Detrend"]
    assert aux.target.id == ids["mid"] and aux.subject == ids["aux"]
    assert of_activity.target.kind == "activity"
    assert [s.activity.label for s in of_activity.steps if s.activity] == ["Detrend"]


def test_targets_without_provenance_are_refused_clearly(chain_file: tuple[Path, dict[str, str]]) -> None:
    path, ids = chain_file
    with asdfkit.open(path) as f:
        with pytest.raises(NotFoundError, match=f"{ids['bare']} has no provenance_id"):
            lineage(f, ids["bare"])
        with pytest.raises(NotFoundError, match="not found"):
            lineage(f, "/Waveforms/BW.RJOB/BW.RJOB..EHZ__2000-01-01T00:00:00__2000-01-01T00:00:01__x")
        with pytest.raises(InvalidValueError, match="invalid lineage target 42"):
            lineage(f, 42)


def test_a_source_is_a_lineage_without_steps(tmp_path: Path) -> None:
    b = ProvenanceBuilder()
    raw = b.entity("waveform_trace", seed_id="BW.RJOB..EHZ")
    with asdfkit.open(tmp_path / "s.h5", "w") as f:
        f.add_provenance_document(b.to_xml(), name="source_only")
        result = lineage(f, qualified_id(raw))
    assert result.steps == () and [s.id for s in result.sources] == [qualified_id(raw)]
    assert "(no recorded processing: the target is a source)" in result.to_text()


def test_derivations_without_an_activity_are_steps_too(tmp_path: Path) -> None:
    b = ProvenanceBuilder()
    raw = b.entity("waveform_trace", seed_id="BW.RJOB..EHZ")
    copy = b.entity("waveform_trace", derived_from=[raw])
    with asdfkit.open(tmp_path / "d.h5", "w") as f:
        f.add_provenance_document(b.to_xml(), name="derived")
        result = lineage(f, qualified_id(copy))
    (step,) = result.steps
    assert step.activity is None and [r.id for r in step.inputs] == [qualified_id(raw)]
    assert "1. derived (no activity recorded)" in result.to_text()
    assert result.to_dict()["steps"][0]["activity"] is None


def test_lineage_follows_a_chain_across_documents(tmp_path: Path) -> None:
    first, second = obspy.read()[:2]
    for trace in (first, second):
        trace.detrend("demean")
        trace.filter("highpass", freq=1.0)
    with asdfkit.open(tmp_path / "x.h5", "w") as f:
        processing, paths = add_processed_waveforms(f, [first, second], "processed")
        cc = np.correlate(first.data, second.data, "same")
        aux = f.add_auxiliary_data(cc, "CrossCorrelation", "BW_RJOB/EHZ_EHN")
        recorded = ProvenanceRecorder(f).record(
            "cross_correlate", inputs=paths, outputs=[aux],
            parameters={"correlation_type": "cross", "max_lag_time_in_sec": 15})
        assert sorted(f.provenance_documents) == sorted([processing, recorded.document])
        result = lineage(f, aux)
    labels = [a.label for a in result.activities]
    assert labels.count("Detrend") == labels.count("Highpass Filter") == 2
    assert labels[-1] == "Cross Correlate" and len(labels) == 5
    documents = {a.document for a in result.activities}
    assert documents == {processing, recorded.document}
    assert len(result.sources) == 2
    assert [a.attributes["software_name"] for a in result.steps[-1].agents] == ["asdfkit"]


def test_reading_documents_with_prov_other_never_warns(tmp_path: Path) -> None:
    b = ProvenanceBuilder()
    raw = b.entity("waveform_trace", seed_id="BW.RJOB..EHZ")
    xml = b.to_xml().replace(b"</prov:document>", b'<prov:other><x xmlns="urn:x"/></prov:other></prov:document>')
    with asdfkit.open(tmp_path / "o.h5", "w") as f, warnings.catch_warnings():
        warnings.simplefilter("error")
        f.add_provenance_document(xml, name="with_other")
        assert read_document(xml).get_record(raw)
        assert resolve(f, qualified_id(raw)).document == "with_other"
        graph = ProvGraph.from_documents([("with_other", xml)])
    assert qualified_id(raw) in graph.records
