"""asdfkit.io.sacmeta: SacMetadata gives what the per-trace functions give, building each object once."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import obspy
import pytest
from obspy import Inventory, Trace
from obspy.core.event import Event, Pick
from obspy.io.sac.core import _is_sac

from asdfkit.io.sacmeta import SacMetadata, event_from_sac, picks_from_sac, reference_time, station_from_sac
from asdfkit.io.sacread import read_sac

OBSPY = Path(obspy.__file__).parent
SAC_DATA = OBSPY / "io" / "sac" / "tests" / "data"


def _readable_obspy_sac() -> list[Trace]:
    """Every SAC file ObsPy ships that ObsPy reads without complaint (two have sizes unlike npts)."""
    traces = []
    for path in sorted(p for p in OBSPY.glob("**/data/**/*") if p.is_file()):
        if _is_sac(str(path)) and path.name not in {"seism-longer.sac", "seism-shorter.sac"}:
            traces.append(obspy.read(str(path), format="SAC")[0])
    return traces


@pytest.fixture(scope="module")
def obspy_traces() -> list[Trace]:
    with pytest.warns(UserWarning, match="rounded of to microsecond precision"):
        return _readable_obspy_sac()


@pytest.fixture(scope="module")
def berkeley_traces(shared_data: Path) -> list[Trace]:
    """The 30 Berkeley recordings with the network and channel codes convert's -n/-c options give."""
    traces = []
    for path in sorted((shared_data / "css" / "berkeley_1998").glob("19980812141000.*")):
        trace = read_sac(path)[0]
        trace.stats.network = "BK"
        trace.stats.channel = path.suffix[1:]
        traces.append(trace)
    return traces


def _event_fields(event: Event | None) -> Any:
    """What QuakeML keeps of a SAC-header event."""
    if event is None:
        return None
    return {
        "id": str(event.resource_id),
        "preferred": (str(event.preferred_origin_id), str(event.preferred_magnitude_id)),
        "origins": [(str(o.resource_id), o.time.ns, o.latitude, o.longitude, o.depth) for o in event.origins],
        "magnitudes": [
            (str(m.resource_id), m.mag, m.magnitude_type, str(m.origin_id)) for m in event.magnitudes
        ],
        "descriptions": [(d.text, d.type) for d in event.event_descriptions],
        "comments": [c.text for c in event.comments],
    }


def _pick_fields(picks: list[Pick]) -> list[Any]:
    return [
        (
            str(p.resource_id),
            p.time.ns,
            p.waveform_id.get_seed_string(),
            p.phase_hint,
            p.onset,
            p.polarity,
            p.evaluation_mode,
            [c.text for c in p.comments],
        )
        for p in picks
    ]


def _channels(inventory: Inventory) -> list[Any]:
    """Every channel with its network and station fields (what StationXML keeps), sorted."""
    out = []
    for net in inventory:
        for sta in net:
            for cha in sta:
                out.append(
                    (
                        net.code,
                        sta.code,
                        sta.latitude,
                        sta.longitude,
                        sta.elevation,
                        sta.site.name,
                        cha.code,
                        cha.location_code,
                        cha.latitude,
                        cha.longitude,
                        cha.elevation,
                        cha.depth,
                        cha.sample_rate,
                        cha.azimuth,
                        cha.dip,
                    )
                )
    return sorted(out, key=repr)


def _unique(channels: list[Any]) -> list[Any]:
    return list({repr(c): c for c in channels}.values())


def _per_trace(traces: list[Trace]) -> tuple[dict[str, Any], dict[str, Any], Inventory]:
    """What convert collected before SacMetadata: the per-trace functions and ``Inventory +=``."""
    events, picks = {}, {}
    inventory = Inventory(networks=[], source="per trace")
    for trace in traces:
        key = SacMetadata.key(trace)
        event = event_from_sac(trace)
        if event is not None:
            events[key] = event
        found = picks_from_sac(trace)
        if found:
            picks[key] = found
        station = station_from_sac(trace)
        if station is not None and trace.stats.network:
            inventory += station
    return events, picks, inventory


def _collect(traces: list[Trace]) -> SacMetadata:
    meta = SacMetadata()
    for trace in traces:
        meta.add(trace)
    return meta


