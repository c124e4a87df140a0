"""Convert a folder of day-long miniSEED files into ASDF, with threads and in one thread.

Builds a small archive from a real recording shipped inside ObsPy (the
CH.BALST LHE channel, one day at 1 Hz) written under several station codes,
converts it twice with ``convert_to_asdf`` — with the automatic number of
threads (decoding one file at a time, compressing in parallel) and with
``jobs=1`` — checks that both files hold the same samples in the same bytes,
and validates the result.

Run::

    python examples/convert_mseed_archive.py archive.h5 --stations 40
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import obspy

import asdfkit
from asdfkit.io.convert import ConvertOptions, convert_to_asdf, resolve_jobs
from asdfkit.validation import validate

log = logging.getLogger("convert_mseed_archive")

RECORDING = Path(obspy.__file__).parent / "io" / "mseed" / "tests" / "data" / "CH.BALST..LHE.D.2025.314"


def make_archive(folder: Path, stations: int) -> list[Path]:
    """The real day-long recording under ``stations`` station codes, one file each."""
    stream = obspy.read(str(RECORDING))
    paths = []
    for number in range(stations):
        for trace in stream:
            trace.stats.station = f"S{number:03d}"
        path = folder / f"CH.S{number:03d}..LHE.mseed"
        stream.write(str(path), format="MSEED")
        paths.append(path)
    return paths


def _same_bytes(a: Any, b: Any) -> bool:
    """Two HDF5 datasets hold the same samples in the same stored (compressed) chunks."""
    chunks = range(0, a.shape[0], a.chunks[0])
    return bool((a[()] == b[()]).all()) and all(
        a.id.read_direct_chunk((start,)) == b.id.read_direct_chunk((start,)) for start in chunks
    )


def run(output: str, stations: int = 40) -> str:
    """Convert the archive both ways, compare, validate; return a short text summary."""
    with tempfile.TemporaryDirectory() as folder:
        paths = make_archive(Path(folder), stations)
        threads = resolve_jobs(0, paths)
        single = Path(folder) / "one-thread.h5"
        started = time.perf_counter()
        convert_to_asdf(paths, single, ConvertOptions(jobs=1, overwrite=True))
        one_thread = time.perf_counter() - started
        started = time.perf_counter()
        report = convert_to_asdf(paths, output, ConvertOptions(overwrite=True))  # jobs=0: automatic
        automatic = time.perf_counter() - started
        with asdfkit.open(output) as f, asdfkit.open(single) as g:
            same = all(_same_bytes(f.h5[h.path], g.h5[h.path]) for h in f.list_waveforms())
    findings = validate(output)
    return "\n".join([
        f"{report.traces} trace(s), {report.samples} samples",
        f"automatic: {threads} thread(s), {automatic:.2f} s; one thread: {one_thread:.2f} s",
        f"same samples and chunk bytes in both files: {same}",
        f"validate: {'valid' if findings.ok else 'INVALID'} ({len(findings.errors)} error(s))",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="archive.h5", help="ASDF file to write")
    parser.add_argument("--stations", type=int, default=40, help="station codes to write the recording under")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(run(args.output, args.stations))  # the script's result, for the user to read


if __name__ == "__main__":
    main()
