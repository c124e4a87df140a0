"""``asdf-cli convert``: data into and out of ASDF."""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..errors import OutputExistsError
from ..io.codeproposal import codes_template
from ..io.convert import ConvertOptions, convert_to_asdf
from ..io.export import EXPORT_FORMATS, export
from ..io.obspy_plugin import is_asdf
from .contract import (
    EmptySelectionError,
    InputPath,
    MissingInputError,
    refuse_existing,
    refuse_options,
    require_asdf,
    require_inputs,
)

__all__ = ["convert"]

_ASDF_SUFFIXES = (".h5", ".hdf5", ".asdf")
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


_PACKAGE = str(Path(__file__).resolve().parent.parent)
_RETRY_S = 0.005


class _SafeInterrupt:
    """Ctrl-C and SIGTERM raise ``KeyboardInterrupt`` only where asdfkit's own Python code runs.

    Python raises it wherever the signal lands, and some places cannot take an
    exception: in a ctypes callback (ObsPy's miniSEED reader allocating samples)
    it is ignored and the C code then crashes the process; in a weakref callback
    it is ignored and the conversion carries on.  So the handler raises only when
    the interrupted frame is asdfkit code, and otherwise retries every 5 ms
    (SIGALRM) until it is.  A second Ctrl-C raises at once.  Worker processes
    forked during the conversion inherit the handler and get the default
    behaviour instead (SIGTERM ends them; convert's pool workers ignore SIGINT).
    """

    def __init__(self) -> None:
        self.pending = False
        self.owner = os.getpid()

    def signal(self, signum: int, frame: Any) -> None:
        if os.getpid() != self.owner:
            if signum == signal.SIGTERM:
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)
            raise KeyboardInterrupt
        if self.pending and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.pending = True
        self._raise_if_safe(frame)

    def alarm(self, signum: int, frame: Any) -> None:
        if self.pending and os.getpid() == self.owner:
            self._raise_if_safe(frame)

    @staticmethod
    def _raise_if_safe(frame: Any) -> None:
        if frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
            signal.setitimer(signal.ITIMER_REAL, 0)
            raise KeyboardInterrupt
        signal.setitimer(signal.ITIMER_REAL, _RETRY_S, _RETRY_S)


