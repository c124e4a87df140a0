"""Which folders a CSS database may read sample and response files from.

A wfdisc row names its file with ``dir``/``dfile``, which may be absolute or
climb out of the database with ``..``: a database received from someone else
could make a conversion read ``/etc/passwd`` or ``/proc/self/environ`` and store
it as samples.  So a file is read only when its real path (symlinks resolved)
lies under one of the allowed roots: the database's folder (and the folders of
its wfdisc and instrument tables), the targets of the user's ``remap`` and the
folders the user names as ``data_roots`` (``--data-root DIR``).  The folders a
descriptor's ``dbpath`` names are not roots by themselves: the descriptor
belongs to the untrusted database.

>>> roots = DataRoots(["/data/db"])
>>> roots.contains(Path("/data/db/wf/a.w")), roots.contains(Path("/data/db/../etc/passwd"))
(True, False)
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ...errors import OutsideDataRootError

__all__ = ["DataRoots"]


def _real(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.realpath(path))


@dataclass(frozen=True)
class DataRoots:
    """Real folders under which a database's files may be read."""

    roots: tuple[Path, ...]

    def __init__(self, roots: Iterable[str | os.PathLike[str]]) -> None:
        object.__setattr__(self, "roots", tuple(dict.fromkeys(_real(r) for r in roots)))

    def contains(self, path: Path) -> bool:
        """Whether ``path`` (and the ``.gz`` file read in its place) really lies under a root."""
        return all(any(real.is_relative_to(root) for root in self.roots)
                   for real in (_real(path), _real(path.with_name(path.name + ".gz"))))

    def check(self, path: Path, where: str, what: str = "sample file") -> Path:
        """Return ``path`` if it may be read, else raise :class:`~asdfkit.errors.OutsideDataRootError`."""
        if self.contains(path):
            return path
        real = _real(path)
        shown = f"{path}" if real == path else f"{path} (resolves to {real})"
        raise OutsideDataRootError(
            f"{where}: {what} {shown} is outside the database folder and the data roots "
            f"({', '.join(map(str, self.roots))}): refused; pass --data-root DIR (data_roots=) "
            "or --remap OLD=NEW (remap=) to allow reading it"
        )
