"""Fixtures for the container tests: real recordings, inventories and catalogues.

Everything here is read from data shipped inside obspy and pyasdf.  Session-scoped
objects are parsed once and handed out as deep copies, so a test may mutate what it
gets.
"""

from __future__ import annotations

import copy
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import obspy
import pytest


def file_state(path: Path) -> tuple[int, int, str]:
    """``(size, mtime_ns, sha256 of the bytes)`` of a file on disk."""
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def state() -> Callable[[Path], tuple[int, int, str]]:
    return file_state


@pytest.fixture(scope="session")
def _sample_stream(sample_set: Path) -> obspy.Stream:
    stream = obspy.Stream()
    for path in sorted(sample_set.glob("*.mseed")):
        stream += obspy.read(str(path))
    assert len(stream) == 6
    return stream


@pytest.fixture
def sample_stream(_sample_stream: obspy.Stream) -> obspy.Stream:
    """The 6 real 40 Hz traces of pyasdf's small sample data set (AE.113A, TA.POKR)."""
    return _sample_stream.copy()


@pytest.fixture(scope="session")
def _sample_inventory(sample_set: Path) -> obspy.Inventory:
    inventory = obspy.Inventory(networks=[], source="test")
    for path in sorted(sample_set.glob("*..BH_.xml")):
        inventory += obspy.read_inventory(str(path))
    return inventory


@pytest.fixture
def sample_inventory(_sample_inventory: obspy.Inventory) -> obspy.Inventory:
    return copy.deepcopy(_sample_inventory)


@pytest.fixture(scope="session")
def _sample_catalog(sample_set: Path) -> obspy.Catalog:
    return obspy.read_events(str(sample_set / "quake.xml"))


@pytest.fixture
def sample_catalog(_sample_catalog: obspy.Catalog) -> obspy.Catalog:
    return _sample_catalog.copy()


@pytest.fixture(scope="session")
def _real_events(obspy_data: Path, sample_set: Path) -> list[obspy.core.event.Event]:
    """Every event of several real QuakeML files shipped with obspy and pyasdf."""
    folder = obspy_data / "io" / "quakeml" / "tests" / "data"
    events = list(obspy.read_events())  # obspy's example catalogue (3 events)
    for name in ("iris_events.xml", "qml-example-1.2-RC3.xml", "quakeml_1.2_event.xml",
                 "quakeml_1.2_focalmechanism.xml"):
        events += list(obspy.read_events(str(folder / name)))
    events += list(obspy.read_events(str(sample_set / "quake.xml")))
    ids = [str(ev.resource_id) for ev in events]
    assert len(set(ids)) == len(ids) == 9
    return events


@pytest.fixture
def real_events(_real_events: list[Any]) -> list[Any]:
    return copy.deepcopy(_real_events)


@pytest.fixture
def small_stream() -> obspy.Stream:
    """obspy's example recording: BW.RJOB..EH?, 3 x 3000 samples at 100 Hz (float64)."""
    return obspy.read()


@pytest.fixture
def h5path(tmp_path: Path) -> Path:
    return tmp_path / "test.h5"
