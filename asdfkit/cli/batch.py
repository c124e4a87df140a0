"""``asdf-cli batch``: run a function or recipe over the stations of an ASDF file, in chunks."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from ..batch import Backend, ChunkSpec, Recipe, align_events, load_function, merge_chunks, run, status
from ..batch.journal import WorkDir
from ..batch.partition import partition
from ..batch.results import BatchStatus
from ..batch.runner import BatchSummary
from ..errors import OutputExistsError, RunNotFoundError
from .align import alignment_options, params_from_options
from .contract import AsdfFile, require_asdf, show_progress

__all__ = ["batch"]

EXIT_DATA = 1


def _default_workers() -> int:
    return int(os.environ.get("SLURM_CPUS_PER_TASK") or os.cpu_count() or 1)


@click.group()
def batch() -> None:
    """Process every station of an ASDF file in independent, restartable chunks.

    \b
    One machine:      asdf-cli batch run raw.h5 out.h5 --recipe bandpass.toml
    SLURM array:      asdf-cli batch run raw.h5 out.h5 --recipe r.toml   (chunk from SLURM_ARRAY_TASK_ID/COUNT)
                      asdf-cli batch merge out.h5                          (after the array)
    Progress:         asdf-cli batch status out.h5 [--json]
    Alignment:        asdf-cli batch align events.h5 aligned.h5 --bandpass 0.5 2   (every event)

    Killed or failed runs are restarted with the same command: committed
    stations are skipped, failed ones retried.  See docs/batch.md.
    """


def _print_summary(summary: BatchSummary) -> None:
    data = summary.to_dict()
    click.echo(
        f"chunk {data['chunk']} ({data['backend']}): {data['processed']} processed, {data['skipped']} done before, "
        f"{data['adopted']} adopted, {len(data['failed'])} failed in {data['seconds']:.1f} s"
    )
    click.echo(f"  chunk file: {data['chunk_file']}")
    if data["merged"]:
        click.echo(f"  merged into {data['output']} ({data['merged']['copied']} object(s) copied)")
    for station, failure in sorted(summary.failed.items()):
        click.echo(f"  FAILED {station}: {failure['error']}", err=True)
        for line in failure["traceback"].splitlines():
            click.echo(f"    {line}", err=True)


def _finish(summary: BatchSummary, as_json: bool) -> None:
    """Print the summary (text or JSON); exit with code 1 when a unit failed."""
    if as_json:
        click.echo(json.dumps(run_json(summary), indent=2))
    else:
        _print_summary(summary)
    if not summary.ok:
        raise click.exceptions.Exit(EXIT_DATA)


@batch.command("run")
@click.argument("input_file", metavar="INPUT", type=AsdfFile())
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--recipe",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A TOML/JSON processing recipe (detrend, taper, filter, resample, remove_response...).",
)
@click.option(
    "--function",
    "function_spec",
    metavar="MODULE:FUNC",
    help="A Python function (Stream, Inventory) -> Stream: package.module:func or file.py:func.",
)
@click.option(
    "--chunk",
    "chunk_text",
    metavar="I/N",
    help="Process chunk I (0-based) of N. Default: SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, else 0/1.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: SLURM_CPUS_PER_TASK, else the CPU count).",
)
@click.option(
    "--backend",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: a process pool on this machine; dask: a Dask cluster.",
)
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a LocalCluster).")
@click.option("--tag", help="Output waveform tag (default: the recipe's, else 'processed').")
@click.option("--input-tag", help="Waveform tag to read (needed when the input holds several).")
@click.option("--compression", default="gzip", show_default=True, help="Compression of the output traces.")
@click.option(
    "--merge/--no-merge",
    "merge_output",
    default=None,
    help="Merge the chunk files into OUTPUT at the end, like `batch merge` (default: yes when there "
    "is one chunk and nothing failed).",
)
@click.option(
    "--provenance/--no-provenance",
    default=True,
    show_default=True,
    help="Record the SEIS-PROV chain of every output trace.",
)
@click.option(
    "--stations-per-task",
    type=click.IntRange(min=1),
    default=None,
    help="Stations a worker commits together in one part file (default: ~8 tasks per worker, at most 64).",
)
@click.option("--group", "groups", multiple=True, metavar="NAME",
              help="Only the traces of this trace group (repeatable: any); see `asdf-cli group`.")
@click.option("--label", "labels", multiple=True, metavar="LABEL",
              help="Only the traces with this label (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: when stderr is a terminal).")
def run_command(
    input_file: Path,
    output: Path,
    recipe: Path | None,
    function_spec: str | None,
    chunk_text: str | None,
    workers: int | None,
    backend: str,
    scheduler: str | None,
    tag: str | None,
    input_tag: str | None,
    compression: str,
    merge_output: bool | None,
    provenance: bool,
    stations_per_task: int | None,
    groups: tuple[str, ...],
    labels: tuple[str, ...],
    as_json: bool,
    progress: bool | None,
) -> None:
    """Process the stations of INPUT (one chunk of them) into OUTPUT.

    Workers take stations in tasks and commit each task's stations together
    in one verified part file; run the same command again after a crash to
    continue.  Exit code 1 when a station failed (see `asdf-cli batch
    status`) or the disk is full; 2 when another run holds the chunk.
    """
    if (recipe is None) == (function_spec is None):
        raise click.UsageError("give exactly one of --recipe or --function")
    function: Any = Recipe.load(recipe) if recipe is not None else load_function(str(function_spec))
    chunk = ChunkSpec.parse(chunk_text) if chunk_text else None
    _refuse_foreign_output(input_file, output)
    summary = run(
        input_file,
        output,
        function,
        chunk=chunk,
        backend=Backend(backend, workers or _default_workers(), scheduler),
        tag=tag,
        input_tag=input_tag,
        compression=compression,
        progress=show_progress(progress),
        merge_output=merge_output,
        provenance=provenance,
        stations_per_task=stations_per_task,
        group=list(groups) or None,
        labels=list(labels) or None,
    )
    _finish(summary, as_json)


def run_json(summary: BatchSummary) -> dict[str, Any]:
    """``batch run --json``: the summary, ``failed`` as a list and the duration as ``elapsed_s``."""
    data = summary.to_dict()
    data["elapsed_s"] = data.pop("seconds")
    data["failed"] = [{"station": station, "chunk": summary.chunk, "error": failure.get("error", ""),
                       "traceback": failure.get("traceback", "")}
                      for station, failure in sorted(summary.failed.items())]
    return data


def _refuse_foreign_output(input_file: Path, output: Path) -> None:
    """Before anything is written: INPUT must be ASDF, and an existing OUTPUT must be this kind of
    run's (a restart), not some other file (exit 2)."""
    require_asdf(input_file)
    if output.exists() and not WorkDir(output).plan_path.exists():
        raise OutputExistsError(f"output {str(output)!r} exists and no batch run writes it: "
                                "choose a new OUTPUT (a batch run restarts only into its own)")


