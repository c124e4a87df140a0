"""Every wfdisc datatype decodes to the exact samples; obspy's CSS files agree with obspy's reader."""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import obspy
import pytest
from obspy.io.sac import SACTrace

from asdfkit.errors import FormatError, InvalidValueError
from asdfkit.io.css import read_css
from asdfkit.io.css.samples import BINARY, choose_datatype, decode, encode

START = 1_296_474_900_000_000_000


@pytest.mark.parametrize("datatype", sorted(BINARY))
def test_binary_datatypes_round_trip_exactly(tmp_path: Path, datatype: str, rng: np.random.Generator) -> None:
    dtype = np.dtype(BINARY[datatype])
    if dtype.kind == "i":
        data = rng.integers(np.iinfo(dtype).min, np.iinfo(dtype).max, 500, endpoint=True).astype(dtype.newbyteorder("="))
    else:
        data = rng.standard_normal(500).astype(dtype.newbyteorder("=")) * 1e6
    path = tmp_path / "x.w"
    path.write_bytes(b"\0" * 7 + encode(data, datatype))
    out = decode(datatype, path, 7, 500, "row").data
    assert out.dtype == data.dtype and np.array_equal(out, data)
    assert choose_datatype(data.dtype, "big" if datatype[0] in "st" else "little") == datatype


def test_s3_is_three_byte_big_endian(tmp_path: Path) -> None:
    values = np.array([0, 1, -1, 2**23 - 1, -(2**23), 123456, -654321], dtype=np.int32)
    raw = b"".join(int(v).to_bytes(3, "big", signed=True) for v in values)
    (tmp_path / "x.w").write_bytes(raw)
    assert np.array_equal(decode("s3", tmp_path / "x.w", 0, len(values), "row").data, values)


@pytest.mark.parametrize(("datatype", "text", "dtype"), [
    ("c0", "  12\n-7 3\n 2147483647", np.int32),
    ("a0", "1.5 -2.25e3\n0.1\n7", np.float32),
    ("b0", "1.5 -2.25e3\n0.1\n7", np.float64),
    ("as", "1.5 -2.25e3\n0.1\n7", np.float64),
])
def test_ascii_datatypes(tmp_path: Path, datatype: str, text: str, dtype: Any) -> None:
    (tmp_path / "x.txt").write_text("header line\n" + text + "\n99 99\n")
    out = decode(datatype, tmp_path / "x.txt", 12, 4, "row").data
    expected = np.array([float(v) for v in text.split()], dtype=dtype)
    assert out.dtype == np.dtype(dtype) and np.array_equal(out, expected)


@pytest.mark.parametrize(("datatype", "byteorder"), [("sc", "big"), ("ic", "little")])
def test_sac_files(tmp_path: Path, datatype: str, byteorder: str, rng: np.random.Generator) -> None:
    data = rng.standard_normal(300).astype(np.float32)
    sac = SACTrace(data=data, delta=0.01, kstnm="ABC", stla=10.5, stlo=20.5)
    buffer = io.BytesIO()
    sac.write(buffer, byteorder=byteorder)
    (tmp_path / "x.sac").write_bytes(b"pad" + buffer.getvalue())
    out = decode(datatype, tmp_path / "x.sac", 3, 300, "row")
    assert np.array_equal(out.data, data) and out.sac.kstnm == "ABC"
    with pytest.raises(FormatError, match="holds 300 samples"):
        decode(datatype, tmp_path / "x.sac", 3, 301, "row")


def test_miniseed(tmp_path: Path, rng: np.random.Generator) -> None:
    data = rng.integers(-5000, 5000, 3000).astype(np.int32)
    trace = obspy.Trace(data, {"station": "ABC", "sampling_rate": 40.0})
    trace.write(str(tmp_path / "x.mseed"), format="MSEED", reclen=512, encoding="STEIM2")
    out = decode("sd", tmp_path / "x.mseed", 0, 3000, "row").data
    assert np.array_equal(out, data)


def test_gzip_fallback(tmp_path: Path) -> None:
    data = np.arange(100, dtype=np.int32)
    with gzip.open(tmp_path / "x.w.gz", "wb") as handle:
        handle.write(encode(data, "s4"))
    assert np.array_equal(decode("s4", tmp_path / "x.w", 0, 100, "row").data, data)


