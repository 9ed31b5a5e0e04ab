"""Each historical world reproduces its own base year (issue 19's "must hold"): a run from
January of Y in world Y balances its books, mines and refines the vintage table's world
volumes within 10%, mines by country within 5 points of its shares and prices within 25%.

Refined volumes count recycled output too: the tables' refined totals (ICSG copper, INSG
nickel) are refinery output from all feeds. Where a mineral misses, the miss is pinned with a
strict xfail naming why, not hidden by a wider band.
"""

from __future__ import annotations

import functools

import pandas as pd
import pytest
from support.base_year import average_price, primary_shares

from abm.data import MINERALS
from abm.data.vintage import world_calibration
from abm.experiment import run
from abm.outputs import largest_relative_residual
from abm.scenario import Scenario

VINTAGES = (2010, 2013, 2022)
FOLLOWS_MINING = (
    "the model sizes refining as the refining share times world mining, plus recyclers, so "
    "refined output follows mining, not the table's refined total"
)
# (year, mineral): why the first year's refined volume misses the table by more than 10%.
REFINING_MISSES = {
    (2010, "graphite"): "table refines battery-grade anode material only (70 kt of 1.1 Mt "
    "mined); " + FOLLOWS_MINING,
    (2013, "graphite"): "table refines battery-grade anode material only (100 kt of 1.19 Mt "
    "mined); " + FOLLOWS_MINING,
    (2022, "graphite"): "table's refining (IEA 2023 shares, synthetic graphite included) is "
    "above mining; " + FOLLOWS_MINING,
    (2010, "cobalt"): "table refines 76 kt of 88 kt mined; " + FOLLOWS_MINING,
    (2013, "cobalt"): "table refines 84.5 kt of 114 kt mined; " + FOLLOWS_MINING,
    (2022, "cobalt"): "recycled cobalt comes on top of refining sized on mining; " + FOLLOWS_MINING,
    (2010, "lithium"): "table converts 23.2 kt of 26.2 kt mined; " + FOLLOWS_MINING,
    (2013, "lithium"): "table converts 32.5 kt of 35.1 kt mined; " + FOLLOWS_MINING,
    # (2010, "nickel") is at the band's edge (1.0998 of the table, seed 1) since session 10's
    # merges: recycled nickel on top of refining sized on mining put it above before.
    (2013, "nickel"): "table refines 2.02 Mt (INSG) of 2.49 Mt mined (USGS): ore stocked in "
    "China ahead of the 2014 ban and the two sources' bases may make the gap; " + FOLLOWS_MINING,
    (2022, "germanium"): "table's refining equals mining (150 t) and recycled germanium "
    "comes on top; " + FOLLOWS_MINING,
    (2022, "lithium"): "the reported 2022 deficit (3.4% of use) raises use, and refining, "
    "which follows mining and recycling, with it (1.13 of the table; 1.06 before); "
    + FOLLOWS_MINING,
    # 1.09 of the table while refiners spent their covers in the first months; 1.13 once
    # they keep them: the primary part now follows the 120 t and 131 t mined.
    (2010, "germanium"): "table's refining equals mining (120 t) and recycled germanium "
    "comes on top; " + FOLLOWS_MINING,
    (2013, "germanium"): "table's refining equals mining (131 t) and recycled germanium "
    "comes on top; " + FOLLOWS_MINING,
}


@functools.cache
def base_year_run(year: int) -> dict[str, pd.DataFrame]:
    """The tables of a run from January to December of ``year`` in the world of ``year``."""
    scenario = Scenario(
        name=f"world-{year}", settings={"start": f"{year}-01", "end": f"{year}-12"}, world=year
    )
    return run(scenario, seed=1).tables


def _volumes(year: int, stage: str) -> pd.DataFrame:
    supply = base_year_run(year)["supply"]
    model = supply[supply.stage == stage].groupby("mineral", observed=True).tonnes.sum()
    table = world_calibration(year).supply
    data = table[table.stage == stage].groupby("mineral").tonnes.sum()
    return pd.concat([model, data], axis=1, keys=["model", "data"])


# (year, mineral): why the first year's mined volume misses the table by more than 10%.
MINING_MISSES = {
    (2010, "cobalt"): "the reported 2010 surplus, 24.6% of use (an upper bound: refined output "
    "and apparent use on two definitions), lowers use so far that mines cut output to 0.88 "
    "of the table",
    # Gallium mined 1.10x the table in 2010 and 2013 (session 9) while by-product circuits
    # stopped and started with each month's expected price: the dearer half of China's 2010
    # circuits was shut in January and restarted on the first price rise (China's capacity
    # 66.9 -> 117.1 -> 66.9 t/yr over the year). Since circuits idle by the sites' rule
    # (session 10) both are within 10%.
}


def _cases(misses: dict) -> list:
    cases = []
    for year in VINTAGES:
        for mineral in MINERALS:
            reason = misses.get((year, mineral))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(year, mineral, marks=marks, id=f"{year}-{mineral}"))
    return cases


@pytest.mark.slow
@pytest.mark.parametrize("year", VINTAGES)
def test_a_base_year_run_builds_and_its_books_balance(year):
    run_tables = base_year_run(year)
    balance = run_tables["balance"]
    assert largest_relative_residual(balance) < 1e-9
    assert balance.date.min() == pd.Timestamp(f"{year}-01-01")
    assert balance.date.nunique() == 12


@pytest.mark.slow
@pytest.mark.parametrize(("year", "mineral"), _cases(MINING_MISSES))
def test_a_base_year_run_mines_the_vintage_world_volume_within_10_percent(year, mineral):
    volumes = _volumes(year, "raw")
    assert set(volumes.dropna().index) == set(MINERALS)
    assert 0.9 <= volumes.model[mineral] / volumes.data[mineral] <= 1.1, volumes


@pytest.mark.slow
@pytest.mark.parametrize(("year", "mineral"), _cases(REFINING_MISSES))
def test_a_base_year_run_refines_the_vintage_world_volume_within_10_percent(year, mineral):
    volumes = _volumes(year, "refined").loc[mineral]
    assert 0.9 <= volumes.model / volumes.data <= 1.1, volumes


@pytest.mark.slow
@pytest.mark.parametrize("year", VINTAGES)
def test_a_base_year_run_mines_by_country_within_5_points_of_the_vintage_shares(year):
    simulated = primary_shares(base_year_run(year)["supply"], "raw")
    table = world_calibration(year).supply
    data = table[table.stage == "raw"].set_index(["mineral", "country"]).share
    both = pd.concat([simulated, data], axis=1, keys=["model", "data"]).fillna(0.0)
    gap = (both.model - both.data).abs()
    assert gap.max() <= 0.05, both.assign(gap=gap).sort_values("gap").tail(5)


@pytest.mark.slow
@pytest.mark.parametrize("year", VINTAGES)
@pytest.mark.parametrize("stage", ["raw", "refined"])
def test_a_base_year_run_prices_within_25_percent_of_the_vintage_prices(year, stage):
    average = average_price(base_year_run(year), stage)
    prices = world_calibration(year).prices
    reference = prices[prices.stage == stage].set_index("mineral").price_usd_per_t
    ratio = average / reference
    assert set(ratio.index) == set(MINERALS)
    assert ratio.between(0.75, 1.25).all(), ratio
