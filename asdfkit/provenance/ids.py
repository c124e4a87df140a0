"""SEIS-PROV record ids: ``sp<step>_<code>_<hash>`` in the seis_prov namespace.

Ids are written into ASDF attributes as ``{namespace-uri}localpart``.
"""

from __future__ import annotations

import os
import re
import struct
import threading
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


class _RandomWords:
    """Uniform 64-bit numbers from the OS generator, read in blocks (one system call per block).

    A forked child does not inherit the unread block (it is dropped after a
    fork, through a hook registered on first use), so two processes never
    share draws.
    """

    BLOCK = 4096  # bytes: 512 draws

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._words: list[int] = []
        self._hooked = False

    def _after_fork(self) -> None:
        self._words.clear()
        self._lock = threading.Lock()  # another thread may have held it at the fork

    def below(self, limit: int) -> int:
        """A uniform integer in ``[0, limit)``, ``limit <= 2**64`` (rejection sampling)."""
        accept = (1 << 64) // limit * limit  # the largest multiple of limit a word can reach
        with self._lock:
            if not self._hooked:
                os.register_at_fork(after_in_child=self._after_fork)
                self._hooked = True
            while True:
                if not self._words:
                    self._words.extend(struct.unpack(f"<{self.BLOCK // 8}Q", os.urandom(self.BLOCK)))
                word = self._words.pop()
                if word < accept:
                    return word % limit


_WORDS = _RandomWords()
# Every pair of characters: two base-36 digits per division.
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]


def _suffix(length: int) -> str:
    """``length`` characters drawn uniformly from ``_ALPHABET``.

    A uniform number below ``36**length`` written in base 36 with ``length``
    digits is the same distribution as ``length`` independent draws.
    """
    number = _WORDS.below(len(_ALPHABET) ** length)
    chars = []
    for _ in range(length // 2):
        number, pair = divmod(number, len(_PAIRS))
        chars.append(_PAIRS[pair])
    if length % 2:
        chars.append(_ALPHABET[number % len(_ALPHABET)])
    return "".join(chars)


@dataclass(frozen=True)
class QualifiedId:
    """A record id as ``{namespace-uri}localpart`` (pyasdf's form for provenance_id)."""

    namespace: str
    localpart: str

    @classmethod
    def parse(cls, text: str) -> QualifiedId:
        """Parse ``prefix:localpart`` text; raises ``InvalidValueError`` naming the text if it is not one."""
        match = _QUALIFIED.match(text.strip())
        if match is None:
            raise InvalidValueError(
                f"invalid provenance id {text!r}: must be '{{namespace-uri}}localpart'"
            )
        return cls(match["uri"], match["local"])

    def __str__(self) -> str:
        return f"{{{self.namespace}}}{self.localpart}"
