"""Mutants of real ASDF files for the fuzz test, and the worker that validates them.

A mutant is described by ``(seed file, kind, case number)``; everything random
comes from ``random.Random`` seeded with the case number, so a failing case is
rebuilt exactly by :func:`build_mutant`.  Kinds:

- ``flip``: 1-4 bytes XOR-ed with a random mask, three quarters of them in the
  file's metadata (everything that is not raw waveform chunks);
- ``truncate``: the file cut at a random length;
- ``struct``: 1-3 random edits with h5py: attributes of random types, shapes
  and sizes; datasets replaced by odd dtypes and shapes; renames; links and
  cycles; deletions; hostile XML documents.
"""

from __future__ import annotations

import os
import random
import resource
import signal
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

#: Seconds one validation may take, and extra address space (bytes) a worker may use.
CASE_SECONDS = 20
EXTRA_MEMORY = 1536 * 2**20


@dataclass(frozen=True)
class Seed:
    path: str
    #: (offset, length) of bytes that are not raw waveform data: where flips matter most.
    metadata: tuple[tuple[int, int], ...]


def metadata_regions(path: Path) -> tuple[tuple[int, int], ...]:
    """The complement of the waveform chunks of a file, as (offset, length) pairs."""
    size = path.stat().st_size
    chunks: list[tuple[int, int]] = []

    def visit(name: str, obj: Any) -> None:
        if isinstance(obj, h5py.Dataset) and name.startswith("Waveforms/") and not name.endswith("StationXML"):
            if obj.chunks is None:
                offset = obj.id.get_offset()
                if offset is not None:
                    chunks.append((offset, obj.id.get_storage_size()))
                return
            for i in range(obj.id.get_num_chunks()):
                info = obj.id.get_chunk_info(i)
                chunks.append((info.byte_offset, info.size))

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    regions, position = [], 0
    for offset, length in sorted(chunks):
        if offset > position:
            regions.append((position, offset - position))
        position = max(position, offset + length)
    if position < size:
        regions.append((position, size - position))
    return tuple(regions)


def _flip(data: bytearray, rng: random.Random, seed: Seed) -> None:
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.75 and seed.metadata:
            offset, length = rng.choice(seed.metadata)
            position = offset + rng.randrange(length)
        else:
            position = rng.randrange(len(data))
        data[position] ^= rng.randint(1, 255)


_XML = [
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>',
    b'<!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;&x;&x;&x;&x;&x;">]><a>&y;&y;</a>',
    b"<a>" * 5000 + b"</a>" * 5000,
    b'<a xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd" parse="text"/></a>',
    b"\xff\xfe<\x00a\x00>\x00",
    b'<q:quakeml xmlns:q="http://quakeml.org/xmlns/quakeml/1.2"><eventParameters publicID="x"/></q:quakeml>',
    b'<FDSNStationXML xmlns="http://www.fdsn.org/xml/station/1" schemaVersion="1.2"/>',
    b'<prov:document xmlns:prov="http://www.w3.org/ns/prov#"><prov:entity prov:id="nope:a"/></prov:document>',
    b"<a b='" + b"x" * 200_000 + b"'/>",
    b"\x00" * 100,
    b"",
]


def _random_value(rng: random.Random) -> tuple[Any, Any]:
    """A value and an explicit dtype (or None) for an attribute."""
    choice = rng.randrange(14)
    if choice == 0:
        return np.int64(rng.randint(-(2**63), 2**63 - 1)), None
    if choice == 1:
        return np.float64(rng.choice([0.0, -1.0, float("nan"), float("inf"), 1e300, 5e-324])), None
    if choice == 2:
        return np.dtype(rng.choice(["i1", "u8", "f2", "f4", ">i8", "<u2"])).type(1), None
    if choice == 3:
        return np.complex128(1 + 1j), None
    if choice == 4:
        return np.bool_(True), None
    if choice == 5:
        return "".join(chr(rng.randrange(1, 0x2FF)) for _ in range(rng.randrange(40))), None
    if choice == 6:
        return np.bytes_(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))), None
    if choice == 7:
        return bytes(rng.randrange(1, 256) for _ in range(20)), h5py.string_dtype("utf-8")
    if choice == 8:
        return np.zeros(rng.choice([1, 3, 7000]), dtype=rng.choice(["i8", "f8", "S4"])), None
    if choice == 9:
        return h5py.Empty("f8"), None
    if choice == 10:
        return np.array([b"a", b"b"], dtype=object), h5py.string_dtype("ascii")
    if choice == 11:
        return "{http://seisprov.org/seis_prov/0.1/#}" + "x" * rng.randrange(100), None
    if choice == 12:
        return np.array((1, 2.0), dtype=[("a", "i4"), ("b", "f8")]), None
    return np.bytes_(b"smi:local/" + b"e" * rng.randrange(50) + b"\x00"), None


