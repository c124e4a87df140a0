"""Batch at scale (issue 19): ``asdf-cli batch run`` against a plain loop, in one run.

Run through ``python benchmarks/batch_bench.py --scale 1000,10000`` (or this module directly).

Input: one file of N stations, one channel each, 2,000 float32 samples at 20 Hz (windows of
ObsPy's real example recording, a different window and scale per station), no StationXML.
Contenders, each a fresh process timed by wall clock (interpreter start-up and imports count):

- ``loop bp``: ``benchmarks/batch_scale_loop.py``, one process: ``get_waveforms`` per station,
  the function, ``add_processed_waveforms`` into one file (the same provenance batch records);
- ``batch bp w1`` / ``batch bp w2``: ``asdf-cli batch run --function batch_scale_jobs.py:bp
  --workers 1|2`` (provenance on, the default), merged output;
- ``loop noop`` / ``batch noop w1`` / ``batch noop w2``: the function returning its input,
  ``--no-provenance``: what is left is the machinery's own cost.

The driver's peak RSS is read by a launcher around the CLI: ``VmHWM`` of ``/proc/self/status``
(the high-water mark of the process's own memory since its ``exec``; pool workers are separate
processes).  Not ``getrusage(RUSAGE_SELF).ru_maxrss``: Linux carries that figure across
``exec`` from the forking parent, so a child of this benchmark process (which holds the input
it just wrote) reported this process's size, the same for every contender.  Then the merge steps: the N stations of the no-op job as 100
chunks (``--chunk i/100``, run in-process), timed ``asdf-cli batch merge`` and ``asdf-cli merge``
of the 100 chunk files.  Every batch output is checked against the loop's samples.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import obspy

import asdfkit

HERE = Path(__file__).resolve().parent
JOBS = HERE / "batch_scale_jobs.py"
LOOP = HERE / "batch_scale_loop.py"

# Runs the CLI in this process and writes its peak RSS (KiB, VmHWM) to the file named by $RSS_OUT.
_LAUNCHER = (
    "import os, sys\n"
    "from asdfkit.cli.main import cli\n"
    "try:\n"
    "    cli(sys.argv[1:], prog_name='asdf-cli', standalone_mode=False)\n"
    "finally:\n"
    "    peak = [line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM:')][0]\n"
    "    open(os.environ['RSS_OUT'], 'w').write(peak)\n"
)


def station_list_bytes(n: int) -> int:
    """Bytes of the station list itself: ``n`` names of this input as Python strings in a list."""
    names = [f"XS.S{k:04d}" if k < 10000 else f"XS.T{k - 10000:04d}" for k in range(n)]
    return sys.getsizeof(names) + sum(sys.getsizeof(name) for name in names)


def make_input(folder: Path, n: int) -> Path:
    """N one-channel stations of 2,000 float32 samples at 20 Hz from ObsPy's example recording."""
    path = folder / f"scale_{n}.h5"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    base = obspy.read()
    temp = path.with_suffix(".partial")
    with asdfkit.open(temp, "w") as f:
        for k in range(n):
            source = base[k % 3]
            offset = (k * 7) % 1000
            tr = source.copy()
            tr.data = (source.data[offset : offset + 2000] * (1.0 + (k % 17) / 10)).astype(np.float32)
            tr.stats.sampling_rate = 20.0
            tr.stats.network = "XS"
            tr.stats.station = f"S{k:04d}" if k < 10000 else f"T{k - 10000:04d}"
            tr.stats.channel = "BHZ"
            f.add_waveforms(tr, tag="raw_recording")
    os.replace(temp, path)
    return path


CPU: dict[str, float] = {}
"""CPU seconds (user + system, the process and its pool workers) of the last timed command, by label."""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str], rss: Path | None = None, label: str = "") -> tuple[float, int | None]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")])}
    if rss is not None:
        env["RSS_OUT"] = str(rss)
    cpu = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    CPU[label] = _children_cpu() - cpu
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed, int(rss.read_text()) if rss is not None else None


