"""Convert seismological data into ASDF: waveforms, inventories, events, CSS3.0 databases.

:func:`convert_to_asdf` reads the metadata files first (inventories,
catalogues, AIMBAT JSON); the data pass then reads each waveform file once,
one at a time (memory does not grow with the input size), adds its traces
completely or not at all and keeps what SAC headers say (events, stations,
picks).  At the end near-duplicate events are merged and every trace is
associated with its events (an attribute write per trace, no data re-read).
The output is written under a temporary name and renamed at the end; the
conversion is recorded as SEIS-PROV (input files as ``file`` entities, the
conversion activity, one waveform entity per trace).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import obspy
from obspy import Inventory, Stream
from obspy.core.event import Catalog, Event

from .. import xmlsafe
from ..atomic import atomic_path
from ..container import ASDFFile
from ..container import open as open_asdf
from ..container.chunks import STATS_KEY, encode
from ..container.compression import Compression, parse_compression
from ..container.diskspace import ensure_space
from ..container.verify import verify_complete
from ..container.waveforms import cast_dtype, cast_samples
from ..errors import (
    AsdfkitError,
    DiskFullError,
    InvalidDtypeError,
    InvalidValueError,
    NotFoundError,
    XMLError,
)
from ..locking import writer_lock
from ..naming import TraceName, check_codes, check_tag, join_labels
from ..provenance import ProvenanceRecorder
from ..spec import DEFAULT_VERSION, spec_for
from .codes import CodesTable, advise_codes, codes_parameters
from .dedupe import merge_duplicates
from .jsonmeta import read_json_metadata
from .readers import WaveformReader
from .sacmeta import SacMetadata
from .sources import Source, classify_all, expand
from .textlogs import store_text_records
from .tracecheck import BadTraceError, CheckedInput, check_traces

__all__ = ["ConvertOptions", "ConvertReport", "convert_to_asdf"]

log = logging.getLogger(__name__)


@dataclass
class ConvertOptions:
    """What a conversion into ASDF does (see ``asdf-cli convert --help``)."""

    tag: str = "raw_recording"
    labels: list[str] = field(default_factory=list)
    network: str | None = None        # for traces whose network code is empty
    station: str | None = None        # for traces whose station code is empty (SEG-Y...)
    location: str | None = None       # for traces whose location code is empty
    channel: str | None = None        # replaces every trace's channel code
    format: str | None = None         # force an ObsPy waveform format
    stations: list[Path] = field(default_factory=list)
    events: list[Path] = field(default_factory=list)
    event_window: tuple[float, float] = (60.0, 3600.0)  # seconds before/after origin
    associate: bool = True
    dedupe_time: float = 10.0
    dedupe_distance_km: float = 100.0
    merge: bool = False
    cast: str | None = None
    compression: str = "gzip"
    append: bool = False
    in_place: bool = False
    skip_bad: bool = False
    on_duplicate: str = "raise"
    overwrite: bool = False           # replace an existing output (else it is refused, unless appending)
    jobs: int = 0                     # threads; 0: automatic (see resolve_jobs)
    progress: bool = False
    # options for CSS3.0 databases: default_network, remap {old: new}, data_roots [folders samples may come from]
    css: dict[str, Any] = field(default_factory=dict)
    codes: Path | None = None          # a codes table (source_id,seed_id,reason): see asdfkit.io.codes

    def check(self) -> None:
        """Refuse invalid values before any input is read (each error names the value and the rule)."""
        for name, codes in (("network", (self.network, "STA", "", "BHZ")), ("station", ("XX", self.station, "", "BHZ")),
                            ("location", ("XX", "STA", self.location, "BHZ")),
                            ("channel", ("XX", "STA", "", self.channel))):
            if getattr(self, name) is not None:
                check_codes(*codes)  # type: ignore[arg-type]
        check_tag(self.tag)
        if self.labels:
            join_labels(self.labels)
        target = cast_dtype(self.cast)
        if target is not None and not spec_for(DEFAULT_VERSION).allows_dtype(target):
            raise InvalidDtypeError(f"invalid cast dtype {target}: ASDF waveforms must be one of "
                                    f"{spec_for(DEFAULT_VERSION).dtype_names}")
        before, after = self.event_window
        for what, value in (("event window before the origin", before), ("event window after the origin", after),
                            ("dedupe time", self.dedupe_time), ("dedupe distance", self.dedupe_distance_km)):
            if not value >= 0:
                raise InvalidValueError(f"invalid {what} {value}: must be >= 0")
        if self.on_duplicate not in ("raise", "skip"):
            raise InvalidValueError(f"invalid on_duplicate {self.on_duplicate!r}: must be 'raise' or 'skip'")


@dataclass
class ConvertReport:
    """What a conversion did."""

    output: str = ""
    inputs: int = 0
    traces: int = 0
    samples: int = 0
    stations: int = 0
    events: int = 0
    picks: int = 0
    merged_events: dict[str, list[str]] = field(default_factory=dict)
    merged_traces: int = 0  # traces joined into others by --merge across input files
    bad_inputs: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)  # traces and files skipped, with reasons
    widened: list[dict[str, Any]] = field(default_factory=list)  # traces widened losslessly (uint8 -> int16...)
    logs: list[str] = field(default_factory=list)  # text records stored as auxiliary data
    warnings: list[str] = field(default_factory=list)
    provenance_document: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dictionary."""
        return dict(self.__dict__)


