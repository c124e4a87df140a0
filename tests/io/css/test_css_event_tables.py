"""origerr, netmag/stamag and remark: read into QuakeML, written back, round trips through ASDF
in css3.0 and css3.1 (both name mappings), and the real dbmoment tables against Antelope's export."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import obspy
import pytest
from obspy import Catalog, Stream, UTCDateTime
from obspy.core.event import Event, StationMagnitudeContribution
from obspy.geodetics import kilometers2degrees
from test_css_dbmoment import reference  # the lxml reader of Antelope's QuakeML

import asdfkit
from asdfkit.io.css import asdf_to_css, css_to_asdf, read_css
from asdfkit.io.css.tables import format_row, layout, read_rows

QUAKEML = Path(obspy.__file__).parent / "io" / "quakeml" / "tests" / "data"


def _quakeml(name: str) -> Event:
    return obspy.read_events(str(QUAKEML / name))[0]


def _composite_event() -> Event:
    """An event assembled from ObsPy's QuakeML 1.2 test files: the origin (error ellipse,
    standard error, two comments), the MS magnitude (±0.1, 8 stations, author, comments), the
    BW.FUR station magnitude, the event's two comments."""
    event = _quakeml("quakeml_1.2_event.xml")
    origin = _quakeml("quakeml_1.2_origin.xml").origins[0]
    magnitude = _quakeml("quakeml_1.2_magnitude.xml").magnitudes[0]
    station_magnitude = _quakeml("quakeml_1.2_stationmagnitude.xml").station_magnitudes[0]
    magnitude.origin_id = station_magnitude.origin_id = origin.resource_id
    magnitude.station_magnitude_contributions = [
        StationMagnitudeContribution(station_magnitude_id=station_magnitude.resource_id)
    ]
    event.origins, event.magnitudes, event.station_magnitudes = [origin], [magnitude], [station_magnitude]
    event.preferred_origin_id, event.preferred_magnitude_id = origin.resource_id, magnitude.resource_id
    return event


def _catalog() -> Catalog:
    # usgs_event.xml: ML 1.54 ± 0.1 of 21 stations, standard error 0.14 s, 500 m horizontal
    # uncertainty, depth ± 31.61 km. Its event type 'quarry' is not QuakeML: ObsPy warns.
    with pytest.warns(UserWarning, match="quarry"):
        usgs = _quakeml("usgs_event.xml")
    return Catalog([_composite_event(), usgs])


def _stream() -> Stream:
    """ObsPy's real RJOB recording, plus copies under a clashing code (GR.RJOB) with a location
    code and a start time with microseconds."""
    stream = obspy.read()
    for trace in obspy.read().select(channel="EHZ"):
        trace.stats.network, trace.stats.location = "GR", "00"
        trace.stats.starttime += 0.000123
        stream.append(trace)
    return stream


def _close(a: float | None, b: float | None, tol: float) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= tol)


def _by_time(catalog: Any) -> dict[int, Event]:
    return {e.preferred_origin().time.ns // 10**7: e for e in catalog}


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Stream, Catalog]:
    path = tmp_path_factory.mktemp("asdf") / "in.h5"
    stream, catalog = _stream(), _catalog()
    with asdfkit.open(path, "w") as f:
        f.add_waveforms(stream, tag="raw_recording")
        f.add_stations(obspy.read_inventory())
        f.add_events(catalog)
    return path, stream, catalog


