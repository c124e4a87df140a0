"""Declared sizes far beyond the stored bytes are refused before anything is allocated (issue 14, item 7).

Reproduced first: a 75 KB file declaring an unwritten 2 GiB ``/QuakeML`` made
``asdf-cli info`` use 4.2 GB of memory for 24 s.  Each crafted dataset here is
an unwritten ``(2**31,)`` dataset (chunked+gzip or contiguous); the refusals
name the declared and the stored size.  Legitimately large data still reads:
a QuakeML catalogue of ObsPy's real events repeated past the 64 MiB floor, and
the most compressible data there is (zeros through gzip, 1032:1).
"""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit.cli.main import cli
from asdfkit.container.compression import parse_compression
from asdfkit.container.h5util import read_xml, write_xml
from asdfkit.container.sizeguard import FLOOR_BYTES, check_declared_size
from asdfkit.errors import ExternalLinkError, OversizeError

HUGE = 2**31


def _base(path: Path) -> Path:
    with asdfkit.open(path, "w") as f:
        f.add_waveforms(obspy.read(), "raw")
    return path


def _unwritten(group: h5py.Group, name: str, layout: str, dtype: str = "uint8") -> h5py.Dataset:
    if name in group:
        del group[name]
    if layout == "chunked":
        return group.create_dataset(name, shape=(HUGE,), dtype=dtype, chunks=(1 << 20,), compression="gzip",
                                     maxshape=(None,))
    return group.create_dataset(name, shape=(HUGE,), dtype=dtype)


@pytest.fixture(params=["chunked", "contiguous"])
def layout(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_an_unwritten_2_gib_quakeml_is_refused(tmp_path: Path, layout: str) -> None:
    path = _base(tmp_path / "bomb.h5")
    with h5py.File(path, "a") as h:
        _unwritten(h, "QuakeML", layout, "int8")
    assert os.path.getsize(path) < 200_000
    with asdfkit.open(path) as f, pytest.raises(OversizeError, match=r"'/QuakeML': it declares 2147483648 bytes .*"
                                                                       r"but stores 0"):
        f.events  # noqa: B018
    info = CliRunner().invoke(cli, ["info", str(path)])
    assert info.exit_code == 1 and "declares 2147483648 bytes" in info.stderr
    out = tmp_path / "q.xml"
    export = CliRunner().invoke(cli, ["convert", str(path), str(out), "--to", "quakeml"])
    assert export.exit_code == 1 and not out.exists()


def test_stationxml_provenance_auxiliary_and_traces_are_guarded(tmp_path: Path) -> None:
    path = _base(tmp_path / "bomb.h5")
    with asdfkit.open(path, "a") as f:
        f.add_auxiliary_data(np.arange(4.0), "Misc", "small")
    with h5py.File(path, "a") as h:
        _unwritten(h["Waveforms/BW.RJOB"], "StationXML", "chunked", "int8")
        _unwritten(h["Provenance"], "doc", "contiguous", "int8")
        _unwritten(h["AuxiliaryData/Misc"], "big", "chunked", "float64")
        trace = _unwritten(h["Waveforms/BW.RJOB"], "BW.RJOB..EHZ__2009-08-24T00:20:03__2009-08-24T00:20:32__big",
                           "chunked", "float32")
        trace.attrs["starttime"] = np.int64(1251073203000000000)
        trace.attrs["sampling_rate"] = np.float64(100.0)
    with asdfkit.open(path) as f:
        with pytest.raises(OversizeError, match="StationXML"):
            f.get_station_xml("BW.RJOB")
        with pytest.raises(OversizeError, match="/Provenance/doc"):
            f.get_provenance_document("doc")
        with pytest.raises(OversizeError, match="auxiliary data '/AuxiliaryData/Misc/big'"):
            f.get_auxiliary_data("Misc", "big")
        assert f.get_auxiliary_data("Misc", "small").data.tolist() == [0.0, 1.0, 2.0, 3.0]
        (big,) = [h for h in f.list_waveforms() if h.tag == "big"]
        with pytest.raises(OversizeError, match="waveform .*__big'"):
            f.get_waveform(big)
        assert len(f.get_waveforms(tag="raw")) == 3


def test_a_legitimately_large_catalogue_reads(tmp_path: Path, obspy_data: Path) -> None:
    """ObsPy's real QuakeML events, repeated past the 64 MiB floor, through asdfkit's own writer."""
    text = (obspy_data / "io" / "quakeml" / "tests" / "data" / "neries_events.xml").read_bytes()
    head, _, rest = text.partition(b"<event ")
    body, _, tail = (b"<event " + rest).rpartition(b"</event>")
    events = body + b"</event>"
    copies = FLOOR_BYTES // len(events) + 2
    data = head + events * copies + tail
    assert len(data) > FLOOR_BYTES
    with h5py.File(tmp_path / "big.h5", "w") as h:
        dataset = write_xml(h, "QuakeML", data, parse_compression("gzip"))
        stored = dataset.id.get_storage_size()
        assert stored < len(data) / 10  # it compresses well: the rule must not refuse that
        assert read_xml(dataset) == data


def test_the_most_compressible_data_still_reads(tmp_path: Path) -> None:
    """Zeros through gzip (deflate's 1032:1 best case) stay inside the 2048:1 rule."""
    n = FLOOR_BYTES // 4 + 1_000_000
    with asdfkit.open(tmp_path / "zeros.h5", "w") as f:
        trace = obspy.Trace(np.zeros(n, dtype=np.float32))
        trace.stats.network, trace.stats.station, trace.stats.channel = "XX", "ZERO", "BHZ"
        f.add_waveforms(trace, "raw")
    with asdfkit.open(tmp_path / "zeros.h5") as f:
        (header,) = f.list_waveforms()
        data = f.get_waveform(header).data
        assert data.size == n and not data.any()


def test_external_storage_is_refused(tmp_path: Path) -> None:
    (tmp_path / "raw.bin").write_bytes(b"SECRET" * 100)
    with h5py.File(tmp_path / "ext.h5", "w") as h:
        dataset = h.create_dataset("x", shape=(600,), dtype="uint8", external=[(str(tmp_path / "raw.bin"), 0, 600)])
        with pytest.raises(ExternalLinkError, match="external storage"):
            check_declared_size(dataset)
