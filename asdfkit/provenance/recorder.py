"""Record asdfkit's own operations, and ObsPy-processed traces, as SEIS-PROV.

One call of :meth:`ProvenanceRecorder.record` writes a document with the
activity, its inputs and outputs, its parameters and the asdfkit software
agent, checks it with the SEIS-PROV validator, stores it in ``/Provenance``
and points every output's ``provenance_id`` at the entity describing it.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from obspy import Stream, Trace
from prov.constants import PROV_LABEL, PROV_TYPE
from prov.model import QualifiedName

from .._version import __version__
from ..container import ASDFFile, TraceHeader
from ..errors import InvalidValueError, NotFoundError
from .builder import ProvenanceBuilder, qualified_id
from .graph import ProvGraph
from .lineage import file_graph
from .obspy_history import chain_from_trace
from .validator import validate

__all__ = ["ProvenanceRecorder", "RecordedActivity", "add_processed_waveforms"]

log = logging.getLogger(__name__)

ASDFKIT_WEBSITE = "https://pypi.org/project/asdfkit/"


@dataclass(frozen=True)
class RecordedActivity:
    """What :meth:`ProvenanceRecorder.record` wrote."""

    document: str
    activity: str
    outputs: dict[str, str]  # HDF5 path -> provenance id


def _document_name(asdf: ASDFFile, stem: str) -> str:
    clean = "".join(c if c.isalnum() else "_" for c in stem.lower()).strip("_") or "activity"
    return f"asdfkit_{clean}_{secrets.token_hex(4)}"


def _store(asdf: ASDFFile, builder: ProvenanceBuilder, name: str, *, copied: bool = False) -> None:
    data = builder.to_xml()
    # prov wrote it: its reader is not in doubt.  Records the builder made were checked against the
    # profile as they were made; records copied from the file were not, so they get the full check.
    report = validate(data, prov_reader=False) if copied else builder.check()
    if not report.ok:  # a bug of ours, never the user's: refuse to store it
        raise InvalidValueError(f"generated provenance document is not valid SEIS-PROV:\n{report}")
    asdf.add_provenance_document(data, name=name)


class ProvenanceRecorder:
    """Records activities performed on an open, writable ASDF file.

    Examples
    --------
    >>> import tempfile, numpy as np, obspy, asdfkit
    >>> path = tempfile.mkdtemp() + "/cc.h5"
    >>> with asdfkit.open(path, "w") as f:
    ...     traces = f.add_waveforms(obspy.read(), tag="raw_recording")
    ...     cc = f.add_auxiliary_data(np.zeros(201), data_type="CrossCorrelation", path="BW_RJOB/ZN")
    ...     rec = ProvenanceRecorder(f)
    ...     activity = rec.record("cross_correlate", inputs=traces[:2], outputs=[cc],
    ...                           parameters={"correlation_type": "cross", "max_lag_time_in_sec": 1.0})
    ...     doc = f.get_provenance_document(activity.document)
    >>> b"seis_prov:cross_correlate" in doc
    True
    """

    def __init__(self, asdf: ASDFFile, *, software: str = "asdfkit", version: str = __version__,
                 website: str = ASDFKIT_WEBSITE) -> None:
        self.asdf = asdf
        self.software = (software, version, website)
        self._graph: ProvGraph | None = None
        self._headers: dict[str, TraceHeader] = {}
        self._copied = False

    def _file_graph(self) -> ProvGraph:
        if self._graph is None:
            self._graph = file_graph(self.asdf)
        return self._graph

    def record(
        self,
        activity: str,
        *,
        inputs: Iterable[str | TraceHeader] = (),
        outputs: Iterable[str] = (),
        parameters: dict[str, Any] | None = None,
        output_type: str | None = None,
        name: str | None = None,
        derived: dict[str, list[str]] | None = None,
    ) -> RecordedActivity:
        """Record one activity; return the document name and the outputs' provenance ids.

        Parameters
        ----------
        activity : str
            A SEIS-PROV activity type (``cross_correlate``, ``detrend``...), whose
            attributes ``parameters`` must then satisfy, or any other name, which
            becomes a plain PROV activity ``asdfkit:<name>`` holding the parameters.
        inputs : HDF5 paths, trace headers or file-system paths
            What the activity used.  Inputs with a ``provenance_id`` are linked
            to their existing record, so lineage continues through them.
        outputs : HDF5 paths
            Datasets the activity wrote; each gets a new entity and its
            ``provenance_id`` is set to it.
        output_type : str, optional
            SEIS-PROV entity type of auxiliary outputs (default: a plain
            ``asdfkit:auxiliary_data`` entity); waveform outputs are ``waveform_trace``.
        derived : dict, optional
            ``{output path: [input, ...]}``: also record ``wasDerivedFrom`` from
            each output to the inputs it came from (e.g. the file a trace was read from).
        """
        builder = ProvenanceBuilder()
        self._copied = False
        agent = builder.software_agent(*self.software)
        params = dict(parameters or {})
        known = builder.profile.types.get(activity)
        if known is not None and known.kind == "activity":
            act = builder.activity(activity, agent=agent, **params)
        else:
            act = builder.custom("activity", activity, attributes=params)
            builder.associated(act, agent)
        self._headers = {h.path: h for h in self.asdf.list_waveforms()}
        input_ids: dict[str, QualifiedName] = {}
        for item in inputs:
            key = item.path if isinstance(item, TraceHeader) else str(item)
            if key not in input_ids:
                input_ids[key] = self._input_entity(builder, item)
                builder.used(act, input_ids[key])
        written: dict[str, str] = {}
        out_paths = [str(p) for p in outputs]
        for path in out_paths:
            entity = self._output_entity(builder, path, output_type)
            builder.generated(entity, act)
            for source in (derived or {}).get(path, []):
                if source in input_ids:
                    builder.derived(entity, input_ids[source])
            written["/" + path.strip("/")] = qualified_id(entity)
        doc_name = name or _document_name(self.asdf, activity)
        _store(self.asdf, builder, doc_name, copied=self._copied)
        self.asdf.set_provenance_ids(written)
        self._graph = None
        return RecordedActivity(doc_name, qualified_id(act), written)

    # -- entities ----------------------------------------------------------------
    def _header(self, path: str) -> TraceHeader | None:
        return self._headers.get("/" + path.strip("/"))

    def _copy_existing(self, builder: ProvenanceBuilder, pid: str) -> QualifiedName | None:
        """Describe an input by its existing record (same id) so relations resolve locally."""
        try:
            record = self._file_graph().record(pid)
        except NotFoundError:
            return None
        uri, local = record.id[1:].split("}", 1)
        namespace = next((n for n in builder.document.namespaces if n.uri == uri), None)
        if namespace is None:
            namespace = builder.document.add_namespace(f"ns{len(builder.document.namespaces)}", uri)
        identifier = namespace[local]
        attrs: list[tuple[Any, Any]] = []
        if record.prov_type:
            attrs.append((PROV_TYPE, _prov_type(builder, uri, record.prov_type)))
        if record.label:
            attrs.append((PROV_LABEL, record.label))
        sp = builder.sp
        for key, value in record.attributes.items():
            attrs.append((sp[key] if uri == sp.uri else namespace[key], _prov_value(key, value, record)))
        builder.document.entity(identifier, attrs)
        self._copied = True
        return identifier

    def _input_entity(self, builder: ProvenanceBuilder, item: str | TraceHeader) -> QualifiedName:
        path = item.path if isinstance(item, TraceHeader) else str(item)
        if path.lstrip("/").startswith(("Waveforms/", "AuxiliaryData/")):
            pid = self.asdf.get_provenance_id(path)
            if pid:
                existing = self._copy_existing(builder, pid)
                if existing is not None:
                    return existing
            return self._describe(builder, path, None, step=0)
        file = Path(path)
        return builder.entity("file", step=0, filename=file.name, location=_folder(file.parent.absolute()),
                              location_type="local file system")

    def _output_entity(self, builder: ProvenanceBuilder, path: str, output_type: str | None) -> QualifiedName:
        if self._header(path) is None:
            self.asdf.get_provenance_id(path)  # raises NotFoundError for a path that is not a dataset
        return self._describe(builder, path, output_type, step=None)

    def _describe(self, builder: ProvenanceBuilder, path: str, output_type: str | None,
                  step: int | None) -> QualifiedName:
        header = self._header(path)
        if header is not None:
            return builder.entity("waveform_trace", step=step, seed_id=header.seed_id,
                                  start_time=header.starttime, number_of_samples=header.npts,
                                  sampling_rate=header.sampling_rate)
        if output_type is not None:
            return builder.entity(output_type, step=step)
        return builder.custom("entity", "auxiliary_data", step=step,
                              attributes={"path": "/" + path.strip("/")})


@functools.lru_cache(maxsize=1024)
def _folder(path: Path) -> str:
    """The absolute, resolved folder of an input file (resolved once per folder)."""
    return str(path.resolve())


def _prov_type(builder: ProvenanceBuilder, uri: str, prov_type: str) -> str:
    """A copied record's string ``prov:type`` in this document's SEIS-PROV prefix.

    The source document may bind the SEIS-PROV namespace to another prefix
    (``sp:waveform_trace``); the string type is not rewritten by ``prov``.
    """
    name = prov_type.rpartition(":")[2]
    known = builder.profile.types.get(name)
    if uri == builder.sp.uri and known is not None and known.kind == "entity":
        return known.prov_type
    return prov_type


def _prov_value(key: str, value: Any, record: Any) -> Any:
    if key in ("start_time", "new_start_time", "new_end_time") and isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def add_processed_waveforms(
    asdf: ASDFFile,
    stream: Stream | Trace | Sequence[Trace],
    tag: str,
    *,
    document_name: str | None = None,
    **options: Any,
) -> tuple[str, list[str]]:
    """Add processed traces with the SEIS-PROV chain of their ObsPy processing history.

    One document holds the chains of all traces of the call; each trace's
    ``provenance_id`` points at the entity describing it.  Other keyword
    arguments go to :meth:`ASDFFile.add_waveforms`.

    Returns
    -------
    (document name, HDF5 paths written)
    """
    traces = [stream] if isinstance(stream, Trace) else list(stream)
    builder = ProvenanceBuilder()
    ids = []
    for trace in traces:
        builder, entity = chain_from_trace(trace, builder)
        ids.append(qualified_id(entity))
    name = document_name or _document_name(asdf, f"processing_{tag}")
    _store(asdf, builder, name)
    paths: list[str] = []
    try:
        for trace, pid in zip(traces, ids, strict=True):
            paths += asdf.add_waveforms(trace, tag, provenance_id=pid, **options)
    except Exception:
        asdf.remove_provenance_document(name)
        raise
    return name, paths
