"""SEIS-PROV chains from ObsPy's processing history (``trace.stats.processing``).

ObsPy records each processing call as a string such as
``"ObsPy 1.5.1: detrend(options={}::type='linear')"``.  :func:`parse_step`
reads one such string; :func:`chain_from_trace` turns a trace's whole history
into SEIS-PROV records: the ObsPy software agent, the input waveform, one
activity per step and one waveform entity per intermediate result.  Steps with
no SEIS-PROV type (or with parameters the type cannot hold) become plain PROV
activities in asdfkit's namespace carrying every recorded parameter, so no step
is ever dropped.  This is the processing-chain idea of ASDF's ancestor, SDF.
"""

from __future__ import annotations

import ast
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from obspy import Trace, UTCDateTime
from prov.model import QualifiedName

from ..errors import InvalidValueError
from .builder import ProvenanceBuilder

__all__ = ["ProcessingStep", "chain_from_trace", "parse_step"]

_STEP = re.compile(r"^(?P<software>[^:]+?)\s+(?P<version>\S+):\s*(?P<name>\w+)\((?P<args>.*)\)\s*$", re.S)
_UTC = re.compile(r"UTCDateTime\(([^)]*)\)")
_UNITS = {"DISP": "m", "VEL": "m/s", "ACC": "m/s**2", "DEF": None}
_INTERPOLATION = {
    "weighted_average_slopes": "weighted average slopes", "linear": "linear", "nearest": "nearest",
    "slinear": "linear spline", "quadratic": "quadratic spline", "cubic": "cubic spline",
}


@dataclass(frozen=True)
class ProcessingStep:
    """One entry of ``trace.stats.processing``, parsed."""

    software: str
    version: str
    name: str
    parameters: dict[str, Any] = field(default_factory=dict)
    text: str = ""


# CPython before 3.11.8/3.12.1 counts the depth of AST conversions in one global, so two
# threads parsing at once can fail with "SystemError: AST constructor recursion depth
# mismatch" (python/cpython#106905); batch runs on Dask threads parse processing strings
# concurrently.  Parsing is cheap: one parse at a time costs nothing measurable.
_AST_LOCK = threading.Lock()


def _literal(text: str) -> Any:
    with _AST_LOCK:
        return ast.literal_eval(text)


