"""Alignment per event as a batch job: ICCS (+ MCCC) for every event of an ASDF file.

A thin job over :mod:`asdfkit.alignment`: each event is a unit of work, like a
station in :func:`asdfkit.batch.run` — the same chunks, journal, restart and
merge.  A worker reads the event's traces from the input (read-only), aligns
them, and stores the run (``/AuxiliaryData/Alignment/<event>/run_0001`` with
its SEIS-PROV document) in the event's own part file (one event per task:
events are heavy, and a part is verified before it is committed); the merged
output holds every event's run and the input's QuakeML.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..container import open as open_asdf
from .backends import Backend
from .journal import Plan
from .partition import ChunkSpec
from .parts import commit_part, part_name, temp_for, write_units
from .runner import BatchSummary, drive
from .worker import StationResult, TaskResult, failed_result

if TYPE_CHECKING:
    from ..alignment.types import AlignmentParams

__all__ = ["EventJob", "align_events", "process_event"]


@dataclass(frozen=True)
class EventJob:
    """One event to align (picklable)."""

    input: Path
    event_id: str
    key: str
    part_dir: Path
    options: dict[str, Any]
    params: AlignmentParams | None = None
    mccc: bool = True
    traceback_limit: int = 4


def process_event(job: EventJob) -> TaskResult:
    """Align one event and commit its part file; a failing event becomes a failed result."""
    from ..alignment.run import align_selection, prepare_event
    from ..alignment.store import write_run
    from ..alignment.types import AlignmentParams

    started = time.perf_counter()
    params = job.params or AlignmentParams()
    traces = 0
    final = job.part_dir / part_name(job.key, 1)
    temp = temp_for(final)
    try:
        selection = prepare_event(job.input, job.event_id, params=params, **job.options)
        traces = len(selection.seismograms)
        iccs_result, mccc_result = align_selection(selection, params, mccc=job.mccc)
        job.part_dir.mkdir(parents=True, exist_ok=True)
        try:
            open_asdf(temp, "x", index_cache=False).close()
            write_run(
                temp,
                selection,
                iccs_result,
                mccc_result,
                phase=job.options["phase"],
                t0_source=job.options["t0_source"],
                taup_model=job.options["taup_model"] if job.options["t0_source"] == "taup" else None,
            )
            write_units(temp, [job.key])
            verify = commit_part(temp, final, [job.key])
        finally:
            temp.unlink(missing_ok=True)
    except Exception as exc:  # noqa: BLE001 - one bad event must not stop the others
        return TaskResult((failed_result(job.key, started, traces, exc, job.traceback_limit),))
    result = StationResult(job.key, True, time.perf_counter() - started, traces, traces, pid=os.getpid())
    return TaskResult((result,), final.name, verify)


def align_events(
    input: str | os.PathLike[str],  # noqa: A002 - the natural name
    output: str | os.PathLike[str],
    *,
    events: list[str] | None = None,
    phase: str = "P",
    params: AlignmentParams | None = None,
    tag: str | None = None,
    channel: str | None = None,
    t0_source: str = "taup",
    taup_model: str = "iasp91",
    mccc: bool = True,
    chunk: ChunkSpec | None = None,
    backend: Backend | None = None,
    progress: bool = True,
    merge_output: bool | None = None,
) -> BatchSummary:
    """Align every event (or ``events``) of ``input``; store the runs in ``output``.

    The keywords after ``events`` are those of
    :func:`asdfkit.alignment.run.align_event`; ``chunk``, ``backend``,
    ``progress`` and ``merge_output`` those of :func:`asdfkit.batch.run`.
    Units in the summary and journal are event keys
    (:func:`asdfkit.alignment.store.event_key`).

    Examples
    --------
    >>> from asdfkit.alignment import AlignmentParams               # doctest: +SKIP
    >>> s = align_events("catalog.h5", "aligned.h5",                # doctest: +SKIP
    ...                  params=AlignmentParams(bandpass=(0.5, 2.0)))
    >>> s.to_dict()["processed"], s.failed                           # doctest: +SKIP
    (12, {})
    """
    from ..alignment.store import event_key

    source = Path(input)
    if events is None:
        with open_asdf(source) as f:
            events = [str(e.resource_id) for e in f.events]
    keys = {event_key(e): e for e in events}
    options = {
        "phase": phase,
        "tag": tag,
        "channel": channel,
        "t0_source": t0_source,
        "taup_model": taup_model,
    }
    identity = f"align:{sorted(options.items())!r}:{params!r}:mccc={mccc}"
    plan = Plan(str(source.resolve()), tuple(sorted(keys)), 0, identity, "alignment", tag)

    def make_job(units: Sequence[str], part_dir: Path) -> EventJob:
        (key,) = units  # one event per task
        return EventJob(source, keys[key], key, part_dir, options, params, mccc)

    return drive(
        source,
        output,
        plan,
        make_job,
        process_event,
        chunk=chunk,
        backend=backend,
        progress=progress,
        merge_output=merge_output,
        unit="event",
        per_task=1,
    )
