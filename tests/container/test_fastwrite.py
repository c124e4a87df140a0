"""DatasetWriter writes the same HDF5 objects as ``create_dataset`` and ``attrs[...] = ...``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h5py
import numpy as np
import obspy
import pytest

from asdfkit.container.chunks import encode
from asdfkit.container.compression import chunk_shape, parse_compression
from asdfkit.container.fastwrite import DatasetWriter
from asdfkit.container.h5util import ascii_attr


def _dcpl(dataset: h5py.Dataset) -> dict[str, Any]:
    plist = dataset.id.get_create_plist()
    return {
        "layout": plist.get_layout(),
        "chunk": plist.get_chunk(),
        "filters": [plist.get_filter(i) for i in range(plist.get_nfilters())],
        "fill_time": plist.get_fill_time(),
        "alloc_time": plist.get_alloc_time(),
        "track_times": plist.get_obj_track_times(),
        "attr_order": plist.get_attr_creation_order(),
        "type": dataset.id.get_type().dtype,
        "maxshape": dataset.maxshape,
        "shape": dataset.shape,
    }


def _attrs(dataset: h5py.Dataset) -> dict[str, Any]:
    out = {}
    for name in dataset.attrs:
        attr = h5py.h5a.open(dataset.id, name.encode())
        kind = attr.get_type()
        described: dict[str, Any] = {
            "class": kind.get_class(),
            "size": kind.get_size(),
            "space": attr.get_space().get_simple_extent_type(),
            "value": dataset.attrs[name],
        }
        if kind.get_class() == h5py.h5t.STRING:
            described.update(pad=kind.get_strpad(), cset=kind.get_cset(), vlen=kind.is_variable_str())
        out[name] = described
    return out


def _attrs_of(trace: obspy.Trace) -> dict[str, Any]:
    return {
        "starttime": np.int64(trace.stats.starttime.ns),
        "sampling_rate": np.float64(trace.stats.sampling_rate),
        "event_id": ascii_attr("smi:local/event/1"),
        "provenance_id": ascii_attr("{http://seisprov.org/seis_prov/0.1/#}sp001_wf_c17dd1f"),
        "labels": "a,b",  # a variable-length UTF-8 string, written through h5py
    }


@pytest.fixture
def traces(sample_set: Path) -> list[obspy.Trace]:
    """Real traces of three dtypes and lengths: one chunk, five chunks and a tail, one sample."""
    stream = obspy.read()  # ObsPy's packaged example (float64, 3000 samples)
    long = obspy.read(str(sorted(sample_set.glob("*.mseed"))[0]))[0]  # pyasdf's: int32, 70 min at 40 Hz
    assert long.data.size % chunk_shape(long.data.shape, long.data.itemsize)[0] != 0
    out = [stream[0], stream[1].copy(), long]
    out[1].data = out[1].data.astype(np.float32)
    tiny = stream[2].copy()
    tiny.data = tiny.data[:1].astype(np.int32)
    out.append(tiny)
    return out


@pytest.mark.parametrize("compression", ["gzip-3", "gzip-9", "none"])
@pytest.mark.parametrize("pre_encoded", [False, True])
def test_datasets_and_attributes_match_h5py_high_level(tmp_path, traces, compression, pre_encoded):
    settings = parse_compression(compression)
    path = tmp_path / "f.h5"
    writer = DatasetWriter()
    with h5py.File(path, "w") as h5:
        ref, fast = h5.create_group("ref"), h5.create_group("fast")
        for repeat in range(2):  # the second round reuses the cached property lists
            for number, trace in enumerate(traces):
                name = f"t{repeat}_{number}"
                data = np.ascontiguousarray(trace.data)
                dataset = ref.create_dataset(
                    name, data=data, maxshape=(None,), **settings.dataset_kwargs(data.shape, data.dtype)
                )
                for key, value in _attrs_of(trace).items():
                    dataset.attrs[key] = value
                encoded = encode(data, settings) if pre_encoded else None
                dsid = writer.create(fast, name, data, settings, encoded)
                writer.set_attrs(dsid, _attrs_of(trace))
    with h5py.File(path, "r") as h5:
        for name in h5["ref"]:
            ref, fast = h5["ref"][name], h5["fast"][name]
            assert _dcpl(fast) == _dcpl(ref), name
            assert _attrs(fast).keys() == _attrs(ref).keys()
            for key, described in _attrs(ref).items():
                other = _attrs(fast)[key]
                assert other.pop("value") == described.pop("value")
                assert other == described, (name, key)
            np.testing.assert_array_equal(fast[()], ref[()])
            assert fast.dtype == ref.dtype
            if settings.method is not None:  # same filtered bytes, chunk by chunk
                (rows,) = chunk_shape(ref.shape, ref.dtype.itemsize)
                for start in range(0, ref.shape[0], rows):
                    assert fast.id.read_direct_chunk((start,)) == ref.id.read_direct_chunk((start,))


def test_a_failed_create_leaves_no_dataset_and_the_writer_usable(tmp_path, traces):
    settings = parse_compression("gzip-3")
    writer = DatasetWriter()
    data = np.ascontiguousarray(traces[0].data)
    with h5py.File(tmp_path / "f.h5", "w") as h5:
        group = h5.create_group("g")
        writer.create(group, "a", data, settings)
        with pytest.raises((ValueError, OSError, RuntimeError)):
            writer.create(group, "a", data, settings)  # the name is taken: HDF5 refuses
        assert list(group) == ["a"]
        writer.create(group, "b", data, settings)
        np.testing.assert_array_equal(group["b"][()], data)


def test_replacing_an_attribute_matches_h5py(tmp_path, traces):
    settings = parse_compression("gzip-3")
    writer = DatasetWriter()
    data = np.ascontiguousarray(traces[0].data)
    first, second = (
        ascii_attr("{http://x}short"),
        ascii_attr("{http://seisprov.org/seis_prov/0.1/#}sp002_wf_1a2b3c4"),
    )
    with h5py.File(tmp_path / "f.h5", "w") as h5:
        ref = h5.create_dataset(
            "ref", data=data, maxshape=(None,), **settings.dataset_kwargs(data.shape, data.dtype)
        )
        ref.attrs["provenance_id"] = first
        ref.attrs["provenance_id"] = second
        dsid = writer.create(h5, "fast", data, settings)
        writer.set_attrs(dsid, {"provenance_id": first})
        writer.set_attrs(dsid, {"provenance_id": second}, replace=True)
        with pytest.raises((ValueError, OSError, RuntimeError)):
            writer.set_attrs(dsid, {"provenance_id": first})  # without replace: the name is taken
        assert _attrs(h5["fast"]) == _attrs(ref)
        assert bytes(h5["fast"].attrs["provenance_id"]).rstrip(b"\0") == bytes(second).rstrip(b"\0")


def test_xml_datasets_match_h5py_high_level(tmp_path, sample_set):
    from asdfkit.container.h5util import write_xml

    settings = parse_compression("gzip-3")
    writer = DatasetWriter()
    documents = [path.read_bytes() for path in sorted(sample_set.glob("*.xml"))]
    assert len(documents) >= 2 and len({len(d) for d in documents}) >= 2  # two chunk lengths
    with h5py.File(tmp_path / "f.h5", "w") as h5:
        for number, data in enumerate(documents):
            ref = write_xml(h5.require_group("ref"), f"x{number}", data, settings)
            fast = write_xml(h5.require_group("fast"), f"x{number}", data, settings, writer)
            assert _dcpl(fast) == _dcpl(ref)
            assert fast[()].tobytes() == ref[()].tobytes() == data
