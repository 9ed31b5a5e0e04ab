"""Sweeps survive faults: killed at random moments (both backends), a Dask worker killed
mid-sweep, a results folder that cannot be written or fills up, a changed sweep file."""

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
from typing import ClassVar

import dask
import distributed
import pandas as pd
import pytest
from support.sweeps import (
    arguments,
    assert_every_run_once,
    count_runs,
    error_lines,
    kill_after,
    reference_sweep,
    results,
    run_ids,
    sweep_file,
)

from abm.sweep import command as sweep_command
from abm.sweep.command import run_sweep


def assert_no_partial_file(out: Path) -> None:
    """Whatever a kill left under a final name is a whole, readable file."""
    finals = [*(out / "runs").glob("r*.parquet"), *out.glob("series/*/*/part.parquet")]
    if (out / "runs.parquet").exists():
        finals.append(out / "runs.parquet")
    for path in finals:
        pd.read_parquet(path)


@pytest.fixture(scope="module")
def long_reference(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A 24-run sweep without faults: long enough that a worker is killed mid-sweep."""
    return results(reference_sweep(tmp_path_factory.mktemp("long"), "[1, 2, 3, 4, 5, 6]"))


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["processes", "dask"])
def test_sigkill_at_random_moments_then_resume(tmp_path, reference, backend):
    """Kill the whole sweep (workers too) three times at seeded random moments (once during
    start-up, twice while runs are being written), resuming after each; then leave stale
    temporary files where a killed writer would. The final --resume gives every run exactly
    once, equal to a sweep that was never killed, and no temporary file is left."""
    path, out = sweep_file(tmp_path), tmp_path / "out"
    command = [sys.executable, "-m", "abm", "sweep", str(path), "--out", str(out)]
    command += ["--workers", "2", "--backend", backend, "--resume"]
    draw = random.Random(f"sigkill-{backend}")
    # Start-up (imports, the pool or cluster) takes about 1.7 s here, then a run ends every
    # 0.25-0.3 s on each worker: these moments leave runs to do after each kill.
    moments = [(0, draw.uniform(0.0, 2.5))]
    moments += [(draw.randint(1, 2), draw.uniform(0.0, 0.2)) for _ in range(2)]
    for new_runs, jitter_s in moments:
        assert kill_after(command, out, new_runs, jitter_s), f"missed {(new_runs, jitter_s)}"
        assert_no_partial_file(out)
    assert count_runs(out) < 8
    (out / "runs" / ".r000007.12345.tmp").write_bytes(b"PAR1 half a file")
    stale = out / "series" / "prices" / "run_id=r000007"
    stale.mkdir(parents=True, exist_ok=True)
    (stale / ".part.12345.tmp").write_bytes(b"PAR1 half a file")
    finished = subprocess.run(command, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert_every_run_once(out, 8)
    table, prices = results(out)
    pd.testing.assert_frame_equal(table, reference[0])
    pd.testing.assert_frame_equal(prices, reference[1])


class RecordedCluster(distributed.LocalCluster):
    """The sweep's own local cluster, kept where the test can reach its workers."""

    made: ClassVar[list[distributed.LocalCluster]] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        RecordedCluster.made.append(self)


def kill_a_worker_mid_sweep(out: Path, killed: list[int]) -> None:
    """Once two runs are written, SIGKILL the process of the cluster's first worker."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if RecordedCluster.made and count_runs(out) >= 2:
            nanny = next(iter(RecordedCluster.made[-1].workers.values()))
            written = count_runs(out)
            os.kill(nanny.pid, signal.SIGKILL)
            killed.extend([nanny.pid, written])
            return
        time.sleep(0.02)


def sweep_killing_a_worker(tmp_path: Path, monkeypatch) -> tuple[int, Path, int]:
    """Run a 24-run sweep on a local Dask cluster, killing one worker mid-sweep; its status,
    folder and the number of runs written when the worker was killed."""
    RecordedCluster.made.clear()
    monkeypatch.setattr(distributed, "LocalCluster", RecordedCluster)
    path, out = sweep_file(tmp_path, "[1, 2, 3, 4, 5, 6]"), tmp_path / "out"
    killed: list[int] = []
    killer = threading.Thread(target=kill_a_worker_mid_sweep, args=(out, killed))
    killer.start()
    status = run_sweep(arguments(path, out, workers=2, backend="dask"))
    killer.join()
    assert killed, "no worker was killed: the test did not test anything"
    assert killed[1] < 24, "the worker was killed after the last run"
    return status, out, killed[1]


@pytest.mark.slow
def test_a_killed_dask_worker_has_its_runs_done_elsewhere(tmp_path, monkeypatch, long_reference):
    """The scheduler gives the dead worker's runs to another (and the nanny restarts it)."""
    status, out, _ = sweep_killing_a_worker(tmp_path, monkeypatch)
    assert status == 0
    assert_every_run_once(out, 24)
    table, prices = results(out)
    pd.testing.assert_frame_equal(table, long_reference[0])
    pd.testing.assert_frame_equal(prices, long_reference[1])


@pytest.mark.slow
def test_a_run_dask_gives_up_on_is_recorded_failed_and_the_sweep_goes_on(
    tmp_path, monkeypatch, long_reference
):
    """With no retries allowed, the runs on the killed worker end as KilledWorker: recorded
    as failed (exit 1), every other run done and unchanged."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        status, out, _ = sweep_killing_a_worker(tmp_path, monkeypatch)
    assert status == 1
    table = pd.read_parquet(out / "runs.parquet").drop(columns=["wall_time_s"])
    table = table.set_index("run_id")
    assert list(table.index) == run_ids(24)
    lost = table[table["status"] == "failed"]
    assert 1 <= len(lost) <= 2  # what the worker was running and had queued
    assert lost["error"].str.startswith("KilledWorker").all()
    done = table[table["status"] == "ok"]
    pd.testing.assert_frame_equal(done, long_reference[0].loc[done.index])


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
    assert f"cannot write the sweep results in {out / 'x'}" in error
    assert "Permission denied" in error


@pytest.mark.parametrize(
    ("code", "cause"),
    [(errno.EACCES, "Permission denied"), (errno.EROFS, "Read-only file system")],
)
def test_a_folder_that_refuses_writes_stops_the_sweep_before_any_run(
    tmp_path, capsys, monkeypatch, code, cause
):
    """The probe write at the start fails as it would for a non-root user or a read-only
    mount (simulated: root ignores permissions): one line, exit 2, no run started."""

    def refused(path: Path, text: str) -> None:
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(sweep_command, "write_text_atomic", refused)
    out = tmp_path / "out"
    assert run_sweep(arguments(sweep_file(tmp_path), out)) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert error.startswith(f"error: cannot write the sweep results in {out}")
    assert cause in error
    assert count_runs(out) == 0


def full_disk(row: dict, runs_dir: Path) -> Path:
    """Write the run where a full disk would take it: /dev/full (pyarrow's own OSError)."""
    pd.DataFrame([{"run_id": row["run_id"]}]).to_parquet("/dev/full")
    raise AssertionError("/dev/full accepted the write")


def no_permission(row: dict, runs_dir: Path) -> Path:
    target = runs_dir / f".{row['run_id']}.tmp"
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))


