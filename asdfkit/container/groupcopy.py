"""How groups travel with file surgery: extract trims them, merge unites them.

- **extract** copies every group by default; a static group keeps only the
  members that were extracted (a dynamic group's query is copied as is: it is
  evaluated against the new file).
- **merge** copies groups the target lacks; two static groups of one name
  become one with the union of their members (the target's comment kept);
  two dynamic groups of one name must have the same query, and a static and a
  dynamic group of one name cannot be merged
  (:class:`~asdfkit.errors.MergeConflictError`).
"""

from __future__ import annotations

import json
from collections.abc import Collection

import h5py
import numpy as np

from ..errors import InvalidValueError, MergeConflictError
from .groups import GROUPS_TYPE, Group, parse_record

__all__ = ["GROUPS_PREFIX", "copy_groups", "merged_group"]

#: HDF5 path prefix of every group record.
GROUPS_PREFIX = f"/AuxiliaryData/{GROUPS_TYPE}/"


def _read(node: h5py.Dataset, name: str) -> Group:
    return parse_record(name, np.asarray(node[()]).tobytes())


def _store(h5: h5py.File, path: str, group: Group) -> None:
    raw = json.dumps(group.to_record(), sort_keys=True, ensure_ascii=False).encode("utf-8")
    if path in h5:
        del h5[path]
    parent, _, leaf = path.rpartition("/")
    h5.require_group(parent).create_dataset(leaf, data=np.frombuffer(raw, dtype=np.int8))


def copy_groups(src: h5py.File, out: h5py.File, kept: Collection[str]) -> int:
    """Copy every group of ``src`` into ``out``, static members trimmed to ``kept``; return how many."""
    root = src.get(GROUPS_PREFIX.rstrip("/"))
    if not isinstance(root, h5py.Group):
        return 0
    found: list[str] = []
    root.visititems(lambda name, obj: found.append(name) if isinstance(obj, h5py.Dataset) else None)
    wanted = set(kept)
    for name in sorted(found):
        try:
            group = _read(root[name], name)
        except InvalidValueError:
            out.copy(root[name], out.require_group(GROUPS_PREFIX + name.rpartition("/")[0]),
                     name=name.rpartition("/")[2])  # not ours to interpret: copied as stored
            continue
        if not group.dynamic:
            group = Group(group.name, "static", group.comment, tuple(m for m in group.members if m in wanted))
        _store(out, GROUPS_PREFIX + name, group)
    return len(found)


def merged_group(existing: h5py.Dataset, incoming: h5py.Dataset, path: str, source: str) -> Group | None:
    """The union of two group records of one name, ``None`` if nothing changes; conflict if they cannot merge."""
    name = path[len(GROUPS_PREFIX):]
    try:
        have, new = _read(existing, name), _read(incoming, name)
    except InvalidValueError as exc:
        raise MergeConflictError(f"cannot merge {source!r}: {path} differs and is not a group record ({exc})") from None
    if have.kind != new.kind:
        raise MergeConflictError(
            f"cannot merge {source!r}: group {name!r} is {new.kind} there and {have.kind} in the target "
            "(rule: groups of one name merge only if both are static, or dynamic with the same query)"
        )
    if have.dynamic:
        if have.query != new.query:
            raise MergeConflictError(
                f"cannot merge {source!r}: dynamic group {name!r} has query {json.dumps(new.query)} there and "
                f"{json.dumps(have.query)} in the target (rule: dynamic groups of one name need the same query)"
            )
        return None
    union = tuple(sorted({*have.members, *new.members}))
    if union == have.members:
        return None
    return Group(have.name, "static", have.comment or new.comment, union)


def write_group(h5: h5py.File, path: str, group: Group) -> None:
    """Store ``group`` at ``path``, replacing what is there."""
    _store(h5, path, group)
