"""``asdf-cli validate``: check ASDF files against every rule of their format version."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import InvalidValueError
from ..validation import RULES, Report, Severity
from ..validation import validate as run_validation
from .contract import is_plain_hdf5, show_progress

__all__ = ["format_report", "validate"]


def _safe(text: str) -> str:
    """Escape control characters so hostile names cannot drive the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def format_report(report: Report, quiet: bool = False) -> str:
    """Human-readable text of a report: a summary line, then findings grouped by severity."""
    if not report.opened:
        reason = report.findings[0].message if report.findings else "cannot be opened"
        state = "LOCKED" if "locked by another process" in reason else "NOT HDF5"
        return f"{_safe(report.path)}: {state} (exit 2) - {_safe(reason)}"
    counts = report.counts
    state = "valid" if report.ok else "INVALID"
    checked = ", ".join(f"{n} {what[:-1] if n == 1 else what}" for what, n in report.checked.items() if n)
    version = f"ASDF {report.format_version}" if report.format_version else "unknown version"
    lines = [
        f"{_safe(report.path)}: {state} - {_plural(counts['error'], 'error')}, "
        f"{_plural(counts['warning'], 'warning')} ({version}; {checked or 'nothing'} checked "
        f"in {report.seconds:.2f} s)"
    ]
    if report.truncated:
        lines.append(f"  stopped after {len(report.findings)} findings (--max-findings)")
    if quiet:
        return "\n".join(lines)
    for severity, title in ((Severity.ERROR, "errors"), (Severity.WARNING, "warnings")):
        group = [f for f in report.findings if f.severity is severity]
        if not group:
            continue
        lines.append(f"  {title}:")
        lines.extend(f"    {f.rule}  {_safe(f.path)}: {_safe(f.message)}" for f in group)
    return "\n".join(lines)


class _ProgressBar:
    """A click progress bar on stderr, fed ``(done, total)`` bytes by the validator."""

    def __init__(self, label: str, enabled: bool) -> None:
        self._label, self._enabled = label, enabled
        self._bar: Any = None
        self._done = 0

    def __enter__(self) -> _ProgressBar:
        return self

    def __call__(self, done: int, total: int) -> None:
        if not self._enabled:
            return
        if self._bar is None:
            self._bar = click.progressbar(length=max(total, 1), label=self._label, file=sys.stderr,
                                          show_pos=False, show_percent=True)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def _rules_text() -> str:
    width = max(len(rule_id) for rule_id in RULES)
    return "\n".join(
        f"{rule.id:<{width}}  {rule.severity.value:<7}  {rule.title}" for rule in RULES.values()
    )


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help='Print one JSON object: {"files": [one report per file]}.')
@click.option("--select", multiple=True, metavar="RULES",
              help="Report only these rules: ids, prefixes (WAVE, ASDF-STXML) or wildcards; "
                   "comma-separated or repeated.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Do not report these rules (same forms).")
@click.option("--max-findings", type=click.IntRange(min=1), default=None, metavar="N",
              help="Stop checking a file after N findings.")
@click.option("-q", "--quiet", is_flag=True, help="Only the summary line of each file.")
@click.option("--list-rules", is_flag=True, help="List every rule id, severity and title, and exit.")
@click.option("--checksums", is_flag=True,
              help="Also read every stored chunk (samples included) and report each whose fletcher32 "
                   "checksum or compression fails (ASDF-FILE-008); progress on stderr.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar over FILES on stderr (default: when stderr is a terminal).")
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...], as_json: bool, select: tuple[str, ...],
             ignore: tuple[str, ...], max_findings: int | None, quiet: bool, list_rules: bool,
             checksums: bool, progress: bool | None = None) -> None:
    """Check ASDF FILES against every rule of their format version.

    Findings are grouped by severity, each with its rule id and HDF5 path
    (docs/validate.md describes every rule).  With --checksums every stored
    chunk is also read and decoded, and each that fails is reported.  Exit code: 0 every file is valid
    (warnings allowed), 1 a file opens as HDF5 but breaks rules, 2 a file is
    missing, not HDF5, plain HDF5 (not ASDF), locked by a program writing it
    in place, or a usage error; with several files, the highest.
    """
    if list_rules:
        click.echo(_rules_text())
        return
    if not files:
        raise click.UsageError("give at least one FILE (or --list-rules)")
    reports = []
    codes = []
    with click.progressbar(files, label="validating", file=sys.stderr,
                           hidden=not show_progress(progress) or len(files) < 2 or checksums) as bar:
        for path in bar:
            try:
                with _ProgressBar(f"checking chunks of {_safe(str(path))}", checksums) as chunks:
                    report = run_validation(path, select=select or None, ignore=ignore or None,
                                            max_findings=max_findings, checksums=checksums,
                                            progress=chunks if checksums else None)
            except InvalidValueError as exc:
                raise click.BadParameter(str(exc)) from exc
            reports.append(report)
            code = report.exit_code
            if not report.opened:
                reason = report.findings[0].message if report.findings else "cannot be opened"
                click.echo(f"error: {_safe(reason)}", err=True)
            elif is_plain_hdf5(path):  # HDF5 but not ASDF at all: a usage error, not a damaged file
                code = 2
                click.echo(f"error: {_safe(str(path))!r} is HDF5 but not ASDF: no file_format attribute", err=True)
            codes.append(code)
            if not as_json:
                click.echo(format_report(report, quiet))
    if as_json:
        rows = []
        for report, code in zip(reports, codes, strict=True):
            row = {**report.to_dict(), "exit_code": code}
            row["elapsed_s"] = row.pop("seconds")  # durations end in _s in every --json output
            row["checked"] = {key.replace(" ", "_"): n for key, n in row["checked"].items()}
            rows.append(row)
        click.echo(json.dumps({"files": rows, "exit_code": max(codes)}, indent=2))
    ctx.exit(max(codes))
