"""``/Provenance``: store, list, get and remove PROV-XML; refuse everything else."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import h5py
import numpy as np
import prov.model
import pytest
from lxml import etree

import asdfkit
from asdfkit.errors import InvalidNameError, InvalidValueError, NotFoundError, XMLError

PROV_NS = "http://www.w3.org/ns/prov#"


@pytest.fixture(scope="module")
def chain_xml(pyasdf_data: Path) -> bytes:
    """pyasdf's real SEIS-PROV example: a schematic processing chain."""
    return (pyasdf_data / "example_schematic_processing_chain.xml").read_bytes()


def _prov_document() -> prov.model.ProvDocument:
    doc = prov.model.ProvDocument()
    doc.add_namespace("seis_prov", "http://seisprov.org/seis_prov/0.1/#")
    waveform = doc.entity("seis_prov:sp001_wf_f84fb9a", {"prov:label": "Waveform Trace"})
    detrend = doc.activity("seis_prov:sp002_dt_f5a9e3b", other_attributes={"prov:label": "Detrend"})
    doc.wasGeneratedBy(waveform, detrend)
    return doc


def _entities(xml: bytes) -> list[str]:
    root = etree.fromstring(xml)
    return sorted(e.get(f"{{{PROV_NS}}}id") for e in root.findall(f"{{{PROV_NS}}}entity"))


def test_store_bytes_and_read_them_back(h5path, chain_xml):
    with asdfkit.open(h5path, "w") as f:
        assert f.add_provenance_document(chain_xml, name="processing chain") == "processing chain"
    with asdfkit.open(h5path) as f:
        assert f.provenance_documents == ["processing chain"]
        stored = f.get_provenance_document("processing chain")
    assert stored == chain_xml.rstrip(b"\x00 \t\r\n")
    assert len(_entities(stored)) == len(_entities(chain_xml)) > 3
    with h5py.File(h5path, "r") as h:
        dataset = h["Provenance/processing chain"]
        assert dataset.dtype == np.int8 and dataset.ndim == 1 and dataset.maxshape == (None,)


def test_store_a_prov_document_object(h5path):
    with asdfkit.open(h5path, "w") as f:
        name = f.add_provenance_document(_prov_document())
        assert len(name) == 32 and name == name.lower()  # a generated uuid hex
        stored = f.get_provenance_document(name)
    parsed = prov.model.ProvDocument.deserialize(content=stored.decode(), format="xml")
    assert parsed == _prov_document()
    assert _entities(stored) == ["seis_prov:sp001_wf_f84fb9a"]


def test_overwrite_and_remove(h5path, chain_xml):
    with asdfkit.open(h5path, "w") as f:
        f.add_provenance_document(chain_xml, name="a")
        f.add_provenance_document(_prov_document(), name="b")
        with pytest.raises(InvalidValueError, match="overwrite=True"):
            f.add_provenance_document(_prov_document(), name="a")
        f.add_provenance_document(_prov_document(), name="a", overwrite=True)
        assert _entities(f.get_provenance_document("a")) == ["seis_prov:sp001_wf_f84fb9a"]
        f.remove_provenance_document("b")
        assert f.provenance_documents == ["a"]
        with pytest.raises(NotFoundError, match="'b' not found"):
            f.get_provenance_document("b")
        with pytest.raises(NotFoundError):
            f.remove_provenance_document("b")


_BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<prov:document xmlns:prov="http://www.w3.org/ns/prov#"><prov:entity prov:id="x">&lol9;</prov:entity></prov:document>
"""

_EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE doc [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<prov:document xmlns:prov="http://www.w3.org/ns/prov#"><prov:entity prov:id="x">&xxe;</prov:entity></prov:document>
"""

_EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE prov:document SYSTEM "http://example.invalid/evil.dtd">
<prov:document xmlns:prov="http://www.w3.org/ns/prov#"/>
"""


@pytest.mark.parametrize(("document", "match"), [
    (_BILLION_LAUGHS, "DOCTYPE|entity amplification"),  # libxml2's own guard may fire first
    (_EXTERNAL_ENTITY, "DOCTYPE"),
    (_EXTERNAL_DTD, "DOCTYPE"),
    (b"<prov:document xmlns:prov='http://www.w3.org/ns/prov#'><prov:entity>", "not well-formed"),
    (b"", "empty"),
    (b"\x00\x00  ", "empty"),
    (b"<document><entity/></document>", "not a PROV-XML document"),
    (b"<q:quakeml xmlns:q='http://quakeml.org/xmlns/quakeml/1.2'/>", "not a PROV-XML document"),
    (b"just text", "not well-formed"),
])
def test_bad_or_hostile_xml_is_refused_and_nothing_stored(h5path, file_snapshot, chain_xml, document, match):
    with asdfkit.open(h5path, "w") as f:
        f.add_provenance_document(chain_xml, name="existing")
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f:
        with pytest.raises(XMLError, match=match):
            f.add_provenance_document(document, name="hostile")
        assert f.provenance_documents == ["existing"]
    assert file_snapshot(h5path) == before
    assert b"root:" not in h5path.read_bytes()  # /etc/passwd was never read into the file


def test_not_a_document_at_all_is_refused(h5path):
    with asdfkit.open(h5path, "w") as f, pytest.raises(InvalidValueError, match="PROV-XML bytes"):
        f.add_provenance_document({"prov": "dict"})


@pytest.mark.parametrize(("version", "name", "ok"), [
    ("1.0.3", "With Spaces & Symbols!", True),
    ("1.0.3", "tab\there", False),
    ("1.0.3", "naïve", False),
    ("1.0.3", "", False),
    ("1.0.2", "lower_case_1", True),
    ("1.0.2", "Upper", False),
    ("1.0.2", "with space", False),
    ("1.0.0", "_leading", False),
])
def test_document_names_follow_the_version(tmp_path, chain_xml, file_snapshot, version, name, ok):
    path = tmp_path / "p.h5"
    with asdfkit.open(path, "w", format_version=version):
        pass
    before = file_snapshot(path)
    with asdfkit.open(path, "a") as f:
        if ok:
            assert f.add_provenance_document(chain_xml, name=name) == name
            assert f.provenance_documents == [name]
        else:
            with pytest.raises(InvalidNameError, match="provenance document name"):
                f.add_provenance_document(chain_xml, name=name)
    if not ok:
        assert file_snapshot(path) == before


def test_trailing_nuls_written_by_other_tools_are_ignored(h5path, chain_xml):
    with asdfkit.open(h5path, "w"):
        pass
    with h5py.File(h5path, "a") as h:
        data = np.frombuffer(chain_xml + b"\x00", dtype=np.int8)
        h["Provenance"].create_dataset("373da5fe_d424_4f44_9bca_4334d77ed10b", data=data, maxshape=(None,))
    with asdfkit.open(h5path) as f:
        assert f.get_provenance_document("373da5fe_d424_4f44_9bca_4334d77ed10b") == chain_xml.rstrip()


def _parses_without_opening(fifo: Path, action) -> None:
    """Run ``action`` in a thread; fail if it opens ``fifo`` (a blocked open proves it)."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            action()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test thread
            errors.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():  # blocked in open(): release it, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=10)
        pytest.fail(f"the XML parser opened {fifo} named by a DOCTYPE")
    assert len(errors) == 1 and isinstance(errors[0], XMLError), errors
    assert "DOCTYPE" in str(errors[0])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a POSIX FIFO")
def test_a_doctype_naming_a_local_file_is_never_opened(h5path, tmp_path, file_snapshot):
    fifo = tmp_path / "trap"
    os.mkfifo(fifo)
    document = (f'<?xml version="1.0"?>\n<!DOCTYPE prov:document SYSTEM "{fifo}">\n'
                '<prov:document xmlns:prov="http://www.w3.org/ns/prov#"/>').encode()
    with asdfkit.open(h5path, "w"):
        pass
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f:
        _parses_without_opening(fifo, lambda: f.add_provenance_document(document, name="trap"))
    assert file_snapshot(h5path) == before
    # The same hostile document already inside a file (QuakeML written by another tool).
    with h5py.File(h5path, "a") as h:
        h.create_dataset("QuakeML", data=np.frombuffer(document, dtype=np.int8), maxshape=(None,))
    with asdfkit.open(h5path) as f:
        _parses_without_opening(fifo, lambda: f.events)
