"""Read-only, low-level HDF5 access for the validator: plain descriptions, no exceptions.

The validator must survive truncated, corrupted and hostile files, so this
module never hands it an h5py object.  It walks a file one group at a time
through ``h5py.h5g``/``h5py.h5d``/``h5py.h5a`` and yields :class:`Node` and
:class:`AttrInfo` values: names, kinds, dtypes, shapes, attribute types and
(small) attribute values.  Every h5py call sits behind one boundary that turns
the errors h5py raises on bad content into an ``error`` string on the value.

Sizes are checked before anything is read: attribute values above
:data:`MAX_ATTR_BYTES` and XML datasets above the caller's cap are described
but never read, because a single flipped byte in a dataspace can make HDF5
allocate gigabytes.  Soft links are described, not followed; external links
are never opened.

Examples
--------
>>> from asdfkit.container.inspect import Inspector
>>> with Inspector.open("example.h5") as h5:            # doctest: +SKIP
...     for node in h5.children(h5.get("/Waveforms")):
...         print(node.path, node.kind)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import h5py
import numpy as np
from h5py import h5a, h5d, h5g, h5l, h5o, h5s, h5t

from ..errors import FileLockedError, FormatError
from .hdf5locking import locking_options

__all__ = [
    "H5_ERRORS",
    "MAX_ATTR_BYTES",
    "AttrInfo",
    "Inspector",
    "Node",
    "ReadResult",
]

#: What h5py raises when HDF5 meets bad content (its error stack mapped to builtins).
H5_ERRORS: tuple[type[BaseException], ...] = (OSError, RuntimeError, ValueError, KeyError, TypeError)
#: Attribute values larger than this (bytes) are described but never read.
MAX_ATTR_BYTES = 64 * 1024
#: Attributes beyond this count on one object are not described.
MAX_ATTRS = 256
#: HDF5 metadata cache size while walking (fixed: memory must not grow with the file).
METADATA_CACHE_BYTES = 2 * 1024 * 1024
#: Group members listed per HDF5 iteration call.
_BATCH = 256
#: Datasets larger than this (bytes) must store at least 1/_MAX_RATIO of it to be read.
_SMALL, _MAX_RATIO = 64 * 1024, 1100

#: Node kinds.  ``loop`` is a group not entered (a hard-link cycle or too deep).
GROUP, DATASET, DATATYPE, SOFTLINK, EXTLINK, ERROR, LOOP = (
    "group", "dataset", "datatype", "softlink", "extlink", "error", "loop",
)
#: ``guard(path, sizeof_length) -> reason or None``: may variable-length values be read?
VlenGuard = Callable[[str, int], "str | None"]
_CLASSES = {h5t.INTEGER: "integer", h5t.FLOAT: "float", h5t.STRING: "string"}
_VLEN_BYTES = h5py.string_dtype("ascii")


def _text(raw: bytes) -> str:
    """Display form of an HDF5 name: UTF-8, undecodable bytes as ``\\xNN`` escapes."""
    return raw.decode("utf-8", errors="backslashreplace")


def _join(parent: str, name: str) -> str:
    return f"{parent.rstrip('/')}/{name}"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) < 300 else text[:297] + "..."


@cache
def _mtype(dtype: str) -> Any:
    return h5t.py_create(np.dtype(dtype))


@cache
def _ieee_fields(size: int) -> tuple[int, ...]:
    return tuple(h5t.py_create(np.dtype(f"<f{size}")).get_fields())


@cache
def _vlen_mtype() -> Any:
    return h5t.py_create(_VLEN_BYTES)


@dataclass(frozen=True)
class AttrInfo:
    """One attribute as stored: class, type, shape, size and (if small) value.

    ``value`` is a numpy scalar/array for numbers and ``bytes`` (or an array of
    ``bytes``) for strings, exactly as stored (fixed-length strings keep their
    padding NULs).  ``read`` tells whether the value was read at all.
    """

    name: str
    cls: str = "other"
    dtype: np.dtype | None = None
    shape: tuple[int, ...] | None = ()
    nbytes: int = 0
    value: Any = None
    read: bool = False
    vlen: bool = False
    cset: str = ""
    error: str | None = None
    #: The value was deliberately not read (variable-length data of a file whose heap is unsafe).
    withheld: bool = False

    @property
    def is_scalar(self) -> bool:
        return self.shape == ()


@dataclass(frozen=True)
class Node:
    """One HDF5 object (or link) as seen from its parent group."""

    path: str
    name: str
    kind: str
    raw_name: bytes = b""
    dtype: np.dtype | None = None
    type_class: str = ""
    shape: tuple[int, ...] | None = None
    maxshape: tuple[int | None, ...] | None = None
    filters: tuple[int, ...] = ()
    attrs: tuple[AttrInfo, ...] = ()
    attr_count: int = 0
    link_target: str | None = None
    error: str | None = None
    address: int | None = None
    handle: Any = field(default=None, compare=False, repr=False)

    def attr(self, name: str) -> AttrInfo | None:
        for info in self.attrs:
            if info.name == name:
                return info
        return None

    @property
    def nbytes(self) -> int | None:
        """Size of a dataset's values in memory (exact Python int), from shape and dtype."""
        if self.shape is None or self.dtype is None:
            return None
        count = 1
        for dim in self.shape:
            count *= int(dim)
        return count * self.dtype.itemsize


