"""PROV-XML bytes of a ``ProvDocument``, built fast by asdfkit's own writer.

``prov``'s serializer decides, for every attribute of every record, its element
name, ``xsi:type`` and text through generic helpers that compare qualified names
in Python; on the documents asdfkit writes (hundreds of records, thousands of
attributes) that is most of the cost of recording provenance.  :func:`to_prov_xml`
builds the tree with the per-name decisions looked up once, by the PROV-XML rules
of :mod:`asdfkit.provenance.xmlrules` (which use only ``prov``'s public API): the
record order and attributes ``prov`` stores, the attribute order of PROV-XML as
``prov`` sorts it, the value texts and ``xsi:type`` rules.  The bytes equal what
``ProvDocument.serialize(format="xml")`` of ``prov`` 3.2 writes, which
``tests/provenance`` checks byte for byte where that release is installed, and
parse back to the same document with every supported ``prov`` release.  Documents
with bundles go to ``prov``'s serializer unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree
from prov.constants import (
    PROV_ATTR_TIME,
    PROV_ATTRIBUTE_QNAMES,
    PROV_LABEL,
    PROV_LOCATION,
    PROV_ROLE,
    PROV_TYPE,
    PROV_VALUE,
)
from prov.identifier import QualifiedName
from prov.model import Literal, ProvDocument

from ..errors import InvalidValueError
from .xmlrules import (
    ALWAYS_CHECK,
    INTERNATIONALIZED_STRING,
    element_name,
    escape_ncname,
    formal_attributes,
    infer_xsd_type,
    namespace_map,
    ns_prov,
    ns_xml,
    ns_xsi,
    subtype_element,
    xsd_datetime_text,
    xsd_double_text,
)

__all__ = ["PlainRecord", "to_prov_xml"]

XML_NS = "http://www.w3.org/XML/1998/namespace"
_XSI_TYPE = ns_xsi("type")
_XML_LANG = ns_xml("lang")
_PROV_ID = ns_prov("id")
_PROV_REF = ns_prov("ref")
_TYPED = (PROV_TYPE, PROV_LOCATION, PROV_VALUE)
_UNTYPED = (PROV_ATTR_TIME, PROV_LABEL)
# Types whose equal values always have equal text (not float: -0.0 == 0.0; not datetime: time zones).
_REUSABLE = frozenset({str, QualifiedName, int, bool})
_UNIVERSAL = (PROV_LABEL, PROV_LOCATION, PROV_ROLE, PROV_TYPE, PROV_VALUE)
_NAMED = (QualifiedName, Literal)  # prov:type values that may name a subtype (the record's element)


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
#: A record not (yet) in a ``ProvDocument``: its type, identifier and attributes exactly as
#: ``prov`` would store them (``record.get_type()``, ``record.identifier``, ``record.attributes``).
PlainRecord = tuple[QualifiedName, "QualifiedName | None", list[tuple[QualifiedName, Any]]]


@cache
def _name(attr: QualifiedName) -> _Name:
    return _Name(
        tag=f"{{{attr.namespace.uri}}}{escape_ncname(attr.localpart)}",
        formal=attr in PROV_ATTRIBUTE_QNAMES,
        typed=attr in _TYPED,
        untyped=attr in _UNTYPED,
    )


@cache
def _order(rec_type: QualifiedName) -> dict[QualifiedName, int]:
    """Rank of each name ``sorted_attributes`` places first (formal, then universal attributes)."""
    order: dict[QualifiedName, int] = {}
    for attr in (*formal_attributes(rec_type), *_UNIVERSAL):
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
        if value.datatype is not None and value.datatype != INTERNATIONALIZED_STRING:
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
        return xsd_datetime_text(value)
    if isinstance(value, float):
        return xsd_double_text(value)
    return str(value)


def _encode_attribute(attr: QualifiedName, value: Any) -> _Child:
    """prov's ``_encode_attribute``: the child element of one attribute."""
    name = _name(attr)
    attrib: list[tuple[str, str]] = []
    text = _text(attrib, name, value)
    if (
        (type(value) in ALWAYS_CHECK or name.typed)
        and not any(key == _XSI_TYPE for key, _ in attrib)
        and not (name.formal and text)
        and not name.untyped
        and not str(value).startswith("prov:")
    ):
        xsd_type, text = infer_xsd_type(attr, value, text)
        if xsd_type is not None:
            attrib.append((_XSI_TYPE, str(xsd_type)))
    if name.formal and text:
        attrib.append((_PROV_REF, text))
        return _Child(name.tag, attrib, None)
    return _Child(name.tag, attrib, text)


