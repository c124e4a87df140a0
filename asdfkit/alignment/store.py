"""Alignment runs stored as auxiliary data: one immutable snapshot per event and run.

Layout (every name matches the auxiliary-data regex of every ASDF version)::

    /AuxiliaryData/Alignment/<event_key>/run_0001/picks    per-trace table (compound dataset)
    /AuxiliaryData/Alignment/<event_key>/run_0001/quality  ICCS convergence history (float64)
                                                           + per-event quality and every
                                                           parameter as attributes

``event_key`` is the event's resource id reduced to ``[0-9a-z_]`` plus 8 hex
digits of its SHA-1 (the full id is the ``event_id`` attribute).  The table
holds ``seed_id``, ``t0_ns``/``t1_ns``/``t1_iccs_ns`` (absolute UTC epoch
nanoseconds, as ASDF's ``starttime``), ``flip``, ``select``, ``iccs_cc``,
``mccc_cc_mean``, ``mccc_cc_std``, ``mccc_error`` (NaN where MCCC did not run
or solve the trace), ``select_manual``, ``flip_manual`` (decided by hand;
runs stored before these columns existed read as automatic).  ``t1`` is the final pick: MCCC's where it solved the
trace, else ICCS's; ``t1_iccs`` is ICCS's pick, at which ``iccs_cc`` was measured.

Both datasets carry a ``provenance_id`` into one SEIS-PROV document (:mod:`.runprov`): the input
waveform entities (their existing records when the traces have provenance) →
``cross_correlate`` (SEIS-PROV) → ``cross_correlation`` → ``asdfkit:align_arrivals``
→ ``asdfkit:alignment_picks`` and ``asdfkit:alignment_quality``.

A run made from another (``--from``, a rollback, the picker) names it in
``parent_run`` and says how it was made in ``origin`` (``run``, ``rerun``,
``rollback``, ``pick``); ``comment`` and the manual ``edits`` are stored too.
:func:`rollback_run` makes an old run's state the newest run; :func:`delete_run`
removes a run with its provenance document.

Runs are numbered upwards and never rewritten.  A run is written all or
nothing: on any error every object it created is removed again, and the
``quality`` dataset is written last, so a run interrupted by a crash has no
``quality`` and is never listed.

Examples
--------
>>> from asdfkit.alignment.store import read_run, list_runs
>>> list_runs("berkeley.h5")                                   # doctest: +SKIP
[('smi:local/css/example_2/event/1', 'run_0001')]
>>> read_run("berkeley.h5", "event/1", "latest").status_iccs    # doctest: +SKIP
'converged'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
from obspy import UTCDateTime

from .._version import __version__
from ..container import ASDFFile
from ..container import open as open_asdf
from ..errors import InvalidValueError, RunInUseError, RunNotFoundError
from .edits import Edit, TraceState, edits_text
from .runprov import run_document
from .select import EventSelection, find_event
from .types import AlignmentParams, ICCSResult, MCCCResult

__all__ = [
    "DATA_TYPE",
    "ORIGINS",
    "TABLE_DTYPE",
    "StoredRun",
    "TraceRow",
    "delete_run",
    "event_key",
    "list_runs",
    "read_run",
    "rollback_run",
    "write_run",
]

log = logging.getLogger(__name__)

DATA_TYPE = "Alignment"
MISSING_NS = np.iinfo(np.int64).min  # a pick that does not exist
_RUN = re.compile(r"^run_(\d{4,})$")

TABLE_DTYPE = np.dtype(
    [
        ("seed_id", "S64"),
        ("t0_ns", "<i8"),
        ("t1_ns", "<i8"),
        ("t1_iccs_ns", "<i8"),
        ("flip", "?"),
        ("select", "?"),
        ("iccs_cc", "<f8"),
        ("mccc_cc_mean", "<f8"),
        ("mccc_cc_std", "<f8"),
        ("mccc_error", "<f8"),
        ("select_manual", "?"),
        ("flip_manual", "?"),
    ]
)
#: Columns added later: a run stored without them reads them as False (automatic).
_LATER_COLUMNS = ("select_manual", "flip_manual")
#: How a run was made.
ORIGINS = ("run", "rerun", "rollback", "pick")


@dataclass(frozen=True)
class TraceRow:
    """One trace of a stored run; ``t0``/``t1`` in seconds after the origin time."""

    seed_id: str
    t0: float
    t1: float
    t0_ns: int
    t1_ns: int
    t1_iccs: float
    t1_iccs_ns: int
    flip: bool
    select: bool
    iccs_cc: float
    mccc_cc_mean: float
    mccc_cc_std: float
    mccc_error: float
    select_manual: bool = False
    flip_manual: bool = False


@dataclass(frozen=True)
class StoredRun:
    """One stored alignment run of one event, as read back from the file."""

    event_id: str
    event_key: str
    run_id: str
    phase: str
    tag: str
    t0_source: str
    origin_time_ns: int
    created: str
    status_iccs: str
    status_mccc: str | None  # None: MCCC was not run
    mccc_rmse: float
    iterations: int
    history: tuple[float, ...]
    params: dict[str, Any]
    rows: tuple[TraceRow, ...]
    provenance_id: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    comment: str = ""
    parent: str | None = None  # the run this one was made from
    origin: str = "run"  # one of ORIGINS
    edits: tuple[str, ...] = ()  # manual decisions of this run, as Edit.text() spells them
    picks_provenance_id: str | None = None

    @property
    def mccc(self) -> bool:
        """Whether MCCC was run after ICCS in this run."""
        return self.status_mccc is not None

    @property
    def number(self) -> int:
        """The run number, ``run_0003`` → 3."""
        return int(self.run_id[4:])

    @property
    def alignment_params(self) -> AlignmentParams:
        """The :class:`AlignmentParams` this run used."""
        names = {f.name for f in fields(AlignmentParams)}
        return AlignmentParams(**{k: v for k, v in self.params.items() if k in names})

    @property
    def origin_time(self) -> UTCDateTime:
        """Event origin time as an ObsPy ``UTCDateTime``."""
        return UTCDateTime(ns=self.origin_time_ns)

    @property
    def path(self) -> str:
        """Path of the run below the alignment auxiliary type, ``EVENT/run_NNNN``."""
        return f"{self.event_key}/{self.run_id}"

    def summary(self) -> dict[str, Any]:
        """JSON-ready overview (no per-trace rows)."""
        selected = [r for r in self.rows if r.select]
        return {
            "event_id": self.event_id,
            "run": self.run_id,
            "phase": self.phase,
            "tag": self.tag,
            "t0_source": self.t0_source,
            "created": self.created,
            "origin": self.origin,
            "parent": self.parent,
            "comment": self.comment,
            "edits": list(self.edits),
            "traces": len(self.rows),
            "selected": len(selected),
            "status_iccs": self.status_iccs,
            "status_mccc": self.status_mccc,
            "iterations": self.iterations,
            "mccc_rmse": _json_float(self.mccc_rmse),
            "mean_iccs_cc": _json_float(float(np.mean([r.iccs_cc for r in selected])) if selected else None),
        }


def _json_float(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def event_key(event_id: str) -> str:
    """The auxiliary-data group name of an event (readable, unique, valid in every ASDF version)."""
    digest = hashlib.sha1(event_id.encode("utf-8")).hexdigest()[:8]
    readable = re.sub(r"[^0-9a-z]+", "_", event_id.lower()).strip("_")[-48:].strip("_")
    return f"{readable}_{digest}" if readable else f"event_{digest}"


def _ns(reference_ns: int, seconds: float | None) -> int:
    if seconds is None or not np.isfinite(seconds):
        return int(MISSING_NS)
    return reference_ns + int(round(float(seconds) * 1e9))


def _table(
    selection: EventSelection, iccs: ICCSResult, mccc: MCCCResult | None, state: TraceState | None
) -> np.ndarray:
    n = len(selection.seismograms)
    table = np.zeros(n, dtype=TABLE_DTYPE)
    reference_ns = selection.reference.ns
    nan = np.full(n, np.nan)
    final = np.asarray(iccs.t1, dtype=float)
    if mccc is not None:
        final = np.where(np.isfinite(mccc.t1), mccc.t1, final)
    for i, seis in enumerate(selection.seismograms):
        encoded = seis.seed_id.encode("ascii")
        if len(encoded) > 64:
            raise InvalidValueError(f"invalid seed id {seis.seed_id!r}: longer than 64 characters")
        table[i]["seed_id"] = encoded
        table[i]["t0_ns"] = _ns(reference_ns, seis.t0)
        table[i]["t1_ns"] = _ns(reference_ns, final[i])
        table[i]["t1_iccs_ns"] = _ns(reference_ns, iccs.t1[i])
    table["flip"] = iccs.flip
    table["select"] = iccs.select
    table["iccs_cc"] = iccs.cc
    table["mccc_cc_mean"] = nan if mccc is None else mccc.cc_mean
    table["mccc_cc_std"] = nan if mccc is None else mccc.cc_std
    table["mccc_error"] = nan if mccc is None else mccc.error
    if state is not None:
        table["select_manual"] = state.select_manual
        table["flip_manual"] = state.flip_manual
    return table


def _param_attrs(params: AlignmentParams) -> dict[str, Any]:
    """Every parameter as an HDF5-storable attribute (``None`` stored as NaN, bandpass as 2 floats)."""
    out: dict[str, Any] = {}
    for f in fields(params):
        value = getattr(params, f.name)
        if f.name == "bandpass":
            value = np.array(value if value is not None else (np.nan, np.nan), dtype=float)
        elif value is None:
            value = np.nan
        out[f"param_{f.name}"] = value
    out["param_effective_ramp_width"] = params.effective_ramp_width
    out["param_effective_max_shift"] = params.effective_max_shift
    return out


def _params_from_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if not key.startswith("param_"):
            continue
        name = key[len("param_") :]
        if isinstance(value, np.ndarray):
            value = None if np.all(np.isnan(value)) else tuple(float(v) for v in value)
        elif isinstance(value, float) and np.isnan(value):
            value = None
        elif isinstance(value, np.bool_):
            value = bool(value)
        out[name] = value
    return out


# -- writing -----------------------------------------------------------------------------------
def _groups(f: ASDFFile, key: str, run_id: str) -> list[str]:
    """The auxiliary-data groups a run lives in, outermost first."""
    return [DATA_TYPE, f"{DATA_TYPE}/{key}", f"{DATA_TYPE}/{key}/{run_id}"]


def _run_numbers(f: ASDFFile, key: str) -> list[int]:
    """Numbers of every ``run_NNNN`` below the event's group, complete or not, and of their parents.

    Parents count so that a number freed by a forced delete is never given to another run.
    """
    group = f.h5.get(f"/AuxiliaryData/{DATA_TYPE}/{key}")
    names = list(group) if group is not None and hasattr(group, "keys") else []
    numbers = [int(m.group(1)) for name in names if (m := _RUN.match(name))]
    for name in names:
        quality = group.get(f"{name}/quality") if _RUN.match(name) else None
        parent = (
            quality.attrs.get("parent_run") if quality is not None and hasattr(quality, "attrs") else None
        )
        if isinstance(parent, bytes):
            parent = parent.decode("utf-8", "replace")
        if isinstance(parent, str) and (m := _RUN.match(parent)):
            numbers.append(int(m.group(1)))
    return numbers


def write_run(
    path: str | Path,
    selection: EventSelection,
    iccs: ICCSResult,
    mccc: MCCCResult | None,
    *,
    phase: str,
    t0_source: str,
    taup_model: str | None = None,
    state: TraceState | None = None,
    origin: str = "run",
    parent: StoredRun | None = None,
    comment: str = "",
    edits: Sequence[Edit] = (),
    in_place: bool = False,
) -> StoredRun:
    """Store one run (all or nothing) and return it as read back.

    Parameters
    ----------
    path : ASDF file, opened here for writing
    selection : the seismograms aligned, with their ``t0``
    iccs, mccc : the algorithms' results (``mccc=None``: MCCC not run)
    phase, t0_source, taup_model : recorded as attributes
    state : the state the run started from; its ``select_manual``/``flip_manual`` are stored
    origin : how the run was made, one of :data:`ORIGINS`
    parent : the run it was made from (its provenance is linked: derived from)
    comment : free text shown by ``align report``
    edits : the manual decisions of this run (stored, and in the provenance)
    in_place : write into the file directly, not on a copy (not crash-safe; see :func:`asdfkit.open`)
    """
    if origin not in ORIGINS:
        raise InvalidValueError(f"invalid run origin {origin!r}: must be one of {', '.join(ORIGINS)}")
    params = iccs.params
    table = _table(selection, iccs, mccc, state)
    key = event_key(selection.event_id)
    attrs: dict[str, Any] = {
        "event_id": selection.event_id,
        "phase": phase,
        "tag": selection.tag,
        "t0_source": t0_source,
        "taup_model": taup_model or "",
        "origin_time_ns": int(selection.reference.ns),
        "status_iccs": iccs.status.value,
        "status_mccc": "" if mccc is None else mccc.status.value,
        "mccc_rmse": np.nan if mccc is None else float(mccc.rmse),
        "mccc_pairs_used": 0 if mccc is None else int(mccc.pairs_used),
        "iterations": int(iccs.iterations),
        "messages": "\n".join([*iccs.messages, *(mccc.messages if mccc else ())]),
        "origin": origin,
        "parent_run": parent.run_id if parent is not None else "",
        "comment": comment,
        "edits": edits_text(edits),
        **_param_attrs(params),
    }

    def document(
        f: ASDFFile, run_attrs: dict[str, Any], paths: dict[str, str]
    ) -> tuple[bytes, dict[str, str]]:
        return run_document(
            f, selection, run_attrs, params, _param_attrs(params), paths, parent=parent, edits=edits
        )

    return _commit(path, key, table, np.asarray(iccs.history, dtype=np.float64), attrs, document, in_place)


def _commit(
    path: str | Path,
    key: str,
    table: np.ndarray,
    history: np.ndarray,
    attrs: dict[str, Any],
    document: Any,
    in_place: bool = False,
) -> StoredRun:
    """Write a run's provenance document, table and quality record under a new run id, all or nothing."""
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with open_asdf(path, "r+", in_place=in_place) as f:
        number = max(_run_numbers(f, key), default=0) + 1
        run_id = f"run_{number:04d}"
        base = f"{key}/{run_id}"
        paths = {name: f"/AuxiliaryData/{DATA_TYPE}/{base}/{name}" for name in ("picks", "quality")}
        doc_name = f"asdfkit_alignment_{run_id}_{secrets.token_hex(4)}"
        attrs = {
            **attrs,
            "run_id": run_id,
            "created": created,
            "asdfkit_version": __version__,
        }
        data, ids = document(f, attrs, paths)
        existed = {g for g in _groups(f, key, run_id) if f"/AuxiliaryData/{g}" in f.h5}
        written: list[str] = []
        try:
            f.add_provenance_document(data, name=doc_name)
            written.append(f"{base}/picks")
            f.add_auxiliary_data(
                table,
                DATA_TYPE,
                f"{base}/picks",
                attrs={
                    "event_id": attrs["event_id"],
                    "run_id": run_id,
                    "time_unit": "UTC epoch nanoseconds",
                },
                provenance_id=ids["picks"],
            )
            # Written last: a run without its quality dataset is incomplete and never listed.
            f.add_auxiliary_data(
                history, DATA_TYPE, f"{base}/quality", attrs=attrs, provenance_id=ids["quality"]
            )
        except BaseException:
            _rollback(f, doc_name, written, [g for g in _groups(f, key, run_id) if g not in existed])
            raise
        log.info("stored %s of event %s", run_id, attrs["event_id"])
        return _read(f, key, run_id)