@pytest.mark.parametrize(("schema", "expanded"), [("css3.0", False), ("css3.1", False), ("css3.1", True)])
def test_asdf_css_asdf_keeps_names_samples_and_the_event_tables(
    originals: tuple[Path, Stream, Catalog], tmp_path: Path, schema: str, expanded: bool
) -> None:
    source, stream, catalog = originals
    with asdfkit.open(source) as f:
        report = asdf_to_css(f, tmp_path / "css" / "db", schema=schema, expanded=expanded)
    assert report.counts["magnitudes"] == 2 and report.counts["station magnitudes"] == 1
    snetsta = {
        (r["snet"], r["fsta"]): r["sta"]
        for r in read_rows(tmp_path / "css" / "db.snetsta", layout("snetsta", schema))
    }
    if expanded:
        assert snetsta[("GR", "RJOB")] == "GR_RJOB" and snetsta[("BW", "FUR")] == "BW_FUR"
    else:
        assert snetsta[("GR", "RJOB")] != snetsta[("BW", "RJOB")]  # one of them got an alias
        assert snetsta[("GR", "FUR")] != snetsta[("BW", "FUR")]
    back_path = tmp_path / "back.h5"
    with asdfkit.open(back_path, "w") as f:
        css_report = css_to_asdf(tmp_path / "css" / "db", f)
    assert css_report.missing == [] and css_report.disagreements == []
    unit = 10 ** (9 - int(layout("wfdisc", schema).column("time").fmt[-2]))  # 10 us css3.0, 1 us css3.1
    with asdfkit.open(back_path) as f:
        traces = {t.id: t for t in (f.get_waveform(h) for h in f.list_waveforms())}
        assert sorted(traces) == sorted(t.id for t in stream)
        for trace in stream:
            twin = traces[trace.id]
            assert (twin.data == trace.data).all() and twin.data.dtype == trace.data.dtype
            assert twin.stats.starttime.ns == round(trace.stats.starttime.ns / unit) * unit
        events = _by_time(f.events)
    assert stream[-1].stats.starttime.ns % 10_000 != 0  # the microseconds that only css3.1 keeps
    originals_by_time = _by_time(catalog)
    assert sorted(events) == sorted(originals_by_time)
    for key, original in originals_by_time.items():
        _assert_event_survived(original, events[key], schema)


def _assert_event_survived(original: Event, back: Event, schema: str) -> None:
    o, b = original.preferred_origin(), back.preferred_origin()
    # origerr: %9.4f km and s, %6.2f degrees, %5.3f confidence
    assert _close(b.quality.standard_error if b.quality else None, o.quality.standard_error, 5e-5)
    ou, bu = o.origin_uncertainty, b.origin_uncertainty
    assert bu.preferred_description == ou.preferred_description
    # CSS holds one horizontal description: the ellipse, or a circle (smajax = sminax, no strike)
    kept = (
        ("max_horizontal_uncertainty", "min_horizontal_uncertainty")
        if ou.preferred_description == "uncertainty ellipse"
        else ("horizontal_uncertainty",)
    )
    for name in kept:
        assert _close(getattr(bu, name), getattr(ou, name), 0.05), name
    if ou.preferred_description == "uncertainty ellipse":
        assert _close(bu.azimuth_max_horizontal_uncertainty, ou.azimuth_max_horizontal_uncertainty, 0.005)
    assert _close(bu.confidence_level, ou.confidence_level, 0.05)
    for name in ("latitude_errors", "longitude_errors", "time_errors"):
        assert _close(getattr(b, name).uncertainty, getattr(o, name).uncertainty, 1e-6), name
    if o.depth_errors.uncertainty is not None:  # szz (km^2, %15.4f) holds it
        assert b.depth_errors.uncertainty == pytest.approx(o.depth_errors.uncertainty, abs=1e-3)
    else:  # a confidence level without a value: nothing to write
        assert b.depth_errors.uncertainty is None
    assert [c.text for c in b.comments] == (["\n".join(c.text for c in o.comments)] if o.comments else [])
    assert [c.text for c in back.comments] == (
        ["\n".join(c.text for c in original.comments)] if original.comments else []
    )
    # netmag: %7.2f magnitude and uncertainty, magtype, nsta, auth, the origin it belongs to
    assert len(back.magnitudes) == len(original.magnitudes)
    for mag in original.magnitudes:
        twin = next(m for m in back.magnitudes if m.magnitude_type == mag.magnitude_type)
        assert twin.mag == round(mag.mag, 2) and _close(
            twin.mag_errors.uncertainty, mag.mag_errors.uncertainty, 0
        )
        assert twin.station_count == mag.station_count
        assert (twin.creation_info.author if twin.creation_info else None) == (
            mag.creation_info.author if mag.creation_info else None
        )
        assert twin.origin_id == b.resource_id
        assert [c.text for c in twin.comments] == (
            ["\n".join(c.text for c in mag.comments)] if mag.comments else []
        )
        assert len(twin.station_magnitude_contributions) == len(mag.station_magnitude_contributions)
    # stamag: station (SEED codes through snetsta), mag, type, uncertainty, origin, contribution
    assert len(back.station_magnitudes) == len(original.station_magnitudes)
    for sm, twin in zip(original.station_magnitudes, back.station_magnitudes, strict=True):
        assert (twin.waveform_id.network_code, twin.waveform_id.station_code) == (
            sm.waveform_id.network_code,
            sm.waveform_id.station_code,
        )
        assert (twin.mag, twin.station_magnitude_type, twin.mag_errors.uncertainty) == (
            sm.mag,
            sm.station_magnitude_type,
            sm.mag_errors.uncertainty,
        )
        assert twin.origin_id == b.resource_id
        contributions = [
            c.station_magnitude_id for m in back.magnitudes for c in m.station_magnitude_contributions
        ]
        assert contributions == [twin.resource_id]
    # event.prefmag exists in css3.1 only
    if schema == "css3.1" and original.preferred_magnitude_id is not None:
        assert back.preferred_magnitude().magnitude_type == original.preferred_magnitude().magnitude_type
    else:
        assert back.preferred_magnitude_id is None


