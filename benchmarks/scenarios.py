"""The six scenarios of the performance issue, each run on the same files for every contender.

Every scenario returns a :class:`ScenarioResult`: the timings of each
contender, the ratios between them, the targets and whether they are met,
plus facts about the files (filters, chunks, sizes) and correctness checks
(all contenders produced the same thing).
"""

from __future__ import annotations

import logging
import operator
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from obspy import Stream

import asdfkit

from . import data, impl_asdfkit, impl_h5py, impl_pyasdf
from .timing import Contender, Measurement, run_interleaved

__all__ = ["Config", "Ratio", "ScenarioResult", "Target", "SCENARIOS"]

log = logging.getLogger(__name__)

TAG = "raw_recording"
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt,
}


@dataclass
class Config:
    """Sizes and paths of one benchmark run."""

    workdir: Path
    """Scratch directory of this run (files written by the scenarios)."""
    datadir: Path
    """Persistent directory for the expensive header-listing file (reused between runs)."""
    quick: bool = False
    n_stations: int = 200
    npts: int = 10_000
    n_events: int = 300
    n_inventory_stations: int = 200
    n_header_traces: int = 100_000
    header_npts: int = 100
    repeats: int = 5
    slow_repeats: int = 3
    """Runs of the slower pyasdf / pyasdf-layout writers in scenario 1 (very slow ones run once)."""
    header_file: Path | None = None
    pyasdf_header_traces: int = 100_000
    """pyasdf lists at most this many traces in scenario 6 (a subset file when smaller)."""

    @classmethod
    def make(cls, workdir: Path, datadir: Path, quick: bool = False, **overrides: Any) -> Config:
        """The full-size configuration, or the scaled-down one with ``quick``."""
        if quick:
            base = cls(workdir, datadir, quick=True, n_stations=20, n_events=30, n_inventory_stations=20,
                       n_header_traces=10_000, repeats=3, slow_repeats=2, pyasdf_header_traces=10_000)
        else:
            base = cls(workdir, datadir)
        for key, value in overrides.items():
            if value is not None:
                setattr(base, key, value)
        return base

    @property
    def asdfkit_cache(self) -> Path:
        """``$ASDFKIT_CACHE_DIR`` of the run."""
        return self.workdir / "asdfkit-cache"


@dataclass
class Ratio:
    """``numerator / denominator`` of two contenders' best times."""

    name: str
    numerator: str
    denominator: str
    value: float = float("nan")
    cpu_value: float = float("nan")


@dataclass
class Target:
    """A goal from the issue: a ratio (or, without denominator, a time in seconds) vs a threshold."""

    description: str
    numerator: str
    denominator: str | None
    op: str
    threshold: float
    value: float = float("nan")
    met: bool = False
    cpu_value: float = float("nan")
    cpu_met: bool = False

    @property
    def goal(self) -> str:
        unit = " s" if self.denominator is None else "x"
        return f"{self.op} {self.threshold:g}{unit}"


