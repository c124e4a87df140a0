"""``align run --group/--label``: the run aligns only the traces of a group or with a label."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import asdfkit
from asdfkit.cli.main import cli

ALIGN = ["--window", "-2", "4", "--bandpass", "0.5", "2", "--json"]


def _rows(result_output: str) -> set[str]:
    return {row["seed_id"] for row in json.loads(result_output)["rows"]}


def test_a_group_and_a_label_narrow_the_traces_of_a_run(berkeley_h5: Path) -> None:
    with asdfkit.open(berkeley_h5, "a") as f:
        south = [h for h in f.list_waveforms(channel="BHZ") if h.station in {"PKD", "SAO", "CMB", "KCC", "MHC"}]
        f.groups.create("arrays/south", members=south, comment="five stations")
        f.add_labels("reviewed", station="PKD")
        f.add_labels("reviewed", station="SAO")
        f.add_labels("reviewed", station="CMB")
    grouped = CliRunner().invoke(
        cli, ["align", "run", str(berkeley_h5), "--event", "event/1", *ALIGN, "--group", "arrays/south"]
    )
    assert grouped.exit_code == 0, grouped.output
    assert _rows(grouped.stdout) == {h.seed_id for h in south}
    labelled = CliRunner().invoke(
        cli, ["align", "run", str(berkeley_h5), "--event", "event/1", *ALIGN, "--label", "reviewed"]
    )
    assert labelled.exit_code == 0, labelled.output
    assert _rows(labelled.stdout) == {"BK.PKD..BHZ", "BK.SAO..BHZ", "BK.CMB..BHZ"}


def test_group_with_from_is_a_usage_error(berkeley_h5: Path) -> None:
    first = CliRunner().invoke(cli, ["align", "run", str(berkeley_h5), "--event", "event/1", *ALIGN])
    assert first.exit_code == 0, first.output
    with asdfkit.open(berkeley_h5) as f:
        before = f.h5["AuxiliaryData"]["Alignment"].keys().__len__()
    again = CliRunner().invoke(
        cli, ["align", "run", str(berkeley_h5), "--event", "event/1", "--from", "latest", "--group", "x"]
    )
    assert again.exit_code == 2 and "--group" in again.stderr
    with asdfkit.open(berkeley_h5) as f:
        assert len(f.h5["AuxiliaryData"]["Alignment"].keys()) == before
