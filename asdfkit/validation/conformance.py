"""A conformance corpus for ASDF validators, built from code: valid files and invalid files,
one per rule, each with the findings a validator must report.

Every file starts from the same base: ObsPy's example recordings, events and a
StationXML that matches them, a SEIS-PROV document and auxiliary data, written
by asdfkit (it validates with no finding at all).  An invalid case then breaks
exactly one rule with a raw HDF5 edit.  ``manifest.json`` lists every file with
its rule, description, expected ``(rule, path)`` findings and exit code, so any
implementation can be checked against it.

Examples
--------
>>> from asdfkit.validation.conformance import write_corpus, check_corpus
>>> manifest = write_corpus("corpus")                     # doctest: +SKIP
>>> check_corpus("corpus")                                # doctest: +SKIP
[]
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ..container.rawedit import RawEditor
from .report import EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE, Report
from .rules import RULES, Severity

__all__ = ["CASES", "Case", "check_corpus", "write_corpus"]

MANIFEST = "manifest.json"
SP = "http://seisprov.org/seis_prov/0.1/#"
STATION = "/Waveforms/BW.RJOB"
START, END = "2009-08-24T00:20:03", "2009-08-24T00:20:32"
#: The traces of the base file, by channel.
TRACE = {c: f"{STATION}/BW.RJOB..{c}__{START}__{END}__raw_recording" for c in ("EHE", "EHN", "EHZ")}
T = TRACE["EHZ"]
RECORD = f"{{{SP}}}sp001_wf_a34j4didj3"
AUX = "/AuxiliaryData/Spectra/BW_RJOB/EHZ"

PROVENANCE = f"""<?xml version="1.0" encoding="UTF-8"?>
<prov:document xmlns:prov="http://www.w3.org/ns/prov#" xmlns:seis_prov="{SP}"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <prov:entity prov:id="seis_prov:sp001_wf_a34j4didj3">
    <prov:label>Waveform Trace</prov:label>
    <prov:type xsi:type="xsd:string">seis_prov:waveform_trace</prov:type>
  </prov:entity>
  <prov:activity prov:id="seis_prov:sp002_dt_f87sf7sf78">
    <prov:label>Detrend</prov:label>
    <prov:type xsi:type="xsd:string">seis_prov:detrend</prov:type>
    <seis_prov:detrending_method>demean</seis_prov:detrending_method>
  </prov:activity>
  <prov:entity prov:id="seis_prov:sp003_wf_js83hf34aj">
    <prov:label>Waveform Trace</prov:label>
    <prov:type xsi:type="xsd:string">seis_prov:waveform_trace</prov:type>
  </prov:entity>
  <prov:used>
    <prov:activity prov:ref="seis_prov:sp002_dt_f87sf7sf78"/>
    <prov:entity prov:ref="seis_prov:sp001_wf_a34j4didj3"/>
  </prov:used>
  <prov:wasGeneratedBy>
    <prov:entity prov:ref="seis_prov:sp003_wf_js83hf34aj"/>
    <prov:activity prov:ref="seis_prov:sp002_dt_f87sf7sf78"/>
  </prov:wasGeneratedBy>
