"""Figures a seismologist reads at a glance: event in the title, distance and azimuth, one sort order."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from alignment_data import BERKELEY_EVENT
from matplotlib.text import Text

from asdfkit.alignment import read_run
from asdfkit.alignment.plot import plain, plot_quality, plot_section, signed
from asdfkit.alignment.sorting import Geometry, order_by, where
from asdfkit.errors import InvalidValueError


def _texts(figure: object) -> list[str]:
    return [t.get_text() for t in figure.findobj(Text) if t.get_text()]  # type: ignore[attr-defined]


def test_signs_never_read_minus_zero() -> None:
    assert [signed(v) for v in (-0.004, 0.0, -0.0, 0.456, -0.456)] == ["+0.00", "+0.00", "+0.00", "+0.46", "-0.46"]
    assert [plain(v, 1) for v in (-0.04, 1.25, -1.25)] == ["0.0", "1.2", "-1.2"]


def test_sort_orders_and_places() -> None:
    kwargs = {"cc": [0.2, 0.9, math.nan], "distance": [30.0, 10.0, 20.0], "azimuth": [350.0, math.nan, 5.0]}
    assert order_by("distance", **kwargs) == [1, 2, 0]
    assert order_by("cc", **kwargs) == [1, 0, 2]  # best first, unknown last
    assert order_by("azimuth", **kwargs) == [2, 0, 1]
    with pytest.raises(InvalidValueError, match="invalid sort order 'name': must be one of distance, cc, azimuth"):
        order_by("name", **kwargs)
    geometry = Geometry((0.018, 12.34, math.nan), (57.2, 331.0, math.nan))
    assert [where(geometry, i) for i in range(3)] == ["0.02° az 57°", "12.3° az 331°", ""]


def test_section_title_labels_and_sort(aligned_h5: Path) -> None:
    run = read_run(aligned_h5)
    figure = plot_section(aligned_h5, BERKELEY_EVENT, "latest", sort="distance")
    texts = _texts(figure)
    title = figure.get_suptitle()
    for part in ("1998-08-12 14:10:23 UTC", "ML 5.1", "depth 8 km", "0.5–2 Hz", "window -2…4 s", run.run_id):
        assert part in title, part
    assert not any("-0.00" in t or "−0.00" in t for t in texts)
    left, right = figure.axes[1], figure.axes[3]
    assert left.get_xlabel() == "time relative to t0, the taup pick (s)"
    assert right.get_xlabel() == "time relative to t1, the MCCC pick (s)"
    labels = [t.get_text() for t in left.get_yticklabels()]
    assert labels[0].startswith("BK.SAO..BHZ  0.02° az") and labels[-1].startswith("BK.YBH..BHZ  5.1° az")
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend == ["pick", "taper ramps (0.6 s)", "stack of selected traces"]
    by_cc = plot_section(aligned_h5, sort="cc")
    ccs = [float(t.get_text().split(" cc ")[1].split()[0]) for t in by_cc.axes[1].get_yticklabels()]
    assert ccs == sorted(ccs, reverse=True)


def test_quality_legend_and_station_order(aligned_h5: Path) -> None:
    figure = plot_quality(aligned_h5, sort="azimuth")
    top, bottom = figure.axes
    assert "MCCC cc: mean ± std over pairs" in [t.get_text() for t in top.get_legend().get_texts()]
    assert [t.get_text() for t in bottom.get_legend().get_texts()] == ["t1 − t0 − mean, bars: MCCC standard error"]
    azimuths = [float(t.get_text().split(" az ")[1].split("°")[0]) for t in bottom.get_xticklabels()]
    assert azimuths == sorted(azimuths) and len(azimuths) == 10
    assert "sorted by azimuth" in bottom.get_xlabel()
    assert not any("-0.00" in t or "−0.00" in t for t in _texts(figure))
