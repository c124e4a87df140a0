"""PROV-XML bytes of a ``ProvDocument``, identical to what ``prov``'s own serializer writes.

``prov``'s serializer decides, for every attribute of every record, its element
name, ``xsi:type`` and text through generic helpers that compare qualified names
in Python; on the documents asdfkit writes (hundreds of records, thousands of
attributes) that is most of the cost of recording provenance.  :func:`to_prov_xml`
builds the same lxml tree with the per-name decisions looked up once: the same
record order and element names (``prov``'s own ``record.attributes`` and record
labels), the same attribute order as ``prov.model.sorted_attributes``, the same
value texts and ``xsi:type`` rules (``prov``'s own value formatters), written the
way ``ProvDocument.serialize(format="xml")`` writes them.  Documents with bundles
go to ``prov``'s serializer unchanged.  ``tests/provenance/test_prov_xmlwriter.py``
compares both byte for byte on every document the provenance tests produce.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree
from prov.constants import (
    PROV_ATTR_TIME,
    PROV_ATTRIBUTE_QNAMES,
    PROV_INTERNATIONALIZEDSTRING,
    PROV_LABEL,
    PROV_LOCATION,
    PROV_ROLE,
    PROV_TYPE,
    PROV_VALUE,
)
from prov.identifier import QualifiedName
from prov.model import Literal, ProvDocument, ProvRecord
from prov.model.bundle import PROV_REC_CLS
from prov.model.records import _xsd_datetime_text, _xsd_double_text
from prov.serializers.provxml import (
    _ALWAYS_CHECK,
    ProvXMLSerializer,
    _escape_ncname_localpart,
    _infer_xsd_type,
    _ns_prov,
    _ns_xml,
    _ns_xsi,
)

__all__ = ["to_prov_xml"]

XML_NS = "http://www.w3.org/XML/1998/namespace"
_XSI_TYPE = _ns_xsi("type")
_XML_LANG = _ns_xml("lang")
_PROV_ID = _ns_prov("id")
_PROV_REF = _ns_prov("ref")
_TYPED = (PROV_TYPE, PROV_LOCATION, PROV_VALUE)
_UNTYPED = (PROV_ATTR_TIME, PROV_LABEL)
# Types whose equal values always have equal text (not float: -0.0 == 0.0; not datetime: time zones).
_REUSABLE = frozenset({str, QualifiedName})
_UNIVERSAL = (PROV_LABEL, PROV_LOCATION, PROV_ROLE, PROV_TYPE, PROV_VALUE)


@dataclass(frozen=True)
class _Name:
    """What ``prov``'s serializer decides from an attribute's name alone."""

    tag: str
    formal: bool  # a PROV formal attribute: a QualifiedName value is written as prov:ref
    typed: bool  # prov:type, prov:location, prov:value: xsi:type is always inferred
    untyped: bool  # prov:time, prov:label: xsi:type is never inferred


@dataclass(frozen=True)
class _Child:
    """One attribute element: tag, XML attributes in the order prov sets them, text."""

    tag: str
    attrib: list[tuple[str, str]]
    text: str | None


Record = tuple[str, list[tuple[str, str]], list[_Child]]


@cache
def _name(attr: QualifiedName) -> _Name:
    return _Name(
        tag=f"{{{attr.namespace.uri}}}{_escape_ncname_localpart(attr.localpart)}",
        formal=attr in PROV_ATTRIBUTE_QNAMES,
        typed=attr in _TYPED,
        untyped=attr in _UNTYPED,
    )


@cache
def _order(rec_type: QualifiedName) -> dict[QualifiedName, int]:
    """Rank of each name ``sorted_attributes`` places first (formal, then universal attributes)."""
    order: dict[QualifiedName, int] = {}
    for attr in (*PROV_REC_CLS[rec_type].FORMAL_ATTRIBUTES, *_UNIVERSAL):
        order.setdefault(attr, len(order))
    return order


def _sort_text(pair: tuple[QualifiedName, Any]) -> tuple[str, str]:
    value = pair[1]
    return str(pair[0]), str(value.value if hasattr(value, "value") else value)


def _sorted(
    rec_type: QualifiedName, attributes: list[tuple[QualifiedName, Any]]
) -> list[tuple[QualifiedName, Any]]:
    """``prov.model.sorted_attributes``: ranked names first, each group and the rest by text."""
    order = _order(rec_type)
    rest = len(order)
    return sorted(attributes, key=lambda pair: (order.get(pair[0], rest), *_sort_text(pair)))


def _text(attrib: list[tuple[str, str]], name: _Name, value: Any) -> str:
    """``_encode_attribute_value`` of prov: the value's text and its explicit xsi:type/xml:lang."""
    if isinstance(value, Literal):
        if value.datatype is not None and value.datatype != PROV_INTERNATIONALIZEDSTRING:
            attrib.append((_XSI_TYPE, f"{value.datatype.namespace.prefix}:{value.datatype.localpart}"))
        if value.langtag is not None:
            attrib.append((_XML_LANG, value.langtag))
        value_text: str = value.value
        return value_text
    if isinstance(value, QualifiedName):
        if not name.formal:
            attrib.append((_XSI_TYPE, "xsd:QName"))
        return str(value)
    if isinstance(value, dt.datetime):
        return _xsd_datetime_text(value)
    if isinstance(value, float):
        return _xsd_double_text(value)
    return str(value)


