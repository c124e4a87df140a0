"""Row layouts against css3.md, exact times, and parse/format of real Antelope rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asdfkit.io.css.schemas import CSS31_CHANGES
from asdfkit.io.css.tables import TABLES, format_row, format_time, layout, parse_row, parse_time_ns, read_rows

# Offsets from shared/reference/css3.md (Python slices), a few per table.
CSS3_MD = {
    "wfdisc": (283, {"sta": (0, 6), "time": (16, 33), "nsamp": (79, 87), "samprate": (88, 99),
                     "datatype": (143, 145), "dir": (148, 212), "dfile": (213, 245), "foff": (246, 256),
                     "lddate": (266, 283)}),
    "site": (155, {"ondate": (7, 15), "lat": (25, 34), "elev": (45, 54), "staname": (55, 105),
                   "deast": (128, 137)}),
    "sitechan": (140, {"chan": (7, 15), "edepth": (48, 57), "hang": (58, 64), "vang": (65, 71),
                       "descrip": (72, 122)}),
    "snetsta": (40, {"snet": (0, 8), "fsta": (9, 15), "sta": (16, 22)}),
    "schanloc": (51, {"fchan": (7, 15), "loc": (16, 24), "chan": (25, 33)}),
    "affiliation": (33, {"net": (0, 8), "sta": (9, 15)}),
    "origin": (237, {"time": (30, 47), "evid": (57, 65), "etype": (108, 110), "ml": (162, 169),
                     "auth": (195, 210)}),
    "event": (76, {"evname": (9, 24), "prefor": (25, 33), "auth": (34, 49)}),
    "arrival": (223, {"time": (7, 24), "iphase": (70, 78), "deltim": (81, 87), "amp": (136, 146),
                      "fm": (165, 167), "snr": (168, 178), "qual": (179, 180), "auth": (181, 196)}),
    "assoc": (152, {"phase": (25, 33), "delta": (39, 47), "seaz": (48, 55), "esaz": (56, 63),
                    "timeres": (64, 72), "wgt": (103, 109), "vmodel": (110, 125)}),
    "instrument": (239, {"samprate": (71, 82), "ncalib": (83, 99), "dir": (117, 181), "dfile": (182, 214)}),
}


@pytest.mark.parametrize("table", sorted(CSS3_MD))
def test_css30_layouts_match_the_reference(table: str) -> None:
    width, columns = CSS3_MD[table]
    lay = layout(table)
    assert lay.width == width
    for name, (start, end) in columns.items():
        col = lay.column(name)
        assert (col.start, col.end) == (start, end), name


def test_css31_widens_sta_and_chan_in_every_table_and_keeps_the_foreign_codes() -> None:
    for table in TABLES:
        lay = layout(table, "css3.1")
        names = [c.name for c in lay.columns]
        assert [n for n in names if n != "prefmag"] == [c.name for c in layout(table).columns]
        for col in lay.columns:
            if col.name in ("sta", "refsta"):
                assert col.width == 14, table
            if col.name == "chan":
                assert col.width == 15, table
    assert layout("snetsta", "css3.1").column("fsta").width == layout("snetsta").column("fsta").width
    assert layout("schanloc", "css3.1").column("fchan").width == layout("schanloc").column("fchan").width


def test_css31_columns_follow_the_css30_ones_by_the_schema_changes() -> None:
    for table in TABLES:
        old = {c.name: c for c in layout(table).columns}
        for col in layout(table, "css3.1").columns:
            if col.name in CSS31_CHANGES:
                assert (col.width, col.fmt) == CSS31_CHANGES[col.name][:2], (table, col.name)
            elif col.name in old:
                assert (col.width, col.fmt, col.kind) == (old[col.name].width, old[col.name].fmt, old[col.name].kind)
        starts = [c.start for c in layout(table, "css3.1").columns]
        ends = [c.end for c in layout(table, "css3.1").columns]
        assert starts[0] == 0 and all(s == e + 1 for s, e in zip(starts[1:], ends[:-1], strict=True))


@pytest.mark.parametrize("table", ["wfdisc", "site", "sitechan", "snetsta", "schanloc", "origin", "event",
                                   "arrival", "assoc", "origerr", "instrument", "sensor", "network"])
def test_real_rows_rewritten_as_css31_read_back_equal(berkeley: Path, dbmoment: Path, table: str) -> None:
    for db in (berkeley, dbmoment):
        path = db.parent / f"{db.name}.{table}"
        if not path.is_file():
            continue
        for row in read_rows(path, layout(table)):
            text = format_row(layout(table, "css3.1"), row.values)
            assert len(text) == layout(table, "css3.1").width
            back = parse_row(layout(table, "css3.1"), text)
            assert {k: v for k, v in back.values.items() if k != "prefmag"} == row.values


def test_real_origerr_row_parses_and_formats_back(dbmoment: Path) -> None:
    path = dbmoment.parent / "example.origerr"
    line = path.read_text().splitlines()[0]
    row = next(read_rows(path, layout("origerr")))
    assert format_row(layout("origerr"), row.values) == line
    assert row["orid"] == 654 and row["conf"] == float(line.split()[17]) and row["commid"] is None
    assert [row[n] for n in ("smajax", "sminax", "strike")] == [float(v) for v in line.split()[12:15]]


@given(st.integers(min_value=-(10**17), max_value=4 * 10**18))
def test_css31_time_column_is_exact_to_1_microsecond(ns: int) -> None:
    col = layout("wfdisc", "css3.1").column("time")
    text = format_time(ns, 6, col.width)
    assert len(text) == col.width
    back = parse_time_ns(text)
    assert abs(back - ns) <= 500 and back % 1_000 == 0


@pytest.mark.parametrize("table", ["wfdisc", "site", "sitechan", "snetsta", "schanloc", "origin", "event",
                                   "instrument", "sensor", "network"])
def test_real_antelope_rows_parse_and_format_back(berkeley: Path, table: str) -> None:
    path = berkeley.parent / f"{berkeley.name}.{table}"
    lines = path.read_text().splitlines()
    lay = layout(table)
    for number, line in enumerate(lines[:40], 1):
        row = parse_row(lay, line, str(path), number)
        assert format_row(lay, row.values) == line


@pytest.mark.parametrize("table", ["arrival", "assoc", "origin", "wfdisc", "site", "sitechan"])
def test_real_event_rows_parse_and_format_back(dbmoment: Path, table: str) -> None:
    path = dbmoment.parent / f"{dbmoment.name}.{table}"
    lay = layout(table)
    for row in read_rows(path, lay):
        line = path.read_text().splitlines()[row.line - 1]
        assert format_row(lay, row.values) == line


def test_nulls_become_none(dbmoment: Path) -> None:
    row = next(read_rows(dbmoment.parent / "example.assoc", layout("assoc")))
    assert row["belief"] is None and row["azres"] is None and row["wgt"] is None and row["timedef"] == "d"
    assert row["seaz"] == 186.78 and row["esaz"] == 6.74
    arrival = next(read_rows(dbmoment.parent / "example.arrival", layout("arrival")))
    assert arrival["deltim"] is None and arrival["fm"] is None and arrival["qual"] is None
    assert arrival["time"] == 5_494_370_000


def test_times_are_exact_nanoseconds() -> None:
    assert parse_time_ns("902931000.01564") == 902_931_000_015_640_000
    assert parse_time_ns("-0.00001") == -10_000
    assert format_time(902_931_000_015_645_000) == "  902931000.01564"  # half-even
    assert format_time(902_931_000_015_655_000) == "  902931000.01566"
    assert format_time(-10_000) == "         -0.00001"


@given(st.integers(min_value=-(10**17), max_value=4 * 10**18))
def test_time_column_round_trip_is_exact_to_10_microseconds(ns: int) -> None:
    text = format_time(ns)
    assert len(text) == 17
    back = parse_time_ns(text)
    assert abs(back - ns) <= 5_000
    assert back % 10_000 == 0
    assert parse_time_ns(format_time(back)) == back


def test_lddate_as_date_string_is_accepted(obspy_css: Path) -> None:
    rows = list(read_rows(obspy_css / "test_css.wfdisc", layout("wfdisc")))
    assert rows[0]["lddate"] == "2011/01/31" and rows[0]["datatype"] == "s4"
    assert rows[2]["time"] == 1_296_474_900 * 10**9
