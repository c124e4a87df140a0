"""Small h5py helpers: attribute types exactly as pyasdf reads them, XML datasets."""

from __future__ import annotations

from typing import Any

import h5py
import numpy as np

from ..errors import AttributeTypeError, InvalidValueError
from ..spec import XML_DTYPE
from .compression import Compression
from .diskspace import ensure_h5_space
from .fastwrite import DatasetWriter
from .sizeguard import read_checked

__all__ = [
    "ascii_attr",
    "read_str_attr",
    "read_xml",
    "utf8_attr",
    "write_xml",
]


def ascii_attr(text: str, what: str = "attribute") -> np.bytes_:
    """A fixed-length, NUL-terminated ASCII string (pyasdf reads these with ``tobytes``)."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise InvalidValueError(f"invalid {what} {text!r}: must be ASCII") from None
    if b"\x00" in raw:
        raise InvalidValueError(f"invalid {what} {text!r}: must not contain NUL")
    return np.bytes_(raw + b"\x00")


def utf8_attr(text: str) -> str:
    """A variable-length UTF-8 string (h5py stores ``str`` this way)."""
    return str(text)


def decode_str(value: Any) -> str:
    """Decode any HDF5 string attribute value: fixed/variable, bytes/str, arrays of one."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            return ",".join(decode_str(v) for v in value.ravel())
        value = value.ravel()[0]
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).rstrip(b"\x00").decode("utf-8", errors="replace")
    return str(value).rstrip("\x00")


def read_str_attr(attrs: h5py.AttributeManager, name: str) -> str | None:
    """Read a string attribute tolerantly; ``None`` if absent."""
    if name not in attrs:
        return None
    return decode_str(attrs[name])


def write_xml(group: h5py.Group, name: str, data: bytes, compression: Compression,
              writer: DatasetWriter | None = None) -> h5py.Dataset:
    """Write XML bytes as the int8, 1-D, resizable dataset the spec asks for."""
    array = np.frombuffer(data, dtype=XML_DTYPE)
    ensure_h5_space(group.file, array.nbytes)
    if name in group:
        del group[name]
    if writer is not None and array.size:
        return h5py.Dataset(writer.create(group, name, array, compression))
    kwargs = compression.dataset_kwargs(array.shape, XML_DTYPE)
    return group.create_dataset(name, data=array, maxshape=(None,), **kwargs)


def read_xml(dataset: h5py.Dataset) -> bytes:
    """Read an XML dataset to bytes, whatever integer/char type the writer used.

    A dataset declaring far more bytes than it stores is refused (:mod:`.sizeguard`).
    """
    data = read_checked(dataset, "XML document")
    if isinstance(data, (bytes, np.bytes_)):
        return bytes(data)
    array = np.asarray(data)
    if array.dtype.kind not in "iuS" or array.dtype.itemsize != 1 and array.dtype.kind != "S":
        raise InvalidValueError(
            f"invalid XML dataset {dataset.name!r}: dtype {array.dtype} is not int8/uint8 bytes"
        )
    return array.tobytes()


def check_attrs_storable(attrs: dict[str, Any], libver: Any = None) -> None:
    """Store ``attrs`` in a throw-away in-memory HDF5 file; raise if any can't be held.

    This is the exact test of "can HDF5 hold it", done before the real file is
    touched so that a bad attribute never leaves a half-written object behind.
    """
    with h5py.File.in_memory(libver=libver) as scratch:  # h5py >= 3.13, as pyproject requires
        target = scratch.create_group("x")
        for key, value in attrs.items():
            if not isinstance(key, str) or not key:
                raise AttributeTypeError(f"invalid attribute name {key!r}: must be a non-empty str")
            if value is None:
                raise AttributeTypeError(f"attribute {key!r} is None: HDF5 cannot store None")
            try:
                target.attrs[key] = value
            except (TypeError, ValueError, OSError, RuntimeError) as exc:
                raise AttributeTypeError(
                    f"attribute {key!r} = {value!r:.80} cannot be stored in HDF5: {exc}"
                ) from exc
