"""A provenance graph over every document of a file, and record look-up.

Documents are read with the ``prov`` package (after the XML passed the safe
parser), flattened (bundles included) and merged by record id, so a chain that
spans documents (one step per document, as asdfkit's recorder writes them) is
followed as one.
"""

from __future__ import annotations

import logging
import warnings
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from prov.constants import PROV_LABEL, PROV_TYPE
from prov.model import (
    ProvActivity,
    ProvAgent,
    ProvAssociation,
    ProvDerivation,
    ProvDocument,
    ProvEntity,
    ProvGeneration,
    ProvUsage,
    QualifiedName,
)

from .. import xmlsafe
from ..errors import NotFoundError, XMLError
from .ids import QualifiedId

__all__ = ["ProvGraph", "RecordInfo", "read_document"]

log = logging.getLogger(__name__)

_PROV_DOCUMENT = "{http://www.w3.org/ns/prov#}document"


def read_document(data: bytes, what: str = "provenance document") -> ProvDocument:
    """Parse PROV-XML safely into a ``prov.model.ProvDocument``.

    Raises
    ------
    asdfkit.errors.XMLError
        If the data is not well-formed, declares a DOCTYPE, is not rooted in
        ``prov:document`` or cannot be read by ``prov``.
    """
    root = xmlsafe.parse(data, what)  # refuses DOCTYPEs, entity tricks and oversize input first
    if root.tag != _PROV_DOCUMENT:
        raise XMLError(f"{what} is not PROV-XML: root element is {root.tag!r}, must be prov:document")
    try:
        with warnings.catch_warnings():
            # prov warns about <prov:other> (valid PROV-XML it ignores); reading still succeeds.
            warnings.simplefilter("ignore", UserWarning)
            return ProvDocument.deserialize(content=xmlsafe.clean(data), format="xml")
    except Exception as exc:  # noqa: BLE001 - prov raises many types on bad content
        raise XMLError(f"{what} cannot be read as PROV-XML: {type(exc).__name__}: {exc}") from exc


def _qid(name: QualifiedName) -> str:
    return str(QualifiedId(name.namespace.uri, name.localpart))


def _plain(value: Any) -> Any:
    if isinstance(value, QualifiedName):
        return str(value)
    if isinstance(value, (str, int, float, bool)):
        return value
    uri = getattr(value, "uri", None)
    if uri is not None:
        return str(uri)
    return str(value)


@dataclass(frozen=True)
class RecordInfo:
    """One PROV record, in plain Python values."""

    id: str
    kind: str  # entity, activity, agent
    prov_type: str | None
    label: str | None
    attributes: dict[str, Any] = field(default_factory=dict)
    document: str | None = None

    @property
    def localpart(self) -> str:
        """The record id without its namespace."""
        return self.id.rsplit("}", 1)[-1]

    @property
    def title(self) -> str:
        """A display name: the label, else the SEIS-PROV type, else the PROV kind."""
        return self.label or (self.prov_type or self.kind)

    def to_dict(self) -> dict[str, Any]:
        """The record as a JSON-ready dictionary."""
        return {"id": self.id, "kind": self.kind, "type": self.prov_type, "label": self.label,
                "attributes": {k: _jsonable(v) for k, v in self.attributes.items()},
                "document": self.document}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class ProvGraph:
    """Records and relations of one or more PROV documents, merged by id."""

    def __init__(self) -> None:
        self.records: dict[str, RecordInfo] = {}
        self.generated_by: dict[str, list[str]] = defaultdict(list)
        self.used: dict[str, list[str]] = defaultdict(list)
        self.associated: dict[str, list[str]] = defaultdict(list)
        self.derived_from: dict[str, list[str]] = defaultdict(list)

    @classmethod
    def from_documents(cls, documents: Iterable[tuple[str, bytes]]) -> ProvGraph:
        """Build a graph from ``(name, PROV-XML bytes)`` pairs; unreadable documents are skipped with a warning."""
        graph = cls()
        for name, data in documents:
            try:
                graph.add(read_document(data, f"provenance document {name!r}"), name)
            except XMLError as exc:
                log.warning("skipping unreadable provenance document %r: %s", name, exc)
        return graph

    def add(self, document: ProvDocument, name: str | None = None) -> None:
        """Add every entity, activity, agent and relation of ``document``, remembering it came from ``name``."""
        flat = document.flattened()
        for record in flat.get_records():
            if isinstance(record, (ProvEntity, ProvActivity, ProvAgent)):
                self._add_element(record, name)
        for record in flat.get_records():
            attrs = dict(record.formal_attributes)
            if isinstance(record, ProvGeneration):
                self._link(self.generated_by, attrs, "prov:entity", "prov:activity")
            elif isinstance(record, ProvUsage):
                self._link(self.used, attrs, "prov:activity", "prov:entity")
            elif isinstance(record, ProvAssociation):
                self._link(self.associated, attrs, "prov:activity", "prov:agent")
            elif isinstance(record, ProvDerivation):
                self._link(self.derived_from, attrs, "prov:generatedEntity", "prov:usedEntity")

    def _add_element(self, record: Any, document: str | None) -> None:
        kind = "entity" if isinstance(record, ProvEntity) else (
            "activity" if isinstance(record, ProvActivity) else "agent")
        types = [_plain(v) for k, v in record.attributes if k == PROV_TYPE]
        labels = [str(v) for k, v in record.attributes if k == PROV_LABEL]
        attributes = {
            k.localpart: _plain(v) for k, v in record.attributes
            if isinstance(k, QualifiedName) and k not in (PROV_TYPE, PROV_LABEL)
        }
        rid = _qid(record.identifier)
        if rid in self.records:  # the same record described in several documents
            merged = {**attributes, **self.records[rid].attributes}
            previous = self.records[rid]
            self.records[rid] = RecordInfo(rid, kind, previous.prov_type or (types[0] if types else None),
                                           previous.label or (labels[0] if labels else None), merged,
                                           previous.document)
            return
        self.records[rid] = RecordInfo(rid, kind, types[0] if types else None,
                                       labels[0] if labels else None, attributes, document)

    @staticmethod
    def _link(table: dict[str, list[str]], attrs: dict[Any, Any], source: str, target: str) -> None:
        by_name = {str(k): v for k, v in attrs.items()}
        a, b = by_name.get(source), by_name.get(target)
        if isinstance(a, QualifiedName) and isinstance(b, QualifiedName):
            if _qid(b) not in table[_qid(a)]:
                table[_qid(a)].append(_qid(b))

    def record(self, record_id: str) -> RecordInfo:
        """The record of a ``{namespace}localpart`` id."""
        key = str(QualifiedId.parse(record_id))
        try:
            return self.records[key]
        except KeyError:
            raise NotFoundError(f"provenance record {record_id!r} not found in any provenance document") from None
