"""A sweep folder never mixes results: a folder of other files or of another sweep, an edited
scenario between a kill and --resume, corrupt or foreign run files, missing series
partitions, two sweeps at once, and a sweep process killed without its workers. Each route
ends with every run exactly once and equal to a clean sweep, or is refused in one line."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from support.sweeps import (
    arguments,
    assert_every_run_once,
    count_runs,
    error_lines,
    kill_after,
    kill_when,
    results,
    snapshot,
    sweep_file,
    wait_until,
)

from abm.scenario import builtin_scenarios
from abm.sweep.command import run_sweep
from abm.sweep.folder import SweepLock


def command(path: Path, out: Path, *flags: str, backend: str = "processes") -> list[str]:
    sweep = [sys.executable, "-m", "abm", "sweep", str(path), "--out", str(out)]
    return [*sweep, "--workers", "2", "--backend", backend, *flags]


def assert_same_as(out: Path, clean: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """Every run once, and runs.parquet and the series equal to the clean sweep's."""
    assert_every_run_once(out, 8)
    table, prices = results(out)
    pd.testing.assert_frame_equal(table, clean[0])
    pd.testing.assert_frame_equal(prices, clean[1])


def copy_of(folder: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(folder, out)
    return out


FOREIGN = {  # the files in the folder, and what the error names
    "a user's file": ({"thesis.tex": b"work"}, "thesis.tex"),
    "a file among a sweep's": ({"manifest.json": b"{}", "runs/notes.txt": b""}, "runs/notes.txt"),
    "an abm run's folder": (
        {"manifest.json": b'{"scenario": "default"}', "prices.parquet": b""},
        "prices.parquet",
    ),
    "a folder named as a sweep's file": ({"sweep.toml/kept.txt": b""}, "sweep.toml"),
}


@pytest.mark.parametrize("flags", [{}, {"resume": True}, {"force": True}], ids=str)
@pytest.mark.parametrize(("files", "named"), FOREIGN.values(), ids=list(FOREIGN))
def test_a_folder_holding_files_not_a_sweeps_is_refused_even_with_force(
    tmp_path, capsys, files, named, flags
):
    out = tmp_path / "out"
    for name, data in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    before = snapshot(out)
    assert run_sweep(arguments(sweep_file(tmp_path), out, **flags)) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {out} holds files that are not an abm sweep's ({named})")
    assert snapshot(out) == before


@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_a_file_or_symlink_where_the_folder_would_be_is_refused(tmp_path, capsys, kind):
    out = tmp_path / "out"
    if kind == "file":
        out.write_text("work")
    else:
        (tmp_path / "elsewhere").mkdir()
        out.symlink_to(tmp_path / "elsewhere")
    path = sweep_file(tmp_path)
    before = snapshot(tmp_path)
    assert run_sweep(arguments(path, out, force=True)) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {out} is not a folder")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("flags", [{}, {"resume": True}], ids=str)
def test_a_sweep_folder_without_a_fingerprint_is_refused_without_force(tmp_path, capsys, flags):
    """An older abm's sweep (its manifest has no fingerprint): its runs cannot be checked, so
    neither a new sweep nor --resume may add runs to it."""
    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    (out / "manifest.json").write_text('{"sweep": "tiny", "sweep_file": ""}')
    (out / "runs" / "r000000.parquet").write_bytes(b"PAR1")
    path = sweep_file(tmp_path)
    before = snapshot(tmp_path)
    assert run_sweep(arguments(path, out, **flags)) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {out} holds a sweep without a fingerprint")
    assert "--force" in line
    assert snapshot(tmp_path) == before


def records(out: Path, text: str) -> bool:
    """Whether the folder's manifest is that of the sweep file ``text`` and a run is written."""
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except FileNotFoundError:
        return False
    return manifest["sweep_file"] == text and count_runs(out) >= 1


@pytest.mark.slow
def test_a_sweep_in_another_sweeps_folder_is_refused_and_once_forced_resumes_alone(
    tmp_path, capsys, reference
):
    """Sweep B in the folder of a finished, larger sweep A: refused without --force (with or
    without --resume), A's results untouched; with --force, killed after its first run and
    resumed, the folder holds B's runs only, equal to a clean B."""
    out = tmp_path / "out"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    sweep_a = sweep_file(tmp_path / "a", "[3, 4, 5]")
    assert run_sweep(arguments(sweep_a, out, workers=2)) == 0
    finished_a = snapshot(out)
    sweep_b = sweep_file(tmp_path / "b")
    assert run_sweep(arguments(sweep_b, out)) == 2
    assert run_sweep(arguments(sweep_b, out, resume=True)) == 2
    first, second = error_lines(capsys.readouterr().err)
    assert f"{out} holds another sweep ('tiny'; what differs: the sweep file" in first
    assert second.startswith(f"error: cannot resume {out}: the sweep file ({sweep_b}")
    assert snapshot(out) == finished_a
    forced = command(sweep_b, out, "--force")
    assert kill_when(forced, lambda: records(out, sweep_b.read_text()))
    assert count_runs(out) < 8
    assert run_sweep(arguments(sweep_b, out, resume=True, workers=2)) == 0
    assert_same_as(out, reference)


@pytest.mark.slow
def test_resume_refuses_an_edited_scenario_file_until_it_is_restored(tmp_path, reference):
    """The scenario file edited between a kill and --resume: refused in one line naming it,
    the folder untouched; restored, --resume finishes equal to a clean sweep."""
    original = builtin_scenarios()["graphite-licensing"].read_text()
    scenario = tmp_path / "licensing.toml"
    scenario.write_text(original)
    path, out = sweep_file(tmp_path), tmp_path / "out"
    path.write_text(path.read_text().replace('"graphite-licensing"', f'"{scenario}"'))
    assert kill_after(command(path, out), out, new_runs=1, jitter_s=0.0)
    scenario.write_text(original.replace("delay_months = 3", "delay_months = 4"))
    killed = snapshot(out)
    edited = subprocess.run(command(path, out, "--resume"), capture_output=True, text=True)
    assert edited.returncode == 2
    [line] = edited.stderr.splitlines()
    assert line.startswith(f"error: cannot resume {out}: the scenario file {scenario} changed")
    assert snapshot(out) == killed
    scenario.write_text(original)
    assert run_sweep(arguments(path, out, resume=True, workers=2)) == 0
    assert_same_as(out, reference)


def truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def another_runs_file(path: Path) -> None:
    shutil.copy(path.with_name("r000002.parquet"), path)


def another_sweeps_run(path: Path) -> None:
    """The same run id, as a sweep with another fingerprint would have written it."""
    table = pd.read_parquet(path)
    table["fingerprint"] = "0" * 64
    table.to_parquet(path, index=False)


def two_rows(path: Path) -> None:
    table = pd.read_parquet(path)
    pd.concat([table, table]).to_parquet(path, index=False)


UNTRUSTED = {
    "truncated": ("r000005.parquet", truncated, "not a readable Parquet file"),
    "empty": ("r000005.parquet", lambda path: path.write_bytes(b""), "not a readable Parquet"),
    "text": ("r000005.parquet", lambda path: path.write_text("run"), "not a readable Parquet"),
    "another run's file": ("r000005.parquet", another_runs_file, "its run_id is 'r000002'"),
    "another sweep's run": ("r000005.parquet", another_sweeps_run, "its fingerprint"),
    "two rows": ("r000005.parquet", two_rows, "2 rows, not one"),
    "a run the sweep has not": ("r000099.parquet", another_runs_file, "its run_id"),
}


@pytest.mark.slow
@pytest.mark.parametrize(("name", "damage", "reason"), UNTRUSTED.values(), ids=list(UNTRUSTED))
def test_a_run_file_that_cannot_be_trusted_is_moved_aside_and_redone(
    tmp_path, reference_folder, reference, name, damage, reason
):
    out = copy_of(reference_folder, tmp_path)
    target = out / "runs" / name
    damage(target)
    damaged = target.read_bytes()
    assert run_sweep(arguments(sweep_file(tmp_path), out, resume=True)) == 0
    assert (out / "rejected" / name).read_bytes() == damaged  # kept, not deleted
    [note] = (out / "rejected" / "reasons.txt").read_text().splitlines()
    assert f"runs/{name} -> {name}: {reason}" in note
    assert_same_as(out, reference)


def partition(out: Path) -> Path:
    return out / "series" / "prices" / "run_id=r000004"


SERIES_DAMAGE = {
    "deleted": lambda out: shutil.rmtree(partition(out)),
    "file deleted": lambda out: (partition(out) / "part.parquet").unlink(),
    "truncated": lambda out: truncated(partition(out) / "part.parquet"),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", SERIES_DAMAGE.values(), ids=list(SERIES_DAMAGE))
def test_a_run_whose_series_partition_is_missing_or_damaged_is_redone(
    tmp_path, capsys, reference_folder, reference, damage
):
    out = copy_of(reference_folder, tmp_path)
    damage(out)
    assert run_sweep(arguments(sweep_file(tmp_path), out, resume=True)) == 0
    assert "tiny: 1 runs in" in capsys.readouterr().out  # that run only
    assert not (out / "rejected").exists()
    assert_same_as(out, reference)


@pytest.mark.slow
def test_a_held_lock_refuses_every_other_sweep_in_the_folder(
    tmp_path, capsys, reference_folder, reference
):
    """While a process holds the folder's lock, a sweep with or without --resume or --force
    is refused in one line naming that process, and writes nothing."""
    out = copy_of(reference_folder, tmp_path)
    path = sweep_file(tmp_path)
    lock = SweepLock(out)
    lock.acquire()
    before = snapshot(out)
    try:
        for flags in ({}, {"resume": True}, {"force": True}):
            assert run_sweep(arguments(path, out, **flags)) == 2
    finally:
        lock.release()
    lines = capsys.readouterr().err.splitlines()
    assert (
        lines
        == [
            f"error: another sweep (pid {os.getpid()}) is running in {out}; wait for "
            "it to end, or give --out another folder"
        ]
        * 3
    )
    assert snapshot(out) == before
    assert run_sweep(arguments(path, out, resume=True)) == 0
    assert_same_as(out, reference)


@pytest.mark.slow
def test_two_sweeps_at_once_in_one_folder_the_second_is_refused(tmp_path, capsys, reference):
    """A second sweep started while the first writes its runs is refused (with --resume and
    --force too); the first finishes with every run once, equal to a clean sweep."""
    path, out = sweep_file(tmp_path), tmp_path / "out"
    first = subprocess.Popen(
        [*command(path, out)[:-4], "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_until(first, lambda: count_runs(out) >= 1)
    statuses = [run_sweep(arguments(path, out, **flags)) for flags in ({}, {"resume": True})]
    statuses.append(run_sweep(arguments(path, out, force=True)))
    assert first.poll() is None, "the first sweep ended before the second started"
    assert statuses == [2, 2, 2]
    lines = capsys.readouterr().err.splitlines()
    assert all(f"another sweep (pid {first.pid}) is running in {out}" in x for x in lines)
    assert len(lines) == 3
    assert first.wait() == 0, first.stderr.read()
    assert_same_as(out, reference)


def alive(processes: list[psutil.Process], within_s: float) -> list[psutil.Process]:
    """Those of the processes still running (zombies count as ended) after up to within_s."""
    deadline = time.monotonic() + within_s
    while True:
        running = []
        for process in processes:
            try:
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    running.append(process)
            except psutil.NoSuchProcess:
                pass
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("backend", "signal_number"),
    [("processes", signal.SIGKILL), ("processes", signal.SIGTERM), ("dask", signal.SIGKILL)],
    ids=["processes-SIGKILL", "processes-SIGTERM", "dask-SIGKILL"],
)
def test_killing_only_the_sweep_process_ends_its_workers(
    tmp_path, reference, backend, signal_number
):
    """Only the parent is killed (not its process group): within 10 s none of its worker
    processes runs on; --resume then finishes equal to a clean sweep."""
    path, out = sweep_file(tmp_path), tmp_path / "out"
    sweep = subprocess.Popen(
        command(path, out, backend=backend),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(sweep, lambda: count_runs(out) >= 1)
        assert sweep.poll() is None, "the sweep ended before it was killed"
        workers = psutil.Process(sweep.pid).children(recursive=True)
        assert len(workers) >= 2
        os.kill(sweep.pid, signal_number)
        sweep.wait()
        assert alive(workers, within_s=10) == []
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever is left: the test leaks nothing
            os.killpg(sweep.pid, signal.SIGKILL)
    assert count_runs(out) < 8
    resume = command(path, out, "--resume", backend=backend)
    finished = subprocess.run(resume, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert_same_as(out, reference)


def test_force_removes_only_what_the_sweep_wrote(tmp_path):
    """clear() (what --force does) removes the sweep's results and leaves rejected/ (files
    abm moved aside, not necessarily its own) and the lock file the sweep holds."""
    from abm.sweep.folder import clear

    out = tmp_path / "out"
    written = [
        "manifest.json",
        "sweep.toml",
        "runs.parquet",
        ".runs.parquet.12.tmp",
        "runs/r000000.parquet",
        "series/prices/run_id=r000000/part.parquet",
        "analysis/unmet__heatmap.png",
    ]
    kept = ["lock", "rejected/r000001.parquet", "rejected/reasons.txt"]
    for name in [*written, *kept]:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(b"x")
    clear(out)
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == kept
