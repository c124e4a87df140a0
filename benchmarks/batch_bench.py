"""Batch processing: pyasdf's ``ASDFDataSet.process()`` against ``asdfkit.batch``, in one run.

Standalone script::

    python benchmarks/batch_bench.py              # 64 stations
    python benchmarks/batch_bench.py --quick      # 16 stations
    python benchmarks/batch_bench.py --json out.json
    python benchmarks/batch_bench.py --scale 1000,10000   # batch at scale against a plain loop
    python benchmarks/batch_bench.py --memory 1000,10000,20000   # the driver's memory per station count

``--scale`` runs :mod:`batch_scale` (issue 19: ``asdf-cli batch run`` against a plain loop over
1,000 and 10,000 short one-channel stations, the no-op machinery cost, driver memory, merges).

Input: real recordings (the 6 miniSEED traces of pyasdf's sample data set, 40 Hz)
copied as N stations, each a different 20-minute window with its own StationXML
(the real one, station code changed), built once under
``$TMPDIR/asdfkit-batch-bench``.  The same CPU-bound ObsPy function runs on every
station for every contender:

- ``compute only``: the function on streams already in memory (the floor);
- ``pyasdf process()``: without mpi4py, pyasdf forks a ``multiprocessing`` pool over all
  CPUs (and prints its progress: the script silences it);
- ``asdfkit batch, 1 worker``: in-process, then merged into the output file;
- ``asdfkit batch, 2 workers``: the local process pool, then merged;
- the same two without SEIS-PROV (``provenance=False``): pyasdf records none, and
  the chain of this function (23 ObsPy steps per trace) is costly to build and validate.

Reported: wall time (median of ``--repeats`` interleaved repeats), throughput,
CPU time (this process and its pool workers) and the per-station CPU overhead
beyond the bare function — CPU time hardly depends on what else runs on the
machine, wall time does.  Ratios are taken within each repeat and their median
reported: asdfkit against pyasdf, 2 workers against 1 (goal >= 1.7x), and the
same for the bare function on a plain ``multiprocessing`` pool — the ceiling
this machine allowed at that moment.  The outputs of pyasdf and asdfkit are
checked to hold the same samples.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import obspy
from obspy import Inventory, Stream

import asdfkit
from asdfkit.batch import Backend, run

log = logging.getLogger("batch_bench")


def work(st: Stream, inv: Inventory) -> Stream:
    """CPU-bound processing of one station: detrend, taper, 20 zero-phase band-passes, resample."""
    st.detrend("linear")
    st.taper(max_percentage=0.05)
    for _ in range(20):
        st.filter("bandpass", freqmin=0.02, freqmax=2.0, corners=6, zerophase=True)
    st.resample(10.0)
    return st


def make_input(folder: Path, n_stations: int) -> Path:
    """N stations of real-derived traces with StationXML and the sample event."""
    import pyasdf

    path = folder / f"raw_{n_stations}.h5"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    sample = Path(pyasdf.__file__).parent / "tests" / "data" / "small_sample_data_set"
    sources = [
        (obspy.read(str(sample / f"{ns}..BH*.mseed")), obspy.read_inventory(str(sample / f"{ns}..BH_.xml")))
        for ns in ("AE.113A", "TA.POKR")
    ]
    temp = path.with_suffix(".partial")
    with asdfkit.open(temp, "w", compression="gzip-3") as f:
        f.add_events(obspy.read_events(str(sample / "quake.xml")))
        for i in range(n_stations):
            raw, inv = sources[i % 2]
            code = f"B{i:03d}"
            st = raw.copy()
            start = st[0].stats.starttime + 45 * (i // 2)
            st.trim(start, start + 1200)
            for tr in st:
                tr.stats.station = code
            copy = inv.copy()
            copy[0][0].code = code
            f.add_stations(copy)
            f.add_waveforms(st, tag="raw_recording")
    os.replace(temp, path)
    return path


def _streams(path: Path) -> list[tuple[Stream, Inventory]]:
    with asdfkit.open(path) as f:
        return [
            (f.get_waveforms(station=sid.split(".")[1]), f.get_station_inventory(sid)) for sid in f.stations
        ]


def _work_pair(pair: tuple[Stream, Inventory]) -> Stream:
    return work(*pair)


def compute_only(path: Path, processes: int = 1) -> float:
    """The function alone on streams in memory: serially, or over a bare ``multiprocessing`` pool.

    The pool figure is what this machine can give two processes at that moment
    (other load included): the ceiling any batch tool's scaling is measured against.
    """
    stations = _streams(path)
    started = time.perf_counter()
    if processes == 1:
        for st, inv in stations:
            work(st, inv)
    else:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            pool.map(_work_pair, stations, chunksize=1)
    return time.perf_counter() - started


def pyasdf_process(path: Path, out: Path) -> float:
    import pyasdf

    out.unlink(missing_ok=True)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.redirect_stdout(io.StringIO()):  # pyasdf prints per task
            ds = pyasdf.ASDFDataSet(str(path), mode="r")
            ds.process(work, str(out), {"raw_recording": "processed"})
            del ds
    return time.perf_counter() - started


def asdfkit_batch(path: Path, out: Path, workers: int, provenance: bool = True) -> float:
    shutil.rmtree(out.with_name(out.name + ".batch"), ignore_errors=True)
    out.unlink(missing_ok=True)
    started = time.perf_counter()
    summary = run(
        path,
        out,
        work,
        backend=Backend("local", workers),
        compression="gzip-3",
        progress=False,
        provenance=provenance,
    )
    elapsed = time.perf_counter() - started
    assert summary.ok and summary.merged is not None, summary.failed
    return elapsed


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (pool workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def same_samples(pyasdf_out: Path, asdfkit_out: Path) -> bool:
    with asdfkit.open(pyasdf_out) as a, asdfkit.open(asdfkit_out) as b:
        x, y = a.get_waveforms(), b.get_waveforms()
        return len(x) == len(y) > 0 and all(
            s.id == t.id and s.stats.starttime == t.stats.starttime and np.array_equal(s.data, t.data)
            for s, t in zip(x, y, strict=True)
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stations", type=int, default=64)
    parser.add_argument("--quick", action="store_true", help="16 stations")
    parser.add_argument("--repeats", type=int, default=2,
                        help="best of this many runs per contender (with --scale: interleaved rounds)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--scale", metavar="N,N", help="batch at scale against a plain loop (batch_scale.py)")
    parser.add_argument("--chunk-files", type=int, default=100, help="chunk files of the --scale merges")
    parser.add_argument("--memory", metavar="N,N", help="the driver's peak memory and time per station count")
    args = parser.parse_args(argv)
    if args.memory:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import batch_scale

        return batch_scale.memory_sweep([int(x) for x in args.memory.split(",")], args.json)
    if args.scale:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import batch_scale

        return batch_scale.main([int(x) for x in args.scale.split(",")], args.json, args.chunk_files, args.repeats)
    logging.basicConfig(level=logging.WARNING)
    n = 16 if args.quick else args.stations
    folder = Path(tempfile.gettempdir()) / "asdfkit-batch-bench"
    path = make_input(folder, n)
    outs = {
        "pyasdf": folder / "out_pyasdf.h5",
        "asdfkit1": folder / "out_1.h5",
        "asdfkit2": folder / "out_2.h5",
    }
    contenders = {
        "compute only": lambda: compute_only(path),
        "compute only, 2 processes": lambda: compute_only(path, 2),
        "pyasdf process()": lambda: pyasdf_process(path, outs["pyasdf"]),
        "asdfkit batch, 1 worker": lambda: asdfkit_batch(path, outs["asdfkit1"], 1),
        "asdfkit batch, 2 workers": lambda: asdfkit_batch(path, outs["asdfkit2"], 2),
        "asdfkit, 1 worker, no prov": lambda: asdfkit_batch(path, outs["asdfkit1"], 1, provenance=False),
        "asdfkit, 2 workers, no prov": lambda: asdfkit_batch(path, outs["asdfkit2"], 2, provenance=False),
    }
    compute_only(path)  # warm-up: scipy.signal and friends are imported on first use
    wall: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.repeats):  # interleaved, so a noisy moment hits every contender alike
        for name, call in contenders.items():
            before = _cpu_seconds()
            wall[name].append(call())
            cpu[name].append(_cpu_seconds() - before)
    median = {name: statistics.median(values) for name, values in wall.items()}
    best = {name: min(values) for name, values in wall.items()}
    cpu_median = {name: statistics.median(values) for name, values in cpu.items()}

    def paired(a: str, b: str) -> float:
        """Median over repeats of the ratio within each repeat (drifting load cancels out)."""
        return statistics.median(x / y for x, y in zip(wall[a], wall[b], strict=True))

    results: dict[str, Any] = {
        "stations": n,
        "traces": 3 * n,
        "input_bytes": path.stat().st_size,
        "cpus": os.cpu_count(),
        "repeats": args.repeats,
        "wall_seconds_median": median,
        "wall_seconds_best": best,
        "wall_seconds": wall,
        "cpu_seconds_median": cpu_median,
        "stations_per_second": {k: n / v for k, v in median.items()},
        # CPU time beyond the bare function, per station: insensitive to other load on the machine
        "cpu_overhead_per_station_ms": {
            k: 1000 * (v - cpu_median["compute only"]) / n
            for k, v in cpu_median.items()
            if "asdfkit" in k or "pyasdf" in k
        },
        "ratios": {
            "pyasdf / asdfkit 1 worker": paired("pyasdf process()", "asdfkit batch, 1 worker"),
            "pyasdf / asdfkit 2 workers": paired("pyasdf process()", "asdfkit batch, 2 workers"),
            "scaling 1 -> 2 workers": paired("asdfkit batch, 1 worker", "asdfkit batch, 2 workers"),
            "scaling 1 -> 2, no provenance": paired(
                "asdfkit, 1 worker, no prov", "asdfkit, 2 workers, no prov"
            ),
            "pyasdf / asdfkit 2, no provenance": paired("pyasdf process()", "asdfkit, 2 workers, no prov"),
            "machine ceiling 1 -> 2 processes": paired("compute only", "compute only, 2 processes"),
        },
        "same_samples_as_pyasdf": same_samples(outs["pyasdf"], outs["asdfkit2"]),
    }
    results["ratios of the best runs"] = {
        "pyasdf / asdfkit 2 workers": best["pyasdf process()"] / best["asdfkit batch, 2 workers"],
        "scaling 1 -> 2 workers": best["asdfkit batch, 1 worker"] / best["asdfkit batch, 2 workers"],
        "scaling 1 -> 2, no provenance": best["asdfkit, 1 worker, no prov"]
        / best["asdfkit, 2 workers, no prov"],
        "machine ceiling 1 -> 2 processes": best["compute only"] / best["compute only, 2 processes"],
    }
    results["ratios"]["scaling / ceiling"] = (
        results["ratios"]["scaling 1 -> 2 workers"] / results["ratios"]["machine ceiling 1 -> 2 processes"]
    )
    print(
        f"{n} stations ({3 * n} traces, {path.stat().st_size / 2**20:.1f} MiB), {os.cpu_count()} CPUs, "
        f"median of {args.repeats} interleaved repeats"
    )
    print(
        f"{'contender':28s} {'wall s':>8s} {'best s':>8s} {'stations/s':>11s} {'CPU s':>8s} "
        f"{'CPU overhead/station':>21s}"
    )
    for name, seconds in median.items():
        overhead = results["cpu_overhead_per_station_ms"].get(name)
        extra = "" if overhead is None else f"{overhead:18.1f} ms"
        print(
            f"{name:28s} {seconds:8.2f} {best[name]:8.2f} {n / seconds:11.2f} {cpu_median[name]:8.2f} {extra:>21s}"
        )
    print("ratios (median of per-repeat ratios):")
    for name, ratio in results["ratios"].items():
        print(f"  {name:34s} {ratio:6.2f}x")
    print("ratios of the best runs (the least disturbed):")
    for name, ratio in results["ratios of the best runs"].items():
        print(f"  {name:34s} {ratio:6.2f}x")
    print(f"same samples as pyasdf: {results['same_samples_as_pyasdf']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
