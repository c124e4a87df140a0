"""``/AuxiliaryData/<data_type>/<group>/.../<name>``: arbitrary arrays with attributes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import h5py
import numpy as np

from ..errors import AttributeTypeError, InvalidValueError, NotFoundError
from ..naming import check_aux_name, check_provenance_id, split_aux_path
from .compression import Compression
from .diskspace import ensure_h5_space
from .h5util import ascii_attr, check_attrs_storable, decode_str
from .sizeguard import read_checked

__all__ = ["AuxiliaryDataItem", "AuxiliaryStore"]

GROUP = "AuxiliaryData"


@dataclass(frozen=True)
class AuxiliaryDataItem:
    """One auxiliary dataset, read into memory."""

    data_type: str
    path: str
    data: np.ndarray
    attrs: dict[str, Any] = field(default_factory=dict)
    provenance_id: str | None = None

    @property
    def hdf5_path(self) -> str:
        """Absolute HDF5 path of the dataset, e.g. ``/AuxiliaryData/Picks/P``."""
        return f"/{GROUP}/{self.data_type}/{self.path}"


def _attr_value(value: Any) -> Any:
    if isinstance(value, np.bytes_):
        return decode_str(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


class AuxiliaryStore:
    """The auxiliary data of one open file."""

    def __init__(self, h5: h5py.File, version: str, compression: Compression, libver: Any) -> None:
        self._h5 = h5
        self._version = version
        self._compression = compression
        self._libver = libver

    def _root(self) -> h5py.Group | None:
        group = self._h5.get(GROUP)
        return group if isinstance(group, h5py.Group) else None

    def add(
        self,
        data: Any,
        data_type: str,
        path: str | Iterable[str],
        attrs: dict[str, Any] | None = None,
        provenance_id: str | None = None,
        compression: Compression | None = None,
    ) -> str:
        """Store an array; return its HDF5 path.  Nothing is written if any check fails."""
        check_aux_name(data_type, self._version)
        parts = split_aux_path(path, self._version)
        attrs = dict(attrs or {})
        if "provenance_id" in attrs:
            raise InvalidValueError(
                "attribute 'provenance_id' is reserved: pass it as provenance_id=..."
            )
        if provenance_id is not None:
            attrs["provenance_id"] = ascii_attr(check_provenance_id(provenance_id), "provenance_id")
        array = np.asarray(data)
        if array.dtype.kind == "O":
            raise AttributeTypeError(
                f"invalid auxiliary data for {data_type}/{'/'.join(parts)}: an object array "
                "cannot be stored; give a numeric, boolean or fixed-width string array"
            )
        if array.dtype.kind == "U":
            array = np.char.encode(array, "utf-8")
        check_attrs_storable(attrs, self._libver)
        root = self._h5.get(GROUP)
        full = "/".join([data_type, *parts])
        if root is not None and full in root:
            raise InvalidValueError(f"auxiliary data {full!r} already exists; remove it first")
        # Refuse if a dataset sits where a group is needed.
        node: Any = root
        for part in [data_type, *parts[:-1]]:
            if node is None or part not in node:
                break
            node = node[part]
            if not isinstance(node, h5py.Group):
                raise InvalidValueError(f"cannot create {full!r}: {node.name!r} is a dataset, not a group")
        ensure_h5_space(self._h5, array.nbytes)
        created_root = root is None
        first_new = None
        try:
            if root is None:
                root = self._h5.create_group(GROUP)
            group = root
            for part in [data_type, *parts[:-1]]:
                if part not in group:
                    group = group.create_group(part)
                    first_new = first_new or group.name
                else:
                    group = group[part]
            kwargs = (compression or self._compression).dataset_kwargs(array.shape, array.dtype)
            dataset = group.create_dataset(parts[-1], data=array, **kwargs)
            for key, value in attrs.items():
                dataset.attrs[key] = value
        except BaseException:
            if created_root and GROUP in self._h5:
                del self._h5[GROUP]
            elif first_new and first_new in self._h5:
                del self._h5[first_new]
            elif root is not None and full in root:
                del root[full]
            raise
        return dataset.name

    def get(self, data_type: str, path: str) -> AuxiliaryDataItem:
        root = self._root()
        full = f"{data_type}/{path.strip('/')}"
        if root is None or full not in root or not isinstance(root[full], h5py.Dataset):
            raise NotFoundError(f"auxiliary data {full!r} not found")
        dataset = root[full]
        attrs = {key: _attr_value(dataset.attrs[key]) for key in dataset.attrs}
        prov = attrs.pop("provenance_id", None)
        return AuxiliaryDataItem(data_type, path.strip("/"), read_checked(dataset, "auxiliary data"), attrs, prov)

    def types(self) -> list[str]:
        root = self._root()
        return sorted(root) if root is not None else []

    def entries(self, data_type: str | None = None) -> list[tuple[str, str]]:
        """``(data_type, path)`` of every auxiliary dataset (optionally of one type)."""
        root = self._root()
        if root is None:
            return []
        found: list[tuple[str, str]] = []
        for dtype_name in ([data_type] if data_type else sorted(root)):
            if dtype_name not in root:
                continue
            node = root[dtype_name]
            if isinstance(node, h5py.Dataset):
                found.append((dtype_name, ""))
                continue

            def visit(name: str, obj: Any, _t: str = dtype_name) -> None:
                if isinstance(obj, h5py.Dataset):
                    found.append((_t, name))

            node.visititems(visit)
        return found

    def remove(self, data_type: str, path: str | None = None) -> None:
        root = self._root()
        full = data_type if not path else f"{data_type}/{path.strip('/')}"
        if root is None or full not in root:
            raise NotFoundError(f"auxiliary data {full!r} not found")
        del root[full]
