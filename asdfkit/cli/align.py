"""``asdf-cli align``: ICCS/MCCC alignment of an event's traces, stored runs, plots, picks.

``asdf-cli align FILE --event ID`` is short for ``asdf-cli align run FILE --event ID``:
when the first argument is not a subcommand (``run``, ``report``, ``plot``,
``export-picks``), ``run`` is implied.  A file literally named like a
subcommand needs the explicit form (``asdf-cli align run report``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..alignment.picks import T0_SOURCES, export_picks
from ..alignment.quality import event_summary, quality_frame, station_summary
from ..alignment.run import align_event
from ..alignment.store import StoredRun, list_runs, read_run, rows_as_dicts
from ..alignment.types import AlignmentParams

__all__ = ["align"]

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


class _RunByDefault(click.Group):
    """A group whose first argument, when not a subcommand, goes to ``run``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_RunByDefault)
def align() -> None:
    """Align an event's arrivals with ICCS and MCCC; runs are stored in the file.

    \b
    asdf-cli align FILE --event ID [options]      align (same as `align run`)
    asdf-cli align report FILE [--json]           stored runs and their quality
    asdf-cli align plot FILE --event ID -o x.png  section or per-station quality
    asdf-cli align export-picks FILE -o picks.xml | --into-file
    """


def _run_text(run: StoredRun) -> str:
    lines = [
        f"{run.event_id}: {run.run_id} ({run.phase}, t0 from {run.t0_source}, tag {run.tag})",
        f"  ICCS: {run.status_iccs} after {run.iterations} iteration(s)",
    ]
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
        flags = ("" if r.select else "deselected ") + ("flipped" if r.flip else "")
        error = f"{r.mccc_error * 1000:10.1f}" if r.mccc_error == r.mccc_error else f"{'-':>10}"
        mccc_cc = f"{r.mccc_cc_mean:8.2f}" if r.mccc_cc_mean == r.mccc_cc_mean else f"{'-':>8}"
        lines.append(
            f"  {r.seed_id:<16} {r.t0:8.3f} {r.t1 - r.t0:+10.3f} {r.iccs_cc:8.2f} {mccc_cc} "
            f"{error}  {flags.strip()}"
        )
    return "\n".join(lines)


def _run_json(run: StoredRun) -> dict[str, Any]:
    rows = [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        for row in rows_as_dicts(run)
    ]
    return {**run.summary(), "params": run.params, "history": list(run.history), "rows": rows}


_RUN_OPTIONS = [
    click.option(
        "--phase",
        default="P",
        show_default=True,
        help="Phase: P/S = first P/S arrival (TauP) or the phase hint of QuakeML picks.",
    ),
    click.option(
        "--window",
        nargs=2,
        type=float,
        default=(-15.0, 15.0),
        show_default=True,
        metavar="PRE POST",
        help="Window around the pick, seconds.",
    ),
    click.option(
        "--bandpass",
        nargs=2,
        type=float,
        default=None,
        metavar="LOW HIGH",
        help="Zero-phase Butterworth bandpass in Hz before windowing (e.g. 0.05 2).",
    ),
    click.option("--corners", default=2, show_default=True, help="Bandpass corners."),
    click.option("--autoflip", is_flag=True, help="Flip traces that correlate negatively with the stack."),
    click.option("--autoselect", is_flag=True, help="Deselect traces with cc below --min-cc."),
    click.option("--min-cc", default=0.5, show_default=True, help="Autoselect threshold."),
    click.option("--max-shift", type=float, default=None, help="Largest pick shift, s [window/4]."),
    click.option("--mccc/--no-mccc", default=True, show_default=True, help="Refine with MCCC."),
    click.option("--mccc-min-cc", default=0.5, show_default=True, help="Pairs used by MCCC."),
    click.option(
        "--t0",
        "t0_source",
        type=click.Choice(T0_SOURCES),
        default="taup",
        show_default=True,
        help="Initial picks: TauP prediction, or the event's QuakeML picks.",
    ),
    click.option("--model", default="iasp91", show_default=True, help="TauP velocity model."),
    click.option("--tag", default=None, help="Waveform tag [the event's only tag]."),
    click.option("--channel", default=None, help="Channel pattern [*Z]."),
]


def alignment_options(function: Any) -> Any:
    """Every option of an alignment run except the event and the output (shared with ``batch align``)."""
    for option in reversed(_RUN_OPTIONS):
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


@align.command("run")
@click.argument("file", type=_FILE)
@click.option(
    "--event",
    "event_id",
    required=True,
    metavar="ID",
    help="QuakeML resource id of the event, or a unique tail of it (e.g. event/1).",
)
@alignment_options
@click.option("--in-place", is_flag=True,
              help="Store the run into FILE directly, not on a copy (large files; NOT crash-safe).")
