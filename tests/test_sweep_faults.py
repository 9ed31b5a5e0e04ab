"""Sweeps survive faults: killed at random moments (both backends), a Dask worker killed
mid-sweep, and a results folder that cannot be written."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from test_sweep import arguments, grid_text, write

from abm.sweep import command as sweep_command
from abm.sweep.command import run_sweep

RUNS = [f"r{i:06d}" for i in range(8)]


def sweep_file(tmp_path: Path) -> Path:
    return write(tmp_path, grid_text(extra='"settings.retaliation" = [true, false]'))


def metrics(out: Path) -> pd.DataFrame:
    table = pd.read_parquet(out / "runs.parquet")
    return table.drop(columns=["wall_time_s"]).set_index("run_id")


def no_leftovers(out: Path) -> None:
    """Nothing half-written survives a resume: no temporary file anywhere."""
    assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    """The same sweep, run without faults."""
    folder = tmp_path_factory.mktemp("reference")
    assert run_sweep(arguments(sweep_file(folder), folder / "out", workers=2)) == 0
    return metrics(folder / "out")


def _kill_at(command: list[str], delay: float) -> bool:
    """Start the sweep, SIGKILL its whole process group after ``delay`` seconds; whether it
    was still running then."""
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    time.sleep(delay)
    running = process.poll() is None
    if running:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return running


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["processes", "dask"])
def test_sigkill_at_random_moments_then_resume(tmp_path, reference, backend):
    """Kill the whole sweep (workers too) at three random moments, resuming after each; the
    final results hold every run exactly once, equal to a sweep that was never killed."""
    path, out = sweep_file(tmp_path), tmp_path / "out"
    command = [sys.executable, "-m", "abm", "sweep", str(path), "--out", str(out)]
    command += ["--workers", "2", "--backend", backend]
    # A whole sweep takes 3-4 s here; the moments fall in start-up, runs or the final table.
    moments = random.Random(20261128 + len(backend)).sample(range(3, 40), 3)
    killed = [_kill_at([*command, "--resume"], tenths / 10.0) for tenths in moments]
    assert sum(killed) >= 2, f"the kills at {moments} tenths of a second mostly missed"
    finished = subprocess.run([*command, "--resume"], capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    table = metrics(out)
    assert sorted(table.index) == RUNS
    assert sorted(p.stem for p in (out / "runs").glob("r*.parquet")) == RUNS
    pd.testing.assert_frame_equal(table.sort_index(), reference.sort_index())
    no_leftovers(out)


@pytest.mark.slow
def test_a_killed_dask_worker_has_its_runs_done_elsewhere(tmp_path):
    """SIGKILL one worker process of the local cluster once runs are under way (a sweep of
    24 runs, long enough that the kill lands mid-sweep however fast a run is)."""
    text = grid_text(extra='"settings.retaliation" = [true, false]', seeds="[1, 2, 3, 4, 5, 6]")
    path, out = write(tmp_path, text), tmp_path / "out"
    assert run_sweep(arguments(path, tmp_path / "reference", workers=2)) == 0
    reference = metrics(tmp_path / "reference")
    killed: list[int] = []

    def kill_a_worker() -> None:
        deadline = time.time() + 120
        while time.time() < deadline and not killed:
            workers = [
                child
                for child in psutil.Process().children(recursive=True)
                if "spawn_main" in " ".join(child.cmdline()) or "forkserver" in child.name()
            ]
            started = list((out / "runs").glob("r*.parquet"))
            if workers and started:
                workers[0].kill()
                killed.append(workers[0].pid)
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    status = run_sweep(arguments(path, out, workers=2, backend="dask"))
    killer.join()
    assert killed, "no worker was killed: the test did not test anything"
    assert status == 0
    table = metrics(out)
    assert sorted(table.index) == [f"r{i:06d}" for i in range(24)]
    pd.testing.assert_frame_equal(table.sort_index(), reference.sort_index())


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_results_folder_is_a_clear_error(tmp_path, capsys):
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(0o500)
    try:
        assert run_sweep(arguments(sweep_file(tmp_path), out / "x")) == 2
    finally:
        out.chmod(0o700)
    error = capsys.readouterr().err
    assert "cannot write the sweep results" in error and "Permission denied" in error


@pytest.mark.parametrize(
    ("code", "cause"),
    [(errno.ENOSPC, "No space left on device"), (errno.EACCES, "Permission denied")],
)
def test_disk_errors_mid_sweep_exit_2_and_resume_finishes(
    tmp_path, capsys, monkeypatch, code, cause
):
    """The disk fills (or permissions change) after two runs: one line naming the folder and
    the cause, exit 2, the two runs kept; once the disk is back, --resume does the rest."""
    path, out = sweep_file(tmp_path), tmp_path / "out"
    real = sweep_command.write_atomic
    written: list[Path] = []

    def failing(row, runs_dir):
        if len(written) >= 2:
            raise OSError(code, os.strerror(code), str(runs_dir / "x.tmp"))
        written.append(real(row, runs_dir))
        return written[-1]

    monkeypatch.setattr(sweep_command, "write_atomic", failing)
    assert run_sweep(arguments(path, out)) == 2
    error = capsys.readouterr().err
    assert f"cannot write the sweep results in {out}" in error and cause in error
    assert "Traceback" not in error
    assert len(list((out / "runs").glob("r*.parquet"))) == 2
    monkeypatch.setattr(sweep_command, "write_atomic", real)
    assert run_sweep(arguments(path, out, resume=True)) == 0
    assert sorted(metrics(out).index) == RUNS


def test_resume_refuses_a_changed_sweep_file(tmp_path, capsys):
    path, out = sweep_file(tmp_path), tmp_path / "out"
    assert run_sweep(arguments(path, out)) == 0
    path.write_text(path.read_text().replace("[0.2, 0.8]", "[0.3, 0.8]"))
    assert run_sweep(arguments(path, out, resume=True)) == 2
    assert "started with a different sweep file" in capsys.readouterr().err
    assert sorted(metrics(out).index) == RUNS  # the results are untouched


def test_an_unwritable_results_folder_stops_before_any_run(tmp_path, capsys):
    """Where the folder cannot be made (here a file stands in the way; root ignores modes),
    the sweep stops at once with the folder and the cause."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert run_sweep(arguments(sweep_file(tmp_path), blocker / "out")) == 2
    error = capsys.readouterr().err
    assert f"cannot write the sweep results in {blocker / 'out'}" in error
    assert "Not a directory" in error
