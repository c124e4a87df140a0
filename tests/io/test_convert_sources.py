"""Issue 15 part 4: every ObsPy format, in every role, as a positional input."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import obspy
import pytest
from click.testing import CliRunner

import asdfkit
from asdfkit.cli.main import cli
from asdfkit.container import open as open_asdf
from asdfkit.io.sources import classify

#: One real file of each event format ObsPy reads that has no telling suffix or an ambiguous one.
EVENT_FILES = [
    "io/nordic/tests/data/01-0411-15L.S201309",       # Nordic (SEISAN S-file)
    "io/zmap/tests/data/zmap_events.txt",              # ZMAP in a .txt
    "core/tests/data/events_longitude_wrap.zmap",      # ZMAP
    "io/csv/tests/data/catalog.csv",                   # CSV
    "io/focmec/tests/data/focmec_8sta.out",            # FOCMEC
    "io/gse2/tests/data/bulletin/gse_2.0_standard.txt",  # GSE2 bulletin
    "io/hypodd/tests/data/example.pha",                # HypoDD
    "io/iaspei/tests/data/19670130012028.isf",         # ISF
    "io/scardec/tests/data/test.scardec",              # SCARDEC
    "io/sh/tests/data/local1.evt",                     # SH evt
    "io/pde/tests/data/mchedr.dat",                    # PDE
    "io/nied/tests/data/FNETMTCATALOG",                # F-net
    "io/cmtsolution/tests/data/CMTSOLUTION",           # CMTSOLUTION
]
INVENTORY_FILES = [
    "io/xseed/tests/data/nied.dataless.gz",            # compressed dataless SEED
    "signal/tests/data/RESP.CH._.HHZ.gz",              # compressed RESP
    "io/xseed/tests/data/dataless.seed.BW_FURT",        # dataless SEED, no suffix
    "clients/fdsn/tests/data/channel_level_fdsn.txt",  # FDSN station text
]


def _convert(*args: Any) -> tuple[int, dict[str, Any] | None, str]:
    result = CliRunner().invoke(cli, ["convert", *map(str, args), "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, (json.loads(result.stdout) if result.exit_code == 0 else None), result.stderr


def _read_events(path: Path) -> obspy.Catalog:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return obspy.read_events(str(path))


@pytest.mark.parametrize("rel", EVENT_FILES)
def test_event_files_are_recognised_by_content(obspy_data: Path, tmp_path: Path, rel: str) -> None:
    path = obspy_data / rel
    source = classify(path)
    assert source is not None and source.kind == "events" and source.format
    code, summary, stderr = _convert(path, tmp_path / "e.h5")
    assert code == 0, stderr
    assert summary is not None and summary["traces"] == 0
    ids = {str(e.resource_id) for e in _read_events(path)}
    assert summary["events"] == len(ids) > 0
    with open_asdf(tmp_path / "e.h5") as f:
        assert len(f.events) == len(ids)
    # valid, QuakeML XSD included (an ISF bulletin's picks have no network code: written as "")
    assert asdfkit.validate(tmp_path / "e.h5").exit_code == 0


@pytest.mark.parametrize("rel", INVENTORY_FILES)
def test_inventories_are_recognised_compressed_or_without_suffix(obspy_data: Path, tmp_path: Path,
                                                                 rel: str) -> None:
    path = obspy_data / rel
    source = classify(path)
    assert source is not None and source.kind == "inventory"
    code, summary, stderr = _convert(path, tmp_path / "i.h5")
    assert code == 0, stderr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inventory = obspy.read_inventory(str(path))
    expected = {f"{n.code}.{s.code}" for n in inventory for s in n}
    with open_asdf(tmp_path / "i.h5") as f:
        assert set(f.stations_with_stationxml) == expected


def test_empty_documents_are_read_and_said_to_hold_nothing(obspy_data: Path, tmp_path: Path) -> None:
    path = obspy_data / "io/seiscomp/tests/data/version0.10"  # an empty SC3ML document, no suffix
    assert classify(path) is not None
    code, _, stderr = _convert(path, tmp_path / "s.h5")
    assert code == 1 and "read, holding nothing" in stderr and "version0.10" in stderr
    assert not (tmp_path / "s.h5").exists()
    # with a recording it is accepted, and adds nothing
    code, summary, _ = _convert(path, obspy_data / "io/mseed/tests/data/test.mseed", tmp_path / "t.h5")
    assert code == 0 and summary is not None and summary["events"] == summary["stations"] == 0


@pytest.mark.parametrize("fmt", [None, "TSPAIR"])
def test_tspair_in_a_txt_file_converts(obspy_data: Path, tmp_path: Path, fmt: str | None) -> None:
    path = obspy_data / "io/ascii/tests/data/mseed2ascii_miniseed_record.txt"
    code, summary, stderr = _convert(path, tmp_path / "a.h5", *(["--format", fmt] if fmt else []))
    assert code == 0, stderr
    (trace,) = obspy.read(str(path))
    with open_asdf(tmp_path / "a.h5") as f:
        (stored,) = [f.get_waveform(h) for h in f.list_waveforms()]
    assert stored.id == trace.id and list(stored.data) == list(trace.data)


def test_a_readme_in_a_walked_directory_is_skipped(obspy_data: Path, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "README.txt").write_text("Recordings of the 2024 campaign.\n")
    (tmp_path / "data" / "test.mseed").write_bytes((obspy_data / "io/mseed/tests/data/test.mseed").read_bytes())
    assert classify(tmp_path / "data" / "README.txt") is None
    code, summary, _ = _convert(tmp_path / "data", tmp_path / "d.h5")
    assert code == 0 and summary is not None and summary["inputs"] == 1


@pytest.mark.parametrize("rel", ["io/mseed/tests/data/fullseed.mseed",
                                 "io/mseed/tests/data/RJOB.BW.EHZ.D.300806.0000.fullseed",
                                 "io/mseed/tests/data/blockette008.mseed"])
def test_full_seed_volumes_give_their_waveforms_and_a_warning(obspy_data: Path, tmp_path: Path, rel: str) -> None:
    path = obspy_data / rel
    code, summary, stderr = _convert(path, tmp_path / "f.h5")
    assert code == 0, stderr
    assert summary is not None and summary["traces"] == len(obspy.read(str(path)))
    assert any(str(path) in w and "full SEED volume" in w for w in summary["warnings"])


def test_a_full_seed_volume_that_parses_gives_stations_too(obspy_data: Path, tmp_path: Path) -> None:
    path = obspy_data / "io/xseed/tests/data/arclink_full.seed"
    code, summary, stderr = _convert(path, tmp_path / "a.h5")
    assert code == 0, stderr
    assert summary is not None and summary["stations"] == 1 and summary["traces"] >= 1
    assert not summary["warnings"]


def test_stations_and_events_alone_build_a_metadata_only_file(obspy_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "meta.h5"
    stations = obspy_data / "io/stationxml/tests/data/IRIS_single_channel_with_response.xml"
    events = obspy_data / "io/nordic/tests/data/01-0411-15L.S201309"
    result = CliRunner().invoke(cli, ["convert", "--stations", str(stations), "--events", str(events), str(out),
                                      "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["traces"] == 0 and summary["stations"] == 1 and summary["events"] == 1
    assert asdfkit.validate(out).exit_code == 0
    import pyasdf

    with pyasdf.ASDFDataSet(str(out), mode="r") as ds:
        assert len(ds.events) == 1 and len(ds.waveforms) == 1
    # nothing at all is still a usage error
    result = CliRunner().invoke(cli, ["convert", str(out)])
    assert result.exit_code == 2


def test_events_sharing_a_resource_id_in_one_file_are_reported(obspy_data: Path, tmp_path: Path) -> None:
    path = obspy_data / "io/csv/tests/data/incomplete.csv"  # two rows of id1
    code, summary, _ = _convert(path, tmp_path / "c.h5")
    assert code == 0 and summary is not None
    assert any("2 events share the resource id 'id1'" in w for w in summary["warnings"])
    with open_asdf(tmp_path / "c.h5") as f:
        (event,) = f.events
    assert str(event.resource_id).endswith("id1") and len(event.origins) == 2 and len(event.magnitudes) == 1


def test_repeated_ids_below_the_events_are_renamed_and_reported(obspy_data: Path, tmp_path: Path) -> None:
    path = obspy_data / "io/iaspei/tests/data/19670130012028.xml"  # one magnitude id given to 5 magnitudes
    code, summary, stderr = _convert(path, tmp_path / "i.h5")
    assert code == 0, stderr
    assert summary is not None and any("is given to 5 objects" in w for w in summary["warnings"])
    with open_asdf(tmp_path / "i.h5") as f:
        magnitudes = [str(m.resource_id) for e in f.events for m in e.magnitudes]
    assert len(magnitudes) == len(set(magnitudes)) == sum(len(e.magnitudes) for e in _read_events(path))
    assert asdfkit.validate(tmp_path / "i.h5").exit_code == 0


def test_stations_asdf_cannot_name_are_left_out_with_a_warning(tmp_path: Path) -> None:
    inventory = obspy.read_inventory()  # ObsPy's example: GR.FUR, GR.WET, BW.RJOB...
    inventory.networks[0].code = "ebdz"
    bad = {f"ebdz.{s.code}" for s in inventory.networks[0]}
    good = {f"{n.code}.{s.code}" for n in inventory.networks[1:] for s in n}
    path = tmp_path / "stations.xml"
    inventory.write(str(path), format="STATIONXML")
    code, summary, _ = _convert(path, tmp_path / "s.h5")
    assert code == 0 and summary is not None
    assert {w.split("station ")[1].split(" left out")[0] for w in summary["warnings"] if "left out" in w} == bad
    with open_asdf(tmp_path / "s.h5") as f:
        assert set(f.stations_with_stationxml) == good
