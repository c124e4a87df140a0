"""``/QuakeML``: appending events without re-parsing, duplicates, removal."""

from __future__ import annotations

import io

import h5py
import numpy as np
import obspy
import pytest
from obspy.core.event import Catalog

import asdfkit
from asdfkit.container import events as events_module
from asdfkit.errors import DuplicateEventError, ModeError, NotFoundError


def _summary(catalog: Catalog) -> list[tuple]:
    """What must survive a round trip: ids, origins, magnitudes and their values."""
    return [
        (str(ev.resource_id),
         [(str(o.resource_id), o.time, o.latitude, o.longitude, o.depth) for o in ev.origins],
         [(str(m.resource_id), m.mag, m.magnitude_type) for m in ev.magnitudes],
         [str(fm.resource_id) for fm in ev.focal_mechanisms],
         str(ev.preferred_origin_id))
        for ev in catalog
    ]


def test_events_round_trip(h5path, real_events):
    with asdfkit.open(h5path, "w") as f:
        ids = f.add_events(Catalog(events=real_events))
    assert ids == [str(ev.resource_id) for ev in real_events]
    with asdfkit.open(h5path) as f:
        assert _summary(f.events) == _summary(Catalog(events=real_events))
        assert f.summary()["events"] == len(real_events)
    with h5py.File(h5path, "r") as h:
        dataset = h["QuakeML"]
        assert dataset.dtype == np.int8 and dataset.ndim == 1 and dataset.maxshape == (None,)


def test_many_single_adds_never_reparse_the_stored_catalogue(h5path, real_events, monkeypatch):
    serialized: list[int] = []
    real_serialize = events_module._serialize

    def counting_serialize(events):
        serialized.append(len(events))
        return real_serialize(events)

    def no_parse(*args, **kwargs):
        raise AssertionError("the stored QuakeML was parsed by obspy during an add")

    monkeypatch.setattr(events_module, "_serialize", counting_serialize)
    # The module's one door to ObsPy's QuakeML reader, and the public one for good measure.
    monkeypatch.setattr(events_module, "read_quakeml", no_parse)
    monkeypatch.setattr(obspy, "read_events", no_parse)
    with asdfkit.open(h5path, "w") as f:
        f.add_events(real_events[0])
    for event in real_events[1:]:  # one at a time, each in a new session
        with asdfkit.open(h5path, "a") as f:
            assert f.add_events(event) == [str(event.resource_id)]
    with asdfkit.open(h5path, "a") as f:  # and many in one session
        for event in real_events[:3]:
            copy = event.copy()
            copy.resource_id = obspy.core.event.ResourceIdentifier(str(event.resource_id) + "/again")
            for child in copy.origins + copy.magnitudes + copy.focal_mechanisms + copy.picks + copy.amplitudes:
                child.resource_id = obspy.core.event.ResourceIdentifier(str(child.resource_id) + "/again")
            f.add_events(copy)
    # Every add serialized only the event it was given (the very first add, into an empty
    # file, serializes its one event twice: to inspect it and to write the new document).
    adds = len(real_events) + 3
    assert set(serialized) == {1} and adds <= len(serialized) <= adds + 1
    monkeypatch.undo()
    with asdfkit.open(h5path) as f:
        catalog = f.events
    assert len(catalog) == len(real_events) + 3
    assert _summary(catalog[:len(real_events)]) == _summary(Catalog(events=real_events))
    assert [str(ev.resource_id) for ev in catalog[len(real_events):]] == [
        str(ev.resource_id) + "/again" for ev in real_events[:3]]
    # The stored document is one valid QuakeML 1.2 document.
    obspy.read_events(io.BytesIO(asdfkit.open(h5path).quakeml), format="QUAKEML")


def test_duplicate_event_id_is_refused_and_the_file_is_unchanged(h5path, real_events, file_snapshot):
    with asdfkit.open(h5path, "w") as f:
        f.add_events(Catalog(events=real_events[:4]))
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f:
        with pytest.raises(DuplicateEventError) as info:
            f.add_events(real_events[2])
        assert str(real_events[2].resource_id) in str(info.value)
        assert isinstance(info.value, ValueError)
        # A new event whose origin reuses a stored origin's id is also a duplicate.
        clash = real_events[5].copy()
        clash.origins[0].resource_id = real_events[0].origins[0].resource_id
        with pytest.raises(DuplicateEventError, match="resource ids must be unique"):
            f.add_events(clash)
        # So is a batch that is fine except for one event.
        with pytest.raises(DuplicateEventError):
            f.add_events([real_events[6], real_events[1]])
        assert len(f.events) == 4
    assert file_snapshot(h5path) == before


