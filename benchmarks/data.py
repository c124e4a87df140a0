"""Benchmark inputs built from real recordings, events and StationXML shipped with obspy/pyasdf.

* Waveforms: 40 Hz broadband recordings (AE.113A, TA.POKR; int32 counts) from
  pyasdf's ``small_sample_data_set``, cut into windows and stored as float32
  (exact for these counts), so the compression filters see real seismic data.
* Events: the three EMSC events of ``obspy.read_events()``, copied with fresh
  resource ids for every object (events, origins, magnitudes...).
* Stations: the real StationXML of AE.113A (3 channels with full responses),
  copied under new station codes.
"""

from __future__ import annotations

import copy
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import obspy
from obspy import Inventory, Stream, Trace, UTCDateTime
from obspy.core.event import Catalog, Event, ResourceIdentifier

__all__ = [
    "BASE_START",
    "NETWORK",
    "WaveformLayout",
    "make_events",
    "make_inventory",
    "make_streams",
    "pyasdf_data_dir",
    "real_samples",
    "station_code",
]

#: Network code of every synthetic station.
NETWORK = "XX"
#: Start of the first time window (the recordings' own start).
BASE_START = UTCDateTime("2013-05-24T05:40:00")


def pyasdf_data_dir() -> Path:
    """Folder of the test data shipped inside the installed pyasdf package."""
    import pyasdf

    return Path(pyasdf.__file__).parent / "tests" / "data"


def station_code(i: int) -> str:
    """Station code of the ``i``-th synthetic station (``S0000`` ...)."""
    return f"S{i:04d}"


@functools.cache
def real_samples() -> tuple[np.ndarray, ...]:
    """The six real 40 Hz recordings (168,001 samples each) as float32 arrays."""
    folder = pyasdf_data_dir() / "small_sample_data_set"
    stream = obspy.read(str(folder / "*.mseed"))
    stream.sort()
    return tuple(np.ascontiguousarray(tr.data, dtype=np.float32) for tr in stream)


def _window(k: int, npts: int) -> np.ndarray:
    """Real samples for the ``k``-th trace: a window of one recording."""
    sources = real_samples()
    source = sources[k % len(sources)]
    span = len(source) - npts
    offset = (k * 7919) % span if span > 0 else 0
    return source[offset:offset + npts].copy()


@dataclass(frozen=True)
class WaveformLayout:
    """How many traces of which channels each station holds."""

    channels: tuple[tuple[str, float], ...]
    windows: int
    #: Seconds between the starts of consecutive time windows.
    window_step: float = 3600.0

    @property
    def per_station(self) -> int:
        return len(self.channels) * self.windows


#: 10 traces per station: 5 channels x 2 time windows.
SCENARIO_LAYOUT = WaveformLayout(
    channels=(("BHZ", 40.0), ("BHN", 40.0), ("BHE", 40.0), ("HHZ", 100.0), ("HHN", 100.0)),
    windows=2,
)
#: 32 traces per station: 4 channels x 8 time windows (the 100,000-trace header file).
HEADER_LAYOUT = WaveformLayout(
    channels=(("BHZ", 40.0), ("BHN", 40.0), ("BHE", 40.0), ("HHZ", 100.0)),
    windows=8,
)


def make_streams(n_stations: int, npts: int, layout: WaveformLayout = SCENARIO_LAYOUT) -> list[Stream]:
    """One ``Stream`` per station, ``layout.per_station`` float32 traces of ``npts`` samples."""
    streams = []
    k = 0
    for s in range(n_stations):
        traces = []
        for window in range(layout.windows):
            start = BASE_START + window * layout.window_step
            for channel, rate in layout.channels:
                tr = Trace(data=_window(k, npts))
                tr.stats.network = NETWORK
                tr.stats.station = station_code(s)
                tr.stats.location = ""
                tr.stats.channel = channel
                tr.stats.sampling_rate = rate
                tr.stats.starttime = start
                traces.append(tr)
                k += 1
        streams.append(Stream(traces))
    return streams


@functools.cache
def _example_quakeml() -> tuple[bytes, re.Pattern[bytes]]:
    """QuakeML of obspy's example events and a regex matching every resource id inside them."""
    catalog: Catalog = obspy.read_events()
    catalog.resource_id = ResourceIdentifier("smi:local/asdfkit-benchmark/catalog")
    buffer = io.BytesIO()
    catalog.write(buffer, format="QUAKEML", validate=False)
    raw = buffer.getvalue()
    ids = set(re.findall(rb'publicID="([^"]+)"', raw)) - {b"smi:local/asdfkit-benchmark/catalog"}
    pattern = re.compile(b"|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)))
    return raw, pattern


def make_events(count: int) -> list[Event]:
    """``count`` distinct events: copies of obspy's example events with fresh resource ids.

    Every id inside an event (event, origins, magnitudes, and the references to
    them such as ``preferredOriginID``) gets the same unique suffix per copy, so
    each copy is a self-consistent new event.
    """
    raw, pattern = _example_quakeml()
    events: list[Event] = []
    copy_no = 0
    while len(events) < count:
        suffix = rb"\g<0>/bench-copy-" + str(copy_no).encode()
        text = pattern.sub(suffix, raw)
        catalog = obspy.read_events(io.BytesIO(text), format="QUAKEML")
        events.extend(catalog.events[: count - len(events)])
        copy_no += 1
    return events


def make_inventory(n_stations: int) -> Inventory:
    """An ``Inventory`` of ``n_stations`` copies of AE.113A's real StationXML.

    The copies are network ``XX``, stations ``S0000``..., the codes of the
    synthetic waveforms, so inventory and waveforms belong together.
    """
    source = obspy.read_inventory(str(pyasdf_data_dir() / "small_sample_data_set" / "AE.113A..BH_.xml"))
    template_network = source.networks[0]
    template_station = template_network.stations[0]
    network = copy.deepcopy(template_network)
    network.code = NETWORK
    network.stations = []
    for i in range(n_stations):
        station = copy.deepcopy(template_station)
        station.code = station_code(i)
        network.stations.append(station)
    network.selected_number_of_stations = n_stations
    return Inventory(networks=[network], source=source.source, sender=source.sender,
                     created=source.created, module=source.module, module_uri=source.module_uri)
