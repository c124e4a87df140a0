"""Sweep: every file of ObsPy 1.5.1's own test data through ``asdf-cli convert``, in every role.

Standalone script (``tests/io/test_corpus_sweep.py`` runs a representative subset)::

    python benchmarks/obspy_corpus_sweep.py                 # everything (a few minutes)
    python benchmarks/obspy_corpus_sweep.py --only io/gse2   # the files whose path contains a text
    python benchmarks/obspy_corpus_sweep.py --json out.json --markdown table.md

The file lists (``benchmarks/obspy_corpus/*.txt``, paths inside the installed
``obspy`` package) are the files that ``obspy.read``, ``read_inventory`` and
``read_events`` read.  For each **waveform** file:

1. ``asdf-cli convert FILE OUT.h5 --json`` with default options; the stored
   traces are compared with what ``obspy.read`` gives: the same number of traces
   (less the zero-sample ones, which are skipped and reported), the same ids,
   integer-nanosecond starts, sampling rates and samples, and a dtype that is
   the original or its reported lossless widening; text records must be in
   ``/AuxiliaryData/Logs`` byte for byte;
2. when the default conversion is refused and ``convert`` has the codes-mapping
   options, ``--codes-template codes.csv`` then ``--codes codes.csv`` (ids are
   then the mapped ones: compared without them);
3. every converted file is exported ``--to mseed`` and ``--to sac`` and the
   written files are read back: every stored trace must come back with its
   samples, or the export's warnings must name what changed.

Every **inventory** and **event** file is given as a positional input alone
(a metadata-only ASDF file), and with ``--stations``/``--events``; a document
that holds nothing (an empty SC3ML) is then given with a small miniSEED file
to show it is accepted.  Any traceback is counted and printed.  The table is
by format (ObsPy's name for it, as detected).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import obspy
from click.testing import CliRunner

from asdfkit.cli.main import cli
from asdfkit.container import open as open_asdf
from asdfkit.io.readers import WaveformReader
from asdfkit.io.sources import classify
from asdfkit.io.tracecheck import WIDEN

LISTS = Path(__file__).resolve().parent / "obspy_corpus"
OBSPY = Path(obspy.__file__).resolve().parent
#: A small, valid miniSEED file given with metadata documents that hold nothing.
COMPANION = "io/mseed/tests/data/BW.BGLD.__.EHE.D.2008.001.first_record"


def corpus(kind: str) -> list[str]:
    """The paths (inside the obspy package) of one list: ``waveforms``, ``inventories`` or ``events``."""
    return (LISTS / f"{kind}.txt").read_text().split()


@dataclass
class WaveformResult:
    path: str
    format: str
    default: str = ""            # exact | empty (holds no samples) | inexact | refused | traceback
    default_reason: str = ""
    codes: str = ""              # exact | inexact | refused | traceback | "" (not tried / option absent)
    codes_reason: str = ""
    exports: dict[str, str] = field(default_factory=dict)  # mseed/sac -> exact | reported | lossy | refused | traceback
    export_reasons: dict[str, str] = field(default_factory=dict)

    @property
    def converted(self) -> bool:
        """Converted exactly, or nothing to convert (every trace ObsPy reads has zero samples)."""
        return self.default in ("exact", "empty") or self.codes == "exact"


@dataclass
class MetadataResult:
    path: str
    kind: str                    # inventories | events
    format: str
    positional: str = ""         # accepted | empty | refused | traceback
    reason: str = ""
    option: str = ""             # with --stations / --events
    valid: bool | None = None    # the metadata-only file validates (None: none written)


def _invoke(args: list[str]) -> tuple[int, dict[str, Any] | None, str, str | None]:
    """``asdf-cli ARGS``: exit code, the JSON summary, the last stderr line, a traceback if one escaped."""
    result = CliRunner().invoke(cli, args)
    tb = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        tb = "".join(traceback.format_exception(result.exception)).strip().splitlines()[-1]
    summary = None
    if result.exit_code == 0 and "--json" in args:
        try:
            summary = json.loads(result.stdout)
        except ValueError:
            summary = None
    lines = [line for line in (result.stderr or "").splitlines() if line.startswith("error:")]
    return result.exit_code, summary, (lines[-1] if lines else ""), tb


def _short(message: str, root: Path = OBSPY) -> str:
    return message.replace(str(root) + "/", "").replace("error: ", "", 1)


def waveform_format(path: Path) -> str:
    source = classify(path)
    if source is not None and source.kind in ("css",):
        return "CSS"
    if path.suffix.lower() in (".gz", ".bz2", ".zip", ".tar", ".tgz") or path.name.endswith(".tar.bz2"):
        return "compressed/archive"
    found = WaveformReader().detect(path)
    return found[0] if found else "?"


def _expected(path: Path) -> tuple[list[obspy.Trace], list[obspy.Trace]]:
    """What ``obspy.read`` gives: traces with samples, and text records."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stream = obspy.read(str(path))
    samples = [t for t in stream if t.data.dtype.kind in "iuf" and len(t.data) > 0]
    texts = [t for t in stream if t.data.dtype.kind == "S"]
    return samples, texts


