"""The ``asdf-cli`` command line: thin click commands over the library.

The command line itself is the public interface (see the CLI reference); from Python only
:data:`cli`, the click group behind ``asdf-cli``, is public, e.g. for ``click.testing``.
The command modules are implementation details.
"""

from __future__ import annotations

from typing import Any

__all__ = ["cli"]


def __getattr__(name: str) -> Any:
    if name == "cli":
        from .main import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