def test_bad_datatype_and_short_file_name_the_row(tmp_path: Path) -> None:
    (tmp_path / "x.w").write_bytes(b"\0" * 40)
    with pytest.raises(InvalidValueError, match=r"db.wfdisc:3: invalid datatype 'zz'"):
        decode("zz", tmp_path / "x.w", 0, 10, "db.wfdisc:3")
    with pytest.raises(FormatError, match=r"db.wfdisc:3: field 'nsamp' needs 44 bytes at offset 0 .* only 40"):
        decode("s4", tmp_path / "x.w", 0, 11, "db.wfdisc:3")


def test_writing_refuses_what_css_cannot_hold() -> None:
    with pytest.raises(InvalidValueError, match="invalid sample dtype uint8"):
        choose_datatype(np.dtype(np.uint8))
    with pytest.raises(InvalidValueError, match="byteorder"):
        choose_datatype(np.dtype(np.int32), "middle")


@pytest.mark.parametrize("name", ["test_css.wfdisc", "test_css_2.wfdisc"])
def test_obspy_css_files_match_obspys_reader(obspy_css: Path, name: str) -> None:
    expected = obspy.read(str(obspy_css / name), format="CSS")
    reader = read_css(obspy_css / name, default_network="XX")
    got = list(reader.traces())
    assert len(got) == len(expected) == 6
    for ours, theirs in zip(got, expected, strict=True):
        assert (ours.stats.station, ours.stats.channel) == (theirs.stats.station, theirs.stats.channel)
        assert ours.stats.network == "XX" and ours.stats.location == ""
        assert ours.stats.starttime == theirs.stats.starttime and ours.stats.sampling_rate == 80.0
        assert ours.data.dtype == np.int32 and np.array_equal(ours.data, theirs.data)
    assert reader.report.ok


def test_obspy_css_3_reports_its_missing_files(obspy_css: Path) -> None:
    reader = read_css(obspy_css / "test_css_3.wfdisc", default_network="XX")
    got = list(reader.traces())
    assert [t.stats.channel for t in got] == ["HHZ", "HHE", "HHE", "HHN"]
    assert [Path(m.path).name for m in reader.report.missing] == ["missing_dtype_c0_._", "missing11155_2.le.w"]
    assert all(m.reason == "file not found" and ".wfdisc:" in m.row for m in reader.report.missing)


def test_obspys_ascii_file_as_c0_rows(obspy_css: Path, make_db: Callable[..., Path],
                                      wfrow: Callable[..., dict[str, Any]], tmp_path: Path) -> None:
    text = gzip.decompress((obspy_css / "201101311155.10.ascii.gz").read_bytes())
    (tmp_path / "ascii").write_bytes(text)
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == 10][4799::4800][:2]
    rows = [wfrow("TEST", chan, START, 4800, "c0", "ascii", samprate=80.0, foff=off)
            for chan, off in zip(["HHZ", "HHE", "HHN"], starts, strict=True)]
    db = make_db("wfdisc", rows)
    ours = list(read_css(db, default_network="XX").traces())
    binary = obspy.read(str(obspy_css / "test_css.wfdisc"), format="CSS")[:3]
    for a, b in zip(ours, binary, strict=True):
        assert np.array_equal(a.data, b.data)


def test_traces_are_read_lazily_one_row_at_a_time(tmp_path: Path, make_db: Callable[..., Path],
                                                  wfrow: Callable[..., dict[str, Any]]) -> None:
    for name in ("a.w", "b.w", "c.w"):
        (tmp_path / name).write_bytes(encode(np.arange(10, dtype=np.int16), "s2"))
    db = make_db("wfdisc", [wfrow(s, "BHZ", START, 10, "s2", f"{s.lower()}.w") for s in ("A", "B", "C")])
    reader = read_css(db, default_network="XX")
    traces = reader.traces()
    assert next(traces).stats.station == "A" and reader.report.counts["traces"] == 1
    (tmp_path / "b.w").unlink()  # row 2 has not been read yet
    assert [t.stats.station for t in traces] == ["C"]
    assert [Path(m.path).name for m in reader.report.missing] == ["b.w"]