@dataclass
class ScenarioResult:
    """Everything measured in one scenario."""

    id: str
    title: str
    description: str
    measurements: list[Measurement]
    ratios: list[Ratio] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    summary: list[dict[str, Any]] = field(default_factory=list)
    """Rows of the cross-scenario table: label and the keys of asdfkit, pyasdf, h5py."""

    def best(self, key: str, clock: str = "wall") -> float:
        """Best time of contender ``key``: ``clock`` is ``"wall"`` or ``"cpu"``."""
        for m in self.measurements:
            if m.key == key:
                return m.best_of(clock)
        raise KeyError(key)

    def evaluate(self) -> None:
        """Fill in ratio values and target verdicts from the best wall and CPU times."""
        for ratio in self.ratios:
            ratio.value = self.best(ratio.numerator) / self.best(ratio.denominator)
            ratio.cpu_value = self.best(ratio.numerator, "cpu") / self.best(ratio.denominator, "cpu")
        for target in self.targets:
            for clock in ("wall", "cpu"):
                num = self.best(target.numerator, clock)
                value = num if target.denominator is None else num / self.best(target.denominator, clock)
                met = _OPS[target.op](value, target.threshold)
                if clock == "wall":
                    target.value, target.met = value, met
                else:
                    target.cpu_value, target.cpu_met = value, met

    def summary_rows(self, clock: str = "wall") -> list[dict[str, Any]]:
        """The ratios asdfkit/h5py, pyasdf/h5py, pyasdf/asdfkit of each summary row."""
        rows = []
        for row in self.summary:
            a, p, h = row.get("asdfkit"), row.get("pyasdf"), row.get("h5py")
            out: dict[str, Any] = {
                "scenario": row["label"], "clock": clock,
                "asdfkit_s": self.best(a, clock) if a else None,
                "pyasdf_s": self.best(p, clock) if p else None,
                "h5py_s": self.best(h, clock) if h else None,
            }
            out["asdfkit/h5py"] = out["asdfkit_s"] / out["h5py_s"] if a and h else None
            out["pyasdf/h5py"] = out["pyasdf_s"] / out["h5py_s"] if p and h else None
            out["pyasdf/asdfkit"] = out["pyasdf_s"] / out["asdfkit_s"] if p and a else None
            out["targets"] = [
                {"goal": f"{t.description} {t.goal}",
                 "value": t.cpu_value if clock == "cpu" else t.value,
                 "met": t.cpu_met if clock == "cpu" else t.met}
                for t in self.targets if t.numerator in (a, p)
            ]
            rows.append(out)
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "measurements": [m.to_dict() for m in self.measurements],
            "ratios": [vars(r) for r in self.ratios],
            "targets": [{**vars(t), "goal": t.goal} for t in self.targets],
            "facts": self.facts,
            "checks": self.checks,
            "notes": self.notes,
            "summary": self.summary_rows(),
            "summary_cpu": self.summary_rows("cpu"),
        }


# -- helpers ------------------------------------------------------------------------------------


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def _clear_asdfkit_cache(cfg: Config) -> None:
    shutil.rmtree(cfg.asdfkit_cache, ignore_errors=True)


def _ensure_asdfkit_cache(cfg: Config, path: Path) -> None:
    """Make sure the header cache of ``path`` exists (open and list once if not)."""
    index_dir = cfg.asdfkit_cache / "index"
    if not index_dir.exists() or not any(index_dir.iterdir()):
        impl_asdfkit.list_headers(path)


def _dataset_layout(path: Path) -> dict[str, Any]:
    """Filters, chunks and size of the first waveform dataset of a file, and the file size."""
    with h5py.File(path, "r") as h5:
        waveforms = h5["Waveforms"]
        station = waveforms[next(iter(waveforms))]
        name = next(n for n in station if n != "StationXML")
        ds = station[name]
        return {
            "file_bytes": path.stat().st_size,
            "compression": ds.compression,
            "compression_opts": ds.compression_opts,
            "shuffle": ds.shuffle,
            "fletcher32": ds.fletcher32,
            "chunks": list(ds.chunks) if ds.chunks else None,
            "maxshape": [m for m in ds.maxshape] if ds.maxshape else None,
        }


def _h5_contents(path: Path) -> dict[str, tuple[int, float, np.ndarray]]:
    return {name: (start, rate, samples) for name, samples, start, rate in impl_h5py.read_numpy(path)}


def _same_contents(a: Path, b: Path) -> bool:
    """Same dataset names, starttime, sampling rate and samples (bit for bit)."""
    ca, cb = _h5_contents(a), _h5_contents(b)
    if ca.keys() != cb.keys():
        return False
    return all(
        ca[k][0] == cb[k][0] and ca[k][1] == cb[k][1] and ca[k][2].dtype == cb[k][2].dtype
        and np.array_equal(ca[k][2], cb[k][2])
        for k in ca
    )


