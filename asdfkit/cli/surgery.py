"""``asdf-cli merge``, ``extract`` and ``repack``: file surgery by HDF5 object copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..container import open as open_asdf
from ..container.surgery import SurgeryReport, extract, merge, repack
from .contract import (
    AsdfFile,
    EmptySelectionError,
    refuse_existing,
    refuse_options,
    require_asdf,
    show_progress,
)
from .selection import describe_selection, pop_selection, selection_options

__all__ = ["extract_command", "merge_command", "repack_command"]


def _report(report: SurgeryReport, as_json: bool, what: str) -> None:
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    sizes = ""
    if report.size_after is not None:
        before = "new" if report.size_before is None else f"{report.size_before} B"
        sizes = f" ({before} -> {report.size_after} B)"
    click.echo(
        f"{report.target}: {what}: {report.copied} object(s) copied, {report.identical} identical"
        f"{f', {report.stations_merged} station(s) merged' if report.stations_merged else ''}"
        f"{f', {report.events_added} event(s) added' if report.events_added else ''}"
        f"{f', {report.groups_merged} group(s) merged' if report.groups_merged else ''}{sizes}"
    )


@click.command("merge")
@click.argument(
    "sources", nargs=-1, required=True, type=AsdfFile()
)
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--in-place", is_flag=True,
              help="Merge into an existing TARGET directly, not on a copy (large files; NOT crash-safe).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: when stderr is a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def merge_command(sources: tuple[Path, ...], target: Path, in_place: bool, as_json: bool,
                  progress: bool | None = None) -> None:
    """Merge ASDF files: copy the contents of SOURCES into TARGET (created if missing).

    This joins whole files (as `batch merge` does); joining the contiguous
    trace segments of a channel is `convert --merge`.

    Objects are copied as stored (compression kept); identical objects are
    skipped, StationXML and QuakeML are merged, anything else that differs is
    an error and TARGET is left untouched.  An existing TARGET is merged
    into on a copy that replaces it atomically; --in-place skips the copy.
    Another process writing TARGET: exit 2 ("locked by another process").
    """
    for source in sources:
        require_asdf(source, "source")
    if target.exists():
        require_asdf(target, "target")
    _report(merge(list(sources), target, in_place=in_place, progress=show_progress(progress)), as_json, "merged")


@click.command("extract")
@click.argument("source", type=AsdfFile())
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@selection_options
@click.option("--events/--no-events", default=True, show_default=True, help="Copy the QuakeML.")
@click.option("--groups/--no-groups", default=True, show_default=True,
              help="Copy the trace groups (static members trimmed to the extracted traces).")
@click.option(
    "--auxiliary", "aux_types", multiple=True, metavar="TYPE", help="Copy this auxiliary data type."
)
@click.option("--all-auxiliary", is_flag=True, help="Copy every auxiliary data type.")
@click.option("--overwrite", is_flag=True, help="Replace TARGET if it exists.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: when stderr is a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def extract_command(
    source: Path,
    target: Path,
    events: bool,
    groups: bool,
    aux_types: tuple[str, ...],
    all_auxiliary: bool,
    overwrite: bool,
    as_json: bool,
    progress: bool | None = None,
    **query: Any,
) -> None:
    """Copy the traces of SOURCE that match the query (with their stations,
    events and provenance) into a new ASDF file TARGET.

    An existing TARGET is refused unless --overwrite (exit 2); a selection
    that matches no trace is exit 1 and writes nothing."""
    chosen = pop_selection(query)
    refuse_existing(target, overwrite)
    require_asdf(source, "source")
    if chosen:
        with open_asdf(source, "r") as handle:
            if not handle.list_waveforms(**chosen):
                raise EmptySelectionError(
                    f"no trace of {str(source)!r} matches {describe_selection(chosen)}: nothing extracted"
                )
    auxiliary: bool | list[str] = True if all_auxiliary else list(aux_types)
    _report(
        extract(source, target, events=events, auxiliary=auxiliary, groups=groups, overwrite=overwrite,
                progress=show_progress(progress), **chosen),
        as_json,
        "extracted",
    )


@click.command("repack")
@click.argument("source", type=AsdfFile())
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace an existing TARGET (else refused).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: when stderr is a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def repack_command(source: Path, target: Path | None, overwrite: bool, as_json: bool,
                   progress: bool | None = None) -> None:
    """Rewrite SOURCE (in place, or into TARGET) to reclaim the space deleted objects left behind.

    An existing TARGET is refused unless --overwrite (exit 2)."""
    if target is not None:
        refuse_existing(target, overwrite)
    elif overwrite:
        refuse_options(["--overwrite"], "without TARGET (repack in place always replaces SOURCE)")
    require_asdf(source, "source")
    _report(repack(source, target, progress=show_progress(progress)), as_json, "repacked")
