"""Build SEIS-PROV documents with the ``prov`` package through a small typed API.

Examples
--------
>>> from asdfkit.provenance import ProvenanceBuilder
>>> b = ProvenanceBuilder()
>>> agent = b.software_agent("ObsPy", "1.5.1", "https://www.obspy.org")
>>> raw = b.entity("waveform_trace", seed_id="IU.ANMO.00.BHZ", sampling_rate=20)
>>> act = b.activity("detrend", detrending_method="linear fit", used=[raw], agent=agent)
>>> out = b.entity("waveform_trace", seed_id="IU.ANMO.00.BHZ", generated_by=act)
>>> b.document.get_record(act)[0].get_type().localpart
'Activity'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from prov.constants import (
    PROV,
    PROV_ACTIVITY,
    PROV_AGENT,
    PROV_ASSOCIATION,
    PROV_ATTR_ACTIVITY,
    PROV_ATTR_AGENT,
    PROV_ATTR_ENTITY,
    PROV_ATTR_GENERATED_ENTITY,
    PROV_ATTR_USED_ENTITY,
    PROV_DERIVATION,
    PROV_ENTITY,
    PROV_GENERATION,
    PROV_LABEL,
    PROV_TYPE,
    PROV_USAGE,
)
from prov.model import Namespace, ProvDocument, QualifiedName

from ..errors import InvalidValueError
from .ids import QualifiedId, make_local_id
from .report import ProvReport
from .schema import RecordType, profile
from .validator import validate_built, validate_generated
from .values import check_text, coerce
from .xmlwriter import PlainRecord, to_prov_xml

__all__ = ["ASDFKIT_NAMESPACE", "ProvenanceBuilder", "qualified_id"]

#: Namespace of asdfkit's own PROV records (steps that SEIS-PROV 0.1 has no type for).
ASDFKIT_NAMESPACE = "urn:asdfkit:prov:0.1#"
ASDFKIT_PREFIX = "asdfkit"

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
# Values prov stores exactly as given (its coercion returns them unchanged).
_PLAIN_TYPES = frozenset({str, int, float, bool, dt.datetime})


def qualified_id(name: QualifiedName) -> str:
    """``{namespace-uri}localpart`` of a prov qualified name (the ASDF provenance_id form)."""
    return str(QualifiedId(name.namespace.uri, name.localpart))


class ProvenanceBuilder:
    """Collects SEIS-PROV records into a ``prov.model.ProvDocument``.

    Values are coerced to the types the profile requires (``int`` where a
    double is due becomes ``float``, ``UTCDateTime`` becomes ``datetime``...),
    unknown attributes are refused for types that do not allow them, and ids
    follow ``sp<step>_<code>_<hash>``.  Steps count up from 1 unless given;
    agents use step 0.

    Records whose values ``prov`` would store unchanged are kept as plain
    tuples until :attr:`document` is asked for, which adds them to the
    ``ProvDocument`` in order, through ``prov``'s own ``new_record``;
    :meth:`to_xml` writes them without building ``prov`` records at all.
    """

    def __init__(self, document: ProvDocument | None = None) -> None:
        self.profile = profile()
        self._document = document if document is not None else ProvDocument()
        self._pending: list[PlainRecord] = []  # made after every record of _document, in order
        self.sp = self._namespace(self.profile.prefix, self.profile.namespace)
        self.ak = self._namespace(ASDFKIT_PREFIX, ASDFKIT_NAMESPACE)
        self._own = (self.sp, self.ak)
        self._step = 0
        self._software: dict[tuple[str, ...], QualifiedName] = {}

    @property
    def document(self) -> ProvDocument:
        """The ``prov`` document holding every record made so far."""
        if self._pending:
            pending, self._pending = self._pending, []
            for rec_type, identifier, attributes in pending:
                self._document.new_record(rec_type, identifier, attributes)
        return self._document

    def _namespace(self, prefix: str, uri: str) -> Namespace:
        for namespace in self._document.namespaces:
            if namespace.uri == uri:
                return namespace
        return self._document.add_namespace(prefix, uri)

    def _add(self, rec_type: QualifiedName, identifier: QualifiedName | None,
             attributes: list[tuple[QualifiedName, Any]]) -> None:
        """Add a record: kept plain if prov would store it as given, else added to the document now."""
        for _, value in attributes:
            if type(value) not in _PLAIN_TYPES and not (
                type(value) is QualifiedName and value.namespace in self._own
            ):
                self.document.new_record(rec_type, identifier, attributes)
                return
        self._pending.append((rec_type, identifier, attributes))

    def _relation(self, rec_type: QualifiedName, *formal: tuple[QualifiedName, Any]) -> None:
        """A relation between two records; kept plain if both are named in this builder's namespaces."""
        attributes = list(formal)
        for _, value in attributes:
            if type(value) is not QualifiedName or value.namespace not in self._own:
                self.document.new_record(rec_type, None, attributes)
                return
        self._pending.append((rec_type, None, attributes))

    def next_step(self) -> int:
        """Advance and return the processing-step counter used for ``step`` attributes."""
        self._step += 1
        return self._step

    # -- records -------------------------------------------------------------------
    def _type(self, name: str, kind: str) -> RecordType:
        record_type = self.profile.types.get(name)
        if record_type is None or record_type.kind != kind:
            known = sorted(n for n, t in self.profile.types.items() if t.kind == kind)
            raise InvalidValueError(f"unknown SEIS-PROV {kind} type {name!r}: must be one of {', '.join(known)}")
        return record_type

    def _attributes(self, record_type: RecordType, values: dict[str, Any]) -> list[tuple[Any, Any]]:
        out: list[tuple[Any, Any]] = []
        for name in record_type.required:
            if values.get(name) is None:
                raise InvalidValueError(
                    f"missing required attribute seis_prov:{name} of {record_type.name}"
                )
        for name, value in values.items():
            if value is None:
                continue
            spec = record_type.attribute(name)
            if spec is None:
                if not record_type.extra_allowed:
                    allowed = ", ".join(a.name for a in record_type.attributes) or "none"
                    raise InvalidValueError(
                        f"unknown attribute seis_prov:{name} for {record_type.name}: allowed are {allowed}"
                    )
                out.append((self.sp[name], _plain(value, f"seis_prov:{name}")))
                continue
            out.append((self.sp[name], coerce(spec, value)))
        return out

    def _new_id(self, record_type: RecordType, step: int | None, record_id: str | None) -> QualifiedName:
        if record_id is not None:
            if not self.profile.id_regex(record_type.code).match(record_id):
                raise InvalidValueError(
                    f"invalid record id {record_id!r}: must match "
                    f"{self.profile.id_regex(record_type.code).pattern}"
                )
            return self.sp[record_id]
        if step is None:
            step = 0 if record_type.kind == "agent" else self.next_step()
        return self.sp[make_local_id(record_type.code, step)]

    def entity(self, type_name: str, *, step: int | None = None, record_id: str | None = None,
               generated_by: QualifiedName | None = None, derived_from: Iterable[QualifiedName] = (),
               **attributes: Any) -> QualifiedName:
        """Add a SEIS-PROV entity (``waveform_trace``, ``cross_correlation``, ...)."""
        record_type = self._type(type_name, "entity")
        attrs = self._attributes(record_type, attributes)
        identifier = self._new_id(record_type, step, record_id)
        self._add(PROV_ENTITY, identifier, [(PROV_TYPE, record_type.prov_type),
                                            (PROV_LABEL, record_type.label), *attrs])
        if generated_by is not None:
            self.generated(identifier, generated_by)
        for source in derived_from:
            self.derived(identifier, source)
        return identifier

    def activity(self, type_name: str, *, step: int | None = None, record_id: str | None = None,
                 used: Iterable[QualifiedName] = (), agent: QualifiedName | None = None,
                 **attributes: Any) -> QualifiedName:
        """Add a SEIS-PROV activity (``detrend``, ``bandpass_filter``, ...)."""
        record_type = self._type(type_name, "activity")
        attrs = self._attributes(record_type, attributes)
        identifier = self._new_id(record_type, step, record_id)
        self._add(PROV_ACTIVITY, identifier, [
            (PROV_TYPE, record_type.prov_type), (PROV_LABEL, record_type.label), *attrs])
        for entity in used:
            self.used(identifier, entity)
        if agent is not None:
            self.associated(identifier, agent)
        return identifier

    def _agent(self, type_name: str, label: str, attributes: dict[str, Any],
               record_id: str | None) -> QualifiedName:
        record_type = self._type(type_name, "agent")
        attrs = self._attributes(record_type, attributes)
        identifier = self._new_id(record_type, 0, record_id)
        self._add(PROV_AGENT, identifier, [(PROV_TYPE, PROV[record_type.prov_type.split(":")[1]]),
                                           (PROV_LABEL, check_text("prov:label", label)), *attrs])
        return identifier

    def software_agent(self, name: str, version: str, website: str, *, doi: str | None = None,
                       label: str | None = None, record_id: str | None = None) -> QualifiedName:
        """Add a software agent (name, version and website are required by the profile).

        Asking twice for the same name, version and website returns the first agent.
        """
        key = (name, version, website, doi or "", label or name)
        if key in self._software and record_id is None:
            return self._software[key]
        agent = self._agent("software_agent", label or name, {
            "software_name": name, "software_version": version, "website": website, "doi": doi,
        }, record_id)
        self._software[key] = agent
        return agent

    def person(self, name: str, *, email: str | None = None, label: str | None = None,
               record_id: str | None = None, **extra: Any) -> QualifiedName:
        """Add a SEIS-PROV person agent and return its id."""
        return self._agent("person", label or name, {"name": name, "email": email, **extra}, record_id)

    def organization(self, name: str, *, website: str | None = None, label: str | None = None,
                     record_id: str | None = None, **extra: Any) -> QualifiedName:
        """Add a SEIS-PROV organization agent and return its id."""
        return self._agent("organization", label or name, {"name": name, "website": website, **extra},
                           record_id)

    def custom(self, kind: str, name: str, *, label: str | None = None, step: int | None = None,
               attributes: dict[str, Any] | None = None, record_id: str | None = None) -> QualifiedName:
        """A plain PROV entity or activity in asdfkit's namespace (no SEIS-PROV type exists).

        ``name`` becomes the ``prov:type`` ``asdfkit:<name>``; attribute values
        are stored as given (str, int, float, bool, datetime).  ``record_id``
        (a local part made by an earlier call) copies a record of another
        document under its own id, so that lineage continues through it.
        """
        if kind not in ("entity", "activity"):
            raise InvalidValueError(f"invalid record kind {kind!r}: must be 'entity' or 'activity'")
        if not _NAME.match(name):
            raise InvalidValueError(f"invalid asdfkit record name {name!r}: must match {_NAME.pattern}")
        if record_id is not None:
            if not re.fullmatch(rf"[a-z]{{2}}\d{{3,}}_{name}_[0-9a-z]+", record_id):
                raise InvalidValueError(
                    f"invalid record id {record_id!r}: must be a local id of an asdfkit:{name} record"
                )
            local = record_id
        else:
            if step is None:
                step = self.next_step()
            local = make_local_id("xx", step).replace("_xx_", f"_{name}_", 1)
        identifier = self.ak[local]
        attrs = [(PROV_TYPE, f"{ASDFKIT_PREFIX}:{name}"),
                 (PROV_LABEL, check_text("prov:label", label or name.replace("_", " ").title()))]
        attrs += [(self.ak[k], _plain(v, f"{ASDFKIT_PREFIX}:{k}"))
                  for k, v in (attributes or {}).items() if v is not None]
        self._add(PROV_ENTITY if kind == "entity" else PROV_ACTIVITY, identifier, attrs)
        return identifier

    # -- relations -----------------------------------------------------------------
    # prov's used(), wasGeneratedBy()... store exactly these formal attributes (their None ones dropped).
    def used(self, activity: QualifiedName, entity: QualifiedName) -> None:
        """Record that ``activity`` used ``entity`` (``prov:used``)."""
        self._relation(PROV_USAGE, (PROV_ATTR_ACTIVITY, activity), (PROV_ATTR_ENTITY, entity))

    def generated(self, entity: QualifiedName, activity: QualifiedName) -> None:
        """Record that ``entity`` was generated by ``activity`` (``prov:wasGeneratedBy``)."""
        self._relation(PROV_GENERATION, (PROV_ATTR_ENTITY, entity), (PROV_ATTR_ACTIVITY, activity))

    def associated(self, activity: QualifiedName, agent: QualifiedName) -> None:
        """Record that ``activity`` was associated with ``agent`` (``prov:wasAssociatedWith``)."""
        self._relation(PROV_ASSOCIATION, (PROV_ATTR_ACTIVITY, activity), (PROV_ATTR_AGENT, agent))

    def derived(self, entity: QualifiedName, source: QualifiedName) -> None:
        """Record that ``entity`` was derived from ``source`` (``prov:wasDerivedFrom``)."""
        self._relation(PROV_DERIVATION, (PROV_ATTR_GENERATED_ENTITY, entity), (PROV_ATTR_USED_ENTITY, source))

    def acted_for(self, agent: QualifiedName, responsible: QualifiedName) -> None:
        """Record that ``agent`` acted on behalf of ``responsible`` (``prov:actedOnBehalfOf``)."""
        self.document.actedOnBehalfOf(agent, responsible)

    # -- output --------------------------------------------------------------------
    def check(self) -> ProvReport:
        """What :func:`~asdfkit.provenance.validator.validate_generated` finds in :meth:`to_xml`.

        Cheaper on large documents: the XML and the PROV-XML schema are checked
        on one record of each shape (see :func:`~asdfkit.provenance.validator.validate_built`).
        """
        if self._document.has_bundles() or self._document.identifier:
            return validate_generated(self.to_xml())
        return validate_built(self._document, self._pending)

    def to_xml(self) -> bytes:
        """The document as PROV-XML bytes (those of ``document.serialize(format="xml")``)."""
        if self._document.has_bundles() or self._document.identifier:
            return to_prov_xml(self.document)
        return to_prov_xml(self._document, self._pending)


def _plain(value: Any, what: str) -> Any:
    """Values for attributes without a profile type: numpy scalars to Python, times to datetime."""
    import datetime as dt

    import numpy as np
    from obspy import UTCDateTime

    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, UTCDateTime):
        return value.datetime
    if isinstance(value, (int, float, bool, dt.datetime)):
        return value
    return check_text(what, value if isinstance(value, str) else str(value))
