"""SAC reading and SAC-header metadata: ObsPy against asdfkit, side by side in one run.

Standalone script (not part of ``benchmarks/run.py``)::

    python benchmarks/sac_read_bench.py               # 300 files, best of 7
    python benchmarks/sac_read_bench.py --files 60 --repeats 3
    python benchmarks/sac_read_bench.py --json out.json

The inputs are those of ``convert_bench.py``: the 30 real Berkeley 1998 SAC
files (20 Hz x 300 s) copied under distinct station codes.  Reading:

- ``obspy.read``: ``obspy.read(path, format="SAC")``;
- ``obspy SAC plugin``: ``obspy.io.sac.core._read_sac`` (what asdfkit's
  WaveformReader called before);
- ``asdfkit read_sac``: :func:`asdfkit.io.sacread.read_sac`;
- ``asdfkit WaveformReader``: format detection plus ``read_sac``.

Metadata of the read traces:

- ``per-trace functions``: ``event_from_sac``, ``picks_from_sac``,
  ``station_from_sac`` and ``Inventory +=`` for every trace (convert before);
- ``asdfkit SacMetadata``: ``add`` for every trace, then ``inventory()``.

Every contender runs interleaved with the others; the table shows the best
CPU time of each (other processes on a shared machine do not inflate it) and
the ratio to asdfkit.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.convert_bench import make_inputs  # noqa: E402
from benchmarks.timing import Contender, machine_info, run_interleaved  # noqa: E402

log = logging.getLogger("sac_read_bench")


def _per_trace_metadata(traces: list[Any]) -> Any:
    """The body of convert's ``_Converter.sac_headers`` before SacMetadata."""
    from obspy import Inventory

    from asdfkit.io.sacmeta import event_from_sac, picks_from_sac, station_from_sac

    inventory, found = Inventory(networks=[], source="per trace"), []
    for trace in traces:
        found.append((event_from_sac(trace), picks_from_sac(trace)))
        station = station_from_sac(trace)
        if station is not None and trace.stats.network:
            inventory += station
    return found, inventory


def _sac_metadata(traces: list[Any]) -> Any:
    from asdfkit.io.sacmeta import SacMetadata

    meta = SacMetadata()
    for trace in traces:
        meta.add(trace)
    return meta.events, meta.picks, meta.inventory()


def run(n_files: int, repeats: int) -> dict[str, Any]:
    """Time the contenders on ``n_files`` SAC files; return the results."""
    import obspy
    from obspy.io.sac.core import _read_sac

    from asdfkit.io.readers import WaveformReader
    from asdfkit.io.sacread import read_sac

    folder = Path(tempfile.gettempdir()) / "asdfkit-sac-read-bench"
    sac_dir, _ = make_inputs(folder, n_files, 0)
    files = sorted(sac_dir.iterdir())
    reader = WaveformReader()
    traces = [read_sac(f)[0] for f in files]
    reading = [
        Contender(
            "obspy.read",
            "obspy.read(path, format='SAC')",
            lambda: [obspy.read(str(f), format="SAC") for f in files],
        ),
        Contender("obspy_plugin", "obspy.io.sac.core._read_sac", lambda: [_read_sac(str(f)) for f in files]),
        Contender("asdfkit", "asdfkit.io.sacread.read_sac", lambda: [read_sac(f) for f in files]),
        Contender(
            "asdfkit_reader",
            "asdfkit WaveformReader().read (detects SAC)",
            lambda: [reader.read(f) for f in files],
        ),
    ]
    metadata = [
        Contender(
            "per_trace", "event/picks/station_from_sac + Inventory +=", lambda: _per_trace_metadata(traces)
        ),
        Contender("asdfkit", "SacMetadata.add + inventory()", lambda: _sac_metadata(traces)),
    ]
    out: dict[str, Any] = {"files": len(files), "repeats": repeats, "machine": machine_info()}
    for name, contenders in (("read", reading), ("metadata", metadata)):
        measurements, _ = run_interleaved(contenders, repeats)
        best = {m.key: m.best_cpu for m in measurements}
        out[name] = {
            m.key: {
                "label": m.label,
                "best_cpu_s": m.best_cpu,
                "best_wall_s": m.best,
                "ms_per_file": m.best_cpu / len(files) * 1e3,
                "ratio_to_asdfkit": m.best_cpu / best["asdfkit"],
            }
            for m in measurements
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300, help="number of SAC files (default 300)")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per contender (default 7)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    warnings.simplefilter("ignore", DeprecationWarning)
    result = run(args.files, args.repeats)
    for name in ("read", "metadata"):
        print(f"\n{name} ({result['files']} files, best CPU time of {result['repeats']} runs)")
        print(f"| {'contender':<46} | {'total s':>8} | {'ms/file':>8} | {'x asdfkit':>9} |")
        print(f"|{'-' * 48}|{'-' * 10}|{'-' * 10}|{'-' * 11}|")
        for row in result[name].values():
            print(
                f"| {row['label']:<46} | {row['best_cpu_s']:8.3f} | {row['ms_per_file']:8.3f} | "
                f"{row['ratio_to_asdfkit']:8.2f}x |"
            )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
