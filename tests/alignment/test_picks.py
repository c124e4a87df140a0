"""Initial picks from TauP and from QuakeML; alignment picks back out to QuakeML and SAC."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import obspy
import pytest
from alignment_data import BERKELEY_EVENT, fresh_copy
from obspy.core.event import Pick, WaveformStreamID
from obspy.geodetics import locations2degrees
from obspy.taup import TauPyModel

import asdfkit
from asdfkit.alignment.picks import (
    PICK_METHOD_PREFIX,
    alignment_picks,
    attach_t0,
    export_picks,
    picks_t0,
    taup_t0,
)
from asdfkit.alignment.select import select_event
from asdfkit.alignment.store import read_run
from asdfkit.errors import AlignmentInputError, InvalidValueError, MissingCoordinatesError, NoArrivalError
from asdfkit.io.export import export


def test_taup_t0_is_the_first_p_arrival_at_each_station(berkeley_h5: Path) -> None:
    with asdfkit.open(berkeley_h5) as f:
        selection = taup_t0(f, select_event(f, BERKELEY_EVENT), "P")
        inventory = f.inventory
    origin = selection.origin
    model = TauPyModel("iasp91")
    for seis in selection.seismograms:
        coords = inventory.get_coordinates(seis.seed_id)
        distance = locations2degrees(
            origin.latitude, origin.longitude, coords["latitude"], coords["longitude"]
        )
        arrivals = model.get_travel_times(origin.depth / 1000.0, distance, ["p", "P", "Pn", "Pg"])
        assert seis.t0 == pytest.approx(min(a.time for a in arrivals), abs=1e-9)
    # the nearest station (BK.SAO, 2 km) only has the up-going p: "P" must still find it
    assert min(s.t0 for s in selection.seismograms) < 3.0


def test_a_phase_with_no_arrival_names_phase_station_and_rule(berkeley_h5: Path) -> None:
    with (
        asdfkit.open(berkeley_h5) as f,
        pytest.raises(NoArrivalError, match=r"phase 'Pdiff' has no arrival at BK\."),
    ):
        taup_t0(f, select_event(f, BERKELEY_EVENT), "Pdiff")


def test_an_unknown_model_is_refused(berkeley_h5: Path) -> None:
    with (
        asdfkit.open(berkeley_h5) as f,
        pytest.raises(InvalidValueError, match="invalid TauP model 'nosuchmodel'"),
    ):
        taup_t0(f, select_event(f, BERKELEY_EVENT), "P", model="nosuchmodel")


def test_no_station_coordinates_for_taup(tmp_path: Path) -> None:
    catalog = obspy.read_events()
    path = tmp_path / "nocoords.h5"
    with asdfkit.open(path, "w") as f:
        f.add_events(catalog)
        f.add_waveforms(obspy.read(), tag="raw_recording", event_id=catalog[0].resource_id)
    with asdfkit.open(path) as f:
        selection = select_event(f, str(catalog[0].resource_id))
        with pytest.raises(MissingCoordinatesError, match=r"station 'BW.RJOB' has no coordinates"):
            taup_t0(f, selection, "P")


def _with_picks(path: Path, offsets: dict[str, float]) -> None:
    """Add P picks at TauP + offset for the given seed ids to the file's event."""
    with asdfkit.open(path) as f:
        selection = taup_t0(f, select_event(f, BERKELEY_EVENT), "P")
        event = f.events[0]
    for seis in selection.seismograms:
        if seis.seed_id in offsets:
            net, sta, loc, cha = seis.seed_id.split(".")
            event.picks.append(
                Pick(
                    time=selection.reference + seis.t0 + offsets[seis.seed_id],
                    phase_hint="P",
                    waveform_id=WaveformStreamID(net, sta, loc, cha),
                )
            )
    with asdfkit.open(path, "r+") as f:
        f.remove_event(event.resource_id)
        f.add_events(event)


def test_t0_from_quakeml_picks(berkeley_h5: Path, tmp_path: Path) -> None:
    path = fresh_copy(berkeley_h5, tmp_path)
    with asdfkit.open(path) as f:
        ids = [s.seed_id for s in select_event(f, BERKELEY_EVENT).seismograms]
        predicted = {s.seed_id: s.t0 for s in taup_t0(f, select_event(f, BERKELEY_EVENT), "P").seismograms}
    offsets = {sid: 0.25 * i for i, sid in enumerate(ids)}
    _with_picks(path, offsets)
    with asdfkit.open(path) as f:
        selection = attach_t0(f, select_event(f, BERKELEY_EVENT), "picks", "P")
    for seis in selection.seismograms:
        assert seis.t0 == pytest.approx(predicted[seis.seed_id] + offsets[seis.seed_id], abs=1e-5)


