"""Manual decisions on an alignment: select, deselect, flip, unflip, pick — and the state they edit.

An :class:`Edit` is a frozen value: one decision on one trace, named by its
seed id or a unique ``NET.STA``.  :func:`apply_edits` applies a list of them to
a :class:`TraceState` (the picks, selection and polarities a run starts from)
and marks what was decided by hand: those selections and polarities are
*sticky* — autoselect and autoflip leave them alone in this run and in runs
made from it.

A pick is an absolute time or a signed offset in seconds from the *current
pick* (the parent run's ``t1``, else ``t0``); it becomes the trace's initial
pick for the run, which ICCS and MCCC then refine like any other.

Examples
--------
>>> Edit.parse("pick", "XH.A010=+0.4")
Edit(target='XH.A010', action='pick', time=None, offset=0.4)
>>> Edit.parse("deselect", "XH.A003..BHZ").action
'deselect'
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from obspy import UTCDateTime

from ..errors import AlignmentInputError

__all__ = ["ACTIONS", "Edit", "TraceState", "apply_edits", "edits_text", "read_edits", "resolve_target"]

#: The actions an edit can take.
ACTIONS = ("select", "deselect", "flip", "unflip", "pick")


@dataclass(frozen=True)
class Edit:
    """One manual decision on one trace.

    Attributes
    ----------
    target : seed id (``XH.A010..BHZ``) or a unique ``NET.STA`` (``XH.A010``)
    action : one of :data:`ACTIONS`
    time : absolute pick (``pick`` only)
    offset : seconds from the current pick (``pick`` only); exactly one of ``time``/``offset``
    """

    target: str
    action: str
    time: UTCDateTime | None = None
    offset: float | None = None

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise AlignmentInputError(
                f"invalid edit action {self.action!r}: must be one of {', '.join(ACTIONS)}"
            )
        if not self.target or not isinstance(self.target, str):
            raise AlignmentInputError(f"invalid edit target {self.target!r}: must be a seed id or NET.STA")
        given = (self.time is not None) + (self.offset is not None)
        if self.action == "pick" and given != 1:
            raise AlignmentInputError(
                f"pick of {self.target}: give exactly one of an absolute time or an offset in seconds"
            )
        if self.action != "pick" and given:
            raise AlignmentInputError(f"{self.action} of {self.target}: takes no value (only pick does)")
        if self.offset is not None and not math.isfinite(self.offset):
            raise AlignmentInputError(f"pick offset {self.offset!r} of {self.target}: must be finite")

    @classmethod
    def parse(cls, action: str, text: str) -> Edit:
        """``("deselect", "XH.A010")``, ``("pick", "XH.A010=+0.4")``, ``("pick", "XH.A010=2026-…T…")``."""
        if action != "pick":
            return cls(text.strip(), action)
        target, sep, value = text.partition("=")
        if not sep:
            raise AlignmentInputError(
                f"invalid pick {text!r}: must be ID=TIME (absolute ISO time) or ID=+SECONDS / ID=-SECONDS"
            )
        return cls.pick(target.strip(), value.strip())

    @classmethod
    def pick(cls, target: str, value: str | float | UTCDateTime) -> Edit:
        """A pick edit: an absolute time, or a signed offset (``"+0.4"``, ``-1.2``) from the current pick."""
        if isinstance(value, UTCDateTime):
            return cls(target, "pick", time=value)
        if isinstance(value, (int, float)):
            return cls(target, "pick", offset=float(value))
        text = value.strip()
        if text[:1] in "+-":
            try:
                return cls(target, "pick", offset=float(text))
            except ValueError:
                pass
        try:
            return cls(target, "pick", time=UTCDateTime(text))
        except (TypeError, ValueError) as exc:
            raise AlignmentInputError(
                f"invalid pick value {text!r} for {target}: must be an absolute ISO time "
                "(1998-08-12T14:10:30.5) or a signed offset in seconds (+0.4, -1.2)"
            ) from exc

    def text(self) -> str:
        """The edit as the CLI spells it (``deselect XH.A010``, ``pick XH.A010=+0.400``)."""
        if self.action != "pick":
            return f"{self.action} {self.target}"
        value = f"{self.offset:+.6g}" if self.offset is not None else str(self.time)
        return f"pick {self.target}={value}"


def read_edits(path: str | Path) -> tuple[Edit, ...]:
    """Edits from a CSV file with the header ``id,action,value`` (value only for pick).

    Raises
    ------
    AlignmentInputError
        A missing header, an unknown action, a bad pick value (the message names the line).
    """
    text = Path(path).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or [n.strip() for n in reader.fieldnames][:3] != ["id", "action", "value"]:
        raise AlignmentInputError(
            f"invalid edits file {str(path)!r}: the header must be 'id,action,value' "
            f"(found {','.join(reader.fieldnames or []) or 'nothing'})"
        )
    edits = []
    for number, row in enumerate(reader, start=2):
        target = (row.get("id") or "").strip()
        action = (row.get("action") or "").strip()
        value = (row.get("value") or "").strip()
        try:
            if action == "pick":
                edits.append(Edit.pick(target, value) if value else Edit(target, "pick"))
            elif value:
                raise AlignmentInputError(f"{action} of {target}: takes no value (only pick does)")
            else:
                edits.append(Edit(target, action))
        except AlignmentInputError as exc:
            raise AlignmentInputError(f"{path}, line {number}: {exc}") from exc
    return tuple(edits)


def resolve_target(target: str, seed_ids: Sequence[str]) -> int:
    """Index of the trace named by a seed id or a unique ``NET.STA``."""
    if target in seed_ids:
        return list(seed_ids).index(target)
    matches = [i for i, s in enumerate(seed_ids) if ".".join(s.split(".")[:2]) == target]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AlignmentInputError(
            f"trace {target!r} is ambiguous: {', '.join(seed_ids[i] for i in matches)} match; give the seed id"
        )
    raise AlignmentInputError(
        f"unknown trace {target!r}: must be a seed id or a unique NET.STA of the event's traces "
        f"({', '.join(seed_ids[:4])}{', …' if len(seed_ids) > 4 else ''})"
    )


@dataclass(frozen=True)
class TraceState:
    """Picks (seconds after the origin), selection and polarities a run starts from, and what was manual.

    ``edited`` marks traces edited by hand in this run: ICCS anchors the
    mean shift on the other traces, so that the rest of the array stays put
    while a re-picked or re-flipped trace finds its place.
    """

    t1: NDArray[np.float64]
    select: NDArray[np.bool_]
    flip: NDArray[np.bool_]
    select_manual: NDArray[np.bool_]
    flip_manual: NDArray[np.bool_]
    edited: NDArray[np.bool_]

    @classmethod
    def initial(
        cls,
        t1: Iterable[float],
        select: Iterable[bool] | None = None,
        flip: Iterable[bool] | None = None,
        select_manual: Iterable[bool] | None = None,
        flip_manual: Iterable[bool] | None = None,
    ) -> TraceState:
        picks = np.asarray(list(t1), dtype=np.float64)
        n = picks.size

        def mask(values: Iterable[bool] | None, default: bool) -> NDArray[np.bool_]:
            return np.full(n, default) if values is None else np.asarray(list(values), dtype=bool)

        return cls(
            picks,
            mask(select, True),
            mask(flip, False),
            mask(select_manual, False),
            mask(flip_manual, False),
            np.zeros(n, dtype=bool),
        )


def apply_edits(
    state: TraceState, seed_ids: Sequence[str], edits: Sequence[Edit], reference: UTCDateTime
) -> TraceState:
    """The state after ``edits`` (picks in seconds after ``reference``, the origin time).

    Contradictory edits of one trace (select and deselect, flip and unflip, two
    picks) and edits that would deselect every trace are refused.
    """
    t1, select, flip = state.t1.copy(), state.select.copy(), state.flip.copy()
    select_manual, flip_manual = state.select_manual.copy(), state.flip_manual.copy()
    edited = state.edited.copy()
    seen: dict[tuple[int, str], Edit] = {}
    for edit in edits:
        i = resolve_target(edit.target, seed_ids)
        group = "pick" if edit.action == "pick" else ("select" if "select" in edit.action else "flip")
        earlier = seen.get((i, group))
        if earlier is not None and earlier != edit:
            raise AlignmentInputError(
                f"contradictory edits of {seed_ids[i]}: {earlier.text()!r} and {edit.text()!r}"
            )
        seen[(i, group)] = edit
        if edit.action in ("select", "deselect"):
            select[i], select_manual[i] = edit.action == "select", True
        elif edit.action in ("flip", "unflip"):
            flip[i], flip_manual[i], edited[i] = edit.action == "flip", True, True
        else:
            if edit.offset is not None:
                t1[i] = state.t1[i] + edit.offset
            else:
                assert edit.time is not None
                t1[i] = (edit.time.ns - reference.ns) / 1e9
            edited[i] = True
    if not select.any():
        raise AlignmentInputError("the edits deselect every trace: at least one trace must stay selected")
    return dataclasses.replace(
        state,
        t1=t1,
        select=select,
        flip=flip,
        select_manual=select_manual,
        flip_manual=flip_manual,
        edited=edited,
    )


def edits_text(edits: Sequence[Edit]) -> str:
    """The edits one per line, as :meth:`Edit.text` spells them (stored with the run)."""
    return "\n".join(e.text() for e in edits)
