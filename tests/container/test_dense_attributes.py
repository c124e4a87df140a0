"""A trace associated with 1,500 events: attributes over 64 KiB (issue 14, item 9).

Reproduced first: HDF5's version-1 object headers (libver ``earliest``, what
pyasdf and asdfkit wrote) hold no attribute message over 64 KiB, and the
``event_id`` of a day-long trace associated with 1,500 aftershocks is 99 kB.
asdfkit now creates datasets with version-2 headers (dense attribute storage)
and rewrites an older dataset whose attribute outgrows its header; pyasdf
0.8.2 reads both.
"""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import obspy
import pyasdf
import pytest

import asdfkit
from asdfkit.container.densehdr import COMPACT_LIMIT
from asdfkit.container.surgery import extract, repack
from asdfkit.io.convert import ConvertOptions, convert_to_asdf

IDS = [f"smi:local/aftershocks/event/{i:06d}-{'x' * 30}" for i in range(1500)]


def _day_trace() -> obspy.Trace:
    rng = np.random.default_rng(7)
    trace = obspy.Trace(rng.integers(-1000, 1000, 86_400 * 20).astype(np.int32))
    trace.stats.network, trace.stats.station, trace.stats.channel = "XX", "DAY", "BHZ"
    trace.stats.sampling_rate = 20.0
    trace.stats.starttime = obspy.UTCDateTime("2020-01-01")
    return trace


def _header_version(path: Path, name: str) -> int:
    with h5py.File(path, "r") as h:
        return int(h5py.h5o.get_info(h[name].id).hdr.version)


def test_the_64_kib_limit_of_version_1_headers(tmp_path: Path) -> None:
    value = np.bytes_(",".join(IDS).encode())
    assert len(value) > COMPACT_LIMIT
    with h5py.File(tmp_path / "plain.h5", "w") as h:
        dataset = h.create_dataset("x", data=np.arange(3))
        with pytest.raises(OSError, match="object header message is too large"):
            dataset.attrs["event_id"] = value


def test_a_new_trace_takes_1500_event_ids(tmp_path: Path) -> None:
    path = tmp_path / "day.h5"
    with asdfkit.open(path, "w") as f:
        (item,) = f.add_waveforms(_day_trace(), "raw_recording", event_id=IDS)
    assert _header_version(path, item) == 2
    with asdfkit.open(path) as f:
        assert f.get_waveform_meta(f.list_waveforms()[0]).event_ids == IDS
    with pyasdf.ASDFDataSet(str(path), mode="r") as ds:
        trace = ds.waveforms.XX_DAY.raw_recording[0]
        assert [str(r) for r in trace.stats.asdf.event_ids] == IDS
    extract(path, tmp_path / "x.h5")  # object copies keep the dense attribute
    repack(path, tmp_path / "r.h5")
    for copy in ("x.h5", "r.h5"):
        with asdfkit.open(tmp_path / copy) as f:
            assert f.get_waveform_meta(f.list_waveforms()[0]).event_ids == IDS


def test_an_older_dataset_is_rewritten_when_its_attribute_outgrows_the_header(tmp_path: Path) -> None:
    path = tmp_path / "old.h5"
    with pyasdf.ASDFDataSet(str(path), compression="gzip-3") as ds:
        ds.add_waveforms(_day_trace(), tag="raw_recording")
    with h5py.File(path, "r") as h:
        (name,) = [f"/Waveforms/XX.DAY/{n}" for n in h["Waveforms/XX.DAY"]]
        before = {"data": h[name][()], "chunks": h[name].chunks, "filters": h[name].compression_opts,
                  "attrs": {k: repr(v) for k, v in h[name].attrs.items()}}
        first_chunk = h[name].id.read_direct_chunk((0,))
    assert _header_version(path, name) == 1

    with asdfkit.open(path, "a") as f:
        f.set_event_ids(name, IDS)

    assert _header_version(path, name) == 2
    with h5py.File(path, "r") as h:
        dataset = h[name]
        assert list(h["Waveforms/XX.DAY"]) == [name.rsplit("/", 1)[1]]  # no temporary left
        np.testing.assert_array_equal(dataset[()], before["data"])
        assert (dataset.chunks, dataset.compression_opts) == (before["chunks"], before["filters"])
        assert dataset.id.read_direct_chunk((0,)) == first_chunk  # chunks copied as stored
        attrs = {k: repr(v) for k, v in dataset.attrs.items() if k != "event_id"}
        assert attrs == before["attrs"]
    with pyasdf.ASDFDataSet(str(path), mode="r") as ds:
        assert len(ds.waveforms.XX_DAY.raw_recording[0].stats.asdf.event_ids) == 1500


def test_convert_associates_a_day_long_trace_with_1500_events(tmp_path: Path) -> None:
    trace = _day_trace()
    mseed = tmp_path / "day.mseed"
    trace.write(str(mseed), format="MSEED")
    events = [{"time": str(trace.stats.starttime + 50 * i), "latitude": 10.0 + i / 1000, "longitude": 20.0,
               "depth": 10.0} for i in range(1500)]
    meta = tmp_path / "aftershocks.json"
    meta.write_text(json.dumps({"events": events}))
    out = tmp_path / "out.h5"
    report = convert_to_asdf([mseed], out, ConvertOptions(events=[meta], dedupe_time=0.0, dedupe_distance_km=0.0))
    assert report.traces == 1 and report.events == 1500
    with asdfkit.open(out) as f:
        assert len(f.get_waveform_meta(f.list_waveforms()[0]).event_ids) == 1500
    with pyasdf.ASDFDataSet(str(out), mode="r") as ds:
        assert len(ds.waveforms.XX_DAY.raw_recording[0].stats.asdf.event_ids) == 1500


def test_auxiliary_data_takes_an_attribute_over_64_kib(tmp_path: Path) -> None:
    path = tmp_path / "aux.h5"
    notes = ";".join(IDS)
    with asdfkit.open(path, "w") as f:
        f.add_auxiliary_data(np.arange(10.0), "Catalogue", "day", {"event_ids": notes})
    with asdfkit.open(path) as f:
        assert f.get_auxiliary_data("Catalogue", "day").attrs["event_ids"] == notes
    with pyasdf.ASDFDataSet(str(path), mode="r") as ds:
        assert ds.auxiliary_data.Catalogue.day.parameters["event_ids"] == notes
