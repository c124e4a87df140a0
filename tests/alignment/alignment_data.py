"""Real ASDF files for the alignment tests on files, converted once per session.

- the Berkeley 1998 event (``asdf-cli convert`` of the shared Antelope CSS3.0 database,
  ``--default-network BK``): 10 stations at 0-5 degrees, 30 traces, 1 event;
- pyasdf's small sample data set (2013 Okhotsk M8.3, 2 stations, teleseismic).

Test modules wrap :func:`converted` in session fixtures and copy the result
before writing to it (:func:`fresh_copy`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from asdfkit.io.convert import ConvertOptions, convert_to_asdf

_CACHE: dict[str, Path] = {}


def converted(
    name: str, source: Path, factory: pytest.TempPathFactory, options: ConvertOptions | None = None
) -> Path:
    """Convert ``source`` into ASDF once per session (read-only use: never write to it)."""
    if name not in _CACHE:
        target = factory.mktemp(f"align-{name}") / f"{name}.h5"
        convert_to_asdf([source], target, options)
        _CACHE[name] = target
    return _CACHE[name]


def fresh_copy(path: Path, tmp_path: Path) -> Path:
    """A writable copy of a converted file."""
    target = tmp_path / path.name
    shutil.copyfile(path, target)
    return target


def berkeley(shared_data: Path, factory: pytest.TempPathFactory) -> Path:
    """The converted Berkeley 1998 event (10 stations, 30 traces)."""
    return converted(
        "berkeley",
        shared_data / "css" / "berkeley_1998",
        factory,
        ConvertOptions(css={"default_network": "BK"}),
    )


def okhotsk(sample_set: Path, factory: pytest.TempPathFactory) -> Path:
    """pyasdf's small sample data set converted (2 stations, 6 traces, the 2013 Okhotsk event)."""
    return converted("okhotsk", sample_set, factory)


BERKELEY_EVENT = "smi:local/css/example_2/event/1"
