"""Part files: many committed stations in one file, verified before it is renamed into place or adopted.

A worker writes a task's stations into ``.NAME.partial``; when the file is
closed (flush and close succeeded) :func:`commit_part` reads it back — every
dataset, so HDF5 checks each chunk's fletcher32 checksum and decompresses it —
checks the stations it names, ``fsync``\\ s it, renames it to ``NAME`` and
``fsync``\\ s the folder.  A part file that exists under its final name was
therefore complete on disk; a restart adopting one the journal does not list
verifies it again the same way (:func:`verify_part`) and deletes it if it fails.
The stations a part holds are a root attribute (JSON list), so a part of
stations whose function returned nothing is still a record of them.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from ..errors import BatchError

__all__ = [
    "METADATA_CACHE_BYTES",
    "UNITS_ATTR",
    "bound_metadata_cache",
    "commit_part",
    "fsync_file",
    "fsync_folder",
    "part_name",
    "read_units",
    "temp_for",
    "verify_file",
    "verify_part",
]

UNITS_ATTR = "asdfkit_batch_units"

METADATA_CACHE_BYTES = 2 * 2**20
"""Metadata cache of the files a batch process walks: HDF5's default grows to 32 MiB per file and
the process keeps the memory after closing it (~15 KiB per dataset read, measured) — a bounded
cache keeps the driver's and the workers' memory flat, at no cost for one pass over the file."""


def bound_metadata_cache(h5: h5py.File, size: int = METADATA_CACHE_BYTES) -> h5py.File:
    """Cap the HDF5 metadata cache of an open file at ``size`` bytes; the file, for chaining."""
    config = h5.id.get_mdc_config()
    config.set_initial_size = True
    config.initial_size = size
    config.max_size = size
    config.min_size = min(size, config.min_size)
    h5.id.set_mdc_config(config)
    return h5


def part_name(first: str, count: int) -> str:
    """A new, unique part file name: ``FIRST+COUNT.TOKEN.h5``."""
    return f"{first}+{count}.{secrets.token_hex(4)}.h5"


def temp_for(final: Path) -> Path:
    """Where a part file is written before it is committed (``.NAME.partial``, removed on restart)."""
    return final.with_name(f".{final.name}.partial")


def set_units(h5: h5py.File, units: Sequence[str]) -> None:
    h5.attrs[UNITS_ATTR] = json.dumps(list(units))


def _units(f: h5py.File, path: Path) -> list[str]:
    raw = f.attrs.get(UNITS_ATTR)
    if raw is None:
        raise BatchError(f"damaged part file {str(path)!r}: it does not name its stations")
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    units = json.loads(text)
    if not isinstance(units, list) or not all(isinstance(u, str) for u in units):
        raise BatchError(f"damaged part file {str(path)!r}: invalid station list {text[:80]!r}")
    return units


def read_units(path: Path) -> list[str]:
    """The stations a part file names (not verified; see :func:`verify_part`)."""
    try:
        with h5py.File(path, "r") as f:
            return _units(f, path)
    except (OSError, ValueError, KeyError) as exc:
        raise BatchError(f"damaged part file {str(path)!r}: {exc}") from exc


def _read_every_dataset(f: h5py.File) -> None:
    """Read every dataset through HDF5's filters (fletcher32, gzip...): a bad chunk raises."""
    names: list[bytes] = []

    def visit(name: bytes, info: Any) -> None:
        if info.type == h5py.h5o.TYPE_DATASET:
            names.append(name)

    h5py.h5o.visit(f.id, visit, info=True)
    for name in names:
        dataset = h5py.h5d.open(f.id, name)
        dtype = dataset.dtype
        if dtype.hasobject or h5py.check_vlen_dtype(dtype) is not None:
            np.asarray(f[name][()])  # variable-length values: through the high-level reader
            continue
        buffer = np.empty(dataset.shape, dtype=dtype)
        if buffer.size:
            dataset.read(h5py.h5s.ALL, h5py.h5s.ALL, buffer)


def verify_file(path: Path) -> None:
    """Read every dataset of an HDF5 file back (checksums and filters checked).

    Raises
    ------
    BatchError
        If the file cannot be opened or a dataset cannot be read.
    """
    try:
        with bound_metadata_cache(h5py.File(path, "r")) as f:
            _read_every_dataset(f)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise BatchError(f"damaged file {str(path)!r}: {exc}") from exc


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def verify_part(path: Path, expected: Sequence[str] | None = None) -> list[str]:
    """Read every dataset of a part file back (checksums and filters checked); its stations.

    Raises
    ------
    BatchError
        If the file cannot be opened, a dataset cannot be read, or the
        stations differ from ``expected``.
    """
    try:
        with bound_metadata_cache(h5py.File(path, "r")) as f:
            units = _units(f, path)
            _read_every_dataset(f)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise BatchError(f"damaged part file {str(path)!r}: {exc}") from exc
    if expected is not None and list(expected) != units:
        raise BatchError(f"damaged part file {str(path)!r}: names {units} instead of {list(expected)}")
    return units


def fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit_part(temp: Path, final: Path, units: Sequence[str]) -> float:
    """Verify, fsync and rename a closed part file into place; the seconds the verification took."""
    started = time.perf_counter()
    verify_part(temp, units)
    verified = time.perf_counter() - started
    fsync_file(temp)
    os.replace(temp, final)
    fsync_folder(final.parent)
    return verified
