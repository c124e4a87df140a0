"""ICCS and MCCC on in-memory arrays: speed, peak memory and accuracy on the reference synthetic set.

Standalone script (not part of ``benchmarks/run.py``)::

    python benchmarks/align_bench.py             # N = 50/200/1000, 3 repeats, 5 seeds for accuracy
    python benchmarks/align_bench.py --quick     # N = 50/200, 1 repeat, 2 seeds (~15 s)
    python benchmarks/align_bench.py --sizes 1000 --repeats 5 --seeds 1
    python benchmarks/align_bench.py --json out.json

What is timed is the algorithm on arrays already in memory — packing,
windowing, taper, correlations, stacks, least squares — not I/O, not a
bandpass, not building the synthetic set.  ICCS runs with autoflip and
autoselect on; MCCC runs on ICCS's picks, flips and selection (as in
AIMBAT).  Times are the best of ``--repeats`` runs (the machine is shared:
rerun when it is quiet if the numbers look noisy).  Peak memory of MCCC is
measured in a separate run with :mod:`tracemalloc` (numpy reports its
buffers to it), beside the process's peak RSS.

Accuracy is the RMS of (picked relative shift - true relative shift), the
common offset removed, over seeds ``0..seeds-1``; the synthetic set is
:func:`asdfkit.alignment.synthetic_set` (40 Hz, 1 Hz Ricker, shifts ±2 s,
10 % flips, white noise std = peak/SNR).  The peers (pysmo/AIMBAT v2) cannot
be installed here: their figures are *quoted* from the project's reference
(same definitions, same kind of machine), not measured.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asdfkit.alignment import (  # noqa: E402
    AlignmentParams,
    ICCSResult,
    SimpleSeismogram,
    iccs,
    mccc,
    relative_rms_error,
    synthetic_set,
)
from asdfkit.alignment.synthetic import SyntheticSet  # noqa: E402

log = logging.getLogger("align_bench")

PARAMS = AlignmentParams(autoflip=True, autoselect=True)
CRLB_MS = 4.11  # Cramer-Rao bound of one trace's arrival time for this set at SNR 10 (see docs)

# Quoted from the project's reference (shared/reference/alignment.md), not measured here.
PEER = {
    50: {"iccs_s": "0.10", "iccs_ms": "14", "mccc_s": "0.1-0.4", "mccc_ms": "4.5-7"},
    200: {"iccs_s": "0.28", "iccs_ms": "9", "mccc_s": "0.7-10", "mccc_ms": "4-5.5"},
    1000: {"iccs_s": "1.3", "iccs_ms": "8", "mccc_s": "infeasible (~23 GB)", "mccc_ms": "-"},
}
TARGETS = {
    ("iccs_s", 1000): 0.4,
    ("mccc_s", 200): 0.5,
    ("mccc_s", 1000): 20.0,
    ("mccc_mb", 1000): 2000.0,
    ("iccs_ms", 200): 6.0,
    ("mccc_ms", 200): 4.5,
}


def _after(s: Sequence[SimpleSeismogram], res: ICCSResult) -> list[SimpleSeismogram]:
    return [
        replace(x, t1=float(t), flip=bool(f), select=bool(sel))
        for x, t, f, sel in zip(s, res.t1, res.flip, res.select, strict=True)
    ]


def _best(fn: Callable[[], Any], repeats: int) -> tuple[float, float, Any]:
    """Best wall time of ``repeats`` runs, the CPU time of that run (all threads), the result."""
    best, cpu, out = float("inf"), float("nan"), None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = fn()
        wall = time.perf_counter() - start
        if wall < best:
            best, cpu = wall, time.process_time() - start_cpu
    return best, cpu, out


def _peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def speed(n: int, repeats: int, memory: bool) -> dict[str, Any]:
    """Time ICCS and MCCC on one set of size ``n`` (seed 0, SNR 10)."""
    s = synthetic_set(n, snr=10.0, seed=0)
    iccs(s.seismograms[:5], PARAMS)  # warm up scipy's FFT plans and imports
    t_iccs, cpu_iccs, res = _best(lambda: iccs(s.seismograms, PARAMS), repeats)
    seis = _after(s.seismograms, res)
    t_mccc, cpu_mccc, m = _best(lambda: mccc(seis, PARAMS), repeats)
    row: dict[str, Any] = {
        "n": n,
        "iccs_s": t_iccs,
        "iccs_cpu_s": cpu_iccs,
        "iccs_iterations": res.iterations,
        "mccc_s": t_mccc,
        "mccc_cpu_s": cpu_mccc,
        "mccc_pairs": m.pairs_total,
    }
    if memory:
        row["mccc_mb"] = _peak_mb(lambda: mccc(seis, PARAMS))
        row["iccs_mb"] = _peak_mb(lambda: iccs(s.seismograms, PARAMS))
    return row


def accuracy(n: int, snr: float, seeds: int) -> dict[str, Any]:
    """RMS errors (ms), statuses and flips over seeds ``0..seeds-1``."""
    rows = []
    for seed in range(seeds):
        s: SyntheticSet = synthetic_set(n, snr=snr, seed=seed)
        res = iccs(s.seismograms, PARAMS)
        m = mccc(_after(s.seismograms, res), PARAMS)
        rows.append(
            {
                "seed": seed,
                "iccs_ms": 1e3 * relative_rms_error(res.t1, s.t0, s.true_shifts),
                "mccc_ms": 1e3 * relative_rms_error(m.t1, s.t0, s.true_shifts),
                "iccs_status": res.status.value,
                "mccc_status": m.status.value,
                "flips_wrong": int((res.flip != s.true_flips).sum()),
                "global_inversion": bool(np.mean(res.flip != s.true_flips) > 0.5),
                "selected": int(res.select.sum()),
                "mccc_solved": int(m.solved.sum()) if m.solved is not None else 0,
                "iccs_messages": list(res.messages),
            }
        )
    return {
        "n": n,
        "snr": snr,
        "seeds": rows,
        "iccs_ms": float(np.mean([r["iccs_ms"] for r in rows])),
        "mccc_ms": float(np.mean([r["mccc_ms"] for r in rows])),
        "iccs_ms_max": float(np.max([r["iccs_ms"] for r in rows])),
        "mccc_ms_max": float(np.max([r["mccc_ms"] for r in rows])),
    }


def _verdict(key: str, n: int, value: float) -> str:
    target = TARGETS.get((key, n))
    if target is None:
        return ""
    return f"{'met' if value <= target else 'MISSED'} (<= {target:g})"


def report(speeds: list[dict[str, Any]], accs: list[dict[str, Any]], snr3: dict[str, Any]) -> str:
    lines = [
        f"machine: {platform.machine()} {platform.processor() or ''}, python {platform.python_version()}, "
        f"numpy {np.__version__}; peers quoted from the reference, not measured",
        "",
        "speed (best of repeats, wall [CPU of all threads], seed 0, SNR 10; MCCC on ICCS's picks)",
        f"{'N':>5} | {'ICCS':>17} {'iters':>5} | {'MCCC':>17} {'pairs':>7} {'peak MB':>8} | "
        f"{'peer ICCS':>9} | {'peer MCCC':>20} | targets",
    ]
    for r in speeds:
        n = r["n"]
        peer = PEER.get(n, {})
        mb = f"{r['mccc_mb']:8.0f}" if "mccc_mb" in r else f"{'':>8}"
        verdicts = "; ".join(
            v
            for v in (
                _verdict("iccs_s", n, r["iccs_s"]) and "ICCS " + _verdict("iccs_s", n, r["iccs_s"]),
                _verdict("mccc_s", n, r["mccc_s"]) and "MCCC " + _verdict("mccc_s", n, r["mccc_s"]),
                "mccc_mb" in r
                and _verdict("mccc_mb", n, r["mccc_mb"])
                and "memory " + _verdict("mccc_mb", n, r["mccc_mb"]),
            )
            if v
        )
        lines.append(
            f"{n:>5} | {r['iccs_s']:7.3f}s [{r['iccs_cpu_s']:6.3f}s] {r['iccs_iterations']:>5} | "
            f"{r['mccc_s']:7.3f}s [{r['mccc_cpu_s']:6.3f}s] {r['mccc_pairs']:>7} {mb} | "
            f"{peer.get('iccs_s', '-'):>8}s | {peer.get('mccc_s', '-'):>19}s | {verdicts}"
        )
    lines += [
        "",
        f"accuracy at SNR 10 (relative-shift RMS error, ms; mean [max] over seeds; Cramer-Rao bound {CRLB_MS} ms)",
        f"{'N':>5} | {'ICCS':>14} | {'MCCC':>14} | {'peer ICCS':>9} | {'peer MCCC':>9} | flips wrong | targets",
    ]
    for a in accs:
        n = a["n"]
        peer = PEER.get(n, {})
        wrong = sum(r["flips_wrong"] for r in a["seeds"])
        inversions = sum(r["global_inversion"] for r in a["seeds"])
        verdicts = "; ".join(
            f"{k[:4].upper()} {v}"
            for k, v in (
                ("iccs", _verdict("iccs_ms", n, a["iccs_ms"])),
                ("mccc", _verdict("mccc_ms", n, a["mccc_ms"])),
            )
            if v
        )
        lines.append(
            f"{n:>5} | {a['iccs_ms']:6.2f} [{a['iccs_ms_max']:5.2f}] | {a['mccc_ms']:6.2f} [{a['mccc_ms_max']:5.2f}] | "
            f"{peer.get('iccs_ms', '-'):>9} | {peer.get('mccc_ms', '-'):>9} | "
            f"{wrong} ({inversions} global inversions / {len(a['seeds'])} seeds) | {verdicts}"
        )
    lines += [
        "",
        f"SNR 3, N = {snr3['n']} (peer: autoselect deselects every trace in iteration 1 and raises)",
    ]
    for r in snr3["seeds"]:
        lines.append(
            f"  seed {r['seed']}: ICCS {r['iccs_status']}, {r['selected']} selected, RMS {r['iccs_ms']:.1f} ms, "
            f"{r['flips_wrong']} flips wrong; MCCC {r['mccc_status']}, {r['mccc_solved']} solved, RMS {r['mccc_ms']:.1f} ms"
        )
        lines += [f"    {m}" for m in r["iccs_messages"][:2]]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="N = 50/200, 1 repeat, 2 seeds")
    parser.add_argument(
        "--repeats", type=int, default=None, help="timed runs per size (best kept); default 3"
    )
    parser.add_argument("--seeds", type=int, default=None, help="seeds for the accuracy rows; default 5")
    parser.add_argument("--sizes", type=int, nargs="+", default=None, help="array sizes; default 50 200 1000")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    sizes = args.sizes or ([50, 200] if args.quick else [50, 200, 1000])
    repeats = args.repeats or (1 if args.quick else 3)
    seeds = args.seeds or (2 if args.quick else 5)
    speeds = [speed(n, repeats, memory=n >= 200) for n in sizes]
    accs = [accuracy(n, 10.0, seeds) for n in sizes if n <= 200 or not args.quick]
    snr3 = accuracy(200, 3.0, 1 if args.quick else 3)
    print(report(speeds, accs, snr3))
    print(f"\npeak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps({"speed": speeds, "accuracy": accs, "snr3": snr3}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
