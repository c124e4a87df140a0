"""Auxiliary data: nested paths, any dtype and shape, attributes, refusal before writing."""

from __future__ import annotations

import h5py
import numpy as np
import obspy
import pytest

import asdfkit
from asdfkit.errors import AttributeTypeError, InvalidNameError, InvalidValueError, NotFoundError

PROV = "{http://seisprov.org/seis_prov/0.1/#}sp012_bs_1f7e7b3"


def _real_signal() -> np.ndarray:
    return obspy.read()[0].data  # 3000 float64 samples of a real recording


@pytest.mark.parametrize(("name", "data"), [
    ("float64_1d", _real_signal()),
    ("float32_2d", _real_signal().astype(np.float32).reshape(30, 100)),
    ("int16_3d", (_real_signal() * 1000).astype(np.int16).reshape(10, 15, 20)),
    ("uint8_1d", np.arange(256, dtype=np.uint8)),
    ("complex128", np.fft.rfft(_real_signal())),
    ("zero_d", np.array(3.25)),
    ("empty", np.zeros(0)),
    ("bool", _real_signal() > 0),
    ("bytes", np.array([b"P", b"S", b"ScS"])),
    ("big_endian", _real_signal().astype(">f8")),
])
def test_any_dtype_and_shape_round_trips(h5path, name, data):
    with asdfkit.open(h5path, "w") as f:
        path = f.add_auxiliary_data(data, data_type="Arrays", path=f"kinds/{name}")
    assert path == f"/AuxiliaryData/Arrays/kinds/{name}"
    with asdfkit.open(h5path) as f:
        item = f.get_auxiliary_data("Arrays", f"kinds/{name}")
    assert item.data.shape == data.shape
    assert item.data.dtype == data.dtype
    np.testing.assert_array_equal(item.data, data)
    assert item.hdf5_path == path and item.attrs == {} and item.provenance_id is None


def test_unicode_strings_are_stored_as_utf8(h5path):
    phases = np.array(["Pn", "Sg", "Łg"])
    with asdfkit.open(h5path, "w") as f:
        f.add_auxiliary_data(phases, data_type="Picks", path="phases")
    with asdfkit.open(h5path) as f:
        item = f.get_auxiliary_data("Picks", "phases")
    assert [v.decode("utf-8") for v in item.data] == ["Pn", "Sg", "Łg"]


def test_nested_paths_listing_and_types(h5path):
    with asdfkit.open(h5path, "w") as f:
        f.add_auxiliary_data(np.arange(3), data_type="CrossCorrelation", path="AE.113A/TA.POKR/BHZ_BHZ")
        f.add_auxiliary_data(np.arange(4), data_type="CrossCorrelation", path=["AE.113A", "TA.POKR", "BHE_BHE"])
        f.add_auxiliary_data(np.arange(5), data_type="MisfitWindows", path="w1")
    with asdfkit.open(h5path) as f:
        assert f.auxiliary_data_types == ["CrossCorrelation", "MisfitWindows"]
        assert f.list_auxiliary_data() == [
            ("CrossCorrelation", "AE.113A/TA.POKR/BHE_BHE"),
            ("CrossCorrelation", "AE.113A/TA.POKR/BHZ_BHZ"),
            ("MisfitWindows", "w1"),
        ]
        assert f.list_auxiliary_data("MisfitWindows") == [("MisfitWindows", "w1")]
        assert f.get_auxiliary_data("CrossCorrelation", "/AE.113A/TA.POKR/BHE_BHE/").data.size == 4


ATTRS = {
    "dt": 0.025,
    "npts": np.int64(3000),
    "int32": np.int32(-7),
    "uint16": np.uint16(65535),
    "float32": np.float32(1.5),
    "flag": True,
    "text": "Łódź station",
    "bytes": b"raw\x01bytes",
    "floats": np.array([1.0, 2.5, -3.0]),
    "ints": [1, 2, 3],
    "strings": ["a", "bb"],
    "complex": 1 + 2j,
    "empty_string": "",
}


def test_attributes_of_many_types_round_trip(h5path):
    with asdfkit.open(h5path, "w") as f:
        f.add_auxiliary_data(_real_signal(), data_type="Processed", path="trace", attrs=ATTRS,
                             provenance_id=PROV)
    with asdfkit.open(h5path) as f:
        item = f.get_auxiliary_data("Processed", "trace")
    assert item.provenance_id == PROV
    assert set(item.attrs) == set(ATTRS)
    for key, value in ATTRS.items():
        got = item.attrs[key]
        if isinstance(value, (list, np.ndarray)):
            got_list = [v.decode() if isinstance(v, bytes) else v for v in np.asarray(got).tolist()]
            assert got_list == list(np.asarray(value).tolist()), key
        elif isinstance(value, bytes):
            # h5py stores bytes as a variable-length string and reads it back as str.
            assert got == value.decode(), key
        else:
            assert got == value and type(got) is type(np.asarray(value).item()), key


