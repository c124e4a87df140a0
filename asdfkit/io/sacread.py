"""Fast reading of binary SAC files into traces equal to ObsPy's.

ObsPy's SAC plugin spends most of a small file's reading time building the
trace: a :class:`~obspy.io.sac.sactrace.SACTrace`, a header dictionary, a
``Stats`` copied twice, one ``AttribDict.__setitem__`` per header value.
:func:`read_sac` parses the 632-byte header with one numpy structured dtype,
reads the samples with one numpy call, and builds the ``Stats`` once, following
the rules of ``obspy.io.sac`` (``SACTrace.read``, ``header_arrays_to_dict``,
``sac_to_obspy_header``) step by step, so the trace is equal to the one
ObsPy's SAC reader returns: same samples and dtype (the file's
byte order), same codes, start time, sampling rate and calib, same
``stats.sac`` keys with the same numpy scalar values.

Whatever this module is not sure to reproduce exactly goes to ObsPy's reader:
header versions other than 6, uneven data, non-ASCII strings, invalid or
two-digit-year reference times, sampling intervals ObsPy rounds with a
warning, a zero calib.
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from obspy import Stream, Trace, UTCDateTime
from obspy.core.trace import Stats
from obspy.core.util import AttribDict
from obspy.geodetics import gps2dist_azimuth, kilometer2degrees
from obspy.io.sac import header as HD

from ..errors import SacFileError

__all__ = ["read_sac", "try_read_sac"]

log = logging.getLogger(__name__)

HEADER_BYTES = 632  # 70 floats, 40 ints, 24 strings of 8 bytes
_FLOATS: tuple[str, ...] = tuple(HD.FLOATHDRS)
_INTS: tuple[str, ...] = tuple(HD.INTHDRS)
_STRS: tuple[str, ...] = tuple(HD.STRHDRS)
_F = {name: i for i, name in enumerate(_FLOATS)}
_I = {name: i for i, name in enumerate(_INTS)}
_DTYPES = {
    order: np.dtype([("f", order + "f4", (70,)), ("i", order + "i4", (40,)), ("s", "S8", (24,))])
    for order in "<>"
}
_NATIVE = "<" if np.little_endian else ">"
_SWAPPED = ">" if np.little_endian else "<"
_NZ = ("nzyear", "nzjday", "nzhour", "nzmin", "nzsec", "nzmsec")
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
_FNULL = np.float32(HD.FNULL)


class _Unusual(Exception):
    """The file needs ObsPy's own reader (the reason is the message)."""


def _byte_order(raw: bytes) -> str:
    """``"<"`` or ``">"`` as ObsPy decides: native order unless its nvhdr is outside 1..19."""
    nvhdr = int(np.frombuffer(raw, dtype=_NATIVE + "i4", count=1, offset=4 * (70 + _I["nvhdr"]))[0])
    return _NATIVE if 0 < nvhdr < 20 else _SWAPPED


def _strings(block: bytes, hs: list[bytes]) -> dict[str, str]:
    """Defined string headers, cleaned as ``SACTrace.read`` and ``header_arrays_to_dict`` do.

    ObsPy cuts a field at its first NUL, calls a field starting with -12345
    undefined, and strips the rest; numpy has already dropped trailing NULs.
    """
    if not block.isascii():
        raise _Unusual(f"non-ASCII header strings {block!r}")
    out = {
        name: raw.partition(b"\x00")[0].decode("ascii").strip()
        for name, raw in zip(_STRS, hs, strict=True)
        if not raw.startswith(b"-12345")
    }
    if "kevnm2" in out:  # the event name spans two 8-byte fields
        second = out.pop("kevnm2")
        out["kevnm"] = out["kevnm"] + second if "kevnm" in out else second
    return out


