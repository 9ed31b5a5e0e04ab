"""The calibrated model: books, calibration, determinism and mechanisms."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pandas as pd
import pytest
from support.base_year import average_price, primary_shares

from abm.agents.sites import SiteFleet
from abm.data import MINERALS, load_calibration
from abm.model import MineralsModel
from abm.outputs import largest_relative_residual, tables


def test_books_balance_for_every_month_mineral_and_stage(five_years_tables):
    balance = five_years_tables["balance"]
    assert largest_relative_residual(balance) < 1e-9
    assert set(balance.stage.unique()) >= {"raw", "refined", "scrap"}


def test_holders_stocks_add_up_to_the_closing_stock(five_years_tables):
    balance = five_years_tables["balance"]
    held = balance.filter(like="held_by_").sum(axis=1)
    np.testing.assert_allclose(held, balance.closing_stock, rtol=1e-12, atol=1e-9)


def test_mined_tonnes_equal_raw_tonnes_shipped_plus_what_mines_and_merchants_stocked(
    five_years_tables,
):
    supply, flows = five_years_tables["supply"], five_years_tables["flows"]
    balance = five_years_tables["balance"]
    mined = supply[supply.stage == "raw"].groupby(["date", "mineral"], observed=True).tonnes.sum()
    shipped = flows[flows.stage == "raw"].groupby(["date", "mineral"], observed=True).tonnes.sum()
    raw = balance[balance.stage == "raw"].set_index(["date", "mineral"])
    held = raw.held_by_mines + raw.held_by_stockholders
    stocked = held - held.groupby(level="mineral", observed=True).shift(1, fill_value=0.0)
    joined = pd.concat([mined, shipped, stocked], axis=1, keys=["mined", "shipped", "stocked"])
    joined = joined.fillna(0.0)
    # the flows table leaves out pairs under 1 kg a month
    np.testing.assert_allclose(joined.mined, joined.shipped + joined.stocked, rtol=1e-6, atol=0.5)


def test_nothing_negative_nan_or_infinite(five_years_tables):
    for name, table in five_years_tables.items():
        numbers = table.select_dtypes("number")
        assert np.isfinite(numbers.to_numpy()).all(), name
        columns = [c for c in numbers.columns if c != "residual"]
        assert (numbers[columns].to_numpy() >= -1e-9).all(), name


def test_prices_stay_positive_and_below_the_choke_price(five_years_tables, calibration):
    prices = five_years_tables["prices"]
    reference = calibration.prices.set_index(["mineral", "stage"]).price_usd_per_t
    ratio = prices.price / [
        reference[(m, s)] for m, s in zip(prices.mineral, prices.stage, strict=True)
    ]
    assert (prices.price > 0).all()
    assert ratio.max() < 30.0 * np.exp(0.2)


@pytest.mark.parametrize("stage", ["raw", "refined"])
def test_first_year_shares_within_three_points_of_the_2023_data(
    first_year_tables, calibration, stage
):
    simulated = primary_shares(first_year_tables["supply"], stage)
    data = calibration.supply[calibration.supply.stage == stage]
    data = data.set_index(["mineral", "country"]).share
    both = pd.concat([simulated, data], axis=1, keys=["model", "data"]).fillna(0.0)
    gap = (both.model - both.data).abs()
    assert gap.max() <= 0.03, both.assign(gap=gap).sort_values("gap").tail(5)
    assert set(both.index.get_level_values(0)) == set(MINERALS)


@pytest.mark.parametrize("stage", ["raw", "refined"])
def test_first_year_average_price_within_25_percent_of_reference(
    first_year_tables, first_year, calibration, stage
):
    average = average_price(first_year_tables, stage)
    reference = calibration.prices[calibration.prices.stage == stage].set_index("mineral")
    ratio = average / reference.price_usd_per_t
    assert ratio.between(0.75, 1.25).all(), ratio


def test_same_seed_same_tables_and_different_seeds_differ(calibration):
    def run(seed):
        return tables(MineralsModel(rng=seed, calibration=calibration, end="2023-06").run())

    first, again, other = run(1), run(1), run(2)
    for name in first:
        pd.testing.assert_frame_equal(first[name], again[name], check_exact=True)
    assert not first["prices"].price.equals(other["prices"].price)


def test_a_ban_on_one_pair_stops_its_flow(calibration):
    model = MineralsModel(rng=1, calibration=calibration, end="2023-06")
    model.governments["CN"].ban_exports("rare_earths", "refined", ["JP"])
    result = tables(model.run())["flows"]
    pair = result[
        (result.mineral == "rare_earths")
        & (result.stage == "refined")
        & (result.origin == "CN")
        & (result.destination == "JP")
    ]
    assert pair.tonnes.sum() == 0.0
    others = result[
        (result.mineral == "rare_earths")
        & (result.stage == "refined")
        & (result.origin == "CN")
        & (result.destination == "KR")
    ]
    assert others.tonnes.sum() > 0.0


def _mean_price(table, mineral, stage, country):
    rows = table[(table.mineral == mineral) & (table.stage == stage) & (table.country == country)]
    return rows.price.mean()


def test_losing_a_major_supplier_raises_prices_elsewhere(calibration):
    base = tables(MineralsModel(rng=1, calibration=calibration, end="2023-06").run())["prices"]
    model = MineralsModel(rng=1, calibration=calibration, end="2023-06")
    mines = model.mines
    nickel = model.world.minerals.index("nickel")
    indonesia = model.world.countries.index("ID")
    mines.capacity[(mines.mineral == nickel) & (mines.location == indonesia)] = 0.0
    shocked = tables(model.run())["prices"]
    for country in ("JP", "US", "EU"):
        assert _mean_price(shocked, "nickel", "refined", country) > _mean_price(
            base, "nickel", "refined", country
        )


def test_a_tariff_raises_the_delivered_price_in_the_importing_country(calibration):
    base = tables(MineralsModel(rng=1, calibration=calibration, end="2023-06").run())["prices"]
    model = MineralsModel(rng=1, calibration=calibration, end="2023-06")
    model.governments["US"].set_import_tariff("lithium", "refined", 0.25, origins="all")
    taxed = tables(model.run())["prices"]
    assert _mean_price(taxed, "lithium", "refined", "US") > 1.05 * _mean_price(
        base, "lithium", "refined", "US"
    )


def test_model_is_garbage_collected_after_a_run(calibration):
    model = MineralsModel(rng=1, calibration=calibration, end="2023-03").run()
    reference = weakref.ref(model)
    del model
    gc.collect()
    assert reference() is None


def test_agents_of_every_kind_live_in_model_agents(first_year):
    kinds = {type(agent).__name__ for agent in first_year.agents}
    assert kinds == {"Producer", "Refiner", "Buyer", "Recycler", "Government"}
    assert len(first_year.agents_by_type[first_year.governments["CN"].__class__]) == 20


def test_pipeline_switch_builds_the_iea_base_case_or_holds_2023_capacity(calibration):
    held = MineralsModel(rng=1, calibration=calibration, end="2030-12", use_pipeline=False)
    built = MineralsModel(rng=1, calibration=calibration, end="2030-12")
    for fleet in (held.mines, held.refineries):
        assert (fleet.capacity[:, -1] == fleet.capacity[:, 0]).all()  # before any investment
    indonesia = built.world.countries.index("ID")
    nickel = built.world.minerals.index("nickel")
    sites = (built.refineries.location == indonesia) & (built.refineries.mineral == nickel)
    assert (
        built.refineries.capacity[sites, -1].sum() > 1.2 * built.refineries.capacity[sites, 0].sum()
    )


def test_capacity_path_reads_to_the_bit_as_if_written_out_to_the_horizon():
    """Investment writes new capacity over each project's ramp only; every month must read
    as a path with every addition written out to the end would, and the path handed out by
    ``capacity`` (and changed there) must be the one the fleet goes on from."""
    rng = np.random.default_rng(3)
    sites, months = 6, 40
    table = pd.DataFrame(
        {
            "mineral": "lithium",
            "location": "AU",
            "owner": "AU",
            "unit_cost_usd_per_t": 1.0,
            "tranche": 0,
            "new_capacity_cost_usd_per_t": 1.0,
        },
        index=range(sites),
    )
    path = np.repeat(rng.random((sites, 1)), months, axis=1)
    path[0, 10:] *= 1.5  # a pipeline step
    path[1] = np.linspace(1.0, 2.0, months)  # growing to the end
    fleet = SiteFleet(table, path, ["AU"], ["lithium"])
    full = path.copy()
    for decision in range(30):
        rows = np.flatnonzero(rng.random(sites) < 0.6)
        start = decision + 1.0 + rng.integers(0, 30, len(rows))  # some beyond the horizon
        ramp = rng.integers(1, 12, len(rows)).astype(float)
        tonnes = rng.random(len(rows))
        fleet.add_capacity(rows, start, ramp, tonnes)
        for row, first, span, added in zip(rows, start, ramp, tonnes, strict=True):
            t = np.arange(int(first), months)
            full[row, int(first) :] += added * np.clip((t - first + 1.0) / span, 0.0, 1.0)
        for month in range(months):
            assert np.array_equal(fleet.capacity_in(month), full[:, month])
        ahead = rng.integers(0, months, sites)
        assert np.array_equal(fleet.capacity_of(np.arange(sites), ahead), full[range(sites), ahead])
        if decision == 20:
            fleet.capacity[2, 25:] = 0.0  # a closure written into the path handed out
            full[2, 25:] = 0.0
        if decision % 7 == 0:
            assert np.array_equal(fleet.capacity, full)
    assert np.array_equal(fleet.capacity, full)


def test_shipped_calibration_is_read_once_and_each_caller_gets_its_own_tables():
    """Sweep workers build many models from one reading of the tables; a caller that
    changes its tables must not change the next caller's."""
    first = load_calibration()
    first.supply["tonnes"] = 0.0
    second = load_calibration()
    assert second.supply is not first.supply
    assert (second.supply.tonnes > 0).any()


