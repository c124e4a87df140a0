"""Codes that are not SEED codes: the proposed table, applying it, its provenance, the refusals.

Real files of ObsPy's test data whose codes ASDF cannot hold (found by a sweep
of the corpus list in shared/reference/obspy-1.5.1-corpus/waveforms.txt).
"""

from __future__ import annotations

import csv
import json
import random
import warnings
from collections import Counter
from pathlib import Path

import obspy
import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit import spec
from asdfkit.cli.main import cli
from asdfkit.errors import CodesError
from asdfkit.io.codeproposal import band_code, propose_codes, scan_ids
from asdfkit.io.codes import CodesTable, original_ids
from asdfkit.io.convert import ConvertOptions, convert_to_asdf
from asdfkit.naming import check_codes

#: path inside the obspy package -> what is wrong with its codes
ODD_CODES = {
    "io/gse2/tests/data/boa___00_07a.gse": "network 'abcdef'",
    "io/gse2/tests/data/sta2.gse2": "network 'ABCD'",
    "io/gse2/tests/data/acc.gse": "channel ' BZ', no network",
    "io/gse2/tests/data/loc_STAU20031119011659.z": "station 'LE0083', channel '  Z'",
    "io/dmx/tests/data/131114_090600.dmx": "network 'ETNA', channel 'Z'",
    "io/nied/tests/data/test.knet": "station 'AKT013', channel 'EW'",
    "io/seisan/tests/data/D1360930.203": "station 'mart', channel 'cp'",
    "io/seisan/tests/data/90010319.1320J90": "channels 'S  Z', 'S N'",
    "io/kinemetrics/tests/data/BX456_MOLA-02351.evt": "channels '0'..'5'",
    "io/reftek/tests/data/221935615_00000000": "channels 'DS 10', 'DS 11'",
    "io/reftek/tests/data/065520000_013EE8A0.rt130": "channels 'AUX0'..'AUX2', no station",
    "io/win/tests/data/1070533011_1701260003.win": "channels 'f111'..'f113', no station",
    "io/win/tests/data/25112616_ch0000.10": "channel '0000'",
    "io/alsep/tests/data/pse.a12.6.117.mini": "channels 'HK_', 'CV_'",
    "io/sac/tests/data/testxy.sac": "station 'sta', channel 'Q'",
    "io/sac/tests/data/test.sac": "station 'STA' (clashes with 'sta' uppercased), channel 'Q'",
    "io/sh/tests/data/QFILE-TEST-ASC.ASC": "no network (valid otherwise)",
    "io/mseed/tests/data/encoding/nan_float32.mseed": "no codes at all",
    "io/seg2/tests/data/20130107_103041000.CET.3c.cont.0.seg2.gz": "3 traces without codes, one start",
    "io/sh/tests/data/101.QHD": "101 traces without codes, one start",
}


@pytest.fixture(scope="module")
def odd_files() -> list[Path]:
    root = Path(obspy.__file__).parent
    return [root / rel for rel in ODD_CODES]


@pytest.fixture(scope="module")
def odd_ids(odd_files: list[Path]) -> dict[str, float | None]:
    ids, unreadable = scan_ids(odd_files)
    assert unreadable == []
    return ids


def _valid(seed_id: str) -> bool:
    net, sta, loc, cha = seed_id.split(".")
    check_codes(net, sta, loc, cha)  # raises InvalidNameError when not
    name = f"{seed_id}__2000-01-01T00:00:00__2000-01-01T00:00:01__raw"
    return spec.TRACE_RULE_S.matches(name) and spec.STATION_RULE.matches(f"{net}.{sta}")


def test_proposals_are_valid_unique_and_cover_every_id(odd_ids: dict[str, float | None]) -> None:
    rows = propose_codes(odd_ids)
    assert sorted(r.source_id for r in rows) == sorted(odd_ids)
    assert all(_valid(r.seed_id) for r in rows)
    assert len({r.seed_id for r in rows}) == len(rows)
    for row in rows:  # each changed id says why; the codes that were valid are kept
        assert (row.reason == "unchanged") == (row.source_id == row.seed_id), row
    for code in ("abcdef", "AKT013", "AUX0", "f111", "HK_", "0", "mart", "EW"):  # each odd code has its reason
        assert any(repr(code) in r.reason for r in rows), code
    assert any(r.source_id.endswith("  Z") and r.seed_id.endswith("HZ") for r in rows)  # 'S  Z', '  Z'
    assert {f"...#{n}" for n in range(1, 102)} <= set(odd_ids)  # 101.QHD: a row per trace


def test_proposals_are_deterministic(odd_ids: dict[str, float | None]) -> None:
    first = propose_codes(odd_ids)
    items = list(odd_ids.items())
    random.Random(15).shuffle(items)
    assert propose_codes(dict(items)) == first


def test_missing_codes_take_the_given_values(odd_ids: dict[str, float | None]) -> None:
    rows = {r.source_id: r.seed_id for r in propose_codes(odd_ids, network="ZZ", station="NOSTA")}
    assert rows["...AUX0"].startswith("ZZ.NOSTA..")
    assert rows[".MOLA..0"].startswith("ZZ.MOLA..")
    assert rows["BO.AKT013..EW"].startswith("BO.")  # a network that is there is kept


