"""Every exception and warning asdfkit defines, in one place.

Each error also inherits the builtin exception a caller would naturally catch
(``ValueError`` for bad values, ``KeyError`` for missing items, ...), so code
written against plain Python keeps working.  Messages name the offending value
and the rule it broke.
"""

from __future__ import annotations

__all__ = [
    "AlignmentError",
    "AlignmentInputError",
    "AsdfkitError",
    "AsdfkitWarning",
    "AttributeTypeError",
    "BatchError",
    "BatchIncompleteError",
    "CompressionError",
    "DuplicateError",
    "DuplicateEventError",
    "DiskFullError",
    "DuplicateTraceError",
    "FileLockedError",
    "FormatError",
    "InvalidDtypeError",
    "InvalidNameError",
    "InvalidTimeError",
    "InvalidValueError",
    "MissingCoordinatesError",
    "MergeConflictError",
    "ModeError",
    "NoArrivalError",
    "NotFoundError",
    "RecipeError",
    "SacFileError",
    "VersionError",
    "XMLError",
]


class AsdfkitError(Exception):
    """Base class of every error raised by asdfkit."""


class FormatError(AsdfkitError, OSError):
    """The file is not HDF5, not ASDF, or of an unsupported format version."""


class FileLockedError(FormatError):
    """Another process (or another handle of this one) is writing the file: "locked by another process".

    Raised by every asdfkit writer that finds the file's writer lock
    (``.<name>.lock``, see :mod:`asdfkit.locking`) held, and by readers that
    find the HDF5 file itself locked by a writer working in place.  The CLI
    exits with 2.
    """


class DiskFullError(AsdfkitError, OSError):
    """Not enough free space to write a file safely: the message names the path, the bytes needed and free.

    Raised before the write starts (libhdf5 may crash when it meets a full
    disk), so nothing is committed and the files already there are untouched.
    The CLI exits with 1.
    """


class SacFileError(AsdfkitError, OSError):
    """A file is not a readable binary SAC file (too short for the header, or sized unlike its npts)."""


class ModeError(AsdfkitError, PermissionError):
    """A write was attempted on a file opened read-only, or a bad mode string."""


class InvalidValueError(AsdfkitError, ValueError):
    """A value breaks a rule of the ASDF format or of asdfkit's API."""


class InvalidNameError(InvalidValueError):
    """A name (station, trace, tag, auxiliary path, document) breaks the spec's regex."""


class InvalidTimeError(InvalidValueError):
    """A time is out of the range ASDF can represent or not a valid time."""


class InvalidDtypeError(AsdfkitError, TypeError):
    """An array's dtype is not allowed where it is used."""


class AttributeTypeError(AsdfkitError, TypeError):
    """An attribute value cannot be stored in HDF5."""


class CompressionError(InvalidValueError):
    """An unknown, unavailable or non-exchangeable compression was requested."""


class VersionError(InvalidValueError):
    """The requested ASDF format version cannot hold what is being written."""


class XMLError(InvalidValueError):
    """An XML document is malformed, hostile, too large, or of the wrong kind."""


class DuplicateError(InvalidValueError):
    """Something that must be unique already exists."""


class DuplicateTraceError(DuplicateError):
    """An identical trace is already stored under the same tag."""


class DuplicateEventError(DuplicateError):
    """A QuakeML resource id being added is already in the file."""


class NotFoundError(AsdfkitError, KeyError):
    """A requested station, trace, event, document or path does not exist."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class MergeConflictError(DuplicateError):
    """Two ASDF files hold the same object (trace, auxiliary dataset, document) with different content."""


class BatchError(AsdfkitError):
    """A batch run cannot go on: a bad chunk, a work folder of another run, a function that cannot load."""


class RecipeError(InvalidValueError):
    """A processing recipe (TOML/JSON) names an unknown step or parameter, or a bad value."""


class BatchIncompleteError(BatchError, RuntimeError):
    """Chunks are missing, or stations are still pending or failed, where a complete run is needed."""


class AlignmentError(InvalidValueError):
    """The arrays given to ICCS/MCCC (traces, picks, window, parameters) break a rule."""


class AlignmentInputError(AlignmentError):
    """The input of an alignment (event, traces, window, bandpass, picks) breaks a rule."""


class NoArrivalError(AlignmentInputError):
    """A trace has no initial pick: no QuakeML pick of the phase, or no TauP arrival."""


class MissingCoordinatesError(AlignmentInputError):
    """A station has no coordinates (StationXML) where predicted arrivals need them."""


class AsdfkitWarning(UserWarning):
    """Base class of the warnings asdfkit emits."""
