"""The validator's entry point: open the file, run the checks in order, build the report."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable

from .. import xmlsafe
from ..container.inspect import Inspector
from ..errors import FormatError, InvalidValueError
from .auxiliary import check_auxiliary
from .checksums import check_checksums, stored_bytes
from .context import Context, StopValidation
from .groups import check_groups
from .heapscan import check_global_heaps
from .parallel import check_waveforms_parallel, plan
from .provenance import check_provenance
from .quakeml import check_quakeml
from .report import Finding, Report
from .root import check_root
from .rules import RULES, RuleSelection
from .waveforms import check_waveforms

__all__ = ["validate"]

log = logging.getLogger(__name__)


def validate(
    path: str | os.PathLike[str],
    select: Iterable[str] | str | None = None,
    ignore: Iterable[str] | str | None = None,
    max_findings: int | None = None,
    max_xml_bytes: int = xmlsafe.MAX_XML_BYTES,
    workers: int | None = None,
    checksums: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Check an ASDF file against every rule of its format version.

    Never raises on bad file content: what is wrong becomes findings.  The
    file is read once, one station at a time; waveform samples are read only
    with ``checksums``.

    Parameters
    ----------
    path
        The file.
    select, ignore
        Rule ids, id prefixes (``"WAVE"``, ``"ASDF-STXML"``) or wildcards,
        as a list or a comma-separated string: report only the selected rules,
        minus the ignored ones.
    max_findings
        Stop after this many findings (the report says ``truncated``).
    max_xml_bytes
        XML documents larger than this are reported (ASDF-XML-003), not read.
    workers
        Processes checking the stations (Linux only): ``None`` uses up to 4
        for files of 20,000 traces or more, ``1`` never forks.
    checksums
        Also read every stored chunk of every dataset (samples included) and
        report each whose fletcher32 checksum or filter fails (ASDF-FILE-008).
        Costs a full read of the file.
    progress
        With ``checksums``: called as ``progress(done, total)`` in bytes of
        stored data after each chunk.

    Returns
    -------
    Report
        ``report.ok`` is true when no error rule is broken; ``report.exit_code``
        is 0, 1 (breaks rules) or 2 (not openable as HDF5).

    Raises
    ------
    asdfkit.errors.InvalidValueError
        For a ``select``/``ignore`` pattern that matches no rule or a
        ``max_findings`` below 1 (mistakes of the caller, not of the file).

    Examples
    --------
    >>> import asdfkit
    >>> report = asdfkit.validate("example.h5")             # doctest: +SKIP
    >>> report.ok, report.counts                            # doctest: +SKIP
    (True, {'error': 0, 'warning': 0})
    """
    selection = RuleSelection.parse(select, ignore)
    if max_findings is not None and max_findings < 1:
        raise InvalidValueError(f"invalid max_findings {max_findings!r}: must be >= 1")
    if workers is not None and workers < 1:
        raise InvalidValueError(f"invalid workers {workers!r}: must be >= 1")
    started = time.perf_counter()
    name = os.fspath(path)
    ctx = Context(name, selection, max_findings, max_xml_bytes)
    try:
        h5 = Inspector.open(name, vlen_guard=check_global_heaps)
    except FormatError as exc:
        # Always reported, whatever the selection: nothing else can be checked.
        rule = RULES["ASDF-FILE-001"]
        finding = Finding(rule.id, rule.severity, "/", str(exc))
        return Report(name, (finding,), opened=False, seconds=time.perf_counter() - started)
    truncated = False
    with h5:
        try:
            _run(h5, ctx, workers)
            if checksums:
                _checksums(h5, ctx, progress)
            if h5.vlen_problem:
                ctx.add("ASDF-FILE-002", "/", f"variable-length values were not read: {h5.vlen_problem}")
        except StopValidation:
            truncated = True
    seconds = time.perf_counter() - started
    log.info("validated %s in %.3f s: %d finding(s)", name, seconds, len(ctx.findings))
    return Report(name, tuple(ctx.findings), True, ctx.version, truncated, dict(ctx.checked), seconds)


def _checksums(h5: Inspector, ctx: Context, progress: Callable[[int, int], None] | None) -> None:
    root = h5.root(values=()).handle
    if root is None:
        return
    if progress is None:
        check_checksums(root, ctx)
        return
    total, done = stored_bytes(root), 0

    def advance(size: int) -> None:
        nonlocal done
        done += size
        progress(done, total)

    progress(0, total)
    check_checksums(root, ctx, advance)


def _run(h5: Inspector, ctx: Context, workers: int | None) -> None:
    root = h5.root()
    if root.handle is None:
        ctx.add("ASDF-FILE-002", "/", root.error or "cannot open the root group")
        return
    sections, present = check_root(h5, root, ctx)
    ctx.has_quakeml = "QuakeML" in present
    if "QuakeML" in sections:
        check_quakeml(h5, sections["QuakeML"], ctx)
    if "Provenance" in sections:
        check_provenance(h5, sections["Provenance"], ctx)
    elif "Provenance" in present:
        ctx.provenance_complete = False
    if "Waveforms" in sections:
        chunks = plan(h5, sections["Waveforms"], workers)
        if chunks is None or len(chunks) < 2:
            check_waveforms(h5, sections["Waveforms"], ctx)
        else:
            check_waveforms_parallel(h5, ctx, chunks)
            if "AuxiliaryData" in sections:  # the file was reopened: old nodes are stale
                auxiliary = h5.child(h5.root(values=()), "AuxiliaryData", values=())
                sections["AuxiliaryData"] = auxiliary if auxiliary is not None else sections.pop("AuxiliaryData")
    if "AuxiliaryData" in sections:
        check_auxiliary(h5, sections["AuxiliaryData"], ctx)
        check_groups(h5, sections["AuxiliaryData"], ctx)
