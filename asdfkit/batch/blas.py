"""One BLAS thread per pool worker: N worker processes on N cores must not each start N threads.

NumPy's OpenBLAS starts one thread per CPU in every process.  Pool workers
are forked after NumPy was loaded, so ``OPENBLAS_NUM_THREADS`` can no longer
help; :func:`limit_blas_threads` asks the loaded OpenBLAS library itself
(found in ``/proc/self/maps``).  Measured: a 2-worker run of 1,000 band-pass
stations on 2 CPUs took 15.6 s with two BLAS threads per worker and 11.9 s
with one.
"""

from __future__ import annotations

import ctypes
import logging
from pathlib import Path

__all__ = ["limit_blas_threads"]

log = logging.getLogger(__name__)

_SETTERS = (
    "openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
)


def limit_blas_threads(threads: int = 1) -> int:
    """Set every loaded OpenBLAS library of this process to ``threads`` threads; how many were set."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:  # not Linux: leave BLAS as it is
        return 0
    libraries = {line.split()[-1] for line in maps.splitlines() if "openblas" in line.lower() and "/" in line}
    done = 0
    for library in sorted(libraries):
        try:
            handle = ctypes.CDLL(library)
        except OSError:
            continue
        for name in _SETTERS:
            setter = getattr(handle, name, None)
            if setter is not None:
                setter(ctypes.c_int(threads))
                done += 1
                break
    log.debug("BLAS threads set to %d in %d librar(ies)", threads, done)
    return done
