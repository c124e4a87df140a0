"""Checks every ``asdf-cli`` command makes before it reads or writes anything.

The CLI contract (docs/cli.md): an input that is missing, not HDF5 or plain HDF5
(not ASDF) is a usage error (exit 2), an existing output is refused unless
``--overwrite`` (exit 2), an option that does not apply is refused naming it
(exit 2), and an empty selection is a problem with the data (exit 1).  These
helpers raise the asdfkit errors (asdfkit/errors.py) that
:class:`asdfkit.cli.main.AsdfkitGroup` maps to those exit codes, so every command
words them the same way.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from ..container.probe import is_hdf5, is_plain_hdf5
from ..errors import (
    EmptySelectionError,
    FormatError,
    InapplicableOptionError,
    MissingInputError,
    OutputExistsError,
)

__all__ = [
    "AsdfFile",
    "EmptySelectionError",
    "InapplicableOptionError",
    "InputPath",
    "MissingInputError",
    "cli_wording",
    "is_plain_hdf5",
    "refuse_existing",
    "refuse_options",
    "require_asdf",
    "require_inputs",
    "show_progress",
]


class InputPath(click.Path):
    """An input path that must exist; a missing one is one ``error:`` line and exit 2 (not click's usage text)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["exists"] = False
        kwargs.setdefault("path_type", Path)
        super().__init__(**kwargs)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str | os.PathLike) and not os.path.lexists(value):
            what = param.human_readable_name if param is not None else "input"
            raise MissingInputError(f"{what} {str(value)!r} does not exist")
        return super().convert(value, param, ctx)


class AsdfFile(InputPath):
    """An ASDF input: missing, not HDF5 or plain HDF5 is one ``error:`` line and exit 2, at parse time."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("dir_okay", False)
        super().__init__(**kwargs)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = super().convert(value, param, ctx)
        require_asdf(path, param.human_readable_name if param is not None else "input")
        return path


def require_inputs(inputs: Iterable[str]) -> None:
    """Raise :class:`MissingInputError` for the first input path (or glob) that names no file."""
    import glob

    for text in inputs:
        if glob.has_magic(text):
            if not glob.glob(text, recursive=True):
                raise MissingInputError(f"input {text!r} matches no file")
        elif not os.path.lexists(text):
            raise MissingInputError(f"input {text!r} does not exist")
        elif not os.access(text, os.R_OK):
            raise MissingInputError(f"input {text!r} cannot be read: permission denied")


def require_asdf(path: str | os.PathLike[str], what: str = "input") -> Path:
    """Raise :class:`FormatError` (exit 2) unless PATH is an existing ASDF file.

    A missing file, a file that is not HDF5 and a plain HDF5 file (no
    ``file_format`` attribute and none of the ASDF sections) are all refused.
    """
    path = Path(path)
    if not path.exists():
        raise FormatError(f"cannot open {what} {str(path)!r}: no such file")
    if path.is_dir():
        raise FormatError(f"cannot open {what} {str(path)!r}: it is a directory, not an ASDF file")
    if not os.access(path, os.R_OK):
        raise FormatError(f"cannot open {what} {str(path)!r}: permission denied")
    if not is_hdf5(path):
        raise FormatError(f"cannot open {what} {str(path)!r}: not an HDF5 file")
    if is_plain_hdf5(path):
        raise FormatError(f"{str(path)!r} is HDF5 but not ASDF: no file_format attribute")
    return path


def refuse_existing(path: str | os.PathLike[str], overwrite: bool, option: str = "--overwrite") -> None:
    """Raise :class:`OutputExistsError` (exit 2) if PATH exists and OPTION was not given."""
    path = Path(path)
    if not overwrite and (path.exists() or path.is_symlink()):
        kind = "folder" if path.is_dir() else "file"
        raise OutputExistsError(f"output {kind} {str(path)!r} exists: pass {option} to replace it")


def refuse_options(given: Iterable[str], why: str) -> None:
    """Raise :class:`InapplicableOptionError` naming the first option of GIVEN, if any."""
    names = list(given)
    if names:
        raise InapplicableOptionError(f"{', '.join(names)} does not apply {why}")


_KEYWORDS = {
    "overwrite=True": "--overwrite",
    "in_place=True": "--in-place",
    "skip_bad=True": "--skip-bad",
    "append=True": "--append",
    "into_file=True": "--into-file",
    "partial=True (--partial)": "--partial",
    "partial=True": "--partial",
    "or force it)": "or pass --force)",
    # the command line has no way around the shipped-filters rule
    "; pass force_compression=True to override": " (asdf-cli writes gzip, szip or none)",
}
_KEYWORD_RE = re.compile("|".join(re.escape(k) for k in _KEYWORDS))


def cli_wording(message: str) -> str:
    """Re-word a library message for the command line: ``overwrite=True`` becomes ``--overwrite``.

    Examples
    --------
    >>> cli_wording("it exists (pass overwrite=True to replace it)")
    'it exists (pass --overwrite to replace it)'
    >>> cli_wording("or merge with partial=True (--partial)")
    'or merge with --partial'
    """
    return _KEYWORD_RE.sub(lambda m: _KEYWORDS[m.group(0)], message)


def show_progress(progress: bool | None) -> bool:
    """``--progress/--no-progress``: the explicit choice, else whether stderr is a terminal."""
    return sys.stderr.isatty() if progress is None else progress
