"""examples/convert_mixed_inputs.py: awkward real inputs recognised by content, one bad trace skipped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import asdfkit

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "convert_mixed_inputs.py"


def test_mixed_inputs_example_converts_everything_it_promises(tmp_path: Path) -> None:
    out = tmp_path / "mixed.h5"
    proc = subprocess.run([sys.executable, str(EXAMPLE), str(out)], capture_output=True, text=True,
                          check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "2 traces, 1 station(s), 1 event(s), 5 log record(s)" in proc.stdout
    assert "skipped BW.BGLD..EHE x17" in proc.stdout and "valid: True" in proc.stdout
    with asdfkit.open(out) as f:
        assert len(f.list_auxiliary_data("Logs")) == 5 and len(f.events) == 1
        assert {h.seed_id for h in f.list_waveforms()} == {"BW.BGLD..EHE", "NL.HGN.00.BHZ"}