def _set_distances(hf: np.ndarray, hi: np.ndarray) -> None:
    """dist, az, baz, gcarc from the coordinates when lcalda asks for them (``SACTrace.read``)."""
    lcalda = int(hi[_I["lcalda"]])
    if lcalda in (0, HD.INULL) or float(hf[_F["dist"]]) != HD.FNULL:
        return
    coords = [float(hf[_F[k]]) for k in ("evla", "evlo", "stla", "stlo")]
    try:
        metres, az, baz = gps2dist_azimuth(*(None if c == HD.FNULL else c for c in coords))
    except (ValueError, TypeError):  # a coordinate is undefined or out of range: ObsPy keeps nulls
        return
    dist = metres / 1000.0
    hf[_F["az"]], hf[_F["baz"]] = az, baz
    hf[_F["dist"]], hf[_F["gcarc"]] = dist, kilometer2degrees(dist)


def _reference_ns(ints: list[int]) -> int:
    """The nz* reference time in ns (0 when a field is undefined, as ObsPy falls back to 1970)."""
    fields = [ints[_I[k]] for k in _NZ]
    if HD.INULL in fields:
        return 0
    year, jday, hour, minute, sec, msec = fields
    days = 366 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 365
    if not (
        1000 <= year <= 9999
        and 1 <= jday <= days
        and 0 <= hour < 24
        and 0 <= minute < 60
        and 0 <= sec < 60
        and 0 <= msec < 1000
    ):
        raise _Unusual(f"reference time fields {fields} need ObsPy's checks")
    day = datetime.date(year, 1, 1).toordinal() - _EPOCH_ORDINAL + jday - 1
    return (day * 86400 + hour * 3600 + minute * 60 + sec) * 1_000_000_000 + msec * 1_000_000


def _sampling_rate(delta: np.float32) -> float:
    """``1 / delta`` with delta rounded to microseconds, when ObsPy does so without a warning."""
    if not delta > 0:
        raise _Unusual(f"delta={delta} is not positive")
    rounded = round(np.float64(delta), 6)
    if not rounded > 0:
        raise _Unusual(f"delta={delta} rounds to zero")
    rate = 1.0 / rounded
    if np.float32(1.0) / delta != rate:
        raise _Unusual(f"delta={delta} is rounded with a warning")
    return float(rate)


def _stats(raw: bytes, header: np.void) -> Stats:
    """The ``Stats`` of the trace ``SACTrace.to_obspy_trace`` builds, built once."""
    hi = header["i"].astype(np.int32)  # native copies: their scalars are what ObsPy stores
    ints = hi.tolist()
    if ints[_I["nvhdr"]] != 6:
        raise _Unusual(f"header version nvhdr={ints[_I['nvhdr']]}")
    if ints[_I["leven"]] != 1:
        raise _Unusual(f"leven={ints[_I['leven']]} (not evenly sampled)")
    hf = header["f"].astype(np.float32)
    _set_distances(hf, hi)
    strings = _strings(raw[4 * 110 :], header["s"].tolist())
    sac = AttribDict()
    values = vars(sac)  # an AttribDict keeps its items as attributes (it has no defaults)
    values.update({_FLOATS[i]: hf[i] for i in np.flatnonzero(hf != _FNULL).tolist()})
    values.update({_INTS[i]: hi[i] for i in np.flatnonzero(hi != HD.INULL).tolist()})
    values.update(strings)
    rate = _sampling_rate(hf[_F["delta"]])
    b = float(hf[_F["b"]])
    calib = values.get("scale", 1.0)
    if calib == 0:
        raise _Unusual("scale=0 (ObsPy warns about a zero calib)")
    start_ns = _reference_ns(ints) + (0 if b == HD.FNULL else int(round(b * 1e9)))
    stats = Stats()
    # Plain items straight into the Stats' dict (they are str, as Stats' type casts want; calib is
    # not 0): the same values Stats.__setitem__ stores, without its per-key checks.
    vars(stats).update(
        npts=int(ints[_I["npts"]]),
        sampling_rate=rate,
        network=strings.get("knetwk", ""),
        station=strings.get("kstnm", ""),
        channel=strings.get("kcmpnm", ""),
        location=strings.get("khole", ""),
        calib=calib,
        sac=sac,
    )
    stats.starttime = UTCDateTime(ns=start_ns)  # Stats derives delta and endtime itself
    return stats


