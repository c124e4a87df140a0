"""Timing primitives: contenders, interleaved best-of-N runs, machine description."""

from __future__ import annotations

import datetime as _dt
import gc
import logging
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Contender",
    "Measurement",
    "machine_info",
    "run_interleaved",
]

log = logging.getLogger(__name__)


@dataclass
class Contender:
    """One way of doing a scenario's job.

    Parameters
    ----------
    key : str
        Short identifier used in ratios (``"asdfkit"``, ``"h5py_lowlevel"``...).
    label : str
        What the row of the table says.
    run : callable
        The timed work.  Its return value is kept (the last one) for checks.
    setup : callable, optional
        Untimed preparation before *each* run (delete the output file, clear a cache...).
    repeats : int, optional
        Overrides the scenario's repeat count (slow contenders run fewer times).
    settings : str
        Free text recorded with the result (compression, chunks, cache state).
    """

    key: str
    label: str
    run: Callable[[], Any]
    setup: Callable[[], None] | None = None
    repeats: int | None = None
    settings: str = ""


@dataclass
class Measurement:
    """Wall-clock times (seconds) of one contender."""

    key: str
    label: str
    times: list[float] = field(default_factory=list)
    """Wall-clock seconds (``time.perf_counter``) of each run."""
    cpu_times: list[float] = field(default_factory=list)
    """CPU seconds of this process, user + system (``time.process_time``), of each run."""
    settings: str = ""
    note: str = ""

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def best_cpu(self) -> float:
        return min(self.cpu_times)

    def best_of(self, clock: str) -> float:
        """Best wall (``"wall"``) or CPU (``"cpu"``) time."""
        return self.best_cpu if clock == "cpu" else self.best

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["best"] = self.best
        data["median"] = self.median
        data["best_cpu"] = self.best_cpu
        return data


def run_interleaved(contenders: list[Contender], repeats: int) -> tuple[list[Measurement], dict[str, Any]]:
    """Time every contender ``repeats`` times, round-robin.

    Interleaving the contenders (A B C, B C A, C A B ...) instead of running
    each one back to back spreads the noise of a shared machine evenly over them.
    Garbage is collected before each timed run so one contender's garbage is
    not collected on another's clock.  Both wall-clock time and the process's
    CPU time are recorded: on a shared machine, CPU time is not inflated by
    other processes competing for the cores (the OS page cache is warm in
    every scenario, so reads cost CPU, not I/O waits).

    Returns
    -------
    measurements : list of Measurement
        In the order of ``contenders``.
    outputs : dict
        The last return value of each contender's ``run``, by key.
    """
    results = {c.key: Measurement(c.key, c.label, settings=c.settings) for c in contenders}
    outputs: dict[str, Any] = {}
    rounds = max((c.repeats or repeats) for c in contenders) if contenders else 0
    for round_no in range(rounds):
        # Rotate the order each round so no contender always runs first (right after the
        # previous round's heaviest one) or always last.
        shift = round_no % len(contenders)
        for contender in contenders[shift:] + contenders[:shift]:
            if round_no >= (contender.repeats or repeats):
                continue
            if contender.setup is not None:
                contender.setup()
            gc.collect()
            cpu_start = time.process_time()
            start = time.perf_counter()
            outputs[contender.key] = contender.run()
            elapsed = time.perf_counter() - start
            cpu = time.process_time() - cpu_start
            results[contender.key].times.append(elapsed)
            results[contender.key].cpu_times.append(cpu)
            log.info("  %-28s run %d: %.3f s (cpu %.3f s)", contender.key, round_no + 1, elapsed, cpu)
    return [results[c.key] for c in contenders], outputs


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _asdfkit_revision() -> str:
    """Git commit of the asdfkit source tree, with ``+dirty`` when asdfkit/ has local changes."""
    import subprocess

    import asdfkit

    root = Path(asdfkit.__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                              text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "asdfkit"], cwd=root, capture_output=True,
                               text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def machine_info() -> dict[str, Any]:
    """CPU, core count, library versions and date of the run."""
    import h5py
    import numpy
    import obspy
    import pyasdf

    import asdfkit

    try:
        load = os.getloadavg()
    except OSError:
        load = (float("nan"),) * 3
    return {
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": _cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "h5py": h5py.version.version,
        "hdf5": h5py.version.hdf5_version,
        "obspy": obspy.__version__,
        "pyasdf": pyasdf.__version__,
        "asdfkit": asdfkit.__version__,
        "asdfkit_revision": _asdfkit_revision(),
        "loadavg_at_start": [round(x, 2) for x in load],
    }
