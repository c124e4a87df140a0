"""What an export format can hold, and the read-back check of every file an export writes.

:func:`fit_samples` turns a stored trace's samples into ones the format
stores (miniSEED: int16 is written as int32 by ObsPy, int64 only when every
value fits int32; SAC: float32) and says what changed.  :func:`verify_file`
reads a written file back and matches every trace that went into it: same
id, same samples (as numbers), and reports what the format changed on the way
(sampling rate, start time, sample type).  A trace that is missing or whose
samples differ makes the export fail (:class:`~asdfkit.errors.ExportMismatchError`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import obspy
from obspy import Trace

from ..errors import ExportMismatchError, InvalidDtypeError

__all__ = ["Change", "fit_samples", "verify_file"]

_INT32 = np.iinfo(np.int32)


@dataclass(frozen=True)
class Change:
    """One thing an output format changed (or could not hold) for one trace."""

    trace: str  # NET.STA.LOC.CHA and start, as in the ASDF file
    file: str
    what: str  # "dtype", "samples", "sampling_rate", "starttime", "sac_header", "joined"
    detail: str

    def __str__(self) -> str:
        return f"{self.trace} -> {Path(self.file).name}: {self.detail}"


def trace_label(trace: Trace) -> str:
    """``NET.STA.LOC.CHA@start`` (nanoseconds): names one trace unambiguously in messages."""
    start = trace.stats.starttime
    return f"{trace.id}@{start.strftime('%Y-%m-%dT%H:%M:%S')}.{start.ns % 10**9:09d}"


def fit_samples(trace: Trace, fmt: str) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """The samples ``fmt`` ("MSEED" or "SAC") stores for ``trace``, and what changed as ``(what, detail)``.

    Raises
    ------
    InvalidDtypeError
        int64 samples beyond the int32 range for miniSEED (naming the trace).

    Examples
    --------
    >>> data, changes = fit_samples(Trace(np.arange(3, dtype=np.int64)), "MSEED")
    >>> data.dtype.name, changes[0][0]
    ('int32', 'dtype')
    """
    data = np.asarray(trace.data)
    name = data.dtype.name
    if fmt == "SAC":
        if name == "float32":
            return data, []
        out = data.astype(np.float32)
        wide = out.astype(np.float64)
        with np.errstate(invalid="ignore"):
            same = (wide == data) | (np.isnan(wide) & np.isnan(data)) if data.dtype.kind == "f" else wide == data
        exact = bool(same.all())
        detail = f"{name} samples stored as float32 (SAC holds float32 only)"
        changes = [("dtype", detail + ("; every value exact" if exact else ""))]
        if not exact:
            changed = int(np.count_nonzero(~same))
            changes.append(("samples", f"{changed} of {len(data)} sample(s) rounded to float32; "
                                       "export to miniSEED to keep them exactly"))
        return out, changes
    if name == "int64":
        if len(data) and (data.min() < _INT32.min or data.max() > _INT32.max):
            raise InvalidDtypeError(
                f"cannot export {trace_label(trace)} to miniSEED: int64 samples from {data.min()} to "
                f"{data.max()} do not fit int32 (miniSEED holds int16, int32, float32, float64); "
                "exclude the trace from the selection or export it to SAC (float32, rounded)"
            )
        return data.astype(np.int32), [("dtype", "int64 samples stored as int32 (miniSEED has no int64; "
                                                  "every value fits)")]
    return data, []


def _rate_text(rate: float) -> str:
    return repr(float(rate))


def verify_file(path: Path, fmt: str, expected: list[tuple[Trace, str]], target: str) -> list[Change]:
    """Read ``path`` back and match each expected ``(trace as written, label)``; return what changed.

    Each expected trace must be found with its id and exactly its samples (a
    miniSEED reader joins contiguous traces of one channel: a trace may be a
    part of one read back, which is reported).  Reads back every sample once.

    Raises
    ------
    ExportMismatchError
        A trace missing from the file, or read back with other samples.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ObsPy's notes on rounded SAC deltas: compared below
        stream = obspy.read(str(path), format=fmt)
    used: set[tuple[int, int]] = set()
    changes: list[Change] = []
    for trace, label in expected:
        found = _match(stream, trace, used)
        if found is None:
            raise ExportMismatchError(
                f"export check failed: {label} is not in {target} as written "
                f"(read back {len(stream)} trace(s): {', '.join(sorted({t.id for t in stream}))}); "
                "nothing was written"
            )
        index, offset = found
        back = stream[index]
        if back.stats.sampling_rate != trace.stats.sampling_rate:
            changes.append(Change(label, target, "sampling_rate",
                                  f"sampling rate {_rate_text(trace.stats.sampling_rate)} Hz stored as "
                                  f"{_rate_text(back.stats.sampling_rate)} Hz ({fmt} holds it with limited precision, "
                                  "as ObsPy reads it back)"))
        start_ns = back.stats.starttime.ns + round(offset * 1e9 / back.stats.sampling_rate)
        shift = (start_ns - trace.stats.starttime.ns) / 1e3
        if shift and not (offset and abs(shift) < 1):  # inside a joined trace: sample times are computed
            changes.append(Change(label, target, "starttime",
                                  f"start time stored {shift:+.3f} µs off ({fmt} cannot hold it exactly)"))
        if back.data.dtype != trace.data.dtype:
            changes.append(Change(label, target, "dtype",
                                  f"{trace.data.dtype.name} samples read back as {back.data.dtype.name} "
                                  f"({fmt} stores no {trace.data.dtype.name}; every value exact)"))
        if len(back.data) != len(trace.data):
            changes.append(Change(label, target, "joined",
                                  f"contiguous with another trace of {trace.id} in this file: {fmt} readers "
                                  f"read them as one trace of {len(back.data)} samples"))
    extra = len(stream) - len({index for index, _ in used})
    if extra:
        raise ExportMismatchError(f"export check failed: {target} holds {extra} trace(s) not exported; "
                                  "nothing was written")
    return changes


def _match(stream: obspy.Stream, trace: Trace, used: set[tuple[int, int]]) -> tuple[int, int] | None:
    """``(index in stream, sample offset)`` of the read-back trace holding ``trace``'s samples."""
    npts = len(trace.data)
    want = np.asarray(trace.data)
    for index, back in enumerate(stream):
        if back.id != trace.id:
            continue
        rate = back.stats.sampling_rate
        offset = round((trace.stats.starttime.ns - back.stats.starttime.ns) * rate / 1e9)
        if offset < 0 or offset + npts > len(back.data) or (index, offset) in used:
            continue
        part = back.data[offset:offset + npts]
        with np.errstate(invalid="ignore"):  # NaN samples compare equal to NaN
            same = np.array_equal(part.astype(np.float64), want.astype(np.float64), equal_nan=True)
        if same:
            used.add((index, offset))
            return index, offset
    return None
