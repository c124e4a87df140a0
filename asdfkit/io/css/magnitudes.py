"""netmag and stamag ↔ QuakeML magnitudes and station magnitudes, both directions.

=============================  ===============================================
netmag                         ``Magnitude`` (id ``.../magnitude/<magid>``)
=============================  ===============================================
magnitude, uncertainty         ``mag``, ``mag_errors.uncertainty``
magtype (6)                    ``magnitude_type``
orid                           ``origin_id`` (the event comes from the origin,
                               else from evid)
nsta                           ``station_count``
auth (15, css3.1 30)           ``creation_info.author``
commid                         ``comments`` (remark)
=============================  ===============================================

stamag rows become ``StationMagnitude``s of the event (mag, uncertainty,
magtype → ``station_magnitude_type``, orid → ``origin_id``, sta →
``waveform_id`` network and station, auth, commid), and each one is a
``StationMagnitudeContribution`` of the netmag magnitude with its magid.
stamag ``phase`` and ``arid`` have no QuakeML home (a station magnitude points
at an amplitude, not a pick).  An origin's ``mb``/``ms``/``ml`` columns are
read as magnitudes only when no netmag row already gives them (their
``mbid``/``msid``/``mlid`` or the same type and value for that origin);
writing fills them from the netmag rows.  css3.1 ``event.prefmag`` is the
preferred magnitude.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from obspy.core.event import (
    CreationInfo,
    Event,
    Magnitude,
    QuantityError,
    ResourceIdentifier,
    StationMagnitude,
    StationMagnitudeContribution,
    WaveformStreamID,
)

from .naming import NameResolver
from .origerr import uncertainty
from .remarks import Remarks
from .tables import Row

__all__ = ["contribute", "duplicates_netmag", "magnitude", "netmag_rows", "station_magnitude"]

Ids = Callable[..., ResourceIdentifier]


def _errors(value: float | None) -> QuantityError | None:
    return None if value is None else QuantityError(uncertainty=value)


def magnitude(row: Row, origin_id: ResourceIdentifier | None, ids: Ids, remarks: Remarks) -> Magnitude:
    """The ``Magnitude`` of one netmag row."""
    mag = Magnitude(
        resource_id=ids("magnitude", row["magid"]),
        mag=row["magnitude"],
        mag_errors=_errors(row["uncertainty"]),
        magnitude_type=row["magtype"],
        origin_id=origin_id,
        station_count=row["nsta"],
        comments=remarks.comments(row["commid"], ids),
    )
    if row["auth"]:
        mag.creation_info = CreationInfo(author=row["auth"])
    return mag


def station_magnitude(
    row: Row, origin_id: ResourceIdentifier | None, names: NameResolver, ids: Ids, remarks: Remarks
) -> StationMagnitude:
    """The ``StationMagnitude`` of one stamag row."""
    seed = names.station(row["sta"])
    sm = StationMagnitude(
        resource_id=ids(
            "stationmagnitude",
            row["magid"] if row["magid"] is not None else "-",
            row["sta"],
            row["magtype"] or "-",
            row["orid"] if row["orid"] is not None else "-",
        ),
        mag=row["magnitude"],
        mag_errors=_errors(row["uncertainty"]),
        station_magnitude_type=row["magtype"],
        origin_id=origin_id,
        waveform_id=WaveformStreamID(seed.network, seed.station),
        comments=remarks.comments(row["commid"], ids),
    )
    if row["auth"]:
        sm.creation_info = CreationInfo(author=row["auth"])
    return sm


def contribute(event: Event, magid: int | None, sm: StationMagnitude, ids: Ids) -> None:
    """Record ``sm`` as a contribution to the event's netmag magnitude ``magid``."""
    if magid is None:
        return
    wanted = ids("magnitude", magid)
    for mag in event.magnitudes:
        if mag.resource_id == wanted:
            mag.station_magnitude_contributions.append(
                StationMagnitudeContribution(station_magnitude_id=sm.resource_id)
            )
            return


def duplicates_netmag(orow: Row, magid_column: str, mtype: str, netmags: dict[int, Row]) -> bool:
    """Whether the origin column ``mb``/``ms``/``ml`` repeats a netmag row."""
    magid = orow[magid_column]
    if magid is not None and magid in netmags:
        return True
    value = orow[{"mbid": "mb", "msid": "ms", "mlid": "ml"}[magid_column]]
    return any(
        r["orid"] == orow["orid"]
        and (r["magtype"] or "").lower() == mtype.lower()
        and r["magnitude"] is not None
        and abs(r["magnitude"] - value) < 0.005
        for r in netmags.values()
    )


def netmag_rows(
    event: Event,
    evid: int,
    orids: dict[str, int],
    first_magid: int,
    sta_of: Callable[[Any], str | None],
    commid: Callable[[Any], int | None],
    text: Callable[[str | None, str, str, str], str | None],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int]]:
    """netmag and stamag rows of ``event``; also the magid of each magnitude resource id.

    ``orids`` maps origin resource ids to their orid; ``sta_of`` gives the CSS
    station code of a ``WaveformStreamID``; ``commid`` allocates remark rows;
    ``text`` fits a string to a column (reporting cuts).
    """
    preferred = orids.get(str(event.preferred_origin_id)) if event.preferred_origin_id else None
    netmag, magids = [], {}
    for offset, mag in enumerate(event.magnitudes):
        magid = first_magid + offset
        magids[str(mag.resource_id)] = magid
        info = mag.creation_info
        netmag.append(
            {
                "magid": magid,
                "orid": orids.get(str(mag.origin_id), preferred if mag.origin_id is None else None),
                "evid": evid,
                "magtype": text(mag.magnitude_type, "netmag", "magtype", "magnitude type"),
                "nsta": mag.station_count,
                "magnitude": mag.mag,
                "uncertainty": uncertainty(mag.mag_errors),
                "auth": text(info.author if info else None, "netmag", "auth", "magnitude author"),
                "commid": commid(mag.comments),
            }
        )
    contributions = {
        str(c.station_magnitude_id): magids[str(mag.resource_id)]
        for mag in event.magnitudes
        for c in mag.station_magnitude_contributions
    }
    stamag = []
    for sm in event.station_magnitudes:
        sta = sta_of(sm.waveform_id)
        if sta is None:
            continue
        info = sm.creation_info
        stamag.append(
            {
                "magid": contributions.get(str(sm.resource_id)),
                "sta": sta,
                "orid": orids.get(str(sm.origin_id)),
                "evid": evid,
                "magtype": text(sm.station_magnitude_type, "stamag", "magtype", "station magnitude type"),
                "magnitude": sm.mag,
                "uncertainty": uncertainty(sm.mag_errors),
                "auth": text(info.author if info else None, "stamag", "auth", "station magnitude author"),
                "commid": commid(sm.comments),
            }
        )
    return netmag, stamag, magids
