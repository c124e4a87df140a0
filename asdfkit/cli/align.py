"""``asdf-cli align``: ICCS/MCCC alignment of an event's traces, stored runs, plots, picks.

``asdf-cli align FILE --event ID`` is short for ``asdf-cli align run FILE --event ID``:
when the first argument is not a subcommand (``run``, ``rollback``, ``delete``,
``report``, ``plot``, ``pick``, ``export-picks``), ``run`` is implied.  A file literally named like a
subcommand needs the explicit form (``asdf-cli align run report``).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import click

from ..alignment.edits import Edit, read_edits
from ..alignment.picks import T0_SOURCES, export_picks
from ..alignment.plot import plain, signed
from ..alignment.quality import event_summary, quality_frame, station_summary
from ..alignment.run import align_event
from ..alignment.sorting import SORT_ORDERS
from ..alignment.store import StoredRun, delete_run, list_runs, read_run, rollback_run, rows_as_dicts
from ..alignment.types import AlignmentParams
from ..errors import EventNotFoundError, RunNotFoundError
from .contract import AsdfFile, refuse_existing, refuse_options

__all__ = ["align"]

_FILE = AsdfFile()


class _RunByDefault(click.Group):
    """A group whose first argument, when not a subcommand, goes to ``run``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (EventNotFoundError, RunNotFoundError) as exc:  # a usage error: exit 2
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=_RunByDefault)
def align() -> None:
    """Align an event's arrivals with ICCS and MCCC; runs are stored in the file.

    \b
    asdf-cli align FILE --event ID [options]      align (same as `align run`)
    asdf-cli align run FILE --event ID --from latest --deselect ID --flip ID --pick ID=+0.4
    asdf-cli align rollback FILE --event ID --to N
    asdf-cli align delete FILE --event ID --run N [--force]
    asdf-cli align report FILE [--json]           stored runs and their quality
    asdf-cli align plot FILE --event ID -o x.png  section or per-station quality
    asdf-cli align pick FILE --event ID [--from RUN]   interactive picker (matplotlib)
    asdf-cli align export-picks FILE -o picks.xml | --into-file
    """


def _run_text(run: StoredRun) -> str:
    lines = [
        f"{run.event_id}: {run.run_id} ({run.phase}, t0 from {run.t0_source}, tag {run.tag})"
        + (f", {run.origin} from {run.parent}" if run.parent else ""),
    ]
    if run.comment:
        lines.append(f"  comment: {run.comment}")
    lines += [f"  edit: {e}" for e in run.edits]
    lines.append(f"  ICCS: {run.status_iccs} after {run.iterations} iteration(s)")
    if run.mccc:
        rmse = f"{run.mccc_rmse * 1000:.1f} ms" if run.mccc_rmse == run.mccc_rmse else "- (nothing solved)"
        lines.append(f"  MCCC: {run.status_mccc}, rmse {rmse}")
    if run.attrs.get("messages"):
        lines += [f"  note: {m}" for m in str(run.attrs["messages"]).splitlines()]
    lines.append(
        f"  {'trace':<16} {'t0 (s)':>8} {'t1-t0 (s)':>10} {'iccs_cc':>8} {'mccc_cc':>8} "
        f"{'error (ms)':>10}  flags"
    )
    for r in run.rows:
        selection = "deselected" if not r.select else ("selected" if r.select_manual else "")
        polarity = "flipped" if r.flip else ("unflipped" if r.flip_manual else "")
        flags = " ".join(
            [
                selection + "*" * r.select_manual if selection else "",
                polarity + "*" * r.flip_manual if polarity else "",
            ]
        )
        error = f"{r.mccc_error * 1000:10.1f}" if r.mccc_error == r.mccc_error else f"{'-':>10}"
        mccc_cc = f"{plain(r.mccc_cc_mean):>8}" if r.mccc_cc_mean == r.mccc_cc_mean else f"{'-':>8}"
        lines.append(
            f"  {r.seed_id:<16} {plain(r.t0, 3):>8} {signed(r.t1 - r.t0, 3):>10} {plain(r.iccs_cc):>8} {mccc_cc} "
            f"{error}  {flags.strip()}"
        )
    if any(r.select_manual or r.flip_manual for r in run.rows):
        lines.append("  (* decided by hand)")
    return "\n".join(lines)


