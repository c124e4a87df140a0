"""Machine-readable schemas shipped with asdfkit (installed as ``asdfkit.schemas``)."""
