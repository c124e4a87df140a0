"""/AuxiliaryData: layout, names of every level, provenance ids.  Other attributes are free-form."""

from __future__ import annotations

from ..container.inspect import DATASET, Inspector, Node
from .context import Context
from .provenance import check_provenance_id
from .structure import check_link

__all__ = ["check_auxiliary"]

#: Deepest nesting below /AuxiliaryData that is walked.
MAX_DEPTH = 32


def check_auxiliary(h5: Inspector, group: Node, ctx: Context) -> None:
    """Rules ASDF-AUX-001, ASDF-NAME-005, ASDF-PROV-003/004 (and ASDF-FILE-* on the way)."""
    rule = ctx.spec.aux_rule
    for depth, node in h5.walk(group, max_depth=MAX_DEPTH, values=("provenance_id",)):
        if not check_link(node, ctx):
            continue
        if not rule.matches(node.name):
            ctx.add("ASDF-NAME-005", node.path,
                    f"invalid auxiliary data name {node.name!r} for ASDF {ctx.spec.version}: "
                    f"must match {rule.pattern}")
        if node.kind != DATASET:
            continue
        ctx.count("auxiliary datasets")
        if depth == 1:
            ctx.add("ASDF-AUX-001", node.path,
                    "dataset directly under /AuxiliaryData: it must sit in a data-type group "
                    "(/AuxiliaryData/TYPE/NAME)")
        check_provenance_id(node.path, node, ctx)
