"""Cheap checks of what a path holds, before a command opens it: HDF5 at all, ASDF or plain HDF5."""

from __future__ import annotations

import os

import h5py

__all__ = ["is_hdf5", "is_plain_hdf5"]

#: Root members that only an ASDF file has (a damaged one may lack its ``file_format``).
ASDF_SECTIONS = ("Waveforms", "AuxiliaryData", "Provenance", "QuakeML")


def is_hdf5(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` starts with the HDF5 signature."""
    return bool(h5py.is_hdf5(path))


def is_plain_hdf5(path: str | os.PathLike[str]) -> bool:
    """True for an HDF5 file with no ``file_format`` attribute and none of the ASDF sections.

    Such a file is not a damaged ASDF file but some other HDF5 file: commands
    refuse it as a usage error.  False when the file cannot be opened here (the
    command's own open then says why).
    """
    try:
        with h5py.File(path, "r", locking=False) as h5:
            return "file_format" not in h5.attrs and not any(name in h5 for name in ASDF_SECTIONS)
    except OSError:
        return False
