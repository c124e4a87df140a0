"""Checking one input's traces before they are stored: one bad trace no longer sinks its file.

What :func:`check_traces` does with each trace ObsPy read from an input:

- **text records** (miniSEED ASCII/LOG records: bytes, not samples) are set
  apart, to be stored as auxiliary data (:mod:`asdfkit.io.textlogs`); a
  ``--cast`` does not apply to them and says so;
- a trace with **zero samples** holds nothing: skipped, with a warning;
- sample types ASDF cannot hold are **widened losslessly** (:data:`WIDEN`;
  ``uint64`` to ``int64`` only when every value fits) and each widening is
  reported; ``--cast`` instead casts every trace, refusing a cast that would
  wrap or overflow;
- a **bad trace** (non-numeric samples, a cast that cannot apply, a sampling
  rate that is not a positive number, a record repeated with identical samples under the same
  complete id)
  refuses the file with a message naming the trace and the remedy, or with
  ``--skip-bad`` is skipped alone (an identical repeat is also dropped by
  ``--skip-duplicates``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from obspy import Stream, Trace

from ..container.waveforms import cast_samples
from ..errors import AsdfkitError, InvalidValueError
from ..spec import DEFAULT_VERSION, spec_for

__all__ = ["WIDEN", "BadTraceError", "CheckedInput", "check_traces"]

#: Lossless widenings of the sample types ASDF cannot hold.
WIDEN: dict[str, str] = {"int8": "int16", "uint8": "int16", "uint16": "int32", "uint32": "int64",
                         "float16": "float32"}


class BadTraceError(InvalidValueError):
    """A trace that cannot be stored refuses its file (the message names the trace and the remedy)."""


@dataclass
class CheckedInput:
    """One input's traces sorted out: those to store, its text records, and what was skipped or widened."""

    stream: Stream
    texts: list[Trace] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    widened: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _label(trace: Trace) -> str:
    return f"{trace.id} starting {trace.stats.starttime}"


def _skip(out: CheckedInput, path: Path, trace: Trace, reason: str) -> None:
    """Add a skipped trace; repeats of one id and reason are counted in the first entry."""
    for entry in out.skipped:
        if entry["trace"] == trace.id and entry["reason"] == reason:
            entry["count"] += 1
            return
    out.skipped.append({"path": str(path), "trace": trace.id, "start": str(trace.stats.starttime),
                        "reason": reason, "count": 1})


def _samples(trace: Trace, cast: np.dtype | None) -> tuple[np.ndarray, str | None]:
    """The trace's samples as ASDF can hold them, and the widening applied (raises for a bad trace)."""
    data = trace.data
    dtype = data.dtype
    if dtype.kind not in "iuf":
        raise BadTraceError(
            f"trace {_label(trace)} holds non-numeric samples (dtype {dtype}): ASDF waveforms hold int16, "
            "int32, int64, float32 or float64 numbers"
            + (f", and --cast {cast} cannot apply to them" if cast is not None else ""))
    if cast is not None:
        try:
            return cast_samples(data, cast, trace.id), None
        except InvalidValueError as exc:
            raise BadTraceError(f"{exc} (trace {_label(trace)})") from exc
    if spec_for(DEFAULT_VERSION).allows_dtype(dtype):
        return data, None
    wider = WIDEN.get(dtype.name)
    if wider is None and dtype.name == "uint64":
        if data.size and int(data.max()) > np.iinfo(np.int64).max:
            raise BadTraceError(
                f"trace {_label(trace)} holds uint64 samples up to {int(data.max())}, beyond int64: no "
                "lossless type in ASDF holds them; pass --cast float64 to store them rounded")
        wider = "int64"
    if wider is None:
        raise BadTraceError(f"trace {_label(trace)} has samples of type {dtype}, which ASDF cannot hold "
                            "and no lossless widening exists for; pass --cast to choose a type")
    return data.astype(wider), wider


def _key(trace: Trace) -> tuple[Any, ...]:
    """What two identical records share (their samples are compared only when this matches)."""
    stats = trace.stats
    return trace.id, stats.starttime.ns, float(stats.sampling_rate), len(trace.data), trace.data.dtype.str


def check_traces(stream: Stream, path: Path, *, cast: Any = None, skip_bad: bool = False,
                 drop_duplicates: bool = False) -> CheckedInput:
    """Sort one input's traces out (see the module docstring); raise :class:`BadTraceError` for a bad one.

    Examples
    --------
    >>> import numpy as np
    >>> from obspy import Stream, Trace
    >>> checked = check_traces(Stream([Trace(np.arange(3, dtype="uint8")), Trace(np.array([]))]), Path("x"))
    >>> [str(t.data.dtype) for t in checked.stream], checked.widened[0]["to"], checked.skipped[0]["reason"]
    (['int16'], 'int16', 'no samples')
    """
    target = np.dtype(cast) if cast is not None else None
    out = CheckedInput(Stream())
    seen: dict[tuple[Any, ...], list[np.ndarray]] = {}
    for trace in stream:
        data = trace.data
        if isinstance(data, np.ndarray) and data.dtype.kind == "S" and data.ndim == 1:
            out.texts.append(trace)
            if target is not None:
                out.notes.append(f"--cast {target} does not apply to the text channel {_label(trace)} "
                                 "(log records are text, not samples): stored as auxiliary data")
            continue
        if not isinstance(data, np.ndarray) or data.size == 0:
            _skip(out, path, trace, "no samples")
            continue
        try:
            rate = float(trace.stats.sampling_rate)
            if not np.isfinite(rate) or rate <= 0:
                raise BadTraceError(f"trace {_label(trace)} has the sampling rate {rate}: ASDF needs a "
                                    "positive one")
            stats = trace.stats
            if not isinstance(data, np.ma.MaskedArray) and stats.network and stats.station and stats.channel:
                # a repeat is judged by id: traces of formats without codes (SH Q files) are told
                # apart by a codes table, not dropped
                earlier = seen.setdefault(_key(trace), [])
                if any(np.array_equal(other, data) for other in earlier):
                    if drop_duplicates:
                        _skip(out, path, trace, "identical to an earlier record of this input (--skip-duplicates)")
                        continue
                    raise BadTraceError(f"trace {_label(trace)} is given more than once in this input with "
                                        "identical samples; pass --skip-duplicates to store it once")
                earlier.append(data)
            samples, wider = _samples(trace, target)
        except BadTraceError as exc:
            if not skip_bad:
                raise BadTraceError(f"{exc}; or --skip-bad to skip only this trace and convert the others") from exc
            _skip(out, path, trace, str(exc))
            continue
        except AsdfkitError as exc:  # pragma: no cover - defensive: any other refusal of one trace
            raise BadTraceError(f"trace {_label(trace)}: {exc}") from exc
        if wider is not None:
            out.widened.append({"path": str(path), "trace": trace.id, "start": str(trace.stats.starttime),
                                "from": str(data.dtype), "to": wider})
            trace.data = samples
        elif samples is not data:
            trace.data = samples
        out.stream.append(trace)
    return out
