"""Validate SEIS-PROV documents: every finding, driven by the profile schema.

The checks run on the XML itself (lxml, parsed safely), so a document with many
problems yields a finding for each instead of stopping at the first; the W3C
PROV-XML schema and the ``prov`` package's reader are applied as two rules
among the others.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlparse

from lxml import etree
from prov.constants import PROV_ATTRIBUTE_QNAMES
from prov.identifier import QualifiedName
from prov.model import ProvDocument

from .. import xmlsafe
from ..errors import XMLError
from .report import ProvReport
from .schema import AttributeSpec, Profile, RecordType, profile
from .xmlwriter import PlainRecord, to_prov_xml

__all__ = ["validate", "validate_built", "validate_generated"]

PROV_NS = "http://www.w3.org/ns/prov#"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_P = f"{{{PROV_NS}}}"
# A prefixed name the PROV-XML schema accepts as an xsd:QName (ASCII subset of prefix:NCName).
_QNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*:[A-Za-z_][A-Za-z0-9_.-]*")
_XPATH_NS = {"p": PROV_NS}
_ENTITY_KINDS = {"entity": "entity", "plan": "entity", "collection": "entity",
                 "emptyCollection": "entity", "dictionary": "entity", "emptyDictionary": "entity",
                 "activity": "activity"}
_AGENT_KINDS = {"agent": None, "softwareAgent": "software_agent", "person": "person",
                "organization": "organization"}
_AGENT_QNAMES = {"SoftwareAgent": "software_agent", "Person": "person", "Organization": "organization"}
# ASCII digits only (``\d`` would accept any Unicode digit, which XSD does not).
_DATETIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$", re.ASCII)
_INTEGER = re.compile(r"^[+-]?\d+$", re.ASCII)
_POSITIVE = re.compile(r"^\+?0*[1-9]\d*$", re.ASCII)  # no int(): huge digit strings must not raise
_DOUBLE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


@cache
def _prov_schema() -> etree.XMLSchema:
    """The W3C PROV-XML schema asdfkit ships (``schemas/prov_xml``), compiled without network access."""
    path = resources.files("asdfkit.schemas") / "prov_xml" / "prov.xsd"
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    with resources.as_file(path) as xsd:
        return etree.XMLSchema(etree.parse(str(xsd), parser))


def _to_bytes(document: Any) -> bytes:
    if isinstance(document, (bytes, bytearray, memoryview)):
        return bytes(document)
    if isinstance(document, str):
        return document.encode("utf-8")
    serialize = getattr(document, "serialize", None)
    if serialize is not None:
        text = serialize(format="xml")
        return text.encode("utf-8") if isinstance(text, str) else bytes(text)
    raise TypeError(f"cannot validate {type(document).__name__}: give PROV-XML bytes or a ProvDocument")


def _resolve(element: etree._Element, text: str, nsmap: dict[Any, str] | None = None) -> tuple[str | None, str]:
    """Resolve ``prefix:local`` with the element's namespace map (``nsmap`` if the caller knows it)."""
    namespaces = element.nsmap if nsmap is None else nsmap
    prefix, sep, local = text.strip().partition(":")
    if not sep:
        return namespaces.get(None), text.strip()
    return namespaces.get(prefix), local


def _root_declares_all(root: etree._Element, data: bytes) -> bool:
    """True if no element below the root declares a namespace (so all share the root's map).

    Every declaration is spelled ``xmlns`` in the bytes (DOCTYPEs, hence entities, are
    refused); if ``xmlns`` occurs exactly as often as the root declares prefixes, no
    other element declares any.  Any other occurrence (in text, say) only means
    the slower per-element lookup is used.
    """
    return data.count(b"xmlns") == len(root.nsmap)


