"""dbmoment_events: events, picks and arrivals against the QuakeML Antelope exported from them,
and a moved database whose waveform directories are remapped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from obspy import UTCDateTime

from asdfkit.io.css import read_css

# The absolute dir the dbmoment wfdisc was written with, on the machine that made it.
REMAP_FROM = "/opt/antelope/5.6/contrib/example/dbmoment/EXAMPLE_2"

BED = "{http://quakeml.org/xmlns/bed/1.2}"


def _text(node: Any, path: str) -> str | None:
    found = node.find(path.replace("q:", BED))
    return None if found is None or found.text is None else found.text.strip() or None


def reference(path: Path) -> dict[str, Any]:
    """Antelope's QuakeML, read with lxml (it does not validate against the QuakeML XSD)."""
    root = etree.parse(str(path)).getroot()
    events = {}
    for event in root.iter(f"{BED}event"):
        picks = {}
        for pick in event.findall(f"{BED}pick"):
            wid = pick.find(f"{BED}waveformID")
            picks[pick.get("publicID").rsplit("/", 1)[-1]] = {
                "time": UTCDateTime(_text(pick, "q:time/q:value")),
                "waveform": (wid.get("networkCode"), wid.get("stationCode"), wid.get("locationCode"),
                             wid.get("channelCode")),
                "phase_hint": _text(pick, "q:phaseHint"), "onset": _text(pick, "q:onset"),
                "polarity": _text(pick, "q:polarity"), "backazimuth": float(_text(pick, "q:backazimuth/q:value")),
            }
        origins = {}
        for origin in event.findall(f"{BED}origin"):
            arrivals = {}
            for arr in origin.findall(f"{BED}arrival"):
                arrivals[_text(arr, "q:pickID").rsplit("/", 1)[-1]] = {
                    "phase": _text(arr, "q:phase"), "distance": float(_text(arr, "q:distance")),
                    "time_residual": float(_text(arr, "q:timeResidual")),
                    "time_weight": float(_text(arr, "q:timeWeight")), "azimuth": float(_text(arr, "q:azimuth")),
                }
            origins[origin.get("publicID").rsplit("/", 1)[-1]] = {
                "time": UTCDateTime(_text(origin, "q:time/q:value")),
                "latitude": float(_text(origin, "q:latitude/q:value")),
                "longitude": float(_text(origin, "q:longitude/q:value")),
                "depth": float(_text(origin, "q:depth/q:value")), "arrivals": arrivals,
            }
        preferred = _text(event, "q:preferredOriginID").rsplit("/", 1)[-1]
        events[event.get("publicID").rsplit("/", 1)[-1].lstrip("0")] = {
            "picks": picks, "origins": origins, "preferred": preferred,
        }
    return events


@pytest.fixture(scope="module")
def catalog(dbmoment: Path) -> Any:
    reader = read_css(dbmoment)
    return reader.events()


def _ours(catalog: Any, evid: str) -> Any:
    return next(e for e in catalog if str(e.resource_id).endswith(f"/event/{evid}"))


@pytest.mark.parametrize(("xml", "evids"), [("event_1.xml", ["1"]), ("event_2.xml", ["2"]),
                                            ("example.xml", ["1", "2"])])
def test_events_match_antelopes_quakeml(catalog: Any, dbmoment: Path, xml: str, evids: list[str]) -> None:
    ref = reference(dbmoment.parent / xml)
    assert sorted(ref) == evids
    for evid in evids:
        event, expected = _ours(catalog, evid), ref[evid]
        assert str(event.preferred_origin_id).rsplit("/", 1)[-1] == expected["preferred"]
        # example.xml also repeats origin 1 (with its picks) inside event 2: a third exporter fault.
        if xml == "example.xml" and evid == "2":
            expected["origins"] = {k: v for k, v in expected["origins"].items() if k == expected["preferred"]}
            expected["picks"] = {}
        assert sorted(str(o.resource_id).rsplit("/", 1)[-1] for o in event.origins) == sorted(expected["origins"])
        for origin in event.origins:
            exp = expected["origins"][str(origin.resource_id).rsplit("/", 1)[-1]]
            assert abs(origin.time - exp["time"]) < 0.0005
            assert (origin.latitude, origin.longitude, origin.depth) == (exp["latitude"], exp["longitude"], exp["depth"])
            assert len(origin.arrivals) == len(exp["arrivals"])
            for arrival in origin.arrivals:
                want = exp["arrivals"][str(arrival.pick_id).rsplit("/", 1)[-1]]
                assert arrival.phase == want["phase"] and arrival.distance == want["distance"]
                assert arrival.time_residual == want["time_residual"]
                assert arrival.time_weight == want["time_weight"] and arrival.azimuth == want["azimuth"]
        assert sorted(str(p.resource_id).rsplit("/", 1)[-1] for p in event.picks) == sorted(expected["picks"])
        for pick in event.picks:
            want = expected["picks"][str(pick.resource_id).rsplit("/", 1)[-1]]
            assert abs(pick.time - want["time"]) < 0.0005  # the exporter writes milliseconds
            wid = pick.waveform_id
            assert (wid.network_code, wid.station_code, wid.location_code, wid.channel_code) == want["waveform"]
            assert pick.phase_hint == want["phase_hint"]
            assert (pick.onset, pick.polarity) == (want["onset"], want["polarity"]) == (None, None)


def test_backazimuth_is_not_the_exporters_esaz(catalog: Any, dbmoment: Path) -> None:
    ref = reference(dbmoment.parent / "event_1.xml")["1"]
    event = _ours(catalog, "1")
    for pick in event.picks:
        arid = str(pick.resource_id).rsplit("/", 1)[-1]
        esaz = ref["origins"]["1"]["arrivals"][arid]["azimuth"]
        assert ref["picks"][arid]["backazimuth"] == esaz  # the exporter's fault
        assert pick.backazimuth is None  # arrival.azimuth (the measured one) is null in these tables


def test_exact_pick_times_and_counts(catalog: Any, dbmoment: Path) -> None:
    event = _ours(catalog, "1")
    times = sorted(p.time.ns for p in event.picks)
    assert times == [5_494_370_000, 651_660_690_000, 651_681_440_000]
    assert event.origins[0].quality.used_phase_count == 3
    assert event.origins[0].evaluation_status == "reviewed"


def test_remapped_waveforms_found_and_absent_ones_reported(dbmoment: Path, berkeley: Path) -> None:
    reader = read_css(dbmoment, default_network="BK", remap={REMAP_FROM: str(berkeley.parent)})
    traces = list(reader.traces())
    assert len(traces) == 30
    assert sorted({t.stats.station for t in traces}) == ["BKS", "CMB", "HOPS", "JRSC", "KCC", "MHC", "ORV",
                                                         "PKD", "SAO", "YBH"]
    missing = reader.report.missing
    assert len(missing) == 9
    assert {Path(m.path).name for m in missing} == {"testdata1", "testdata2", "testdata3"}
    assert all("EXAMPLE_1" in m.path and "does not exist" in m.reason for m in missing)
    assert [int(m.row.rsplit(":", 1)[1]) for m in missing] == list(range(1, 10))


def test_without_remap_every_row_is_reported_missing(dbmoment: Path) -> None:
    reader = read_css(dbmoment, default_network="BK")
    assert list(reader.traces()) == []
    assert len(reader.report.missing) == 39
