"""ObsPy's private SAC reader is used only behind a fallback to its public API.

``obspy.io.sac.core._read_sac`` (no plugin look-up) is what :func:`asdfkit.io.sacread.read_sac`
hands unusual files to; if a future ObsPy removes it, ``obspy.read(format="SAC")`` must give
the same traces, the same warnings and the same errors.  The fallback is forced here by removing
the private name, on every SAC file ObsPy ships that the fast path leaves to ObsPy.
"""

from __future__ import annotations

import ast
import math
import sys
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import obspy
import obspy.io.sac.core as sac_core
import pytest

import asdfkit
from asdfkit.errors import SacFileError
from asdfkit.io import sacread
from asdfkit.io.sacread import read_sac, try_read_sac

OBSPY = Path(obspy.__file__).parent
PACKAGE = Path(asdfkit.__file__).parent


def _left_to_obspy() -> list[Path]:
    """ObsPy's SAC test files that the fast path declines (None) or refuses (truncated)."""
    out = []
    for path in sorted(p for p in OBSPY.glob("io/sac/tests/data/*") if p.is_file()):
        if not sac_core._is_sac(str(path)):
            continue
        try:
            if try_read_sac(path) is None:
                out.append(path)
        except SacFileError:
            out.append(path)
    return out


LEFT = _left_to_obspy()


def _read(read: Callable[[], Any]) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = read()
        except SacFileError as exc:
            result = exc
    return result, [f"{w.category.__name__}: {w.message}" for w in caught]


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float | np.floating) and math.isnan(a):
        return bool(math.isnan(b))
    return bool(a == b)


def test_obspy_ships_files_for_the_fallback() -> None:
    names = {p.name for p in LEFT}
    assert {"non_ascii.sac", "seism-longer.sac"} <= names, names


@pytest.mark.parametrize("path", LEFT, ids=[p.name for p in LEFT])
def test_the_public_fallback_reads_what_the_private_reader_reads(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private, private_warnings = _read(lambda: read_sac(path))
    # obspy.read itself calls _read_sac through its entry point: only asdfkit's import is made to fail.
    monkeypatch.setattr(sacread, "_private_sac_reader", lambda: None)
    public, public_warnings = _read(lambda: read_sac(path))
    assert public_warnings == private_warnings
    if isinstance(private, SacFileError):
        assert isinstance(public, SacFileError) and str(path) in str(public)
        return
    assert isinstance(public, obspy.Stream) and len(public) == len(private) == 1
    ours, ref = public[0], private[0]
    assert ours.data.dtype == ref.data.dtype
    np.testing.assert_array_equal(ours.data, ref.data)
    assert set(ours.stats) == set(ref.stats)  # no ``_format`` from obspy.read
    for key in ref.stats:
        if key != "sac":
            assert _same(ours.stats[key], ref.stats[key]), key
    assert list(ours.stats.sac) == list(ref.stats.sac)
    assert all(_same(ours.stats.sac[k], ref.stats.sac[k]) for k in ref.stats.sac)


def test_the_private_reader_is_none_when_obspy_lacks_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert sacread._private_sac_reader() is sac_core._read_sac
    stub = types.ModuleType("obspy.io.sac.core")  # an ObsPy whose SAC module moved the reader
    monkeypatch.setitem(sys.modules, "obspy.io.sac.core", stub)
    assert sacread._private_sac_reader() is None  # read_sac then takes obspy.read (tested above)


def _private_obspy_imports() -> list[str]:
    """``from obspy... import _name`` outside a ``try`` block, anywhere in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded = {
            id(node)
            for t in ast.walk(tree)
            if isinstance(t, ast.Try) and any(isinstance(h.type, ast.Name) and h.type.id == "ImportError"
                                              for h in t.handlers)
            for node in ast.walk(t)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("obspy"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private and id(node) not in guarded:
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {private}")
    return found


def test_every_private_obspy_import_has_a_fallback() -> None:
    assert not _private_obspy_imports()
