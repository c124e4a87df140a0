"""``asdf-cli info --traces``: a file's header table as text, CSV or JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click

from ..container import open as open_asdf
from ..errors import InvalidValueError, MissingDependencyError, NotFoundError

__all__ = ["print_traces", "table_records"]


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat() + "Z"
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def table_records(frame: Any) -> list[dict[str, Any]]:
    """The rows of a header table as JSON-ready dictionaries (times ISO 8601 UTC, NaN as null)."""
    columns = list(frame.columns)
    return [{c: _plain(v) for c, v in zip(columns, row, strict=True)}
            for row in frame.itertuples(index=False, name=None)]


def print_traces(files: tuple[Path, ...], query: dict[str, Any], event_id: str | None, amplitudes: bool,
                 as_json: bool, as_csv: bool) -> None:
    """Print the header table of one file (exit 2 for a usage error)."""
    if len(files) != 1 or (as_json and as_csv):
        click.echo("error: --traces takes exactly one FILE and at most one of --json/--csv", err=True)
        raise SystemExit(2)
    try:
        with open_asdf(files[0], "r") as f:
            frame = f.headers(event=event_id, amplitudes=amplitudes, progress=amplitudes, **query)
    except (MissingDependencyError, NotFoundError, InvalidValueError) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    if as_json:
        click.echo(json.dumps({"traces": table_records(frame)}))
    elif as_csv:
        click.echo(frame.to_csv(index=False), nl=False)
    else:
        with_all = frame.drop(columns=["name", "starttime_ns", "endtime_ns"])
        click.echo(with_all.to_string(index=False))
