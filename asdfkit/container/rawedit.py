"""Raw, unchecked edits of an HDF5 file, for building deliberately broken test files.

asdfkit's writer refuses everything the ASDF spec forbids, which is right for
data but useless for a conformance corpus: its invalid files must break one
rule on purpose.  :class:`RawEditor` does exactly what it is told, with plain
values in and out (no h5py object escapes), so that code outside
``asdfkit.container`` can build such files.  Never use it on data you care about.

Examples
--------
>>> from asdfkit.container.rawedit import RawEditor
>>> with RawEditor("broken.h5") as raw:                          # doctest: +SKIP
...     raw.set_attr("/", "file_format_version", "2.0", kind="ascii")
"""

from __future__ import annotations

import os
from typing import Any

import h5py
import numpy as np

__all__ = ["STRING_KINDS", "RawEditor", "flip_byte"]

#: How :meth:`RawEditor.set_attr` can store a string.
STRING_KINDS = ("ascii", "ascii-vlen", "utf8-vlen", "utf8-fixed")


def _string_attr(text: str | bytes, kind: str) -> tuple[Any, Any]:
    raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    if kind == "ascii":  # as pyasdf writes ids: fixed length, NUL terminated
        return np.bytes_(raw + b"\x00"), None
    if kind == "ascii-vlen":
        return raw, h5py.string_dtype("ascii")
    if kind == "utf8-vlen":
        return raw, h5py.string_dtype("utf-8")
    if kind == "utf8-fixed":
        return np.array(raw, dtype=f"S{max(len(raw), 1)}"), h5py.string_dtype("utf-8", max(len(raw), 1))
    raise ValueError(f"invalid string kind {kind!r}: must be one of {', '.join(STRING_KINDS)}")


class RawEditor:
    """An HDF5 file opened for unchecked edits (mode ``r+``, or ``w`` with ``create``)."""

    def __init__(self, path: str | os.PathLike[str], create: bool = False, libver: str | None = None) -> None:
        # libver="latest" lets new objects hold attributes larger than 64 KiB (dense storage).
        self._f = h5py.File(os.fspath(path), "w" if create else "r+", libver=libver)

    def __enter__(self) -> RawEditor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._f.close()

    # -- attributes -----------------------------------------------------------------
    def set_attr(self, path: str, name: str, value: Any, kind: str | None = None) -> None:
        """Set an attribute.  ``kind`` stores a string as one of :data:`STRING_KINDS`;
        otherwise ``value`` is stored as h5py stores it (numpy scalars keep their dtype)."""
        attrs = self._f[path].attrs
        if name in attrs:
            del attrs[name]
        if kind is None:
            attrs[name] = value
            return
        data, dtype = _string_attr(value, kind)
        if dtype is None:
            attrs[name] = data
        else:
            attrs.create(name, data=data, dtype=dtype)

    def del_attr(self, path: str, name: str) -> None:
        del self._f[path].attrs[name]

    def attrs(self, path: str) -> dict[str, Any]:
        """The attributes of an object, as h5py reads them."""
        return {key: self._f[path].attrs[key] for key in self._f[path].attrs}

    # -- objects --------------------------------------------------------------------
    def create_group(self, path: str) -> None:
        self._f.require_group(path)

    def create_dataset(self, path: str, data: Any, dtype: Any = None, maxshape: Any = None,
                       **kwargs: Any) -> None:
        """Create a dataset (``bytes`` become int8, as XML datasets are)."""
        if isinstance(data, (bytes, bytearray)):
            data = np.frombuffer(bytes(data), dtype=np.int8)
        self._f.create_dataset(path, data=data, dtype=dtype, maxshape=maxshape, **kwargs)

    def write_xml(self, path: str, data: bytes, resizable: bool = True) -> None:
        """Replace (or create) an XML dataset: int8, 1-D, resizable unless told otherwise."""
        if path in self._f:
            del self._f[path]
        array = np.frombuffer(bytes(data), dtype=np.int8)
        self._f.create_dataset(path, data=array, maxshape=(None,) if resizable else array.shape)

    def read_bytes(self, path: str) -> bytes:
        return np.asarray(self._f[path][()]).tobytes()

    def rewrite_dataset(self, path: str, data: Any, **kwargs: Any) -> None:
        """Replace a dataset's data (any dtype/shape), keeping its attributes."""
        attrs = self.attrs(path)
        del self._f[path]
        self._f.create_dataset(path, data=data, **kwargs)
        for key, value in attrs.items():
            self._f[path].attrs[key] = value

    def delete(self, path: str) -> None:
        del self._f[path]

    def move(self, source: str, destination: str) -> None:
        self._f.move(source, destination)

    def soft_link(self, path: str, target: str) -> None:
        self._f[path] = h5py.SoftLink(target)

    def external_link(self, path: str, filename: str, target: str) -> None:
        self._f[path] = h5py.ExternalLink(filename, target)

    def hard_link(self, path: str, target: str) -> None:
        self._f[path] = self._f[target]

    def commit_datatype(self, path: str, dtype: Any) -> None:
        self._f[path] = np.dtype(dtype)

    def chunk_offset(self, path: str) -> int:
        """File offset of the first chunk of a chunked dataset (to corrupt it on purpose)."""
        info = self._f[path].id.get_chunk_info(0)
        return int(info.byte_offset)

    def names(self, path: str) -> list[str]:
        return list(self._f[path])


def flip_byte(path: str | os.PathLike[str], offset: int, mask: int = 0xFF) -> None:
    """XOR one byte of a file in place."""
    with open(path, "r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ mask]))