def _check_value(spec: AttributeSpec, text: str) -> str | None:
    """Why ``text`` is not a value of ``spec``'s types, or None if it is."""
    text = text.strip()
    reasons = []
    for xsd in spec.types:
        if xsd in ("xsd:double", "xsd:decimal"):
            if _DOUBLE.match(text) and math.isfinite(float(text)):
                return None
            reasons.append("a number")
        elif xsd == "xsd:integer":
            if _INTEGER.match(text):
                return None
            reasons.append("an integer")
        elif xsd == "xsd:positiveInteger":
            if _POSITIVE.match(text):
                return None
            reasons.append("a positive integer")
        elif xsd == "xsd:dateTime":
            if _DATETIME.match(text):
                return None
            reasons.append("an ISO 8601 date and time with 'T'")
        elif xsd == "xsd:anyURI":
            if text and " " not in text and _scheme(text):
                return None
            reasons.append("an absolute URI")
        else:  # xsd:string
            if text:
                return None
            reasons.append("a non-empty string")
    return " or ".join(reasons)


def _scheme(text: str) -> str:
    """The URI scheme of ``text`` ('' if it has none or cannot be parsed)."""
    try:
        return urlparse(text).scheme
    except ValueError:  # e.g. "http://[" (an unclosed IPv6 literal)
        return ""