@pytest.mark.parametrize("which", ["obspy_traces", "berkeley_traces"])
def test_same_content_as_per_trace_functions(which: str, request: pytest.FixtureRequest) -> None:
    traces = request.getfixturevalue(which)
    events, picks, inventory = _per_trace(traces)
    meta = _collect(traces)
    assert {k: _event_fields(e) for k, e in meta.events.items()} == {
        k: _event_fields(e) for k, e in events.items()
    }
    assert {k: _pick_fields(p) for k, p in meta.picks.items()} == {
        k: _pick_fields(p) for k, p in picks.items()
    }
    merged = meta.inventory()
    # the same channel read from two files (ObsPy ships CRLZ twice) is listed once
    assert _channels(merged) == _unique(_channels(inventory))
    assert len({n.code for n in merged}) == len(merged.networks)  # one network per code
    for net in merged:
        assert len({(s.code, s.latitude, s.longitude) for s in net}) == len(net.stations)


def test_obspy_files_give_events_picks_and_stations(obspy_traces: list[Trace]) -> None:
    """The comparison above is not vacuous: ObsPy's files carry events, labelled picks and stations."""
    meta = _collect(obspy_traces)
    assert meta.events and meta.picks
    assert any(p.phase_hint == "P" and p.onset == "impulsive" for ps in meta.picks.values() for p in ps)
    assert _channels(meta.inventory())


def test_berkeley_stations_one_network_ten_stations(berkeley_traces: list[Trace]) -> None:
    inventory = _collect(berkeley_traces).inventory()
    assert [n.code for n in inventory] == ["BK"]
    stations = {t.stats.station for t in berkeley_traces}
    assert sorted(s.code for s in inventory[0]) == sorted(stations)
    assert sum(len(s.channels) for s in inventory[0]) == len(berkeley_traces)
    # the merged inventory is valid StationXML that reads back with every channel
    buffer = io.BytesIO()
    inventory.write(buffer, format="STATIONXML", validate=True)
    back = obspy.read_inventory(io.BytesIO(buffer.getvalue()))
    assert _channels(back) == _channels(inventory)


def _copies(trace: Trace, channels: list[str]) -> list[Trace]:
    out = []
    for code in channels:
        copy = trace.copy()
        copy.stats.channel = code
        out.append(copy)
    return out


def test_one_event_object_shared_by_traces_of_one_event() -> None:
    trace = read_sac(SAC_DATA / "dis.G.SCZ.__.BHE_short")[0]
    traces = _copies(trace, ["BHE", "BHN", "BHZ"])
    meta = _collect(traces)
    assert len(meta.events) == 3
    assert len({id(e) for e in meta.events.values()}) == 1
    per_trace = [event_from_sac(t) for t in traces]
    assert len({id(e) for e in per_trace}) == 3  # the per-trace function builds one each
    assert all(_event_fields(e) == _event_fields(per_trace[0]) for e in meta.events.values())
    assert (
        meta.events[SacMetadata.key(traces[0])].origins[0].time == reference_time(trace) + trace.stats.sac.o
    )


def test_picks_belong_to_their_trace() -> None:
    trace = read_sac(SAC_DATA / "seism.sac")[0]
    traces = _copies(trace, ["BHE", "BHZ"])
    meta = _collect(traces)
    first, second = (meta.picks[SacMetadata.key(t)] for t in traces)
    assert [p.waveform_id.channel_code for p in first] == ["BHE"] * len(first)
    assert {str(p.resource_id) for p in first}.isdisjoint(str(p.resource_id) for p in second)
    assert [p.time for p in first] == [p.time for p in second]


def test_same_channel_twice_listed_once(berkeley_traces: list[Trace]) -> None:
    trace = berkeley_traces[0]
    later = trace.copy()
    later.stats.starttime += 3600  # the next hour of the same channel
    _, _, inventory = _per_trace([trace, later])
    merged = _collect([trace, later]).inventory()
    assert len(_channels(inventory)) == 2
    assert _channels(merged) == _channels(inventory)[:1]


def test_station_moved_keeps_both_positions(berkeley_traces: list[Trace]) -> None:
    trace = berkeley_traces[0]
    moved = trace.copy()
    moved.stats.sac.stla += 0.5
    merged = _collect([trace, moved]).inventory()
    assert [s.latitude for s in merged[0]] == [trace.stats.sac.stla, moved.stats.sac.stla]


def test_traces_without_header_or_network(obspy_data: Path, berkeley_traces: list[Trace]) -> None:
    mseed = obspy.read(str(obspy_data / "io" / "mseed" / "tests" / "data" / "test.mseed"))[0]
    no_network = berkeley_traces[0].copy()
    no_network.stats.network = ""
    meta = _collect([mseed, no_network])
    assert not meta.events and not meta.picks
    assert not meta.inventory().networks
    assert station_from_sac(no_network) is not None  # the header has a station; it needs a network code
