"""The documentation site builds without a warning, the doctests pass, the tutorial runs.

These run exactly what a reader or a release would: ``python -m sphinx -W -b html docs
OUTDIR``, ``pytest --doctest-modules asdfkit`` and every Python block and ``asdf-cli``
command of ``docs/getting-started.md``, in order, in an empty folder.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def test_the_documentation_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-E",
            "-q",
            "-b",
            "html",
            str(ROOT / "docs"),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    pages = {p.name for p in (tmp_path / "html").glob("*.html")}
    assert {"index.html", "getting-started.html", "api.html", "cli-reference.html"} <= pages
    api = (tmp_path / "html" / "api.html").read_text()
    assert "asdfkit.open" in api and "ProvenanceBuilder" in api
    cli = (tmp_path / "html" / "cli-reference.html").read_text()
    assert "asdf-cli convert" in cli and "--json" in cli


def test_the_doctests_pass() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--doctest-modules", "asdfkit", "-q", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=ENV,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-5000:]
    assert re.search(r"(\d+) passed", result.stdout)


def test_the_getting_started_tutorial_runs_as_written(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "getting-started.md").read_text()
    blocks = re.findall(r"```(python|bash|console)\n(.*?)```", text, re.S)
    namespace: dict[str, object] = {}
    commands = 0
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        for kind, code in blocks:
            if kind == "python":
                exec(compile(code, "getting-started.md", "exec"), namespace)  # noqa: S102 - the tutorial's own code
                continue
            for line in code.splitlines():
                command = line.removeprefix("$ ").split("#")[0].strip()
                if not command.startswith("asdf-cli"):
                    continue
                args = shlex.split(command)
                result = subprocess.run(
                    [sys.executable, "-m", "asdfkit", *args[1:]], capture_output=True, text=True, env=ENV
                )
                assert result.returncode == 0, (command, result.stderr)
                commands += 1
    finally:
        os.chdir(cwd)
    assert commands >= 5
    assert (tmp_path / "again.h5").is_file() and len(list((tmp_path / "sac_out").iterdir())) == 3
