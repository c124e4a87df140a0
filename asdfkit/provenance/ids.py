"""SEIS-PROV record ids: ``sp<step>_<code>_<hash>`` in the seis_prov namespace.

Ids are written into ASDF attributes as ``{namespace-uri}localpart``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from ..errors import InvalidValueError
from .schema import profile

__all__ = ["QualifiedId", "make_local_id"]

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_QUALIFIED = re.compile(r"^\{(?P<uri>[^{}]+)\}(?P<local>[^{}]+)$")


def make_local_id(code: str, step: int, length: int = 10) -> str:
    """A new local id such as ``sp002_dt_k3j9x0m1qa``.

    Parameters
    ----------
    code : str
        The record type's two-letter code.
    step : int
        Processing step number, 0-99999 (0 for agents and static inputs).
    length : int
        Length of the random lowercase-alphanumeric part, 7-12.
    """
    if not 0 <= step <= 99999:
        raise InvalidValueError(f"invalid provenance step {step}: must be 0-99999")
    if not 7 <= length <= 12:
        raise InvalidValueError(f"invalid id hash length {length}: must be 7-12")
    if profile().by_code(code) is None and not re.fullmatch(r"[a-z]{2}", code):
        raise InvalidValueError(f"invalid record code {code!r}: must be two lowercase letters")
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(length))
    return f"sp{step:03d}_{code}_{suffix}"


@dataclass(frozen=True)
class QualifiedId:
    """A record id as ``{namespace-uri}localpart`` (pyasdf's form for provenance_id)."""

    namespace: str
    localpart: str

    @classmethod
    def parse(cls, text: str) -> QualifiedId:
        match = _QUALIFIED.match(text.strip())
        if match is None:
            raise InvalidValueError(
                f"invalid provenance id {text!r}: must be '{{namespace-uri}}localpart'"
            )
        return cls(match["uri"], match["local"])

    def __str__(self) -> str:
        return f"{{{self.namespace}}}{self.localpart}"