def _encode_attribute(attr: QualifiedName, value: Any) -> _Child:
    """prov's ``_encode_attribute``: the child element of one attribute."""
    name = _name(attr)
    attrib: list[tuple[str, str]] = []
    text = _text(attrib, name, value)
    if (
        (type(value) in _ALWAYS_CHECK or name.typed)
        and not any(key == _XSI_TYPE for key, _ in attrib)
        and not (name.formal and text)
        and not name.untyped
        and not str(value).startswith("prov:")
    ):
        xsd_type, text = _infer_xsd_type(attr, value, text)
        if xsd_type is not None:
            attrib.append((_XSI_TYPE, str(xsd_type)))
    if name.formal and text:
        attrib.append((_PROV_REF, text))
        return _Child(name.tag, attrib, None)
    return _Child(name.tag, attrib, text)


def _encode_record(
    serializer: ProvXMLSerializer, record: ProvRecord, seen: dict[tuple[Any, ...], _Child]
) -> Record:
    """One record: its element name, ``prov:id`` and attribute elements (``seen``: ones already encoded)."""
    rec_type = record.get_type()
    attrib = [(_PROV_ID, str(record._identifier))] if record._identifier else []
    attributes = record.attributes
    label = serializer._derive_record_label(rec_type, attributes)  # drops a subtype's prov:type
    pairs = _sorted(rec_type, attributes) if len(attributes) > 1 else attributes
    children = []
    for attr, value in pairs:
        if type(value) not in _REUSABLE:
            children.append(_encode_attribute(attr, value))
            continue
        key = (attr, type(value), value)
        child = seen.get(key)
        if child is None:
            child = seen[key] = _encode_attribute(attr, value)
        children.append(child)
    return _ns_prov(label), attrib, children


def _tree(nsmap: dict[Any, str], records: list[Record]) -> bytes:
    """Serialise through lxml, as prov does (any content)."""
    root = etree.Element(_ns_prov("document"), nsmap=nsmap)
    for tag, attrib, children in records:
        elem = etree.SubElement(root, tag)
        for key, value in attrib:
            elem.set(key, value)
        for child in children:
            sub = etree.SubElement(elem, child.tag)
            for key, value in child.attrib:
                sub.set(key, value)
            if child.text is not None:
                sub.text = child.text
    # What ProvDocument.serialize() returns: lxml's default (ASCII, characters as references).
    data: bytes = etree.tostring(etree.ElementTree(root), xml_declaration=True, pretty_print=True)
    return data


# Text the string writer reproduces exactly: printable ASCII (lxml's escaping of it is fixed).
_PLAIN = re.compile(r"[\x20-\x7e]+")
_QUOTE = {'"': "&quot;"}
_CLARK = re.compile(r"^\{(?P<uri>[^}]*)\}(?P<local>.+)$")


def _escape(text: str, quote: bool) -> str:
    return escape(text, _QUOTE) if quote else escape(text)


def _strings(nsmap: dict[Any, str], records: list[Record]) -> bytes | None:
    """The same bytes as :func:`_tree`, written directly; None if the content is not plain."""
    uris = {uri: prefix for prefix, uri in nsmap.items()}
    if None in nsmap or len(uris) != len(nsmap):
        return None
    uris[XML_NS] = "xml"
    names: dict[str, str] = {}

    def qname(clark: str) -> str | None:
        if clark not in names:
            match = _CLARK.match(clark)
            if match is None or match["uri"] not in uris:
                return None
            names[clark] = f"{uris[match['uri']]}:{match['local']}"
        return names[clark]

    def open_tag(clark: str, attrib: list[tuple[str, str]]) -> str | None:
        tag = qname(clark)
        parts = [f"<{tag}"]
        for key, value in attrib:
            key_name = qname(key)
            if tag is None or key_name is None or (value and not _PLAIN.fullmatch(value)):
                return None
            parts.append(f' {key_name}="{_escape(value, True)}"')
        return "".join(parts)

    declarations = "".join(f' xmlns:{prefix}="{_escape(uri, True)}"' for prefix, uri in nsmap.items())
    if not all(_PLAIN.fullmatch(uri) for uri in nsmap.values()):
        return None
    lines = ["<?xml version='1.0' encoding='ASCII'?>"]
    if not records:
        lines.append(f"<prov:document{declarations}/>")
        return ("\n".join(lines) + "\n").encode("ascii")
    lines.append(f"<prov:document{declarations}>")
    for tag, attrib, children in records:
        head = open_tag(tag, attrib)
        if head is None:
            return None
        if not children:
            lines.append(f"  {head}/>")
            continue
        lines.append(f"  {head}>")
        for child in children:
            child_head = open_tag(child.tag, child.attrib)
            if child_head is None:
                return None
            if child.text is None:
                lines.append(f"    {child_head}/>")
            elif _PLAIN.fullmatch(child.text):
                lines.append(f"    {child_head}>{_escape(child.text, False)}</{names[child.tag]}>")
            else:
                return None
        lines.append(f"  </{names[tag]}>")
    lines.append("</prov:document>")
    return ("\n".join(lines) + "\n").encode("ascii")


def to_prov_xml(document: ProvDocument) -> bytes:
    """``document.serialize(format="xml")`` as bytes, built faster.

    Examples
    --------
    >>> from prov.model import ProvDocument
    >>> doc = ProvDocument()
    >>> ns = doc.add_namespace("ex", "http://example.org/")
    >>> _ = doc.entity(ns["e1"], {"prov:label": "one"})
    >>> to_prov_xml(doc) == doc.serialize(format="xml").encode("utf-8")
    True
    """
    if document.has_bundles() or document.identifier:
        text: Any = document.serialize(format="xml")
        return text.encode("utf-8") if isinstance(text, str) else bytes(text)
    serializer = ProvXMLSerializer(document)
    nsmap: dict[Any, str] = serializer._build_nsmap(document)
    seen: dict[tuple[Any, ...], _Child] = {}  # equal (name, type, value): equal element
    records = [_encode_record(serializer, record, seen) for record in document._records]
    data = _strings(nsmap, records)
    return data if data is not None else _tree(nsmap, records)
