"""The SEIS-PROV document of one stored alignment run.

Input waveform entities (the traces' existing records, copied with the same
ids so that lineage continues through them, else new ``waveform_trace``
entities) → ``cross_correlate`` (SEIS-PROV) → ``cross_correlation`` →
``asdfkit:align_arrivals`` (parameters and statuses) → ``asdfkit:alignment_picks``
and ``asdfkit:alignment_quality``, associated with the asdfkit software agent.

A run made from another run (``--from``, the picker) also *used* a copy of
its parent's ``asdfkit:alignment_picks`` record (same id, so lineage continues
into the parent's document) and its picks are *derived from* the parent's;
manual decisions are an ``asdfkit:manual_decisions`` entity (one attribute per
action, the traces it names) that the alignment used.  A rollback is an
``asdfkit:rollback_alignment`` activity that used the old run's picks and
generated the new run's records, derived from them.

Example
-------
>>> xml, ids = run_document(f, selection, attrs, params, paths)   # doctest: +SKIP
>>> ids["picks"]                                                   # doctest: +SKIP
'{urn:asdfkit:prov:0.1#}sp004_alignment_picks_...'
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from obspy import UTCDateTime
from prov.model import QualifiedName

from .._version import __version__
from ..container import ASDFFile
from ..errors import InvalidValueError, NotFoundError
from ..provenance import ProvenanceBuilder, file_graph, qualified_id
from ..provenance.graph import ProvGraph
from ..provenance.validator import validate_generated
from .select import EventSeismogram, EventSelection
from .types import AlignmentParams

if TYPE_CHECKING:
    from .edits import Edit
    from .store import StoredRun

__all__ = ["rollback_document", "run_document"]

log = logging.getLogger(__name__)

_WEBSITE = "https://pypi.org/project/asdfkit/"


def _input_entity(
    builder: ProvenanceBuilder, graph: ProvGraph, seis: EventSeismogram, reference: UTCDateTime
) -> QualifiedName:
    """The trace's existing SEIS-PROV record (same id, so lineage continues), else a new one."""
    if seis.provenance_id:
        try:
            record = graph.record(seis.provenance_id)
        except NotFoundError:
            record = None
        uri, _, local = seis.provenance_id[1:].partition("}")
        record_type = builder.profile.types["waveform_trace"]
        if (
            record is not None
            and uri == builder.sp.uri
            and (record.prov_type or "").endswith(":waveform_trace")
        ):
            attrs = {k: v for k, v in record.attributes.items() if record_type.attribute(k) is not None}
            if isinstance(attrs.get("start_time"), str):
                attrs["start_time"] = UTCDateTime(attrs["start_time"])
            try:
                return builder.entity("waveform_trace", record_id=local, **attrs)
            except InvalidValueError:
                log.debug("%s: existing record %s not copied", seis.seed_id, seis.provenance_id)
    return builder.entity(
        "waveform_trace",
        step=0,
        seed_id=seis.seed_id,
        start_time=reference + seis.begin,
        number_of_samples=len(seis.data),
        sampling_rate=1.0 / seis.delta,
    )


def run_document(
    f: ASDFFile,
    selection: EventSelection,
    run_attrs: dict[str, Any],
    params: AlignmentParams,
    param_attrs: dict[str, Any],
    paths: dict[str, str],
    *,
    parent: StoredRun | None = None,
    edits: Sequence[Edit] = (),
) -> tuple[bytes, dict[str, str]]:
    """PROV-XML of a run and the provenance ids of its ``picks`` and ``quality`` datasets.

    ``run_attrs`` are the run's quality attributes (statuses, phase...),
    ``param_attrs`` its parameters as stored, ``paths`` the HDF5 paths of the
    two datasets.  Every record is made (and checked) by the builder, copies of
    existing records included, so the document gets the validator's check of
    generated documents (:func:`~asdfkit.provenance.validator.validate_generated`).
    """
    builder = ProvenanceBuilder()
    agent = builder.software_agent("asdfkit", __version__, _WEBSITE)
    graph = file_graph(f)
    inputs = [_input_entity(builder, graph, s, selection.reference) for s in selection.seismograms]
    kind = "cross-correlation with the stack (ICCS)"
    if run_attrs["status_mccc"]:
        kind += " and between trace pairs (MCCC)"
    correlate = builder.activity(
        "cross_correlate",
        used=inputs,
        agent=agent,
        correlation_type=kind,
        max_lag_time_in_sec=params.effective_max_shift,
    )
    correlation = builder.entity(
        "cross_correlation",
        generated_by=correlate,
        correlation_type=kind,
        max_lag_time_in_sec=params.effective_max_shift,
    )
    keep = (
        "event_id",
        "run_id",
        "phase",
        "tag",
        "t0_source",
        "taup_model",
        "status_iccs",
        "status_mccc",
        "mccc_rmse",
        "iterations",
    )
    align = builder.custom(
        "activity",
        "align_arrivals",
        label="Align Arrivals",
        attributes={
            **{k: run_attrs[k] for k in keep if run_attrs.get(k) not in (None, "")},
            **{k: v for k, v in param_attrs.items() if np.ndim(v) == 0 and v == v},
            "bandpass": "off"
            if params.bandpass is None
            else f"{params.bandpass[0]:g}-{params.bandpass[1]:g} Hz",
        },
    )
    builder.associated(align, agent)
    builder.used(align, correlation)
    for entity in inputs:
        builder.used(align, entity)
    source = _parent_picks(builder, parent) if parent is not None else None
    if source is not None:
        builder.used(align, source)
    if edits:
        builder.used(align, _manual_decisions(builder, edits))
    picks, quality = _run_outputs(builder, align, paths, run_attrs)
    if source is not None:
        builder.derived(picks, source)
    return _finish(builder, picks, quality)


