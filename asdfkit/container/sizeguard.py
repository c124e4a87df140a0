"""Refuse to read datasets whose declared size is far larger than the storage they have.

An HDF5 dataset declares its shape; chunks never written take no space.  A
75 KB file can declare a 2 GiB ``/QuakeML`` of unwritten chunks, and reading it
allocates (and inflates) all of it: 4.2 GB of memory and 24 s for ``info``.
The rule compares the bytes a read would allocate with the bytes HDF5 really
stores (``dataset.id.get_storage_size()``):

* up to :data:`FLOOR_BYTES` (64 MiB) declared, a dataset is always read;
* above it, the declared bytes may be at most ``ratio`` times the stored bytes,
  where ``ratio`` depends on the filters the data passed through: 1 for
  unfiltered data (its storage holds every byte), 2048 for deflate (gzip),
  shuffle, fletcher32, n-bit, scale-offset and LZF, whose best case (deflate's
  1032:1 on constant data) is below it, and 65536 for anything else (szip and
  plugin filters, whose ratios on constant data are unbounded in principle).

A legitimately large catalogue passes: QuakeML compresses about 10:1 with
gzip, a 300 MB catalogue stores some 30 MB, far inside 2048:1; a trace of
constant samples is written chunk by chunk, so its storage counts too.
Datasets whose data lives in other files (HDF5 external storage, virtual
datasets) are refused outright: reading them reads files the user never named.

>>> check_declared_size(h5["QuakeML"], "QuakeML")                 # doctest: +SKIP
"""

from __future__ import annotations

import logging
from typing import Any

import h5py

from ..errors import ExternalLinkError, OversizeError
from .damage import read_data

__all__ = ["FLOOR_BYTES", "check_declared_size", "read_checked", "storage_ratio"]

log = logging.getLogger(__name__)

#: Declared sizes up to this many bytes are always read.
FLOOR_BYTES = 64 * 1024 * 1024

_BOUNDED = {h5py.h5z.FILTER_DEFLATE, h5py.h5z.FILTER_SHUFFLE, h5py.h5z.FILTER_FLETCHER32,
            h5py.h5z.FILTER_NBIT, h5py.h5z.FILTER_SCALEOFFSET, 32000}  # 32000: LZF
_BOUNDED_RATIO = 2048
_OTHER_RATIO = 65536


def storage_ratio(plist: Any) -> int:
    """The largest declared/stored ratio accepted for data passed through ``plist``'s filters."""
    codes = {int(plist.get_filter(i)[0]) for i in range(plist.get_nfilters())}
    if not codes:
        return 1
    return _BOUNDED_RATIO if codes <= _BOUNDED else _OTHER_RATIO


def _create_plist(dataset: h5py.Dataset) -> Any:
    """The dataset creation property list (h5py keeps one per ``Dataset``; fetching costs 18 us)."""
    plist = getattr(dataset, "_dcpl", None)
    return plist if plist is not None else dataset.id.get_create_plist()


def check_declared_size(dataset: h5py.Dataset, what: str = "dataset", npoints: int | None = None) -> None:
    """Raise if reading all of ``dataset`` would allocate far more than it stores.

    ``npoints``: its number of elements when the caller knows it (saves a dataspace query).

    Raises
    ------
    asdfkit.errors.OversizeError
        The declared size breaks the rule of this module (message names both sizes).
    asdfkit.errors.ExternalLinkError
        The dataset's data lives in other files (external storage or a virtual dataset).
    """
    plist = _create_plist(dataset)
    if plist.get_layout() == h5py.h5d.VIRTUAL or plist.get_external_count() > 0:
        raise ExternalLinkError(
            f"refused {what} {dataset.name!r}: its data lives in other files (HDF5 "
            f"{'virtual dataset' if plist.get_layout() == h5py.h5d.VIRTUAL else 'external storage'}), "
            "which asdfkit does not read"
        )
    if npoints is None:
        space = dataset.id.get_space()
        if space.get_simple_extent_type() != h5py.h5s.SIMPLE:  # scalar or null: one element at most
            return
        npoints = int(space.get_simple_extent_npoints())
    declared = npoints * dataset.dtype.itemsize
    if declared <= FLOOR_BYTES:
        return
    stored = int(dataset.id.get_storage_size())
    ratio = storage_ratio(plist)
    if declared > stored * ratio:
        raise OversizeError(
            f"refused {what} {dataset.name!r}: it declares {declared} bytes (shape {dataset.shape}, "
            f"{dataset.dtype}) but stores {stored}: a damaged or hostile file (rule: above "
            f"{FLOOR_BYTES} bytes, at most {ratio} times the stored size for its filters)"
        )


def read_checked(dataset: h5py.Dataset, what: str = "dataset") -> Any:
    """``dataset[()]`` after :func:`check_declared_size`."""
    check_declared_size(dataset, what)
    return read_data(dataset)
