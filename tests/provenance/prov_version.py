"""Which ``prov`` release the tests run with, and the checks that depend on it.

asdfkit's PROV-XML writer writes the bytes ``prov`` 3.1 and newer write; older
supported releases (down to the lowest in ``pyproject.toml``) differ in details
of their own serializer (``xsd:int`` for every integer, for one), so there the
writer's output must instead parse back to the same document as ``prov``'s own.
"""

from __future__ import annotations

import prov
from prov.model import ProvDocument

#: The installed prov writes exactly asdfkit's bytes.
SAME_BYTES = tuple(int(part) for part in prov.__version__.split(".")[:2]) >= (3, 1)


def prov_bytes(document: ProvDocument) -> bytes:
    """``prov``'s own PROV-XML of ``document``."""
    return str(document.serialize(format="xml")).encode("utf-8")


def _kinds(document: ProvDocument) -> list[tuple[str, str]]:
    return sorted((str(record.get_type()), str(record.identifier)) for record in document.get_records())


def assert_written_as_prov(data: bytes, document: ProvDocument) -> None:
    """``data`` is what ``prov`` writes for ``document``: the same bytes, or (older prov) the same records."""
    own = prov_bytes(document)
    if SAME_BYTES:
        assert data == own
    else:
        ours = ProvDocument.deserialize(content=data, format="xml")
        assert _kinds(ours) == _kinds(document)