def _batch(source: Path, out: Path, function: str, workers: int, provenance: bool, rss: Path) -> tuple[float, int]:
    shutil.rmtree(out.with_name(out.name + ".batch"), ignore_errors=True)
    out.unlink(missing_ok=True)
    command = [sys.executable, "-c", _LAUNCHER, "batch", "run", str(source), str(out),
               "--function", f"{JOBS}:{function}", "--workers", str(workers), "--no-progress"]
    if not provenance:
        command.append("--no-provenance")
    seconds, peak = _timed(command, rss, f"batch {function} w{workers}")
    return seconds, peak or 0


def _loop(source: Path, out: Path, function: str, provenance: bool) -> float:
    out.unlink(missing_ok=True)
    command = [sys.executable, str(LOOP), str(source), str(out), function]
    if not provenance:
        command.append("--no-provenance")
    return _timed(command, label=f"loop {function}")[0]


def _same_samples(a: Path, b: Path) -> bool:
    with asdfkit.open(a) as x, asdfkit.open(b) as y:
        sx, sy = x.get_waveforms(), y.get_waveforms()
        return len(sx) == len(sy) > 0 and all(
            s.id == t.id and s.stats.starttime == t.stats.starttime and np.array_equal(s.data, t.data)
            for s, t in zip(sx, sy, strict=True)
        )


def measure(folder: Path, n: int, chunk_files: int, repeats: int = 1) -> dict[str, Any]:
    """Every contender ``repeats`` times, interleaved (a slow spell of the machine hits all of
    them alike); each contender's best wall time, with that run's CPU time and driver peak."""
    source = make_input(folder, n)
    out = folder / "out"
    out.mkdir(exist_ok=True)
    rss = out / "rss.txt"
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    driver_rss: dict[str, int] = {}
    every: dict[str, list[float]] = {}

    def keep(name: str, wall: float, peak: int | None = None) -> None:
        every.setdefault(name, []).append(round(wall, 3))
        if name not in seconds or wall < seconds[name]:
            seconds[name], cpu[name] = wall, CPU[name]
            if peak is not None:
                driver_rss[name] = peak

    load_before = os.getloadavg()[0]
    for _ in range(repeats):
        keep("loop bp", _loop(source, out / "loop_bp.h5", "bp", True))
        for workers in (1, 2):
            name = f"batch bp w{workers}"
            keep(name, *_batch(source, out / f"bp{workers}.h5", "bp", workers, True, rss))
        keep("loop noop", _loop(source, out / "loop_noop.h5", "noop", False))
        for workers in (1, 2):
            name = f"batch noop w{workers}"
            keep(name, *_batch(source, out / f"noop{workers}.h5", "noop", workers, False, rss))
    same = {
        "bp w1": _same_samples(out / "loop_bp.h5", out / "bp1.h5"),
        "bp w2": _same_samples(out / "loop_bp.h5", out / "bp2.h5"),
        "noop w2": _same_samples(out / "loop_noop.h5", out / "noop2.h5"),
    }
    load_after = os.getloadavg()[0]
    merges = measure_merges(source, out, chunk_files)
    return {
        "stations": n,
        "load average (1 min) before, after": [load_before, load_after],
        "repeats": repeats,
        "seconds": seconds,
        "seconds of every run": every,
        "cpu_seconds": cpu,
        "driver_peak_rss_mib": {k: v / 1024 for k, v in driver_rss.items()},
        "ratios": {
            "batch bp w1 / loop bp": seconds["batch bp w1"] / seconds["loop bp"],
            "loop bp / batch bp w2 (speed-up)": seconds["loop bp"] / seconds["batch bp w2"],
        },
        # the same ratios within each round (the loop and the batch runs next to each other), and
        # their median: a slow or fast spell of the machine then hits both sides of a ratio
        "ratios per round": {
            "batch bp w1 / loop bp": [b / a for a, b in zip(every["loop bp"], every["batch bp w1"], strict=True)],
            "loop bp / batch bp w2 (speed-up)": [
                a / b for a, b in zip(every["loop bp"], every["batch bp w2"], strict=True)
            ],
        },
        "machinery ms/station (noop w1 - loop noop)": 1000 * (seconds["batch noop w1"] - seconds["loop noop"]) / n,
        "machinery ms/station (noop w2 - loop noop)": 1000 * (seconds["batch noop w2"] - seconds["loop noop"]) / n,
        "machinery CPU ms/station (noop w1 - loop noop)": 1000 * (cpu["batch noop w1"] - cpu["loop noop"]) / n,
        "machinery CPU ms/station (noop w2 - loop noop)": 1000 * (cpu["batch noop w2"] - cpu["loop noop"]) / n,
        "CPU ratio batch bp w1 / loop bp": cpu["batch bp w1"] / cpu["loop bp"],
        "same samples as the loop": same,
        "merge": merges,
    }


