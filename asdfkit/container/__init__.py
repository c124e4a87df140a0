"""The container layer: the only part of asdfkit that talks to h5py."""

from .auxiliary import AuxiliaryDataItem
from .compression import Compression, parse_compression
from .file import ASDFFile, open
from .hdf5locking import get_hdf5_locking, hdf5_locking, set_hdf5_locking
from .index import HeaderIndex, TraceHeader
from .waveforms import TraceMeta

__all__ = [
    "ASDFFile",
    "AuxiliaryDataItem",
    "Compression",
    "HeaderIndex",
    "TraceHeader",
    "TraceMeta",
    "get_hdf5_locking",
    "hdf5_locking",
    "open",
    "parse_compression",
    "set_hdf5_locking",
]
