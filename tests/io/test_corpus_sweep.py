"""The ObsPy test-data sweep (benchmarks/obspy_corpus_sweep.py) on one file of every format."""

from __future__ import annotations

import sys
from collections import OrderedDict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks import obspy_corpus_sweep as sweep  # noqa: E402


def _one_per_format(kind: str) -> list[str]:
    chosen: OrderedDict[str, str] = OrderedDict()
    for rel in sweep.corpus(kind):
        path = sweep.OBSPY / rel
        fmt = sweep.waveform_format(path) if kind == "waveforms" else sweep.metadata_format(path, kind)
        chosen.setdefault(fmt, rel)
    return list(chosen.values())


@pytest.mark.slow
def test_one_file_of_every_format_converts_or_is_refused_with_a_remedy() -> None:
    waveforms = _one_per_format("waveforms")
    inventories = _one_per_format("inventories")
    events = _one_per_format("events")
    assert len(waveforms) >= 25 and len(inventories) >= 5 and len(events) >= 15  # the subset is representative
    results = sweep.run(waveforms, inventories, events)
    assert sweep.tracebacks(results) == []
    for item in results["waveforms"]:
        assert item.default in ("exact", "empty", "refused"), (item.path, item.default, item.default_reason)
        if not item.converted:  # a refusal names the trace or file, the rule and what to do
            reason = item.default_reason  # (the codes table may have nothing to map: a CSS database)
            assert Path(item.path).name in reason or "trace" in reason, reason
            assert "must" in reason or "--" in reason, reason
            assert item.codes in ("", "refused"), (item.path, item.codes, item.codes_reason)
        for fmt, status in item.exports.items():
            assert status in ("exact", "reported", "lossy", "refused"), (item.path, fmt, status)
    for item in results["inventories"] + results["events"]:
        assert item.positional in ("accepted", "empty"), (item.path, item.reason)
        assert item.option in ("accepted", "empty"), (item.path, item.option)
    by_format = {i.format: i for i in results["waveforms"]}
    for fmt in ("MSEED", "SLIST", "TSPAIR"):  # formats that carry SEED codes convert with default options
        assert by_format[fmt].default == "exact", (fmt, by_format[fmt].default_reason)
    if sweep.summary(results)["codes_option"]:  # with the codes workflow, (nearly) every format converts
        converted = [i for i in results["waveforms"] if i.converted]
        assert len(converted) >= 0.9 * len(waveforms), [(i.path, i.codes_reason) for i in results["waveforms"]
                                                         if not i.converted]
