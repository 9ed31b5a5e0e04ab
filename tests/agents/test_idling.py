"""Idling, retirement and restarts of sites (``abm.agents.idling``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import abm.data
from abm.agents.producer import MineFleet
from abm.agents.refiner import RefineryFleet
from abm.experiment import build
from abm.outputs import balance_table, capacity_table, largest_relative_residual
from abm.settings import ModelSettings

MONTHS = 60
CAPACITY = 100.0  # t/month at each site
CAPEX = 1000.0  # USD per t/yr of a new tonne

SETTINGS = ModelSettings(
    idle_after_loss_months=3, retire_after_idle_months=4, restart_months=2, restart_capex_share=0.1
)


def _table(costs: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mineral": "lithium",
            "location": "AU",
            "owner": "AU",
            "unit_cost_usd_per_t": costs,
            "tranche": 0,
            "new_capacity_cost_usd_per_t": costs,
        }
    )


def _mines(costs: list[float], price: float) -> MineFleet:
    """Mines of ``costs`` that expect ``price``, now and in the long run."""
    fleet = MineFleet(_table(costs), np.full((len(costs), MONTHS), CAPACITY), ["AU"], ["lithium"])
    _expect(fleet, price)
    return fleet


def _expect(fleet, now: float, long_run: float | None = None) -> None:
    fleet.expected_price = np.full(len(fleet), now)
    fleet.investment_price = np.full(len(fleet), now if long_run is None else long_run)


def _review(fleet, months: range, settings=SETTINGS) -> None:
    for month in months:
        fleet.review_operations(month, settings, np.full(len(fleet), CAPEX))


def test_a_stranded_mine_idles_then_retires_and_keeps_selling_its_stock():
    fleet = _mines([100.0], price=50.0)
    fleet.stock[:] = 7.0
    _review(fleet, range(3))  # three months of losses
    assert fleet.operations.idled[0]
    assert fleet.asks(3).quantity[0] == pytest.approx(7.0)  # its stock, no capacity
    fleet.produce(np.zeros(1), 3, SETTINGS)
    assert fleet.output[0] == 0.0
    _review(fleet, range(3, 7))  # four months idle
    assert fleet.operations.retired[0] and not fleet.operations.idled[0]
    assert fleet.capacity_in(6)[0] == CAPACITY  # the month it retired ran as it was
    assert fleet.capacity_in(7)[0] == 0.0 and fleet.capacity[0, 7:].max() == 0.0
    assert fleet.operations.retired_capacity[0] == CAPACITY
    assert fleet.asks(7).quantity[0] == pytest.approx(7.0)


def test_a_profitable_mine_never_idles():
    fleet = _mines([10.0], price=50.0)
    _review(fleet, range(MONTHS))
    assert not fleet.operations.idled.any() and not fleet.operations.retired.any()
    assert fleet.capacity_in(MONTHS - 1)[0] == CAPACITY


def test_an_idled_mine_restarts_after_its_delay_and_pays_for_it():
    fleet = _mines([100.0], price=50.0)
    _review(fleet, range(3))
    assert fleet.operations.idled[0]
    _expect(fleet, 200.0)  # the price recovers
    _review(fleet, range(3, 4))  # decides to restart in month 3
    expected = SETTINGS.restart_capex_share * CAPEX * 12.0 * CAPACITY
    assert fleet.operations.restart_cost_usd[0] == pytest.approx(expected)
    _review(fleet, range(4, 5))
    assert fleet.asks(5).quantity[0] == 0.0  # months 4 and 5: restarting
    _review(fleet, range(5, 6))
    assert fleet.asks(6).quantity[0] == CAPACITY
    assert fleet.operations.restarts[0] == 1


def test_a_mine_losing_money_now_with_a_better_outlook_keeps_running():
    fleet = _mines([100.0], price=50.0)
    _expect(fleet, 50.0, long_run=150.0)
    _review(fleet, range(MONTHS))
    assert not fleet.operations.idled.any()


def test_a_passing_price_spike_does_not_restart_an_idled_mine():
    fleet = _mines([100.0], price=50.0)
    _review(fleet, range(3))
    _expect(fleet, 400.0, long_run=60.0)
    _review(fleet, range(3, 5))
    assert fleet.operations.restarts[0] == 0


def test_a_restart_that_does_not_pay_waits_then_retires():
    dear = SETTINGS.replace(restart_capex_share=2.0)  # 2000 USD per t/yr against 10 a month
    fleet = _mines([100.0], price=50.0)
    _review(fleet, range(3), dear)
    _expect(fleet, 110.0)
    _review(fleet, range(3, 7), dear)
    assert fleet.operations.retired[0] and fleet.operations.restarts[0] == 0


def test_a_refinery_whose_ore_costs_more_than_its_margin_idles():
    table = _table([20.0, 20.0])
    fleet = RefineryFleet(table, np.full((2, MONTHS), CAPACITY), ["AU"], ["lithium"])
    _expect(fleet, 150.0)
    fleet.raw_price_seen = np.array([140.0, 100.0])  # 150 - 20 - 140 < 0 < 150 - 20 - 100
    _review(fleet, range(3))  # the long-run ore price is this month's from the first
    assert fleet.operations.idled.tolist() == [True, False]
    bids = fleet.raw_bids(3, SETTINGS, np.array([100.0]))
    assert bids.quantity[0] == 0.0 and bids.quantity[1] > 0.0


def test_refining_capacity_whose_ore_is_banned_counts_only_in_the_share_it_still_gets():
    fleet = RefineryFleet(_table([20.0, 20.0]), np.full((2, MONTHS), CAPACITY), ["AU"], ["lithium"])
    fleet.raw_risk = np.array([0.75, 0.0])  # three quarters of its ore came from a banning origin
    assert fleet.usable_capacity(0).tolist() == [0.25 * CAPACITY, CAPACITY]
    assert fleet.usable_capacity(0, 10).tolist() == [0.25 * CAPACITY, CAPACITY]


def _commissioned(idle_first: bool) -> float:
    """How much the investors of the second of two mines want to build when the first (idle,
    no output) is idled or not: they count the market's utilisation on usable capacity."""
    fleet = _mines([100.0, 100.0], price=120.0)  # 1.2 x full cost (no capex)
    fleet.operations.idled[0] = idle_first
    fleet.output = np.array([0.0, 0.8 * CAPACITY])
    fleet.reference_utilisation = np.array([0.8])
    ones = np.ones(2)
    # The investors' drive (before owners place it in modules), one lead time out.
    drive, _, _ = fleet._drive(12, fleet.unit_cost, 0.0 * ones, 18 * ones, SETTINGS, 1.0, None)
    return float(drive[1])


