"""Value objects of the alignment algorithms: inputs, parameters, results.

The algorithms (:mod:`asdfkit.alignment.iccs`, :mod:`asdfkit.alignment.mccc`)
work on plain numpy arrays.  Their input is anything that satisfies the
:class:`Seismogram` protocol; their results are frozen dataclasses whose
``status`` says how the run ended — "did not converge" is a status, never an
exception and never a silent zero.

Times are float seconds relative to a reference instant chosen by the caller
(the ASDF layer uses the event's origin time), so that picks keep sub-
microsecond precision in float64.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "AlignmentParams",
    "ICCSResult",
    "ICCSStatus",
    "MCCCResult",
    "MCCCStatus",
    "Seismogram",
    "SimpleSeismogram",
]


@runtime_checkable
class Seismogram(Protocol):
    """What the algorithms need to know about one trace: the read-only properties below."""

    @property
    def data(self) -> NDArray[np.floating] | NDArray[np.integer]:
        """Samples, 1-D."""

    @property
    def begin(self) -> float:
        """Time of the first sample, seconds relative to the caller's reference."""

    @property
    def delta(self) -> float:
        """Sampling interval in seconds."""

    @property
    def t0(self) -> float:
        """Initial pick (immutable input), seconds relative to the reference."""

    @property
    def t1(self) -> float | None:
        """Working pick, or ``None`` before the first alignment (the effective pick is then ``t0``)."""

    @property
    def flip(self) -> bool:
        """Polarity reversed."""

    @property
    def select(self) -> bool:
        """Trace included in the stack."""


@dataclass(frozen=True)
class SimpleSeismogram:
    """A minimal concrete :class:`Seismogram` (tests, benchmarks, the file layer)."""

    data: NDArray[np.floating] | NDArray[np.integer]
    begin: float
    delta: float
    t0: float
    t1: float | None = None
    flip: bool = False
    select: bool = True


@dataclass(frozen=True)
class AlignmentParams:
    """Every parameter of an ICCS/MCCC run, with AIMBAT's defaults.

    ``ramp_width=None`` means 0.1 x window length.  ``max_shift=None`` means a
    bound derived from the window (never from the data): a quarter of the
    window length.  Bandpass is applied by the caller (the file layer), not
    by the array algorithms; it is recorded here so that a stored run lists
    every parameter used.
    """

    window_pre: float = -15.0
    window_post: float = 15.0
    ramp_width: float | None = None
    max_shift: float | None = None
    autoflip: bool = False
    autoselect: bool = False
    min_cc: float = 0.5
    max_iterations: int = 10
    convergence: float = 1e-5
    mccc_min_cc: float = 0.5
    mccc_damp: float = 0.1
    mccc_weighting: str = "aimbat"  # "aimbat" (cc^2 weights, damped) or "vandecar" (unweighted)
    mccc_block_pairs: int = 20000  # pair correlations computed this many at a time
    bandpass: tuple[float, float] | None = None
    bandpass_corners: int = 2

    @property
    def window_length(self) -> float:
        """Length of the time window in seconds (``window_post - window_pre``)."""
        return self.window_post - self.window_pre

    @property
    def effective_ramp_width(self) -> float:
        """Taper ramp width in seconds: ``ramp_width``, or 10 % of the window when unset."""
        return 0.1 * self.window_length if self.ramp_width is None else self.ramp_width

    @property
    def effective_max_shift(self) -> float:
        """Largest allowed lag in seconds: ``max_shift``, or 25 % of the window when unset."""
        return 0.25 * self.window_length if self.max_shift is None else self.max_shift


class ICCSStatus(enum.Enum):
    """How an ICCS run ended (``ICCSResult.status``)."""

    CONVERGED = "converged"
    MAX_ITERATIONS = "max_iterations"  # stack still changing after max_iterations
    ALL_DESELECTED = "all_deselected"  # autoselect would drop every trace; selection kept
    NO_SIGNAL = "no_signal"  # every windowed trace is flat/zero


class MCCCStatus(enum.Enum):
    """How an MCCC solve ended (``MCCCResult.status``)."""

    SOLVED = "solved"
    PARTIAL = "partial"  # some traces had no pair above threshold: their times are NaN
    NO_PAIRS = "no_pairs"  # no pair above mccc_min_cc: nothing solved, all times NaN
    TOO_FEW_TRACES = "too_few_traces"  # fewer than 2 (3 for the residual error) traces


@dataclass(frozen=True)
class ICCSResult:
    """Outcome of ICCS.  Arrays are per input trace, in input order."""

    t1: NDArray[np.float64]
    flip: NDArray[np.bool_]
    select: NDArray[np.bool_]
    cc: NDArray[np.float64]  # iccs_cc: zero-lag Pearson r with the final stack
    stack: NDArray[np.float64]  # final stack on the window's time axis
    stack_time: NDArray[np.float64]  # seconds relative to the pick, same length as stack
    status: ICCSStatus
    iterations: int
    history: tuple[float, ...]  # 1 - r(stack_new, stack_old) per iteration
    params: AlignmentParams
    messages: tuple[str, ...] = field(default=())
    at_bound: NDArray[np.bool_] | None = None  # picks held at the shift bound (max_shift or data end)


@dataclass(frozen=True)
class MCCCResult:
    """Outcome of MCCC.  Arrays are per input trace, in input order.

    ``t1`` is the refined pick (input pick + relative delay); ``error`` is the
    estimator chosen by ``params.mccc_weighting`` and both estimators are kept.
    Traces not solved carry NaN, never zero.
    """

    t1: NDArray[np.float64]
    delay: NDArray[np.float64]  # relative times t_i, zero mean over solved traces
    error: NDArray[np.float64]
    error_residual: NDArray[np.float64]  # VanDecar & Crosson
    error_covariance: NDArray[np.float64]  # AIMBAT v2 (covariance diagonal)
    cc_mean: NDArray[np.float64]
    cc_std: NDArray[np.float64]
    rmse: float
    pairs_used: int
    status: MCCCStatus
    params: AlignmentParams
    messages: tuple[str, ...] = field(default=())
    pairs_total: int = 0  # pairs correlated (used or not)
    solved: NDArray[np.bool_] | None = None  # traces with a solved time (the others are NaN)
