"""Chunks: parsing, SLURM variables, a deterministic and balanced partition."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asdfkit.batch import ChunkSpec, partition
from asdfkit.errors import BatchError

STATIONS = st.lists(st.from_regex(r"[A-Z]{2}\.[A-Z0-9]{1,5}", fullmatch=True), max_size=60)


@given(STATIONS, st.integers(min_value=1, max_value=9))
def test_partition_covers_every_station_once_and_is_balanced(stations: list[str], count: int) -> None:
    chunks = partition(stations, count)
    assert len(chunks) == count
    flat = [s for chunk in chunks for s in chunk]
    assert sorted(flat) == sorted(set(stations))
    assert max(map(len, chunks)) - min(map(len, chunks)) <= 1


@given(STATIONS, st.integers(min_value=1, max_value=9))
def test_partition_does_not_depend_on_the_order_stations_are_listed(stations: list[str], count: int) -> None:
    shuffled = list(stations)
    random.Random(0).shuffle(shuffled)
    assert partition(shuffled, count) == partition(stations, count)


def test_chunk_spec_parse_and_names() -> None:
    spec = ChunkSpec.parse(" 3 / 8 ")
    assert (spec.index, spec.count, str(spec), spec.name) == (3, 8, "3/8", "chunk-0003-of-0008")
    for bad in ("8/8", "1", "a/b", "-1/4", "0/0"):
        with pytest.raises(BatchError, match=f"invalid chunk {bad!r}|invalid chunk .*must be i/N"):
            ChunkSpec.parse(bad)


def test_chunk_from_slurm_array_variables() -> None:
    assert ChunkSpec.from_env({}) is None
    assert ChunkSpec.from_env({"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"}) == ChunkSpec(2, 4)
    one_based = {"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"}
    assert ChunkSpec.from_env(one_based) == ChunkSpec(3, 4)
    with pytest.raises(BatchError, match="SLURM_ARRAY_TASK_COUNT is not"):
        ChunkSpec.from_env({"SLURM_ARRAY_TASK_ID": "2"})
    with pytest.raises(BatchError, match="SLURM_ARRAY_TASK_ID='x'"):
        ChunkSpec.from_env({"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"})
    with pytest.raises(BatchError, match="invalid chunk 5/4"):
        ChunkSpec.from_env({"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "4"})