def measure_merges(source: Path, out: Path, chunk_files: int) -> dict[str, Any]:
    """N no-op stations as ``chunk_files`` chunks, then both merges of the chunk files, timed."""
    sys.path.insert(0, str(HERE))
    import batch_scale_jobs

    from asdfkit.batch import Backend, ChunkSpec, run

    target = out / "chunks.h5"
    work = target.with_name(target.name + ".batch")
    shutil.rmtree(work, ignore_errors=True)
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    for index in range(chunk_files):
        run(source, target, batch_scale_jobs.noop, chunk=ChunkSpec(index, chunk_files),
            backend=Backend("local", 1), progress=False, provenance=False)
    chunks_seconds = time.perf_counter() - started
    batch_merge, _ = _timed([sys.executable, "-m", "asdfkit", "batch", "merge", str(target)], label="batch merge")
    files = sorted(str(p) for p in work.glob("chunk-*.h5"))
    plain = out / "merged_plain.h5"
    plain.unlink(missing_ok=True)
    cli_merge, _ = _timed([sys.executable, "-m", "asdfkit", "merge", *files, str(plain)], label="cli merge")
    return {
        "chunk files": len(files),
        "running the chunks (in-process) s": chunks_seconds,
        "asdf-cli batch merge s": batch_merge,
        "asdf-cli merge s": cli_merge,
        "asdf-cli batch merge CPU s": CPU["batch merge"],
        "asdf-cli merge CPU s": CPU["cli merge"],
        "same samples": _same_samples(target, plain),
    }


def memory_sweep(sizes: list[int], json_path: Path | None = None) -> int:
    """The driver alone: peak RSS and wall time of ``batch run`` (no-op, 2 workers) per station count.

    ``python benchmarks/batch_bench.py --memory 1000,10000,20000``: the growth of the driver's
    peak between sizes, per added station, next to the size of the station list itself.
    """
    folder = Path(tempfile.gettempdir()) / "asdfkit-batch-scale"
    out = folder / "out"
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in sizes:
        source = make_input(folder, n)
        seconds, peak = _batch(source, out / f"memory{n}.h5", "noop", 2, False, out / "rss.txt")
        rows.append({"stations": n, "seconds": seconds, "driver_peak_rss_mib": peak / 1024,
                     "station list MiB": station_list_bytes(n) / 2**20})
    print(f"batch noop --workers 2 --no-provenance, {os.cpu_count()} CPUs")
    for i, row in enumerate(rows):
        line = (f"  {row['stations']:7d} stations  {row['seconds']:7.2f} s  driver peak {row['driver_peak_rss_mib']:6.1f} MiB"
                f"  (station list itself {row['station list MiB']:5.2f} MiB)")
        if i:
            before = rows[i - 1]
            added = row["stations"] - before["stations"]
            row["bytes per added station"] = 2**20 * (row["driver_peak_rss_mib"] - before["driver_peak_rss_mib"]) / added
            row["time ratio to previous"] = row["seconds"] / before["seconds"]
            line += f"  +{row['bytes per added station']:4.0f} B/station, time {row['time ratio to previous']:.2f}x"
        print(line)
    if json_path is not None:
        json_path.write_text(json.dumps({"cpus": os.cpu_count(), "memory": rows}, indent=2))
    return 0


