"""Groups, labels and header tables on real recordings: Geopsy's signal database, inside ASDF.

Builds an ASDF file from pyasdf's small real data set (stations AE.113A and
TA.POKR, three 40 Hz components each, one event with its StationXML), then:

- makes a nested static group (``arrays/ta``) and two dynamic ones
  (``components/vertical`` by channel, ``near`` by distance from the event);
- labels the vertical traces ``reviewed`` after they were written;
- adds later recordings, which the dynamic group picks up and the static one does not;
- prints the header table with distances and back azimuths from the event;
- extracts one group into its own file, validates both files.

Run::

    python examples/groups_and_headers.py groups.h5
    python examples/groups_and_headers.py groups.h5 --data DIR   # another copy of the data set
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import obspy

import asdfkit
from asdfkit.container.surgery import extract

log = logging.getLogger("groups_and_headers")


def sample_data() -> Path:
    """pyasdf's small real data set (installed with pyasdf's tests)."""
    import pyasdf

    return Path(pyasdf.__file__).parent / "tests" / "data" / "small_sample_data_set"


def build(path: Path, data: Path) -> obspy.core.event.Event:
    """Write the recordings, stations and event of ``data`` into ``path``; return the event."""
    stream = obspy.Stream()
    for mseed in sorted(data.glob("*.mseed")):
        stream += obspy.read(str(mseed))
    catalog = obspy.read_events(str(data / "quake.xml"))
    with asdfkit.open(path, "w") as f:
        f.add_events(catalog)
        for xml in sorted(data.glob("*.xml")):
            if xml.name != "quake.xml":
                f.add_stations(obspy.read_inventory(str(xml)))
        f.add_waveforms(stream, tag="raw_recording", event_id=catalog[0])
    return catalog[0]


def organise(path: Path, event: obspy.core.event.Event) -> None:
    """Groups and labels, then later recordings."""
    with asdfkit.open(path, "r+") as f:
        f.groups.create("arrays/ta", members=f.list_waveforms(network="TA"), comment="the TA station")
        f.groups.create("components/vertical", query={"channel": "BHZ"}, comment="every Z trace")
        f.groups.create("near", query={"distance_event": str(event.resource_id), "max_distance_deg": 40.0})
        changed = f.add_labels("reviewed", group="components/vertical")
        print(f"labelled {changed} trace(s) 'reviewed'")
        later = f.get_waveforms(tag="raw_recording")
        for trace in later:
            trace.stats.starttime += 86400
        f.add_waveforms(later, tag="raw_recording")
        for name in f.groups:
            group = f.groups[name]
            print(f"group {name} ({group.kind}): {len(f.groups.members(name))} trace(s)")
        print(f"folders: {', '.join(f.groups.folders())}")


def table(path: Path, event: obspy.core.event.Event) -> None:
    """The header table of the first day's traces, with distances from the event."""
    with asdfkit.open(path) as f:
        frame = f.headers(event=event, endtime=event.preferred_origin().time + 86400 / 2)
    print(frame[["station", "channel", "npts", "distance_km", "distance_deg", "back_azimuth",
                 "labels", "groups"]].to_string(index=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path, help="ASDF file to write")
    parser.add_argument("--data", type=Path, help="folder of the small sample data set")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    event = build(args.output, args.data or sample_data())
    organise(args.output, event)
    table(args.output, event)
    part = args.output.with_name(args.output.stem + "_vertical.h5")
    extract(args.output, part, group="components/vertical", overwrite=True)
    with asdfkit.open(part) as f:
        print(f"extracted {f.n_waveforms} trace(s); groups there: {', '.join(f.groups)}; "
              f"arrays/ta keeps {len(f.groups['arrays/ta'].members)} member(s)")
    for checked in (args.output, part):
        report = asdfkit.validate(checked)
        print(f"validate {checked.name}: {'valid' if report.ok else 'INVALID'} ({report.counts['error']} error(s))")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
