"""asdfkit.io.sacread: traces equal to ObsPy's SAC reader, on the fast path where expected."""

from __future__ import annotations

import math
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import obspy
import pytest
from obspy.io.sac import SACTrace
from obspy.io.sac import header as HD
from obspy.io.sac.core import _is_sac, _read_sac

from asdfkit.errors import InvalidValueError, SacFileError
from asdfkit.io.convert import ConvertOptions, convert_to_asdf
from asdfkit.io.readers import WaveformReader
from asdfkit.io.sacread import read_sac, try_read_sac

OBSPY = Path(obspy.__file__).parent
BERKELEY = Path(__file__).resolve().parents[3] / "shared" / "data" / "css" / "berkeley_1998"


def _obspy_sac_files() -> list[Path]:
    """Every file in ObsPy's shipped data folders that ObsPy's SAC sniffer claims."""
    files = sorted(p for p in OBSPY.glob("**/data/**/*") if p.is_file())
    return [p for p in files if _is_sac(str(p))]


OBSPY_SAC = _obspy_sac_files()
BERKELEY_SAC = sorted(BERKELEY.glob("19980812141000.*"))
# ObsPy files the fast path must not take: non-ASCII strings, or a delta ObsPy rounds with a warning.
FALLBACK = {
    "non_ascii.sac",
    "test_encode.sac",
    "sample_spacing_rounding_issue.sac",
    "II.TLY.BHZ.SAC",
    "interpolation_test_interpolated_delta_0.003.sac",
    "interpolation_test_interpolated_delta_0.077.sac",
}
# ObsPy files whose size does not match their npts: ObsPy raises, so must read_sac.
BROKEN = {"seism-longer.sac", "seism-shorter.sac"}


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(OBSPY) if p.is_relative_to(OBSPY) else p.name) for p in paths]


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same type (NaN equals NaN: ObsPy writes e=NaN when b is undefined)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.floating) and math.isnan(a):
        return bool(math.isnan(b))
    return bool(a == b)


def _reads(read: Callable[[], Any]) -> tuple[Any, list[str]]:
    """The result (or the exception) of a read and the warnings it emitted."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = read()
        except Exception as exc:  # noqa: BLE001 - ObsPy raises many kinds on bad files
            result = exc
    return result, [f"{w.category.__name__}: {w.message}" for w in caught]


def assert_same_trace(ours: obspy.Trace, ref: obspy.Trace) -> None:
    """Data (values, dtype, flags), stats and stats.sac (keys in order, values and types) agree."""
    assert ours.data.dtype == ref.data.dtype and ours.data.dtype.byteorder == ref.data.dtype.byteorder
    np.testing.assert_array_equal(ours.data, ref.data)
    for flag in ("C_CONTIGUOUS", "WRITEABLE", "OWNDATA"):
        assert ours.data.flags[flag] == ref.data.flags[flag], flag
    assert list(ours.stats.sac) == list(ref.stats.sac)
    bad = {
        k: (ours.stats.sac[k], ref.stats.sac[k])
        for k in ref.stats.sac
        if not _same(ours.stats.sac[k], ref.stats.sac[k])
    }
    assert not bad
    assert set(ours.stats) == set(ref.stats)
    for key in ref.stats:
        if key != "sac":
            assert _same(ours.stats[key], ref.stats[key]), key


def assert_like_obspy(path: Path) -> obspy.Stream | None:
    """read_sac(path) gives ObsPy's trace and warnings, or an asdfkit error where ObsPy fails."""
    ref, ref_warnings = _reads(lambda: _read_sac(str(path)))
    ours, our_warnings = _reads(lambda: read_sac(path))
    assert our_warnings == ref_warnings
    if isinstance(ref, Exception):
        assert isinstance(ours, SacFileError), ours
        assert str(path) in str(ours)
        return None
    assert isinstance(ours, obspy.Stream) and len(ours) == len(ref) == 1
    assert_same_trace(ours[0], ref[0])
    return ours