def _dataset_names(path: Path) -> set[str]:
    with h5py.File(path, "r") as h5:
        return {n for station in h5["Waveforms"].values() for n in station if n != "StationXML"}


def _stream_key(stream: Stream) -> list[tuple[str, int, float, bytes]]:
    return sorted((tr.id, int(tr.stats.starttime.ns), float(tr.stats.sampling_rate), tr.data.tobytes())
                  for tr in stream)


# -- scenario 1: write ---------------------------------------------------------------------------


def scenario_write(cfg: Config, shared: dict[str, Any]) -> ScenarioResult:
    """Write N stations x 10 traces x npts float32 samples with default compression."""
    streams = data.make_streams(cfg.n_stations, cfg.npts)
    n_traces = sum(len(s) for s in streams)
    out = {k: cfg.workdir / f"write-{k}.h5" for k in ("h5py", "asdfkit", "pyasdf_gzip4", "pyasdf", "h5py_pyasdf")}
    pyasdf_layout = impl_h5py.H5Layout(level=3, chunks="auto")
    contenders = [
        Contender("h5py", "raw h5py, asdfkit's filters+chunks",
                  lambda: impl_h5py.write_streams(out["h5py"], streams, TAG),
                  setup=lambda: _remove(out["h5py"]), settings=impl_h5py.ASDFKIT_LAYOUT.describe()),
        Contender("asdfkit", "asdfkit add_waveforms (default 'gzip')",
                  lambda: impl_asdfkit.write_streams(out["asdfkit"], streams, TAG),
                  setup=lambda: _remove(out["asdfkit"]), settings=str(asdfkit.Compression())),
        Contender("pyasdf_gzip4", "pyasdf add_waveforms, compression='gzip-4'",
                  lambda: impl_pyasdf.write_streams(out["pyasdf_gzip4"], streams, TAG, "gzip-4"),
                  setup=lambda: _remove(out["pyasdf_gzip4"]), repeats=cfg.slow_repeats,
                  settings="gzip-4+shuffle+fletcher32, h5py auto chunks"),
        Contender("pyasdf", "pyasdf add_waveforms (default 'gzip-3')",
                  lambda: impl_pyasdf.write_streams(out["pyasdf"], streams, TAG),
                  setup=lambda: _remove(out["pyasdf"]), repeats=cfg.slow_repeats,
                  settings="gzip-3+shuffle+fletcher32, h5py auto chunks"),
        Contender("h5py_pyasdf", "raw h5py, pyasdf's default filters+chunks",
                  lambda: impl_h5py.write_streams(out["h5py_pyasdf"], streams, TAG, pyasdf_layout),
                  setup=lambda: _remove(out["h5py_pyasdf"]), repeats=cfg.slow_repeats,
                  settings=pyasdf_layout.describe()),
    ]
    log.info("scenario 1: writing %d traces x %d samples, %d stations", n_traces, cfg.npts, cfg.n_stations)
    measurements, _ = run_interleaved(contenders, cfg.repeats)
    result = ScenarioResult(
        "1", f"Write {n_traces} traces x {cfg.npts:,} float32 samples ({cfg.n_stations} stations)",
        "New file; one add_waveforms call per station (10 traces); raw h5py writes the same names, "
        "dtypes and starttime/sampling_rate attributes with the same filters and chunk shape.",
        measurements,
        ratios=[
            Ratio("asdfkit / h5py", "asdfkit", "h5py"),
            Ratio("pyasdf(gzip-4) / h5py", "pyasdf_gzip4", "h5py"),
            Ratio("pyasdf(gzip-4) / asdfkit", "pyasdf_gzip4", "asdfkit"),
            Ratio("pyasdf(default gzip-3) / asdfkit", "pyasdf", "asdfkit"),
            Ratio("pyasdf(default gzip-3) / h5py(pyasdf layout)", "pyasdf", "h5py_pyasdf"),
        ],
        targets=[Target("asdfkit / h5py", "asdfkit", "h5py", "<=", 1.15)],
        summary=[{"label": "1 write (same filters)", "asdfkit": "asdfkit", "pyasdf": "pyasdf_gzip4", "h5py": "h5py"}],
    )
    result.facts = {k: _dataset_layout(p) for k, p in out.items()}
    result.facts["input_bytes"] = int(sum(tr.data.nbytes for s in streams for tr in s))
    result.checks["asdfkit file == raw h5py file (names, attrs, samples)"] = _same_contents(out["asdfkit"], out["h5py"])
    result.checks["pyasdf wrote the same dataset names"] = _dataset_names(out["pyasdf"]) == _dataset_names(out["h5py"])
    result.notes.append(
        "pyasdf cannot be given a chunk shape: h5py's automatic chunking applies to its files "
        "(see facts); its filters are otherwise identical at compression='gzip-4'."
    )
    # The asdfkit-written file is the shared input of scenarios 2 and 3.
    shared_file = cfg.workdir / "shared.h5"
    shutil.copyfile(out["asdfkit"], shared_file)
    shared["file"] = shared_file
    shared["n_traces"] = n_traces
    for key in ("h5py", "pyasdf_gzip4", "pyasdf", "h5py_pyasdf"):
        _remove(out[key])
    return result


