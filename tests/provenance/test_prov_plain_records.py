"""The builder's plain records and the check that parses one record of each shape.

The builder keeps records ``prov`` would store unchanged as plain tuples; its
``document`` must then hold exactly what building them through ``prov``'s own
API gives, and :meth:`ProvenanceBuilder.check` must find what
``validate_generated`` finds in the whole document.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import obspy
from prov.constants import PROV_LABEL, PROV_TYPE
from prov.model import ProvDocument
from test_prov_fast_paths import _chain_documents

import asdfkit
from asdfkit.provenance import ProvenanceBuilder, ProvenanceRecorder, chain_from_trace
from asdfkit.provenance.ids import make_local_id
from asdfkit.provenance.validator import validate_built, validate_generated


def _same(builder: ProvenanceBuilder) -> None:
    """The cheap check and the whole-document check agree on this builder's document."""
    cheap, full = builder.check(), validate_generated(builder.to_xml())
    assert cheap.rules() == full.rules()
    assert cheap.ok == full.ok
    assert cheap.record_ids == full.record_ids


def test_plain_records_are_what_prov_builds_from_the_same_calls() -> None:
    trace = obspy.read()[0]  # ObsPy's real example recording BW.RJOB..EHZ
    b = ProvenanceBuilder()
    act = b.custom("activity", "convert", attributes={"traces": 3, "tag": "raw_recording"})
    src = b.entity("file", step=0, filename="RJOB.mseed", location="/data", location_type="local file system")
    out = b.entity("waveform_trace", seed_id=trace.id, start_time=trace.stats.starttime,
                   number_of_samples=trace.stats.npts, sampling_rate=trace.stats.sampling_rate)
    b.used(act, src)
    b.generated(out, act)
    b.derived(out, src)
    assert b._pending  # kept plain until the document is asked for

    expected = ProvDocument()
    expected.add_namespace(b.sp)
    expected.add_namespace(b.ak)
    expected.activity(act, other_attributes=[(PROV_TYPE, "asdfkit:convert"), (PROV_LABEL, "Convert"),
                                             (b.ak["traces"], 3), (b.ak["tag"], "raw_recording")])
    expected.entity(src, [(PROV_TYPE, "seis_prov:file"), (PROV_LABEL, "File"), (b.sp["filename"], "RJOB.mseed"),
                          (b.sp["location"], "/data"), (b.sp["location_type"], "local file system")])
    expected.entity(out, [(PROV_TYPE, "seis_prov:waveform_trace"), (PROV_LABEL, "Waveform Trace"),
                          (b.sp["seed_id"], trace.id), (b.sp["start_time"], trace.stats.starttime.datetime),
                          (b.sp["number_of_samples"], trace.stats.npts),
                          (b.sp["sampling_rate"], trace.stats.sampling_rate)])
    expected.used(act, src)
    expected.wasGeneratedBy(out, act)
    expected.wasDerivedFrom(out, src)
    data = b.to_xml()
    assert data == str(expected.serialize(format="xml")).encode()
    assert b.document == expected
    assert [r.attributes for r in b.document.records] == [r.attributes for r in expected.records]
    assert not b._pending


def test_records_made_after_the_document_was_asked_for_keep_their_order() -> None:
    trace = obspy.read()[0]
    b = ProvenanceBuilder()
    first = b.entity("waveform_trace", seed_id=trace.id)
    agent = b.software_agent("ObsPy", "1.5.1", "https://www.obspy.org")  # a URI value: straight into prov
    second = b.entity("waveform_trace", seed_id=trace.id)
    b.document.wasDerivedFrom(second, first)  # a caller adding to the document itself
    third = b.activity("detrend", detrending_method="linear fit", used=[second], agent=agent)
    ids = [r.identifier for r in b.document.records]
    assert ids == [first, agent, second, None, third, None, None]
    _same(b)


def test_the_cheap_check_agrees_on_real_processing_chains_and_recorded_activities(
    tmp_path: Path, mseed_file: Path
) -> None:
    for document in _chain_documents():
        builder = ProvenanceBuilder(document)
        _same(builder)
        assert builder.check().ok
    with asdfkit.open(tmp_path / "rec.h5", "w") as f:
        stream = obspy.read(str(mseed_file))
        paths = f.add_waveforms(stream, tag="raw_recording")
        builder = ProvenanceBuilder()
        for trace in stream:
            builder, _ = chain_from_trace(trace, builder)
        _same(builder)
        result = ProvenanceRecorder(f).record("import", inputs=[str(mseed_file)], outputs=paths,
                                              derived={paths[0]: [str(mseed_file)]})
        assert f.get_provenance_id(paths[0]) == result.outputs["/" + paths[0].strip("/")]


def test_the_cheap_check_reports_what_the_whole_document_check_reports() -> None:
    trace = obspy.read()[0]

    def base() -> tuple[ProvenanceBuilder, object]:
        b = ProvenanceBuilder()
        return b, b.entity("waveform_trace", seed_id=trace.id, sampling_rate=trace.stats.sampling_rate)

    dangling, entity = base()
    dangling.derived(entity, dangling.sp[make_local_id("wf", 9)])  # type: ignore[arg-type]
    assert "prov.relation.dangling" in dangling.check().rules()
    _same(dangling)

    duplicate, entity = base()
    duplicate.entity("waveform_trace", record_id=entity.localpart, seed_id=trace.id)  # type: ignore[attr-defined]
    assert "sp.id.duplicate" in duplicate.check().rules()
    _same(duplicate)

    bad_name, entity = base()
    bad_name.derived(entity, bad_name.sp["9_starts_with_a_digit"])  # type: ignore[arg-type]
    assert not bad_name.check().ok
    _same(bad_name)

    far_zone, _ = base()
    zone = dt.timezone(dt.timedelta(hours=14, minutes=30))
    far_zone.custom("entity", "zoned_time", attributes={"when": dt.datetime(2020, 1, 1, tzinfo=zone)})
    _same(far_zone)


def test_one_record_of_each_shape_is_parsed() -> None:
    b = ProvenanceBuilder()
    act = b.custom("activity", "convert")
    for trace in obspy.read():
        out = b.entity("waveform_trace", seed_id=trace.id, sampling_rate=trace.stats.sampling_rate)
        b.generated(out, act)
    b.custom("entity", "odd", attributes={"x": 1.5})  # a second entity shape
    report = validate_built(b._document, b._pending)
    assert report.ok
    assert len(report.record_ids) == 5


def test_a_forked_process_does_not_reuse_the_parents_random_draws() -> None:
    make_local_id("wf", 1)  # the parent now holds an unread block
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next id and leave at once
        os.write(write, make_local_id("wf", 1).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 100).decode()
    os.close(read)
    os.close(write)
    parent = make_local_id("wf", 1)
    assert child[:9] == parent[:9] == "sp001_wf_"
    assert child != parent
