"""Fuzz: the validator never crashes on mutants of real ASDF files.

2,100 deterministic mutants (byte flips, truncations, attribute and structure
edits) of three real files - asdfkit writing ObsPy's example data, asdfkit
writing pyasdf's sample data set, pyasdf writing it - are validated in two
worker processes, each under an address-space limit (``RLIMIT_AS``) and a
per-case time limit.  Every case must end with a report.  Rebuild a failing
case with ``fuzzing.build_mutant(seed, kind, case, path)``.
"""

from __future__ import annotations

import multiprocessing
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import obspy
import pytest
from fuzzing import CASE_SECONDS, Seed, init_worker, metadata_regions, run_cases

import asdfkit
from asdfkit.validation.conformance import write_base

FLIPS, TRUNCATIONS, STRUCTURAL = 400, 100, 200
BATCH = 25
#: Budget of the whole run on this 2-core machine (CI also runs the rest of the suite).
TOTAL_SECONDS = 180


def _sample_stream(sample_set: Path) -> obspy.Stream:
    stream = obspy.Stream()
    for path in sorted(sample_set.glob("*.mseed")):
        stream += obspy.read(str(path))
    for trace in stream:  # real data, shortened so most flips land in metadata
        trace.data = trace.data[:4000]
    return stream


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory, sample_set: Path, pyasdf_data: Path) -> list[Seed]:
    folder = tmp_path_factory.mktemp("seeds")
    base = folder / "asdfkit-obspy.h5"
    write_base(base)
    sample = folder / "asdfkit-sample.h5"
    with asdfkit.open(sample, "w") as f:
        f.add_events(obspy.read_events(str(sample_set / "quake.xml")))
        for xml in sorted(sample_set.glob("*..BH_.xml")):
            f.add_stations(xml.read_bytes())
        f.add_waveforms(_sample_stream(sample_set), tag="raw_recording", labels=["fuzz"])
        f.add_auxiliary_data(np.zeros((50, 2)), data_type="AdjointSources", path="AE_113A_BHZ")
    written = folder / "pyasdf-sample.h5"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pyasdf

        with pyasdf.ASDFDataSet(str(written)) as ds:
            ds.add_quakeml(str(sample_set / "quake.xml"))
            for xml in sorted(sample_set.glob("*..BH_.xml")):
                ds.add_stationxml(str(xml))
            ds.add_waveforms(_sample_stream(sample_set), tag="raw_recording", labels=["a"],
                             event_id=ds.events[0])
            ds.add_provenance_document(str(pyasdf_data / "example_schematic_processing_chain.xml"),
                                       name="chain")
    paths = [base, sample, written]
    for path in paths:
        assert asdfkit.validate(path).ok, path
    return [Seed(str(path), metadata_regions(path)) for path in paths]


def test_no_mutant_crashes_the_validator(seeds: list[Seed], tmp_path: Path) -> None:
    cases = [(s, kind, case) for s in range(len(seeds))
             for kind, count in (("flip", FLIPS), ("truncate", TRUNCATIONS), ("struct", STRUCTURAL))
             for case in range(count)]
    assert len(cases) >= 2000
    batches = [cases[i:i + BATCH] for i in range(0, len(cases), BATCH)]
    started = time.perf_counter()
    results = []
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(2, mp_context=context, initializer=init_worker) as pool:
        futures = [pool.submit(run_cases, seeds, batch, str(tmp_path)) for batch in batches]
        for future in futures:
            # A hang inside HDF5's C code cannot be interrupted by SIGALRM: bound it here too.
            results.extend(future.result(timeout=BATCH * CASE_SECONDS))
    elapsed = time.perf_counter() - started
    bad = [r for r in results if r[3] not in ("ok", "skipped")]
    assert not bad, "\n".join(f"{seeds[s].path} {kind} #{case}: {status} {detail}"
                              for s, kind, case, status, _, detail in bad[:5])
    validated = [r for r in results if r[3] == "ok"]
    assert len(validated) >= 2000, f"only {len(validated)} mutants validated"
    slowest = max(r[4] for r in validated)
    assert slowest < CASE_SECONDS
    assert elapsed < TOTAL_SECONDS, f"{len(results)} mutants took {elapsed:.0f} s"
    codes = {r[5] for r in validated}
    assert codes >= {"1", "2"}, codes  # the mutants did break files, in both ways