def _value(text: str) -> Any:
    text = text.strip()
    match = _UTC.fullmatch(text)
    if match:
        try:
            args = _literal(f"({match.group(1)},)")
            return UTCDateTime(*args)
        except (ValueError, SyntaxError, TypeError):
            return text
    try:
        return _literal(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text  # e.g. "<obspy...Inventory object at 0x...>"


def parse_step(text: str) -> ProcessingStep:
    """Parse one ObsPy processing string.

    Examples
    --------
    >>> step = parse_step("ObsPy 1.5.1: detrend(options={}::type='linear')")
    >>> step.name, step.parameters["type"]
    ('detrend', 'linear')
    """
    match = _STEP.match(text)
    if match is None:
        raise InvalidValueError(f"invalid processing entry {text!r}: expected 'Software X.Y: name(args)'")
    params: dict[str, Any] = {}
    args = match["args"].strip()
    if args:
        for part in args.split("::"):
            key, sep, raw = part.partition("=")
            if not sep:
                params.setdefault("args", []).append(_value(key))
                continue
            params[key.strip()] = _value(raw)
    options = params.pop("options", None)
    if isinstance(options, dict):
        params = {**params, **options}
    return ProcessingStep(match["software"].strip(), match["version"], match["name"], params, text)


Mapped = tuple[str, dict[str, Any]]


def _detrend(p: dict[str, Any]) -> Mapped | None:
    method = {"linear": "linear fit", "demean": "demean", "constant": "demean", "simple": "simple"}.get(
        str(p.get("type")))
    if method is None or set(p) - {"type"}:
        return None
    return "detrend", {"detrending_method": method}


def _taper(p: dict[str, Any]) -> Mapped | None:
    if p.get("max_length") is not None:
        return None
    return "taper", {"window_type": str(p.get("type", "hann")), "taper_width": p.get("max_percentage"),
                     "side": str(p.get("side", "both"))}


def _filter(p: dict[str, Any]) -> Mapped | None:
    kind = p.get("type")
    known = {"type", "args", "freq", "freqmin", "freqmax", "corners", "zerophase", "df"}
    if set(p) - known or p.get("args"):
        return None
    common = {"filter_type": "Butterworth", "filter_order": p.get("corners", 4),
              "number_of_passes": 2 if p.get("zerophase") else 1}
    if kind == "bandpass":
        return "bandpass_filter", {**common, "lower_corner_frequency": p.get("freqmin"),
                                   "upper_corner_frequency": p.get("freqmax")}
    if kind == "bandstop":  # the profile spells it 'uppoer_corner_frequency'
        return "bandstop_filter", {**common, "lower_corner_frequency": p.get("freqmin"),
                                   "uppoer_corner_frequency": p.get("freqmax")}
    if kind in ("lowpass", "highpass"):
        return f"{kind}_filter", {**common, "corner_frequency": p.get("freq")}
    return None


def _interpolate(p: dict[str, Any]) -> Mapped | None:
    method = _INTERPOLATION.get(str(p.get("method")))
    if method is None or p.get("time_shift") not in (None, 0, 0.0) or p.get("args"):
        return None
    return "interpolate", {"interpolation_method": method, "new_sampling_rate": p.get("sampling_rate"),
                           "new_start_time": p.get("starttime"), "new_number_of_samples": p.get("npts")}


def _trim(p: dict[str, Any]) -> Mapped | None:
    if p.get("pad"):
        if p.get("fill_value") is None:
            return None
        return "pad", {"fill_value": p["fill_value"], "new_start_time": p.get("starttime"),
                       "new_end_time": p.get("endtime")}
    return "cut", {"new_start_time": p.get("starttime"), "new_end_time": p.get("endtime")}


def _remove_response(p: dict[str, Any]) -> Mapped | None:
    if p.get("pre_filt") is not None or p.get("output", "VEL") not in _UNITS:
        return None
    return "remove_response", {"water_level": p.get("water_level"), "output_units": _UNITS[p.get("output", "VEL")]}


def _rotate(p: dict[str, Any]) -> Mapped | None:
    method = p.get("method")
    if method not in ("NE->RT", "RT->NE", "ZNE->LQT", "LQT->ZNE"):
        return None
    return "rotate", {"method": method}


_MAPPERS: dict[str, Callable[[dict[str, Any]], Mapped | None]] = {
    "detrend": _detrend,
    "taper": _taper,
    "filter": _filter,
    "decimate": lambda p: ("decimate", {"factor": p.get("factor")}) if not p.get("no_filter") else None,
    "resample": lambda p: ("resample", {"new_sampling_rate": p.get("sampling_rate"),
                                        "frequency_domain_window": str(p.get("window", "hann"))}),
    "interpolate": _interpolate,
    "trim": _trim,
    "cut": _trim,
    "remove_response": _remove_response,
    "rotate": _rotate,
    "differentiate": lambda p: ("differentiate", {"order": 1, "differentiation_method": str(p.get("method", "gradient"))}),
    "integrate": lambda p: ("integrate", {"order": 1, "integration_method": str(p.get("method", "cumtrapz"))}),
    "normalize": lambda p: ("normalize", {"normalization_method": "absolute maximum" if p.get("norm") is None
                                          else f"divide by {p['norm']}"}),
    "multiply": lambda p: ("multiply", {"factor": p.get("factor")}),
    "divide": lambda p: ("divide", {"divisor": p.get("divisor", p.get("factor"))}),
}


def map_step(step: ProcessingStep) -> Mapped | None:
    """``(seis_prov activity type, attributes)`` of a step, or None if it has no exact type."""
    mapper = _MAPPERS.get(step.name)
    if mapper is None:
        return None
    try:
        return mapper(dict(step.parameters))
    except (TypeError, ValueError, KeyError):
        return None


def _plain_params(step: ProcessingStep) -> dict[str, Any]:
    out: dict[str, Any] = {"software": f"{step.software} {step.version}", "call": step.text}
    for key, value in step.parameters.items():
        if isinstance(value, (str, int, float, bool)) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            out[key] = value
        elif value is not None and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            out[key] = str(value)
    return out


def _waveform_attrs(trace: Trace) -> dict[str, Any]:
    stats = trace.stats
    seed = trace.id
    attrs: dict[str, Any] = {"start_time": stats.starttime, "number_of_samples": int(stats.npts) or None,
                             "sampling_rate": float(stats.sampling_rate)}
    if re.fullmatch(r"[A-Z0-9]{1,2}\.[A-Z0-9]{1,5}\.[A-Z0-9]{0,2}\.[A-Z0-9]{3}", seed):
        attrs["seed_id"] = seed
    if stats.channel[-1:] in ("Z", "N", "E", "R", "T"):
        attrs["component"] = stats.channel[-1]
    return attrs


def chain_from_trace(
    trace: Trace,
    builder: ProvenanceBuilder | None = None,
    *,
    source: QualifiedName | None = None,
) -> tuple[ProvenanceBuilder, QualifiedName]:
    """Build the SEIS-PROV chain of a processed trace.

    Parameters
    ----------
    trace : obspy.Trace
        A trace whose ``stats.processing`` lists the steps it went through.
    builder : ProvenanceBuilder, optional
        Add to this document (one document can hold the chains of many traces).
    source : QualifiedName, optional
        The entity of the unprocessed data, if already in the document;
        otherwise a ``waveform_trace`` entity for it is created.

    Returns
    -------
    (builder, entity id)
        The id of the entity describing the processed trace (use it as the
        trace's ``provenance_id``).
    """
    builder = builder if builder is not None else ProvenanceBuilder()
    steps = [parse_step(text) for text in trace.stats.get("processing", [])]
    agents: dict[tuple[str, str], QualifiedName] = {}
    current = source
    if current is None:
        base: dict[str, Any] = {"seed_id": _waveform_attrs(trace).get("seed_id")}
        current = builder.entity("waveform_trace", description="unprocessed input", **base)
    for step in steps:
        key = (step.software, step.version)
        if key not in agents:
            website = "https://www.obspy.org" if step.software == "ObsPy" else "https://example.invalid"
            agents[key] = builder.software_agent(step.software, step.version, website)
        mapped = map_step(step)
        if mapped is not None:
            try:
                activity = builder.activity(mapped[0], used=[current], agent=agents[key], **mapped[1])
            except InvalidValueError:
                mapped = None
        if mapped is None:
            activity = builder.custom("activity", f"obspy_{step.name.lower()}"[:40],
                                      attributes=_plain_params(step))
            builder.used(activity, current)
            builder.associated(activity, agents[key])
        described: dict[str, Any] = (
            _waveform_attrs(trace) if step is steps[-1] else {"seed_id": _waveform_attrs(trace).get("seed_id")}
        )
        current = builder.entity("waveform_trace", generated_by=activity, **described)
    return builder, current
