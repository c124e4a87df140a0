"""``asdf-cli info``: what is in an ASDF file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..container import open as open_asdf
from ..container.damage import damage_guard
from .selection import pop_selection, selection_options
from .tables import print_traces

__all__ = ["format_summary", "info"]


def _size(num: float | None) -> str:
    if num is None:
        return "?"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if num < 1024 or unit == "TiB":
            return f"{num:.1f} {unit}" if unit != "B" else f"{int(num)} B"
        num /= 1024
    return f"{num:.1f} TiB"  # pragma: no cover


def format_summary(summary: dict[str, Any]) -> str:
    """Human-readable text of :meth:`asdfkit.ASDFFile.summary`."""
    lines = [
        f"{summary['path']}: ASDF {summary['format_version']}, {_size(summary['size_bytes'])}",
        f"  events:      {summary['events']}",
        f"  stations:    {summary['stations']} ({summary['stations_with_stationxml']} with StationXML)",
        f"  traces:      {summary['traces']} ({summary['samples']} samples)",
    ]
    for tag, count in summary["traces_per_tag"].items():
        lines.append(f"    {tag}: {count}")
    if summary["time_span"]:
        lines.append(f"  time span:   {summary['time_span'][0]} - {summary['time_span'][1]}")
    types = summary["auxiliary_data_types"]
    lines.append(
        f"  aux data:    {summary['auxiliary_datasets']} dataset(s)"
        + (f" of type {', '.join(types)}" if types else "")
    )
    docs = summary["provenance_documents"]
    lines.append(f"  provenance:  {len(docs)} document(s)" + (f": {', '.join(docs)}" if docs else ""))
    return "\n".join(lines)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help='Print one JSON object: {"files": [one summary per file]}.')
@click.option("--traces", is_flag=True, help="Print the header table of one FILE: one row per trace.")
@selection_options
@click.option("--event", "event_id", metavar="ID", help="With --traces: distances and azimuths from this event.")
@click.option("--amplitudes", is_flag=True, help="With --traces: max/mean/rms of the samples (reads them).")
@click.option("--csv", "as_csv", is_flag=True, help="With --traces: print CSV.")
def info(files: tuple[Path, ...], as_json: bool, traces: bool, event_id: str | None, amplitudes: bool,
         as_csv: bool, **options: Any) -> None:
    """Summarise ASDF FILES: version, size, events, stations, traces per tag,
    time span, auxiliary data types and provenance documents.

    With --traces, print one FILE's header table instead (see docs/groups.md):
    the selection options choose the traces, --event adds distances.

    Reading never modifies a file.
    """
    query = pop_selection(options)
    if traces:
        print_traces(files, query, event_id, amplitudes, as_json, as_csv)
        return
    if query or event_id or amplitudes or as_csv:
        click.echo("error: selection options, --event, --amplitudes and --csv need --traces", err=True)
        raise SystemExit(2)
    summaries = []
    for path in files:
        with damage_guard(path), open_asdf(path, "r") as handle:
            summaries.append(handle.summary())
    if as_json:
        click.echo(json.dumps({"files": summaries}, indent=2))
    else:
        click.echo("\n\n".join(format_summary(s) for s in summaries))