def _shared_file(cfg: Config, shared: dict[str, Any]) -> Path:
    """The scenario-1 file, written now by asdfkit if scenario 1 was skipped."""
    if "file" not in shared:
        path = cfg.workdir / "shared.h5"
        impl_asdfkit.write_streams(path, data.make_streams(cfg.n_stations, cfg.npts), TAG)
        shared["file"] = path
        shared["n_traces"] = cfg.n_stations * data.SCENARIO_LAYOUT.per_station
    return Path(shared["file"])


# -- scenarios 2 and 6: header listing ------------------------------------------------------------


def _listing_contenders(cfg: Config, path: Path, pyasdf_path: Path, *, slow_repeats: int) -> list[Contender]:
    return [
        Contender("h5py_lowlevel", "raw h5py low-level walk (h5g/h5d/h5a), 2 attrs",
                  lambda: impl_h5py.list_lowlevel(path), settings="starttime, sampling_rate"),
        Contender("h5py_lowlevel_npts", "raw h5py low-level walk, 2 attrs + npts",
                  lambda: impl_h5py.list_lowlevel(path, npts=True), settings="starttime, sampling_rate, npts"),
        Contender("asdfkit_cold", "asdfkit list_waveforms(), cold (cache cleared)",
                  lambda: impl_asdfkit.list_headers(path), setup=lambda: _clear_asdfkit_cache(cfg),
                  settings="walk + write cache"),
        Contender("asdfkit_nocache", "asdfkit list_waveforms(), index_cache=False",
                  lambda: impl_asdfkit.list_headers(path, index_cache=False), settings="walk only"),
        Contender("asdfkit_warm", "asdfkit list_waveforms(), warm (cache present)",
                  lambda: impl_asdfkit.list_headers(path), setup=lambda: _ensure_asdfkit_cache(cfg, path),
                  settings="cache hit"),
        Contender("h5py_highlevel", "raw h5py high-level (Group/Dataset.attrs)",
                  lambda: impl_h5py.list_highlevel(path), repeats=slow_repeats, settings="starttime, sampling_rate"),
        Contender("pyasdf", "pyasdf get_waveform_attributes() per station",
                  lambda: impl_pyasdf.list_headers(pyasdf_path), repeats=slow_repeats,
                  settings="all attributes" + ("" if pyasdf_path == path else f" ({pyasdf_path.name})")),
    ]


def _listing_checks(outputs: dict[str, Any]) -> dict[str, bool]:
    reference = sorted(outputs["h5py_lowlevel"])
    checks = {}
    for key in ("h5py_highlevel", "asdfkit_cold", "asdfkit_nocache", "asdfkit_warm"):
        got = outputs[key]
        if key.startswith("asdfkit"):
            got = [(h.name, h.starttime_ns, h.sampling_rate) for h in got]
        checks[f"{key} lists the same (name, starttime, sampling_rate) as the low-level walk"] = (
            sorted(got) == reference
        )
    return checks


