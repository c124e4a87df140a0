"""The validator's low-level HDF5 walker: plain descriptions, sizes before reads, no exceptions."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

from asdfkit.container.inspect import MAX_ATTR_BYTES, Inspector
from asdfkit.errors import FormatError


@pytest.fixture
def odd_file(tmp_path: Path) -> Path:
    path = tmp_path / "odd.h5"
    with h5py.File(path, "w", libver="latest") as f:
        f.attrs["fixed"] = np.bytes_(b"ASDF\x00")
        f.attrs.create("vascii", b"abc", dtype=h5py.string_dtype("ascii"))
        f.attrs["vutf8"] = "héllo"
        f.attrs["null"] = h5py.Empty("f8")
        f.attrs["array"] = np.arange(3, dtype=">i4")
        f.attrs["cplx"] = 1 + 2j
        f.attrs["big"] = np.zeros(MAX_ATTR_BYTES // 8 + 1)
        g = f.create_group("g")
        g.create_dataset("d", data=np.arange(5, dtype="<f4"), maxshape=(None,), chunks=True,
                         compression="gzip")
        g.create_dataset("s", data=np.bytes_(b"xml"))
        g["loop"] = g
        f["soft"] = h5py.SoftLink("/g/d")
        f["dangling"] = h5py.SoftLink("/nothing")
        f["ext"] = h5py.ExternalLink("/etc/passwd", "/x")
        f["type"] = np.dtype("f8")
    return path


def test_attributes_are_described_exactly(odd_file: Path) -> None:
    with Inspector.open(odd_file) as h5:
        root = h5.root()
        fixed = root.attr("fixed")
        assert fixed and fixed.cls == "string" and not fixed.vlen and fixed.value == b"ASDF\x00"
        vascii = root.attr("vascii")
        assert vascii and vascii.vlen and vascii.cset == "ascii" and vascii.value == b"abc"
        vutf8 = root.attr("vutf8")
        assert vutf8 and vutf8.cset == "utf-8" and vutf8.value == "héllo".encode()
        null = root.attr("null")
        assert null and null.shape is None and not null.read
        array = root.attr("array")
        assert array and array.dtype == np.dtype(">i4") and array.shape == (3,) and list(array.value) == [0, 1, 2]
        cplx = root.attr("cplx")
        assert cplx and cplx.cls == "other" and cplx.dtype is None and not cplx.read
        big = root.attr("big")
        assert big and big.nbytes > MAX_ATTR_BYTES and not big.read and big.value is None


def test_values_are_read_only_when_asked(odd_file: Path) -> None:
    with Inspector.open(odd_file) as h5:
        root = h5.root(values=("fixed",))
        assert root.attr("fixed").read  # type: ignore[union-attr]
        assert not root.attr("array").read  # type: ignore[union-attr]


def test_members_links_and_kinds(odd_file: Path) -> None:
    with Inspector.open(odd_file) as h5:
        members = {node.name: node for node in h5.children(h5.root())}
        assert members["g"].kind == "group"
        assert members["soft"].kind == "softlink" and members["soft"].link_target == "/g/d"
        assert members["soft"].error is None
        assert members["dangling"].kind == "softlink" and "points to nothing" in (members["dangling"].error or "")
        assert members["ext"].kind == "extlink" and members["ext"].link_target == "/etc/passwd /x"
        assert members["type"].kind == "datatype"
        d = h5.child(members["g"], "d", filters=True)
        assert d is not None and d.kind == "dataset"
        assert d.dtype == np.dtype("<f4") and d.shape == (5,) and d.maxshape == (None,) and 1 in d.filters
        assert h5.child(members["g"], "nothing") is None
        assert h5.read_bytes(d, 100).error  # not bytes
        s = h5.child(members["g"], "s")
        assert s is not None and h5.read_bytes(s, 100).data == b"xml"
        assert h5.read_bytes(s, 2).error and "limit" in (h5.read_bytes(s, 2).error or "")


def test_walk_stops_at_cycles(odd_file: Path) -> None:
    with Inspector.open(odd_file) as h5:
        g = h5.child(h5.root(), "g")
        assert g is not None
        walked = [(depth, node.name, node.kind) for depth, node in h5.walk(g)]
        assert (1, "loop", "loop") in walked and (1, "d", "dataset") in walked


def test_walk_depth_limit(tmp_path: Path) -> None:
    path = tmp_path / "deep.h5"
    with h5py.File(path, "w") as f:
        f.create_group("/a" * 10)
    with Inspector.open(path) as h5:
        top = h5.child(h5.root(), "a")
        assert top is not None
        kinds = [(d, n.kind) for d, n in h5.walk(top, max_depth=4)]
        assert kinds == [(1, "group"), (2, "group"), (3, "group"), (4, "loop")]


@pytest.mark.parametrize("content", [b"", b"plain text", b"\x89HDF\r\n\x1a\n" + b"\xff" * 100])
def test_open_refuses_non_hdf5(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.h5"
    path.write_bytes(content)
    with pytest.raises(FormatError):
        Inspector.open(path)
    with pytest.raises(FormatError, match="no such file"):
        Inspector.open(tmp_path / "absent.h5")


def test_many_members_stream_in_batches(tmp_path: Path) -> None:
    path = tmp_path / "wide.h5"
    with h5py.File(path, "w") as f:
        for i in range(700):
            f.create_dataset(f"d{i:04d}", data=[i])
    with Inspector.open(path) as h5:
        names = [n.name for n in h5.children(h5.root(), skip=("d0003",))]
    assert len(names) == 699 and names[0] == "d0000" and "d0003" not in names and names[-1] == "d0699"