def _copy_db(dbmoment: Path, dest: Path) -> Path:
    for path in dbmoment.parent.glob(f"{dbmoment.name}*"):
        if path.is_file():
            shutil.copy(path, dest / path.name)
    return dest / dbmoment.name


def test_dbmoment_origerr_and_magnitudes_against_antelopes_export(dbmoment: Path) -> None:
    reader = read_css(dbmoment)
    catalog = reader.events()
    ref = reference(dbmoment.parent / "example.xml")
    root = (dbmoment.parent / "example.xml").read_text()
    # The exporter wrote <standardError></standardError> for every origin: no origerr row has
    # their orid (the only row is orid 654). Ours have no standard error, and the row is reported.
    assert root.count("<standardError></standardError>") == sum(len(e["origins"]) for e in ref.values())
    for event in catalog:
        for origin in event.origins:
            assert origin.quality.standard_error is None and origin.origin_uncertainty is None
    unmatched = [i.message for i in reader.report.issues if i.kind == "unmatched"]
    assert any("orid 654" in m for m in unmatched)
    # No netmag table: the magnitudes come from the origin's mb/ms/ml columns. The exporter
    # wrote none (it reads netmag only); origin 1 has ml 2.60.
    assert "<magnitude" not in root
    rows = {r["orid"]: r for r in read_rows(dbmoment.parent / "example.origin", layout("origin"))}
    for event in catalog:
        for origin in event.origins:
            mags = [(m.magnitude_type, m.mag) for m in event.magnitudes if m.origin_id == origin.resource_id]
            orid = int(str(origin.resource_id).rsplit("/", 1)[1])
            assert mags == ([("ML", rows[orid]["ml"])] if rows[orid]["ml"] is not None else [])


def test_real_origerr_row_becomes_origin_uncertainties(dbmoment: Path, tmp_path: Path) -> None:
    db = _copy_db(dbmoment, tmp_path)
    path = tmp_path / "example.origerr"
    row = dict(next(read_rows(path, layout("origerr"))).values)
    row["orid"] = 1  # the real row, given to origin 1 of this database
    path.write_text(format_row(layout("origerr"), row) + "\n")
    reader = read_css(db)
    origin = next(o for e in reader.events() for o in e.origins if str(o.resource_id).endswith("/origin/1"))
    assert origin.quality.standard_error == row["sdobs"]
    ou = origin.origin_uncertainty
    assert ou.preferred_description == "uncertainty ellipse"
    assert (ou.max_horizontal_uncertainty, ou.min_horizontal_uncertainty) == pytest.approx(
        (row["smajax"] * 1000, row["sminax"] * 1000)
    )
    assert ou.azimuth_max_horizontal_uncertainty == row["strike"]
    assert ou.confidence_level == pytest.approx(row["conf"] * 100)
    assert origin.time_errors.uncertainty == row["stime"]
    assert origin.time_errors.confidence_level == pytest.approx(row["conf"] * 100)
    assert origin.latitude_errors.uncertainty == pytest.approx(kilometers2degrees(math.sqrt(row["sxx"])))
    lon_km = math.sqrt(row["syy"])
    assert origin.longitude_errors.uncertainty == pytest.approx(
        kilometers2degrees(lon_km) / math.cos(math.radians(origin.latitude))
    )
    assert origin.depth_errors.uncertainty == pytest.approx(math.sqrt(row["szz"]) * 1000)
    assert not [i for i in reader.report.issues if i.kind == "unmatched"]
    # ... and written back, the columns QuakeML holds come back to their precision.
    out = tmp_path / "out"
    with asdfkit.open(tmp_path / "x.h5", "w") as f:
        f.add_events(reader.events())
        asdf_to_css(f, out / "db")
    written = next(read_rows(out / "db.origerr", layout("origerr")))
    for name in ("sxx", "syy", "szz", "sdobs", "smajax", "sminax", "strike", "stime", "conf"):
        assert written[name] == pytest.approx(row[name], abs=1.5e-4), name
    for name in ("stt", "sxy", "sxz", "syz", "stx", "sty", "stz", "sdepth"):  # no QuakeML home
        assert written[name] is None, name