def _rollback(f: ASDFFile, doc_name: str, datasets: list[str], new_groups: list[str]) -> None:
    """Remove what a failed :func:`write_run` created: its document, datasets and new groups."""
    if doc_name in f.provenance_documents:
        f.remove_provenance_document(doc_name)
    for path in datasets:
        if f"/AuxiliaryData/{DATA_TYPE}/{path}" in f.h5:
            f.remove_auxiliary_data(DATA_TYPE, path)
    for group in reversed(new_groups):  # innermost first
        if f"/AuxiliaryData/{group}" in f.h5:
            data_type, _, rest = group.partition("/")
            f.remove_auxiliary_data(data_type, rest or None)


def rollback_run(
    path: str | Path, event_id: str | None, to: str, *, comment: str = "", in_place: bool = False
) -> StoredRun:
    """Make the state of run ``to`` (picks, selection, flips, parameters) the newest run.

    A new run is written — a copy of ``to``'s table and quality record, with
    ``origin="rollback"`` and ``parent_run=to`` — so history is never rewritten.

    Examples
    --------
    >>> rollback_run("berkeley.h5", "event/1", "1", comment="back to the first run")  # doctest: +SKIP
    """
    from .runprov import rollback_document

    with open_asdf(path) as f:
        source = _read_open(f, event_id, to)
        raw = f.get_auxiliary_data(DATA_TYPE, f"{source.path}/picks").data
        quality = f.get_auxiliary_data(DATA_TYPE, f"{source.path}/quality")
        history = np.asarray(quality.data, dtype=np.float64)
        old = dict(quality.attrs)
    table = np.zeros(len(raw), dtype=TABLE_DTYPE)
    for name in TABLE_DTYPE.names or ():
        if name in (raw.dtype.names or ()):
            table[name] = raw[name]
    skip = {
        "run_id",
        "created",
        "asdfkit_version",
        "provenance_document",
        "origin",
        "parent_run",
        "comment",
        "edits",
    }
    attrs = {k: v for k, v in old.items() if k not in skip and k != "provenance_id"}
    attrs.update(origin="rollback", parent_run=source.run_id, comment=comment, edits="")

    def document(
        f: ASDFFile, run_attrs: dict[str, Any], paths: dict[str, str]
    ) -> tuple[bytes, dict[str, str]]:
        return rollback_document(f, source, run_attrs, paths)

    return _commit(path, source.event_key, table, history, attrs, document, in_place)


