"""The runnable examples run and produce what they promise."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import obspy
import pytest

import asdfkit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str, *args: object, env: dict[str, str] | None = None,
                timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """Run ``examples/<name>`` (a Python script, or a shell script with bash) as a user would."""
    runner = ["bash"] if name.endswith(".sh") else [sys.executable]
    return subprocess.run([*runner, str(EXAMPLES / name), *map(str, args)], env=env,
                          capture_output=True, text=True, check=False, timeout=timeout)


def test_quickstart_builds_a_file_pyasdf_reads(tmp_path: Path) -> None:
    out = tmp_path / "quickstart.h5"
    proc = run_example("quickstart.py", out)
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
    proc = run_example("provenance_lineage.py", out)
    assert proc.returncode == 0, proc.stderr
    assert "Cross Correlate" in proc.stdout and "Bandpass Filter" in proc.stdout
    assert "valid SEIS-PROV" in proc.stderr
    with asdfkit.open(out) as f:
        assert len(f.provenance_documents) == 2
        assert f.get_provenance_id("/AuxiliaryData/CrossCorrelation/BW.RJOB_BW.RJOB/ZN")


def test_convert_example_round_trips_sac_metadata(tmp_path: Path) -> None:
    out = tmp_path / "converted.h5"
    proc = run_example("convert_sac_event.py", out)
    assert proc.returncode == 0, proc.stderr
    assert "1 trace(s), 1 event(s), 3 pick(s)" in proc.stdout
    assert "exported SAC: gcarc=" in proc.stdout
    with asdfkit.open(out) as f:
        assert f.list_waveforms()[0].seed_id == "XX.CDV..BHZ"


def test_codes_table_example_maps_and_remembers_every_id(tmp_path: Path) -> None:
    out, table = tmp_path / "codes.h5", tmp_path / "codes.csv"
    proc = run_example("convert_with_codes_table.py", out, table)
    assert proc.returncode == 0, proc.stderr
    assert "8 trace(s) converted" in proc.stdout and "was 'BO.AKT013..EW'" in proc.stdout
    rows = table.read_text().splitlines()
    assert rows[0] == "source_id,seed_id,reason" and len(rows) == 9
    with asdfkit.open(out) as f:
        assert len(f.list_waveforms()) == 8


def _batch_input(sample_set: Path, tmp_path: Path) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "batch"))
    try:
        from batch_helpers import build_stations
    finally:
        sys.path.pop(0)
    return build_stations(sample_set, tmp_path / "raw.h5", copies=3)


def test_slurm_array_script_then_merge(sample_set: Path, tmp_path: Path) -> None:
    import numpy as np

    raw, out = _batch_input(sample_set, tmp_path), tmp_path / "out.h5"
    for task in range(3):  # what SLURM does with --array=0-2
        env = {**os.environ, "SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_COUNT": "3",
               "SLURM_CPUS_PER_TASK": "2" if task == 0 else "1", "PYTHON": sys.executable}
        proc = run_example("batch_slurm.sh", raw, out, env=env, timeout=600)
        assert proc.returncode == 0, proc.stderr
        assert f"task {task} of 3" in proc.stdout and '"processed": 2' in proc.stdout
    merge = subprocess.run([sys.executable, "-m", "asdfkit", "batch", "merge", str(out), "--json"],
                           capture_output=True, text=True, check=False, timeout=300)
    assert merge.returncode == 0, merge.stderr
    process = runpy.run_path(str(EXAMPLES / "batch_slurm_job.py"), run_name="not_main")["process"]
    with asdfkit.open(raw) as src, asdfkit.open(out) as f:
        assert f.stations == src.stations and f.waveform_tags == ["velocity_bp"]
        assert len(f.list_auxiliary_data("ChannelRMS")) == 6
        expected = process(src.get_waveforms(station="P02"), src.get_station_inventory("TA.P02"))
        got = f.get_waveforms(station="P02")
        assert all(np.array_equal(a.data, b.data) for a, b in zip(got, expected.stream, strict=True))
        assert np.array_equal(f.get_auxiliary_data("ChannelRMS", "TA_P02").data, expected.auxiliary[0].data)


def test_dask_script_matches_the_local_pool(sample_set: Path, tmp_path: Path) -> None:
    from asdfkit.batch import Backend, Recipe, run

    raw, out = _batch_input(sample_set, tmp_path), tmp_path / "dask.h5"
    proc = run_example("batch_dask.py", raw, out, "--threads", timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert '"processed": 6' in proc.stdout
    recipe = Recipe.from_dict(runpy.run_path(str(EXAMPLES / "batch_dask.py"), run_name="not_main")["RECIPE"])
    local = tmp_path / "local.h5"
    run(raw, local, recipe, backend=Backend("local", 2), progress=False)
    with asdfkit.open(out) as a, asdfkit.open(local) as b:
        assert a.waveform_tags == ["bandpass"]
        assert [h.path for h in a.list_waveforms()] == [h.path for h in b.list_waveforms()]
        for x, y in zip(a.get_waveforms(), b.get_waveforms(), strict=True):
            assert x.stats.sampling_rate == y.stats.sampling_rate and (x.data == y.data).all()


def test_align_event_example_stores_a_run_and_picks(tmp_path: Path, shared_data: Path) -> None:
    out = tmp_path / "berkeley.h5"
    proc = run_example("align_event.py", out, shared_data / "css" / "berkeley_1998")
    assert proc.returncode == 0, proc.stderr
    assert "run_0001, ICCS" in proc.stdout and "stations summarised: 10" in proc.stdout
    assert (tmp_path / "berkeley_section.png").stat().st_size > 10_000
    from asdfkit.alignment import read_run

    run = read_run(out)
    with asdfkit.open(out) as f:
        picks = [p for p in f.events[0].picks if p.method_id and "asdfkit/alignment" in str(p.method_id)]
    # QuakeML keeps microseconds
    assert sorted(round(p.time.ns, -3) for p in picks) == sorted(round(r.t1_ns, -3) for r in run.rows)


def test_mseed_archive_example_converts_with_threads_and_validates(tmp_path: Path) -> None:
    out = tmp_path / "archive.h5"
    proc = run_example("convert_mseed_archive.py", out, "--stations", 8)
    assert proc.returncode == 0, proc.stderr
    import obspy

    day = obspy.read(str(Path(obspy.__file__).parent / "io" / "mseed" / "tests" / "data" / "CH.BALST..LHE.D.2025.314"))
    assert f"8 trace(s), {8 * sum(len(t) for t in day)} samples" in proc.stdout
    assert "same samples and chunk bytes in both files: True" in proc.stdout
    assert "validate: valid (0 error(s))" in proc.stdout
    with asdfkit.open(out) as f:
        assert sorted(h.station for h in f.list_waveforms()) == [f"S{i:03d}" for i in range(8)]
        assert len(f.provenance_documents) == 1


def test_css_database_example_converts_reports_cuts_and_round_trips(tmp_path: Path, shared_data: Path) -> None:
    out = tmp_path / "berkeley.h5"
    proc = run_example("convert_css_database.py", out, shared_data / "css")
    assert proc.returncode == 0, proc.stderr
    assert "berkeley_1998: 30 trace(s), 10 station(s), 1 event(s); 11 disagreement(s)" in proc.stdout
    assert "BHZ channels with a sensitivity at the event: 4 of 10" in proc.stdout
    assert "3 file(s) of 1201 samples" in proc.stdout  # one minute at 20 Hz, both ends
    assert "read back with identical samples and start times: True" in proc.stdout
    assert "30 trace(s) found, 9 row(s) reported missing, 2 event(s)" in proc.stdout
    assert "symlinked archive: 29 trace(s) and 1 row(s) refused without --data-root; 30 trace(s) with" in proc.stdout
    with asdfkit.open(out) as f:
        sens = f.inventory.get_response("BK.BKS..BHZ", obspy.UTCDateTime(1998, 8, 12)).instrument_sensitivity
        assert sens.value == pytest.approx(1e9 / 1.0398372, rel=1e-9)  # calib of the BKS BHZ calibration row


def test_alignment_loop_example_edits_reruns_rolls_back_and_deletes(tmp_path: Path, shared_data: Path) -> None:
    proc = run_example("alignment_loop.py", tmp_path, "--css", shared_data / "css" / "berkeley_1998", timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "synthetic event, reversed trace XS.S009:" in out and "Berkeley 1998:" in out
    assert "XS.S003..BHZ selected=False, XS.S009..BHZ flip=True" in out
    assert "BK.YBH..BHZ selected=False, BK.SAO..BHZ flip=True" in out
    assert out.count("picks identical: True") == 2
    assert out.count("2 alignment document(s) for 2 run(s); valid") == 2
    assert out.count("run_0003 (rollback from run_0001): back to the first look") == 2
    from asdfkit.alignment import list_runs

    for name in ("synthetic", "berkeley"):
        runs = list_runs(tmp_path / f"{name}.h5")
        assert [(r.run_id, r.origin, r.parent) for r in runs] == [
            ("run_0001", "run", None), ("run_0003", "rollback", "run_0001")
        ]
        assert [r.t1_ns for r in runs[0].rows] == [r.t1_ns for r in runs[1].rows]
        assert (tmp_path / f"{name}_run2.png").stat().st_size > 10_000
        import pyasdf

        with pyasdf.ASDFDataSet(str(tmp_path / f"{name}.h5"), mode="r") as ds:
            assert len([n for n in ds.provenance.list() if n.startswith("asdfkit_alignment_")]) == 2


def test_groups_and_headers_example(tmp_path: Path) -> None:
    from obspy.geodetics import gps2dist_azimuth

    out = tmp_path / "groups.h5"
    proc = run_example("groups_and_headers.py", out)
    assert proc.returncode == 0, proc.stderr
    assert "labelled 2 trace(s) 'reviewed'" in proc.stdout
    # The dynamic group follows the later recordings; the static one does not.
    assert "group arrays/ta (static): 3 trace(s)" in proc.stdout
    assert "group components/vertical (dynamic): 4 trace(s)" in proc.stdout
    assert "folders: arrays, components" in proc.stdout
    assert "extracted 4 trace(s); groups there: arrays/ta, components/vertical, near; arrays/ta keeps 1" in proc.stdout
    assert "validate groups.h5: valid (0 error(s))" in proc.stdout
    assert "validate groups_vertical.h5: valid (0 error(s))" in proc.stdout
    with asdfkit.open(out) as f:
        origin = f.events[0].preferred_origin()
        coords = f.get_coordinates("TA.POKR")
        near = {h.station_id for h in f.groups.headers("near")}
    metres = gps2dist_azimuth(origin.latitude, origin.longitude, coords["latitude"], coords["longitude"])[0]
    pokr = next(line for line in proc.stdout.splitlines() if line.strip().startswith("POKR     BHZ"))
    assert abs(float(pokr.split()[3]) * 1000 - metres) < 1.0
    assert near == {"TA.POKR"}


def test_safe_writes_example_shows_a_discarded_edit_and_a_refused_writer(tmp_path: Path) -> None:
    out = tmp_path / "safe.h5"
    proc = run_example("safe_writes.py", out)
    assert proc.returncode == 0, proc.stderr
    assert "1. failed edit" in proc.stdout and "unchanged: True" in proc.stdout
    assert "2. second writer refused" in proc.stdout and "locked by another process" in proc.stdout
    assert "the other process committed: 4 traces" in proc.stdout
    with asdfkit.open(out) as f:
        assert f.n_waveforms == 5
        assert {h.station for h in f.list_waveforms()} >= {"OTHER", "DONE"}
        assert "HALF" not in {h.station for h in f.list_waveforms()}
