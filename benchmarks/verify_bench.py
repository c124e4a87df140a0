"""Cost of verifying a converted file before it is renamed into place (docs/performance.md).

Standalone script::

    python benchmarks/verify_bench.py              # 300 SAC + 120 miniSEED files, best of 3
    python benchmarks/verify_bench.py --repeats 5

The inputs are those of ``convert_bench.py`` (real SAC files of the Berkeley
1998 CSS database and pyasdf's real miniSEED sample set, under distinct
station codes).  In one process, every round converts each input set three
ways, in turn:

- ``none``: ``convert_to_asdf`` with the verification switched off;
- ``stored``: :func:`asdfkit.container.verify.verify_complete` with
  ``read=False`` (reopen, every dataset has every chunk its extent needs);
- ``read back`` (the default): the same and every stored chunk read and
  decoded (fletcher32 checksum and deflate).

It prints the best wall-clock time of each and the ratios to ``none``.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import convert_bench  # noqa: E402

import asdfkit.io.convert as convert_module  # noqa: E402
from asdfkit.container.verify import verify_complete  # noqa: E402


def _shared_root() -> Path:
    """A folder whose parent holds shared/data (the worktree's, else /work's)."""
    for folder in (ROOT, *ROOT.parents):
        if (folder.parent / "shared" / "data" / "css").is_dir():
            return folder
    raise SystemExit("shared/data (Berkeley 1998 SAC files) not found")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sac", type=int, default=300)
    parser.add_argument("--mseed", type=int, default=120)
    args = parser.parse_args()
    convert_bench.ROOT = _shared_root()
    work = Path(tempfile.mkdtemp(prefix="verify-bench-"))
    sac_dir, ms_dir = convert_bench.make_inputs(work / "inputs", args.sac, args.mseed)
    modes: dict[str, Callable[[Path], None] | None] = {
        "none": lambda path: None,
        "stored": functools.partial(verify_complete, read=False),
        "read back": verify_complete,
    }
    out = work / "out.h5"
    for label, folder in (("SAC", sac_dir), ("miniSEED", ms_dir)):
        times: dict[str, list[float]] = {name: [] for name in modes}
        for round_number in range(args.repeats + 1):
            for name, verify in modes.items():
                out.unlink(missing_ok=True)
                convert_module.verify_complete = verify  # type: ignore[assignment]
                started = time.perf_counter()
                convert_bench.run_asdfkit([folder], out)
                elapsed = time.perf_counter() - started
                if round_number:
                    times[name].append(elapsed)
        size = out.stat().st_size
        best = {name: min(values) for name, values in times.items()}
        print(f"{label}: {len(list(folder.iterdir()))} files -> {size / 2**20:.1f} MiB; "
              + ", ".join(f"{name} {best[name]:.3f} s ({best[name] / best['none']:.2f}x)" for name in modes))
        started = time.perf_counter()
        verify_complete(out)
        alone = time.perf_counter() - started
        started = time.perf_counter()
        verify_complete(out, read=False)
        alone_stored = time.perf_counter() - started
        print(f"  verify_complete alone: read back {alone:.3f} s, stored only {alone_stored:.3f} s")
    convert_module.verify_complete = verify_complete


if __name__ == "__main__":
    main()
