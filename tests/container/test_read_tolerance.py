"""Files written by other tools, quirks included, are read without complaint.

Each writer is reproduced with raw h5py from its source code:
SPECFEM via SeismicData/asdf-library ``src/ASDF_write.c`` and SPECFEM3D
``src/specfem3D/write_output_ASDF.f90``; SeisIO.jl via ``SeisHDF/write_asdf.jl`` and
``asdf_aux.jl`` (HDF5.jl conventions); NoisePy and pyadjoint write through pyasdf, so
pyasdf itself writes their layouts here.
"""

from __future__ import annotations

import io
from pathlib import Path

import h5py
import numpy as np
import obspy
import pyasdf
import pytest
from obspy import UTCDateTime

import asdfkit
from asdfkit.errors import VersionError, XMLError

NS = 1_000_000_000
QUAKE_SPECFEM = (
    b'<q:quakeml xmlns="http://quakeml.org/xmlns/bed/1.2" xmlns:q="http://quakeml.org/xmlns/quakeml/1.2">'
    b'<eventParameters publicID="smi:local/20000000#eventPrm"><event publicID="smi:local/20000000#eventID">'
    b'<preferredOriginID>smi:local/20000000/origin#cmtorigin</preferredOriginID><type>earthquake</type>'
    b'<origin publicID="smi:local/20000000/origin#cmtorigin">  <time>    <value>2000-01-01T01:00:00.0000</value>'
    b'  </time>  <latitude>    <value>  12.300    </value>  </latitude>  <longitude>    <value>  112.90    </value>'
    b'  </longitude>  <depth>    <value>  0.0000    </value>  </depth></origin>'
    b'<magnitude publicID="smi:local/magnitude#moment_mag">  <mag>  <value></value>  </mag>  <type>Mwc</type>'
    b'</magnitude></event></eventParameters></q:quakeml>'
)


def _stationxml_specfem(net: str, sta: str, lat: str, lon: str) -> bytes:
    """SPECFEM's station_to_stationxml(): no station startDate, S3 channels, no Elevation unit."""
    channels = "".join(
        f'  <Channel locationCode="S3" code="{cha}" startDate="2000-01-01T00:59:58.5000">'
        f'    <Latitude unit="DEGREES">{lat}</Latitude>    <Longitude unit="DEGREES">{lon}</Longitude>'
        f'    <Elevation>0.0</Elevation>    <Depth>0.0</Depth>    <Azimuth>0.0</Azimuth>    <Dip>0.0</Dip>  </Channel>'
        for cha in ("MXN", "MXE", "MXZ"))
    return (
        '<FDSNStationXML schemaVersion="1.0" xmlns="http://www.fdsn.org/xml/station/1">'
        '<Source>SPECFEM3D_Cartesian</Source><Module>SPECFEM3D_Cartesian/asdf-library</Module>'
        '<ModuleURI>http://seismic-data.org</ModuleURI><Created>2000-01-01T00:59:58.5000</Created>'
        f'<Network code="{net}"><Station code="{sta}">  <Latitude unit="DEGREES">{lat}</Latitude>'
        f'  <Longitude unit="DEGREES">{lon}</Longitude>  <Elevation>0.0</Elevation>  <Site>    <Name>N/A</Name>'
        '  </Site>  <CreationDate>2000-01-01T00:59:58.5000</CreationDate>  <TotalNumberChannels>3'
        '</TotalNumberChannels>  <SelectedNumberChannels>3</SelectedNumberChannels>'
        f'{channels}</Station></Network></FDSNStationXML>'
    ).encode()


def c_string(obj: h5py.HLObject, name: str, text: bytes, *, nul: bool, pad: int = h5py.h5t.STR_NULLPAD,
             cset: int = h5py.h5t.CSET_ASCII) -> None:
    """A scalar fixed-length C string attribute, exactly as a C or Julia writer makes it."""
    raw = text + (b"\x00" if nul else b"")
    tid = h5py.h5t.C_S1.copy()
    tid.set_size(max(len(raw), 1))
    tid.set_strpad(pad)
    tid.set_cset(cset)
    attr = h5py.h5a.create(obj.id, name.encode(), tid, h5py.h5s.create(h5py.h5s.SCALAR))
    attr.write(np.array(raw, dtype=f"S{max(len(raw), 1)}"), mtype=tid)


