"""Convert real Antelope CSS3.0 databases into ASDF and back out, cut to a window.

Converts ``berkeley_1998`` (30 SAC-format waveforms of 10 BDSN stations, tables
for 4 of them) with ``BK`` as the network of the stations the tables do not
map, prints what the converter reported (fallbacks to the SAC headers,
disagreements between the tables and the headers, sensitivities from the
calibration table), exports one minute of BKS to SAC and everything to a
css3.1 ``NET_STA`` database, reads that back and compares the samples.  Then
converts ``dbmoment_events``, whose wfdisc points at another machine's
directory, with a directory remap: 30 rows found, 9 reported missing.
Last, a copy of ``berkeley_1998`` whose BKS BHZ file is a symlink into an
archive folder: sample files are read only under the database's folder, the
remap targets and the ``--data-root`` folders, so that row is refused (skipped
and listed with ``--skip-bad``) until the archive is named as a data root.

Run::

    python examples/convert_css_database.py berkeley.h5 [path/to/shared/data/css]
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
from pathlib import Path

import numpy as np
import obspy

import asdfkit
from asdfkit.io.convert import ConvertOptions, convert_to_asdf
from asdfkit.io.css import asdf_to_css, read_css
from asdfkit.io.export import export

log = logging.getLogger("convert_css_database")

DEFAULT_CSS = Path(__file__).resolve().parents[2] / "shared" / "data" / "css"
# The directory the dbmoment_events wfdisc names (the machine that wrote it).
OLD_DIR = "/opt/antelope/5.6/contrib/example/dbmoment/EXAMPLE_2"
EVENT_TIME = obspy.UTCDateTime(1998, 8, 12, 14, 10, 25)


def run(output: str, css: str | Path = DEFAULT_CSS) -> str:
    """Convert, report, export and round-trip; return a short text summary."""
    css = Path(css)
    report = convert_to_asdf([css / "berkeley_1998" / "example_2"], output,
                             ConvertOptions(css={"default_network": "BK"}, overwrite=True))
    disagreements = [w for w in report.warnings if "disagreement" in w]
    lines = [
        f"berkeley_1998: {report.traces} trace(s), {report.stations} station(s), {report.events} event(s); "
        f"{len(disagreements)} disagreement(s) between tables and SAC headers, e.g.",
        f"  {disagreements[0].split(': ', 2)[-1]}" if disagreements else "  (none)",
    ]
    with asdfkit.open(output) as f:
        inventory = f.inventory
        with_sensitivity = [h.seed_id for h in f.list_waveforms(channel="BHZ")
                            if _sensitivity(inventory, h.seed_id) is not None]
        lines.append(f"BHZ channels with a sensitivity at the event: {len(with_sensitivity)} of "
                     f"{len(f.list_waveforms(channel='BHZ'))} (the others have no table rows)")
        value = _sensitivity(inventory, "BK.BKS..BHZ")
        lines.append(f"BK.BKS..BHZ: {value:.4g} counts/(m/s) at 1 Hz, from the calibration table")
    with tempfile.TemporaryDirectory() as folder:
        cut = export(output, Path(folder) / "sac", "sac", station="BKS",
                     starttime=EVENT_TIME, endtime=EVENT_TIME + 60)
        first = obspy.read(cut.files[0])[0]
        lines.append(f"SAC export of one minute of BKS: {len(cut.files)} file(s) of {first.stats.npts} samples, "
                     f"dist {first.stats.sac.dist:.1f} km")
        with asdfkit.open(output) as f:
            written = asdf_to_css(f, Path(folder) / "db" / "berkeley", schema="css3.1", expanded=True)
            back = {t.id: t for t in read_css(Path(folder) / "db" / "berkeley").traces()}
            same = all(np.array_equal(back[t.id].data, t.data) and back[t.id].stats.starttime == t.stats.starttime
                       for t in f.get_waveforms())
        lines.append(f"css3.1 NET_STA database: {written.counts['traces']} trace(s) written; "
                     f"read back with identical samples and start times: {same}")
    moved = convert_to_asdf(
        [css / "dbmoment_events" / "example"], Path(output).with_name("dbmoment.h5"),
        ConvertOptions(css={"default_network": "BK", "remap": {OLD_DIR: str(css / "berkeley_1998")}}, overwrite=True),
    )
    missing = [w for w in moved.warnings if "missing:" in w]
    lines.append(f"dbmoment_events with --remap: {moved.traces} trace(s) found, {len(missing)} row(s) "
                 f"reported missing, {moved.events} event(s), {moved.picks} pick(s)")
    lines.append(_data_roots(css / "berkeley_1998", Path(output).with_name("roots.h5")))
    return "\n".join(lines)


def _data_roots(berkeley: Path, output: Path) -> str:
    """Convert a copy of berkeley_1998 with one sample file moved to an archive behind a symlink."""
    with tempfile.TemporaryDirectory() as folder:
        copy, archive = Path(folder) / "db", Path(folder) / "archive"
        shutil.copytree(berkeley, copy, copy_function=shutil.copyfile)  # writable copies of read-only data
        copy.chmod(0o755)
        archive.mkdir()
        name = "19980812141000.BKS.BHZ"
        shutil.move(copy / name, archive / name)
        (copy / name).symlink_to(archive / name)
        options = {"default_network": "BK"}
        refused = convert_to_asdf([copy / "example_2"], output,
                                  ConvertOptions(css=options, skip_bad=True, overwrite=True))
        listed = [w for w in refused.warnings if "outside the database folder" in w]
        allowed = convert_to_asdf([copy / "example_2"], output,
                                  ConvertOptions(css={**options, "data_roots": [archive]}, overwrite=True))
    return (f"symlinked archive: {refused.traces} trace(s) and {len(listed)} row(s) refused without "
            f"--data-root; {allowed.traces} trace(s) with --data-root")


def _sensitivity(inventory: obspy.Inventory, seed_id: str) -> float | None:
    try:
        response = inventory.get_response(seed_id, EVENT_TIME)
    except Exception:  # noqa: BLE001 - obspy raises plain Exception for a channel without a response
        return None
    sensitivity = response.instrument_sensitivity if response is not None else None
    return None if sensitivity is None else float(sensitivity.value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="berkeley.h5", help="ASDF file to write")
    parser.add_argument("css", nargs="?", default=str(DEFAULT_CSS), help="folder holding the two databases")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(run(args.output, args.css))  # the script's result, for the user to read


if __name__ == "__main__":
    main()
