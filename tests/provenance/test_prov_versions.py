"""asdfkit works with the whole ``prov`` range it declares, and only through prov's public API.

The suite itself runs with the newest ``prov`` the range admits (what ``pip install``
picks); this module runs the provenance tests again with the lowest release of the
range, installed into a cache folder beside the test run, and checks the code never
reaches into prov's private names.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import prov

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "asdfkit-tests"
# What prov 2.0 imports at run time that newer releases no longer need (its RDF serializer).
PROV2_EXTRAS = ["rdflib>=4.2.1,<7", "isodate", "pyparsing", "networkx", "python-dateutil"]


def _declared_range() -> str:
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (entry,) = [item for item in spec if re.match(r"prov\b", item)]
    return entry


def test_the_declared_range_has_a_floor_and_a_ceiling_and_admits_the_installed_release() -> None:
    entry = _declared_range()
    floor = re.search(r">=\s*([\d.]+)", entry)
    ceiling = re.search(r"<\s*([\d.]+)", entry)
    assert floor and ceiling, entry
    installed = tuple(int(p) for p in prov.__version__.split(".")[:2])
    assert tuple(int(p) for p in floor.group(1).split(".")[:2]) <= installed
    assert installed < tuple(int(p) for p in ceiling.group(1).split(".")[:2])


def test_no_private_prov_name_is_imported_or_used() -> None:
    offences = []
    for path in sorted((ROOT / "asdfkit").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        prov_names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "prov":
                for alias in node.names:
                    prov_names.add(alias.asname or alias.name)
                    if alias.name.startswith("_") or any(p.startswith("_") for p in node.module.split(".")):
                        offences.append(f"{path.name}:{node.lineno} imports {node.module}.{alias.name}")
            # any `_private` attribute of a prov object: document._records, record._identifier...
            own = (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
            )
            if (
                not own
                and isinstance(node, ast.Attribute)
                and node.attr
                in {
                    "_records",
                    "_identifier",
                    "_namespaces",
                    "_attributes",
                    "_bundles",
                    "_default",
                    "_derive_record_label",
                    "_build_nsmap",
                }
            ):
                offences.append(f"{path.name}:{node.lineno} uses .{node.attr}")
    assert offences == []


def _lowest_prov() -> Path:
    version = re.search(r">=\s*([\d.]+)", _declared_range()).group(1)  # type: ignore[union-attr]
    target = CACHE / f"prov-{version}"
    if not (target / "prov" / "__init__.py").is_file():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--target",
                str(target),
                f"prov=={version}",
                *PROV2_EXTRAS,
            ],
            check=True,
        )
    return target


def test_the_provenance_suite_passes_with_the_lowest_declared_prov() -> None:
    target = _lowest_prov()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), str(ROOT)])}
    version = subprocess.run(
        [sys.executable, "-c", "import prov; print(prov.__version__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    floor = re.search(r">=\s*([\d.]+)", _declared_range()).group(1)  # type: ignore[union-attr]
    assert version.startswith(floor), version
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-x",
            "--deselect",
            "tests/provenance/test_prov_versions.py",
            "tests/provenance",
            "tests/alignment/test_store.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    tail = result.stdout[-3000:] + result.stderr[-2000:]
    assert result.returncode == 0, tail
    assert re.search(r"\d+ passed", result.stdout), tail
