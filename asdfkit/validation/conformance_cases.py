"""The cases of the conformance corpus: valid variants, then one invalid file per rule.

Each invalid case is a small edit of the base file (see
:mod:`asdfkit.validation.conformance`) with the exact ``(rule, path)`` findings it
must produce.  A few extra cases exercise hostile input (XML bombs, huge
attributes, deep nesting).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from ..container.rawedit import RawEditor, flip_byte
from .conformance import (
    AUX,
    END,
    PROVENANCE,
    SP,
    START,
    STATION,
    TRACE,
    T,
    edit,
    stationxml,
    whole_file,
    write_base,
)

SX = f"{STATION}/StationXML"

# -- valid files ------------------------------------------------------------------------------


@whole_file(None, "base-1.0.3", "every section filled, as asdfkit writes it")
def _base(base: Path, out: Path) -> None:
    shutil.copyfile(base, out)


@whole_file(None, "minimal", "only the root attributes: every section is optional")
def _minimal(base: Path, out: Path) -> None:
    with RawEditor(out, create=True) as raw:
        raw.set_attr("/", "file_format", "ASDF", kind="ascii")
        raw.set_attr("/", "file_format_version", "1.0.3", kind="ascii")


@whole_file(None, "version-1.0.0", "the base file written as ASDF 1.0.0")
def _v100(base: Path, out: Path) -> None:
    write_base(out, version="1.0.0")


@edit(None, "conventions", "others' conventions: NoisePy pair names, (npts, 2) adjoint sources, "
      "SPECFEM Files/Parfile, int16 and big-endian traces, nanosecond names, two channel epochs")
def _conventions(raw: RawEditor) -> None:
    raw.create_dataset("/AuxiliaryData/BW.RJOB_BW.RJOB/ZZ", np.zeros(16, np.float32))
    raw.create_dataset("/AuxiliaryData/AdjointSources/BW_RJOB_EHZ", np.zeros((100, 2)))
    raw.create_dataset("/AuxiliaryData/Files/Parfile", b"NPROC = 4\n")
    raw.rewrite_dataset(TRACE["EHN"], np.zeros(3000, ">f8"), maxshape=(None,))
    raw.rewrite_dataset(TRACE["EHE"], np.zeros(3000, "<i2"), maxshape=(None,))
    name = f"{STATION}/BW.RJOB..EHZ__{START}.000000000__{END}.990000000__processed"
    raw.create_dataset(name, np.zeros(3000, np.float32), maxshape=(None,))
    raw.set_attr(name, "starttime", np.int64(1251073203000000000))
    raw.set_attr(name, "sampling_rate", np.float64(100.0))
    channels: tuple[tuple[str, float, str, str | None], ...] = (
        ("EHE", 100.0, "2007-12-17T00:00:00", None), ("EHN", 100.0, "2007-12-17T00:00:00", None),
        ("EHZ", 100.0, "2007-12-17T00:00:00", "2009-08-24T00:20:10"),
        ("EHZ", 100.0, "2009-08-24T00:20:10", None))
    raw.write_xml(SX, stationxml(channels=channels))


# -- HDF5 structure -----------------------------------------------------------------------------


@whole_file("ASDF-FILE-001", "not-hdf5", "a text file", ("ASDF-FILE-001", "/"))
def _not_hdf5(base: Path, out: Path) -> None:
    out.write_bytes(b"this is not an HDF5 file\n")


@whole_file("ASDF-FILE-001", "truncated", "the base file cut in half", ("ASDF-FILE-001", "/"))
def _truncated(base: Path, out: Path) -> None:
    data = base.read_bytes()
    out.write_bytes(data[: len(data) // 2])


@whole_file("ASDF-FILE-002", "corrupt-chunk", "a flipped byte in /QuakeML's data (fletcher32 fails)",
            ("ASDF-FILE-002", "/QuakeML"))
def _corrupt_chunk(base: Path, out: Path) -> None:
    shutil.copyfile(base, out)
    with RawEditor(out) as raw:
        offset = raw.chunk_offset("/QuakeML")
    flip_byte(out, offset + 10)


@whole_file("ASDF-FILE-008", "corrupt-samples", "a flipped byte in a trace's samples (found with --checksums)",
            ("ASDF-FILE-008", T))
def _corrupt_samples(base: Path, out: Path) -> None:
    shutil.copyfile(base, out)
    with RawEditor(out) as raw:
        offset = raw.chunk_offset(T)
    flip_byte(out, offset + 10)


@edit("ASDF-FILE-003", "dangling-link", "a soft link to nothing", ("ASDF-FILE-003", "/Dangling"))
def _dangling(raw: RawEditor) -> None:
    raw.soft_link("/Dangling", "/Nowhere")


@edit("ASDF-FILE-004", "soft-link", "a soft link to a trace", ("ASDF-FILE-004", f"{STATION}/alias"))
def _soft(raw: RawEditor) -> None:
    raw.soft_link(f"{STATION}/alias", T)


@edit("ASDF-FILE-004", "external-link", "an external link (never opened)",
      ("ASDF-FILE-004", "/AuxiliaryData/Spectra/elsewhere"))
def _external(raw: RawEditor) -> None:
    raw.external_link("/AuxiliaryData/Spectra/elsewhere", "/etc/passwd", "/x")


@edit("ASDF-FILE-005", "cycle", "a hard link from a group to itself",
      ("ASDF-FILE-005", "/AuxiliaryData/Spectra/loop"))
def _cycle(raw: RawEditor) -> None:
    raw.hard_link("/AuxiliaryData/Spectra/loop", "/AuxiliaryData/Spectra")


@edit("ASDF-FILE-005", "deep", "40 nested groups",
      ("ASDF-FILE-005", "/AuxiliaryData/Deep" + "/g" * 31))
def _deep(raw: RawEditor) -> None:
    raw.create_group("/AuxiliaryData/Deep" + "/g" * 40)


@edit("ASDF-FILE-006", "named-datatype", "a committed datatype",
      ("ASDF-FILE-006", "/AuxiliaryData/Spectra/type"))
def _datatype(raw: RawEditor) -> None:
    raw.commit_datatype("/AuxiliaryData/Spectra/type", "f8")


@edit("ASDF-FILE-007", "lzf", "a trace compressed with lzf (h5py only)", ("ASDF-FILE-007", T))
def _lzf(raw: RawEditor) -> None:
    raw.rewrite_dataset(T, np.zeros(3000), compression="lzf", maxshape=(None,))


# -- root ---------------------------------------------------------------------------------------


@edit("ASDF-ROOT-001", "file-format", "file_format is 'ASDG'", ("ASDF-ROOT-001", "/"))
def _format(raw: RawEditor) -> None:
    raw.set_attr("/", "file_format", "ASDG", kind="ascii")


@edit("ASDF-ROOT-002", "version", "file_format_version is 2.0.0", ("ASDF-ROOT-002", "/"))
def _version(raw: RawEditor) -> None:
    raw.set_attr("/", "file_format_version", "2.0.0", kind="ascii")


@edit("ASDF-ROOT-003", "vlen-root-attrs", "root attributes as variable-length strings",
      ("ASDF-ROOT-003", "/"))
def _vlen_root(raw: RawEditor) -> None:
    raw.set_attr("/", "file_format", "ASDF", kind="utf8-vlen")


@edit("ASDF-ROOT-004", "pre-release", "version 0.0.2", ("ASDF-ROOT-004", "/"))
def _prerelease(raw: RawEditor) -> None:
    raw.set_attr("/", "file_format_version", "0.0.2", kind="ascii")


@edit("ASDF-ROOT-005", "extra-root-group", "an unknown group at the root", ("ASDF-ROOT-005", "/Extra"))
def _extra(raw: RawEditor) -> None:
    raw.create_group("/Extra")


@edit("ASDF-ROOT-006", "provenance-dataset", "/Provenance is a dataset", ("ASDF-ROOT-006", "/Provenance"))
def _section_kind(raw: RawEditor) -> None:
    raw.delete("/Provenance")
    raw.create_dataset("/Provenance", np.zeros(3))


# -- attributes ---------------------------------------------------------------------------------


@edit("ASDF-ATTR-001", "unknown-attribute", "an extra attribute on a trace", ("ASDF-ATTR-001", T))
def _unknown_attr(raw: RawEditor) -> None:
    raw.set_attr(T, "gain", np.float64(2.0))


@edit("ASDF-ATTR-002", "non-ascii-id", "event_id holds UTF-8 bytes", ("ASDF-ATTR-002", T))
def _non_ascii(raw: RawEditor) -> None:
    raw.set_attr(T, "event_id", "smi:local/évent", kind="ascii")


@edit("ASDF-ATTR-002", "numeric-id", "origin_id is an integer", ("ASDF-ATTR-002", T))
def _numeric_id(raw: RawEditor) -> None:
    raw.set_attr(T, "origin_id", np.int64(7))


@edit("ASDF-ATTR-003", "vlen-id", "event_id as a variable-length string", ("ASDF-ATTR-003", T))
def _vlen_id(raw: RawEditor) -> None:
    value = raw.attrs(T)["event_id"].tobytes().rstrip(b"\x00")
    raw.set_attr(T, "event_id", value, kind="ascii-vlen")


@edit("ASDF-ATTR-004", "labels-bad-utf8", "labels with invalid UTF-8", ("ASDF-ATTR-004", T))
def _labels_utf8(raw: RawEditor) -> None:
    raw.set_attr(T, "labels", b"raw,\xff\xfe", kind="utf8-vlen")


@edit("ASDF-ATTR-005", "labels-fixed", "labels as a fixed-length string", ("ASDF-ATTR-005", T))
def _labels_fixed(raw: RawEditor) -> None:
    raw.set_attr(T, "labels", "raw,example", kind="ascii")


# -- names --------------------------------------------------------------------------------------


@edit("ASDF-NAME-001", "station-name", "a station group named in lower case",
      ("ASDF-NAME-001", "/Waveforms/bw.rjob"))
def _station_name(raw: RawEditor) -> None:
    raw.create_group("/Waveforms/bw.rjob")


@edit("ASDF-NAME-002", "trace-name", "a tag with a space", ("ASDF-NAME-002", f"{STATION}/BW.RJOB..EHZ__{START}__{END}__raw data"))
def _trace_name(raw: RawEditor) -> None:
    raw.move(T, f"{STATION}/BW.RJOB..EHZ__{START}__{END}__raw data")


@edit("ASDF-NAME-003", "tag-stationxml", "the reserved tag StationXML",
      ("ASDF-NAME-003", f"{STATION}/BW.RJOB..EHZ__{START}__{END}__StationXML"))
def _reserved_tag(raw: RawEditor) -> None:
    raw.move(T, f"{STATION}/BW.RJOB..EHZ__{START}__{END}__StationXML")


@edit("ASDF-NAME-004", "wrong-station-group", "a GR.FUR trace in the BW.RJOB group",
      ("ASDF-NAME-004", f"{STATION}/GR.FUR..EHZ__{START}__{END}__raw_recording"))
def _wrong_group(raw: RawEditor) -> None:
    raw.move(T, f"{STATION}/GR.FUR..EHZ__{START}__{END}__raw_recording")


@edit("ASDF-NAME-005", "aux-name", "an auxiliary dataset name with a space",
      ("ASDF-NAME-005", "/AuxiliaryData/Spectra/BW_RJOB/bad name"))
def _aux_name(raw: RawEditor) -> None:
    raw.create_dataset("/AuxiliaryData/Spectra/BW_RJOB/bad name", np.zeros(3))


@edit("ASDF-NAME-006", "provenance-name", "a provenance document with a non-ASCII name",
      ("ASDF-NAME-006", "/Provenance/chäin"))
def _prov_name(raw: RawEditor) -> None:
    raw.write_xml("/Provenance/chäin", PROVENANCE.encode())


# -- waveforms ----------------------------------------------------------------------------------


@edit("ASDF-WAVE-001", "dataset-in-waveforms", "a dataset directly under /Waveforms",
      ("ASDF-WAVE-001", "/Waveforms/stray"))
def _stray(raw: RawEditor) -> None:
    raw.create_dataset("/Waveforms/stray", np.zeros(3))


@edit("ASDF-WAVE-002", "uint8-trace", "trace data as uint8", ("ASDF-WAVE-002", T))
def _uint8(raw: RawEditor) -> None:
    raw.rewrite_dataset(T, np.zeros(3000, np.uint8), maxshape=(None,))


@edit("ASDF-WAVE-003", "2d-trace", "trace data of shape (3000, 1)", ("ASDF-WAVE-003", T))
def _two_d(raw: RawEditor) -> None:
    raw.rewrite_dataset(T, np.zeros((3000, 1)))


@edit("ASDF-WAVE-004", "float-starttime", "starttime as float64 seconds", ("ASDF-WAVE-004", T))
def _float_start(raw: RawEditor) -> None:
    raw.set_attr(T, "starttime", np.float64(1251073203.0))


@whole_file("ASDF-WAVE-004", "huge-starttime", "starttime as a 2,000,000-element array (not read)",
            ("ASDF-WAVE-004", T))
def _huge_attr(base: Path, out: Path) -> None:
    shutil.copyfile(base, out)
    with RawEditor(out, libver="latest") as raw:
        attrs = raw.attrs(T)
        raw.delete(T)
        raw.create_dataset(T, np.zeros(3000), maxshape=(None,))
        for key, value in attrs.items():
            if key != "starttime":
                raw.set_attr(T, key, value)
        raw.set_attr(T, "starttime", np.zeros(2_000_000, np.int64))


@edit("ASDF-WAVE-005", "negative-rate", "sampling_rate is -100", ("ASDF-WAVE-005", T))
def _negative_rate(raw: RawEditor) -> None:
    raw.set_attr(T, "sampling_rate", np.float64(-100.0))


@edit("ASDF-WAVE-006", "name-start", "the name's start time is two seconds early",
      ("ASDF-WAVE-006", f"{STATION}/BW.RJOB..EHZ__2009-08-24T00:20:01__{END}__raw_recording"))
def _name_start(raw: RawEditor) -> None:
    raw.move(T, f"{STATION}/BW.RJOB..EHZ__2009-08-24T00:20:01__{END}__raw_recording")


@edit("ASDF-WAVE-007", "name-end", "the name's end time is 8 s late",
      ("ASDF-WAVE-007", f"{STATION}/BW.RJOB..EHZ__{START}__2009-08-24T00:20:40__raw_recording"))
def _name_end(raw: RawEditor) -> None:
    raw.move(T, f"{STATION}/BW.RJOB..EHZ__{START}__2009-08-24T00:20:40__raw_recording")


@edit("ASDF-WAVE-008", "empty-trace", "a trace with no samples", ("ASDF-WAVE-008", T))
def _empty(raw: RawEditor) -> None:
    raw.rewrite_dataset(T, np.zeros(0), maxshape=(None,))


# -- StationXML ---------------------------------------------------------------------------------


@edit("ASDF-STXML-001", "no-stationxml", "a station with traces but no StationXML",
      ("ASDF-STXML-001", STATION))
def _no_stationxml(raw: RawEditor) -> None:
    raw.delete(SX)


@edit("ASDF-STXML-002", "stationxml-root", "a StationXML outside the FDSN namespace", ("ASDF-STXML-002", SX))
def _sx_root(raw: RawEditor) -> None:
    raw.write_xml(SX, stationxml().replace(b' xmlns="http://www.fdsn.org/xml/station/1"', b""))


@edit("ASDF-STXML-008", "stationxml-version", "schemaVersion 3.0", ("ASDF-STXML-008", SX))
def _sx_version(raw: RawEditor) -> None:
    raw.write_xml(SX, stationxml(version="3.0"))


@edit("ASDF-STXML-003", "stationxml-xsd", "a station without its required Site", ("ASDF-STXML-003", SX))
def _sx_xsd(raw: RawEditor) -> None:
    raw.write_xml(SX, stationxml(site=False))


@edit("ASDF-STXML-004", "stationxml-other-station", "the StationXML also describes BW.FOO",
      ("ASDF-STXML-004", SX))
def _sx_other(raw: RawEditor) -> None:
    extra = ('\n    <Station code="FOO"><Latitude>0</Latitude><Longitude>0</Longitude>'
             "<Elevation>0</Elevation><Site><Name>x</Name></Site></Station>")
    raw.write_xml(SX, stationxml(extra=extra))


@edit("ASDF-STXML-005", "stationxml-missing-channel", "EHZ is not in the StationXML",
      ("ASDF-STXML-005", T))
def _sx_channel(raw: RawEditor) -> None:
    raw.write_xml(SX, stationxml(channels=tuple((c, 100.0, "2007-12-17T00:00:00", None) for c in ("EHE", "EHN"))))


@edit("ASDF-STXML-006", "stationxml-epoch", "the EHZ epoch ends in 2008", ("ASDF-STXML-006", T))
def _sx_epoch(raw: RawEditor) -> None:
    channels = tuple((c, 100.0, "2007-12-17T00:00:00", None) for c in ("EHE", "EHN"))
    raw.write_xml(SX, stationxml(channels=(*channels, ("EHZ", 100.0, "2007-12-17T00:00:00", "2008-01-01T00:00:00"))))


@edit("ASDF-STXML-007", "stationxml-rate", "the EHZ SampleRate is 200 Hz", ("ASDF-STXML-007", T))
def _sx_rate(raw: RawEditor) -> None:
    channels = tuple((c, 100.0, "2007-12-17T00:00:00", None) for c in ("EHE", "EHN"))
    raw.write_xml(SX, stationxml(channels=(*channels, ("EHZ", 200.0, "2007-12-17T00:00:00", None))))


# -- QuakeML --------------------------------------------------------------------------------


def _quakeml(raw: RawEditor) -> str:
    return raw.read_bytes("/QuakeML").decode("utf-8")


@edit("ASDF-QML-001", "quakeml-root", "a /QuakeML whose root is not q:quakeml", ("ASDF-QML-001", "/QuakeML"))
def _qml_root(raw: RawEditor) -> None:
    raw.write_xml("/QuakeML", b'<catalog xmlns="http://example.org/events"/>')


@edit("ASDF-QML-005", "quakeml-1.1", "QuakeML in the 1.1 namespace", ("ASDF-QML-005", "/QuakeML"))
def _qml_ns(raw: RawEditor) -> None:
    text = _quakeml(raw).replace("xmlns/quakeml/1.2", "xmlns/quakeml/1.1")
    raw.write_xml("/QuakeML", text.encode())


@edit("ASDF-QML-002", "quakeml-xsd", "an unknown element in an event", ("ASDF-QML-002", "/QuakeML"))
def _qml_xsd(raw: RawEditor) -> None:
    text = _quakeml(raw).replace("</event>", "<bogus>1</bogus></event>", 1)
    raw.write_xml("/QuakeML", text.encode())


@edit("ASDF-QML-003", "event-id-unresolved", "event_id names no event", ("ASDF-QML-003", T))
def _qml_unresolved(raw: RawEditor) -> None:
    raw.set_attr(T, "event_id", "smi:local/no/such/event", kind="ascii")


@edit("ASDF-QML-003", "origin-id-is-event", "origin_id names an event", ("ASDF-QML-003", T))
def _qml_kind(raw: RawEditor) -> None:
    raw.set_attr(T, "origin_id", raw.attrs(T)["event_id"].tobytes().rstrip(b"\x00"), kind="ascii")


@edit("ASDF-QML-004", "quakeml-duplicate-id", "one event twice", ("ASDF-QML-004", "/QuakeML"))
def _qml_duplicate(raw: RawEditor) -> None:
    text = _quakeml(raw)
    start = text.index("<event ")
    end = text.index("</event>") + len("</event>")
    raw.write_xml("/QuakeML", (text[:end] + text[start:end] + text[end:]).encode())


# -- provenance -----------------------------------------------------------------------------


@edit("ASDF-PROV-001", "provenance-root", "a provenance dataset holding another XML document",
      ("ASDF-PROV-001", "/Provenance/chain"))
def _prov_root(raw: RawEditor) -> None:
    raw.write_xml("/Provenance/chain", b"<document/>")


@edit("ASDF-PROV-002", "seis-prov-label", "a Waveform Trace entity labelled 'Trace'",
      ("ASDF-PROV-002", "/Provenance/chain"))
def _prov_invalid(raw: RawEditor) -> None:
    text = PROVENANCE.replace("<prov:label>Waveform Trace</prov:label>", "<prov:label>Trace</prov:label>", 1)
    raw.write_xml("/Provenance/chain", text.encode())


@edit("ASDF-PROV-003", "provenance-id-form", "provenance_id is not a qualified name", ("ASDF-PROV-003", T))
def _prov_form(raw: RawEditor) -> None:
    raw.set_attr(T, "provenance_id", "sp001_wf_a34j4didj3", kind="ascii")


@edit("ASDF-PROV-004", "provenance-id-unresolved", "provenance_id names no record", ("ASDF-PROV-004", AUX))
def _prov_unresolved(raw: RawEditor) -> None:
    raw.set_attr(AUX, "provenance_id", f"{{{SP}}}sp009_wf_0000000", kind="ascii")


@edit("ASDF-PROV-002", "provenance-no-seis-prov", "a second document with plain PROV only (empty as SEIS-PROV)",
      ("ASDF-PROV-002", "/Provenance/plain"))
def _prov_plain(raw: RawEditor) -> None:
    raw.write_xml("/Provenance/plain", b'<prov:document xmlns:prov="http://www.w3.org/ns/prov#" '
                  b'xmlns:ex="http://example.org/"><prov:entity prov:id="ex:a"/></prov:document>')


# -- XML datasets -----------------------------------------------------------------------------


@edit("ASDF-XML-001", "stationxml-float", "StationXML as a float32 dataset", ("ASDF-XML-001", SX))
def _xml_dtype(raw: RawEditor) -> None:
    raw.rewrite_dataset(SX, np.zeros(10, np.float32))


@edit("ASDF-XML-002", "quakeml-fixed-size", "QuakeML not resizable", ("ASDF-XML-002", "/QuakeML"))
def _xml_fixed(raw: RawEditor) -> None:
    raw.write_xml("/QuakeML", raw.read_bytes("/QuakeML"), resizable=False)


@edit("ASDF-XML-003", "quakeml-empty", "an empty QuakeML dataset", ("ASDF-XML-003", "/QuakeML"))
def _xml_empty(raw: RawEditor) -> None:
    raw.write_xml("/QuakeML", b"")


@edit("ASDF-XML-004", "quakeml-bomb", "QuakeML carrying a billion-laughs entity bomb",
      ("ASDF-XML-004", "/QuakeML"))
def _xml_bomb(raw: RawEditor) -> None:
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    raw.write_xml("/QuakeML", f'<?xml version="1.0"?><!DOCTYPE q [{entities}]><q>&e9;</q>'.encode())


@edit("ASDF-XML-004", "stationxml-malformed", "StationXML cut in the middle", ("ASDF-XML-004", SX))
def _xml_malformed(raw: RawEditor) -> None:
    raw.write_xml(SX, stationxml()[:300])


# -- auxiliary data ---------------------------------------------------------------------------


@edit("ASDF-AUX-001", "aux-dataset-at-top", "a dataset directly under /AuxiliaryData",
      ("ASDF-AUX-001", "/AuxiliaryData/stray"))
def _aux_top(raw: RawEditor) -> None:
    raw.create_dataset("/AuxiliaryData/stray", np.zeros(3))


@edit("ASDF-PROV-005", "provenance-agent-twice", "one SEIS-PROV software agent described twice",
      ("ASDF-PROV-005", "/Provenance/agents"))
def _prov_agent_twice(raw: RawEditor) -> None:
    agent = ('  <prov:softwareAgent prov:id="seis_prov:sp001_sa_9dig8s7">\n'
             '    <prov:label>asdfkit</prov:label>\n'
             '    <seis_prov:software_name>asdfkit</seis_prov:software_name>\n'
             '    <seis_prov:software_version>1.0</seis_prov:software_version>\n'
             '    <seis_prov:website xsi:type="xsd:anyURI">https://example.org</seis_prov:website>\n'
             '  </prov:softwareAgent>\n')
    raw.write_xml("/Provenance/agents", PROVENANCE.replace("</prov:document>", agent + agent + "</prov:document>")
                  .replace("sp001_wf_a34j4didj3", "sp101_wf_a34j4didj3").replace("sp002_dt_f87sf7sf78", "sp102_dt_f87sf7sf78")
                  .replace("sp003_wf_js83hf34aj", "sp103_wf_js83hf34aj").encode())


# -- asdfkit groups -----------------------------------------------------------------------------

_GROUP = "/AuxiliaryData/Groups/arrays/ring1"


@edit("ASDF-GROUP-001", "group-member-missing", "a static group listing a trace that is not in the file",
      ("ASDF-GROUP-001", _GROUP))
def _group_member_missing(raw: RawEditor) -> None:
    gone = TRACE["EHZ"].rpartition("/")[2].replace("raw_recording", "deleted")
    members = json.dumps([TRACE["EHN"].rpartition("/")[2], gone])
    record = f'{{"comment": "", "kind": "static", "layout": "asdfkit-group-1", "members": {members}}}'
    raw.create_dataset(_GROUP, np.frombuffer(record.encode(), dtype=np.int8))


@edit("ASDF-GROUP-002", "group-record-unreadable", "a dataset under /AuxiliaryData/Groups that is not "
      "a group record", ("ASDF-GROUP-002", _GROUP))
def _group_record_unreadable(raw: RawEditor) -> None:
    raw.create_dataset(_GROUP, np.frombuffer(b'{"kind": "neither"}', dtype=np.int8))