@dataclass(frozen=True)
class _Shape:
    """What records of one type and one list of attribute names share."""

    tag: str  # element name, unless a prov:type value names a subtype
    order: list[int] | None  # sorted order of the attributes; None: the values decide
    types: tuple[int, ...]  # positions of the prov:type attributes


def _shape(rec_type: QualifiedName, names: list[QualifiedName]) -> _Shape:
    texts = [str(name) for name in names]
    types = tuple(i for i, name in enumerate(names) if name == PROV_TYPE)
    tag = ns_prov(element_name(rec_type))
    if len(set(texts)) != len(texts):
        return _Shape(tag, None, types)  # a repeated name: its values decide its order
    rank = _order(rec_type)
    rest = len(rank)
    return _Shape(tag, sorted(range(len(names)), key=lambda i: (rank.get(names[i], rest), texts[i])), types)


def _arrange(record: PlainRecord, shapes: dict[tuple[Any, ...], _Shape]) -> tuple[str, list[tuple[QualifiedName, Any]]]:
    """A record's element name and its attributes in ``sorted_attributes`` order.

    ``shapes`` keeps what records of the same type and attribute names share.
    """
    rec_type, _, attributes = record
    key = (rec_type, *[attr for attr, _ in attributes])
    shape = shapes.get(key)
    if shape is None:
        shape = shapes[key] = _shape(rec_type, [attr for attr, _ in attributes])
    if any(isinstance(attributes[i][1], _NAMED) for i in shape.types):
        attributes = list(attributes)
        label = subtype_element(rec_type, attributes)  # drops a subtype's prov:type
        return ns_prov(label), _sorted(rec_type, attributes) if len(attributes) > 1 else attributes
    if shape.order is None:
        return shape.tag, _sorted(rec_type, attributes)
    return shape.tag, [attributes[i] for i in shape.order]


def _encode_record(
    record: PlainRecord,
    seen: dict[tuple[Any, ...], _Child],
    shapes: dict[tuple[Any, ...], _Shape],
) -> Record:
    """One record: its element name, ``prov:id`` and attribute elements (``seen``: ones already encoded)."""
    identifier = record[1]
    attrib = [(_PROV_ID, str(identifier))] if identifier else []
    tag, attributes = _arrange(record, shapes)
    children = []
    for attr, value in attributes:
        if type(value) not in _REUSABLE:
            children.append(_encode_attribute(attr, value))
            continue
        key = (attr, type(value), value)
        child = seen.get(key)
        if child is None:
            child = seen[key] = _encode_attribute(attr, value)
        children.append(child)
    return tag, attrib, children


def _tree(nsmap: dict[Any, str], records: list[Record]) -> bytes:
    """Serialise through lxml, as prov does (any content)."""
    root = etree.Element(ns_prov("document"), nsmap=nsmap)
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
_SPECIAL = re.compile(r'[&<>"]')
_REF, _FORM = object(), object()  # how a planned attribute is written: prov:ref, or a per-type form
# The text prov writes for values of these exact types (see _text).
_TEXT_OF: dict[type, Callable[[Any], str]] = {
    float: xsd_double_text,
    dt.datetime: xsd_datetime_text,
    str: str,
}
_CLARK = re.compile(r"^\{(?P<uri>[^}]*)\}(?P<local>.+)$")


def _escape(text: str, quote: bool) -> str:
    if _SPECIAL.search(text) is None:
        return text
    return escape(text, _QUOTE) if quote else escape(text)


