"""XML datasets: type and size checks, safe parsing, XSD validation (shared by the checks)."""

from __future__ import annotations

import importlib.resources
from functools import cache

import numpy as np
from lxml import etree

from .. import xmlsafe
from ..container.inspect import DATASET, Inspector, Node
from ..errors import XMLError
from .context import Context

__all__ = ["check_unknown_attrs", "load", "parse", "read", "schema", "schema_errors"]

#: How many XSD errors one finding quotes.
_QUOTED_ERRORS = 3
_INT8 = np.dtype("int8")


def load(h5: Inspector, node: Node, ctx: Context, what: str) -> etree._Element | None:
    """Check an XML dataset and parse it; return the root element, or None after findings."""
    data = read(h5, node, ctx, what)
    return parse(data, node, ctx, what) if data is not None else None


def read(h5: Inspector, node: Node, ctx: Context, what: str) -> bytes | None:
    """Check an XML dataset's type and size, then read its bytes; None after findings.

    Rules: ASDF-XML-001 (kind, dtype, shape), ASDF-XML-002 (int8, resizable),
    ASDF-XML-003 (empty or too large), ASDF-FILE-002 (unreadable).
    """
    if node.kind != DATASET:
        ctx.add("ASDF-XML-001", node.path, f"{what} must be a 1-D int8 dataset, found a {node.kind}")
        return None
    check_unknown_attrs(node, ctx, ())
    dtype, shape = node.dtype, node.shape
    if dtype is None or shape is None or len(shape) != 1 or dtype.kind not in "iu" or dtype.itemsize != 1:
        kind = dtype if dtype is not None else node.type_class
        ctx.add("ASDF-XML-001", node.path,
                f"{what} must be a 1-D int8 dataset of XML bytes, found dtype {kind} shape {shape}")
        return None
    if dtype != _INT8 or node.maxshape != (None,):
        ctx.add("ASDF-XML-002", node.path,
                f"{what} is {dtype} with maxshape {node.maxshape}: the reference writes int8, maxshape (None,)")
    if not shape[0]:
        ctx.add("ASDF-XML-003", node.path, f"{what} is empty")
        return None
    if shape[0] > ctx.max_xml_bytes:
        ctx.add("ASDF-XML-003", node.path,
                f"{what} is {shape[0]} bytes: larger than the {ctx.max_xml_bytes}-byte limit; not read")
        return None
    result = h5.read_bytes(node, ctx.max_xml_bytes)
    if result.data is None:
        ctx.add("ASDF-FILE-002", node.path, result.error or f"cannot read {what}")
    return result.data


def parse(data: bytes, node: Node, ctx: Context, what: str) -> etree._Element | None:
    """Parse XML bytes safely (ASDF-XML-003 empty, ASDF-XML-004 malformed or hostile)."""
    if not xmlsafe.clean(data):
        ctx.add("ASDF-XML-003", node.path, f"{what} holds only NUL bytes and whitespace")
        return None
    try:
        return xmlsafe.parse(data, what, max_bytes=ctx.max_xml_bytes)
    except XMLError as exc:
        ctx.add("ASDF-XML-004", node.path, str(exc))
        return None


def check_unknown_attrs(node: Node, ctx: Context, known: tuple[str, ...] | frozenset[str]) -> None:
    """ASDF-ATTR-001 for attributes the spec does not define on this object."""
    for info in node.attrs:
        if info.name not in known:
            ctx.add("ASDF-ATTR-001", node.path, f"unknown attribute {info.name!r}")


def _resource(package: str, name: str) -> str:
    return str(importlib.resources.files(package).joinpath("data", name))


@cache
def schema(kind: str) -> etree.XMLSchema:
    """The XSD of ``"quakeml-1.2"`` or ``"stationxml-1.0"``/``-1.1``/``-1.2`` (as shipped in obspy)."""
    if kind == "quakeml-1.2":
        path = _resource("obspy.io.quakeml", "QuakeML-1.2.xsd")
    else:
        version = kind.rsplit("-", 1)[-1]
        path = _resource("obspy.io.stationxml", f"fdsn-station-{version}.xsd")
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(path, parser))


def schema_errors(kind: str, root: etree._Element) -> str | None:
    """A one-line summary of the XSD errors of ``root``, or None if it is valid."""
    xsd = schema(kind)
    if xsd.validate(root):
        return None
    errors = list(xsd.error_log)
    quoted = "; ".join(f"line {e.line}: {e.message}" for e in errors[:_QUOTED_ERRORS])
    more = len(errors) - _QUOTED_ERRORS
    return quoted + (f" (and {more} more)" if more > 0 else "")
