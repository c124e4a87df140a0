"""Every command keeps one contract: exit codes, one-line messages on stderr, one JSON object.

The matrix runs each command against a missing input, a file that is not HDF5, a plain
HDF5 file (not ASDF), an existing output, an option that does not apply and an empty
selection, and checks the exit code (0 ok, 1 a problem with the data, 2 a usage error),
that stderr carries one message line, that no traceback is printed and that nothing
is written.  ``--json`` outputs must parse as one JSON object.
"""

from __future__ import annotations

import errno
import json
import re
import shutil
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
    mseed = root / "x.mseed"
    obspy.read().write(str(mseed), format="MSEED")
    recipe = root / "recipe.toml"
    recipe.write_text('name = "detrend"\n[[steps]]\nop = "detrend"\ntype = "linear"\n')
    return {
        "asdf": asdf,
        "text": text,
        "plain": plain,
        "missing": root / "missing.h5",
        "exists": exists,
        "existing_dir": existing_dir,
        "recipe": recipe,
        "mseed": mseed,
        "root": root,
    }


def _fill(args: list[str], files: dict[str, Path], tmp_path: Path) -> list[str]:
    """Replace {name} by a path of ``files``, {new} by a fresh path in ``tmp_path``/out."""
    paths = {key: str(value) for key, value in files.items()}
    paths["new"] = str(tmp_path / "out" / "new_output")
    (tmp_path / "out").mkdir(exist_ok=True)
    out = []
    for arg in args:
        for key, value in paths.items():
            arg = arg.replace("{" + key + "}", value)
        out.append(arg)
    return out


