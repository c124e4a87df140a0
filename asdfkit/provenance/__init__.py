"""SEIS-PROV provenance: build, validate, link, and trace lineage.

- :class:`ProvenanceBuilder` builds SEIS-PROV documents with the ``prov`` package;
- :func:`validate` reports every finding of a document;
- :func:`lineage` answers "where did this trace come from?";
- :class:`ProvenanceRecorder` records asdfkit's own operations;
- :func:`add_processed_waveforms` stores ObsPy-processed traces with their chain.
"""

from .builder import ASDFKIT_NAMESPACE, ProvenanceBuilder, qualified_id
from .graph import ProvGraph, RecordInfo, read_document
from .ids import QualifiedId, make_local_id
from .lineage import Lineage, LineageStep, file_graph, lineage, resolve
from .obspy_history import ProcessingStep, chain_from_trace, parse_step
from .recorder import ProvenanceRecorder, RecordedActivity, add_processed_waveforms
from .report import RULES, ProvFinding, ProvReport
from .schema import Profile, RecordType, profile
from .validator import validate

__all__ = [
    "ASDFKIT_NAMESPACE",
    "RULES",
    "Lineage",
    "LineageStep",
    "ProcessingStep",
    "Profile",
    "ProvFinding",
    "ProvGraph",
    "ProvReport",
    "ProvenanceBuilder",
    "ProvenanceRecorder",
    "QualifiedId",
    "RecordInfo",
    "RecordType",
    "RecordedActivity",
    "add_processed_waveforms",
    "chain_from_trace",
    "file_graph",
    "lineage",
    "make_local_id",
    "parse_step",
    "profile",
    "qualified_id",
    "read_document",
    "resolve",
    "validate",
]