def xml_dataset(group: h5py.Group, name: str, text: bytes, dtype: str = "i1", chunked: bool = True) -> None:
    data = np.frombuffer(text, dtype=np.uint8).astype(dtype) if dtype == "u1" else np.frombuffer(text, np.int8)
    if chunked:  # asdf-library: chunk = the whole dataset, unlimited
        group.create_dataset(name, data=data, chunks=(len(data),), maxshape=(None,))
    else:  # HDF5.jl default: contiguous, fixed size
        group.create_dataset(name, data=data)


def _specfem_file(path: Path, version: bytes, *, nul: bool, provenance_name: str, chain: bytes) -> np.ndarray:
    """SPECFEM's synthetic.h5: MX? float32 traces tagged 'synthetic', S3 location."""
    signal = obspy.read()[0].data[:2000].astype(np.float32)
    with h5py.File(path, "w", libver="latest") as f:
        c_string(f, "file_format", b"ASDF", nul=nul)
        c_string(f, "file_format_version", version, nul=nul)
        xml_dataset(f, "QuakeML", QUAKE_SPECFEM + (b"\x00" if nul else b""))
        xml_dataset(f.create_group("Provenance"), provenance_name, chain + (b"\x00" if nul else b""))
        files = f.create_group("AuxiliaryData").create_group("Files")
        xml_dataset(files, "constants_h", b"  integer, parameter :: NGLLX = 5\n")
        xml_dataset(files, "Parfile", b"SIMULATION_TYPE                 = 1\nNSTEP = 2000\n")
        station = f.create_group("Waveforms").create_group("DB.X20")
        xml_dataset(station, "StationXML", _stationxml_specfem("DB", "X20", "37.0300", "-122.1000") + b"\x00")
        start = int(946688398.5 * NS)  # startTime*1e9 computed in double precision, as SPECFEM does
        for i, cha in enumerate(("MXN", "MXE", "MXZ")):
            name = f"DB.X20.S3.{cha}__2000-01-01T00:59:58__2000-01-01T01:03:18__synthetic"
            dataset = station.create_dataset(name, data=signal * (i + 1), chunks=(2000,), maxshape=(None,))
            c_string(dataset, "event_id", b"Shot_ASDF", nul=nul)
            dataset.attrs.create("sampling_rate", 10.0, dtype="<f8")
            dataset.attrs.create("starttime", start, dtype="<i8")
    return signal


@pytest.fixture(scope="module")
def chain(pyasdf_data: Path) -> bytes:
    return (pyasdf_data / "example_schematic_processing_chain.xml").read_bytes().strip()


@pytest.mark.parametrize(("version", "nul", "provenance_name"), [
    (b"0.0.2", True, "XML"),                                     # early asdf-library: strlen+1
    (b"1.0.0", False, "373da5fe_d424_4f44_9bca_4334d77ed10b"),   # current: strlen, no NUL
])
def test_specfem_synthetics(tmp_path, chain, version, nul, provenance_name, file_snapshot):
    path = tmp_path / "synthetic.h5"
    signal = _specfem_file(path, version, nul=nul, provenance_name=provenance_name, chain=chain)
    snap = file_snapshot(path)
    with asdfkit.open(path) as f:
        assert f.format_version == version.decode()
        stream = f.get_waveforms(tag="synthetic")
        assert sorted(tr.id for tr in stream) == ["DB.X20.S3.MXE", "DB.X20.S3.MXN", "DB.X20.S3.MXZ"]
        (mxe,) = stream.select(channel="MXE")
        np.testing.assert_array_equal(mxe.data, signal * 2)
        assert mxe.stats.starttime == UTCDateTime("2000-01-01T00:59:58.5") and mxe.stats.sampling_rate == 10.0
        assert [str(r) for r in mxe.stats.asdf.event_ids] == ["Shot_ASDF"]
        assert [str(e.resource_id) for e in f.events] == ["smi:local/20000000#eventID"]
        assert f.get_coordinates("DB.X20") == {"latitude": 37.03, "longitude": -122.1, "elevation_in_m": 0.0}
        inventory = f.get_station_inventory("DB.X20")  # trailing NUL stripped before parsing
        assert [c.code for c in inventory[0][0]] == ["MXN", "MXE", "MXZ"]
        assert f.provenance_documents == [provenance_name]
        assert f.get_provenance_document(provenance_name) == chain
        parfile = f.get_auxiliary_data("Files", "Parfile")
        assert parfile.data.dtype == np.int8 and parfile.data.tobytes().startswith(b"SIMULATION_TYPE")
        assert f.list_auxiliary_data() == [("Files", "Parfile"), ("Files", "constants_h")]
    assert file_snapshot(path) == snap
    if version == b"0.0.2":
        with pytest.raises(VersionError, match="cannot write to ASDF 0.0.2"):
            asdfkit.open(path, "a")


