"""Alignment quality as pandas DataFrames: per seismogram, per station, per event.

One row per seismogram across every stored event and run (columns ``event``,
``run``, ``seed_id``, ``station``, ``t0``, ``t1`` (final pick), ``t1_iccs``
(ICCS's pick), ``shift`` = t1 − t0,
``residual`` = shift minus the mean shift of the run's selected traces (the
common offset of relative picks removed), ``flip``, ``select``, ``iccs_cc``,
``mccc_cc_mean``, ``mccc_cc_std``, ``mccc_error``, ``status_iccs``,
``status_mccc``, ``mccc_rmse`` (the run's)).  The summaries give the mean and the
standard error of the mean of each quality measure, as AIMBAT's Python API
does; station summaries use selected traces only, and one run per event (the
latest) unless asked for every run — re-runs of one event are not independent
samples.

Examples
--------
>>> from asdfkit.alignment.quality import quality_frame, station_summary
>>> df = quality_frame("berkeley.h5")                          # doctest: +SKIP
>>> station_summary(df)[["iccs_cc_mean", "iccs_cc_sem"]]       # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..container import ASDFFile
from .store import StoredRun, list_runs

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMNS", "MEASURES", "event_summary", "latest_runs", "quality_frame", "station_summary"]

COLUMNS = (
    "event",
    "run",
    "seed_id",
    "station",
    "t0",
    "t1",
    "t1_iccs",
    "shift",
    "residual",
    "flip",
    "select",
    "iccs_cc",
    "mccc_cc_mean",
    "mccc_cc_std",
    "mccc_error",
    "status_iccs",
    "status_mccc",
    "mccc_rmse",
)
#: The measures summarised per station and per event.
MEASURES = ("iccs_cc", "mccc_cc_mean", "mccc_error", "residual")


def quality_frame(
    source: str | Path | ASDFFile | Iterable[StoredRun], *, latest: bool = False
) -> pd.DataFrame:
    """One row per seismogram of every stored run (or of each event's latest run).

    Parameters
    ----------
    source : ASDF file (path or open file), or stored runs
    latest : bool
        Keep only the latest run of each event.
    """
    import pandas as pd

    runs = list_runs(source) if isinstance(source, (str, Path, ASDFFile)) else list(source)
    if latest:
        last: dict[str, StoredRun] = {}
        for run in runs:
            last[run.event_id] = run
        runs = list(last.values())
    records = []
    for run in runs:
        shifts = [r.t1 - r.t0 for r in run.rows if r.select]
        offset = sum(shifts) / len(shifts) if shifts else float("nan")
        for r in run.rows:
            records.append(
                {
                    "event": run.event_id,
                    "run": run.run_id,
                    "seed_id": r.seed_id,
                    "station": ".".join(r.seed_id.split(".")[:2]),
                    "t0": r.t0,
                    "t1": r.t1,
                    "t1_iccs": r.t1_iccs,
                    "shift": r.t1 - r.t0,
                    "residual": r.t1 - r.t0 - offset,
                    "flip": r.flip,
                    "select": r.select,
                    "iccs_cc": r.iccs_cc,
                    "mccc_cc_mean": r.mccc_cc_mean,
                    "mccc_cc_std": r.mccc_cc_std,
                    "mccc_error": r.mccc_error,
                    "status_iccs": run.status_iccs,
                    "status_mccc": run.status_mccc,
                    "mccc_rmse": run.mccc_rmse,
                }
            )
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))


def _summary(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    grouped = df.groupby(by, sort=True)
    out = grouped[list(MEASURES)].agg(["mean", "sem"])
    out.columns = [f"{measure}_{stat}" for measure, stat in out.columns]
    out.insert(0, "count", grouped.size())
    return out


def latest_runs(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of each event's latest run (highest run number)."""
    if not len(df):
        return df
    number = df["run"].str.slice(4).astype(int)
    latest = number.groupby(df["event"]).transform("max")
    return df[number == latest]


def station_summary(df: pd.DataFrame, *, selected_only: bool = True, runs: str = "latest") -> pd.DataFrame:
    """Per station: how many seismograms, and mean / standard error of each measure over events.

    ``runs="latest"`` (default) uses one run per event, its latest: re-runs of
    an event are not independent samples and would shrink the standard
    error; ``runs="all"`` counts every run.  ``residual_mean`` is the
    station's mean pick relative to its events' common offset — a station
    term; its ``_sem`` says how repeatable it is.
    """
    if runs not in ("latest", "all"):
        from ..errors import InvalidValueError

        raise InvalidValueError(f"invalid runs {runs!r}: must be 'latest' or 'all'")
    if runs == "latest":
        df = latest_runs(df)
    return _summary(df[df["select"]] if selected_only else df, ["station"])


def event_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Per event and run: traces, selected traces, statuses, ``mccc_rmse``, mean / standard error of each measure."""
    out = _summary(df[df["select"]], ["event", "run"])
    grouped = df.groupby(["event", "run"], sort=True)
    out.insert(0, "traces", grouped.size())
    out["status_iccs"] = grouped["status_iccs"].first()
    out["status_mccc"] = grouped["status_mccc"].first()
    out["mccc_rmse"] = grouped["mccc_rmse"].first()
    return out.rename(columns={"count": "selected"})
