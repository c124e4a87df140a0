"""The walk that verifies and counts a file's datasets with bounded memory (issue 19)."""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest

from asdfkit.container import partfiles
from asdfkit.container.partfiles import count_datasets, each_dataset, verify_file
from asdfkit.errors import BatchError


def _file(path: Path) -> Path:
    data = obspy.read()[0].data.astype(np.float32)  # ObsPy's real example recording
    with h5py.File(path, "w") as f:
        for name in ("Waveforms/XS.A/one", "Waveforms/XS.B/two", "AuxiliaryData/X/y/z/deep"):
            f.create_dataset(name, data=data, chunks=(500,), compression="gzip", fletcher32=True)
        f["AuxiliaryData/X/y/again"] = f["AuxiliaryData/X"]  # a hard-link cycle
        f["AuxiliaryData/twice"] = f["Waveforms/XS.A/one"]  # one dataset under two names
        f["Waveforms/XS.C"] = f["Waveforms/XS.B"]  # one group under two names
        for k in range(12):  # a chain of groups each linked twice: walked once, not 2**12 times
            f[f"Provenance/chain/{k}/a"] = f.require_group(f"Provenance/chain/{k + 1}")
            f[f"Provenance/chain/{k}/b"] = f[f"Provenance/chain/{k + 1}"]
        f["Waveforms/XS.A/soft"] = h5py.SoftLink("/Waveforms/XS.B/two")
        f.create_dataset("Provenance/text", data=np.array(["a", "bc"], dtype=h5py.string_dtype()))
    return path


def test_every_dataset_once_through_cycles_and_not_through_soft_links(tmp_path: Path) -> None:
    path = _file(tmp_path / "f.h5")
    seen: list[int] = []
    with h5py.File(path, "r") as f:
        each_dataset(f.id, lambda d: seen.append(h5py.h5o.get_info(d).addr))
        expected: list[int] = []  # HDF5's own walk: every object once
        f.visititems(lambda _, obj: expected.append(h5py.h5o.get_info(obj.id).addr)
                     if isinstance(obj, h5py.Dataset) else None)
    assert len(seen) == len(set(seen)) == 4 and sorted(seen) == sorted(expected)
    assert count_datasets(path) == 4
    verify_file(path)  # every dataset reads back, the variable-length one too


def test_a_bad_chunk_deep_in_the_tree_raises_the_reader_error(tmp_path: Path) -> None:
    path = _file(tmp_path / "f.h5")
    with h5py.File(path, "r") as f:
        offset = f["AuxiliaryData/X/y/z/deep"].id.get_chunk_info(1).byte_offset
    raw = bytearray(path.read_bytes())
    raw[offset + 20] ^= 0xFF
    path.write_bytes(raw)
    with pytest.raises(BatchError, match=r"damaged file .*f\.h5.*filter"):
        verify_file(path)


def test_an_error_of_the_visitor_stops_the_walk_and_is_raised_unchanged(tmp_path: Path) -> None:
    path = _file(tmp_path / "f.h5")
    visited: list[int] = []

    def stop(dataset: h5py.h5d.DatasetID) -> None:
        visited.append(1)
        raise KeyError("stop here")

    with h5py.File(path, "r") as f, pytest.raises(KeyError, match="stop here"):
        each_dataset(f.id, stop)
    assert visited == [1]


def _chunk_like(path: Path, stations: int = 30) -> Path:
    """The layout of a packed chunk file: station groups, one provenance document each, QuakeML."""
    data = obspy.read()[0].data.astype(np.float32)
    with h5py.File(path, "w") as f:
        f.create_dataset("QuakeML", data=np.frombuffer(b"<quakeml/>", dtype=np.int8))
        for k in range(stations):
            for channel in ("BHZ", "BHN"):
                f.create_dataset(f"Waveforms/XS.S{k:03d}/{channel}", data=data[: 1000 + k], chunks=(500,),
                                 compression="gzip", fletcher32=True)
            f.create_dataset(f"Provenance/doc_{k:03d}", data=np.arange(200 + k, dtype=np.int8),
                             compression="gzip", fletcher32=True)
        f["Waveforms/XS.S000/soft"] = h5py.SoftLink("/Waveforms/XS.S001/BHZ")  # not followed
    return path


@pytest.mark.parametrize("processes", [2, 3])
def test_shared_reading_reads_every_dataset_once(tmp_path: Path, processes: int) -> None:
    path = _chunk_like(tmp_path / "chunk.h5")
    assert verify_file(path) == verify_file(path, processes) == count_datasets(path) == 1 + 30 * 3


@pytest.mark.parametrize("member", ["Waveforms/XS.S007/BHN", "Waveforms/XS.S012/BHZ", "Provenance/doc_020"])
def test_shared_reading_finds_a_bad_chunk_in_any_share(tmp_path: Path, member: str) -> None:
    path = _chunk_like(tmp_path / "chunk.h5")
    with h5py.File(path, "r") as f:
        info = f[member].id.get_chunk_info(0)
    raw = bytearray(path.read_bytes())
    raw[info.byte_offset + info.size // 2] ^= 0xFF
    path.write_bytes(raw)
    for processes in (1, 2, 3):
        with pytest.raises(BatchError, match=r"damaged file .*chunk\.h5"):
            verify_file(path, processes)


def _die(*args: object) -> int:
    os._exit(3)  # as a crash inside libhdf5 would end the process


def test_a_reading_process_that_dies_is_a_damaged_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _chunk_like(tmp_path / "chunk.h5")
    monkeypatch.setattr(partfiles, "_verify_share", _die)
    with pytest.raises(BatchError, match=r"damaged file .*chunk\.h5.*died"):
        verify_file(path, 2)