class _Checker:
    def __init__(self, root: etree._Element, report: ProvReport, data: bytes) -> None:
        self.root = root
        self.nsmap: dict[Any, str] | None = dict(root.nsmap) if _root_declares_all(root, data) else None
        self.report = report
        self.profile: Profile = profile()
        self.ids: Counter[str] = Counter()
        self.agent_ids: Counter[str] = Counter()

    def run(self, *, records: bool = True, relations: bool = True) -> None:
        """Run every check; ``records=False`` skips the per-record profile checks.

        Only :func:`validate_generated` turns them off, for documents whose
        records :class:`ProvenanceBuilder` checked against the profile as it
        made them; ids and duplicates are always checked, relations unless
        ``relations=False`` (a sample of a document's records, see :func:`validate_built`).
        """
        maps = [self.nsmap] if self.nsmap is not None else (el.nsmap for el in self.root.iter()
                                                               if isinstance(el.tag, str))
        prefixes = {prefix for nsmap in maps for prefix, uri in nsmap.items() if uri == self.profile.namespace}
        if len(prefixes) > 1:
            self.report.add("sp.namespace.prefix",
                            f"the SEIS-PROV namespace is bound to {len(prefixes)} prefixes "
                            f"({', '.join(sorted(str(p) for p in prefixes))}); bind exactly one")
        # elements with a prov:id, in document order (through their attributes: faster in libxml2)
        owners = (value.getparent() for value in _xpath("//@p:id")(self.root))
        elements = [el for el in owners if el.tag.startswith(_P)]
        for element in elements:
            self.record(element, checks=records)
        for rid, count in self.ids.items():
            if count > 1 and rid.startswith("{" + self.profile.namespace + "}"):
                if self.agent_ids.get(rid, 0) == count:
                    # Agents sit outside the profile's entity/activity schema (as in the reference
                    # validator); PROV merges repeated agent descriptions, and the spec's own
                    # adjoint-source example repeats one.  Worth a warning, not an error.
                    self.report.add("sp.id.duplicate", f"agent id appears {count} times; PROV merges "
                                    "the descriptions into one agent", rid, severity="warning")
                else:
                    self.report.add("sp.id.duplicate", f"record id appears {count} times", rid)
        if relations:
            self.relations()
        if records and self.report.seis_prov_records == 0 and self.report.ok:
            self.report.add("sp.empty", "valid PROV, but no SEIS-PROV record was found: not a SEIS-PROV "
                            "document")

    def record(self, element: etree._Element, *, checks: bool = True) -> None:
        local = element.tag[len(_P):]  # a PROV element (see run)
        raw_id = element.get(f"{_P}id", "")
        uri, id_local = _resolve(element, raw_id, self.nsmap)
        if uri is None:
            self.report.add("prov.id.prefix", f"id {raw_id!r} uses an undeclared namespace prefix", raw_id)
            return
        rid = f"{{{uri}}}{id_local}"
        self.ids[rid] += 1
        if local in _AGENT_KINDS:
            self.agent_ids[rid] += 1
        self.report.record_ids.add(rid)
        if not checks:
            return
        in_sp = uri == self.profile.namespace
        if local in _ENTITY_KINDS:
            self.entity_or_activity(element, _ENTITY_KINDS[local], rid, id_local, in_sp)
        elif local in _AGENT_KINDS and in_sp:
            self.agent(element, _AGENT_KINDS[local], rid, id_local)

    def _types(self, element: etree._Element) -> list[etree._Element]:
        return element.findall(f"{_P}type")

    def _is_sp(self, type_el: etree._Element) -> bool:
        uri, _ = _resolve(type_el, type_el.text or "", self.nsmap)
        return uri == self.profile.namespace

    def entity_or_activity(self, element: etree._Element, kind: str, rid: str, local: str, in_sp: bool) -> None:
        types = self._types(element)
        sp_types = [t for t in types if self._is_sp(t)]
        if not sp_types and not in_sp:
            return  # plain PROV
        self.report.seis_prov_records += 1
        if sp_types and not in_sp:
            self.report.add("sp.id.namespace",
                            f"{kind} has SEIS-PROV type {sp_types[0].text!r} but its id is not in "
                            f"the SEIS-PROV namespace {self.profile.namespace}", rid)
        if not sp_types:
            self.report.add("sp.type.missing",
                            f"{kind} has a SEIS-PROV id but no prov:type 'seis_prov:<name>'", rid)
            return
        if len(types) != 1:
            self.report.add("sp.type.count", f"{kind} has {len(types)} prov:type elements; exactly one is allowed",
                            rid)
        type_el = sp_types[0]
        xsi = type_el.get(XSI_TYPE)
        if xsi is not None and _resolve(type_el, xsi, self.nsmap) != ("http://www.w3.org/2001/XMLSchema", "string"):
            self.report.add("sp.type.form", f"prov:type is written as {xsi}; it must be an xsd:string", rid)
        _, type_name = _resolve(type_el, type_el.text or "", self.nsmap)
        record_type = self.profile.types.get(type_name)
        if record_type is None or record_type.kind != kind:
            self.report.add("sp.type.unknown", f"{type_name!r} is not a SEIS-PROV {kind} type", rid)
            return
        self.id_pattern(record_type, rid, local)
        self.labels(element, record_type, rid)
        self.attributes(element, record_type, rid)

    def agent(self, element: etree._Element, kind: str | None, rid: str, local: str) -> None:
        self.report.seis_prov_records += 1
        if kind is None:
            for type_el in self._types(element):
                uri, name = _resolve(type_el, type_el.text or "", self.nsmap)
                if uri == PROV_NS and name in _AGENT_QNAMES:
                    kind = _AGENT_QNAMES[name]
        if kind is None:
            code = local.split("_")[1] if local.count("_") >= 2 else ""
            by_code = self.profile.by_code(code)
            if by_code is None or by_code.kind != "agent":
                self.report.add("sp.agent.type", "agent is not typed prov:SoftwareAgent, prov:Person or "
                                "prov:Organization and its id code names no agent type", rid)
                return
            kind = by_code.name
        record_type = self.profile.types[kind]
        self.id_pattern(record_type, rid, local)
        self.labels(element, record_type, rid)
        self.attributes(element, record_type, rid)

    def id_pattern(self, record_type: RecordType, rid: str, local: str) -> None:
        regex = self.profile.id_regex(record_type.code)
        if not regex.match(local):
            self.report.add("sp.id.pattern", f"id {local!r} of a {record_type.name} must match {regex.pattern}", rid)

    def labels(self, element: etree._Element, record_type: RecordType, rid: str) -> None:
        labels = element.findall(f"{_P}label")
        if len(labels) != 1:
            self.report.add("sp.label.count", f"{record_type.name} has {len(labels)} prov:label elements; "
                            "exactly one is required", rid)
            return
        text = (labels[0].text or "").strip()
        if record_type.label is not None and text != record_type.label:
            self.report.add("sp.label.value", f"label is {text!r}; a {record_type.name} must be labelled "
                            f"{record_type.label!r}", rid)

    def attributes(self, element: etree._Element, record_type: RecordType, rid: str) -> None:
        prefix = f"{{{self.profile.namespace}}}"
        present = [child for child in element if isinstance(child.tag, str) and child.tag.startswith(prefix)]
        names = {etree.QName(child).localname for child in present}
        for name in record_type.required:
            if name not in names:
                self.report.add("sp.attr.required", f"required attribute seis_prov:{name} of "
                                f"{record_type.name} is missing", rid)
        for child in present:
            name = etree.QName(child).localname
            spec = record_type.attribute(name)
            if spec is None:
                if not record_type.extra_allowed:
                    self.report.add("sp.attr.unknown", f"seis_prov:{name} is not an attribute of "
                                    f"{record_type.name}", rid)
                continue
            text = child.text or ""
            why = _check_value(spec, text)
            if why is not None:
                self.report.add("sp.attr.type", f"seis_prov:{name} = {text!r} is not {why}", rid)
            elif spec.pattern is not None and not spec.matches(text.strip()):
                self.report.add("sp.attr.pattern", f"seis_prov:{name} = {text!r} does not match "
                                f"{spec.pattern}", rid)

    def relations(self) -> None:
        if self.nsmap is not None:  # one namespace map: resolve the reference texts alone
            ids, uris = self.ids, self.nsmap
            for ref in _xpath("//@p:ref", smart_strings=False)(self.root):  # all of them, a superset
                prefix, sep, local = ref.strip().partition(":")
                uri = uris.get(prefix) if sep else uris.get(None)
                if uri is None or f"{{{uri}}}{local if sep else ref.strip()}" not in ids:
                    break  # a finding: the element walk below reports it
            else:
                return
        # prov:ref of every element without a prov:id (the relations' formal attributes), in document order
        for element in _xpath("//*[not(@p:id)][@p:ref]")(self.root):
            ref = element.get(f"{_P}ref")
            uri, local = _resolve(element, ref, self.nsmap)
            if uri is None:
                self.report.add("prov.id.prefix", f"reference {ref!r} uses an undeclared namespace prefix")
                continue
            target = f"{{{uri}}}{local}"
            if target not in self.ids:
                parent = element.getparent()
                relation = etree.QName(parent).localname if parent is not None else "relation"
                self.report.add("prov.relation.dangling",
                                f"{relation} refers to {target}, which is not a record of the document")


