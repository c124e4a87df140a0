"""Initial picks ``t0`` (QuakeML picks or TauP predictions) and alignment picks as QuakeML.

``t0`` comes either from the event's QuakeML picks of a phase for each
trace's waveform id, or from TauP (``obspy.taup``) with the event's origin
and the station coordinates of the file's StationXML.  For TauP, ``"P"`` and
``"S"`` mean the *first* P-type / S-type arrival (TauP's ``ttp`` / ``tts``
phase lists: ``p``, ``P``, ``Pn``, ``Pdiff``, ``PKP``...), which is what an
analyst aligns at regional and teleseismic distances alike; any other name is
used as a TauP phase name as it is.

Alignment picks go back out as QuakeML ``Pick`` objects (method
``smi:asdfkit/alignment/<method>``), into the file's ``/QuakeML`` or into a
QuakeML file; from ``/QuakeML`` ``asdf-cli convert FILE out --to sac`` writes
them into SAC pick headers (``a``, ``t0``...``t9``, P picks first).

Examples
--------
>>> from asdfkit.alignment.picks import taup_t0
>>> selection = taup_t0(f, selection, phase="P")               # doctest: +SKIP
>>> selection.seismograms[0].t0                      # doctest: +SKIP
24.14
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from obspy import UTCDateTime
from obspy.core.event import Comment, CreationInfo, Event, Pick, QuantityError, ResourceIdentifier
from obspy.core.event.base import WaveformStreamID

from .._version import __version__
from ..container import ASDFFile
from ..container import open as open_asdf
from ..errors import AlignmentInputError, InvalidValueError, MissingCoordinatesError, NoArrivalError
from .select import EventSelection, find_event

if TYPE_CHECKING:
    from obspy.taup import TauPyModel

    from .store import StoredRun

__all__ = [
    "PICK_METHOD_PREFIX",
    "T0_SOURCES",
    "alignment_picks",
    "attach_t0",
    "export_picks",
    "picks_t0",
    "replace_alignment_picks",
    "taup_t0",
]

log = logging.getLogger(__name__)

T0_SOURCES = ("taup", "picks")
PICK_METHOD_PREFIX = "smi:asdfkit/alignment/"
_FIRST_ARRIVAL = {"P": "ttp", "S": "tts"}


@cache
def _model(name: str) -> TauPyModel:
    from obspy.taup import TauPyModel

    try:
        return TauPyModel(model=name)
    except (OSError, ValueError) as exc:  # obspy raises these for an unknown model name
        raise InvalidValueError(
            f"invalid TauP model {name!r}: must be a model obspy.taup ships (iasp91, ak135, prem...)"
        ) from exc


def taup_t0(
    f: ASDFFile, selection: EventSelection, phase: str = "P", model: str = "iasp91"
) -> EventSelection:
    """Attach TauP's predicted arrival of ``phase`` as each seismogram's ``t0``.

    Raises
    ------
    MissingCoordinatesError
        The origin lacks latitude/longitude, or a station has no StationXML coordinates.
    NoArrivalError
        TauP predicts no arrival of the phase at a station's distance.
    """
    from obspy.geodetics import locations2degrees

    origin = selection.origin
    if origin.latitude is None or origin.longitude is None:
        raise MissingCoordinatesError(
            f"origin of event {selection.event_id!r} has no latitude/longitude: "
            "TauP predictions need the source location"
        )
    depth_km = max((origin.depth or 0.0) / 1000.0, 0.0)
    taup = _model(model)
    phases = [_FIRST_ARRIVAL.get(phase, phase)]
    with_stations = set(f.stations_with_stationxml)
    out = []
    for seis in selection.seismograms:
        coords = f.get_coordinates(seis.station_id) if seis.station_id in with_stations else None
        if not coords or coords.get("latitude") is None or coords.get("longitude") is None:
            raise MissingCoordinatesError(
                f"station {seis.station_id!r} has no coordinates: TauP t0 needs "
                "StationXML with latitude/longitude (or use t0 from picks)"
            )
        distance = locations2degrees(
            origin.latitude, origin.longitude, coords["latitude"], coords["longitude"]
        )
        try:
            arrivals = taup.get_travel_times(
                source_depth_in_km=depth_km, distance_in_degree=distance, phase_list=phases
            )
        except ValueError as exc:  # obspy: invalid phase name
            raise NoArrivalError(f"invalid phase {phase!r}: TauP cannot parse it ({exc})") from exc
        if not arrivals:
            raise NoArrivalError(
                f"phase {phase!r} has no arrival at {seis.seed_id} "
                f"({distance:.2f} deg, depth {depth_km:g} km, model {model}): "
                "t0 must be a predicted arrival"
            )
        first = min(arrivals, key=lambda a: a.time)
        log.debug("%s: %s at %.3f s (%.2f deg)", seis.seed_id, first.name, first.time, distance)
        out.append(seis.with_t0(first.time))
    return selection.with_seismograms(out)


def _matches(pick: Pick, seed_id: str, phase: str) -> bool:
    wid = pick.waveform_id
    return (
        wid is not None
        and wid.get_seed_string() == seed_id
        and pick.time is not None
        and (pick.phase_hint or "") == phase
        and not str(pick.method_id or "").startswith(PICK_METHOD_PREFIX)
    )


def picks_t0(selection: EventSelection, phase: str = "P") -> EventSelection:
    """Attach the event's QuakeML pick of ``phase`` for each trace's waveform id as ``t0``.

    Picks written by a previous alignment (method ``smi:asdfkit/alignment/...``)
    are not initial picks and are ignored.  With several picks for a trace the
    earliest is used.

    Raises
    ------
    NoArrivalError
        A trace has no pick of the phase.
    """
    reference = selection.reference
    out, missing = [], []
    for seis in selection.seismograms:
        found = [p.time for p in selection.event.picks if _matches(p, seis.seed_id, phase)]
        if not found:
            missing.append(seis.seed_id)
            continue
        out.append(seis.with_t0(min(found) - reference))
    if missing:
        raise NoArrivalError(
            f"no QuakeML pick of phase {phase!r} for {', '.join(missing)}: with t0 from "
            "picks every trace needs a pick with that phase hint and waveform id"
        )
    return selection.with_seismograms(out)


def attach_t0(
    f: ASDFFile, selection: EventSelection, source: str, phase: str, model: str = "iasp91"
) -> EventSelection:
    """``t0`` from ``source`` (``"taup"`` or ``"picks"``)."""
    if source == "taup":
        return taup_t0(f, selection, phase, model)
    if source == "picks":
        return picks_t0(selection, phase)
    raise AlignmentInputError(f"invalid t0 source {source!r}: must be one of {', '.join(T0_SOURCES)}")


def alignment_picks(run: StoredRun, *, selected_only: bool = False) -> list[Pick]:
    """QuakeML picks of a stored run's final picks ``t1`` (one per trace with a finite ``t1``).

    The time uncertainty is the MCCC standard error where MCCC solved the
    trace; a comment names the run, the ICCS cc and whether the trace was
    selected and flipped.
    """
    method = "mccc" if run.mccc else "iccs"
    picks = []
    for row in run.rows:
        if not math.isfinite(row.t1) or (selected_only and not row.select):
            continue
        net, sta, loc, cha = row.seed_id.split(".")
        error = row.mccc_error
        pick = Pick(
            resource_id=ResourceIdentifier(
                f"smi:asdfkit/alignment/{run.event_key}/{run.run_id}/{row.seed_id}"
            ),
            time=UTCDateTime(ns=row.t1_ns),
            time_errors=QuantityError(uncertainty=error) if math.isfinite(error) else QuantityError(),
            waveform_id=WaveformStreamID(net, sta, loc, cha),
            phase_hint=run.phase,
            method_id=ResourceIdentifier(PICK_METHOD_PREFIX + method),
            evaluation_mode="automatic",
            creation_info=CreationInfo(
                agency_id="asdfkit", author=f"asdfkit {__version__}", creation_time=UTCDateTime(run.created)
            ),
            comments=[
                Comment(
                    text=f"asdfkit alignment {run.run_id}: iccs_cc={row.iccs_cc:.3f}, "
                    f"select={row.select}, flip={row.flip}"
                )
            ],
        )
        picks.append(pick)
    return picks


def replace_alignment_picks(event: Event, picks: Iterable[Pick]) -> Event:
    """A copy of ``event`` whose earlier alignment picks of the same phase and waveform ids are replaced."""
    new = list(picks)
    keys = {(p.waveform_id.get_seed_string(), p.phase_hint) for p in new if p.waveform_id is not None}
    out = event.copy()

    def stale(pick: Pick) -> bool:
        return (
            str(pick.method_id or "").startswith(PICK_METHOD_PREFIX)
            and pick.waveform_id is not None
            and (pick.waveform_id.get_seed_string(), pick.phase_hint) in keys
        )

    out.picks = [p for p in out.picks if not stale(p)] + new
    return out


def export_picks(
    path: str | Path,
    *,
    event_id: str | None = None,
    run: str = "latest",
    output: str | Path | None = None,
    into_file: bool = False,
    selected_only: bool = False,
    in_place: bool = False,
) -> list[Pick]:
    """Export a stored run's picks as QuakeML: into a file, into the ASDF file's ``/QuakeML``, or both.

    In ``/QuakeML`` the event is rewritten with the run's picks in place of
    earlier alignment picks of the same phase and waveform ids (other picks
    are kept), so ``asdf-cli convert FILE dir --to sac`` puts them in the SAC
    pick headers.  ``output`` receives the same event as a QuakeML file.
    ``into_file`` rewrites the file on a copy committed atomically, or in place
    with ``in_place=True`` (no copy; not crash-safe).

    Examples
    --------
    >>> picks = export_picks("berkeley.h5", output="picks.xml")   # doctest: +SKIP
    >>> len(picks), picks[0].method_id.id                           # doctest: +SKIP
    (10, 'smi:asdfkit/alignment/mccc')
    """
    from obspy.core.event import Catalog

    from ..atomic import atomic_path
    from ..container.obspyxml import write_quakeml
    from .store import read_run

    if output is None and not into_file:
        raise InvalidValueError("export_picks needs output=... (a QuakeML file) or into_file=True")
    with open_asdf(path) as f:
        stored = read_run(f, event_id, run)
        event = find_event(f, stored.event_id)
    picks = alignment_picks(stored, selected_only=selected_only)
    updated = replace_alignment_picks(event, picks)
    if output is not None:
        with atomic_path(Path(output)) as temp:
            temp.write_bytes(write_quakeml(Catalog(events=[updated])))
    if into_file:
        with open_asdf(path, "r+", in_place=in_place) as f:
            f.remove_event(event.resource_id)
            try:
                f.add_events(updated)
            except BaseException:
                f.add_events(event)
                raise
    log.info("exported %d pick(s) of %s %s", len(picks), stored.event_id, stored.run_id)
    return picks
