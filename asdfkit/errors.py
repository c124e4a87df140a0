"""Every exception and warning asdfkit defines, in one place.

Each error also inherits the builtin exception a caller would naturally catch
(``ValueError`` for bad values, ``KeyError`` for missing items, ...), so code
written against plain Python keeps working.  Messages name the offending value
and the rule it broke.
"""

from __future__ import annotations

import errno

__all__ = [
    "AlignmentError",
    "AlignmentInputError",
    "AsdfkitError",
    "AsdfkitWarning",
    "AttributeTypeError",
    "BatchError",
    "BatchIncompleteError",
    "CodesError",
    "CompressionError",
    "DamagedFileError",
    "DiskFullError",
    "DuplicateError",
    "DuplicateEventError",
    "DuplicateTraceError",
    "ExportMismatchError",
    "EmptySelectionError",
    "ExternalLinkError",
    "EventNotFoundError",
    "FileLockedError",
    "FormatError",
    "GroupKindError",
    "InapplicableOptionError",
    "InvalidDtypeError",
    "InvalidNameError",
    "InvalidTimeError",
    "InvalidValueError",
    "MissingCoordinatesError",
    "MissingDependencyError",
    "MissingInputError",
    "MergeConflictError",
    "ModeError",
    "NoArrivalError",
    "NotFoundError",
    "OutputExistsError",
    "OutsideDataRootError",
    "OversizeError",
    "RecipeError",
    "RunInUseError",
    "RunNotFoundError",
    "SacFileError",
    "UnsafeWriteError",
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


class UnsafeWriteError(AsdfkitError, OSError):
    """A crash-safe write would need a copy of the file that is too large or does not fit.

    The message names the file's size, the free space and the way out
    (``in_place=True`` / ``--in-place``: write into the file directly, not
    crash-safe).  The CLI exits with 2.
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


class OutputExistsError(AsdfkitError, FileExistsError):
    """An output file exists and the caller did not ask to replace it (``--overwrite``)."""


class ExportMismatchError(AsdfkitError, RuntimeError):
    """A file an export wrote does not read back as exactly the traces exported (nothing is kept)."""


class CodesError(InvalidValueError):
    """A codes table (``--codes``) is malformed, or maps to codes that are not valid or not unique."""


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


class OutsideDataRootError(AsdfkitError, PermissionError):
    """A file an input names (a CSS wfdisc ``dir``/``dfile``) lies outside the folders it may be read from."""


class ExternalLinkError(InvalidValueError):
    """An HDF5 external link, or a soft link leaving the copied objects, where objects are copied."""


class OversizeError(InvalidValueError):
    """A size declared in a file (dataset shape, attribute) is far larger than the storage it has."""
class EventNotFoundError(NotFoundError):
    """An event id names no event of the file (or several): a usage error in the CLI."""


class RunNotFoundError(NotFoundError):
    """A run id names no stored alignment run of the event: a usage error in the CLI."""


class RunInUseError(InvalidValueError):
    """An alignment run cannot be deleted: another run was made from it."""
class GroupKindError(InvalidValueError):
    """An operation of static groups (add or remove members) asked of a dynamic group, or the reverse."""


class MissingDependencyError(AsdfkitError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it."""
class DamagedFileError(AsdfkitError, OSError):
    """An ASDF file is damaged: HDF5 cannot decode a chunk (checksum or filter failure) or an object.

    The message names the file, the object and HDF5's reason.  The CLI exits 1.
    """


class DiskFullError(AsdfkitError, OSError):
    """Not enough free space to write: the message names the path, the bytes needed and free.

    Raised before HDF5 is asked to write (libhdf5 can crash when it meets a
    full disk), so nothing has been written or committed.  The CLI exits 1.
    """

    def __init__(self, path: str, needed: int | None = None, free: int | None = None) -> None:
        # DiskFullError(path, needed, free), or DiskFullError(message) for a disk found full
        # by a write that failed (ENOSPC): then the message is the whole story.
        text = path if needed is None or free is None else (
            f"not enough free space for {path}: {needed:,} bytes needed, {free:,} free"
        )
        super().__init__(errno.ENOSPC, text)
        self.path, self.needed, self.free = path, needed, free

    def __str__(self) -> str:
        return str(self.args[1])

    def __reduce__(self) -> tuple:  # pickles across worker processes
        return (DiskFullError, (self.path, self.needed, self.free))


class MissingInputError(AsdfkitError, FileNotFoundError):
    """An input path that does not exist, or a pattern that matches no file: exit 2 in the CLI."""


class InapplicableOptionError(InvalidValueError):
    """An option given that does not apply to what the command does: exit 2 in the CLI, naming it."""


class EmptySelectionError(AsdfkitError):
    """A selection that matches nothing where something is exported or extracted: exit 1 in the CLI."""


class AsdfkitWarning(UserWarning):
    """Base class of the warnings asdfkit emits."""
