"""remark ↔ QuakeML comments, both directions.

A CSS row points at its free-text comment through ``commid``; the remark table
holds the text as numbered lines of at most 80 characters (``commid``,
``lineno``, ``remark``).  Reading, the lines of one commid are joined with
newlines into one ``Comment`` (resource id ``.../comment/<commid>``) of the
object whose row names it.  Writing, each comment gets a new commid and is
cut into lines at its newlines and every 80 characters, so a longer line
comes back broken into lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from obspy.core.event import Comment, ResourceIdentifier

from .tables import Row

__all__ = ["RemarkRows", "Remarks"]


class Remarks:
    """The remark table of a database, by commid.

    Examples
    --------
    >>> from asdfkit.io.css.tables import Row
    >>> remarks = Remarks([Row({"commid": 3, "lineno": 2, "remark": "b"}, "db.remark", 2),
    ...                    Row({"commid": 3, "lineno": 1, "remark": "a"}, "db.remark", 1)])
    >>> remarks.text(3)
    'a\\nb'
    """

    def __init__(self, rows: Iterable[Row]) -> None:
        lines: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for row in rows:
            if row["commid"] is not None:
                lines[row["commid"]].append((row["lineno"] or 0, row["remark"] or ""))
        self._text = {commid: "\n".join(text for _, text in sorted(parts)) for commid, parts in lines.items()}
        self.used: set[int] = set()

    def text(self, commid: int | None) -> str | None:
        if commid is None or commid not in self._text:
            return None
        self.used.add(commid)
        return self._text[commid]

    def comments(self, commid: int | None, ids: Callable[..., ResourceIdentifier]) -> list[Comment]:
        """``[Comment]`` of ``commid``, or ``[]`` when the row names none (or a missing one)."""
        text = self.text(commid)
        return [] if text is None else [Comment(text=text, resource_id=ids("comment", commid))]

    def unused(self) -> list[int]:
        """Commids no converted row referred to."""
        return sorted(set(self._text) - self.used)


@dataclass
class RemarkRows:
    """Collects remark rows while writing; ``add`` returns the commid to put in the row."""

    width: int = 80
    rows: list[dict[str, Any]] = field(default_factory=list)
    _next: int = 1

    def add(self, comments: Iterable[Comment]) -> int | None:
        """One commid for all of an object's comments (``None`` when there are none).

        Examples
        --------
        >>> remarks = RemarkRows(width=4)
        >>> remarks.add([Comment(text="abcdef")]), [r["remark"] for r in remarks.rows]
        (1, ['abcd', 'ef'])
        """
        texts = [c.text for c in comments if c.text]
        if not texts:
            return None
        commid = self._next
        self._next += 1
        lineno = 0
        for line in "\n".join(texts).split("\n"):
            for start in range(0, max(len(line), 1), self.width):
                lineno += 1
                self.rows.append(
                    {"commid": commid, "lineno": lineno, "remark": line[start : start + self.width] or None}
                )
        return commid
