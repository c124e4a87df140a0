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
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from ..container import open as open_asdf
from ..errors import AlignmentInputError
from .iccs import iccs
from .mccc import mccc as run_mccc
from .picks import T0_SOURCES, attach_t0
from .select import EventSelection, check_bandpass, select_event
from .store import StoredRun, write_run
from .types import AlignmentParams, ICCSResult, MCCCResult
from .windows import check_params

__all__ = ["align_event", "align_selection", "check_coverage", "prepare_event"]

log = logging.getLogger(__name__)


def check_coverage(selection: EventSelection, params: AlignmentParams) -> None:
    """Every trace must hold the whole window (ramps included) around its ``t0``."""
    ramp = params.effective_ramp_width
    for seis in selection.seismograms:
        end = seis.begin + (len(seis.data) - 1) * seis.delta
        first, last = seis.t0 + params.window_pre - ramp, seis.t0 + params.window_post + ramp
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
) -> EventSelection:
    """The event's seismograms (bandpassed when ``params.bandpass``) with ``t0``, all checked."""
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
        )
        selection = attach_t0(f, selection, t0_source, phase, taup_model)
    check_coverage(selection, params)
    return selection


def align_selection(
    selection: EventSelection, params: AlignmentParams, *, mccc: bool = True
) -> tuple[ICCSResult, MCCCResult | None]:
    """ICCS on the selected seismograms, then (``mccc``) MCCC from ICCS's picks, flips and selection."""
    seismograms = list(selection.seismograms)
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


def align_event(
    file: str | Path,
    event_id: str,
    *,
    phase: str = "P",
    params: AlignmentParams | None = None,
    tag: str | None = None,
    channel: str | None = None,
    t0_source: str = "taup",
    taup_model: str = "iasp91",
    mccc: bool = True,
    progress: bool = False,
    in_place: bool = False,
) -> StoredRun:
    """Align an event's traces on ``phase`` and store the run in the file.

    Parameters
    ----------
    file : path of an ASDF file (written: a new run is added)
    event_id : QuakeML resource id, or a unique tail of it (``"event/1"``)
    phase : str
        ``"P"``/``"S"``: first P/S arrival (TauP) or picks with that phase hint.
    params : AlignmentParams
        Window, autoflip/autoselect, thresholds, bandpass (applied here with ObsPy).
    tag, channel : str, optional
        Which traces; ``channel`` defaults to verticals (``*Z``).
    t0_source : {"taup", "picks"}
        Initial picks from TauP (``taup_model``, iasp91) or from the event's QuakeML picks.
    mccc : bool
        Refine ICCS's picks with MCCC and store its errors.
    progress : bool
        Show a progress bar while the traces are read.
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
        Unknown event, or no trace of it matches.
    AlignmentError
        A bad window or parameter, a trace that does not cover the window,
        no TauP arrival or pick (:class:`~asdfkit.errors.NoArrivalError`), no
        station coordinates (:class:`~asdfkit.errors.MissingCoordinatesError`).
    """
    params = params or AlignmentParams()
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
    )
    iccs_result, mccc_result = align_selection(selection, params, mccc=mccc)
    return write_run(
        file,
        selection,
        iccs_result,
        mccc_result,
        phase=phase,
        t0_source=t0_source,
        taup_model=taup_model if t0_source == "taup" else None,
        in_place=in_place,
    )