def _run_document_name(f: ASDFFile, run: StoredRun) -> str | None:
    """The provenance document holding a run's records (by the records' ids; named after the run first)."""
    wanted = [i.rpartition("}")[2].encode() for i in (run.provenance_id, run.picks_provenance_id) if i]
    if not wanted:
        return None
    names = sorted(f.provenance_documents, key=lambda n: not n.startswith(f"asdfkit_alignment_{run.run_id}_"))
    for name in names:
        data = f.get_provenance_document(name)
        if all(w in data for w in wanted) and b"alignment_quality" in data:
            return name
    return None


def delete_run(
    path: str | Path, event_id: str | None, run: str, *, force: bool = False, in_place: bool = False
) -> dict[str, Any]:
    """Remove a run and its provenance document (no orphan is left).

    Refused (:class:`~asdfkit.errors.RunInUseError`) while another run was
    made from it, unless ``force``.  Returns what was removed: ``event_id``,
    ``run``, ``provenance_document`` and the ``children`` that named it.
    """
    with open_asdf(path) as f:
        target = _read_open(f, event_id, run)
        children = [r.run_id for r in _event_runs(f, target.event_key) if r.parent == target.run_id]
    if children and not force:
        raise RunInUseError(
            f"run {target.run_id} of {target.event_id!r} cannot be deleted: "
            f"{', '.join(children)} {'was' if len(children) == 1 else 'were'} made from it "
            "(delete those first, or force it)"
        )
    with open_asdf(path, "r+", in_place=in_place) as f:
        document = _run_document_name(f, target)
        f.remove_auxiliary_data(DATA_TYPE, target.path)
        if document is not None:
            f.remove_provenance_document(document)
        group = f.h5.get(f"/AuxiliaryData/{DATA_TYPE}/{target.event_key}")
        if group is not None and len(group) == 0:
            f.remove_auxiliary_data(DATA_TYPE, target.event_key)
        top = f.h5.get(f"/AuxiliaryData/{DATA_TYPE}")
        if top is not None and len(top) == 0:
            f.remove_auxiliary_data(DATA_TYPE)
    log.info("deleted %s of event %s", target.run_id, target.event_id)
    return {
        "event_id": target.event_id,
        "run": target.run_id,
        "provenance_document": document,
        "children": children,
    }


