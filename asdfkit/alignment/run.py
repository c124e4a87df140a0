"""Align one event of an ASDF file: select → t0 → ICCS → (MCCC) → stored run.

Everything that can fail on the user's input (event id, traces, window,
bandpass, t0) is checked while the file is open read-only; the file is opened
for writing only to store the finished run, all or nothing.

Examples
--------
>>> from asdfkit.alignment import AlignmentParams
>>> from asdfkit.alignment.run import align_event
>>> run = align_event("berkeley.h5", "event/1", phase="P",
...                   params=AlignmentParams(bandpass=(0.05, 2.0), autoflip=True))  # doctest: +SKIP
>>> run.run_id, run.status_iccs, run.status_mccc                                  # doctest: +SKIP
('run_0001', 'converged', 'solved')

Edit and rerun: start from a stored run (its ``t1`` become the initial picks,
its selection, flips, manual decisions and parameters are kept), with manual
decisions on top:

>>> from asdfkit.alignment.edits import Edit
>>> run2 = align_event("berkeley.h5", "event/1", start_from="latest",
...                    edits=[Edit.parse("deselect", "BK.SAO"), Edit.parse("pick", "BK.PKD=+0.4")],
...                    comment="SAO clipped; PKD re-picked")                          # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..container import open as open_asdf
from ..errors import AlignmentInputError, NotFoundError
from .edits import Edit, TraceState, apply_edits
from .iccs import iccs
from .mccc import mccc as run_mccc
from .picks import T0_SOURCES, attach_t0
from .select import EventSelection, check_bandpass, select_event
from .store import StoredRun, read_run, write_run
from .types import AlignmentParams, ICCSResult, MCCCResult
from .windows import check_params

__all__ = [
    "align_event",
    "align_selection",
    "check_coverage",
    "prepare_event",
    "rerun_selection",
    "start_state",
    "starting_point",
    "StartingPoint",
]

log = logging.getLogger(__name__)


def check_coverage(selection: EventSelection, params: AlignmentParams) -> None:
    """Every trace must hold the whole window (ramps included) around its pick (``t1``, else ``t0``)."""
    ramp = params.effective_ramp_width
    for seis in selection.seismograms:
        end = seis.begin + (len(seis.data) - 1) * seis.delta
        pick = seis.t0 if seis.t1 is None else seis.t1
        first, last = pick + params.window_pre - ramp, pick + params.window_post + ramp
        if first < seis.begin - 1e-9 or last > end + 1e-9:
            raise AlignmentInputError(
                f"invalid window [{params.window_pre:g}, {params.window_post:g}] s for {seis.seed_id}: "
                f"with ramps it spans {first:.2f}..{last:.2f} s after the origin, but the trace covers "
                f"{seis.begin:.2f}..{end:.2f} s; the window must lie inside every trace"
            )


def prepare_event(
    file: str | Path,
    event_id: str,
    *,
    phase: str = "P",
    params: AlignmentParams | None = None,
    tag: str | None = None,
    channel: str | None = None,
    t0_source: str = "taup",
    taup_model: str = "iasp91",
    progress: bool = False,
    group: str | Sequence[str] | None = None,
    labels: str | Sequence[str] | None = None,
) -> EventSelection:
    """The event's seismograms (bandpassed when ``params.bandpass``) with ``t0``, all checked.

    ``group`` (trace groups, :attr:`asdfkit.ASDFFile.groups`) and ``labels`` narrow the
    traces further, as in :meth:`asdfkit.ASDFFile.list_waveforms`.
    """
    query = {k: v for k, v in (("group", group), ("labels", labels)) if v}
    params = params or AlignmentParams()
    check_params(params)
    check_bandpass(params.bandpass, params.bandpass_corners)
    if t0_source not in T0_SOURCES:
        raise AlignmentInputError(f"invalid t0 source {t0_source!r}: must be one of {', '.join(T0_SOURCES)}")
    with open_asdf(file) as f:
        selection = select_event(
            f,
            event_id,
            tag=tag,
            channel=channel,
            bandpass=params.bandpass,
            corners=params.bandpass_corners,
            progress=progress,
            **query,
        )
        selection = attach_t0(f, selection, t0_source, phase, taup_model)
    check_coverage(selection, params)
    return selection


def align_selection(
    selection: EventSelection,
    params: AlignmentParams,
    *,
    mccc: bool = True,
    state: TraceState | None = None,
) -> tuple[ICCSResult, MCCCResult | None]:
    """ICCS on the selected seismograms, then (``mccc``) MCCC from ICCS's picks, flips and selection.

    With ``state`` the seismograms start from its picks, selection and flips,
    its manual decisions are sticky, and the mean shift is anchored on the
    traces not edited by hand in this run.
    """
    seismograms = list(selection.seismograms)
    if state is not None:
        seismograms = [
            dataclasses.replace(s, t1=float(t1), flip=bool(fl), select=bool(sel))
            for s, t1, fl, sel in zip(seismograms, state.t1, state.flip, state.select, strict=True)
        ]
        iccs_result = iccs(
            seismograms,
            params,
            select_manual=state.select_manual,
            flip_manual=state.flip_manual,
            anchor=~state.edited if state.edited.any() and not state.edited.all() else None,
        )
    else:
        iccs_result = iccs(seismograms, params)
    log.info("ICCS: %s after %d iteration(s)", iccs_result.status.value, iccs_result.iterations)
    if not mccc:
        return iccs_result, None
    refined = [
        dataclasses.replace(s, t1=float(t1), flip=bool(fl), select=bool(sel))
        for s, t1, fl, sel in zip(
            seismograms, iccs_result.t1, iccs_result.flip, iccs_result.select, strict=True
        )
    ]
    mccc_result = run_mccc(refined, params)
    log.info("MCCC: %s, rmse %.4f s", mccc_result.status.value, mccc_result.rmse)
    return iccs_result, mccc_result


def rerun_selection(
    file: str | Path, parent: StoredRun, params: AlignmentParams, *, progress: bool = False
) -> EventSelection:
    """The parent run's traces (in its order, bandpassed with ``params``) with the parent's ``t0``."""
    check_params(params)
    check_bandpass(params.bandpass, params.bandpass_corners)
    channels = {r.seed_id.rsplit(".", 1)[-1] for r in parent.rows}
    with open_asdf(file) as f:
        selection = select_event(
            f,
            parent.event_id,
            tag=parent.tag,
            channel=channels.pop() if len(channels) == 1 else "*",
            bandpass=params.bandpass,
            corners=params.bandpass_corners,
            progress=progress,
        )
    by_seed = {s.seed_id: s for s in selection.seismograms}
    missing = [r.seed_id for r in parent.rows if r.seed_id not in by_seed]
    if missing:
        raise NotFoundError(
            f"trace(s) {', '.join(missing)} of {parent.run_id} are no longer in the file under tag "
            f"{parent.tag!r}: a run can only start from a run whose traces are all there"
        )
    reference_ns = selection.reference.ns
    seismograms = [by_seed[r.seed_id].with_t0((r.t0_ns - reference_ns) / 1e9) for r in parent.rows]
    return selection.with_seismograms(seismograms)


def start_state(
    selection: EventSelection, parent: StoredRun | None, edits: Sequence[Edit] = ()
) -> TraceState:
    """Where a run starts: the parent's picks (``t1``, else ``t0``), selection, flips and manual flags, edited."""
    if parent is None:
        state = TraceState.initial([s.t0 for s in selection.seismograms])
    else:
        reference_ns = selection.reference.ns
        picks = [
            (r.t1_ns - reference_ns) / 1e9 if np.isfinite(r.t1) else (r.t0_ns - reference_ns) / 1e9
            for r in parent.rows
        ]
        state = TraceState.initial(
            picks,
            select=[r.select for r in parent.rows],
            flip=[r.flip for r in parent.rows],
            select_manual=[r.select_manual for r in parent.rows],
            flip_manual=[r.flip_manual for r in parent.rows],
        )
    if edits:
        state = apply_edits(state, [s.seed_id for s in selection.seismograms], edits, selection.reference)
    return state


