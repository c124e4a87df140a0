"""Deterministic partition of stations into chunks, and which chunk this job is.

Stations are sorted (``NET.STA`` as text) and dealt round-robin: station ``k``
of the sorted list belongs to chunk ``k % N``.  The partition depends only on
the input file's station list and ``N``, so every array task, every restart
and every machine agrees on it without talking to each other, and chunk sizes
differ by at most one station.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import BatchError

__all__ = ["ChunkSpec", "partition"]

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class ChunkSpec:
    """Chunk ``index`` (0-based) of ``count`` chunks.

    Examples
    --------
    >>> ChunkSpec.parse("2/8")
    ChunkSpec(index=2, count=8)
    >>> str(ChunkSpec(2, 8))
    '2/8'
    """

    index: int = 0
    count: int = 1

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise BatchError(
                f"invalid chunk {self.index}/{self.count}: must be i/N with N >= 1 and 0 <= i < N"
            )

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @property
    def name(self) -> str:
        """File-name form: ``chunk-0002-of-0008``."""
        return f"chunk-{self.index:04d}-of-{self.count:04d}"

    @classmethod
    def parse(cls, text: str) -> ChunkSpec:
        """Parse ``"i/N"`` (0-based ``i``)."""
        match = _SPEC.match(str(text))
        if match is None:
            raise BatchError(f"invalid chunk {text!r}: must be i/N, e.g. 0/8 (0-based i)")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ChunkSpec | None:
        """The chunk of a SLURM array task, or None outside an array job.

        Uses ``SLURM_ARRAY_TASK_ID`` and ``SLURM_ARRAY_TASK_COUNT``; the index
        is counted from ``SLURM_ARRAY_TASK_MIN`` (so ``--array=1-8`` works too).
        """
        env = os.environ if environ is None else environ
        task = env.get("SLURM_ARRAY_TASK_ID")
        if task is None:
            return None
        try:
            index = int(task) - int(env.get("SLURM_ARRAY_TASK_MIN", "0"))
            count = int(env["SLURM_ARRAY_TASK_COUNT"])
        except KeyError:
            raise BatchError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not") from None
        except ValueError:
            raise BatchError(
                f"invalid SLURM array variables: SLURM_ARRAY_TASK_ID={task!r}, "
                f"SLURM_ARRAY_TASK_COUNT={env.get('SLURM_ARRAY_TASK_COUNT')!r}: must be integers"
            ) from None
        return cls(index, count)


def partition(stations: Sequence[str], count: int) -> list[list[str]]:
    """Deal sorted stations round-robin into ``count`` chunks.

    Examples
    --------
    >>> partition(["B.X", "A.Y", "C.Z"], 2)
    [['A.Y', 'C.Z'], ['B.X']]
    """
    ordered = sorted(set(stations))
    return [ordered[i::count] for i in range(count)]
