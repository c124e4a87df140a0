"""Telling event and inventory files from waveforms by content, with ObsPy's own format probes.

ObsPy reads about twenty event formats (Nordic, ZMAP, CSV, FOCMEC, GSE2
bulletins, HypoDD, ISF, SC3ML, SCARDEC, SH ``.evt``, PDE, F-net...) and a
handful of inventory formats besides StationXML, most of them text files with
no telling suffix.  :func:`metadata_kind` runs the ``isFormat`` probe of every
event and inventory plugin (their entry points, resolved once) on a file; a
compressed file (``.gz``, ``.bz2``) is probed on its decompressed content.
Measured on ObsPy 1.5.1's own test data, no event or inventory probe claims
any waveform file other than a full SEED volume (which
:func:`asdfkit.io.readers.is_seed_volume` recognises first), so the probes run
before the waveform ones for text files; binary files are probed only when
they are zip archives (ObsPy's zipped CSV catalogues).
"""

from __future__ import annotations

import bz2
import gzip
import logging
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

__all__ = ["COMPRESSED", "MetadataFormat", "decompressed", "metadata_kind"]

log = logging.getLogger(__name__)

#: Single-file compressions whose content is probed (archives of several files are waveforms for ObsPy).
COMPRESSED: dict[str, Callable[..., Any]] = {".gz": gzip.open, ".bz2": bz2.open}

#: The most decompressed bytes examined to classify a compressed file.
PEEK_BYTES = 64 << 20


@dataclass(frozen=True)
class MetadataFormat:
    """What a probe found: ``kind`` (``events`` or ``inventory``) and ObsPy's format name."""

    kind: str
    format: str


@dataclass(frozen=True)
class _Probe:
    kind: str
    name: str
    entry: EntryPoint

    @cached_property
    def check(self) -> Callable[[str], Any]:
        return self.entry.load()  # type: ignore[no-any-return]


@cache
def _probes() -> list[_Probe]:
    """Event probes, then inventory probes, each in ObsPy's order (ASDF is an input of its own)."""
    from obspy.core.util.base import ENTRY_POINTS

    installed = entry_points()
    out = []
    for group, kind in (("event", "events"), ("inventory", "inventory")):
        for name in ENTRY_POINTS[group]:
            if name in ("ASDF", "QUAKEML", "STATIONXML"):
                continue  # XML documents are told apart by their root element
            functions = {ep.name: ep for ep in installed.select(group=f"obspy.plugin.{group}.{name}")}
            if "isFormat" in functions:
                out.append(_Probe(kind, name, functions["isFormat"]))
    return out


@contextmanager
def decompressed(path: Path) -> Iterator[Path | None]:
    """A temporary file holding the decompressed content of a ``.gz``/``.bz2`` file (None if it is not one)."""
    opener = COMPRESSED.get(path.suffix.lower())
    if opener is None:
        yield None
        return
    handle, name = tempfile.mkstemp(prefix="asdfkit-peek-", suffix=Path(path.stem).suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                with opener(path, "rb") as source:
                    out.write(source.read(PEEK_BYTES))
            except (OSError, EOFError, ValueError) as exc:  # not really compressed: ObsPy decides later
                log.debug("cannot decompress %s: %s", path, exc)
                yield None
                return
        yield Path(name)
    finally:
        os.unlink(name)


def metadata_kind(path: Path, head: bytes) -> MetadataFormat | None:
    """The event or inventory format whose ObsPy probe claims ``path`` (``head``: its first bytes)."""
    if b"\x00" in head and not head.startswith(b"PK\x03\x04"):
        return None  # binary: no text event/inventory format (zip: ObsPy's CSZ catalogues)
    for probe in _probes():
        try:
            with warnings.catch_warnings():  # probes warn about the other formats' files they look into
                warnings.simplefilter("ignore")
                claimed = probe.check(str(path))
            if claimed:
                return MetadataFormat(probe.kind, probe.name)
        except ImportError as exc:  # pragma: no cover - an optional plugin that fails to import
            log.debug("%s plugin %s unavailable: %s", probe.kind, probe.name, exc)
        except Exception:  # noqa: BLE001,S112 - ObsPy's probes raise anything on other formats
            continue
    return None
