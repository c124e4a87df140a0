"""``/Provenance/<name>``: PROV-XML documents stored as bytes.

This module only stores and retrieves documents; building and validating
SEIS-PROV lives in :mod:`asdfkit.provenance`.
"""

from __future__ import annotations

import uuid
from typing import Any

import h5py

from .. import xmlsafe
from ..errors import InvalidValueError, NotFoundError, XMLError
from ..naming import check_provenance_name
from .compression import Compression
from .h5util import read_xml, write_xml

__all__ = ["ProvenanceStore"]

GROUP = "Provenance"
PROV_NS = "http://www.w3.org/ns/prov#"


def _to_bytes(document: Any) -> bytes:
    if isinstance(document, (bytes, bytearray, memoryview)):
        return bytes(document)
    serialize = getattr(document, "serialize", None)
    if serialize is None:
        raise InvalidValueError(
            f"invalid provenance document {type(document).__name__}: give PROV-XML bytes "
            "or a prov.model.ProvDocument"
        )
    text = serialize(format="xml")
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)


class ProvenanceStore:
    """The provenance documents of one open file."""

    def __init__(self, h5: h5py.File, version: str, compression: Compression) -> None:
        self._h5 = h5
        self._version = version
        self._compression = compression

    def _root(self) -> h5py.Group | None:
        group = self._h5.get(GROUP)
        return group if isinstance(group, h5py.Group) else None

    def add(self, document: Any, name: str | None = None, overwrite: bool = False) -> str:
        """Store a PROV-XML document; return its name.

        The document must be well-formed XML whose root is ``prov:document``.
        """
        data = xmlsafe.clean(_to_bytes(document))
        root = xmlsafe.parse(data, "provenance document")
        namespace, local = xmlsafe.root_tag(root)
        if (namespace, local) != (PROV_NS, "document"):
            raise XMLError(
                f"not a PROV-XML document: root element is {{{namespace}}}{local}, "
                f"must be {{{PROV_NS}}}document"
            )
        if name is None:
            name = uuid.uuid4().hex
        check_provenance_name(name, self._version)
        group = self._root()
        if group is not None and name in group and not overwrite:
            raise InvalidValueError(
                f"provenance document {name!r} already exists; pass overwrite=True to replace it"
            )
        write_xml(self._h5.require_group(GROUP), name, data, self._compression)
        return name

    def get(self, name: str) -> bytes:
        group = self._root()
        if group is None or name not in group:
            raise NotFoundError(f"provenance document {name!r} not found")
        return xmlsafe.clean(read_xml(group[name]))

    def names(self) -> list[str]:
        group = self._root()
        return sorted(group) if group is not None else []

    def remove(self, name: str) -> None:
        group = self._root()
        if group is None or name not in group:
            raise NotFoundError(f"provenance document {name!r} not found")
        del group[name]
