"""Convert recordings whose codes are not SEED codes, through a codes table.

Three real files shipped inside ObsPy carry codes ASDF cannot hold: a
Kinemetrics EVT file (no network, channels ``0``-``5``), a K-NET file
(station ``AKT013``: six characters; channel ``EW``) and a GSE2 file
(network ``abcdef``).  The workflow is the command line's:

1. ``asdf-cli convert INPUT... --codes-template codes.csv`` reads the headers
   and proposes a valid, unique id for each id as read;
2. the user checks (or edits) ``codes.csv``;
3. ``asdf-cli convert INPUT... OUTPUT --codes codes.csv`` converts, and records
   the mapping in the conversion's SEIS-PROV document.

Run::

    python examples/convert_with_codes_table.py converted.h5 codes.csv
"""

from __future__ import annotations

import argparse
import csv
import logging
from pathlib import Path

import obspy

import asdfkit
from asdfkit.io.codeproposal import codes_template
from asdfkit.io.codes import original_ids
from asdfkit.io.convert import ConvertOptions, convert_to_asdf

log = logging.getLogger("convert_with_codes_table")

DATA = Path(obspy.__file__).parent / "io"
INPUTS = [
    DATA / "kinemetrics" / "tests" / "data" / "BX456_MOLA-02351.evt",
    DATA / "nied" / "tests" / "data" / "test.knet",
    DATA / "gse2" / "tests" / "data" / "boa___00_07a.gse",
]


def run(output: str, table: str) -> str:
    """Write the codes table, convert with it, and show where each stored trace came from."""
    report = codes_template(INPUTS, table, overwrite=True)
    lines = [f"{report.table}: {report.ids} trace id(s), {report.changed} renamed"]
    with open(table, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        lines.append(f"  {row['source_id']!r:22} -> {row['seed_id']}")
    # (a real user would check and edit the table here)
    converted = convert_to_asdf(INPUTS, output, ConvertOptions(codes=Path(table), overwrite=True))
    lines.append(f"{converted.traces} trace(s) converted into {output}")
    with asdfkit.open(output) as f:
        origins = original_ids(f)  # from the SEIS-PROV record of the conversion
        for header in f.list_waveforms():
            lines.append(f"  {header.seed_id:16} was {', '.join(map(repr, origins[header.seed_id]))}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="converted.h5", help="ASDF file to write")
    parser.add_argument("table", nargs="?", default="codes.csv", help="codes table to write")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(run(args.output, args.table))  # the script's result, for the user to read


if __name__ == "__main__":
    main()