def _key(trace: obspy.Trace) -> tuple[int, float, int]:
    return trace.stats.starttime.ns, float(trace.stats.sampling_rate), len(trace.data)


def compare_stored(out: Path, samples: list[obspy.Trace], texts: list[obspy.Trace], ids: bool) -> str:
    """'' when ``out`` holds exactly the expected traces and text records, else what differs."""
    with open_asdf(out) as f:
        stored = [f.get_waveform(h) for h in f.list_waveforms()]
        logs = [f.get_auxiliary_data("Logs", p) for _, p in f.list_auxiliary_data("Logs")] \
            if "Logs" in f.auxiliary_data_types else []
    if len(stored) != len(samples):
        return f"{len(stored)} traces stored, {len(samples)} expected"
    pending = sorted(samples, key=_key)
    for trace in sorted(stored, key=_key):
        match = next((t for t in pending if _key(t) == _key(trace) and (not ids or t.id == trace.id)
                      and np.array_equal(np.asarray(t.data, dtype=np.float64),
                                         np.asarray(trace.data, dtype=np.float64), equal_nan=True)), None)
        if match is None:
            return f"stored trace {trace.id} starting {trace.stats.starttime} matches no trace ObsPy reads"
        allowed = {match.data.dtype.name, WIDEN.get(match.data.dtype.name, "")}
        if match.data.dtype.name == "uint64":
            allowed.add("int64")
        if trace.data.dtype.name not in allowed:
            return f"{trace.id}: dtype {trace.data.dtype} stored for {match.data.dtype}"
        pending.remove(match)
    if len(logs) != len(texts):
        return f"{len(logs)} text records stored, {len(texts)} expected"
    want = sorted(t.data.tobytes() for t in texts)
    if sorted(item.data.tobytes() for item in logs) != want:
        return "text records differ"
    return ""


def check_export(out: Path, workdir: Path, fmt: str) -> tuple[str, str]:
    """Export ``out`` to ``fmt`` and read it back: exact | reported | lossy | refused | traceback."""
    target = workdir / f"export-{fmt}"
    code, summary, message, tb = _invoke(["convert", str(out), str(target), "--to", fmt, "--json"])
    if tb:
        return "traceback", tb
    if code != 0 or summary is None:
        return "refused", _short(message)
    with open_asdf(out) as f:
        stored = [f.get_waveform(h) for h in f.list_waveforms()]
    files = [Path(p) for p in summary.get("files", [])]
    back = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in files:
            back.extend(obspy.read(str(path), format="MSEED" if fmt == "mseed" else "SAC"))
    said = " ".join(map(str, summary.get("warnings", [])))
    problems = []
    if len(back) != len(stored):
        problems.append(f"{len(back)} traces in {len(files)} files for {len(stored)} stored")
    pending = list(back)
    for trace in stored:
        match = next((t for t in pending if t.id == trace.id and abs(t.stats.starttime.ns - trace.stats.starttime.ns)
                      < 500_000_000 / max(trace.stats.sampling_rate, 1e-9) and t.stats.npts == trace.stats.npts), None)
        if match is None:
            problems.append(f"{trace.id} starting {trace.stats.starttime} not written back")
            continue
        pending.remove(match)
        same = np.array_equal(np.asarray(match.data, dtype=np.float64), np.asarray(trace.data, dtype=np.float64),
                              equal_nan=True) and match.stats.starttime.ns == trace.stats.starttime.ns \
            and match.stats.sampling_rate == trace.stats.sampling_rate
        if not same:
            problems.append(f"{trace.id} starting {trace.stats.starttime} changed")
    if not problems:
        return "exact", ""
    if said:
        return "reported", "; ".join(problems[:2]) + f" (export says: {said[:200]})"
    return "lossy", "; ".join(problems[:3])


