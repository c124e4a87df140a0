"""pyasdf-style dictionary views over stations and tags."""

from __future__ import annotations

from pathlib import Path

import obspy
import pytest

import asdfkit
from asdfkit.errors import NotFoundError


@pytest.fixture
def path(tmp_path: Path) -> Path:
    out = tmp_path / "views.h5"
    with asdfkit.open(out, "w") as f:
        f.add_stations(obspy.read_inventory())
        f.add_waveforms(obspy.read(), tag="raw_recording")
        f.add_waveforms(obspy.read().select(channel="EHZ"), tag="vertical")
    return out


def test_station_keys_and_attribute_access(path: Path) -> None:
    with asdfkit.open(path) as f:
        assert list(f.waveforms) == ["BW.RJOB", "GR.FUR", "GR.WET"]
        assert len(f.waveforms) == 3
        view = f.waveforms.BW_RJOB
        assert view.tags == ["raw_recording", "vertical"]
        assert "vertical" in view and "nope" not in view
        assert [tr.stats.channel for tr in view.vertical] == ["EHZ"]
        assert len(view["raw_recording"]) == 3
        assert view.StationXML[0][0].code == "RJOB"
        assert view.coordinates["latitude"] == pytest.approx(47.737167)
        assert "raw_recording" in dir(view)
        assert "BW_RJOB" in dir(f.waveforms)


def test_missing_station_and_tag(path: Path) -> None:
    with asdfkit.open(path) as f:
        with pytest.raises(NotFoundError, match="XX.NONE"):
            f.waveforms["XX.NONE"]
        with pytest.raises(AttributeError):
            f.waveforms.XX_NONE  # noqa: B018 - the attribute access is the test
        with pytest.raises(NotFoundError, match="synthetic"):
            f.waveforms["BW.RJOB"]["synthetic"]
        assert f.waveforms["GR.FUR"].tags == []