def test_netmag_stamag_and_remark_rows_are_read(dbmoment: Path, tmp_path: Path, make_db: Any) -> None:
    """Antelope-layout netmag, stamag and remark rows added to the real dbmoment tables."""
    db = _copy_db(dbmoment, tmp_path)
    origin_row = next(
        r for r in read_rows(dbmoment.parent / "example.origin", layout("origin")) if r["orid"] == 1
    )
    arrivals = list(read_rows(dbmoment.parent / "example.arrival", layout("arrival")))
    make_db(
        "netmag",
        [
            {
                "magid": 7,
                "net": "XX",
                "orid": 1,
                "evid": 1,
                "magtype": "ml",
                "nsta": len(arrivals),
                "magnitude": origin_row["ml"],
                "uncertainty": 0.21,
                "auth": "dbml",
                "commid": 5,
            }
        ],
        name="example",
    )
    make_db(
        "stamag",
        [
            {
                "magid": 7,
                "sta": a["sta"],
                "arid": a["arid"],
                "orid": 1,
                "evid": 1,
                "phase": "P",
                "magtype": "ml",
                "magnitude": origin_row["ml"] + 0.1 * i,
                "auth": "dbml",
            }
            for i, a in enumerate(arrivals)
        ],
        name="example",
    )
    long_line = "x" * 80
    make_db(
        "remark",
        [
            {"commid": 5, "lineno": 2, "remark": long_line},
            {"commid": 5, "lineno": 1, "remark": "ml from dbml"},
            {"commid": 9, "lineno": 1, "remark": "orphan"},
        ],
        name="example",
    )
    reader = read_css(db)
    event = next(e for e in reader.events() if str(e.resource_id).endswith("/event/1"))
    # origin.ml (2.60) repeats netmag magid 7 (same orid, type, value): one magnitude, not two.
    assert [(m.magnitude_type, m.mag) for m in event.magnitudes] == [("ml", origin_row["ml"])]
    mag = event.magnitudes[0]
    assert (mag.station_count, mag.mag_errors.uncertainty, mag.creation_info.author) == (
        len(arrivals),
        0.21,
        "dbml",
    )
    assert [c.text for c in mag.comments] == ["ml from dbml\n" + long_line]
    assert len(event.station_magnitudes) == len(arrivals) == len(mag.station_magnitude_contributions)
    picks = {p.waveform_id.station_code: p.waveform_id.network_code for p in event.picks}
    for sm, a in zip(event.station_magnitudes, arrivals, strict=True):
        assert sm.waveform_id.station_code == a["sta"] and sm.waveform_id.network_code == picks[a["sta"]]
        assert sm.origin_id == mag.origin_id
    assert any("commid 9" in i.message for i in reader.report.issues if i.kind == "unmatched")


def test_css31_event_prefmag_names_the_preferred_magnitude(tmp_path: Path, make_db: Any) -> None:
    time = UTCDateTime("2020-01-02T03:04:05.123456").ns
    make_db(
        "origin",
        [{"lat": 1.0, "lon": 2.0, "depth": 3.0, "time": time, "orid": 4, "evid": 2}],
        schema="css3.1",
    )
    make_db("event", [{"evid": 2, "prefor": 4, "prefmag": 12}], schema="css3.1")
    make_db(
        "netmag",
        [
            {"magid": 11, "orid": 4, "evid": 2, "magtype": "mb", "magnitude": 4.1},
            {"magid": 12, "orid": 4, "evid": 2, "magtype": "Mw", "magnitude": 4.3},
        ],
        schema="css3.1",
    )
    db = make_db("remark", [], schema="css3.1")
    (tmp_path / "db").write_text("schema css3.1\n")
    event = read_css(db).events()[0]
    assert event.preferred_magnitude().magnitude_type == "Mw"
    assert event.preferred_origin().time.ns == time  # css3.1 times hold microseconds
