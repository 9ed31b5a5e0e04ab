"""Output folders: abm run replaces only what it wrote, and each run's inputs get their own."""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm.cli import main
from abm.folders import OutputError, check_output_folder, run_folder
from abm.outputs import largest_relative_residual

SHORT = ["--end", "2023-02", "--no-figures"]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_an_earlier_run_is_replaced_whole_and_leaves_no_staging(workdir):
    assert main(["run", *SHORT, "--out", "run"]) == 0
    first = json.loads((workdir / "run" / "manifest.json").read_text())
    assert main(["run", "--end", "2023-03", "--no-figures", "--out", "run"]) == 0
    second = json.loads((workdir / "run" / "manifest.json").read_text())
    assert (first["settings"]["end"], second["settings"]["end"]) == ("2023-02", "2023-03")
    assert sorted(p.name for p in workdir.iterdir()) == ["run"]


def test_a_folder_holding_a_thesis_is_refused_and_the_thesis_kept(workdir, capsys):
    (workdir / "v").mkdir()
    (workdir / "v" / "thesis.tex").write_text("work")
    assert main(["run", *SHORT, "--out", "v"]) == 2
    assert "v: holds thesis.tex, which abm did not write" in capsys.readouterr().err
    assert (workdir / "v" / "thesis.tex").read_text() == "work"
    assert sorted(p.name for p in (workdir / "v").iterdir()) == ["thesis.tex"]


def test_an_earlier_run_with_a_user_file_added_is_refused(workdir, capsys):
    assert main(["run", *SHORT, "--out", "run"]) == 0
    (workdir / "run" / "notes.md").write_text("mine")
    assert main(["run", *SHORT, "--out", "run"]) == 2
    assert "run: holds notes.md" in capsys.readouterr().err
    assert (workdir / "run" / "notes.md").read_text() == "mine"


def test_out_results_with_other_runs_and_a_committed_report_deletes_nothing(workdir, capsys):
    assert main(["run", *SHORT, "--out", "results/default"]) == 0
    report = workdir / "results" / "replication" / "REPORT.md"
    report.parent.mkdir()
    report.write_text("committed")
    before = sorted(str(p.relative_to(workdir)) for p in workdir.rglob("*"))
    assert main(["run", *SHORT, "--out", "results"]) == 2
    assert "results: holds default, replication, which abm did not write" in capsys.readouterr().err
    assert sorted(str(p.relative_to(workdir)) for p in workdir.rglob("*")) == before
    assert report.read_text() == "committed"


def test_a_manifest_without_abm_keys_does_not_make_a_folder_replaceable(workdir):
    (workdir / "v").mkdir()
    (workdir / "v" / "manifest.json").write_text('{"outputs": {}}')
    with pytest.raises(OutputError, match=r"v: holds manifest\.json"):
        check_output_folder(workdir / "v")


def test_default_folders_are_derived_from_the_name_seed_and_overrides():
    assert run_folder("default", 1, {}) == Path("results/default")
    assert run_folder("default", 2, {}) == Path("results/default-seed2")
    hashed = run_folder("default", 1, {"tranches": 4})
    assert re.fullmatch(r"default-[0-9a-f]{8}", hashed.name)
    assert run_folder("default", 1, {"tranches": 4}) == hashed  # same inputs, same folder
    assert run_folder("default", 1, {"tranches": 5}) != hashed
    seeded = run_folder("default", 3, {"end": "2023-02"})
    assert re.fullmatch(r"default-seed3-[0-9a-f]{8}", seeded.name)


def test_a_run_with_overrides_or_another_seed_leaves_the_default_folder_alone(workdir, capsys):
    default = workdir / "results" / "default"
    default.mkdir(parents=True)
    (default / "thesis.tex").write_text("work")
    assert main(["run", *SHORT]) == 0
    printed = capsys.readouterr().out
    derived = run_folder("default", 1, {"end": "2023-02"})
    assert f"results in {derived}/" in printed
    assert (workdir / derived / "manifest.json").exists()
    assert main(["run", *SHORT, "--seed", "2"]) == 0
    seeded = run_folder("default", 2, {"end": "2023-02"})
    assert f"results in {seeded}/" in capsys.readouterr().out
    assert seeded.name.startswith("default-seed2-") and seeded != derived
    assert sorted(p.name for p in default.iterdir()) == ["thesis.tex"]


def test_a_scenario_file_without_a_name_gets_its_sanitised_stem(workdir):
    (workdir / "my scenario (v2).toml").write_text('start = "2023-01"\nend = "2023-02"\n')
    assert main(["run", "--scenario", "my scenario (v2).toml", "--no-figures"]) == 0
    assert (workdir / "results" / "my-scenario-v2-" / "manifest.json").exists()


def test_staging_left_by_a_killed_run_is_removed_by_the_next_run(workdir):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # its pid is now free: the run that staged here is gone
    stale = workdir / f".run.abm-{dead.pid}-abcd1234"
    stale.mkdir()
    (stale / "prices.parquet").write_text("half")
    live = workdir / f".run.abm-{os.getpid()}-efgh5678"  # a run still going: kept
    live.mkdir()
    user = workdir / ".run.backup"  # not abm's name: kept
    user.mkdir()
    assert main(["run", *SHORT, "--out", "run"]) == 0
    assert not stale.exists()
    assert live.exists() and user.exists()


@pytest.mark.parametrize(
    ("code", "where"),
    [(errno.ENOSPC, "pandas.DataFrame.to_parquet"), (errno.EROFS, "tempfile.mkdtemp")],
)
def test_a_full_or_read_only_disk_gives_one_line_and_leaves_no_staging(
    workdir, monkeypatch, capsys, code, where
):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(where, fail)
    assert main(["run", *SHORT, "--out", "run"]) == 2
    error = capsys.readouterr().err
    assert f"abm: error: run: cannot write ({os.strerror(code)})" in error
    assert len(error.strip().splitlines()) == 1
    assert [p.name for p in workdir.iterdir()] == []


def test_the_books_check_counts_nan_and_inf_as_unbalanced():
    balance = pd.DataFrame(
        {
            "opening_stock": [1.0, 2.0],
            "inflow": [1.0, 1.0],
            "outflow": [1.0, 1.0],
            "closing_stock": [1.0, 2.0],
            "residual": [0.0, 0.0],
        }
    )
    assert largest_relative_residual(balance) == 0.0
    for column in ("residual", "inflow", "closing_stock"):
        for bad in (np.nan, np.inf):
            broken = balance.copy()
            broken.loc[1, column] = bad
            assert largest_relative_residual(broken) == np.inf, (column, bad)
