"""The sweep runner: validation, designs, backends agreeing, resume after a kill, failures."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from abm.sweep.command import run_analyze, run_sweep
from abm.sweep.design import runs
from abm.sweep.spec import SweepError, parse_sweep

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
    path = tmp_path / "sweep.toml"
    path.write_text(text)
    return path


def arguments(file: Path, out: Path, **values) -> argparse.Namespace:
    base = dict(file=str(file), workers=1, backend="processes", scheduler=None, resume=False)
    return argparse.Namespace(**(base | values), out=str(out))


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (grid_text().replace('scenario = "graphite-licensing"', 'scenario = "nope"'), "scenario"),
        (grid_text().replace("seeds = [1, 2]", 'seeds = [1, 2]\ndesign = "random"'), "design"),
        (grid_text().replace('kind = "cumulative_unmet"', 'kind = "unmet"'), "kind"),
        (grid_text(extra='"settings.not_a_setting" = [1]'), "not_a_setting"),
        (grid_text(extra='"policy[5].start" = ["2024-01"]'), "policy[5]"),
        (grid_text(extra='"policy.export_ban.start" = ["2024-01"]'), "export_ban"),
    ],
)
def test_bad_sweep_file_error_names_the_field(text, field):
    with pytest.raises(SweepError, match=field.replace("[", r"\[")):
        parse_sweep(text, "bad.toml")


def test_bad_sweep_file_exits_2_and_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, grid_text().replace('"graphite-licensing"', '"nope"'))
    assert run_sweep(arguments(path, tmp_path / "out")) == 2
    assert not (tmp_path / "out").exists()
    assert "scenario" in capsys.readouterr().err


def ranges(design: str, samples: int) -> str:
    return f"""
