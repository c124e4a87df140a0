"""Render scenario results as a plain-text table (stdout) or Markdown (docs/performance.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .scenarios import ScenarioResult

__all__ = ["markdown_report", "text_report"]


def _fmt_s(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _fmt_x(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}x" if value >= 10 else f"{value:.2f}x"


def _fmt_target(value: float, unit_seconds: bool) -> str:
    return f"{_fmt_s(value)} s" if unit_seconds else _fmt_x(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    """Fixed-width text table; ``align`` has one ``l``/``r`` per column."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if a == "l" else str(c).rjust(w) for c, w, a in zip(cells, widths, align, strict=True)
        ).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    sep = ["---:" if a == "r" else "---" for a in align]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return out


MEASUREMENT_HEADER = ["contender", "best [s]", "median [s]", "best CPU [s]", "runs", "settings"]
RATIO_HEADER = ["ratio (best times)", "wall", "CPU", "target", "met (wall)", "met (CPU)"]


def _measurement_rows(result: ScenarioResult) -> list[list[str]]:
    return [[m.label, _fmt_s(m.best), _fmt_s(m.median), _fmt_s(m.best_cpu), str(len(m.times)), m.settings]
            for m in result.measurements]


def _target_rows(result: ScenarioResult) -> list[list[str]]:
    rows = []
    for r in result.ratios:
        rows.append([r.name, _fmt_x(r.value), _fmt_x(r.cpu_value), "", "", ""])
    for t in result.targets:
        seconds = t.denominator is None
        rows.append([f"target: {t.description}", _fmt_target(t.value, seconds), _fmt_target(t.cpu_value, seconds),
                     t.goal, "MET" if t.met else "MISSED", "MET" if t.cpu_met else "MISSED"])
    return rows


def summary_table(results: Sequence[ScenarioResult], clock: str = "wall") -> tuple[list[str], list[list[str]]]:
    """Header and rows of the cross-scenario table of ratios of best ``clock`` (wall/cpu) times."""
    unit = "[s]" if clock == "wall" else "[CPU s]"
    header = ["scenario", f"asdfkit {unit}", f"pyasdf {unit}", f"h5py {unit}", "asdfkit/h5py", "pyasdf/h5py",
              "pyasdf/asdfkit", "target", "met"]
    rows = []
    for result in results:
        for row in result.summary_rows(clock):
            targets: list[dict[str, Any]] = row["targets"]
            goal = "; ".join(t["goal"] for t in targets) or "-"
            met = "; ".join("yes" if t["met"] else "NO" for t in targets) or "-"
            rows.append([row["scenario"], _fmt_s(row["asdfkit_s"]), _fmt_s(row["pyasdf_s"]), _fmt_s(row["h5py_s"]),
                         _fmt_x(row["asdfkit/h5py"]), _fmt_x(row["pyasdf/h5py"]), _fmt_x(row["pyasdf/asdfkit"]),
                         goal, met])
    return header, rows


def _machine_lines(machine: dict[str, Any]) -> list[str]:
    return [
        f"date {machine['date']}; {machine['nproc']} cores ({machine['cpu']}); load at start "
        f"{', '.join(str(x) for x in machine['loadavg_at_start'])}",
        f"Python {machine['python']}, numpy {machine['numpy']}, h5py {machine['h5py']}, HDF5 {machine['hdf5']}, "
        f"obspy {machine['obspy']}, pyasdf {machine['pyasdf']}, "
        f"asdfkit {machine['asdfkit']} ({machine.get('asdfkit_revision', 'unknown')})",
    ]


def text_report(results: Sequence[ScenarioResult], machine: dict[str, Any]) -> str:
    """The report printed at the end of a run."""
    lines = [*_machine_lines(machine), ""]
    for result in results:
        lines.append(f"== {result.id}. {result.title} ==")
        lines += _table(MEASUREMENT_HEADER, _measurement_rows(result), "lrrrrl")
        lines.append("")
        lines += _table(RATIO_HEADER, _target_rows(result), "lrrlll")
        for name, ok in result.checks.items():
            lines.append(f"check: {name}: {'ok' if ok else 'FAILED'}")
        for note in result.notes:
            lines.append(f"note: {note}")
        lines.append("")
    for clock in ("wall", "cpu"):
        header, rows = summary_table(results, clock)
        lines.append(f"== Summary (best {'wall-clock' if clock == 'wall' else 'CPU'} times) ==")
        lines += _table(header, rows, "lrrrrrrll")
        lines.append("")
    return "\n".join(lines).rstrip()


def markdown_report(results: Sequence[ScenarioResult], machine: dict[str, Any]) -> str:
    """Markdown tables of a run (the measured part of docs/performance.md)."""
    lines = ["Measured on: " + "; ".join(_machine_lines(machine)) + ".", ""]
    for clock in ("wall", "cpu"):
        header, rows = summary_table(results, clock)
        title = "wall-clock" if clock == "wall" else "CPU"
        lines += [f"### Summary (best {title} times)", "", *_md_table(header, rows, "lrrrrrrll"), ""]
    for result in results:
        lines += [f"### {result.id}. {result.title}", "", result.description, ""]
        lines += _md_table(MEASUREMENT_HEADER, _measurement_rows(result), "lrrrrl")
        lines.append("")
        lines += _md_table(RATIO_HEADER, _target_rows(result), "lrrlll")
        lines.append("")
        if result.checks:
            lines.append("Checks: " + "; ".join(f"{k}: {'ok' if v else 'FAILED'}" for k, v in result.checks.items())
                         + ".")
            lines.append("")
        for note in result.notes:
            lines += [f"Note: {note}", ""]
    return "\n".join(lines)