def test_each_mesa_agent_is_a_view_of_its_row_in_the_agent_set(first_year):
    """Users inspect agents one by one (``model.agents``): each must read its own row of
    the arrays the agent sets decide with."""
    model = first_year
    producers = [a for a in model.agents if type(a).__name__ == "Producer"]
    refiners = [a for a in model.agents if type(a).__name__ == "Refiner"]
    buyers = [a for a in model.agents if type(a).__name__ == "Buyer"]
    assert len(producers) == len(model.mines) and len(refiners) == len(model.refineries)
    month = model.month - 1  # the run is over: the views read its last month
    for agent in producers[::50] + refiners[::50]:
        fleet, row = agent.fleet, agent.index
        assert agent.mineral == model.world.minerals[fleet.mineral[row]]
        assert agent.location == model.world.countries[fleet.location[row]]
        assert agent.owner == model.world.countries[fleet.owner[row]]
        assert agent.capacity_t_per_month == fleet.capacity_in(month)[row]
        assert agent.output_t == fleet.output[row]
    mined = sum(a.output_t for a in producers)
    assert mined == pytest.approx(model.mines.output.sum(), rel=1e-12) and mined > 0
    for agent in buyers[::10]:
        assert agent.country == model.world.countries[model.buyers.country[agent.index]]
