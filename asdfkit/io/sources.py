"""Finding and classifying conversion inputs: files, directories, globs, archives.

Directories are walked recursively, which covers SDS archives
(``YEAR/NET/STA/CHAN.D/NET.STA.LOC.CHAN.D.YEAR.DOY``) and FDSN mass-download
layouts (``waveforms/`` + ``stations/``) alike; each file is then classified
by content: StationXML, QuakeML, AIMBAT-style JSON, a CSS3.0 database
(descriptor or ``.wfdisc``), or waveform data in any format ObsPy reads.
"""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..errors import NotFoundError
from .readers import is_seed_volume, seed_data_offset
from .sniff import COMPRESSED, decompressed, metadata_kind

__all__ = ["Source", "classify", "expand"]

log = logging.getLogger(__name__)

_SKIP_NAMES = {".DS_Store", "Thumbs.db"}
_SKIP_SUFFIXES = {".md", ".txt", ".log", ".py", ".sh", ".png", ".jpg", ".pdf", ".partial"}
# CSS3.0 table files: each names its database (with or without a wfdisc).
_CSS_TABLES = {"wfdisc", "site", "sitechan", "snetsta", "schanloc", "affiliation", "origin",
               "event", "arrival", "assoc", "origerr", "instrument", "sensor", "network",
               "calibration", "lastid", "remark", "stamag", "netmag", "wftag"}


@dataclass(frozen=True)
class Source:
    """One input and what it holds: ``waveform``, ``inventory``, ``events``, ``json``, ``css``, ``asdf``
    or ``seed`` (the control headers of a full SEED volume, whose data records are a ``waveform`` source).

    ``format``: ObsPy's name of its format when classification found it (passed to the reader).
    """

    path: Path
    kind: str
    format: str | None = None


def expand(items: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files named by paths, directories (walked recursively) and globs, sorted, unique."""
    found: list[Path] = []
    for item in items:
        text = str(item)
        matches = sorted(glob.glob(text, recursive=True)) if glob.has_magic(text) else [text]
        if not matches:
            raise NotFoundError(f"input {text!r} matches no file")
        for match in matches:
            path = Path(match)
            if path.is_dir():
                for root, dirs, files in os.walk(path):
                    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                    found.extend(Path(root) / f for f in sorted(files)
                                 if not f.startswith(".") and f not in _SKIP_NAMES)
            elif path.exists():
                found.append(path)
            else:
                raise NotFoundError(f"input {text!r} does not exist")
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path, None)
    return list(unique)


def _xml_kind(head: bytes) -> str | None:
    try:
        parser = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True,
                                     load_dtd=False, huge_tree=False)
        parser.feed(head)
        root = None
        for _, element in parser.read_events():
            local = etree.QName(element).localname
            if root == "seiscomp":  # SC3ML: the first child says which
                return {"EventParameters": "events", "Inventory": "inventory"}.get(local, "xml")
            root = local
            if local == "seiscomp":
                continue
            if local == "FDSNStationXML":
                return "inventory"
            if local == "quakeml" or "quakeml" in (etree.QName(element).namespace or ""):
                return "events"
            if local == "document" and etree.QName(element).namespace == "http://www.w3.org/ns/prov#":
                return "provenance"
            return "xml"
    except etree.XMLSyntaxError:
        return None
    return None


def _is_station_text(head: bytes) -> bool:
    """FDSN station text (``#Network | Station | ...``), as FDSN web services write it."""
    return head.lstrip().lower().startswith(b"#network")


def _text_kind(path: Path, head: bytes) -> Source | None:
    """Inventories and events in the non-XML formats ObsPy reads, told by their content.

    A SEED volume is recognised by its header; other files go through ObsPy's
    event and inventory probes (:func:`asdfkit.io.sniff.metadata_kind`), which
    skip binary files at once (miniSEED, SAC...), so this costs little for them.
    """
    if is_seed_volume(head):
        # a SEED volume: its control headers hold the responses; a full one also holds data
        return Source(path, "seed") if seed_data_offset(path) else Source(path, "inventory", "SEED")
    if _is_station_text(head):
        return Source(path, "inventory", "STATIONTXT")
    found = metadata_kind(path, head)
    return Source(path, found.kind, found.format) if found is not None else None


def _compressed_kind(path: Path) -> Source | None:
    """A ``.gz``/``.bz2`` inventory or event file, by its decompressed content (else None: waveforms)."""
    with decompressed(path) as plain:
        if plain is None:
            return None
        with open(plain, "rb") as handle:
            head = handle.read(4096)
        if head.lstrip()[:1] == b"<":
            kind = _xml_kind(head)
            return Source(path, kind) if kind in ("inventory", "events") else None
        if is_seed_volume(head):
            return Source(path, "inventory", "SEED")  # ObsPy reads a compressed volume's responses only
        found = _text_kind(plain, head)
        return Source(path, found.kind, found.format) if found is not None else None


def classify(path: Path) -> Source | None:
    """What ``path`` holds, judged from its name and first bytes; None for files to skip.

    Text files whatever their suffix (``.txt`` included) are examined by
    content: a ``.txt`` file that no ObsPy reader claims is skipped (a README
    in a walked directory); other unclaimed files are taken for waveforms and
    their reader says why it cannot read them.
    """
    name = path.name
    suffix = path.suffix.lower()
    if suffix in _SKIP_SUFFIXES and suffix != ".txt":  # .txt: many text formats use it
        return None
    if suffix.lstrip(".") in _CSS_TABLES:
        return Source(path, "css")  # any table names its database (classify_all keeps one per database)
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        log.warning("cannot read %s: %s", path, exc)
        return Source(path, "waveform")  # reported later, with its reason
    stripped = head.lstrip()
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return Source(path, "asdf")
    if stripped[:1] == b"<":
        kind = _xml_kind(head)
        if kind in ("inventory", "events"):
            return Source(path, kind)
        if kind == "provenance":
            return None
    if stripped[:1] in (b"{", b"[") and suffix == ".json":
        return Source(path, "json")
    if b"schema css" in head[:512] and any(Path(f"{path}.{table}").exists() for table in _CSS_TABLES):
        return Source(path, "css")
    if name.endswith(".xml"):
        return Source(path, "inventory")  # other XML inventory formats obspy reads
    if suffix in COMPRESSED:
        return _compressed_kind(path) or Source(path, "waveform")
    found = _text_kind(path, head)
    if found is not None:
        return found
    if suffix == ".txt" and not _waveform_text(path):
        log.info("skipping %s: not a format ObsPy reads", path)
        return None
    return Source(path, "waveform")


def _waveform_text(path: Path) -> bool:
    """Whether one of ObsPy's waveform readers claims ``path`` (TSPAIR, SLIST... in a ``.txt`` file)."""
    from .readers import WaveformReader

    return WaveformReader().detect(path) is not None


def classify_all(paths: Iterable[Path]) -> Iterator[Source]:
    """Classify every path, keeping one source per CSS database (its descriptor or tables)."""
    seen_css: set[Path] = set()
    for path in paths:
        source = classify(path)
        if source is None:
            continue
        if source.kind == "seed":  # a full SEED volume: its responses and its waveforms
            yield source
            yield Source(path, "waveform", "MSEED")
            continue
        if source.kind == "css":
            key = path.with_suffix("") if path.suffix.lstrip(".") in _CSS_TABLES else path
            if key in seen_css:
                continue
            seen_css.add(key)
        yield source
