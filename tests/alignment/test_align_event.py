"""align_event end to end on the real Berkeley 1998 event; bad input leaves the file unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.image
import numpy as np
import obspy
import pytest
from alignment_data import BERKELEY_EVENT, PARAMS, berkeley, fresh_copy

import asdfkit
from asdfkit.alignment.plot import params_of, plot_quality, plot_section, section_of
from asdfkit.alignment.run import align_event
from asdfkit.alignment.select import select_event
from asdfkit.alignment.types import AlignmentParams
from asdfkit.alignment.windows import TraceMatrix, cut_windows
from asdfkit.errors import (
    AlignmentError,
    AlignmentInputError,
    MissingCoordinatesError,
    NoArrivalError,
    NotFoundError,
)


def _coherence(matrix: np.ndarray, select: np.ndarray) -> float:
    stack = matrix[select].mean(axis=0)
    return float(np.mean([np.corrcoef(row, stack)[0, 1] for row in matrix[select]]))


def test_alignment_makes_the_berkeley_p_waves_more_coherent(aligned_h5: Path) -> None:
    section = section_of(aligned_h5, BERKELEY_EVENT)
    run = section.run
    select = np.array([r.select for r in run.rows])
    assert len(run.rows) == 10 and run.phase == "P" and run.t0_source == "taup"
    assert _coherence(section.at_t1, select) > _coherence(section.at_t0, select) + 0.1
    # iccs_cc as stored is the zero-lag r with the final stack (ramps included) at ICCS's picks
    with asdfkit.open(aligned_h5) as f:
        selection = select_event(f, BERKELEY_EVENT, bandpass=PARAMS.bandpass)
    traces = TraceMatrix.from_seismograms(list(selection.seismograms))
    t1_iccs = np.array([r.t1_iccs for r in run.rows])
    windows = cut_windows(traces, t1_iccs, np.array([r.flip for r in run.rows]), PARAMS)
    stack = windows.matrix[select].mean(axis=0)
    recomputed = [np.corrcoef(row, stack)[0, 1] for row in windows.matrix]
    np.testing.assert_allclose(recomputed, [r.iccs_cc for r in run.rows], atol=1e-6)
    assert params_of(run) == PARAMS


def test_section_and_quality_figures(aligned_h5: Path, tmp_path: Path) -> None:
    for plot, name in ((plot_section, "section.png"), (plot_quality, "quality.png")):
        figure = plot(aligned_h5, BERKELEY_EVENT, "latest")
        figure.savefig(tmp_path / name, dpi=60)
        image = matplotlib.image.imread(tmp_path / name)
        assert image.shape[0] > 200 and image.shape[1] > 300
        assert image[..., :3].std() > 0.05  # not a blank canvas
    section = plot_section(aligned_h5)
    # two panels (at t0, at t1), each a stack and the traces: one line per trace plus the stack
    assert len(section.axes) == 4
    assert sum(len(ax.lines) for ax in section.axes) >= 2 * (10 + 1)


@pytest.fixture
def berkeley_copy(shared_data: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    return fresh_copy(berkeley(shared_data, tmp_path_factory), tmp_path)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"event_id": "event/99"}, NotFoundError, "unknown event id 'event/99'"),
        ({"channel": "LHZ"}, NotFoundError, "channel='LHZ'"),
        ({"phase": "PKP"}, NoArrivalError, "phase 'PKP' has no arrival"),
        ({"t0_source": "picks"}, NoArrivalError, "no QuakeML pick of phase 'P'"),
        ({"t0_source": "sac"}, AlignmentInputError, "invalid t0 source 'sac'"),
        (
            {"params": AlignmentParams(window_pre=5.0, window_post=-5.0)},
            AlignmentError,
            "window_pre 5.0 s: must be less than window_post",
        ),
        (
            {"params": AlignmentParams(window_pre=-15.0, window_post=290.0)},
            AlignmentInputError,
            r"invalid window \[-15, 290\] s for BK\..*must lie inside every trace",
        ),
        ({"params": AlignmentParams(bandpass=(2.0, 1.0))}, AlignmentError, "invalid bandpass 2-1 Hz"),
    ],
)
def test_bad_input_names_value_and_rule_and_leaves_the_file_unchanged(
    berkeley_copy: Path, file_snapshot: Any, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    before = file_snapshot(berkeley_copy)
    options = {"event_id": BERKELEY_EVENT, **kwargs}
    with pytest.raises(error, match=message):
        align_event(berkeley_copy, options.pop("event_id"), **options)
    assert file_snapshot(berkeley_copy) == before


def test_no_station_coordinates_leaves_the_file_unchanged(tmp_path: Path, file_snapshot: Any) -> None:
    catalog = obspy.read_events()
    path = tmp_path / "nocoords.h5"
    with asdfkit.open(path, "w") as f:
        f.add_events(catalog)
        f.add_waveforms(obspy.read(), tag="raw_recording", event_id=catalog[0].resource_id)
    before = file_snapshot(path)
    with pytest.raises(MissingCoordinatesError, match="has no coordinates"):
        align_event(path, str(catalog[0].resource_id))
    assert file_snapshot(path) == before
