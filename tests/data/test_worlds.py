"""The calibration of each world: a vintage's base-year tables in 2023's, and its growth path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from abm.data import MINERALS, load_calibration
from abm.data.loader import package_directory, read_table
from abm.data.vintage import VINTAGE_TABLES, world_calibration, world_checksums, world_years
from abm.world.demand import growth_paths

VINTAGES = [year for year in world_years() if year != 2023]


def test_the_worlds_are_2023_and_every_vintage_folder():
    folders = [p.name for p in package_directory().joinpath("vintages").iterdir() if p.is_dir()]
    assert world_years() == tuple(sorted({2023, *map(int, folders)}))
    assert {2010, 2013, 2022} <= set(VINTAGES)


def test_the_2023_world_is_the_shipped_calibration():
    world, shipped = world_calibration(2023), load_calibration()
    assert world.year == 2023
    for name in ("supply", "demand_growth", "pipeline", "prices"):
        pd.testing.assert_frame_equal(getattr(world, name), getattr(shipped, name))


@pytest.mark.parametrize("year", VINTAGES)
def test_a_vintage_world_has_its_own_base_year_tables_and_2023_costs(year):
    world, shipped = world_calibration(year), load_calibration()
    folder = package_directory().joinpath("vintages", str(year))
    for attribute, file_name in VINTAGE_TABLES.items():
        expected = read_table(folder, attribute, file_name.format(year=year))
        pd.testing.assert_frame_equal(getattr(world, attribute), expected)
        assert not getattr(world, attribute).equals(getattr(shipped, attribute)), attribute
    pd.testing.assert_frame_equal(world.costs, shipped.costs)
    assert world.pipeline.empty  # no listed pipeline before 2023: capacity grows by investment
    assert list(world.pipeline.columns) == list(shipped.pipeline.columns)


@pytest.mark.parametrize("year", VINTAGES)
def test_a_vintage_world_grows_along_history_to_2023_and_the_iea_path_after(year):
    world, shipped = world_calibration(year), load_calibration()
    folder = package_directory().joinpath("vintages", str(year))
    with folder.joinpath(f"growth_{year}.csv").open("rb") as handle:
        history = pd.read_csv(handle).set_index(["mineral", "year"])["index"]
    growth = world.demand_growth.set_index(["mineral", "sector", "scenario", "year"])["index"]
    iea = shipped.demand_growth.set_index(["mineral", "sector", "scenario", "year"])["index"]
    for (mineral, sector, scenario, later), value in iea[
        iea.index.get_level_values(3) > 2023
    ].items():
        expected = value * history[(mineral, 2023)]
        assert growth[(mineral, sector, scenario, later)] == pytest.approx(expected)
    for (mineral, anchor), value in history.items():
        steps = growth.xs((mineral, anchor), level=("mineral", "year"))
        np.testing.assert_allclose(steps, value)
    months = pd.date_range(f"{year}-01-01", periods=12 * (2024 - year), freq="MS")
    paths = growth_paths(world.demand_growth, "STEPS", months, year)
    for (mineral, _), path in paths.items():
        assert path[6] == pytest.approx(1.0)  # July of the world's year
        assert path[-6] == pytest.approx(history[(mineral, 2023)], rel=1e-9)


def test_a_geometric_step_between_anchors_grows_at_a_constant_rate():
    world = world_calibration(2013)
    nickel = world.demand_growth
    nickel = nickel[(nickel.mineral == "nickel") & (nickel.sector == "other")]
    nickel = nickel[(nickel.scenario == "STEPS") & nickel.year.between(2013, 2022)]
    ratios = np.diff(np.log(nickel["index"].to_numpy(float)))
    np.testing.assert_allclose(ratios, ratios[0])
    assert ratios[0] > 0


@pytest.mark.parametrize("year", VINTAGES)
def test_a_vintage_world_names_the_checksum_of_every_file_behind_it(year):
    sums = world_checksums(year)
    assert len(sums) == len(VINTAGE_TABLES) + 1
    assert all(name.startswith(f"vintages/{year}/") for name in sums)
    assert all(len(value) == 64 for value in sums.values())
    assert world_checksums(2023) == {}


def test_every_mineral_is_in_every_world():
    for year in world_years():
        world = world_calibration(year)
        assert set(world.supply.mineral) == set(MINERALS), year
        assert set(world.demand.mineral) == set(MINERALS), year


@pytest.mark.parametrize("attribute", ["supply", "prices"])
def test_a_bad_vintage_table_is_named_in_the_cross_row_checks(monkeypatch, attribute):
    """A cross-row check on a vintage's table (a duplicate row, raw dearer than refined)
    names the vintage's file, not the 2023 one whose columns it shares."""
    from abm.data import vintage
    from abm.data.loader import CalibrationError

    def doctored(folder, name, file_name=None):
        frame = read_table(folder, name, file_name)
        if name != attribute or file_name is None:
            return frame
        if name == "supply":
            return pd.concat([frame, frame.iloc[:1]], ignore_index=True)
        frame.loc[(frame.mineral == "nickel") & (frame.stage == "raw"), "price_usd_per_t"] = 1e9
        return frame

    monkeypatch.setattr(vintage, "read_table", doctored)
    expected = f"^vintages/2013/{attribute}_2013.csv line"
    with pytest.raises(CalibrationError, match=expected):
        vintage._vintage_tables.__wrapped__(2013)