def sweep_waveform(rel: str, workdir: Path, exports: bool = True) -> WaveformResult:
    path = OBSPY / rel
    result = WaveformResult(rel, waveform_format(path))
    samples, texts = _expected(path)
    out = workdir / "default.h5"
    code, summary, message, tb = _invoke(["convert", str(path), str(out), "--json"])
    converted = None
    if tb:
        result.default, result.default_reason = "traceback", tb
    elif code == 0:
        diff = compare_stored(out, samples, texts, ids=True)
        result.default, result.default_reason = ("exact", "") if not diff else ("inexact", diff)
        converted = out if not diff else None
    elif not samples and not texts and "nothing converted" in message and "no samples" in message:
        result.default, result.default_reason = "empty", _short(message)
    else:
        result.default, result.default_reason = "refused", _short(message)
    if result.default not in ("exact", "empty") and "codes_template" in {p.name for p in _convert_params()}:
        table = workdir / "codes.csv"
        coded = workdir / "codes.h5"
        code, _, message, tb = _invoke(["convert", str(path), "--codes-template", str(table)])
        if not tb and code == 0:
            code, summary, message, tb = _invoke(["convert", str(path), str(coded), "--codes", str(table), "--json"])
        if tb:
            result.codes, result.codes_reason = "traceback", tb
        elif code == 0:
            diff = compare_stored(coded, samples, texts, ids=False)
            result.codes, result.codes_reason = ("exact", "") if not diff else ("inexact", diff)
            converted = coded if not diff else converted
        else:
            result.codes, result.codes_reason = "refused", _short(message)
    if exports and converted is not None and samples:
        for fmt in ("mseed", "sac"):
            status, reason = check_export(converted, workdir, fmt)
            result.exports[fmt] = status
            if reason:
                result.export_reasons[fmt] = reason
    return result


def _convert_params() -> list[Any]:
    from asdfkit.cli.convert import convert

    return list(convert.params)


def metadata_format(path: Path, kind: str) -> str:
    source = classify(path)
    if source is None:
        return "(skipped)"
    if source.format:
        return source.format
    if source.kind == "seed":
        return "SEED"
    head = path.read_bytes()[:2048]
    if b"<" in head[:100]:
        if b"seiscomp" in head:
            return "SC3ML"
        return "QUAKEML" if kind == "events" else "STATIONXML"
    return source.kind


def sweep_metadata(rel: str, kind: str, workdir: Path) -> MetadataResult:
    path = OBSPY / rel
    result = MetadataResult(rel, kind, metadata_format(path, kind))
    out = workdir / "meta.h5"
    code, summary, message, tb = _invoke(["convert", str(path), str(out), "--json"])
    what = "events" if kind == "events" else "stations"
    if tb:
        result.positional, result.reason = "traceback", tb
    elif code == 0 and summary is not None and summary.get(what, 0) > 0:
        result.positional = "accepted"
        from asdfkit.validation import validate

        result.valid = validate(out).exit_code == 0
    elif code == 0:
        result.positional, result.reason = "refused", f"read, but no {what} stored (taken for another kind)"
    elif "read, holding nothing" in message and "left out" not in message:
        code, summary, message2, tb = _invoke(["convert", str(path), str(OBSPY / COMPANION),
                                               str(workdir / "meta2.h5"), "--json"])
        result.positional = "empty" if code == 0 and not tb else "refused"
        result.reason = _short(message) if code == 0 else _short(message2 or tb or "")
    else:
        result.positional, result.reason = "refused", _short(message)
    option = "--events" if kind == "events" else "--stations"
    code, summary, message, tb = _invoke(["convert", option, str(path), str(workdir / "meta3.h5"), "--json"])
    result.option = "traceback" if tb else ("accepted" if code == 0 else
                                            ("empty" if "read, holding nothing" in message
                                             and "left out" not in message else "refused"))
    return result


