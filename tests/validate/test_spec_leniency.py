"""What the ASDF definition leaves open or calls approximate is a warning; files of other tools validate.

No real files of pyatoa, LASIF, NoisePy or Salvus ship with any installed package, so small files
are written the way each tool writes them (see docs/validate.md, "Files of other software"):
through pyasdf (the reference implementation those tools use) or, for Salvus, h5py directly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest

import asdfkit
from asdfkit.validation import Report, Severity
from asdfkit.validation.conformance import PROVENANCE, SP, STATION, T, stationxml

SX = f"{STATION}/StationXML"

pyasdf = pytest.importorskip("pyasdf")


def _xml(f: h5py.File, path: str, data: bytes) -> None:
    if path in f:
        del f[path]
    f.create_dataset(path, data=np.frombuffer(data, np.int8), maxshape=(None,))


def _rules(report: Report) -> dict[str, Severity]:
    return {f.rule: f.severity for f in report.findings}


def test_stationxml_of_another_version_is_a_warning_and_still_used(base_copy: Callable[[], Path]) -> None:
    path = base_copy()
    channels = tuple((c, 100.0, "2007-12-17T00:00:00", None) for c in ("EHE", "EHN"))  # no EHZ
    with h5py.File(path, "r+") as f:
        _xml(f, SX, stationxml(version="2.0", channels=channels))
    report = asdfkit.validate(path)
    assert report.ok and report.exit_code == 0
    # the 2.0 document parses: it is used (EHZ is found missing from it), only its XSD check is skipped
    assert _rules(report) == {"ASDF-STXML-008": Severity.WARNING, "ASDF-STXML-005": Severity.WARNING}
    assert "'2.0'" in next(f.message for f in report.findings if f.rule == "ASDF-STXML-008")


def test_stationxml_outside_the_fdsn_namespace_stays_an_error(base_copy: Callable[[], Path]) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        _xml(f, SX, stationxml().replace(b' xmlns="http://www.fdsn.org/xml/station/1"', b""))
    report = asdfkit.validate(path)
    assert not report.ok and _rules(report)["ASDF-STXML-002"] is Severity.ERROR


def test_quakeml_of_another_version_is_a_warning_and_its_ids_resolve(base_copy: Callable[[], Path]) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        text = f["QuakeML"][()].tobytes().replace(b"xmlns/quakeml/1.2", b"xmlns/quakeml/1.1")
        _xml(f, "QuakeML", text)
    report = asdfkit.validate(path)
    assert report.ok
    assert _rules(report) == {"ASDF-QML-005": Severity.WARNING}  # event ids still resolve: no QML-003


def test_a_root_that_is_not_quakeml_stays_an_error(base_copy: Callable[[], Path]) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        _xml(f, "QuakeML", b'<catalog xmlns="http://example.org/events"/>')
    report = asdfkit.validate(path)
    assert not report.ok and "ASDF-QML-001" in _rules(report)


def test_times_in_trace_names_are_approximate(base_copy: Callable[[], Path]) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        head, start, end, tag = T.rsplit("/", 1)[1].split("__")
        late = f"{STATION}/{head}__{start[:-2]}59__{end[:-2]}59__{tag}"  # both a few seconds off
        f.move(T, late)
    report = asdfkit.validate(path)
    assert report.ok, [str(f) for f in report.findings]
    rules = _rules(report)
    assert rules["ASDF-WAVE-006"] is Severity.WARNING and rules["ASDF-WAVE-007"] is Severity.WARNING


def test_an_empty_seis_prov_document_is_invalid(base_copy: Callable[[], Path]) -> None:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        _xml(f, "Provenance/empty", b'<prov:document xmlns:prov="http://www.w3.org/ns/prov#"/>')
    report = asdfkit.validate(path)
    assert not report.ok
    finding = next(f for f in report.findings if f.path == "/Provenance/empty")
    assert finding.rule == "ASDF-PROV-002" and "sp.empty" in finding.message


# -- files as other software writes them -------------------------------------------------------


def _example_inventory() -> obspy.Inventory:
    return obspy.read_inventory()  # BW.RJOB, GR.FUR, ...: real StationXML of ObsPy's examples


def test_pyatoa_file_validates(tmp_path: Path) -> None:
    """Pyatoa: observed data with StationXML, synthetics on channels StationXML does not list
    (``BXZ``), misfit windows and adjoint sources (shape (npts, 2)) as auxiliary data."""
    path = tmp_path / "pyatoa.h5"
    observed = obspy.read()  # BW.RJOB..EHZ/EHN/EHE, 100 Hz
    synthetic = observed.copy()
    for trace in synthetic:
        trace.stats.channel = "BX" + trace.stats.channel[-1]
    with pyasdf.ASDFDataSet(str(path), mode="w") as ds:
        ds.add_quakeml(obspy.read_events())
        ds.add_stationxml(_example_inventory().select(network="BW", station="RJOB"))
        ds.add_waveforms(observed, tag="observed")
        ds.add_waveforms(synthetic, tag="synthetic_i01s00")
        for trace in synthetic:
            ds.add_auxiliary_data(data=np.array([True]), data_type="MisfitWindows",
                                  path=f"i01/s00/BW_RJOB_{trace.stats.channel}_0",
                                  parameters={"left_index": 120, "right_index": 1820, "cc_shift_in_seconds": 0.2,
                                              "dlnA": -0.1, "channel_id": trace.id})
            adjoint = np.column_stack([trace.times(), trace.data.astype(np.float64)])
            ds.add_auxiliary_data(data=adjoint, data_type="AdjointSources",
                                  path=f"i01/s00/BW_RJOB_{trace.stats.channel}",
                                  parameters={"misfit": 1.5, "adj_src_type": "cc_traveltime", "dt": 0.01})
    report = asdfkit.validate(path)
    assert report.ok, [str(f) for f in report.findings if f.severity is Severity.ERROR]
    missing = {f.path for f in report.findings if f.rule == "ASDF-STXML-005"}
    assert len(missing) == 3 and all("BXZ" in p or "BXN" in p or "BXE" in p for p in missing)
    assert report.checked["auxiliary datasets"] == 6


def test_lasif_file_validates(tmp_path: Path) -> None:
    """LASIF: one file per event; synthetics start at the event's origin, before the station's
    channel epoch in its StationXML (the epoch is approximate for synthetics)."""
    path = tmp_path / "lasif.h5"
    inventory = _example_inventory().select(network="BW", station="RJOB", channel="EHZ")
    epoch_start = min(c.start_date for c in inventory[0][0])
    synthetic = obspy.read().select(channel="EHZ")
    synthetic[0].stats.starttime = epoch_start - 86400 * 365
    synthetic[0].data = synthetic[0].data.astype(np.float32)
    with pyasdf.ASDFDataSet(str(path), mode="w") as ds:
        ds.add_quakeml(obspy.read_events()[:1])
        ds.add_stationxml(inventory)
        ds.add_waveforms(synthetic, tag="preprocessed_synthetics")
    report = asdfkit.validate(path)
    assert report.ok
    assert _rules(report) == {"ASDF-STXML-006": Severity.WARNING}


def test_noisepy_file_validates(tmp_path: Path) -> None:
    """NoisePy: cross-correlations as auxiliary data, one data type per station pair (NET.STA_NET.STA)."""
    path = tmp_path / "noisepy.h5"
    rng = np.random.default_rng(7)
    with pyasdf.ASDFDataSet(str(path), mode="w") as ds:
        for pair in ("BW.RJOB_GR.FUR", "BW.RJOB_BW.RJOB"):
            for components in ("ZZ", "ZN", "EE"):
                ds.add_auxiliary_data(data=rng.standard_normal(4001).astype(np.float32), data_type=pair,
                                      path=components, parameters={"dt": 0.05, "maxlag": 100.0, "ngood": 24,
                                                                   "substack": False, "comp": components})
    report = asdfkit.validate(path)
    assert report.findings == (), [str(f) for f in report.findings]
    assert report.checked["auxiliary datasets"] == 6


def test_salvus_file_validates(tmp_path: Path) -> None:
    """Salvus receivers: synthetic traces of invented stations without StationXML, written by its own
    HDF5 writer, whose names end at ``start + npts * dt`` (one sample later than the definition)."""
    path = tmp_path / "receivers.h5"
    with h5py.File(path, "w") as f:
        f.attrs["file_format"] = np.bytes_(b"ASDF")
        f.attrs["file_format_version"] = np.bytes_(b"1.0.3")
        for station in ("REC1", "REC2"):
            group = f.create_group(f"Waveforms/XX.{station}")
            for channel in ("XDX", "XDY", "XDZ"):
                # 1000 samples at 100 Hz from 2000-01-01T00:00:00: the last one is at 9.99 s
                name = f"XX.{station}..{channel}__2000-01-01T00:00:00__2000-01-01T00:00:10__displacement"
                ds = group.create_dataset(name, data=np.zeros(1000, dtype=np.float32))
                ds.attrs["starttime"] = np.int64(946684800 * 10**9)
                ds.attrs["sampling_rate"] = np.float64(100.0)
    report = asdfkit.validate(path)
    assert report.ok and report.exit_code == 0
    assert _rules(report) == {"ASDF-WAVE-007": Severity.WARNING, "ASDF-STXML-001": Severity.WARNING}
    assert report.checked["traces"] == 6


def test_the_provenance_corpus_record_is_still_valid() -> None:
    """The SEIS-PROV template used above is valid: the empty-document rule does not catch real ones."""
    from asdfkit.provenance import validate

    assert validate(PROVENANCE.encode()).ok and SP in PROVENANCE