</prov:document>
"""

_CHANNEL = """      <Channel code="{code}" locationCode="" startDate="{start}"{end}>
        <Latitude>47.737167</Latitude><Longitude>12.795714</Longitude>
        <Elevation>860.0</Elevation><Depth>0.0</Depth><SampleRate>{rate}</SampleRate>
      </Channel>"""


def stationxml(network: str = "BW", station: str = "RJOB", version: str = "1.2",
               channels: tuple[tuple[str, float, str, str | None], ...] | None = None,
               site: bool = True, extra: str = "") -> bytes:
    """A small FDSN StationXML document for one station (the base file's by default)."""
    if channels is None:
        channels = tuple((c, 100.0, "2007-12-17T00:00:00", None) for c in ("EHE", "EHN", "EHZ"))
    rows = "\n".join(
        _CHANNEL.format(code=c, rate=r, start=s, end=f' endDate="{e}"' if e else "")
        for c, r, s, e in channels
    )
    site_xml = "<Site><Name>Jochberg, Bavaria</Name></Site>" if site else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<FDSNStationXML xmlns="http://www.fdsn.org/xml/station/1" schemaVersion="{version}">
  <Source>asdfkit conformance corpus</Source>
  <Created>2024-01-01T00:00:00Z</Created>
  <Network code="{network}">
    <Station code="{station}" startDate="2007-12-17T00:00:00">
      <Latitude>47.737167</Latitude><Longitude>12.795714</Longitude><Elevation>860.0</Elevation>
      {site_xml}
{rows}
    </Station>{extra}
  </Network>
</FDSNStationXML>
""".encode()


def write_base(path: Path, version: str = "1.0.3", provenance: bool = True) -> None:
    """The base file: valid, with something in every section."""
    import numpy as np
    import obspy

    from ..container import open as open_asdf

    catalog = obspy.read_events()
    event = catalog[0]
    stream = obspy.read()
    with open_asdf(path, "w", format_version=version) as f:
        f.add_events(catalog)
        f.add_stations(stationxml())
        ids: dict[str, Any] = {"event_id": event, "origin_id": event.origins[0],
                               "magnitude_id": event.magnitudes[0]}
        f.add_waveforms(stream.select(channel="EHZ"), tag="raw_recording", labels=["raw", "example"],
                        provenance_id=RECORD if provenance else None, **ids)
        f.add_waveforms(stream.select(channel="EH[EN]"), tag="raw_recording", **ids)
        if provenance:
            f.add_provenance_document(PROVENANCE.encode(), name="chain")
        f.add_auxiliary_data(np.abs(np.fft.rfft(stream[0].data))[:256], data_type="Spectra",
                             path="BW_RJOB/EHZ", attrs={"units": "counts"},
                             provenance_id=RECORD if provenance else None)


@dataclass(frozen=True)
class Case:
    """One file of the corpus and what a validator must find in it."""

    name: str
    rule: str | None
    description: str
    expected: frozenset[tuple[str, str]]
    build: Callable[[Path, Path], None] = field(compare=False, repr=False)

    @property
    def valid(self) -> bool:
        return self.rule is None

    @property
    def file(self) -> str:
        return f"{'valid' if self.valid else 'invalid'}/{self.name}.h5"

    @property
    def exit_code(self) -> int:
        if ("ASDF-FILE-001", "/") in self.expected:
            return EXIT_UNREADABLE
        errors = any(RULES[rule].severity is Severity.ERROR for rule, _ in self.expected)
        return EXIT_INVALID if errors else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "rule": self.rule, "description": self.description,
            "exit_code": self.exit_code,
            "expected": [{"rule": r, "path": p} for r, p in sorted(self.expected)],
        }


#: Every case, in manifest order (filled by :mod:`asdfkit.validation.conformance_cases`).
CASES: list[Case] = []


def edit(rule: str | None, name: str, description: str, *expected: tuple[str, str]
         ) -> Callable[[Callable[[RawEditor], None]], Callable[[RawEditor], None]]:
    """Register a case made by editing a copy of the base file with a :class:`RawEditor`."""
    def register(function: Callable[[RawEditor], None]) -> Callable[[RawEditor], None]:
        def build(base: Path, out: Path) -> None:
            shutil.copyfile(base, out)
            with RawEditor(out) as raw:
                function(raw)
        CASES.append(Case(name, rule, description, frozenset(expected), build))
        return function
    return register


def whole_file(rule: str | None, name: str, description: str, *expected: tuple[str, str]
               ) -> Callable[[Callable[[Path, Path], None]], Callable[[Path, Path], None]]:
    """Register a case built by a function of ``(base, out)`` paths."""
    def register(function: Callable[[Path, Path], None]) -> Callable[[Path, Path], None]:
        CASES.append(Case(name, rule, description, frozenset(expected), function))
        return function
    return register


def _cases() -> list[Case]:
    from . import conformance_cases  # noqa: F401  (registers the cases on import)

    return CASES


def write_corpus(outdir: str | os.PathLike[str], *, progress: bool = False) -> Path:
    """Write every case under ``outdir`` (``valid/``, ``invalid/``) and ``manifest.json``.

    ``progress`` shows a bar (tqdm, on stderr) over the files written.
    """
    from tqdm import tqdm

    out = Path(outdir)
    (out / "valid").mkdir(parents=True, exist_ok=True)
    (out / "invalid").mkdir(parents=True, exist_ok=True)
    cases = _cases()
    with tempfile.TemporaryDirectory(prefix="asdfkit-corpus-") as scratch:
        base = Path(scratch) / "base.h5"
        write_base(base)
        for case in tqdm(cases, desc="writing corpus", unit="file", disable=not progress):
            target = out / case.file
            target.unlink(missing_ok=True)
            case.build(base, target)
    manifest = {
        "format": "asdfkit-conformance-corpus", "version": 1, "asdf_version": "1.0.3",
        "rules": {rule.id: {"severity": rule.severity.value, "title": rule.title} for rule in RULES.values()},
        "cases": [case.to_dict() for case in cases],
    }
    path = out / MANIFEST
    path.write_text(json.dumps(manifest, indent=2))
    return path


def check_corpus(outdir: str | os.PathLike[str],
                 validator: Callable[[Path], Report] | None = None, *, progress: bool = False) -> list[str]:
    """Validate every file of a written corpus; return one line per mismatch (empty: conformant).

    ``validator`` defaults to :func:`asdfkit.validate`; another implementation
    can be checked by passing a function returning an object with
    ``findings`` (each with ``rule`` and ``path``) and ``exit_code``.  The
    default validator reads every chunk (``checksums=True``: the files are small).
    """
    from tqdm import tqdm

    from .engine import validate

    run = validator or partial(validate, checksums=True)
    out = Path(outdir)
    manifest = json.loads((out / MANIFEST).read_text())
    problems = []
    for case in tqdm(manifest["cases"], desc="checking corpus", unit="file", disable=not progress):
        report = run(out / case["file"])
        found = {(f.rule, f.path) for f in report.findings}
        expected = {(e["rule"], e["path"]) for e in case["expected"]}
        if found != expected:
            problems.append(f"{case['file']}: missing {sorted(expected - found)}, "
                            f"unexpected {sorted(found - expected)}")
        elif report.exit_code != case["exit_code"]:
            problems.append(f"{case['file']}: exit code {report.exit_code}, expected {case['exit_code']}")
    return problems