class _Bad(Exception):
    """An unreadable input, with its reason (``trace``: one bad trace, the message names its remedy)."""

    def __init__(self, reason: str, trace: bool = False) -> None:
        super().__init__(reason)
        self.trace = trace


def _read_waveform(path: Path, reader: WaveformReader, lock: threading.Lock | None = None) -> Stream:
    try:
        return reader.read(path, lock)
    except Exception as exc:  # noqa: BLE001 - obspy raises anything on bad files
        raise _Bad(f"{type(exc).__name__}: {exc}") from exc


def _read_metadata(path: Path, read: Callable[[str], Any], what: str) -> Any:
    """An inventory or catalogue through ObsPy; XML is first checked by the safe parser."""
    try:
        data = path.read_bytes()
        if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
            xmlsafe.parse(data, f"{what} {path}")
        return read(str(path))
    except XMLError as exc:
        raise _Bad(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - obspy raises anything on bad files
        raise _Bad(f"{type(exc).__name__}: {exc}") from exc


def _reader(read: Callable[..., Any], fmt: str | None) -> Callable[[str], Any]:
    """``read`` with the format classification found (ObsPy then skips its own detection)."""
    if fmt is None:
        return read  # type: ignore[no-any-return]
    return lambda name: read(name, format=fmt)


_STORED = "(the file appended to)"


class _Converter:
    def __init__(self, options: ConvertOptions, report: ConvertReport) -> None:
        self.o = options
        self.report = report
        self.inventory = Inventory(networks=[], source="asdfkit convert")
        self.event_sources: list[Event] = []
        self.event_labels: list[str] = []  # the source (file) of each of event_sources
        self.stored: list[Event] = []  # events of the file appended to (trusted first, never re-added)
        self.sources: dict[str, frozenset[str]] = {}  # kept event id -> its sources
        self.changed: set[str] = set()  # kept events that took origins, picks... from merged ones
        self.sac = SacMetadata()  # events, picks and stations of the SAC headers, by trace key
        self.catalog = Catalog()
        self.mapping: dict[str, str] = {}
        self.derived: dict[str, list[str]] = {}
        self.outputs: list[str] = []
        self.written: list[tuple[str, str, Any, Any]] = []  # (path, key, start, end) per trace
        self.used_files: list[str] = []
        self.css_files: set[str] = set()  # waveform files read through a CSS3.0 wfdisc
        self.empty: list[str] = []  # metadata files read that hold nothing
        self.reader = WaveformReader(options.format)
        self.codes = CodesTable.read(options.codes) if options.codes is not None else None
        self.renamed: dict[str, str] = {}  # source id -> seed id, applied by the codes table

    # -- helpers -----------------------------------------------------------------------
    def bad(self, path: Path, reason: str, remedy: str = " (use --skip-bad to skip unreadable inputs)") -> None:
        if not self.o.skip_bad:
            raise InvalidValueError(f"cannot read {path}: {reason}{remedy}")
        log.warning("skipping %s: %s", path, reason)
        self.report.bad_inputs.append({"path": str(path), "reason": reason})
        self.report.skipped.append({"path": str(path), "reason": reason})

    def checked(self, f: ASDFFile, path: Path, checked: CheckedInput) -> None:
        """Store one checked input: its traces (all or nothing), its text records; report the rest."""
        texts = Stream(checked.texts)
        if texts:
            if self.codes is not None:  # text channels are renamed like the samples
                self.renamed.update(self.codes.apply(texts))
            self.fix_codes(texts)
            for trace in texts:  # refused before anything of this input is stored
                check_codes(trace.stats.network, trace.stats.station, trace.stats.location, trace.stats.channel)
        self.write_stream(f, path, checked.stream)
        for entry in checked.skipped:
            count = f" ({entry['count']} traces)" if entry["count"] > 1 else ""
            log.warning("%s: skipped %s%s: %s", path, entry["trace"], count, entry["reason"])
        self.report.skipped += checked.skipped
        self.report.widened += checked.widened
        for note in checked.notes:
            log.warning("%s", note)
        self.report.warnings += checked.notes
        if texts:
            written = store_text_records(f, texts, skip_identical=self.o.on_duplicate == "skip")
            self.report.logs += written
            self.outputs += written
            for item in written:
                self.derived[item] = [str(path)]
            self.used_files.append(str(path))

    def fix_codes(self, stream: Stream) -> None:
        numbers = _station_numbers(stream) if not self.o.station and any(not t.stats.station for t in stream) else []
        for index, trace in enumerate(stream):
            stats = trace.stats
            if not stats.network and self.o.network:
                stats.network = self.o.network
            if not stats.station and self.o.station:
                stats.station = self.o.station
            elif not stats.station:
                stats.station = numbers[index]
            if not stats.location and self.o.location:
                stats.location = self.o.location
            if self.o.channel:
                stats.channel = self.o.channel

    # -- pass 1: metadata --------------------------------------------------------------
    def metadata(self, sources: list[Source]) -> None:
        for path in self.o.stations:
            self.add_inventory(path)
        for path in self.o.events:
            self.add_events(path)
        for source in sources:
            if source.kind == "inventory":
                self.add_inventory(source.path, source.format)
            elif source.kind == "seed":
                self.add_volume_stations(source.path)
            elif source.kind == "events":
                self.add_events(source.path, source.format)
            elif source.kind == "json":
                self.add_json(source.path)
        self.catalog = Catalog(events=list(self.stored))
        self.sources = {str(e.resource_id): frozenset({_STORED}) for e in self.stored}
        self.merge_events(self.event_sources, self.event_labels)

    def merge_events(self, events: list[Event], labels: list[str]) -> None:
        """Merge events of new sources into the catalogue, whose events come first (more trusted).

        Updates the catalogue, each kept event's sources, the events that changed,
        the mapping dropped id → kept id (composed with earlier merges) and the report.
        """
        if not events:
            return
        kept = list(self.catalog)
        sources: list[str | frozenset[str]] = [self.sources.get(str(e.resource_id), frozenset()) for e in kept]
        merged = merge_duplicates(kept + events, self.o.dedupe_time, self.o.dedupe_distance_km,
                                  sources=sources + list(labels))
        self.catalog, self.sources = merged.catalog, merged.sources
        self.changed |= merged.changed
        for old, new in list(self.mapping.items()):  # compose: an earlier target may be merged now
            self.mapping[old] = merged.mapping.get(new, new)
        self.mapping.update(merged.mapping)
        for kept_id, old_ids in merged.merged.items():
            self.report.merged_events.setdefault(kept_id, []).extend(old_ids)

    def sac_metadata(self) -> None:
        """Merge the events of the SAC headers into the catalogue and attach their picks."""
        sac_events = list({str(e.resource_id): e for e in self.sac.events.values()}.values())
        self.merge_events(sac_events, [f"SAC headers: {e.resource_id}" for e in sac_events])
        by_id = {str(e.resource_id): e for e in self.catalog}
        for key, picks in self.sac.picks.items():
            event = self.sac.events.get(key)
            if event is None:
                continue
            target_id = self.mapping.get(str(event.resource_id), str(event.resource_id))
            target = by_id.get(target_id)
            if target is not None:
                have = {str(p.resource_id) for p in target.picks}
                new_picks = [p for p in picks if str(p.resource_id) not in have]
                if new_picks:
                    target.picks.extend(new_picks)
                    self.changed.add(target_id)  # a stored event gaining picks is rewritten
        orphans = sum(len(p) for k, p in self.sac.picks.items() if k not in self.sac.events)
        if orphans:
            self.report.warnings.append(
                f"{orphans} SAC pick(s) belong to traces without an event (no evla/evlo/o in the "
                "header and no event given); QuakeML can only hold picks inside an event"
            )

    def add_json(self, path: Path) -> None:
        """Events and stations of an AIMBAT-style JSON file (each JSON file is read once)."""
        if str(path) in self.used_files:
            return
        try:
            catalog, inventory = read_json_metadata(path)
        except (AsdfkitError, OSError) as exc:
            self.bad(path, str(exc))
            return
        self.inventory += inventory
        self.event_sources.extend(catalog)
        self.event_labels.extend([str(path)] * len(catalog))
        self.used_files.append(str(path))

    def add_inventory(self, path: Path, fmt: str | None = None) -> None:
        if path.suffix.lower() == ".json":
            self.add_json(path)
            return
        try:
            inventory = _read_metadata(path, _reader(obspy.read_inventory, fmt), "inventory")
        except _Bad as exc:
            self.bad(path, str(exc))
        else:
            dropped = self.drop_invalid_stations(path, inventory)
            if dropped and not any(network.stations for network in inventory):
                self.empty.append(f"{path}: every station left out ({dropped}: codes ASDF cannot hold)")
            elif not any(network.stations for network in inventory):
                # ASDF keeps StationXML per station: a network-level document has nothing to store
                self.empty.append(f"{path}: an inventory without any station (ASDF stores StationXML "
                                  "per station)")
            self.inventory += inventory
            self.used_files.append(str(path))

    def drop_invalid_stations(self, path: Path, inventory: Inventory) -> int:
        """Stations whose codes ASDF cannot name (``NET.STA`` groups) are left out, with a warning each."""
        from ..naming import StationId

        dropped = 0
        for network in inventory:
            kept = []
            for station in network.stations:
                try:
                    StationId.from_codes(network.code, station.code)
                except AsdfkitError as exc:
                    message = f"{path}: station {network.code}.{station.code} left out: {exc}"
                    log.warning("%s", message)
                    self.report.warnings.append(message)
                    dropped += 1
                else:
                    kept.append(station)
            network.stations = kept
        return dropped

    def add_volume_stations(self, path: Path) -> None:
        """The stations of a full SEED volume's control headers; a warning when ObsPy cannot parse them."""
        try:
            inventory = _read_metadata(path, _reader(obspy.read_inventory, "SEED"), "inventory")
            self.drop_invalid_stations(path, inventory)
            self.inventory += inventory
        except _Bad as exc:
            message = (f"{path}: the stations of this full SEED volume were not read (ObsPy's SEED parser: "
                       f"{exc}); its waveforms are converted; give its stations with --stations")
            log.warning("%s", message)
            self.report.warnings.append(message)
        else:
            self.used_files.append(str(path))

    def add_events(self, path: Path, fmt: str | None = None) -> None:
        if path.suffix.lower() == ".json":
            self.add_json(path)
            return
        try:
            catalog = _read_metadata(path, _reader(obspy.read_events, fmt), "event file")
        except _Bad as exc:
            self.bad(path, str(exc))
            return
        if not len(catalog):
            self.empty.append(f"{path}: an event file without any event")
        self.report_same_ids(path, catalog)
        self.event_sources.extend(catalog)
        self.event_labels.extend([str(path)] * len(catalog))
        self.used_files.append(str(path))

    def report_same_ids(self, path: Path, catalog: Catalog) -> None:
        """Repeated resource ids in one event file: reported (events of one id become one event)."""
        from .eventids import complete_waveform_ids, repeated_ids

        for message in repeated_ids(catalog, str(path)):
            log.warning("%s", message)
            self.report.warnings.append(message)
        if complete_waveform_ids(catalog):
            log.info("%s: waveform ids without network or station code written with empty codes", path)

    def sac_headers(self, stream: Stream) -> None:
        """SAC headers carry events, stations and picks (kept until the end of the data pass)."""
        for trace in stream:
            self.sac.add(trace)

    def stations(self, sac_only: bool = False) -> Inventory:
        """Explicit metadata first; SAC-header stations only where nothing else describes them."""
        from obspy.core.inventory import Network

        have = {(n.code, s.code) for n in self.inventory for s in n}
        networks = [] if sac_only else list(self.inventory.networks)
        for network in self.sac.inventory():
            extra = [s for s in network if (network.code, s.code) not in have]
            if extra:
                networks.append(Network(code=network.code, stations=extra))
        return Inventory(networks=networks, source=self.inventory.source)

    # -- pass 2: data ------------------------------------------------------------------
    def event_ids(self, key: str, start: Any, end: Any) -> list[str]:
        event = self.sac.events.get(key)
        if event is not None:
            rid = str(event.resource_id)
            return [self.mapping.get(rid, rid)]
        if not self.o.associate:
            return []
        before, after = self.o.event_window
        ids = []
        for candidate in self.catalog:
            origin = candidate.preferred_origin() or (candidate.origins[0] if candidate.origins else None)
            if origin is None or origin.time is None:
                continue
            if origin.time - before <= end and origin.time + after >= start:
                ids.append(str(candidate.resource_id))
        return ids

    def merge_across(self, f: ASDFFile) -> None:
        """Join this run's contiguous traces of a channel written from different input files."""
        from .merge import merge_contiguous

        results = merge_contiguous(f, self.outputs, self.o.tag, self.o.labels)
        if not results:
            return
        replaced = {piece for merged in results for piece in merged.pieces}
        entries = {w[0]: w for w in self.written if w[0] in replaced}
        self.written = [w for w in self.written if w[0] not in replaced]
        self.outputs = [o for o in self.outputs if o not in replaced]
        for merged in results:
            mine = [entries[p] for p in merged.pieces if p in entries]
            if mine:
                self.written.append((merged.item, mine[0][1], min(e[2] for e in mine), max(e[3] for e in mine)))
            self.outputs.append(merged.item)
            self.derived[merged.item] = list(dict.fromkeys(
                src for piece in merged.pieces for src in self.derived.pop(piece, [])))
            self.report.traces -= len(merged.pieces) - 1
            self.report.merged_traces += len(merged.pieces)

    def write_stream(self, f: ASDFFile, path: Path, stream: Stream, sources: list[str] | None = None) -> None:
        """Store one input's traces (all or nothing); ``sources``: the files they derive from."""
        if self.codes is not None:
            self.renamed.update(self.codes.apply(stream))
        self.fix_codes(stream)
        if self.o.merge:
            # contiguous or identical-overlap segments only: overlaps with different samples and
            # changes of sampling rate stay separate traces (method=1 would overwrite one of them)
            try:
                stream.merge(method=-1)
            except Exception as exc:  # noqa: BLE001 - ObsPy raises TypeError, ValueError or a plain Exception
                raise InvalidValueError(f"cannot merge the segments of {path}: {exc}") from exc
        for trace in stream:
            if isinstance(trace.data, np.ma.MaskedArray) and not trace.data.mask.any():
                trace.data = trace.data.data
        with advise_codes():  # a refusal of a code says how to map it
            written = f.add_waveforms(stream, self.o.tag, labels=self.o.labels or None, cast=self.o.cast,
                                      on_duplicate=self.o.on_duplicate)  # type: ignore[arg-type]
        self.sac_headers(stream)  # only once the file's traces are stored (all or nothing)
        for trace, item in _pair(stream, written):  # skipped duplicates have no item
            self.written.append((item, self.sac.key(trace), trace.stats.starttime, trace.stats.endtime))
        self.outputs += written
        for item in written:
            self.derived[item] = list(sources or [str(path)])
        self.used_files.extend(sources or [str(path)])
        self.report.traces += len(written)
        self.report.samples += sum(len(t.data) for t in stream)


def _station_numbers(stream: Stream) -> list[str]:
    """:func:`_trace_number` of each trace; the positions instead when header numbers repeat."""
    numbers = [_trace_number(t.stats, i) for i, t in enumerate(stream)]
    if len(set(numbers)) < len(numbers) and all(numbers):
        numbers = [str(i + 1) if i + 1 < 100_000 else "" for i in range(len(stream))]
    return numbers


def _trace_number(stats: Any, index: int) -> str:
    """A SEG-Y / Seismic Unix trace's number as its station code (those formats have no codes).

    The trace header's sequence number within the line, else within the file,
    else the position in the file (from 1); other formats keep their empty code
    (and are refused with advice to pass ``--station``).
    """
    for fmt in ("segy", "su"):
        header = getattr(stats.get(fmt), "trace_header", None)
        if header is not None:
            for name in ("trace_sequence_number_within_line", "trace_sequence_number_within_segy_file"):
                number = int(getattr(header, name, 0) or 0)
                if 0 < number < 100_000:
                    return str(number)
            return str(index + 1) if index + 1 < 100_000 else ""
    return ""


def _pair(stream: Stream, written: list[str]) -> Iterator[tuple[Any, str]]:
    """The traces of ``stream`` with the dataset each was written to (all, or those not skipped)."""
    if len(written) == len(stream):
        yield from zip(stream, written, strict=True)
        return
    for item in written:
        name = TraceName.parse(item.rsplit("/", 1)[-1])
        start = name.start_ns
        for trace in stream:
            if trace.id == name.seed_id and abs(trace.stats.starttime.ns - start) < 10**9:
                yield trace, item
                break


def _encode(stream: Stream, settings: Compression, cast: str | None) -> None:
    """Compress a stream's chunks (in a thread: zlib runs without the GIL); the writer stores them."""
    for trace in stream:
        if isinstance(trace.data, np.ma.MaskedArray):
            continue
        if cast is not None:
            trace.data = cast_samples(trace.data, np.dtype(cast), trace.id)
        encoded = encode(trace.data, settings)
        if encoded is not None:
            trace.stats[STATS_KEY] = encoded


#: Most threads ``jobs=0`` starts: beyond this the writing thread is the bottleneck.
AUTO_JOBS_MAX = 4

#: ``jobs=0`` starts threads only for inputs of at least this median size: smaller files (SAC
#: files of a few thousand samples) convert as fast in one thread as threads can hand them over.
AUTO_JOBS_MIN_BYTES = 64 * 1024


def resolve_jobs(jobs: int, paths: Sequence[Path] = ()) -> int:
    """The number of threads for ``jobs``: itself, or for 0 (automatic) a choice by machine and inputs.

    Automatic: one thread per CPU this process may run on (SLURM and
    ``taskset`` limits hold), at most :data:`AUTO_JOBS_MAX`, when the median
    input file is at least :data:`AUTO_JOBS_MIN_BYTES`; otherwise 1 (no threads).

    Examples
    --------
    >>> resolve_jobs(3)
    3
    >>> 1 <= resolve_jobs(0) <= AUTO_JOBS_MAX
    True
    """
    if jobs < 0:
        raise InvalidValueError(f"invalid jobs {jobs}: must be 0 (automatic) or a positive number of threads")
    if jobs:
        return jobs
    sizes = sorted(path.stat().st_size for path in paths if path.is_file())
    if sizes and sizes[len(sizes) // 2] < AUTO_JOBS_MIN_BYTES:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, AUTO_JOBS_MAX))


#: Inputs smaller than this are handed to a thread together, up to this many bytes per hand-over.
BATCH_BYTES = 1 << 20


def _read_and_encode(paths: list[Path], reader: WaveformReader, lock: threading.Lock, settings: Compression,
                     cast: str | None, check: _Check) -> list[CheckedInput | _Bad]:
    """Thread task: decode files (ObsPy's readers one at a time, SAC in parallel), check their traces
    and compress their chunks."""
    out: list[CheckedInput | _Bad] = []
    for path in paths:
        try:
            # ObsPy's readers are not thread-safe (libmseed logs through global callbacks): the
            # reader holds the lock for them, not for asdfkit's own SAC decoder
            checked = check(path, _read_waveform(path, reader, lock))
        except _Bad as exc:
            out.append(exc)
            continue
        try:
            _encode(checked.stream, settings, cast)
        except AsdfkitError as exc:
            out.append(_Bad(str(exc)))
            continue
        out.append(checked)
    return out


_Check = Callable[[Path, Stream], CheckedInput]


def _checker(options: ConvertOptions) -> _Check:
    """:func:`check_traces` with the options; a bad trace becomes a :class:`_Bad` naming its remedy."""

    def check(path: Path, stream: Stream) -> CheckedInput:
        try:
            return check_traces(stream, path, cast=options.cast, skip_bad=options.skip_bad,
                                drop_duplicates=options.on_duplicate == "skip")
        except BadTraceError as exc:
            raise _Bad(str(exc), trace=True) from exc

    return check


def _batches(paths: list[Path]) -> Iterator[list[Path]]:
    """Consecutive inputs grouped up to :data:`BATCH_BYTES` (a bigger file is a batch of its own)."""
    batch: list[Path] = []
    size = 0
    for path in paths:
        try:
            nbytes = path.stat().st_size
        except OSError:
            nbytes = 0  # reported when read
        if batch and size + nbytes > BATCH_BYTES:
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += nbytes
    if batch:
        yield batch


def _streams(paths: list[Path], reader: WaveformReader, jobs: int, compression: str | None = None,
             cast: str | None = None, check: _Check | None = None) -> Iterator[tuple[Path, CheckedInput | _Bad]]:
    """Decoded streams in input order; with ``jobs > 1`` prepared by ``jobs`` threads.

    Each thread decodes files (one decoder runs at a time: ObsPy's readers are
    not thread-safe) and compresses their chunks (zlib runs without the GIL;
    most of the work for miniSEED) while this thread writes the files before.
    Small files go to a thread in batches of about :data:`BATCH_BYTES`; at most
    ``2 * jobs`` batches are in flight, so memory stays bounded.
    """
    settings = parse_compression(compression) if compression is not None else None
    check = check or _checker(ConvertOptions(cast=cast))
    if jobs <= 1 or settings is None:
        for path in paths:
            try:
                yield path, check(path, _read_waveform(path, reader))
            except _Bad as exc:
                yield path, exc
        return
    lock = threading.Lock()
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="asdfkit-convert")
    pending: deque[tuple[list[Path], Future[list[CheckedInput | _Bad]]]] = deque()
    try:
        for batch in _batches(paths):
            pending.append((batch, pool.submit(_read_and_encode, batch, reader, lock, settings, cast, check)))
            while len(pending) > 2 * jobs:
                done, future = pending.popleft()
                yield from zip(done, future.result(), strict=True)
        while pending:
            done, future = pending.popleft()
            yield from zip(done, future.result(), strict=True)
    finally:  # Ctrl-C or an error: drop the queued batches, wait for the ones in hand
        pool.shutdown(wait=True, cancel_futures=True)


def convert_to_asdf(
    inputs: Iterable[str | Path],
    output: str | Path,
    options: ConvertOptions | None = None,
    *,
    css_reader: Callable[..., Any] | None = None,
) -> ConvertReport:
    """Convert waveform files, inventories, events and CSS3.0 databases into one ASDF file.

    Parameters
    ----------
    inputs : paths, directories or globs
        Directories are walked recursively (SDS archives, FDSN mass-download
        layouts); each file is classified by content.
    output : path
        The ASDF file.  Written under a temporary name and renamed at the end;
        with ``options.append`` the existing file is extended the same way
        (on a copy), or in place with ``options.in_place`` (not crash-safe).
    options : ConvertOptions

    Returns
    -------
    ConvertReport
    """
    options = options or ConvertOptions()
    options.check()
    output = Path(output)
    # One writer at a time, from reading the existing file's events to the commit.
    with writer_lock(output):
        return _convert_locked(inputs, output, options, css_reader)


def _convert_locked(
    inputs: Iterable[str | Path],
    output: Path,
    options: ConvertOptions,
    css_reader: Callable[..., Any] | None,
) -> ConvertReport:
    started = time.perf_counter()
    report = ConvertReport(output=str(output))
    sources = list(classify_all(expand(inputs)))
    named = {str(p) for p in [*options.stations, *options.events]} - {str(s.path) for s in sources}
    report.inputs = len({s.path for s in sources}) + len(named)  # --stations/--events files count too
    if not sources and not named:
        raise NotFoundError(f"nothing to convert: no input file found in {', '.join(map(str, inputs)) or '(none)'}")
    conv = _Converter(options, report)
    if options.append and output.exists():
        with open_asdf(output) as stored:  # its events take part in the dedupe and the association
            conv.stored = list(stored.events)
    css_sources = [s for s in sources if s.kind == "css"]
    conv.metadata(sources)
    css_data: list[Any] = []
    if css_sources:
        from .cssbridge import read_css_sources

        css_data = read_css_sources(css_sources, options, conv, css_reader)
    waveforms = [s.path for s in sources if s.kind == "waveform" and str(s.path) not in conv.css_files]
    jobs = resolve_jobs(options.jobs, waveforms)
    if options.append and not output.exists():
        raise InvalidValueError(f"cannot append to {output}: it does not exist")
    if options.in_place and not options.append:
        raise InvalidValueError("--in-place only applies to --append")
    if output.exists() and not options.append and not options.overwrite:
        raise InvalidValueError(f"{output} exists: pass --append to add to it or --overwrite to replace it")
    mode = "a" if options.append else "w"
    _ensure_output_space(output, sources, options)

    def run(target: Path) -> None:
        with open_asdf(target, mode, compression=options.compression, in_place=target == output) as f:
            existing = {str(e.resource_id) for e in conv.stored}  # read before the copy was made
            before = (f.n_waveforms, len(existing), len(f.stations_with_stationxml))
            inventory = conv.stations()
            if inventory.networks:
                f.add_stations(inventory)
            for data in css_data:
                data.write(f, conv)
            progress = _progress(len(waveforms), options.progress)
            # Workers also compress the chunks, unless merging will change the samples.
            precompress = None if options.merge else options.compression
            for path, result in _streams(waveforms, conv.reader, jobs, precompress, options.cast,
                                         _checker(options)):
                progress.update(1)
                if isinstance(result, _Bad):
                    conv.bad(path, str(result), "" if result.trace else " (use --skip-bad to skip unreadable inputs)")
                    continue
                try:
                    conv.checked(f, path, result)
                except DiskFullError:
                    raise  # not a bad input: stop before HDF5 meets the full disk
                except AsdfkitError as exc:
                    conv.bad(path, str(exc))
            progress.close()
            if options.merge:
                conv.merge_across(f)
            conv.sac_metadata()
            rewritten = 0
            for event in conv.catalog:  # stored events that took origins or picks of merged ones
                if str(event.resource_id) in existing and str(event.resource_id) in conv.changed:
                    f.remove_event(event.resource_id)
                    f.add_events(event)
                    rewritten += 1
            new_events = [e for e in conv.catalog if str(e.resource_id) not in existing]
            if new_events:
                f.add_events(new_events)
            sac_inventory = conv.stations(sac_only=True)
            if sac_inventory.networks:
                f.add_stations(sac_inventory)
            for item, key, start, end in conv.written:
                ids = conv.event_ids(key, start, end)
                if ids:
                    f.set_event_ids(item, ids)
            report.events = len(f.events)
            report.picks = sum(len(e.picks) for e in f.events)
            report.stations = len(f.stations_with_stationxml)
            after = (f.n_waveforms, report.events, report.stations)
            gave_metadata = (rewritten or any(n.stations for n in inventory) or sac_inventory.networks
                             or report.logs)
            if after == before and not gave_metadata and not (options.append and options.on_duplicate == "skip"):
                _nothing_converted(sources, report, conv.empty)
            _record(f, conv, options)

    if options.append and options.in_place:
        run(output)
    else:
        with atomic_path(output, copy_existing=options.append, verify=verify_complete) as temp:
            run(temp)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _ensure_output_space(output: Path, sources: list[Source], options: ConvertOptions) -> None:
    """Refuse up front (:class:`DiskFullError`) a conversion whose inputs cannot fit beside ``output``.

    The inputs' size stands for the samples' (uncompressed SAC; miniSEED is
    compressed, so each write checks again); an append on a copy needs the
    existing file's size too.  Nothing has been written when this raises, so
    even ``--in-place`` leaves the file untouched.
    """
    needed = 0
    for source in sources:
        try:
            needed += source.path.stat().st_size if source.path.is_file() else 0
        except OSError:
            continue
    if options.append and not options.in_place and output.exists():
        needed += output.stat().st_size
    ensure_space(output if output.exists() else output.parent, needed)


def _nothing_converted(sources: list[Source], report: ConvertReport, empty: Sequence[str] = ()) -> None:
    """Refuse to write (or keep) an output that no input added anything to."""
    bad = "; ".join(f"{b['path']}: {b['reason']}" for b in report.bad_inputs[:5])
    skipped = "; ".join(f"{s['trace']}: {s['reason']}" for s in report.skipped if "trace" in s)
    raise NotFoundError(
        f"nothing converted: {len(sources)} input(s) gave no waveform, station or event"
        + (f" ({len(report.bad_inputs)} unreadable: {bad})" if bad else "")
        + (f" (read, holding nothing: {'; '.join(empty[:5])})" if empty else "")
        + (f" (skipped traces: {skipped})" if skipped else "")
        + "; the output was not written"
    )


def _record(f: ASDFFile, conv: _Converter, options: ConvertOptions) -> None:
    if not conv.outputs and not conv.used_files:
        return
    recorder = ProvenanceRecorder(f)
    params = {"tag": options.tag, "files": len(set(conv.used_files)), "traces": len(conv.outputs)}
    if conv.report.merged_events:
        params["merged_events"] = sum(len(v) for v in conv.report.merged_events.values())
        params["merged_event_ids"] = "; ".join(
            f"{old} -> {kept}" for kept, olds in sorted(conv.report.merged_events.items()) for old in olds)
        params["dedupe_time_s"] = options.dedupe_time
        params["dedupe_distance_km"] = options.dedupe_distance_km
    if conv.renamed:  # the original codes of every renamed trace stay answerable (lineage)
        params.update(codes_parameters(conv.codes, conv.renamed))
    result = recorder.record("convert", inputs=list(dict.fromkeys(conv.used_files)), outputs=conv.outputs,
                             parameters=params, derived=conv.derived)
    conv.report.provenance_document = result.document


class _NoProgress:
    def update(self, n: int) -> None:
        return None

    def close(self) -> None:
        return None


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(total=total, unit="file", desc="converting")


