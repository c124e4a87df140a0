"""The conformance corpus: one invalid file per rule, valid files, and the validator agreeing with it."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import asdfkit
from asdfkit.validation import RULES, Report
from asdfkit.validation.conformance import CASES, check_corpus, write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    write_corpus(out)
    return out


@pytest.fixture(scope="module")
def manifest(corpus: Path) -> dict:
    return json.loads((corpus / "manifest.json").read_text())


def test_every_rule_has_an_invalid_file(manifest: dict) -> None:
    covered = {case["rule"] for case in manifest["cases"] if case["rule"]}
    assert covered == set(RULES)
    for case in manifest["cases"]:
        if case["rule"]:
            assert case["rule"] in {e["rule"] for e in case["expected"]}, case["file"]
            assert case["file"].startswith("invalid/")
        else:
            assert case["expected"] == [] and case["exit_code"] == 0 and case["file"].startswith("valid/")
    assert len({case["file"] for case in manifest["cases"]}) == len(manifest["cases"]) == len(CASES)
    assert set(manifest["rules"]) == set(RULES)


def test_files_exist_with_consistent_exit_codes(corpus: Path, manifest: dict) -> None:
    for case in manifest["cases"]:
        assert (corpus / case["file"]).is_file()
        severities = {RULES[e["rule"]].severity.value for e in case["expected"]}
        if case["rule"] == "ASDF-FILE-001":
            assert case["exit_code"] == 2
        else:
            assert case["exit_code"] == (1 if "error" in severities else 0), case["file"]


def test_asdfkit_agrees_with_every_case(corpus: Path) -> None:
    assert check_corpus(corpus) == []


def test_the_checker_notices_a_wrong_validator(corpus: Path) -> None:
    def lenient(path: Path) -> Report:
        return Report(str(path))  # finds nothing, ever

    problems = check_corpus(corpus, validator=lenient)
    assert len(problems) == sum(1 for case in CASES if not case.valid)
    assert any("invalid/negative-rate.h5: missing [('ASDF-WAVE-005'" in p for p in problems)


def test_valid_files_open_in_asdfkit_and_pyasdf(corpus: Path) -> None:
    import pyasdf

    for path in sorted((corpus / "valid").glob("*.h5")):
        with asdfkit.open(path) as f:
            traces = len(f.list_waveforms())
        if path.stem == "minimal":
            assert traces == 0
            continue  # pyasdf cannot open a file without /Waveforms in read mode
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pyasdf.ASDFDataSet(str(path), mode="r") as ds:
                assert len(ds.waveforms.BW_RJOB.list()) == traces + 1  # + StationXML


def test_corpus_is_rewritable(corpus: Path) -> None:
    before = json.loads((corpus / "manifest.json").read_text())
    write_corpus(corpus)
    assert json.loads((corpus / "manifest.json").read_text()) == before
