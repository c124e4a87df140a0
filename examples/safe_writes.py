"""Crash-safe, single-writer edits of an ASDF file: what a failed edit and a second writer do.

Writes ObsPy's example traces into FILE (default: a temporary folder), then:

1. adds a trace inside ``with asdfkit.open(FILE, "a")`` and raises an error halfway:
   the file is exactly as before (the edit worked on a copy, which is dropped);
2. opens the file for writing while another process holds it: ``FileLockedError``
   ("locked by another process"), and the other process's commit is kept;
3. commits an edit normally and shows the file's trace count after each step.

Run::

    python examples/safe_writes.py [FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

import obspy

import asdfkit
from asdfkit.errors import FileLockedError

_HOLDER = (
    "import sys, time, obspy, asdfkit\n"
    "with asdfkit.open(sys.argv[1], 'a') as f:\n"
    "    trace = obspy.read()[0]; trace.stats.station = 'OTHER'\n"
    "    f.add_waveforms(trace, tag='raw_recording')\n"
    "    print('holding', flush=True); sys.stdin.readline()\n"
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _count(path: Path) -> int:
    with asdfkit.open(path) as f:
        return f.n_waveforms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", type=Path, help="ASDF file to write (default: a temporary one)")
    args = parser.parse_args()
    path = args.file or Path(tempfile.mkdtemp()) / "safe.h5"
    with asdfkit.open(path, "w") as f:
        f.add_waveforms(obspy.read(), tag="raw_recording")
    print(f"{path}: {_count(path)} traces, sha256 {_digest(path)}")

    before = _digest(path)
    try:
        with asdfkit.open(path, "a") as f:
            trace = obspy.read()[0]
            trace.stats.station = "HALF"
            f.add_waveforms(trace, tag="raw_recording")
            raise RuntimeError("something went wrong halfway through the edit")
    except RuntimeError as exc:
        print(f"1. failed edit ({exc}): {_count(path)} traces, unchanged: {_digest(path) == before}")

    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdin is not None
    holder.stdout.readline()
    try:
        asdfkit.open(path, "a")
    except FileLockedError as exc:
        print(f"2. second writer refused: {exc}")
    holder.stdin.write("\n")
    holder.stdin.flush()
    holder.wait()
    print(f"   the other process committed: {_count(path)} traces")

    with asdfkit.open(path, "a") as f:
        trace = obspy.read()[1]
        trace.stats.station = "DONE"
        f.add_waveforms(trace, tag="raw_recording")
    print(f"3. committed edit: {_count(path)} traces")


if __name__ == "__main__":
    main()
