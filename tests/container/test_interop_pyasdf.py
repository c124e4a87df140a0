"""pyasdf 0.8.2 is the oracle: files each tool writes open in the other with the same content."""

from __future__ import annotations

import h5py
import numpy as np
import obspy
import prov.model
import pyasdf
import pytest
from obspy import UTCDateTime

import asdfkit

PROV_ID = "{http://seisprov.org/seis_prov/0.1/#}sp001_wf_f84fb9a"
LABELS = ["Łódź", "über alles", "日本"]


def _events(catalog) -> list[tuple]:
    return [(str(e.resource_id), [(str(o.resource_id), o.time, o.latitude) for o in e.origins],
             [(str(m.resource_id), m.mag) for m in e.magnitudes]) for e in catalog]


def _epochs(inv: obspy.Inventory) -> list[tuple]:
    return sorted((n.code, s.code, str(s.start_date), len(s)) for n in inv for s in n)


# -- asdfkit writes, pyasdf reads -----------------------------------------------------------
@pytest.fixture(scope="module")
def asdfkit_file(tmp_path_factory, _sample_stream, _sample_inventory, _sample_catalog, pyasdf_data):
    """Everything asdfkit can write, including a trace starting 1 ns past a second."""
    stream = _sample_stream.copy()
    event = _sample_catalog[0]
    odd = obspy.read()[0]
    odd.stats.starttime = UTCDateTime(ns=1369374000 * 10**9 + 1)
    odd.data = odd.data[:50].astype(np.float32)  # 0.49 s: a nanosecond name
    path = tmp_path_factory.mktemp("kit") / "asdfkit.h5"
    with asdfkit.open(path, "w", index_cache=False) as f:
        f.add_events(event)
        f.add_events(obspy.read_events())  # appended in place to the stored document
        f.add_stations(_sample_inventory)
        f.add_waveforms(stream, tag="raw_recording", event_id=event, origin_id=event.origins[0],
                        magnitude_id=event.magnitudes[0], focal_mechanism_id=event.focal_mechanisms[0],
                        provenance_id=PROV_ID, labels=LABELS)
        f.add_waveforms(odd, tag="short_one")
        f.add_auxiliary_data(np.arange(12.0).reshape(3, 4), data_type="CrossCorrelation",
                             path="AE.113A_TA.POKR/BHZ_BHZ",
                             attrs={"dt": 0.025, "maxlag": 200, "comp": "ZZ", "azi": np.float32(12.5)})
        f.add_auxiliary_data(np.array([1, 2, 3], np.int16), data_type="Nested", path="a/b/c/d",
                             provenance_id=PROV_ID)
        f.add_provenance_document((pyasdf_data / "example_schematic_processing_chain.xml").read_bytes(),
                                  name="chain")
    return path, stream, odd


@pytest.fixture
def pyasdf_reader(asdfkit_file):
    ds = pyasdf.ASDFDataSet(str(asdfkit_file[0]), mode="r")
    yield ds
    del ds


def test_pyasdf_reads_asdfkit_waveforms(asdfkit_file, pyasdf_reader, _sample_catalog):
    path, stream, _ = asdfkit_file
    ds = pyasdf_reader
    assert sorted(ds.waveforms.list()) == ["AE.113A", "BW.RJOB", "TA.POKR"]
    event = _sample_catalog[0]
    for tr in stream:
        (got,) = ds.waveforms[f"{tr.stats.network}.{tr.stats.station}"].raw_recording.select(id=tr.id)
        np.testing.assert_array_equal(got.data, tr.data)
        assert got.data.dtype == tr.data.dtype
        assert got.stats.sampling_rate == tr.stats.sampling_rate
        assert got.stats.starttime == tr.stats.starttime  # microsecond data: pyasdf's float is enough
        asdf = got.stats.asdf
        assert [str(r) for r in asdf.event_ids] == [str(event.resource_id)]
        assert [str(r) for r in asdf.origin_ids] == [str(event.origins[0].resource_id)]
        assert [str(r) for r in asdf.magnitude_ids] == [str(event.magnitudes[0].resource_id)]
        assert [str(r) for r in asdf.focal_mechanism_ids] == [str(event.focal_mechanisms[0].resource_id)]
        assert asdf.provenance_id == PROV_ID
        assert asdf.labels == LABELS


