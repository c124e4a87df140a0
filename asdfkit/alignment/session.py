"""An editing session on one event: the state the picker shows, changed by hand or by ICCS/MCCC, saved as runs.

:class:`PickSession` holds an event's traces (with ``t0``), the parameters and
the :class:`~asdfkit.alignment.edits.TraceState` being edited; every change by
hand is also kept as an :class:`~asdfkit.alignment.edits.Edit`, so a saved run
lists its manual decisions (and its provenance shows them).  It has no
matplotlib in it: :mod:`asdfkit.alignment.picker` draws it and turns mouse and
key events into calls of its methods.

Example
-------
>>> s = PickSession.load("berkeley.h5", "event/1", start_from="latest")   # doctest: +SKIP
>>> s.toggle_select(3); s.shift_all(0.2); s.run_iccs()                     # doctest: +SKIP
>>> s.save("PKD out, picks 0.2 s later").run_id                            # doctest: +SKIP
'run_0003'
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..errors import AlignmentInputError
from .edits import Edit, TraceState
from .iccs import iccs, pearson_rows
from .mccc import mccc as run_mccc
from .run import check_coverage, start_state, starting_point, with_state
from .select import EventSelection
from .store import StoredRun, read_run, write_run
from .types import AlignmentParams, ICCSResult, MCCCResult
from .windows import TraceMatrix, cut_windows

__all__ = ["PickSession"]

log = logging.getLogger(__name__)


@dataclass
class PickSession:
    """Mutable editing state of one event (the picker's model)."""

    file: Path
    selection: EventSelection
    params: AlignmentParams
    state: TraceState
    phase: str
    t0_source: str
    taup_model: str | None
    mccc: bool = True
    parent: StoredRun | None = None
    iccs_result: ICCSResult | None = None
    mccc_result: MCCCResult | None = None
    start: TraceState | None = None  # the state the last ICCS started from (its manual flags are stored)
    decisions: dict[tuple[str, str], Edit] = field(default_factory=dict)
    saved: list[StoredRun] = field(default_factory=list)
    message: str = ""

    @classmethod
    def load(
        cls,
        file: str | Path,
        event_id: str,
        *,
        start_from: str | None = None,
        params: AlignmentParams | None = None,
        phase: str | None = None,
        t0_source: str | None = None,
        taup_model: str = "iasp91",
        tag: str | None = None,
        channel: str | None = None,
        mccc: bool | None = None,
    ) -> PickSession:
        """A session on a stored run (``start_from``) or on a new state at ``t0``."""
        path = Path(file)
        parent = read_run(path, event_id, start_from) if start_from is not None else None
        start = starting_point(
            path, event_id, parent, params=params, phase=phase, t0_source=t0_source,
            taup_model=taup_model, tag=tag, channel=channel, mccc=mccc,
        )
        session = cls(
            path,
            start.selection,
            start.params,
            start_state(start.selection, parent),
            start.phase,
            start.t0_source,
            start.taup_model,
            start.mccc,
            parent,
        )
        return session

    # -- what the picker shows -------------------------------------------------------------
    @property
    def seed_ids(self) -> list[str]:
        return [s.seed_id for s in self.selection.seismograms]

    def windows(
        self,
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Time axis, windowed traces at the current picks, the stack of the selected, and each trace's cc."""
        traces = TraceMatrix.from_seismograms(list(self.selection.seismograms))
        cut = cut_windows(traces, self.state.t1, self.state.flip, self.params)
        select = self.state.select if self.state.select.any() else np.ones(len(self.state.select), dtype=bool)
        stack = np.asarray(cut.matrix[select].mean(axis=0), dtype=np.float64)
        return cut.time, cut.matrix, stack, pearson_rows(cut.matrix, stack)

    # -- changes by hand -------------------------------------------------------------------
    def _decide(self, edit: Edit, group: str) -> None:
        self.decisions[(self.seed_ids[self._index(edit.target)], group)] = edit
        self.iccs_result = self.mccc_result = None

    def _index(self, seed_id: str) -> int:
        return self.seed_ids.index(seed_id)

    def toggle_select(self, i: int) -> None:
        """Select or deselect trace ``i`` by hand (refused for the last selected trace)."""
        select = self.state.select.copy()
        select[i] = not select[i]
        if not select.any():
            raise AlignmentInputError("at least one trace must stay selected")
        manual = self.state.select_manual.copy()
        manual[i] = True
        self.state = dataclasses.replace(self.state, select=select, select_manual=manual)
        self._decide(Edit(self.seed_ids[i], "select" if select[i] else "deselect"), "select")

    def toggle_flip(self, i: int) -> None:
        """Flip or unflip trace ``i`` by hand."""
        flip, manual, edited = self.state.flip.copy(), self.state.flip_manual.copy(), self.state.edited.copy()
        flip[i], manual[i], edited[i] = not flip[i], True, True
        self.state = dataclasses.replace(self.state, flip=flip, flip_manual=manual, edited=edited)
        self._decide(Edit(self.seed_ids[i], "flip" if flip[i] else "unflip"), "flip")

    def shift_all(self, seconds: float) -> None:
        """Move every trace's pick by ``seconds`` (a click on the stack sets the phase pick there)."""
        self._check_window(self.params, self.state.t1 + seconds)
        reference = self.selection.reference
        self.state = dataclasses.replace(self.state, t1=self.state.t1 + seconds)
        for i, seed_id in enumerate(self.seed_ids):
            pick = reference + float(self.state.t1[i])
            self._decide(Edit(seed_id, "pick", time=pick), "pick")
        self.message = f"every pick moved by {seconds:+.3f} s"

    def set_window(self, pre: float, post: float) -> None:
        """A new window (seconds around the pick), checked against every trace."""
        params = dataclasses.replace(self.params, window_pre=float(pre), window_post=float(post))
        self._check_window(params, self.state.t1)
        self.params = params
        self.iccs_result = self.mccc_result = None
        self.message = f"window {pre:.2f}…{post:.2f} s"

    def _check_window(self, params: AlignmentParams, picks: NDArray[np.float64]) -> None:
        from .windows import check_params

        check_params(params)
        state = dataclasses.replace(self.state, t1=picks)
        check_coverage(with_state(self.selection, state), params)

    # -- the algorithms --------------------------------------------------------------------
    def run_iccs(self) -> ICCSResult:
        """ICCS from the current state (manual decisions sticky); its picks become the state."""
        seismograms = list(with_state(self.selection, self.state).seismograms)
        edited = self.state.edited
        result = iccs(
            seismograms,
            self.params,
            select_manual=self.state.select_manual,
            flip_manual=self.state.flip_manual,
            anchor=~edited if edited.any() and not edited.all() else None,
        )
        self.start = self.state
        self.state = dataclasses.replace(
            self.state,
            t1=result.t1.copy(),
            select=result.select.copy(),
            flip=result.flip.copy(),
            edited=np.zeros_like(edited),
        )
        self.iccs_result, self.mccc_result = result, None
        self.message = f"ICCS {result.status.value} after {result.iterations} iteration(s)"
        return result

    def run_mccc(self) -> MCCCResult:
        """MCCC from the current picks (ICCS first if it has not run on this state)."""
        if self.iccs_result is None:
            self.run_iccs()
        result = run_mccc(list(with_state(self.selection, self.state).seismograms), self.params)
        t1 = np.where(np.isfinite(result.t1), result.t1, self.state.t1)
        self.state = dataclasses.replace(self.state, t1=t1)
        self.mccc_result = result
        rmse = f"{result.rmse * 1000:.1f} ms" if np.isfinite(result.rmse) else "-"
        self.message = f"MCCC {result.status.value}, rmse {rmse}"
        return result

    # -- saving ----------------------------------------------------------------------------
    @property
    def edits(self) -> list[Edit]:
        return list(self.decisions.values())

    def save(self, comment: str = "") -> StoredRun:
        """Store the state as a new run (``origin="pick"``); ICCS (and MCCC) run first if the state changed."""
        if self.iccs_result is None:
            self.run_iccs()
        if self.mccc and self.mccc_result is None:
            self.run_mccc()
        assert self.iccs_result is not None
        stored = write_run(
            self.file,
            self.selection,
            self.iccs_result,
            self.mccc_result,
            phase=self.phase,
            t0_source=self.t0_source,
            taup_model=self.taup_model,
            state=self.start,
            origin="pick",
            parent=self.parent,
            comment=comment,
            edits=self.edits,
        )
        self.saved.append(stored)
        self.parent, self.decisions = stored, {}
        self.message = f"saved {stored.run_id}"
        log.info("picker: saved %s", stored.run_id)
        return stored
