"""A codes table: trace ids as read mapped to SEED ids, applied before conversion (``--codes``).

The CSV ``source_id,seed_id,reason`` is written by ``--codes-template``
(:mod:`asdfkit.io.codeproposal`, which documents the rule of its proposals)
and may be edited.  :class:`CodesTable` checks it and renames the traces it
lists; the mapping applied goes into the conversion's SEIS-PROV record
(:func:`codes_parameters`) and :func:`original_ids` reads it back.
"""

from __future__ import annotations

import csv
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from obspy import Stream

from ..errors import CodesError, InvalidNameError
from ..naming import check_codes

if TYPE_CHECKING:
    from ..container import ASDFFile

__all__ = [
    "CodeRow",
    "CodesTable",
    "advise_codes",
    "codes_advice",
    "codes_parameters",
    "original_ids",
    "write_table",
]

log = logging.getLogger(__name__)

HEADER = ("source_id", "seed_id", "reason")
#: ``ID#N``: the N-th trace read as ID with one start time in one file (multi-channel files without codes)
NTH = "#"
_NTH = NTH


@dataclass(frozen=True)
class CodeRow:
    """One line of a codes table: the id as read, the id to store, and why it changed."""

    source_id: str
    seed_id: str
    reason: str



def write_table(rows: Iterable[CodeRow], path: Path) -> None:
    """Write ``source_id,seed_id,reason`` (a header line, then one row per id)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow((row.source_id, row.seed_id, row.reason))


@dataclass
class CodesTable:
    """A codes table read from CSV: ``source_id`` → ``seed_id``; applied to traces as read."""

    path: Path
    mapping: dict[str, str]

    @classmethod
    def read(cls, path: str | Path) -> CodesTable:
        """Read and check a table (header ``source_id,seed_id[,reason]``; seed ids valid and unique)."""
        path = Path(path)
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                lines = list(csv.reader(handle))
        except (OSError, UnicodeDecodeError) as exc:
            raise CodesError(f"cannot read codes table {path}: {exc}") from exc
        if not lines or [c.strip() for c in lines[0][:2]] != list(HEADER[:2]):
            raise CodesError(f"codes table {path}: the first line must be 'source_id,seed_id,reason' "
                             "(asdf-cli convert INPUT... --codes-template FILE writes one)")
        mapping: dict[str, str] = {}
        owner: dict[str, str] = {}
        for number, line in enumerate(lines[1:], 2):
            if not line or not any(cell.strip() for cell in line):
                continue
            if len(line) < 2:
                raise CodesError(f"codes table {path}, line {number}: needs source_id and seed_id")
            source, target = line[0], line[1].strip()
            if source in mapping:
                raise CodesError(f"codes table {path}, line {number}: source_id {source!r} is listed twice")
            try:
                codes = target.split(".")
                if len(codes) != 4:
                    raise InvalidNameError(f"invalid seed_id {target!r}: must be NET.STA.LOC.CHA")
                check_codes(*codes)
            except InvalidNameError as exc:
                raise CodesError(f"codes table {path}, line {number}: {exc}") from exc
            if target in owner:
                raise CodesError(f"codes table {path}, line {number}: seed_id {target!r} is also the target of "
                                 f"{owner[target]!r}: each source id needs its own seed id")
            mapping[source] = target
            owner[target] = source
        return cls(path, mapping)

    def apply(self, stream: Stream) -> list[tuple[str, str]]:
        """Rename the traces the table lists (ids as read); return ``(source_id, seed_id)`` of those changed."""
        changed = []
        seen: Counter[tuple[str, int]] = Counter()
        for trace in stream:
            key = (trace.id, trace.stats.starttime.ns)
            seen[key] += 1
            source = f"{trace.id}{_NTH}{seen[key]}"  # the N-th trace of this id and start in this file
            if source not in self.mapping:
                source = trace.id
            target = self.mapping.get(source)
            if target is None or target == trace.id:
                continue
            changed.append((source, target))
            stats = trace.stats
            stats.network, stats.station, stats.location, stats.channel = target.split(".")
        return changed


_CODE_RULES = ("network code", "station code", "location code", "channel code")


def codes_advice(message: str) -> str:
    """A refusal about a trace's codes, with the way through: a codes table.

    Examples
    --------
    >>> codes_advice("invalid station code 'abcdef': must match ^[A-Z0-9]{1,5}$").endswith("--codes codes.csv")
    True
    """
    if not any(rule in message for rule in _CODE_RULES):
        return message
    return (f"{message}; to map codes that are not SEED codes, write a table with "
            "'asdf-cli convert INPUT... --codes-template codes.csv', check or edit it, then convert with "
            "--codes codes.csv")


@contextmanager
def advise_codes() -> Iterator[None]:
    """Re-raise a refused code (:class:`~asdfkit.errors.InvalidNameError`) with :func:`codes_advice`."""
    try:
        yield
    except InvalidNameError as exc:
        raise InvalidNameError(codes_advice(str(exc))) from exc


def codes_parameters(table: CodesTable | None, renamed: dict[str, str]) -> dict[str, str | int]:
    """Provenance parameters of a conversion that renamed traces: the table and the mapping applied.

    ``codes_mapping`` is a JSON object ``{source_id: seed_id}`` (ASCII: any code can be stored).
    """
    out: dict[str, str | int] = {"codes_renamed": len(renamed),
                                 "codes_mapping": json.dumps(dict(sorted(renamed.items())), ensure_ascii=True)}
    if table is not None:
        out["codes_table"] = str(table.path.resolve())
    return out


def original_ids(asdf: ASDFFile) -> dict[str, list[str]]:
    """``{seed_id: [source_id, ...]}``: the ids as read of traces a codes table renamed.

    Read from the ``codes_mapping`` of every conversion recorded in the file's
    SEIS-PROV documents (the lineage of a trace shows the same conversion).
    """
    from ..provenance.lineage import file_graph

    out: dict[str, list[str]] = {}
    for record in file_graph(asdf).records.values():
        text = record.attributes.get("codes_mapping")
        if not isinstance(text, str):
            continue
        try:
            mapping = json.loads(text)
        except ValueError:
            log.warning("provenance record %s: codes_mapping is not JSON", record.id)
            continue
        for source, target in mapping.items():
            if source not in out.setdefault(target, []):
                out[target].append(source)
    return out
