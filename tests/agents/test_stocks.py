"""Stocks where they are: users' cover, mines' stock, stockholders, goods in transit."""

from __future__ import annotations

import numpy as np
import pytest

from abm.agents.buyer import BuyerFleet
from abm.agents.risk import exposure
from abm.agents.stockholder import StockholderFleet
from abm.agents.storage import COVER_TRANCHES
from abm.policy.licensing import Restriction
from abm.settings import ModelSettings
from abm.transit import Pipeline, arrival_shares, lag_fractions

SETTINGS = ModelSettings()
LAST = np.array([[1000.0]])  # last month's origin price, (mineral, country)


def one_buyer(stock_months: float, cover_months: float = 2.0) -> BuyerFleet:
    need = np.array([[100.0]])
    fleet = BuyerFleet(
        need, np.ones((1, 1, 12)), np.array([0]), np.array([1000.0]),
        np.array([[0.05]]), np.array([[0.2]]),
    )  # fmt: skip
    fleet.cover_months[:] = cover_months
    fleet.inventory[:] = stock_months * 100.0
    fleet.plan(0, SETTINGS.replace(demand_noise=0.0), np.random.default_rng(1))
    return fleet


def test_cover_is_offered_dearer_as_it_runs_down():
    asks = one_buyer(2.0).stock_asks(SETTINGS, LAST)
    below_target = asks.price[1:]  # the top slice first, down to the last
    assert np.all(np.diff(below_target) >= 0)
    # Dearer slice by slice until the willingness to pay caps them (the last slices, with a
    # steep release curve, are all offered at that ceiling).
    rising = below_target[below_target < below_target.max()]
    assert len(rising) >= 2 and np.all(np.diff(rising) > 0)
    assert asks.price[0] == pytest.approx(1000.0)  # stock above target at the long-run price
    assert asks.quantity.sum() == pytest.approx(200.0)
    # Only what would have sold at last month's price draws buyers to the origin.
    assert asks.matched[1:].sum() < 1e-9 < asks.quantity[1:].sum()


def test_users_buy_back_only_the_slices_they_lack_at_up_to_their_reservation_price():
    full, half = one_buyer(2.0).restocking_bids(SETTINGS), one_buyer(1.0).restocking_bids(SETTINGS)
    assert full.max_quantity.max() < 1e-9  # nothing lacking, nothing bought
    assert half.max_quantity.sum() == pytest.approx(100.0)
    lacking = half.max_quantity > 1e-9
    assert lacking.sum() == COVER_TRANCHES // 2  # the lower half of cover
    asks = one_buyer(1.0).stock_asks(SETTINGS, LAST)
    # A slice's bid and ask share one reservation price: no user buys dearer than it sells.
    np.testing.assert_allclose(half.max_price, asks.price[1:])


def test_a_restriction_on_the_origin_raises_cover_by_its_share_of_purchases():
    flows = np.zeros((1, 2, 2))
    flows[0, 0, 1] = 30.0  # origin 0 sells 30 to country 1, which also buys 10 at home
    flows[0, 1, 1] = 10.0
    restricted = Restriction(0, "export_ban", 0, 1, 0, np.array([False, True]), 2)
    threatened = exposure([restricted], np.zeros_like(flows), flows)
    assert threatened[1, 0] == pytest.approx(0.75)
    assert threatened[0, 0] == 0.0
    fleet = one_buyer(2.0)
    fleet.country = np.array([1])
    fleet.see_risk(threatened, SETTINGS)
    fleet.plan(1, SETTINGS.replace(demand_noise=0.0), np.random.default_rng(1))
    expected = (2.0 + 0.75 * SETTINGS.risk_cover_months) * 100.0
    assert fleet.target[0, 0] == pytest.approx(expected)


