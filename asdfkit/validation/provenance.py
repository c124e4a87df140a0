"""/Provenance: PROV-XML documents that are valid SEIS-PROV; provenance_id attributes resolve."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from lxml import etree

from ..container.inspect import Inspector, Node
from ..errors import AsdfkitError
from ..spec import PROVENANCE_ID_RULE
from ..xmlsafe import root_tag
from . import xmldocs
from .attributes import ascii_id
from .context import Context
from .structure import check_link

__all__ = ["check_provenance", "check_provenance_id"]

PROV_NS = "http://www.w3.org/ns/prov#"
_PROV_ID = f"{{{PROV_NS}}}id"


def check_provenance(h5: Inspector, group: Node, ctx: Context) -> None:
    """Check every document under /Provenance; collect record ids into ``ctx.record_ids``.

    Rules: ASDF-NAME-006, ASDF-XML-*, ASDF-PROV-001, ASDF-PROV-002, ASDF-PROV-005.
    """
    rule = ctx.spec.provenance_rule
    for node in h5.children(group, values=()):
        if not check_link(node, ctx):
            ctx.provenance_complete = False
            continue
        ctx.count("provenance documents")
        if not rule.matches(node.name):
            ctx.add("ASDF-NAME-006", node.path,
                    f"invalid provenance document name {node.name!r}: must match {rule.pattern}")
        data = xmldocs.read(h5, node, ctx, "provenance document")
        root = xmldocs.parse(data, node, ctx, "provenance document") if data is not None else None
        if data is None or root is None:
            ctx.provenance_complete = False
            continue
        namespace, local = root_tag(root)
        if (namespace, local) != (PROV_NS, "document"):
            ctx.add("ASDF-PROV-001", node.path,
                    f"root element is {{{namespace}}}{local}: must be {{{PROV_NS}}}document")
            ctx.provenance_complete = False
            continue
        _seis_prov(data, root, node.path, ctx)


def _validator() -> Callable[[bytes], Any] | None:
    try:
        module = importlib.import_module("asdfkit.provenance")
    except ImportError:
        return None
    return getattr(module, "validate", None)


def _seis_prov(data: bytes, root: etree._Element, path: str, ctx: Context) -> None:
    validate_provenance = _validator()
    if validate_provenance is None:
        # FALLBACK until asdfkit.provenance exists: the document is well-formed PROV-XML
        # (checked above); only collect its record ids.  No SEIS-PROV rules are checked.
        ctx.record_ids |= _record_ids(root)
        return
    try:
        report = validate_provenance(data)
    except (AsdfkitError, etree.LxmlError) as exc:
        ctx.add("ASDF-PROV-002", path, f"cannot validate as SEIS-PROV: {exc}")
        ctx.provenance_complete = False
        return
    for finding in report.findings:
        where = f"record {finding.record_id}: " if finding.record_id else ""
        rule = "ASDF-PROV-005" if getattr(finding, "severity", "error") == "warning" else "ASDF-PROV-002"
        ctx.add(rule, path, f"{finding.rule}: {where}{finding.message}")
    ctx.record_ids |= set(report.record_ids)


def _record_ids(root: etree._Element) -> set[str]:
    """``{namespace-uri}localpart`` of every element with a ``prov:id`` (part of the fallback)."""
    found = set()
    for element in root.iter():
        value = element.get(_PROV_ID) if isinstance(element.tag, str) else None
        if not value:
            continue
        prefix, sep, local = value.partition(":")
        uri = element.nsmap.get(prefix if sep else None)
        if uri is not None:
            found.add(f"{{{uri}}}{local if sep else value}")
    return found


def check_provenance_id(path: str, node: Node, ctx: Context) -> None:
    """ASDF-ATTR-002/003, ASDF-PROV-003/004 for the ``provenance_id`` attribute of ``node``."""
    info = node.attr("provenance_id")
    if info is None:
        return
    text = ascii_id(path, info, ctx, listing=False)
    if text is None:
        return
    if not PROVENANCE_ID_RULE.matches(text):
        ctx.add("ASDF-PROV-003", path,
                f"invalid provenance_id {text!r}: must be {{namespace-uri}}localpart "
                f"({PROVENANCE_ID_RULE.pattern})")
    elif ctx.provenance_complete and text not in ctx.record_ids:
        ctx.add("ASDF-PROV-004", path, f"provenance_id {text!r} names no record under /Provenance")
