"""Reading a CSS database: traces one at a time, an Inventory, a Catalog, a report.

>>> db = read_css("berkeley_1998/example_2", default_network="BK")   # doctest: +SKIP
>>> inventory, catalog = db.inventory(), db.events()                   # doctest: +SKIP
>>> for trace in db.traces(): ...                                      # doctest: +SKIP
>>> db.report.missing, db.report.disagreements                         # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Literal

from obspy import Inventory, Trace, UTCDateTime
from obspy.core.event import Catalog
from obspy.core.util import AttribDict

from ...errors import AsdfkitError, InvalidValueError
from ...times import end_ns
from .database import CssDatabase
from .events import build_catalog, uri_part
from .instruments import InstrumentIndex
from .naming import NameResolver
from .report import CssReport
from .roots import DataRoots
from .samples import Samples, decode
from .stations import build_inventory
from .tables import Row
from .wfdisc import ChannelSeen, data_path, scan

__all__ = ["CssReader", "read_css"]

log = logging.getLogger(__name__)

Errors = Literal["raise", "report"]
_SAC_TIME_TOLERANCE_NS = 1_000_000  # SAC times are ms + a float32 offset


class CssReader:
    """A CSS3.0 / css3.1 database opened for reading.

    Parameters
    ----------
    path : path-like
        The descriptor file, the table prefix ``dir/name``, a table file, or a
        folder holding one database.
    schema : {"css3.0", "css3.1"}, optional
        Overrides the descriptor (or the guess from the wfdisc row width).
    default_network : str, optional
        SEED network code of stations that neither snetsta nor affiliation map.
        Without it such stations raise :class:`~asdfkit.errors.InvalidValueError`
        naming them: a network code is never invented.
    remap : mapping of str to str, optional
        ``{"/old/prefix": "/new/prefix"}``: rewrites absolute (or relative)
        ``dir`` values of wfdisc and instrument rows, longest prefix first.
        Each new prefix is also a folder files may be read from.
    data_roots : iterable of path-like, optional
        Further folders sample and response files may be read from.  Without
        them, only files whose real path (symlinks resolved) lies under the
        database's folder or a ``remap`` target are read; a row naming any
        other file (``../../etc/passwd``, ``/proc/self/environ``) raises
        :class:`~asdfkit.errors.OutsideDataRootError` naming the path and the
        option (with ``errors="report"``: skipped and reported).
    expanded : bool
        Also accept css3.1 ``NET_STA`` station codes that snetsta does not list.
    errors : {"raise", "report"}
        What a malformed row or waveform file does: raise an asdfkit error
        naming file, row and field, or go into the report and be skipped.
        Missing waveform files are always reported, never raised.
    id_prefix : str, optional
        Prefix of QuakeML resource ids (default ``smi:local/css/<name>``).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        schema: str | None = None,
        default_network: str | None = None,
        remap: Mapping[str, str] | None = None,
        data_roots: Iterable[str | os.PathLike[str]] = (),
        expanded: bool = False,
        errors: Errors = "raise",
        id_prefix: str | None = None,
    ) -> None:
        if errors not in ("raise", "report"):
            raise InvalidValueError(f"invalid errors {errors!r}: must be 'raise' or 'report'")
        if default_network is not None and not (default_network.isalnum() and default_network.isupper()
                                                and 1 <= len(default_network) <= 2):
            raise InvalidValueError(
                f"invalid default_network {default_network!r}: must be a SEED network code (1-2 upper-case "
                "letters or digits)"
            )
        self.report = CssReport()
        self.errors = errors
        self.remap = dict(remap or {})
        db = CssDatabase.locate(path, schema)
        self.database = dataclasses.replace(db, on_error=self._row_error) if errors == "report" else db
        self.id_prefix = id_prefix or f"smi:local/css/{uri_part(db.name)}"
        self.roots = _data_roots(db, self.remap, data_roots)
        self.names = NameResolver.from_rows(
            self.database.rows("snetsta"), self.database.rows("schanloc"), self.database.rows("affiliation"),
            default_network=default_network, expanded=expanded, report=self.report,
        )
        self._seen: dict[tuple[str, str], ChannelSeen] | None = None

    def _row_error(self, exc: AsdfkitError) -> None:
        # A table is read more than once (stations, traces, events): report each bad row once.
        self.report.warn("skipped-row", str(exc), once=str(exc))

    @property
    def schema(self) -> str:
        """The CSS schema of the database, ``css3.0`` or ``css3.1``."""
        return self.database.schema

    def _scan(self) -> dict[tuple[str, str], ChannelSeen]:
        if self._seen is None:
            self._seen = scan(self.database, self.remap, self.report, self.roots)
        return self._seen

    def inventory(self) -> Inventory:
        """Stations and channels (site, sitechan, snetsta, schanloc, affiliation, network,
        sensor/instrument, and SAC headers for what the tables lack)."""
        table = self.database.table_path("instrument")
        instruments = InstrumentIndex(self.database.rows("sensor"), self.database.rows("instrument"))

        def response_path(row: Row) -> Path:
            path = data_path(row, table or self.database.folder / "x", self.remap)
            return self.roots.check(path, row.where, "response file")

        return build_inventory(self.database, self.names, self._scan(), instruments, response_path, self.report)

    def events(self) -> Catalog:
        """Events with origins, magnitudes, picks (arrival) and arrivals (assoc)."""
        return build_catalog(self.database, self.names, self.report, self.id_prefix)

    def __iter__(self) -> Iterator[Trace]:
        return self.traces()

    def traces(self) -> Iterator[Trace]:
        """Yield one ObsPy ``Trace`` per wfdisc row whose samples can be read.

        Samples are read row by row, so memory does not grow with the database.
        Rows whose file is missing go to ``report.missing`` and are skipped.
        """
        table = self.database.table_path("wfdisc")
        if table is None:
            self.report.warn("no-wfdisc", f"database {self.database.name} has no wfdisc table")
            return
        self.names.require({r["sta"] for r in self.database.rows("wfdisc")}, "wfdisc rows")
        for row in self.database.rows("wfdisc"):
            try:
                trace = self._trace(row, table)
            except AsdfkitError as exc:
                if self.errors == "raise":
                    raise
                message = str(exc)  # names its row already, most of the time
                self.report.warn("skipped-row", message, "" if message.startswith(row.where) else row.where)
                continue
            if trace is not None:
                self.report.counts["traces"] += 1
                yield trace

    def _trace(self, row: Row, table: Path) -> Trace | None:
        where = row.where
        for name in ("sta", "chan", "time", "nsamp", "samprate", "datatype"):
            if row[name] is None:
                raise InvalidValueError(f"{where}: field {name!r} is null: a wfdisc row needs it")
        if row["samprate"] <= 0:
            raise InvalidValueError(f"{where}: invalid samprate {row['samprate']}: must be > 0")
        path = data_path(row, table, self.remap)
        if not path.is_file() and not path.with_name(path.name + ".gz").is_file():
            reason = "file not found" if path.parent.is_dir() else (
                f"directory {path.parent} does not exist (a database from another machine? pass remap=)"
            )
            self.report.add_missing(where, str(path), reason)
            return None
        self.roots.check(path, where)  # a file that exists is read only inside the data roots
        try:
            samples = decode(row["datatype"], path, row["foff"] or 0, row["nsamp"], where)
        except AsdfkitError:  # FormatError is also an OSError: it is not a missing file
            raise
        except OSError as exc:
            self.report.add_missing(where, str(path), exc.strerror or str(exc))
            return None
        seed = self.names.station(row["sta"])
        loc, chan = self.names.channel(row["sta"], row["chan"])
        trace = Trace(samples.data)
        stats = trace.stats
        stats.network, stats.station, stats.location, stats.channel = seed.network, seed.station, loc, chan
        stats.sampling_rate = row["samprate"]
        stats.starttime = UTCDateTime(ns=row["time"])
        stats.css = AttribDict(dfile=str(path), row=where)  # where the samples came from
        self._check(row, samples, trace.id)
        return trace

    def _check(self, row: Row, samples: Samples, subject: str) -> None:
        expected = end_ns(row["time"], row["nsamp"], row["samprate"])
        if row["endtime"] is not None and abs(row["endtime"] - expected) > 1.5e9 / row["samprate"]:
            self.report.warn("endtime", f"{subject}: endtime {UTCDateTime(ns=row['endtime'])} is not "
                             f"time + (nsamp-1)/samprate = {UTCDateTime(ns=expected)}", row.where)
        sac = samples.sac
        if sac is None or sac.reftime is None or sac.b is None:
            return
        sac_start = (sac.reftime + float(sac.b)).ns
        if abs(sac_start - row["time"]) > _SAC_TIME_TOLERANCE_NS:
            self.report.disagree(subject, "starttime", str(UTCDateTime(ns=row["time"])),
                                 str(UTCDateTime(ns=sac_start)), f"SAC header of {row['dfile']}", "wfdisc")
        if sac.delta and abs(1.0 / float(sac.delta) - row["samprate"]) > 1e-5 * row["samprate"]:
            self.report.disagree(subject, "sampling_rate", row["samprate"], 1.0 / float(sac.delta),
                                 f"SAC header of {row['dfile']}", "wfdisc")


def _data_roots(db: CssDatabase, remap: Mapping[str, str],
                extra: Iterable[str | os.PathLike[str]]) -> DataRoots:
    """The database's folder, its wfdisc and instrument tables' folders, the remap targets, ``extra``."""
    tables = [t for t in (db.table_path("wfdisc"), db.table_path("instrument")) if t is not None]
    base = tables[0].parent if tables else db.folder
    return DataRoots([db.folder, *(t.parent for t in tables), *(base / new for new in remap.values()), *extra])


def read_css(path: str | os.PathLike[str], **options: object) -> CssReader:
    """Open a CSS database for reading; see :class:`CssReader` for the options.

    Examples
    --------
    >>> db = read_css("berkeley_1998/example_2", default_network="BK")  # doctest: +SKIP
    >>> sum(1 for _ in db.traces())                                    # doctest: +SKIP
    30
    """
    return CssReader(path, **options)  # type: ignore[arg-type]
