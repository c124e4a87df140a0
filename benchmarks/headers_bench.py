"""Header tables: ``ASDFFile.headers()`` for 100,000 traces, cold and warm, against a plain h5py walk.

Standalone script (not part of ``benchmarks/run.py``)::

    python benchmarks/headers_bench.py                    # 100,000 traces
    python benchmarks/headers_bench.py --traces 20000
    python benchmarks/headers_bench.py --json out.json

The file is the validator benchmark's (``validate_bench.generate``: 1,000
stations with StationXML, every trace an ``event_id``), with the label
``vertical`` added on every BHZ trace and one static and one dynamic group.
Three contenders build the same table (one row per trace: codes, tag, times,
npts, sampling rate, labels, event ids, station coordinates; no samples):

- ``h5py walk``: the plain baseline, one pass over every dataset reading its
  attributes, plus every StationXML parsed for coordinates;
- ``asdfkit cold``: ``f.headers()`` with no cache (first use of a file);
- ``asdfkit warm``: ``f.headers()`` in a new session once the cache exists
  (the figure the issue targets: < 2 s for 100,000 traces).

Each contender runs in a fresh process so nothing stays in memory between them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("headers_bench")

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 2.0


def prepare(cache: Path, n_traces: int) -> Path:
    """The benchmark file (generated once, then labelled and grouped)."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.validate_bench import generate

    path = cache / f"headers-{n_traces}.h5"
    if path.exists():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    raw = cache / f"headers-{n_traces}.raw.h5"
    started = time.perf_counter()
    generate(raw, n_traces)
    import asdfkit

    os.environ["ASDFKIT_CACHE_DIR"] = "off"
    with asdfkit.open(raw, "r+") as f:
        f.add_labels("vertical", channel="BHZ")
        f.groups.create("first_stations", members=f.list_waveforms(station="S000?"), comment="ten stations")
        f.groups.create("z", query={"channel": "BHZ"})
    shutil.move(raw, path)
    log.info("prepared %s in %.1f s", path, time.perf_counter() - started)
    return path


def h5py_walk(path: str) -> int:
    """The plain baseline: every dataset's attributes and every StationXML, into a DataFrame."""
    import h5py
    import pandas as pd
    from obspy import read_inventory

    rows: list[dict[str, Any]] = []
    coords: dict[str, tuple[float, float, float]] = {}
    with h5py.File(path, "r") as h5:
        for sid, group in h5["Waveforms"].items():
            for name, node in group.items():
                if name == "StationXML":
                    import io

                    station = read_inventory(io.BytesIO(node[()].tobytes()))[0][0]
                    coords[sid] = (station.latitude, station.longitude, station.elevation)
                    continue
                attrs = node.attrs
                seed, _, rest = name.partition("__")
                net, sta, loc, cha = seed.split(".")
                labels = attrs.get("labels", "")
                events = attrs.get("event_id", b"")
                rows.append({"name": name, "network": net, "station": sta, "location": loc, "channel": cha,
                             "tag": rest.split("__", 2)[-1], "starttime_ns": int(attrs["starttime"]),
                             "sampling_rate": float(attrs["sampling_rate"]), "npts": node.shape[0],
                             "labels": labels if isinstance(labels, str) else labels.decode(),
                             "event_ids": bytes(events).rstrip(b"\x00").decode(), "sid": sid})
    frame = pd.DataFrame(rows)
    located = frame["sid"].map(coords)
    frame["station_latitude"] = [c[0] for c in located]
    return len(frame)


def asdfkit_headers(path: str) -> int:
    import asdfkit

    with asdfkit.open(path) as f:
        return len(f.headers())


def _child(kind: str, path: Path, cache_dir: Path) -> dict[str, Any]:
    code = (f"import sys, time, json; sys.path.insert(0, {str(ROOT)!r}); "
            f"from benchmarks.headers_bench import {kind} as run; "
            f"import pandas, h5py, obspy, asdfkit; t = time.perf_counter(); n = run({str(path)!r}); "
            "print(json.dumps({'seconds': time.perf_counter() - t, 'rows': n}))")
    env = dict(os.environ, ASDFKIT_CACHE_DIR=str(cache_dir), PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def measure(path: Path, repeats: int, cold_repeats: int) -> dict[str, Any]:
    """Best of ``repeats`` (``cold_repeats`` for the two cold walks) fresh processes (imports excluded)."""
    cache_dir = Path(tempfile.mkdtemp(prefix="asdfkit-headers-cache-"))
    try:
        results: dict[str, Any] = {}
        baseline = [_child("h5py_walk", path, cache_dir) for _ in range(cold_repeats)]
        cold = []
        for _ in range(cold_repeats):
            shutil.rmtree(cache_dir / "index", ignore_errors=True)
            cold.append(_child("asdfkit_headers", path, cache_dir))
        warm = [_child("asdfkit_headers", path, cache_dir) for _ in range(repeats)]
        for name, runs in (("h5py walk", baseline), ("asdfkit cold", cold), ("asdfkit warm", warm)):
            results[name] = {"seconds": min(r["seconds"] for r in runs), "rows": runs[0]["rows"]}
        return results
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=100_000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "asdfkit-headers-bench")
    parser.add_argument("--repeats", type=int, default=3, help="runs of the warm table (best kept)")
    parser.add_argument("--cold-repeats", type=int, default=1, help="runs of the two cold walks")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    path = prepare(args.cache, args.traces)
    results = measure(path, args.repeats, args.cold_repeats)
    base = results["h5py walk"]["seconds"]
    print(f"header table of {args.traces} traces (warm: best of {args.repeats}; cold: best of "
          f"{args.cold_repeats}; a fresh process each):")
    for name, row in results.items():
        print(f"  {name:13s} {row['seconds']:7.2f} s  ({base / row['seconds']:.1f}x the h5py walk)  rows={row['rows']}")
    warm = results["asdfkit warm"]["seconds"]
    print(f"  target: warm < {TARGET_SECONDS} s -> {'met' if warm < TARGET_SECONDS else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps({"traces": args.traces, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
