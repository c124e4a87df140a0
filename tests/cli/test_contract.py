"""Every command keeps one contract: exit codes, one-line messages on stderr, one JSON object.

The matrix runs each command against a missing input, a file that is not HDF5, a plain
HDF5 file (not ASDF), an existing output, an option that does not apply and an empty
selection, and checks the exit code (0 ok, 1 a problem with the data, 2 a usage error),
that stderr carries one message line, that no traceback is printed and that nothing
is written.  ``--json`` outputs must parse as one JSON object.
"""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit.cli.main import cli


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("contract")
    asdf = root / "x.h5"
    with asdfkit.open(asdf, "w") as f:
        f.add_events(obspy.read_events())
        f.add_stations(obspy.read_inventory())
        f.add_waveforms(obspy.read(), tag="raw_recording")
    text = root / "notes.txt"
    text.write_text("not an HDF5 file\n")
    plain = root / "plain.h5"
    with h5py.File(plain, "w") as h5:
        h5["data"] = np.arange(10)
    exists = root / "exists.h5"
    exists.write_bytes(b"precious")
    existing_dir = root / "existing_dir"
    existing_dir.mkdir()
    (existing_dir / "keep.txt").write_text("keep")
    return {
        "asdf": asdf,
        "text": text,
        "plain": plain,
        "missing": root / "missing.h5",
        "exists": exists,
        "existing_dir": existing_dir,
        "root": root,
    }


def _fill(args: list[str], files: dict[str, Path], tmp_path: Path) -> list[str]:
    out = []
    for arg in args:
        if arg.startswith("{") and arg.endswith("}"):
            key = arg[1:-1]
            out.append(str(tmp_path / "new_output" if key == "new" else files[key]))
        else:
            out.append(arg)
    return out


# (command line, expected exit code); {name} are paths from the ``files`` fixture, {new} a fresh path.
READS_ONE = [
    ["info", "{X}"],
    ["validate", "{X}"],
    ["provenance", "{X}"],
    ["convert", "{X}", "{new}", "--to", "mseed"],
    ["extract", "{X}", "{new}"],
    ["repack", "{X}", "{new}"],
    ["merge", "{X}", "{new}"],
    ["batch", "status", "{X}"],
    ["align", "report", "{X}"],
]
BAD_INPUTS = ["missing", "text", "plain"]

CASES: list[tuple[list[str], int]] = [
    *[([a.replace("{X}", "{" + bad + "}") for a in args], 2) for args in READS_ONE for bad in BAD_INPUTS],
    # an existing output is refused before anything is read or written
    (["convert", "{asdf}", "{exists}"], 2),
    (["convert", "{asdf}", "{existing_dir}", "--to", "sac"], 2),
    (["extract", "{asdf}", "{exists}"], 2),
    (["repack", "{asdf}", "{exists}"], 2),
    (["conformance", "{existing_dir}"], 2),
    # options that do not apply
    (["convert", "{asdf}", "{new}", "--to", "sac", "--merge"], 2),
    (["convert", "{asdf}", "{new}", "--to", "sac", "--cast", "int16"], 2),
    (["convert", "{asdf}", "{new}", "--to", "sac", "--default-network", "ZZ"], 2),
    # empty selections are a problem with the data
    (["extract", "{asdf}", "{new}", "--network", "IU"], 1),
    (["convert", "{asdf}", "{new}", "--to", "mseed", "--network", "IU"], 1),
]


def _id(case: tuple[list[str], int]) -> str:
    return " ".join(case[0])


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_exit_code_and_one_line_message(
    case: tuple[list[str], int], files: dict[str, Path], tmp_path: Path
) -> None:
    args, expected = case
    before = {p: p.stat().st_mtime_ns for p in files["root"].rglob("*")}
    result = CliRunner().invoke(cli, _fill(args, files, tmp_path))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == expected, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 or (lines and lines[-1].startswith("Error:")), result.stderr
    assert not (tmp_path / "new_output").exists()
    assert {p: p.stat().st_mtime_ns for p in files["root"].rglob("*")} == before


JSON_COMMANDS = [
    ["info", "--json", "{asdf}"],
    ["validate", "--json", "{asdf}"],
    ["provenance", "--json", "{asdf}"],
    ["align", "report", "--json", "{asdf}"],
]


@pytest.mark.parametrize("args", JSON_COMMANDS, ids=[" ".join(a) for a in JSON_COMMANDS])
def test_json_output_is_one_object(args: list[str], files: dict[str, Path], tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, _fill(args, files, tmp_path))
    assert result.exit_code in (0, 1), result.stderr
    assert isinstance(json.loads(result.stdout), dict)
