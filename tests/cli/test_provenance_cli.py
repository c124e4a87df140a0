"""``asdf-cli provenance``: list and check documents, follow the lineage of a trace or dataset."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit.cli.main import cli
from asdfkit.provenance import ProvenanceRecorder, add_processed_waveforms

SP = "http://seisprov.org/seis_prov/0.1/#"
# Well-formed PROV-XML (the store accepts it) that breaks SEIS-PROV: a wrong label.
BAD_LABEL = (f'<prov:document xmlns:prov="http://www.w3.org/ns/prov#" xmlns:seis_prov="{SP}" '
             'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
             '<prov:entity prov:id="seis_prov:sp001_wf_abcdefg"><prov:label>Seismogram</prov:label>'
             '<prov:type xsi:type="xsd:string">seis_prov:waveform_trace</prov:type></prov:entity>'
             "</prov:document>").encode()


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "prov.h5"
    stream = obspy.read()[:2]
    stream.detrend("linear")
    stream.filter("lowpass", freq=5.0)
    with asdfkit.open(path, "w") as f:
        name, paths = add_processed_waveforms(f, stream, "processed", document_name="obspy_processing")
        aux = f.add_auxiliary_data(np.correlate(stream[0].data, stream[1].data, "same"), "CrossCorrelation", "ZN")
        ProvenanceRecorder(f).record("cross_correlate", inputs=paths, outputs=[aux], name="correlation",
                                     parameters={"correlation_type": "cross"})
        (bare,) = f.add_waveforms(obspy.read()[2:], tag="raw_recording")
        pid = f.get_provenance_id(paths[0])
    assert pid is not None
    return path, {"trace": paths[0], "aux": aux, "bare": bare, "pid": pid,
                  "name": paths[0].rsplit("/", 1)[1]}


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["provenance", *args])
    return result.exit_code, result.stdout, result.stderr


def test_lists_documents_with_their_validity(built: tuple[Path, dict[str, str]]) -> None:
    path, _ = built
    code, out, err = _run(str(path))
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines == ["correlation: 5 records, valid SEIS-PROV", "obspy_processing: 11 records, valid SEIS-PROV"]


def test_lists_documents_as_json(built: tuple[Path, dict[str, str]]) -> None:
    path, _ = built
    code, out, _ = _run(str(path), "--json")
    assert code == 0
    rows = json.loads(out)["documents"]
    assert [(r["name"], r["valid"], r["findings"]) for r in rows] == [
        ("correlation", True, []), ("obspy_processing", True, [])]


def test_an_invalid_stored_document_exits_1_with_its_findings(built: tuple[Path, dict[str, str]]) -> None:
    path, _ = built
    with asdfkit.open(path, "a") as f:
        f.add_provenance_document(BAD_LABEL, name="hand_written")
    code, out, _ = _run(str(path))
    assert code == 1
    assert "hand_written: 1 records, INVALID" in out
    assert f"  error: sp.label.value [{{{SP}}}sp001_wf_abcdefg]: label is 'Seismogram'" in out
    assert "obspy_processing: 11 records, valid SEIS-PROV" in out  # the others are still listed
    code, out, _ = _run(str(path), "--json")
    assert code == 1
    (bad,) = [r for r in json.loads(out)["documents"] if not r["valid"]]
    assert [f["rule"] for f in bad["findings"]] == ["sp.label.value"]


@pytest.mark.parametrize("which", ["trace", "name", "pid"])
def test_lineage_of_a_trace_as_text(built: tuple[Path, dict[str, str]], which: str) -> None:
    path, targets = built
    code, out, err = _run(str(path), targets[which])
    assert code == 0, out + err
    subject = targets["trace"] if which == "name" else targets[which]  # a name is shown as its path
    assert out.startswith(f"lineage of {subject}\n")
    assert out.index("1. Detrend") < out.index("2. Lowpass Filter")
    assert "(detrending_method=linear fit)  [by ObsPy " in out
    assert "corner_frequency=5.0" in out and "number_of_passes=1" in out


def test_lineage_of_auxiliary_data_as_json(built: tuple[Path, dict[str, str]]) -> None:
    path, targets = built
    code, out, _ = _run(str(path), targets["aux"], "--json")
    assert code == 0
    data = json.loads(out)
    assert data["subject"] == targets["aux"]
    labels = [s["activity"]["label"] for s in data["steps"]]
    assert labels.count("Detrend") == 2 and labels[-1] == "Cross Correlate"
    assert data["steps"][-1]["agents"][0]["attributes"]["software_name"] == "asdfkit"
    assert len(data["sources"]) == 2


def test_a_target_without_provenance_exits_1_with_a_clear_message(built: tuple[Path, dict[str, str]]) -> None:
    path, targets = built
    code, out, err = _run(str(path), targets["bare"])
    assert code == 1 and out == ""
    assert err == f"error: {targets['bare']} has no provenance_id\n"


@pytest.mark.parametrize(("target", "message"), [
    (f"{{{SP}}}sp099_wf_notthere", "provenance record '{http://seisprov.org/seis_prov/0.1/#}sp099_wf_notthere' "
                                   "not found"),
    ("/AuxiliaryData/Nothing/here", "'/AuxiliaryData/Nothing/here' not found"),
    ("/Provenance/obspy_processing", "provenance ids belong to /Waveforms/"),
])
def test_unknown_targets_exit_1(built: tuple[Path, dict[str, str]], target: str, message: str) -> None:
    path, _ = built
    code, _, err = _run(str(path), target)
    assert code == 1
    assert err.startswith("error: ") and message in err


def test_show_prints_one_document(built: tuple[Path, dict[str, str]]) -> None:
    path, targets = built
    code, out, _ = _run(str(path), "--show", "obspy_processing")
    assert code == 0
    assert out.startswith("<?xml") and "seis_prov:lowpass_filter" in out
    assert targets["pid"].split("}")[1] in out
    code, _, err = _run(str(path), "--show", "missing")
    assert code == 1 and "'missing' not found" in err


def test_a_file_without_documents_and_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.h5"
    with asdfkit.open(path, "w"):
        pass
    code, out, _ = _run(str(path))
    assert (code, out) == (0, f"{path}: no provenance documents\n")
    code, out, _ = _run(str(path), "--json")
    assert (code, json.loads(out)) == (0, {"path": str(path), "documents": []})
    code, _, err = _run(str(tmp_path / "nope.h5"))
    assert code == 2 and "no such file" in err


def test_a_broken_document_written_by_another_tool_is_reported_not_raised(
        built: tuple[Path, dict[str, str]]) -> None:
    path, _ = built
    with h5py.File(path, "a") as h5:  # bypass asdfkit's store, which would refuse it
        h5["Provenance"].create_dataset("broken", data=np.frombuffer(b"<prov:document", dtype=np.int8))
    code, out, _ = _run(str(path))
    assert code == 1
    assert "broken: 0 records, INVALID" in out and "error: xml.malformed: " in out
    code, out, _ = _run(str(path), built[1]["trace"])  # lineage still works from the readable ones
    assert code == 0 and "2. Lowpass Filter" in out