def test_obspy_ships_sac_files() -> None:
    """The discovery finds ObsPy's SAC test files of both byte orders and those of other packages."""
    names = {p.name for p in OBSPY_SAC}
    assert {"test.sac", "test.sac.swap", "seism.sac"} <= names
    assert len({p.parent for p in OBSPY_SAC}) >= 3
    assert len(BERKELEY_SAC) == 30


@pytest.mark.parametrize("path", OBSPY_SAC, ids=_ids(OBSPY_SAC))
def test_obspy_files_equal_obspy(path: Path) -> None:
    assert_like_obspy(path)
    if path.name in BROKEN:
        with pytest.raises(SacFileError, match=r"not a SAC file or truncated: \d+ bytes, but a header"):
            try_read_sac(path)
    elif path.name in FALLBACK:
        assert try_read_sac(path) is None
    else:
        assert try_read_sac(path) is not None


@pytest.mark.parametrize("path", BERKELEY_SAC, ids=_ids(BERKELEY_SAC))
def test_berkeley_files_equal_obspy_on_fast_path(path: Path) -> None:
    assert_like_obspy(path)
    fast = try_read_sac(path)
    assert fast is not None
    assert_same_trace(fast[0], _read_sac(str(path))[0])


def test_big_endian_file_keeps_its_byte_order() -> None:
    path = OBSPY / "io" / "sac" / "tests" / "data" / "test.sac.swap"
    stream = try_read_sac(path)
    assert stream is not None
    assert stream[0].data.dtype.byteorder == ">"
    assert_like_obspy(path)


def _variant(
    tmp_path: Path, name: str, change: Callable[[SACTrace], None], byteorder: str = "little"
) -> Path:
    """A Berkeley recording with some header values changed, written by ObsPy's SACTrace."""
    sac = SACTrace.read(str(BERKELEY_SAC[0]))
    change(sac)
    path = tmp_path / f"{name}.sac"
    sac.write(str(path), byteorder=byteorder)
    return path


def _set(**values: Any) -> Callable[[SACTrace], None]:
    def change(sac: SACTrace) -> None:
        for key, value in values.items():
            if key in HD.FLOATHDRS:
                sac._hf[HD.FLOATHDRS.index(key)] = value
            elif key in HD.INTHDRS:
                sac._hi[HD.INTHDRS.index(key)] = value
            else:
                sac._hs[HD.STRHDRS.index(key)] = value

    return change


FAST_VARIANTS = {
    # lcalda set and distances undefined: ObsPy computes dist, az, baz, gcarc while reading.
    "distances": _set(dist=HD.FNULL, az=HD.FNULL, baz=HD.FNULL, gcarc=HD.FNULL, lcalda=1),
    "no_distances": _set(dist=HD.FNULL, az=HD.FNULL, baz=HD.FNULL, gcarc=HD.FNULL, lcalda=0),
    "no_station": _set(dist=HD.FNULL, stla=HD.FNULL, lcalda=1),
    "no_reference": _set(nzhour=HD.INULL),  # ObsPy starts such traces at 1970-01-01
    "no_begin": _set(b=HD.FNULL),
    "event_name": _set(kevnm=b"LOMA", kevnm2=b"PRIETA"),
    "event_name_second_half": _set(kevnm=b"-12345", kevnm2=b"PRIETA"),
    "codes": _set(knetwk=b"BK\x00XX", khole=b" 00 ", kcmpnm=b"-12345xx", kstnm=b"\x00BKS"),
    "scale": _set(scale=2.5),
    "leap_day": _set(nzyear=2000, nzjday=366, nzhour=23, nzmin=59, nzsec=59, nzmsec=999),
    "before_1970": _set(nzyear=1965, nzjday=1),
}
FALLBACK_VARIANTS = {
    "two_digit_year": _set(nzyear=98),  # ObsPy warns and adds 1900
    "millisecond_overflow": _set(nzmsec=1500),
    "hour_overflow": _set(nzhour=24),
    "bad_day": _set(nzjday=367),
    "header_version_7": _set(nvhdr=7),
    "uneven": _set(leven=0),
    "zero_calib": _set(scale=0.0),  # ObsPy warns
    "non_ascii": _set(kstnm="BKSé".encode()),
}