# (command line, expected exit code); {name} are paths from the ``files`` fixture, {new} a fresh path.
READS_ONE = [
    ["info", "{X}"],
    ["info", "{X}", "--traces"],
    ["validate", "{X}"],
    ["provenance", "{X}"],
    ["convert", "{X}", "{new}", "--to", "mseed"],
    ["extract", "{X}", "{new}"],
    ["repack", "{X}"],
    ["repack", "{X}", "{new}"],
    ["merge", "{X}", "{new}"],
    ["batch", "run", "{X}", "{new}", "--recipe", "{recipe}", "--no-progress"],
    ["batch", "align", "{X}", "{new}", "--no-progress"],
    ["batch", "status", "{X}"],
    ["batch", "merge", "{X}"],
    ["align", "{X}", "--event", "smi:nope"],
    ["align", "run", "{X}", "--event", "smi:nope"],
    ["align", "rollback", "{X}", "--event", "smi:nope", "--to", "1"],
    ["align", "delete", "{X}", "--event", "smi:nope", "--run", "1"],
    ["align", "report", "{X}"],
    ["align", "plot", "{X}", "--event", "smi:nope", "-o", "{new}"],
    ["align", "pick", "{X}", "--event", "smi:nope"],
    ["align", "export-picks", "{X}", "-o", "{new}"],
    ["group", "list", "{X}"],
    ["group", "show", "{X}", "g"],
    ["group", "create", "{X}", "g", "--network", "BW"],
    ["group", "add", "{X}", "g", "--network", "BW"],
    ["group", "remove", "{X}", "g", "--network", "BW"],
    ["group", "rename", "{X}", "g", "h"],
    ["group", "delete", "{X}", "g"],
    ["label", "add", "{X}", "good"],
    ["label", "remove", "{X}", "good"],
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
    (["batch", "run", "{asdf}", "{exists}", "--recipe", "{recipe}", "--no-progress"], 2),
    (["batch", "align", "{asdf}", "{exists}", "--no-progress"], 2),
    (["align", "export-picks", "{asdf}", "-o", "{exists}"], 2),
    (["align", "plot", "{asdf}", "-o", "{exists}"], 2),
    # unknown runs and groups are usage errors
    (["align", "delete", "{asdf}", "--event", "smi:nope", "--run", "1"], 2),
    (["group", "show", "{asdf}", "nope"], 2),
    (["group", "delete", "{asdf}", "nope"], 2),
    (["batch", "merge", "{asdf}"], 2),
    # options that do not apply
    (["convert", "{asdf}", "{new}", "--to", "sac", "--merge"], 2),
    (["convert", "{asdf}", "{new}", "--to", "sac", "--cast", "int16"], 2),
    (["convert", "{asdf}", "{new}", "--to", "sac", "--default-network", "ZZ"], 2),
    (["convert", "{asdf}", "{new}", "--to", "sac", "--skip-bad"], 2),
    (["convert", "{asdf}", "{new}", "--to", "css", "--per", "station"], 2),
    (["convert", "{asdf}", "{new}", "--to", "mseed", "--css-schema", "css3.1"], 2),
    (["convert", "{asdf}", "{new}.h5", "--starttime", "2009-08-24", "--per", "station"], 2),
    (["convert", "{asdf}", "{new}.h5", "--group", "g"], 2),
    (["convert", "{asdf}", "{new}.h5", "--in-place"], 2),
    (["info", "{asdf}", "--network", "BW"], 2),
    (["convert", "{missing}", "{new}.h5"], 2),
    (["convert", "{root}/nope*.sac", "{new}.h5"], 2),
    (["convert", "{missing}", "--codes-template", "{new}.csv"], 2),
    (["convert", "{mseed}", "--codes-template", "{new}.csv", "--merge"], 2),
    (["convert", "{mseed}", "{new}.h5", "--compression", "lzf"], 2),
    (["convert", "{mseed}", "{new}.h5", "--append"], 2),
    (["convert", "{mseed}", "{asdf}", "--append", "--overwrite"], 2),
    (["repack", "{asdf}", "--overwrite"], 2),
    (["align", "export-picks", "{asdf}", "--into-file", "--overwrite"], 2),
    # empty selections are a problem with the data
    (["extract", "{asdf}", "{new}", "--network", "IU"], 1),
    (["convert", "{asdf}", "{new}", "--to", "mseed", "--network", "IU"], 1),
    (["convert", "{asdf}", "{new}", "--to", "sac", "--tag", "nope"], 1),
    (["convert", "{asdf}", "{new}", "--to", "css", "--network", "IU"], 1),
    (["extract", "{asdf}", "{new}", "--tag", "nope"], 1),
    (["group", "create", "{asdf}", "ring1", "--network", "IU"], 1),
    (["label", "add", "{asdf}", "checked", "--station", "NOPE"], 1),
    (["label", "remove", "{asdf}", "checked", "--tag", "nope"], 1),
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
    assert len(lines) == 1, result.stderr
    assert not list((tmp_path / "out").iterdir()), "an output was written"
    assert {p: p.stat().st_mtime_ns for p in files["root"].rglob("*")} == before


JSON_COMMANDS = [
    ["info", "--json", "{asdf}"],
    ["info", "--json", "--traces", "{asdf}"],
    ["validate", "--json", "{asdf}"],
    ["validate", "--json", "{plain}"],
    ["provenance", "--json", "{asdf}"],
    ["convert", "--json", "{asdf}", "{new}", "--to", "mseed"],
    ["convert", "--json", "{asdf}", "{new}", "--to", "css"],
    ["convert", "--json", "{mseed}", "{new}.h5"],
    ["extract", "--json", "{asdf}", "{new}", "--network", "BW"],
    ["repack", "--json", "{asdf}", "{new}"],
    ["merge", "--json", "{asdf}", "{new}"],
    ["batch", "run", "--json", "{asdf}", "{new}", "--recipe", "{recipe}", "--no-progress", "--workers", "1"],
    ["align", "report", "--json", "{asdf}"],
    ["conformance", "--json", "{new}"],
    ["convert", "--json", "{mseed}", "--codes-template", "{new}.csv"],
    ["group", "list", "--json", "{asdf}"],
    ["label", "add", "--json", "{copy}", "good", "--network", "BW"],
    ["group", "create", "--json", "{copy}", "g", "--network", "BW"],
]


@pytest.mark.parametrize("args", JSON_COMMANDS, ids=[" ".join(a) for a in JSON_COMMANDS])
def test_json_output_is_one_object(args: list[str], files: dict[str, Path], tmp_path: Path) -> None:
    copy = tmp_path / "copy.h5"
    shutil.copyfile(files["asdf"], copy)
    result = CliRunner().invoke(cli, _fill(args, {**files, "copy": copy}, tmp_path))
    assert result.exit_code in ((0, 1, 2) if "{plain}" in args else (0, 1)), result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    assert all(_snake_case(key) for key in _keys(data)), data
    assert "seconds" not in _keys(data)  # durations are *_s


def _keys(value: object) -> set[str]:
    """Every key of the dictionaries in a JSON value, at any depth (not inside "findings" details)."""
    if isinstance(value, dict):
        return set(value).union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


def _snake_case(key: str) -> bool:
    return bool(re.fullmatch(r"[a-z][a-z0-9_]*", key)) or key.startswith("/") or "." in key


def test_conversion_warnings_go_to_stderr(tmp_path: Path) -> None:
    sac = tmp_path / "x.sac"
    trace = obspy.read()[0]
    trace.stats.sac = obspy.core.AttribDict({"t1": 5.0, "kt1": "P"})  # a pick, but no event
    trace.write(str(sac), format="SAC")
    result = CliRunner().invoke(cli, ["convert", str(sac), str(tmp_path / "o.h5"), "--json"])
    assert result.exit_code == 0, result.stderr
    assert any("SAC pick" in w for w in json.loads(result.stdout)["warnings"])
    text = CliRunner().invoke(cli, ["convert", str(sac), str(tmp_path / "t.h5")])
    assert text.exit_code == 0, text.stderr
    assert "SAC pick" in text.stderr and "SAC pick" not in text.stdout


def test_help_lists_the_exit_codes() -> None:
    text = CliRunner().invoke(cli, ["--help"]).stdout
    assert "Exit codes" in text
    for line in ("0  ok", "1  a problem with the data", "2  a usage error"):
        assert line in text


def test_inapplicable_option_is_named(files: dict[str, Path], tmp_path: Path) -> None:
    args = ["convert", "{asdf}", "{new}", "--to", "sac", "--merge", "--cast", "int16", "--default-network", "ZZ"]
    result = CliRunner().invoke(cli, _fill(args, files, tmp_path))
    assert result.exit_code == 2
    assert all(option in result.stderr for option in ("--merge", "--cast", "--default-network"))


def test_existing_output_message_names_the_option(files: dict[str, Path], tmp_path: Path) -> None:
    for args in (["extract", "{asdf}", "{exists}"], ["repack", "{asdf}", "{exists}"],
                 ["convert", "{asdf}", "{exists}"], ["conformance", "{existing_dir}"]):
        result = CliRunner().invoke(cli, _fill(args, files, tmp_path))
        assert result.exit_code == 2 and "--overwrite" in result.stderr and "=True" not in result.stderr


def test_plain_hdf5_from_validate_is_a_usage_error_in_json_too(files: dict[str, Path]) -> None:
    result = CliRunner().invoke(cli, ["validate", "--json", str(files["asdf"]), str(files["plain"])])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert [f["exit_code"] for f in data["files"]] == [0, 2] and data["exit_code"] == 2


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OSError(errno.EROFS, "Read-only file system", "x.h5"), 2),
        (PermissionError(errno.EACCES, "Permission denied", "x.h5"), 2),
        (OSError(errno.ENOSPC, "No space left on device", "x.h5"), 1),
    ],
    ids=["read-only", "permission", "full-disk"],
)
def test_operating_system_errors_map_to_the_table(
    error: OSError, expected: int, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Errors the OS raises mid-command: permission and read-only are usage errors, a full disk is 1."""
    import asdfkit.cli.surgery as surgery

    def fail(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(surgery, "repack", fail)
    result = CliRunner().invoke(cli, ["repack", str(files["asdf"])])
    assert result.exit_code == expected
    assert result.stderr == f"error: x.h5: {error.strerror}\n"


PROGRESS = [
    (["merge", "{asdf}", "{new}"], "merging"),
    (["extract", "{asdf}", "{new}"], "extracting"),
    (["repack", "{asdf}", "{new}"], "repacking"),
    (["validate", "{asdf}", "{asdf}"], "validating"),
    (["conformance", "{new}"], "writing corpus"),
    (["convert", "{mseed}", "{new}.h5"], "converting"),
]


@pytest.mark.parametrize(("args", "label"), PROGRESS, ids=[p[0][0] for p in PROGRESS])
def test_progress_bars_on_request_only(args: list[str], label: str, files: dict[str, Path], tmp_path: Path) -> None:
    shown = CliRunner().invoke(cli, [*_fill(args, files, tmp_path), "--progress"])
    assert shown.exit_code == 0, shown.stderr
    assert label in shown.stderr
    for path in (tmp_path / "out").iterdir():
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    quiet = CliRunner().invoke(cli, [*_fill(args, files, tmp_path), "--no-progress"])
    assert quiet.exit_code == 0, quiet.stderr
    assert label not in quiet.stderr


def test_repack_with_a_progress_bar_writes_the_same_file(files: dict[str, Path], tmp_path: Path) -> None:
    from asdfkit.container.surgery import repack

    plain, shown = tmp_path / "plain.h5", tmp_path / "shown.h5"
    repack(files["asdf"], plain)
    repack(files["asdf"], shown, progress=True)
    dump = {}
    for path in (plain, shown):
        with h5py.File(path, "r") as h5:
            items: dict[str, object] = {"/": sorted((k, repr(v)) for k, v in h5.attrs.items())}
            h5.visititems(lambda name, node, items=items: items.__setitem__(
                name, (sorted((k, repr(v)) for k, v in node.attrs.items()),
                       node[()].tobytes() if isinstance(node, h5py.Dataset) else None)))
            dump[path.name] = items
    assert dump["plain.h5"] == dump["shown.h5"]


def test_batch_json_outputs_are_objects_with_failed_lists(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "batch.h5"
    run = CliRunner().invoke(cli, ["batch", "run", str(files["asdf"]), str(out), "--recipe", str(files["recipe"]),
                                   "--chunk", "0/1", "--no-merge", "--workers", "1", "--json"])
    assert run.exit_code == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["failed"] == [] and data["elapsed_s"] >= 0 and "seconds" not in data
    status = json.loads(CliRunner().invoke(cli, ["batch", "status", str(out), "--json"]).stdout)
    assert status["failed"] == [] and status["done_count"] == 3 and status["chunks"][0]["failed"] == [] and status["complete"] is True
    merged = CliRunner().invoke(cli, ["batch", "merge", str(out), "--json"])
    assert merged.exit_code == 0 and json.loads(merged.stdout)["changed"] is True
