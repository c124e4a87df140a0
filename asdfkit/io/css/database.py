"""Where a CSS database's files are: descriptor, tables, schema, waveform paths.

A database ``name`` is the set of files ``name.<table>`` beside an optional
descriptor file ``name`` (``schema css3.0`` / ``css3.1``, ``dbpath``).  Waveform
files are ``dir/dfile`` of a wfdisc row, ``dir`` relative to the wfdisc file's
folder unless absolute; databases moved between machines keep absolute dirs
that no longer exist, which :func:`remap_dir` rewrites.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ...errors import AsdfkitError, FormatError, InvalidValueError, NotFoundError
from .tables import SCHEMAS, TABLES, Layout, Row, layout, read_rows

__all__ = ["CssDatabase", "remap_dir", "write_descriptor"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CssDatabase:
    """A located CSS database: its name, folder, schema and table files.

    Examples
    --------
    >>> db = CssDatabase.locate("berkeley_1998/example_2")      # doctest: +SKIP
    >>> db.schema, db.table_path("wfdisc").name                  # doctest: +SKIP
    ('css3.0', 'example_2.wfdisc')
    """

    name: str
    folder: Path
    schema: str
    search: tuple[Path, ...] = field(default=())
    on_error: Callable[[AsdfkitError], None] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def locate(cls, path: str | os.PathLike[str], schema: str | None = None) -> CssDatabase:
        """Find the database that ``path`` names.

        ``path`` may be the descriptor file, the common prefix of the table
        files (``dir/name``), any one table file (``dir/name.wfdisc``) or a
        folder holding exactly one database.
        """
        p = Path(path)
        if p.is_dir():
            p = _single_database(p)
        elif p.suffix.lstrip(".") in TABLES and not p.with_suffix("").is_dir():
            p = p.with_suffix("")
        folder, name = p.parent, p.name
        if not p.is_file() and not any((folder / f"{name}.{t}").is_file() for t in TABLES):
            raise NotFoundError(f"no CSS database at {path}: expected a descriptor or {name}.wfdisc etc.")
        declared, search = _read_descriptor(p) if p.is_file() else (None, ())
        chosen = schema or declared or _guess_schema(folder / f"{name}.wfdisc")
        if chosen not in SCHEMAS:
            raise InvalidValueError(f"invalid CSS schema {chosen!r} in {p}: must be one of {', '.join(SCHEMAS)}")
        return cls(name, folder, chosen, tuple(search))

    def table_path(self, table: str) -> Path | None:
        """The file of ``table`` (following ``dbpath``), or ``None`` if absent."""
        for prefix in (self.folder / self.name, *self.search):
            candidate = prefix.parent / f"{prefix.name}.{table}"
            if candidate.is_file():
                return candidate
        return None

    def layout(self, table: str) -> Layout:
        return layout(table, self.schema)

    def rows(self, table: str) -> Iterator[Row]:
        """Iterate the rows of ``table`` (nothing if the table is absent).

        A malformed row raises unless the database has an ``on_error``
        handler, which then receives the error and the row is skipped.
        """
        path = self.table_path(table)
        if path is None:
            return iter(())
        return read_rows(path, self.layout(table), self.on_error)


def _single_database(folder: Path) -> Path:
    names = sorted({p.with_suffix("").name for p in folder.glob("*.wfdisc")})
    if len(names) != 1:
        found = ", ".join(names) or "none"
        raise InvalidValueError(f"folder {folder} holds {len(names)} CSS databases ({found}): name one")
    return folder / names[0]


def _read_descriptor(path: Path) -> tuple[str | None, list[Path]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"cannot read CSS descriptor {path}: {exc}") from exc
    schema = None
    search: list[Path] = []
    for line in text.splitlines():
        key, _, value = line.strip().partition(" ")
        if key == "schema":
            schema = value.strip()
        elif key == "dbpath":
            for entry in value.split(":"):
                entry = entry.strip()
                if "{" in entry:
                    base, _, rest = entry.partition("{")
                    search.append((path.parent / base / rest.rstrip("}")).resolve())
    return schema, search


def _guess_schema(wfdisc: Path) -> str:
    """css3.1 if the first wfdisc row has the css3.1 width, else css3.0."""
    try:
        with open(wfdisc, encoding="utf-8", errors="replace") as handle:
            first = handle.readline()
    except OSError:
        return "css3.0"
    return "css3.1" if len(first.rstrip()) > layout("wfdisc").width else "css3.0"


def remap_dir(directory: str, remap: Mapping[str, str] | None) -> str:
    """Rewrite the longest matching prefix of ``directory`` (whole path parts only).

    Examples
    --------
    >>> remap_dir("/opt/ant/EXAMPLE_2", {"/opt/ant": "/data"})
    '/data/EXAMPLE_2'
    >>> remap_dir("/opt/antelope", {"/opt/ant": "/data"})
    '/opt/antelope'
    """
    if not remap:
        return directory
    parts = PurePosixPath(directory).parts
    best = None
    for old, new in remap.items():
        old_parts = PurePosixPath(old).parts
        if parts[: len(old_parts)] == old_parts and (best is None or len(old_parts) > len(best[0])):
            best = (old_parts, new)
    if best is None:
        return directory
    rest = parts[len(best[0]):]
    return str(PurePosixPath(best[1], *rest))


def write_descriptor(path: Path, schema: str) -> None:
    """Write an Antelope-style descriptor file ``name``."""
    path.write_text(f"#\nschema {schema}\ndbpath ./{{{path.name}}}\n", encoding="utf-8")