def _run_json(run: StoredRun) -> dict[str, Any]:
    rows = [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        for row in rows_as_dicts(run)
    ]
    return {**run.summary(), "params": run.params, "history": list(run.history), "rows": rows}


def _run_options(inherit: bool) -> list[Any]:
    """The options of an alignment run; with ``inherit`` every default is None (kept from ``--from``)."""

    def default(value: Any) -> Any:
        return None if inherit else value

    shown = not inherit

    def hint(text: str, value: str, *, always: bool = False) -> str:
        """``text [value]``: with --from the default is the parent's; click shows the others."""
        if inherit:
            return f"{text[:-1]} [{value}; with --from: the run's]."
        return f"{text[:-1]} [{value}]." if always else text

    options = [
        click.option(
            "--phase",
            default=default("P"),
            show_default=shown,
            help=hint("Phase: P/S = first P/S arrival (TauP) or the phase hint of QuakeML picks.", "P"),
        ),
        click.option(
            "--window",
            nargs=2,
            type=float,
            default=default((-15.0, 15.0)),
            show_default=shown,
            metavar="PRE POST",
            help=hint("Window around the pick, seconds.", "-15 15"),
        ),
        click.option(
            "--bandpass",
            nargs=2,
            type=float,
            default=None,
            metavar="LOW HIGH",
            help="Zero-phase Butterworth bandpass in Hz before windowing (e.g. 0.05 2).",
        ),
    ]
    if inherit:
        options.append(click.option("--no-bandpass", is_flag=True, help="No bandpass (overrides --from's)."))
    options += [
        click.option(
            "--corners", type=int, default=default(2), show_default=shown, help=hint("Bandpass corners.", "2")
        ),
        click.option(
            "--autoflip/--no-autoflip",
            default=default(False),
            help="Flip traces that correlate negatively with the stack.",
        ),
        click.option(
            "--autoselect/--no-autoselect",
            default=default(False),
            help="Deselect traces with cc below --min-cc.",
        ),
        click.option(
            "--min-cc",
            type=float,
            default=default(0.5),
            show_default=shown,
            help=hint("Autoselect threshold.", "0.5"),
        ),
        click.option(
            "--max-shift",
            type=float,
            default=None,
            help=hint("Largest pick shift, s.", "window/4", always=True),
        ),
        click.option(
            "--mccc/--no-mccc",
            default=default(True),
            show_default=shown,
            help=hint("Refine with MCCC.", "yes"),
        ),
        click.option(
            "--mccc-min-cc",
            type=float,
            default=default(0.5),
            show_default=shown,
            help=hint("Pairs used by MCCC.", "0.5"),
        ),
        click.option(
            "--t0",
            "t0_source",
            type=click.Choice(T0_SOURCES),
            default=default("taup"),
            show_default=shown,
            help=hint("Initial picks: TauP prediction, or the event's QuakeML picks.", "taup"),
        ),
        click.option(
            "--model",
            default=default("iasp91"),
            show_default=shown,
            help=hint("TauP velocity model.", "iasp91"),
        ),
        click.option("--tag", default=None, help=hint("Waveform tag.", "the event's only tag", always=True)),
        click.option("--channel", default=None, help=hint("Channel pattern.", "*Z", always=True)),
    ]
    return options


_RUN_OPTIONS = _run_options(inherit=False)


def alignment_options(function: Any) -> Any:
    """Every option of an alignment run except the event and the output (shared with ``batch align``)."""
    for option in reversed(_RUN_OPTIONS):
        function = option(function)
    return function


def _inheriting_options(function: Any) -> Any:
    for option in reversed(_run_options(inherit=True)):
        function = option(function)
    return function


