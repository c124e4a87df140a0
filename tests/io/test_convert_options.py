"""``asdf-cli convert`` options and layouts on real files: each behaviour a user relies on, tested."""

from __future__ import annotations

import json
import os
import shutil
import tracemalloc
from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit.cli.main import cli
from asdfkit.errors import InvalidValueError
from asdfkit.io.convert import ConvertOptions, convert_to_asdf
from asdfkit.provenance import lineage


@pytest.fixture
def bhz(sample_set: Path) -> Path:
    return sample_set / "AE.113A..BHZ.mseed"


def test_an_existing_output_is_refused_unless_overwrite_or_append(bhz: Path, sample_set: Path, tmp_path: Path,
                                                                  file_snapshot) -> None:
    out = tmp_path / "o.h5"
    convert_to_asdf([bhz], out)
    before = file_snapshot(out)
    with pytest.raises(InvalidValueError, match=r"o.h5 exists: pass --append to add to it or --overwrite"):
        convert_to_asdf([sample_set / "AE.113A..BHN.mseed"], out)
    assert file_snapshot(out) == before
    result = CliRunner().invoke(cli, ["convert", str(sample_set / "AE.113A..BHN.mseed"), str(out)])
    assert result.exit_code == 2 and "--overwrite" in result.output and file_snapshot(out) == before
    result = CliRunner().invoke(cli, ["convert", str(sample_set / "AE.113A..BHN.mseed"), str(out), "--overwrite"])
    assert result.exit_code == 0, result.output
    with asdfkit.open(out) as f:
        assert [h.channel for h in f.list_waveforms()] == ["BHN"]
    with pytest.raises(InvalidValueError, match="--in-place only applies to --append"):
        convert_to_asdf([bhz], tmp_path / "new.h5", ConvertOptions(in_place=True))
    assert not (tmp_path / "new.h5").exists()


def test_in_place_append_writes_into_the_file(bhz: Path, sample_set: Path, tmp_path: Path) -> None:
    out = tmp_path / "big.h5"
    convert_to_asdf([bhz], out)
    inode = os.stat(out).st_ino
    convert_to_asdf([sample_set / "AE.113A..BHN.mseed"], out, ConvertOptions(append=True, in_place=True))
    assert os.stat(out).st_ino == inode  # the same file, not a replaced copy
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.h5"]  # no temporary file
    with asdfkit.open(out) as f:
        assert sorted(h.channel for h in f.list_waveforms()) == ["BHN", "BHZ"]


def test_merge_keeps_conflicting_overlaps_and_rate_changes_apart(bhz: Path, tmp_path: Path) -> None:
    trace = obspy.read(str(bhz))[0]
    t0 = trace.stats.starttime
    first, second = trace.slice(t0, t0 + 600).copy(), trace.slice(t0 + 300, t0 + 900).copy()
    second.data = second.data + 1000  # overlaps the first with other samples: neither may be dropped
    path = tmp_path / "conflict.mseed"
    obspy.Stream([first, second]).write(str(path), format="MSEED")
    report = convert_to_asdf([path], tmp_path / "c.h5", ConvertOptions(merge=True))
    assert report.traces == 2
    with asdfkit.open(tmp_path / "c.h5") as f:
        stored = sorted(f.get_waveforms(), key=lambda t: t.stats.starttime)
        assert (stored[0].data == first.data).all() and (stored[1].data == second.data).all()
    slow = trace.slice(t0 + 900, t0 + 1200).copy()
    slow.data = slow.data[::2].copy()
    slow.stats.sampling_rate = 20.0  # the rate changes inside the file
    rates = tmp_path / "rates.mseed"
    obspy.Stream([trace.slice(t0, t0 + 600).copy(), slow]).write(str(rates), format="MSEED")
    report = convert_to_asdf([rates], tmp_path / "r.h5", ConvertOptions(merge=True))
    assert report.traces == 2