def test_same_event_twice_in_one_call_is_refused(h5path, real_events):
    with asdfkit.open(h5path, "w") as f:
        with pytest.raises(DuplicateEventError):
            f.add_events([real_events[0], real_events[0]])
        assert "QuakeML" not in f.h5
        assert len(f.events) == 0


def test_remove_event(h5path, real_events):
    with asdfkit.open(h5path, "w") as f:
        f.add_events(Catalog(events=real_events[:5]))
    with asdfkit.open(h5path, "a") as f:
        f.remove_event(str(real_events[1].resource_id))
        f.remove_event(real_events[3])
        with pytest.raises(NotFoundError, match="not found"):
            f.remove_event("smi:local/does-not-exist")
        assert [str(e.resource_id) for e in f.events] == [str(real_events[i].resource_id) for i in (0, 2, 4)]
        # The removed ids are free again.
        f.add_events(real_events[1])
    with asdfkit.open(h5path) as f:
        assert [str(e.resource_id) for e in f.events] == [str(real_events[i].resource_id) for i in (0, 2, 4, 1)]
    with asdfkit.open(h5path, "a") as f:
        for event in list(f.events):
            f.remove_event(event)
    with asdfkit.open(h5path) as f:
        assert len(f.events) == 0 and f.quakeml == b""
        assert "QuakeML" not in f.h5


def test_events_are_parsed_once_per_open_file(h5path, real_events, monkeypatch):
    with asdfkit.open(h5path, "w") as f:
        f.add_events(Catalog(events=real_events))
    calls = []
    real = events_module.read_quakeml
    monkeypatch.setattr(events_module, "read_quakeml", lambda *a, **k: calls.append(1) or real(*a, **k))
    with asdfkit.open(h5path) as f:
        for _ in range(3):
            assert len(f.events) == len(real_events)
    assert calls == [1]


def test_event_added_after_reading_shows_in_the_cached_catalogue(h5path, real_events):
    with asdfkit.open(h5path, "w") as f:
        f.add_events(real_events[0])
        assert len(f.events) == 1
        f.add_events(real_events[1])
        assert [str(e.resource_id) for e in f.events] == [str(e.resource_id) for e in real_events[:2]]


def test_adding_events_in_read_mode_is_refused(h5path, real_events):
    with asdfkit.open(h5path, "w"):
        pass
    with asdfkit.open(h5path) as f, pytest.raises(ModeError, match="read-only"):
        f.add_events(real_events[0])


def test_appending_to_a_foreign_quakeml_document(h5path, real_events):
    # A minimal document in SPECFEM's style: q:quakeml root, no XML declaration, one line.
    foreign = (
        b'<q:quakeml xmlns="http://quakeml.org/xmlns/bed/1.2" xmlns:q="http://quakeml.org/xmlns/quakeml/1.2">'
        b'<eventParameters publicID="smi:local/20000000#eventPrm"><event publicID="smi:local/20000000#eventID">'
        b'<type>earthquake</type></event></eventParameters></q:quakeml>'
    )
    with h5py.File(h5path, "w") as h:
        h.attrs["file_format"] = np.bytes_(b"ASDF")
        h.attrs["file_format_version"] = np.bytes_(b"1.0.3")
        h.create_dataset("QuakeML", data=np.frombuffer(foreign, dtype=np.int8), maxshape=(None,))
    with asdfkit.open(h5path, "a") as f:
        f.add_events(real_events[0])
    with asdfkit.open(h5path) as f:
        assert [str(e.resource_id) for e in f.events] == ["smi:local/20000000#eventID", str(real_events[0].resource_id)]
        assert f.quakeml.startswith(b'<q:quakeml xmlns="http://quakeml.org/xmlns/bed/1.2"')
