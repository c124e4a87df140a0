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
The HDF5 side lives in :mod:`asdfkit.container.partfiles`.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Sequence
from pathlib import Path

from ..atomic import fsync_file, fsync_folder
from ..container.partfiles import (
    METADATA_CACHE_BYTES,
    UNITS_ATTR,
    bound_metadata_cache,
    count_datasets,
    read_units,
    root_version,
    set_units,
    verify_file,
    verify_part,
    write_units,
)

__all__ = [
    "METADATA_CACHE_BYTES",
    "UNITS_ATTR",
    "bound_metadata_cache",
    "commit_part",
    "count_datasets",
    "fsync_file",
    "fsync_folder",
    "part_name",
    "read_units",
    "root_version",
    "set_units",
    "temp_for",
    "verify_file",
    "verify_part",
    "write_units",
]


def part_name(first: str, count: int) -> str:
    """A new, unique part file name: ``FIRST+COUNT.TOKEN.h5``."""
    return f"{first}+{count}.{secrets.token_hex(4)}.h5"


def temp_for(final: Path) -> Path:
    """Where a part file is written before it is committed (``.NAME.partial``, removed on restart)."""
    return final.with_name(f".{final.name}.partial")


def commit_part(temp: Path, final: Path, units: Sequence[str]) -> float:
    """Verify, fsync and rename a closed part file into place; the seconds the verification took."""
    started = time.perf_counter()
    verify_part(temp, units)
    verified = time.perf_counter() - started
    fsync_file(temp)
    os.replace(temp, final)
    fsync_folder(final.parent)
    return verified
