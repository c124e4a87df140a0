"""Provenance checks: SEIS-PROV findings pass through; the fallback without asdfkit.provenance."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
import pytest

import asdfkit
from asdfkit import xmlsafe
from asdfkit.validation import provenance
from asdfkit.validation.conformance import AUX, PROVENANCE, RECORD, T


def test_record_ids_of_the_fallback_are_qualified() -> None:
    root = xmlsafe.parse(PROVENANCE.encode())
    ids = provenance._record_ids(root)
    assert RECORD in ids and len(ids) == 3
    other = xmlsafe.parse(b'<prov:document xmlns:prov="http://www.w3.org/ns/prov#" xmlns="http://d/">'
                          b'<prov:entity prov:id="local"/><prov:entity prov:id="undeclared:x"/></prov:document>')
    assert provenance._record_ids(other) == {"{http://d/}local"}


def test_without_the_seis_prov_validator_ids_still_resolve(base_copy: Callable[[], Path], found,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provenance, "_validator", lambda: None)
    path = base_copy()
    with h5py.File(path, "r+") as f:
        f[AUX].attrs["provenance_id"] = np.bytes_(b"{http://x/}missing\x00")
        data = PROVENANCE.replace("<prov:label>Waveform Trace</prov:label>", "<prov:label>x</prov:label>", 1)
        del f["Provenance/chain"]
        f.create_dataset("Provenance/chain", data=np.frombuffer(data.encode(), np.int8), maxshape=(None,))
    # No SEIS-PROV rules without the validator, but record ids are collected: T resolves, AUX does not.
    assert found(asdfkit.validate(path)) == {("ASDF-PROV-004", AUX)}
    monkeypatch.undo()
    assert found(asdfkit.validate(path)) == {("ASDF-PROV-004", AUX), ("ASDF-PROV-002", "/Provenance/chain")}


def test_seis_prov_findings_name_their_rule(corpus_file: Callable[[str], Path]) -> None:
    report = asdfkit.validate(corpus_file("invalid/seis-prov-label.h5"))
    (finding,) = report.findings
    assert finding.message.startswith("sp.label.value: record {http://seisprov.org/seis_prov/0.1/#}sp001_wf")


def test_provenance_id_on_a_trace_must_resolve(base_copy: Callable[[], Path], found) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        del f["Provenance/chain"]
    assert found(asdfkit.validate(path)) == {("ASDF-PROV-004", T), ("ASDF-PROV-004", AUX)}


@pytest.fixture
def corpus_file(corpus: Path) -> Callable[[str], Path]:
    return lambda name: corpus / name
