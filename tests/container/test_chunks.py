"""Chunks compressed outside HDF5 are byte-identical to HDF5's own, and read back everywhere."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import obspy
import pyasdf
import pytest

import asdfkit
from asdfkit.container.chunks import STATS_KEY, encode
from asdfkit.container.compression import parse_compression


@pytest.mark.parametrize("dtype", ["<i2", ">i4", "<i8", "<f4", ">f8"])
@pytest.mark.parametrize("settings", ["gzip", "gzip-1", "gzip-9", "none"])
@pytest.mark.parametrize("length", [1, 7, 32768, 100_001])
def test_bytes_equal_hdf5(tmp_path: Path, dtype: str, settings: str, length: int) -> None:
    rng = np.random.default_rng(length)
    data = (np.cumsum(rng.standard_normal(length)) * 50).astype(dtype)
    compression = parse_compression(settings)
    encoded = encode(data, compression)
    assert encoded is not None
    with h5py.File(tmp_path / "x.h5", "w") as f:
        dset = f.create_dataset("x", data=data, maxshape=(None,),
                                **compression.dataset_kwargs(data.shape, data.dtype))
        stored = [dset.id.read_direct_chunk((i * encoded.chunk,))[1] for i in range(len(encoded.blobs))]
    assert len(encoded.blobs) == -(-length // encoded.chunk)
    assert stored == list(encoded.blobs)  # every chunk, the zero-padded edge chunk too, byte for byte


def test_szip_and_lzf_are_left_to_hdf5() -> None:
    data = np.arange(10, dtype=np.int32)
    assert encode(data, parse_compression("lzf", force=True)) is None


def test_precompressed_traces_read_back_in_asdfkit_and_pyasdf(tmp_path: Path) -> None:
    stream = obspy.read()
    for trace in stream:
        trace.data = trace.data.astype(np.int32)
        trace.stats[STATS_KEY] = encode(trace.data, parse_compression("gzip"))
    path = tmp_path / "p.h5"
    with asdfkit.open(path, "w") as f:
        f.add_waveforms(stream, tag="raw_recording")
        dataset = f.h5[f.list_waveforms()[0].path]
        assert dataset.compression == "gzip" and dataset.shuffle and dataset.fletcher32
    with asdfkit.open(path) as f:
        stored = f.get_waveforms()
        assert len(stored) == 3
        for trace in stream:
            assert (stored.select(id=trace.id)[0].data == trace.data).all()
    with pyasdf.ASDFDataSet(str(path), mode="r") as ds:
        for trace in ds.waveforms.BW_RJOB.raw_recording:
            assert (trace.data == stream.select(id=trace.id)[0].data).all()


def test_partial_edge_chunk_reads_back(tmp_path: Path) -> None:
    data = np.arange(100_001, dtype=np.int32)
    trace = obspy.Trace(data=data, header={"network": "XX", "station": "A", "channel": "BHZ"})
    trace.stats[STATS_KEY] = encode(data, parse_compression("gzip"))
    with asdfkit.open(tmp_path / "e.h5", "w") as f:
        f.add_waveforms(trace, tag="t")
    with asdfkit.open(tmp_path / "e.h5") as f:
        assert (f.get_waveforms()[0].data == data).all()


def test_stale_encoding_is_ignored(tmp_path: Path) -> None:
    trace = obspy.read()[0]
    trace.data = trace.data.astype(np.int32)
    trace.stats[STATS_KEY] = encode(trace.data[:100], parse_compression("gzip"))  # wrong length
    with asdfkit.open(tmp_path / "s.h5", "w") as f:
        f.add_waveforms(trace, tag="t")
    with asdfkit.open(tmp_path / "s.h5") as f:
        assert (f.get_waveforms()[0].data == trace.data).all()


@pytest.mark.parametrize("fill", [0, -1, 1, 255])
@pytest.mark.parametrize("segment", [None, 5])
def test_fletcher32_edge_sums_equal_hdf5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fill: int,
                                         segment: int | None) -> None:
    """Sums that are multiples of 65535 (all 0xFFFF words), zeros, and a sum split in segments."""
    import asdfkit.container.chunks as chunks

    if segment is not None:
        monkeypatch.setattr(chunks, "_SEGMENT", segment)
    data = np.full(70_001, fill, dtype="<i2")
    if fill > 0:  # 0 and 0xFFFF words stay pure: sums of exactly 0 and of multiples of 65535
        data[::97] = np.arange(len(data[::97]), dtype="<i2") * fill
    compression = parse_compression("none")
    encoded = encode(data, compression)
    assert encoded is not None
    with h5py.File(tmp_path / "x.h5", "w") as f:
        dset = f.create_dataset("x", data=data, maxshape=(None,),
                                **compression.dataset_kwargs(data.shape, data.dtype))
        stored = [dset.id.read_direct_chunk((i * encoded.chunk,))[1] for i in range(len(encoded.blobs))]
    assert stored == list(encoded.blobs)
