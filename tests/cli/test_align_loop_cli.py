"""``asdf-cli align``: the whole edit-and-rerun loop through the CLI, on a synthetic event and on Berkeley 1998.

First run, a run ``--from latest`` with a deselect, a flip and a shifted pick, rollback, delete;
after every step ``asdf-cli validate`` is clean and pyasdf opens the file.  Every subcommand's
``--json`` is one object; an unknown event or run is exit 2, a refused delete exit 1.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from asdfkit.alignment.synthetic_file import SyntheticEvent, synthetic_event_file
from asdfkit.cli.main import cli


def _invoke(*args: Any) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args])


def _json(*args: Any) -> dict[str, Any]:
    result = _invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)  # one object
    return data


def _clean(path: Path) -> None:
    """`asdf-cli validate` is clean and pyasdf opens the file and reads every alignment table."""
    result = _invoke("validate", path, "--json")
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)["files"]
    assert report["ok"] and report["counts"] == {"error": 0, "warning": 0}, report
    import pyasdf

    with pyasdf.ASDFDataSet(str(path), mode="r") as ds:
        if "Alignment" in ds.auxiliary_data:
            for key in ds.auxiliary_data.Alignment.list():
                for run in ds.auxiliary_data.Alignment[key].list():
                    assert len(ds.auxiliary_data.Alignment[key][run]["picks"].data[:]) > 0


@pytest.fixture(scope="module")
def synthetic_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SyntheticEvent]:
    path = tmp_path_factory.mktemp("loop-cli") / "synthetic.h5"
    return path, synthetic_event_file(path, n=12, seed=1, flipped=1)


@pytest.fixture(scope="module")
def berkeley_source(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("loop-cli-bk") / "berkeley.h5"
    result = CliRunner().invoke(
        cli, ["convert", str(shared_data / "css" / "berkeley_1998"), "--default-network", "BK", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def _loop(path: Path, window: list[str], deselect: str, flip: str, pick: str) -> dict[str, Any]:
    """The loop of the issue through the CLI; returns every run's JSON."""
    first = _json("align", "run", path, "--event", "event/1", *window, "--comment", "first look")
    assert first["run"] == "run_0001" and first["comment"] == "first look" and first["parent"] is None
    _clean(path)
    second = _json(
        "align", "run", path, "--event", "event/1", "--from", "latest", "--deselect", deselect, "--flip", flip,
        "--pick", f"{pick}=+0.4", "--comment", "edited",
    )
    assert second["run"] == "run_0002" and second["parent"] == "run_0001" and second["origin"] == "rerun"
    assert second["params"] == first["params"]  # kept from --from
    _clean(path)
    back = _json("align", "rollback", path, "--event", "event/1", "--to", "1", "--comment", "back to the first")
    assert back["run"] == "run_0003" and back["origin"] == "rollback" and back["parent"] == "run_0001"
    assert [r["t1_ns"] for r in back["rows"]] == [r["t1_ns"] for r in first["rows"]]  # exactly
    assert [(r["select"], r["flip"]) for r in back["rows"]] == [(r["select"], r["flip"]) for r in first["rows"]]
    _clean(path)
    refused = _invoke("align", "delete", path, "--event", "event/1", "--run", "1")
    assert refused.exit_code == 1 and "run_0002, run_0003 were made from it" in refused.output
    deleted = _json("align", "delete", path, "--event", "event/1", "--run", "2")
    assert deleted["run"] == "run_0002" and deleted["provenance_document"].startswith("asdfkit_alignment_run_0002")
    _clean(path)
    report = _json("align", "report", path)
    assert [(r["run"], r["parent"], r["comment"]) for r in report["runs"]] == [
        ("run_0001", None, "first look"),
        ("run_0003", "run_0001", "back to the first"),
    ]
    text = _invoke("align", "report", path).output
    assert "run_0003 (rollback from run_0001)" in text and '"back to the first"' in text
    import asdfkit

    with asdfkit.open(path) as f:
        alignment_docs = sorted(n for n in f.provenance_documents if n.startswith("asdfkit_alignment_"))
    assert [d.split("_")[3] for d in alignment_docs] == ["0001", "0003"]  # no orphan of run_0002
    return {"first": first, "second": second, "back": back}


def test_the_loop_on_a_synthetic_event(synthetic_source: tuple[Path, SyntheticEvent], tmp_path: Path) -> None:
    path = tmp_path / "synthetic.h5"
    shutil.copyfile(synthetic_source[0], path)
    truth = synthetic_source[1]
    reversed_id = next(s for s, flipped in truth.flips.items() if flipped)
    runs = _loop(path, ["--window", "-5", "5"], "XS.S003", reversed_id.rsplit(".", 2)[0], "XS.S005")
    first = {r["seed_id"]: r for r in runs["first"]["rows"]}
    second = {r["seed_id"]: r for r in runs["second"]["rows"]}
    assert not second["XS.S003..BHZ"]["select"] and second["XS.S003..BHZ"]["select_manual"]
    assert second[reversed_id]["flip"] and second[reversed_id]["flip_manual"]
    assert abs(second["XS.S005..BHZ"]["t1"] - first["XS.S005..BHZ"]["t1"]) < 0.025  # re-aligned by ICCS
    misfit = np.array([second[s]["t1"] - second[s]["t0"] - truth.shifts[s] for s in second])
    misfit -= np.median(misfit)
    assert np.abs(misfit).max() < 0.025  # every trace on its true arrival, the reversed one included
    others = [s for s in second if s not in ("XS.S003..BHZ", reversed_id, "XS.S005..BHZ")]
    assert max(abs(second[s]["t1"] - first[s]["t1"]) for s in others) < 0.010