def test_nanosecond_start_is_exact_on_disk_and_close_in_pyasdf(asdfkit_file, pyasdf_reader):
    path, _, odd = asdfkit_file
    (got,) = pyasdf_reader.waveforms["BW.RJOB"].short_one
    np.testing.assert_array_equal(got.data, odd.data)
    assert abs(got.stats.starttime.ns - odd.stats.starttime.ns) <= 256  # pyasdf's float64 path
    with h5py.File(path, "r") as h:
        (name,) = [n for n in h["Waveforms/BW.RJOB"] if n.endswith("short_one")]
        assert int(h["Waveforms/BW.RJOB"][name].attrs["starttime"]) == odd.stats.starttime.ns
    assert name == "BW.RJOB..EHZ__2013-05-24T05:40:00.000000001__2013-05-24T05:40:00.490000001__short_one"


def test_pyasdf_reads_asdfkit_events_stations_aux_and_provenance(asdfkit_file, pyasdf_reader, _sample_catalog,
                                                                  _sample_inventory, pyasdf_data):
    ds = pyasdf_reader
    assert _events(ds.events) == _events([_sample_catalog[0], *obspy.read_events()])
    for sid in ("AE.113A", "TA.POKR"):
        net, sta = sid.split(".")
        assert _epochs(ds.waveforms[sid].StationXML) == _epochs(_sample_inventory.select(network=net, station=sta))
    cc = ds.auxiliary_data.CrossCorrelation["AE.113A_TA.POKR"]["BHZ_BHZ"]
    np.testing.assert_array_equal(cc.data[()], np.arange(12.0).reshape(3, 4))
    assert cc.parameters == {"dt": 0.025, "maxlag": 200, "comp": "ZZ", "azi": np.float32(12.5)}
    nested = ds.auxiliary_data.Nested.a.b.c.d
    np.testing.assert_array_equal(nested.data[()], [1, 2, 3])
    assert nested.provenance_id == PROV_ID
    assert ds.provenance.list() == ["chain"]
    chain = prov.model.ProvDocument.deserialize(
        source=str(pyasdf_data / "example_schematic_processing_chain.xml"), format="xml")
    assert ds.provenance["chain"] == chain


def test_pyasdf_reads_root_attributes_and_version(asdfkit_file, pyasdf_reader):
    assert pyasdf_reader.asdf_format_version == "1.0.3"
    with h5py.File(asdfkit_file[0], "r") as h:
        # Fixed-length NUL-terminated ASCII: the only form pyasdf opens.
        assert h.attrs.get_id("file_format").get_type().is_variable_str() is False
        assert h.attrs["file_format"] == b"ASDF"


# -- pyasdf writes, asdfkit reads -----------------------------------------------------------
@pytest.fixture(scope="module")
def pyasdf_file(tmp_path_factory, sample_set, pyasdf_data, _sample_catalog):
    path = tmp_path_factory.mktemp("pyasdf") / "pyasdf.h5"
    ds = pyasdf.ASDFDataSet(str(path), mode="w", compression="gzip-3")
    ds.add_quakeml(_sample_catalog)
    event = _sample_catalog[0]
    for mseed in sorted(sample_set.glob("*.mseed")):
        ds.add_waveforms(str(mseed), tag="raw_recording", event_id=event, origin_id=event.origins[0],
                         provenance_id=PROV_ID, labels=LABELS)
    for xml in sorted(sample_set.glob("*..BH_.xml")):
        ds.add_stationxml(str(xml))
    ds.add_auxiliary_data(np.linspace(0, 1, 101), data_type="AdjointSources", path="AE_113A_BHZ",
                          parameters={"dt": 0.1, "misfit": 1.25, "component": "BHZ"})
    ds.add_auxiliary_data(np.ones((2, 3), np.float32), data_type="Misc", path="x/y", parameters={})
    ds.add_provenance_document(str(pyasdf_data / "example_schematic_processing_chain.xml"), name="chain")
    del ds
    return path


