"""Writing a CSS database: waveforms streamed to .w files, tables on close.

>>> with CssWriter("out/mydb", schema="css3.0") as w:        # doctest: +SKIP
...     w.add_inventory(inventory)       # first: calib/calper and chanid come from it
...     w.add_traces(stream)             # one trace at a time; samples go to out/mydb_wf/
...     w.add_events(catalog)
>>> w.report.issues                                         # doctest: +SKIP

Files: the descriptor ``name`` (``schema css3.0|css3.1``), ``name.wfdisc``,
``name.site``, ``.sitechan``, ``.snetsta``, ``.schanloc``, ``.affiliation``,
``.origin``, ``.event``, ``.arrival``, ``.assoc``, ``.instrument``, ``.sensor``
(and ``.network``, ``.origerr``, ``.netmag``, ``.stamag``, ``.remark`` when there
is something to put in them); samples in ``name_wf/STA.CHAN.w``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
from obspy import Inventory, Stream, Trace
from obspy.core.event import Catalog, Event

from ...errors import InvalidValueError
from ...times import end_ns
from .database import write_descriptor
from .eventrows import EventRows
from .naming import NameAllocator
from .report import CssReport
from .samples import choose_datatype, encode
from .stationrows import StationRows, jdate
from .tables import SCHEMAS, format_row, layout

__all__ = ["CssWriter", "write_css"]

_ONLY_IF_ROWS = ("network", "origerr", "netmag", "stamag", "remark")


class CssWriter:
    """A CSS database being written.

    Parameters
    ----------
    path : path-like
        ``dir/name`` of the database; ``dir`` is created.
    schema : {"css3.0", "css3.1"}
    expanded : bool
        css3.1 only: station codes ``NET_STA`` (unique, reversible) instead of
        the css3.0 mapping (``STA``, aliases invented for clashing codes).
    byteorder : {"big", "little"}
        ``s2 s4 t4 t8`` (big) or ``i2 i4 f4 f8`` (little) sample files.
    overwrite : bool
        Replace an existing database of that name.
    """

    def __init__(self, path: str | os.PathLike[str], *, schema: str = "css3.0", expanded: bool = False,
                 byteorder: Literal["big", "little"] = "big", overwrite: bool = False) -> None:
        if schema not in SCHEMAS:
            raise InvalidValueError(f"invalid CSS schema {schema!r}: must be one of {', '.join(SCHEMAS)}")
        choose_datatype(np.dtype(np.int32), byteorder)  # checks byteorder
        self.path = Path(path)
        self.schema, self.byteorder = schema, byteorder
        self.report = CssReport()
        self.names = NameAllocator(schema, expanded)
        self.stations = StationRows(self.names, self.report)
        self._catalogs: list[Catalog] = []
        wfdisc = self._table("wfdisc")
        if wfdisc.exists() and not overwrite:
            raise InvalidValueError(f"CSS database {self.path} exists: pass overwrite=True to replace it")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._wfdir = self.path.parent / f"{self.path.name}_wf"
        self._wfdisc: IO[str] | None = open(wfdisc, "w", encoding="ascii", newline="\n")
        self._files: dict[str, int] = {}
        self._wfid = 0
        decimals = int(layout("wfdisc", schema).column("time").fmt[-2])  # %17.5f or %18.6f
        self._time_unit = 10 ** (9 - decimals)

    def _table(self, table: str) -> Path:
        return self.path.parent / f"{self.path.name}.{table}"

    def __enter__(self) -> CssWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reserve_stations(self, codes: Iterable[str]) -> None:
        """SEED station codes present anywhere in the data: invented aliases avoid them."""
        self.names.reserve(codes)

    def add_inventory(self, inventory: Inventory) -> None:
        """Stations and channels → site, sitechan, snetsta, schanloc, affiliation."""
        self.names.reserve(s.code for n in inventory for s in n)
        self.stations.add(inventory)

    def add_events(self, events: Catalog | Event | Iterable[Event]) -> None:
        """Events (written on close, when every station name is known)."""
        if isinstance(events, Event):
            events = [events]
        self._catalogs.append(events if isinstance(events, Catalog) else Catalog(list(events)))

    def add_traces(self, traces: Stream | Trace | Iterable[Trace]) -> None:
        """Write samples now, one trace at a time (masked traces are split at their gaps)."""
        if isinstance(traces, Trace):
            traces = [traces]
        for trace in traces:
            if np.ma.isMaskedArray(trace.data):
                self.add_traces(trace.split())
            else:
                self._trace(trace)

    def _samples(self, trace: Trace) -> tuple[np.ndarray, str]:
        data = np.asarray(trace.data)
        if data.dtype.kind == "i" and data.dtype.itemsize == 8:
            if data.size and (data.min() < -(2**31) or data.max() >= 2**31):
                raise InvalidValueError(f"trace {trace.id}: int64 samples beyond int32 cannot be written to CSS")
            self.report.warn("cast", f"trace {trace.id}: int64 samples written as int32 (they fit)", once=trace.id)
            data = data.astype(np.int32)
        try:
            return data, choose_datatype(data.dtype, self.byteorder)
        except InvalidValueError as exc:
            raise InvalidValueError(f"trace {trace.id}: {exc}") from None

    def _trace(self, trace: Trace) -> None:
        if self._wfdisc is None:
            raise InvalidValueError(f"CSS database {self.path} is closed")
        stats = trace.stats
        data, datatype = self._samples(trace)
        sta = self.names.station(stats.network, stats.station)
        chan = self.names.channel(sta, stats.location, stats.channel)
        start = int(stats.starttime.ns)
        rate = float(stats.sampling_rate)
        if start % self._time_unit:
            self.report.counts[f"times rounded to {self._time_unit // 1000} us"] += 1
        if float(f"{rate:.7f}") != rate:
            self.report.warn("precision", f"trace {trace.id}: sampling rate {rate!r} rounded to {rate:.7f}",
                             once=("rate", trace.id))
        dfile = f"{sta}.{chan}.w"
        self._wfdir.mkdir(exist_ok=True)
        foff = self._files.get(dfile, 0)
        with open(self._wfdir / dfile, "ab" if dfile in self._files else "wb") as handle:
            handle.write(encode(data, datatype))
        self._files[dfile] = foff + data.size * np.dtype(data.dtype).itemsize
        chanid, calib = self.stations.lookup((stats.network, stats.station, stats.location, stats.channel), start)
        self._wfid += 1
        row = {
            "sta": sta, "chan": chan, "time": start, "wfid": self._wfid, "chanid": chanid,
            "jdate": jdate(stats.starttime), "endtime": end_ns(start, data.size, rate), "nsamp": data.size,
            "samprate": rate, "calib": calib[0] if calib else None, "calper": calib[1] if calib else None,
            "segtype": calib[2] if calib else None, "datatype": datatype, "dir": self._wfdir.name,
            "dfile": dfile, "foff": foff,
        }
        self._wfdisc.write(format_row(layout("wfdisc", self.schema), row) + "\n")
        self.report.counts["traces"] += 1

    def close(self) -> None:
        """Write the tables and the descriptor (idempotent)."""
        if self._wfdisc is None:
            return
        self._wfdisc.close()
        self._wfdisc = None
        events = EventRows(self.names, self.report, self.stations.coordinates)
        for catalog in self._catalogs:
            events.add(catalog)
        tables: dict[str, list[dict[str, Any]]] = {
            "site": self.stations.site, "sitechan": self.stations.sitechan,
            "instrument": self.stations.instrument, "sensor": self.stations.sensor,
            "snetsta": [r for r in self.names.snetsta_rows() if r["snet"]],
            "schanloc": self.names.schanloc_rows(),
            "affiliation": [r for r in self.names.affiliation_rows() if r["net"]],
            "origin": events.origin, "event": events.event, "arrival": events.arrival, "assoc": events.assoc,
            "origerr": events.origerr, "netmag": events.netmag, "stamag": events.stamag,
            "remark": events.remarks.rows,
            "network": [{"net": k, "netname": v[:80]} for k, v in sorted(self.stations.networks.items())],
        }
        for table, rows in tables.items():
            if rows or table not in _ONLY_IF_ROWS:
                self._write_table(table, rows)
        write_descriptor(self.path, self.schema)

    def _write_table(self, table: str, rows: list[dict[str, Any]]) -> None:
        lay = layout(table, self.schema)
        partial = self._table(table).with_suffix(f".{table}.partial")
        with open(partial, "w", encoding="latin-1", newline="\n") as handle:
            for row in rows:
                handle.write(format_row(lay, row) + "\n")
        partial.replace(self._table(table))
        self.report.counts[f"{table} rows"] += len(rows)


def write_css(path: str | os.PathLike[str], traces: Iterable[Trace] = (), inventory: Inventory | None = None,
              events: Catalog | Iterable[Event] | None = None, **options: Any) -> CssReport:
    """Write traces, stations and events as a CSS database; return the report.

    See :class:`CssWriter` for ``schema``, ``expanded``, ``byteorder`` and ``overwrite``.

    Examples
    --------
    >>> import obspy
    >>> report = write_css("/tmp/asdfkit-doc/db", obspy.read(), overwrite=True)  # doctest: +SKIP
    """
    with CssWriter(path, **options) as writer:
        if inventory is not None:
            writer.add_inventory(inventory)
        writer.add_traces(traces)
        if events is not None:
            writer.add_events(events)
    return writer.report
