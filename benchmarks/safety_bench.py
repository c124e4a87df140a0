"""The cost of data safety: copy-on-write appends and writer locks, side by side with plain h5py.

Standalone script (not part of ``benchmarks/run.py``)::

    python benchmarks/safety_bench.py                          # in $TMPDIR
    python benchmarks/safety_bench.py --dir /mnt/xfs --dir /tmp  # several file systems
    python benchmarks/safety_bench.py --size-gb 0.1 --json out.json

For each directory it measures, best and median of ``--repeats`` runs:

- appending one trace to a ``--size-gb`` ASDF file (uncompressed samples): plain h5py
  (``h5py.File(path, "a")``, create one dataset, close: no lock, no copy, no fsync),
  ``asdfkit.open(path, "a", in_place=True)`` (lock, no copy) and the default
  ``asdfkit.open(path, "a")`` (lock, clone or full copy, fsync, rename, fsync);
- the same on a small file (ObsPy's 3-trace example, ~100 kB), where fixed costs show;
- the writer lock alone (acquire + release of ``.<name>.lock``) and an unmodified
  ``open("a")`` / ``close()``.

A clone happens where the file system clones (``FICLONE``: XFS with reflink, btrfs); the
script reports which of the two the default open used.  It only measures and prints; it
never asserts.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import obspy

import asdfkit
from asdfkit import atomic
from asdfkit.locking import writer_lock

log = logging.getLogger("safety_bench")


def _time(fn: Callable[[], Any], repeats: int, setup: Callable[[], None] | None = None) -> dict[str, float]:
    times = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"best_s": min(times), "median_s": statistics.median(times), "runs": repeats}


def _big_file(path: Path, size_gb: float) -> Path:
    if path.exists() and path.stat().st_size >= size_gb * 1e9 * 0.95:
        return path
    traces = max(1, round(size_gb * 1e9 / 40e6))  # 10 M int32 samples (40 MB) per trace
    rng = np.random.default_rng(14)
    with asdfkit.open(path, "w", compression="none", in_place=True) as f:
        for i in range(traces):
            trace = obspy.Trace(rng.integers(-(2**20), 2**20, 10_000_000, dtype=np.int32))
            trace.stats.network, trace.stats.station, trace.stats.channel = "XX", f"S{i:03d}", "BHZ"
            trace.stats.sampling_rate = 100.0
            f.add_waveforms(trace, tag="raw_recording")
    return path


def _small_file(path: Path) -> Path:
    with asdfkit.open(path, "w", in_place=True) as f:
        f.add_waveforms(obspy.read(), tag="raw_recording")
    return path


class _Appender:
    """Appends one new trace per call (a new station each time, so nothing is a duplicate)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.n = 0
        self.trace = obspy.read()[0]
        self.how: set[str] = set()

    def _next(self) -> obspy.Trace:
        self.n += 1
        trace = self.trace.copy()
        trace.stats.network, trace.stats.station = "BN", f"A{self.n:04d}"
        return trace

    def h5py_plain(self) -> None:
        with h5py.File(self.path, "a") as f:
            f.create_dataset(f"Waveforms/BN.{self._next().stats.station}/x", data=self.trace.data)

    def in_place(self) -> None:
        with asdfkit.open(self.path, "a", in_place=True) as f:
            f.add_waveforms(self._next(), tag="raw_recording")

    def copy_on_write(self) -> None:
        real = atomic.clone_or_copy

        def spy(*args: Any, **kwargs: Any) -> str:
            how = real(*args, **kwargs)
            self.how.add(how)
            return how

        atomic_clone = atomic.clone_or_copy
        import asdfkit.container.writesession as ws

        ws.clone_or_copy = spy  # type: ignore[assignment]
        try:
            with asdfkit.open(self.path, "a") as f:
                f.add_waveforms(self._next(), tag="raw_recording")
        finally:
            ws.clone_or_copy = atomic_clone  # type: ignore[assignment]


