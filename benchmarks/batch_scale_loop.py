"""The plain loop the batch scale benchmark compares against, run as its own process.

``python benchmarks/batch_scale_loop.py INPUT OUTPUT bp|noop [--no-provenance]``: one process,
the station's traces read -> the function -> ``add_processed_waveforms`` (or ``add_waveforms``
without provenance) into one output file: the same work a batch run does, with none of its
bookkeeping.  The traces are found once (``list_waveforms`` grouped by station, then
``get_waveform`` per trace) rather than by ``get_waveforms(network=, station=)`` per station,
whose query scans the whole index each time: the loop is as fast as a loop can be.
"""

from __future__ import annotations

import sys
from pathlib import Path

from obspy import Inventory, Stream

import asdfkit
from asdfkit.container.index import TraceHeader
from asdfkit.provenance import add_processed_waveforms

sys.path.insert(0, str(Path(__file__).resolve().parent))
import batch_scale_jobs  # noqa: E402


def main(argv: list[str]) -> int:
    source, target, name = argv[:3]
    provenance = "--no-provenance" not in argv
    function = getattr(batch_scale_jobs, name)
    with asdfkit.open(source) as src, asdfkit.open(target, "w") as out:
        tag = src.waveform_tags[0]
        by_station: dict[str, list[TraceHeader]] = {}
        for header in src.list_waveforms(tag=tag):
            by_station.setdefault(header.station_id, []).append(header)
        for sid, headers in by_station.items():
            network, station = sid.split(".")
            st = function(Stream([src.get_waveform(h) for h in headers]), Inventory())
            if provenance:
                add_processed_waveforms(out, st, "processed", document_name=f"loop_{network}_{station}".lower())
            else:
                out.add_waveforms(st, "processed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
