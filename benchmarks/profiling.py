"""Profile one asdfkit contender with cProfile and show where its time goes.

Usage::

    python benchmarks/profiling.py write            # scenario 1, asdfkit only
    python benchmarks/profiling.py headers --file /path/to/100k.h5
    python benchmarks/profiling.py list read events stations --quick

For each job it prints the functions with the most own time (any library) and
asdfkit's own functions by cumulative time, both as a share of the total.
Profiling slows Python code down much more than C code (HDF5, zlib), so the
shares overstate pure-Python overhead; use them to find hot spots, not as timings.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import data, impl_asdfkit, impl_h5py  # noqa: E402

__all__ = ["hot_spots", "profile_call"]

log = logging.getLogger("benchmarks.profiling")

Row = tuple[str, int, float, float]  # function, calls, own seconds, cumulative seconds


def _label(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name  # a builtin such as {method 'read' of ...}
    parts = Path(filename).parts
    for anchor in ("asdfkit", "obspy", "h5py", "lxml", "numpy", "pyasdf", "benchmarks"):
        if anchor in parts:
            i = len(parts) - 1 - parts[::-1].index(anchor)
            return f"{'/'.join(parts[i:])}:{line}({name})"
    return f"{Path(filename).name}:{line}({name})"


def profile_call(fn: Callable[[], Any]) -> pstats.Stats:
    """Run ``fn`` once under cProfile and return the statistics."""
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        fn()
    finally:
        profiler.disable()
    return pstats.Stats(profiler)


def hot_spots(stats: pstats.Stats, top: int = 15) -> dict[str, Any]:
    """Total time, the top functions by own time, and asdfkit's functions by cumulative time."""
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    total = float(stats.total_tt)  # type: ignore[attr-defined]
    rows: list[tuple[tuple[str, int, str], int, float, float]] = [
        (func, nc, tt, ct) for func, (_cc, nc, tt, ct, _callers) in raw.items()
    ]
    own = sorted(rows, key=lambda r: r[2], reverse=True)[:top]
    mine = [r for r in rows if f"{os.sep}asdfkit{os.sep}" in r[0][0]]
    cumulative = sorted(mine, key=lambda r: r[3], reverse=True)[:top]
    return {
        "total_s": total,
        "asdfkit_own_s": sum(r[2] for r in mine),
        "by_own_time": [(_label(f), nc, tt, ct) for f, nc, tt, ct in own],
        "asdfkit_by_cumulative": [(_label(f), nc, tt, ct) for f, nc, tt, ct in cumulative],
    }


def _print(job: str, spots: dict[str, Any]) -> None:
    total = spots["total_s"]
    print(f"\n=== {job}: {total:.2f} s under cProfile; asdfkit's own code "
          f"{spots['asdfkit_own_s']:.2f} s ({100 * spots['asdfkit_own_s'] / total:.1f} %) ===")
    print("top functions by own time:")
    for name, calls, tt, ct in spots["by_own_time"]:
        print(f"  {100 * tt / total:5.1f} % own {100 * ct / total:5.1f} % cum  {calls:8d}  {name}")
    print("asdfkit functions by cumulative time:")
    for name, calls, tt, ct in spots["asdfkit_by_cumulative"]:
        print(f"  {100 * ct / total:5.1f} % cum {100 * tt / total:5.1f} % own  {calls:8d}  {name}")


def _jobs(args: argparse.Namespace, workdir: Path) -> dict[str, Callable[[], Any]]:
    n_stations = 20 if args.quick else 200
    tag = "raw_recording"
    shared = workdir / "shared.h5"
    jobs: dict[str, Callable[[], Any]] = {}
    streams = data.make_streams(n_stations, 10_000) if {"write", "list", "read"} & set(args.jobs) else []
    if {"list", "read"} & set(args.jobs):
        impl_asdfkit.write_streams(shared, streams, tag)
    jobs["write"] = lambda: impl_asdfkit.write_streams(workdir / "write.h5", streams, tag)
    jobs["list"] = lambda: impl_asdfkit.list_headers(shared, index_cache=False)
    jobs["read"] = lambda: impl_asdfkit.read_all(shared)
    if "events" in args.jobs:
        events = data.make_events(30 if args.quick else 300)
        jobs["events"] = lambda: impl_asdfkit.add_events_one_by_one(workdir / "events.h5", events)
    if "stations" in args.jobs:
        inventory = data.make_inventory(n_stations)
        base = workdir / "stations.h5"
        import shutil

        import pyasdf

        with pyasdf.ASDFDataSet(str(base), mode="w") as ds:
            ds.add_stationxml(inventory)
        work = workdir / "stations-work.h5"
        shutil.copyfile(base, work)
        jobs["stations"] = lambda: impl_asdfkit.add_stations(work, inventory)
    if "headers" in args.jobs:
        path = args.file
        if path is None:
            path = workdir / "headers.h5"
            impl_h5py.write_header_file(path, 10_000 if args.quick else 100_000, 100, data.HEADER_LAYOUT)
        jobs["headers"] = lambda: impl_asdfkit.list_headers(path, index_cache=False)
    return jobs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("jobs", nargs="+", choices=["write", "list", "read", "events", "stations", "headers"])
    parser.add_argument("--quick", action="store_true", help="small inputs")
    parser.add_argument("--file", type=Path, help="existing file for 'headers' (else one is generated)")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory(prefix="asdfkit-profile-") as tmp:
        workdir = Path(tmp)
        os.environ["ASDFKIT_CACHE_DIR"] = str(workdir / "cache")
        jobs = _jobs(args, workdir)
        for job in args.jobs:
            log.info("profiling %s", job)
            _print(job, hot_spots(profile_call(jobs[job]), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
