"""Damaged sample chunks: ``validate --checksums`` reports each; every command fails cleanly.

The files are real (pyasdf's sample data set written by asdfkit, gzip +
fletcher32 as by default) with 1-4 bytes flipped inside stored waveform
chunks.  Without ``--checksums`` the validator does not read samples and the
files validate; with it each damaged chunk is a finding.  ``info``, export,
merge and validate run as subprocesses (a crash inside libhdf5 would kill the
test process): exit 1, one ``error:`` line, no traceback.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest
from fuzzing import Seed, build_mutant, metadata_regions

import asdfkit
from asdfkit.container import verify as checksum_module
from asdfkit.container.verify import PIECE_BYTES

ROOT = Path(__file__).resolve().parents[2]
CASES = 70


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory, sample_set: Path) -> Path:
    path = tmp_path_factory.mktemp("seed") / "sample.h5"
    stream = obspy.Stream()
    for mseed in sorted(sample_set.glob("*.mseed")):
        stream += obspy.read(str(mseed))
    with asdfkit.open(path, "w") as f:
        f.add_events(obspy.read_events(str(sample_set / "quake.xml")))
        for xml in sorted(sample_set.glob("*..BH_.xml")):
            f.add_stations(xml.read_bytes())
        f.add_waveforms(stream, tag="raw_recording")
    return path


def _chunks(path: Path) -> list[tuple[str, int, int, int]]:
    """``(dataset, first sample, file offset, size)`` of every stored waveform chunk."""
    out = []
    with h5py.File(path, "r") as f:
        def visit(name: str, obj: object) -> None:
            if (isinstance(obj, h5py.Dataset) and name.startswith("Waveforms/") and obj.chunks
                    and not name.endswith("/StationXML")):
                for i in range(obj.id.get_num_chunks()):
                    info = obj.id.get_chunk_info(i)
                    out.append(("/" + name, info.chunk_offset[0], info.byte_offset, info.size))
        f.visititems(visit)
    return out


def _damage(seed: Path, case: int, out: Path) -> set[tuple[str, int]]:
    """Flip 1-4 bytes inside stored chunks; return the ``(dataset, first sample)`` chunks hit."""
    rng = random.Random(case)
    data = bytearray(seed.read_bytes())
    chunks = _chunks(seed)
    hit = set()
    for _ in range(rng.randint(1, 4)):
        name, first, offset, size = rng.choice(chunks)
        data[offset + rng.randrange(size)] ^= rng.randint(1, 255)
        hit.add((name, first))
    out.write_bytes(data)
    return hit


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ASDFKIT_CACHE_DIR="off")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "asdfkit", *args], env=env, capture_output=True, text=True,
                          timeout=240)


def test_checksums_report_every_damaged_chunk(seed: Path, tmp_path: Path) -> None:
    assert asdfkit.validate(seed, checksums=True).ok
    reported = 0
    for case in range(CASES):
        path = tmp_path / f"m{case}.h5"
        hit = _damage(seed, case, path)
        assert asdfkit.validate(path).ok, "samples are not read without checksums"
        report = asdfkit.validate(path, checksums=True)
        found = {(f.path, int(f.message.split()[2])) for f in report.findings if f.rule == "ASDF-FILE-008"}
        # fletcher32 catches every flipped byte: each chunk hit is reported, nothing else is
        assert found == hit, (case, found, hit)
        assert report.exit_code == 1
        reported += len(found)
    assert reported >= CASES


def test_checksums_progress_and_cli(seed: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.h5"
    hit = _damage(seed, 3, path)
    calls: list[tuple[int, int]] = []
    asdfkit.validate(path, checksums=True, progress=lambda done, total: calls.append((done, total)))
    total = calls[0][1]
    assert calls[0][0] == 0 and calls[-1] == (total, total) and total > 0
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)
    run = _run("validate", "--checksums", str(path))
    assert run.returncode == 1
    assert run.stdout.count("ASDF-FILE-008") == len(hit)
    assert "checking chunks" in run.stderr and "Traceback" not in run.stderr
    plain = _run("validate", str(path))
    assert plain.returncode == 0 and "ASDF-FILE-008" not in plain.stdout


def test_large_chunks_are_read_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk larger than the read buffer is read in slices; a bad one is still found."""
    monkeypatch.setattr(checksum_module, "PIECE_BYTES", 1000)
    assert PIECE_BYTES >= 2**20
    path = tmp_path / "aux.h5"
    with asdfkit.open(path, "w") as f:
        f.add_auxiliary_data(np.arange(40000.0).reshape(400, 100), data_type="Grid", path="g")
    assert asdfkit.validate(path, checksums=True).ok
    with h5py.File(path, "r") as f:
        dataset = f["AuxiliaryData/Grid/g"]
        info = dataset.id.get_chunk_info(0)
    data = bytearray(path.read_bytes())
    data[info.byte_offset + info.size // 2] ^= 0xFF
    path.write_bytes(data)
    report = asdfkit.validate(path, checksums=True)
    assert [f.path for f in report.findings] == ["/AuxiliaryData/Grid/g"]


@pytest.mark.parametrize("case", range(6))
def test_commands_report_damage_in_one_line(seed: Path, tmp_path: Path, case: int) -> None:
    metadata = Seed(str(seed), metadata_regions(seed))
    flipped = tmp_path / "flip.h5"
    build_mutant(metadata, "flip", (31, 39, 117, 134, 157, 198)[case], flipped)  # tracebacks before
    chunk = tmp_path / "chunk.h5"
    _damage(seed, case, chunk)
    runs = [
        _run("info", str(flipped)),
        _run("convert", str(chunk), str(tmp_path / "out"), "--to", "mseed"),
        _run("merge", str(chunk), str(tmp_path / "merged.h5")),
    ]
    for run in runs:
        assert run.returncode >= 0, run.stderr[-2000:]
        assert "Traceback" not in run.stderr, run.stderr[-2000:]
        if run.returncode:
            errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
            assert run.returncode == 1 and len(errors) == 1, run.stderr[-2000:]
            assert "damaged" in errors[0]
    assert runs[1].returncode == 1
    assert runs[2].returncode == 1 and not (tmp_path / "merged.h5").exists()  # verification refuses it
    assert not list(tmp_path.glob(".merged.h5*"))


def test_copying_commands_do_not_crash_on_corrupt_metadata(seed: Path, tmp_path: Path) -> None:
    """Byte-flip mutants of the metadata made libhdf5's object copy abort (double free) in merge,
    extract and repack.

    Every object is now read (every chunk decoded) before any is copied: each command either
    refuses the damaged file (exit 1, one line naming the damage, nothing written) or, when the
    damage lies outside what it copies (extract copies a selection), writes an output that
    validates with every chunk read back.  No command crashes or prints a traceback.
    """
    refused = 0
    for index in range(8):
        flipped = tmp_path / f"flip{index}.h5"
        build_mutant(Seed(str(seed), metadata_regions(seed)), "flip", index, flipped)
        for command in ("merge", "extract", "repack"):
            out = tmp_path / f"{command}{index}.h5"
            run = _run(command, str(flipped), str(out))
            assert run.returncode in (0, 1), (index, command, run.returncode, run.stderr[-2000:])
            assert "Traceback" not in run.stderr
            if run.returncode == 1:
                refused += 1
                (line,) = [line for line in run.stderr.splitlines() if line.strip()]
                assert line.startswith("error:") and "damaged" in line and "not copied" in line, line
                assert not out.exists()
            else:
                assert asdfkit.validate(out, checksums=True).ok, (index, command)
    assert refused >= 3  # the mutants do damage what the commands copy