@dataclass(frozen=True)
class ReadResult:
    """Bytes of a dataset, or why they were not read."""

    data: bytes | None
    error: str | None = None


def _space(space: Any) -> tuple[tuple[int, ...] | None, tuple[int | None, ...] | None]:
    kind = space.get_simple_extent_type()
    if kind == h5s.SCALAR:
        return (), ()
    if kind == h5s.NULL:
        return None, None
    dims = tuple(int(d) for d in space.get_simple_extent_dims())
    maxdims = tuple(None if d == h5s.UNLIMITED else int(d) for d in space.get_simple_extent_dims(True))
    return dims, maxdims


_NUMERIC: dict[tuple[int, int, int, int, tuple[int, ...]], np.dtype | None] = {}


def _numeric_dtype(tid: Any, cls: int) -> np.dtype | None:
    """The numpy dtype of an HDF5 integer or IEEE float type (None for anything else)."""
    size, order = tid.get_size(), tid.get_order()
    if cls == h5t.INTEGER:
        key: tuple[int, int, int, int, tuple[int, ...]] = (cls, size, order, tid.get_sign(), ())
    else:
        key = (cls, size, order, 0, tuple(tid.get_fields()))
    try:
        return _NUMERIC[key]
    except KeyError:
        pass
    char = "<" if order == h5t.ORDER_LE else ">"
    dtype = None
    if cls == h5t.INTEGER and size in (1, 2, 4, 8):
        dtype = np.dtype(f"{char}{'i' if key[3] == h5t.SGN_2 else 'u'}{size}")
    elif cls == h5t.FLOAT and size in (2, 4, 8) and key[4] == _ieee_fields(size):
        dtype = np.dtype(f"{char}f{size}")  # a non-IEEE float layout is not what numpy thinks
    _NUMERIC[key] = dtype
    return dtype


