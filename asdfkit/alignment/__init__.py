"""ICCS and MCCC alignment on numpy arrays, and on the waveforms of an ASDF event."""

from __future__ import annotations

from .edits import Edit, read_edits
from .iccs import iccs
from .mccc import mccc
from .picks import export_picks
from .quality import event_summary, quality_frame, station_summary
from .run import align_event
from .store import StoredRun, delete_run, list_runs, read_run, rollback_run
from .synthetic import SyntheticSet, relative_rms_error, synthetic_set
from .synthetic_file import SyntheticEvent, synthetic_event_file
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
    "Edit",
    "ICCSResult",
    "ICCSStatus",
    "MCCCResult",
    "MCCCStatus",
    "Seismogram",
    "SimpleSeismogram",
    "StoredRun",
    "SyntheticEvent",
    "SyntheticSet",
    "align_event",
    "delete_run",
    "event_summary",
    "export_picks",
    "iccs",
    "list_runs",
    "mccc",
    "quality_frame",
    "read_edits",
    "read_run",
    "relative_rms_error",
    "rollback_run",
    "station_summary",
    "synthetic_event_file",
    "synthetic_set",
]