def test_pyasdf_spelling_parameters_is_accepted(h5path):
    with asdfkit.open(h5path, "w") as f:
        f.add_auxiliary_data(np.ones(3), data_type="A", path="b", parameters={"x": 1})
        assert f.get_auxiliary_data("A", "b").attrs == {"x": 1}
        with pytest.raises(ValueError, match="not both"):
            f.add_auxiliary_data(np.ones(3), data_type="A", path="c", attrs={"x": 1}, parameters={"y": 2})


@pytest.mark.parametrize(("attrs", "match"), [
    ({"ok": 1, "bad": None}, "'bad' is None"),
    ({"bad": {"nested": 1}}, "'bad'"),
    ({"bad": object()}, "'bad'"),
    ({"bad": [1, "mixed"]}, "'bad'"),
    ({"": 1}, "attribute name"),
])
def test_unstorable_attribute_is_refused_before_anything_is_written(h5path, file_snapshot, attrs, match):
    with asdfkit.open(h5path, "w") as f:
        f.add_auxiliary_data(np.arange(3), data_type="Existing", path="x")
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f:
        with pytest.raises(AttributeTypeError, match=match) as info:
            f.add_auxiliary_data(_real_signal(), data_type="NewType", path="deep/group/name", attrs=attrs)
        assert isinstance(info.value, TypeError)
        assert f.list_auxiliary_data() == [("Existing", "x")]
    assert file_snapshot(h5path) == before


def test_object_array_data_is_refused(h5path, file_snapshot):
    with asdfkit.open(h5path, "w"):
        pass
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f, pytest.raises(AttributeTypeError, match="object array"):
        f.add_auxiliary_data(np.array([1, "a", None], dtype=object), data_type="A", path="b")
    assert file_snapshot(h5path) == before


def test_provenance_id_is_reserved_as_attribute(h5path):
    with asdfkit.open(h5path, "w") as f, pytest.raises(InvalidValueError, match="reserved"):
        f.add_auxiliary_data(np.ones(2), data_type="A", path="b", attrs={"provenance_id": PROV})


def test_existing_path_is_not_overwritten(h5path, file_snapshot):
    with asdfkit.open(h5path, "w") as f:
        f.add_auxiliary_data(np.arange(3), data_type="A", path="g/d")
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f:
        with pytest.raises(InvalidValueError, match="already exists"):
            f.add_auxiliary_data(np.arange(9), data_type="A", path="g/d")
        with pytest.raises(InvalidValueError, match="is a dataset, not a group"):
            f.add_auxiliary_data(np.arange(9), data_type="A", path="g/d/below")
    assert file_snapshot(h5path) == before


@pytest.mark.parametrize(("data_type", "path"), [
    ("a b", "x"), ("ok", "a b"), ("a/b", "x"), ("ok", ""), ("ok", "x//y"), ("", "x"), ("ok", "ü"),
])
def test_bad_names_are_refused(h5path, file_snapshot, data_type, path):
    with asdfkit.open(h5path, "w"):
        pass
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f, pytest.raises(InvalidNameError):
        f.add_auxiliary_data(np.ones(2), data_type=data_type, path=path)
    assert file_snapshot(h5path) == before


def test_names_allowed_by_1_0_3(h5path):
    # NoisePy writes station pairs as data types, Pyatoa writes dotted names.
    names = ["CI.ARV_CI.BAK", "a-b", "x!#$%&*+,:;<=>?@^~", "v1.0"]
    with asdfkit.open(h5path, "w") as f:
        for name in names:
            f.add_auxiliary_data(np.ones(2), data_type=name, path=name)
    with asdfkit.open(h5path) as f:
        assert sorted(f.auxiliary_data_types) == sorted(names)


def test_remove_auxiliary_data(h5path):
    with asdfkit.open(h5path, "w") as f:
        for path in ("p/a", "p/b", "q/c"):
            f.add_auxiliary_data(np.ones(2), data_type="T", path=path)
        f.add_auxiliary_data(np.ones(2), data_type="U", path="d")
        f.remove_auxiliary_data("T", "p/a")
        assert f.list_auxiliary_data() == [("T", "p/b"), ("T", "q/c"), ("U", "d")]
        f.remove_auxiliary_data("T", "q")
        assert f.list_auxiliary_data() == [("T", "p/b"), ("U", "d")]
        f.remove_auxiliary_data("U")
        assert f.auxiliary_data_types == ["T"]
        with pytest.raises(NotFoundError):
            f.remove_auxiliary_data("U")
        with pytest.raises(NotFoundError):
            f.get_auxiliary_data("T", "p/a")


def test_compression_of_auxiliary_data(h5path):
    with asdfkit.open(h5path, "w") as f:
        big = f.add_auxiliary_data(_real_signal(), data_type="A", path="big")
        scalar = f.add_auxiliary_data(np.array(1.0), data_type="A", path="scalar")
        raw = f.add_auxiliary_data(_real_signal(), data_type="A", path="raw", compression="none")
    with h5py.File(h5path, "r") as h:
        assert h[big].compression == "gzip" and h[big].fletcher32
        assert h[scalar].compression is None  # scalars can't be chunked
        assert h[raw].compression is None
