"""Validator speed: asdfkit.validate against pyasdf's ASDFDataSet.validate().

Standalone script (not part of ``benchmarks/run.py``)::

    python benchmarks/validate_bench.py                 # 2,000 and 100,000 traces
    python benchmarks/validate_bench.py --traces 2000   # one size only
    python benchmarks/validate_bench.py --json out.json

The files are written once with raw h5py, exactly as pyasdf lays them out
(fixed-length ASCII root and id attributes, gzip + shuffle + fletcher32,
resizable int8 XML datasets), and cached in ``$TMPDIR/asdfkit-validate-bench``
(``--cache DIR``).  Every station has a 3-channel StationXML, every trace an
``event_id`` into a 10-event QuakeML, so every check runs on every trace.
The external validator (two h5dump processes per trace, ~0.1 s per trace)
does not run on current Python; its figure is quoted from its reference.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import h5py
import numpy as np

log = logging.getLogger("validate_bench")

TRACES_PER_STATION = 100
CHANNELS = ("BHE", "BHN", "BHZ")
RATE = 20.0
NPTS = 200
BASE = int(dt.datetime(2013, 5, 24, 5, 40, tzinfo=dt.UTC).timestamp())
EXTERNAL_SECONDS_PER_TRACE = 0.1

STATIONXML = """<?xml version='1.0' encoding='UTF-8'?>
<FDSNStationXML xmlns="http://www.fdsn.org/xml/station/1" schemaVersion="1.2">
  <Source>asdfkit validate benchmark</Source>
  <Created>2024-01-01T00:00:00Z</Created>
  <Network code="XX">
    <Station code="{sta}" startDate="2000-01-01T00:00:00">
      <Latitude>47.0</Latitude><Longitude>11.0</Longitude><Elevation>500.0</Elevation>
      <Site><Name>{sta}</Name></Site>
{channels}
    </Station>
  </Network>
</FDSNStationXML>
"""
CHANNEL = """      <Channel code="{cha}" locationCode="" startDate="2000-01-01T00:00:00">
        <Latitude>47.0</Latitude><Longitude>11.0</Longitude><Elevation>500.0</Elevation>
        <Depth>0.0</Depth><SampleRate>{rate}</SampleRate>
      </Channel>"""


def _quakeml(n_events: int) -> tuple[bytes, list[str]]:
    import obspy
    from obspy.core.event import Catalog, Event, Origin, ResourceIdentifier

    catalog = Catalog(resource_id=ResourceIdentifier("smi:local/bench/catalog"))
    ids = []
    for i in range(n_events):
        event = Event(resource_id=ResourceIdentifier(f"smi:local/bench/event/{i}"))
        event.origins.append(Origin(resource_id=ResourceIdentifier(f"smi:local/bench/origin/{i}"),
                                    time=obspy.UTCDateTime(BASE + 3600 * i), latitude=47.0,
                                    longitude=11.0))
        catalog.append(event)
        ids.append(str(event.resource_id))
    buffer = io.BytesIO()
    catalog.write(buffer, format="QUAKEML")
    return buffer.getvalue(), ids


def _name_time(seconds: float) -> str:
    return dt.datetime.fromtimestamp(int(seconds), dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _xml(group: h5py.Group, name: str, data: bytes) -> None:
    group.create_dataset(name, data=np.frombuffer(data, dtype=np.int8), maxshape=(None,),
                         compression="gzip", compression_opts=3, shuffle=True, fletcher32=True)


def generate(path: Path, n_traces: int) -> None:
    """Write an ``n_traces``-trace ASDF 1.0.3 file the way pyasdf does (raw h5py)."""
    quakeml, event_ids = _quakeml(10)
    samples = (np.sin(np.arange(NPTS) / 7.0) * 1000).astype(np.int32)
    channels = "\n".join(CHANNEL.format(cha=c, rate=RATE) for c in CHANNELS)
    partial = path.with_suffix(".partial")
    with h5py.File(partial, "w") as f:
        f.attrs["file_format"] = np.bytes_(b"ASDF\x00")
        f.attrs["file_format_version"] = np.bytes_(b"1.0.3\x00")
        _xml(f, "QuakeML", quakeml)
        f.create_group("AuxiliaryData")
        f.create_group("Provenance")
        waveforms = f.create_group("Waveforms")
        n_stations = -(-n_traces // TRACES_PER_STATION)
        k = 0
        for s in range(n_stations):
            sta = f"S{s:04d}"
            group = waveforms.create_group(f"XX.{sta}")
            _xml(group, "StationXML", STATIONXML.format(sta=sta, channels=channels).encode())
            for i in range(min(TRACES_PER_STATION, n_traces - k)):
                channel = CHANNELS[i % len(CHANNELS)]
                start = BASE + 600 * (i // len(CHANNELS))
                end = start + (NPTS - 1) / RATE
                name = f"XX.{sta}..{channel}__{_name_time(start)}__{_name_time(end)}__raw_recording"
                ds = group.create_dataset(name, data=samples, maxshape=(None,), compression="gzip",
                                          compression_opts=3, shuffle=True, fletcher32=True)
                ds.attrs["starttime"] = np.int64(start * 10**9)
                ds.attrs["sampling_rate"] = np.float64(RATE)
                ds.attrs["event_id"] = np.bytes_(event_ids[k % len(event_ids)].encode() + b"\x00")
                k += 1
    os.replace(partial, path)


def cached_file(cache: Path, n_traces: int) -> Path:
    path = cache / f"validate-{n_traces}.h5"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        generate(path, n_traces)
        log.info("generated %s in %.1f s", path, time.perf_counter() - started)
    return path


def time_asdfkit(path: Path, repeats: int) -> dict[str, Any]:
    """In-process ``asdfkit.validate`` (best of ``repeats``) and one ``asdf-cli validate`` run."""
    import asdfkit

    best, report = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        report = asdfkit.validate(path)
        best = min(best, time.perf_counter() - started)
    assert report is not None
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "asdfkit", "validate", str(path)],
                          capture_output=True, text=True, check=False)
    cli = time.perf_counter() - started
    return {"seconds": best, "cli_seconds": cli, "cli_exit": proc.returncode, "ok": report.ok,
            "counts": report.counts, "checked": dict(report.checked)}


def time_pyasdf(path: Path) -> dict[str, Any]:
    """pyasdf's ``ASDFDataSet.validate()`` (its prints swallowed), opening excluded."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pyasdf

        with pyasdf.ASDFDataSet(str(path), mode="r") as ds:
            started = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                ds.validate()
            return {"seconds": time.perf_counter() - started}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, action="append", help="file size(s) in traces")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "asdfkit-validate-bench")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-pyasdf", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    results = []
    for n in args.traces or [2000, 100_000]:
        path = cached_file(args.cache, n)
        row: dict[str, Any] = {"traces": n, "file_mib": round(path.stat().st_size / 2**20, 1)}
        row["asdfkit"] = time_asdfkit(path, args.repeats if n <= 10_000 else 1)
        row["asdfkit_peak_rss_mib"] = round(peak_rss_mib(), 1)
        if not args.no_pyasdf:
            row["pyasdf"] = time_pyasdf(path)
        row["external_estimate_seconds"] = n * EXTERNAL_SECONDS_PER_TRACE
        results.append(row)
        log.info(json.dumps(row))
    out = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                       "h5py": h5py.__version__, "hdf5": h5py.version.hdf5_version},
           "results": results}
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
