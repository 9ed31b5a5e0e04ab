"""The estimate files name a source on every entry and reject malformed input by name."""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from abm.data import CalibrationError
from abm.data.estimates import HERE, SOURCE_KEYS, load_estimates


@pytest.fixture(scope="module")
def estimates():
    return load_estimates()


def _cited_entries(estimates) -> list:
    """Every loaded record that carries a source, growth rates included."""
    out = []
    for field in fields(estimates):
        value = getattr(estimates, field.name)
        items = value.values() if isinstance(value, dict) else value
        for item in items if isinstance(value, dict | list) else [value]:
            if hasattr(item, "source"):
                out.append(item)
            out += [g for g in getattr(item, "growth", {}).values() if g.per_year is not None]
    return out


def test_every_estimate_names_its_source_and_every_estimate_says_why(estimates):
    entries = _cited_entries(estimates)
    assert len(entries) > 150
    for entry in entries:
        assert entry.source.startswith(SOURCE_KEYS), entry
        if entry.source == "ESTIMATE":
            assert entry.reasoning, entry


def test_complete_tables_are_keyed_in_model_order(estimates):
    assert [key for (key,) in estimates.country_points][:3] == ["CN", "AU", "ID"]
    assert list(estimates.lead_times)[:2] == [("lithium", "raw"), ("lithium", "refined")]


def test_country_profiles_and_owner_splits_sum_to_one(estimates):
    splits = [entry.owners for entry in estimates.ownership]
    splits += [profile.shares for profile in estimates.profiles.values()]
    splits += [estimates.gallium_refined.shares, estimates.germanium.shares]
    for shares in splits:
        assert sum(shares.values()) == pytest.approx(1.0, abs=1e-9), shares


def test_each_iea_demand_row_is_shared_out_over_sectors_in_full(estimates):
    total: dict[tuple[str, str], float] = {}
    for row in estimates.demand_sectors:
        key = (row.mineral, row.iea_row)
        total[key] = total.get(key, 0.0) + row.weight
    assert total[("rare_earths", "Other uses")] == pytest.approx(1.0)
    assert all(value == pytest.approx(1.0) for value in total.values()), total


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "estimates"
    shutil.copytree(HERE, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return folder


@pytest.mark.parametrize(
    ("file_name", "old", "new", "message"),
    [
        ("lead_times.csv", "60,24,18,ESTIMATE", "sixty,24,18,ESTIMATE", "line 2: decision_months"),
        ("costs.csv", "0.1,0.45,0.75", "nan,0.45,0.75", "line 2: cost_low_frac 'nan' is not"),
        ("transport.csv", "lithium,raw,538.0", "lithium,mined,538.0", "line 2: stage 'mined'"),
        ("recycling.csv", "0.02,12.0,0.2,ESTIMATE", "0.02,12.0,0.2,GUESS", "source 'GUESS'"),
        ("recycling.csv", "graphite,0.0,", "graphite,", "line 3 has 5 fields; the header 6"),
        ("lead_times.csv", "\ngraphite,raw,", "\ngraphite,refined,", "a second row for"),
        ("country_points.csv", "\nAU,", "\nXX,", "code 'XX' is not one of CN, AU"),
        ("country_points.csv", "lat,lon", "latitude,lon", "columns are"),
        ("prices.csv", "USGS24,,salient 2023: 290", "ESTIMATE,,-", "needs its reasoning"),
        ("ownership.toml", "CN = 0.75", "TW = 0.75", "owners 'TW' is not one of"),
        ("ownership.toml", "CN = 0.75", "CN = 1.75", "owners.CN 1.75 is not between 0 and 1"),
        ("ownership.toml", 'stage = "refined"', 'stage = "smelted"', "stage 'smelted'"),
        ("demand_profiles.toml", "[stainless]", "[stainless", "not valid TOML"),
        ("demand_profiles.toml", 'source = "ESTIMATE"', 'sources = "ESTIMATE"', "'sources'"),
        ("supply_splits.toml", "world_t = 150.0", 'world_t = "150"', "world_t must be a number"),
        ("demand_small_minerals.toml", "follows = ", "per_year = 0.1\nfollows = ", "not both"),
        ("demand_small_minerals.toml", 'follows = "rare_earths"', 'follows = "tin"', "'tin'"),
        ("ownership.toml", "CN = 0.75", "CN = true", "owners.CN must be a number"),
        ("lead_times.csv", "60,24,18,ESTIMATE", "60.5,24,18,ESTIMATE", "'60.5' is not an integer"),
    ],
)
def test_bad_estimates_are_rejected_naming_file_and_field(tmp_path, file_name, old, new, message):
    folder = _copy(tmp_path)
    path = folder / file_name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CalibrationError, match=file_name.replace(".", r"\.")) as error:
        load_estimates(folder)
    assert message in str(error.value)


def test_a_missing_row_of_a_complete_table_is_named(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "costs.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("nickel,raw")))
    with pytest.raises(CalibrationError, match=r"costs\.csv: no row for nickel, raw"):
        load_estimates(folder)


def test_the_build_command_rejects_bad_estimates_in_one_line_and_writes_nothing(tmp_path, capsys):
    pytest.importorskip("openpyxl")
    from abm.data.build_tables import main

    folder = _copy(tmp_path)
    (folder / "prices.csv").write_text(
        (folder / "prices.csv").read_text().replace(",0.58,", ",", 1), encoding="utf-8"
    )
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(SystemExit) as stop:
        main(["--out", str(out), "--estimates", str(folder)])
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "prices.csv" in error
    assert list(out.iterdir()) == []


def test_the_package_data_globs_ship_every_estimate_file():
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    package = HERE.parents[1]  # abm/
    shipped = {
        path
        for pattern in pyproject["tool"]["setuptools"]["package-data"]["abm"]
        for path in package.glob(pattern)
    }
    files = {path for path in HERE.iterdir() if path.suffix in (".csv", ".toml")}
    assert len(files) == 14
    assert files <= shipped, sorted(path.name for path in files - shipped)
