"""Generate ``schemas/seis_prov_0.1.json`` from the SEIS-PROV 0.1 facts table.

The facts table (``reference/seis-prov-0.1-types.json`` in the project's shared
reference material) lists the 34 record types.  This script normalises it into
asdfkit's schema: one entry per record type with its kind, code, label, PROV
type, attributes (name, accepted xsd types, required, pattern) and whether
other ``seis_prov`` attributes are allowed, plus the namespace and id rule.

Run::

    python schemas/build_seis_prov.py ../shared/reference/seis-prov-0.1-types.json

A test checks that the committed schema equals this script's output.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "seis_prov_0.1.json"

_KINDS = {"agents": "agent", "entities": "entity", "activities": "activity"}
_AGENT_PROV_TYPES = {
    "software_agent": "prov:SoftwareAgent",
    "person": "prov:Person",
    "organization": "prov:Organization",
}
# How each xsd type may be written in a document (xsi:type spellings whose
# values are of that kind; integers are often written as xsd:int).  The
# validator checks values by what they are, so this table is informative for
# readers and used by the builder's documentation.
_WRITTEN_AS = {
    "xsd:string": ["xsd:string"],
    "xsd:double": ["xsd:double", "xsd:float", "xsd:decimal", "xsd:int", "xsd:integer", "xsd:long"],
    "xsd:decimal": ["xsd:decimal", "xsd:double", "xsd:float", "xsd:int", "xsd:integer", "xsd:long"],
    "xsd:integer": ["xsd:integer", "xsd:int", "xsd:long", "xsd:short"],
    "xsd:positiveInteger": ["xsd:positiveInteger", "xsd:integer", "xsd:int", "xsd:long",
                            "xsd:nonNegativeInteger", "xsd:unsignedInt"],
    "xsd:dateTime": ["xsd:dateTime"],
    "xsd:anyURI": ["xsd:anyURI", "xsd:string"],
}


def build(facts: dict[str, Any]) -> dict[str, Any]:
    """Normalise the facts table into asdfkit's schema document."""
    meta = facts["_metainformation"]
    records: dict[str, Any] = {}
    for group, kind in _KINDS.items():
        for name in sorted(facts[group]):
            spec = facts[group][name]
            attributes = []
            for attr in spec["attributes"]:
                entry: dict[str, Any] = {
                    "name": attr["name"],
                    "types": list(attr["types"]),
                    "required": bool(attr["required"]),
                }
                if "pattern" in attr:
                    entry["pattern"] = attr["pattern"]
                attributes.append(entry)
            records[name] = {
                "kind": kind,
                "code": spec["code"],
                "label": None if spec["label"] == "*" else spec["label"],
                "prov_type": _AGENT_PROV_TYPES.get(name, f"seis_prov:{name}"),
                "other_seis_prov_attributes_allowed": bool(spec["other_seis_prov_attributes_allowed"]),
                "attributes": attributes,
            }
    return {
        "title": "SEIS-PROV record types, as asdfkit validates and builds them",
        "format": meta["format"],
        "version": meta["version"],
        "namespace": meta["namespace"],
        "prefix": meta["recommended_namespace_prefix"],
        "id_pattern": r"^sp\d{3,5}_{code}_[a-z0-9]{7,12}$",
        "written_types": _WRITTEN_AS,
        "records": records,
    }


def render(facts: dict[str, Any]) -> str:
    return json.dumps(build(facts), indent=1, sort_keys=False) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("facts", type=Path, help="seis-prov-0.1-types.json")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    args.output.write_text(render(json.loads(args.facts.read_text())))


if __name__ == "__main__":
    main()
