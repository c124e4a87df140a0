"""Cost of recording SEIS-PROV provenance for a conversion, and of its parts.

Standalone script (not part of ``benchmarks/run.py``)::

    python benchmarks/provenance_bench.py                # 300 and 3000 outputs
    python benchmarks/provenance_bench.py --sizes 300    # one size only
    python benchmarks/provenance_bench.py --json out.json

For each size N an ASDF file holds N real SAC recordings (the Berkeley 1998 CSS
database's 30 traces, copied under distinct station codes; 200 samples each, the
sample count does not matter here).  ``record`` is
:meth:`ProvenanceRecorder.record` called as ``asdfkit convert`` calls it: one
activity, N ``file`` inputs, N ``waveform_trace`` outputs, ``wasDerivedFrom``
output -> file, every output's ``provenance_id`` set.  The parts are timed on a
builder holding the same records:

- ``build``: the builder's records (kept plain) against ``prov.model`` building
  the same ``ProvDocument`` (``builder.document``, the path every record took before);
- ``write``: :meth:`ProvenanceBuilder.to_xml` against ``prov``'s own serializer
  (the bytes are checked to be identical);
- ``check``: :meth:`ProvenanceBuilder.check` (what ``record`` runs: one record of
  each shape parsed) against ``validate_generated`` (the whole document parsed);
- ``store``/``link``: the container's ``add_provenance_document`` and
  ``set_provenance_ids`` (asdfkit/container, outside the provenance package).

Times are the best of ``--repeats`` runs (CPU-bound; the minimum is the least
disturbed by other work on the machine); ``record`` is also given in CPU time.  Ratios are slow path / fast path;
the last column shows that the cost per output stays flat from 300 to 3000.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import obspy

log = logging.getLogger("provenance_bench")
ROOT = Path(__file__).resolve().parents[1]
BERKELEY = ROOT.parent / "shared" / "data" / "css" / "berkeley_1998"


def best(fn: Callable[[], Any], repeats: int, clock: Callable[[], float] = time.perf_counter) -> float:
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return min(times)


def make_file(path: Path, n: int) -> tuple[list[str], list[str]]:
    """An ASDF file with ``n`` real traces; returns their HDF5 paths and (virtual) SAC file names."""
    import asdfkit

    sources = sorted(BERKELEY.glob("19980812141000.*"))
    traces = [obspy.read(str(p), format="SAC")[0] for p in sources]
    paths: list[str] = []
    files: list[str] = []
    with asdfkit.open(path, "w") as f:
        for i in range(n):
            tr = traces[i % len(traces)].copy()
            tr.data = tr.data[:200]
            tr.stats.network = "BK"
            tr.stats.station = f"S{i // 3:04d}"
            tr.stats.channel = ["BHE", "BHN", "BHZ"][i % 3]
            paths += f.add_waveforms(tr, "raw_recording")
            files.append(str(path.parent / "sac" / f"{tr.id}.SAC"))
    return paths, files


def measure(workdir: Path, n: int, repeats: int) -> dict[str, float]:
    import asdfkit
    from asdfkit.provenance import ProvenanceBuilder, ProvenanceRecorder, validate
    from asdfkit.provenance.validator import validate_generated

    paths, files = make_file(workdir / f"prov-{n}.h5", n)
    derived = {p: [s] for p, s in zip(paths, files, strict=True)}
    params = {"tag": "raw_recording", "files": n, "traces": n}
    row: dict[str, float] = {"outputs": n}
    with asdfkit.open(workdir / f"prov-{n}.h5", "r+") as f:
        recorder = ProvenanceRecorder(f)

        def record() -> None:
            recorder.record("convert", inputs=files, outputs=paths, parameters=params, derived=derived)

        row["record"] = best(record, repeats)
        row["record cpu"] = best(record, repeats, time.process_time)
        headers = f.list_waveforms()

        def build() -> ProvenanceBuilder:
            builder = ProvenanceBuilder()
            agent = builder.software_agent("asdfkit", "bench", "https://pypi.org/project/asdfkit/")
            act = builder.custom("activity", "convert", attributes=params)
            builder.associated(act, agent)
            sources = {}
            for name in files:
                sources[name] = builder.entity("file", step=0, filename=Path(name).name,
                                               location=str(Path(name).parent), location_type="local file system")
                builder.used(act, sources[name])
            for h in headers:
                out = builder.entity("waveform_trace", seed_id=h.seed_id, start_time=h.starttime,
                                     number_of_samples=h.npts, sampling_rate=h.sampling_rate)
                builder.generated(out, act)
                builder.derived(out, sources[derived[h.path][0]])
            return builder

        row["build"] = best(build, repeats)
        row["build prov.model"] = best(lambda: build().document, repeats) - row["build"]
        builder = build()
        data = builder.to_xml()
        row["write"] = best(builder.to_xml, repeats)
        builder.document  # noqa: B018 - the prov document, for prov's serializer
        assert str(builder.document.serialize(format="xml")).encode() == data, "writer differs from prov"
        row["write prov"] = best(lambda: builder.document.serialize(format="xml"), repeats)
        fresh = build()  # its records still plain, as record() checks them
        assert fresh.check().record_ids == validate_generated(fresh.to_xml()).record_ids
        row["check"] = best(fresh.check, repeats)
        row["check full"] = best(lambda: validate_generated(data), repeats)
        row["validate"] = best(lambda: validate(data, prov_reader=False), repeats)
        row["store"] = best(lambda: f.add_provenance_document(data, name="bench", overwrite=True), repeats)
        ids = recorder.record("convert", inputs=files, outputs=paths, parameters=params, derived=derived).outputs
        row["link"] = best(lambda: f.set_provenance_ids(ids), repeats)
    return row


def table(rows: list[dict[str, float]]) -> str:
    def ms(x: float) -> str:
        return f"{x * 1000:.1f}"

    lines = [
        "| outputs | record (ms) | record, CPU (ms) | build: plain / prov.model (ms) | write: ours / prov (ms) "
        "| check: shapes / whole document (ms) | store + link (ms) | record per output (ms) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {int(r['outputs'])} | {ms(r['record'])} | {ms(r['record cpu'])} "
            f"| {ms(r['build'])} / {ms(r['build prov.model'] + r['build'])} "
            f"({(r['build prov.model'] + r['build']) / r['build']:.1f}x) "
            f"| {ms(r['write'])} / {ms(r['write prov'])} ({r['write prov'] / r['write']:.1f}x) "
            f"| {ms(r['check'])} / {ms(r['check full'])} ({r['check full'] / r['check']:.1f}x) "
            f"| {ms(r['store'])} + {ms(r['link'])} | {r['record'] / r['outputs'] * 1000:.3f} |"
        )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = (last["record"] / first["record"]) / (last["outputs"] / first["outputs"])
        lines.append(f"\nrecord time grows {growth:.2f}x as fast as the number of outputs (1.00 = linear)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 3000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write the results as JSON")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    warnings.simplefilter("ignore")  # importing obspy on Python 3.11
    with tempfile.TemporaryDirectory(prefix="asdfkit-prov-bench-") as tmp:
        rows = [measure(Path(tmp), n, args.repeats) for n in args.sizes]
    sys.stdout.write(table(rows) + "\n")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
