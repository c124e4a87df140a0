"""CSS3.0 databases through ``convert_to_asdf`` / ``asdf-cli convert``, on the real Antelope data."""

from __future__ import annotations

from pathlib import Path

import pyasdf
import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit.cli.main import cli
from asdfkit.errors import InvalidValueError
from asdfkit.io.convert import ConvertOptions, convert_to_asdf
from asdfkit.io.css.tables import layout, read_rows
from asdfkit.provenance import lineage

OLD_DIR = "/opt/antelope/5.6/contrib/example/dbmoment/EXAMPLE_2"


def test_berkeley_converts_completely(shared_data: Path, tmp_path: Path) -> None:
    db = shared_data / "css" / "berkeley_1998" / "example_2"
    out = tmp_path / "b.h5"
    with pytest.raises(InvalidValueError, match="HOPS"):
        convert_to_asdf([db], out)  # no network for the stations snetsta does not map
    assert not out.exists()
    report = convert_to_asdf([db], out, ConvertOptions(css={"default_network": "BK"}))
    assert report.traces == 30 and report.stations == 10 and report.events == 1
    assert any("BKS elevation" in w and "276" in w for w in report.warnings)
    with asdfkit.open(out) as f:
        stations = {h.station for h in f.list_waveforms()}
        assert len(stations) == 10
        for sid in f.stations_with_stationxml:
            coords = f.get_coordinates(sid)
            assert coords["latitude"] is not None and coords["longitude"] is not None
        event_id = str(f.events[0].resource_id)
        assert all(f.get_waveform_meta(h).event_ids == [event_id] for h in f.list_waveforms())
        assert lineage(f, f.list_waveforms()[0]).steps[0].activity.prov_type == "asdfkit:convert"
    with pyasdf.ASDFDataSet(str(out), mode="r") as ds:
        assert len(ds.waveforms) == 10


def test_directory_input_does_not_convert_sac_files_twice(shared_data: Path, tmp_path: Path) -> None:
    report = convert_to_asdf([shared_data / "css" / "berkeley_1998"], tmp_path / "d.h5",
                             ConvertOptions(css={"default_network": "BK"}))
    assert report.traces == 30


def test_dbmoment_remap_finds_30_and_reports_9(shared_data: Path, tmp_path: Path) -> None:
    db = shared_data / "css" / "dbmoment_events" / "example"
    remap = {OLD_DIR: str(shared_data / "css" / "berkeley_1998")}
    report = convert_to_asdf([db], tmp_path / "m.h5",
                             ConvertOptions(css={"default_network": "BK", "remap": remap}))
    assert report.traces == 30
    missing = [w for w in report.warnings if "missing:" in w]
    assert len(missing) == 9
    assert report.events == 2 and report.picks > 0


@pytest.mark.parametrize("options", [[], ["--css-schema", "css3.1", "--css-expanded"]], ids=["css3.0", "css3.1-NET_STA"])
def test_css_round_trip_through_the_cli(shared_data: Path, tmp_path: Path, options: list[str]) -> None:
    runner = CliRunner()
    db = shared_data / "css" / "berkeley_1998" / "example_2"
    first = tmp_path / "a.h5"
    result = runner.invoke(cli, ["convert", str(db), str(first), "--default-network", "BK"])
    assert result.exit_code == 0, result.output
    assert "more warning(s)" in result.output
    result = runner.invoke(cli, ["convert", str(first), str(tmp_path / "css" / "out"), "--to", "css", *options])
    assert result.exit_code == 0, result.output
    schema = "css3.1" if options else "css3.0"
    assert f"schema {schema}" in (tmp_path / "css" / "out").read_text()
    stas = {r["sta"] for r in read_rows(tmp_path / "css" / "out.wfdisc", layout("wfdisc", schema))}
    assert "BK_BKS" in stas if options else "BKS" in stas
    second = tmp_path / "b.h5"
    result = runner.invoke(cli, ["convert", str(tmp_path / "css" / "out"), str(second)])
    assert result.exit_code == 0, result.output
    with asdfkit.open(first) as a, asdfkit.open(second) as b:
        sa, sb = a.get_waveforms(), b.get_waveforms()
        assert sorted(t.id for t in sa) == sorted(t.id for t in sb)
        for tr in sa:
            other = sb.select(id=tr.id)[0]
            assert (tr.data == other.data).all()
            assert abs(tr.stats.starttime.ns - other.stats.starttime.ns) <= 10_000  # 10 µs column


def test_converted_files_pass_the_validator(shared_data: Path, sample_set: Path, tmp_path: Path) -> None:
    from asdfkit import validate

    css = tmp_path / "css.h5"
    convert_to_asdf([shared_data / "css" / "berkeley_1998" / "example_2"], css,
                    ConvertOptions(css={"default_network": "BK"}))
    sample = tmp_path / "sample.h5"
    convert_to_asdf([sample_set], sample)
    for path in (css, sample):
        report = validate(path)
        assert report.ok, report


def test_event_tables_without_a_wfdisc_convert_from_the_cli(shared_data: Path, tmp_path: Path) -> None:
    # the real dbmoment_events event tables, without their wfdisc (an events-only database)
    source = shared_data / "css" / "dbmoment_events"
    for table in ("origin", "event", "arrival", "assoc", "origerr", "site", "sitechan", "snetsta"):
        (tmp_path / f"ev.{table}").write_bytes((source / f"example.{table}").read_bytes())
    out = tmp_path / "ev.h5"
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "ev.origin"), str(out),
                                      "--default-network", "BK", "--json"])
    assert result.exit_code == 0, result.output
    with asdfkit.open(out) as f:
        assert len(f.events) == 2 and sum(len(e.picks) for e in f.events) > 0
        assert f.list_waveforms() == []
    # naming any table of it, or its folder, finds the same one database
    report = convert_to_asdf([tmp_path / "ev.arrival", tmp_path / "ev.event"], tmp_path / "ev2.h5",
                             ConvertOptions(css={"default_network": "BK"}))
    assert report.inputs == 1 and report.events == 2


def test_nothing_to_convert_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "empty").mkdir()
    out = tmp_path / "out.h5"
    result = runner.invoke(cli, ["convert", str(tmp_path / "empty"), str(out)])
    assert result.exit_code == 1 and "nothing to convert" in result.output
    (tmp_path / "junk.mseed").write_bytes(b"not a seismogram at all" * 40)
    result = runner.invoke(cli, ["convert", str(tmp_path / "junk.mseed"), str(out), "--skip-bad"])
    assert result.exit_code == 1 and "nothing converted" in result.output and "junk.mseed" in result.output
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["empty", "junk.mseed"]


def test_the_events_of_one_database_are_never_merged(sample_set: Path, tmp_path: Path) -> None:
    import obspy
    from obspy.core.event import Catalog, Event, Origin

    from asdfkit.io.css import write_css

    first = obspy.read_events(str(sample_set / "quake.xml"))[0].preferred_origin()
    events = []
    for seconds, shift in ((0, 0.0), (4, 0.2)):  # a swarm: 4 s and ~22 km apart, one catalogue
        origin = Origin(time=first.time + seconds, latitude=first.latitude + shift, longitude=first.longitude,
                        depth=first.depth)
        events.append(Event(origins=[origin], preferred_origin_id=origin.resource_id))
    write_css(tmp_path / "db" / "swarm", events=Catalog(events))
    report = convert_to_asdf([tmp_path / "db" / "swarm"], tmp_path / "s.h5")
    assert report.events == 2 and report.merged_events == {}
