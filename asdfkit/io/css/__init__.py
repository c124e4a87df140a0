"""CSS3.0 / css3.1 flat-file databases (Antelope, pisces): read and write.

Reading: :func:`read_css` (a :class:`CssReader`: ``traces()``, ``inventory()``,
``events()``, ``report``).  Writing: :class:`CssWriter` / :func:`write_css`.
With an open ASDF file: :func:`css_to_asdf`, :func:`asdf_to_css`.
See docs/css.md for the mapping and what does not survive a round trip.
"""

from .asdf import asdf_to_css, css_to_asdf
from .reader import CssReader, read_css
from .report import CssReport, Disagreement, Issue, MissingFile
from .writer import CssWriter, write_css

__all__ = [
    "CssReader",
    "CssReport",
    "CssWriter",
    "Disagreement",
    "Issue",
    "MissingFile",
    "asdf_to_css",
    "css_to_asdf",
    "read_css",
    "write_css",
]
