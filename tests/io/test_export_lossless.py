"""Exports never lose a trace: unique names, no silent overwrite, a read-back check, changes reported.

Real files from ObsPy's test data whose traces share a channel and a start
second (issue 15: 30 traces exported as 21 files, 12 as 4, 2 as 1).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import obspy
import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit.cli.main import cli
from asdfkit.errors import ExportMismatchError, InvalidDtypeError, OutputExistsError
from asdfkit.io.convert import ConvertOptions, convert_to_asdf
from asdfkit.io.export import export

CASES = {  # path inside the obspy package, conversion options, traces
    "slist": ("core/tests/data/ffbx_rotated.slist", {}, 30),
    "alsep": ("io/alsep/tests/data/wth.1.5.mini", {}, 12),
    # two channels 'DS 10'/'DS 11' given one code: same id, same start, different samples
    "reftek": ("io/reftek/tests/data/221935615_00000000", {"network": "XX", "channel": "BHZ"}, 2),
}


def _convert(obspy_data: Path, tmp_path: Path, case: str) -> Path:
    rel, options, _ = CASES[case]
    out = tmp_path / f"{case}.h5"
    # ObsPy's reader notes (reftek warns about its headers) are logged by convert, never raised
    convert_to_asdf([obspy_data / rel], out, ConvertOptions(**options))
    return out


def _stored(path: Path) -> list[obspy.Trace]:
    with asdfkit.open(path) as f:
        return [f.get_waveform(h) for h in f.list_waveforms()]


def _key(trace: obspy.Trace) -> tuple[str, int, bytes]:
    return trace.id, trace.stats.starttime.ns, np.asarray(trace.data, dtype=np.float64).tobytes()


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("fmt", ["mseed", "sac"])
def test_every_trace_exported_to_a_file_of_its_own(obspy_data: Path, tmp_path: Path, case: str, fmt: str) -> None:
    h5 = _convert(obspy_data, tmp_path, case)
    stored = _stored(h5)
    assert len(stored) == CASES[case][2]
    report = export(h5, tmp_path / "out", fmt)
    assert report.traces == len(stored)
    assert len(report.files) == len(set(report.files)) == len(stored)
    assert sorted(str(p) for p in (tmp_path / "out").iterdir()) == sorted(report.files)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ObsPy notes the SAC delta it rounds (reported as a change)
        back = [tr for path in report.files for tr in obspy.read(path)]
    if fmt == "sac":  # float32: compare with the stored samples as float32
        for tr in stored:
            tr.data = tr.data.astype(np.float32)
    assert sorted(_key(t)[::2] for t in back) == sorted(_key(t)[::2] for t in stored)  # ids and samples
    starts = sorted((t.id, t.stats.starttime.ns) for t in back)
    assert starts == sorted((t.id, t.stats.starttime.ns) for t in stored)


@pytest.mark.parametrize("per", ["station", "file"])
def test_per_station_and_per_file_hold_every_trace(obspy_data: Path, tmp_path: Path, per: str) -> None:
    h5 = _convert(obspy_data, tmp_path, "reftek")
    out = tmp_path / ("all.mseed" if per == "file" else "dir")
    report = export(h5, out, "mseed", per=per)
    (path,) = report.files
    back = obspy.read(path)
    assert sorted(_key(t) for t in back) == sorted(_key(t) for t in _stored(h5))


def test_existing_files_are_refused_unless_overwrite(obspy_data: Path, tmp_path: Path) -> None:
    h5 = _convert(obspy_data, tmp_path, "alsep")
    out = tmp_path / "out"
    first = export(h5, out, "mseed")
    victim = Path(first.files[5])
    for path in first.files:
        Path(path).unlink()
    victim.write_bytes(b"someone else's file")  # the one file in the way: traces 1-5 are staged first
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(OutputExistsError, match=victim.name):
        export(h5, out, "mseed")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing written, no partials left
    again = export(h5, out, "mseed", overwrite=True)
    assert sorted(again.files) == sorted(first.files)
    assert len(obspy.read(str(victim))) == 1


def test_cli_existing_output_exit_2_and_json_lists_written_files(obspy_data: Path, tmp_path: Path) -> None:
    h5 = _convert(obspy_data, tmp_path, "slist")
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(cli, ["convert", str(h5), str(out), "--to", "mseed", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert len(summary["files"]) == 30 and all(Path(p).is_file() for p in summary["files"])
    result = runner.invoke(cli, ["convert", str(h5), str(out), "--to", "mseed"])
    assert result.exit_code == 2 and "--overwrite" in result.output
    result = runner.invoke(cli, ["convert", str(h5), str(out), "--to", "mseed", "--overwrite"])
    assert result.exit_code == 0, result.output


def test_css_stationxml_quakeml_exports_refuse_existing_files(sample_set: Path, tmp_path: Path) -> None:
    h5 = tmp_path / "in.h5"
    convert_to_asdf([sample_set], h5)
    runner = CliRunner()
    for fmt, target in (("stationxml", "st.xml"), ("quakeml", "q.xml")):
        (tmp_path / target).write_text("keep")
        result = runner.invoke(cli, ["convert", str(h5), str(tmp_path / target), "--to", fmt])
        assert result.exit_code == 2 and (tmp_path / target).read_text() == "keep"
        result = runner.invoke(cli, ["convert", str(h5), str(tmp_path / target), "--to", fmt, "--overwrite"])
        assert result.exit_code == 0 and (tmp_path / target).read_text() != "keep"
    db = tmp_path / "db" / "out"
    result = runner.invoke(cli, ["convert", str(h5), str(db), "--to", "css"])
    assert result.exit_code == 0, result.output
    site = db.parent / "out.site"
    for path in db.parent.rglob("*"):  # only the site table is left in the way (no wfdisc)
        if path.is_file() and path != site:
            path.unlink()
    site.write_text("edited\n")
    result = runner.invoke(cli, ["convert", str(h5), str(db), "--to", "css"])
    assert result.exit_code == 2 and "out.site" in result.output
    assert site.read_text() == "edited\n"
    result = runner.invoke(cli, ["convert", str(h5), str(db), "--to", "css", "--overwrite"])
    assert result.exit_code == 0, result.output
    assert site.read_text() != "edited\n"


def test_rate_the_format_rounds_is_reported_per_trace(obspy_data: Path, tmp_path: Path) -> None:
    h5 = tmp_path / "grm.h5"
    convert_to_asdf([obspy_data / "io" / "cybershake" / "tests" / "data" / "test.grm"], h5)
    report = export(h5, tmp_path / "out", "mseed")
    rates = [c for c in report.changes if c.what == "sampling_rate"]
    assert sorted(c.trace.split("@")[0] for c in rates) == ["CS.USC.00.MXE", "CS.USC.00.MXN"]
    assert all("19.99999970197678" in c.detail and "20.0" in c.detail for c in rates)


def _write(h5: Path, trace: obspy.Trace) -> None:
    with asdfkit.open(h5, "w") as f:
        f.add_waveforms(trace, "raw")


def test_int64_beyond_int32_refused_naming_the_trace(obspy_data: Path, tmp_path: Path) -> None:
    trace = obspy.read(str(obspy_data / "io" / "alsep" / "tests" / "data" / "wth.1.5.mini"))[0]
    trace.data = trace.data.astype(np.int64) + 2**33
    h5 = tmp_path / "big.h5"
    _write(h5, trace)
    with pytest.raises(InvalidDtypeError, match=r"XA\.S17\.\.GP1@1976-08-19T06:21:30\.06.*int32"):
        export(h5, tmp_path / "out", "mseed")
    assert not (tmp_path / "out").exists()
    trace.data -= 2**33  # fits: written as int32 and reported
    _write(h5, trace)
    report = export(h5, tmp_path / "out", "mseed")
    assert [c.what for c in report.changes] == ["dtype"] and "int64" in report.changes[0].detail
    assert obspy.read(report.files[0])[0].data.dtype == np.int32


def test_int16_read_back_as_int32_is_reported(obspy_data: Path, tmp_path: Path) -> None:
    trace = obspy.read(str(obspy_data / "io" / "alsep" / "tests" / "data" / "wth.1.5.mini"))[0]
    trace.data = trace.data.astype(np.int16)
    h5 = tmp_path / "i2.h5"
    _write(h5, trace)
    report = export(h5, tmp_path / "out", "mseed")
    (change,) = report.changes
    assert change.what == "dtype" and "int16" in change.detail and "int32" in change.detail


def test_sac_keeps_kevnm_and_leaves_unknown_elevation_undefined(obspy_data: Path, tmp_path: Path) -> None:
    # seism.sac: kevnm 'K8108838', station coordinates but no stel/stdp
    h5 = tmp_path / "sac.h5"
    convert_to_asdf([obspy_data / "io" / "sac" / "tests" / "data" / "seism.sac"], h5,
                    ConvertOptions(network="XX", channel="BHZ"))
    report = export(h5, tmp_path / "out", "sac")
    sac = obspy.read(report.files[0])[0].stats.sac
    assert sac.kevnm == "K8108838"
    assert "stel" not in sac and "stdp" not in sac
    assert sac.stla == pytest.approx(87.99997, abs=1e-4)


# ObsPy notes that it rounds this file's delta (0.050000161 s) to microseconds when reading it
@pytest.mark.filterwarnings("ignore:Sample spacing read from SAC file")
def test_sac_keeps_known_elevation_and_depth(obspy_data: Path, tmp_path: Path) -> None:
    h5 = tmp_path / "tly.h5"
    convert_to_asdf([obspy_data / "realtime" / "tests" / "data" / "II.TLY.BHZ.SAC"], h5)
    report = export(h5, tmp_path / "out", "sac")
    sac = obspy.read(report.files[0])[0].stats.sac
    assert (sac.stel, sac.stdp) == (579.0, 20.0)


def test_a_file_that_does_not_read_back_fails_and_leaves_nothing(obspy_data: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    h5 = _convert(obspy_data, tmp_path, "slist")
    real_write = obspy.Stream.write

    def lossy(self: obspy.Stream, filename: str, format: str, **kwargs: object) -> None:
        self.traces = self.traces[:-1]  # a writer that drops the last trace
        real_write(self, filename, format=format, **kwargs)

    monkeypatch.setattr(obspy.Stream, "write", lossy)
    with pytest.raises(ExportMismatchError, match="BW.FFB1"):
        export(h5, tmp_path / "one.mseed", "mseed", per="file")
    assert list(tmp_path.glob("*mseed*")) == []


@pytest.mark.parametrize("fmt", ["mseed", "sac"])
def test_nan_samples_are_checked_as_equal(obspy_data: Path, tmp_path: Path, fmt: str) -> None:
    # a real Seismic Handler file whose BHN/BHE traces hold 4 NaN samples each
    h5 = tmp_path / "sh.h5"
    convert_to_asdf([obspy_data / "io" / "sh" / "tests" / "data" / "QFILE-TEST-SUN.QHD"], h5,
                    ConvertOptions(network="XX"))
    report = export(h5, tmp_path / "out", fmt)
    assert len(report.files) == 3 and not [c for c in report.changes if c.what == "samples"]
    nans = sorted(int(np.isnan(obspy.read(p)[0].data).sum()) for p in report.files)
    assert nans == [0, 4, 4]
