"""``abm sweep`` and ``abm analyze``: run a sweep file, resumably, and analyse its results."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from abm.outputs import write_text_atomic
from abm.sweep.apply import check_samples
from abm.sweep.design import Run, runs, samples
from abm.sweep.execute import Task, run_dask, run_processes, write_atomic
from abm.sweep.folder import (
    Folder,
    FolderError,
    SweepLock,
    changed_parts,
    clear,
    fingerprint,
    inspect,
    verified_runs,
)
from abm.sweep.spec import Sweep, SweepError, load_sweep


def _manifest(sweep: Sweep, parts: dict[str, str]) -> dict:
    from abm.data import data_checksums
    from abm.outputs import git_commit, package_version

    return {
        "sweep": sweep.name,
        "sweep_file": sweep.text,
        "scenario_file": str(sweep.scenario.path),
        "fingerprint": parts,
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
    columns = ["run_id", "sample", *sweep.parameters, "seed", "status"]
    metrics = [m.name for m in sweep.metrics]
    frames = [pd.read_parquet(path) for path in paths]
    if not frames:  # interrupted before the first run was written
        frames = [pd.DataFrame(columns=[*columns, *metrics, "wall_time_s", "error"])]
    table = pd.concat(frames, ignore_index=True).sort_values("run_id", ignore_index=True)
    table = table[[*columns, *metrics, "wall_time_s", "error"]]
    partial = out / f".runs.parquet.{os.getpid()}.tmp"
    table.to_parquet(partial, index=False)
    os.replace(partial, out / "runs.parquet")
    return table


def _option_problem(args: argparse.Namespace) -> str | None:
    if args.workers is not None and args.workers < 1:
        return f"--workers {args.workers}: must be 1 or more"
    if args.resume and args.force:
        return "--resume and --force exclude each other (--resume continues, --force replaces)"
    return None


@dataclass(frozen=True)
class Plan:
    """A validated sweep: its results folder, its fingerprint and its runs."""

    sweep: Sweep
    source: str  # the sweep file as given
    out: Path
    fingerprint: dict[str, str]
    runs: list[Run]


def _what_changed(recorded: dict[str, str], plan: Plan) -> str:
    """The changed parts of a fingerprint, in words."""
    words = {
        "sweep_file": f"the sweep file ({plan.source} is not {plan.out / 'sweep.toml'}, the one "
        "it was started with)",
        "scenario_file": f"the scenario file {plan.sweep.scenario.path}",
        "data": "the shipped data (abm/data)",
        "code": "the abm code",
    }
    return " and ".join(words[part] for part in changed_parts(recorded, plan.fingerprint))


def _refusal(folder: Folder, args: argparse.Namespace, plan: Plan) -> str | None:
    """Why this sweep may not go into the folder as asked, if it may not."""
    if folder.kind != "other" or args.force:
        return None
    recorded = folder.manifest.get("fingerprint")
    if not isinstance(recorded, dict):
        return (
            f"{plan.out} holds a sweep without a fingerprint (manifest.json is missing or "
            "unreadable, or an older abm wrote it), so its runs cannot be checked; use --force "
            "to replace its results, or --out for another folder"
        )
    changed = _what_changed(recorded, plan)
    if args.resume:
        return (
            f"cannot resume {plan.out}: {changed} changed since it was started; restore it, or "
            "use --force to start the sweep again, or --out for a new folder"
        )
    name = folder.manifest.get("sweep", "unnamed")
    return (
        f"{plan.out} holds another sweep ('{name}'; what differs: {changed}); use --resume "
        "only for the same sweep, --force to replace its results, or --out for another folder"
    )


def _prepare(folder: Folder, args: argparse.Namespace, plan: Plan) -> set[str]:
    """Under the lock: clear what --force replaces and what a killed sweep left half-written,
    mark the folder as this sweep's, and return the runs already done that can be trusted."""
    out, sweep = plan.out, plan.sweep
    if args.force:
        clear(out)
    runs_dir = out / "runs"
    for stale in [*runs_dir.glob(".*.tmp"), *out.glob(".*.tmp"), *out.glob("series/*/*/.*.tmp")]:
        stale.unlink()
    manifest = _manifest(sweep, plan.fingerprint)
    write_text_atomic(out / "manifest.json", json.dumps(manifest, indent=2))
    write_text_atomic(out / "sweep.toml", sweep.text)
    runs_dir.mkdir(exist_ok=True)
    if folder.kind != "same" or args.force:
        return set()
    ids = {run.run_id for run in plan.runs}
    done = verified_runs(out, ids, plan.fingerprint["sha256"], sweep.series)
    return done if args.resume else set()


