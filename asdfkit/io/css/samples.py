"""wfdisc datatypes: decode a row's samples from its file, encode arrays for writing.

Binary ``s4 s2 i4 i2 t4 t8 f4 f8`` and ``s3``; ``sd`` (miniSEED at ``foff``);
``sc``/``ic`` (a whole big-/little-endian SAC file at ``foff``); ASCII ``c0``
(integers), ``a0`` (float32), ``b0`` (float64) and Antelope's ``as`` (numbers,
float64): whitespace-separated values from byte ``foff`` on.  A file ``x``
missing but ``x.gz`` present is read through gzip (as ObsPy does).
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from ...errors import FormatError, InvalidValueError

__all__ = ["DATATYPES", "Samples", "choose_datatype", "decode", "encode", "open_data"]

BINARY = {
    "s4": ">i4", "s2": ">i2", "i4": "<i4", "i2": "<i2",
    "t4": ">f4", "t8": ">f8", "f4": "<f4", "f8": "<f8",
}
ASCII = {"c0": np.int32, "a0": np.float32, "b0": np.float64, "as": np.float64}
SAC = {"sc": "big", "ic": "little"}
DATATYPES = (*BINARY, "s3", "sd", *SAC, *ASCII)

# What each sample dtype is written as, big- then little-endian.
_WRITE = {
    np.dtype(np.int16): ("s2", "i2"),
    np.dtype(np.int32): ("s4", "i4"),
    np.dtype(np.float32): ("t4", "f4"),
    np.dtype(np.float64): ("t8", "f8"),
}


@dataclass
class Samples:
    """Decoded samples, and the SAC header when the row was a SAC file."""

    data: np.ndarray
    sac: Any = None


def open_data(path: Path) -> IO[bytes] | gzip.GzipFile:
    """Open a waveform file, falling back to ``path.gz``."""
    try:
        return open(path, "rb")
    except FileNotFoundError:
        gz = path.with_name(path.name + ".gz")
        if gz.is_file():
            return gzip.open(gz, "rb")
        raise


def _read_exact(handle: IO[bytes] | gzip.GzipFile, foff: int, size: int, where: str, path: Path) -> bytes:
    handle.seek(foff)
    raw = handle.read(size)
    if len(raw) < size:
        raise FormatError(
            f"{where}: field 'nsamp' needs {size} bytes at offset {foff} of {path}, "
            f"the file has only {len(raw)} from there"
        )
    return raw


def _native(data: np.ndarray) -> np.ndarray:
    return data.astype(data.dtype.newbyteorder("="), copy=False)


def decode(datatype: str, path: Path, foff: int, nsamp: int, where: str) -> Samples:
    """Read ``nsamp`` samples of ``datatype`` at byte ``foff`` of ``path``.

    Raises :class:`~asdfkit.errors.InvalidValueError` for an unknown datatype
    and :class:`~asdfkit.errors.FormatError` when the file cannot hold them.
    """
    if datatype not in DATATYPES:
        raise InvalidValueError(
            f"{where}: invalid datatype {datatype!r}: must be one of {' '.join(DATATYPES)}"
        )
    if nsamp is None or nsamp < 0:
        raise InvalidValueError(f"{where}: invalid nsamp {nsamp!r}: must be a count >= 0")
    with open_data(path) as handle:
        if datatype in BINARY:
            dtype = np.dtype(BINARY[datatype])
            raw = _read_exact(handle, foff, dtype.itemsize * nsamp, where, path)
            return Samples(_native(np.frombuffer(raw, dtype=dtype)))
        if datatype == "s3":
            raw = _read_exact(handle, foff, 3 * nsamp, where, path)
            b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
            value = (b[:, 0] << 16) | (b[:, 1] << 8) | b[:, 2]
            return Samples(np.where(value >= 1 << 23, value - (1 << 24), value).astype(np.int32))
        if datatype in ASCII:
            return Samples(_decode_ascii(handle, foff, nsamp, ASCII[datatype], where, path))
        handle.seek(foff)
        payload = handle.read()
    if datatype in SAC:
        return _decode_sac(payload, SAC[datatype], nsamp, where, path)
    return Samples(_decode_mseed(payload, nsamp, where, path))


def _decode_ascii(handle: IO[bytes] | gzip.GzipFile, foff: int, nsamp: int, dtype: Any, where: str, path: Path) -> np.ndarray:
    handle.seek(foff)
    tokens: list[bytes] = []
    tail = b""
    while len(tokens) < nsamp:
        chunk = handle.read(1 << 16)
        if not chunk:
            if tail:
                tokens.append(tail)
            break
        parts = (tail + chunk).split()
        tail = b"" if chunk[-1:].isspace() else parts.pop() if parts else b""
        tokens.extend(parts)
    if len(tokens) < nsamp:
        raise FormatError(f"{where}: field 'nsamp' is {nsamp} but {path} holds only {len(tokens)} values after byte {foff}")
    try:
        if dtype is np.int32:
            values = np.array([int(t) for t in tokens[:nsamp]], dtype=np.int64)
            if values.size and (values.min() < -(2**31) or values.max() >= 2**31):
                raise ValueError("value outside int32")
            return values.astype(np.int32)
        return np.array([float(t) for t in tokens[:nsamp]], dtype=dtype)
    except ValueError as exc:
        raise FormatError(f"{where}: ASCII samples in {path} are not numbers of datatype: {exc}") from exc


def _decode_sac(payload: bytes, byteorder: str, nsamp: int, where: str, path: Path) -> Samples:
    from obspy.io.sac import SACTrace
    from obspy.io.sac.util import SacIOError

    try:
        sac = SACTrace.read(io.BytesIO(payload), byteorder=byteorder)
    except (SacIOError, ValueError, OSError, EOFError) as exc:
        raise FormatError(f"{where}: {path} is not a {byteorder}-endian SAC file: {exc}") from exc
    data = np.asarray(sac.data)
    if data.size < nsamp:
        raise FormatError(f"{where}: field 'nsamp' is {nsamp} but the SAC file {path} holds {data.size} samples")
    return Samples(_native(data[:nsamp]), sac)


def _decode_mseed(payload: bytes, nsamp: int, where: str, path: Path) -> np.ndarray:
    from obspy import Stream, read
    from obspy.io.mseed import InternalMSEEDError, ObsPyMSEEDError

    try:
        stream: Stream = read(io.BytesIO(payload), format="MSEED")
    except (InternalMSEEDError, ObsPyMSEEDError, ValueError, TypeError, OSError) as exc:
        raise FormatError(f"{where}: {path} holds no readable miniSEED at its foff: {exc}") from exc
    if not stream:
        raise FormatError(f"{where}: {path} holds no miniSEED record at its foff")
    first = stream[0].id
    parts = [tr.data for tr in stream if tr.id == first]
    data = np.concatenate(parts) if parts else np.array([], dtype=np.int32)
    if data.size < nsamp:
        raise FormatError(f"{where}: field 'nsamp' is {nsamp} but the miniSEED in {path} holds {data.size} samples")
    return _native(data[:nsamp])


def choose_datatype(dtype: np.dtype[Any], byteorder: str = "big") -> str:
    """The wfdisc datatype samples of ``dtype`` are written as.

    Examples
    --------
    >>> choose_datatype(np.dtype("int32")), choose_datatype(np.dtype("<f8"), "little")
    ('s4', 'f8')
    """
    if byteorder not in ("big", "little"):
        raise InvalidValueError(f"invalid byteorder {byteorder!r}: must be 'big' or 'little'")
    pair = _WRITE.get(np.dtype(dtype).newbyteorder("="))
    if pair is None:
        raise InvalidValueError(
            f"invalid sample dtype {np.dtype(dtype)}: CSS holds int16, int32, float32 and float64 samples"
        )
    return pair[0] if byteorder == "big" else pair[1]


def encode(data: np.ndarray, datatype: str) -> bytes:
    """The bytes of ``data`` as binary ``datatype``."""
    if datatype not in BINARY:
        raise InvalidValueError(f"invalid datatype {datatype!r} for writing: must be one of {' '.join(BINARY)}")
    return np.ascontiguousarray(data, dtype=np.dtype(BINARY[datatype])).tobytes()