def run(waveforms: Iterable[str], inventories: Iterable[str], events: Iterable[str], exports: bool = True,
        progress: bool = False) -> dict[str, list[Any]]:
    """Sweep the given files; return the results by list."""
    logging.disable(logging.CRITICAL)
    out: dict[str, list[Any]] = {"waveforms": [], "inventories": [], "events": []}
    try:
        with tempfile.TemporaryDirectory(prefix="asdfkit-sweep-") as tmp:
            for index, rel in enumerate(waveforms):
                work = Path(tmp) / f"w{index}"
                work.mkdir()
                out["waveforms"].append(sweep_waveform(rel, work, exports))
                if progress:
                    print(f"{rel}: {out['waveforms'][-1].default}", file=sys.stderr, flush=True)
            for kind, items in (("inventories", inventories), ("events", events)):
                for index, rel in enumerate(items):
                    work = Path(tmp) / f"{kind[0]}{index}"
                    work.mkdir()
                    out[kind].append(sweep_metadata(rel, kind, work))
                    if progress:
                        print(f"{rel}: {out[kind][-1].positional}", file=sys.stderr, flush=True)
    finally:
        logging.disable(logging.NOTSET)
    return out


def tracebacks(results: dict[str, list[Any]]) -> list[str]:
    found = []
    for item in results["waveforms"]:
        for label, status, reason in (("default", item.default, item.default_reason),
                                      ("codes", item.codes, item.codes_reason),
                                      *((f"--to {k}", v, item.export_reasons.get(k, "")) for k, v in item.exports.items())):
            if status == "traceback":
                found.append(f"{item.path} ({label}): {reason}")
    for kind in ("inventories", "events"):
        for item in results[kind]:
            if "traceback" in (item.positional, item.option):
                found.append(f"{item.path} ({kind}): {item.reason}")
    return found


def summary(results: dict[str, list[Any]]) -> dict[str, Any]:
    waves = results["waveforms"]
    n = len(waves) or 1
    meta = results["inventories"] + results["events"]
    exported = [w for w in waves if w.exports]
    return {
        "waveform_files": len(waves),
        "default_exact": sum(w.default == "exact" for w in waves),
        "no_samples": sum(w.default == "empty" for w in waves),
        "default_or_codes_exact": sum(w.converted for w in waves),
        "default_exact_pct": round(100 * sum(w.default == "exact" for w in waves) / n, 1),
        "converted_pct": round(100 * sum(w.converted for w in waves) / n, 1),
        "codes_option": "codes_template" in {p.name for p in _convert_params()},
        "exports_checked": len(exported),
        "exports": {fmt: dict(Counter(w.exports.get(fmt, "") for w in exported)) for fmt in ("mseed", "sac")},
        "metadata_files": len(meta),
        "metadata_accepted": sum(m.positional in ("accepted", "empty") for m in meta),
        "metadata_accepted_pct": round(100 * sum(m.positional in ("accepted", "empty") for m in meta)
                                       / (len(meta) or 1), 1),
        "metadata_by_option_accepted": sum(m.option in ("accepted", "empty") for m in meta),
        "metadata_outputs_valid": f"{sum(m.valid is True for m in meta)} of {sum(m.valid is not None for m in meta)}",
        "tracebacks": tracebacks(results),
    }


