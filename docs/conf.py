"""Sphinx configuration of the asdfkit documentation (``python -m sphinx -W -b html docs OUTDIR``)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asdfkit  # noqa: E402

project = "asdfkit"
author = "asdfkit developers"
copyright = "asdfkit developers"  # noqa: A001 - Sphinx's name
release = asdfkit.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx_click",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "**/README.md"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autosummary_generate = True
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
# Type names in numpydoc sections are prose ("int or None", "array-like"), not references.
napoleon_preprocess_types = False
# ... and Sphinx would still resolve a type spelled ``path`` to whichever documented property is
# called ``path``: such prose types are no references.
suppress_warnings = ["ref.python"]
nitpicky = False

html_theme = "alabaster"
html_title = f"asdfkit {release}"
html_static_path: list[str] = []
html_theme_options = {
    "description": "ASDF seismic containers: faithful, fast, safe",
    "fixed_sidebar": True,
}


def _escape_stars(app: object, ctx: object, lines: list[str]) -> None:
    """Help texts are plain text: ``*`` (``*.SAC``) is no emphasis, ``HK_`` no reference."""
    lines[:] = [re.sub(r"(\w)_(?=\W|$)", r"\1\\_", line.replace("*", r"\*")) for line in lines]


def setup(app: object) -> None:
    for event in (
        "sphinx-click-process-description",
        "sphinx-click-process-options",
        "sphinx-click-process-arguments",
        "sphinx-click-process-envvars",
        "sphinx-click-process-epilog",
    ):
        app.connect(event, _escape_stars)  # type: ignore[attr-defined]
