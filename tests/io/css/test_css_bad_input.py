"""Bad CSS input gives asdfkit errors naming file, row and field — or report entries — never tracebacks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from asdfkit.errors import AsdfkitError, FormatError, InvalidValueError, NotFoundError
from asdfkit.io.css import read_css
from asdfkit.io.css.samples import encode
from asdfkit.io.css.tables import format_row, layout

T = 1_577_836_800_000_000_000  # 2020-01-01


@pytest.fixture
def good(tmp_path: Path, make_db: Callable[..., Path], wfrow: Callable[..., dict[str, Any]]) -> Path:
    (tmp_path / "a.w").write_bytes(encode(np.arange(100, dtype=np.int32), "s4"))
    return make_db("wfdisc", [wfrow("AAA", "BHZ", T, 100, "s4", "a.w"), wfrow("BBB", "BHZ", T, 50, "s4", "a.w")])


def _line(table: str, row: dict[str, Any]) -> str:
    return format_row(layout(table), row, lddate="1450371921.27409")


def _replace(line: str, table: str, field: str, text: str) -> str:
    col = layout(table).column(field)
    return line[: col.start] + text.rjust(col.width)[: col.width] + line[col.end:]


def _rewrite(db: Path, table: str, lineno: int, edit: Callable[[str], str]) -> None:
    path = db.parent / f"{db.name}.{table}"
    lines = path.read_text().splitlines()
    lines[lineno - 1] = edit(lines[lineno - 1])
    path.write_text("\n".join(lines) + "\n")


def test_the_good_database_reads(good: Path) -> None:
    assert [t.stats.npts for t in read_css(good, default_network="XX").traces()] == [100, 50]


def test_truncated_row(good: Path) -> None:
    _rewrite(good, "wfdisc", 2, lambda line: line[:120])
    with pytest.raises(FormatError, match=r"db\.wfdisc:2: truncated wfdisc row: 120 characters, a css3\.0 "
                                          r"wfdisc row has 283 \(field 'calper' is cut\)"):
        list(read_css(good, default_network="XX").traces())


def test_non_numeric_field(good: Path) -> None:
    _rewrite(good, "wfdisc", 1, lambda line: _replace(line, "wfdisc", "nsamp", "12x4"))
    with pytest.raises(InvalidValueError, match=r"db\.wfdisc:1: invalid nsamp '12x4': must be an integer "
                                                r"\(columns 80-87\)"):
        list(read_css(good, default_network="XX").traces())
    _rewrite(good, "wfdisc", 1, lambda line: _replace(line, "wfdisc", "time", "1577836800.0a"))
    with pytest.raises(InvalidValueError, match=r"db\.wfdisc:1: invalid time '1577836800\.0a': must be a "
                                                "decimal epoch time"):
        list(read_css(good, default_network="XX").traces())


def test_unknown_datatype(good: Path) -> None:
    _rewrite(good, "wfdisc", 2, lambda line: _replace(line, "wfdisc", "datatype", "q9"))
    with pytest.raises(InvalidValueError, match=r"db\.wfdisc:2: invalid datatype 'q9': must be one of s4 s2"):
        list(read_css(good, default_network="XX").traces())


def test_nsamp_larger_than_the_file(good: Path) -> None:
    _rewrite(good, "wfdisc", 2, lambda line: _replace(line, "wfdisc", "nsamp", "101"))
    with pytest.raises(FormatError, match=r"db\.wfdisc:2: field 'nsamp' needs 404 bytes at offset 0 of "
                                          r".*a\.w, the file has only 400"):
        list(read_css(good, default_network="XX").traces())


def test_null_samprate_and_zero_samprate(good: Path) -> None:
    _rewrite(good, "wfdisc", 1, lambda line: _replace(line, "wfdisc", "samprate", "-1.0000000"))
    with pytest.raises(InvalidValueError, match=r"db\.wfdisc:1: field 'samprate' is null"):
        list(read_css(good, default_network="XX").traces())
    _rewrite(good, "wfdisc", 1, lambda line: _replace(line, "wfdisc", "samprate", "0.0000000"))
    with pytest.raises(InvalidValueError, match=r"db\.wfdisc:1: invalid samprate 0\.0: must be > 0"):
        list(read_css(good, default_network="XX").traces())


def test_report_mode_skips_bad_rows_and_converts_the_rest(good: Path) -> None:
    _rewrite(good, "wfdisc", 1, lambda line: _replace(line, "wfdisc", "datatype", "q9"))
    reader = read_css(good, default_network="XX", errors="report")
    assert [t.stats.station for t in reader.traces()] == ["BBB"]
    skipped = reader.report.issues_of("skipped-row")
    assert len(skipped) == 1 and "db.wfdisc:1: invalid datatype 'q9'" in str(skipped[0])
    assert not reader.report.ok
    reader.inventory()  # reads the wfdisc again (sample rates, calib): the bad row is not reported twice
    reader.events()
    assert len(reader.report.issues_of("skipped-row")) == 1
    _rewrite(good, "wfdisc", 1, lambda line: line[:50])
    reader = read_css(good, default_network="XX", errors="report")
    assert [t.stats.station for t in reader.traces()] == ["BBB"]
    assert "truncated wfdisc row" in str(reader.report.issues_of("skipped-row")[0])


def test_bad_metadata_tables(good: Path, make_db: Callable[..., Path]) -> None:
    site = _line("site", {"sta": "AAA", "ondate": 2020400, "lat": 1.0, "lon": 2.0, "elev": 0.1})
    make_db("site", [site])
    with pytest.raises(InvalidValueError, match=r"db\.site:1: invalid julian date 2020400"):
        read_css(good, default_network="XX").inventory()
    make_db("site", [_replace(site, "site", "lat", "north")])
    with pytest.raises(InvalidValueError, match=r"db\.site:1: invalid lat 'north'"):
        read_css(good, default_network="XX").inventory()
    make_db("origin", ["  36.7550 -121.4640    8.0000   9029310"])
    with pytest.raises(FormatError, match=r"db\.origin:1: truncated origin row"):
        read_css(good).events()


def test_not_a_database_and_binary_tables(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no CSS database at"):
        read_css(tmp_path / "nothing")
    (tmp_path / "x.wfdisc").write_bytes(bytes(range(256)) * 2)
    with pytest.raises(AsdfkitError):
        list(read_css(tmp_path / "x", default_network="XX").traces())
    with pytest.raises(InvalidValueError, match="invalid default_network 'bk'"):
        read_css(tmp_path / "x", default_network="bk")
    with pytest.raises(InvalidValueError, match="invalid errors"):
        read_css(tmp_path / "x", errors="ignore")  # type: ignore[arg-type]


def test_affiliation_gives_the_network_when_it_names_exactly_one(good: Path, make_db: Callable[..., Path]) -> None:
    make_db("affiliation", [{"net": "BK", "sta": "AAA"}, {"net": "BK", "sta": "BBB"},
                            {"net": "NCSN", "sta": "BBB"}])  # NCSN: a virtual network, not a SEED code
    reader = read_css(good)
    assert sorted(t.id for t in reader.traces()) == ["BK.AAA..BHZ", "BK.BBB..BHZ"]
    assert any("affiliation" in str(i) for i in reader.report.issues_of("network"))
    make_db("affiliation", [{"net": "BK", "sta": "AAA"}, {"net": "XX", "sta": "AAA"}, {"net": "BK", "sta": "BBB"}])
    with pytest.raises(InvalidValueError, match=r"no network code for station AAA \(wfdisc rows\)"):  # two: no choice
        list(read_css(good).traces())