def main(sizes: list[int], json_path: Path | None = None, chunk_files: int = 100, repeats: int = 1) -> int:
    folder = Path(tempfile.gettempdir()) / "asdfkit-batch-scale"
    results = {"cpus": os.cpu_count(), "runs": [measure(folder, n, chunk_files, repeats) for n in sizes]}
    runs = results["runs"]
    if len(runs) >= 2:
        small, large = runs[0], runs[-1]
        factor = large["stations"] / small["stations"]
        results["scaling"] = {
            f"time ratio {large['stations']} / {small['stations']} stations ({factor:g}x stations)": {
                k: large["seconds"][k] / small["seconds"][k] for k in large["seconds"]
            },
            "driver peak RSS growth": {
                name: {
                    "MiB": large["driver_peak_rss_mib"][name] - small["driver_peak_rss_mib"][name],
                    "bytes per added station": 2**20 * (large["driver_peak_rss_mib"][name]
                                                        - small["driver_peak_rss_mib"][name])
                    / (large["stations"] - small["stations"]),
                }
                for name in large["driver_peak_rss_mib"]
            },
            "station list itself, bytes per station": station_list_bytes(large["stations"]) / large["stations"],
            "merge time ratio": {
                k: large["merge"][k] / small["merge"][k]
                for k in ("asdf-cli batch merge s", "asdf-cli merge s", "asdf-cli batch merge CPU s",
                          "asdf-cli merge CPU s")
            },
        }
    for run in runs:
        load = run["load average (1 min) before, after"]
        print(f"\n{run['stations']} stations ({os.cpu_count()} CPUs, load average {load[0]:.1f} -> {load[1]:.1f}, "
              f"best of {run['repeats']})")
        for name, value in run["seconds"].items():
            rss = run["driver_peak_rss_mib"].get(name)
            print(
                f"  {name:16s} {value:8.2f} s wall {run['cpu_seconds'][name]:8.2f} s CPU"
                + (f"   driver peak RSS {rss:6.1f} MiB" if rss else "")
                + f"   runs {run['seconds of every run'][name]}"
            )
        for name, value in run["ratios"].items():
            rounds = run["ratios per round"][name]
            print(f"  {name:36s} {value:6.2f}x (best runs)   per round {[round(r, 2) for r in rounds]}, "
                  f"median {statistics.median(rounds):.2f}x")
        for key in ("machinery ms/station (noop w1 - loop noop)", "machinery ms/station (noop w2 - loop noop)",
                    "machinery CPU ms/station (noop w1 - loop noop)", "machinery CPU ms/station (noop w2 - loop noop)"):
            print(f"  {key:48s} {run[key]:6.2f} ms")
        print(f"  CPU ratio batch bp w1 / loop bp {run['CPU ratio batch bp w1 / loop bp']:6.2f}x")
        print(f"  same samples as the loop: {run['same samples as the loop']}")
        print(f"  merge: {run['merge']}")
    if "scaling" in results:
        print("\nscaling:")
        for group, values in results["scaling"].items():
            if not isinstance(values, dict):
                print(f"  {group}: {values:.0f}")
                continue
            print(f"  {group}")
            for name, value in values.items():
                if isinstance(value, dict):
                    print(f"    {name:24s} +{value['MiB']:5.1f} MiB, {value['bytes per added station']:5.0f} B/station")
                else:
                    print(f"    {name:24s} {value:6.2f}x")
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main([int(x) for x in (sys.argv[1] if len(sys.argv) > 1 else "1000").split(",")]))
