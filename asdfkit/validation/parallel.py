"""Check the stations of a big file in several processes (Linux ``fork`` only).

The parent checks the root, QuakeML and provenance first, so every child
inherits the cross-references (event and record ids) it needs.  It then
closes the file, forks one child per extra chunk of stations (by trace
count), reopens the file and checks the first chunk itself.  Children send
back their findings, which are merged in station order.  A child that dies
(HDF5 crashing on a hostile file) becomes a finding, not a hang.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from multiprocessing.connection import Connection
from typing import Any

from ..container.inspect import GROUP, Inspector, Node
from ..errors import FormatError
from .context import Context, StopValidation
from .heapscan import check_global_heaps
from .report import Finding
from .rules import RULES
from .waveforms import check_waveforms

__all__ = ["MIN_TRACES", "plan", "check_waveforms_parallel"]

log = logging.getLogger(__name__)

#: Files with fewer traces are checked in one process (a fork costs more than it saves).
MIN_TRACES = 20_000


def _default_workers() -> int:
    return min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def plan(h5: Inspector, waveforms: Node, workers: int | None) -> list[list[str]] | None:
    """Station names split into one chunk per process, or None to stay in this process."""
    if workers == 1 or not sys.platform.startswith("linux"):
        return None
    n = workers or _default_workers()
    counts = [(node.name, h5.count(node)) for node in h5.children(waveforms, values=(), expect=GROUP)
              if node.kind == GROUP]
    total = sum(c for _, c in counts)
    if n < 2 or len(counts) < 2 or (workers is None and total < MIN_TRACES):
        return None
    chunks: list[list[str]] = [[]]
    share, filled = total / n, 0
    for name, count in counts:
        if filled >= share * len(chunks) and len(chunks) < n:
            chunks.append([])
        chunks[-1].append(name)
        filled += count
    return [chunk for chunk in chunks if chunk]


def _child(conn: Connection, ctx: Context, stations: list[str]) -> None:
    ctx.findings = []
    ctx.checked = {}
    truncated = False
    problem = None
    try:
        with Inspector.open(ctx.path, vlen_guard=check_global_heaps) as h5:
            waveforms = h5.child(h5.root(values=()), "Waveforms", values=())
            if waveforms is not None:
                try:
                    check_waveforms(h5, waveforms, ctx, stations=set(stations), others=False)
                finally:
                    problem = h5.vlen_problem
    except StopValidation:
        truncated = True
    except FormatError as exc:
        rule = RULES["ASDF-FILE-002"]
        ctx.findings.append(Finding(rule.id, rule.severity, "/Waveforms", f"cannot reopen the file: {exc}"))
    conn.send((ctx.findings, ctx.checked, truncated, problem))
    conn.close()


def check_waveforms_parallel(h5: Inspector, ctx: Context, chunks: list[list[str]]) -> None:
    """Check /Waveforms with ``len(chunks)`` processes; findings land in ``ctx`` in order."""
    fork = multiprocessing.get_context("fork")
    h5.close()  # no HDF5 file may be open across a fork
    children: list[tuple[Any, Connection, list[str]]] = []
    try:
        for chunk in chunks[1:]:
            receive, send = fork.Pipe(duplex=False)
            process = fork.Process(target=_child, args=(send, ctx, chunk), daemon=True)
            process.start()
            send.close()
            children.append((process, receive, chunk))
        log.info("checking %d station chunks in %d processes", len(chunks), len(chunks))
        try:
            h5.reopen()
        except FormatError as exc:
            ctx.add("ASDF-FILE-002", "/Waveforms", f"cannot reopen the file: {exc}")
            return
        waveforms = h5.child(h5.root(values=()), "Waveforms", values=())
        if waveforms is not None:
            check_waveforms(h5, waveforms, ctx, stations=set(chunks[0]), others=True)
        for process, receive, chunk in children:
            problem = _merge(process, receive, chunk, ctx)
            h5.vlen_problem = h5.vlen_problem or problem
    finally:
        for process, receive, _ in children:
            if process.is_alive():
                process.terminate()
            process.join(timeout=5)
            receive.close()


def _merge(process: Any, receive: Connection, chunk: list[str], ctx: Context) -> str | None:
    try:
        findings, checked, truncated, problem = receive.recv()
    except EOFError:
        process.join(timeout=5)
        ctx.add("ASDF-FILE-002", "/Waveforms",
                f"checking stations {chunk[0]} to {chunk[-1]} crashed (exit code {process.exitcode}): "
                "the file is damaged in a way that HDF5 cannot handle")
        return None
    for what, n in checked.items():
        ctx.count(what, n)
    for finding in findings:
        ctx.add(finding.rule, finding.path, finding.message)
    if truncated:
        raise StopValidation
    return problem
