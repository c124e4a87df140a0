"""The trace selection options every command shares, as one click decorator.

``--network --station --location --channel`` (UNIX wildcards; a comma
separates alternatives: ``--channel BHZ,HHZ``), ``--tag``, ``--starttime``,
``--endtime``, ``--label`` and ``--group`` (both repeatable: traces with any of
the labels, in any of the groups).  Given options are ANDed.  Use::

    @click.command()
    @selection_options
    def command(**options):
        query = pop_selection(options)      # keywords of ASDFFile.list_waveforms
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

__all__ = ["SELECTION_KEYS", "describe_selection", "pop_selection", "selection_options"]

F = TypeVar("F", bound=Callable[..., Any])

#: Names of the keyword arguments the decorator adds.
SELECTION_KEYS = ("network", "station", "location", "channel", "tag", "starttime", "endtime", "label", "group")

_OPTIONS = (
    click.option("--network", metavar="CODES", help="Network code(s), wildcards allowed, comma-separated."),
    click.option("--station", metavar="CODES", help="Station code(s), wildcards allowed."),
    click.option("--location", metavar="CODES", help="Location code(s), wildcards allowed."),
    click.option("--channel", metavar="CODES", help="Channel code(s), e.g. 'BH?' or 'BHZ,HHZ'."),
    click.option("--tag", metavar="TAGS", help="Waveform tag(s), wildcards allowed."),
    click.option("--starttime", metavar="TIME", help="Traces ending at or after this time (ISO 8601)."),
    click.option("--endtime", metavar="TIME", help="Traces starting at or before this time (ISO 8601)."),
    click.option("--label", multiple=True, metavar="LABEL", help="Traces with this label (repeatable: any)."),
    click.option("--group", multiple=True, metavar="NAME", help="Traces in this group (repeatable: any)."),
)


def selection_options(func: F) -> F:
    """Add the shared selection options to a click command."""
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def _codes(value: str) -> str | list[str]:
    parts = [p.strip() for p in value.split(",")]
    return parts[0] if len(parts) == 1 else parts


def pop_selection(options: dict[str, Any]) -> dict[str, Any]:
    """Remove the selection options from a command's keywords; return the query they make.

    The query holds only what was given: keywords of :meth:`ASDFFile.list_waveforms`
    (``labels=`` and ``group=`` as lists).
    """
    query: dict[str, Any] = {}
    for key in ("network", "station", "location", "channel", "tag"):
        value = options.pop(key, None)
        if value is not None:
            query[key] = _codes(value)
    for key in ("starttime", "endtime"):
        value = options.pop(key, None)
        if value is not None:
            query[key] = value
    labels = options.pop("label", ())
    if labels:
        query["labels"] = list(labels)
    groups = options.pop("group", ())
    if groups:
        query["group"] = list(groups)
    return query


def describe_selection(query: dict[str, Any]) -> str:
    """The selection as the options that make it, for messages: ``--network IU --label a,b``.

    Examples
    --------
    >>> describe_selection({"network": "IU", "labels": ["a", "b"]})
    '--network IU --label a,b'
    """
    words = []
    for key, value in query.items():
        option = {"labels": "label"}.get(key, key).replace("_", "-")
        values = value if isinstance(value, (list, tuple)) else [value]
        words.append(f"--{option} {','.join(str(v) for v in values)}")
    return " ".join(words)
