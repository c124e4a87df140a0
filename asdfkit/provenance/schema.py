"""The SEIS-PROV 0.1 profile as data, loaded from ``schemas/seis_prov_0.1.json``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

__all__ = ["AttributeSpec", "Profile", "RecordType", "profile"]

SCHEMA_FILE = "seis_prov_0.1.json"


@dataclass(frozen=True)
class AttributeSpec:
    """One ``seis_prov:`` attribute of a record type."""

    name: str
    types: tuple[str, ...]
    required: bool
    pattern: str | None = None

    def matches(self, text: str) -> bool:
        """``re.match`` semantics, as the reference validator uses them."""
        return self._regex is None or self._regex.match(text) is not None

    @cached_property
    def _regex(self) -> re.Pattern[str] | None:
        return None if self.pattern is None else re.compile(self.pattern)


@dataclass(frozen=True)
class RecordType:
    """One of the 34 SEIS-PROV record types."""

    name: str
    kind: str  # "agent", "entity" or "activity"
    code: str
    label: str | None  # None: any label (agents)
    prov_type: str
    extra_allowed: bool
    attributes: tuple[AttributeSpec, ...]

    def attribute(self, name: str) -> AttributeSpec | None:
        """The specification of attribute ``name``, or ``None`` if the type has no such attribute."""
        return self._by_name.get(name)

    @cached_property
    def _by_name(self) -> dict[str, AttributeSpec]:
        return {attr.name: attr for attr in self.attributes}

    @cached_property
    def required(self) -> tuple[str, ...]:
        """Names of the attributes a record of this type must have."""
        return tuple(a.name for a in self.attributes if a.required)


@dataclass(frozen=True)
class Profile:
    """The whole SEIS-PROV profile."""

    version: str
    namespace: str
    prefix: str
    id_pattern: str
    written_types: dict[str, tuple[str, ...]]
    types: dict[str, RecordType]

    def by_code(self, code: str) -> RecordType | None:
        """The record type with the two-letter id ``code``, or ``None``."""
        return self._by_code.get(code)

    @cached_property
    def _by_code(self) -> dict[str, RecordType]:
        codes: dict[str, RecordType] = {}
        for record in self.types.values():
            codes.setdefault(record.code, record)  # the first type of a code, as a linear scan finds it
        return codes

    def id_regex(self, code: str) -> re.Pattern[str]:
        """Compiled regular expression that record ids of type ``code`` must match."""
        regexes: dict[str, re.Pattern[str]] = self._id_regexes
        if code not in regexes:
            regexes[code] = re.compile(self.id_pattern.replace("{code}", re.escape(code)))
        return regexes[code]

    @cached_property
    def _id_regexes(self) -> dict[str, re.Pattern[str]]:
        return {}


@cache
def profile() -> Profile:
    """Load the SEIS-PROV profile (cached)."""
    text = resources.files("asdfkit.schemas").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    types = {}
    for name, spec in data["records"].items():
        attrs = tuple(
            AttributeSpec(a["name"], tuple(a["types"]), a["required"], a.get("pattern"))
            for a in spec["attributes"]
        )
        types[name] = RecordType(
            name, spec["kind"], spec["code"], spec["label"], spec["prov_type"],
            spec["other_seis_prov_attributes_allowed"], attrs,
        )
    return Profile(
        data["version"], data["namespace"], data["prefix"], data["id_pattern"],
        {k: tuple(v) for k, v in data["written_types"].items()}, types,
    )