def markdown(results: dict[str, list[Any]]) -> str:
    """The tables by format, and every file not converted exactly with its reason."""
    lines = ["| waveform format | files | exact (default) | exact (default or codes) or no samples | refused | "
             "`--to mseed` exact / reported / lossy / refused | `--to sac` exact / reported / lossy / refused |",
             "|---|---|---|---|---|---|---|"]
    by_format: dict[str, list[WaveformResult]] = defaultdict(list)
    for item in results["waveforms"]:
        by_format[item.format].append(item)

    def exp(items: list[WaveformResult], fmt: str) -> str:
        counts = Counter(i.exports.get(fmt) for i in items if i.exports)
        return " / ".join(str(counts.get(k, 0)) for k in ("exact", "reported", "lossy", "refused"))

    for name in sorted(by_format):
        items = by_format[name]
        lines.append(f"| {name} | {len(items)} | {sum(i.default == 'exact' for i in items)} | "
                     f"{sum(i.converted for i in items)} | {sum(not i.converted for i in items)} | "
                     f"{exp(items, 'mseed')} | {exp(items, 'sac')} |")
    items = results["waveforms"]
    lines.append(f"| **all** | {len(items)} | {sum(i.default == 'exact' for i in items)} | "
                 f"{sum(i.converted for i in items)} | {sum(not i.converted for i in items)} | "
                 f"{exp(items, 'mseed')} | {exp(items, 'sac')} |")
    lines += ["", "| metadata format | role | files | accepted alone | accepted, empty document | refused | "
              "accepted by `--stations`/`--events` | metadata-only file valid |", "|---|---|---|---|---|---|---|---|"]
    meta: dict[tuple[str, str], list[MetadataResult]] = defaultdict(list)
    for kind in ("inventories", "events"):
        for m in results[kind]:
            meta[(m.format, kind)].append(m)
    for (name, kind) in sorted(meta):
        ms = meta[(name, kind)]
        lines.append(f"| {name} | {kind} | {len(ms)} | {sum(m.positional == 'accepted' for m in ms)} | "
                     f"{sum(m.positional == 'empty' for m in ms)} | {sum(m.positional == 'refused' for m in ms)} | "
                     f"{sum(m.option in ('accepted', 'empty') for m in ms)} | "
                     f"{sum(m.valid is True for m in ms)} of {sum(m.valid is not None for m in ms)} |")
    lines += ["", "Waveform files not converted exactly (default; then through the codes workflow):", ""]
    for item in results["waveforms"]:
        if item.default not in ("exact",):
            codes = f"; codes workflow: {item.codes} {item.codes_reason}" if item.codes else ""
            lines.append(f"- `{item.path}` ({item.format}): {item.default_reason}{codes}")
    refused_meta = [m for kind in ("inventories", "events") for m in results[kind] if m.positional == "refused"]
    if refused_meta:
        lines += ["", "Metadata files refused:", ""]
        lines += [f"- `{m.path}` ({m.kind}): {m.reason}" for m in refused_meta]
    lossy = [(w, k) for w in results["waveforms"] for k, v in w.exports.items() if v in ("lossy", "refused")]
    if lossy:
        lines += ["", "Exports that lost data silently or were refused:", ""]
        lines += [f"- `{w.path}` `--to {k}` {w.exports[k]}: {w.export_reasons.get(k, '')}" for w, k in lossy]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="only the files whose path contains this text")
    parser.add_argument("--no-exports", action="store_true", help="skip the --to mseed/sac exports")
    parser.add_argument("--json", type=Path, help="write every result as JSON")
    parser.add_argument("--markdown", type=Path, help="write the tables as Markdown")
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args(argv)

    def pick(kind: str) -> list[str]:
        return [p for p in corpus(kind) if not args.only or args.only in p]

    started = time.perf_counter()
    results = run(pick("waveforms"), pick("inventories"), pick("events"), not args.no_exports, args.progress)
    totals = summary(results)
    totals["seconds"] = round(time.perf_counter() - started, 1)
    table = markdown(results)
    print(table)
    print(json.dumps(totals, indent=2))
    if args.json:
        args.json.write_text(json.dumps({"summary": totals, **{k: [asdict(r) for r in v]
                                                               for k, v in results.items()}}, indent=1))
    if args.markdown:
        args.markdown.write_text(table)
    return 1 if totals["tracebacks"] else 0


if __name__ == "__main__":
    sys.exit(main())