def test_a_threat_makes_users_ordinary_cover_no_dearer_and_its_own_cover_goes_first():
    calm, threatened = one_buyer(3.0), one_buyer(3.0)
    threatened.see_risk(np.array([[0.75]]), SETTINGS)
    threatened.plan(1, SETTINGS.replace(demand_noise=0.0), np.random.default_rng(1))
    assert threatened.target[0, 0] > calm.target[0, 0]
    before, after = calm.stock_asks(SETTINGS, LAST), threatened.stock_asks(SETTINGS, LAST)
    # The base cover (2 months) sits on the same curve; the month above it is risk cover,
    # offered at what the threat was expected to make the price, below the base curve.
    np.testing.assert_allclose(after.price[2:], before.price[2:])
    np.testing.assert_allclose(after.quantity[2:], before.quantity[2:])
    assert after.quantity[1] == pytest.approx(100.0)
    assert after.price[1] == pytest.approx(1750.0)
    assert after.price[1] < after.price[3:].max()


def test_risk_fades_over_its_memory_once_the_restriction_is_gone():
    fleet = one_buyer(2.0)
    fleet.see_risk(np.array([[1.0]]), SETTINGS)
    for _ in range(int(SETTINGS.risk_memory_months)):
        fleet.see_risk(np.array([[0.0]]), SETTINGS)
    assert fleet.risk[0, 0] == pytest.approx(np.exp(-1.0), rel=1e-9)


def test_stockholders_buy_below_the_discounted_expected_price_and_sell_at_it():
    stock = np.zeros((2, 1, 1))
    stock[1, 0, 0] = 50.0
    merchants = StockholderFleet(stock, np.array([[10.0, 100.0]]), SETTINGS)
    asks, bids = merchants.asks(1, LAST, SETTINGS), merchants.bids(1)
    assert asks.quantity[0] == 50.0 and asks.price[0] == pytest.approx(100.0)
    assert bids.max_price[0] < 100.0  # discount and carry
    assert bids.quantity[0] == pytest.approx(50.0)  # room up to twice the start
    merchants.see(np.array([[np.nan]]), 1, np.array([0.5]), 24.0)
    assert merchants.asks(1, LAST, SETTINGS).price[0] == pytest.approx(
        150.0
    )  # a threat raises expectations