def test_channel_from_rate_and_component() -> None:
    rows = {r.source_id: r.seed_id for r in propose_codes({
        "XX.A..S  Z": 100.0, "XX.A..S  N": 100.0, "XX.B..0": 20.0, "XX.B..1": 20.0, "XX.C..bhz": 40.0})}
    assert rows["XX.A..S  Z"] == "XX.A..HHZ" and rows["XX.A..S  N"] == "XX.A..HHN"
    assert rows["XX.C..bhz"] == "XX.C..BHZ"  # uppercasing is enough
    assert len({rows["XX.B..0"], rows["XX.B..1"]}) == 2 and all(r.startswith("XX.B..BH") for r in
                                                                (rows["XX.B..0"], rows["XX.B..1"]))
    assert [band_code(r) for r in (5000, 300, 100, 20, 2, 1, 0.05, 0.005, 0.0001)] == list("FCHBMLVUR")


def test_long_station_aliases_never_collide() -> None:
    ids = {f"BO.AKT01{i}..HNE": 100.0 for i in range(10)} | {"BO.AKT01..HNE": 100.0}
    rows = propose_codes(ids)
    assert len({r.seed_id for r in rows}) == len(rows)
    assert {r.seed_id for r in rows if r.source_id == "BO.AKT01..HNE"} == {"BO.AKT01..HNE"}  # valid: kept


def _run(*args: object) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ObsPy's readers warn about these odd files
        return CliRunner().invoke(cli, ["convert", *map(str, args)])


def test_template_then_convert_keeps_every_trace_and_its_original_id(odd_files: list[Path],
                                                                     tmp_path: Path) -> None:
    table = tmp_path / "codes.csv"
    files = odd_files
    result = _run(*files, "--codes-template", table, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    with open(table, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["source_id", "seed_id", "reason"] and summary["ids"] == len(rows)
    out = tmp_path / "out.h5"
    refused = _run(*files, out)
    assert refused.exit_code == 1 and "--codes-template" in refused.output and "must match" in refused.output
    assert not out.exists()
    result = _run(*files, out, "--codes", table)
    assert result.exit_code == 0, result.output
    mapping = {r["source_id"]: r["seed_id"] for r in rows}
    expected = []  # the row of each trace: ID#N for the N-th trace of one id and start in a file, else ID
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in files:
            seen: Counter[tuple[str, int]] = Counter()
            for trace in obspy.read(str(path), headonly=True):
                seen[(trace.id, trace.stats.starttime.ns)] += 1
                nth = f"{trace.id}#{seen[(trace.id, trace.stats.starttime.ns)]}"
                expected.append(nth if nth in mapping else trace.id)
    with asdfkit.open(out) as f:
        stored = sorted(h.seed_id for h in f.list_waveforms())
        origins = original_ids(f)
    assert stored == sorted(mapping[i] for i in expected)
    for source, target in mapping.items():
        if source != target:
            assert origins[target] == [source]
    import pyasdf

    with pyasdf.ASDFDataSet(str(out), mode="r") as ds:
        assert len(ds.waveforms) == len({s.rsplit(".", 2)[0] for s in stored})


def test_ids_the_table_does_not_list_convert_as_before(obspy_data: Path, tmp_path: Path) -> None:
    table = tmp_path / "codes.csv"
    table.write_text("source_id,seed_id,reason\nBO.AKT013..EW,BO.AKT13..HNE,edited by hand\n")
    knet = obspy_data / "io" / "nied" / "tests" / "data" / "test.knet"
    mseed = obspy_data / "io" / "mseed" / "tests" / "data" / "BW.BGLD.__.EHE.D.2008.001.first_record"
    out = tmp_path / "o.h5"
    convert_to_asdf([knet, mseed], out, ConvertOptions(codes=table))
    with asdfkit.open(out) as f:
        assert sorted(h.seed_id for h in f.list_waveforms()) == ["BO.AKT13..HNE", "BW.BGLD..EHE"]
        assert original_ids(f) == {"BO.AKT13..HNE": ["BO.AKT013..EW"]}


@pytest.mark.parametrize(("text", "match"), [
    ("id,new\nA,B\n", "first line"),
    ("source_id,seed_id,reason\nBO.AKT013..EW,BO.AKT013..HNE,\n", "line 2.*station code 'AKT013'"),
    ("source_id,seed_id,reason\nBO.AKT013..EW,BO.AKT13..HNE,\nBO.AKT014..EW,BO.AKT13..HNE,\n", "line 3.*also the target"),
    ("source_id,seed_id,reason\nBO.AKT013..EW,BO.AKT13.HNE,\n", "NET.STA.LOC.CHA"),
])
def test_bad_tables_are_refused_naming_the_line(tmp_path: Path, text: str, match: str) -> None:
    table = tmp_path / "codes.csv"
    table.write_text(text)
    with pytest.raises(CodesError, match=match):
        CodesTable.read(table)
    result = _run(Path(obspy.__file__).parent / "io" / "nied" / "tests" / "data" / "test.knet",
                  tmp_path / "o.h5", "--codes", table)
    assert result.exit_code == 1 and not (tmp_path / "o.h5").exists()


def test_existing_template_refused_unless_overwrite(obspy_data: Path, tmp_path: Path) -> None:
    table = tmp_path / "codes.csv"
    table.write_text("mine\n")
    knet = obspy_data / "io" / "nied" / "tests" / "data" / "test.knet"
    result = _run(knet, "--codes-template", table)
    assert result.exit_code == 2 and table.read_text() == "mine\n"
    result = _run(knet, "--codes-template", table, "--overwrite")
    assert result.exit_code == 0 and table.read_text().startswith("source_id,seed_id,reason")


def test_help_explains_the_workflow() -> None:
    result = CliRunner().invoke(cli, ["convert", "--help"])
    assert "--codes-template codes.csv" in result.output and "--codes codes.csv" in result.output
