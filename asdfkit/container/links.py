"""HDF5 links that commands copying objects must refuse.

ASDF files hold no links.  An HDF5 *external* link makes a file refer to an
object of another file: a merge or extract that resolves it copies content
the user never named (``/etc/...`` if the link says so), and a walk that does
not follow it drops the object silently; a repack keeps it, so the new file
still depends on the other one.  A *soft* link inside the copied objects is
resolved by merge and extract too, copying whatever object it points to.
So merge and extract refuse both kinds, repack refuses external links (its
soft links point into the file it copies whole), and each refusal names every
link found.

>>> describe_links(h5, ["/Waveforms", "/AuxiliaryData"])  # doctest: +SKIP
["/AuxiliaryData/Linked -> external link to 'other.h5':/g"]
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import h5py

from ..errors import DamagedFileError, ExternalLinkError
from .damage import from_hdf5

__all__ = ["describe_links", "refuse_links"]

log = logging.getLogger(__name__)


def _describe(path: str, link: h5py.SoftLink | h5py.ExternalLink) -> str:
    if isinstance(link, h5py.ExternalLink):
        return f"{path} -> external link to {link.filename!r}:{link.path}"
    return f"{path} -> soft link to {link.path}"


def describe_links(h5: h5py.File, roots: Iterable[str], *, soft: bool = True) -> list[str]:
    """Every external (and, with ``soft``, soft) link at or below the paths ``roots``.

    Each path's own components are checked too (``/Waveforms/X`` may itself be
    a link); groups are walked link by link without following any of them.
    Paths that do not exist are ignored.
    """
    found: dict[str, str] = {}
    kinds: tuple[type, ...] = (h5py.ExternalLink, h5py.SoftLink) if soft else (h5py.ExternalLink,)
    for root in roots:
        group: h5py.Group = h5
        parts = [p for p in root.split("/") if p]
        current = ""
        for part in parts:
            current += "/" + part
            link = group.get(part, getlink=True)
            if link is None:
                break
            if isinstance(link, kinds):
                found[current] = _describe(current, link)
                break
            node = group.get(part)
            if not isinstance(node, h5py.Group):
                break
            group = node
        else:
            prefix = "/".join(("", *parts))

            def visit(name: str, link: h5py.HardLink | h5py.SoftLink | h5py.ExternalLink,
                      prefix: str = prefix) -> None:
                if isinstance(link, kinds):
                    path = f"{prefix}/{name}"
                    found[path] = _describe(path, link)

            group.visititems_links(visit)
    return [found[key] for key in sorted(found)]


def refuse_links(h5: h5py.File, roots: Iterable[str], what: str, *, soft: bool = True) -> None:
    """Raise :class:`~asdfkit.errors.ExternalLinkError` naming every link :func:`describe_links` finds.

    A file whose links HDF5 cannot even walk is damaged (:class:`~asdfkit.errors.DamagedFileError`):
    nothing is copied from it.
    """
    try:
        links = describe_links(h5, roots, soft=soft)
    except (OSError, RuntimeError, UnicodeDecodeError, KeyError) as exc:
        if not from_hdf5(exc):
            raise
        raise DamagedFileError(
            f"{h5.filename} is damaged: HDF5 cannot walk its objects ({exc}); not copied"
        ) from exc
    if links:
        kinds = "external or soft links" if soft else "external links"
        raise ExternalLinkError(
            f"cannot {what}: {h5.filename} holds {len(links)} HDF5 {kinds} (ASDF files hold none; "
            f"copying would read objects outside the objects copied): {'; '.join(links)}"
        )