def params_from_options(
    window: tuple[float, float],
    bandpass: tuple[float, float] | None,
    corners: int,
    autoflip: bool,
    autoselect: bool,
    min_cc: float,
    max_shift: float | None,
    mccc_min_cc: float,
) -> AlignmentParams:
    """The :class:`AlignmentParams` the alignment options describe."""
    return AlignmentParams(
        window_pre=window[0],
        window_post=window[1],
        autoflip=autoflip,
        autoselect=autoselect,
        min_cc=min_cc,
        max_shift=max_shift,
        mccc_min_cc=mccc_min_cc,
        bandpass=bandpass,
        bandpass_corners=corners,
    )


def _merged_params(base: AlignmentParams, options: dict[str, Any]) -> AlignmentParams:
    """``base`` with every option given on the command line (not None) in its place."""
    changes: dict[str, Any] = {}
    if options.get("window") is not None:
        changes["window_pre"], changes["window_post"] = options["window"]
    if options.get("no_bandpass"):
        if options.get("bandpass") is not None:
            raise click.UsageError("give --bandpass LOW HIGH or --no-bandpass, not both")
        changes["bandpass"] = None
    elif options.get("bandpass") is not None:
        changes["bandpass"] = tuple(options["bandpass"])
    names = {
        "corners": "bandpass_corners",
        "autoflip": "autoflip",
        "autoselect": "autoselect",
        "min_cc": "min_cc",
        "max_shift": "max_shift",
        "mccc_min_cc": "mccc_min_cc",
    }
    for option, field in names.items():
        if options.get(option) is not None:
            changes[field] = options[option]
    return dataclasses.replace(base, **changes)


def _edits_from_options(
    edits_file: Path | None,
    deselect: tuple[str, ...],
    select: tuple[str, ...],
    flip: tuple[str, ...],
    unflip: tuple[str, ...],
    pick: tuple[str, ...],
) -> list[Edit]:
    edits = list(read_edits(edits_file)) if edits_file is not None else []
    for action, values in (
        ("deselect", deselect),
        ("select", select),
        ("flip", flip),
        ("unflip", unflip),
        ("pick", pick),
    ):
        edits += [Edit.parse(action, v) for v in values]
    return edits


