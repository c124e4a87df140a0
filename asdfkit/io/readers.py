"""Fast waveform reading through ObsPy's format plugins.

``obspy.read`` looks every plugin up again, with the package metadata of each,
on every call (several milliseconds, more than decoding a small SAC file).
:class:`WaveformReader` resolves ObsPy's waveform plugins once (importing a
plugin's module only when a file gets to it), detects a file's format with
their ``isFormat`` functions in ObsPy's own order, and calls the matching
``readFormat`` directly.  SAC files go through
:func:`asdfkit.io.sacread.read_sac` (the same traces, several times faster).
Compressed files and anything unusual fall back to ``obspy.read``.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

import obspy
from obspy import Stream

from .sacread import read_sac

__all__ = ["WaveformReader"]

log = logging.getLogger(__name__)

_COMPRESSED = {".gz", ".bz2", ".zip", ".tar", ".tgz", ".xz"}


@dataclass(frozen=True)
class _Plugin:
    """One ObsPy waveform plugin; its module is imported when a file first needs it."""

    name: str
    is_format_entry: EntryPoint
    read_format_entry: EntryPoint

    @cached_property
    def is_format(self) -> Callable[..., Any]:
        return self.is_format_entry.load()  # type: ignore[no-any-return]

    @cached_property
    def read_format(self) -> Callable[..., Any]:
        return self.read_format_entry.load()  # type: ignore[no-any-return]


@cache
def _plugins() -> list[_Plugin]:
    """ObsPy's waveform plugins, in ObsPy's order (one scan of the installed packages' metadata)."""
    from obspy.core.util.base import ENTRY_POINTS

    installed = entry_points()
    out = []
    for name in ENTRY_POINTS["waveform"]:
        if name == "ASDF":
            continue  # an ASDF file is an input of its own kind, never a waveform file
        functions = {ep.name: ep for ep in installed.select(group=f"obspy.plugin.waveform.{name}")}
        if "isFormat" in functions and "readFormat" in functions:
            out.append(_Plugin(name, functions["isFormat"], functions["readFormat"]))
    return out


def is_seed_volume(head: bytes) -> bool:
    """Whether a file's first bytes are a SEED volume header (``000001V ``: dataless or full SEED)."""
    return head[:6].isdigit() and head[6:7] == b"V" and head[7:8] in (b" ", b"*")


def seed_data_offset(path: Path) -> int | None:
    """Where the data records of a SEED volume begin (``None``: not a volume, or no data).

    A full SEED volume is control headers (V, A, S, T records) then data
    records (D, R, Q, M); a dataless one has no data.  The record length is
    the volume header's blockette 010 exponent; one 8-byte record header is
    read per record until the first data record.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(24)
            if not is_seed_volume(head):
                return None
            try:
                exponent = int(head[19:21]) if head[8:11] in (b"005", b"008", b"010") else 12
            except ValueError:
                exponent = 12
            length = 1 << exponent if 8 <= exponent <= 16 else 4096
            offset = length
            while True:
                handle.seek(offset)
                record = handle.read(8)
                if len(record) < 8:
                    return None
                if record[:6].isdigit() and record[6:7] in b"DRQM" and record[7:8] in (b" ", b"*"):
                    return offset
                offset += length
    except OSError:
        return None


class WaveformReader:
    """Reads waveform files of one given format, or of the format each file's content shows."""

    def __init__(self, fmt: str | None = None) -> None:
        self.fmt = fmt.upper() if fmt else None

    def detect(self, path: Path) -> tuple[str, Callable[..., Any]] | None:
        """``(FORMAT, readFormat)`` of a file (the given format, or the first plugin that claims it)."""
        for plugin in _plugins():
            if self.fmt is not None and plugin.name != self.fmt:
                continue
            try:
                if self.fmt is not None or plugin.is_format(str(path)):
                    return plugin.name, plugin.read_format
            except ImportError as exc:  # pragma: no cover - an optional plugin that fails to import
                log.debug("waveform plugin %s unavailable: %s", plugin.name, exc)
            except Exception:  # noqa: BLE001 - a plugin's sniffer choking on foreign bytes
                continue
        return None

    def read(self, path: Path, lock: AbstractContextManager[Any] | None = None) -> Stream:
        """Decode one file (raises whatever the format's reader raises).

        With ``lock``, ObsPy's detection and readers run while holding it (they
        are not thread-safe: libmseed logs through process-global callbacks);
        SAC files, decoded by asdfkit's own numpy reader, are decoded outside it,
        so threads decode them in parallel.
        """
        guard = lock if lock is not None else nullcontext()
        with guard, warnings.catch_warnings(record=True) as caught:
            # ObsPy's readers warn about what they notice in a file: notes for the user, never
            # errors, whatever warning filters the caller runs with (a test suite's "error"
            # included).  Some readers also leave their file to the garbage collector
            # (ResourceWarning, e.g. SEG-2); that is ObsPy's, not the user's, business.
            warnings.simplefilter("always")
            try:
                if path.suffix.lower() in _COMPRESSED:
                    return obspy.read(str(path), format=self.fmt)
                found = self.detect(path)
                if found is None:
                    raise TypeError(f"unknown waveform format for file {path}")
                name, read_format = found
                if name == "MSEED" and (offset := seed_data_offset(path)):
                    # a full SEED volume: its data records only (ObsPy would warn about every control record)
                    with open(path, "rb") as handle:
                        handle.seek(offset)
                        stream = read_format(io.BytesIO(handle.read()))
                elif name != "SAC":
                    stream = read_format(str(path))
            finally:
                for note in caught:
                    if not issubclass(note.category, ResourceWarning):
                        log.warning("%s: %s", path, note.message)
        if name == "SAC":
            stream = read_sac(path)
        for trace in stream:
            trace.stats._format = name
        return stream
