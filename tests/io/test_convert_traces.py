"""Issue 15 part 3: one bad trace no longer sinks a file; text channels kept; --cast never crashes."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import obspy
import pytest
from click.testing import CliRunner
from obspy import Stream, Trace, UTCDateTime

from asdfkit.cli.main import cli
from asdfkit.container import open as open_asdf
from asdfkit.io.textlogs import LOG_TYPE
from asdfkit.io.tracecheck import BadTraceError, check_traces
from asdfkit.spec import AUX_RULE_OLD

MSEED = "io/mseed/tests/data"


def _convert(*args: Any) -> tuple[int, dict[str, Any] | None, str]:
    result = CliRunner().invoke(cli, ["convert", *map(str, args), "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    summary = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, summary, result.stderr


def _read(path: Path) -> Stream:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return obspy.read(str(path))


def _stored(path: Path) -> list[Trace]:
    with open_asdf(path) as f:
        return [f.get_waveform(h) for h in f.list_waveforms()]


def test_zero_sample_traces_are_skipped_and_listed(obspy_data: Path, tmp_path: Path) -> None:
    source = obspy_data / MSEED / "three_records_zero_data_in_middle.mseed"
    code, summary, _ = _convert(source, tmp_path / "z.h5")
    assert code == 0 and summary is not None
    assert summary["traces"] == 2
    assert summary["skipped"] == [{"path": str(source), "trace": "BW.BGLD..EHE", "reason": "no samples",
                                   "start": "2008-01-01T00:00:01.825000Z", "count": 1}]
    expected = [t for t in _read(source) if len(t.data)]
    stored = sorted(_stored(tmp_path / "z.h5"), key=lambda t: t.stats.starttime)
    assert [t.stats.starttime.ns for t in stored] == [t.stats.starttime.ns for t in expected]
    assert all(np.array_equal(a.data, b.data) for a, b in zip(stored, expected, strict=True))


def test_an_input_of_zero_sample_traces_only_is_refused_saying_so(obspy_data: Path, tmp_path: Path) -> None:
    code, _, stderr = _convert(obspy_data / "io/sac/tests/data/non_ascii.sac", tmp_path / "n.h5")
    assert code == 1 and "no samples" in stderr and not (tmp_path / "n.h5").exists()


def test_identical_repeated_records_refuse_then_are_dropped(obspy_data: Path, tmp_path: Path) -> None:
    source = obspy_data / MSEED / "qualityflags.mseed"  # 18 copies of one record
    code, _, stderr = _convert(source, tmp_path / "q.h5")
    assert code == 1 and not (tmp_path / "q.h5").exists()
    assert "BW.BGLD..EHE starting 2007-12-31T23:59:59.915000Z" in stderr and "--skip-duplicates" in stderr
    assert "--skip-bad" in stderr
    for option in ("--skip-duplicates", "--skip-bad"):
        out = tmp_path / f"q{option}.h5"
        code, summary, _ = _convert(source, out, option)
        assert code == 0 and summary is not None and summary["traces"] == 1
        assert summary["skipped"][0]["count"] == 17 and summary["skipped"][0]["trace"] == "BW.BGLD..EHE"
        (stored,) = _stored(out)
        assert np.array_equal(stored.data, _read(source)[0].data)


def _two_traces(tmp_path: Path, sample_set: Path) -> Path:
    """A miniSEED file of a real trace with NaNs (float64) and a real int32 trace."""
    bad = obspy.read(str(sample_set / "AE.113A..BHZ.mseed"))[0]
    bad.data = bad.data.astype("float64")
    bad.data[:10] = np.nan
    del bad.stats.mseed
    good = obspy.read(str(sample_set / "AE.113A..BHN.mseed"))[0]
    path = tmp_path / "two.mseed"
    with warnings.catch_warnings():  # ObsPy warns that the two traces have different encodings: they do
        warnings.simplefilter("ignore", UserWarning)
        Stream([bad, good]).write(str(path), format="MSEED")
    return path


def test_skip_bad_skips_only_the_bad_trace(tmp_path: Path, sample_set: Path) -> None:
    path = _two_traces(tmp_path, sample_set)
    code, _, stderr = _convert(path, tmp_path / "a.h5", "--cast", "int32")
    assert code == 1 and "AE.113A..BHZ" in stderr and "NaN" in stderr and "--skip-bad" in stderr
    assert not (tmp_path / "a.h5").exists()
    code, summary, _ = _convert(path, tmp_path / "b.h5", "--cast", "int32", "--skip-bad")
    assert code == 0 and summary is not None and summary["traces"] == 1
    assert [s["trace"] for s in summary["skipped"]] == ["AE.113A..BHZ"] and not summary["bad_inputs"]
    assert "NaN" in summary["skipped"][0]["reason"]
    (stored,) = _stored(tmp_path / "b.h5")
    assert stored.id == "AE.113A..BHN" and stored.data.dtype == np.int32


def test_skip_bad_still_skips_unreadable_files_under_skipped(tmp_path: Path, sample_set: Path) -> None:
    junk = tmp_path / "junk.mseed"
    junk.write_bytes(b"not a seismogram" * 50)
    code, summary, _ = _convert(junk, sample_set / "AE.113A..BHN.mseed", tmp_path / "c.h5", "--skip-bad")
    assert code == 0 and summary is not None
    assert summary["skipped"] == [{"path": str(junk), "reason": summary["bad_inputs"][0]["reason"]}]


@pytest.mark.parametrize(("dtype", "wider"), [("uint8", "int16"), ("int8", "int16"), ("uint16", "int32"),
                                              ("uint32", "int64"), ("float16", "float32"), ("uint64", "int64")])
def test_types_asdf_cannot_hold_are_widened_losslessly(tmp_path: Path, sample_set: Path, dtype: str,
                                                       wider: str) -> None:
    trace = obspy.read(str(sample_set / "AE.113A..BHN.mseed"))[0]
    info = np.finfo(dtype) if dtype.startswith("float") else np.iinfo(dtype)
    low, high = int(info.min), min(int(info.max), 2**63 - 1)  # uint64: widened only when values fit int64
    values = np.clip(trace.data.astype(np.int64), max(low, -1000), min(high, 1000)).astype(object)
    values[0], values[1] = high, low  # the extremes survive
    trace.data = np.array(values.tolist(), dtype=dtype)
    path = tmp_path / f"{dtype}.pickle"
    trace.write(str(path), format="PICKLE")  # the one ObsPy format that keeps any numpy dtype
    code, summary, _ = _convert(path, tmp_path / "w.h5")
    assert code == 0 and summary is not None
    assert summary["widened"] == [{"path": str(path), "trace": trace.id, "start": str(trace.stats.starttime),
                                   "from": dtype, "to": wider}]
    (stored,) = _stored(tmp_path / "w.h5")
    assert stored.data.dtype == np.dtype(wider)
    assert np.array_equal(stored.data.astype(np.float64), trace.data.astype(np.float64))


def test_uint64_beyond_int64_is_refused_naming_the_trace(tmp_path: Path) -> None:
    trace = Trace(np.array([1, 2**63 + 5], dtype=np.uint64), header={"network": "XX", "station": "S1",
                                                                    "channel": "BHZ", "sampling_rate": 1.0})
    path = tmp_path / "big.pickle"
    trace.write(str(path), format="PICKLE")
    code, _, stderr = _convert(path, tmp_path / "u.h5")
    assert code == 1 and "XX.S1..BHZ" in stderr and "--cast float64" in stderr and "--skip-bad" in stderr


def test_non_numeric_samples_are_a_bad_trace(tmp_path: Path) -> None:
    header = {"network": "XX", "station": "S1", "channel": "BHZ", "sampling_rate": 1.0}
    good = Trace(np.arange(5, dtype=np.int32), header=dict(header))
    bad = Trace(np.array([1 + 2j, 3j]), header={**header, "channel": "BHN"})
    with pytest.raises(BadTraceError, match=r"XX\.S1\.\.BHN .*non-numeric.*--skip-bad"):
        check_traces(Stream([good, bad.copy()]), tmp_path / "x")
    with pytest.raises(BadTraceError, match=r"XX\.S1\.\.BHN .*--cast float32 cannot apply"):
        check_traces(Stream([good.copy(), bad.copy()]), tmp_path / "x", cast="float32")
    checked = check_traces(Stream([good.copy(), bad.copy()]), tmp_path / "x", cast="float32", skip_bad=True)
    assert [t.id for t in checked.stream] == ["XX.S1..BHZ"] and checked.stream[0].data.dtype == np.float32
    assert checked.skipped[0]["trace"] == "XX.S1..BHN"


def test_text_records_are_stored_as_auxiliary_data(obspy_data: Path, tmp_path: Path) -> None:
    source = obspy_data / MSEED / "rt130_sr0_cropped.mseed"  # an RT130 LOG channel, sampling rate 0
    out = tmp_path / "log.h5"
    code, summary, _ = _convert(source, out)
    assert code == 0 and summary is not None and summary["traces"] == 0 and len(summary["logs"]) == 5
    records = _read(source)
    with open_asdf(out) as f:
        entries = f.list_auxiliary_data(LOG_TYPE)
        items = [f.get_auxiliary_data(LOG_TYPE, p) for _, p in entries]
    assert len(items) == 5
    for item, record in zip(sorted(items, key=lambda i: i.attrs["starttime"]), records, strict=True):
        group, name = item.path.split("/")
        assert group == "GR_FUR__LOG" and re.fullmatch(r"T\d{8}T\d{6}_\d{9}", name)
        assert AUX_RULE_OLD.matches(group) and AUX_RULE_OLD.matches(name)  # valid in every ASDF version
        assert item.data.dtype == np.uint8 and item.data.tobytes() == record.data.tobytes()
        assert item.attrs["seed_id"] == "GR.FUR..LOG" and item.attrs["starttime"] == record.stats.starttime.ns
    import pyasdf  # the oracle reads them back

    with pyasdf.ASDFDataSet(str(out), mode="r") as ds:
        assert len(ds.auxiliary_data.Logs.GR_FUR__LOG) == 5


def test_two_records_of_one_channel_and_start_keep_their_own_names(tmp_path: Path) -> None:
    from asdfkit.io.textlogs import store_text_records

    start = UTCDateTime("2017-01-01T00:00:12.5")
    records = [Trace(np.frombuffer(text, dtype="S1"), header={"network": "GR", "station": "FUR",
                                                               "channel": "LOG", "starttime": start})
               for text in (b"first", b"second")]
    with open_asdf(tmp_path / "t.h5", "w") as f:
        written = store_text_records(f, records)
        assert written == ["/AuxiliaryData/Logs/GR_FUR__LOG/T20170101T000012_500000000",
                           "/AuxiliaryData/Logs/GR_FUR__LOG/T20170101T000012_500000000_2"]
        assert store_text_records(f, records[:1], skip_identical=True) == []


@pytest.mark.parametrize("name", ["rt130_sr0_cropped.mseed", "encoding/fullASCII_bigEndian.mseed"])
def test_cast_on_text_channels_is_refused_per_trace_without_a_traceback(obspy_data: Path, tmp_path: Path,
                                                                      name: str) -> None:
    source = obspy_data / MSEED / name
    code, summary, _ = _convert(source, tmp_path / "c.h5", "--cast", "float32")
    assert code == 0 and summary is not None
    records = _read(source)
    notes = [w for w in summary["warnings"] if "--cast float32 does not apply" in w]
    assert len(notes) == len(records) and all(records[0].id in n for n in notes)
    assert len(summary["logs"]) == len(records)  # the text is kept, not lost


def test_traces_without_codes_are_never_taken_for_repeats(tmp_path: Path) -> None:
    """SH's 101.QHD holds 101 records without any code, many all zeros: a codes table tells them apart."""
    header = {"sampling_rate": 20.0}
    records = Stream([Trace(np.zeros(21), header=dict(header)) for _ in range(3)])
    assert len(check_traces(records, tmp_path / "101.QHD").stream) == 3
    for trace in records:
        trace.stats.update({"network": "XX", "station": "S1", "channel": "BHZ"})
    with pytest.raises(BadTraceError, match="more than once"):
        check_traces(records, tmp_path / "101.QHD")


def test_a_codes_table_renames_text_channels_too(obspy_data: Path, tmp_path: Path) -> None:
    source = obspy_data / MSEED / "rt130_sr0_cropped.mseed"
    table = tmp_path / "codes.csv"
    table.write_text("source_id,seed_id,reason\nGR.FUR..LOG,GR.FUR2.00.LOG,renamed by hand\n")
    out = tmp_path / "log.h5"
    code, summary, stderr = _convert(source, out, "--codes", table)
    assert code == 0 and summary is not None, stderr
    with open_asdf(out) as f:
        entries = f.list_auxiliary_data(LOG_TYPE)
        items = [f.get_auxiliary_data(LOG_TYPE, p) for _, p in entries]
    assert len(items) == 5
    assert {item.path.split("/")[0] for item in items} == {"GR_FUR2_00_LOG"}
    assert {item.attrs["seed_id"] for item in items} == {"GR.FUR2.00.LOG"}
