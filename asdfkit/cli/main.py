"""Entry point of ``asdf-cli``: the command group, logging, and error-to-exit-code mapping.

Exit codes (the table in docs/cli.md and in ``asdf-cli --help``, the group's docstring):
0 success, 1 a problem with the data, 2 a usage error.  Errors asdfkit defines
become one-line messages on stderr; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno
import importlib
import logging
import sys
from typing import Any

import click

from .._version import __version__
from ..container.hdf5locking import without_hdf5_locking
from ..errors import (
    AsdfkitError,
    CompressionError,
    FormatError,
    InapplicableOptionError,
    MissingDependencyError,
    MissingInputError,
    ModeError,
    OutputExistsError,
    RunNotFoundError,
    UnsafeWriteError,
)
from .contract import cli_wording
from .oserrors import system_error_exit

__all__ = ["cli", "main"]

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2
_ARGS = "asdfkit.args"

#: asdfkit errors that are usage errors (exit 2); every other asdfkit error is exit 1.
_USAGE_ERRORS: tuple[type[BaseException], ...] = (
    FormatError,  # FileLockedError is a FormatError
    UnsafeWriteError,
    OutputExistsError,
    RunNotFoundError,
    MissingDependencyError,
    MissingInputError,
    InapplicableOptionError,
    ModeError,
    CompressionError,  # an invalid or refused --compression value
)
_USAGE_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.EISDIR, errno.ENOTDIR, errno.EEXIST}

#: The extra that installs each optional package a command may need.
OPTIONAL_EXTRAS = {
    "pandas": "align",
    "scipy": "align",
    "matplotlib": "align",
    "dask": "dask",
    "distributed": "dask",
    "sphinx": "docs",
}


def missing_extra(exc: ModuleNotFoundError) -> str | None:
    """The one-line message for an optional package that is not installed, else None.

    Examples
    --------
    >>> missing_extra(ModuleNotFoundError("No module named 'pandas'", name="pandas"))
    "this command needs pandas, which is not installed: pip install 'asdfkit[align]'"
    >>> missing_extra(ModuleNotFoundError("No module named 'nope'", name="nope")) is None
    True
    """
    top = (exc.name or "").split(".")[0]
    extra = OPTIONAL_EXTRAS.get(top)
    if extra is None:
        return None
    return f"this command needs {top}, which is not installed: pip install 'asdfkit[{extra}]'"


_COMMANDS = {
    "convert": ("convert", "convert"),
    "info": ("info", "info"),
    "validate": ("validate", "validate"),
    "conformance": ("conformance", "conformance"),
    "provenance": ("provenance", "provenance"),
    "batch": ("batch", "batch"),
    "merge": ("surgery", "merge_command"),
    "extract": ("surgery", "extract_command"),
    "repack": ("surgery", "repack_command"),
    "align": ("align", "align"),
    "group": ("groups", "group"),
    "label": ("groups", "label"),
}
"""Sub-commands by name: (module of ``asdfkit.cli``, attribute), imported when used.

A command run imports its own module only (``batch run`` does not load the alignment
package): the start-up every command pays is ~0.2 s shorter than importing them all."""


class AsdfkitGroup(click.Group):
    """A click group that turns asdfkit errors into messages and exit codes.

    Its sub-commands (:data:`_COMMANDS`) are imported on first use.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _COMMANDS:
            module, attribute = _COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"{__package__}.{module}"), attribute)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_ARGS] = tuple(args)  # the paths a system error or damaged file message names
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AsdfkitError as exc:
            code = EXIT_USAGE if isinstance(exc, _USAGE_ERRORS) else EXIT_DATA
            _fail(ctx, _message(exc), code)
        except click.exceptions.Exit:
            raise
        except ModuleNotFoundError as exc:
            message = missing_extra(exc)
            if message is None:
                raise  # a bug: keep the traceback
            _fail(ctx, message, EXIT_USAGE)
        except (OSError, RuntimeError, UnicodeDecodeError, KeyError) as exc:
            system_code = system_error_exit(exc, ctx.meta.get(_ARGS, ()))  # HDF5 failures, ENOSPC, EROFS
            if system_code is not None:
                ctx.exit(system_code)
            if isinstance(exc, OSError):  # permission, read-only file system, full disk...
                if exc.errno in _USAGE_ERRNOS or isinstance(exc, PermissionError):
                    _fail(ctx, _message(exc), EXIT_USAGE)
                if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO):
                    _fail(ctx, _message(exc), EXIT_DATA)
            raise


def _message(exc: BaseException) -> str:
    """One line: the error's text with library keywords re-worded as the CLI's options."""
    text = str(exc) if not isinstance(exc, KeyError) or not exc.args else str(exc.args[0])
    if isinstance(exc, OSError) and exc.strerror and not isinstance(exc, AsdfkitError):
        text = f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return " ".join(cli_wording(text).split()) or type(exc).__name__


def _fail(ctx: click.Context, message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    ctx.exit(code)


@click.group(cls=AsdfkitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="asdf-cli")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.option(
    "--no-hdf5-locking", "no_hdf5_locking", is_flag=True,
    help="Switch off HDF5's own file locking for this command (file systems without locks, or files "
    "another program holds open); asdfkit's writer lock stays on.",
)
def cli(verbose: int, no_hdf5_locking: bool) -> None:
    """Read, write and inspect ASDF (Adaptable Seismic Data Format) files.

    Run `asdf-cli COMMAND --help` for the options of a command.

    \b
    Exit codes (every command):
    0  ok (also when --skip-bad skipped something; the output lists it)
    1  a problem with the data: a damaged ASDF file, a validation failure, an
       empty selection, a full disk, a refused delete
    2  a usage error: a missing or unreadable input, an input that is not HDF5
       or not ASDF (plain HDF5), an existing output (pass --overwrite), an
       option that does not apply, an unknown run or group, a file locked by
       another process, a missing optional extra, permission or read-only errors

    \b
    --json prints exactly one JSON object on stdout; messages, warnings and
    progress bars go to stderr (--progress/--no-progress; default: a bar when
    stderr is a terminal).
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("asdfkit").setLevel(level)
    if no_hdf5_locking:
        click.get_current_context().call_on_close(without_hdf5_locking())


def main() -> None:  # pragma: no cover - thin wrapper for ``python -m asdfkit``
    cli(prog_name="asdf-cli")
