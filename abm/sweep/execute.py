"""One run as a function from parameters to outcomes, and the backends that call it."""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pandas as pd

from abm.sweep.design import Run
from abm.sweep.spec import Sweep


@dataclass(frozen=True)
class Task:
    """Everything a worker needs, picklable, so any backend can run it."""

    run: Run
    sweep: Sweep


def execute(task: Task) -> dict[str, Any]:
    """Run the model for one sample and seed; a raising run comes back as status 'failed'."""
    from abm.experiment import run as run_scenario
    from abm.sweep.metrics import compute

    run, sweep = task.run, task.sweep
    row = _identity(run)
    began = time.perf_counter()
    try:
        outcome = run_scenario(
            sweep.scenario, seed=run.seed, overrides=run.parameters, end=sweep.end
        )
        outputs = outcome.tables
        row.update({m.name: compute(m, outputs) for m in sweep.metrics})
        row["series"] = {name: outputs[name] for name in sweep.series}
        row.update(status="ok", error="")
    except Exception:  # a failed run is a result, recorded with its traceback
        row = failed(task, traceback.format_exc())
    row["wall_time_s"] = time.perf_counter() - began
    return row


def _identity(run: Run) -> dict[str, Any]:
    return {"run_id": run.run_id, "sample": run.sample, "seed": run.seed, **run.parameters}


def failed(task: Task, error: str) -> dict[str, Any]:
    """The row of a run that gave no outcomes: NaN metrics, status 'failed' and why."""
    row = _identity(task.run)
    row.update({m.name: float("nan") for m in task.sweep.metrics})
    row.update(status="failed", error=error, wall_time_s=float("nan"))
    return row


def write_atomic(row: dict[str, Any], runs_dir: Path) -> Path:
    """One run's Parquet file, written to a temporary name then renamed (all or nothing).

    Its time series go first, to ``<out>/series/<table>/run_id=<id>/part.parquet`` (a Hive
    partitioned dataset: ``pandas.read_parquet(<out>/series/prices)`` reads all runs with a
    ``run_id`` column); the run's own file is written last, so a run is complete exactly when
    its file exists and ``--resume`` redoes everything else.
    """
    for name, table in row.pop("series", {}).items():
        folder = runs_dir.parent / "series" / name / f"run_id={row['run_id']}"
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".part.{os.getpid()}.tmp"
        table.to_parquet(partial, index=False)
        os.replace(partial, folder / "part.parquet")
    target = runs_dir / f"{row['run_id']}.parquet"
    temporary = runs_dir / f".{row['run_id']}.{os.getpid()}.tmp"
    pd.DataFrame([row]).to_parquet(temporary, index=False)
    os.replace(temporary, target)
    return target


THREAD_LIMITS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def one_thread_per_worker() -> None:
    """Workers inherit one BLAS thread each: with more, N workers fight over the cores.

    Measured: 40 short runs on 2 cores took 25 s on 1 worker and 22 s on 2 with default
    threads, 22 s and 12 s with one thread each. Set the variables yourself to override.
    """
    for name in THREAD_LIMITS:
        os.environ.setdefault(name, "1")


PARENT_POLL_S = 0.2


def exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: end this worker as soon as the sweep process is gone.

    A pool's workers wait on a queue the parent can no longer close once it is killed
    (SIGKILL, or SIGTERM, which Python does not turn into an exception), so they would run on
    as orphans. A daemon thread notices the parent's death (this process is then adopted:
    its parent pid changes) and ends the worker, run and all; the run is redone on --resume.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def run_processes(tasks: list[Task], workers: int) -> Iterator[dict[str, Any]]:
    """Results as they finish, from a pool of spawned processes.

    Closing the iterator early (the caller hit an error) cancels the runs not yet started
    instead of waiting for all of them.
    """
    one_thread_per_worker()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=exit_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        futures = [pool.submit(execute, task) for task in tasks]
        for future in as_completed(futures):
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_dask(tasks: list[Task], workers: int, scheduler: str | None) -> Iterator[dict[str, Any]]:
    """Results as they finish, from a local Dask cluster or a running scheduler."""
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    cluster = None
    if scheduler is None:
        one_thread_per_worker()
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
    client = Client(scheduler or cluster)
    try:
        # A worker that dies mid-run (killed, out of memory) loses its runs; the scheduler
        # gives them to another worker, up to its allowed-failures limit (3 by default).
        futures = {client.submit(execute, task, pure=False): task for task in tasks}
        for future in dask_completed(futures):
            yield _outcome(future, futures[future])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _outcome(future: Any, task: Task) -> dict[str, Any]:
    """The run's row. A run whose workers kept dying under it (out of memory, a crash in
    native code: Dask's KilledWorker) is recorded as failed, as a raising run is, so the
    sweep goes on; other errors (a lost scheduler) stop the sweep and --resume redoes them."""
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker as error:
        return failed(task, f"KilledWorker: every worker that ran it died ({error})")


Backend = Callable[[list[Task]], Iterator[dict[str, Any]]]
