"""A table of bad inputs: each raises its asdfkit error, names the value and the rule, and
leaves the file exactly as it was."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import obspy
import pytest
from obspy import UTCDateTime

import asdfkit
from asdfkit.errors import (
    AsdfkitError,
    AttributeTypeError,
    InvalidDtypeError,
    InvalidNameError,
    InvalidTimeError,
    InvalidValueError,
    ModeError,
    XMLError,
)

PROV = "{http://seisprov.org/seis_prov/0.1/#}sp001_wf_f84fb9a"


def _trace(**stats: Any) -> obspy.Trace:
    """obspy's real example recording (BW.RJOB..EHZ) with some header values replaced."""
    tr = obspy.read()[0]
    data = stats.pop("data", None)
    if data is not None:
        tr.data = data
    for key, value in stats.items():
        setattr(tr.stats, key, value)
    return tr


def _add(tag: str = "raw_recording", **kwargs: Any) -> Callable[[asdfkit.ASDFFile], Any]:
    trace = kwargs.pop("trace", None)
    return lambda f: f.add_waveforms(trace if trace is not None else _trace(), tag=tag, **kwargs)


def _aux(data_type: str = "Type", path: str = "name", **kwargs: Any) -> Callable[[asdfkit.ASDFFile], Any]:
    return lambda f: f.add_auxiliary_data(np.arange(4.0), data_type=data_type, path=path, **kwargs)


@dataclass
class Case:
    id: str
    action: Callable[[asdfkit.ASDFFile], Any]
    error: type[AsdfkitError]
    fragments: tuple[str, ...]
    mode: str = "a"


