"""Compression settings: parse a user's choice into h5py dataset options.

The ASDF spec asks for filters that ship with the HDF5 library (deflate/gzip,
szip, shuffle, fletcher32) so that files stay readable everywhere.  ``lzf`` is
an h5py-only filter and plugin filters need extra libraries; asdfkit refuses
them for writing unless ``force=True`` and always reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import h5py
import numpy as np

from ..errors import CompressionError

__all__ = ["Compression", "chunk_shape", "parse_compression"]

#: Target chunk size of a waveform dataset in bytes (HDF5's default chunk cache is 1 MiB).
CHUNK_BYTES = 128 * 1024


@dataclass(frozen=True)
class Compression:
    """Filters applied to new datasets."""

    method: str | None = "gzip"
    level: int | tuple[Any, ...] | None = 4
    shuffle: bool = True
    fletcher32: bool = True

    def dataset_kwargs(self, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, Any]:
        """Keyword arguments for ``Group.create_dataset``."""
        if not shape or int(np.prod(shape)) == 0 or np.dtype(dtype).kind in "OUSV":
            return {}
        kwargs: dict[str, Any] = {"chunks": chunk_shape(shape, np.dtype(dtype).itemsize)}
        if self.method is not None:
            kwargs["compression"] = self.method
            if self.level is not None:
                kwargs["compression_opts"] = self.level
        if self.shuffle and self.method is not None:
            kwargs["shuffle"] = True
        if self.fletcher32:
            kwargs["fletcher32"] = True
        return kwargs

    def __str__(self) -> str:
        if self.method is None:
            text = "none"
        elif self.method == "gzip":
            text = f"gzip-{self.level}"
        else:
            text = str(self.method)
        extras = [name for name, on in (("shuffle", self.shuffle), ("fletcher32", self.fletcher32)) if on]
        return "+".join([text, *extras])


def chunk_shape(shape: tuple[int, ...], itemsize: int) -> tuple[int, ...]:
    """Chunks of about :data:`CHUNK_BYTES` along the first axis, whole along the others."""
    row = max(1, int(np.prod(shape[1:], dtype=np.int64)) * itemsize)
    rows = max(1, min(int(shape[0]), CHUNK_BYTES // row))
    return (rows, *shape[1:])


_SHIPPED = {"gzip", "szip"}


def parse_compression(
    value: str | Compression | None = "gzip",
    *,
    shuffle: bool = True,
    fletcher32: bool = True,
    force: bool = False,
) -> Compression:
    """Turn ``"gzip"``, ``"gzip-1"`` ... ``"gzip-9"``, ``"szip"``, ``"none"`` into settings.

    Examples
    --------
    >>> str(parse_compression("gzip-1"))
    'gzip-1+shuffle+fletcher32'
    """
    if isinstance(value, Compression):
        return value
    if value is None or str(value).lower() in ("none", "no", "off", ""):
        return Compression(None, None, False, fletcher32)
    text = str(value).lower()
    method, _, level_text = text.partition("-")
    if method == "gzip":
        level = 4
        if level_text:
            if not level_text.isdigit() or not 0 <= int(level_text) <= 9:
                raise CompressionError(
                    f"invalid compression {value!r}: gzip level must be 0-9 (e.g. 'gzip-4')"
                )
            level = int(level_text)
        return Compression("gzip", level, shuffle, fletcher32)
    if method == "szip":
        if not h5py.h5z.filter_avail(h5py.h5z.FILTER_SZIP):
            raise CompressionError("invalid compression 'szip': this HDF5 build has no szip encoder")
        return Compression("szip", ("nn", 16), shuffle, fletcher32)
    if method == "lzf" or method not in _SHIPPED:
        if not force:
            raise CompressionError(
                f"refused compression {value!r}: ASDF files must use filters that ship "
                "with HDF5 (gzip, szip) so other tools can read them; pass force_compression=True to override"
            )
        if method == "lzf":
            return Compression("lzf", None, shuffle, fletcher32)
        raise CompressionError(f"unknown compression {value!r}: use gzip, gzip-0..9, szip or none")
    raise CompressionError(f"unknown compression {value!r}")  # pragma: no cover
