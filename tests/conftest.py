"""Shared fixtures: real data shipped inside obspy and pyasdf, isolation of caches."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own header-cache directory."""
    monkeypatch.setenv("ASDFKIT_CACHE_DIR", str(tmp_path_factory.mktemp("asdfkit-cache")))


@pytest.fixture(scope="session")
def obspy_data() -> Path:
    """Root of the obspy package (its io/*/tests/data folders hold real recordings)."""
    import obspy

    return Path(obspy.__file__).parent


@pytest.fixture(scope="session")
def pyasdf_data() -> Path:
    """pyasdf's shipped test data (a real small sample data set)."""
    import pyasdf

    return Path(pyasdf.__file__).parent / "tests" / "data"


@pytest.fixture(scope="session")
def sample_set(pyasdf_data: Path) -> Path:
    """pyasdf's small_sample_data_set: 6 real miniSEED traces, 2 StationXML, 1 QuakeML."""
    return pyasdf_data / "small_sample_data_set"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The project's shared/data folder (CSS3.0 databases); required under CI."""
    path = ROOT.parent / "shared" / "data"
    if not path.is_dir():
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"shared data folder missing under CI: {path}")
        pytest.skip(f"shared data not found at {path} (not running under CI)")
    return path


def snapshot(path: Path) -> dict[str, Any]:
    """Every object, attribute and byte of data in an HDF5 file, for before/after checks."""
    out: dict[str, Any] = {}
    with h5py.File(path, "r") as f:
        out["/"] = {k: repr(f.attrs[k]) for k in sorted(f.attrs)}

        def visit(name: str, obj: Any) -> None:
            entry: dict[str, Any] = {"attrs": {k: repr(obj.attrs[k]) for k in sorted(obj.attrs)}}
            if isinstance(obj, h5py.Dataset):
                entry["dtype"] = str(obj.dtype)
                entry["shape"] = obj.shape
                raw = obj[()]
                entry["sha"] = hashlib.sha256(np.asarray(raw).tobytes()).hexdigest()
            else:
                entry["kind"] = "group"
            out[name] = entry

        f.visititems(visit)
    return out


@pytest.fixture
def file_snapshot() -> Any:
    return snapshot


@pytest.fixture
def example_stream() -> Iterator[Any]:
    import obspy

    yield obspy.read()
