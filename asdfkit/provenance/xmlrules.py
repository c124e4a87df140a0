"""The PROV-XML rules asdfkit writes by: element names, value texts and ``xsi:type``.

Everything here uses only the public API of ``prov`` (its constants, its
``QualifiedName``, ``Literal`` and record classes), so the writer works with
every ``prov`` release the project supports (``pyproject.toml`` states the
range; the tests run against its lowest and newest versions).  The rules are
those of the PROV-XML Note (<https://www.w3.org/TR/prov-xml/>) as ``prov``
3.2 applies them, so the bytes asdfkit writes equal what ``prov`` 3.2 writes
(``tests/provenance`` compares both where that release is installed) and
parse back to the same document with any supported release.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import prov.constants as pc
from prov.identifier import Identifier, QualifiedName
from prov.model import PROV_REC_CLS, Literal, ProvBundle

__all__ = [
    "ALWAYS_CHECK",
    "element_name",
    "escape_ncname",
    "formal_attributes",
    "infer_xsd_type",
    "namespace_map",
    "ns_prov",
    "ns_xml",
    "ns_xsi",
    "subtype_element",
    "xsd_datetime_text",
    "xsd_double_text",
]

PROV_URI = "http://www.w3.org/ns/prov#"
XSI_URI = "http://www.w3.org/2001/XMLSchema-instance"
XSD_URI = "http://www.w3.org/2001/XMLSchema"  # PROV-XML's xsd prefix has no trailing '#'
XML_URI = "http://www.w3.org/XML/1998/namespace"
#: ``prov:InternationalizedString``: a ``Literal`` of that type is written with ``xml:lang`` only.
INTERNATIONALIZED_STRING = pc.PROV["InternationalizedString"]
#: Value types whose ``xsi:type`` is always inferred (unless the name forbids one).
ALWAYS_CHECK = frozenset({bool, dt.datetime, float, int, Identifier})

_INT32 = 2**31 - 1
_INT64 = 2**63 - 1

# XML 1.0 (fifth edition) NameStartChar and NameChar, without ':' (an NCName).
_START = (
    "A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHAR = _START + r"\-.0-9\xb7\u0300-\u036f\u203f-\u2040"
_NCNAME = re.compile(f"[{_START}][{_CHAR}]*")
_START_ONE = re.compile(f"[{_START}]")
_CHAR_ONE = re.compile(f"[{_CHAR}]")
_ESCAPE_LIKE = re.compile(r"_x[0-9A-F]{4}(?:[0-9A-F]{4})?_")


def ns_prov(tag: str) -> str:
    """Clark name of ``tag`` in the PROV namespace.

    Examples
    --------
    >>> ns_prov("entity")
    '{http://www.w3.org/ns/prov#}entity'
    """
    return f"{{{PROV_URI}}}{tag}"


def ns_xsi(tag: str) -> str:
    """Clark name of ``tag`` in the XML Schema instance namespace."""
    return f"{{{XSI_URI}}}{tag}"


def ns_xml(tag: str) -> str:
    """Clark name of ``tag`` in the ``xml:`` namespace."""
    return f"{{{XML_URI}}}{tag}"


def xsd_double_text(value: float) -> str:
    """The ``xsd:double`` text of ``value``: ``INF``, ``-INF``, ``NaN``, else Python's repr.

    Examples
    --------
    >>> xsd_double_text(0.1), xsd_double_text(float("-inf")), xsd_double_text(float("nan"))
    ('0.1', '-INF', 'NaN')
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    return float.__repr__(value)


def xsd_datetime_text(value: dt.datetime) -> str:
    """ISO 8601 text with a zone ``xsd:dateTime`` accepts.

    An offset that is not a whole number of minutes (historical local mean
    times) is converted to UTC.

    Examples
    --------
    >>> xsd_datetime_text(dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc))
    '2020-01-02T03:04:05+00:00'
    >>> odd = dt.timezone(dt.timedelta(minutes=9, seconds=21))
    >>> xsd_datetime_text(dt.datetime(1900, 1, 1, 0, 9, 21, tzinfo=odd))
    '1900-01-01T00:00:00+00:00'
    """
    offset = value.utcoffset()
    if offset is not None and (offset.total_seconds() % 60 or offset.microseconds):
        value = value.astimezone(dt.UTC)
    return value.isoformat()


