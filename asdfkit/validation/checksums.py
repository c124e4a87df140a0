"""``validate --checksums``: read every stored chunk of every dataset and report those that fail.

A chunk whose fletcher32 checksum does not match, or whose deflate/szip
stream does not decode, makes HDF5 fail the read.  The walk
(:func:`asdfkit.container.verify.scan`) reads each chunk on its own, so one
bad chunk is reported with its position and the others are still checked;
only stored chunks are read, so a file declaring huge unallocated datasets
costs nothing.  Objects whose metadata cannot be read are skipped here: the
structural checks report them (ASDF-FILE-002).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..container.verify import scan, stored_bytes
from .context import Context

__all__ = ["check_checksums", "stored_bytes"]

log = logging.getLogger(__name__)

RULE = "ASDF-FILE-008"


def check_checksums(root: Any, ctx: Context, progress: Callable[[int], None] | None = None) -> int:
    """Check every dataset under the low-level group ``root``; return the number of bad chunks."""
    failures = chunks = 0
    unreadable = frozenset(f.path for f in ctx.findings if f.rule == "ASDF-FILE-002")  # reported already
    for result in scan(root, skip=unreadable):
        chunks += 1
        if result.error is not None:
            failures += 1
            start = result.start[0] if len(result.start) == 1 else result.start
            where = f"chunk at {start}" if result.chunked else "contiguous data"
            ctx.add(RULE, result.path, f"{where} (file offset {result.address}, {result.size} bytes stored) "
                                       f"does not decode: {result.error}")
        if progress is not None:
            progress(result.size)
    ctx.count("chunks", chunks)
    log.info("checked every stored chunk of %s: %d of %d failed", ctx.path, failures, chunks)
    return failures
