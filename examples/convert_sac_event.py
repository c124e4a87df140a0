"""Convert a folder of SAC files into ASDF, with the event, stations and picks from their headers.

Uses a real SAC recording shipped inside ObsPy (station CDV, with event
coordinates, origin time and P/F picks in its header), converts it with
``convert_to_asdf`` — events, station and picks are built from the header —
and exports it back to SAC with event, station, distance and pick headers.

Run::

    python examples/convert_sac_event.py converted.h5
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path

import obspy

import asdfkit
from asdfkit.io.convert import ConvertOptions, convert_to_asdf
from asdfkit.io.export import export

log = logging.getLogger("convert_sac_event")


def run(output: str) -> str:
    """Convert, inspect and export; return a short text summary."""
    sac = Path(obspy.__file__).parent / "io" / "sac" / "tests" / "data" / "seism.sac"
    # The file has no network code and channel 'Q': supply valid SEED codes.
    report = convert_to_asdf([sac], output, ConvertOptions(network="XX", channel="BHZ", overwrite=True))
    lines = [f"{report.traces} trace(s), {report.events} event(s), {report.picks} pick(s)"]
    with asdfkit.open(output) as f:
        event = f.events[0]
        origin = event.preferred_origin()
        lines.append(f"event {origin.time} at {origin.latitude:.3f}, {origin.longitude:.3f}")
        for pick in event.picks:
            lines.append(f"  pick {pick.phase_hint or '?'} {pick.time} ({pick.comments[0].text})")
        lines.append(f"station XX.CDV at {f.get_coordinates('XX.CDV')}")
    with tempfile.TemporaryDirectory() as folder:
        files = export(output, folder, "sac").files
        header = obspy.read(files[0])[0].stats.sac
        lines.append(f"exported SAC: gcarc={header.gcarc:.2f} deg, a={header.a:.2f} s ({header.ka.strip()})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="converted.h5", help="ASDF file to write")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(run(args.output))  # the script's result, for the user to read


if __name__ == "__main__":
    main()
