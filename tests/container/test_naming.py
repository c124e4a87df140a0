"""Names and times: build/parse round trips against the spec's regexes (hypothesis)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from asdf_reference import SPEC_STATION_REGEX, SPEC_TRACE_REGEX
from hypothesis import given, settings
from hypothesis import strategies as st
from obspy import UTCDateTime

from asdfkit.errors import InvalidNameError, InvalidTimeError, InvalidValueError
from asdfkit.naming import (
    StationId,
    TraceName,
    check_aux_name,
    check_provenance_id,
    check_tag,
    join_labels,
    split_labels,
)
from asdfkit.times import end_ns, format_name_time, parse_name_time, to_ns

NS = 1_000_000_000
# The names hold years 1800-2199; numpy's datetime64[ns] (our oracle) holds 1678-2262.
NAME_MIN = int(np.datetime64("1800-01-01T00:00:00", "ns").astype(np.int64))
NAME_MAX = int(np.datetime64("2199-12-31T23:59:59.999999999", "ns").astype(np.int64))
TRACE_REGEX_S = SPEC_TRACE_REGEX.replace(r"(\.\d{9})?", "")

codes = st.from_regex(r"\A[A-Z0-9]{1,2}\Z")
stations = st.from_regex(r"\A[A-Z0-9]{1,5}\Z")
locations = st.from_regex(r"\A[A-Z0-9]{0,2}\Z")
channels = st.from_regex(r"\A[A-Z0-9]{3}\Z")
tags = st.from_regex(r"\A[A-Za-z_0-9]+\Z").filter(lambda t: t != "StationXML")
name_times = st.integers(NAME_MIN, NAME_MAX)


def _oracle(ns: int) -> str:
    return np.datetime_as_string(np.datetime64(ns, "ns"), unit="ns")


@given(network=codes, station=stations)
def test_station_id_round_trip(network, station):
    sid = StationId.from_codes(network, station)
    assert re.fullmatch(SPEC_STATION_REGEX, str(sid))
    assert StationId.parse(str(sid)) == sid


@given(st.text(max_size=12))
def test_station_id_parse_accepts_exactly_the_regex(text):
    if re.fullmatch(SPEC_STATION_REGEX, text):
        assert str(StationId.parse(text)) == text
    else:
        with pytest.raises(InvalidNameError, match=re.escape(repr(text))):
            StationId.parse(text)


@given(ns=name_times)
def test_name_times_match_numpy_and_round_trip(ns):
    with_ns = format_name_time(ns, nanoseconds=True)
    whole = format_name_time(ns, nanoseconds=False)
    assert with_ns == _oracle(ns)
    assert whole == _oracle(ns)[:19]
    assert parse_name_time(with_ns) == ns
    assert parse_name_time(whole) == ns - ns % NS  # whole seconds: floor, also before 1970


@given(network=codes, station=stations, location=locations, channel=channels, tag=tags,
       start=name_times, span=st.integers(0, 10 * 86400 * NS), nanoseconds=st.booleans())
def test_trace_name_round_trip(network, station, location, channel, tag, start, span, nanoseconds):
    end = min(start + span, NAME_MAX)
    name = TraceName.build((network, station, location, channel), start, end, tag, nanoseconds)
    text = str(name)
    assert re.fullmatch(SPEC_TRACE_REGEX if nanoseconds else TRACE_REGEX_S, text)
    back = TraceName.parse(text)
    assert back == name
    assert back.seed_id == f"{network}.{station}.{location}.{channel}"
    assert back.station_id == f"{network}.{station}" and back.tag == tag
    assert back.start_ns == (start if nanoseconds else start - start % NS)


@given(st.text(max_size=40))
def test_trace_name_parse_never_crashes(text):
    try:
        name = TraceName.parse(text)
    except InvalidNameError as exc:
        assert repr(text) in str(exc)
    else:
        assert str(name) == text


@given(st.text(max_size=20))
def test_check_tag_accepts_exactly_the_regex(text):
    # the spec's regex, minus the reserved name and '__' (pyasdf misreads tags containing it)
    if (re.fullmatch(r"^[A-Za-z_0-9]+$", text) and text != "StationXML" and "\n" not in text
            and "__" not in text):
        assert check_tag(text) == text
    else:
        with pytest.raises(InvalidNameError):
            check_tag(text)


@given(st.text(max_size=20))
def test_aux_names_follow_the_1_0_3_regex(text):
    ok = re.fullmatch(r"[a-zA-Z0-9-_\.!#$%&*+,:;<=>\?@\^~]+", text) is not None
    if ok:
        assert check_aux_name(text) == text
    else:
        with pytest.raises(InvalidNameError, match="auxiliary data name"):
            check_aux_name(text)


@given(st.text(max_size=20))
def test_aux_names_follow_the_old_regex(text):
    ok = re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_]*[a-zA-Z0-9]", text) is not None
    for version in ("1.0.0", "1.0.1", "1.0.2"):
        if ok:
            assert check_aux_name(text, version) == text
        else:
            with pytest.raises(InvalidNameError):
                check_aux_name(text, version)


@given(namespace=st.from_regex(r"\Ahttps?://[a-z]{1,10}\.org/[a-z_/#]{0,10}\Z"),
       local=st.from_regex(r"\A[!-z|~][!-~]{0,19}\Z"))  # not starting "{": that would be a qname
def test_provenance_ids(namespace, local):
    value = f"{{{namespace}}}{local}"
    assert check_provenance_id(value) == value
    with pytest.raises(InvalidNameError):
        check_provenance_id(local)


@given(st.lists(st.text(min_size=1).map(str.strip).filter(lambda s: s and "," not in s), max_size=6))
def test_labels_round_trip(labels):
    if labels:
        assert split_labels(join_labels(labels)) == labels


@given(st.tuples(st.text(), st.text()).map(lambda parts: f"{parts[0]},{parts[1]}"))
def test_labels_with_commas_are_refused(label):
    with pytest.raises(InvalidValueError):
        join_labels(["fine", label])


@given(ns=st.integers(-(2**62), 2**62))
def test_to_ns_is_exact_for_utcdatetime(ns):
    assert to_ns(UTCDateTime(ns=ns)) == ns
    assert to_ns(ns) == ns


def test_to_ns_refuses_what_is_not_a_time():
    with pytest.raises(InvalidTimeError, match="bool"):
        to_ns(True)
    with pytest.raises(InvalidTimeError, match="'yesterday'"):
        to_ns("yesterday")


@given(start=name_times, npts=st.integers(1, 10**7),
       rate=st.sampled_from([0.1, 1.0, 3.3, 20.0, 40.0, 100.0, 200.0, 1000.0 / 3]))
@settings(max_examples=200)
def test_end_ns_is_the_exactly_rounded_last_sample_time(start, npts, rate):
    from fractions import Fraction

    exact = Fraction(start) + Fraction(npts - 1) * NS / Fraction(rate)
    assert abs(end_ns(start, npts, rate) - exact) <= Fraction(1, 2)
