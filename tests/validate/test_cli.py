"""``asdf-cli validate`` and ``asdf-cli conformance``: output, JSON, options, exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import h5py
from click.testing import CliRunner

from asdfkit.cli.main import cli
from asdfkit.validation import RULES
from asdfkit.validation.conformance import T


def _broken(base_copy: Callable[[], Path]) -> Path:
    path = base_copy()
    with h5py.File(path, "r+") as f:
        f[T].attrs["sampling_rate"] = -1.0
        f[T].attrs["unknown"] = 1
    return path


def test_valid_file_exits_0(base_file: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(base_file)])
    assert result.exit_code == 0, result.output
    assert "valid - 0 errors, 0 warnings (ASDF 1.0.3;" in result.output
    assert "3 traces" in result.output


def test_findings_grouped_by_severity_with_paths_and_rule_ids(base_copy: Callable[[], Path]) -> None:
    path = _broken(base_copy)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "INVALID - 1 error, 1 warning" in lines[0]
    assert lines[1] == "  errors:" and lines[3] == "  warnings:"
    assert lines[2].startswith(f"    ASDF-WAVE-005  {T}: sampling_rate is -1.0")
    assert lines[4].startswith(f"    ASDF-ATTR-001  {T}: unknown attribute 'unknown'")


def test_json_for_scripts(base_copy: Callable[[], Path], base_file: Path) -> None:
    path = _broken(base_copy)
    result = CliRunner().invoke(cli, ["validate", "--json", str(base_file), str(path)])
    assert result.exit_code == 1
    docs = json.loads(result.stdout)["files"]
    assert [d["ok"] for d in docs] == [True, False]
    assert docs[1]["counts"] == {"error": 1, "warning": 1}
    assert docs[1]["findings"][0]["rule"] == "ASDF-WAVE-005" and docs[1]["findings"][0]["path"] == T


def test_several_files_exit_with_the_highest_code(base_file: Path, base_copy: Callable[[], Path],
                                                  tmp_path: Path) -> None:
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 10)  # an HDF5 signature and nothing else
    broken = _broken(base_copy)
    runner = CliRunner()
    assert runner.invoke(cli, ["validate", str(base_file), str(broken)]).exit_code == 1
    result = runner.invoke(cli, ["validate", str(broken), str(junk), str(base_file)])
    assert result.exit_code == 2
    assert "NOT HDF5 (exit 2)" in result.output and "INVALID" in result.output
    assert runner.invoke(cli, ["validate", str(tmp_path / "absent.h5")]).exit_code == 2
    assert runner.invoke(cli, ["validate", str(tmp_path)]).exit_code == 2  # a directory


def test_select_ignore_and_max_findings(base_copy: Callable[[], Path]) -> None:
    path = _broken(base_copy)
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", "--ignore", "ASDF-WAVE-005", str(path)])
    assert result.exit_code == 0 and "ASDF-ATTR-001" in result.output
    result = runner.invoke(cli, ["validate", "--select", "ATTR,ROOT", str(path)])
    assert result.exit_code == 0 and "ASDF-WAVE-005" not in result.output
    result = runner.invoke(cli, ["validate", "--max-findings", "1", "-q", str(path)])
    assert result.exit_code == 1 and "stopped after 1 findings" in result.output
    assert "ASDF-WAVE-005" not in result.output  # --quiet: summary only


def test_usage_errors_exit_2(base_file: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["validate"]).exit_code == 2
    result = runner.invoke(cli, ["validate", "--select", "NOPE", str(base_file)])
    assert result.exit_code == 2 and "matches no rule" in result.output
    assert runner.invoke(cli, ["validate", "--max-findings", "0", str(base_file)]).exit_code == 2


def test_list_rules() -> None:
    result = CliRunner().invoke(cli, ["validate", "--list-rules"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == len(RULES)
    assert re.search(r"^ASDF-ATTR-001 +warning +known attributes$", result.output, flags=re.MULTILINE)


def test_conformance_command_writes_and_checks(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["conformance", str(tmp_path / "corpus"), "--check"])
    assert result.exit_code == 0, result.output
    assert "asdfkit agrees with every case" in result.output
    manifest = json.loads((tmp_path / "corpus" / "manifest.json").read_text())
    assert {c["rule"] for c in manifest["cases"]} - {None} == set(RULES)


def test_real_entry_point(base_file: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "asdfkit", "validate", "--json", str(base_file)],
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["files"][0]["ok"] is True
