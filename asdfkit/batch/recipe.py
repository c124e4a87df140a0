"""Declarative processing recipes (TOML or JSON): ObsPy steps without Python.

A recipe is a list of steps, each an ObsPy ``Stream`` method with keyword
parameters.  ObsPy records every call in ``trace.stats.processing``, which
asdfkit turns into SEIS-PROV when the result is stored, so a recipe run is
documented without any extra work::

    # bandpass.toml
    tag = "bandpass"            # output tag (optional)
    input_tag = "raw_recording" # optional

    [[steps]]
    op = "detrend"
    type = "linear"

    [[steps]]
    op = "taper"
    max_percentage = 0.05

    [[steps]]
    op = "filter"
    type = "bandpass"
    freqmin = 0.01
    freqmax = 0.1
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from obspy import Inventory, Stream, UTCDateTime

from ..errors import RecipeError

__all__ = ["STEPS", "Recipe", "Step"]

_NUMBER = (int, float)
_TEXT = (str,)
_FLAG = (bool,)
_ANY = (int, float, str, bool, list)

# op -> {parameter: allowed types}; required parameters are listed in _REQUIRED.
STEPS: dict[str, dict[str, tuple[type, ...]]] = {
    "detrend": {"type": _TEXT},
    "taper": {"max_percentage": _NUMBER, "type": _TEXT, "max_length": _NUMBER, "side": _TEXT},
    "filter": {
        "type": _TEXT,
        "freq": _NUMBER,
        "freqmin": _NUMBER,
        "freqmax": _NUMBER,
        "corners": (int,),
        "zerophase": _FLAG,
    },
    "decimate": {"factor": (int,), "no_filter": _FLAG, "strict_length": _FLAG},
    "resample": {"sampling_rate": _NUMBER, "window": _TEXT, "no_filter": _FLAG, "strict_length": _FLAG},
    "interpolate": {"sampling_rate": _NUMBER, "method": _TEXT, "npts": (int,), "time_shift": _NUMBER},
    "remove_response": {
        "output": _TEXT,
        "water_level": _NUMBER,
        "pre_filt": (list,),
        "zero_mean": _FLAG,
        "taper": _FLAG,
        "taper_fraction": _NUMBER,
    },
    "remove_sensitivity": {},
    "trim": {
        "starttime": _TEXT,
        "endtime": _TEXT,
        "pad": _FLAG,
        "fill_value": _NUMBER,
        "nearest_sample": _FLAG,
    },
    "merge": {"method": (int,), "fill_value": _ANY, "interpolation_samples": (int,)},
    "normalize": {"global_max": _FLAG},
}
_REQUIRED = {
    "filter": ("type",),
    "decimate": ("factor",),
    "resample": ("sampling_rate",),
    "interpolate": ("sampling_rate",),
    "taper": ("max_percentage",),
}
_NEEDS_INVENTORY = {"remove_response", "remove_sensitivity"}


@dataclass(frozen=True)
class Step:
    """One recipe step: a ``Stream`` method and its keyword parameters."""

    op: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def parse(cls, raw: Mapping[str, Any], number: int) -> Step:
        """Check one ``{"op": ..., **params}`` table against :data:`STEPS`."""
        if not isinstance(raw, Mapping) or "op" not in raw:
            raise RecipeError(f"invalid recipe step {number} {raw!r}: must be a table with an 'op' key")
        op = raw["op"]
        if op not in STEPS:
            raise RecipeError(
                f"invalid recipe step {number} op {op!r}: must be one of {', '.join(sorted(STEPS))}"
            )
        allowed = STEPS[op]
        params = {k: v for k, v in raw.items() if k != "op"}
        for key, value in params.items():
            if key not in allowed:
                names = ", ".join(sorted(allowed)) or "none"
                raise RecipeError(
                    f"invalid parameter {key!r} of recipe step {number} ({op}): allowed: {names}"
                )
            types = allowed[key]
            if isinstance(value, bool) and bool not in types and types is not _ANY:
                raise RecipeError(
                    f"invalid {op}.{key} = {value!r} (step {number}): must be {types[0].__name__}"
                )
            if not isinstance(value, types):
                kinds = " or ".join(t.__name__ for t in types)
                raise RecipeError(f"invalid {op}.{key} = {value!r} (step {number}): must be {kinds}")
            if key in ("starttime", "endtime"):
                try:
                    UTCDateTime(value)
                except (ValueError, TypeError) as exc:
                    raise RecipeError(
                        f"invalid {op}.{key} = {value!r} (step {number}): not a time: {exc}"
                    ) from exc
        missing = [k for k in _REQUIRED.get(op, ()) if k not in params]
        if missing:
            raise RecipeError(
                f"invalid recipe step {number} ({op}): missing required parameter {missing[0]!r}"
            )
        return cls(op, tuple(sorted(params.items())))

    def apply(self, stream: Stream, inventory: Inventory) -> Stream:
        """Run the step on ``stream`` in place (ObsPy records it in the processing history)."""
        params = dict(self.params)
        for key in ("starttime", "endtime"):
            if key in params:
                params[key] = UTCDateTime(params[key])
        if self.op in _NEEDS_INVENTORY:
            params["inventory"] = inventory
        result = getattr(stream, self.op)(**params)
        return result if isinstance(result, Stream) else stream


@dataclass(frozen=True)
class Recipe:
    """A processing pipeline: call it as ``recipe(stream, inventory)``.

    Examples
    --------
    >>> import obspy
    >>> r = Recipe.from_dict({"steps": [{"op": "detrend", "type": "linear"},
    ...                                 {"op": "filter", "type": "lowpass", "freq": 5.0}]})
    >>> st = r(obspy.read(), obspy.Inventory())
    >>> len(st[0].stats.processing)
    2
    """

    steps: tuple[Step, ...]
    tag: str | None = None
    input_tag: str | None = None
    name: str = "recipe"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Recipe:
        """Build from the parsed TOML/JSON document."""
        if not isinstance(data, Mapping):
            raise RecipeError(f"invalid recipe {data!r}: must be a table with a 'steps' list")
        unknown = sorted(set(data) - {"steps", "tag", "input_tag", "name"})
        if unknown:
            raise RecipeError(f"invalid recipe key {unknown[0]!r}: allowed: input_tag, name, steps, tag")
        steps = data.get("steps")
        if not isinstance(steps, Sequence) or isinstance(steps, str) or not steps:
            raise RecipeError(f"invalid recipe steps {steps!r}: must be a non-empty list of tables")
        for key in ("tag", "input_tag", "name"):
            if key in data and not isinstance(data[key], str):
                raise RecipeError(f"invalid recipe {key} {data[key]!r}: must be a string")
        return cls(
            tuple(Step.parse(s, i + 1) for i, s in enumerate(steps)),
            data.get("tag"),
            data.get("input_tag"),
            data.get("name", "recipe"),
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Recipe:
        """Read a ``.toml`` or ``.json`` recipe file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RecipeError(f"cannot read recipe {str(path)!r}: {exc.strerror}") from exc
        try:
            data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
        except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
            raise RecipeError(f"invalid recipe {str(path)!r}: {exc}") from exc
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """The recipe as a dictionary that :meth:`from_dict` reads back."""
        out: dict[str, Any] = {
            "name": self.name,
            "steps": [{"op": s.op, **dict(s.params)} for s in self.steps],
        }
        if self.tag:
            out["tag"] = self.tag
        if self.input_tag:
            out["input_tag"] = self.input_tag
        return out

    @property
    def fingerprint(self) -> str:
        """A short hash of the steps (identifies the job in a work folder)."""
        text = json.dumps([{"op": s.op, **dict(s.params)} for s in self.steps], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def __call__(self, stream: Stream, inventory: Inventory) -> Stream:
        for step in self.steps:
            stream = step.apply(stream, inventory)
        return stream