def _copy_baseline(path: Path) -> Callable[[], None]:
    """The plain baseline of a full copy: ``cp`` (shutil.copyfile) plus one fsync, then delete."""
    def run() -> None:
        copy = path.with_name("safety_bench_copy.h5")
        shutil.copyfile(path, copy)
        fd = os.open(copy, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
        copy.unlink()
    return run


def _drop_caches() -> None:
    """Write dirty pages back so one run's writeback does not land in the next run's time."""
    os.sync()


def _append_rows(path: Path, repeats: int) -> dict[str, Any]:
    app = _Appender(path)
    rows = {
        "h5py_plain": _time(app.h5py_plain, repeats, _drop_caches),
        "asdfkit_in_place": _time(app.in_place, repeats, _drop_caches),
        "asdfkit_copy_on_write": _time(app.copy_on_write, repeats, _drop_caches),
        "cp_plus_fsync": _time(_copy_baseline(path), repeats, _drop_caches),
    }
    rows["copy_on_write_used"] = sorted(app.how)
    rows["ratio_cow_vs_in_place"] = rows["asdfkit_copy_on_write"]["median_s"] / rows["asdfkit_in_place"]["median_s"]
    rows["ratio_cow_vs_cp"] = rows["asdfkit_copy_on_write"]["median_s"] / rows["cp_plus_fsync"]["median_s"]
    rows["ratio_cow_vs_h5py"] = rows["asdfkit_copy_on_write"]["median_s"] / rows["h5py_plain"]["median_s"]
    return rows


def _lock_rows(path: Path, repeats: int) -> dict[str, Any]:
    def lock_only() -> None:
        for _ in range(100):
            with writer_lock(path):
                pass

    def open_unmodified(in_place: bool) -> Callable[[], None]:
        def run() -> None:
            for _ in range(20):
                with asdfkit.open(path, "a", in_place=in_place):
                    pass
        return run

    def h5py_open() -> None:
        for _ in range(20):
            with h5py.File(path, "a"):
                pass

    lock = _time(lock_only, repeats)
    rows = {
        "writer_lock_us": lock["median_s"] / 100 * 1e6,
        "h5py_open_a_ms": _time(h5py_open, repeats)["median_s"] / 20 * 1e3,
        "asdfkit_open_a_in_place_ms": _time(open_unmodified(True), repeats)["median_s"] / 20 * 1e3,
        "asdfkit_open_a_unmodified_ms": _time(open_unmodified(False), repeats)["median_s"] / 20 * 1e3,
    }
    return rows


def _fs_type(directory: Path) -> str:
    try:
        out = subprocess.run(["stat", "-f", "-c", "%T", str(directory)], capture_output=True, text=True,
                             check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out = "?"
    return out


def bench(directory: Path, size_gb: float, repeats: int) -> dict[str, Any]:
    directory.mkdir(parents=True, exist_ok=True)
    big = _big_file(directory / "safety_bench_big.h5", size_gb)
    small = _small_file(directory / "safety_bench_small.h5")
    result = {
        "directory": str(directory),
        "file_system": _fs_type(directory),
        "big_file_bytes": big.stat().st_size,
        "append_big": _append_rows(big, repeats),
        "append_small": _append_rows(small, max(repeats, 10)),
        "lock": _lock_rows(small, max(repeats, 5)),
    }
    return result


def _print(result: dict[str, Any]) -> None:
    print(f"\n{result['directory']} ({result['file_system']}), big file {result['big_file_bytes'] / 1e9:.2f} GB")
    for name in ("append_big", "append_small"):
        rows = result[name]
        print(f"  {name}: copy-on-write used {', '.join(rows['copy_on_write_used'])}")
        for key in ("h5py_plain", "asdfkit_in_place", "asdfkit_copy_on_write", "cp_plus_fsync"):
            print(f"    {key:<24} best {rows[key]['best_s']:8.4f} s  median {rows[key]['median_s']:8.4f} s")
        print(f"    ratio copy-on-write / in place {rows['ratio_cow_vs_in_place']:.2f}x, "
              f"/ plain h5py {rows['ratio_cow_vs_h5py']:.2f}x, "
              f"/ cp + fsync {rows['ratio_cow_vs_cp']:.2f}x")
    lock = result["lock"]
    print(f"  writer lock acquire+release {lock['writer_lock_us']:.0f} us; open('a')+close unmodified: "
          f"h5py {lock['h5py_open_a_ms']:.2f} ms, in place {lock['asdfkit_open_a_in_place_ms']:.2f} ms, "
          f"copy-on-write {lock['asdfkit_open_a_unmodified_ms']:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", action="append", type=Path, help="Directory to measure in (repeatable).")
    parser.add_argument("--size-gb", type=float, default=1.0, help="Size of the big file (default 1).")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, help="Write the results as JSON.")
    parser.add_argument("--keep", action="store_true", help="Keep the files written.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    dirs = args.dir or [Path(tempfile.gettempdir()) / "asdfkit-safety-bench"]
    results = []
    print(f"asdfkit {asdfkit.__version__}, h5py {h5py.__version__}, HDF5 {h5py.version.hdf5_version}, "
          f"{platform.platform()}, {os.cpu_count()} CPU(s)")
    for directory in dirs:
        result = bench(directory, args.size_gb, args.repeats)
        _print(result)
        results.append(result)
        if not args.keep:
            for name in ("safety_bench_big.h5", "safety_bench_small.h5"):
                (directory / name).unlink(missing_ok=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
