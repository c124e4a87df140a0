"""Recipes: TOML/JSON in, the same result as calling ObsPy directly, recorded in SEIS-PROV."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import obspy
import pytest

import asdfkit
from asdfkit.batch import Backend, Recipe, run
from asdfkit.errors import RecipeError
from asdfkit.provenance import lineage

TOML = """
name = "displacement"
tag = "displacement"

[[steps]]
op = "detrend"
type = "linear"

[[steps]]
op = "taper"
max_percentage = 0.05

[[steps]]
op = "remove_response"
output = "DISP"
pre_filt = [0.01, 0.02, 8.0, 10.0]

[[steps]]
op = "trim"
starttime = "2013-05-24T05:41:00"
endtime = "2013-05-24T05:43:00"

[[steps]]
op = "resample"
sampling_rate = 10.0
"""


def test_toml_recipe_equals_the_obspy_calls(tmp_path: Path, sample_set: Path) -> None:
    path = tmp_path / "disp.toml"
    path.write_text(TOML)
    recipe = Recipe.load(path)
    assert recipe.tag == "displacement" and [s.op for s in recipe.steps][-1] == "resample"
    inv = obspy.read_inventory(str(sample_set / "AE.113A..BH_.xml"))
    raw = obspy.read(str(sample_set / "AE.113A..BH*.mseed"))
    got = recipe(raw.copy(), inv)
    expected = raw.copy().detrend("linear").taper(max_percentage=0.05)
    expected.remove_response(inventory=inv, output="DISP", pre_filt=[0.01, 0.02, 8.0, 10.0])
    expected.trim(obspy.UTCDateTime("2013-05-24T05:41:00"), obspy.UTCDateTime("2013-05-24T05:43:00"))
    expected.resample(10.0)
    for a, b in zip(got, expected, strict=True):
        assert a.stats.sampling_rate == b.stats.sampling_rate == 10.0
        assert np.array_equal(a.data, b.data)


def test_json_recipe_run_is_recorded_in_seis_prov(stations_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "bandpass.json"
    path.write_text(
        json.dumps(
            {
                "tag": "bp",
                "input_tag": "raw_recording",
                "steps": [
                    {"op": "detrend", "type": "demean"},
                    {"op": "filter", "type": "bandpass", "freqmin": 0.1, "freqmax": 1.0, "zerophase": True},
                    {"op": "decimate", "factor": 4},
                ],
            }
        )
    )
    out = tmp_path / "bp.h5"
    summary = run(stations_file, out, Recipe.load(path), backend=Backend("local", 1), progress=False)
    assert summary.ok
    with asdfkit.open(out) as f:
        assert f.waveform_tags == ["bp"]
        header = f.list_waveforms()[0]
        assert header.sampling_rate == 10.0
        types = [a.prov_type for a in lineage(f, header).activities]
        # decimate's own anti-alias filter is a step of ObsPy's history too (no SEIS-PROV type: kept as asdfkit's)
        assert types == [
            "seis_prov:detrend",
            "seis_prov:bandpass_filter",
            "asdfkit:obspy_filter",
            "seis_prov:decimate",
        ]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([{"op": "wiggle"}], r"op 'wiggle': must be one of .*detrend"),
        ([{"type": "linear"}], r"must be a table with an 'op' key"),
        (
            [{"op": "detrend", "typ": "linear"}],
            r"invalid parameter 'typ' of recipe step 1 \(detrend\): allowed: type",
        ),
        (
            [{"op": "taper", "max_percentage": "5%"}],
            r"invalid taper.max_percentage = '5%' \(step 1\): must be int or float",
        ),
        ([{"op": "filter", "freq": 1.0}], r"missing required parameter 'type'"),
        ([{"op": "decimate", "factor": True}], r"invalid decimate.factor = True \(step 1\): must be int"),
        (
            [{"op": "trim", "starttime": "yesterday"}],
            r"invalid trim.starttime = 'yesterday' \(step 1\): not a time",
        ),
        ([], r"must be a non-empty list"),
    ],
)
def test_bad_recipes_name_the_value_and_the_rule(steps: list[dict[str, object]], message: str) -> None:
    with pytest.raises(RecipeError, match=message):
        Recipe.from_dict({"steps": steps})


def test_bad_recipe_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[[steps]\nop = 1")
    with pytest.raises(RecipeError, match="invalid recipe .*broken.toml"):
        Recipe.load(broken)
    with pytest.raises(RecipeError, match="cannot read recipe"):
        Recipe.load(tmp_path / "missing.toml")
    with pytest.raises(RecipeError, match="invalid recipe key 'stpes'"):
        Recipe.from_dict({"stpes": []})
