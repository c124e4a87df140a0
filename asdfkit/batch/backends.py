"""Where station jobs run: in-process, a local process pool, or Dask distributed.

Each back-end takes the jobs (tasks of many stations) and yields their
:class:`~asdfkit.batch.worker.TaskResult` objects as tasks finish, in
completion order; the driver journals them.  Workers open the input read-only
(once per process) and write only their own part files, so no two processes
ever write the same HDF5 file and no locks are needed between them.

Dask: pass a scheduler address (``tcp://host:8786``) to use a running
cluster — every worker must see the input and the work folder at the same
paths (a shared file system) — or nothing, for a ``LocalCluster`` on this
machine.
"""

from __future__ import annotations

import functools
import itertools
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from ..errors import BatchError
from ..workers import worker_pool
from .blas import limit_blas_threads
from .worker import InputCache, TaskJob, TaskResult, process_task

__all__ = ["Backend", "run_jobs"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backend:
    """How to run jobs.

    Examples
    --------
    >>> Backend("local", workers=4)
    Backend(kind='local', workers=4, scheduler=None, processes=True)
    >>> Backend("dask", workers=2, processes=False).describe()
    'dask LocalCluster (2 workers, threads)'
    """

    kind: str = "local"
    workers: int = 1
    scheduler: str | None = None
    processes: bool = True

    def __post_init__(self) -> None:
        if self.kind not in ("local", "dask"):
            raise BatchError(f"invalid backend {self.kind!r}: must be 'local' or 'dask'")
        if self.workers < 1:
            raise BatchError(f"invalid number of workers {self.workers}: must be >= 1")

    def describe(self) -> str:
        """One line naming the back-end and its workers, for logs and summaries."""
        if self.kind == "dask":
            if self.scheduler:
                return f"dask scheduler {self.scheduler}"
            return (
                f"dask LocalCluster ({self.workers} workers, {'processes' if self.processes else 'threads'})"
            )
        return "in-process" if self.workers == 1 else f"local pool ({self.workers} processes)"


Process = Callable[[Any], Any]


def _serial(jobs: Sequence[Any], process: Process) -> Iterator[Any]:
    for job in jobs:
        yield process(job)


_limited: set[int] = set()


def _in_pool_worker(process: Process, job: Any) -> Any:
    """Run a job in a pool worker, its BLAS limited to one thread (the pool is the parallelism)."""
    if os.getpid() not in _limited:
        limit_blas_threads(1)
        _limited.add(os.getpid())
    return process(job)


IN_FLIGHT_PER_WORKER = 4
"""Tasks submitted at a time per worker: enough to keep workers busy, few enough that the
back-end holds a bounded number of submitted tasks and unconsumed results whatever the
station count (the driver's list of jobs is a list of station tuples, the station list)."""


def _pool(jobs: Sequence[Any], workers: int, process: Process) -> Iterator[Any]:
    # fork where the OS has it: functions defined in a script (even without an
    # ``if __name__ == "__main__"`` guard) reach the workers, and start-up is cheap.
    # The driver holds no HDF5 file open while the pool starts.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with worker_pool(workers, mp_context=context) as pool:
        call = functools.partial(_in_pool_worker, process)
        queue = iter(jobs)
        pending: set[Future[Any]] = set()
        try:
            for job in itertools.islice(queue, workers * IN_FLIGHT_PER_WORKER):
                pending.add(pool.submit(call, job))
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                # refill first (one task per finished one): workers never wait on the driver's journal
                pending.update(pool.submit(call, job) for job in itertools.islice(queue, len(finished)))
                for future in finished:
                    yield future.result()  # not kept once consumed: driver memory stays flat
        except BrokenProcessPool as exc:
            raise BatchError(
                "a worker process died (killed or out of memory); committed stations are kept — "
                "run the same command again to continue"
            ) from exc
        finally:  # stopped early (a full disk, an error): tasks not started never start
            for future in pending:
                future.cancel()


def _dask(jobs: Sequence[Any], backend: Backend, process: Process) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_completed
    except ImportError as exc:  # pragma: no cover - the dask extra is part of the test install
        raise BatchError("the dask backend needs dask[distributed]: pip install 'asdfkit[dask]'") from exc
    cluster = None
    if backend.scheduler:
        client = Client(backend.scheduler)
    else:
        cluster = LocalCluster(
            n_workers=backend.workers,
            threads_per_worker=1,
            processes=backend.processes,
            dashboard_address=None,
        )
        client = Client(cluster)
    try:
        # A bounded window of submitted tasks, as for the pool: the client (and the
        # scheduler) hold a few futures at a time, and a consumed result is released.
        # The window follows the cluster's threads, so workers that join later (an
        # adaptive or job-queue cluster) get tasks too.
        queue = iter(jobs)

        def window() -> int:
            return IN_FLIGHT_PER_WORKER * max(backend.workers, sum(client.nthreads().values()))

        completed = dask_completed(
            [client.submit(process, job, pure=False) for job in itertools.islice(queue, window())]
        )
        for future in completed:
            result = future.result()
            future.release()
            for job in itertools.islice(queue, max(1, window() - completed.count())):
                completed.add(client.submit(process, job, pure=False))
            yield result
    finally:
        try:  # workers of a running cluster outlive the run: let them close the input
            client.run(InputCache.close)
        except Exception:  # noqa: BLE001 - best effort; a worker may be gone
            log.debug("closing the input on the Dask workers failed", exc_info=True)
        client.close()
        if cluster is not None:
            cluster.close()


def run_jobs(
    jobs: Sequence[TaskJob] | Sequence[Any], backend: Backend, process: Process = process_task
) -> Iterator[TaskResult]:
    """Run jobs on a back-end; yield results as they finish.

    ``process`` (a picklable module-level function) turns one job into a
    :class:`TaskResult`; the default processes one task of stations.
    """
    if not jobs:
        return iter(())
    if backend.kind == "dask":
        return _dask(jobs, backend, process)
    if backend.workers == 1:
        return _serial(jobs, process)
    return _pool(jobs, min(backend.workers, len(jobs)), process)
