"""The root group: format attributes, version, and which sections exist."""

from __future__ import annotations

from .. import spec
from ..container.inspect import DATASET, GROUP, AttrInfo, Inspector, Node
from .context import Context
from .structure import check_link

__all__ = ["check_root"]

_ROOT_ATTRS = ("file_format", "file_format_version")
SECTIONS = {"QuakeML": DATASET, "Waveforms": GROUP, "AuxiliaryData": GROUP, "Provenance": GROUP}


def _string(info: AttrInfo | None) -> str | None:
    """The text of a scalar string attribute, trailing NULs and spaces removed."""
    if info is None or info.cls != "string" or not info.read or not isinstance(info.value, bytes):
        return None
    return info.value.rstrip(b"\x00").decode("ascii", errors="replace").strip()


def check_root(h5: Inspector, root: Node, ctx: Context) -> tuple[dict[str, Node], set[str]]:
    """Check the root attributes and members; set ``ctx.version``/``ctx.spec``.

    Returns the section nodes (QuakeML, Waveforms, AuxiliaryData, Provenance)
    that have the right kind, and the names of every member present.
    """
    if root.error:
        ctx.add("ASDF-FILE-002", "/", root.error)
    fmt_attr = root.attr("file_format")
    version_attr = root.attr("file_format_version")
    fmt = _string(fmt_attr)
    if fmt_attr is not None and fmt_attr.withheld:
        pass  # not read (unsafe heap): the engine reports why
    elif fmt_attr is None:
        ctx.add("ASDF-ROOT-001", "/", "missing root attribute 'file_format': must be 'ASDF'")
    elif fmt != spec.FORMAT_NAME:
        ctx.add("ASDF-ROOT-001", "/", f"root attribute file_format is {_shown(fmt_attr)}: must be 'ASDF'")
    version = _string(version_attr)
    if version_attr is not None and version_attr.withheld:
        pass
    elif version_attr is None:
        ctx.add("ASDF-ROOT-002", "/", "missing root attribute 'file_format_version'; "
                f"checking with the rules of {spec.DEFAULT_VERSION}")
    elif version not in spec.READABLE_VERSIONS:
        ctx.add("ASDF-ROOT-002", "/",
                f"root attribute file_format_version is {_shown(version_attr)}: must be one of "
                f"{', '.join(spec.READABLE_VERSIONS)}; checking with the rules of {spec.DEFAULT_VERSION}")
    else:
        ctx.version = version
        ctx.spec = spec.spec_for(version)
        if version == "0.0.2":
            ctx.add("ASDF-ROOT-004", "/", "format version 0.0.2 is a pre-release (old SPECFEM builds); "
                    "rewrite the file as 1.0.3")
    for info in (fmt_attr, version_attr):
        if info is not None and info.cls == "string" and (info.vlen or not info.is_scalar):
            ctx.add("ASDF-ROOT-003", "/",
                    f"root attribute {info.name!r} is a {'variable-length' if info.vlen else 'non-scalar'} "
                    "string: pyasdf only opens files whose root attributes are fixed-length ASCII")
    for info in root.attrs:
        if info.name not in _ROOT_ATTRS:
            ctx.add("ASDF-ATTR-001", "/", f"unknown root attribute {info.name!r}")
    sections: dict[str, Node] = {}
    present: set[str] = set()
    for node in h5.children(root, values=(), expect=GROUP):
        present.add(node.name)
        if not check_link(node, ctx):
            continue
        expected = SECTIONS.get(node.name)
        if expected is None:
            ctx.add("ASDF-ROOT-005", node.path,
                    f"unknown {node.kind} {node.name!r} at the root: ASDF defines {', '.join(SECTIONS)}")
        elif node.kind != expected:
            ctx.add("ASDF-ROOT-006", node.path, f"{node.path} must be a {expected}, found a {node.kind}")
        else:
            sections[node.name] = node
    for name in ("Waveforms", "AuxiliaryData", "Provenance"):
        if name in sections:
            node = sections[name]
            for info in node.attrs:
                ctx.add("ASDF-ATTR-001", node.path, f"unknown attribute {info.name!r}")
    return sections, present


def _shown(info: AttrInfo) -> str:
    if info.cls != "string":
        return f"a {info.cls} {info.dtype or ''} (not a string)".replace("  ", " ")
    if not info.read:
        return f"a string of {info.nbytes} bytes (not read)"
    return repr(info.value)
