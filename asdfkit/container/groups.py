"""Named, commented, nested groups of traces, stored in ``/AuxiliaryData/Groups``.

Layout (valid auxiliary data in every ASDF version, so pyasdf opens the file):

- a group ``arrays/ring1`` is the dataset ``/AuxiliaryData/Groups/arrays/ring1``;
  folders are the HDF5 groups on the way.  A name is either a group or a
  folder, never both (as files and directories);
- every part of a name is letters, digits and underscores and matches the
  file version's auxiliary-name rule (ASDF 1.0.0-1.0.2: at least two
  characters, starting and ending with a letter or digit);
- the dataset is a 1-D ``int8`` array holding one UTF-8 JSON object:
  ``{"layout": "asdfkit-group-1", "kind": "static", "comment": ..., "members": [trace names]}``
  or ``{... "kind": "dynamic", "query": {...}}``.

A **static** group lists its member traces by dataset name
(``NET.STA.LOC.CHA__START__END__TAG``); a **dynamic** group stores a query,
evaluated each time it is used, so it follows traces added later.  Static
members whose trace is gone are kept and reported (:meth:`GroupStore.missing`,
validate rule ASDF-GROUP-001), never silently dropped.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import h5py
import numpy as np

from ..errors import GroupKindError, InvalidNameError, InvalidValueError, NotFoundError
from ..naming import check_aux_name
from ..times import to_ns, to_utc
from .index import HeaderIndex, TraceHeader

__all__ = ["GROUPS_TYPE", "Group", "GroupStore", "LAYOUT", "QUERY_KEYS", "check_group_name",
           "normalize_query", "parse_record"]

#: The auxiliary data type holding the groups.
GROUPS_TYPE = "Groups"
#: Value of the ``layout`` field of every record.
LAYOUT = "asdfkit-group-1"

log = logging.getLogger(__name__)

_PART = re.compile(r"^[A-Za-z0-9_]+$")
_CODES = ("network", "station", "location", "channel", "tag")
_TIMES = ("starttime", "endtime")
_NUMBERS = ("sampling_rate", "min_distance_km", "max_distance_km", "min_distance_deg", "max_distance_deg")
#: Keys a dynamic group's query may hold.
QUERY_KEYS = frozenset({*_CODES, *_TIMES, *_NUMBERS, "labels", "event_id", "distance_event"})
_DISTANCE = ("min_distance_km", "max_distance_km", "min_distance_deg", "max_distance_deg")


@dataclass(frozen=True)
class Group:
    """One group as stored: ``members`` for a static group, ``query`` for a dynamic one."""

    name: str
    kind: str
    comment: str = ""
    members: tuple[str, ...] = ()
    query: dict[str, Any] = field(default_factory=dict)

    @property
    def dynamic(self) -> bool:
        return self.kind == "dynamic"

    @property
    def folder(self) -> str:
        """The folder path (``arrays`` of ``arrays/ring1``; empty at the top)."""
        return self.name.rpartition("/")[0]

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"layout": LAYOUT, "kind": self.kind, "comment": self.comment}
        if self.dynamic:
            record["query"] = self.query
        else:
            record["members"] = list(self.members)
        return record


def _exists(name: str) -> InvalidValueError:
    return InvalidValueError(f"group {name!r} already exists; delete or rename it first")


def check_group_name(name: object, version: str) -> list[str]:
    """The parts of a valid group name, or :class:`InvalidNameError` naming the rule."""
    if not isinstance(name, str) or not name.strip("/"):
        raise InvalidNameError(f"invalid group name {name!r}: must be a non-empty str like 'arrays/ring1'")
    parts = name.strip("/").split("/")
    for part in parts:
        if not _PART.fullmatch(part):
            raise InvalidNameError(
                f"invalid group name {name!r}: part {part!r} must match ^[A-Za-z0-9_]+$ "
                "(letters, digits, underscore; '/' separates folders)"
            )
        try:
            check_aux_name(part, version)
        except InvalidNameError as exc:
            raise InvalidNameError(f"invalid group name {name!r} for ASDF {version}: {exc}") from None
    return parts


def _codes(value: Any, key: str) -> str | list[str]:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) and v for v in value):
        return list(value)
    raise InvalidValueError(f"invalid query {key}={value!r}: must be a non-empty str or list of str")


def normalize_query(query: Mapping[str, Any]) -> dict[str, Any]:
    """A dynamic group's query checked and made JSON-ready (times as ISO strings)."""
    unknown = sorted(set(query) - QUERY_KEYS)
    if unknown:
        raise InvalidValueError(
            f"invalid query key {unknown[0]!r}: a dynamic group's query takes {', '.join(sorted(QUERY_KEYS))}"
        )
    out: dict[str, Any] = {}
    for key, value in query.items():
        if value is None or value == [] or value == ():
            continue
        if key in _CODES:
            out[key] = _codes(value, key)
        elif key in _TIMES:
            out[key] = str(to_utc(to_ns(value)))
        elif key in _NUMBERS:
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = math.nan
            if not math.isfinite(number) or number < 0:
                raise InvalidValueError(f"invalid query {key}={value!r}: must be a finite number >= 0")
            out[key] = number
        elif key == "labels":
            out[key] = [value] if isinstance(value, str) else list(_codes(value, key))
        else:  # event_id, distance_event
            out[key] = _codes(value, key) if key == "event_id" else str(value)
    if "starttime" in out and "endtime" in out and to_ns(out["starttime"]) > to_ns(out["endtime"]):
        raise InvalidValueError(f"invalid query: starttime {out['starttime']} is after endtime {out['endtime']}")
    if any(k in out for k in _DISTANCE) and not (out.get("distance_event") or isinstance(out.get("event_id"), str)):
        raise InvalidValueError(
            "invalid query: a distance range needs distance_event (or a single event_id) to measure from"
        )
    if not out:
        raise InvalidValueError("invalid query: a dynamic group needs at least one criterion")
    return out