def test_the_loop_on_the_berkeley_1998_event(berkeley_source: Path, tmp_path: Path) -> None:
    path = tmp_path / "berkeley.h5"
    shutil.copyfile(berkeley_source, path)
    runs = _loop(path, ["--window", "-2", "4", "--bandpass", "0.5", "2"], "BK.YBH", "BK.SAO", "BK.PKD")
    first = {r["seed_id"]: r for r in runs["first"]["rows"]}
    second = {r["seed_id"]: r for r in runs["second"]["rows"]}
    assert not second["BK.YBH..BHZ"]["select"] and second["BK.SAO..BHZ"]["flip"]
    assert abs(second["BK.PKD..BHZ"]["t1"] - first["BK.PKD..BHZ"]["t1"]) < 0.1  # 0.4 s away at the start
    # SAO, 2 km from the epicentre, is reversed: flipped by hand it correlates better with the stack
    assert second["BK.SAO..BHZ"]["iccs_cc"] > first["BK.SAO..BHZ"]["iccs_cc"] + 0.05
    for seed_id in set(second) - {"BK.YBH..BHZ", "BK.SAO..BHZ", "BK.PKD..BHZ"}:
        # the others keep their picks within noise: 3 x the first run's MCCC standard error
        assert abs(second[seed_id]["t1"] - first[seed_id]["t1"]) < 3 * first[seed_id]["mccc_error"], seed_id


def test_options_exit_codes_and_json_of_every_subcommand(
    synthetic_source: tuple[Path, SyntheticEvent], tmp_path: Path
) -> None:
    path = tmp_path / "synthetic.h5"
    shutil.copyfile(synthetic_source[0], path)
    before = path.read_bytes()
    for args, message in [
        (("align", "run", path, "--event", "event/9"), "unknown event id 'event/9'"),
        (("align", "report", path, "--event", "event/9"), "unknown event id 'event/9'"),
    ]:
        result = _invoke(*args)
        assert result.exit_code == 2 and message in result.output, result.output
    assert path.read_bytes() == before
    _json("align", "run", path, "--event", "event/1", "--window", "-5", "5", "--no-mccc")
    edits = tmp_path / "edits.csv"
    edits.write_text("id,action,value\nXS.S001,deselect,\nXS.S002,pick,-0.2\n")
    from_file = _json("align", "run", path, "--event", "event/1", "--from", "1", "--edits", edits, "--mccc",
                      "--autoflip")
    assert from_file["edits"] == ["deselect XS.S001", "pick XS.S002=-0.2"]
    assert from_file["status_mccc"] == "solved" and from_file["params"]["autoflip"] is True
    assert from_file["params"]["window_pre"] == -5.0
    inherited = _json("align", "run", path, "--event", "event/1", "--from", "latest", "--no-autoflip")
    assert inherited["params"]["autoflip"] is False and inherited["status_mccc"] == "solved"
    snapshot = path.read_bytes()
    for args, code, message in [
        (("--from", "latest", "--t0", "picks"), 2, "--t0 cannot be used with --from"),
        (("--from", "9"), 2, "unknown run '9'"),
        (("--from", "latest", "--flip", "XS.NOPE"), 1, "unknown trace 'XS.NOPE'"),
        (("--from", "latest", "--pick", "XS.S001=soon"), 1, "invalid pick value 'soon'"),
        (("--from", "latest", "--bandpass", "0.1", "2", "--no-bandpass"), 2, "--bandpass LOW HIGH or --no-bandpass"),
    ]:
        result = _invoke("align", "run", path, "--event", "event/1", *args)
        assert result.exit_code == code and message in result.output, (args, result.output)
    for args, code, message in [
        (("rollback", path, "--event", "event/1", "--to", "7"), 2, "unknown run '7'"),
        (("delete", path, "--event", "event/1", "--run", "7"), 2, "unknown run '7'"),
        (("delete", path, "--event", "event/1", "--run", "latest"), 2, "name the run"),
        (("delete", path, "--event", "event/1", "--run", "1"), 1, "cannot be deleted"),
        (("plot", path, "--run", "7", "-o", tmp_path / "x.png"), 2, "unknown run '7'"),
        (("export-picks", path, "--run", "7", "-o", tmp_path / "x.xml"), 2, "unknown run '7'"),
    ]:
        result = _invoke("align", *args)
        assert result.exit_code == code and message in result.output, (args, result.output)
    assert path.read_bytes() == snapshot and not (tmp_path / "x.png").exists()
    plot = _json("align", "plot", path, "--event", "event/1", "--sort", "cc", "-o", tmp_path / "s.png")
    assert plot["run"] == "run_0003" and plot["sort"] == "cc" and (tmp_path / "s.png").stat().st_size > 10_000
    picks = _json("align", "export-picks", path, "-o", tmp_path / "picks.xml")
    assert picks["count"] == 12 and len(picks["picks"]) == 12
    report = _json("align", "report", path, "--runs", "all")
    assert len(report["runs"]) == 3 and all(s["count"] == 3 for s in report["stations"] if s["station"] != "XS.S001")
    assert report["station_runs"] == "all" and [e["run"] for e in report["events"]] == ["run_0001", "run_0002", "run_0003"]
    assert report["events"][0]["mccc_rmse"] is None and report["events"][1]["mccc_rmse"] > 0  # --no-mccc, then MCCC
    latest = _json("align", "report", path)
    assert latest["station_runs"] == "latest" and all(s["count"] == 1 for s in latest["stations"])
    one = _json("align", "report", path, "--run", "2")
    assert one["run"] == "run_0002" and one["parent"] == "run_0001"
    forced = _json("align", "delete", path, "--event", "event/1", "--run", "1", "--force")
    assert forced["children"] == ["run_0002"]
    _clean(path)