def _event_runs(f: ASDFFile, key: str) -> list[StoredRun]:
    return [_read(f, k, r) for k, r in _complete_runs(f) if k == key]


# -- reading -----------------------------------------------------------------------------------
def _complete_runs(f: ASDFFile) -> list[tuple[str, str]]:
    """``(event_key, run_id)`` of every complete run, sorted."""
    found = set()
    for _type, path in f.list_auxiliary_data(DATA_TYPE):
        parts = path.split("/")
        if len(parts) == 3 and parts[2] == "quality" and _RUN.match(parts[1]):
            found.add((parts[0], parts[1]))
    return sorted(found, key=lambda kr: (kr[0], int(kr[1][4:])))


_QUALITY_ATTRS = (
    "event_id",
    "origin_time_ns",
    "phase",
    "tag",
    "t0_source",
    "created",
    "status_iccs",
    "status_mccc",
    "mccc_rmse",
    "iterations",
)


def _read(f: ASDFFile, key: str, run_id: str) -> StoredRun:
    quality = f.get_auxiliary_data(DATA_TYPE, f"{key}/{run_id}/quality")
    picks = f.get_auxiliary_data(DATA_TYPE, f"{key}/{run_id}/picks")
    table = picks.data
    a = quality.attrs
    names = set(table.dtype.names or ())
    missing = sorted(set(TABLE_DTYPE.names or ()) - names - set(_LATER_COLUMNS))
    missing += [k for k in _QUALITY_ATTRS if k not in a]
    if missing:
        raise InvalidValueError(
            f"alignment run {key}/{run_id} lacks {', '.join(missing)}: "
            "not a run written by asdfkit.alignment (see docs/alignment.md for the layout)"
        )
    origin_ns = int(a["origin_time_ns"])

    def seconds(ns: Any) -> float:
        return np.nan if int(ns) == MISSING_NS else (int(ns) - origin_ns) / 1e9

    rows = tuple(
        TraceRow(
            seed_id=r["seed_id"].decode("ascii"),
            t0=seconds(r["t0_ns"]),
            t1=seconds(r["t1_ns"]),
            t0_ns=int(r["t0_ns"]),
            t1_ns=int(r["t1_ns"]),
            t1_iccs=seconds(r["t1_iccs_ns"]),
            t1_iccs_ns=int(r["t1_iccs_ns"]),
            flip=bool(r["flip"]),
            select=bool(r["select"]),
            iccs_cc=float(r["iccs_cc"]),
            mccc_cc_mean=float(r["mccc_cc_mean"]),
            mccc_cc_std=float(r["mccc_cc_std"]),
            mccc_error=float(r["mccc_error"]),
            select_manual=bool(r["select_manual"]) if "select_manual" in names else False,
            flip_manual=bool(r["flip_manual"]) if "flip_manual" in names else False,
        )
        for r in table
    )
    return StoredRun(
        event_id=str(a["event_id"]),
        event_key=key,
        run_id=run_id,
        phase=str(a["phase"]),
        tag=str(a["tag"]),
        t0_source=str(a["t0_source"]),
        origin_time_ns=origin_ns,
        created=str(a["created"]),
        status_iccs=str(a["status_iccs"]),
        status_mccc=str(a["status_mccc"]) or None,
        mccc_rmse=float(a["mccc_rmse"]),
        iterations=int(a["iterations"]),
        history=tuple(float(v) for v in quality.data),
        params=_params_from_attrs(a),
        rows=rows,
        provenance_id=quality.provenance_id,
        attrs={k: v for k, v in a.items() if not k.startswith("param_")},
        comment=str(a.get("comment", "")),
        parent=str(a.get("parent_run", "")) or None,
        origin=str(a.get("origin", "")) or "run",
        edits=tuple(line for line in str(a.get("edits", "")).splitlines() if line),
        picks_provenance_id=picks.provenance_id,
    )


