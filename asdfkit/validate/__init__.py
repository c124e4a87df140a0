"""The ASDF validator: named rules, small checks, a report of findings.

>>> import asdfkit
>>> report = asdfkit.validate("example.h5")                 # doctest: +SKIP
>>> [str(f) for f in report.errors]                         # doctest: +SKIP

Import submodules with ``from asdfkit.validate import rules`` (``asdfkit.validate``
as an attribute of the package is the function).
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
