"""origerr ↔ QuakeML origin uncertainties, both directions.

CSS keeps one origerr row per origin: the location covariance matrix (1σ,
km², s², km·s; x, y, z, t are latitude, longitude, depth and origin time as
the CSS3.0 manual defines them), the standard error of the observations, and
the error ellipse, depth and time errors at the confidence level ``conf``.

=========================  =================================================
origerr                    QuakeML
=========================  =================================================
sdobs                      ``quality.standard_error`` (s)
stime, conf                ``time_errors.uncertainty`` (s), ``confidence_level``
sxx, syy (km², 1σ)         ``latitude_errors``/``longitude_errors`` (degrees)
szz (km², 1σ)              ``depth_errors.uncertainty`` (m)
sdepth, conf (if no szz)   ``depth_errors`` (m) with its ``confidence_level``
smajax, sminax, strike     ``origin_uncertainty`` max/min horizontal (m) and
                           azimuth, ``preferred_description`` "uncertainty
                           ellipse", ``confidence_level`` = conf × 100
smajax = sminax, no strike ``origin_uncertainty.horizontal_uncertainty`` (m),
                           "horizontal uncertainty" (a circle)
=========================  =================================================

The other covariances (stt, sxy, sxz, syz, stx, sty, stz) have no QuakeML
home and are not kept.
"""

from __future__ import annotations

import math
from typing import Any

from obspy.core.event import Origin, OriginQuality, OriginUncertainty, QuantityError
from obspy.geodetics import degrees2kilometers, kilometers2degrees

from .tables import Row

__all__ = ["apply_origerr", "origerr_row", "uncertainty"]

_ELLIPSE = "uncertainty ellipse"
_CIRCLE = "horizontal uncertainty"


def _lon_km_per_degree(latitude: float | None) -> float | None:
    if latitude is None:
        return None
    scale = math.cos(math.radians(latitude))
    return None if scale < 1e-9 else degrees2kilometers(1.0) * scale


def apply_origerr(origin: Origin, row: Row) -> None:
    """Set ``origin``'s uncertainties from its origerr ``row``.

    Examples
    --------
    >>> from asdfkit.io.css.tables import Row
    >>> origin = Origin(latitude=36.0, longitude=-121.0)
    >>> apply_origerr(origin, Row({"sdobs": 0.3, "stime": 0.5, "conf": 0.9}, "db.origerr", 1))
    >>> origin.quality.standard_error, origin.time_errors.confidence_level
    (0.3, 90.0)
    """
    conf = None if row.get("conf") is None else round(row["conf"] * 100.0, 6)
    if row.get("sdobs") is not None:
        if origin.quality is None:
            origin.quality = OriginQuality()
        origin.quality.standard_error = row["sdobs"]
    if row.get("stime") is not None:
        origin.time_errors = QuantityError(uncertainty=row["stime"], confidence_level=conf)
    if row.get("sxx") is not None and row["sxx"] >= 0:
        origin.latitude_errors = QuantityError(uncertainty=kilometers2degrees(math.sqrt(row["sxx"])))
    per_degree = _lon_km_per_degree(origin.latitude)
    if row.get("syy") is not None and row["syy"] >= 0 and per_degree is not None:
        origin.longitude_errors = QuantityError(uncertainty=math.sqrt(row["syy"]) / per_degree)
    if row.get("szz") is not None and row["szz"] >= 0:
        origin.depth_errors = QuantityError(uncertainty=math.sqrt(row["szz"]) * 1000.0)
    elif row.get("sdepth") is not None:
        origin.depth_errors = QuantityError(uncertainty=row["sdepth"] * 1000.0, confidence_level=conf)
    major, minor = row.get("smajax"), row.get("sminax")
    if major is not None and major == minor and row.get("strike") is None:
        origin.origin_uncertainty = OriginUncertainty(
            horizontal_uncertainty=major * 1000.0, preferred_description=_CIRCLE, confidence_level=conf
        )
    elif major is not None or minor is not None:
        origin.origin_uncertainty = OriginUncertainty(
            max_horizontal_uncertainty=None if major is None else major * 1000.0,
            min_horizontal_uncertainty=None if minor is None else minor * 1000.0,
            azimuth_max_horizontal_uncertainty=row.get("strike"),
            preferred_description=_ELLIPSE,
            confidence_level=conf,
        )


def uncertainty(errors: Any) -> float | None:
    """``errors.uncertainty`` (a QuantityError's), or None without errors."""
    return None if errors is None else errors.uncertainty


def origerr_row(origin: Origin, orid: int) -> dict[str, Any] | None:
    """The origerr row of ``origin`` (``None`` when it has no uncertainty CSS can hold).

    Examples
    --------
    >>> origin = Origin(latitude=0.0, longitude=0.0, depth_errors=QuantityError(uncertainty=2000.0))
    >>> origerr_row(origin, 7)["szz"]
    4.0
    """
    row: dict[str, Any] = {"orid": orid}
    conf = None
    if origin.quality is not None and origin.quality.standard_error is not None:
        row["sdobs"] = origin.quality.standard_error
    if uncertainty(origin.time_errors) is not None:
        row["stime"] = origin.time_errors.uncertainty
        conf = origin.time_errors.confidence_level
    lat_err = uncertainty(origin.latitude_errors)
    if lat_err is not None and origin.latitude_errors.confidence_level is None:
        row["sxx"] = degrees2kilometers(lat_err) ** 2
    lon_err = uncertainty(origin.longitude_errors)
    per_degree = _lon_km_per_degree(origin.latitude)
    if lon_err is not None and per_degree is not None and origin.longitude_errors.confidence_level is None:
        row["syy"] = (lon_err * per_degree) ** 2
    depth_err = uncertainty(origin.depth_errors)
    if depth_err is not None:
        if origin.depth_errors.confidence_level is None:
            row["szz"] = (depth_err / 1000.0) ** 2
        else:
            row["sdepth"] = depth_err / 1000.0
            conf = conf if conf is not None else origin.depth_errors.confidence_level
    ou = origin.origin_uncertainty
    if ou is not None and (
        ou.max_horizontal_uncertainty is not None or ou.min_horizontal_uncertainty is not None
    ):
        row["smajax"] = (
            None if ou.max_horizontal_uncertainty is None else ou.max_horizontal_uncertainty / 1000.0
        )
        row["sminax"] = (
            None if ou.min_horizontal_uncertainty is None else ou.min_horizontal_uncertainty / 1000.0
        )
        row["strike"] = ou.azimuth_max_horizontal_uncertainty
        conf = ou.confidence_level if ou.confidence_level is not None else conf
    elif ou is not None and ou.horizontal_uncertainty is not None:
        row["smajax"] = row["sminax"] = ou.horizontal_uncertainty / 1000.0
        conf = ou.confidence_level if ou.confidence_level is not None else conf
    if len(row) == 1:
        return None
    if conf is not None:
        row["conf"] = conf / 100.0
    return row
