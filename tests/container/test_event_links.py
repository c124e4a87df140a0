"""Associating stored waveforms with events after the fact (``ASDFFile.set_event_ids``)."""

from __future__ import annotations

import obspy
import pyasdf
import pytest

import asdfkit
from asdfkit.errors import InvalidNameError, InvalidValueError, NotFoundError


def test_event_ids_set_later_read_back_here_and_in_pyasdf(h5path, small_stream):
    catalog = obspy.read_events()
    with asdfkit.open(h5path, "w") as f:
        f.add_events(catalog)
        path = f.add_waveforms(small_stream[:1], "raw")[0]
        f.set_event_ids(path, [catalog[0], catalog[1].resource_id])
    with asdfkit.open(h5path) as f:
        header = f.list_waveforms()[0]
        assert f.get_waveform_meta(header).event_ids == [str(catalog[0].resource_id),
                                                          str(catalog[1].resource_id)]
        assert len(f.list_waveforms(event_id=catalog[1])) == 1
    with pyasdf.ASDFDataSet(str(h5path), mode="r") as ds:
        trace = ds.waveforms[small_stream[0].id.rsplit(".", 2)[0]]["raw"][0]
        assert [str(r) for r in trace.stats.asdf.event_ids] == [str(catalog[0].resource_id),
                                                                 str(catalog[1].resource_id)]


def test_an_empty_list_removes_the_association(h5path, small_stream):
    with asdfkit.open(h5path, "w") as f:
        path = f.add_waveforms(small_stream[:1], "raw", event_id="smi:local/event/1")[0]
        f.set_event_ids(path, [])
        assert f.get_waveform_meta(f.list_waveforms()[0]).event_ids == []


@pytest.mark.parametrize(("path", "ids", "error"), [
    ("/AuxiliaryData/X/y", "smi:local/e", InvalidNameError),
    ("/Waveforms/XX.NONE/nothing", "smi:local/e", NotFoundError),
    (None, "a,b", InvalidValueError),
    (None, "", InvalidValueError),
])
def test_bad_targets_and_ids_are_refused_without_change(h5path, small_stream, file_snapshot, path, ids, error):
    with asdfkit.open(h5path, "w") as f:
        written = f.add_waveforms(small_stream[:1], "raw", event_id="smi:local/event/1")[0]
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "r+") as f, pytest.raises(error, match="event_id|path|not found"):
        f.set_event_ids(path or written, ids)
    assert file_snapshot(h5path) == before
