"""CSS table layouts as data: the columns of every table read or written, per schema.

Each table is a list of ``(name, width, kind, format, null)`` in column order;
offsets follow (one blank between fields).  css3.0 is the layout Antelope
writes (shared/reference/css3.md for the tables it lists); css3.1 is derived
from it by the attribute changes of Antelope's css3.1 schema, applied by
attribute name as Antelope's schemas do (an attribute has one definition,
whatever table holds it).

Kinds: ``s`` string (null ``-``), ``i`` integer, ``f`` float, ``t`` epoch time
kept exact as integer nanoseconds, ``l`` load date (kept as its text).
"""

from __future__ import annotations

from typing import Any

__all__ = ["CSS30", "CSS31_ADDED", "CSS31_CHANGES", "SPECS", "Spec", "css31"]

TIME_NULL = -9999999999.999
END_NULL = 9999999999.999

Spec = tuple[str, int, str, str, Any]

LDDATE: Spec = ("lddate", 17, "l", "%17.5f", None)

CSS30: dict[str, list[Spec]] = {
    "wfdisc": [
        ("sta", 6, "s", "%-6s", None),
        ("chan", 8, "s", "%-8s", None),
        ("time", 17, "t", "%17.5f", TIME_NULL),
        ("wfid", 8, "i", "%8d", -1),
        ("chanid", 8, "i", "%8d", -1),
        ("jdate", 8, "i", "%8d", -1),
        ("endtime", 17, "t", "%17.5f", END_NULL),
        ("nsamp", 8, "i", "%8d", -1),
        ("samprate", 11, "f", "%11.7f", -1.0),
        ("calib", 16, "f", "%16.9g", 0.0),
        ("calper", 16, "f", "%16.6f", -1.0),
        ("instype", 6, "s", "%-6s", None),
        ("segtype", 1, "s", "%-1s", None),
        ("datatype", 2, "s", "%-2s", None),
        ("clip", 1, "s", "%-1s", None),
        ("dir", 64, "s", "%-64s", None),
        ("dfile", 32, "s", "%-32s", None),
        ("foff", 10, "i", "%10d", None),
        ("commid", 8, "i", "%8d", -1),
        LDDATE,
    ],
    "site": [
        ("sta", 6, "s", "%-6s", None),
        ("ondate", 8, "i", "%8d", -1),
        ("offdate", 8, "i", "%8d", -1),
        ("lat", 9, "f", "%9.4f", -999.0),
        ("lon", 9, "f", "%9.4f", -999.0),
        ("elev", 9, "f", "%9.4f", -999.0),
        ("staname", 50, "s", "%-50s", None),
        ("statype", 4, "s", "%-4s", None),
        ("refsta", 6, "s", "%-6s", None),
        ("dnorth", 9, "f", "%9.4f", None),
        ("deast", 9, "f", "%9.4f", None),
        LDDATE,
    ],
    "sitechan": [
        ("sta", 6, "s", "%-6s", None),
        ("chan", 8, "s", "%-8s", None),
        ("ondate", 8, "i", "%8d", -1),
        ("chanid", 8, "i", "%8d", -1),
        ("offdate", 8, "i", "%8d", -1),
        ("ctype", 4, "s", "%-4s", None),
        ("edepth", 9, "f", "%9.4f", -9.9999),
        ("hang", 6, "f", "%6.1f", -999.9),
        ("vang", 6, "f", "%6.1f", -999.9),
        ("descrip", 50, "s", "%-50s", None),
        LDDATE,
    ],
    "snetsta": [
        ("snet", 8, "s", "%-8s", None),
        ("fsta", 6, "s", "%-6s", None),
        ("sta", 6, "s", "%-6s", None),
        LDDATE,
    ],
    "schanloc": [
        ("sta", 6, "s", "%-6s", None),
        ("fchan", 8, "s", "%-8s", None),
        ("loc", 8, "s", "%-8s", None),
        ("chan", 8, "s", "%-8s", None),
        LDDATE,
    ],
    "affiliation": [("net", 8, "s", "%-8s", None), ("sta", 6, "s", "%-6s", None), LDDATE],
    "network": [
        ("net", 8, "s", "%-8s", None),
        ("netname", 80, "s", "%-80s", None),
        ("nettype", 4, "s", "%-4s", None),
        ("auth", 15, "s", "%-15s", None),
        ("commid", 8, "i", "%8d", -1),
        LDDATE,
    ],
    "origin": [
        ("lat", 9, "f", "%9.4f", -999.0),
        ("lon", 9, "f", "%9.4f", -999.0),
        ("depth", 9, "f", "%9.4f", -999.0),
        ("time", 17, "t", "%17.5f", TIME_NULL),
        ("orid", 8, "i", "%8d", -1),
        ("evid", 8, "i", "%8d", -1),
        ("jdate", 8, "i", "%8d", -1),
        ("nass", 4, "i", "%4d", -1),
        ("ndef", 4, "i", "%4d", -1),
        ("ndp", 4, "i", "%4d", -1),
        ("grn", 8, "i", "%8d", -1),
        ("srn", 8, "i", "%8d", -1),
        ("etype", 2, "s", "%-2s", None),
        ("review", 4, "s", "%-4s", None),
        ("depdp", 9, "f", "%9.4f", -999.0),
        ("dtype", 1, "s", "%-1s", None),
        ("mb", 7, "f", "%7.2f", -999.0),
        ("mbid", 8, "i", "%8d", -1),
        ("ms", 7, "f", "%7.2f", -999.0),
        ("msid", 8, "i", "%8d", -1),
        ("ml", 7, "f", "%7.2f", -999.0),
        ("mlid", 8, "i", "%8d", -1),
        ("algorithm", 15, "s", "%-15s", None),
        ("auth", 15, "s", "%-15s", None),
        ("commid", 8, "i", "%8d", -1),
        LDDATE,
    ],
    "event": [
        ("evid", 8, "i", "%8d", -1),
        ("evname", 15, "s", "%-15s", None),
        ("prefor", 8, "i", "%8d", -1),
        ("auth", 15, "s", "%-15s", None),
        ("commid", 8, "i", "%8d", -1),
        LDDATE,
    ],
    "arrival": [
        ("sta", 6, "s", "%-6s", None),
        ("time", 17, "t", "%17.5f", TIME_NULL),
        ("arid", 8, "i", "%8d", -1),
        ("jdate", 8, "i", "%8d", -1),
        ("stassid", 8, "i", "%8d", -1),
        ("chanid", 8, "i", "%8d", -1),
        ("chan", 8, "s", "%-8s", None),
        ("iphase", 8, "s", "%-8s", None),
        ("stype", 1, "s", "%-1s", None),
        ("deltim", 6, "f", "%6.3f", -1.0),
        ("azimuth", 7, "f", "%7.2f", -1.0),
        ("delaz", 7, "f", "%7.2f", -1.0),
        ("slow", 7, "f", "%7.2f", -1.0),
        ("delslo", 7, "f", "%7.2f", -1.0),
        ("ema", 7, "f", "%7.2f", -1.0),
        ("rect", 7, "f", "%7.3f", -1.0),
        ("amp", 10, "f", "%10.1f", -1.0),
        ("per", 7, "f", "%7.2f", -1.0),
        ("logat", 7, "f", "%7.2f", -999.0),
        ("clip", 1, "s", "%-1s", None),
        ("fm", 2, "s", "%-2s", None),
        ("snr", 10, "f", "%10.2g", -1.0),
        ("qual", 1, "s", "%-1s", None),
        ("auth", 15, "s", "%-15s", None),
        ("commid", 8, "i", "%8d", -1),
        LDDATE,
    ],
    "assoc": [
        ("arid", 8, "i", "%8d", -1),
        ("orid", 8, "i", "%8d", -1),
        ("sta", 6, "s", "%-6s", None),
        ("phase", 8, "s", "%-8s", None),
        ("belief", 4, "f", "%4.2f", 9.99),
        ("delta", 8, "f", "%8.3f", -1.0),
        ("seaz", 7, "f", "%7.2f", -999.0),
        ("esaz", 7, "f", "%7.2f", -999.0),
        ("timeres", 8, "f", "%8.3f", -999.0),
        ("timedef", 1, "s", "%-1s", None),
        ("azres", 7, "f", "%7.1f", -999.0),
        ("azdef", 1, "s", "%-1s", None),
        ("slores", 7, "f", "%7.2f", -999.0),
        ("slodef", 1, "s", "%-1s", None),
        ("emares", 7, "f", "%7.1f", -999.0),
        ("wgt", 6, "f", "%6.3f", -1.0),
        ("vmodel", 15, "s", "%-15s", None),
        ("commid", 8, "i", "%8d", -1),
        LDDATE,
    ],
    "instrument": [
        ("inid", 8, "i", "%8d", -1),
        ("insname", 50, "s", "%-50s", None),
        ("instype", 6, "s", "%-6s", None),
        ("band", 1, "s", "%-1s", None),
        ("digital", 1, "s", "%-1s", None),
        ("samprate", 11, "f", "%11.7f", -1.0),
        ("ncalib", 16, "f", "%16.6f", -99.999999),
        ("ncalper", 16, "f", "%16.6f", -1.0),
        ("dir", 64, "s", "%-64s", None),
        ("dfile", 32, "s", "%-32s", None),
        ("rsptype", 6, "s", "%-6s", None),
        LDDATE,
    ],
    "sensor": [
        ("sta", 6, "s", "%-6s", None),
        ("chan", 8, "s", "%-8s", None),
        ("time", 17, "t", "%17.5f", TIME_NULL),
        ("endtime", 17, "t", "%17.5f", END_NULL),
        ("inid", 8, "i", "%8d", -1),
        ("chanid", 8, "i", "%8d", -1),
        ("jdate", 8, "i", "%8d", -1),
        ("calratio", 16, "f", "%16.6f", None),
        ("calper", 16, "f", "%16.6f", -1.0),
        ("tshift", 6, "f", "%6.2f", None),
        ("instant", 1, "s", "%-1s", None),
        LDDATE,
    ],
}

