"""Convert a folder of real, awkward inputs: a Nordic event file, a compressed dataless SEED,
an RT130 log channel, a miniSEED file with a repeated record, and a good recording.

All files ship inside ObsPy (its test data).  They are copied into a folder
under names that say nothing of their format; ``convert_to_asdf`` recognises
each by content, keeps the log records as auxiliary data, and with
``skip_bad=True`` skips only the repeated record (reported) instead of
refusing its file.  Then the result is validated.

Run::

    python examples/convert_mixed_inputs.py mixed.h5
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
from pathlib import Path

import obspy

import asdfkit
from asdfkit.io.convert import ConvertOptions, convert_to_asdf
from asdfkit.validation import validate

log = logging.getLogger("convert_mixed_inputs")

OBSPY = Path(obspy.__file__).parent
INPUTS = {
    "event_a": "io/nordic/tests/data/01-0411-15L.S201309",          # Nordic (SEISAN S-file)
    "stations_b.gz": "io/xseed/tests/data/nied.dataless.gz",         # compressed dataless SEED
    "logs_c": "io/mseed/tests/data/rt130_sr0_cropped.mseed",         # an RT130 LOG channel (text)
    "repeats_d": "io/mseed/tests/data/qualityflags.mseed",           # one record 18 times
    "recording_e": "io/mseed/tests/data/test.mseed",                 # a plain recording
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, rel in INPUTS.items():
            shutil.copyfile(OBSPY / rel, folder / name)
        report = convert_to_asdf([folder], args.output, ConvertOptions(skip_bad=True, overwrite=True))
    print(f"{report.traces} traces, {report.stations} station(s), {report.events} event(s), "
          f"{len(report.logs)} log record(s)")
    for skipped in report.skipped:
        print(f"skipped {skipped.get('trace', skipped['path'])} x{skipped.get('count', 1)}: {skipped['reason']}")
    with asdfkit.open(args.output) as f:
        for data_type, path in f.list_auxiliary_data("Logs"):
            item = f.get_auxiliary_data(data_type, path)
            print(f"{data_type}/{path}: {item.data.tobytes().decode('ascii', 'replace').strip()[:40]!r}")
    result = validate(args.output)
    print(f"valid: {result.ok}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