def try_read_sac(path: str | os.PathLike[str]) -> Stream | None:
    """Read a binary SAC file on the fast path, or None if it needs ObsPy's reader.

    Parameters
    ----------
    path
        The SAC file.

    Returns
    -------
    Stream or None
        One trace equal to ObsPy's, or None for files :func:`read_sac` hands
        to ObsPy (the reason is logged at debug level).

    Raises
    ------
    SacFileError
        The file is shorter than a SAC header or its size does not match npts.

    Examples
    --------
    >>> from obspy.core.util import get_example_file
    >>> try_read_sac(get_example_file("test.sac"))[0].stats.npts
    100
    """
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        raw = fh.read(HEADER_BYTES)
        if len(raw) < HEADER_BYTES:
            raise SacFileError(
                f"{path}: not a SAC file: {size} bytes, shorter than the {HEADER_BYTES}-byte SAC header"
            )
        order = _byte_order(raw)
        header = np.frombuffer(raw, dtype=_DTYPES[order], count=1)[0]
        npts = int(header["i"][_I["npts"]])
        if size != HEADER_BYTES + 4 * npts:
            raise SacFileError(
                f"{path}: not a SAC file or truncated: {size} bytes, but a header with "
                f"npts={npts} needs {HEADER_BYTES} + 4 * npts = {HEADER_BYTES + 4 * npts}"
            )
        try:
            stats = _stats(raw, header)
        except _Unusual as exc:
            log.debug("%s: read by ObsPy's SAC reader: %s", path, exc)
            return None
        data = np.fromfile(fh, dtype=("=" if order == _NATIVE else order) + "f4", count=npts)
    trace = Trace(data=data)
    trace.stats = stats
    return Stream([trace])


def read_sac(path: str | os.PathLike[str]) -> Stream:
    """Read a binary SAC file: the same Stream as ObsPy's SAC reader, several times faster.

    Parameters
    ----------
    path
        The SAC file (binary, either byte order).

    Returns
    -------
    Stream
        One trace, equal to ``obspy.read(path, format="SAC")[0]`` without
        ``stats._format``.

    Raises
    ------
    SacFileError
        The file is not a readable SAC file (the message names the rule).

    Examples
    --------
    >>> from obspy.core.util import get_example_file
    >>> read_sac(get_example_file("test.sac"))[0].id
    '.STA..Q'
    """
    stream = try_read_sac(path)
    if stream is not None:
        return stream
    from obspy.io.sac.util import SacError

    try:
        return _obspy_read_sac(Path(path))
    except (SacError, ValueError, IndexError, KeyError, AssertionError) as exc:
        raise SacFileError(f"{path}: not a readable SAC file: {type(exc).__name__}: {exc}") from exc


def _obspy_read_sac(path: Path) -> Stream:
    """ObsPy's SAC reader: its codec directly (no plugin look-up), else the public ``obspy.read``.

    ``obspy.io.sac.core._read_sac`` is private: if a future ObsPy moves it, the same traces
    come from ``obspy.read(format="SAC")`` (minus the ``stats._format`` it adds).
    """
    private = _private_sac_reader()
    if private is None:
        return _public_read_sac(path)
    return private(str(path))


def _private_sac_reader() -> Callable[[str], Stream] | None:
    """``obspy.io.sac.core._read_sac``, or ``None`` if this ObsPy does not have it."""
    try:
        from obspy.io.sac.core import _read_sac
    except ImportError:
        log.debug("obspy.io.sac.core._read_sac not importable: using obspy.read")
        return None
    return _read_sac  # type: ignore[no-any-return]


def _public_read_sac(path: Path) -> Stream:
    """``obspy.read(format="SAC")`` of ``path`` (given as an open file: no wildcard expansion)."""
    import obspy

    with open(path, "rb") as handle:
        stream = obspy.read(handle, format="SAC")
    for trace in stream:
        trace.stats.pop("_format", None)
    return stream