# Tables css3.md does not list, as Antelope's css3.0 schema defines them (the
# origerr layout is checked against the real dbmoment_events row in the tests).
_COV = -999999999.9999
CSS30["origerr"] = [
    ("orid", 8, "i", "%8d", -1),
    *(
        (name, 15, "f", "%15.4f", _COV)
        for name in ("sxx", "syy", "szz", "stt", "sxy", "sxz", "syz", "stx", "sty", "stz")
    ),
    ("sdobs", 9, "f", "%9.4f", -1.0),
    ("smajax", 9, "f", "%9.4f", -1.0),
    ("sminax", 9, "f", "%9.4f", -1.0),
    ("strike", 6, "f", "%6.2f", -1.0),
    ("sdepth", 9, "f", "%9.4f", -1.0),
    ("stime", 8, "f", "%8.2f", -1.0),
    ("conf", 5, "f", "%5.3f", 0.0),
    ("commid", 8, "i", "%8d", -1),
    LDDATE,
]
# Antelope's calibration table (calib/calper per channel epoch, "for the complete
# system response"): offsets measured on the real berkeley_1998 rows (the tests
# parse all 142); lead/stream are null there, so their split of columns 217-229
# is Antelope's documented order, not a measured one.
CSS30["calibration"] = [
    ("sta", 6, "s", "%-6s", None),
    ("chan", 8, "s", "%-8s", None),
    ("time", 17, "t", "%17.5f", TIME_NULL),
    ("endtime", 17, "t", "%17.5f", END_NULL),
    ("insname", 50, "s", "%-50s", None),
    ("snname", 32, "s", "%-32s", None),
    ("dlname", 32, "s", "%-32s", None),
    ("samprate", 11, "f", "%11.7f", -1.0),
    ("segtype", 1, "s", "%-1s", None),
    ("dlsta", 16, "s", "%-16s", None),
    ("dlchan", 16, "s", "%-16s", None),
    ("lead", 10, "s", "%-10s", None),
    ("stream", 2, "i", "%2d", -1),
    ("calib", 16, "f", "%16.9g", 0.0),
    ("calper", 16, "f", "%16.6f", -1.0),
    ("fc", 11, "f", "%11.6f", -1.0),
    ("units", 12, "s", "%-12s", None),
    LDDATE,
]
CSS30["netmag"] = [
    ("magid", 8, "i", "%8d", -1),
    ("net", 8, "s", "%-8s", None),
    ("orid", 8, "i", "%8d", -1),
    ("evid", 8, "i", "%8d", -1),
    ("magtype", 6, "s", "%-6s", None),
    ("nsta", 8, "i", "%8d", -1),
    ("magnitude", 7, "f", "%7.2f", -99.99),
    ("uncertainty", 7, "f", "%7.2f", -1.0),
    ("auth", 15, "s", "%-15s", None),
    ("commid", 8, "i", "%8d", -1),
    LDDATE,
]
CSS30["stamag"] = [
    ("magid", 8, "i", "%8d", -1),
    ("sta", 6, "s", "%-6s", None),
    ("arid", 8, "i", "%8d", -1),
    ("orid", 8, "i", "%8d", -1),
    ("evid", 8, "i", "%8d", -1),
    ("phase", 8, "s", "%-8s", None),
    ("magtype", 6, "s", "%-6s", None),
    ("magnitude", 7, "f", "%7.2f", -99.99),
    ("uncertainty", 7, "f", "%7.2f", -1.0),
    ("auth", 15, "s", "%-15s", None),
    ("commid", 8, "i", "%8d", -1),
    LDDATE,
]
CSS30["remark"] = [
    ("commid", 8, "i", "%8d", -1),
    ("lineno", 8, "i", "%8d", -1),
    ("remark", 80, "s", "%-80s", None),
    LDDATE,
]