def _describe_attr(attr: Any, name: str, want_value: bool, vlen_ok: Callable[[], bool]) -> AttrInfo:
    tid = attr.get_type()
    cls = tid.get_class()
    shape, _ = _space(attr.get_space())
    count = 0
    if shape is not None:
        count = 1
        for dim in shape:
            count *= dim
    vlen, cset, dtype = False, "", None
    if cls == h5t.STRING:
        vlen = tid.is_variable_str()
        cset = "utf-8" if tid.get_cset() == h5t.CSET_UTF8 else "ascii"
        nbytes = count * (16 if vlen else tid.get_size())
    else:
        dtype = _numeric_dtype(tid, cls) if cls in (h5t.INTEGER, h5t.FLOAT) else None
        nbytes = count * tid.get_size()
    kind = _CLASSES.get(cls, "other")
    if not want_value or shape is None or nbytes > MAX_ATTR_BYTES or (dtype is None and not cset):
        return AttrInfo(name, kind, dtype, shape, nbytes, vlen=vlen, cset=cset)
    if vlen and not vlen_ok():
        return AttrInfo(name, kind, dtype, shape, nbytes, vlen=vlen, cset=cset, withheld=True)
    try:
        if cset and vlen:
            buf = np.empty(shape, dtype=_VLEN_BYTES)
            attr.read(buf, mtype=_vlen_mtype())
        elif cset:
            buf = np.empty(shape, dtype=f"S{tid.get_size()}")
            attr.read(buf, mtype=tid)
        else:
            assert dtype is not None
            buf = np.empty(shape, dtype=dtype)
            attr.read(buf, mtype=_mtype(dtype.str))
    except H5_ERRORS as exc:
        return AttrInfo(name, kind, dtype, shape, nbytes, vlen=vlen, cset=cset,
                        error=f"cannot read attribute {name!r}: {_reason(exc)}")
    value: Any = buf[()]
    if cset and shape == ():
        value = bytes(value) if vlen else buf.tobytes()  # keep a fixed string's padding
    if vlen:
        nbytes = sum(len(v) for v in buf.ravel() if isinstance(v, bytes))
        if nbytes > MAX_ATTR_BYTES:
            return AttrInfo(name, kind, dtype, shape, nbytes, vlen=vlen, cset=cset)
    return AttrInfo(name, kind, dtype, shape, nbytes, value, True, vlen, cset)


def _attrs(obj: Any, values: Collection[str] | None, vlen_ok: Callable[[], bool]
           ) -> tuple[tuple[AttrInfo, ...], int, str | None]:
    """Describe the attributes of ``obj``; read values of names in ``values`` (all if None)."""
    try:
        count = h5a.get_num_attrs(obj)
    except H5_ERRORS as exc:
        return (), 0, f"cannot list attributes: {_reason(exc)}"
    out: list[AttrInfo] = []
    for index in range(min(count, MAX_ATTRS)):
        try:
            attr = h5a.open(obj, index=index)
            name = _text(attr.get_name())
        except H5_ERRORS as exc:
            return tuple(out), count, f"cannot open attribute #{index}: {_reason(exc)}"
        try:
            out.append(_describe_attr(attr, name, values is None or name in values, vlen_ok))
        except H5_ERRORS as exc:
            out.append(AttrInfo(name, error=f"cannot describe attribute {name!r}: {_reason(exc)}"))
    return tuple(out), count, None


def _fixed_metadata_cache(handle: h5py.File) -> None:
    """Cap HDF5's metadata cache at :data:`METADATA_CACHE_BYTES`.

    The cache grows adaptively when its hit rate is low, as it is when every
    object is visited once; each cached object header costs several times its
    on-disk size, so a walk over 100,000 datasets would keep ~700 MB.  A fixed
    cap keeps memory flat at the same speed.
    """
    try:
        config = handle.id.get_mdc_config()
        config.set_initial_size = True
        config.initial_size = config.max_size = METADATA_CACHE_BYTES
        config.min_size = min(config.min_size, METADATA_CACHE_BYTES)
        config.incr_mode = config.flash_incr_mode = 0  # H5C_incr__off, H5C_flash_incr__off
        handle.id.set_mdc_config(config)
    except H5_ERRORS:  # pragma: no cover - an HDF5 without a configurable cache
        pass