@pytest.mark.parametrize("byteorder", ["little", "big"])
@pytest.mark.parametrize("name", sorted(FAST_VARIANTS))
def test_header_variants_on_fast_path(tmp_path: Path, name: str, byteorder: str) -> None:
    path = _variant(tmp_path, name, FAST_VARIANTS[name], byteorder)
    assert try_read_sac(path) is not None
    assert assert_like_obspy(path) is not None


@pytest.mark.parametrize("name", sorted(FALLBACK_VARIANTS))
def test_header_variants_read_by_obspy(tmp_path: Path, name: str) -> None:
    path = _variant(tmp_path, name, FALLBACK_VARIANTS[name])
    assert try_read_sac(path) is None
    assert_like_obspy(path)


def test_computed_distances_close_to_the_files_own(tmp_path: Path) -> None:
    """Distances undefined in the file are computed (the original's came from another program)."""
    path = _variant(tmp_path, "distances", FAST_VARIANTS["distances"])
    stream = read_sac(path)
    original = _read_sac(str(BERKELEY_SAC[0]))[0]
    for key in ("dist", "az", "baz", "gcarc"):
        assert stream[0].stats.sac[key] == pytest.approx(original.stats.sac[key], rel=1e-3)


def test_waveform_reader_equals_obspy_read() -> None:
    reader = WaveformReader()
    for path in [*BERKELEY_SAC[:3], OBSPY / "io" / "sac" / "tests" / "data" / "test.sac.swap"]:
        ours = reader.read(path)
        ref = obspy.read(str(path), format="SAC")
        assert ours[0].stats._format == ref[0].stats._format == "SAC"
        assert_same_trace(ours[0], ref[0])


def _bad_inputs(tmp_path: Path) -> dict[str, Path]:
    source = BERKELEY_SAC[0].read_bytes()
    mseed = OBSPY / "io" / "mseed" / "tests" / "data" / "test.mseed"
    out = {
        "empty": b"",
        "truncated_header": source[:300],
        "truncated_data": source[:5000],
        "longer": source + source[-8:],
        "miniseed": mseed.read_bytes(),
        "text": b"network station channel\n" * 40,
    }
    paths = {}
    for name, data in out.items():
        paths[name] = tmp_path / f"{name}.sac"
        paths[name].write_bytes(data)
    return paths


@pytest.mark.parametrize(
    "name", ["empty", "truncated_header", "truncated_data", "longer", "miniseed", "text"]
)
def test_bad_input_clear_error_file_untouched(tmp_path: Path, name: str) -> None:
    path = _bad_inputs(tmp_path)[name]
    before = path.read_bytes()
    with pytest.raises(SacFileError, match=r"not a SAC file") as info:
        read_sac(path)
    assert str(path) in str(info.value)
    assert str(len(before)) in str(info.value)  # names the size that breaks the rule
    with pytest.raises(SacFileError):
        WaveformReader("SAC").read(path)
    assert path.read_bytes() == before


def test_convert_names_unreadable_sac_file(tmp_path: Path) -> None:
    paths = _bad_inputs(tmp_path)
    good = tmp_path / "good.sac"
    shutil.copy(BERKELEY_SAC[0], good)
    out = tmp_path / "out.h5"
    with pytest.raises(
        InvalidValueError, match=r"cannot read .*truncated_data\.sac: SacFileError: .*npts=6000"
    ):
        convert_to_asdf(
            [good, paths["truncated_data"]], out, ConvertOptions(format="SAC", network="BK", channel="BHZ")
        )
    assert not out.exists()
    assert paths["truncated_data"].read_bytes() == BERKELEY_SAC[0].read_bytes()[:5000]