@cache
def _xpath(path: str, *, smart_strings: bool = True) -> etree.XPath:
    return etree.XPath(path, namespaces=_XPATH_NS, smart_strings=smart_strings)


def validate(document: Any, *, prov_reader: bool = True) -> ProvReport:
    """Validate a SEIS-PROV document and report every finding.

    Parameters
    ----------
    document : bytes, str or prov.model.ProvDocument
        PROV-XML.
    prov_reader : bool
        Also check that the ``prov`` package reads the document back (rule
        ``prov.parse``).  asdfkit skips this for documents ``prov`` itself
        just wrote.

    Returns
    -------
    ProvReport
        ``report.ok`` is True when no error was found; ``report.findings``
        lists every problem with its rule id (see ``RULES``) and record id.
    """
    report = ProvReport()
    try:
        data = _to_bytes(document)
    except (TypeError, ValueError) as exc:  # ValueError: prov/lxml cannot serialise the values
        report.add("xml.malformed", f"cannot serialise the document as XML: {exc}")
        return report
    root = _parse(data, report)
    if root is None:
        return report
    if prov_reader:
        _prov_reads(xmlsafe.clean(data), report)
    _Checker(root, report, data).run()
    return report


def validate_generated(data: bytes) -> ProvReport:
    """The cheaper check asdfkit runs on documents its own builder just wrote.

    :class:`ProvenanceBuilder` refuses unknown types, missing or unknown
    attributes, values of the wrong type and ids off the pattern as it builds
    each record, so re-checking every record against the profile is skipped.
    What the builder cannot promise is still checked: well-formed XML, the W3C
    PROV-XML schema, duplicate ids, one SEIS-PROV prefix and relations that
    resolve.  Use :func:`validate` for any document from elsewhere.

    Examples
    --------
    >>> from asdfkit.provenance import ProvenanceBuilder
    >>> b = ProvenanceBuilder()
    >>> _ = b.entity("waveform_trace", seed_id="IU.ANMO.00.BHZ")
    >>> validate_generated(b.to_xml()).ok
    True
    """
    report = ProvReport()
    root = _parse(data, report)
    if root is not None:
        _Checker(root, report, data).run(records=False)
    return report


