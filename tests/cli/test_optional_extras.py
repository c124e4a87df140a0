"""A command whose optional packages are missing exits 2 with the exact ``pip install`` line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import obspy
import pytest

import asdfkit

# Runs asdf-cli in a fresh interpreter in which the optional packages cannot be imported.
_WITHOUT = """
import sys
for name in {blocked!r}:
    sys.modules[name] = None  # import raises ModuleNotFoundError, as when not installed
from asdfkit.cli.main import cli
cli(sys.argv[1:], prog_name="asdf-cli")
"""


@pytest.fixture(scope="module")
def small_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("extras") / "x.h5"
    with asdfkit.open(path, "w") as f:
        f.add_waveforms(obspy.read(), tag="raw_recording")
    return path


@pytest.mark.parametrize(
    ("blocked", "args", "extra"),
    [
        (["pandas", "scipy", "matplotlib"], ["align", "report", "{path}"], "align"),
        (["pandas", "scipy", "matplotlib"], ["align", "report", "{path}", "--json"], "align"),
    ],
)
def test_missing_optional_packages_name_the_extra(
    small_file: Path, blocked: list[str], args: list[str], extra: str
) -> None:
    code = _WITHOUT.format(blocked=blocked)
    argv = [a.format(path=small_file) for a in args]
    result = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert f"pip install 'asdfkit[{extra}]'" in lines[0]
    assert result.stdout == ""


def test_the_plain_commands_need_no_optional_package(small_file: Path) -> None:
    code = _WITHOUT.format(blocked=["pandas", "scipy", "matplotlib", "dask", "distributed"])
    for args in (["info", str(small_file)], ["validate", str(small_file)], ["--help"]):
        result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
        assert result.returncode == 0, (args, result.stderr)
