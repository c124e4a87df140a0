"""Name rules copied from the ASDF format definition, independent of asdfkit.spec.

The tests check asdfkit's names against these, so that a typo in asdfkit.spec cannot make
the tests agree with it.  (A plain module, not a conftest, so tests can import it by name.)
"""

from __future__ import annotations

_T = (
    r"(18|19|20|21)\d{2}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])"
    r"T([0-1][0-9]|2[0-4]):([0-5]\d|60):[0-5]\d(\.\d{9})?"
)
#: Waveform dataset names of ASDF 1.0.2 and later.
SPEC_TRACE_REGEX = (
    r"^[A-Z0-9]{1,2}\.[A-Z0-9]{1,5}\.[A-Z0-9]{0,2}\.[A-Z0-9]{3}"
    rf"__{_T}__{_T}__[A-Za-z_0-9]+$"
)
#: Station group names.
SPEC_STATION_REGEX = r"^[A-Z0-9]{1,2}\.[A-Z0-9]{1,5}$"