def _run_outputs(
    builder: ProvenanceBuilder, activity: QualifiedName, paths: dict[str, str], run_attrs: dict[str, Any]
) -> tuple[QualifiedName, QualifiedName]:
    """The picks table and quality record a run's ``activity`` generated."""
    picks = builder.custom(
        "entity",
        "alignment_picks",
        label="Alignment Picks",
        attributes={"path": paths["picks"], "phase": run_attrs["phase"], "run_id": run_attrs["run_id"]},
    )
    quality = builder.custom(
        "entity", "alignment_quality", label="Alignment Quality", attributes={"path": paths["quality"]}
    )
    builder.generated(picks, activity)
    builder.generated(quality, activity)
    return picks, quality


def _finish(
    builder: ProvenanceBuilder, picks: QualifiedName, quality: QualifiedName
) -> tuple[bytes, dict[str, str]]:
    data = builder.to_xml()
    report = validate_generated(data)
    if not report.ok:  # a bug of ours, never the user's
        raise InvalidValueError(f"generated provenance document is not valid SEIS-PROV:\n{report}")
    return data, {"picks": qualified_id(picks), "quality": qualified_id(quality)}


def _parent_picks(builder: ProvenanceBuilder, parent: StoredRun) -> QualifiedName:
    """A copy of the parent run's picks record (same id when it has one), with its path and run id."""
    local = (parent.picks_provenance_id or "").rpartition("}")[2] or None
    attributes = {
        "path": f"/AuxiliaryData/Alignment/{parent.path}/picks",
        "phase": parent.phase,
        "run_id": parent.run_id,
    }
    try:
        return builder.custom(
            "entity", "alignment_picks", label="Alignment Picks", attributes=attributes, record_id=local
        )
    except InvalidValueError:  # a parent whose record id is not ours: a new record stands for it
        return builder.custom("entity", "alignment_picks", label="Alignment Picks", attributes=attributes)


def _manual_decisions(builder: ProvenanceBuilder, edits: Sequence[Edit]) -> QualifiedName:
    """The manual decisions of a run: per action, the traces (and pick values) it names."""
    by_action: dict[str, list[str]] = {}
    for edit in edits:
        by_action.setdefault(edit.action, []).append(edit.text().partition(" ")[2])
    return builder.custom(
        "entity",
        "manual_decisions",
        label="Manual Decisions",
        attributes={
            "decided_by": "hand",
            "count": len(edits),
            **{action: " ".join(targets) for action, targets in by_action.items()},
        },
    )


def rollback_document(
    f: ASDFFile, source: StoredRun, run_attrs: dict[str, Any], paths: dict[str, str]
) -> tuple[bytes, dict[str, str]]:
    """PROV-XML of a rollback: ``rollback_alignment`` used the old run's picks and made the new run's."""
    builder = ProvenanceBuilder()
    agent = builder.software_agent("asdfkit", __version__, _WEBSITE)
    old = _parent_picks(builder, source)
    activity = builder.custom(
        "activity",
        "rollback_alignment",
        label="Rollback Alignment",
        attributes={
            "event_id": run_attrs["event_id"],
            "run_id": run_attrs["run_id"],
            "rolled_back_to": source.run_id,
        },
    )
    builder.associated(activity, agent)
    builder.used(activity, old)
    picks, quality = _run_outputs(builder, activity, paths, run_attrs)
    builder.derived(picks, old)
    return _finish(builder, picks, quality)
