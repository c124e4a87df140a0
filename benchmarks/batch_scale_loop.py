"""The plain loop the batch scale benchmark compares against, run as its own process.

``python benchmarks/batch_scale_loop.py INPUT OUTPUT bp|noop [--no-provenance]``: one process,
``get_waveforms`` per station -> the function -> ``add_processed_waveforms`` (or
``add_waveforms`` without provenance) into one output file: the same work a batch run does,
with none of its bookkeeping.
"""

from __future__ import annotations

import sys
from pathlib import Path

from obspy import Inventory

import asdfkit
from asdfkit.provenance import add_processed_waveforms

sys.path.insert(0, str(Path(__file__).resolve().parent))
import batch_scale_jobs  # noqa: E402


def main(argv: list[str]) -> int:
    source, target, name = argv[:3]
    provenance = "--no-provenance" not in argv
    function = getattr(batch_scale_jobs, name)
    with asdfkit.open(source) as src, asdfkit.open(target, "w") as out:
        tag = src.waveform_tags[0]
        for sid in src.stations:
            network, station = sid.split(".")
            st = function(src.get_waveforms(network=network, station=station, tag=tag), Inventory())
            if provenance:
                add_processed_waveforms(out, st, "processed", document_name=f"loop_{network}_{station}".lower())
            else:
                out.add_waveforms(st, "processed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