def test_tightness_ignores_idled_capacity():
    assert _commissioned(idle_first=False) == 0.0  # half the market idle: no one builds
    assert _commissioned(idle_first=True) > 0.0  # the running half is as tight as in 2023


def test_usable_capacity_counts_a_restart_from_its_month():
    fleet = _mines([100.0], price=50.0)
    _review(fleet, range(3))
    assert fleet.usable_capacity(3)[0] == 0.0
    _expect(fleet, 200.0)
    _review(fleet, range(3, 4))  # runs again in month 6
    assert fleet.usable_capacity(4, 5)[0] == 0.0
    assert fleet.usable_capacity(4, 6)[0] == CAPACITY


@pytest.fixture(scope="module")
def quick_idling_run():
    """Two years of the default world with sites idling after a month and retiring after
    two: every path of the state machine runs."""
    overrides = {"idle_after_loss_months": 1, "retire_after_idle_months": 2, "restart_months": 1}
    return build("default", seed=1, end="2024-12", overrides=overrides).run()


def test_books_balance_while_sites_idle_and_retire(quick_idling_run):
    model = quick_idling_run
    assert model.mines.operations.retired.any() and model.refineries.operations.retired.any()
    assert largest_relative_residual(balance_table(model)) < 1e-9


def test_the_capacity_table_shows_idled_and_retired_capacity(quick_idling_run):
    model = quick_idling_run
    table = capacity_table(model)
    assert table.idled_tonnes_per_year.sum() > 0.0  # some month has capacity idled
    assert (table.idled_tonnes_per_year <= table.tonnes_per_year + 1e-9).all()
    last = table[table.date == table.date.max()]
    retired = last.retired_tonnes_per_year.sum()
    assert retired > 0.0
    books = 12.0 * (model.mines.capacity_in(23).sum() + model.refineries.capacity_in(23).sum())
    assert last.tonnes_per_year.sum() == pytest.approx(books)
    assert (last.idled_tonnes_per_year <= last.tonnes_per_year + 1e-9).all()


def test_without_idling_no_site_idles_and_the_run_differs(quick_idling_run):
    off = build("default", seed=1, end="2024-12", overrides={"site_idling": False}).run()
    assert not off.mines.operations.idled.any() and not off.refineries.operations.retired.any()
    on = quick_idling_run
    assert not np.array_equal(off.recorder.mine_output, on.recorder.mine_output)


def _evidence(event: str) -> pd.Series:
    table = pd.read_csv(Path(abm.data.__file__).parent / "evidence" / "idling.csv")
    return table[table.event == event]


def test_the_default_periods_are_the_cited_episodes():
    defaults = ModelSettings()
    assert defaults.idle_after_loss_months == _evidence("loss before idling").months.median()
    assert defaults.restart_months == _evidence("restart delay").months.median()
    # Retirement comes after the longest idle that ended in a restart, and BHP's review.
    longest = max(_evidence("idle then restart").months.max(), 28)
    assert defaults.retire_after_idle_months > longest


def test_the_default_restart_capex_share_is_the_cited_restarts_geometric_mean():
    capex = _evidence("restart capex").set_index("mineral").figure
    shares = capex / pd.Series({"nickel": 20000.0, "lithium": 45000.0})  # costs.csv, raw
    assert ModelSettings().restart_capex_share == round(float(np.exp(np.log(shares).mean())), 2)


def test_cutting_capacity_matches_the_path_written_out_in_full():
    rng = np.random.default_rng(3)
    path = np.repeat(rng.random((4, 1)), MONTHS, axis=1)
    path[1, 20:] *= 2.0  # a project arriving after the cut
    path[2] = np.linspace(1.0, 2.0, MONTHS)  # growing to the end
    fleet = MineFleet(_table([1.0] * 4), path, ["AU"], ["lithium"])
    expected = path.copy()
    expected[[0, 1, 2], 10:] = 0.0
    fleet.cut_capacity(np.array([0, 1, 2]), 10)
    assert np.array_equal(fleet.capacity, expected)
    assert fleet.capacity_in(9)[1] == path[1, 9] and fleet.capacity_in(30)[3] == path[3, 30]
