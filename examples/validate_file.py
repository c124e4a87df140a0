"""Validate ASDF files, or see the validator at work on a file it breaks on purpose.

With file arguments, validates each and exits with the validator's exit code
(0 valid, 1 breaks rules, 2 not HDF5), like ``asdf-cli validate``.  Without
arguments, writes ObsPy's example recordings, events and inventory with
asdfkit, validates the file, then damages a copy the way real files get
damaged (a negative sampling rate, an event id that points nowhere, a
truncated StationXML) and shows what the validator reports, grouped by
severity, with rule ids and HDF5 paths; last, a byte flipped inside a trace's
samples, which only ``checksums=True`` (``--checksums``) finds.

Run::

    python examples/validate_file.py                 # the demonstration
    python examples/validate_file.py x.h5 y.h5       # your files
    python examples/validate_file.py --json x.h5     # JSON for scripts
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import obspy

import asdfkit
from asdfkit.cli.validate import format_report
from asdfkit.container.rawedit import RawEditor, flip_byte

log = logging.getLogger("validate_file")


def write_example(path: Path) -> None:
    """ObsPy's example data in an ASDF file, events linked to the traces."""
    events = obspy.read_events()
    with asdfkit.open(path, "w") as f:
        f.add_events(events)
        f.add_stations(obspy.read_inventory())
        f.add_waveforms(obspy.read(), tag="raw_recording", event_id=events[0])


def damage(source: Path, target: Path) -> None:
    """A copy of ``source`` with three typical problems."""
    shutil.copyfile(source, target)
    with RawEditor(target) as raw:
        station = "/Waveforms/BW.RJOB"
        traces = [name for name in raw.names(station) if name != "StationXML"]
        raw.set_attr(f"{station}/{traces[0]}", "sampling_rate", np.float64(-100.0))
        raw.set_attr(f"{station}/{traces[1]}", "event_id", "smi:local/no-such-event", kind="ascii")
        stationxml = raw.read_bytes(f"{station}/StationXML")
        raw.write_xml(f"{station}/StationXML", stationxml[: len(stationxml) // 2])


def demonstrate(workdir: Path) -> int:
    good, bad = workdir / "example.h5", workdir / "damaged.h5"
    write_example(good)
    damage(good, bad)
    for path in (good, bad):
        report = asdfkit.validate(path)
        print(format_report(report))
        print()
    # Only what matters to you: select rule families, ignore single rules.
    report = asdfkit.validate(bad, select=["WAVE", "QML"], ignore="ASDF-STXML-007")
    print(f"WAVE and QML rules only: {[f.rule for f in report.findings]}")
    # Damaged samples: a flipped byte inside a stored chunk. Only checksums=True reads samples.
    flipped = workdir / "flipped.h5"
    shutil.copyfile(good, flipped)
    with RawEditor(flipped) as raw:
        trace = next(n for n in raw.names("/Waveforms/BW.RJOB") if n != "StationXML")
        offset = raw.chunk_offset(f"/Waveforms/BW.RJOB/{trace}")
    flip_byte(flipped, offset + 10)
    print(f"flipped byte, without checksums: exit {asdfkit.validate(flipped).exit_code}")
    print(format_report(asdfkit.validate(flipped, checksums=True)))
    return report.exit_code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--json", action="store_true", help='print one JSON object: {"files": [one report per file]}')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not args.files:
        with tempfile.TemporaryDirectory() as workdir:
            return demonstrate(Path(workdir))
    reports = [asdfkit.validate(path) for path in args.files]
    if args.json:
        print(json.dumps({"files": [r.to_dict() for r in reports]}, indent=2))
    else:
        print("\n".join(format_report(r) for r in reports))
    return max(r.exit_code for r in reports)


if __name__ == "__main__":
    sys.exit(main())
