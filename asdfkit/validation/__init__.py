"""The ASDF validator: named rules, small checks, a report of findings.

>>> import asdfkit
>>> report = asdfkit.validate("example.h5")                 # doctest: +SKIP
>>> [str(f) for f in report.errors]                         # doctest: +SKIP

``asdfkit.validate`` is the function, and only that (``import asdfkit.validate`` gives no
module); the package is ``asdfkit.validation``: ``from asdfkit.validation import rules``.
"""

from .engine import validate
from .report import EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE, Finding, Report
from .rules import RULES, Rule, RuleSelection, Severity, markdown_table

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "RULES",
    "Finding",
    "Report",
    "Rule",
    "RuleSelection",
    "Severity",
    "markdown_table",
    "validate",
]
