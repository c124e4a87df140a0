"""Every export of a converted real file writes exactly the stored traces, or says what changed.

One real file per format of ObsPy's test data, converted through a codes
table (``--codes-template`` then ``--codes``), exported to miniSEED and SAC.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import obspy
import pytest

import asdfkit
from asdfkit.io.codeproposal import codes_template
from asdfkit.io.convert import ConvertOptions, convert_to_asdf
from asdfkit.io.export import export

FILES = [
    "clients/fdsn/tests/data/bulk.mseed",
    "core/tests/data/ffbx_rotated.slist",
    "io/ah/tests/data/TSG/BRV.TSG.DS.lE21.resp",
    "io/alsep/tests/data/wtn.1.2.mini",
    "io/ascii/tests/data/tspair_float.ascii",
    "io/cybershake/tests/data/test.grm",
    "io/dmx/tests/data/131114_090600.dmx",
    "io/gcf/tests/data/20160603_1910n.gcf",
    "io/gse2/tests/data/loc_STAU20031119011659.z",
    "io/kinemetrics/tests/data/BX456_MOLA-02351.evt",
    "io/mseed/tests/data/encoding/int16_INT16_bigEndian.mseed",
    "io/nied/tests/data/test.knet",
    "io/pdas/tests/data/p1246001.108",
    "io/reftek/tests/data/225051000_00008656",
    "io/sac/tests/data/seism.sac",
    "io/seg2/tests/data/20130107_103041000.CET.3c.cont.0.seg2.gz",
    "io/segy/tests/data/1.sgy_first_trace",
    "io/seisan/tests/data/9701-30-1048-54S.MVO_21_1",
    "io/sh/tests/data/QFILE-TEST-SUN.QHD",
    "io/win/tests/data/1070533011_1701260003.win",
    "io/xseed/tests/data/II_COCO_three_channel_borehole.mseed",
    "io/y/tests/data/YAZRSPE.20100119.060433",
    "realtime/tests/data/II.TLY.BHZ.SAC",
]
KINDS = {"dtype", "samples", "sampling_rate", "starttime", "sac_header", "joined"}


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = Path(obspy.__file__).parent
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ObsPy's readers warn about odd headers of these files
        for number, rel in enumerate(FILES):
            folder = tmp_path_factory.mktemp(f"corpus{number}")
            table = folder / "codes.csv"
            codes_template([root / rel], table)
            convert_to_asdf([root / rel], folder / "x.h5", ConvertOptions(codes=table))
            out[rel] = folder / "x.h5"
    return out


@pytest.mark.parametrize("fmt", ["mseed", "sac"])
@pytest.mark.parametrize("rel", FILES)
def test_export_writes_every_stored_trace(converted: dict[str, Path], tmp_path: Path, rel: str, fmt: str) -> None:
    h5 = converted[rel]
    with asdfkit.open(h5) as f:
        stored = sorted((h.seed_id, h.npts) for h in f.list_waveforms())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ObsPy notes the SAC deltas it rounds when reading back
        report = export(h5, tmp_path / "out", fmt)
        back = [tr for path in report.files for tr in obspy.read(path)]
    assert len(report.files) == len(stored) == report.traces
    assert sorted((t.id, t.stats.npts) for t in back) == stored
    labels = {f"{t.id}@" for t in back}
    for change in report.changes:  # every change names a trace and a file of this export, and what
        assert change.what in KINDS and change.file in report.files
        assert any(change.trace.startswith(label) for label in labels)
    if fmt == "mseed":  # miniSEED keeps integer and float samples exactly
        with asdfkit.open(h5) as f:
            for header in f.list_waveforms():
                data = f.get_waveform(header).data
                match = [t for t in back if t.id == header.seed_id and t.stats.npts == header.npts
                         and abs(t.stats.starttime.ns - header.starttime_ns) < 1000]
                with np.errstate(invalid="ignore"):  # this SH file's NaN samples are signalling NaNs
                    same = [np.array_equal(t.data.astype(np.float64), data.astype(np.float64), equal_nan=True)
                            for t in match]
                assert any(same), header.name
