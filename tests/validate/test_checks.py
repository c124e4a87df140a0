"""Individual checks on broken copies of the base file, beyond the one-per-rule corpus."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
import pytest

import asdfkit
from asdfkit.times import end_ns as _end
from asdfkit.validation.conformance import AUX, STATION, TRACE, T, stationxml
from asdfkit.validation.waveforms import _parse_name_time

SX = f"{STATION}/StationXML"


def _xml(f: h5py.File, path: str, data: bytes) -> None:
    del f[path]
    f.create_dataset(path, data=np.frombuffer(data, np.int8), maxshape=(None,))


def test_every_problem_of_one_trace_is_reported(base_copy: Callable[[], Path], found) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        ds = f[T]
        ds.attrs["sampling_rate"] = np.float32(100.0)
        ds.attrs["labels"] = np.int64(3)
        ds.attrs["magnitude_id"] = np.bytes_(b"a,,b\x00")
        ds.attrs["x"] = 1
    report = asdfkit.validate(path)
    assert found(report) == {("ASDF-WAVE-005", T), ("ASDF-ATTR-004", T), ("ASDF-ATTR-002", T),
                             ("ASDF-ATTR-001", T)}
    assert "float32" in next(f.message for f in report.findings if f.rule == "ASDF-WAVE-005")


def test_max_findings_stops_early(base_copy: Callable[[], Path]) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        for name in TRACE.values():
            f[name].attrs["sampling_rate"] = -1.0
            f[name].attrs["unknown"] = 1
    full = asdfkit.validate(path)
    assert len(full.findings) == 6 and not full.truncated
    short = asdfkit.validate(path, max_findings=2)
    assert short.truncated and short.findings == full.findings[:2]


def test_select_and_ignore_filter_findings(base_copy: Callable[[], Path]) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        f[T].attrs["sampling_rate"] = -1.0
        f[T].attrs["unknown"] = 1
    assert {f.rule for f in asdfkit.validate(path, select="WAVE").findings} == {"ASDF-WAVE-005"}
    assert {f.rule for f in asdfkit.validate(path, ignore=["WAVE"]).findings} == {"ASDF-ATTR-001"}
    ignored = asdfkit.validate(path, ignore="ASDF-WAVE-005")
    assert ignored.ok  # the only error is ignored: a warning remains


def test_qml_rules_off_skips_parsing(base_copy: Callable[[], Path]) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        _xml(f, "/QuakeML", b"<broken")
    assert asdfkit.validate(path, select="WAVE").findings == ()
    assert {f.rule for f in asdfkit.validate(path).findings} == {"ASDF-XML-004"}


def test_missing_quakeml_makes_event_ids_unresolved(base_copy: Callable[[], Path], found) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        del f["QuakeML"]
    report = asdfkit.validate(path)
    assert {rule for rule, _ in found(report)} == {"ASDF-QML-003"}
    assert len(report.findings) == 9  # 3 traces x (event, origin, magnitude)


def test_unreadable_quakeml_does_not_cascade(base_copy: Callable[[], Path], found) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        _xml(f, "/QuakeML", b"\x00\x00  \n")
    assert found(asdfkit.validate(path)) == {("ASDF-XML-003", "/QuakeML")}


def test_trailing_nul_padding_is_accepted(base_copy: Callable[[], Path]) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        _xml(f, SX, stationxml() + b"\x00")  # as SPECFEM writes it
    assert asdfkit.validate(path).findings == ()


def test_stationxml_coverage_needs_both_epochs(base_copy: Callable[[], Path], found) -> None:
    path = base_copy()
    channels = (("EHE", 100.0, "2007-12-17T00:00:00", None), ("EHN", 100.0, "2007-12-17T00:00:00", None),
                ("EHZ", 100.0, "2007-12-17T00:00:00", "2009-08-24T00:20:10"),
                ("EHZ", 100.0, "2009-08-24T00:21:00", None))  # a gap inside the trace
    with h5py.File(path, "r+") as f:
        _xml(f, SX, stationxml(channels=channels))
    assert found(asdfkit.validate(path)) == {("ASDF-STXML-006", T)}


def test_stationxml_of_another_station_only(base_copy: Callable[[], Path], found) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        _xml(f, SX, stationxml(station="FOO"))
    report = asdfkit.validate(path)
    assert found(report) == {("ASDF-STXML-004", SX)}
    assert {f.message for f in report.findings} >= {"does not describe station BW.RJOB"}


def test_each_stationxml_version_uses_its_own_xsd(base_copy: Callable[[], Path], found) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        _xml(f, SX, stationxml(version="1.1"))
    assert asdfkit.validate(path).findings == ()
    with h5py.File(path, "r+") as f:
        _xml(f, SX, stationxml(version="1.0"))  # 1.0 requires a station's CreationDate
    report = asdfkit.validate(path)
    assert found(report) == {("ASDF-STXML-003", SX)}
    assert "CreationDate" in report.findings[0].message


def test_provenance_id_checks_on_aux_and_traces(base_copy: Callable[[], Path], found) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        f[AUX].attrs["provenance_id"] = np.bytes_(b"{http://x/}sp000_wf_0000000\x00")
        f[T].attrs["provenance_id"] = "{http://seisprov.org/seis_prov/0.1/#}sp001_wf_a34j4didj3"  # vlen
    assert found(asdfkit.validate(path)) == {("ASDF-PROV-004", AUX), ("ASDF-ATTR-003", T)}


def test_unreadable_provenance_does_not_cascade(base_copy: Callable[[], Path], found) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        _xml(f, "/Provenance/chain", b"<prov:document")
    assert found(asdfkit.validate(path)) == {("ASDF-XML-004", "/Provenance/chain")}


def test_non_utf8_names_are_reported_and_printable(base_copy: Callable[[], Path]) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        f["Waveforms"].create_group(b"BW.R\xffJ\x1b[31m")
    report = asdfkit.validate(path, select="NAME")
    (finding,) = report.findings
    assert finding.rule == "ASDF-NAME-001" and finding.path == "/Waveforms/BW.R\\xffJ\x1b[31m"
    from asdfkit.cli.validate import format_report

    assert "\x1b" not in format_report(report)  # no terminal escapes reach the screen


def test_old_versions_use_their_own_rules(tmp_path: Path, found) -> None:
    path = tmp_path / "v100.h5"
    with asdfkit.open(path, "w", format_version="1.0.0") as f:
        f.add_auxiliary_data([1.0], data_type="Spectra", path="a_b")
    with h5py.File(path, "r+") as f:
        f.create_dataset("AuxiliaryData/Spectra/a.b", data=[1.0])  # fine in 1.0.3, not in 1.0.0
        f.create_dataset("Waveforms/XX.A/XX.A..BHZ__2013-05-24T05:40:00__2013-05-24T05:40:00__x",
                         data=np.zeros(1, np.int16))
    report = asdfkit.validate(path)
    assert found(report) == {("ASDF-NAME-005", "/AuxiliaryData/Spectra/a.b"),
                             ("ASDF-WAVE-002", "/Waveforms/XX.A/XX.A..BHZ__2013-05-24T05:40:00__2013-05-24T05:40:00__x"),
                             ("ASDF-WAVE-004", "/Waveforms/XX.A/XX.A..BHZ__2013-05-24T05:40:00__2013-05-24T05:40:00__x"),
                             ("ASDF-WAVE-005", "/Waveforms/XX.A/XX.A..BHZ__2013-05-24T05:40:00__2013-05-24T05:40:00__x"),
                             ("ASDF-STXML-001", "/Waveforms/XX.A")}
    assert "int16" in next(f.message for f in report.findings if f.rule == "ASDF-WAVE-002")


@pytest.mark.parametrize(("text", "expected"), [
    ("2013-05-24T05:40:00", (1369374000 * 10**9, False)),
    ("2013-05-24T05:40:00.000000001", (1369374000 * 10**9 + 1, True)),
    ("1969-12-31T23:59:59", (-(10**9), False)),
    ("2013-05-24", None),
    ("2013-13-24T05:40:00", None),  # found by the fuzz test: timegm raised
    ("0000-01-01T00:00:00", None),
])
def test_name_times(text: str, expected) -> None:
    assert _parse_name_time(text) == expected


def test_end_time_is_exact_for_huge_spans() -> None:
    assert _end(0, 3, 100.0) == 20_000_000
    assert _end(0, 2, 1e-300) > 10**300  # no float overflow


def test_pyasdf_rounding_of_starttime_is_tolerated(base_copy: Callable[[], Path]) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        f[T].attrs["starttime"] = np.int64(f[T].attrs["starttime"] - 256)  # float64 rounding
    assert asdfkit.validate(path).findings == ()
