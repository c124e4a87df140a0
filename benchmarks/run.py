"""Run the asdfkit / pyasdf / raw-h5py benchmarks and print a table of times and ratios.

Usage::

    python benchmarks/run.py                 # full size (several minutes)
    python benchmarks/run.py --quick         # scaled down (well under a minute once the data is cached)
    python benchmarks/run.py --json out.json --markdown out.md
    python benchmarks/run.py --scenarios 1,3 --repeats 7

Every contender runs in this one process on the same files; contenders are
interleaved round by round and the best of N runs is reported (the median too).
The header cache of asdfkit goes to a scratch directory (``$ASDFKIT_CACHE_DIR``
is set for the run); the large header-listing file is generated once and kept
in ``--data-dir`` for later runs.
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
import warnings
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable as a package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.report import markdown_report, text_report  # noqa: E402
from benchmarks.scenarios import SCENARIOS, Config, ScenarioResult  # noqa: E402
from benchmarks.timing import machine_info  # noqa: E402

__all__ = ["main", "parse_args", "run"]

log = logging.getLogger("benchmarks")

DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "asdfkit-bench"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="scaled-down sizes (200 traces, 10k-trace header file)")
    parser.add_argument("--json", type=Path, help="write all timings, ratios and checks to this JSON file")
    parser.add_argument("--markdown", type=Path, help="write the result tables as Markdown to this file")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated scenario numbers (1-6)")
    parser.add_argument("--repeats", type=int, help="runs per fast contender (best of N)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help=f"where the generated header-listing files are kept between runs (default {DEFAULT_DATA_DIR})")
    parser.add_argument("--header-file", type=Path,
                        help="use this existing ASDF file for scenario 6 instead of generating one")
    parser.add_argument("--pyasdf-header-traces", type=int,
                        help="time pyasdf in scenario 6 on a subset file of this many traces")
    parser.add_argument("--workdir", type=Path, help="scratch directory (default: a new temporary one, removed after)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every timed run")
    return parser.parse_args(argv)


def run(cfg: Config, scenario_ids: list[str]) -> list[ScenarioResult]:
    """Run the chosen scenarios in order; scenarios 2 and 3 reuse the file written by 1."""
    os.environ["ASDFKIT_CACHE_DIR"] = str(cfg.asdfkit_cache)
    shared: dict[str, Any] = {}
    results = []
    for sid in scenario_ids:
        started = time.perf_counter()
        result = SCENARIOS[sid](cfg, shared)
        result.evaluate()
        log.info("scenario %s done in %.0f s", sid, time.perf_counter() - started)
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    if not args.verbose:
        logging.getLogger("benchmarks.timing").setLevel(logging.WARNING)
    # obspy and pyasdf warn about things irrelevant here (QuakeML URIs, pkg_resources...).
    warnings.simplefilter("ignore")
    scenario_ids = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in scenario_ids if s not in SCENARIOS]
    if unknown:
        log.error("unknown scenario(s) %s; choose from %s", ", ".join(unknown), ", ".join(SCENARIOS))
        return 2
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="asdfkit-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    cfg = Config.make(workdir, args.data_dir, quick=args.quick, repeats=args.repeats,
                      header_file=args.header_file, pyasdf_header_traces=args.pyasdf_header_traces)
    machine = machine_info()
    log.info("workdir %s, data dir %s, %s sizes", workdir, args.data_dir, "quick" if args.quick else "full")
    started = time.perf_counter()
    try:
        results = run(cfg, scenario_ids)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    machine["total_seconds"] = round(time.perf_counter() - started, 1)
    print(text_report(results, machine))
    if args.json:
        payload = {"machine": machine, "config": {k: str(v) for k, v in vars(cfg).items()},
                   "scenarios": [r.to_dict() for r in results]}
        args.json.write_text(json.dumps(payload, indent=2, default=str))
        log.info("wrote %s", args.json)
    if args.markdown:
        args.markdown.write_text(markdown_report(results, machine))
        log.info("wrote %s", args.markdown)
    failed = [name for r in results for name, ok in r.checks.items() if not ok]
    for name in failed:
        log.error("check failed: %s", name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
