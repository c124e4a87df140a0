"""``asdf-cli group ...`` and ``asdf-cli label ...``: trace groups and labels of a file.

Exit codes: 0 done; 1 a problem with the data; 2 a usage error (unknown group,
bad name, a group that exists, members added to a dynamic group...).  Nothing
is written when a command fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..container import open as open_asdf
from ..container.groups import Group
from ..errors import EmptySelectionError, InvalidValueError, NotFoundError
from ..naming import join_labels
from .contract import AsdfFile
from .selection import describe_selection, pop_selection, selection_options

__all__ = ["group", "label"]

EXIT_USAGE = 2
_FILE = AsdfFile()


@contextmanager
def _usage_errors() -> Iterator[None]:
    """Caller mistakes (unknown or existing group, bad name or query) exit 2."""
    try:
        yield
    except (NotFoundError, InvalidValueError) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None


def _require_selected(file: Path, query: dict[str, Any], what: str, new_group: str | None = None) -> None:
    """A selection that matches no trace of FILE is a problem with the data: exit 1, before the
    file is opened for writing (nothing is written).  Usage errors come first (exit 2): an
    invalid ``new_group`` name, or one that exists."""
    with _usage_errors(), open_asdf(file, "r") as f:
        if new_group is not None:
            f.groups.check_new(new_group)
        if f.list_waveforms(**query):
            return
    shown = describe_selection(query) or "(every trace: the file holds none)"
    raise EmptySelectionError(f"no trace of {str(file)!r} matches {shown}: {what}")


def _shown(group: Group, members: list[str], missing: list[str]) -> dict[str, Any]:
    return {"name": group.name, "kind": group.kind, "comment": group.comment,
            "query": group.query if group.dynamic else None, "members": members, "missing": missing}


@click.group("group")
def group() -> None:
    """Named, commented, nested groups of traces (stored in /AuxiliaryData/Groups)."""


@group.command("create")
@click.argument("file", type=_FILE)
@click.argument("name")
@selection_options
@click.option("--dynamic", is_flag=True, help="Store the selection as a query, evaluated on use.")
@click.option("--comment", default="", help="A free-text comment.")
@click.option("--json", "as_json", is_flag=True, help="Print the new group as JSON.")
def create_command(file: Path, name: str, dynamic: bool, comment: str, as_json: bool, **options: Any) -> None:
    """Create group NAME (e.g. arrays/ring1) of FILE from the selected traces.

    A static group lists the traces selected now; with --dynamic the selection
    itself is stored and re-run each time the group is used.
    """
    query = pop_selection(options)
    if not dynamic:  # a dynamic group may select nothing yet: its query runs on each use
        _require_selected(file, query, f"no group {name!r} created", new_group=name)
    with _usage_errors(), open_asdf(file, "r+") as f:
        if dynamic:
            if "group" in query:
                raise InvalidValueError("invalid option --group for a dynamic group: its query cannot name groups")
            made = f.groups.create(name, query=query, comment=comment)
        else:
            made = f.groups.create(name, members=f.list_waveforms(**query), comment=comment)
        members = f.groups.members(made.name)
    if as_json:
        click.echo(json.dumps(_shown(made, members, [])))
    else:
        click.echo(f"created {made.kind} group {made.name!r}: {len(members)} trace(s)")


@group.command("list")
@click.argument("file", type=_FILE)
@click.option("--json", "as_json", is_flag=True, help="Print {\"groups\": [...]} as JSON.")
def list_command(file: Path, as_json: bool) -> None:
    """List the groups of FILE: name, kind, member count and comment."""
    rows = []
    with open_asdf(file, "r") as f:
        for name in f.groups:
            item = f.groups[name]
            rows.append({"name": name, "kind": item.kind, "comment": item.comment,
                         "members": len(f.groups.members(name))})
    if as_json:
        click.echo(json.dumps({"groups": rows}))
        return
    for row in rows:
        comment = f"  # {row['comment']}" if row["comment"] else ""
        click.echo(f"{row['name']:30s} {row['kind']:8s} {row['members']:7d}{comment}")


@group.command("show")
@click.argument("file", type=_FILE)
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the group as JSON.")
def show_command(file: Path, name: str, as_json: bool) -> None:
    """Show group NAME of FILE: kind, comment, query and member traces (and members gone)."""
    with _usage_errors(), open_asdf(file, "r") as f:
        item = f.groups[name]
        shown = _shown(item, f.groups.members(name), f.groups.missing(name).get(item.name, []))
    if as_json:
        click.echo(json.dumps(shown))
        return
    click.echo(f"{shown['name']} ({shown['kind']}){': ' + shown['comment'] if shown['comment'] else ''}")
    if shown["query"] is not None:
        click.echo(f"query: {json.dumps(shown['query'])}")
    for member in shown["members"]:
        click.echo(f"  {member}")
    for member in shown["missing"]:
        click.echo(f"  {member}  (missing: trace not in the file)")


def _edit(file: Path, name: str, query: dict[str, Any], add: bool, as_json: bool) -> None:
    with _usage_errors(), open_asdf(file, "r+") as f:
        chosen = f.list_waveforms(**query)
        count = f.groups.add(name, chosen) if add else f.groups.remove(name, chosen)
        total = len(f.groups[name].members)
    if as_json:
        click.echo(json.dumps({"name": name, "added" if add else "removed": count, "members": total}))
    else:
        click.echo(f"{'added' if add else 'removed'} {count} trace(s) {'to' if add else 'from'} {name!r}: "
                   f"{total} member(s)")


@group.command("add")
@click.argument("file", type=_FILE)
@click.argument("name")
@selection_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def add_command(file: Path, name: str, as_json: bool, **options: Any) -> None:
    """Add the selected traces to static group NAME (exit 2 for a dynamic group)."""
    _edit(file, name, pop_selection(options), True, as_json)


@group.command("remove")
@click.argument("file", type=_FILE)
@click.argument("name")
@selection_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def remove_command(file: Path, name: str, as_json: bool, **options: Any) -> None:
    """Remove the selected traces from static group NAME (the traces stay in the file)."""
    _edit(file, name, pop_selection(options), False, as_json)


@group.command("rename")
@click.argument("file", type=_FILE)
@click.argument("old")
@click.argument("new")
def rename_command(file: Path, old: str, new: str) -> None:
    """Rename group OLD to NEW (a new folder path moves it)."""
    with _usage_errors(), open_asdf(file, "r+") as f:
        f.groups.rename(old, new)
    click.echo(f"renamed {old!r} to {new!r}")


@group.command("delete")
@click.argument("file", type=_FILE)
@click.argument("name")
def delete_command(file: Path, name: str) -> None:
    """Delete group NAME (its traces stay in the file)."""
    with _usage_errors(), open_asdf(file, "r+") as f:
        f.groups.delete(name)
    click.echo(f"deleted {name!r}")


@click.group("label")
def label() -> None:
    """Add or remove labels (the traces' labels attribute) on a selection of traces."""


def _label(file: Path, text: str, query: dict[str, Any], add: bool, as_json: bool) -> None:
    with _usage_errors():
        join_labels([text])  # an invalid label is a usage error (exit 2), before the selection
    _require_selected(file, query, f"label {text!r} {'added to' if add else 'removed from'} no trace")
    with _usage_errors(), open_asdf(file, "r+") as f:
        count = f.add_labels(text, **query) if add else f.remove_labels(text, **query)
    if as_json:
        click.echo(json.dumps({"label": text, "changed": count}))
    else:
        click.echo(f"{'added' if add else 'removed'} label {text!r} on {count} trace(s)")


@label.command("add")
@click.argument("file", type=_FILE)
@click.argument("text", metavar="LABEL")
@selection_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def label_add_command(file: Path, text: str, as_json: bool, **options: Any) -> None:
    """Add LABEL to every selected trace of FILE."""
    _label(file, text, pop_selection(options), True, as_json)


@label.command("remove")
@click.argument("file", type=_FILE)
@click.argument("text", metavar="LABEL")
@selection_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def label_remove_command(file: Path, text: str, as_json: bool, **options: Any) -> None:
    """Remove LABEL from every selected trace of FILE."""
    _label(file, text, pop_selection(options), False, as_json)
