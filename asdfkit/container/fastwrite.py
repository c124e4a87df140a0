"""Create many small datasets and attributes through h5py's low-level API.

``Group.create_dataset`` and ``AttributeManager.__setitem__`` rebuild their
property lists, datatypes and dataspaces on every call; for a waveform of a
few thousand samples that bookkeeping costs more than HDF5's own work.
:class:`DatasetWriter` makes each of them once: the dataset creation
property list of the first dataset with a given dtype and filter set (made
by ``create_dataset`` itself, so every property h5py sets is copied) is
reused for the next ones, with their own chunk length, and attribute types
are made once per NumPy dtype.  The objects written are the ones ``create_dataset`` and
``attrs[name] = value`` would write; tests compare their properties.
"""

from __future__ import annotations

from typing import Any

import h5py
import numpy as np

from .chunks import EncodedChunks
from .compression import Compression
from .densehdr import make_room, needs_dense

__all__ = ["DatasetWriter"]

_SCALAR_KINDS = "iufb"


class DatasetWriter:
    """Writes 1-D datasets and their attributes, reusing property lists and types."""

    def __init__(self) -> None:
        self._dcpl: dict[tuple[Any, ...], h5py.h5p.PropDCID] = {}
        self._types: dict[np.dtype, tuple[h5py.h5t.TypeID, h5py.h5t.TypeID]] = {}
        self._scalar = h5py.h5s.create_simple(())

    def create(
        self,
        group: h5py.Group,
        name: str,
        data: np.ndarray,
        compression: Compression,
        encoded: EncodedChunks | None = None,
    ) -> h5py.h5d.DatasetID:
        """Create ``group/name`` holding ``data`` (1-D, resizable); return its low-level id.

        ``encoded`` chunks (filtered as HDF5 would, see :mod:`.chunks`) are
        stored as they are; without them HDF5 filters ``data``.
        """
        kwargs = compression.dataset_kwargs(data.shape, data.dtype)
        chunks = kwargs.get("chunks")
        key = (data.dtype.str, str(compression))
        dcpl = self._dcpl.get(key) if chunks is not None else None  # h5py picks other chunks itself
        if dcpl is not None and dcpl.get_chunk() != chunks:
            dcpl = dcpl.copy()  # the same filters, another chunk length
            dcpl.set_chunk(chunks)
        if dcpl is None or not name.isascii():
            dataset = group.create_dataset(
                name, shape=data.shape, dtype=data.dtype, maxshape=(None,), **kwargs
            )
            dsid = dataset.id
            if name.isascii() and chunks is not None:
                self._dcpl[key] = dsid.get_create_plist()
        else:
            space = h5py.h5s.create_simple(data.shape, (h5py.h5s.UNLIMITED,))
            dsid = h5py.h5d.create(
                group.id, name.encode("ascii"), self._type(data.dtype)[0], space, dcpl=dcpl
            )
        if encoded is None:
            dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, data)
        else:
            for number, blob in enumerate(encoded.blobs):
                dsid.write_direct_chunk((number * encoded.chunk,), blob)
        return dsid

    def set_attrs(self, dsid: h5py.h5d.DatasetID, attrs: dict[str, Any], *,
                  replace: bool = False) -> h5py.h5d.DatasetID:
        """Write attributes: NumPy scalars and ``np.bytes_`` directly, anything else via h5py.

        With ``replace``, an attribute of the same name is deleted first (as
        ``attrs[name] = value`` does); otherwise the names must be new.  A value
        over 64 KiB on a dataset with a version-1 object header first has the
        dataset rewritten (:func:`.densehdr.make_room`); the id returned is the
        dataset's id from then on.
        """
        if needs_dense(dsid, attrs):
            dsid = make_room(dsid)
        slow: dict[str, Any] = {}
        for name, value in attrs.items():
            if isinstance(value, np.generic) and value.dtype.kind in _SCALAR_KINDS + "S" and name.isascii():
                array = np.asarray(value)
                logical, memory = self._type(array.dtype)
                raw = name.encode("ascii")
                if replace and h5py.h5a.exists(dsid, raw):
                    h5py.h5a.delete(dsid, raw)
                attr = h5py.h5a.create(dsid, raw, logical, self._scalar)
                attr.write(array, mtype=memory)
            else:
                slow[name] = value
        if slow:
            manager = h5py.AttributeManager(h5py.Dataset(dsid))
            for name, value in slow.items():
                manager[name] = value
        return dsid

    def _type(self, dtype: np.dtype) -> tuple[h5py.h5t.TypeID, h5py.h5t.TypeID]:
        """HDF5 ``(logical, memory)`` types of a NumPy dtype, as h5py makes them for attributes."""
        types = self._types.get(dtype)
        if types is None:
            types = self._types[dtype] = (h5py.h5t.py_create(dtype, logical=True), h5py.h5t.py_create(dtype))
        return types