def scenario_list(cfg: Config, shared: dict[str, Any]) -> ScenarioResult:
    """List every trace's starttime and sampling rate on the scenario-1 file."""
    path = _shared_file(cfg, shared)
    n = shared["n_traces"]
    log.info("scenario 2: listing the headers of %d traces", n)
    contenders = _listing_contenders(cfg, path, path, slow_repeats=cfg.repeats)
    measurements, outputs = run_interleaved(contenders, cfg.repeats)
    result = ScenarioResult(
        "2", f"List the headers of {n} traces (scenario-1 file)",
        "Open, read starttime + sampling_rate of every trace (asdfkit also npts), close. "
        "'cold' = no header cache (asdfkit walks the file and writes its cache), "
        "'warm' = asdfkit's header cache present.",
        measurements,
        ratios=[
            Ratio("asdfkit cold / h5py low-level", "asdfkit_cold", "h5py_lowlevel"),
            Ratio("asdfkit no-cache / h5py low-level", "asdfkit_nocache", "h5py_lowlevel"),
            Ratio("asdfkit no-cache / h5py low-level+npts", "asdfkit_nocache", "h5py_lowlevel_npts"),
            Ratio("asdfkit warm / h5py low-level", "asdfkit_warm", "h5py_lowlevel"),
            Ratio("h5py high-level / h5py low-level", "h5py_highlevel", "h5py_lowlevel"),
            Ratio("pyasdf / h5py low-level", "pyasdf", "h5py_lowlevel"),
            Ratio("pyasdf / asdfkit cold", "pyasdf", "asdfkit_cold"),
            Ratio("pyasdf / asdfkit warm", "pyasdf", "asdfkit_warm"),
        ],
        summary=[
            {"label": "2 list headers, cold", "asdfkit": "asdfkit_cold", "pyasdf": "pyasdf", "h5py": "h5py_lowlevel"},
            {"label": "2 list headers, warm", "asdfkit": "asdfkit_warm", "pyasdf": "pyasdf", "h5py": "h5py_lowlevel"},
        ],
    )
    result.checks.update(_listing_checks(outputs))
    result.checks["pyasdf lists the same traces"] = len(outputs["pyasdf"]) == n
    return result


def _header_file(cfg: Config, n_traces: int) -> Path:
    """The cached header-listing file of ``n_traces`` traces (generated on first use)."""
    if cfg.header_file is not None and n_traces == cfg.n_header_traces:
        return cfg.header_file
    layout = data.HEADER_LAYOUT
    path = cfg.datadir / f"headers-{n_traces}x{cfg.header_npts}-{layout.per_station}ps-gzip4-v1.h5"
    if not path.exists():
        cfg.datadir.mkdir(parents=True, exist_ok=True)
        log.info("generating %s (%d traces, raw h5py, asdfkit's filters); this is done once", path, n_traces)
        impl_h5py.write_header_file(path, n_traces, cfg.header_npts, layout)
    return path