def _require_run(output: Path) -> None:
    """An OUTPUT with no batch work folder names no run: a usage error (exit 2)."""
    work = WorkDir(output)
    if not work.plan_path.exists():
        raise RunNotFoundError(f"no batch run writes {str(output)!r}: {str(work.plan_path)!r} does not exist")


def status_json(output: Path, state: BatchStatus) -> dict[str, Any]:
    """``batch status --json``: ``failed`` as a list like ``batch run``'s, counts as ``*_count``."""
    data = state.to_dict()
    for key in ("done", "pending"):
        data[f"{key}_count"] = data.pop(key)
    data["failed_count"] = data.pop("failed")
    work = WorkDir(output)
    plan = work.require_plan()
    failed = []
    for index, stations in enumerate(partition(plan.stations, plan.chunks)):
        spec = ChunkSpec(index, plan.chunks)
        journal = work.journal(spec, stations)
        chunk = state.chunks[index]
        failed += [{"station": station, "chunk": chunk.chunk, "error": error,
                    "traceback": str(journal.failed.get(station, {}).get("traceback", ""))}
                   for station, error in sorted(chunk.failed.items())]
    data["failed"] = failed
    for chunk in data["chunks"]:  # per chunk the failed stations' names; details are under "failed"
        chunk["failed"] = sorted(chunk["failed"])
    return data


