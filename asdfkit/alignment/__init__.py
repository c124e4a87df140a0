"""ICCS and MCCC alignment on numpy arrays, and on the waveforms of an ASDF event."""

from __future__ import annotations

from .iccs import iccs
from .mccc import mccc
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
    "SyntheticSet",
    "iccs",
    "mccc",
    "relative_rms_error",
    "synthetic_set",
]
