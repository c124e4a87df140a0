"""examples/validate_file.py runs and shows what it promises."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "validate_file.py"


def test_demonstration_reports_the_damage() -> None:
    proc = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True,
                          check=False, timeout=300)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    assert "example.h5: valid - 0 errors" in out
    assert "damaged.h5: INVALID - 3 errors" in out
    for rule in ("ASDF-WAVE-005", "ASDF-QML-003", "ASDF-XML-004"):
        assert rule in out
    assert "WAVE and QML rules only: ['ASDF-WAVE-005', 'ASDF-QML-003']" in out
    assert "flipped byte, without checksums: exit 0" in out
    assert "flipped.h5: INVALID - 1 error" in out and "ASDF-FILE-008" in out


def test_validates_given_files(tmp_path: Path) -> None:
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"nope")
    proc = subprocess.run([sys.executable, str(EXAMPLE), "--json", str(junk)], capture_output=True,
                          text=True, check=False, timeout=300)
    assert proc.returncode == 2, proc.stderr
    (report,) = json.loads(proc.stdout)["files"]
    assert report["findings"][0]["rule"] == "ASDF-FILE-001"