class _Lines:
    """Writes records straight to the lines :func:`_tree` would give, while their content is plain.

    :meth:`record` returns False as soon as something is not (a character
    lxml escapes differently, a name without a prefix): :func:`_tree` then
    writes the whole document.
    """

    def __init__(self, nsmap: dict[Any, str]) -> None:
        self.uris = {uri: prefix for prefix, uri in nsmap.items()}
        self.ok = None not in nsmap and len(self.uris) == len(nsmap)
        self.ok = self.ok and all(_PLAIN.fullmatch(uri) for uri in nsmap.values())
        self.uris[XML_NS] = "xml"
        self.names: dict[str, str | None] = {}
        self.children: dict[tuple[Any, ...], str | None] = {}  # (name, type, value) -> line
        self.shapes: dict[tuple[Any, ...], _Shape] = {}
        self.refs: dict[QualifiedName, str | None] = {}
        self.plans: dict[
            tuple[Any, ...], tuple[str, list[tuple[int, object, QualifiedName, Any]]] | None
        ] = {}
        self.forms: dict[tuple[QualifiedName, type], tuple[str, Callable[[Any], str], str] | None] = {}
        self.id_attr, self.ref_attr = self.qname(_PROV_ID), self.qname(_PROV_REF)
        declarations = "".join(f' xmlns:{prefix}="{_escape(uri, True)}"' for prefix, uri in nsmap.items())
        self.lines = ["<?xml version='1.0' encoding='ASCII'?>", f"<prov:document{declarations}>"]
        self.empty = f"<prov:document{declarations}/>"

    def qname(self, clark: str) -> str | None:
        if clark not in self.names:
            match = _CLARK.match(clark)
            ok = match is not None and match["uri"] in self.uris
            self.names[clark] = f"{self.uris[match['uri']]}:{match['local']}" if ok and match else None
        return self.names[clark]

    def open_tag(self, clark: str, attrib: list[tuple[str, str]]) -> str | None:
        tag = self.qname(clark)
        if tag is None:
            return None
        parts = [f"<{tag}"]
        for key, value in attrib:
            key_name = self.qname(key)
            if key_name is None or (value and not _PLAIN.fullmatch(value)):
                return None
            parts.append(f' {key_name}="{_escape(value, True)}"')
        return "".join(parts)

    def child(self, child: _Child) -> str | None:
        head = self.open_tag(child.tag, child.attrib)
        if head is None:
            return None
        if child.text is None:
            return f"    {head}/>"
        if _PLAIN.fullmatch(child.text):
            return f"    {head}>{_escape(child.text, False)}</{self.names[child.tag]}>"
        return None

    def ref(self, attr: QualifiedName) -> str | None:
        """``prefix:name`` of a formal attribute (written as ``prov:ref``), None for other attributes."""
        if attr not in self.refs:
            name = _name(attr)
            self.refs[attr] = self.qname(name.tag) if name.formal else None
        return self.refs[attr]

    def form(self, attr: QualifiedName, value: Any) -> tuple[str, Callable[[Any], str], str] | None:
        """Opening tag, text function and name of every element of ``attr`` with a value of this type.

        For these types and names prov's choice of ``xsi:type`` never depends on
        the value (``float`` is always xsd:double...); None for the others.
        """
        key = (attr, type(value))
        if key not in self.forms:
            self.forms[key] = None
            text_of = _TEXT_OF.get(type(value))
            name = _name(attr)
            if text_of is None or (type(value) is str and (name.typed or name.formal)):
                return None
            child = _encode_attribute(attr, value)
            head = self.open_tag(child.tag, child.attrib)
            if head is not None and child.text is not None and child.text == text_of(value):
                self.forms[key] = (f"    {head}>", text_of, self.names[child.tag] or "")
        return self.forms[key]

    def record(self, record: PlainRecord) -> bool:
        """Write one record; False if its content is not plain."""
        rec_type, identifier, attributes = record
        # Records of one type, attribute names and value types are written alike (names are
        # compared by identity: every record stays alive while the document is written).
        key = (id(rec_type), *[(id(attr), type(value)) for attr, value in attributes])
        plan = self.plans[key] if key in self.plans else self.plans.setdefault(key, self.plan(record))
        if plan is None:
            return self.generic(record)
        name, steps = plan
        lines = []
        for i, kind, attr, form in steps:
            value = attributes[i][1]
            if kind is _REF:
                line = _ref_line(form, value)
            elif kind is _FORM:
                line = _form_line(form, value)
            else:
                line = self.line(attr, value)
            if line is None:
                return False
            lines.append(line)
        return self.emit(name, identifier, lines)

    def emit(self, name: str | None, identifier: QualifiedName | None, lines: list[str]) -> bool:
        """Add a record element with its attribute lines; False if its head is not plain."""
        head = self.head(name, identifier)
        if head is None:
            return False
        if lines:
            self.lines += [f"{head}>", *lines, f"  </{name}>"]
        else:
            self.lines.append(f"{head}/>")
        return True

    def plan(self, record: PlainRecord) -> tuple[str, list[tuple[int, object, QualifiedName, Any]]] | None:
        """Element name and, in written order, how to write each attribute; None: no plan applies."""
        rec_type, _, attributes = record
        shape = _shape(rec_type, [attr for attr, _ in attributes])
        name = self.qname(shape.tag)
        if (
            name is None
            or shape.order is None
            or any(isinstance(attributes[i][1], _NAMED) for i in shape.types)
        ):
            return None  # the generic path: order by value, a subtype's element name, or no prefix
        steps: list[tuple[int, object, QualifiedName, Any]] = []
        for i in shape.order:
            attr, value = attributes[i]
            if type(value) is QualifiedName and (ref := self.ref(attr)) is not None:
                steps.append((i, _REF, attr, f'    <{ref} {self.ref_attr}="'))
            elif (form := self.form(attr, value)) is not None:
                steps.append((i, _FORM, attr, form))
            else:
                steps.append((i, None, attr, None))
        return name, steps

    def head(self, name: str | None, identifier: QualifiedName | None) -> str | None:
        """The record element's opening tag, without its closing ``>``."""
        if name is None or self.ref_attr is None or self.id_attr is None:
            return None
        if not identifier:
            return f"  <{name}"
        text = str(identifier)
        return f'  <{name} {self.id_attr}="{_escape(text, True)}"' if _PLAIN.fullmatch(text) else None

    def line(self, attr: QualifiedName, value: Any) -> str | None:
        """The line of one attribute element."""
        if type(value) is QualifiedName and (ref := self.ref(attr)) is not None:
            return _ref_line(f'    <{ref} {self.ref_attr}="', value)
        if (form := self.form(attr, value)) is not None:
            return _form_line(form, value)
        if type(value) not in _REUSABLE:
            return self.child(_encode_attribute(attr, value))
        key = (attr, type(value), value)
        if key not in self.children:
            self.children[key] = self.child(_encode_attribute(attr, value))
        return self.children[key]

    def generic(self, record: PlainRecord) -> bool:
        """Write a record attribute by attribute."""
        tag, attributes = _arrange(record, self.shapes)
        lines = []
        for attr, value in attributes:
            line = self.line(attr, value)
            if line is None:
                return False
            lines.append(line)
        return self.emit(self.qname(tag), record[1], lines)

    def data(self) -> bytes:
        lines = [*self.lines, "</prov:document>"] if len(self.lines) > 2 else [self.lines[0], self.empty]
        return ("\n".join(lines) + "\n").encode("ascii")


