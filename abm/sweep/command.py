"""``abm sweep`` and ``abm analyze``: run a sweep file, resumably, and analyse its results."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from abm.outputs import write_text_atomic
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
    """runs.parquet: one row per run, sorted by run id (per-run files are the source of truth).

    Only this sweep's runs are read: a folder reused without --resume may hold files of runs
    that an earlier, larger sweep had and this one has not.
    """
    planned = {run.run_id for run in runs(sweep)}
    paths = [p for p in sorted((out / "runs").glob("r*.parquet")) if p.stem in planned]
    frames = [pd.read_parquet(path) for path in paths]
    table = pd.concat(frames, ignore_index=True).sort_values("run_id", ignore_index=True)
    columns = ["run_id", "sample", *sweep.parameters, "seed", "status"]
    metrics = [m.name for m in sweep.metrics]
    table = table[[*columns, *metrics, "wall_time_s", "error"]]
    partial = out / f".runs.parquet.{os.getpid()}.tmp"
    table.to_parquet(partial, index=False)
    os.replace(partial, out / "runs.parquet")
    return table


def _prepare(out: Path, sweep: Sweep, source: str, resume: bool) -> str | None:
    """Make the folder, clear what a killed sweep left half-written, and keep the sweep file
    beside the results; the reason it cannot go on, if any.

    On ``--resume`` the sweep file must be the one the folder was started with: runs of two
    different sweeps in one table would be silently wrong.
    """
    runs_dir = out / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    kept = out / "sweep.toml"
    if resume and kept.exists() and kept.read_text() != sweep.text:
        return (
            f"{source} is not the sweep file {out} was started with (kept as {kept}); "
            "rerun without --resume, or with --out to a new folder"
        )
    for stale in [*runs_dir.glob(".*.tmp"), *out.glob(".*.tmp"), *out.glob("series/*/*/.*.tmp")]:
        stale.unlink()
    write_text_atomic(kept, sweep.text)
    write_text_atomic(out / "manifest.json", json.dumps(_manifest(sweep), indent=2))
    return None


def run_sweep(args: argparse.Namespace) -> int:
    """Run every (or, with --resume, every missing) run; 1 if any failed, 2 on bad input or
    when the results folder cannot be written (permissions, a full disk)."""
    try:
        sweep = load_sweep(args.file)
    except SweepError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path("results") / sweep.name
    try:
        problem = _prepare(out, sweep, args.file, args.resume)
    except OSError as error:
        return _cannot_write(out, error)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    runs_dir = out / "runs"
    planned = runs(sweep)
    done = {p.stem for p in runs_dir.glob("r*.parquet")} if args.resume else set()
    tasks = [Task(run, sweep) for run in planned if run.run_id not in done]
    workers = args.workers or 1
    if args.backend == "dask":
        results = run_dask(tasks, workers, args.scheduler)
    else:
        results = run_processes(tasks, workers)
    began = time.perf_counter()
    failures = 0
    unwritable: OSError | None = None
    with tqdm(total=len(tasks), desc=sweep.name, unit="run") as bar:
        for row in results:
            # Only errors of our own writes mean the folder: an OSError of the backend (a lost
            # scheduler connection) is not a full disk.
            try:
                write_atomic(row, runs_dir)
            except OSError as error:
                unwritable = error
                results.close()  # stop the workers; runs already written stay for --resume
                break
            failures += row["status"] == "failed"
            bar.set_postfix(failed=failures)
            bar.update()
    if unwritable:  # reported once the progress bar has ended its line
        return _cannot_write(out, unwritable)
    try:
        write_text_atomic(out / "manifest.json", json.dumps(_manifest(sweep), indent=2))
        table = collect(out, sweep)
    except OSError as error:
        return _cannot_write(out, error)
    failed = int((table["status"] == "failed").sum())
    print(
        f"sweep {sweep.name}: {len(tasks)} runs in {time.perf_counter() - began:.1f} s, "
        f"{failed} failed in all; results in {out}/"
    )
    return 1 if failed else 0


def _cannot_write(out: Path, error: OSError) -> int:
    """One line naming the folder and the cause (no space left, permission denied...)."""
    # pyarrow's errors carry errno but a long strerror ("Error writing bytes... [errno 28]").
    cause = os.strerror(error.errno) if error.errno else " ".join(str(error).split())
    where = f" ({error.filename})" if error.filename else ""
    print(
        f"error: cannot write the sweep results in {out}{where}: {cause}; runs already "
        "written are kept, so free space or fix permissions and rerun with --resume",
        file=sys.stderr,
    )
    return 2


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
