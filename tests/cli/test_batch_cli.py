"""``asdf-cli batch run/status/merge`` and ``asdf-cli merge/extract/repack`` on real-derived data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit.cli.main import cli

BATCH_TESTS = Path(__file__).resolve().parents[1] / "batch"
if str(BATCH_TESTS) not in sys.path:
    sys.path.insert(0, str(BATCH_TESTS))

from batch_helpers import build_stations, content  # noqa: E402

RECIPE = """
tag = "bandpass"
[[steps]]
op = "detrend"
type = "linear"
[[steps]]
op = "filter"
type = "bandpass"
freqmin = 0.05
freqmax = 2.0
"""


@pytest.fixture
def raw(sample_set: Path, tmp_path: Path) -> Path:
    return build_stations(sample_set, tmp_path / "raw.h5", copies=3)


@pytest.fixture
def recipe(tmp_path: Path) -> Path:
    path = tmp_path / "bandpass.toml"
    path.write_text(RECIPE)
    return path


def _invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_slurm_array_chunks_then_status_and_merge(raw: Path, recipe: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.h5"
    code, stdout, _ = _invoke("batch", "status", str(out))
    assert code == 2 and not out.exists()  # no run writes it yet: a usage error
    for task in range(3):
        env = {"SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_CPUS_PER_TASK": "1"}
        code, stdout, _ = _invoke(
            "batch", "run", str(raw), str(out), "--recipe", str(recipe), "--json", env=env
        )
        assert code == 0
        summary = json.loads(stdout)
        assert summary["chunk"] == f"{task}/3" and summary["processed"] == 2 and summary["merged"] is None
        if task == 1:
            code, stdout, _ = _invoke("batch", "status", str(out), "--json")
            state = json.loads(stdout)
            assert (state["done_count"], state["pending_count"], state["complete"]) == (4, 2, False)
            assert state["failed"] == [] and state["failed_count"] == 0
            code, _, stderr = _invoke("batch", "merge", str(out))
            assert code == 1 and "2 pending" in stderr and not out.exists()
    code, stdout, _ = _invoke("batch", "status", str(out))
    assert code == 0 and "complete; 6 done, 0 failed, 0 pending" in stdout
    code, stdout, _ = _invoke("batch", "merge", str(out), "--json")
    assert code == 0 and json.loads(stdout)["changed"]
    code, stdout, _ = _invoke("batch", "merge", str(out), "--json")
    assert code == 0 and not json.loads(stdout)["changed"]

    single = tmp_path / "single.h5"
    code, stdout, _ = _invoke(
        "batch", "run", str(raw), str(single), "--recipe", str(recipe), "--workers", "2", "--no-progress"
    )
    assert code == 0 and "6 processed" in stdout and "merged into" in stdout
    assert content(single) == content(out)


def test_failed_stations_give_exit_code_1_with_their_traceback(
    raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "fail.txt"
    marker.write_text("TA.P01")
    monkeypatch.setenv("BATCH_FAIL", str(marker))
    out = tmp_path / "out.h5"
    code, stdout, stderr = _invoke(
        "batch",
        "run",
        str(raw),
        str(out),
        "--function",
        f"{BATCH_TESTS / 'batch_jobs.py'}:fails_while_marked",
        "--workers",
        "1",
        "--no-progress",
    )
    assert code == 1
    assert "FAILED TA.P01: ZeroDivisionError: station TA.P01 is marked to fail" in stderr
    assert "raise ZeroDivisionError" in stderr
    code, stdout, _ = _invoke("batch", "status", str(out))
    assert "FAILED TA.P01" in stdout and "1 failed" in stdout
    code, stdout, _ = _invoke("batch", "status", str(out), "--json")
    (failure,) = json.loads(stdout)["failed"]
    assert failure["station"] == "TA.P01" and "ZeroDivisionError" in failure["error"]
    assert "raise ZeroDivisionError" in failure["traceback"] and failure["chunk"] == "0/1"


def test_usage_errors(raw: Path, recipe: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "out.h5")
    code, _, stderr = _invoke("batch", "run", str(raw), out)
    assert code == 2 and "exactly one of --recipe or --function" in stderr
    code, _, stderr = _invoke("batch", "run", str(raw), out, "--recipe", str(recipe), "--chunk", "4/4")
    assert code == 1 and "invalid chunk 4/4" in stderr
    code, _, stderr = _invoke("batch", "run", str(raw), out, "--function", "nowhere:fn")
    assert code == 1 and "cannot import module 'nowhere'" in stderr
    assert not Path(out).exists()


def test_surgery_commands(raw: Path, tmp_path: Path) -> None:
    part = tmp_path / "p.h5"
    code, stdout, _ = _invoke("extract", str(raw), str(part), "--network", "TA", "--channel", "BHZ", "--json")
    assert code == 0 and json.loads(stdout)["copied"] == 3 + 3 + 1
    code, stdout, _ = _invoke("extract", str(raw), str(tmp_path / "a.h5"), "--network", "AE", "--no-events")
    assert code == 0
    merged = tmp_path / "merged.h5"
    code, stdout, _ = _invoke("merge", str(part), str(tmp_path / "a.h5"), str(merged))
    assert code == 0 and "merged: 19 object(s) copied" in stdout  # 7 + 9 AE traces + 3 StationXML
    with asdfkit.open(merged) as f:
        assert len(f.list_waveforms(network="AE")) == 9 and len(f.list_waveforms(network="TA")) == 3
    code, stdout, _ = _invoke("repack", str(merged), str(tmp_path / "packed.h5"), "--json")
    assert code == 0 and json.loads(stdout)["size_after"] > 0
    code, _, stderr = _invoke("merge", str(merged), str(merged))
    assert code == 1 and "the target cannot also be a source" in stderr