name = "{design}"
scenario = "default"
design = "{design}"
samples = {samples}
seeds = [1, 2]
[parameters]
"settings.investment_rate" = {{ low = 0.1, high = 0.4 }}
"settings.purchase_elasticity" = {{ low = 0.2, high = 0.8 }}
"settings.substitution_elasticity" = {{ low = 5.0, high = 15.0 }}
{METRICS}"""


@pytest.mark.parametrize(
    ("design", "samples", "expected"),
    [("lhs", 10, 10 * 2), ("sobol", 8, 8 * (3 + 2) * 2), ("morris", 4, 4 * (3 + 1) * 2)],
)
def test_designs_give_the_expected_number_of_runs(design, samples, expected):
    planned = runs(parse_sweep(ranges(design, samples)))
    assert len(planned) == expected
    assert len({r.run_id for r in planned}) == expected
    again = runs(parse_sweep(ranges(design, samples)))
    assert [r.parameters for r in again] == [r.parameters for r in planned]


def test_grid_is_every_combination_times_seeds():
    sweep = parse_sweep(
        grid_text(extra='"settings.retaliation" = [true, false]', seeds="[1, 2, 3]")
    )
    assert len(runs(sweep)) == 2 * 2 * 3


def comparable(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "runs.parquet").drop(columns=["wall_time_s"])


@pytest.mark.slow
def test_processes_and_dask_give_identical_runs(tmp_path):
    path = write(tmp_path, grid_text())
    assert run_sweep(arguments(path, tmp_path / "p", workers=2)) == 0
    assert run_sweep(arguments(path, tmp_path / "d", workers=2, backend="dask")) == 0
    processes, dask = comparable(tmp_path / "p"), comparable(tmp_path / "d")
    assert list(processes["run_id"]) == sorted(processes["run_id"])
    pd.testing.assert_frame_equal(processes, dask)
    manifest = (tmp_path / "p" / "manifest.json").read_text()
    assert "data_checksums" in manifest and "quota_share" in manifest


@pytest.mark.slow
def test_killed_sweep_resumes_with_every_run_once(tmp_path):
    text = grid_text(extra='"settings.retaliation" = [true, false]', seeds="[1, 2, 3]")
    path, out = write(tmp_path, text), tmp_path / "out"
    command = [sys.executable, "-m", "abm", "sweep", str(path), "--out", str(out)]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while len(list((out / "runs").glob("r*.parquet"))) < 3 and time.time() < deadline:
        time.sleep(0.05)
    import os

    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    partial = len(list((out / "runs").glob("r*.parquet")))
    assert 3 <= partial < 12
    assert not (out / "runs.parquet").exists()
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{12 - partial} runs" in resumed.stdout
    table = pd.read_parquet(out / "runs.parquet")
    assert sorted(table["run_id"]) == [f"r{i:06d}" for i in range(12)]
    assert set(table["status"]) == {"ok"}
    leftovers = [p.name for p in (out / "runs").iterdir() if not p.name.startswith("r")]
    assert leftovers == []


@pytest.mark.slow
def test_failing_run_is_recorded_and_the_others_finish(tmp_path):
    text = grid_text(extra='"settings.purchase_elasticity" = [0.4, -1.0]', seeds="[1]")
    path, out = write(tmp_path, text), tmp_path / "out"
    assert run_sweep(arguments(path, out, workers=2)) == 1
    table = pd.read_parquet(out / "runs.parquet")
    failed = table[table["settings.purchase_elasticity"] < 0]
    assert len(table) == 4
    assert set(failed["status"]) == {"failed"}
    assert failed["error"].str.contains("purchase_elasticity").all()
    assert set(table.loc[table["settings.purchase_elasticity"] > 0, "status"]) == {"ok"}
    assert table.loc[table["status"] == "ok", "peak_graphite_US"].notna().all()


@pytest.mark.slow
def test_analyze_writes_figures_heat_map_and_sobol_indices(tmp_path):
    grid = write(tmp_path, grid_text(extra='"settings.retaliation" = [true, false]', seeds="[1]"))
    assert run_sweep(arguments(grid, tmp_path / "g", workers=2)) == 0
    assert run_analyze(argparse.Namespace(directory=str(tmp_path / "g"))) == 0
    names = {p.name for p in (tmp_path / "g" / "analysis").iterdir()}
    assert "unmet__heatmap.png" in names
    assert "unmet__settings_retaliation.png" in names
    sobol = ranges("sobol", 2).replace(
        'scenario = "default"', 'scenario = "default"\nend = "2023-03"'
    )
    sobol = sobol.replace("seeds = [1, 2]", "seeds = [1]")
    path = write(tmp_path, sobol)
    assert run_sweep(arguments(path, tmp_path / "s", workers=2)) == 0
    assert run_analyze(argparse.Namespace(directory=str(tmp_path / "s"))) == 0
    indices = pd.read_csv(tmp_path / "s" / "analysis" / "unmet__sobol.csv")
    assert list(indices["parameter"]) == [
        "settings.investment_rate",
        "settings.purchase_elasticity",
        "settings.substitution_elasticity",
    ]
    assert (tmp_path / "s" / "analysis" / "unmet__sobol.png").exists()


def test_series_are_kept_per_run_as_a_partitioned_dataset(tmp_path):
    text = grid_text(name="series").replace(
        'end = "2023-04"', 'end = "2023-04"\nseries = ["prices", "demand"]'
    )
    out = tmp_path / "out"
    assert run_sweep(arguments(write(tmp_path, text), out)) == 0
    runs_table = pd.read_parquet(out / "runs.parquet")
    prices = pd.read_parquet(out / "series" / "prices")
    assert set(prices.run_id.astype(str)) == set(runs_table.run_id)
    assert prices.groupby("run_id", observed=True).date.nunique().eq(4).all()
    assert not pd.read_parquet(out / "series" / "demand").empty
    assert "series" not in runs_table.columns


def test_unknown_series_table_is_rejected():
    with pytest.raises(SweepError, match="series"):
        parse_sweep(grid_text().replace('end = "2023-04"', 'end = "2023-04"\nseries = ["price"]'))


@pytest.mark.slow
def test_an_existing_dask_scheduler_runs_the_sweep(tmp_path):
    from distributed import LocalCluster

    path = write(tmp_path, grid_text())
    assert run_sweep(arguments(path, tmp_path / "p")) == 0
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        status = run_sweep(
            arguments(path, tmp_path / "s", backend="dask", scheduler=cluster.scheduler_address)
        )
    assert status == 0
    pd.testing.assert_frame_equal(comparable(tmp_path / "p"), comparable(tmp_path / "s"))