def _edit_options(function: Any) -> Any:
    options = [
        click.option(
            "--deselect",
            multiple=True,
            metavar="ID",
            help="Leave this trace out of the stack (seed id or NET.STA; repeatable).",
        ),
        click.option(
            "--select",
            "select_",
            multiple=True,
            metavar="ID",
            help="Put this trace in the stack (repeatable).",
        ),
        click.option(
            "--flip", multiple=True, metavar="ID", help="Reverse this trace's polarity (repeatable)."
        ),
        click.option(
            "--unflip",
            multiple=True,
            metavar="ID",
            help="Keep this trace's polarity as recorded (repeatable).",
        ),
        click.option(
            "--pick",
            multiple=True,
            metavar="ID=TIME",
            help="Initial pick of a trace: absolute ISO time, or a signed offset in s from the current pick "
            "(e.g. XH.A010=+0.4; repeatable).",
        ),
        click.option(
            "--edits",
            "edits_file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            default=None,
            help="CSV of edits with the header id,action,value (value only for pick).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _event_option(required: bool) -> Any:
    return click.option(
        "--event",
        "event_id",
        required=required,
        default=None,
        metavar="ID",
        help="QuakeML resource id of the event, or a unique tail of it (e.g. event/1)"
        + ("." if required else " [the only aligned one]."),
    )


@align.command("run")
@click.argument("file", type=_FILE)
@_event_option(required=True)
@click.option(
    "--from",
    "start_from",
    default=None,
    metavar="RUN",
    help="Start from a stored run (latest, or a run number): its picks, selection, flips, "
    "manual decisions and parameters, unless overridden here.",
)
@_inheriting_options
@_edit_options
@click.option("--comment", default="", help="Stored with the run, shown by `align report`.")
@click.option("--in-place", is_flag=True,
              help="Store the run into FILE directly, not on a copy (large files; NOT crash-safe).")
@click.option("--group", "groups", multiple=True, metavar="NAME",
              help="Only traces of this trace group (repeatable: any of them); see `asdf-cli group`.")
@click.option("--label", "labels", multiple=True, metavar="LABEL",
              help="Only traces with this label (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the stored run as JSON.")
def run_command(
    file: Path,
    event_id: str,
    start_from: str | None,
    phase: str | None,
    t0_source: str | None,
    model: str | None,
    tag: str | None,
    channel: str | None,
    mccc: bool | None,
    edits_file: Path | None,
    deselect: tuple[str, ...],
    select_: tuple[str, ...],
    flip: tuple[str, ...],
    unflip: tuple[str, ...],
    pick: tuple[str, ...],
    comment: str,
    in_place: bool,
    groups: tuple[str, ...],
    labels: tuple[str, ...],
    as_json: bool,
    **options: Any,
) -> None:
    """Align the traces of one event in FILE and store the run (a new run_NNNN each time).

    With --from the run starts from a stored run; --deselect/--select/--flip/
    --unflip/--pick/--edits are manual decisions, sticky: autoselect and
    autoflip never override them, in this run or in runs made --from it.

    Exit 1 with a message naming the value and the rule on bad input (no traces,
    no coordinates, no arrival, bad window, bad edit); exit 2 for an unknown
    event or run, or an option that does not apply; FILE is then unchanged.
    """
    edits = _edits_from_options(edits_file, deselect, select_, flip, unflip, pick)
    if start_from is None:
        params = _merged_params(AlignmentParams(), options)
    else:
        given = [
            name
            for name, value in (
                ("--t0", t0_source),
                ("--phase", phase),
                ("--model", model),
                ("--tag", tag),
                ("--channel", channel),
                ("--group", groups or None),
                ("--label", labels or None),
            )
            if value is not None
        ]
        if given:
            raise click.UsageError(
                f"{', '.join(given)} cannot be used with --from: the run's traces, phase and t0 are kept"
            )
        params = _merged_params(read_run(file, event_id, start_from).alignment_params, options)
    run = align_event(
        file,
        event_id,
        phase=phase,
        params=params,
        tag=tag,
        channel=channel,
        t0_source=t0_source,
        taup_model=model or "iasp91",
        mccc=mccc,
        progress=not as_json and sys.stderr.isatty(),
        start_from=start_from,
        edits=edits,
        comment=comment,
        in_place=in_place,
        group=list(groups) or None,
        labels=list(labels) or None,
    )
    click.echo(json.dumps(_run_json(run), indent=2) if as_json else _run_text(run))


@align.command("rollback")
@click.argument("file", type=_FILE)
@_event_option(required=False)
@click.option("--to", "to", required=True, metavar="RUN", help="The run whose state becomes the newest run.")
@click.option("--comment", default="", help="Stored with the new run.")
@click.option("--in-place", is_flag=True,
              help="Write into FILE directly, not on a copy (large files; NOT crash-safe).")
@click.option("--json", "as_json", is_flag=True, help="Print the new run as JSON.")
def rollback_command(
    file: Path, event_id: str | None, to: str, comment: str, in_place: bool, as_json: bool
) -> None:
    """Make run --to's state (picks, selection, flips, parameters) the newest run, as a new run.

    History is never rewritten: the new run records where it came from.
    """
    run = rollback_run(file, event_id, to, comment=comment, in_place=in_place)
    click.echo(json.dumps(_run_json(run), indent=2) if as_json else _run_text(run))


@align.command("delete")
@click.argument("file", type=_FILE)
@_event_option(required=False)
@click.option(
    "--run", "run_id", required=True, metavar="RUN", help="The run to delete (a number or run_NNNN)."
)
@click.option("--force", is_flag=True, help="Delete even if other runs were made from it.")
@click.option("--in-place", is_flag=True,
              help="Write into FILE directly, not on a copy (large files; NOT crash-safe).")
@click.option("--json", "as_json", is_flag=True, help="Print what was deleted as JSON.")
def delete_command(
    file: Path, event_id: str | None, run_id: str, force: bool, in_place: bool, as_json: bool
) -> None:
    """Delete a stored run and its provenance document.

    Refused (exit 1) while another run was made from it, unless --force.
    """
    if run_id == "latest":
        raise click.UsageError("--run latest is refused for delete: name the run (e.g. --run 3)")
    removed = delete_run(file, event_id, run_id, force=force, in_place=in_place)
    if as_json:
        click.echo(json.dumps(removed, indent=2))
    else:
        children = f" (runs made from it: {', '.join(removed['children'])})" if removed["children"] else ""
        click.echo(f"deleted {removed['run']} of {removed['event_id']} and its provenance document{children}")


@align.command("report")
@click.argument("file", type=_FILE)
@click.option("--event", "event_id", default=None, metavar="ID", help="Only this event.")
@click.option("--run", "run_id", default=None, help="One run (latest, run_0002, 2) with its traces.")
@click.option(
    "--runs",
    "runs_mode",
    type=click.Choice(["latest", "all"]),
    default="latest",
    show_default=True,
    help="Station summary over each event's latest run, or over every run.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def report_command(
    file: Path, event_id: str | None, run_id: str | None, runs_mode: str, as_json: bool
) -> None:
    """Stored alignment runs in FILE: comments, parents, statuses and quality per event, run and station.

    One line per run (how it was made, from which run, its comment); then per
    station (latest run of each event, selected traces): ICCS cc, residual pick
    (t1 - t0 minus the run's mean) and MCCC error, as mean ± standard error over events.
    """
    if run_id is not None:
        run = read_run(file, event_id, run_id)
        click.echo(json.dumps(_run_json(run), indent=2) if as_json else _run_text(run))
        return
    runs = list_runs(file)
    if event_id is not None:
        from ..alignment.select import find_event
        from ..container import open as open_asdf

        with open_asdf(file) as f:
            wanted = str(find_event(f, event_id).resource_id)
        runs = [r for r in runs if r.event_id == wanted]
    frame = quality_frame(runs)
    stations = station_summary(frame, runs=runs_mode) if len(frame) else None
    events = event_summary(frame) if len(frame) else None
    if as_json:
        out = {
            "file": str(file),
            "runs": [r.summary() for r in runs],
            "events": [] if events is None else json.loads(events.reset_index().to_json(orient="records")),
            "station_runs": runs_mode,
            "stations": []
            if stations is None
            else json.loads(stations.reset_index().to_json(orient="records")),
        }
        click.echo(json.dumps(out, indent=2))
        return
    if not runs:
        click.echo(f"{file}: no alignment runs")
        return
    assert events is not None and stations is not None
    by_id = {(r.event_id, r.run_id): r for r in runs}
    for (event, run_name), row in events.iterrows():
        stored = by_id[(event, run_name)]
        made = f" ({stored.origin} from {stored.parent})" if stored.parent else ""
        mccc = f", MCCC {row['status_mccc']}" if isinstance(row["status_mccc"], str) else ""
        if mccc and row["mccc_rmse"] == row["mccc_rmse"]:
            mccc += f" rmse {row['mccc_rmse'] * 1000:.1f} ms"
        edits = f", {len(stored.edits)} edit(s)" if stored.edits else ""
        comment = f'  "{stored.comment}"' if stored.comment else ""
        click.echo(
            f"{event} {run_name}{made}: {int(row['selected'])}/{int(row['traces'])} selected, "
            f"ICCS {row['status_iccs']}{mccc}, iccs_cc {row['iccs_cc_mean']:.2f} "
            f"± {_sem(row['iccs_cc_sem'])}{edits}{comment}"
        )
    click.echo(
        f"\n{'station':<10} {'n':>3} {'iccs_cc':>14} {'residual (ms)':>18} {'mccc_error (ms)':>16}"
        f"   ({'one run per event: the latest' if runs_mode == 'latest' else 'every run'})"
    )
    for station, row in stations.iterrows():
        click.echo(
            f"{station:<10} {int(row['count']):>3} {row['iccs_cc_mean']:7.2f} ± {_sem(row['iccs_cc_sem'])} "
            f"{row['residual_mean'] * 1000:9.0f} ± {_sem(row['residual_sem'] * 1000, 6, 0)} "
            f"{row['mccc_error_mean'] * 1000:16.0f}"
        )


def _sem(value: float, width: int = 4, digits: int = 2) -> str:
    return f"{value:{width}.{digits}f}" if value == value else f"{'-':>{width}}"


_SORT = click.option(
    "--sort",
    type=click.Choice(SORT_ORDERS),
    default="distance",
    show_default=True,
    help="Order of the traces in every panel.",
)


@align.command("plot")
@click.argument("file", type=_FILE)
@click.option("--event", "event_id", default=None, metavar="ID", help="Event [the only aligned one].")
@click.option("--run", "run_id", default="latest", show_default=True, help="Run to plot.")
@click.option(
    "--kind",
    type=click.Choice(["section", "quality"]),
    default="section",
    show_default=True,
    help="Traces before/after alignment, or per-station quality.",
)
@_SORT
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Image file (.png, .pdf, .svg).",
)
@click.option("--dpi", default=120, show_default=True)
@click.option("--overwrite", is_flag=True, help="Replace an existing OUTPUT image (else refused).")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def plot_command(
    file: Path, event_id: str | None, run_id: str, kind: str, sort: str, output: Path, dpi: int, as_json: bool,
    overwrite: bool = False,
) -> None:
    """Plot a stored run: the section at t0 and at t1 with the stacks on top, or station quality.

    An existing OUTPUT is refused unless --overwrite (exit 2)."""
    refuse_existing(output, overwrite)
    from ..alignment.plot import plot_quality, plot_section

    run = read_run(file, event_id, run_id)
    figure = (plot_section if kind == "section" else plot_quality)(file, run.event_id, run.run_id, sort=sort)
    figure.savefig(output, dpi=dpi)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "output": str(output),
                    "kind": kind,
                    "sort": sort,
                    "event_id": run.event_id,
                    "run": run.run_id,
                },
                indent=2,
            )
        )
    else:
        click.echo(f"wrote {output}")


