"""The work folder of a batch run: its plan, one journal per chunk, the part files.

Layout, beside the output ``OUT``::

    OUT.batch/
      plan.json                          input, station list, chunk count, job identity
      chunk-0000-of-0004.h5              a chunk's output (written atomically when the chunk ends)
      chunk-0000-of-0004/
        journal.json                     done and failed stations, runs (atomic rewrite per station)
        stations/NET.STA.h5              one part file per station (atomic rename per station)

Why this survives SIGKILL: a station is *committed* the moment its part file
is renamed into place (a rename is atomic); the journal is rewritten under a
temporary name, fsync'ed and renamed after each station, so it is always
either the old or the new complete JSON.  If the driver dies between the two
renames, the next run finds a part file the journal does not list and adopts
it as done — a committed station is never processed again.  Failed stations
are only ever in the journal, and are retried by the next run.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BatchError
from .partition import ChunkSpec

__all__ = ["ChunkJournal", "Plan", "WorkDir"]

log = logging.getLogger(__name__)

_PLAN_FORMAT = 1


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON under a temporary name, fsync, rename: readers see old or new, never half."""
    temp = path.with_name(f".{path.name}.{socket.gethostname()}.{os.getpid()}.partial")
    with open(temp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, path)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BatchError(f"invalid batch record {str(path)!r}: {exc}") from exc


@dataclass(frozen=True)
class Plan:
    """What every chunk of one run agrees on."""

    input: str
    stations: tuple[str, ...]
    chunks: int
    job: str
    tag: str
    input_tag: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": _PLAN_FORMAT,
            "input": self.input,
            "stations": list(self.stations),
            "chunks": self.chunks,
            "job": self.job,
            "tag": self.tag,
            "input_tag": self.input_tag,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        return cls(
            data["input"],
            tuple(data["stations"]),
            int(data["chunks"]),
            data["job"],
            data["tag"],
            data.get("input_tag"),
        )

    def mismatch(self, other: Plan) -> str | None:
        """Why ``other`` is not the same run, or None."""
        for name in ("input", "chunks", "job", "tag", "input_tag", "stations"):
            if getattr(self, name) != getattr(other, name):
                mine = getattr(self, name)
                theirs = getattr(other, name)
                if name == "stations":
                    mine, theirs = f"{len(mine)} stations", f"{len(theirs)} stations"
                return f"{name} is {theirs!r} here but {mine!r} in the work folder"
        return None


@dataclass
class ChunkJournal:
    """Done and failed stations of one chunk, and the stations each run processed."""

    path: Path
    chunk: str
    stations: list[str]
    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path, chunk: ChunkSpec, stations: Sequence[str]) -> ChunkJournal:
        if not path.exists():
            return cls(path, str(chunk), list(stations))
        data = _read_json(path)
        return cls(
            path,
            data["chunk"],
            list(data["stations"]),
            dict(data["done"]),
            dict(data["failed"]),
            list(data["runs"]),
        )

    @property
    def pending(self) -> list[str]:
        return [s for s in self.stations if s not in self.done and s not in self.failed]

    def start_run(self, backend: str) -> None:
        self.runs.append({"started": _now(), "backend": backend, "processed": [], "adopted": []})
        self.save()

    def adopt(self, station: str) -> None:
        """A part file exists that the journal missed (killed between the two renames)."""
        self.done[station] = {"adopted": True}
        self.failed.pop(station, None)
        self.runs[-1]["adopted"].append(station)

    def record(self, station: str, entry: dict[str, Any], ok: bool) -> None:
        (self.done if ok else self.failed)[station] = entry
        if ok:
            self.failed.pop(station, None)
        self.runs[-1]["processed"].append(station)
        self.save()

    def finish_run(self) -> None:
        self.runs[-1]["finished"] = _now()
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(
            self.path,
            {
                "chunk": self.chunk,
                "stations": self.stations,
                "done": self.done,
                "failed": self.failed,
                "runs": self.runs,
            },
        )


class WorkDir:
    """Paths of the work folder that belongs to an output file."""

    def __init__(self, output: str | os.PathLike[str]) -> None:
        self.output = Path(output)
        self.root = self.output.with_name(self.output.name + ".batch")

    @property
    def plan_path(self) -> Path:
        return self.root / "plan.json"

    def chunk_file(self, chunk: ChunkSpec) -> Path:
        return self.root / f"{chunk.name}.h5"

    def chunk_dir(self, chunk: ChunkSpec) -> Path:
        return self.root / chunk.name

    def journal_path(self, chunk: ChunkSpec) -> Path:
        return self.chunk_dir(chunk) / "journal.json"

    def part(self, chunk: ChunkSpec, station: str) -> Path:
        return self.chunk_dir(chunk) / "stations" / f"{station}.h5"

    def parts(self, chunk: ChunkSpec) -> dict[str, Path]:
        """Committed part files (temporary ``.partial`` files are not parts)."""
        folder = self.chunk_dir(chunk) / "stations"
        if not folder.is_dir():
            return {}
        return {p.stem: p for p in sorted(folder.glob("*.h5")) if not p.name.startswith(".")}

    def remove_partials(self, chunk: ChunkSpec) -> None:
        """Leftovers of a killed run of this chunk: temporary files that were never renamed.

        Only this chunk's own files: other array tasks may be writing theirs right now.
        """
        leftovers = [
            *(self.chunk_dir(chunk) / "stations").glob(".*.partial"),
            *self.chunk_dir(chunk).glob(".*.partial"),
            *self.root.glob(f".{chunk.name}.h5.*partial"),
        ]
        for leftover in leftovers:
            log.info("removing leftover %s", leftover)
            leftover.unlink(missing_ok=True)

    def read_plan(self) -> Plan | None:
        if not self.plan_path.exists():
            return None
        return Plan.from_dict(_read_json(self.plan_path))

    def require_plan(self) -> Plan:
        plan = self.read_plan()
        if plan is None:
            raise BatchError(f"no batch run for {str(self.output)!r}: {str(self.plan_path)!r} does not exist")
        return plan

    def ensure_plan(self, plan: Plan) -> None:
        """Write the plan, or check that the one there describes the same run."""
        existing = self.read_plan()
        if existing is None:
            self.root.mkdir(parents=True, exist_ok=True)
            write_json_atomic(self.plan_path, plan.to_dict())
            return
        why = existing.mismatch(plan)
        if why is not None:
            raise BatchError(
                f"work folder {str(self.root)!r} belongs to another run: {why}; "
                "choose another output or delete the folder"
            )

    def journal(self, chunk: ChunkSpec, stations: Sequence[str]) -> ChunkJournal:
        return ChunkJournal.load(self.journal_path(chunk), chunk, stations)
