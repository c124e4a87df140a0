"""The container layer: the only part of asdfkit that talks to h5py."""

from .auxiliary import AuxiliaryDataItem
from .compression import Compression, parse_compression
from .file import ASDFFile, open
from .index import HeaderIndex, TraceHeader
from .waveforms import TraceMeta

__all__ = [
    "ASDFFile",
    "AuxiliaryDataItem",
    "Compression",
    "HeaderIndex",
    "TraceHeader",
    "TraceMeta",
    "open",
    "parse_compression",
]
