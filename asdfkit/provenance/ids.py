"""SEIS-PROV record ids: ``sp<step>_<code>_<hash>`` in the seis_prov namespace.

Ids are written into ASDF attributes as ``{namespace-uri}localpart``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

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
    if not _known_code(code):
        raise InvalidValueError(f"invalid record code {code!r}: must be two lowercase letters")
    return f"sp{step:03d}_{code}_{_suffix(length)}"


@lru_cache(maxsize=256)
def _known_code(code: str) -> bool:
    return profile().by_code(code) is not None or re.fullmatch(r"[a-z]{2}", code) is not None


def _suffix(length: int) -> str:
    """``length`` characters drawn uniformly from ``_ALPHABET`` (one call to the OS generator).

    A uniform number below ``36**length`` written in base 36 with ``length``
    digits is the same distribution as ``length`` independent draws.
    """
    number = secrets.randbelow(len(_ALPHABET) ** length)
    chars = []
    for _ in range(length):
        number, digit = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[digit])
    return "".join(chars)


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
