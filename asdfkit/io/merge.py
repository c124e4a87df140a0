"""Merge contiguous traces of one channel that a conversion wrote from different inputs.

``stream.merge`` joins the segments inside one input file; an archive of
hourly or daily files (SDS, mass downloads) holds a channel's contiguous
recording in many files.  After the conversion has written them, the traces
of a run of contiguous pieces — same channel and tag, same sampling rate and
dtype, each starting one sample interval (± half a sample) after the previous
one ends — are replaced by one trace.  A run is built in memory, one run at a
time, and cut at ``max_samples`` samples, so memory stays bounded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from obspy import Trace, UTCDateTime

from ..container import ASDFFile, TraceHeader

__all__ = ["MAX_MERGED_SAMPLES", "Merged", "merge_contiguous"]

log = logging.getLogger(__name__)

#: The most samples one merged trace gets (512 MiB of float32); a longer run starts a new trace.
MAX_MERGED_SAMPLES = 1 << 27


@dataclass(frozen=True)
class Merged:
    """One merged trace: the datasets it replaced, in time order, and the one written."""

    pieces: tuple[str, ...]
    item: str


def _follows(first: TraceHeader, total: int, nxt: TraceHeader) -> bool:
    """Whether ``nxt`` starts where a run of ``total`` samples from ``first`` would go on.

    Measured from the run's first sample, so half-sample offsets of the pieces
    cannot add up to a drift of the merged trace.
    """
    if first.sampling_rate != nxt.sampling_rate or first.sampling_rate <= 0:
        return False
    step = 1e9 / first.sampling_rate
    return abs(nxt.starttime_ns - (first.starttime_ns + total * step)) <= step / 2


def _runs(headers: list[TraceHeader], max_samples: int) -> Iterable[list[TraceHeader]]:
    run: list[TraceHeader] = []
    total = 0
    for header in sorted(headers, key=lambda h: h.starttime_ns):
        if run and _follows(run[0], total, header) and total + header.npts <= max_samples:
            run.append(header)
            total += header.npts
            continue
        if len(run) > 1:
            yield run
        run, total = [header], header.npts
    if len(run) > 1:
        yield run


def merge_contiguous(f: ASDFFile, items: Iterable[str], tag: str, labels: list[str] | None = None,
                     max_samples: int = MAX_MERGED_SAMPLES) -> list[Merged]:
    """Replace runs of contiguous traces among ``items`` (HDF5 paths) by one trace each."""
    wanted = set(items)
    by_channel: dict[str, list[TraceHeader]] = {}
    for header in f.list_waveforms(tag=tag):
        if header.path in wanted:
            by_channel.setdefault(header.seed_id, []).append(header)
    merged: list[Merged] = []
    for seed_id in sorted(by_channel):
        for run in _runs(by_channel[seed_id], max_samples):
            traces = [f.get_waveform(h) for h in run]
            if len({t.data.dtype for t in traces}) != 1:
                log.warning("%s: not merging %d contiguous traces of different dtypes", seed_id, len(run))
                continue
            first = traces[0].stats
            joined = Trace(data=np.concatenate([t.data for t in traces]))
            for key in ("network", "station", "location", "channel", "sampling_rate"):
                joined.stats[key] = first[key]
            joined.stats.starttime = UTCDateTime(ns=run[0].starttime_ns)
            (item,) = f.add_waveforms(joined, tag, labels=labels or None)  # first: a refusal loses nothing
            for header in run:
                f.remove_waveform(header)
            merged.append(Merged(tuple(h.path for h in run), item))
            log.info("%s: merged %d contiguous traces into %s", seed_id, len(run), item)
    return merged
