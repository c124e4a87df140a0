"""Corrupt global heaps (where HDF5 loops forever) are detected before variable-length data is read."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import h5py

import asdfkit
from asdfkit.validation.conformance import T
from asdfkit.validation.heapscan import check_global_heaps


def _free_record(path: Path) -> int:
    """Offset of the size field of the first free-space record of the first collection."""
    data = path.read_bytes()
    start = data.find(b"GCOL")
    position = start + 16
    while True:
        index = int.from_bytes(data[position:position + 2], "little")
        size = int.from_bytes(data[position + 8:position + 16], "little")
        if index == 0:
            return position + 8
        position += 16 + ((size + 7) & ~7)


def test_sound_heaps_pass(base_file: Path, tmp_path: Path) -> None:
    assert check_global_heaps(str(base_file)) is None
    plain = tmp_path / "plain.h5"
    with h5py.File(plain, "w") as f:
        f["x"] = [1]
    assert check_global_heaps(str(plain)) is None  # no collection at all


def test_zero_sized_free_space_is_caught(base_copy: Callable[[], Path], found) -> None:
    path = base_copy()  # the base file has variable-length labels on one trace
    offset = _free_record(path)
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(b"\x00" * 8)
    problem = check_global_heaps(str(path))
    assert problem and "size 0" in problem and "loop forever" in problem
    started = time.perf_counter()
    report = asdfkit.validate(path)  # HDF5 itself would never return from reading labels
    assert time.perf_counter() - started < 10
    assert ("ASDF-FILE-002", "/") in found(report)
    assert not any(f.rule.startswith("ASDF-ATTR") and f.path == T for f in report.findings)


def test_oversized_record_is_caught(base_copy: Callable[[], Path]) -> None:
    path = base_copy()
    offset = _free_record(path)
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write((2**40).to_bytes(8, "little"))
    assert "claims" in (check_global_heaps(str(path)) or "")


def test_text_that_spells_gcol_is_not_a_collection(tmp_path: Path) -> None:
    path = tmp_path / "text.bin"
    path.write_bytes(b"xxGCOLxx" * 100)
    assert check_global_heaps(str(path)) is None
