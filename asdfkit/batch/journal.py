"""The work folder of a batch run: its plan, one journal per chunk, the part files.

Layout, beside the output ``OUT``::

    OUT.batch/
      plan.json                          input, station list, chunk count, job identity
      .chunk-0000-of-0004.lock           held by the run of that chunk (a second run exits 2)
      chunk-0000-of-0004.h5              a chunk's output (written atomically when the chunk ends)
      chunk-0000-of-0004/
        journal.jsonl                    append-only: one line per task (committed and failed stations)
        parts/FIRST+COUNT.TOKEN.h5       one part file per task: many stations, verified, renamed

Why this survives SIGKILL: a station is *committed* the moment the part file
holding it is renamed into place (a rename is atomic; the file was verified
and fsync'ed before).  The driver then appends one line to the journal — an
append of a few hundred bytes, flushed and fsync'ed; a line cut short by a
crash is ignored (and cut off) by the next run.  If the driver dies between
the rename and the append, the next run finds a part file the journal does
not list, verifies it again and *adopts* it: a committed station is never
processed again.  Failed stations are only ever in the journal, and are
retried by the next run.  The cost per task is one file and one line, not a
rewrite of a document that grows with every station.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..atomic import partial_path
from ..errors import BatchError, DiskFullError
from .partition import ChunkSpec

__all__ = ["ChunkJournal", "Plan", "WorkDir"]

log = logging.getLogger(__name__)

_PLAN_FORMAT = 1


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON under a temporary name, fsync, rename: readers see old or new, never half."""
    temp = partial_path(path)  # created exclusively, unpredictable name: a planted link is never followed
    try:
        with open(temp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise _append_failed(path, exc) from exc


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


def _append_failed(path: Path, exc: OSError) -> BaseException:
    if exc.errno == errno.ENOSPC:
        return DiskFullError(f"not enough space to write {str(path)!r}: the disk is full ({exc.strerror})")
    return exc


@dataclass
class ChunkJournal:
    """Done and failed stations of one chunk, its part files, and the stations each run processed.

    Kept as an append-only file of JSON lines (``journal.jsonl``); the state
    here is the replay of its lines.  Only what the driver decides with is kept
    in memory — each done station's part file (``None`` for an older journal),
    failures with their tracebacks, the run records — not the per-station
    timings the lines carry, so a chunk of many stations costs little more
    than its station list.
    """

    path: Path
    chunk: str
    stations: list[str]
    done: dict[str, str | None] = field(default_factory=dict)
    failed: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    parts: dict[str, list[str]] = field(default_factory=dict)
    packed: set[str] = field(default_factory=set)
    datasets: int | None = None  # in the chunk file, as its last pack counted them
    _valid_bytes: int = 0
    _handle: IO[str] | None = None

    @classmethod
    def load(cls, path: Path, chunk: ChunkSpec, stations: Sequence[str]) -> ChunkJournal:
        journal = cls(path, str(chunk), list(stations))
        if not path.exists():
            legacy = path.with_name("journal.json")
            if legacy.exists():
                raise BatchError(
                    f"work folder {str(path.parent)!r} was written by an older asdfkit ({legacy.name}); "
                    "finish the run with that version, or delete the folder"
                )
            return journal
        offset = 0
        with open(path, "rb") as lines:  # line by line: a long journal is never held whole
            for line in lines:
                if not line.endswith(b"\n"):  # the last line, cut short by a crash: never committed
                    log.info("%s: ignoring an incomplete last line (%d bytes)", path, len(line))
                    break
                try:
                    record = json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    raise BatchError(f"invalid batch record {str(path)!r} at byte {offset}: {exc}") from exc
                journal._replay(record)
                offset += len(line)
        journal._valid_bytes = offset
        return journal

    def _replay(self, record: dict[str, Any]) -> None:
        if "run" in record:
            self.runs.append({**record["run"], "processed": 0, "adopted": 0})
            return
        run = self.runs[-1] if self.runs else {"processed": 0, "adopted": 0}
        if "adopted" in record:
            name, stations = record["adopted"], list(record["stations"])
            self.parts[name] = stations
            for station in stations:
                self.done[station] = name
                self.failed.pop(station, None)
            run["adopted"] += len(stations)
        if "done" in record:
            name = record.get("part")
            if name is not None:
                self.parts[name] = list(record["done"])
            for station in record["done"]:
                self.done[station] = name
                self.failed.pop(station, None)
            run["processed"] += len(record["done"])
        if "failed" in record:
            self.failed.update(record["failed"])
            run["processed"] += len(record["failed"])
        if "packed" in record:
            self.packed.update(record["packed"])
            self.datasets = record.get("datasets")
        if "finished" in record:
            run["finished"] = record["finished"]

    @property
    def pending(self) -> list[str]:
        return [s for s in self.stations if s not in self.done and s not in self.failed]

    def _append(self, record: dict[str, Any]) -> None:
        """Append one line, flushed and fsync'ed (the driver holds the chunk's lock)."""
        try:
            if self._handle is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                if self.path.exists() and self.path.stat().st_size != self._valid_bytes:
                    os.truncate(self.path, self._valid_bytes)  # drop a line cut short by a crash
                self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept for the run
            self._handle.write(json.dumps(record, separators=(",", ":")) + "\n")
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as exc:
            raise _append_failed(self.path, exc) from exc
        self._replay(record)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def start_run(self, backend: str) -> None:
        self._append({"run": {"started": _now(), "backend": backend}})

    def adopt(self, part: str, stations: Sequence[str]) -> None:
        """A verified part file the journal missed (the driver was killed between rename and append)."""
        self._append({"adopted": part, "stations": list(stations)})

    def record(self, part: str | None, done: dict[str, dict[str, Any]], failed: dict[str, dict[str, Any]]) -> None:
        """One task's outcome: the stations committed in ``part`` and the failed ones."""
        record: dict[str, Any] = {}
        if done:
            record.update(part=part, done=done)
        if failed:
            record["failed"] = failed
        if record:
            self._append(record)

    def mark_packed(self, parts: Sequence[str], datasets: int) -> None:
        """The chunk file was (re)written holding ``parts`` (and the earlier ones): ``datasets`` in all."""
        self._append({"packed": list(parts), "datasets": datasets})

    def finish_run(self) -> None:
        self._append({"finished": _now()})
        self.close()


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
        return self.chunk_dir(chunk) / "journal.jsonl"

    def part_dir(self, chunk: ChunkSpec) -> Path:
        return self.chunk_dir(chunk) / "parts"

    def parts(self, chunk: ChunkSpec) -> dict[str, Path]:
        """Committed part files by name (temporary ``.partial`` files are not parts)."""
        folder = self.part_dir(chunk)
        if not folder.is_dir():
            return {}
        return {p.name: p for p in sorted(folder.glob("*.h5")) if not p.name.startswith(".")}

    def remove_partials(self, chunk: ChunkSpec) -> None:
        """Leftovers of a killed run of this chunk: temporary files that were never renamed.

        Only this chunk's own files: other array tasks may be writing theirs right now.
        """
        leftovers = [
            *self.part_dir(chunk).glob(".*.partial"),
            *self.chunk_dir(chunk).glob(".*.partial"),
            *self.root.glob(f".{chunk.name}.h5.*partial"),
            *self.root.glob(f"..{chunk.name}.h5.*partial"),
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