def test_asdfkit_reads_pyasdf_waveforms(pyasdf_file, sample_stream, sample_catalog):
    with h5py.File(pyasdf_file, "r") as h:
        stored = {n.split("__")[0]: int(d.attrs["starttime"])
                  for g in h["Waveforms"].values() for n, d in g.items() if n != "StationXML"}
    assert stored["TA.POKR..BHE"] == 1369374000000001024  # pyasdf's float rounding, on disk
    event = sample_catalog[0]
    with asdfkit.open(pyasdf_file) as f:
        assert f.format_version == "1.0.3"
        assert f.waveform_tags == ["raw_recording"]
        stream = f.get_waveforms()
    assert len(stream) == 6
    for tr in sample_stream:
        (got,) = stream.select(id=tr.id)
        np.testing.assert_array_equal(got.data, tr.data)
        assert got.stats.sampling_rate == tr.stats.sampling_rate
        assert got.stats.starttime.ns == stored[tr.id]  # asdfkit reports exactly what is stored
        asdf = got.stats.asdf
        assert [str(r) for r in asdf.event_ids] == [str(event.resource_id)]
        assert [str(r) for r in asdf.origin_ids] == [str(event.origins[0].resource_id)]
        assert asdf.provenance_id == PROV_ID
        assert asdf.labels == LABELS


def test_asdfkit_reads_pyasdf_events_stations_aux_and_provenance(pyasdf_file, sample_catalog, sample_inventory,
                                                                  pyasdf_data):
    with asdfkit.open(pyasdf_file) as f:
        assert _events(f.events) == _events(sample_catalog)
        assert _epochs(f.inventory) == _epochs(sample_inventory)
        assert f.list_auxiliary_data() == [("AdjointSources", "AE_113A_BHZ"), ("Misc", "x/y")]
        adj = f.get_auxiliary_data("AdjointSources", "AE_113A_BHZ")
        np.testing.assert_array_equal(adj.data, np.linspace(0, 1, 101))
        assert adj.attrs == {"dt": 0.1, "misfit": 1.25, "component": "BHZ"}
        assert f.provenance_documents == ["chain"]
        stored = f.get_provenance_document("chain")
    chain = prov.model.ProvDocument.deserialize(
        source=str(pyasdf_data / "example_schematic_processing_chain.xml"), format="xml")
    assert prov.model.ProvDocument.deserialize(content=stored.decode(), format="xml") == chain


def test_asdfkit_appends_to_a_pyasdf_file_and_pyasdf_still_reads_it(pyasdf_file, tmp_path, small_stream):
    path = tmp_path / "both.h5"
    path.write_bytes(pyasdf_file.read_bytes())
    with asdfkit.open(path, "a") as f:
        f.add_events(obspy.read_events())
        f.add_waveforms(small_stream, tag="synthetic", labels=["ü"])
        f.add_stations(obspy.read_inventory().select(station="RJOB"))
        f.remove_waveforms(station="113A", channel="BHE")
    ds = pyasdf.ASDFDataSet(str(path), mode="r")
    try:
        assert len(ds.events) == 4
        assert ds.waveforms["BW.RJOB"].synthetic[0].stats.asdf.labels == ["ü"]
        assert len(ds.waveforms["BW.RJOB"].StationXML[0][0]) == 3
        assert sorted(tr.stats.channel for tr in ds.waveforms["AE.113A"].raw_recording) == ["BHN", "BHZ"]
    finally:
        del ds