def scenario_many_headers(cfg: Config, shared: dict[str, Any]) -> ScenarioResult:
    """Header listing of the large (100,000-trace) file."""
    path = _header_file(cfg, cfg.n_header_traces)
    n_pyasdf = min(cfg.pyasdf_header_traces, cfg.n_header_traces)
    pyasdf_path = path if n_pyasdf == cfg.n_header_traces else _header_file(cfg, n_pyasdf)
    log.info("scenario 6: listing the headers of %d traces in %s", cfg.n_header_traces, path)
    contenders = _listing_contenders(cfg, path, pyasdf_path, slow_repeats=1)
    measurements, outputs = run_interleaved(contenders, max(2, cfg.repeats - 2))
    result = ScenarioResult(
        "6", f"List the headers of {cfg.n_header_traces:,} traces ({cfg.header_npts} samples each)",
        "A file of short traces, "
        f"{data.HEADER_LAYOUT.per_station} per station, made once by raw h5py with asdfkit's filters "
        "and cached between runs. Same contenders as scenario 2.",
        measurements,
        ratios=[
            Ratio("asdfkit cold / h5py low-level", "asdfkit_cold", "h5py_lowlevel"),
            Ratio("asdfkit no-cache / h5py low-level", "asdfkit_nocache", "h5py_lowlevel"),
            Ratio("asdfkit no-cache / h5py low-level+npts", "asdfkit_nocache", "h5py_lowlevel_npts"),
            Ratio("asdfkit warm / h5py low-level", "asdfkit_warm", "h5py_lowlevel"),
            Ratio("h5py high-level / h5py low-level", "h5py_highlevel", "h5py_lowlevel"),
            Ratio("pyasdf / asdfkit cold", "pyasdf", "asdfkit_cold"),
        ],
        targets=[
            Target("asdfkit cold / h5py low-level", "asdfkit_cold", "h5py_lowlevel", "<=", 1.2),
            Target("asdfkit warm", "asdfkit_warm", None, "<", 2.0),
        ],
        summary=[
            {"label": f"6 list {cfg.n_header_traces // 1000}k headers, cold", "asdfkit": "asdfkit_cold", "h5py": "h5py_lowlevel",
             "pyasdf": "pyasdf" if n_pyasdf == cfg.n_header_traces else None},
            {"label": f"6 list {cfg.n_header_traces // 1000}k headers, warm", "asdfkit": "asdfkit_warm", "h5py": "h5py_lowlevel",
             "pyasdf": "pyasdf" if n_pyasdf == cfg.n_header_traces else None},
        ],
    )
    result.facts["file"] = _dataset_layout(path)
    result.facts["file"]["path"] = str(path)
    result.facts["traces"] = len(outputs["h5py_lowlevel"])
    result.checks.update(_listing_checks(outputs))
    result.checks["pyasdf lists every trace of its file"] = len(outputs["pyasdf"]) == n_pyasdf
    if n_pyasdf != cfg.n_header_traces:
        result.notes.append(
            f"pyasdf was timed on a {n_pyasdf:,}-trace file of the same layout (not on the "
            f"{cfg.n_header_traces:,}-trace file), once; its time per trace is "
            f"{result_per_trace(measurements, 'pyasdf', n_pyasdf) * 1e6:.0f} us."
        )
    return result


def result_per_trace(measurements: list[Measurement], key: str, n: int) -> float:
    """Best time of ``key`` divided by ``n``."""
    return next(m.best for m in measurements if m.key == key) / n


# -- scenario 3: read everything -------------------------------------------------------------------


