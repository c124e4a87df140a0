"""Load a station function named on the command line: ``module:function`` or ``file.py:function``."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

from ..errors import BatchError
from .worker import StationFunction

__all__ = ["load_function"]


def load_function(spec: str) -> StationFunction:
    """Import ``package.module:function`` or ``path/to/script.py:function``.

    A script is imported as a module named after its file, so process-pool
    workers (forked from the driver) find it; Dask workers on other machines
    need an importable module instead.

    Examples
    --------
    >>> load_function("asdfkit.batch.recipe:Recipe").__name__
    'Recipe'
    """
    target, sep, name = spec.rpartition(":")
    if not sep or not target or not name.isidentifier():
        raise BatchError(f"invalid function {spec!r}: must be module:function or file.py:function")
    if target.endswith(".py"):
        path = Path(target)
        if not path.is_file():
            raise BatchError(f"invalid function {spec!r}: no such file {target!r}")
        module_name = path.stem
        known = sys.modules.get(module_name)
        known_file = getattr(known, "__file__", None)
        if known is not None and known_file and Path(known_file).resolve() == path.resolve():
            module = known  # already imported (by name or by path): the same functions, so they pickle
        else:
            loaded = importlib.util.spec_from_file_location(module_name, path)
            if loaded is None or loaded.loader is None:
                raise BatchError(f"invalid function {spec!r}: cannot import {target!r}")
            module = importlib.util.module_from_spec(loaded)
            sys.modules[module_name] = module
            loaded.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(target)
        except ImportError as exc:
            raise BatchError(f"invalid function {spec!r}: cannot import module {target!r}: {exc}") from exc
    function = getattr(module, name, None)
    if not callable(function):
        raise BatchError(f"invalid function {spec!r}: {target!r} has no callable {name!r}")
    return function  # type: ignore[no-any-return]
