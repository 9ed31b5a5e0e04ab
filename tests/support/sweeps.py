"""Sweep files, arguments and result checks that the sweep, fault and mixing tests share."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from abm.sweep.command import run_sweep

METRICS = """
[[metric]]
name = "peak_graphite_US"
kind = "peak_price_ratio"
mineral = "graphite"
region = "US"
[[metric]]
name = "unmet"
kind = "cumulative_unmet"
"""


def grid_text(name: str = "tiny", extra: str = "", seeds: str = "[1, 2]") -> str:
    """A 2-sample grid sweep of graphite licensing to 2023-04: small enough to run in a test."""
    return f"""
name = "{name}"
scenario = "graphite-licensing"
seeds = {seeds}
end = "2023-04"
[parameters]
"policy.export_licensing.quota_share" = [0.2, 0.8]
{extra}
{METRICS}"""


def write(tmp_path: Path, text: str) -> Path:
    """The sweep text as tmp_path/sweep.toml."""
    path = tmp_path / "sweep.toml"
    path.write_text(text)
    return path


def arguments(file: Path, out: Path, **values) -> argparse.Namespace:
    """What `abm sweep FILE --out OUT` parses to, with ``values`` overriding the defaults."""
    base = dict(
        file=str(file), workers=1, backend="processes", scheduler=None, resume=False, force=False
    )
    return argparse.Namespace(**(base | values), out=str(out))


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under the folder and the bytes of its files."""
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
        for p in sorted(folder.rglob("*"))
    }


def run_ids(count: int) -> list[str]:
    """The ids a sweep gives its first ``count`` runs."""
    return [f"r{i:06d}" for i in range(count)]


def sweep_file(tmp_path: Path, seeds: str = "[1, 2]") -> Path:
    """2 x 2 samples x seeds, keeping the prices of every run as a partitioned series. Runs
    go to 2025-12 so that each takes 0.25-0.3 s: the kills below must leave runs to do (to
    2023-04, a run takes 0.1 s since the calibration is read once per worker, and a sweep
    could finish between two kills)."""
    text = grid_text(extra='"settings.retaliation" = [true, false]', seeds=seeds)
    return write(tmp_path, text.replace('end = "2023-04"', 'end = "2025-12"\nseries = ["prices"]'))


def results(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """runs.parquet (without wall times) and the prices series, both in run order."""
    table = pd.read_parquet(out / "runs.parquet").drop(columns=["wall_time_s"])
    prices = pd.read_parquet(out / "series" / "prices")
    prices["run_id"] = prices["run_id"].astype(str)
    order = [*prices.columns.drop("run_id")]
    prices = prices.sort_values(["run_id", *order], ignore_index=True)
    return table.set_index("run_id").sort_index(), prices


def assert_every_run_once(out: Path, count: int) -> None:
    """Each run once in runs/, in runs.parquet and in the series; no temporary file left."""
    table, prices = results(out)
    assert list(table.index) == run_ids(count)
    assert sorted(p.stem for p in (out / "runs").glob("r*.parquet")) == run_ids(count)
    partitions = sorted(p.name for p in (out / "series" / "prices").iterdir())
    assert partitions == [f"run_id={run}" for run in run_ids(count)]
    assert prices.groupby("run_id").size().nunique() == 1  # no run's rows twice
    assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []


def reference_sweep(folder: Path, seeds: str) -> Path:
    """The results folder of the sweep run without faults."""
    assert run_sweep(arguments(sweep_file(folder, seeds), folder / "out", workers=2)) == 0
    return folder / "out"


def count_runs(out: Path) -> int:
    """Runs written so far (none while the folder is not made yet)."""
    return len(list((out / "runs").glob("r*.parquet")))


def wait_until(process: subprocess.Popen, ready: Callable[[], bool]) -> None:
    """Poll every 20 ms until ``ready()`` or the process ends (at most two minutes)."""
    deadline = time.monotonic() + 120
    while process.poll() is None and not ready() and time.monotonic() < deadline:
        time.sleep(0.02)


def kill_when(command: list[str], ready: Callable[[], bool], jitter_s: float = 0.0) -> bool:
    """Start the sweep; once ``ready()`` and ``jitter_s`` seconds more have passed, SIGKILL its
    whole process group (its workers too). Whether it was still running then."""
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    wait_until(process, ready)
    time.sleep(jitter_s)  # the random moment itself, not a wait for anything
    running = process.poll() is None
    if running:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return running


def kill_after(command: list[str], out: Path, new_runs: int, jitter_s: float) -> bool:
    """kill_when the sweep has written ``new_runs`` more runs (0: still starting up)."""
    before = count_runs(out)
    return kill_when(command, lambda: count_runs(out) >= before + new_runs, jitter_s)


def error_lines(stderr: str) -> list[str]:
    """Lines of stderr that are not the progress bar."""
    return [line for line in stderr.replace("\r", "\n").splitlines() if "error" in line]
