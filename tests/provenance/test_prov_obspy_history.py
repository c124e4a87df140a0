"""SEIS-PROV chains from ObsPy's processing history, on real traces processed by ObsPy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import obspy
import pytest
from prov.model import ProvActivity

from asdfkit.errors import InvalidValueError
from asdfkit.provenance import (
    ASDFKIT_NAMESPACE,
    ProvenanceBuilder,
    ProvGraph,
    chain_from_trace,
    parse_step,
    validate,
)

SP = "http://seisprov.org/seis_prov/0.1/#"
INVENTORY = obspy.read_inventory()


def _activities(builder: ProvenanceBuilder) -> list[tuple[str, dict[str, Any]]]:
    """``(prov:type, {attribute: value})`` of every activity, in document order."""
    out = []
    for record in builder.document.get_records(ProvActivity):
        attrs = {k.localpart: v for k, v in record.attributes
                 if k.namespace.uri in (SP, ASDFKIT_NAMESPACE)}
        (prov_type,) = [str(v) for k, v in record.attributes if k.localpart == "type" and k.namespace.prefix == "prov"]
        out.append((prov_type, attrs))
    return out


def _pad(t: obspy.Trace) -> None:
    t.trim(t.stats.starttime - 1, t.stats.endtime + 1, pad=True, fill_value=0)


START = obspy.UTCDateTime(2009, 8, 24, 0, 20, 4)
END = obspy.UTCDateTime(2009, 8, 24, 0, 20, 30)

#: (processing applied to obspy.read()[0], SEIS-PROV type, attributes it must carry)
MAPPED: list[tuple[str, Callable[[obspy.Trace], Any], str, dict[str, Any]]] = [
    ("detrend-linear", lambda t: t.detrend("linear"), "detrend", {"detrending_method": "linear fit"}),
    ("detrend-demean", lambda t: t.detrend("demean"), "detrend", {"detrending_method": "demean"}),
    ("detrend-simple", lambda t: t.detrend("simple"), "detrend", {"detrending_method": "simple"}),
    ("taper", lambda t: t.taper(0.05, type="hann"), "taper",
     {"window_type": "hann", "taper_width": 0.05, "side": "both"}),
    ("bandpass-zerophase", lambda t: t.filter("bandpass", freqmin=1.0, freqmax=5.0, corners=3, zerophase=True),
     "bandpass_filter", {"filter_type": "Butterworth", "lower_corner_frequency": 1.0,
                         "upper_corner_frequency": 5.0, "filter_order": 3, "number_of_passes": 2}),
    ("lowpass", lambda t: t.filter("lowpass", freq=5.0), "lowpass_filter",
     {"filter_type": "Butterworth", "corner_frequency": 5.0, "filter_order": 4, "number_of_passes": 1}),
    ("highpass", lambda t: t.filter("highpass", freq=1.0, corners=2), "highpass_filter",
     {"corner_frequency": 1.0, "filter_order": 2, "number_of_passes": 1}),
    ("bandstop", lambda t: t.filter("bandstop", freqmin=2.0, freqmax=4.0), "bandstop_filter",
     {"lower_corner_frequency": 2.0, "uppoer_corner_frequency": 4.0, "filter_order": 4}),
    ("resample", lambda t: t.resample(50.0), "resample",
     {"new_sampling_rate": 50.0, "frequency_domain_window": "hann"}),
    ("interpolate-default", lambda t: t.interpolate(50.0), "interpolate",
     {"interpolation_method": "weighted average slopes", "new_sampling_rate": 50.0}),
    ("interpolate-linear", lambda t: t.interpolate(25.0, method="linear"), "interpolate",
     {"interpolation_method": "linear", "new_sampling_rate": 25.0}),
    ("interpolate-cubic", lambda t: t.interpolate(50.0, method="cubic"), "interpolate",
     {"interpolation_method": "cubic spline"}),
    ("interpolate-slinear", lambda t: t.interpolate(50.0, method="slinear"), "interpolate",
     {"interpolation_method": "linear spline"}),
    ("interpolate-nearest", lambda t: t.interpolate(50.0, method="nearest"), "interpolate",
     {"interpolation_method": "nearest"}),
    ("trim-cut", lambda t: t.trim(START, END), "cut",
     {"new_start_time": dt.datetime(2009, 8, 24, 0, 20, 4), "new_end_time": dt.datetime(2009, 8, 24, 0, 20, 30)}),
    ("trim-pad", _pad, "pad", {"fill_value": 0, "new_start_time": dt.datetime(2009, 8, 24, 0, 20, 2)}),
    ("remove-response", lambda t: t.remove_response(inventory=INVENTORY, output="DISP", water_level=60),
     "remove_response", {"water_level": 60.0, "output_units": "m"}),
    ("differentiate", lambda t: t.differentiate(), "differentiate",
     {"order": 1, "differentiation_method": "gradient"}),
    ("integrate", lambda t: t.integrate(), "integrate", {"order": 1, "integration_method": "cumtrapz"}),
    ("normalize", lambda t: t.normalize(), "normalize", {"normalization_method": "absolute maximum"}),
]


@pytest.mark.parametrize(("step", "seis_prov_type", "expected"), [m[1:] for m in MAPPED], ids=[m[0] for m in MAPPED])
def test_processing_maps_to_its_seis_prov_activity(processed: Callable[..., obspy.Trace], step: Any,
                                                   seis_prov_type: str, expected: dict[str, Any]) -> None:
    trace = processed(step)
    assert len(trace.stats.processing) == 1
    builder, final = chain_from_trace(trace)
    ((prov_type, attrs),) = _activities(builder)
    assert prov_type == f"seis_prov:{seis_prov_type}"
    assert {k: attrs.get(k) for k in expected} == expected
    report = validate(builder.to_xml())
    assert report.ok, str(report)
    assert final.localpart.startswith("sp003_wf_")  # source sp001, activity sp002


def test_decimate_records_obspys_antialias_filter_as_its_own_step(processed: Callable[..., obspy.Trace]) -> None:
    trace = processed(lambda t: t.decimate(2))
    builder, _ = chain_from_trace(trace)
    steps = _activities(builder)
    assert len(steps) == len(trace.stats.processing) == 2
    (filter_type, filter_attrs), (decimate_type, decimate_attrs) = steps
    assert filter_type == "asdfkit:obspy_filter"  # lowpass_cheby_2 has no SEIS-PROV type
    assert (filter_attrs["type"], filter_attrs["freq"], filter_attrs["maxorder"]) == ("lowpass_cheby_2", 25.0, 12)
    assert (decimate_type, decimate_attrs) == ("seis_prov:decimate", {"factor": 2})
    assert validate(builder.to_xml()).ok


#: Steps SEIS-PROV has no exact type for: plain PROV activities carrying what ObsPy recorded.
UNMAPPED: list[tuple[str, Callable[[obspy.Trace], Any], str, dict[str, Any]]] = [
    ("detrend-spline", lambda t: t.detrend("spline", order=2, dspline=500), "obspy_detrend",
     {"type": "spline", "order": 2, "dspline": 500}),
    ("filter-cheby", lambda t: t.filter("lowpass_cheby_2", freq=5.0), "obspy_filter",
     {"type": "lowpass_cheby_2", "freq": 5.0}),
    ("taper-max-length", lambda t: t.taper(0.05, max_length=2.0), "obspy_taper",
     {"type": "hann", "max_length": 2.0, "max_percentage": 0.05}),
    ("interpolate-lanczos", lambda t: t.interpolate(50.0, method="lanczos", a=2), "obspy_interpolate",
     {"method": "lanczos", "a": 2, "sampling_rate": 50.0}),
    ("pad-without-fill", lambda t: t.trim(t.stats.starttime - 1, t.stats.endtime, pad=True), "obspy_trim",
     {"pad": True, "starttime": "2009-08-24T00:20:02.000000Z"}),
    ("remove-response-prefilter", lambda t: t.remove_response(inventory=INVENTORY, pre_filt=(0.01, 0.02, 30, 35)),
     "obspy_remove_response", {"output": "VEL", "pre_filt": "(0.01, 0.02, 30, 35)", "water_level": 60}),
    ("decimate-no-filter", lambda t: t.decimate(2, no_filter=True), "obspy_decimate",
     {"factor": 2, "no_filter": True}),
]


@pytest.mark.parametrize(("step", "name", "expected"), [u[1:] for u in UNMAPPED], ids=[u[0] for u in UNMAPPED])
def test_unmapped_steps_are_kept_with_their_parameters(processed: Callable[..., obspy.Trace], step: Any,
                                                       name: str, expected: dict[str, Any]) -> None:
    trace = processed(step)
    builder, _ = chain_from_trace(trace)
    ((prov_type, attrs),) = _activities(builder)
    assert prov_type == f"asdfkit:{name}"
    assert {k: attrs.get(k) for k in expected} == expected
    assert attrs["software"] == "ObsPy " + obspy.__version__
    assert attrs["call"] == trace.stats.processing[0]
    assert validate(builder.to_xml()).ok


def test_a_long_history_keeps_every_step_in_order(processed: Callable[..., obspy.Trace]) -> None:
    def history(t: obspy.Trace) -> None:
        t.detrend("linear").detrend("spline", order=3, dspline=1000).taper(0.05)
        t.filter("bandpass", freqmin=0.5, freqmax=10.0).interpolate(50.0, method="lanczos", a=3)
        t.remove_response(inventory=INVENTORY, output="VEL").differentiate().integrate().normalize()
        t.trim(START, END).decimate(5)

    trace = processed(history)
    builder, final = chain_from_trace(trace)
    steps = _activities(builder)
    assert len(steps) == len(trace.stats.processing) == 12
    names = [t.split(":")[1] for t, _ in steps]
    assert names == ["detrend", "obspy_detrend", "taper", "bandpass_filter", "obspy_interpolate", "remove_response",
                     "differentiate", "integrate", "normalize", "cut", "obspy_filter", "decimate"]
    assert validate(builder.to_xml()).ok
    graph = ProvGraph()
    graph.add(builder.document)
    final_record = graph.record(f"{{{SP}}}{final.localpart}")
    assert final_record.attributes["sampling_rate"] == trace.stats.sampling_rate
    assert final_record.attributes["number_of_samples"] == trace.stats.npts
    assert final_record.attributes["seed_id"] == "BW.RJOB..EHZ"
    agents = [r for r in graph.records.values() if r.kind == "agent"]
    assert [a.attributes["software_version"] for a in agents] == [obspy.__version__]


def test_one_document_holds_the_chains_of_several_traces() -> None:
    stream = obspy.read()
    stream.detrend("demean")
    stream.filter("lowpass", freq=2.0, zerophase=True)
    builder = ProvenanceBuilder()
    finals = [chain_from_trace(trace, builder)[1] for trace in stream]
    assert len(set(finals)) == 3
    assert len(_activities(builder)) == 6
    report = validate(builder.to_xml())
    assert report.ok and report.seis_prov_records == 1 + 3 * 5  # one ObsPy agent, 3 x (3 traces + 2 steps)


def test_a_trace_without_history_is_just_its_source() -> None:
    builder, final = chain_from_trace(obspy.read()[0])
    assert _activities(builder) == []
    assert validate(builder.to_xml()).ok and final.localpart.startswith("sp001_wf_")


@pytest.mark.parametrize(("text", "name", "parameters"), [
    ("ObsPy 1.5.1: detrend(options={}::type='linear')", "detrend", {"type": "linear"}),
    ("ObsPy 1.5.1: filter(args=()::options={'freq': 5.0}::type='lowpass')", "filter",
     {"args": (), "freq": 5.0, "type": "lowpass"}),
    ("ObsPy 1.5.1: trim(endtime=UTCDateTime(2009, 8, 24, 0, 20, 30)::pad=False)", "trim",
     {"endtime": obspy.UTCDateTime(2009, 8, 24, 0, 20, 30), "pad": False}),
    ("ObsPy 1.5.1: remove_response(inventory=<obspy Inventory at 0x7f>::output='VEL')", "remove_response",
     {"inventory": "<obspy Inventory at 0x7f>", "output": "VEL"}),
    ("MyTool 2.0-rc1: stack()", "stack", {}),
])
def test_parse_step_reads_obspys_strings(text: str, name: str, parameters: dict[str, Any]) -> None:
    step = parse_step(text)
    assert (step.name, step.parameters, step.text) == (name, parameters, text)
    assert step.software in ("ObsPy", "MyTool") and step.version in ("1.5.1", "2.0-rc1")


@pytest.mark.parametrize("bad", ["", "detrend(type='linear')", "ObsPy 1.5.1 detrend()", "ObsPy: detrend()",
                                 "ObsPy 1.5.1: detrend(type='linear'", "ObsPy 1.5.1: (x=1)", "just words"])
def test_parse_step_refuses_bad_strings(bad: str) -> None:
    with pytest.raises(InvalidValueError, match="invalid processing entry"):
        parse_step(bad)


def test_a_bad_history_entry_refuses_the_whole_chain(processed: Callable[..., obspy.Trace]) -> None:
    trace = processed(lambda t: t.detrend("linear"))
    trace.stats.processing.append("edited by hand")
    with pytest.raises(InvalidValueError, match="'edited by hand'"):
        chain_from_trace(trace)