def validate_built(document: ProvDocument, pending: Sequence[PlainRecord] = ()) -> ProvReport:
    """:func:`validate_generated` of a builder's document, parsing one record of each shape.

    ``document`` and ``pending`` are a :class:`ProvenanceBuilder`'s records (see
    :func:`~asdfkit.provenance.xmlwriter.to_prov_xml`).  Records of one type
    with the same attribute names and value types are written alike, with
    value texts that are valid for their xsd types whatever the value: the
    XML and the PROV-XML schema are checked on a document holding all of the
    document's own records and the first pending record of each shape.  Ids,
    duplicates and relations are checked on all records, in memory.  Whenever
    that is not conclusive (a duplicate or dangling id, an id that is not a
    plain QName, a datetime with a time zone), or when most records are in
    ``document`` already, the whole document is written and checked by
    :func:`validate_generated`, whose findings are returned.

    Examples
    --------
    >>> from asdfkit.provenance import ProvenanceBuilder
    >>> b = ProvenanceBuilder()
    >>> _ = b.entity("waveform_trace", seed_id="IU.ANMO.00.BHZ")
    >>> validate_built(b.document).ok
    True
    """
    def everything() -> ProvReport:
        return validate_generated(to_prov_xml(document, pending))

    own = list(document.get_records())
    if document.has_bundles() or document.identifier or len(own) >= len(pending):
        return everything()  # nothing to gain: most records are prov's, parsed whole anyway
    records = [(r.get_type(), r.identifier, r.attributes) for r in own]
    ids: list[QualifiedName] = []
    names: set[QualifiedName] = set()  # every qualified-name value
    refs: set[QualifiedName] = set()  # those of formal attributes: records they refer to
    for _, identifier, attributes in (*records, *pending):
        if identifier is not None:
            ids.append(identifier)
        for attr, value in attributes:
            if type(value) is QualifiedName:
                names.add(value)
                if attr in PROV_ATTRIBUTE_QNAMES:
                    refs.add(value)
            elif isinstance(value, dt.datetime) and value.tzinfo is not None:
                return everything()  # its text depends on its offset (the schema bounds it)
    known = set(ids)
    if len(known) != len(ids) or not refs <= known or not all(_QNAME.fullmatch(str(n)) for n in known | names):
        return everything()  # a duplicate or dangling id, or one the schema may refuse: report it
    sample = list(records)
    shapes: set[tuple[Any, ...]] = set()
    for record in pending:
        shape = (record[0], *[(attr, type(value)) for attr, value in record[2]])
        if shape not in shapes:
            shapes.add(shape)
            sample.append(record)
    data = to_prov_xml(document, sample[len(records):])
    report = ProvReport()
    root = _parse(data, report)
    if root is not None:
        _Checker(root, report, data).run(records=False, relations=False)
    report.record_ids = {f"{{{name.namespace.uri}}}{name.localpart}" for name in known}
    return report


def _parse(data: bytes, report: ProvReport) -> etree._Element | None:
    """Parse ``data`` safely and apply the PROV-XML schema; None if it is no PROV document."""
    try:
        root = xmlsafe.parse(data, "provenance document")
    except XMLError as exc:
        # libxml2 may stop an entity bomb (amplification limit) before the DOCTYPE check runs.
        unsafe = "DOCTYPE" in str(exc) or b"<!DOCTYPE" in data
        report.add("xml.unsafe" if unsafe else "xml.malformed", str(exc))
        return None
    if root.tag != f"{_P}document":
        report.add("prov.root", f"root element is {root.tag!r}, must be prov:document")
        return None
    schema = _prov_schema()
    if not schema.validate(root.getroottree()):
        for error in list(schema.error_log)[:50]:
            report.add("prov.schema", f"line {error.line}: {error.message}")
    return root


def _prov_reads(data: bytes, report: ProvReport) -> None:
    from prov.model import ProvDocument

    try:
        with warnings.catch_warnings():
            # prov warns about <prov:other> (valid PROV-XML it ignores); that is no finding.
            warnings.simplefilter("ignore", UserWarning)
            ProvDocument.deserialize(content=data, format="xml")
    except Exception as exc:  # noqa: BLE001 - prov raises many types on bad content
        report.add("prov.parse", f"the prov package cannot read the document: {type(exc).__name__}: {exc}")
