"""Batch part files at the HDF5 level: the stations they name, reading them back, bounded caches.

Used by :mod:`asdfkit.batch` (only the container layer imports h5py).
"""

from __future__ import annotations

import json
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
    "count_datasets",
    "read_units",
    "root_version",
    "set_units",
    "verify_file",
    "verify_part",
    "write_units",
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


def write_units(path: Path, units: Sequence[str]) -> None:
    """Name the stations (units) a closed part file holds."""
    with h5py.File(path, "a") as f:
        set_units(f, units)


def root_version(path: Path) -> str | None:
    """The ``file_format_version`` root attribute of an HDF5 file, or None."""
    with h5py.File(path, "r") as f:
        value = f.attrs.get("file_format_version")
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def count_datasets(path: Path) -> list[str]:
    """The HDF5 paths of every dataset of a file (one pass over its objects, no data read)."""
    found: list[str] = []

    def visit(name: bytes, info: Any) -> None:
        if info.type == h5py.h5o.TYPE_DATASET:
            found.append("/" + name.decode())

    with bound_metadata_cache(h5py.File(path, "r")) as f:
        h5py.h5o.visit(f.id, visit, info=True)
    return found
