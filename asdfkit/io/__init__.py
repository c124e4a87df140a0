"""Format adapters: one subpackage or module per foreign format (sniff, read, write).

The public names below are imported on first use, so ``import asdfkit.io`` stays cheap.
:mod:`asdfkit.io.css` (CSS3.0 flat-file databases) is a public subpackage with its own
``__all__``; every other module here is an implementation detail.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .codeproposal import TemplateReport, codes_template
    from .codes import original_ids
    from .convert import ConvertOptions, ConvertReport, convert_to_asdf
    from .export import ExportReport, export

__all__ = [
    "ConvertOptions",
    "ConvertReport",
    "ExportReport",
    "TemplateReport",
    "codes_template",
    "convert_to_asdf",
    "export",
    "original_ids",
]

_HOME = {
    "ConvertOptions": "convert",
    "ConvertReport": "convert",
    "convert_to_asdf": "convert",
    "ExportReport": "export",
    "export": "export",
    "TemplateReport": "codeproposal",
    "codes_template": "codeproposal",
    "original_ids": "codes",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
