"""The single place that defines asdfkit's version."""

__version__ = "0.1.0"
