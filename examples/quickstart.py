"""Build an ASDF file from the real data that ships inside ObsPy, then summarise it.

ObsPy's package holds real recordings (station BW.RJOB, 3 components, 100 Hz),
a real StationXML inventory (BW and GR stations) and a real QuakeML catalogue.
This script puts all of it into one ASDF file, adds a processed copy of the
waveforms and an auxiliary array, and prints what the file contains.

Run::

    python examples/quickstart.py quickstart.h5
"""

from __future__ import annotations

import argparse
import logging

import numpy as np
import obspy

import asdfkit
from asdfkit.cli.info import format_summary

log = logging.getLogger("quickstart")


def build(path: str) -> dict:
    """Write ``path`` and return its summary."""
    raw = obspy.read()  # real recordings shipped with ObsPy
    inventory = obspy.read_inventory()
    catalog = obspy.read_events()

    processed = raw.copy()
    processed.detrend("linear").taper(0.05).filter("bandpass", freqmin=1.0, freqmax=10.0)
    processed = processed.select(channel="EH?")
    for trace in processed:
        trace.data = trace.data.astype(np.float32)

    with asdfkit.open(path, "w") as f:
        f.add_events(catalog)
        f.add_stations(inventory)
        f.add_waveforms(raw, tag="raw_recording", labels=["example", "obspy"])
        f.add_waveforms(processed, tag="bandpass_1_10hz", labels=["example", "processed"])
        for trace in processed:
            spectrum = np.abs(np.fft.rfft(trace.data))
            f.add_auxiliary_data(
                spectrum.astype(np.float32),
                data_type="AmplitudeSpectra",
                path=f"{trace.stats.network}_{trace.stats.station}/{trace.stats.channel}",
                attrs={"frequency_step_hz": trace.stats.sampling_rate / trace.stats.npts,
                       "seed_id": trace.id},
            )
    with asdfkit.open(path) as f:
        return f.summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="quickstart.h5", help="ASDF file to write")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    summary = build(args.output)
    print(format_summary(summary))  # the script's result, for the user to read


if __name__ == "__main__":
    main()
