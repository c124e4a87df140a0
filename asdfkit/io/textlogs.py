"""Text channels (miniSEED ASCII/LOG records) stored as auxiliary data instead of being lost.

A text record is not a waveform: it has no samples, and often no sampling
rate (RT130 ``LOG`` channels say 0).  Each record becomes one dataset::

    /AuxiliaryData/Logs/<NET>_<STA>_<LOC>_<CHA>/T<YYYYMMDDTHHMMSS>_<NNNNNNNNN>

(the start time to the second, then its nanoseconds; a second record of a
channel with the very same start takes a suffix ``_2``...), holding the
record's bytes as ``uint8``, with attributes ``seed_id`` and ``starttime``
(int64 nanoseconds, as waveforms have).  Every name uses letters, digits
and underscores only, valid in every ASDF version (1.0.0 to 1.0.3).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from obspy import Trace

from ..container import ASDFFile
from ..errors import NotFoundError
from ..naming import check_codes

__all__ = ["LOG_TYPE", "log_path", "store_text_records"]

#: The auxiliary data type of text records.
LOG_TYPE = "Logs"


def log_path(trace: Trace) -> tuple[str, str]:
    """``(group, name)`` of a text record below :data:`LOG_TYPE`.

    Examples
    --------
    >>> import numpy as np
    >>> from obspy import Trace, UTCDateTime
    >>> trace = Trace(np.frombuffer(b"LOG", dtype="S1"))
    >>> trace.stats.update({"network": "GR", "station": "FUR", "channel": "LOG",
    ...                     "starttime": UTCDateTime("2017-01-01T00:00:12.5")})
    >>> log_path(trace)
    ('GR_FUR__LOG', 'T20170101T000012_500000000')
    """
    stats = trace.stats
    start = stats.starttime.ns
    nanoseconds = start % 10**9
    stamp = stats.starttime.strftime("%Y%m%dT%H%M%S")
    return f"{stats.network}_{stats.station}_{stats.location}_{stats.channel}", f"T{stamp}_{nanoseconds:09d}"


def store_text_records(f: ASDFFile, traces: Iterable[Trace], skip_identical: bool = False) -> list[str]:
    """Store text records as auxiliary data; return the HDF5 paths written.

    A record already stored with the same bytes under its name is skipped with
    ``skip_identical`` (an append of the same input) and otherwise stored under
    the next free suffix.
    """
    written = []
    for trace in traces:
        stats = trace.stats
        check_codes(stats.network, stats.station, stats.location, stats.channel)
        group, name = log_path(trace)
        data = np.frombuffer(np.ascontiguousarray(trace.data).tobytes(), dtype=np.uint8)
        candidate, number = name, 1
        while True:
            try:
                stored = f.get_auxiliary_data(LOG_TYPE, f"{group}/{candidate}")
            except (NotFoundError, KeyError):
                break
            if skip_identical and np.array_equal(stored.data, data):
                candidate = ""
                break
            number += 1
            candidate = f"{name}_{number}"
        if not candidate:
            continue
        attrs = {"seed_id": trace.id, "starttime": np.int64(stats.starttime.ns)}
        written.append(f.add_auxiliary_data(data, LOG_TYPE, [group, candidate], attrs=attrs))
    return written