@pytest.mark.slow
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
@pytest.mark.parametrize(
    ("fault", "cause"),
    [(full_disk, "No space left on device"), (no_permission, "Permission denied")],
)
def test_disk_errors_mid_sweep_exit_2_and_resume_finishes(
    tmp_path, capsys, monkeypatch, fault, cause
):
    """The disk fills (or permissions change) after two runs: one line naming the folder and
    the cause, exit 2, the two runs kept; once the disk is back, --resume does the rest."""
    path, out = sweep_file(tmp_path), tmp_path / "out"
    real = sweep_command.write_atomic
    written: list[Path] = []

    def failing(row: dict, runs_dir: Path) -> Path:
        if len(written) >= 2:
            return fault(row, runs_dir)
        written.append(real(row, runs_dir))
        return written[-1]

    monkeypatch.setattr(sweep_command, "write_atomic", failing)
    assert run_sweep(arguments(path, out, workers=2)) == 2
    stderr = capsys.readouterr().err
    assert "Traceback" not in stderr
    [line] = error_lines(stderr)
    assert line.startswith(f"error: cannot write the sweep results in {out}")
    assert f"{cause};" in line  # the cause alone, not pyarrow's long wording
    assert count_runs(out) == 2
    monkeypatch.setattr(sweep_command, "write_atomic", real)
    assert run_sweep(arguments(path, out, resume=True)) == 0
    assert_every_run_once(out, 8)


@pytest.mark.slow
def test_resume_refuses_a_changed_sweep_file(tmp_path, capsys):
    path, out = sweep_file(tmp_path), tmp_path / "out"
    assert run_sweep(arguments(path, out)) == 0
    before = results(out)[0]
    path.write_text(path.read_text().replace("[0.2, 0.8]", "[0.3, 0.8]"))
    assert run_sweep(arguments(path, out, resume=True)) == 2
    [line] = error_lines(capsys.readouterr().err)
    assert line.startswith(f"error: cannot resume {out}: the sweep file ")
    assert str(path) in line and str(out / "sweep.toml") in line
    pd.testing.assert_frame_equal(results(out)[0], before)  # the results are untouched


@pytest.mark.slow
def test_a_smaller_sweep_replaces_a_folder_only_with_force(tmp_path, capsys):
    """Without --force a different sweep is refused; with it, the folder holds only the new
    sweep's runs (the earlier, larger sweep's run files and series are gone)."""
    out = tmp_path / "out"
    assert run_sweep(arguments(sweep_file(tmp_path, "[1, 2]"), out, workers=2)) == 0
    smaller = sweep_file(tmp_path, "[1]")
    assert run_sweep(arguments(smaller, out, workers=2)) == 2
    assert "holds another sweep" in capsys.readouterr().err
    assert count_runs(out) == 8
    assert run_sweep(arguments(smaller, out, workers=2, force=True)) == 0
    assert_every_run_once(out, 4)
    assert set(pd.read_parquet(out / "runs.parquet")["seed"]) == {1}


def test_an_unwritable_results_folder_stops_before_any_run(tmp_path, capsys):
    """Where the folder cannot be made (here a file stands in the way; root ignores modes),
    the sweep stops at once with the folder and the cause."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert run_sweep(arguments(sweep_file(tmp_path), blocker / "out")) == 2
    error = capsys.readouterr().err
    assert f"cannot write the sweep results in {blocker / 'out'}" in error
    assert "Not a directory" in error
