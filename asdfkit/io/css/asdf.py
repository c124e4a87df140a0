"""CSS database ↔ open ASDF file, streaming: what ``asdf-cli convert`` calls.

>>> import asdfkit
>>> with asdfkit.open("out.h5", "w") as f:                                    # doctest: +SKIP
...     report = css_to_asdf("berkeley_1998/example_2", f, default_network="BK")
>>> with asdfkit.open("out.h5") as f:                                         # doctest: +SKIP
...     report = asdf_to_css(f, "css/out", schema="css3.1", expanded=True)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from obspy import Trace

from ..selection import select_events, select_inventory
from .reader import CssReader
from .report import CssReport
from .writer import CssWriter

if TYPE_CHECKING:
    from ...container import ASDFFile

__all__ = ["asdf_to_css", "css_to_asdf"]


def css_to_asdf(source: str | os.PathLike[str] | CssReader, asdf: ASDFFile, *, tag: str = "raw_recording",
                events: bool = True, stations: bool = True, waveforms: bool = True,
                **read_options: Any) -> CssReport:
    """Add a CSS database's events, stations and waveforms to an open ASDF file.

    Parameters
    ----------
    source : path-like or CssReader
        The database (see :class:`~asdfkit.io.css.CssReader` for the options
        ``default_network``, ``remap``, ``schema``, ``expanded``, ``errors``, ``id_prefix``).
    asdf : ASDFFile
        Opened for writing (``asdfkit.open(path, "w")``).
    tag : str
        Waveform tag (``raw_recording``: CSS samples are digitizer counts).

    Returns
    -------
    CssReport
        Missing files, disagreements, fallbacks and counts.
    """
    reader = source if isinstance(source, CssReader) else CssReader(source, **read_options)
    if events:
        catalog = reader.events()
        if len(catalog):
            asdf.add_events(catalog)
    if stations:
        inventory = reader.inventory()
        if inventory.networks:
            asdf.add_stations(inventory)
    if waveforms:
        for trace in reader.traces():
            asdf.add_waveforms(trace, tag=tag)
    return reader.report


def _traces(asdf: ASDFFile, query: dict[str, Any]) -> Iterator[Trace]:
    window = query.get("starttime"), query.get("endtime")
    for header in asdf.list_waveforms(**query):
        yield asdf.get_waveform(header, *window)


def asdf_to_css(asdf: ASDFFile, dest: str | os.PathLike[str], *, schema: str = "css3.0", expanded: bool = False,
                byteorder: str = "big", overwrite: bool = False, events: bool = True, stations: bool = True,
                waveforms: bool = True, **query: Any) -> CssReport:
    """Write an ASDF file's stations, waveforms and events as a CSS database.

    ``query`` selects waveforms as :meth:`ASDFFile.list_waveforms` does
    (``tag``, ``network``, ``station``, ``channel``, ``starttime``...), cut to
    the time window when one is given, and the stations, channels and events
    that go with them (see :mod:`asdfkit.io.selection`).  Waveforms are read
    and written one trace at a time.
    """
    with CssWriter(dest, schema=schema, expanded=expanded, byteorder=byteorder,  # type: ignore[arg-type]
                   overwrite=overwrite) as writer:
        headers = asdf.list_waveforms(**query) if waveforms else []
        writer.reserve_stations({h.station for h in headers})
        if stations:
            writer.add_inventory(select_inventory(asdf, query) if query else asdf.get_inventory())
        if waveforms:
            writer.add_traces(_traces(asdf, query))
        if events:
            writer.add_events(select_events(asdf, query) if query else asdf.events)
    return writer.report