def _struct(path: Path, rng: random.Random) -> None:
    with h5py.File(path, "r+") as f:
        objects: list[str] = ["/"]
        f.visit(lambda name: objects.append("/" + name))
        for _ in range(rng.randint(1, 3)):
            target = rng.choice(objects)
            if target not in f:
                continue
            obj = f[target]
            op = rng.randrange(9)
            name = rng.choice(["starttime", "sampling_rate", "event_id", "origin_id", "provenance_id",
                               "labels", "file_format", "file_format_version", "x" * rng.randint(1, 300)])
            if op in (0, 1):
                value, dtype = _random_value(rng)
                if name in obj.attrs:
                    del obj.attrs[name]
                obj.attrs.create(name, value, dtype=dtype)
            elif op == 2 and len(obj.attrs):
                del obj.attrs[rng.choice(list(obj.attrs))]
            elif op == 3 and isinstance(obj, h5py.Dataset):
                parent, leaf = obj.parent, target.rsplit("/", 1)[1]
                attrs = dict(obj.attrs)
                del parent[leaf]
                data = rng.choice([np.zeros((3, 2)), np.zeros(0, "i1"), np.float16(1), np.zeros(5, "c16"),
                                   np.array([b"x", b"yy"], dtype=h5py.string_dtype()), np.zeros(4, "?"),
                                   np.frombuffer(rng.choice(_XML) or b" ", np.int8)])
                parent.create_dataset(leaf, data=data)
                for key, value in attrs.items():
                    parent[leaf].attrs[key] = value
            elif op == 4 and target != "/":
                new = target.rsplit("/", 1)[0] + "/" + rng.choice(
                    ["", " ", "a b", "ÄÖ", "x" * 500, "StationXML", "XX.A..BHZ__2000-01-01T00:00:00__x__t"])
                if new.rsplit("/", 1)[1] and new not in f:
                    f.move(target, new)
            elif op == 5 and isinstance(obj, h5py.Group):
                kind = rng.randrange(3)
                leaf = f"link{rng.randrange(100)}"
                if leaf not in obj:
                    obj[leaf] = (obj if kind == 0 else h5py.SoftLink(rng.choice(["/", "/x/y", target]))
                                 if kind == 1 else h5py.ExternalLink("/dev/zero", "/"))
            elif op == 6 and target not in ("/",):
                del f[target]
            elif op == 7 and isinstance(obj, h5py.Dataset) and obj.dtype == np.int8:
                parent, leaf = obj.parent, target.rsplit("/", 1)[1]
                del parent[leaf]
                parent.create_dataset(leaf, data=np.frombuffer(rng.choice(_XML) or b"\x00", np.int8),
                                      maxshape=(None,))
            elif op == 8 and isinstance(obj, h5py.Group):
                obj.create_group("/".join(["g"] * rng.randint(1, 40)))


def build_mutant(seed: Seed, kind: str, case: int, out: Path) -> None:
    """Write mutant number ``case`` of ``seed`` to ``out``."""
    rng = random.Random(case)
    data = bytearray(Path(seed.path).read_bytes())
    if kind == "flip":
        _flip(data, rng, seed)
        out.write_bytes(data)
    elif kind == "truncate":
        out.write_bytes(data[: rng.randrange(len(data))])
    else:
        out.write_bytes(data)
        _struct(out, rng)


def _alarm(signum: int, frame: Any) -> None:
    raise TimeoutError(f"validation took longer than {CASE_SECONDS} s")


def init_worker() -> None:
    """Limit the address space of a worker process to what it uses now plus EXTRA_MEMORY."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[0])
    limit = pages * os.sysconf("SC_PAGE_SIZE") + EXTRA_MEMORY
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _alarm)


def run_cases(seeds: list[Seed], cases: list[tuple[int, str, int]], workdir: str) -> list[tuple]:
    """Build and validate each ``(seed index, kind, case)``; one result tuple per case.

    A result is ``(seed, kind, case, status, seconds, detail)`` with status
    ``ok`` (a report came back), ``exception``, ``timeout`` or ``memory``.
    """
    import asdfkit

    results = []
    out = Path(workdir) / f"mutant-{os.getpid()}.h5"
    for seed_index, kind, case in cases:
        try:
            build_mutant(seeds[seed_index], kind, case, out)
        except (OSError, ValueError, TypeError, KeyError, RuntimeError):
            results.append((seed_index, kind, case, "skipped", 0.0, "mutation failed"))
            continue
        started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, CASE_SECONDS)
        try:
            report = asdfkit.validate(out, workers=1)
            status, detail = "ok", str(report.exit_code)
        except TimeoutError:
            status, detail = "timeout", ""
        except MemoryError:
            status, detail = "memory", traceback.format_exc(limit=-8)
        except Exception:  # noqa: BLE001 - the test reports what escaped
            status, detail = "exception", traceback.format_exc(limit=-8)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        results.append((seed_index, kind, case, status, time.perf_counter() - started, detail))
    out.unlink(missing_ok=True)
    return results
