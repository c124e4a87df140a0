"""Atomic output files: write under a temporary name, rename at the end."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path"]


@contextmanager
def atomic_path(target: Path, *, copy_existing: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``.

    On any exception (Ctrl-C included) the temporary file is removed and
    ``target`` is left exactly as it was.  With ``copy_existing`` the temporary
    file starts as a copy of ``target`` (for appends).
    """
    target = Path(target)
    temp = target.with_name(f".{target.name}.{os.getpid()}.partial")
    if copy_existing and target.exists():
        shutil.copy2(target, temp)
    try:
        yield temp
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