def with_state(selection: EventSelection, state: TraceState) -> EventSelection:
    """The selection with ``t1``/``select``/``flip`` from ``state`` (for coverage checks and the picker)."""
    return selection.with_seismograms(
        [
            dataclasses.replace(s, t1=float(t1), flip=bool(fl), select=bool(sel))
            for s, t1, fl, sel in zip(selection.seismograms, state.t1, state.flip, state.select, strict=True)
        ]
    )


@dataclasses.dataclass(frozen=True)
class StartingPoint:
    """Where a run starts: its traces with ``t0``, its parameters, and the run it derives from."""

    selection: EventSelection
    params: AlignmentParams
    phase: str
    t0_source: str
    taup_model: str | None  # the TauP model of the ``t0`` (None for picks)
    mccc: bool
    parent: StoredRun | None


def starting_point(
    file: str | Path,
    event_id: str,
    parent: StoredRun | None,
    *,
    params: AlignmentParams | None = None,
    phase: str | None = None,
    t0_source: str | None = None,
    taup_model: str = "iasp91",
    tag: str | None = None,
    channel: str | None = None,
    mccc: bool | None = None,
    progress: bool = False,
    group: str | Sequence[str] | None = None,
    labels: str | Sequence[str] | None = None,
) -> StartingPoint:
    """The traces, ``t0`` and parameters a run starts from: the event's at ``t0`` (no ``parent``),
    or ``parent``'s traces, ``t0``, phase and (unless given) parameters and MCCC choice."""
    if parent is None:
        params = params or AlignmentParams()
        phase, t0_source = phase or "P", t0_source or "taup"
        selection = prepare_event(
            file,
            event_id,
            phase=phase,
            params=params,
            tag=tag,
            channel=channel,
            t0_source=t0_source,
            taup_model=taup_model,
            progress=progress,
            group=group,
            labels=labels,
        )
        model = taup_model
        use_mccc = True if mccc is None else mccc
    else:
        params = params or parent.alignment_params
        phase, t0_source = parent.phase, parent.t0_source
        model = str(parent.attrs.get("taup_model") or taup_model)
        selection = rerun_selection(file, parent, params, progress=progress)
        use_mccc = parent.mccc if mccc is None else mccc
    return StartingPoint(
        selection, params, phase, t0_source, model if t0_source == "taup" else None, use_mccc, parent
    )