def scenario_read(cfg: Config, shared: dict[str, Any]) -> ScenarioResult:
    """Read every sample of every trace of the scenario-1 file."""
    path = _shared_file(cfg, shared)
    n = shared["n_traces"]
    log.info("scenario 3: reading all %d traces", n)
    contenders = [
        Contender("h5py_numpy", "raw h5py -> numpy arrays + 2 attrs", lambda: impl_h5py.read_numpy(path)),
        Contender("h5py", "raw h5py -> obspy Stream", lambda: impl_h5py.read_stream(path)),
        Contender("asdfkit", "asdfkit get_waveforms() (header cache present)",
                  lambda: impl_asdfkit.read_all(path), setup=lambda: _ensure_asdfkit_cache(cfg, path)),
        Contender("asdfkit_nocache", "asdfkit get_waveforms(), index_cache=False",
                  lambda: impl_asdfkit.read_all(path, index_cache=False)),
        Contender("pyasdf", "pyasdf ds.waveforms[station][tag] for every station",
                  lambda: impl_pyasdf.read_all(path, TAG)),
    ]
    measurements, outputs = run_interleaved(contenders, cfg.repeats)
    result = ScenarioResult(
        "3", f"Read all samples of {n} traces (scenario-1 file)",
        "Open, read every trace into an obspy Stream (raw h5py also into bare numpy arrays), close.",
        measurements,
        ratios=[
            Ratio("asdfkit / h5py (Stream)", "asdfkit", "h5py"),
            Ratio("asdfkit / h5py (numpy)", "asdfkit", "h5py_numpy"),
            Ratio("asdfkit no-cache / h5py (Stream)", "asdfkit_nocache", "h5py"),
            Ratio("pyasdf / h5py (Stream)", "pyasdf", "h5py"),
            Ratio("pyasdf / asdfkit", "pyasdf", "asdfkit"),
        ],
        targets=[Target("asdfkit / h5py (Stream)", "asdfkit", "h5py", "<=", 1.2)],
        summary=[{"label": "3 read everything", "asdfkit": "asdfkit", "pyasdf": "pyasdf", "h5py": "h5py"}],
    )
    reference = _stream_key(outputs["h5py"])
    result.checks["asdfkit returns the same traces and samples as raw h5py"] = _stream_key(outputs["asdfkit"]) == reference
    result.checks["pyasdf returns the same traces and samples as raw h5py"] = _stream_key(outputs["pyasdf"]) == reference
    return result


# -- scenario 4: events ------------------------------------------------------------------------------


def scenario_events(cfg: Config, shared: dict[str, Any]) -> ScenarioResult:
    """Add N events one at a time to a new file."""
    events = data.make_events(cfg.n_events)
    out = {k: cfg.workdir / f"events-{k}.h5" for k in ("asdfkit", "pyasdf")}
    log.info("scenario 4: %d single-event adds", len(events))
    contenders = [
        Contender("asdfkit", "asdfkit add_events(event) x N",
                  lambda: impl_asdfkit.add_events_one_by_one(out["asdfkit"], events),
                  setup=lambda: _remove(out["asdfkit"])),
        Contender("pyasdf", "pyasdf add_quakeml(event) x N",
                  lambda: impl_pyasdf.add_events_one_by_one(out["pyasdf"], events),
                  setup=lambda: _remove(out["pyasdf"]), repeats=1),
    ]
    measurements, _ = run_interleaved(contenders, cfg.repeats)
    result = ScenarioResult(
        "4", f"{len(events)} single-event adds",
        "New file, then one add call per event (distinct copies of obspy's example events with fresh "
        "resource ids for events, origins and magnitudes). No raw-h5py equivalent.",
        measurements,
        ratios=[Ratio("pyasdf / asdfkit", "pyasdf", "asdfkit")],
        targets=[Target("pyasdf / asdfkit", "pyasdf", "asdfkit", ">=", 10.0)],
        summary=[{"label": f"4 {len(events)} single-event adds", "asdfkit": "asdfkit", "pyasdf": "pyasdf"}],
    )
    import pyasdf

    with pyasdf.ASDFDataSet(str(out["asdfkit"]), mode="r") as ds:
        result.checks["pyasdf reads all events of the asdfkit file"] = len(ds.events) == len(events)
    with asdfkit.open(out["pyasdf"]) as f:
        result.checks["asdfkit reads all events of the pyasdf file"] = len(f.events) == len(events)
    result.facts["quakeml_bytes"] = {k: _quakeml_size(p) for k, p in out.items()}
    return result


def _quakeml_size(path: Path) -> int:
    with h5py.File(path, "r") as h5:
        return int(h5["QuakeML"].shape[0])


# -- scenario 5: stations ----------------------------------------------------------------------------


def _stationxml_bytes(path: Path) -> dict[str, bytes]:
    with h5py.File(path, "r") as h5:
        return {name: g["StationXML"][()].tobytes() for name, g in h5["Waveforms"].items() if "StationXML" in g}