def test_a_route_of_a_month_and_a_half_delivers_half_next_month_and_half_after():
    fractions = lag_fractions(np.array([[0.0, 1.5]]))
    np.testing.assert_allclose(fractions[:, 0, 0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(fractions[:, 0, 1], [0.0, 0.5, 0.5])


def test_the_pipeline_delivers_every_tonne_it_was_given():
    flows = np.array([[[0.0, 40.0], [0.0, 60.0]]])  # two origins to destination 1
    shares = arrival_shares(flows, lag_fractions(np.array([[0.0, 1.5], [0.0, 0.0]]))[:, None])
    np.testing.assert_allclose(shares[:, 0, 1], [0.6, 0.2, 0.2])
    pipeline = Pipeline(1)
    row_shares = shares[:, 0, 1][:, None]
    arrived = [pipeline.ship(np.array([100.0]), row_shares)[0]]
    arrived += [pipeline.ship(np.array([0.0]), row_shares)[0] for _ in range(3)]
    np.testing.assert_allclose(arrived, [60.0, 20.0, 20.0, 0.0])
    assert pipeline.held.sum() == 0.0


def test_a_prefilled_pipeline_delivers_a_steady_month_from_the_first():
    shares = np.array([[0.6], [0.2], [0.2]])
    pipeline = Pipeline(1)
    opening = pipeline.prefill(np.array([100.0]), shares)
    assert opening == pytest.approx(20.0 + 2 * 20.0)  # a month and a month and a half out
    for _ in range(4):
        assert pipeline.ship(np.array([100.0]), shares)[0] == pytest.approx(100.0)


def test_a_mine_that_cannot_sell_mines_to_stock_then_stops_at_its_limit():
    from abm.experiment import build

    mines = build("default", seed=1, end="2023-12").mines
    capacity = mines.capacity_in(0)
    mines.output = capacity.copy()
    settings = SETTINGS.replace(mine_stock_months=1.0, mine_adjustment_months=2.0)
    mines.produce(np.zeros(len(mines)), 0, settings)
    np.testing.assert_allclose(mines.output, 0.5 * capacity)  # halfway to no sales
    np.testing.assert_allclose(mines.stock, 0.5 * capacity)
    for month in range(1, 4):
        mines.produce(np.zeros(len(mines)), month, settings)
    assert np.all(mines.stock <= capacity + 1e-9)  # never above its yards
    assert np.all(mines.output <= 0.25 * capacity + 1e-9)
    sold = mines.stock.copy()
    mines.produce(sold, 4, settings)  # the overhang sells first; new ore goes to stock
    np.testing.assert_allclose(mines.stock, mines.output, atol=1e-9)


def test_a_redesign_made_at_a_high_price_outlasts_the_price():
    fleet = one_buyer(2.0)
    quiet = SETTINGS.replace(demand_noise=0.0)
    fleet.long_run_price[:] = 3000.0  # three times the 2023 price, for a while
    fleet.plan(1, quiet, np.random.default_rng(1))
    low = fleet.planned[0, 0]
    fleet.long_run_price[:] = 1000.0  # back to normal
    fleet.plan(2, quiet, np.random.default_rng(1))
    assert fleet.planned[0, 0] < low * 1.05  # a year later most of the redesign stays
    assert low < 100.0 * 3.0**-SETTINGS.long_run_demand_elasticity * 1.001


@pytest.fixture(scope="module")
def refineries():
    """The refineries of a default world, as built (no month stepped)."""
    from abm.experiment import build

    return build("default", seed=1, end="2023-02").refineries


def test_refiners_keep_their_ore_cover_at_normal_prices_and_draw_it_as_prices_rise(refineries):
    fleet = refineries
    cover = fleet.ore_cover(fleet.capacity_in(0), SETTINGS)
    fleet.investment_price = fleet.expected_price.copy()  # prices at normal
    fleet.raw_stock = cover.copy()
    nothing = np.zeros(len(fleet))
    fleet.take_delivery(nothing, nothing, fleet.raw_price_seen, 0, SETTINGS)
    assert fleet.processed.max() < 1e-9  # nothing arrived: the cover is kept whole
    fleet.raw_stock = cover.copy()
    fleet.expected_price = 2.0 * fleet.investment_price  # refined metal twice its normal
    fleet.take_delivery(nothing, nothing, fleet.raw_price_seen, 0, SETTINGS)
    drawn = 1.0 - 2.0**-SETTINGS.release_elasticity  # the share the curve gives up
    expected = np.minimum(drawn * cover, fleet.capacity_in(0))
    np.testing.assert_allclose(fleet.processed, expected, rtol=1e-12)


def test_refiners_offer_product_cover_dearer_as_it_runs_down(refineries):
    fleet = refineries
    fleet.expected_price = fleet.investment_price.copy()
    target = fleet.product_cover_months * fleet.capacity_in(0) * fleet.utilisation
    fleet.refined_stock = 1.5 * target  # half a cover above target
    last = np.full((8, 20), 1e-9)  # nothing would have sold last month
    asks = fleet.asks(0, SETTINGS, last)
    rows = asks.price.reshape(-1, len(fleet))
    quantity = asks.quantity.reshape(-1, len(fleet))
    one = np.flatnonzero(target > 0)[0]
    np.testing.assert_allclose(quantity[0, one], 0.5 * target[one])  # at marginal cost
    assert np.all(np.diff(rows[1:, one]) > 0)  # each lower slice dearer
    np.testing.assert_allclose(quantity[:, one].sum(), fleet.refined_stock[one])
    assert np.nansum(asks.matched.reshape(-1, len(fleet))[1:]) < 1e-9
    sold = asks.quantity * 0.5
    before = fleet.refined_stock.copy()
    fleet.deliver(sold)
    np.testing.assert_allclose(fleet.refined_stock, 0.5 * before)