def test_specfem_cartesian_stationxml_that_obspy_cannot_read(tmp_path, chain):
    path = tmp_path / "synthetic.h5"
    _specfem_file(path, b"1.0.0", nul=False, provenance_name="p", chain=chain)
    with h5py.File(path, "a") as f:  # SPECFEM3D Cartesian puts x/y in metres into Latitude/Longitude
        del f["Waveforms/DB.X20/StationXML"]
        xml_dataset(f["Waveforms/DB.X20"], "StationXML",
                    _stationxml_specfem("DB", "X20", "67000.0000", "-12000.0000") + b"\x00")
    with asdfkit.open(path) as f:
        assert f.stations_with_stationxml == ["DB.X20"]
        assert f.get_station_xml("DB.X20").endswith(b"</FDSNStationXML>")
        assert f.get_coordinates("DB.X20")["latitude"] == 67000.0
        assert len(f.get_waveforms()) == 3
        with pytest.raises(XMLError, match="StationXML of DB.X20 could not be read"):
            f.get_station_inventory("DB.X20")


def test_seisio_jl_files(tmp_path):
    """SeisIO.write_asdf: HDF5.jl strings (NULLTERM, UTF-8, no NUL), contiguous datasets, UInt8
    StationXML, lowercase-channel tags, and asdf_mktrace's NaN traces whose end time carries
    Julia's millisecond text ('…T23:59:59.99'), which the spec's regex does not allow."""
    sx = obspy.read_inventory().select(station="RJOB")
    buffer = io.BytesIO()
    sx.write(buffer, format="STATIONXML")
    path = tmp_path / "seisio.h5"
    tr = obspy.read()[0]
    t0_us = tr.stats.starttime.ns // 1000
    with h5py.File(path, "w") as f:
        c_string(f, "file_format", b"ASDF", nul=False, pad=h5py.h5t.STR_NULLTERM, cset=h5py.h5t.CSET_UTF8)
        c_string(f, "file_format_version", b"1.0.2", nul=False, pad=h5py.h5t.STR_NULLTERM, cset=h5py.h5t.CSET_UTF8)
        station = f.create_group("Waveforms").create_group("BW.RJOB")
        name = "BW.RJOB..EHZ__2009-08-24T00:20:03__2009-08-24T00:20:32__ehz"
        station.create_dataset(name, data=tr.data.astype(np.float32))
        station[name].attrs["sampling_rate"] = 100.0
        station[name].attrs["starttime"] = np.int64(t0_us * 1000)
        c_string(station[name], "event_id", b"2019ci38457511", nul=False, pad=h5py.h5t.STR_NULLTERM,
                 cset=h5py.h5t.CSET_UTF8)
        nan_name = "BW.RJOB..EHN__2009-08-25T00:00:00__2009-08-25T23:59:59.99__ehn"
        station.create_dataset(nan_name, data=np.full(8640000, np.nan, np.float32)[:1000])
        station[nan_name].attrs["sampling_rate"] = 100.0
        station[nan_name].attrs["starttime"] = np.int64(UTCDateTime(2009, 8, 25).ns)
        xml_dataset(station, "StationXML", buffer.getvalue(), dtype="u1", chunked=False)
    with asdfkit.open(path) as f:
        assert f.format_version == "1.0.2"
        assert f.waveform_tags == ["ehn", "ehz"]
        (ehz,) = f.get_waveforms(tag="ehz")
        np.testing.assert_array_equal(ehz.data, tr.data.astype(np.float32))
        assert ehz.stats.starttime == tr.stats.starttime
        assert [str(r) for r in ehz.stats.asdf.event_ids] == ["2019ci38457511"]
        (ehn,) = f.get_waveforms(tag="ehn", starttime=UTCDateTime(2009, 8, 25), endtime=UTCDateTime(2009, 8, 25, 0, 0, 1))
        assert ehn.stats.npts == 101 and np.isnan(ehn.data).all()
        assert len(f.get_station_inventory("BW.RJOB")[0][0]) == 3


