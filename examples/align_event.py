"""Align the P waves of a real event in an ASDF file with ICCS and MCCC, and store the run.

Converts the Berkeley 1998 Antelope CSS3.0 database (10 BDSN stations, one
M5.1 event) into ASDF, aligns the 10 vertical traces on TauP's first P
(iasp91), prints the stored run, the per-station quality table, writes the
section and quality figures, and puts the picks into the file's QuakeML.

Run::

    python examples/align_event.py berkeley.h5 [path/to/berkeley_1998]
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import asdfkit
from asdfkit.alignment import AlignmentParams, align_event, export_picks, quality_frame, station_summary
from asdfkit.alignment.plot import plot_quality, plot_section
from asdfkit.io.convert import ConvertOptions, convert_to_asdf

log = logging.getLogger("align_event")

DEFAULT_DATABASE = Path(__file__).resolve().parents[2] / "shared" / "data" / "css" / "berkeley_1998"


def run(output: str, database: str | Path = DEFAULT_DATABASE) -> str:
    """Convert, align, report, plot and export; return a short text summary."""
    convert_to_asdf([database], output, ConvertOptions(css={"default_network": "BK"}, overwrite=True))
    with asdfkit.open(output) as f:
        event_id = str(f.events[0].resource_id)
    # Regional P (0-5 degrees): a short window around the first arrival, 0.5-2 Hz.
    params = AlignmentParams(window_pre=-2.0, window_post=4.0, bandpass=(0.5, 2.0))
    stored = align_event(output, event_id, phase="P", params=params)
    lines = [
        f"{event_id}: {stored.run_id}, ICCS {stored.status_iccs}, MCCC {stored.status_mccc}, "
        f"rmse {stored.mccc_rmse * 1000:.0f} ms"
    ]
    for row in stored.rows:
        lines.append(
            f"  {row.seed_id:<13} t0 {row.t0:6.2f} s  t1 - t0 {row.t1 - row.t0:+.3f} s  "
            f"iccs_cc {row.iccs_cc:.2f}  mccc_error {row.mccc_error * 1000:.0f} ms"
        )
    summary = station_summary(quality_frame(output))
    lines.append(f"stations summarised: {len(summary)}")
    stem = Path(output).with_suffix("")
    plot_section(output).savefig(f"{stem}_section.png", dpi=110)
    plot_quality(output).savefig(f"{stem}_quality.png", dpi=110)
    picks = export_picks(output, into_file=True)
    lines.append(f"{len(picks)} pick(s) in /QuakeML; figures {stem}_section.png, {stem}_quality.png")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="berkeley.h5", help="ASDF file to write")
    parser.add_argument("database", nargs="?", default=str(DEFAULT_DATABASE), help="CSS3.0 folder")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(run(args.output, args.database))  # the script's result, for the user to read


if __name__ == "__main__":
    main()
