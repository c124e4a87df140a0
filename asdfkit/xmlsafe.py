"""Safe handling of XML that comes from files (untrusted).

Every XML document asdfkit reads goes through :func:`parse`: no entity
expansion, no network, no DTD loading, no XInclude, a size cap, and documents
that declare a DOCTYPE are refused outright (ASDF's XML formats never need one
and every entity attack needs one).
"""

from __future__ import annotations

import re

from lxml import etree

from .errors import XMLError

__all__ = ["MAX_XML_BYTES", "clean", "parse", "root_tag"]

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)

#: Largest XML document asdfkit parses (bytes); beyond this it refuses.
MAX_XML_BYTES = 512 * 1024 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        # Never pass collect_ids=False: with libxml2 2.14 it makes the parser load a
        # DOCTYPE's external subset from the local file system (an open() of any path
        # the document names; a FIFO hangs the reader) despite load_dtd=False.
    )


def clean(raw: bytes | bytearray | memoryview) -> bytes:
    """Strip the trailing NUL bytes and whitespace some writers pad XML with."""
    return bytes(raw).rstrip(b"\x00 \t\r\n")


def parse(data: bytes, what: str = "XML document", max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Parse untrusted XML and return its root element.

    Raises
    ------
    asdfkit.errors.XMLError
        If the document is too large, malformed, or declares a DOCTYPE.
    """
    data = clean(data)
    if len(data) > max_bytes:
        raise XMLError(f"{what} is {len(data)} bytes: larger than the {max_bytes}-byte limit")
    if not data:
        raise XMLError(f"{what} is empty")
    if _DOCTYPE.search(data[:65536]):
        raise XMLError(f"{what} declares a DOCTYPE; refused (entities and DTDs are not allowed)")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise XMLError(f"{what} is not well-formed XML: {exc}") from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise XMLError(f"{what} declares a DOCTYPE; refused (entities and DTDs are not allowed)")
    return root


def root_tag(root: etree._Element) -> tuple[str, str]:
    """Return ``(namespace, localname)`` of an element."""
    qname = etree.QName(root)
    return qname.namespace or "", qname.localname