@align.command("pick")
@click.argument("file", type=_FILE)
@_event_option(required=True)
@click.option(
    "--from",
    "start_from",
    default=None,
    metavar="RUN",
    help="Start from a stored run (latest, or a run number) [a new state at t0].",
)
@_inheriting_options
@_SORT
@click.option("--comment", default="", help="Comment of the runs saved (editable in the window).")
@click.option("--json", "as_json", is_flag=True, help="Print the runs saved as JSON when the window closes.")
def pick_command(
    file: Path,
    event_id: str,
    start_from: str | None,
    phase: str | None,
    t0_source: str | None,
    model: str | None,
    tag: str | None,
    channel: str | None,
    mccc: bool | None,
    sort: str,
    comment: str,
    as_json: bool,
    **options: Any,
) -> None:
    """Pick interactively: the stack on top, the section below (AIMBAT's picker, in matplotlib).

    \b
    click on the stack       set the phase pick of every trace there
    drag on the stack        set the window
    click on a trace         select / deselect it
    f on a trace             flip / unflip it
    i / m                    run ICCS / MCCC and show the result
    d / c / a                sort by distance / cc / azimuth
    w                        save the state as a new run (with the comment box's text)
    q                        close
    """
    from ..alignment.picker import Picker

    if start_from is not None:
        given = [
            name
            for name, value in (
                ("--t0", t0_source),
                ("--phase", phase),
                ("--model", model),
                ("--tag", tag),
                ("--channel", channel),
            )
            if value is not None
        ]
        if given:
            raise click.UsageError(
                f"{', '.join(given)} cannot be used with --from: the run's traces are kept"
            )
        params = _merged_params(read_run(file, event_id, start_from).alignment_params, options)
    else:
        params = _merged_params(AlignmentParams(), options)
    if not _interactive_backend():
        raise click.UsageError(
            "align pick needs an interactive matplotlib backend (this one is "
            f"{_backend_name()!r}): run it where a display is available, set MPLBACKEND (QtAgg, TkAgg...), "
            "or use asdfkit.alignment.picker.Picker in Jupyter with ipympl"
        )
    import matplotlib.pyplot as plt

    picker = Picker.open(
        file,
        event_id,
        start_from=start_from,
        params=params,
        phase=phase,
        t0_source=t0_source,
        taup_model=model or "iasp91",
        tag=tag,
        channel=channel,
        mccc=mccc,
        sort=sort,
        comment=comment,
        figure=plt.figure(figsize=(11, 9)),
    )
    plt.show()
    saved = [r.summary() for r in picker.saved]
    if as_json:
        click.echo(json.dumps({"saved": saved}, indent=2))
    else:
        click.echo(
            f"saved {len(saved)} run(s)" + (": " + ", ".join(r["run"] for r in saved) if saved else "")
        )


