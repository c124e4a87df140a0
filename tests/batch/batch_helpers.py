"""Helpers of the batch tests: multi-station files from real recordings, content comparison."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import obspy

import asdfkit


def build_stations(sample_set: Path, target: Path, copies: int, seconds: float = 120.0) -> Path:
    """Real traces of the sample set's 2 stations, repeated as ``copies`` stations each.

    Each copy gets its own station code (``S00``...), its own StationXML (the
    real inventory with the code changed) and a distinct time window of the
    real recording, so no two stations hold the same samples.
    """
    events = obspy.read_events(str(sample_set / "quake.xml"))
    with asdfkit.open(target, "w") as f:
        f.add_events(events)
        for net_sta in ("AE.113A", "TA.POKR"):
            inv = obspy.read_inventory(str(sample_set / f"{net_sta}..BH_.xml"))
            raw = obspy.read(str(sample_set / f"{net_sta}..BH*.mseed"))
            for k in range(copies):
                code = f"{'A' if net_sta.startswith('AE') else 'P'}{k:02d}"
                st = raw.copy()
                start = st[0].stats.starttime + 60 * k
                st.trim(start, start + seconds)
                for tr in st:
                    tr.stats.station = code
                copy = inv.copy()
                copy[0][0].code = code
                f.add_stations(copy)
                f.add_waveforms(st, tag="raw_recording")
    return target


_ID = re.compile(r"(sp\d{3}_[a-z0-9_]*_)[0-9a-z]{10}\b")
_TIME = re.compile(r"<prov:(startTime|endTime|time)>[^<]*</prov:\1>")


def normalized_provenance(text: str) -> str:
    """Provenance without what may differ between runs: generated ids and timestamps."""
    return _TIME.sub("<time/>", _ID.sub(r"\1ID", text))


def content(path: Path) -> dict[str, Any]:
    """Every object, attribute and byte of a file; provenance with ids and timestamps normalized."""
    out: dict[str, Any] = {}
    with asdfkit.open(path) as f:
        for name, entry in _snapshot(path).items():
            attrs = dict(entry.get("attrs", {})) if name != "/" else entry
            if "provenance_id" in attrs:
                attrs["provenance_id"] = normalized_provenance(attrs["provenance_id"])
            if name.startswith("Provenance/") and "sha" in entry:
                entry = {k: v for k, v in entry.items() if k not in ("sha", "shape")}
                entry["xml"] = normalized_provenance(
                    f.get_provenance_document(name.split("/", 1)[1]).decode()
                )
            out[name] = {**entry, "attrs": attrs} if name != "/" else attrs
    return out


def _snapshot(path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with h5py.File(path, "r") as f:
        out["/"] = {k: repr(f.attrs[k]) for k in sorted(f.attrs)}

        def visit(name: str, obj: Any) -> None:
            entry: dict[str, Any] = {"attrs": {k: repr(obj.attrs[k]) for k in sorted(obj.attrs)}}
            if isinstance(obj, h5py.Dataset):
                entry.update(
                    dtype=str(obj.dtype),
                    shape=obj.shape,
                    filters=(obj.compression, obj.compression_opts, obj.shuffle, obj.fletcher32),
                    sha=hashlib.sha256(np.asarray(obj[()]).tobytes()).hexdigest(),
                )
            out[name] = entry

        f.visititems(visit)
    return out


def trace_samples(path: Path) -> dict[str, Any]:
    """``{seed id + start: (sampling rate, samples)}`` of every trace, read through asdfkit."""
    with asdfkit.open(path) as f:
        return {
            f"{tr.id}@{tr.stats.starttime}": (tr.stats.sampling_rate, tr.data) for tr in f.get_waveforms()
        }
