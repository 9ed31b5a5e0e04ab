"""``abm sweep`` and ``abm analyze``: run a sweep file, resumably, and analyse its results."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from abm.sweep.design import runs
from abm.sweep.execute import Task, run_dask, run_processes, write_atomic
from abm.sweep.spec import Sweep, SweepError, load_sweep


def _manifest(sweep: Sweep) -> dict:
    from abm.data import data_checksums
    from abm.outputs import git_commit, package_version

    return {
        "sweep": sweep.name,
        "sweep_file": sweep.text,
        "package_version": package_version(),
        "git_commit": git_commit(),
        "data_checksums": data_checksums(),
    }


def collect(out: Path, sweep: Sweep) -> pd.DataFrame:
    """runs.parquet: one row per run, sorted by run id (per-run files are the source of truth)."""
    frames = [pd.read_parquet(path) for path in sorted((out / "runs").glob("r*.parquet"))]
    table = pd.concat(frames, ignore_index=True).sort_values("run_id", ignore_index=True)
    columns = ["run_id", "sample", *sweep.parameters, "seed", "status"]
    metrics = [m.name for m in sweep.metrics]
    table = table[[*columns, *metrics, "wall_time_s", "error"]]
    table.to_parquet(out / "runs.parquet.tmp", index=False)
    (out / "runs.parquet.tmp").replace(out / "runs.parquet")
    return table


def run_sweep(args: argparse.Namespace) -> int:
    """Run every (or, with --resume, every missing) run; 1 if any failed, 2 on bad input."""
    try:
        sweep = load_sweep(args.file)
    except SweepError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path("results") / sweep.name
    runs_dir = out / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    for stale in runs_dir.glob(".*.tmp"):
        stale.unlink()
    planned = runs(sweep)
    done = {p.stem for p in runs_dir.glob("r*.parquet")} if args.resume else set()
    tasks = [Task(run, sweep) for run in planned if run.run_id not in done]
    workers = args.workers or 1
    if args.backend == "dask":
        results = run_dask(tasks, workers, args.scheduler)
    else:
        results = run_processes(tasks, workers)
    failures = 0
    began = time.perf_counter()
    with tqdm(total=len(tasks), desc=sweep.name, unit="run") as bar:
        for row in results:
            write_atomic(row, runs_dir)
            failures += row["status"] == "failed"
            bar.set_postfix(failed=failures)
            bar.update()
    (out / "manifest.json").write_text(json.dumps(_manifest(sweep), indent=2))
    table = collect(out, sweep)
    failed = int((table["status"] == "failed").sum())
    print(
        f"sweep {sweep.name}: {len(tasks)} runs in {time.perf_counter() - began:.1f} s, "
        f"{failed} failed in all; results in {out}/"
    )
    return 1 if failed else 0


def run_analyze(args: argparse.Namespace) -> int:
    """Figures per metric and parameter, heat maps, and Sobol or Morris indices."""
    from abm.sweep.analysis import analyze

    directory = Path(args.directory)
    if not (directory / "runs.parquet").exists():
        print(
            f"error: {directory}/runs.parquet does not exist (run the sweep first)", file=sys.stderr
        )
        return 2
    written = analyze(directory)
    print(f"{len(written)} files in {directory / 'analysis'}/")
    return 0
