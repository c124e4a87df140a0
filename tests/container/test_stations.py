"""StationXML: one document per station, merging epochs and channels, no-op re-adds."""

from __future__ import annotations

import copy
from pathlib import Path

import h5py
import numpy as np
import obspy
import pytest
from lxml import etree

import asdfkit
from asdfkit.errors import InvalidNameError, ModeError, NotFoundError, XMLError

NS = "{http://www.fdsn.org/xml/station/1}"


def _codes(xml: bytes) -> list[tuple[str, str]]:
    root = etree.fromstring(xml)
    return [(net.get("code"), sta.get("code")) for net in root.iter(f"{NS}Network") for sta in net.iter(f"{NS}Station")]


def _epochs(inv: obspy.Inventory) -> list[tuple]:
    return sorted(
        (net.code, sta.code, str(sta.start_date), str(sta.end_date),
         tuple(sorted((c.location_code, c.code, str(c.start_date)) for c in sta)))
        for net in inv for sta in net
    )


@pytest.fixture(scope="module")
def multi_epoch(pyasdf_data: Path) -> obspy.Inventory:
    return obspy.read_inventory(str(pyasdf_data / "multi_station_epoch.xml"))


def test_each_station_holds_only_its_own_station(h5path):
    inventory = obspy.read_inventory()  # BW.RJOB (3 epochs), GR.FUR, GR.WET
    with asdfkit.open(h5path, "w") as f:
        assert f.add_stations(inventory) == ["BW.RJOB", "GR.FUR", "GR.WET"]
        assert f.stations_with_stationxml == ["BW.RJOB", "GR.FUR", "GR.WET"]
        for sid in f.stations_with_stationxml:
            assert set(_codes(f.get_station_xml(sid))) == {tuple(sid.split("."))}
    with h5py.File(h5path, "r") as h:
        for sid in ("BW.RJOB", "GR.FUR", "GR.WET"):
            dataset = h[f"Waveforms/{sid}/StationXML"]
            assert dataset.dtype == np.int8 and dataset.ndim == 1 and dataset.maxshape == (None,)
    with asdfkit.open(h5path) as f:
        assert _epochs(f.inventory) == _epochs(inventory)
        rjob = f.get_station_inventory("BW.RJOB")
        assert len(rjob.networks) == 1 and len(rjob[0].stations) == 3
        assert _epochs(f.get_inventory(network="GR")) == _epochs(inventory.select(network="GR"))
        assert _epochs(f.get_inventory(station="W*")) == _epochs(inventory.select(station="WET"))


def test_real_station_xml_round_trips_with_responses(h5path, sample_inventory, sample_set):
    with asdfkit.open(h5path, "w") as f:
        f.add_stations(sample_inventory)
    with asdfkit.open(h5path) as f:
        for name, sid in (("AE.113A..BH_.xml", "AE.113A"), ("TA.POKR..BH_.xml", "TA.POKR")):
            original = obspy.read_inventory(str(sample_set / name))
            stored = f.get_station_inventory(sid)
            assert _epochs(stored) == _epochs(original)
            for channel, want in zip(stored[0][0], original[0][0], strict=True):
                assert channel.response == want.response
        coords = f.get_coordinates("AE.113A")
        station = obspy.read_inventory(str(sample_set / "AE.113A..BH_.xml"))[0][0]
        assert coords == {"latitude": station.latitude, "longitude": station.longitude,
                          "elevation_in_m": station.elevation}
        assert set(f.get_all_coordinates()) == {"AE.113A", "TA.POKR"}


def test_split_epochs_merge_without_loss(h5path, multi_epoch, pyasdf_data):
    first, second = copy.deepcopy(multi_epoch), copy.deepcopy(multi_epoch)
    first[0].stations = multi_epoch[0].stations[:2]   # epochs 1, 2
    second[0].stations = multi_epoch[0].stations[1:]  # epochs 2, 3 (2 given twice)
    with asdfkit.open(h5path, "w") as f:
        f.add_stations(first)
    with asdfkit.open(h5path, "a") as f:
        f.add_stations(second)
    with asdfkit.open(h5path) as f:
        merged = f.get_station_inventory("XX.YYY")
        raw = f.get_station_xml("XX.YYY")
    assert _epochs(merged) == _epochs(multi_epoch)
    assert sum(len(sta) for sta in merged[0]) == 9
    # An element ObsPy does not model (a foreign namespace) survives the merge.
    assert b"https://example.com" in raw and b">test</" in raw


def test_channels_of_one_epoch_given_in_two_adds_are_merged(h5path, sample_inventory):
    pokr = sample_inventory.select(station="POKR")
    east = pokr.select(channel="BHE")
    rest = pokr.select(channel="BH[NZ]")
    with asdfkit.open(h5path, "w") as f:
        f.add_stations(east)
        f.add_stations(rest)
        stored = f.get_station_inventory("TA.POKR")
    assert _epochs(stored) == _epochs(pokr)
    # TA.POKR has three epochs of each channel (two of them share a start date): all 9 kept.
    assert sorted(c.code for c in stored[0][0]) == ["BHE"] * 3 + ["BHN"] * 3 + ["BHZ"] * 3


def test_readding_identical_stations_is_a_no_op(h5path, sample_inventory, multi_epoch, file_snapshot):
    with asdfkit.open(h5path, "w") as f:
        f.add_stations(sample_inventory)
        f.add_stations(multi_epoch)
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f:
        f.add_stations(sample_inventory)
        f.add_stations(multi_epoch)
    assert file_snapshot(h5path) == before
    with asdfkit.open(h5path, "a") as f:  # and again: still nothing changes
        f.add_stations(multi_epoch)
    assert file_snapshot(h5path) == before