def test_missing_picks_are_listed(berkeley_h5: Path, tmp_path: Path) -> None:
    path = fresh_copy(berkeley_h5, tmp_path)
    _with_picks(path, {"BK.PKD..BHZ": 0.0})
    with (
        asdfkit.open(path) as f,
        pytest.raises(NoArrivalError, match=r"no QuakeML pick of phase 'P' for BK\.BKS\.\.BHZ"),
    ):
        picks_t0(select_event(f, BERKELEY_EVENT), "P")
    with asdfkit.open(path) as f, pytest.raises(NoArrivalError, match="phase 'S'"):
        picks_t0(select_event(f, BERKELEY_EVENT, station="PKD"), "S")


def test_an_unknown_t0_source_is_refused(berkeley_h5: Path) -> None:
    with asdfkit.open(berkeley_h5) as f, pytest.raises(AlignmentInputError, match="invalid t0 source 'sac'"):
        attach_t0(f, select_event(f, BERKELEY_EVENT), "sac", "P")


def test_alignment_picks_carry_the_stored_t1(aligned_h5: Path) -> None:
    run = read_run(aligned_h5, BERKELEY_EVENT)
    picks = alignment_picks(run)
    assert len(picks) == len(run.rows) == 10
    for pick, row in zip(picks, run.rows, strict=True):
        assert pick.waveform_id.get_seed_string() == row.seed_id
        assert pick.time.ns == row.t1_ns
        assert pick.phase_hint == "P"
        assert str(pick.method_id).startswith(PICK_METHOD_PREFIX)
        if np.isfinite(row.mccc_error):
            assert pick.time_errors.uncertainty == pytest.approx(row.mccc_error)
    selected = alignment_picks(run, selected_only=True)
    assert len(selected) == sum(r.select for r in run.rows)


def test_export_to_quakeml_file_leaves_the_asdf_file_alone(
    aligned_h5: Path, tmp_path: Path, file_snapshot: object
) -> None:
    before = file_snapshot(aligned_h5)  # type: ignore[operator]
    out = tmp_path / "picks.xml"
    picks = export_picks(aligned_h5, output=out)
    assert file_snapshot(aligned_h5) == before  # type: ignore[operator]
    catalog = obspy.read_events(str(out))
    assert str(catalog[0].resource_id) == BERKELEY_EVENT
    # QuakeML keeps microseconds
    written = sorted(p.time.ns for p in catalog[0].picks)
    np.testing.assert_allclose(written, sorted(p.time.ns for p in picks), rtol=0, atol=1000)


def test_picks_into_the_file_reach_sac_headers(aligned_h5: Path, tmp_path: Path) -> None:
    path = fresh_copy(aligned_h5, tmp_path)
    run = read_run(path)
    export_picks(path, into_file=True)
    export_picks(path, into_file=True)  # again: earlier alignment picks are replaced, not duplicated
    with asdfkit.open(path) as f:
        event = f.events[0]
        ours = [p for p in event.picks if str(p.method_id).startswith(PICK_METHOD_PREFIX)]
        assert len(ours) == 10
        # alignment picks are never taken as initial picks
        with pytest.raises(NoArrivalError):
            picks_t0(select_event(f, BERKELEY_EVENT), "P")
    export(path, tmp_path / "sac", "sac", channel="BHZ")
    rows = {r.seed_id: r for r in run.rows}
    for sac_file in sorted((tmp_path / "sac").glob("*.sac")):
        trace = obspy.read(str(sac_file))[0]
        sac = trace.stats.sac
        assert sac.ka.strip() == "P"
        # SAC stores float32 seconds after the reference (the origin time, whole milliseconds)
        reference = trace.stats.starttime - float(sac.b)
        assert abs((reference + float(sac.a)) - obspy.UTCDateTime(ns=rows[trace.id].t1_ns)) < 2e-5


def test_export_needs_a_target(aligned_h5: Path) -> None:
    with pytest.raises(InvalidValueError, match="output=.*into_file"):
        export_picks(aligned_h5)
