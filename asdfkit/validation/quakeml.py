"""/QuakeML: QuakeML 1.2, valid against its XSD; the event ids traces carry resolve into it."""

from __future__ import annotations

from ..container.inspect import Inspector, Node
from ..xmlsafe import root_tag
from . import xmldocs
from .context import ID_TARGETS, Context

__all__ = ["check_quakeml", "resolve_event_ids"]

QUAKEML_NS = "http://quakeml.org/xmlns/quakeml/1.2"
#: QuakeML namespaces of every version: ``http://quakeml.org/xmlns/quakeml/<version>``.
QUAKEML_FAMILY = "http://quakeml.org/xmlns/quakeml/"
_TARGETS = frozenset(ID_TARGETS.values())


def check_quakeml(h5: Inspector, node: Node, ctx: Context) -> None:
    """Check /QuakeML and collect its publicIDs into ``ctx.quakeml_ids``.

    Rules: ASDF-XML-*, ASDF-QML-001 (root), ASDF-QML-002 (XSD), ASDF-QML-004
    (duplicate publicIDs), ASDF-QML-005 (a version other than 1.2: used, not XSD-checked).
    """
    ctx.has_quakeml = True
    ctx.quakeml_ids = None
    if not (ctx.wants("ASDF-QML") or ctx.wants("ASDF-XML")):
        return
    root = xmldocs.load(h5, node, ctx, "QuakeML")
    if root is None:
        return
    namespace, local = root_tag(root)
    if local != "quakeml" or not (namespace or "").startswith(QUAKEML_FAMILY):
        ctx.add("ASDF-QML-001", node.path,
                f"root element is {{{namespace}}}{local}: must be {{{QUAKEML_NS}}}quakeml")
        return
    if namespace != QUAKEML_NS:
        ctx.add("ASDF-QML-005", node.path,
                f"QuakeML namespace {namespace}: not QuakeML 1.2; the document is used without an XSD check")
    elif ctx.enabled("ASDF-QML-002"):
        errors = xmldocs.schema_errors("quakeml-1.2", root)
        if errors:
            ctx.add("ASDF-QML-002", node.path, f"not valid against the QuakeML 1.2 XSD: {errors}")
    ids: dict[str, set[str]] = {target: set() for target in _TARGETS}
    seen: set[str] = set()
    for element in root.iter():
        public_id = element.get("publicID") if isinstance(element.tag, str) else None
        if public_id is None:
            continue
        if public_id in seen:
            ctx.add("ASDF-QML-004", node.path, f"publicID {public_id!r} occurs more than once")
        seen.add(public_id)
        local = element.tag.rpartition("}")[2]
        if local in ids:
            ids[local].add(public_id)
    ctx.quakeml_ids = ids
    ctx.count("events", len(ids["event"]))


def resolve_event_ids(path: str, attribute: str, text: str, ctx: Context) -> None:
    """ASDF-QML-003: every id in a comma-separated ``attribute`` is a publicID of the right kind."""
    if ctx.quakeml_ids is None:
        if not ctx.has_quakeml:
            ctx.add("ASDF-QML-003", path, f"{attribute} {text!r} refers to /QuakeML, which the file lacks")
        return  # /QuakeML exists but is unreadable: already reported
    target = ID_TARGETS[attribute]
    for resource_id in (part.strip() for part in text.split(",")):
        if resource_id in ctx.quakeml_ids[target]:
            continue
        other = [kind for kind, ids in ctx.quakeml_ids.items() if resource_id in ids]
        where = f"it is the publicID of {_a(other[0])}" if other else "no such publicID in /QuakeML"
        ctx.add("ASDF-QML-003", path, f"{attribute} {resource_id!r} does not resolve to {_a(target)}: {where}")


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"