def test_readding_a_subset_loses_nothing(h5path, sample_inventory):
    with asdfkit.open(h5path, "w") as f:
        f.add_stations(sample_inventory)
    with asdfkit.open(h5path, "a") as f:
        f.add_stations(sample_inventory.select(station="POKR", channel="BHZ"))
        assert _epochs(f.inventory) == _epochs(sample_inventory)


def test_stationxml_for_stations_with_waveforms(h5path, sample_stream, sample_inventory):
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(sample_stream, tag="raw_recording")
        assert f.stations == ["AE.113A", "TA.POKR"] and f.stations_with_stationxml == []
        f.add_stations(sample_inventory)
        assert f.stations_with_stationxml == ["AE.113A", "TA.POKR"]
        f.remove_station("TA.POKR")
        assert f.stations_with_stationxml == ["AE.113A"]
        assert len(f.list_waveforms(station="POKR")) == 3  # waveforms stay
        with pytest.raises(NotFoundError, match="no StationXML"):
            f.get_station_xml("TA.POKR")
        with pytest.raises(NotFoundError):
            f.remove_station("TA.POKR")


def test_find_station_reads_the_stationxml_once_or_answers_none(h5path, sample_stream, sample_inventory):
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(sample_stream, tag="raw_recording")
        f.add_stations(sample_inventory.select(station="113A"))  # TA.POKR: waveforms, no StationXML
    with asdfkit.open(h5path) as f:
        raw, inventory = f.find_station("AE.113A")
        assert raw == f.get_station_xml("AE.113A")
        assert _epochs(inventory) == _epochs(f.get_station_inventory("AE.113A"))
        assert f.find_station("TA.POKR") is None  # a station group without StationXML
        assert f.find_station("XX.NONE") is None  # no such station group at all
        h5 = f.h5
        assert isinstance(h5["Waveforms/TA.POKR"], h5py.Group)


def test_find_station_refuses_nothing_when_a_name_is_not_a_group(h5path, sample_stream):
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(sample_stream, tag="raw_recording")
    with h5py.File(h5path, "a") as raw:  # another tool's odd file: a dataset where a station group belongs
        raw["Waveforms"].create_dataset("XX.ODD", data=np.zeros(3))
    with asdfkit.open(h5path) as f:
        assert f.find_station("XX.ODD") is None


def test_stationxml_bytes_are_accepted(h5path, pyasdf_data):
    raw = (pyasdf_data / "II.ABKT.xml").read_bytes()
    with asdfkit.open(h5path, "w") as f:
        assert f.add_stations(raw) == ["II.ABKT"]
        stored = f.get_station_inventory("II.ABKT")
    assert _epochs(stored) == _epochs(obspy.read_inventory(str(pyasdf_data / "II.ABKT.xml")))


def test_two_networks_in_one_document(h5path, pyasdf_data):
    big = obspy.read_inventory(str(pyasdf_data / "big_station.xml"))
    with asdfkit.open(h5path, "w") as f:
        ids = f.add_stations(big)
        assert ids == sorted({f"{n.code}.{s.code}" for n in big for s in n})
        for sid in ids:
            net, sta = sid.split(".")
            assert _epochs(f.get_station_inventory(sid)) == _epochs(big.select(network=net, station=sta))


@pytest.mark.parametrize(("document", "error"), [
    (b"<FDSNStationXML", XMLError),
    (b"<?xml version='1.0'?><quakeml xmlns='http://quakeml.org/xmlns/quakeml/1.2'/>", XMLError),
])
def test_bad_stationxml_is_refused_and_nothing_stored(h5path, file_snapshot, document, error):
    with asdfkit.open(h5path, "w"):
        pass
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f, pytest.raises(error):
        f.add_stations(document)
    assert file_snapshot(h5path) == before


def test_lowercase_station_code_in_stationxml_is_refused(h5path, sample_inventory, file_snapshot):
    sample_inventory[0][0].code = "pokr"
    with asdfkit.open(h5path, "w"):
        pass
    before = file_snapshot(h5path)
    with asdfkit.open(h5path, "a") as f, pytest.raises(InvalidNameError, match="upper case"):
        f.add_stations(sample_inventory)
    assert file_snapshot(h5path) == before


def test_adding_stations_in_read_mode_is_refused(h5path, sample_inventory):
    with asdfkit.open(h5path, "w"):
        pass
    with asdfkit.open(h5path) as f, pytest.raises(ModeError):
        f.add_stations(sample_inventory)


def test_readding_to_a_pyasdf_file_rewrites_nothing(tmp_path, pyasdf_data, file_snapshot):
    import obspy
    import pyasdf

    import asdfkit

    path = tmp_path / "p.h5"
    xml = pyasdf_data / "small_sample_data_set" / "TA.POKR..BH_.xml"
    with pyasdf.ASDFDataSet(str(path), mode="w") as ds:
        ds.add_stationxml(str(xml))
    before = file_snapshot(path)["Waveforms/TA.POKR/StationXML"]
    with asdfkit.open(path, "a") as f:
        f.add_stations(obspy.read_inventory(str(xml)))
    assert file_snapshot(path)["Waveforms/TA.POKR/StationXML"] == before
