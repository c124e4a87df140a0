"""Links, unreadable objects and object kinds: what every walk over the file checks first."""

from __future__ import annotations

from ..container.inspect import DATASET, DATATYPE, ERROR, EXTLINK, GROUP, LOOP, SOFTLINK, Node
from .context import Context

__all__ = ["check_link"]


def check_link(node: Node, ctx: Context) -> bool:
    """Report what is wrong with ``node`` as an HDF5 object; True if it is a group or dataset.

    Rules: ASDF-FILE-002 (unreadable), ASDF-FILE-003 (dangling link),
    ASDF-FILE-004 (soft/external link), ASDF-FILE-005 (cycle, too deep),
    ASDF-FILE-006 (committed datatype).
    """
    if node.kind in (GROUP, DATASET):
        if node.error:
            ctx.add("ASDF-FILE-002", node.path, node.error)
        return True
    if node.kind == ERROR:
        ctx.add("ASDF-FILE-002", node.path, node.error or "unreadable object")
    elif node.kind == LOOP:
        ctx.add("ASDF-FILE-005", node.path, node.error or "cycle")
    elif node.kind == SOFTLINK:
        if node.error:
            ctx.add("ASDF-FILE-003", node.path, node.error)
        else:
            ctx.add("ASDF-FILE-004", node.path,
                    f"soft link to {node.link_target!r}: not followed (ASDF objects are hard links)")
    elif node.kind == EXTLINK:
        ctx.add("ASDF-FILE-004", node.path,
                f"external link to {node.link_target!r}: never opened (ASDF files are self-contained)")
    elif node.kind == DATATYPE:
        ctx.add("ASDF-FILE-006", node.path, "committed datatype: not part of the ASDF layout")
    return False