def parse_record(name: str, raw: bytes) -> Group:
    """A :class:`Group` from its stored bytes; :class:`InvalidValueError` if they are not a group record."""
    try:
        record = json.loads(raw.rstrip(b"\x00").decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidValueError(f"group {name!r} is not a UTF-8 JSON record: {exc}") from None
    if not isinstance(record, dict) or record.get("kind") not in ("static", "dynamic"):
        raise InvalidValueError(f"group {name!r}: record has no kind 'static' or 'dynamic'")
    comment = record.get("comment") or ""
    if record["kind"] == "static":
        members = record.get("members")
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise InvalidValueError(f"group {name!r}: members must be a list of trace names")
        return Group(name, "static", str(comment), tuple(members))
    query = record.get("query")
    if not isinstance(query, dict):
        raise InvalidValueError(f"group {name!r}: a dynamic group needs a query object")
    return Group(name, "dynamic", str(comment), (), query)


def _member_name(item: str | TraceHeader) -> str:
    if isinstance(item, TraceHeader):
        return item.name
    if isinstance(item, str) and item:
        return item.rpartition("/")[2]  # an HDF5 path works too
    raise InvalidValueError(f"invalid group member {item!r}: must be a trace name, HDF5 path or TraceHeader")


class GroupStore(Mapping[str, Group]):
    """The groups of one open file, as a read-only mapping plus editing methods.

    Parameters
    ----------
    h5
        The open HDF5 file.
    version
        The file's ASDF version (name rules).
    check_writable
        Called before every change (raises on a read-only file).
    select
        ``select(**query) -> list[TraceHeader]``: the file's trace query.
    distance
        ``distance(header, event_id) -> (km, degrees)`` or ``None`` without coordinates.
    exists
        ``exists(trace_name) -> bool``.
    index
        ``index() -> HeaderIndex``: answers queries of codes and tags alone
        without building headers (optional).
    """

    def __init__(
        self,
        h5: h5py.File,
        version: str,
        check_writable: Callable[[], None],
        select: Callable[..., list[TraceHeader]],
        distance: Callable[[TraceHeader, str], tuple[float, float] | None],
        exists: Callable[[str], bool],
        index: Callable[[], HeaderIndex] | None = None,
    ) -> None:
        self._h5 = h5
        self._version = version
        self._check_writable = check_writable
        self._select = select
        self._distance = distance
        self._exists = exists
        self._index = index

    # -- reading -------------------------------------------------------------------
    def _root(self) -> h5py.Group | None:
        aux = self._h5.get("AuxiliaryData")
        node = aux.get(GROUPS_TYPE) if isinstance(aux, h5py.Group) else None
        return node if isinstance(node, h5py.Group) else None

    def _names(self) -> list[str]:
        root = self._root()
        if root is None:
            return []
        found: list[str] = []

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset):
                found.append(name)

        root.visititems(visit)
        return sorted(found)

    def __getitem__(self, name: str) -> Group:
        root = self._root()
        key = name.strip("/") if isinstance(name, str) else name
        node = root.get(key) if root is not None and isinstance(key, str) and key else None
        if not isinstance(node, h5py.Dataset):
            what = "a folder, not a group" if isinstance(node, h5py.Group) else "not found"
            raise NotFoundError(f"group {name!r} {what}")
        return parse_record(key, np.asarray(node[()]).tobytes())

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, name: object) -> bool:
        root = self._root()
        return isinstance(name, str) and root is not None and bool(name.strip("/")) and isinstance(
            root.get(name.strip("/")), h5py.Dataset)

    def folders(self) -> list[str]:
        """Every folder path, sorted (``arrays``, ``arrays/north``...)."""
        root = self._root()
        if root is None:
            return []
        found: list[str] = []

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Group):
                found.append(name)

        root.visititems(visit)
        return sorted(found)

    def in_folder(self, folder: str = "", recursive: bool = False) -> list[str]:
        """Names of the groups directly in ``folder`` (all below it with ``recursive``)."""
        prefix = folder.strip("/")
        chosen = []
        for name in self._names():
            parent = name.rpartition("/")[0]
            if parent == prefix or (recursive and (not prefix or name.startswith(prefix + "/"))):
                chosen.append(name)
        return chosen

    # -- evaluating ----------------------------------------------------------------
    def headers(self, name: str) -> list[TraceHeader]:
        """Headers of the traces in the group now (a dynamic group's query is run)."""
        group = self[name]
        if group.dynamic:
            return self._evaluate(group.query)
        wanted = set(group.members)
        return [h for h in self._select() if h.name in wanted]

    def members(self, name: str) -> list[str]:
        """Names of the group's traces present in the file, sorted."""
        return sorted(h.name for h in self.headers(name))

    def missing(self, name: str | None = None) -> dict[str, list[str]]:
        """``{group: [member names whose trace is gone]}`` of static groups (all or one)."""
        names = [name] if name is not None else list(self)
        out: dict[str, list[str]] = {}
        for item in names:
            group = self[item]
            gone = [m for m in group.members if not self._exists(m)]
            if gone:
                out[item] = gone
        return out

    def _evaluate(self, query: Mapping[str, Any]) -> list[TraceHeader]:
        plain = {k: v for k, v in query.items() if k not in (*_DISTANCE, "distance_event")}
        headers = self._select(**plain)
        if not any(k in query for k in _DISTANCE):
            return headers
        origin = str(query.get("distance_event") or query["event_id"])
        kept = []
        for header in headers:
            measured = self._distance(header, origin)
            if measured is None:
                continue
            km, deg = measured
            if (km >= query.get("min_distance_km", -math.inf) and km <= query.get("max_distance_km", math.inf)
                    and deg >= query.get("min_distance_deg", -math.inf)
                    and deg <= query.get("max_distance_deg", math.inf)):
                kept.append(header)
        return kept

    def _names_of(self, query: Mapping[str, Any]) -> list[str]:
        """Trace names a query selects; codes-and-tags queries straight from the index columns."""
        if self._index is None or not set(query) <= set(_CODES):
            return [h.name for h in self._evaluate(query)]
        index = self._index()
        mask = np.ones(len(index), dtype=bool)
        for key, value in query.items():
            mask &= index.match(key, value)
        return [index.names[i] for i in np.flatnonzero(mask)]

    # -- writing -------------------------------------------------------------------
    def _write(self, group: Group, replace: bool = False) -> None:
        parts = check_group_name(group.name, self._version)
        raw = json.dumps(group.to_record(), sort_keys=True, ensure_ascii=False).encode("utf-8")
        aux = self._h5.require_group("AuxiliaryData")
        node: h5py.Group = aux
        for depth, part in enumerate([GROUPS_TYPE, *parts[:-1]]):
            child = node.get(part)
            if child is None:
                node = node.create_group(part)
            elif isinstance(child, h5py.Group):
                node = child
            else:
                where = "/".join(parts[:depth])
                raise InvalidValueError(f"cannot create group {group.name!r}: {where!r} is a group, not a folder")
        existing = node.get(parts[-1])
        if isinstance(existing, h5py.Group):
            raise InvalidValueError(f"cannot create group {group.name!r}: it is a folder of other groups")
        if existing is not None and not replace:
            raise _exists(group.name)
        if existing is not None:
            del node[parts[-1]]
        node.create_dataset(parts[-1], data=np.frombuffer(raw, dtype=np.int8))

    def check_new(self, name: str) -> str:
        """The name a new group ``name`` would get, or the error :meth:`create` would raise for it:
        an invalid name (:class:`InvalidNameError`) or a group that exists (:class:`InvalidValueError`)."""
        check_group_name(name, self._version)
        name = name.strip("/")
        if name in self:
            raise _exists(name)
        return name

    def create(
        self,
        name: str,
        *,
        members: Iterable[str | TraceHeader] | None = None,
        query: Mapping[str, Any] | None = None,
        comment: str = "",
    ) -> Group:
        """Create a static group (``members=``) or a dynamic one (``query=``).

        Members are trace names (``NET.STA.LOC.CHA__START__END__TAG``), HDF5
        paths or headers from :meth:`ASDFFile.list_waveforms`; each must exist.

        Examples
        --------
        >>> f.groups.create("vertical", query={"channel": "??Z"}, comment="Z")  # doctest: +SKIP
        >>> f.groups.create("arrays/ring1", members=f.list_waveforms(station="A*"))  # doctest: +SKIP
        """
        if (members is None) == (query is None):
            raise InvalidValueError(f"group {name!r}: give members= (static) or query= (dynamic), exactly one")
        if not isinstance(comment, str):
            raise InvalidValueError(f"invalid comment {comment!r}: must be a str")
        check_group_name(name, self._version)
        name = name.strip("/")
        if query is not None:
            group = Group(name, "dynamic", comment, (), normalize_query(query))
            self._evaluate(group.query)  # a query that cannot run is refused now, not at use
        else:
            group = Group(name, "static", comment, tuple(sorted(self._checked(members or []))))
        self._check_writable()
        self._write(group)
        return group

    def _checked(self, members: Iterable[str | TraceHeader]) -> set[str]:
        names = {_member_name(m) for m in members}
        for member in sorted(names):
            if not self._exists(member):
                raise NotFoundError(f"invalid group member {member!r}: no such trace in the file")
        return names

    def _static(self, name: str) -> Group:
        group = self[name]
        if group.dynamic:
            raise GroupKindError(
                f"group {name!r} is dynamic (defined by a query): members cannot be added or removed"
            )
        return group

    def add(self, name: str, members: Iterable[str | TraceHeader]) -> int:
        """Add traces to a static group; return how many were new."""
        group = self._static(name)
        new = self._checked(members) - set(group.members)
        if new:
            self._check_writable()
            self._write(Group(group.name, "static", group.comment, tuple(sorted({*group.members, *new}))),
                        replace=True)
        return len(new)

    def remove(self, name: str, members: Iterable[str | TraceHeader]) -> int:
        """Remove traces (present or gone) from a static group; return how many were members."""
        group = self._static(name)
        drop = {_member_name(m) for m in members} & set(group.members)
        if drop:
            self._check_writable()
            self._write(Group(group.name, "static", group.comment,
                              tuple(m for m in group.members if m not in drop)), replace=True)
        return len(drop)

    def set_comment(self, name: str, comment: str) -> None:
        """Replace a group's comment."""
        group = self[name]
        self._check_writable()
        self._write(Group(group.name, group.kind, comment, group.members, group.query), replace=True)

    def rename(self, old: str, new: str) -> Group:
        """Rename (or move to another folder) a group."""
        group = self[old]
        check_group_name(new, self._version)
        new = new.strip("/")
        if new in self:
            raise InvalidValueError(f"cannot rename {old!r} to {new!r}: a group of that name exists")
        self._check_writable()
        moved = Group(new, group.kind, group.comment, group.members, group.query)
        self._write(moved)
        self._delete(group.name)
        return moved

    def delete(self, name: str) -> None:
        """Delete a group (its traces stay); empty folders on the way go too."""
        self[name]
        self._check_writable()
        self._delete(name.strip("/"))

    def _delete(self, name: str) -> None:
        root = self._root()
        assert root is not None
        del root[name]
        parent = name.rpartition("/")[0]
        while parent and len(root[parent]) == 0:
            del root[parent]
            parent = parent.rpartition("/")[0]
        if len(root) == 0:
            del self._h5["AuxiliaryData"][GROUPS_TYPE]

    def of_trace_names(self, names: Sequence[str]) -> dict[str, list[str]]:
        """``{trace name: [groups holding it]}`` for the given traces (dynamic groups evaluated)."""
        wanted = set(names)
        out: dict[str, list[str]] = {}
        for group_name in self:
            try:
                group = self[group_name]
            except InvalidValueError as exc:  # not a group record: validate reports it (ASDF-GROUP-002)
                log.warning("skipping %s: %s", group_name, exc)
                continue
            found = group.members if not group.dynamic else self._names_of(group.query)
            for member in found:
                if member in wanted:
                    out.setdefault(member, []).append(group_name)
        return out