def escape_ncname(local: str) -> str:
    """An attribute name's local part as an XML element name (``_xHHHH_`` escapes).

    Characters an NCName cannot hold become ``_xHHHH_`` (``_xHHHHHHHH_``
    outside the BMP); a literal run that looks like an escape has its
    underscore escaped, so the mapping is reversible.  Legal names are
    returned unchanged.

    Examples
    --------
    >>> escape_ncname("seed_id"), escape_ncname("1st"), escape_ncname("_x0041_")
    ('seed_id', '_x0031_st', '_x005F_x0041_')
    """
    if not _ESCAPE_LIKE.search(local) and _NCNAME.fullmatch(local):
        return local
    out = []
    for i, char in enumerate(local):
        if char == "_" and _ESCAPE_LIKE.match(local, i):
            out.append("_x005F_")
        elif (_START_ONE if i == 0 else _CHAR_ONE).fullmatch(char):
            out.append(char)
        else:
            code = ord(char)
            out.append(f"_x{code:04X}_" if code <= 0xFFFF else f"_x{code:08X}_")
    return "".join(out)


def _xsd(name: str) -> QualifiedName:
    return pc.XSD[name]


def infer_xsd_type(attr: QualifiedName, value: Any, text: str) -> tuple[QualifiedName | None, str]:
    """The ``xsi:type`` a plain value is written with, and its (possibly adjusted) text.

    ``bool`` is ``xsd:boolean`` (text lower-cased); ``str`` ``xsd:string``;
    ``float`` ``xsd:double``; ``int`` ``xsd:int``, ``xsd:long`` or
    ``xsd:integer`` by magnitude; a ``datetime`` ``xsd:dateTime`` except for
    PROV's own time attributes; an identifier ``xsd:anyURI``.

    Examples
    --------
    >>> t, text = infer_xsd_type(pc.PROV_LABEL, True, "True")
    >>> str(t), text
    ('xsd:boolean', 'true')
    >>> str(infer_xsd_type(pc.PROV_VALUE, 2**40, "")[0])
    'xsd:long'
    """
    xsd_type = None
    if isinstance(value, bool):
        xsd_type, text = _xsd("boolean"), text.lower()
    elif isinstance(value, str):
        xsd_type = _xsd("string")
    elif isinstance(value, float):
        xsd_type = _xsd("double")
    elif isinstance(value, int):
        if -_INT32 - 1 <= value <= _INT32:
            xsd_type = _xsd("int")
        else:
            xsd_type = _xsd("long" if -_INT64 - 1 <= value <= _INT64 else "integer")
    elif isinstance(value, dt.datetime):
        if attr.namespace.prefix != "prov" or "time" not in attr.localpart.lower():
            xsd_type = _xsd("dateTime")
    elif isinstance(value, Identifier):
        xsd_type = _xsd("anyURI")
    return xsd_type, text


def element_name(rec_type: QualifiedName) -> str:
    """The PROV-XML element name (local part) of a record type or subtype.

    Examples
    --------
    >>> element_name(pc.PROV_ENTITY), element_name(pc.PROV["SoftwareAgent"])
    ('entity', 'softwareAgent')
    """
    name = pc.PROV_N_MAP.get(rec_type) or pc.ADDITIONAL_N_MAP.get(rec_type)
    if name is None:
        raise KeyError(f"{rec_type} is not a PROV record type")
    return str(name)


def formal_attributes(rec_type: QualifiedName) -> tuple[QualifiedName, ...]:
    """The formal attributes of a record type, in PROV-DM order."""
    return tuple(PROV_REC_CLS[rec_type].FORMAL_ATTRIBUTES)


def subtype_element(rec_type: QualifiedName, attributes: list[tuple[QualifiedName, Any]]) -> str:
    """The element name of a record, honouring a ``prov:type`` that names a subtype.

    A ``prov:type`` naming a subtype of ``rec_type`` (``prov:SoftwareAgent``
    for an agent, ``prov:Plan`` for an entity...) becomes the element name and
    is removed from ``attributes`` (in place), as PROV-XML writes it.
    """
    for key, value in list(attributes):
        if key != pc.PROV_TYPE:
            continue
        named = value.value if isinstance(value, Literal) else value
        if not isinstance(named, QualifiedName):
            continue
        if named in pc.PROV_BASE_CLS and pc.PROV_BASE_CLS[named] != named:
            attributes.remove((key, value))
            return element_name(named)
    return element_name(rec_type)


def namespace_map(document: ProvBundle) -> dict[Any, str]:
    """The namespace declarations of a document's root element, in the order they are written.

    The document's registered namespaces, its default namespace (key ``None``),
    then ``prov``, ``xsd`` (without its trailing ``#``, as PROV-XML writes it)
    and ``xsi``.
    """
    nsmap: dict[Any, str] = {ns.prefix: ns.uri for ns in document.get_registered_namespaces()}
    default = document.get_default_namespace()
    if default:
        nsmap[None] = default.uri
    nsmap.update({"prov": PROV_URI, "xsd": XSD_URI, "xsi": XSI_URI})
    return nsmap