def _ref_line(start: str, value: QualifiedName) -> str | None:
    """prov's element of a formal attribute naming a record: ``<name prov:ref="id"/>``."""
    text = str(value)
    return f'{start}{_escape(text, True)}"/>' if _PLAIN.fullmatch(text) else None


def _form_line(form: tuple[str, Callable[[Any], str], str], value: Any) -> str | None:
    """An attribute element written in its name's and type's form (see ``_Lines.form``)."""
    text = form[1](value)
    return f"{form[0]}{_escape(text, False)}</{form[2]}>" if _PLAIN.fullmatch(text) else None


def to_prov_xml(document: ProvDocument, pending: Sequence[PlainRecord] = ()) -> bytes:
    """``document.serialize(format="xml")`` as bytes, built faster.

    ``pending``: records made after all of the document's own, which adding
    them to it through ``document.new_record`` would give; they are written
    after its records, as if they had been added.  A document with bundles or
    an identifier goes to prov's serializer (give no pending records then).

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
        if pending:
            raise InvalidValueError("records pending for a document with bundles: add them to it first")
        text: Any = document.serialize(format="xml")
        return text.encode("utf-8") if isinstance(text, str) else bytes(text)
    nsmap = namespace_map(document)
    own = [(record.get_type(), record.identifier, record.attributes) for record in document.get_records()]
    records = [*own, *pending]
    lines = _Lines(nsmap)
    if lines.ok and all(lines.record(record) for record in records):
        return lines.data()
    seen: dict[tuple[Any, ...], _Child] = {}  # equal (name, type, value): equal element
    shapes = lines.shapes
    return _tree(nsmap, [_encode_record(record, seen, shapes) for record in records])
