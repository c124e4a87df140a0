"""/AuxiliaryData/Groups: asdfkit's trace groups (see :mod:`asdfkit.container.groups`).

Groups are ordinary auxiliary data to the format; these checks only warn, so a
file stays valid.  A static group's member whose trace is gone is reported
(ASDF-GROUP-001), and so is a dataset there that is not a group record
(ASDF-GROUP-002).
"""

from __future__ import annotations

from ..container.groups import GROUPS_TYPE, parse_record
from ..container.inspect import DATASET, Inspector, Node
from ..errors import InvalidValueError
from .auxiliary import MAX_DEPTH
from .context import Context

__all__ = ["check_groups"]

#: Largest group record read (a static group of ~1 million members).
MAX_RECORD_BYTES = 64 * 1024 * 1024


def _trace_exists(h5: Inspector, waveforms: Node | None, name: str) -> bool:
    if waveforms is None:
        return False
    station = h5.child(waveforms, ".".join(name.split("__", 1)[0].split(".")[:2]), values=())
    if station is None or station.handle is None:
        return False
    node = h5.child(station, name, values=())
    return node is not None and node.kind == DATASET


def check_groups(h5: Inspector, auxiliary: Node, ctx: Context) -> None:
    """Rules ASDF-GROUP-001 and ASDF-GROUP-002."""
    if not ctx.wants("ASDF-GROUP"):
        return
    top = h5.child(auxiliary, GROUPS_TYPE, values=())
    if top is None or top.handle is None:
        return
    root = h5.root(values=())
    waveforms = h5.child(root, "Waveforms", values=())
    prefix = top.path.rstrip("/") + "/"
    for _depth, node in h5.walk(top, max_depth=MAX_DEPTH, values=()):
        if node.kind != DATASET:
            continue
        name = node.path[len(prefix):]
        result = h5.read_bytes(node, MAX_RECORD_BYTES)
        if result.data is None:
            ctx.add("ASDF-GROUP-002", node.path, f"group {name!r} not read: {result.error}")
            continue
        try:
            group = parse_record(name, result.data)
        except InvalidValueError as exc:
            ctx.add("ASDF-GROUP-002", node.path, str(exc))
            continue
        ctx.count("groups")
        for member in group.members:
            if not _trace_exists(h5, waveforms, member):
                ctx.add("ASDF-GROUP-001", node.path,
                        f"static group {name!r} lists trace {member!r}, which is not in /Waveforms")
