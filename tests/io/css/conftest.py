"""Fixtures for the CSS tests: the shared Antelope databases, obspy's CSS files, a table builder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from asdfkit.io.css.tables import format_row, layout


@pytest.fixture(scope="session")
def berkeley(shared_data: Path) -> Path:
    """berkeley_1998: 30 ic rows of 10 BDSN stations, tables for 4 of them."""
    return shared_data / "css" / "berkeley_1998" / "example_2"


@pytest.fixture(scope="session")
def dbmoment(shared_data: Path) -> Path:
    """dbmoment_events: event tables, Antelope's QuakeML export, a wfdisc with absolute dirs."""
    return shared_data / "css" / "dbmoment_events" / "example"


@pytest.fixture(scope="session")
def obspy_css(obspy_data: Path) -> Path:
    return obspy_data / "io" / "css" / "tests" / "data"


@pytest.fixture(scope="session")
def obspy_sac(obspy_data: Path) -> Path:
    return obspy_data / "io" / "sac" / "tests" / "data"


TableWriter = Callable[..., Path]


@pytest.fixture
def make_db(tmp_path: Path) -> TableWriter:
    """Write tables of a test database: ``make_db(table, rows, name="db", schema="css3.0")``.

    Rows are dicts (formatted with the real layout) or raw strings (written as given).
    """

    def write(table: str, rows: list[dict[str, Any] | str], name: str = "db", schema: str = "css3.0") -> Path:
        lay = layout(table, schema)
        lines = [r if isinstance(r, str) else format_row(lay, r, lddate="1450371921.27409") for r in rows]
        path = tmp_path / f"{name}.{table}"
        path.write_text("".join(line + "\n" for line in lines), encoding="latin-1")
        return tmp_path / name

    return write


def wfdisc_row(sta: str, chan: str, time_ns: int, nsamp: int, datatype: str, dfile: str,
               samprate: float = 20.0, foff: int = 0, directory: str = ".", **extra: Any) -> dict[str, Any]:
    row = {"sta": sta, "chan": chan, "time": time_ns, "wfid": 1, "nsamp": nsamp, "samprate": samprate,
           "endtime": time_ns + round((nsamp - 1) * 1e9 / samprate), "datatype": datatype, "dir": directory,
           "dfile": dfile, "foff": foff, "calib": 1.0, "calper": 1.0, "segtype": "V"}
    row.update(extra)
    return row


@pytest.fixture
def wfrow() -> Callable[..., dict[str, Any]]:
    return wfdisc_row


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(42)