def _print_status(state: BatchStatus) -> None:
    data = state.to_dict()
    word = "complete" if state.complete else "incomplete"
    click.echo(
        f"{data['output']}: {word}; {data['done']} done, {data['failed']} failed, "
        f"{data['pending']} pending ({data['job']})"
    )
    for chunk in state.chunks:
        click.echo(
            f"  chunk {chunk.chunk}: {len(chunk.done)} done, {len(chunk.failed)} failed, "
            f"{len(chunk.pending)} pending{'' if chunk.packed else ', not packed'}"
        )
        for station, error in sorted(chunk.failed.items()):
            click.echo(f"    FAILED {station}: {error}")


@batch.command("status")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON (stations per chunk).")
def status_command(output: Path, as_json: bool) -> None:
    """Show done, failed and pending stations of the run that writes OUTPUT.

    No run writes OUTPUT (no work folder): exit 2."""
    _require_run(output)
    state = status(output)
    if as_json:
        click.echo(json.dumps(status_json(output, state), indent=2))
    else:
        _print_status(state)


@batch.command("merge")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--partial", is_flag=True, help="Merge what is there even if stations are pending or failed.")
@click.option("--json", "as_json", is_flag=True, help="Print the merge report as JSON.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: when stderr is a terminal).")
def merge_command(output: Path, partial: bool, as_json: bool, progress: bool | None) -> None:
    """Merge the chunk files of a run into OUTPUT (idempotent: merging again changes nothing).

    This joins whole files (the run's chunk files), like `asdf-cli merge`.
    No run writes OUTPUT: exit 2; a run that is not complete: exit 1."""
    _require_run(output)
    report = merge_chunks(output, partial=partial, progress=show_progress(progress))
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(
            f"{output}: {report.copied} object(s) copied, {report.identical} already there"
            + (f", {report.stations_merged} station(s) merged" if report.stations_merged else "")
        )


@batch.command("align")
@click.argument("input_file", metavar="INPUT", type=AsdfFile())
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--event", "events", multiple=True, metavar="ID", help="Only these events (repeatable) [every event]."
)
@alignment_options
@click.option("--chunk", "chunk_text", metavar="I/N", help="Process chunk I (0-based) of N of the events.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker processes [CPU count].")
@click.option("--backend", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a LocalCluster).")
@click.option("--merge/--no-merge", "merge_output", default=None,
              help="Merge the chunk files into OUTPUT at the end, like `batch merge`.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: when stderr is a terminal).")
def align_command(
    input_file: Path,
    output: Path,
    events: tuple[str, ...],
    chunk_text: str | None,
    workers: int | None,
    backend: str,
    scheduler: str | None,
    merge_output: bool | None,
    as_json: bool,
    progress: bool | None,
    phase: str,
    t0_source: str,
    model: str,
    tag: str | None,
    channel: str | None,
    mccc: bool,
    **options: Any,
) -> None:
    """Align every event of INPUT (ICCS, then MCCC) as a restartable batch job; runs go to OUTPUT.

    Each event is a unit of work like a station in `batch run`: the same
    chunks, journal, restart and merge.  OUTPUT holds each event's stored run
    (/AuxiliaryData/Alignment/...) and INPUT's QuakeML.
    """
    _refuse_foreign_output(input_file, output)
    summary = align_events(
        input_file,
        output,
        events=list(events) or None,
        phase=phase,
        params=params_from_options(**options),
        tag=tag,
        channel=channel,
        t0_source=t0_source,
        taup_model=model,
        mccc=mccc,
        chunk=ChunkSpec.parse(chunk_text) if chunk_text else None,
        backend=Backend(backend, workers or _default_workers(), scheduler),
        progress=show_progress(progress),
        merge_output=merge_output,
    )
    _finish(summary, as_json)
