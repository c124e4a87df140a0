"""Static checks that keep the package the way STYLE.md describes it."""

from __future__ import annotations

import ast
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "asdfkit"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                found.add(node.module)
    return found


def test_ruff_clean() -> None:
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "asdfkit", "examples", "benchmarks"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_clean() -> None:
    proc = subprocess.run([sys.executable, "-m", "mypy", "asdfkit"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_only_the_container_imports_h5py() -> None:
    offenders = [
        str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
        if "h5py" in _imports(p) and "container" not in p.parts
    ]
    assert offenders == []


def test_nothing_imports_the_cli() -> None:
    offenders = [
        str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
        if "cli" not in p.parts and p.name != "__main__.py" and any(m.startswith("asdfkit.cli") for m in _imports(p))
    ]
    assert offenders == []


# Dependencies point one way: cli -> batch -> (io, validation, alignment, provenance) -> container.
LOWER_LAYERS = {
    "container": ("asdfkit.io", "asdfkit.batch", "asdfkit.alignment", "asdfkit.validation", "asdfkit.provenance"),
    "provenance": ("asdfkit.io", "asdfkit.batch", "asdfkit.alignment", "asdfkit.validation"),
    "alignment": ("asdfkit.batch",),
    "io": ("asdfkit.batch",),
    "validation": ("asdfkit.batch", "asdfkit.io", "asdfkit.alignment"),
}


@pytest.mark.parametrize("layer", sorted(LOWER_LAYERS))
def test_dependencies_point_one_way(layer: str) -> None:
    upward = LOWER_LAYERS[layer]
    offenders = {
        str(p.relative_to(ROOT)): sorted(m for m in _imports(p) if m.startswith(upward))
        for p in (PACKAGE / layer).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_print_in_the_library() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_import_has_no_side_effects() -> None:
    code = (
        "import logging, warnings\n"
        "import numpy, h5py, obspy, lxml.etree, click  # their own import-time filters\n"
        "before = (list(warnings.filters), list(logging.getLogger().handlers))\n"
        "import asdfkit, asdfkit.cli.main\n"
        "after = (list(warnings.filters), list(logging.getLogger().handlers))\n"
        "assert before == after, 'import changed global state'\n"
    )
    with warnings.catch_warnings():
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