CASES = [
    # tags
    Case("tag with space", _add("Raw Data"), InvalidNameError, ("'Raw Data'", "^[A-Za-z_0-9]+$")),
    Case("tag StationXML", _add("StationXML"), InvalidNameError, ("'StationXML'", "reserved")),
    Case("empty tag", _add(""), InvalidNameError, ("tag ''", "^[A-Za-z_0-9]+$")),
    Case("tag with dot", _add("v1.0"), InvalidNameError, ("'v1.0'", "^[A-Za-z_0-9]+$")),
    # SEED codes
    Case("lowercase station", _add(trace=_trace(station="rjob")), InvalidNameError,
         ("'rjob'", "^[A-Z0-9]{1,5}$", "upper case")),
    Case("lowercase network", _add(trace=_trace(network="bw")), InvalidNameError,
         ("'bw'", "^[A-Z0-9]{1,2}$", "upper case")),
    Case("station too long", _add(trace=_trace(station="RJOBXX")), InvalidNameError,
         ("'RJOBXX'", "^[A-Z0-9]{1,5}$")),
    Case("empty network", _add(trace=_trace(network="")), InvalidNameError,
         ("network code ''", "trace.stats.network")),
    Case("location --", _add(trace=_trace(location="--")), InvalidNameError,
         ("'--'", "^[A-Z0-9]{0,2}$", "use ''")),
    Case("four-letter channel", _add(trace=_trace(channel="EHZZ")), InvalidNameError,
         ("'EHZZ'", "^[A-Z0-9]{3}$")),
    Case("one-letter channel", _add(trace=_trace(channel="Q")), InvalidNameError, ("'Q'", "^[A-Z0-9]{3}$")),
    # optional waveform attributes
    Case("provenance id without namespace", _add(provenance_id="sp001_wf_f84fb9a"), InvalidNameError,
         ("'sp001_wf_f84fb9a'", "provenance_id", r"^\{")),
    Case("provenance id with space", _add(provenance_id="{http://x.org/#}a b"), InvalidNameError,
         ("'{http://x.org/#}a b'", "provenance_id")),
    Case("label with comma", _add(labels=["ok", "a,b"]), InvalidValueError, ("'a,b'", "no comma")),
    Case("empty label", _add(labels=["ok", " "]), InvalidValueError, ("label ''", "non-empty")),
    Case("label not a str", _add(labels=["ok", 3]), InvalidValueError, ("label 3", "must be a str")),
    Case("event id with comma", _add(event_id="smi:local/a,b"), InvalidValueError,
         ("'smi:local/a,b'", "without commas")),
    Case("non-ASCII event id", _add(event_id="smi:local/ü"), InvalidValueError,
         ("'smi:local/ü'", "ASCII")),
    Case("bad on_duplicate", _add(on_duplicate="ignore"), InvalidValueError, ("'ignore'", "'raise' or 'skip'")),
    # times, rates, samples, dtypes
    Case("year 2300", _add(trace=_trace(starttime=UTCDateTime(2300, 1, 1))), InvalidTimeError,
         ("2300-01-01T00:00:00", "1800-2199")),
    Case("year 2230", _add(trace=_trace(starttime=UTCDateTime(2230, 1, 1))), InvalidTimeError,
         ("2230-01-01T00:00:00", "1800-2199")),
    Case("year 1700", _add(trace=_trace(starttime=UTCDateTime(1700, 1, 1))), InvalidTimeError,
         ("1700-01-01T00:00:00", "1800-2199")),
    Case("zero sampling rate", _add(trace=_trace(sampling_rate=0.0)), InvalidValueError,
         ("sampling_rate 0.0", "> 0")),
    Case("negative sampling rate", _add(trace=_trace(sampling_rate=-100.0)), InvalidValueError,
         ("sampling_rate -100.0", "> 0")),
    Case("empty trace", _add(trace=_trace(data=np.zeros(0))), InvalidValueError,
         ("BW.RJOB..EHZ", "at least one sample")),
    Case("uint8 samples", _add(trace=_trace(data=np.arange(10, dtype=np.uint8))), InvalidDtypeError,
         ("uint8", "int32", "cast=")),
    Case("not a trace", lambda f: f.add_waveforms([np.arange(3)], tag="t"), InvalidValueError,
         ("array([0, 1, 2])", "obspy Trace")),
    # auxiliary data
    Case("aux attribute None", _aux(attrs={"x": None}), AttributeTypeError, ("'x'", "None")),
    Case("aux attribute dict", _aux(attrs={"cfg": {"a": 1}}), AttributeTypeError, ("'cfg'", "cannot be stored")),
    Case("aux data_type with space", _aux(data_type="a b"), InvalidNameError,
         ("'a b'", "auxiliary data name", "^[a-zA-Z0-9-_")),
    Case("aux data_type with slash", _aux(data_type="a/b"), InvalidNameError, ("'a/b'", "auxiliary data name")),
    Case("aux path with space", _aux(path="x/a b"), InvalidNameError, ("'a b'", "auxiliary data name")),
    Case("aux empty path", _aux(path=""), InvalidNameError, ("path ''", "must name a dataset")),
    Case("aux provenance id", _aux(provenance_id="nope"), InvalidNameError, ("'nope'", "provenance_id")),
    # XML sections
    Case("event not an Event", lambda f: f.add_events(["smi:local/1"]), InvalidValueError,
         ("'smi:local/1'", "obspy Event")),
    Case("inventory not an Inventory", lambda f: f.add_stations("IU.ANMO"), InvalidValueError,
         ("'IU.ANMO'", "Inventory or StationXML bytes")),
    Case("malformed StationXML", lambda f: f.add_stations(b"<FDSNStationXML>"), XMLError,
         ("StationXML", "not well-formed")),
    Case("provenance name non-ASCII", lambda f: f.add_provenance_document(
        b"<prov:document xmlns:prov='http://www.w3.org/ns/prov#'/>", name="é"), InvalidNameError,
         ("'é'", "^[ -~]+$")),
    # read mode: every write is a ModeError
    Case("add waveforms in read mode", _add(), ModeError, ("read-only", "mode 'a'"), mode="r"),
    Case("add aux in read mode", _aux(), ModeError, ("read-only",), mode="r"),
    Case("reversed time window", lambda f: f.get_waveforms(starttime=UTCDateTime(2010, 1, 2),
                                                            endtime=UTCDateTime(2010, 1, 1)),
         InvalidTimeError, ("2010-01-02", "starttime must not be after endtime"), mode="r"),
]


@pytest.fixture(scope="module")
def base_file(tmp_path_factory: pytest.TempPathFactory, sample_set) -> Any:
    """A file with a little of everything, so that a bad call has something to damage."""
    path = tmp_path_factory.mktemp("bad") / "base.h5"
    with asdfkit.open(path, "w", index_cache=False) as f:
        f.add_waveforms(obspy.read(), tag="raw_recording")
        f.add_events(obspy.read_events(str(sample_set / "quake.xml")))
        f.add_stations(obspy.read_inventory().select(station="RJOB"))
        f.add_auxiliary_data(np.arange(3), data_type="Type", path="existing", attrs={"a": 1})
    return path.read_bytes()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, base_file: bytes, tmp_path, file_snapshot):
    path = tmp_path / "f.h5"
    path.write_bytes(base_file)
    before = file_snapshot(path)
    with asdfkit.open(path, case.mode) as f:
        with pytest.raises(case.error) as info:
            case.action(f)
        assert len(f.list_waveforms()) == 3
    message = str(info.value)
    for fragment in case.fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert file_snapshot(path) == before


def test_every_error_is_also_a_builtin():
    assert issubclass(InvalidNameError, ValueError) and issubclass(InvalidTimeError, ValueError)
    assert issubclass(InvalidDtypeError, TypeError) and issubclass(AttributeTypeError, TypeError)
    assert issubclass(ModeError, PermissionError) and issubclass(XMLError, ValueError)
