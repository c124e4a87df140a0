"""``asdf-cli align``: run (implied), report, plot, export-picks — on the converted Berkeley event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import obspy
import pytest
from click.testing import CliRunner

from asdfkit.cli.main import cli

EVENT = "smi:local/css/example_2/event/1"
ALIGN = ["--window", "-2", "4", "--bandpass", "0.5", "2"]


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_align_file_is_align_run_and_each_call_is_a_new_run(berkeley_h5: Path) -> None:
    first = _invoke("align", str(berkeley_h5), "--event", "event/1", *ALIGN)
    assert first.exit_code == 0, first.output
    assert "run_0001" in first.output and "BK.PKD..BHZ" in first.output
    second = _invoke(
        "align", "run", str(berkeley_h5), "--event", EVENT, *ALIGN, "--no-mccc", "--autoflip", "--json"
    )
    assert second.exit_code == 0, second.output
    data = json.loads(second.output)
    assert data["run"] == "run_0002" and data["status_mccc"] is None
    assert data["params"]["autoflip"] is True and data["params"]["window_pre"] == -2.0
    assert len(data["rows"]) == 10 and all(row["mccc_error"] is None for row in data["rows"])


def test_report_lists_runs_and_stations(berkeley_h5: Path) -> None:
    assert _invoke("align", str(berkeley_h5), "--event", "event/1", *ALIGN).exit_code == 0
    text = _invoke("align", "report", str(berkeley_h5))
    assert text.exit_code == 0, text.output
    assert f"{EVENT} run_0001: 10/10 selected" in text.output  # autoselect off: all selected
    assert "BK.YBH" in text.output
    data = json.loads(_invoke("align", "report", str(berkeley_h5), "--json").output)
    assert [r["run"] for r in data["runs"]] == ["run_0001"]
    assert {s["station"] for s in data["stations"]} == {
        f"BK.{s}" for s in "BKS CMB HOPS JRSC KCC MHC ORV PKD SAO YBH".split()
    }
    one = json.loads(_invoke("align", "report", str(berkeley_h5), "--run", "latest", "--json").output)
    assert one["run"] == "run_0001" and len(one["rows"]) == 10


def test_plot_writes_images(berkeley_h5: Path, tmp_path: Path) -> None:
    assert _invoke("align", str(berkeley_h5), "--event", "event/1", *ALIGN).exit_code == 0
    for kind in ("section", "quality"):
        out = tmp_path / f"{kind}.png"
        result = _invoke(
            "align", "plot", str(berkeley_h5), "--event", "event/1", "--kind", kind, "-o", str(out)
        )
        assert result.exit_code == 0, result.output
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000


def test_export_picks_to_quakeml_and_through_convert_to_sac(berkeley_h5: Path, tmp_path: Path) -> None:
    run = json.loads(_invoke("align", str(berkeley_h5), "--event", "event/1", *ALIGN, "--json").output)
    xml = tmp_path / "picks.xml"
    result = _invoke("align", "export-picks", str(berkeley_h5), "-o", str(xml), "--into-file")
    assert result.exit_code == 0, result.output
    assert "exported 10 pick(s)" in result.output
    assert len(obspy.read_events(str(xml))[0].picks) == 10
    sac_dir = tmp_path / "sac"
    assert _invoke("convert", str(berkeley_h5), str(sac_dir), "--to", "sac").exit_code == 0
    t1 = {row["seed_id"]: row["t1"] for row in run["rows"]}
    checked = 0
    for path in sac_dir.glob("*BHZ*"):
        trace = obspy.read(str(path))[0]
        assert float(trace.stats.sac.a) == pytest.approx(t1[trace.id], abs=1e-4)  # seconds after the origin
        checked += 1
    assert checked == 10


def test_usage_and_data_errors(berkeley_h5: Path) -> None:
    before = berkeley_h5.read_bytes()
    unknown = _invoke("align", str(berkeley_h5), "--event", "event/9")
    assert unknown.exit_code == 2 and "unknown event id 'event/9'" in unknown.output  # a usage error
    window = _invoke("align", str(berkeley_h5), "--event", "event/1", "--window", "5", "-5")
    assert window.exit_code == 1 and "must be less than window_post" in window.output
    phase = _invoke("align", str(berkeley_h5), "--event", "event/1", "--phase", "PKP")
    assert phase.exit_code == 1 and "phase 'PKP' has no arrival" in phase.output
    assert berkeley_h5.read_bytes() == before
    missing = _invoke("align", "export-picks", str(berkeley_h5))
    assert missing.exit_code == 2 and "-o picks.xml or --into-file" in missing.output
    no_runs = _invoke("align", "export-picks", str(berkeley_h5), "-o", "x.xml")
    assert no_runs.exit_code == 2 and "no alignment run stored" in no_runs.output  # an unknown run
    assert "report" in _invoke("align", "--help").output