def test_root_attributes_in_every_string_form(tmp_path, small_stream):
    forms = {
        "pyasdf": lambda f, k, v: f.attrs.__setitem__(k, np.bytes_(v + b"\x00")),
        "variable-length": lambda f, k, v: f.attrs.__setitem__(k, v.decode()),
        "nullterm utf8": lambda f, k, v: c_string(f, k, v, nul=False, pad=h5py.h5t.STR_NULLTERM,
                                                  cset=h5py.h5t.CSET_UTF8),
        "space padded": lambda f, k, v: c_string(f, k, v + b"  ", nul=False, pad=h5py.h5t.STR_SPACEPAD),
        "array of one": lambda f, k, v: f.attrs.__setitem__(k, np.array([v])),
    }
    for label, write in forms.items():
        path = tmp_path / f"{label}.h5"
        with h5py.File(path, "w") as f:
            write(f, "file_format", b"ASDF")
            write(f, "file_format_version", b"1.0.3")
        with asdfkit.open(path) as f:
            assert f.format_version == "1.0.3", label
            assert f.list_waveforms() == [] and f.stations == [] and len(f.events) == 0
        with asdfkit.open(path, "a") as f:  # and it can be written to
            f.add_waveforms(small_stream[0], tag="t")


def test_optional_ids_as_variable_length_strings(h5path, small_stream):
    with asdfkit.open(h5path, "w") as f:
        (path,) = f.add_waveforms(small_stream[0], tag="t")
    with h5py.File(h5path, "a") as h:
        attrs = h[path].attrs
        attrs["event_id"] = "smi:local/a,smi:local/b"
        attrs["provenance_id"] = "{http://seisprov.org/seis_prov/0.1/#}sp001_wf_1"
        attrs["origin_id"] = np.bytes_(b"smi:local/o\x00")
        attrs["labels"] = np.bytes_("fixed,ünïcode".encode())  # not pyasdf's vlen form
    with asdfkit.open(h5path) as f:
        meta = f.get_waveform_meta(f.list_waveforms()[0])
    assert meta.event_ids == ["smi:local/a", "smi:local/b"] and meta.origin_ids == ["smi:local/o"]
    assert meta.provenance_id == "{http://seisprov.org/seis_prov/0.1/#}sp001_wf_1"
    assert meta.labels == ["fixed", "ünïcode"]


@pytest.mark.parametrize("missing", [("Waveforms",), ("Provenance",), ("AuxiliaryData",),
                                     ("Waveforms", "Provenance", "AuxiliaryData")])
def test_missing_groups(tmp_path, small_stream, file_snapshot, missing):
    path = tmp_path / "f.h5"
    with asdfkit.open(path, "w") as f:
        f.add_events(obspy.read_events())
    with h5py.File(path, "a") as h:
        for name in missing:
            del h[name]
    before = file_snapshot(path)
    with asdfkit.open(path) as f:
        assert f.list_waveforms() == [] and len(f.get_waveforms()) == 0 and f.stations == []
        assert f.provenance_documents == [] and f.list_auxiliary_data() == [] and f.auxiliary_data_types == []
        assert f.inventory.networks == [] and len(f.events) == 3
        assert f.summary()["traces"] == 0
    assert file_snapshot(path) == before  # reading did not create the groups
    with asdfkit.open(path, "a") as f:
        f.add_waveforms(small_stream, tag="t")
        f.add_auxiliary_data(np.ones(2), data_type="A", path="b")
    with asdfkit.open(path) as f:
        assert len(f.list_waveforms()) == 3 and f.list_auxiliary_data() == [("A", "b")]


def test_uppercase_and_mixed_case_tags(h5path, small_stream):
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(small_stream[0], tag="RAW_Recording")
        f.add_waveforms(small_stream[0], tag="raw_recording")
    with asdfkit.open(h5path) as f:
        assert f.waveform_tags == ["RAW_Recording", "raw_recording"]
        assert [tr.stats.asdf.tag for tr in f.get_waveforms(tag="RAW_*")] == ["RAW_Recording"]
    ds = pyasdf.ASDFDataSet(str(h5path), mode="r")
    try:
        assert sorted(ds.waveforms["BW.RJOB"].get_waveform_tags()) == ["RAW_Recording", "raw_recording"]
    finally:
        del ds


