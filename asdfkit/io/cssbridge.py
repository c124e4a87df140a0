"""CSS3.0 databases inside ``asdf-cli convert``: both directions.

Into ASDF, a database's events join the other sources' events (near-duplicates
merged), its stations the other inventories, and its waveforms are written
row by row with the same event association and provenance as any other input.
The waveform files its wfdisc references are not converted a second time when
the database's folder is also an input.
"""

from __future__ import annotations

import glob
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..container import ASDFFile
from ..container import open as open_asdf
from ..errors import AsdfkitError, OutputExistsError
from .css import CssReader, asdf_to_css
from .css.wfdisc import data_path
from .sources import Source

if TYPE_CHECKING:
    from .convert import ConvertOptions, _Converter

__all__ = ["CssInput", "export_css", "read_css_sources"]

log = logging.getLogger(__name__)


@dataclass
class CssInput:
    """One CSS database being converted."""

    path: Path
    reader: CssReader

    def write(self, f: ASDFFile, conv: _Converter) -> None:
        """Add the database's waveforms; its events and stations were merged earlier."""
        for trace in self.reader.traces():
            dfile = trace.stats.get("css", {}).get("dfile")
            conv.write_stream(f, self.path, _stream(trace), [str(self.path)] + ([dfile] if dfile else []))
        for line in self.reader.report.lines()[1:]:
            conv.report.warnings.append(f"{self.path.name}: {line}")


def _stream(trace: Any) -> Any:
    from obspy import Stream

    return Stream([trace])


def read_css_sources(sources: list[Source], options: ConvertOptions, conv: _Converter,
                     reader_factory: Any = None) -> list[CssInput]:
    """Open each CSS database, merge its metadata into the conversion, list its data files."""
    factory = reader_factory or CssReader
    inputs = []
    extra_events: list[tuple[str, Any]] = []
    for source in sources:
        try:
            reader = factory(
                source.path, default_network=options.css.get("default_network"),
                remap=options.css.get("remap") or None,
                data_roots=options.css.get("data_roots") or (),
                errors="report" if options.skip_bad else "raise",
            )
            catalog = reader.events()
            inventory = reader.inventory()
        except AsdfkitError as exc:
            conv.bad(source.path, str(exc))
            continue
        extra_events.extend((str(source.path), event) for event in catalog)
        conv.inventory += inventory
        table = reader.database.table_path("wfdisc")
        if table is not None:
            for row in reader.database.rows("wfdisc"):
                try:
                    conv.css_files.add(str(data_path(row, table, reader.remap)))
                except (AsdfkitError, TypeError, ValueError):
                    continue
        conv.used_files.append(str(source.path))
        inputs.append(CssInput(source.path, reader))
    conv.merge_events([event for _, event in extra_events], [label for label, _ in extra_events])
    return inputs


def export_css(path: str | Path, output: Path, *, schema: str = "css3.0", expanded: bool = False,
               overwrite: bool = False, **query: Any) -> Any:
    """Write an ASDF file (or the queried part of it) as a CSS database at ``output``.

    An existing database of that name (any ``output.<table>`` file, or sample
    files in ``output_wf/``) is refused unless ``overwrite``.
    """
    output = Path(output)
    if not overwrite:
        existing = sorted(str(p) for p in output.parent.glob(f"{glob.escape(output.name)}.*") if p.is_file())
        wf_dir = output.parent / f"{output.name}_wf"
        if wf_dir.is_dir():
            existing += sorted(str(p) for p in wf_dir.iterdir())
        if existing:
            more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
            raise OutputExistsError(f"CSS database {output}: {', '.join(existing[:3])}{more} exist(s): "
                                    "pass --overwrite (overwrite=True) to replace; nothing was written")
    with open_asdf(path) as f:
        report = asdf_to_css(f, output, schema=schema, expanded=expanded, overwrite=overwrite, **query)
    return _ExportSummary(report, output)


class _ExportSummary:
    def __init__(self, report: Any, output: Path) -> None:
        self.report = report
        self.output = output

    def to_dict(self) -> dict[str, Any]:
        counts = dict(self.report.counts)
        return {"files": [str(self.output)], "traces": counts.get("traces", 0), "counts": counts,
                "warnings": self.report.lines()[1:]}
