"""wfdisc rows: where their files are, and a light scan of what they describe.

The scan reads no samples: per CSS ``(sta, chan)`` it keeps the sampling rate,
calibration, time span and, for SAC rows (``sc``/``ic``), the SAC header of the
first row, which is what station metadata falls back to.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import AsdfkitError, FormatError
from .database import CssDatabase, remap_dir
from .report import CssReport
from .roots import DataRoots
from .samples import SAC, open_data
from .tables import Row

__all__ = ["ChannelSeen", "data_path", "read_sac_header", "scan"]

log = logging.getLogger(__name__)

_SAC_HEADER_BYTES = 632


def data_path(row: Row, table_file: str | Path, remap: Mapping[str, str] | None,
              dir_field: str = "dir", file_field: str = "dfile") -> Path:
    """``dir/dfile`` of a row, ``dir`` remapped and taken relative to the table's folder."""
    directory = remap_dir(row[dir_field] or ".", remap)
    return Path(table_file).parent / directory / (row[file_field] or "")


def read_sac_header(path: Path, foff: int, byteorder: str) -> Any:
    """The SAC header (an ObsPy ``SACTrace`` without data) at ``foff`` of ``path``."""
    from obspy.io.sac import SACTrace
    from obspy.io.sac.util import SacIOError

    with open_data(path) as handle:
        handle.seek(foff)
        head = handle.read(_SAC_HEADER_BYTES)
    try:
        return SACTrace.read(io.BytesIO(head), headonly=True, byteorder=byteorder)
    except (SacIOError, ValueError, OSError, EOFError) as exc:
        raise FormatError(f"{path} is not a {byteorder}-endian SAC file: {exc}") from exc


@dataclass
class ChannelSeen:
    """What the wfdisc rows of one CSS ``(sta, chan)`` say."""

    sta: str
    chan: str
    samprate: float | None = None
    calib: float | None = None
    calper: float | None = None
    segtype: str | None = None
    start_ns: int | None = None
    end_ns: int | None = None
    sac: Any = None
    sac_source: str = ""

    def add(self, row: Row) -> None:
        for name in ("samprate", "calib", "calper", "segtype"):
            if getattr(self, name) is None and row[name] is not None:
                setattr(self, name, row[name])
        if row["time"] is not None:
            self.start_ns = row["time"] if self.start_ns is None else min(self.start_ns, row["time"])
        end = row["endtime"] if row["endtime"] is not None else row["time"]
        if end is not None:
            self.end_ns = end if self.end_ns is None else max(self.end_ns, end)


def scan(db: CssDatabase, remap: Mapping[str, str] | None, report: CssReport,
         roots: DataRoots | None = None) -> dict[tuple[str, str], ChannelSeen]:
    """Summarize the wfdisc per ``(sta, chan)``, reading one SAC header per SAC channel.

    With ``roots``, a SAC file outside them is not read (the trace pass refuses its row).
    """
    seen: dict[tuple[str, str], ChannelSeen] = {}
    table = db.table_path("wfdisc")
    if table is None:
        return seen
    for row in db.rows("wfdisc"):
        if not row["sta"] or not row["chan"]:
            continue
        entry = seen.setdefault((row["sta"], row["chan"]), ChannelSeen(row["sta"], row["chan"]))
        entry.add(row)
        if entry.sac is None and row["datatype"] in SAC:
            path = data_path(row, table, remap)
            if roots is not None and not roots.contains(path):
                log.debug("%s: %s is outside the data roots: no SAC header read", row.where, path)
                continue
            try:
                entry.sac = read_sac_header(path, row["foff"] or 0, SAC[row["datatype"]])
                entry.sac_source = f"SAC header of {path.name}"
            except FileNotFoundError:
                log.debug("%s: no SAC file %s for metadata", row.where, path)
            except (OSError, AsdfkitError) as exc:
                report.warn("sac-header", f"cannot read SAC header of {path}: {exc}", row.where)
    return seen