# css3.1 is css3.0 with these attributes changed, in every table that has them
# (Antelope's css3.1 schema, "Schema css3.1 ... Detail"): ids 12 digits, times
# %18.6f (1 us), lat/lon %12.7f, sta 14 and chan 15 characters (css3.md), and
# the rest below.  ``None`` keeps the css3.0 null.
_ID = (12, "%12d", None)
CSS31_CHANGES: dict[str, tuple[int, str, Any]] = {
    **{
        name: _ID
        for name in (
            "wfid",
            "chanid",
            "commid",
            "orid",
            "evid",
            "arid",
            "stassid",
            "inid",
            "magid",
            "mbid",
            "msid",
            "mlid",
            "prefor",
            "prefmag",
        )
    },
    "time": (18, "%18.6f", None),
    "endtime": (18, "%18.6f", None),
    "lat": (12, "%12.7f", None),
    "lon": (12, "%12.7f", None),
    "dnorth": (10, "%10.5f", None),
    "deast": (10, "%10.5f", None),
    "ondate": (18, "%18d", None),
    "offdate": (18, "%18d", None),
    "nass": (5, "%5d", None),
    "ndef": (5, "%5d", None),
    "nsamp": (12, "%12d", None),
    "samprate": (14, "%14.7f", None),
    "snr": (10, "%10.5g", None),
    "sta": (14, "%-14s", None),
    "refsta": (14, "%-14s", None),
    "chan": (15, "%-15s", None),
    "loc": (2, "%-2s", None),
    "segtype": (8, "%-8s", None),
    "dir": (80, "%-80s", None),
    "dfile": (48, "%-48s", None),
    "evname": (50, "%-50s", None),
    "auth": (30, "%-30s", None),
    "vmodel": (30, "%-30s", None),
}
# css3.1 adds event.prefmag (the preferred netmag magid) after prefor.
CSS31_ADDED: dict[str, tuple[str, Spec]] = {"event": ("prefor", ("prefmag", 12, "i", "%12d", -1))}


def css31(table: str) -> list[Spec]:
    """The css3.1 column specs of ``table``: css3.0's, changed and extended as above."""
    specs = []
    for spec in CSS30[table]:
        name, width, kind, fmt, null = spec
        if name in CSS31_CHANGES:
            width, fmt, changed_null = CSS31_CHANGES[name]
            null = null if changed_null is None else changed_null
        specs.append((name, width, kind, fmt, null))
        added = CSS31_ADDED.get(table)
        if added is not None and added[0] == name:
            specs.append(added[1])
    return specs


SPECS: dict[str, dict[str, list[Spec]]] = {
    "css3.0": CSS30,
    "css3.1": {table: css31(table) for table in CSS30},
}
