"""asdfkit: read, write and check Adaptable Seismic Data Format (ASDF) files."""

from ._version import __version__
from .container import (
    ASDFFile,
    AuxiliaryDataItem,
    Compression,
    HeaderIndex,
    TraceHeader,
    TraceMeta,
    open,
)
from .errors import AsdfkitError
from .validation import validate

__all__ = [
    "ASDFFile",
    "AsdfkitError",
    "AuxiliaryDataItem",
    "Compression",
    "HeaderIndex",
    "TraceHeader",
    "TraceMeta",
    "__version__",
    "open",
    "validate",
]
