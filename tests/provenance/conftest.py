"""Fixtures for the SEIS-PROV tests: the shared facts table and real recordings."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import obspy
import pytest
from prov_version import assert_written_as_prov

from asdfkit.provenance import ProvenanceBuilder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """The shared reference folder (SEIS-PROV facts table); required under CI."""
    path = ROOT.parent / "shared" / "reference"
    if not (path / "seis-prov-0.1-types.json").is_file():
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"shared reference folder missing under CI: {path}")
        pytest.skip(f"shared reference not found at {path} (not running under CI)")
    return path


@pytest.fixture(scope="session")
def mseed_file(obspy_data: Path) -> Path:
    """A real one-trace miniSEED recording shipped with ObsPy (NL.HGN.00.BHZ, 40 Hz)."""
    path = obspy_data / "io" / "mseed" / "tests" / "data" / "test.mseed"
    assert path.is_file(), path
    return path


@pytest.fixture
def processed() -> Callable[..., obspy.Trace]:
    """``processed(fn)``: ObsPy's example trace (BW.RJOB..EHZ) after ``fn(trace)``."""

    def make(step: Callable[[obspy.Trace], object]) -> obspy.Trace:
        trace = obspy.read()[0]
        step(trace)
        return trace

    return make


@pytest.fixture(autouse=True)
def prov_writer_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every document a provenance test writes: the fast writer's bytes must be ``prov``'s own.

    Not a stand-in: the real ``to_xml`` still runs and its bytes are used; this
    only compares them with ``prov``'s serializer on the same document.
    """
    fast = ProvenanceBuilder.to_xml

    def checked(self: ProvenanceBuilder) -> bytes:
        data = fast(self)
        assert_written_as_prov(data, self.document)
        return data

    monkeypatch.setattr(ProvenanceBuilder, "to_xml", checked)
