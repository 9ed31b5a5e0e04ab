"""One run as a function from parameters to outcomes, and the backends that call it."""

from __future__ import annotations

import gc
import os
import time
import traceback
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from abm.runner import in_processes, on_dask
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
    # A run leaves cycles (agents and their model) that would wait for the collector's
    # thresholds; a worker that collects after each run stays at its first run's memory.
    gc.collect()
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


def run_processes(tasks: list[Task], workers: int) -> Generator[dict[str, Any]]:
    """Rows as runs finish, from a pool of spawned processes (``abm.runner``); closing it
    stops the pool."""
    yield from _rows(in_processes(execute, tasks, workers))


def run_dask(tasks: list[Task], workers: int, scheduler: str | None) -> Generator[dict[str, Any]]:
    """Rows as runs finish, from a local Dask cluster or a running scheduler. A run whose
    workers kept dying under it (out of memory, a crash in native code) is recorded as
    failed, as a raising run is, so the sweep goes on; other errors (a lost scheduler) stop
    the sweep and --resume redoes them."""

    def killed(task: Task, error: Exception) -> dict[str, Any]:
        return failed(task, f"KilledWorker: every worker that ran it died ({error})")

    yield from _rows(on_dask(execute, tasks, workers, scheduler, killed))


def _rows(results: Generator[tuple[Task, dict[str, Any]]]) -> Generator[dict[str, Any]]:
    """The rows of a runner's results; closing this closes the runner (its workers)."""
    try:
        for _, row in results:
            yield row
    finally:
        results.close()


Backend = Callable[[list[Task]], Iterator[dict[str, Any]]]
