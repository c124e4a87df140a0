"""schemas/: the project's SEIS-PROV 0.1 definition, generated from the shared facts table."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from prov_xml import sp_attr, sp_document, sp_record

import asdfkit.provenance.validator as validator_module
from asdfkit.provenance import profile, validate

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schemas" / "seis_prov_0.1.json"
GROUPS = {"agents": "agent", "entities": "entity", "activities": "activity"}


@pytest.fixture(scope="module")
def builder_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_seis_prov", ROOT / "schemas" / "build_seis_prov.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def facts(shared_reference: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((shared_reference / "seis-prov-0.1-types.json").read_text())
    return data


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return data


def test_committed_schema_is_what_the_script_generates(builder_script: ModuleType, facts: dict[str, Any]) -> None:
    assert SCHEMA.read_text(encoding="utf-8") == builder_script.render(facts)


def test_schema_has_the_34_record_types(schema: dict[str, Any]) -> None:
    kinds = [spec["kind"] for spec in schema["records"].values()]
    assert len(kinds) == 34
    assert (kinds.count("agent"), kinds.count("entity"), kinds.count("activity")) == (3, 7, 24)
    codes = [spec["code"] for spec in schema["records"].values()]
    assert len(set(codes)) == 34 and all(re.fullmatch(r"[a-z]{2}", c) for c in codes)
    assert schema["namespace"] == "http://seisprov.org/seis_prov/0.1/#"
    assert schema["prefix"] == "seis_prov"


def test_every_type_of_the_facts_table_is_in_the_schema(facts: dict[str, Any], schema: dict[str, Any]) -> None:
    seen = 0
    for group, kind in GROUPS.items():
        for name, spec in facts[group].items():
            ours = schema["records"][name]
            assert ours["kind"] == kind, name
            assert ours["code"] == spec["code"], name
            assert ours["label"] == (None if spec["label"] == "*" else spec["label"]), name
            assert ours["other_seis_prov_attributes_allowed"] == spec["other_seis_prov_attributes_allowed"]
            assert ours["attributes"] == spec["attributes"], name
            seen += 1
    assert seen == len(schema["records"]) == 34


def test_the_loaded_profile_matches_the_file(schema: dict[str, Any]) -> None:
    loaded = profile()
    assert set(loaded.types) == set(schema["records"])
    detrend = loaded.types["detrend"]
    assert (detrend.code, detrend.label, detrend.kind) == ("dt", "Detrend", "activity")
    assert detrend.attribute("detrending_method").pattern == "linear fit|demean|simple"  # type: ignore[union-attr]
    # The spec's typo is kept: bandstop's upper corner is 'uppoer_corner_frequency'.
    bandstop = loaded.types["bandstop_filter"]
    assert bandstop.attribute("uppoer_corner_frequency") is not None
    assert bandstop.attribute("upper_corner_frequency") is None
    assert loaded.types["software_agent"].required == ("software_name", "software_version", "website")
    assert loaded.types["software_agent"].prov_type == "prov:SoftwareAgent"
    assert loaded.id_regex("dt").match("sp002_dt_f87sf7sf78")
    assert not loaded.id_regex("dt").match("sp002_wf_f87sf7sf78")


def test_labels_are_the_title_cased_names(schema: dict[str, Any]) -> None:
    for name, spec in schema["records"].items():
        if spec["kind"] != "agent":
            assert spec["label"] == name.replace("_", " ").title(), name


_DETREND = sp_document(sp_record("activity", "sp001_dt_abcdefg", "detrend", "Detrend",
                                 sp_attr("detrending_method", "demean")))


def test_the_validator_is_driven_by_the_schema_data(monkeypatch: pytest.MonkeyPatch) -> None:
    assert validate(_DETREND).ok
    real = profile()
    detrend = real.types["detrend"]
    changed = dataclasses.replace(detrend, label="Remove Trend",
                                  attributes=(dataclasses.replace(detrend.attributes[0], pattern="linear fit"),))
    edited = dataclasses.replace(real, types={**real.types, "detrend": changed})
    monkeypatch.setattr(validator_module, "profile", lambda: edited)
    report = validate(_DETREND)
    assert report.rules() == {"sp.label.value", "sp.attr.pattern"}
    assert "Remove Trend" in str(report)
