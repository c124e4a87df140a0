"""Process pools whose workers end with the process that started them.

A ``ProcessPoolExecutor`` worker whose parent is SIGKILLed (an out-of-memory
killer, a scheduler) waits forever for work.  :func:`worker_pool` starts each
worker with a watchdog thread that ends it once its parent is gone; convert's
decoders and the batch pool share it.
"""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any

__all__ = ["worker_pool"]


def _exit_with_parent(parent: int, ignore_interrupts: bool = False) -> None:
    """Worker initializer: leave when the parent is gone instead of waiting forever."""
    if ignore_interrupts:
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="asdfkit-parent-watch", daemon=True).start()


def worker_pool(max_workers: int, *, ignore_interrupts: bool = False, **options: Any) -> ProcessPoolExecutor:
    """A ``ProcessPoolExecutor`` (``options`` as its own) whose workers end with this process.

    With ``ignore_interrupts`` the workers ignore Ctrl-C (SIGINT reaches a
    terminal's whole process group): the parent decides how to stop, and a
    worker is never interrupted inside C code that cannot take the exception
    (ObsPy's miniSEED reader then prints "Exception ignored" or crashes).

    Examples
    --------
    >>> with worker_pool(2) as pool:
    ...     pool.submit(abs, -3).result()
    3
    """
    return ProcessPoolExecutor(
        max_workers=max_workers,
        initializer=_exit_with_parent,
        initargs=(os.getpid(), ignore_interrupts),
        **options,
    )