def test_sds_archive_mass_download_layout_and_globs(sample_set: Path, tmp_path: Path) -> None:
    sds = tmp_path / "sds"
    for path in sorted(sample_set.glob("*.mseed")):
        trace = obspy.read(str(path))[0]
        s = trace.stats
        folder = sds / str(s.starttime.year) / s.network / s.station / f"{s.channel}.D"
        folder.mkdir(parents=True)
        shutil.copy(path, folder / f"{trace.id}.D.{s.starttime.year}.{s.starttime.julday:03d}")
    report = convert_to_asdf([sds], tmp_path / "sds.h5")
    assert report.traces == 6
    mass = tmp_path / "mass"
    (mass / "waveforms").mkdir(parents=True)
    (mass / "stations").mkdir()
    for path in sample_set.glob("*.mseed"):
        shutil.copy(path, mass / "waveforms" / path.name)
    for path in sample_set.glob("*.xml"):
        if path.name != "quake.xml":
            shutil.copy(path, mass / "stations" / path.name)
    report = convert_to_asdf([mass], tmp_path / "mass.h5")
    assert (report.traces, report.stations) == (6, 2)
    with asdfkit.open(tmp_path / "mass.h5") as f:
        assert sorted(f.stations_with_stationxml) == ["AE.113A", "TA.POKR"]
    result = CliRunner().invoke(cli, ["convert", str(sample_set / "TA.POKR*.mseed"), str(tmp_path / "g.h5"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["traces"] == 3


def test_labels_compression_and_location(bhz: Path, tmp_path: Path) -> None:
    out = tmp_path / "l.h5"
    convert_to_asdf([bhz], out, ConvertOptions(labels=["pilot", "2013"], compression="gzip-9", location="10"))
    with asdfkit.open(out) as f:
        (header,) = f.list_waveforms()
        assert header.location == "10"  # the file's empty location code, filled
        assert f.get_waveform_meta(header).labels == ["pilot", "2013"]
        path = header.path
    with h5py.File(out, "r") as h5:
        assert (h5[path].compression, h5[path].compression_opts) == ("gzip", 9)
    convert_to_asdf([bhz], tmp_path / "n.h5", ConvertOptions(compression="none"))
    with h5py.File(tmp_path / "n.h5", "r") as h5:
        (name,) = h5["Waveforms/AE.113A"].keys() - {"StationXML"}
        assert h5[f"Waveforms/AE.113A/{name}"].compression is None


def test_event_window_decides_the_association(bhz: Path, sample_set: Path, tmp_path: Path) -> None:
    trace = obspy.read(str(bhz))[0]
    origin = obspy.read_events(str(sample_set / "quake.xml"))[0].preferred_origin().time
    late = tmp_path / "late.mseed"
    trace.slice(origin + 3000, origin + 3300).write(str(late), format="MSEED")  # 50 minutes after the origin
    inputs = [sample_set / "quake.xml", late]
    for name, options, associated in [("default", ConvertOptions(), True),
                                      ("short", ConvertOptions(event_window=(60.0, 600.0)), False),
                                      ("none", ConvertOptions(associate=False), False)]:
        out = tmp_path / f"{name}.h5"
        convert_to_asdf(inputs, out, options)
        with asdfkit.open(out) as f:
            (header,) = f.list_waveforms()
            assert bool(f.get_waveform_meta(header).event_ids) is associated, name


def test_dedupe_distance_tolerance(sample_set: Path, tmp_path: Path) -> None:
    origin = obspy.read_events(str(sample_set / "quake.xml"))[0].preferred_origin()
    meta = tmp_path / "far.json"  # 2 s later, 106 km north: another event at the default 100 km
    meta.write_text(json.dumps({"time": str(origin.time + 2), "latitude": origin.latitude + 0.955,
                                "longitude": origin.longitude, "depth": 600.0}))
    assert convert_to_asdf([sample_set / "quake.xml", meta], tmp_path / "a.h5").events == 2
    wide = ConvertOptions(dedupe_distance_km=200.0)
    assert convert_to_asdf([sample_set / "quake.xml", meta], tmp_path / "b.h5", wide).events == 1


def test_every_sac_pick_field_and_the_magnitude_type_round_trip(obspy_data: Path, tmp_path: Path) -> None:
    trace = obspy.read(str(obspy_data / "io" / "sac" / "tests" / "data" / "seism.sac"))[0]
    sac = trace.stats.sac
    labels = {"a": "P", "f": "END"} | {f"t{i}": f"PH{i}" for i in range(10)}
    for number, (field, label) in enumerate(labels.items()):
        sac[field] = sac.b + 1.0 + number
        sac["ka" if field == "a" else f"k{field}"] = label
    sac.mag, sac.imagtyp = 4.5, 55  # Mw
    path = tmp_path / "all.sac"
    trace.write(str(path), format="SAC")
    out = tmp_path / "p.h5"
    report = convert_to_asdf([path], out, ConvertOptions(network="XX", channel="BHZ"))
    assert report.picks == 12
    with asdfkit.open(out) as f:
        assert sorted(p.phase_hint for p in f.events[0].picks) == sorted(labels.values())
        assert f.events[0].magnitudes[0].magnitude_type == "Mw"
    exported = asdfkit.io.export.export(out, tmp_path / "sac", "sac")
    back = obspy.read(exported.files[0])[0].stats.sac
    for field, label in labels.items():  # each pick back in its own field, with its label
        assert back[field] - back.o == pytest.approx(sac[field] - sac.o, abs=2e-3), field
        assert back["ka" if field == "a" else f"k{field}"].strip() == label
    assert back.imagtyp == 55


def test_a_sac_event_merges_into_the_quakeml_event(obspy_data: Path, tmp_path: Path) -> None:
    from obspy.core.event import Catalog, Event, Origin, ResourceIdentifier

    sac_file = obspy_data / "io" / "sac" / "tests" / "data" / "seism.sac"
    trace = obspy.read(str(sac_file))[0]
    sac = trace.stats.sac
    reference = trace.stats.starttime - sac.b
    origin = Origin(resource_id=ResourceIdentifier("smi:agency/origin/1"), time=reference + sac.o + 1.5,
                    latitude=sac.evla + 0.1, longitude=sac.evlo)
    event = Event(resource_id=ResourceIdentifier("smi:agency/event/1"), origins=[origin],
                  preferred_origin_id=origin.resource_id)
    quake = tmp_path / "agency.xml"
    Catalog([event]).write(str(quake), format="QUAKEML")
    out = tmp_path / "m.h5"
    report = convert_to_asdf([quake, sac_file], out, ConvertOptions(network="XX", channel="BHZ"))
    assert report.events == 1 and list(report.merged_events) == ["smi:agency/event/1"]
    with asdfkit.open(out) as f:
        (header,) = f.list_waveforms()
        assert f.get_waveform_meta(header).event_ids == ["smi:agency/event/1"]
        assert len(f.events[0].picks) == report.picks > 0  # the SAC picks moved to the agency's event


def test_a_file_is_added_completely_or_not_at_all_under_skip_bad(bhz: Path, sample_set: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.h5"
    convert_to_asdf([bhz], out)
    both = tmp_path / "both.mseed"  # a new BHN trace, then one identical to the stored BHZ
    (obspy.read(str(sample_set / "AE.113A..BHN.mseed")) + obspy.read(str(bhz))).write(str(both), format="MSEED")
    report = convert_to_asdf([both, sample_set / "TA.POKR..BHZ.mseed"], out,
                             ConvertOptions(append=True, skip_bad=True))
    assert report.traces == 1 and [Path(b["path"]).name for b in report.bad_inputs] == ["both.mseed"]
    with asdfkit.open(out) as f:  # the BHN of that file was not kept
        assert sorted(h.seed_id for h in f.list_waveforms()) == ["AE.113A..BHZ", "TA.POKR..BHZ"]


def test_progress_bar_on_request(sample_set: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["convert", str(sample_set), str(tmp_path / "p.h5"), "--progress"])
    assert result.exit_code == 0, result.output
    assert "converting" in result.stderr and "6/6" in result.stderr


def test_css_traces_derive_from_the_database_and_their_sample_file(shared_data: Path, tmp_path: Path) -> None:
    db = shared_data / "css" / "berkeley_1998" / "example_2"
    out = tmp_path / "b.h5"
    convert_to_asdf([db], out, ConvertOptions(css={"default_network": "BK"}))
    with asdfkit.open(out) as f:
        header = f.list_waveforms(station="KCC", channel="BHZ")[0]
        names = sorted(str(s.attributes.get("filename")) for s in lineage(f, header).sources)
    assert names == ["19980812141000.KCC.BHZ", "example_2"]


def test_memory_does_not_grow_with_the_samples(obspy_data: Path, tmp_path: Path) -> None:
    day = obspy.read(str(obspy_data / "io" / "mseed" / "tests" / "data" / "CH.BALST..LHE.D.2025.314"))[0]
    paths = []
    for number in range(30):  # 30 day-long files, 2.6 M samples
        copy = day.copy()
        copy.stats.station = f"S{number:03d}"
        path = tmp_path / f"{copy.id}.mseed"
        copy.write(str(path), format="MSEED")
        paths.append(path)
    total = sum(len(day.data) * 8 for _ in paths)  # what holding every trace as int64/float64 would take
    tracemalloc.start()
    try:
        convert_to_asdf(paths, tmp_path / "m.h5", ConvertOptions(jobs=1))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < total / 5, (peak, total)  # a few files' worth at a time, not all of them
    with asdfkit.open(tmp_path / "m.h5") as f:
        assert f.n_waveforms == 30 and np.array_equal(f.get_waveforms(station="S007")[0].data, day.data)
