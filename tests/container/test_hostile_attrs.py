"""Hostile attributes: array, string, empty and odd-typed ``starttime``/``sampling_rate``.

Before the fix, ``HeaderIndex.walk`` read these attributes into 8-byte
buffers whatever their shape, so an array-valued one overran the buffer:
``info`` aborted (``munmap_chunk(): invalid pointer``) and export, extract,
batch and ``obspy.read`` through the plugin segfaulted.  A crash would kill
the test process, so every command runs in a subprocess; each must end with
an exit code (no signal) and no traceback, and the damaged trace is reported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest

import asdfkit
from asdfkit.container.index import HeaderIndex

ROOT = Path(__file__).resolve().parents[2]

#: Hostile values of a numeric header attribute (name -> value or (value, dtype)).
HOSTILE = {
    "array7000": np.arange(7000, dtype="f8"),
    "array2": np.array([1, 2], dtype="i8"),
    "string": "2009-08-24T00:20:03",
    "bytes": np.bytes_(b"abcdefghijklmnopqrstuvwxyz"),
    "empty": h5py.Empty("f8"),
    "complex": np.complex128(1 + 1j),
    "compound": np.array((1, 2.0), dtype=[("a", "i4"), ("b", "f8")]),
    "vlen": ("x" * 50, h5py.string_dtype()),
}


def _env() -> dict[str, str]:
    env = dict(os.environ, ASDFKIT_CACHE_DIR="off")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=_env(), capture_output=True, text=True,
                          timeout=240)


def _hostile_file(path: Path, attr: str, kind: str) -> str:
    """obspy's real example stream with one trace's ``attr`` replaced; return that trace's name."""
    with asdfkit.open(path, "w") as f:
        f.add_waveforms(obspy.read(), tag="raw")
    with h5py.File(path, "r+") as h5:
        group = h5["Waveforms/BW.RJOB"]
        name = sorted(n for n in group if n != "StationXML")[0]
        attrs = group[name].attrs
        del attrs[attr]
        value = HOSTILE[kind]
        if isinstance(value, tuple):
            attrs.create(attr, value[0], dtype=value[1])
        else:
            attrs[attr] = value
    return name


@pytest.mark.parametrize("attr", ["starttime", "sampling_rate"])
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_walk_skips_hostile_header(tmp_path: Path, attr: str, kind: str,
                                   caplog: pytest.LogCaptureFixture) -> None:
    """In-process (the array kinds crashed here before the fix; the subprocess test shows that)."""
    path = tmp_path / "x.h5"
    name = _hostile_file(path, attr, kind)
    with h5py.File(path, "r") as h5:
        index = HeaderIndex.walk(h5)
    assert len(index) == 2
    assert name not in index
    assert name in caplog.text


@pytest.mark.parametrize("attr", ["starttime", "sampling_rate"])
def test_commands_survive_array_attribute(tmp_path: Path, attr: str) -> None:
    path = tmp_path / "x.h5"
    name = _hostile_file(path, attr, "array7000")
    recipe = tmp_path / "recipe.toml"
    recipe.write_text('[[steps]]\nop = "detrend"\ntype = "linear"\n')
    runs = {
        "info": _run(["-m", "asdfkit", "info", str(path)], tmp_path),
        "export": _run(["-m", "asdfkit", "convert", str(path), str(tmp_path / "mseed"), "--to", "mseed"],
                       tmp_path),
        "extract": _run(["-m", "asdfkit", "extract", str(path), str(tmp_path / "out.h5")], tmp_path),
        "batch": _run(["-m", "asdfkit", "batch", "run", str(path), str(tmp_path / "b.h5"), "--recipe",
                       str(recipe), "--workers", "1"], tmp_path),
        "obspy.read": _run(["-c", f"import obspy; print(len(obspy.read({str(path)!r})))"], tmp_path),
        "validate": _run(["-m", "asdfkit", "validate", str(path)], tmp_path),
    }
    for command, run in runs.items():
        assert run.returncode >= 0, f"{command} killed by signal {-run.returncode}: {run.stderr[-2000:]}"
        assert "Traceback" not in run.stderr, f"{command}: {run.stderr[-2000:]}"
        assert run.returncode in (0, 1), f"{command}: exit {run.returncode}: {run.stderr[-2000:]}"
    assert name in runs["info"].stderr and "traces:      2" in runs["info"].stdout
    assert runs["obspy.read"].stdout.strip() == "2"
    assert runs["validate"].returncode == 1 and "ASDF-WAVE" in runs["validate"].stdout
    with asdfkit.open(tmp_path / "out.h5") as out:
        assert out.n_waveforms == 2