def align_event(
    file: str | Path,
    event_id: str,
    *,
    phase: str | None = None,
    params: AlignmentParams | None = None,
    tag: str | None = None,
    channel: str | None = None,
    t0_source: str | None = None,
    taup_model: str = "iasp91",
    mccc: bool | None = None,
    progress: bool = False,
    start_from: str | None = None,
    edits: Sequence[Edit] = (),
    comment: str = "",
    in_place: bool = False,
    group: str | Sequence[str] | None = None,
    labels: str | Sequence[str] | None = None,
) -> StoredRun:
    """Align an event's traces on ``phase`` and store the run in the file.

    Parameters
    ----------
    file : path of an ASDF file (written: a new run is added)
    event_id : QuakeML resource id, or a unique tail of it (``"event/1"``)
    phase : str
        ``"P"`` (default)/``"S"``: first P/S arrival (TauP) or picks with that phase hint.
    params : AlignmentParams
        Window, autoflip/autoselect, thresholds, bandpass (applied here with ObsPy).
        With ``start_from``: default the parent run's.
    tag, channel : str, optional
        Which traces; ``channel`` defaults to verticals (``*Z``).
    group, labels : str or sequence of str, optional
        Only traces of these groups (:attr:`asdfkit.ASDFFile.groups`) / with these labels.
    t0_source : {"taup", "picks"}
        Initial picks from TauP (default; ``taup_model``, iasp91) or from the event's QuakeML picks.
    mccc : bool
        Refine ICCS's picks with MCCC and store its errors (default: yes, or as the parent run).
    progress : bool
        Show a progress bar while the traces are read.
    start_from : str, optional
        A stored run (``"latest"``, ``"3"``, ``"run_0003"``) to start from: its ``t1``
        become the initial picks; its traces, ``t0``, phase, selection, flips, manual
        decisions and (unless ``params`` is given) parameters are kept.
    edits : sequence of :class:`~asdfkit.alignment.edits.Edit`
        Manual decisions (select, deselect, flip, unflip, pick), sticky.
    comment : str
        Stored with the run, shown by ``asdf-cli align report``.
    in_place : bool
        Store the run into the file directly instead of on a copy committed
        atomically (for files too large to copy; NOT crash-safe).

    Returns
    -------
    StoredRun
        The run as stored (``run.run_id`` is its new id).

    Raises
    ------
    NotFoundError
        Unknown event (:class:`~asdfkit.errors.EventNotFoundError`) or run
        (:class:`~asdfkit.errors.RunNotFoundError`), or no trace of it matches.
    AlignmentError
        A bad window or parameter, a trace that does not cover the window,
        no TauP arrival or pick (:class:`~asdfkit.errors.NoArrivalError`), no
        station coordinates (:class:`~asdfkit.errors.MissingCoordinatesError`),
        a bad edit, or ``t0_source``/``phase``/``tag``/``channel``/``group``/``labels`` together with
        ``start_from``.
    """
    parent = None if start_from is None else read_run(file, event_id, start_from)
    if parent is not None:
        clashes = [
            name
            for name, value, kept in (
                ("t0_source", t0_source, None),
                ("tag", tag, None),
                ("channel", channel, None),
                ("group", group or None, None),
                ("labels", labels or None, None),
                ("phase", phase, parent.phase),
            )
            if value is not None and value != kept
        ]
        if clashes:
            raise AlignmentInputError(
                f"{', '.join(clashes)} cannot be given with start_from={start_from!r}: "
                f"{parent.run_id}'s traces and t0 are used as they are"
            )
    start = starting_point(
        file, event_id, parent, params=params, phase=phase, t0_source=t0_source, taup_model=taup_model,
        tag=tag, channel=channel, mccc=mccc, progress=progress, group=group, labels=labels,
    )
    selection, params = start.selection, start.params
    state = start_state(selection, parent, edits)
    check_coverage(with_state(selection, state), params)
    iccs_result, mccc_result = align_selection(selection, params, mccc=start.mccc, state=state)
    return write_run(
        file,
        selection,
        iccs_result,
        mccc_result,
        phase=start.phase,
        t0_source=start.t0_source,
        taup_model=start.taup_model,
        state=state,
        origin="run" if parent is None else "rerun",
        parent=parent,
        comment=comment,
        edits=edits,
        in_place=in_place,
    )
