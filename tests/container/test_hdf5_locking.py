"""HDF5's own file locking is an option (``hdf5_locking=``, ``asdf-cli --no-hdf5-locking``).

Switching it off reads a file that another program holds open for writing with h5py; it
never switches off asdfkit's own writer lock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit.cli.main import cli
from asdfkit.container.hdf5locking import ENV_VAR, get_hdf5_locking, hdf5_locking, set_hdf5_locking
from asdfkit.errors import FileLockedError, InvalidValueError

LOCKED = "locked by another process"


@pytest.fixture(autouse=True)
def _hdf5_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(ENV_VAR, raising=False)
    yield
    set_hdf5_locking(None)


@pytest.fixture
def asdf(tmp_path: Path) -> Path:
    path = tmp_path / "data.h5"
    with asdfkit.open(path, "w") as f:
        f.add_waveforms(obspy.read(), tag="raw_recording")  # ObsPy's real example (3 traces)
    return path


def _hold(path: Path, code: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    proc = subprocess.Popen(
        [sys.executable, "-c", f"import sys, time\n{code}\nprint('held', flush=True)\ntime.sleep(120)", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held", proc.communicate()[1]
    return proc


@pytest.fixture
def held_by_h5py(asdf: Path) -> Iterator[Path]:
    """``asdf`` held open for writing by h5py in another process (HDF5's exclusive lock)."""
    proc = _hold(asdf, "import h5py; f = h5py.File(sys.argv[1], 'r+')")
    yield asdf
    proc.kill()
    proc.communicate()


def _samples(stream: obspy.Stream) -> dict[str, np.ndarray]:
    return {tr.id: tr.data for tr in stream}


def test_hdf5_locking_false_reads_a_file_an_h5py_writer_holds(held_by_h5py: Path) -> None:
    with pytest.raises(FileLockedError, match=LOCKED) as refused:
        asdfkit.open(held_by_h5py)
    assert "hdf5_locking=False" in str(refused.value)
    expected = _samples(obspy.read())
    with asdfkit.open(held_by_h5py, hdf5_locking=False) as f:
        assert f.mode == "r"
        got = _samples(f.get_waveforms(tag="raw_recording"))
    assert got.keys() == expected.keys() and all(np.array_equal(got[k], expected[k]) for k in got)


def test_the_process_wide_setting_applies_to_every_open(held_by_h5py: Path) -> None:
    with hdf5_locking(False):
        assert get_hdf5_locking() is False
        with asdfkit.open(held_by_h5py) as f:
            assert f.n_waveforms == 3
        with pytest.raises(FileLockedError, match=LOCKED):  # an explicit True wins over the default
            asdfkit.open(held_by_h5py, hdf5_locking=True)
    assert get_hdf5_locking() is None
    with pytest.raises(FileLockedError, match=LOCKED):
        asdfkit.open(held_by_h5py)


def test_the_asdfkit_writer_lock_stays_on_without_hdf5_locking(asdf: Path) -> None:
    holder = _hold(asdf, "import asdfkit; f = asdfkit.open(sys.argv[1], 'a', hdf5_locking=False)")
    try:
        with pytest.raises(FileLockedError, match=LOCKED):
            asdfkit.open(asdf, "a", hdf5_locking=False)
        with hdf5_locking(False), pytest.raises(FileLockedError, match=LOCKED):
            asdfkit.open(asdf, "r+")
    finally:
        holder.kill()
        holder.communicate()
    with asdfkit.open(asdf) as f:  # untouched
        assert f.n_waveforms == 3


def test_an_invalid_value_is_refused_naming_it(asdf: Path) -> None:
    with pytest.raises(InvalidValueError, match="invalid hdf5_locking 'no'"):
        asdfkit.open(asdf, hdf5_locking="no")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="invalid hdf5_locking 0"):
        set_hdf5_locking(0)  # type: ignore[arg-type]


def test_cli_no_hdf5_locking_reads_the_held_file_and_restores_the_default(held_by_h5py: Path) -> None:
    runner = CliRunner()
    refused = runner.invoke(cli, ["info", "--json", str(held_by_h5py)])
    assert refused.exit_code == 2 and LOCKED in refused.output and "--no-hdf5-locking" in refused.output
    result = runner.invoke(cli, ["--no-hdf5-locking", "info", "--json", str(held_by_h5py)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    files = report["files"] if isinstance(report, dict) else report  # {"files": [...]} by issue 16
    assert files[0]["traces"] == 3
    assert get_hdf5_locking() is None and ENV_VAR not in os.environ


def test_cli_no_hdf5_locking_keeps_the_writer_lock(asdf: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.h5"
    with asdfkit.open(other, "w") as f:
        trace = obspy.read()[0]
        trace.stats.station = "OTHER"
        f.add_waveforms(trace, tag="raw_recording")
    holder = _hold(asdf, "from asdfkit.locking import writer_lock; c = writer_lock(sys.argv[1]); c.__enter__()")
    try:
        result = CliRunner().invoke(cli, ["--no-hdf5-locking", "merge", str(other), str(asdf)])
    finally:
        holder.kill()
        holder.communicate()
    assert result.exit_code == 2 and LOCKED in result.output
    with h5py.File(asdf, "r") as h5:
        assert "OTHER" not in str(list(h5["Waveforms"]))