@contextmanager
def _safe_interrupts() -> Iterator[None]:
    """Install :class:`_SafeInterrupt` for SIGINT and SIGTERM while a conversion runs."""
    handler = _SafeInterrupt()
    try:
        previous = {signum: signal.signal(signum, handler.signal) for signum in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread (an embedding program): leave signals alone
        yield
        return
    previous[signal.SIGALRM] = signal.signal(signal.SIGALRM, handler.alarm)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for signum, old in previous.items():
            signal.signal(signum, old)


def _interruptible(command: Callable[..., None]) -> Callable[..., None]:
    """Ctrl-C or SIGTERM: the temporary output is removed (the library does that), a one-line
    message replaces the traceback, and the exit code is 130."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            with _safe_interrupts():
                command(*args, **kwargs)
        except KeyboardInterrupt:
            output = kwargs.get("codes_template") or kwargs["paths"][-1]
            exporting = kwargs.get("to") not in (None, "asdf")
            if kwargs.get("codes_template"):
                state = "was not written"
            elif exporting:
                state = "may be incomplete"
            elif kwargs.get("in_place"):
                state = ("may hold part of this run's traces (an --in-place append is not crash-safe; "
                         "traces added before the interrupt have no provenance record)")
            else:
                state = "was not written (an existing file keeps its content)"
            click.echo(f"interrupted: {output} {state}", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None

    return run


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--to", "to", type=click.Choice([*EXPORT_FORMATS, "asdf", "css"]),
              help="Output format. Default: asdf when OUTPUT ends in .h5/.hdf5/.asdf.")
@click.option("--tag", help="Waveform tag into ASDF (default raw_recording); out of ASDF, export only this tag.")
@click.option("--label", "labels", multiple=True,
              help="Label for every trace (repeatable); out of ASDF: export only traces with any of these labels.")
@click.option("--group", "groups", multiple=True, metavar="NAME",
              help="Out of ASDF: export only the traces of this group (repeatable: any).")
@click.option("--network", help="Network code for traces that have none (SAC, GSE2, SEG-Y...; CSS: --default-network).")
@click.option("--station", "station_code", help="Station code for traces that have none (SEG-Y...).")
@click.option("--location", help="Location code for traces that have none.")
@click.option("--channel", help="Replace every trace's channel code (for SAC files with kcmpnm like 'Q').")
@click.option("--format", "fmt", help="Force the ObsPy waveform format of the inputs (e.g. SAC, MSEED).")
@click.option("--stations", type=InputPath(), multiple=True,
              help="Station metadata: StationXML, any inventory ObsPy reads, or AIMBAT JSON (repeatable).")
@click.option("--events", type=InputPath(), multiple=True,
              help="Events: QuakeML, any format ObsPy reads, or AIMBAT JSON (repeatable).")
@click.option("--event-window", nargs=2, type=float, default=(60.0, 3600.0), show_default=True,
              metavar="BEFORE AFTER", help="Associate a trace with events whose [origin-BEFORE, origin+AFTER] s overlaps it.")
@click.option("--no-associate", is_flag=True, help="Do not associate traces with events by time.")
@click.option("--dedupe-time", type=float, default=10.0, show_default=True,
              help="Events from several sources within this many seconds ...")
@click.option("--dedupe-distance", type=float, default=100.0, show_default=True,
              help="... and this many km are merged into one.")
@click.option("--merge", is_flag=True, help="Into ASDF: join contiguous trace segments of a channel (ObsPy's "
              "Stream.merge), within each file and across the files of this run (merging files: asdf-cli merge).")
@click.option("--cast", help="Cast every trace's samples to this dtype (int32, float32, ...). Without it, types "
                             "ASDF cannot hold are widened losslessly (uint8/int8 -> int16, uint16 -> int32, "
                             "uint32 -> int64, float16 -> float32), reported per trace.")
@click.option("--compression", default="gzip", show_default=True, help="gzip, gzip-0..9, szip or none.")
@click.option("--append", is_flag=True, help="Add to an existing ASDF file (on a copy that replaces it atomically).")
@click.option("--overwrite", is_flag=True, help="Replace an existing OUTPUT, or existing files an export would write (else refused).")
@click.option("--in-place", is_flag=True, help="With --append: write into the file directly (large files; NOT crash-safe).")
@click.option("--skip-bad", is_flag=True,
              help="Skip unreadable inputs and bad traces (non-numeric, a cast that cannot apply...; only the "
                   "trace is skipped, the file's other traces convert), reported under 'skipped'.")
@click.option("--skip-duplicates", is_flag=True,
              help="Skip traces identical to ones already in the file, and identical repeats within one input.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Threads decoding and compressing inputs while the main thread writes; 0: one per "
                   "CPU this process may use (at most 4) for inputs of 64 KiB or more, 1: none (many "
                   "conversions sharing a node).")
@click.option("--default-network", help="CSS3.0: network code for stations snetsta does not map.")
@click.option("--remap", multiple=True, metavar="OLD=NEW", help="CSS3.0: replace a wfdisc dir prefix (repeatable).")
@click.option("--data-root", "data_roots", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="CSS3.0: a folder wfdisc sample files may be read from besides the database's own (repeatable).")
@click.option("--css-schema", type=click.Choice(["css3.0", "css3.1"]), default="css3.0", show_default=True,
              help="CSS output schema.")
@click.option("--css-expanded", is_flag=True, help="css3.1 expanded names (sta = NET_STA).")
@click.option("--per", type=click.Choice(["trace", "station", "file"]), default="trace", show_default=True,
              help="Out of ASDF: one output file per trace, per station, or one file.")
@click.option("--starttime", help="Out of ASDF: start of the time window.")
@click.option("--endtime", help="Out of ASDF: end of the time window.")
@click.option("--codes-template", type=click.Path(path_type=Path), metavar="CSV",
              help="Write the proposed codes table (source_id,seed_id,reason) of the inputs' trace ids to CSV "
                   "and stop (all PATHS are inputs; no OUTPUT).")
@click.option("--codes", type=InputPath(dir_okay=False), metavar="CSV",
              help="Rename traces by a codes table (ids as read -> SEED ids); ids it does not list convert as before.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@_interruptible
def convert(paths: tuple[str, ...], to: str | None, tag: str | None, labels: tuple[str, ...], network: str | None,
            station_code: str | None, location: str | None, channel: str | None, fmt: str | None, stations: tuple[Path, ...],
            events: tuple[Path, ...], event_window: tuple[float, float], no_associate: bool,
            dedupe_time: float, dedupe_distance: float, merge: bool, cast: str | None, compression: str,
            append: bool, overwrite: bool, in_place: bool, skip_bad: bool, skip_duplicates: bool, jobs: int,
            default_network: str | None, remap: tuple[str, ...], data_roots: tuple[Path, ...], css_schema: str, css_expanded: bool,
            per: str, starttime: str | None,
            endtime: str | None, codes_template: Path | None, codes: Path | None, as_json: bool,
            progress: bool | None, groups: tuple[str, ...] = ()) -> None:
    """Convert INPUT... into the ASDF file OUTPUT, or an ASDF file out to OUTPUT.

    \b
    Into ASDF (the last path ends in .h5/.hdf5/.asdf, or --to asdf):
      inputs are files, directories (walked: SDS archives, FDSN mass-download
      layouts), globs; waveforms in any format ObsPy reads, StationXML and other
      inventories, QuakeML and other event formats, AIMBAT JSON, CSS3.0/css3.1
      databases (descriptor or .wfdisc). SAC headers give events, stations and
      picks. The output is written atomically and the conversion is recorded
      as SEIS-PROV: Ctrl-C, SIGTERM or SIGKILL never leave a partial OUTPUT
      (but --in-place appends do); Ctrl-C and SIGTERM exit with 130.
    \b
    Out of ASDF (one ASDF input and --to mseed|sac|stationxml|quakeml|css):
      OUTPUT is a directory (per trace/station) or a file; --network,
      --station, --location, --channel (wildcards), --tag, --starttime and
      --endtime select what is exported: traces cut to the window, and the
      stations, channels and events that go with them.
    \b
    Codes that are not SEED codes (lowercase or long stations, 4-letter
    networks, channels like 'S  Z', '0', 'HK_', none) are refused; map them:
      1. asdf-cli convert INPUT... --codes-template codes.csv
         reads the headers and writes one row per trace id as read:
         source_id,seed_id,reason (a proposed valid, unique NET.STA.LOC.CHA:
         uppercased, short aliases, channel from the sampling rate and the
         component letter; --network/--station, else XX, for missing codes);
      2. check or edit codes.csv;
      3. asdf-cli convert INPUT... OUTPUT --codes codes.csv
         renames the listed ids (the mapping is recorded in the conversion's
         SEIS-PROV document: asdf-cli provenance lineage shows it).
    \b
    Examples:
      asdf-cli convert event_dir/*.SAC --network XX out.h5
      asdf-cli convert archive/ --stations stations.xml --events quake.xml out.h5
      asdf-cli convert db/example_2 --default-network BK out.h5
      asdf-cli convert out.h5 sac_dir --to sac --tag raw_recording
    """
    require_inputs(paths if codes_template is not None else paths[:-1])
    if codes_template is not None:
        given = _given_options(click.get_current_context())
        refuse_options([flag for name, flag in given.items() if name not in _TEMPLATE_OPTIONS and
                        name not in ("to", "codes")], "to --codes-template (it writes a table only)")
        _write_codes_template(paths, codes_template, network, station_code, fmt, overwrite, as_json,
                              to=to, codes=codes)
        return
    if len(paths) < 2:
        if not (paths and (stations or events)):  # --stations/--events alone: a metadata-only file
            raise click.UsageError("give at least one INPUT and the OUTPUT")
    *inputs, output = paths
    out = Path(output)
    show_progress = sys.stderr.isatty() if progress is None else progress
    export_mode = to not in (None, "asdf") and len(inputs) == 1 and is_asdf(inputs[0])
    if to not in (None, "asdf") and not export_mode:
        if len(inputs) == 1:
            require_asdf(inputs[0])  # missing, not HDF5, plain HDF5: one line, exit 2
        raise click.UsageError(f"--to {to} exports from one ASDF file; give exactly one ASDF INPUT")
    if to is None and out.suffix.lower() not in _ASDF_SUFFIXES:
        raise click.UsageError(f"OUTPUT {output!r} does not end in .h5/.hdf5/.asdf: pass --to to choose a format")
    check_options(click.get_current_context(), "css" if to == "css" else "export" if export_mode else "into")
    if export_mode or not append:
        refuse_existing(out, overwrite, "--overwrite" if export_mode else "--append to add to it or --overwrite")
    elif not out.exists():
        raise MissingInputError(f"cannot --append to {output!r}: it does not exist")
    if in_place and not append:
        refuse_options(["--in-place"], "without --append")
    if append and overwrite:
        refuse_options(["--overwrite"], "with --append (add to OUTPUT, or replace it: not both)")
    result: Any
    if export_mode and codes is not None:
        raise click.UsageError("--codes applies to conversions into ASDF, not to exports")
    if export_mode:
        query = {k: v for k, v in {"tag": tag, "network": network, "station": station_code,
                                   "location": location, "channel": channel, "starttime": starttime,
                                   "endtime": endtime, "labels": list(labels) or None,
                                   "group": list(groups) or None}.items() if v is not None}
        try:
            if to == "css":
                from ..io.cssbridge import export_css

                _refuse_empty_selection(inputs[0], query)

                result = export_css(inputs[0], out, schema=css_schema, expanded=css_expanded, overwrite=overwrite,
                                    **query)
            else:
                result = export(inputs[0], out, str(to), per=per, overwrite=overwrite, **query)
        except OutputExistsError as exc:
            raise click.UsageError(str(exc)) from None
    else:
        remaps = {}
        for item in remap:
            old, sep, new = item.partition("=")
            if not sep:
                raise click.UsageError(f"invalid --remap {item!r}: must be OLD=NEW")
            remaps[old] = new
        options = ConvertOptions(
            tag=tag or "raw_recording", labels=list(labels), network=network, station=station_code, location=location, channel=channel, format=fmt,
            stations=list(stations), events=list(events), event_window=event_window,
            associate=not no_associate, dedupe_time=dedupe_time, dedupe_distance_km=dedupe_distance,
            merge=merge, cast=cast, compression=compression, append=append, overwrite=overwrite, in_place=in_place,
            skip_bad=skip_bad, on_duplicate="skip" if skip_duplicates else "raise", jobs=jobs,
            progress=show_progress,
            css={"default_network": default_network, "remap": remaps, "data_roots": list(data_roots)},
            codes=codes,
        )
        result = convert_to_asdf(inputs, out, options)
    summary = result.to_dict()
    if isinstance(summary.get("counts"), dict):  # JSON keys are snake_case: "site rows" -> "site_rows"
        summary["counts"] = {key.replace(" ", "_"): value for key, value in summary["counts"].items()}
    if as_json:
        if not export_mode:
            summary["elapsed_s"] = summary.pop("seconds")
        click.echo(json.dumps(summary, indent=2, default=str))
        return
    if export_mode:
        click.echo(f"wrote {len(summary['files'])} file(s), {summary.get('traces', 0)} trace(s)")
    else:
        click.echo(
            f"{summary['output']}: {summary['traces']} trace(s) from {summary['inputs']} input(s), "
            f"{summary['stations']} station(s), {summary['events']} event(s), {summary['picks']} pick(s) "
            f"in {summary['seconds']} s"
        )
        if summary.get("merged_traces"):
            click.echo(f"  --merge joined {summary['merged_traces']} contiguous trace(s) written from different files")
        for kept, merged in summary["merged_events"].items():
            click.echo(f"  merged {len(merged)} duplicate event(s) into {kept}")
        for skipped in summary["skipped"]:
            what = skipped.get("trace") or skipped["path"]
            count = f" ({skipped['count']} traces)" if skipped.get("count", 1) > 1 else ""
            click.echo(f"  skipped {what}{count}: {skipped['reason']}")
        for widened in summary["widened"]:
            click.echo(f"  widened {widened['trace']} starting {widened['start']}: {widened['from']} -> "
                       f"{widened['to']} (lossless)")
        if summary["logs"]:
            click.echo(f"  {len(summary['logs'])} text record(s) stored as auxiliary data under /AuxiliaryData/Logs")
    warnings = summary.get("warnings", [])
    shown = warnings if verbose_level() > 0 else warnings[:_MAX_WARNINGS]
    for warning in shown:
        click.echo(f"  warning: {warning}", err=True)
    if len(warnings) > len(shown):
        click.echo(f"  ... and {len(warnings) - len(shown)} more warning(s) (-v or --json shows all)", err=True)


_MAX_WARNINGS = 10

#: Where each convert option applies: "into" ASDF, "export" (--to mseed|sac|stationxml|quakeml),
#: "css" (--to css).  Options not listed apply everywhere (--json, --progress, --overwrite...).
#: A given option outside its modes is refused (exit 2) before anything is read.
OPTION_MODES: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("fmt", "stations", "events", "event_window", "no_associate", "dedupe_time", "dedupe_distance",
         "merge", "cast", "compression", "append", "in_place", "skip_bad", "skip_duplicates", "jobs",
         "default_network", "remap", "data_roots", "codes"),
        frozenset({"into"})),
    **dict.fromkeys(("groups", "starttime", "endtime"), frozenset({"export", "css"})),
    "per": frozenset({"export"}),
    **dict.fromkeys(("css_schema", "css_expanded"), frozenset({"css"})),
}
#: The options --codes-template takes (--to and --codes are refused with their own message).
_TEMPLATE_OPTIONS = frozenset({"codes_template", "network", "station_code", "fmt", "overwrite", "as_json", "progress"})
_MODE_WORDS = {"into": "into ASDF", "export": "to an export (--to mseed|sac|stationxml|quakeml)",
               "css": "to a CSS export (--to css)"}


def _refuse_empty_selection(source: str, query: dict[str, Any]) -> None:
    """A selection that matches no trace of SOURCE: exit 1 before anything is written."""
    if not query:
        return
    from ..container import open as open_asdf

    with open_asdf(source, "r") as handle:
        if not handle.list_waveforms(**query):
            shown = ", ".join(f"{key}={value}" for key, value in query.items())
            raise EmptySelectionError(f"no trace of {source!r} matches the selection ({shown}): nothing exported")


def _given_options(ctx: click.Context) -> dict[str, str]:
    """The options given on the command line (not defaults): parameter name -> option flag."""
    given = {}
    for param in ctx.command.params:
        if not isinstance(param, click.Option) or param.name is None:
            continue
        source = ctx.get_parameter_source(param.name)
        if source is not None and source is not click.core.ParameterSource.DEFAULT:
            given[param.name] = max(param.opts, key=len)
    return given


def check_options(ctx: click.Context, mode: str) -> None:
    """Refuse (exit 2, naming them) the given options that do not apply to MODE."""
    given = _given_options(ctx)
    wrong = [flag for name, flag in given.items() if name in OPTION_MODES and mode not in OPTION_MODES[name]]
    refuse_options(wrong, f"to a conversion {_MODE_WORDS[mode]}")


def _write_codes_template(paths: tuple[str, ...], table: Path, network: str | None, station: str | None,
                          fmt: str | None, overwrite: bool, as_json: bool, *, to: str | None,
                          codes: Path | None) -> None:
    """``--codes-template``: every PATH is an input; write the proposed table and stop."""
    if to is not None or codes is not None:
        raise click.UsageError("--codes-template writes a table only: it takes no --to or --codes")
    try:
        report = codes_template(paths, table, network=network, station=station, fmt=fmt, overwrite=overwrite)
    except OutputExistsError as exc:
        raise click.UsageError(str(exc)) from None
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    click.echo(f"{report.table}: {report.ids} trace id(s), {report.changed} with a proposed new id; check it, "
               f"then convert with --codes {report.table}")
    for line in report.unreadable:
        click.echo(f"  unreadable: {line}", err=True)


def verbose_level() -> int:
    """How many -v the top-level command was given."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    return int(root.params.get("verbose", 0)) if root is not None else 0

