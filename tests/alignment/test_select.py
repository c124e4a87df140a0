"""Selecting an event's traces in a real ASDF file and loading them as seismograms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from alignment_data import BERKELEY_EVENT

import asdfkit
from asdfkit.alignment.select import DEFAULT_CHANNEL, EventSeismogram, select_event
from asdfkit.alignment.types import Seismogram
from asdfkit.errors import AlignmentInputError, InvalidValueError, NotFoundError


def test_the_event_s_vertical_traces_relative_to_the_origin(berkeley_h5: Path) -> None:
    with asdfkit.open(berkeley_h5) as f:
        selection = select_event(f, BERKELEY_EVENT)
        origin = f.events[0].preferred_origin() or f.events[0].origins[0]
        raw = {tr.id: tr for tr in f.get_waveforms(channel="BHZ")}
    assert DEFAULT_CHANNEL == "*Z"
    assert [s.seed_id for s in selection.seismograms] == sorted(raw)
    assert len(raw) == 10
    assert selection.reference == origin.time
    for seis in selection.seismograms:
        trace = raw[seis.seed_id]
        assert isinstance(seis, Seismogram)
        assert seis.begin == pytest.approx(trace.stats.starttime - origin.time, abs=1e-6)
        assert seis.delta == pytest.approx(trace.stats.delta)
        np.testing.assert_array_equal(seis.data, trace.data.astype(np.float64))
        assert np.isnan(seis.t0) and seis.t1 is None and seis.select and not seis.flip
        assert seis.provenance_id and seis.path.startswith("/Waveforms/")


def test_event_id_by_unique_tail_and_channel_patterns(berkeley_h5: Path) -> None:
    with asdfkit.open(berkeley_h5) as f:
        by_tail = select_event(f, "event/1")
        everything = select_event(f, BERKELEY_EVENT, channel="BH?")
        one = select_event(f, BERKELEY_EVENT, channel="BHN", station="PKD")
    assert by_tail.event_id == BERKELEY_EVENT
    assert len(everything.seismograms) == 30
    assert [s.seed_id for s in one.seismograms] == ["BK.PKD..BHN"]


def test_bandpass_removes_energy_outside_the_band(berkeley_h5: Path) -> None:
    with asdfkit.open(berkeley_h5) as f:
        raw = select_event(f, BERKELEY_EVENT, station="PKD").seismograms[0]
        filtered = select_event(f, BERKELEY_EVENT, station="PKD", bandpass=(0.5, 2.0), corners=4).seismograms[
            0
        ]
    freqs = np.fft.rfftfreq(raw.data.size, raw.delta)
    raw_spec = np.abs(np.fft.rfft(raw.data - raw.data.mean()))
    spec = np.abs(np.fft.rfft(filtered.data))
    high = freqs > 5.0
    band = (freqs > 0.7) & (freqs < 1.5)
    # the band keeps its share of the energy, above 5 Hz almost nothing is left
    assert spec[high].sum() / raw_spec[high].sum() < 1e-2
    assert spec[band].sum() / raw_spec[band].sum() > 0.5
    assert filtered.begin == raw.begin  # zero phase, no shift of the time axis


def test_unknown_event_names_the_id_and_the_rule(berkeley_h5: Path) -> None:
    with (
        asdfkit.open(berkeley_h5) as f,
        pytest.raises(NotFoundError, match=r"unknown event id 'event/42'.*resource id"),
    ):
        select_event(f, "event/42")


def test_no_matching_trace_is_an_error_naming_the_selection(berkeley_h5: Path) -> None:
    with asdfkit.open(berkeley_h5) as f, pytest.raises(NotFoundError, match=r"channel='HH\?'"):
        select_event(f, BERKELEY_EVENT, channel="HH?")
    with asdfkit.open(berkeley_h5) as f, pytest.raises(NotFoundError, match=r"tag='synthetic'"):
        select_event(f, BERKELEY_EVENT, tag="synthetic")


@pytest.mark.parametrize(
    "band, rule", [((2.0, 0.5), "0 < low < high"), ((0.0, 1.0), "0 < low < high"), ((1.0, 15.0), "Nyquist")]
)
def test_invalid_bandpass_names_value_and_rule(
    berkeley_h5: Path, band: tuple[float, float], rule: str
) -> None:
    with asdfkit.open(berkeley_h5) as f, pytest.raises(InvalidValueError, match=rule):
        select_event(f, BERKELEY_EVENT, bandpass=band)


def test_traces_without_an_event_link_are_not_selected(tmp_path: Path) -> None:
    import obspy

    path = tmp_path / "x.h5"
    catalog = obspy.read_events()
    with asdfkit.open(path, "w") as f:
        f.add_events(catalog)
        f.add_waveforms(obspy.read(), tag="raw_recording")  # no event_id
    with asdfkit.open(path) as f, pytest.raises(NotFoundError, match="event_id attribute"):
        select_event(f, str(catalog[0].resource_id))


def test_an_event_without_origin_time_is_refused(tmp_path: Path) -> None:
    import obspy
    from obspy.core.event import Event

    path = tmp_path / "x.h5"
    event = Event(resource_id="smi:local/no-origin")
    with asdfkit.open(path, "w") as f:
        f.add_events(event)
        f.add_waveforms(obspy.read(), tag="raw_recording", event_id=event.resource_id)
    with asdfkit.open(path) as f, pytest.raises(AlignmentInputError, match="no origin time"):
        select_event(f, "smi:local/no-origin")


def test_with_t0_returns_a_new_seismogram() -> None:
    seis = EventSeismogram("XX.A..BHZ", "/Waveforms/XX.A/x", None, np.zeros(10), 0.0, 1.0)
    moved = seis.with_t0(3)
    assert moved.t0 == 3.0 and np.isnan(seis.t0) and moved.station_id == "XX.A"


def test_event_id_tail_after_a_query_separator(
    sample_set: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from alignment_data import okhotsk

    with asdfkit.open(okhotsk(sample_set, tmp_path_factory)) as f:
        selection = select_event(f, "4218658")
        assert selection.event_id.endswith("query?eventid=4218658")
        with pytest.raises(NotFoundError, match="unknown event id '218658'"):
            select_event(f, "218658")  # a tail must start after a separator
    assert [s.seed_id for s in selection.seismograms] == ["AE.113A..BHZ", "TA.POKR..BHZ"]
