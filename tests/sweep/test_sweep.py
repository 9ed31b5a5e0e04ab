"""The sweep runner: validation, designs, backends agreeing, resume after a kill, failures."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from support.sweeps import METRICS, arguments, grid_text, snapshot, write

from abm.data import MINERALS
from abm.sweep.command import run_analyze, run_sweep
from abm.sweep.design import runs
from abm.sweep.spec import SweepError, parse_sweep


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


def test_a_grid_sweeps_the_world_and_each_run_is_built_in_its_own(tmp_path):
    text = grid_text(extra="world = [2022, 2023]").replace(
        '"policy.export_licensing.quota_share" = [0.2, 0.8]', ""
    )
    path = write(tmp_path, text.replace("seeds = [1, 2]", "seeds = [1]"))
    assert run_sweep(arguments(path, tmp_path / "out")) == 0
    table = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert sorted(table["world"]) == [2022, 2023]
    assert table.set_index("world")["unmet"].nunique() == 2  # the worlds differ


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
    # Kill it once three runs are written, however long a loaded machine takes (the guard
    # only stops a hung sweep from hanging the suite).
    guard = time.time() + 1800
    while len(list((out / "runs").glob("r*.parquet"))) < 3 and process.poll() is None:
        assert time.time() < guard, "the sweep wrote fewer than 3 runs in 30 minutes"
        time.sleep(0.05)
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


def test_a_run_that_raises_is_recorded_failed_and_the_others_finish(tmp_path, monkeypatch):
    """Every value is validated before the first run; a run that raises all the same (here the
    model made to fail for one elasticity, runs in this process) is a row with status failed
    and its traceback, the others finish, exit 1."""
    from abm.model import MineralsModel
    from abm.sweep import command
    from abm.sweep.execute import execute

    real_run = MineralsModel.run

    def run(model: MineralsModel) -> MineralsModel:
        if model.settings.purchase_elasticity == 0.6:
            raise RuntimeError("purchase_elasticity 0.6 broke the model")
        return real_run(model)

    monkeypatch.setattr(MineralsModel, "run", run)
    monkeypatch.setattr(command, "run_processes", lambda tasks, workers: map(execute, tasks))
    text = grid_text(extra='"settings.purchase_elasticity" = [0.4, 0.6]', seeds="[1]")
    path, out = write(tmp_path, text), tmp_path / "out"
    assert run_sweep(arguments(path, out)) == 1
    table = pd.read_parquet(out / "runs.parquet")
    failed = table[table["settings.purchase_elasticity"] == 0.6]
    assert len(table) == 4
    assert set(failed["status"]) == {"failed"}
    assert failed["error"].str.contains("0.6 broke the model").all()
    assert set(table.loc[table["settings.purchase_elasticity"] == 0.4, "status"]) == {"ok"}
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


def with_parameter(line: str) -> str:
    return grid_text(extra=line)


def with_metric_field(line: str) -> str:
    return grid_text().replace('kind = "cumulative_unmet"', f'kind = "cumulative_unmet"\n{line}')


def continuous(bounds: str, path: str = "settings.investment_rate") -> str:
    """An lhs sweep of one parameter over the given { low, high } table."""
    text = ranges("lhs", 4).replace('end = "2023-03"', "")
    start = text.index("[parameters]")
    end = text.index("[[metric]]")
    return f'{text[:start]}[parameters]\n"{path}" = {bounds}\n{text[end:]}'


BAD_SWEEPS = {
    "end not a month": (grid_text().replace('"2023-04"', '"2023-13"'), [], "end"),
    "end before the start": (grid_text().replace('"2023-04"', '"2020-01"'), [], "end"),
    "end a number": (grid_text().replace('"2023-04"', "202304"), [], "end"),
    "a negative seed": (grid_text(seeds="[-1, 2]"), [], "seeds"),
    "a repeated seed": (grid_text(seeds="[1, 1]"), [], "seeds"),
    "a seed true": (grid_text(seeds="[true]"), [], "seeds"),
    "no seeds": (grid_text(seeds="[]"), [], "seeds"),
    "a float seed": (grid_text(seeds="[1.5]"), [], "seeds"),
    "unknown policy field": (
        with_parameter('"policy.export_licensing.not_a_field" = [1]'),
        [],
        "not_a_field",
    ),
    "policy field of the wrong type": (
        with_parameter('"policy.export_licensing.delay_months" = ["three"]'),
        [],
        "delay_months",
    ),
    "policy start not a month": (with_parameter('"policy[0].start" = ["2023-13"]'), [], "start"),
    "setting out of range": (
        with_parameter('"settings.purchase_elasticity" = [0.4, -1.0]'),
        [],
        "purchase_elasticity",
    ),
    "bool setting given 1": (with_parameter('"settings.retaliation" = [1]'), [], "retaliation"),
    "grid value nan": (with_parameter('"settings.cost_jitter" = [nan]'), [], "cost_jitter"),
    "grid value inf": (with_parameter('"settings.cost_jitter" = [inf]'), [], "cost_jitter"),
    "grid value a table": (with_parameter('"settings.cost_jitter" = [{ a = 1 }]'), [], "table"),
    "grid value empty": (with_parameter('"settings.cost_jitter" = []'), [], "cost_jitter"),
    "bound inf": (continuous("{ low = 4.0, high = inf }"), [], "high"),
    "bound -inf": (continuous("{ low = -inf, high = 0.4 }"), [], "low"),
    "bound nan": (continuous("{ low = nan, high = 0.4 }"), [], "low"),
    "bound true": (continuous("{ low = true, high = 0.4 }"), [], "low"),
    "bound text": (continuous('{ low = "0.1", high = 0.4 }'), [], "low"),
    "bounds reversed": (continuous("{ low = 0.4, high = 0.1 }"), [], "low must be below high"),
    "bounds out of range": (continuous("{ low = -0.5, high = 0.4 }"), [], "investment_rate"),
    "range over a bool setting": (
        continuous("{ low = 0, high = 1 }", "settings.retaliation"),
        [],
        "retaliation",
    ),
    "unknown metric mineral": (with_metric_field('mineral = "graphit"'), [], "mineral"),
    "unknown metric region": (with_metric_field('region = "USA"'), [], "region"),
    "unknown metric stage": (with_metric_field('stage = "mid"'), [], "stage"),
    "metric region a number": (with_metric_field("region = 5"), [], "region"),
    "metric named seed": (grid_text().replace('name = "unmet"', 'name = "seed"'), [], "seed"),
    "metric named run_id": (
        grid_text().replace('name = "unmet"', 'name = "run_id"'),
        [],
        "run_id",
    ),
    "metric named status": (
        grid_text().replace('name = "unmet"', 'name = "status"'),
        [],
        "status",
    ),
    "metric named after a parameter": (
        grid_text().replace('name = "unmet"', 'name = "policy.export_licensing.quota_share"'),
        [],
        "quota_share",
    ),
    "metric named empty": (grid_text().replace('name = "unmet"', 'name = ""'), [], "name"),
    "metric name a number": (grid_text().replace('name = "unmet"', "name = 5"), [], "name"),
    "huge samples": (ranges("lhs", 10**9), [], "samples"),
    "samples true": (ranges("lhs", "true"), [], "samples"),
    "samples zero": (ranges("lhs", 0), [], "samples"),
    "too many sobol runs": (ranges("sobol", 20_000), [], "runs planned"),
    "too many grid runs": (
        with_parameter(f'"settings.cost_jitter" = [{", ".join(["0.1"] * 30_000)}]'),
        [],
        "runs planned",
    ),
    "name a path": (grid_text(name="../x"), [], "name"),
    "name empty": (grid_text(name=""), [], "name"),
    "name a dot": (grid_text(name="."), [], "name"),
    "scenario a number": (
        grid_text().replace('scenario = "graphite-licensing"', "scenario = 5"),
        [],
        "scenario",
    ),
    "world an unknown year": (with_parameter("world = [2022, 1999]"), [], "world: 1999"),
    "world a range": (continuous("{ low = 2010, high = 2022 }", "world"), [], "only design grid"),
    "world as a setting": (with_parameter('"settings.world" = [2022]'), [], "world"),
    "world after the start": (
        with_parameter('world = [2023]\n"settings.start" = ["2022-06"]'),
        [],
        "before January of its world",
    ),
    "workers -3": (grid_text(), ["--workers", "-3"], "--workers"),
    "workers 0": (grid_text(), ["--workers", "0"], "--workers"),
    "resume and force": (grid_text(), ["--resume", "--force"], "--force"),
}


def assert_refused_in_one_line(argv: list[str], field: str, tmp_path: Path, capsys) -> None:
    """Exit 2, one line on stderr naming the field, no traceback, nothing written."""
    from abm.cli import main

    before = snapshot(tmp_path)
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error, error
    assert field in error
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(("text", "flags", "field"), BAD_SWEEPS.values(), ids=list(BAD_SWEEPS))
def test_bad_sweep_files_exit_2_in_one_line_writing_nothing(tmp_path, capsys, text, flags, field):
    path = write(tmp_path, text)
    argv = ["sweep", str(path), "--out", str(tmp_path / "out"), *flags]
    assert_refused_in_one_line(argv, field, tmp_path, capsys)


def unreadable_sweep_file(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "sweep.toml"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "not UTF-8":
        path.write_bytes(grid_text().encode("utf-16"))
    elif kind == "too large":
        path.write_text(grid_text() + "#" * 2_000_000)
    return path


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("missing", "does not exist"),
        ("directory", "is a folder"),
        ("fifo", "not a regular file"),  # would block on open
        ("not UTF-8", "UTF-8"),
        ("too large", "bytes"),
    ],
)
def test_a_sweep_file_that_cannot_be_a_sweep_file_is_refused_unread(tmp_path, capsys, kind, field):
    path = unreadable_sweep_file(tmp_path, kind)
    argv = ["sweep", str(path), "--out", str(tmp_path / "out")]
    assert_refused_in_one_line(argv, field, tmp_path, capsys)


def analysis_folder(tmp_path: Path, kind: str) -> Path:
    folder = tmp_path / "results"
    if kind != "missing":
        folder.mkdir()
    if kind == "no runs.parquet":
        (folder / "manifest.json").write_text('{"sweep_file": ""}')
    elif kind == "corrupt manifest":
        (folder / "manifest.json").write_text("{")
        (folder / "runs.parquet").write_bytes(b"")
    elif kind == "a run's manifest":
        (folder / "manifest.json").write_text('{"scenario": "default"}')
        (folder / "runs.parquet").write_bytes(b"")
    return folder


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("missing", "manifest.json"),
        ("empty", "manifest.json"),
        ("no runs.parquet", "runs.parquet"),
        ("corrupt manifest", "manifest.json"),
        ("a run's manifest", "manifest.json"),
    ],
)
def test_analyze_without_a_sweeps_results_exits_2_in_one_line(tmp_path, capsys, kind, field):
    folder = analysis_folder(tmp_path, kind)
    assert_refused_in_one_line(["analyze", str(folder)], field, tmp_path, capsys)


@pytest.mark.slow
def test_ctrl_c_keeps_the_runs_done_says_how_to_resume_and_analyze_reads_them(tmp_path):
    text = grid_text(extra='"settings.retaliation" = [true, false]', seeds="[1, 2, 3]")
    path, out = write(tmp_path, text), tmp_path / "out"
    command = [sys.executable, "-m", "abm", "sweep", str(path), "--out", str(out)]
    process = subprocess.Popen(
        [*command, "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.time() + 120
    while len(list((out / "runs").glob("r*.parquet"))) < 2 and time.time() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: every process of the group
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "Traceback" not in errors
    assert "--resume" in errors and "of 12 runs are in" in errors
    done = pd.read_parquet(out / "runs.parquet")
    assert 2 <= len(done) < 12
    analysed = subprocess.run(
        [sys.executable, "-m", "abm", "analyze", str(out)], capture_output=True, text=True
    )
    assert analysed.returncode == 0, analysed.stderr
    assert f"{len(done)} of 12 runs are done" in analysed.stderr


def test_a_sweep_without_metrics_measures_the_minerals_its_scenario_touches(tmp_path):
    text = grid_text()[: grid_text().index("[[metric]]")]
    sweep = parse_sweep(text, "defaults.toml")
    names = [m.name for m in sweep.metrics]
    # graphite licensing covers graphite only: its five default outcomes, nothing else
    assert names == [
        "peak_price_ratio_graphite",
        "mean_price_graphite",
        "volatility_graphite",
        "cumulative_unmet_graphite",
        "hhi_graphite",
    ]
    path = write(tmp_path, text.replace("seeds = [1, 2]", "seeds = [1]"))
    assert run_sweep(arguments(path, tmp_path / "out")) == 0
    table = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert table[names].notna().all().all()


def test_a_sweep_of_a_scenario_without_policies_measures_every_mineral():
    text = grid_text().replace('scenario = "graphite-licensing"', 'scenario = "default"')
    text = text[: text.index("[parameters]")] + '[parameters]\n"settings.investment_rate" = [0.2]\n'
    sweep = parse_sweep(text, "defaults.toml")
    assert {m.mineral for m in sweep.metrics} == set(MINERALS)
