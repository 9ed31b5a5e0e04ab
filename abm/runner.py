"""One runner for every batch of runs (sweeps and the replication): a function applied to
items in spawned worker processes, or on a Dask cluster, results yielded as they finish.

Workers get one BLAS thread each and end when the process that started them dies, so a
killed sweep or replication leaves no orphans.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Generator
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import Any

THREAD_LIMITS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
PARENT_POLL_S = 0.2


def one_thread_per_worker() -> None:
    """Workers inherit one BLAS thread each: with more, N workers fight over the cores.

    Measured: 40 short runs on 2 cores took 25 s on 1 worker and 22 s on 2 with default
    threads, 22 s and 12 s with one thread each. Set the variables yourself to override.
    """
    for name in THREAD_LIMITS:
        os.environ.setdefault(name, "1")


def exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: end this worker as soon as the process that started it is gone.

    A pool's workers wait on a queue the parent can no longer close once it is killed
    (SIGKILL, or SIGTERM, which Python does not turn into an exception), so they would run on
    as orphans. A daemon thread notices the parent's death (this process is then adopted:
    its parent pid changes) and ends the worker, run and all.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def start_worker(parent_pid: int) -> None:
    """Worker initializer: leave Ctrl-C to the parent (which stops the pool and says what
    is done) instead of printing a traceback from every worker, and end with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent(parent_pid)


def in_processes[Item, Result](
    function: Callable[[Item], Result], items: list[Item], workers: int, inline: bool = False
) -> Generator[tuple[Item, Result]]:
    """``(item, function(item))`` as they finish, from a pool of ``workers`` spawned
    processes, or in this process, in order, when ``inline``.

    Closing the iterator early (the caller hit an error) cancels the items not yet started
    instead of waiting for all of them.
    """
    if inline:
        for item in items:
            yield item, function(item)
        return
    one_thread_per_worker()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=start_worker,
        initargs=(os.getpid(),),
    )
    try:
        futures = {pool.submit(function, item): item for item in items}
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def on_dask[Item, Result](
    function: Callable[[Item], Result],
    items: list[Item],
    workers: int,
    scheduler: str | None,
    when_killed: Callable[[Item, Exception], Result] | None = None,
) -> Generator[tuple[Item, Result]]:
    """``(item, function(item))`` as they finish, from a local Dask cluster of ``workers``
    single-threaded processes or a running ``scheduler``.

    A worker that dies mid-run (killed, out of memory) loses its item; the scheduler gives it
    to another worker, up to its allowed-failures limit (3 by default). An item whose workers
    kept dying (Dask's KilledWorker) comes back as ``when_killed(item, error)`` when given;
    other errors (a lost scheduler) end the iteration.
    """
    from distributed import Client, KilledWorker, LocalCluster
    from distributed import as_completed as dask_completed

    cluster = None
    if scheduler is None:
        one_thread_per_worker()
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
    client = Client(scheduler or cluster)
    try:
        futures = {client.submit(function, item, pure=False): item for item in items}
        for future in dask_completed(futures):
            item = futures[future]
            try:
                yield item, future.result()
            except KilledWorker as error:
                if when_killed is None:
                    raise
                yield item, when_killed(item, error)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_batch(
    function: Callable[[Any], Any],
    items: list[Any],
    workers: int,
    backend: str = "processes",
    scheduler: str | None = None,
    when_killed: Callable[[Any, Exception], Any] | None = None,
    inline: bool = False,
) -> Generator[tuple[Any, Any]]:
    """The chosen backend's iterator (``processes`` or ``dask``; ``inline`` runs the
    processes backend in this process)."""
    if backend == "dask":
        return on_dask(function, items, workers, scheduler, when_killed)
    return in_processes(function, items, workers, inline)