def test_noisepy_and_pyadjoint_layouts(tmp_path, sample_stream):
    """NoisePy's ASDFCCStore and pyadjoint's write_to_asdf both write through pyasdf."""
    path = tmp_path / "2019_02_01_00_00_00T2019_02_02_00_00_00.h5"
    corr = np.random.default_rng(0).standard_normal((4, 401)).astype(np.float32)
    cc_params = {"dt": 0.05, "maxlag": 10, "dist": np.float32(123.4), "azi": np.float32(45.0),
                 "baz": np.float32(225.0), "ngood": np.array([10, 12, 9, 11]), "cc_method": "xcorr",
                 "time": np.array([1.5e9, 1.5e9 + 1800]), "substack": True, "comp": "ZZ"}
    adj = np.empty((1000, 2))
    adj[:, 0] = np.linspace(0, 999 * 0.1, 1000) - 10.0
    adj[:, 1] = sample_stream[0].data[:1000][::-1]
    ds = pyasdf.ASDFDataSet(str(path), mode="a", mpi=False, compression=None)
    ds.add_auxiliary_data(data=corr, data_type="CI.ARV_CI.BAK", path="bhn_bhn", parameters=cc_params)
    ds.add_auxiliary_data(data=np.zeros(0), data_type="Progress", path="done", parameters={})
    ds.add_auxiliary_data(data=adj, data_type="AdjointSources", path="AE_113A_BHZ", parameters={
        "dt": 0.1, "misfit_value": 0.75, "adjoint_source_type": "waveform_misfit", "min_period": 10.0,
        "max_period": 100.0, "latitude": 61.0, "longitude": -150.0, "elevation_in_m": 10.0,
        "station_id": "AE.113A", "component": "BHZ", "units": "m"})
    del ds
    with asdfkit.open(path) as f:
        assert f.auxiliary_data_types == ["AdjointSources", "CI.ARV_CI.BAK", "Progress"]
        cc = f.get_auxiliary_data("CI.ARV_CI.BAK", "bhn_bhn")
        np.testing.assert_array_equal(cc.data, corr)
        assert cc.attrs["comp"] == "ZZ" and cc.attrs["substack"] is True and cc.attrs["maxlag"] == 10
        np.testing.assert_array_equal(cc.attrs["ngood"], [10, 12, 9, 11])
        assert f.get_auxiliary_data("Progress", "done").data.shape == (0,)
        item = f.get_auxiliary_data("AdjointSources", "AE_113A_BHZ")
        assert item.data.shape == (1000, 2)
        np.testing.assert_array_equal(item.data, adj)
        assert item.attrs["station_id"] == "AE.113A" and item.attrs["misfit_value"] == 0.75


@pytest.mark.parametrize("version", ["1.0.0", "1.0.1", "1.0.2", "1.0.3"])
def test_pyasdf_files_of_every_version(tmp_path, sample_stream, version):
    path = tmp_path / "p.h5"
    ds = pyasdf.ASDFDataSet(str(path), mode="w", format_version=version)
    ds.add_waveforms(sample_stream.select(station="POKR"), tag="raw_recording")
    del ds
    with asdfkit.open(path) as f:
        assert f.format_version == version
        assert sorted(tr.id for tr in f.get_waveforms()) == ["TA.POKR..BHE", "TA.POKR..BHN", "TA.POKR..BHZ"]


def test_a_dataset_without_required_attributes_is_skipped_not_fatal(h5path, small_stream):
    with asdfkit.open(h5path, "w") as f:
        f.add_waveforms(small_stream, tag="t")
    with h5py.File(h5path, "a") as h:
        h["Waveforms/BW.RJOB"].create_dataset("BW.RJOB..EHX__2009-08-24T00:20:03__2009-08-24T00:20:32__t",
                                              data=np.zeros(3))
    with asdfkit.open(h5path) as f:
        assert sorted(hd.channel for hd in f.list_waveforms()) == ["EHE", "EHN", "EHZ"]
        assert len(f.get_waveforms()) == 3
