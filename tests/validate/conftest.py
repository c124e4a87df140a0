"""Files for the validator tests: written by asdfkit and by pyasdf from real data, plus the corpus."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import obspy
import pytest

import asdfkit
from asdfkit.validation import Report
from asdfkit.validation.conformance import PROVENANCE, RECORD, write_base, write_corpus


@pytest.fixture(scope="session")
def base_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus base file: every section filled, no finding at all."""
    path = tmp_path_factory.mktemp("base") / "base.h5"
    write_base(path)
    return path


@pytest.fixture
def base_copy(base_file: Path, tmp_path: Path) -> Callable[[], Path]:
    """A fresh copy of the base file to break."""
    def make() -> Path:
        target = tmp_path / f"copy{len(list(tmp_path.glob('copy*.h5')))}.h5"
        shutil.copyfile(base_file, target)
        return target
    return make


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The conformance corpus, written once per session."""
    out = tmp_path_factory.mktemp("corpus")
    write_corpus(out)
    return out


@pytest.fixture(scope="session")
def obspy_example_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """asdfkit writing ObsPy's example events, inventory and recordings (with ids and labels)."""
    path = tmp_path_factory.mktemp("obspy") / "example.h5"
    events = obspy.read_events()
    with asdfkit.open(path, "w") as f:
        f.add_events(events)
        f.add_stations(obspy.read_inventory())
        f.add_waveforms(obspy.read(), tag="raw_recording", labels=["example", "übung"],
                        event_id=events[0], origin_id=events[0].origins[0], provenance_id=RECORD)
        f.add_provenance_document(PROVENANCE.encode(), name="chain")
        f.add_auxiliary_data(np.arange(5.0), data_type="Picks", path="BW_RJOB/P", attrs={"phase": "P"},
                             provenance_id=RECORD)
    return path


@pytest.fixture(scope="session")
def sample_set_file(tmp_path_factory: pytest.TempPathFactory, sample_set: Path) -> Path:
    """asdfkit writing pyasdf's small sample data set (real miniSEED, StationXML 1.0, QuakeML)."""
    path = tmp_path_factory.mktemp("sample") / "sample.h5"
    with asdfkit.open(path, "w") as f:
        f.add_events(obspy.read_events(str(sample_set / "quake.xml")))
        for xml in sorted(sample_set.glob("*..BH_.xml")):
            f.add_stations(xml.read_bytes())
        for mseed in sorted(sample_set.glob("*.mseed")):
            f.add_waveforms(obspy.read(str(mseed)), tag="raw_recording")
    return path


@pytest.fixture(scope="session")
def pyasdf_file(tmp_path_factory: pytest.TempPathFactory, sample_set: Path, pyasdf_data: Path) -> Path:
    """pyasdf 0.8 writing the sample data set, labels, event ids, provenance and aux data."""
    path = tmp_path_factory.mktemp("pyasdf") / "pyasdf.h5"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pyasdf

        with pyasdf.ASDFDataSet(str(path), compression="gzip-3") as ds:
            ds.add_quakeml(str(sample_set / "quake.xml"))
            event = ds.events[0]
            for xml in sorted(sample_set.glob("*..BH_.xml")):
                ds.add_stationxml(str(xml))
            for mseed in sorted(sample_set.glob("*.mseed")):
                ds.add_waveforms(str(mseed), tag="raw_recording", labels=["a", "wörld"],
                                 event_id=event, origin_id=event.origins[0])
            ds.add_provenance_document(str(pyasdf_data / "example_schematic_processing_chain.xml"),
                                       name="chain")
            ds.add_auxiliary_data(np.arange(10.0), data_type="Spectra", path="AE_113A/BHZ",
                                  parameters={"units": "m"},
                                  provenance_id="{http://seisprov.org/seis_prov/0.1/#}sp001_wf_a34j4didj3")
    return path


@pytest.fixture
def found() -> Callable[[Report], set[tuple[str, str]]]:
    """``{(rule, path)}`` of a report's findings."""
    return lambda report: {(f.rule, f.path) for f in report.findings}
