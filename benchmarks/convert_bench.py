"""Conversion speed: ``asdfkit convert`` against pyasdf on the same SAC and miniSEED inputs.

Standalone script (not part of ``benchmarks/run.py``)::

    python benchmarks/convert_bench.py            # 300 SAC + 120 miniSEED files
    python benchmarks/convert_bench.py --quick    # 60 + 24 files
    python benchmarks/convert_bench.py --json out.json

Inputs are real recordings copied under distinct station codes: the 30 SAC
files of the Berkeley 1998 CSS database (shared data; 20 Hz, 300 s, with
station and event headers) and the 6 miniSEED files of pyasdf's sample data
set (40 Hz, 70 min).  Every contender writes a new file with the same filters,
pyasdf's default (gzip-3 + shuffle + fletcher32; asdfkit's own default is
gzip-4), so the comparison is like for like.  They run in one process:

- ``asdfkit``: :func:`asdfkit.io.convert.convert_to_asdf` with its defaults (SAC
  events, stations, picks, provenance included; ``jobs=0``: decoding and
  compression in one thread per usable CPU, at most 4, for inputs of a median
  64 KiB or more, else in the writing thread);
- ``asdfkit -j 1``: the same in one thread (what a node shared by many
  conversions should run);
- ``pyasdf loop``: ``ASDFDataSet.add_waveforms(path, tag)`` for every file;
- ``pyasdf sac2asdf``: pyasdf's own SAC converter (SAC only).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import obspy

log = logging.getLogger("convert_bench")
ROOT = Path(__file__).resolve().parents[1]
COMPRESSION = "gzip-3"  # pyasdf's default; its filters are then identical to asdfkit's


def make_inputs(folder: Path, n_sac: int, n_mseed: int) -> tuple[Path, Path]:
    """Copy real SAC and miniSEED files under distinct station codes."""
    import pyasdf

    sac_dir, ms_dir = folder / "sac", folder / "mseed"
    if sac_dir.exists() and len(list(sac_dir.iterdir())) == n_sac and len(list(ms_dir.iterdir())) == n_mseed:
        return sac_dir, ms_dir
    shutil.rmtree(folder, ignore_errors=True)
    sac_dir.mkdir(parents=True)
    ms_dir.mkdir(parents=True)
    berkeley = sorted((ROOT.parent / "shared" / "data" / "css" / "berkeley_1998").glob("19980812141000.*"))
    for i in range(n_sac):
        tr = obspy.read(str(berkeley[i % len(berkeley)]), format="SAC")[0]
        tr.stats.network = "BK"
        tr.stats.station = f"S{i // 3:04d}"
        tr.stats.channel = ["BHE", "BHN", "BHZ"][i % 3]
        tr.stats.sac.kstnm = tr.stats.station
        tr.stats.sac.knetwk = "BK"
        tr.stats.sac.kcmpnm = tr.stats.channel
        tr.write(str(sac_dir / f"{tr.id}.SAC"), format="SAC")
    sample = Path(pyasdf.__file__).parent / "tests" / "data" / "small_sample_data_set"
    sources = sorted(sample.glob("*.mseed"))
    for i in range(n_mseed):
        tr = obspy.read(str(sources[i % len(sources)]))[0]
        tr.stats.station = f"M{i // 3:04d}"
        tr.write(str(ms_dir / f"{tr.id}.mseed"), format="MSEED")
    return sac_dir, ms_dir


def run_asdfkit(inputs: list[Path], out: Path, jobs: int = 0) -> None:
    from asdfkit.io.convert import ConvertOptions, convert_to_asdf

    convert_to_asdf(inputs, out, ConvertOptions(jobs=jobs, compression=COMPRESSION))


def run_pyasdf_loop(inputs: list[Path], out: Path) -> None:
    import pyasdf

    files = sorted(p for folder in inputs for p in folder.iterdir())
    with pyasdf.ASDFDataSet(str(out), mode="w") as ds:
        for path in files:
            ds.add_waveforms(str(path), tag="raw_recording")


def run_sac2asdf(inputs: list[Path], out: Path) -> None:
    import contextlib
    import io

    import pyasdf
    from pyasdf.scripts.sac2asdf import _add_to_adsf_file

    files = sorted(str(p) for p in inputs[0].iterdir())
    with contextlib.redirect_stdout(io.StringIO()), pyasdf.ASDFDataSet(str(out), mode="w") as ds:
        _add_to_adsf_file(ds, files, "raw_recording")


def best_of(contenders: dict[str, Callable[[], Any]], setup: Callable[[], None], repeats: int) -> dict[str, float]:
    """Best time of each contender over ``repeats`` rounds, after one untimed run each.

    Every round runs every contender once, in turn, so that a machine that
    slows down or speeds up during the run affects all of them alike.
    """
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for round_number in range(repeats + 1):
        for name, fn in contenders.items():
            setup()
            start = time.perf_counter()
            fn()
            if round_number:  # round 0 warms up: imports, plugin look-ups, caches
                times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 SAC + 24 miniSEED files, one repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write the results as JSON")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "asdfkit-convert-bench")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    import warnings

    warnings.simplefilter("ignore")
    n_sac, n_ms = (60, 24) if args.quick else (300, 120)
    repeats = 1 if args.quick else args.repeats
    sac_dir, ms_dir = make_inputs(args.cache / f"in-{n_sac}-{n_ms}", n_sac, n_ms)
    out = args.cache / "out.h5"
    os.environ.setdefault("ASDFKIT_CACHE_DIR", str(args.cache / "index-cache"))

    def clean() -> None:
        out.unlink(missing_ok=True)

    from asdfkit.io.convert import resolve_jobs

    threads = {"SAC": resolve_jobs(0, sorted(sac_dir.iterdir())), "miniSEED": resolve_jobs(0, sorted(ms_dir.iterdir()))}
    results: dict[str, dict[str, float]] = {}
    for label, inputs in (("SAC", [sac_dir]), ("miniSEED", [ms_dir])):
        contenders: dict[str, Callable[[], Any]] = {
            "asdfkit": lambda i=inputs: run_asdfkit(i, out),
            "asdfkit -j 1": lambda i=inputs: run_asdfkit(i, out, 1),
            "pyasdf loop": lambda i=inputs: run_pyasdf_loop(i, out),
        }
        if label == "SAC":
            contenders["pyasdf sac2asdf"] = lambda i=inputs: run_sac2asdf(i, out)
        row = best_of(contenders, clean, repeats)
        results[label] = row
    lines = [f"asdfkit's default here (jobs=0): {threads} thread(s) (CPUs: {os.cpu_count()})", "",
             "| input | files | asdfkit (s) | asdfkit -j 1 (s) | pyasdf loop (s) | pyasdf sac2asdf (s) "
             "| loop / asdfkit | sac2asdf / asdfkit | loop / asdfkit -j 1 | sac2asdf / asdfkit -j 1 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for label, row in results.items():
        n = n_sac if label == "SAC" else n_ms
        ours, single, loop = row["asdfkit"], row["asdfkit -j 1"], row["pyasdf loop"]
        s2a = row.get("pyasdf sac2asdf")
        s2a_time = "-" if s2a is None else f"{s2a:.2f}"
        s2a_ratio = "-" if s2a is None else f"{s2a / ours:.2f}x"
        s2a_single = "-" if s2a is None else f"{s2a / single:.2f}x"
        lines.append(
            f"| {label} | {n} | {ours:.2f} | {single:.2f} | {loop:.2f} | {s2a_time} | "
            f"{loop / ours:.2f}x | {s2a_ratio} | {loop / single:.2f}x | {s2a_single} |"
        )
    text = "\n".join(lines)
    sys.stdout.write(text + "\n")
    if args.json:
        args.json.write_text(json.dumps({"files": {"SAC": n_sac, "miniSEED": n_ms}, "threads": threads,
                                         "seconds": results}, indent=2))


if __name__ == "__main__":
    main()
