"""Compress waveform chunks outside HDF5, so that several threads can share the work.

HDF5 applies its filters (shuffle, deflate, fletcher32) inside the one process
that writes the file, behind h5py's global lock.  :func:`encode` produces the
very bytes HDF5 would store for each chunk — byte shuffle, zlib deflate, then
HDF5's Fletcher-32 checksum appended little-endian — with numpy and zlib only
(zlib runs without the GIL), so other threads can compress while the writer
just stores the chunks with ``write_direct_chunk``.  The partial edge chunk
is zero-padded to a whole chunk, as HDF5 stores it.  Tests compare the bytes
with HDF5's own output.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from .compression import Compression, chunk_shape

__all__ = ["EncodedChunks", "encode", "fletcher32"]

#: Where a trace carries its encoded chunks between processes (``trace.stats`` key).
STATS_KEY = "_asdfkit_chunks"


@dataclass(frozen=True)
class EncodedChunks:
    """A 1-D array's chunks, filtered exactly as HDF5 would filter them."""

    dtype: str
    length: int
    chunk: int
    settings: str  # str(Compression): the filters these bytes were made with
    blobs: tuple[bytes, ...]

    def matches(self, data: np.ndarray, compression: Compression) -> bool:
        return (data.ndim == 1 and str(data.dtype.str) == self.dtype and data.size == self.length
                and str(compression) == self.settings
                and chunk_shape(data.shape, data.dtype.itemsize) == (self.chunk,))


def _fold(total: int) -> int:
    """HDF5's end-around-carry reduction of a non-negative sum: 0 stays 0, else 1..65535."""
    return 0 if total == 0 else (total - 1) % 65535 + 1


#: Words per segment: the weighted sum of one segment stays below 2**64.
_SEGMENT = 1 << 22


def fletcher32(buffer: bytes) -> int:
    """HDF5's Fletcher-32 checksum (``H5_checksum_fletcher32``) of ``buffer``.

    HDF5 adds big-endian 16-bit words in blocks of 360 and folds the sums
    after each block; folding keeps them congruent modulo 65535 and positive
    once positive, so the result is the fold of the plain sums
    ``sum1 = sum(w)`` and ``sum2 = sum((n - i) * w[i])`` (exact integers).
    """
    n = len(buffer)
    words = np.frombuffer(buffer, dtype=">u2", count=n // 2).astype(np.uint64)
    sum1 = sum2 = 0
    for start in range(0, len(words), _SEGMENT):
        segment = words[start:start + _SEGMENT]
        weights = np.arange(len(segment), 0, -1, dtype=np.uint64)
        later = len(words) - start - len(segment)  # words after this segment weigh it again
        part = int(segment.sum())
        sum2 += int(np.dot(segment, weights)) + later * part
        sum1 += part
    if n % 2:
        sum1 += buffer[-1] << 8
        sum2 += sum1
    return (_fold(sum2) << 16) | _fold(sum1)


def encode(data: np.ndarray, compression: Compression) -> EncodedChunks | None:
    """The HDF5 chunks of a 1-D array, or None for filters this module does not do (szip, lzf)."""
    if compression.method not in ("gzip", None) or data.ndim != 1 or data.size == 0:
        return None
    if compression.method is None and not compression.fletcher32:
        return None
    array = np.ascontiguousarray(data)
    (rows,) = chunk_shape(array.shape, array.dtype.itemsize)
    itemsize = array.dtype.itemsize
    level = int(compression.level) if isinstance(compression.level, int) else 4
    blobs = []
    for start in range(0, array.size, rows):
        piece = array[start:start + rows]
        if piece.size < rows:  # HDF5 stores the edge chunk whole, zero-padded (no fill value is set)
            padded = np.zeros(rows, array.dtype)  # (concatenate would make the byte order native)
            padded[:piece.size] = piece
            piece = padded
        raw = piece.tobytes()
        if compression.shuffle and compression.method is not None and itemsize > 1:
            raw = np.frombuffer(raw, np.uint8).reshape(-1, itemsize).T.tobytes()
        if compression.method == "gzip":
            raw = zlib.compress(raw, level)
        if compression.fletcher32:
            raw += fletcher32(raw).to_bytes(4, "little")
        blobs.append(raw)
    return EncodedChunks(array.dtype.str, int(array.size), rows, str(compression), tuple(blobs))