class Inspector:
    """A read-only HDF5 file walked without h5py objects escaping.

    Use :meth:`open`; every method returns descriptions and never raises on
    bad file content.
    """

    def __init__(self, file: h5py.File, path: str = "", vlen_guard: VlenGuard | None = None) -> None:
        self._file = file
        self.path = path
        self._guard = vlen_guard
        self._vlen_state: bool | None = None
        #: Why variable-length values are not read (set by the guard), or None.
        self.vlen_problem: str | None = None

    @classmethod
    def open(cls, path: str | os.PathLike[str], vlen_guard: VlenGuard | None = None) -> Inspector:
        """Open ``path`` read-only.

        ``vlen_guard(path, sizeof_length)`` is called once, before the first
        variable-length value is read; if it returns a reason, no
        variable-length value of this file is read (``AttrInfo.withheld``).
        HDF5 loops forever on some corrupt global heaps, so a caller that must
        not hang checks them first.

        Raises
        ------
        asdfkit.errors.FormatError
            If the file does not exist or cannot be opened as HDF5 at all.
        """
        name = os.fspath(path)
        if not os.path.exists(name):
            raise FormatError(f"cannot open {name!r}: no such file")
        if os.path.isdir(name):
            raise FormatError(f"cannot open {name!r}: is a directory")
        try:
            if not h5py.is_hdf5(name):
                raise FormatError(f"cannot open {name!r}: not an HDF5 file")
            handle = h5py.File(name, "r", **locking_options())
        except FormatError:
            raise
        except H5_ERRORS as exc:
            if isinstance(exc, BlockingIOError) or "unable to lock file" in str(exc):
                raise FileLockedError(
                    f"cannot open {name!r}: locked by another process (a program has it open for "
                    "writing: HDF5 file lock); run again when it is done, or read it anyway with "
                    "asdf-cli --no-hdf5-locking"
                ) from exc
            raise FormatError(f"cannot open {name!r} as HDF5: {_reason(exc)}") from exc
        _fixed_metadata_cache(handle)
        return cls(handle, name, vlen_guard)

    def _vlen_ok(self) -> bool:
        if self._vlen_state is None:
            self._vlen_state = True
            if self._guard is not None:
                try:
                    length = int(self._file.id.get_create_plist().get_sizes()[1])
                except H5_ERRORS:
                    length = 8
                self.vlen_problem = self._guard(self.path, length)
                self._vlen_state = self.vlen_problem is None
        return self._vlen_state

    def close(self) -> None:
        """Close the file; every node's handle becomes invalid."""
        try:
            self._file.close()
        except H5_ERRORS:  # pragma: no cover - closing a corrupt file
            pass

    def reopen(self) -> None:
        """Close and open the same file again (e.g. around a ``fork``).

        Raises
        ------
        asdfkit.errors.FormatError
            If the file can no longer be opened.
        """
        self.close()
        self._file = Inspector.open(self.path)._file

    def metadata_cache_bytes(self) -> int:
        """The most HDF5's metadata cache may hold for this file (bytes)."""
        try:
            config = self._file.id.get_mdc_config()
            return int(max(config.max_size, self._file.id.get_mdc_size()[0]))
        except H5_ERRORS:  # pragma: no cover
            return 0

    def count(self, node: Node) -> int:
        """Number of members of a group node (0 if unreadable)."""
        try:
            return int(node.handle.get_num_objs()) if node.kind == GROUP and node.handle is not None else 0
        except H5_ERRORS:
            return 0

    def __enter__(self) -> Inspector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- description ------------------------------------------------------------
    def root(self, values: Collection[str] | None = None) -> Node:
        """The root group with its attributes."""
        gid = self._file.id
        try:
            root = h5g.open(gid, b"/")
        except H5_ERRORS as exc:
            return Node("/", "/", ERROR, b"/", error=f"cannot open the root group: {_reason(exc)}")
        attrs, count, error = _attrs(root, values, self._vlen_ok)
        return Node("/", "/", GROUP, b"/", attrs=attrs, attr_count=count, error=error,
                    address=self._address(root), handle=root)

    def child(self, parent: Node, name: str, values: Collection[str] | None = None,
              filters: bool = False) -> Node | None:
        """The child ``name`` of a group node, or ``None`` if there is no such link."""
        raw = name.encode("utf-8")
        gid = parent.handle
        if gid is None:
            return None
        try:
            if not gid.links.exists(raw):
                return None
            link = gid.links.get_info(raw).type
        except H5_ERRORS as exc:
            return Node(_join(parent.path, name), name, ERROR, raw,
                        error=f"cannot look up {name!r}: {_reason(exc)}")
        return self._describe(gid, parent.path, raw, link, values, filters)

    def children(self, parent: Node, values: Collection[str] | None = None,
                 filters: bool = False, skip: Collection[str] = (), expect: str = DATASET
                 ) -> Iterator[Node]:
        """Describe the members of a group node one at a time (streaming).

        ``values`` names the attributes whose values are read (``None``: all);
        ``skip`` names members not described at all; ``expect`` is the kind
        most members are (tried first).  A member that cannot be listed ends
        the iteration with one node of kind ``"error"``.
        """
        gid = parent.handle
        if gid is None or parent.kind != GROUP:
            return
        skipped = {s.encode("utf-8") for s in skip}
        start, more = 0, True
        while more:
            batch: list[tuple[bytes, int]] = []

            def collect(raw: bytes, info: Any, batch: list[tuple[bytes, int]] = batch) -> bool | None:
                batch.append((raw, info.type))
                return True if len(batch) >= _BATCH else None

            error = None
            try:
                more, start = gid.links.iterate(collect, info=True, idx=start)
            except H5_ERRORS as exc:
                more, error = False, f"cannot list the members of {parent.path!r}: {_reason(exc)}"
            for raw, link in batch:
                if raw not in skipped:
                    yield self._describe(gid, parent.path, raw, link, values, filters, expect)
            if error:
                yield Node(parent.path, parent.name, ERROR, parent.raw_name, error=error)

    def walk(self, top: Node, max_depth: int = 32, values: Collection[str] | None = None
             ) -> Iterator[tuple[int, Node]]:
        """Depth-first ``(depth, node)`` of everything below ``top`` (not ``top`` itself).

        Groups already visited (hard-link cycles) and groups deeper than
        ``max_depth`` are yielded with kind ``"loop"`` and not entered.
        """
        seen = {top.address} if top.address is not None else set()
        stack: list[tuple[int, Iterator[Node]]] = [(1, self.children(top, values))]
        while stack:
            depth, members = stack[-1]
            node = next(members, None)
            if node is None:
                stack.pop()
                continue
            if node.kind == GROUP:
                if node.address is not None and node.address in seen:
                    yield depth, Node(node.path, node.name, LOOP, node.raw_name,
                                      error=f"{node.path!r} links back to a group already visited (a cycle)")
                    continue
                if depth >= max_depth:
                    yield depth, Node(node.path, node.name, LOOP, node.raw_name,
                                      error=f"{node.path!r} is nested deeper than {max_depth} levels")
                    continue
                if node.address is not None:
                    seen.add(node.address)
                yield depth, node
                stack.append((depth + 1, self.children(node, values)))
            else:
                yield depth, node

    def read_bytes(self, node: Node, max_bytes: int) -> ReadResult:
        """All values of a 1-byte, 1-D (or scalar string) dataset as bytes, if within ``max_bytes``."""
        if node.kind != DATASET or node.handle is None or node.dtype is None or node.shape is None:
            return ReadResult(None, f"{node.path!r} is not a readable dataset")
        size = node.nbytes or 0
        if size > max_bytes:
            return ReadResult(None, f"{node.path!r} holds {size} bytes: more than the {max_bytes}-byte limit")
        if node.dtype.itemsize != 1 and node.dtype.kind != "S":
            return ReadResult(None, f"{node.path!r} has dtype {node.dtype}, not bytes")
        try:
            stored = node.handle.get_storage_size()
        except H5_ERRORS as exc:
            return ReadResult(None, f"cannot read {node.path!r}: {_reason(exc)}")
        if size > _SMALL and size > _MAX_RATIO * stored:
            # Deflate cannot expand more than ~1032:1: the dataspace is corrupt (or the data unwritten).
            return ReadResult(None, f"{node.path!r} claims {size} bytes but stores only {stored}: "
                                    "corrupt dataspace or unwritten data; not read")
        try:
            buf = np.empty(node.shape, dtype=node.dtype)
            if buf.size:
                node.handle.read(h5s.ALL, h5s.ALL, buf)
        except H5_ERRORS as exc:
            return ReadResult(None, f"cannot read {node.path!r}: {_reason(exc)}")
        return ReadResult(buf.tobytes())

    # -- internals ----------------------------------------------------------------
    @staticmethod
    def _address(oid: Any) -> int | None:
        try:
            return int(h5o.get_info(oid).addr)
        except H5_ERRORS:
            return None

    def _describe(self, gid: Any, parent: str, raw: bytes, link: int, values: Collection[str] | None,
                  filters: bool, expect: str = DATASET) -> Node:
        name = _text(raw)
        path = _join(parent, name)
        if link == h5l.TYPE_SOFT:
            return self._soft(gid, path, name, raw)
        if link != h5l.TYPE_HARD:
            target = None
            try:
                target = " ".join(_text(p) for p in gid.links.get_val(raw))
            except H5_ERRORS:
                pass
            return Node(path, name, EXTLINK, raw, link_target=target)
        # Open as the expected kind first: one HDF5 call instead of two for most members.
        if expect == DATASET:
            node = self._dataset(gid, path, name, raw, values, filters)
            if node.kind != ERROR:
                return node
        try:
            kind = h5o.get_info(gid, raw).type
        except H5_ERRORS as exc:
            return Node(path, name, ERROR, raw, error=f"cannot read the object {path!r}: {_reason(exc)}")
        if kind == h5o.TYPE_GROUP:
            return self._group(gid, path, name, raw, values)
        if kind == h5o.TYPE_DATASET:
            return node if expect == DATASET else self._dataset(gid, path, name, raw, values, filters)
        return Node(path, name, DATATYPE, raw)

    def _soft(self, gid: Any, path: str, name: str, raw: bytes) -> Node:
        try:
            target = _text(gid.get_linkval(raw))
        except H5_ERRORS as exc:
            return Node(path, name, ERROR, raw, error=f"cannot read the link {path!r}: {_reason(exc)}")
        try:
            h5o.get_info(gid, raw)
        except H5_ERRORS:
            return Node(path, name, SOFTLINK, raw, link_target=target,
                        error=f"soft link {path!r} -> {target!r} points to nothing")
        return Node(path, name, SOFTLINK, raw, link_target=target)

    def _group(self, gid: Any, path: str, name: str, raw: bytes, values: Collection[str] | None) -> Node:
        try:
            group = h5g.open(gid, raw)
        except H5_ERRORS as exc:
            return Node(path, name, ERROR, raw, error=f"cannot open group {path!r}: {_reason(exc)}")
        attrs, count, error = _attrs(group, values, self._vlen_ok)
        return Node(path, name, GROUP, raw, attrs=attrs, attr_count=count, error=error,
                    address=self._address(group), handle=group)

    def _dataset(self, gid: Any, path: str, name: str, raw: bytes, values: Collection[str] | None,
                 filters: bool) -> Node:
        try:
            dataset = h5d.open(gid, raw)
            tid = dataset.get_type()
            cls = tid.get_class()
            shape, maxshape = _space(dataset.get_space())
        except H5_ERRORS as exc:
            return Node(path, name, ERROR, raw, error=f"cannot open dataset {path!r}: {_reason(exc)}")
        dtype: np.dtype | None
        if cls in (h5t.INTEGER, h5t.FLOAT):
            dtype = _numeric_dtype(tid, cls)
        elif cls == h5t.STRING and not tid.is_variable_str():
            dtype = np.dtype(f"S{tid.get_size()}")
        else:
            dtype = None
        codes: tuple[int, ...] = ()
        if filters:
            try:
                plist = dataset.get_create_plist()
                codes = tuple(int(plist.get_filter(i)[0]) for i in range(plist.get_nfilters()))
            except H5_ERRORS as exc:
                return Node(path, name, ERROR, raw, error=f"cannot read the filters of {path!r}: {_reason(exc)}")
        attrs, count, error = _attrs(dataset, values, self._vlen_ok)
        return Node(path, name, DATASET, raw, dtype, _CLASSES.get(cls, _class_name(cls)), shape, maxshape,
                    codes, attrs, count, error=error, handle=dataset)


def _class_name(cls: int) -> str:
    names = {h5t.COMPOUND: "compound", h5t.ENUM: "enum", h5t.ARRAY: "array", h5t.VLEN: "vlen",
             h5t.OPAQUE: "opaque", h5t.REFERENCE: "reference", h5t.BITFIELD: "bitfield",
             h5t.TIME: "time"}
    return names.get(cls, "other")
