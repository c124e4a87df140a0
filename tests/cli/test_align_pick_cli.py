"""``asdf-cli align pick``: the command opens the picker on pyplot's figure and reports what was saved.

The test runs on the Agg backend and replaces ``pyplot.show`` (which would block on a GUI
backend) by a user session: synthesized key presses on the figure the command drew on.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import pytest
from click.testing import CliRunner

from asdfkit.alignment import read_run
from asdfkit.alignment.synthetic_file import synthetic_event_file
from asdfkit.cli.main import cli


def test_pick_command_saves_the_runs_made_in_the_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backend_bases import KeyEvent

    path = tmp_path / "synthetic.h5"
    synthetic_event_file(path, n=6, seed=5)
    shown: list[object] = []

    def user_session() -> None:
        figure = plt.gcf()
        shown.append(figure)
        for key in ("i", "m", "w"):
            figure.canvas.callbacks.process("key_press_event", KeyEvent("key_press_event", figure.canvas, key, 1, 1))

    monkeypatch.setattr(plt, "show", user_session)
    refused = CliRunner().invoke(cli, ["align", "pick", str(path), "--event", "event/1"])
    assert refused.exit_code == 2 and "needs an interactive matplotlib backend (this one is 'agg')" in refused.output.lower()
    assert shown == []
    # as if a GUI backend were in use: pyplot.show is the user's session above
    monkeypatch.setattr("asdfkit.cli.align._interactive_backend", lambda: True)
    result = CliRunner().invoke(
        cli,
        ["align", "pick", str(path), "--event", "event/1", "--window", "-5", "5", "--comment", "by eye", "--json"],
    )
    assert result.exit_code == 0, result.output
    assert len(shown) == 1
    saved = json.loads(result.stdout)["saved"]
    assert [s["run"] for s in saved] == ["run_0001"] and saved[0]["origin"] == "pick"
    stored = read_run(path)
    assert stored.comment == "by eye" and stored.status_mccc == "solved" and stored.params["window_pre"] == -5.0
    plt.close("all")
    usage = CliRunner().invoke(cli, ["align", "pick", str(path), "--event", "event/1", "--from", "1", "--t0", "picks"])
    assert usage.exit_code == 2 and "--t0 cannot be used with --from" in usage.output
    unknown = CliRunner().invoke(cli, ["align", "pick", str(path), "--event", "event/1", "--from", "5"])
    assert unknown.exit_code == 2 and "unknown run '5'" in unknown.output
