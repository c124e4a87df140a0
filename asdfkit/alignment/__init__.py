"""ICCS and MCCC alignment on numpy arrays, and on the waveforms of an ASDF event."""

from __future__ import annotations

from .iccs import iccs
from .mccc import mccc
from .picks import export_picks
from .quality import event_summary, quality_frame, station_summary
from .run import align_event
from .store import StoredRun, list_runs, read_run
from .synthetic import SyntheticSet, relative_rms_error, synthetic_set
from .types import (
    AlignmentParams,
    ICCSResult,
    ICCSStatus,
    MCCCResult,
    MCCCStatus,
    Seismogram,
    SimpleSeismogram,
)

__all__ = [
    "AlignmentParams",
    "ICCSResult",
    "ICCSStatus",
    "MCCCResult",
    "MCCCStatus",
    "Seismogram",
    "SimpleSeismogram",
    "StoredRun",
    "SyntheticSet",
    "align_event",
    "event_summary",
    "export_picks",
    "iccs",
    "list_runs",
    "mccc",
    "quality_frame",
    "read_run",
    "relative_rms_error",
    "station_summary",
    "synthetic_set",
]
