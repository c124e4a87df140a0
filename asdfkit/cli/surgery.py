"""``asdf-cli merge``, ``extract`` and ``repack``: file surgery by HDF5 object copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..container.surgery import SurgeryReport, extract, merge, repack

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
        f"{f', {report.events_added} event(s) added' if report.events_added else ''}{sizes}"
    )


@click.command("merge")
@click.argument(
    "sources", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--in-place", is_flag=True,
              help="Merge into an existing TARGET directly, not on a copy (large files; NOT crash-safe).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def merge_command(sources: tuple[Path, ...], target: Path, in_place: bool, as_json: bool) -> None:
    """Merge ASDF SOURCES into TARGET (created if missing).

    Objects are copied as stored (compression kept); identical objects are
    skipped, StationXML and QuakeML are merged, anything else that differs is
    an error and TARGET is left untouched.  An existing TARGET is merged
    into on a copy that replaces it atomically; --in-place skips the copy.
    Another process writing TARGET: exit 2 ("locked by another process").
    """
    _report(merge(list(sources), target, in_place=in_place), as_json, "merged")


@click.command("extract")
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--network", help="Network code(s), wildcards allowed.")
@click.option("--station", help="Station code(s), wildcards allowed.")
@click.option("--location", help="Location code(s).")
@click.option("--channel", help="Channel code(s), e.g. 'BH?'.")
@click.option("--tag", help="Waveform tag(s).")
@click.option("--starttime", help="Traces ending after this time (ISO 8601).")
@click.option("--endtime", help="Traces starting before this time (ISO 8601).")
@click.option("--events/--no-events", default=True, show_default=True, help="Copy the QuakeML.")
@click.option(
    "--auxiliary", "aux_types", multiple=True, metavar="TYPE", help="Copy this auxiliary data type."
)
@click.option("--all-auxiliary", is_flag=True, help="Copy every auxiliary data type.")
@click.option("--overwrite", is_flag=True, help="Replace TARGET if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def extract_command(
    source: Path,
    target: Path,
    events: bool,
    aux_types: tuple[str, ...],
    all_auxiliary: bool,
    overwrite: bool,
    as_json: bool,
    **query: Any,
) -> None:
    """Copy the traces of SOURCE that match the query (with their stations,
    events and provenance) into a new ASDF file TARGET."""
    chosen = {key: value for key, value in query.items() if value is not None}
    auxiliary: bool | list[str] = True if all_auxiliary else list(aux_types)
    _report(
        extract(source, target, events=events, auxiliary=auxiliary, overwrite=overwrite, **chosen),
        as_json,
        "extracted",
    )


@click.command("repack")
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def repack_command(source: Path, target: Path | None, as_json: bool) -> None:
    """Rewrite SOURCE (in place, or into TARGET) to reclaim the space deleted objects left behind."""
    _report(repack(source, target), as_json, "repacked")
