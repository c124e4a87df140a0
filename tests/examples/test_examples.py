"""The runnable examples run and produce what they promise."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import asdfkit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_quickstart_builds_a_file_pyasdf_reads(tmp_path: Path) -> None:
    out = tmp_path / "quickstart.h5"
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py"), str(out)],
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "raw_recording: 3" in proc.stdout
    with asdfkit.open(out) as f:
        assert len(f.events) == 3
        assert len(f.get_waveforms(tag="bandpass_1_10hz")) == 3
        assert len(f.list_auxiliary_data("AmplitudeSpectra")) == 3
    import pyasdf

    with pyasdf.ASDFDataSet(str(out), mode="r") as ds:
        assert len(ds.waveforms.BW_RJOB.raw_recording) == 3


def test_examples_are_importable_without_side_effects() -> None:
    for script in EXAMPLES.glob("*.py"):
        namespace = runpy.run_path(str(script), run_name="not_main")
        assert "main" in namespace, script.name


def test_provenance_example_prints_the_lineage(tmp_path: Path) -> None:
    out = tmp_path / "lineage.h5"
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "provenance_lineage.py"), str(out)],
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Cross Correlate" in proc.stdout and "Bandpass Filter" in proc.stdout
    assert "valid SEIS-PROV" in proc.stderr
    with asdfkit.open(out) as f:
        assert len(f.provenance_documents) == 2
        assert f.get_provenance_id("/AuxiliaryData/CrossCorrelation/BW.RJOB_BW.RJOB/ZN")


def test_convert_example_round_trips_sac_metadata(tmp_path: Path) -> None:
    out = tmp_path / "converted.h5"
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "convert_sac_event.py"), str(out)],
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "1 trace(s), 1 event(s), 3 pick(s)" in proc.stdout
    assert "exported SAC: gcarc=" in proc.stdout
    with asdfkit.open(out) as f:
        assert f.list_waveforms()[0].seed_id == "XX.CDV..BHZ"
