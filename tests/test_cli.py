"""The command line: runs write whole result folders; bad input exits 2 and writes nothing."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from abm.cli import main
from abm.data.vintage import world_checksums
from abm.outputs import largest_relative_residual

TABLES = ("prices", "flows", "supply", "demand", "balance", "capacity")


def test_run_writes_every_table_manifest_and_figures(tmp_path):
    out = tmp_path / "short"
    assert main(["run", "--end", "2023-04", "--out", str(out)]) == 0
    for name in TABLES:
        assert not pd.read_parquet(out / f"{name}.parquet").empty, name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 1
    assert manifest["settings"]["end"] == "2023-04"
    assert manifest["data_checksums"]
    assert (out / "prices.png").stat().st_size > 0
    assert (out / "refined_shares.png").stat().st_size > 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_the_manifest_records_the_world_and_the_vintage_files_behind_it(tmp_path):
    (tmp_path / "w.toml").write_text('name = "w"\nworld = 2013\nstart = "2013-01"\n')
    out = tmp_path / "w"
    arguments = ["run", "--scenario", str(tmp_path / "w.toml"), "--end", "2013-02"]
    assert main([*arguments, "--out", str(out), "--no-figures"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["world"] == 2013
    assert manifest["world_checksums"] == world_checksums(2013)
    assert "vintages/2013/supply_2013.csv" in manifest["world_checksums"]
    assert pd.read_parquet(out / "prices.parquet").date.min() == pd.Timestamp("2013-01-01")


def test_abm_run_world_chooses_the_world_and_the_default_is_2023(tmp_path):
    arguments = ["run", "--end", "2023-01", "--no-figures"]
    assert main([*arguments, "--world", "2022", "--out", str(tmp_path / "a")]) == 0
    assert main([*arguments, "--out", str(tmp_path / "b")]) == 0
    chosen = json.loads((tmp_path / "a" / "manifest.json").read_text())
    default = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert (chosen["world"], default["world"]) == (2022, 2023)
    assert default["world_checksums"] == {}
    mined = [
        pd.read_parquet(tmp_path / name / "supply.parquet").query("stage == 'raw'").tonnes.sum()
        for name in ("a", "b")
    ]
    assert mined[0] < mined[1]  # 2022's world mined less than 2023's


def test_abm_run_set_world_is_the_same_key_as_world(tmp_path):
    arguments = ["run", "--start", "2022-01", "--end", "2022-01", "--no-figures"]
    assert main([*arguments, "--set", "world=2022", "--out", str(tmp_path / "a")]) == 0
    assert main([*arguments, "--world", "2022", "--out", str(tmp_path / "b")]) == 0
    manifests = [json.loads((tmp_path / n / "manifest.json").read_text()) for n in "ab"]
    assert manifests[0]["world"] == manifests[1]["world"] == 2022
    assert manifests[0]["world_checksums"] == manifests[1]["world_checksums"] != {}
    tables = [pd.read_parquet(tmp_path / n / "supply.parquet") for n in "ab"]
    pd.testing.assert_frame_equal(*tables)


def test_scenarios_lists_the_default(capsys):
    assert main(["scenarios"]) == 0
    assert "default" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--scenario", "no-such-scenario"], "scenario 'no-such-scenario'"),
        (["--set", "release_elasticit=3"], "did you mean 'release_elasticity'"),
        (["--set", "tranches=0"], "tranches: 0 is below the minimum 1"),
        (["--set", "demand_scenario=XYZ"], "demand_scenario: 'XYZ' is not one of STEPS"),
        (["--end", "2022-01"], "end: 2022-01 is before start 2023-01"),
        (["--start", "2023-13"], "month '2023-13' is not of the form YYYY-MM"),
        (["--set", "use_pipeline=maybe"], "use_pipeline: expected true or false"),
        (["--set", "novalue"], "expected key=value"),
    ],
)
def test_bad_input_exits_2_naming_the_field_and_writes_nothing(
    tmp_path, capsys, arguments, message
):
    out = tmp_path / "never"
    assert main(["run", "--out", str(out), *arguments]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_malformed_scenario_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("name = 'x'\n[settings\n")
    assert main(["run", "--scenario", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "bad.toml: not valid TOML" in capsys.readouterr().err
    typo = tmp_path / "typo.toml"
    typo.write_text("name = 'x'\nsetings = {}\n")
    assert main(["run", "--scenario", str(typo), "--out", str(tmp_path / "o")]) == 2
    assert "unknown key 'setings' (did you mean 'settings'?)" in capsys.readouterr().err


@pytest.mark.slow
def test_full_default_run_is_deterministic_and_seed_sensitive(tmp_path):
    """``abm run --seed 1`` twice gives identical Parquet tables; seed 2 differs."""

    def run(seed, name):
        out = tmp_path / name
        subprocess.run(
            [
                sys.executable,
                "-m",
                "abm",
                "run",
                "--seed",
                str(seed),
                "--out",
                str(out),
                "--no-figures",
            ],
            check=True,
        )
        return out

    first, again, other = run(1, "a"), run(1, "b"), run(2, "c")
    for name in TABLES:
        left = pd.read_parquet(first / f"{name}.parquet")
        pd.testing.assert_frame_equal(
            left, pd.read_parquet(again / f"{name}.parquet"), check_exact=True
        )
    prices = pd.read_parquet(first / "prices.parquet")
    assert not prices.price.equals(pd.read_parquet(other / "prices.parquet").price)
    balance = pd.read_parquet(first / "balance.parquet")
    assert largest_relative_residual(balance) < 1e-9
    assert prices.date.max() == pd.Timestamp("2040-12-01")


def test_a_command_whose_extra_is_missing_says_which_extra_in_one_line(monkeypatch, capsys):
    import importlib.util

    from abm.cli import main

    found = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "solara" else found(name, *a)
    )
    assert main(["viz", "--port", "8999"]) == 2
    error = capsys.readouterr().err
    assert "'viz' extra" in error and "pip install 'abm-critical-minerals[viz]'" in error
    assert error.count("\n") == 1


def test_a_scenario_runs_by_name_as_users_type_it(tmp_path, capsys):
    out = tmp_path / "by-name"
    assert main(["run", "ira", "--end", "2023-02", "--out", str(out), "--no-figures"]) == 0
    assert json.loads((out / "manifest.json").read_text())["scenario"] == "ira"
    assert main(["run", "ira", "--scenario", "default", "--out", str(tmp_path / "x")]) == 2
    assert "named twice" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_compare_draws_the_other_run_and_the_manifest_names_it(tmp_path, capsys):
    out = tmp_path / "compared"
    arguments = ["run", "ira", "--end", "2023-03", "--compare", "ira-counterfactual"]
    assert main([*arguments, "--out", str(out)]) == 0
    assert json.loads((out / "manifest.json").read_text())["compared_with"] == "ira-counterfactual"
    assert main([*arguments, "--no-figures", "--out", str(tmp_path / "no")]) == 2
    assert "drop --no-figures" in capsys.readouterr().err
    assert main(["run", "--compare", "nosuch", "--out", str(tmp_path / "no")]) == 2
    assert not (tmp_path / "no").exists()


def test_a_closed_pipe_ends_the_listing_quietly():
    listing = subprocess.Popen(
        [sys.executable, "-m", "abm", "scenarios"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert listing.stdout is not None and listing.stderr is not None
    listing.stdout.close()  # the reader is gone before anything is written (as `| head -0`)
    errors = listing.stderr.read().decode()
    assert listing.wait() == 1
    assert "Traceback" not in errors and "Exception ignored" not in errors