def _resolve_run(runs: Sequence[str], run: str, what: str) -> str:
    if not runs:
        raise RunNotFoundError(f"no alignment run stored for {what}")
    if run == "latest":
        return runs[-1]
    name = run if run.startswith("run_") else f"run_{int(run):04d}" if run.isdigit() else run
    if name not in runs:
        raise RunNotFoundError(
            f"unknown run {run!r} for {what}: must be 'latest' or one of {', '.join(runs)}"
        )
    return name


def read_run(path: str | Path | ASDFFile, event_id: str | None = None, run: str = "latest") -> StoredRun:
    """Read one stored run.

    Parameters
    ----------
    path : ASDF file path or open file
    event_id : str, optional
        Resource id (or unique tail); optional when the file holds runs of one event only.
    run : str
        ``"latest"``, ``"run_0002"`` or ``"2"``.
    """
    if isinstance(path, ASDFFile):
        return _read_open(path, event_id, run)
    with open_asdf(path) as f:
        return _read_open(f, event_id, run)


def _read_open(f: ASDFFile, event_id: str | None, run: str) -> StoredRun:
    complete = _complete_runs(f)
    if event_id is None:
        keys = sorted({k for k, _r in complete})
        if len(keys) > 1:
            raise InvalidValueError(f"the file holds alignment runs of {len(keys)} events: give an event id")
        key = keys[0] if keys else ""
        what = "this file"
    else:
        key = event_key(str(find_event(f, event_id).resource_id))
        what = f"event {event_id!r}"
    run_id = _resolve_run([r for k, r in complete if k == key], run, what)
    return _read(f, key, run_id)


def list_runs(path: str | Path | ASDFFile) -> list[StoredRun]:
    """Every complete run in the file, by event then run number."""
    if isinstance(path, ASDFFile):
        return [_read(path, k, r) for k, r in _complete_runs(path)]
    with open_asdf(path) as f:
        return [_read(f, k, r) for k, r in _complete_runs(f)]


def rows_as_dicts(run: StoredRun) -> list[dict[str, Any]]:
    """The run's per-trace rows as plain dictionaries."""
    return [asdict(r) for r in run.rows]