@click.option("--json", "as_json", is_flag=True, help="Print the stored run as JSON.")
def run_command(
    file: Path,
    event_id: str,
    phase: str,
    window: tuple[float, float],
    bandpass: tuple[float, float] | None,
    corners: int,
    autoflip: bool,
    autoselect: bool,
    min_cc: float,
    max_shift: float | None,
    mccc: bool,
    mccc_min_cc: float,
    t0_source: str,
    model: str,
    tag: str | None,
    channel: str | None,
    in_place: bool,
    as_json: bool,
) -> None:
    """Align the traces of one event in FILE and store the run (a new run_NNNN each time).

    Exit 1 with a message naming the value and the rule on bad input (unknown
    event, no traces, no coordinates, no arrival, bad window); FILE is then unchanged.
    """
    params = params_from_options(
        window, bandpass, corners, autoflip, autoselect, min_cc, max_shift, mccc_min_cc
    )
    run = align_event(
        file,
        event_id,
        phase=phase,
        params=params,
        tag=tag,
        channel=channel,
        t0_source=t0_source,
        taup_model=model,
        mccc=mccc,
        progress=not as_json and sys.stderr.isatty(),
        in_place=in_place,
    )
    click.echo(json.dumps(_run_json(run), indent=2) if as_json else _run_text(run))


@align.command("report")
@click.argument("file", type=_FILE)
@click.option("--event", "event_id", default=None, metavar="ID", help="Only this event.")
@click.option("--run", "run_id", default=None, help="One run (latest, run_0002, 2) with its traces.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def report_command(file: Path, event_id: str | None, run_id: str | None, as_json: bool) -> None:
    """Stored alignment runs in FILE: statuses and quality per event, run and station.

    One line per run; then per station (latest run of each event, selected
    traces): ICCS cc, residual pick (t1 - t0 minus the run's mean) and MCCC
    error, as mean ± standard error over events.
    """
    if run_id is not None:
        run = read_run(file, event_id, run_id)
        click.echo(json.dumps(_run_json(run), indent=2) if as_json else _run_text(run))
        return
    runs = [
        r
        for r in list_runs(file)
        if event_id is None or event_id in (r.event_id, r.event_key) or r.event_id.endswith("/" + event_id)
    ]
    frame = quality_frame(runs)
    latest = quality_frame(runs, latest=True)
    stations = station_summary(latest) if len(latest) else None
    if as_json:
        out = {
            "runs": [r.summary() for r in runs],
            "stations": []
            if stations is None
            else json.loads(stations.reset_index().to_json(orient="records")),
        }
        click.echo(json.dumps(out, indent=2))
        return
    if not runs:
        click.echo(f"{file}: no alignment runs")
        return
    for (event, run_name), row in event_summary(frame).iterrows():
        mccc = f", MCCC {row['status_mccc']}" if isinstance(row["status_mccc"], str) else ""
        click.echo(
            f"{event} {run_name}: {int(row['selected'])}/{int(row['traces'])} selected, "
            f"ICCS {row['status_iccs']}{mccc}, iccs_cc {row['iccs_cc_mean']:.2f} "
            f"± {_sem(row['iccs_cc_sem'])}"
        )
    assert stations is not None
    click.echo(f"\n{'station':<10} {'n':>3} {'iccs_cc':>14} {'residual (ms)':>18} {'mccc_error (ms)':>16}")
    for station, row in stations.iterrows():
        click.echo(
            f"{station:<10} {int(row['count']):>3} {row['iccs_cc_mean']:7.2f} ± {_sem(row['iccs_cc_sem'])} "
            f"{row['residual_mean'] * 1000:9.0f} ± {_sem(row['residual_sem'] * 1000, 6, 0)} "
            f"{row['mccc_error_mean'] * 1000:16.0f}"
        )


def _sem(value: float, width: int = 4, digits: int = 2) -> str:
    return f"{value:{width}.{digits}f}" if value == value else f"{'-':>{width}}"


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
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Image file (.png, .pdf, .svg).",
)
@click.option("--dpi", default=120, show_default=True)
def plot_command(file: Path, event_id: str | None, run_id: str, kind: str, output: Path, dpi: int) -> None:
    """Plot a stored run: aligned section sorted by cc with the stack on top, or station quality."""
    from ..alignment.plot import plot_quality, plot_section

    figure = (plot_section if kind == "section" else plot_quality)(file, event_id, run_id)
    figure.savefig(output, dpi=dpi)
    click.echo(f"wrote {output}")


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
) -> None:
    """Export a run's picks as QuakeML picks (to -o FILE.xml and/or --into-file)."""
    if output is None and not into_file:
        raise click.UsageError("give -o picks.xml or --into-file")
    if in_place and not into_file:
        raise click.UsageError("--in-place only applies to --into-file")
    picks = export_picks(
        file, event_id=event_id, run=run_id, output=output, into_file=into_file, selected_only=selected_only,
        in_place=in_place,
    )
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "seed_id": p.waveform_id.get_seed_string(),
                        "time": str(p.time),
                        "phase": p.phase_hint,
                        "method": str(p.method_id),
                        "uncertainty": p.time_errors.uncertainty,
                    }
                    for p in picks
                ],
                indent=2,
            )
        )
        return
    where = " and ".join(([str(output)] if output else []) + ([f"{file} /QuakeML"] if into_file else []))
    click.echo(f"exported {len(picks)} pick(s) to {where}")
