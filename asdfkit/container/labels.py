"""Editing the ``labels`` attribute of stored traces (add or remove labels on a selection).

Labels are the spec's ``labels`` attribute: one variable-length UTF-8 string,
labels joined by commas (what pyasdf writes and reads).  A trace left without
labels loses the attribute.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import h5py

from ..errors import InvalidValueError, NotFoundError
from ..naming import join_labels, split_labels
from .h5util import decode_str
from .index import TraceHeader

__all__ = ["edit_labels"]


def _labels(labels: str | Sequence[str]) -> list[str]:
    items = [labels] if isinstance(labels, str) else list(labels)
    if not items:
        raise InvalidValueError("invalid labels []: give at least one label")
    return split_labels(join_labels(items))


def edit_labels(
    h5: h5py.File,
    headers: Iterable[TraceHeader],
    add: str | Sequence[str] = (),
    remove: str | Sequence[str] = (),
) -> dict[str, str]:
    """Add and/or remove labels on traces; return ``{trace name: new labels text}`` of those changed.

    Every label is checked before the first attribute is written.
    """
    plus = _labels(add) if add else []
    minus = set(_labels(remove)) if remove else set()
    targets = []
    for header in headers:
        node = h5.get(header.path)
        if not isinstance(node, h5py.Dataset):
            raise NotFoundError(f"waveform {header.path!r} not found")
        targets.append((header.name, node))
    changed: dict[str, str] = {}
    for name, node in targets:
        old = split_labels(decode_str(node.attrs["labels"])) if "labels" in node.attrs else []
        new = [label for label in old if label not in minus]
        new += [label for label in plus if label not in new]
        if new == old:
            continue
        if new:
            node.attrs["labels"] = join_labels(new)  # str: variable-length UTF-8, as pyasdf requires
        else:
            del node.attrs["labels"]
        changed[name] = ",".join(new)
    return changed
