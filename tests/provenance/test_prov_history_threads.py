"""Processing strings are parsed one at a time, whatever the number of threads.

CPython before 3.11.8 keeps the depth of AST conversions in one global, so two
threads in ``ast.literal_eval`` at once can fail with "SystemError: AST constructor
recursion depth mismatch" (python/cpython#106905).  Batch runs on Dask threads parse
ObsPy processing strings concurrently, so the parser serialises its calls.
"""

from __future__ import annotations

import ast
import threading
import time

import obspy
import pytest

from asdfkit.provenance import obspy_history


def test_literal_parsing_never_runs_in_two_threads_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    active = 0
    most = 0
    guard = threading.Lock()
    real = ast.literal_eval

    def slow_literal_eval(text: str) -> object:
        nonlocal active, most
        with guard:
            active += 1
            most = max(most, active)
        time.sleep(0.002)  # long enough for the other threads to arrive
        with guard:
            active -= 1
        return real(text)

    monkeypatch.setattr(obspy_history.ast, "literal_eval", slow_literal_eval)
    trace = obspy.read()[0]
    trace.detrend("linear").filter("bandpass", freqmin=1.0, freqmax=10.0)
    texts = list(trace.stats.processing)
    results: list[object] = []

    def parse() -> None:
        for text in texts:
            results.append(obspy_history.parse_step(text))

    threads = [threading.Thread(target=parse) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6 * len(texts)
    assert most == 1
