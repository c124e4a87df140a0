"""The public API is defined and documented.

Every public package has an ``__all__``; every name in it exists; every exported function,
class, and public method or property of an exported class has a docstring (the API reference
in docs/api.md is generated from them).
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import inspect
from pathlib import Path
from types import ModuleType
from typing import Any

import click
import pytest

ROOT = Path(__file__).resolve().parents[1]
# Every package of asdfkit is public (a new or renamed one is checked without editing this list),
# and so are the two modules whose names are part of the API.
PUBLIC_PACKAGES = (
    *sorted(
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "asdfkit").rglob("__init__.py")
        if not any(part.startswith("_") for part in init.parent.relative_to(ROOT).parts)
    ),
    "asdfkit.errors",
    "asdfkit.times",
)


def _module(name: str) -> ModuleType:
    # ``asdfkit.validate`` is also the name of the function the top-level package exports.
    return importlib.import_module(name)


def _has_docstring(obj: Any) -> bool:
    if isinstance(obj, click.Command):
        return bool((obj.help or "").strip())
    doc = obj.__doc__ if (inspect.isclass(obj) or inspect.isroutine(obj)) else None
    if not doc or not doc.strip():
        return False
    # A dataclass without a docstring gets "Name(field: type, ...)" written for it.
    return not (inspect.isclass(obj) and dataclasses.is_dataclass(obj) and doc.startswith(f"{obj.__name__}("))


def _members(cls: type) -> list[tuple[str, Any]]:
    """Public methods and properties defined by ``cls`` or its asdfkit base classes."""
    seen: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if not klass.__module__.startswith("asdfkit"):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_"):
                continue
            if isinstance(value, property):
                seen[name] = value.fget
            elif isinstance(value, (classmethod, staticmethod)):
                seen[name] = value.__func__
            elif inspect.isfunction(value):
                seen[name] = value
            elif hasattr(value, "func") and inspect.isfunction(value.func):  # functools.cached_property
                seen[name] = value.func
    return sorted(seen.items())


def _exports(package: str) -> list[tuple[str, Any]]:
    module = _module(package)
    return [(name, getattr(module, name, _MISSING)) for name in module.__all__]


_MISSING = object()


@pytest.mark.parametrize("package", PUBLIC_PACKAGES)
def test_every_public_package_has_a_docstring_and_an_all(package: str) -> None:
    module = _module(package)
    assert (module.__doc__ or "").strip(), f"{package} has no module docstring"
    assert isinstance(getattr(module, "__all__", None), list), f"{package} has no __all__ list"
    assert len(set(module.__all__)) == len(module.__all__), f"{package}.__all__ names a name twice"


@pytest.mark.parametrize("package", PUBLIC_PACKAGES)
def test_every_name_in_all_exists(package: str) -> None:
    missing = [name for name, obj in _exports(package) if obj is _MISSING]
    assert not missing, f"{package}.__all__ names what the package does not define: {missing}"


@pytest.mark.parametrize("package", PUBLIC_PACKAGES)
def test_every_public_name_has_a_docstring(package: str) -> None:
    undocumented = []
    for name, obj in _exports(package):
        if obj is _MISSING or not (inspect.isclass(obj) or inspect.isroutine(obj) or isinstance(obj, click.Command)):
            continue  # constants such as __version__ or a rule table are documented where defined
        if not _has_docstring(obj):
            undocumented.append(name)
        if inspect.isclass(obj) and not issubclass(obj, (enum.Enum, BaseException)):
            undocumented += [f"{name}.{member}" for member, func in _members(obj) if not _has_docstring(func)]
    assert not undocumented, f"{package}: public names without a docstring: {undocumented}"


def test_the_walk_catches_an_undocumented_method() -> None:
    @dataclasses.dataclass
    class Plain:
        value: int

        def shown(self) -> int:
            return self.value

    Plain.__module__ = "asdfkit.fake"
    assert not _has_docstring(Plain)
    assert [name for name, func in _members(Plain) if not _has_docstring(func)] == ["shown"]


def test_the_io_names_load_on_first_use_and_unknown_names_fail() -> None:
    io = _module("asdfkit.io")
    from asdfkit.io.convert import convert_to_asdf

    assert io.convert_to_asdf is convert_to_asdf
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = io.no_such_name
    assert set(io.__all__) <= set(dir(io))


def test_the_packages_are_found() -> None:
    assert {"asdfkit", "asdfkit.container", "asdfkit.io.css", "asdfkit.cli"} <= set(PUBLIC_PACKAGES)
    assert len(PUBLIC_PACKAGES) >= 11


def test_the_api_reference_names_every_public_package() -> None:
    api = (ROOT / "docs" / "api.md").read_text()
    for package in PUBLIC_PACKAGES:
        assert f"automodule:: {package}\n" in api, f"docs/api.md does not document {package}"


def test_one_name_one_thing_the_validate_function_and_the_validation_package() -> None:
    import importlib.util

    import asdfkit

    assert callable(asdfkit.validate) and asdfkit.validate.__module__ == "asdfkit.validation.engine"
    assert importlib.util.find_spec("asdfkit.validate") is None  # no module hides behind the function
    assert importlib.import_module("asdfkit.validation.rules").RULES