def scenario_stations(cfg: Config, shared: dict[str, Any]) -> ScenarioResult:
    """Re-add an N-station inventory to a file that already holds it."""
    import pyasdf

    inventory = data.make_inventory(cfg.n_inventory_stations)
    bases = {"asdfkit": cfg.workdir / "stations-base-asdfkit.h5", "pyasdf": cfg.workdir / "stations-base-pyasdf.h5"}
    for p in bases.values():
        _remove(p)
    with asdfkit.open(bases["asdfkit"], "w") as f:
        f.add_stations(inventory)
    with pyasdf.ASDFDataSet(str(bases["pyasdf"]), mode="w") as ds:
        ds.add_stationxml(inventory)
    log.info("scenario 5: re-adding a %d-station inventory", cfg.n_inventory_stations)

    def contender(tool: str, base: str) -> Contender:
        work = cfg.workdir / f"stations-{tool}-on-{base}.h5"
        run: Callable[[], Any] = (
            (lambda: impl_asdfkit.add_stations(work, inventory)) if tool == "asdfkit"
            else (lambda: impl_pyasdf.add_stations(work, inventory))
        )
        label = "asdfkit add_stations" if tool == "asdfkit" else "pyasdf add_stationxml"
        def setup() -> None:
            shutil.copyfile(bases[base], work)

        return Contender(f"{tool}_on_{base}", f"{label}, file written by {base}", run, setup=setup,
                         repeats=None if tool == "asdfkit" else 1)

    contenders = [contender(t, b) for b in ("asdfkit", "pyasdf") for t in ("asdfkit", "pyasdf")]
    measurements, _ = run_interleaved(contenders, cfg.repeats)
    result = ScenarioResult(
        "5", f"Re-add a {cfg.n_inventory_stations}-station inventory",
        "The inventory (copies of AE.113A's real StationXML, 3 channels with responses) is already in "
        "the file; each tool adds it again to a fresh copy of the same file. Two base files: "
        "one where asdfkit stored it, one where pyasdf did.",
        measurements,
        ratios=[
            Ratio("pyasdf / asdfkit, file by asdfkit", "pyasdf_on_asdfkit", "asdfkit_on_asdfkit"),
            Ratio("pyasdf / asdfkit, file by pyasdf", "pyasdf_on_pyasdf", "asdfkit_on_pyasdf"),
        ],
        targets=[
            Target("pyasdf / asdfkit, file by asdfkit", "pyasdf_on_asdfkit", "asdfkit_on_asdfkit", ">=", 10.0),
            Target("pyasdf / asdfkit, file by pyasdf", "pyasdf_on_pyasdf", "asdfkit_on_pyasdf", ">=", 10.0),
        ],
        summary=[
            {"label": f"5a re-add {cfg.n_inventory_stations} stations (asdfkit file)",
             "asdfkit": "asdfkit_on_asdfkit", "pyasdf": "pyasdf_on_asdfkit"},
            {"label": f"5b re-add {cfg.n_inventory_stations} stations (pyasdf file)",
             "asdfkit": "asdfkit_on_pyasdf", "pyasdf": "pyasdf_on_pyasdf"},
        ],
    )
    for tool in ("asdfkit", "pyasdf"):
        for base in ("asdfkit", "pyasdf"):
            before = _stationxml_bytes(bases[base])
            after = _stationxml_bytes(cfg.workdir / f"stations-{tool}-on-{base}.h5")
            changed = sum(before[k] != after.get(k) for k in before)
            result.facts[f"{tool} on {base} file: StationXML datasets rewritten"] = changed
            result.checks[f"{tool} on {base} file keeps {len(before)} stations"] = len(after) == len(before)
    return result


#: Scenario number -> function, in the order they run.
SCENARIOS: dict[str, Callable[[Config, dict[str, Any]], ScenarioResult]] = {
    "1": scenario_write,
    "2": scenario_list,
    "3": scenario_read,
    "4": scenario_events,
    "5": scenario_stations,
    "6": scenario_many_headers,
}