def run_sweep(args: argparse.Namespace) -> int:
    """Run every (or, with --resume, every missing) run; 1 if any failed, 2 on bad input, a
    folder that is not this sweep's, a sweep already running there, or when the results
    folder cannot be written (permissions, a full disk)."""
    problem = _option_problem(args)
    if problem:
        return _refused(problem)
    try:
        sweep = load_sweep(args.file)
        check_samples(sweep, samples(sweep), Path(args.file).name)
    except SweepError as error:
        return _refused(str(error))
    out = Path(args.out) if args.out else Path("results") / sweep.name
    plan = Plan(sweep, args.file, out, fingerprint(sweep), runs(sweep))
    try:
        problem = _refusal(inspect(out, plan.fingerprint), args, plan)
    except FolderError as error:
        problem = str(error)
    except OSError as error:  # a folder that cannot be read (permissions)
        return _cannot_write(out, error)
    if problem:  # refused before anything is written
        return _refused(problem)
    lock = SweepLock(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except FolderError as error:
        return _refused(str(error))
    except OSError as error:
        return _cannot_write(out, error)
    try:
        return _run_locked(args, plan)
    finally:
        lock.release()


def _run_locked(args: argparse.Namespace, plan: Plan) -> int:
    """The sweep itself, holding the folder's lock."""
    out, sweep = plan.out, plan.sweep
    try:
        folder = inspect(out, plan.fingerprint)  # again: another sweep may have written it
        problem = _refusal(folder, args, plan)
        if problem is None:
            done = _prepare(folder, args, plan)
    except FolderError as error:
        problem = str(error)
    except OSError as error:
        return _cannot_write(out, error)
    if problem:
        return _refused(problem)
    runs_dir = out / "runs"
    tasks = [Task(run, sweep) for run in plan.runs if run.run_id not in done]
    workers = min(args.workers or os.cpu_count() or 1, max(len(tasks), 1))
    if not tasks:
        results: Generator[dict] = (row for row in list[dict]())
    elif args.backend == "dask":
        results = run_dask(tasks, workers, args.scheduler)
    else:
        results = run_processes(tasks, workers)
    began = time.perf_counter()
    failures = 0
    unwritable: OSError | None = None
    interrupted = False
    with tqdm(total=len(tasks), desc=sweep.name, unit="run") as bar:
        try:
            for row in results:
                # Only errors of our own writes mean the folder: an OSError of the backend (a
                # lost scheduler connection) is not a full disk.
                row["fingerprint"] = plan.fingerprint["sha256"]
                try:
                    write_atomic(row, runs_dir)
                except OSError as error:
                    unwritable = error
                    results.close()  # stop the workers; runs already written stay for --resume
                    break
                failures += row["status"] == "failed"
                bar.set_postfix(failed=failures)
                bar.update()
        except KeyboardInterrupt:
            interrupted = True
            bar.write("interrupted: waiting for the runs in progress to stop", file=sys.stderr)
            results.close()  # stop the workers; what is written stays
    if unwritable:  # reported once the progress bar has ended its line
        return _cannot_write(out, unwritable)
    if interrupted:
        return _interrupted(args, plan)
    try:
        manifest = _manifest(sweep, plan.fingerprint)
        write_text_atomic(out / "manifest.json", json.dumps(manifest, indent=2))
        table = collect(out, sweep)
    except OSError as error:
        return _cannot_write(out, error)
    failed = int((table["status"] == "failed").sum())
    print(
        f"sweep {sweep.name}: {len(tasks)} runs in {time.perf_counter() - began:.1f} s, "
        f"{failed} failed in all; results in {out}/"
    )
    return 1 if failed else 0


def _interrupted(args: argparse.Namespace, plan: Plan) -> int:
    """Ctrl-C: gather the runs done into runs.parquet and say how to finish; exit 130."""
    try:
        done = len(collect(plan.out, plan.sweep))
    except OSError as error:
        return _cannot_write(plan.out, error)
    print(
        f"interrupted: {done} of {len(plan.runs)} runs are in {plan.out}/; "
        f"`abm sweep {args.file} --resume` runs the rest, `abm analyze {plan.out}` reads "
        "what is done",
        file=sys.stderr,
    )
    return 130


def _refused(problem: str) -> int:
    """Bad input or a folder that cannot take the sweep: one line, exit 2."""
    print(f"error: {problem}", file=sys.stderr)
    return 2


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
    try:
        written, done, planned, warnings = analyze(directory)
    except SweepError as error:
        return _refused(str(error))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if done < planned:
        print(
            f"warning: {done} of {planned} runs are done; figures show those, and "
            "sensitivity indices need every run (rerun the sweep with --resume)",
            file=sys.stderr,
        )
    print(f"{len(written)} files in {directory / 'analysis'}/")
    return 0