_NON_INTERACTIVE = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}


def _backend_name() -> str:
    import matplotlib

    return str(matplotlib.get_backend())


def _interactive_backend() -> bool:
    """Whether matplotlib's backend can open a window (not Agg, PDF, SVG...)."""
    return _backend_name().lower() not in _NON_INTERACTIVE


@align.command("export-picks")
@click.argument("file", type=_FILE)
@click.option("--event", "event_id", default=None, metavar="ID", help="Event [the only aligned one].")
@click.option("--run", "run_id", default="latest", show_default=True, help="Run whose picks to export.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="QuakeML file to write (the event with the run's picks).",
)
@click.option(
    "--into-file",
    is_flag=True,
    help="Put the picks into FILE's /QuakeML (replacing earlier alignment picks); "
    "`asdf-cli convert FILE dir --to sac` then writes them to SAC headers.",
)
@click.option("--selected-only", is_flag=True, help="Only picks of selected traces.")
@click.option("--in-place", is_flag=True,
              help="With --into-file: write FILE directly, not on a copy (large files; NOT crash-safe).")
@click.option("--overwrite", is_flag=True, help="Replace an existing -o file (else refused).")
@click.option("--json", "as_json", is_flag=True, help="Print the picks as JSON.")
def export_picks_command(
    file: Path,
    event_id: str | None,
    run_id: str,
    output: Path | None,
    into_file: bool,
    selected_only: bool,
    in_place: bool,
    as_json: bool,
    overwrite: bool = False,
) -> None:
    """Export a run's picks as QuakeML picks (to -o FILE.xml and/or --into-file).

    An existing -o file is refused unless --overwrite (exit 2)."""
    if output is None and not into_file:
        raise click.UsageError("give -o picks.xml or --into-file")
    if output is not None:
        refuse_existing(output, overwrite)
    elif overwrite:
        refuse_options(["--overwrite"], "without -o")
    if in_place and not into_file:
        raise click.UsageError("--in-place only applies to --into-file")
    picks = export_picks(
        file, event_id=event_id, run=run_id, output=output, into_file=into_file, selected_only=selected_only,
        in_place=in_place,
    )
    if as_json:
        click.echo(
            json.dumps(
                {
                    "count": len(picks),
                    "output": None if output is None else str(output),
                    "into_file": into_file,
                    "picks": [
                        {
                            "seed_id": p.waveform_id.get_seed_string(),
                            "time": str(p.time),
                            "phase": p.phase_hint,
                            "method": str(p.method_id),
                            "uncertainty": p.time_errors.uncertainty,
                        }
                        for p in picks
                    ],
                },
                indent=2,
            )
        )
        return
    where = " and ".join(([str(output)] if output else []) + ([f"{file} /QuakeML"] if into_file else []))
    click.echo(f"exported {len(picks)} pick(s) to {where}")
