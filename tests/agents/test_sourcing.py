"""Risk-aware sourcing: buyers' record of restricting origins moves their choice, never
what they pay."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from abm.agents.sourcing import SourcingMemory
from abm.experiment import build
from abm.market import Asks, Bids, Frictions, clear
from abm.outputs import largest_relative_residual, tables
from abm.policy.licensing import Restriction
from abm.world import REFINED

MEMORY_MONTHS = 120.0
EXPECTED = np.array([[1000.0]])  # the buyer's long-run price, (buyer, mineral)


def restriction(origin: int = 0, targets=(False, True)) -> Restriction:
    """Origin 0 restricts refined exports of mineral 0 to country 1."""
    return Restriction(0, "export_licensing", 0, REFINED, origin, np.array(targets), 0)


def remembered(months_restricted: int, months_after: int, paid: float = 3000.0) -> list[float]:
    """The premium of buyer 0 (in country 1) on origin 0, month by month: restricted while
    it pays ``paid`` against an expected 1000, then free at the expected price."""
    memory = SourcingMemory(1, 1, 2, MEMORY_MONTHS)
    country = np.array([1])
    path = []
    for month in range(months_restricted + months_after):
        restricted = month < months_restricted
        price = np.array([[paid if restricted else 1000.0]])
        memory.remember([restriction()] if restricted else [], country, price, EXPECTED)
        path.append(float(memory.premium()[0, 0, 0]))
    return path


def test_the_premium_is_the_share_of_months_restricted_times_the_excess_paid():
    path = remembered(24, 0)
    hazard = 1.0 - np.exp(-24 / MEMORY_MONTHS)
    assert path[-1] == pytest.approx(1.0 + hazard * 2.0)  # paid 3x what it expected


def test_the_premium_decays_by_half_in_the_memory_half_life_after_the_restriction_ends():
    half_life = round(MEMORY_MONTHS * np.log(2.0))
    path = np.array(remembered(24, half_life + 1)) - 1.0
    after = path[23:]
    assert np.all(np.diff(after) < 0)  # fades every month, never jumps back
    assert after[half_life] / after[0] == pytest.approx(0.5, rel=0.01)
    assert after[-1] > 0.0  # and is still remembered


def test_no_premium_without_a_restriction_against_the_buyers_country():
    memory = SourcingMemory(1, 1, 2, MEMORY_MONTHS)
    others = restriction(targets=(True, False))  # against country 0 only
    for _ in range(12):
        memory.remember([others], np.array([1]), np.array([[3000.0]]), EXPECTED)
    assert memory.market_premium(np.array([1]), np.ones((1, 1)), 2) is None


def two_origins():
    """Origins 0 and 1 alike, selling to buyers in country 1."""
    offers = Asks(
        market=np.zeros(2, int),
        origin=np.array([0, 1]),
        quantity=np.array([100.0, 100.0]),
        price=np.array([80.0, 80.0]),
    )
    orders = Bids(
        market=np.zeros(1, int),
        destination=np.array([1]),
        quantity=np.array([120.0]),
        reference_price=np.array([100.0]),
        elasticity=np.array([0.3]),
        max_price=np.array([2000.0]),
        max_quantity=np.array([360.0]),
    )
    return offers, orders, Frictions.free_trade(1, 2, np.full((1, 2, 2), 5.0))


def premium_on(origin: int, size: float, n: int = 2) -> np.ndarray:
    premium = np.ones((1, n, n))
    premium[0, origin, 1] = size
    return premium


def test_a_premium_moves_purchases_away_from_the_origin_and_is_not_paid():
    offers, orders, frictions = two_origins()
    free = clear(offers, orders, frictions)
    wary = clear(offers, orders, replace(frictions, risk_premium=premium_on(0, 1.1)))
    assert wary.flows[0, 0, 1] < 0.8 * free.flows[0, 0, 1]
    # What buyers pay is the tonne-weighted delivered cost, the premium left out.
    delivered = wary.origin_price[0] + 5.0
    share = wary.flows[0, :, 1] / wary.flows[0, :, 1].sum()
    assert wary.destination_price[0, 1] == pytest.approx(share @ delivered, rel=1e-7)
    with_premium = share @ (delivered * premium_on(0, 1.1)[0, :, 1])
    assert wary.destination_price[0, 1] < with_premium / 1.01
    # Books close: every tonne sold is shipped and bought.
    assert wary.sold.sum() == pytest.approx(wary.flows.sum(), rel=1e-12)
    assert wary.bought.sum() == pytest.approx(wary.flows.sum(), rel=1e-12)


def test_with_one_origin_a_premium_changes_no_price_and_no_tonne():
    offers, orders, frictions = two_origins()
    one = Asks(offers.market[:1], offers.origin[:1], offers.quantity[:1], offers.price[:1])
    free = clear(one, orders, frictions)
    wary = clear(one, orders, replace(frictions, risk_premium=premium_on(0, 3.0)))
    np.testing.assert_array_equal(wary.origin_price, free.origin_price)
    np.testing.assert_array_equal(wary.destination_price, free.destination_price)
    np.testing.assert_array_equal(wary.flows, free.flows)
    np.testing.assert_array_equal(wary.bought, free.bought)


def rare_earths_2010(memory: bool | None):
    """The 2010 restriction (quotas to 2014-12) to 2016-06, or its counterfactual (None)."""
    scenario = "rare-earth-2010" if memory is not None else "rare-earth-2010-counterfactual"
    overrides = {"sourcing_memory": bool(memory)}
    return build(scenario, seed=1, overrides=overrides, end="2016-06").run()


def japan_share_of_china(model, start: str, end: str) -> float:
    """Share of Japan's refined rare-earth purchases from China, ``start`` to ``end``."""
    world = model.world
    m, cn, jp = (world.minerals.index("rare_earths"), *map(world.countries.index, ("CN", "JP")))
    months = [i for i, month in enumerate(world.months) if start <= str(month)[:7] <= end]
    into_japan = model.recorder.flows[REFINED, months, m, :, jp]
    return float(into_japan[:, cn].sum() / into_japan.sum())


@pytest.mark.slow
def test_a_restricting_origins_share_stays_lower_after_the_restriction_with_memory_only():
    runs = {memory: rare_earths_2010(memory) for memory in (None, False, True)}
    during = {k: japan_share_of_china(run, "2012-01", "2012-12") for k, run in runs.items()}
    after = {k: japan_share_of_china(run, "2015-07", "2016-06") for k, run in runs.items()}
    gap_during = during[None] - during[False]
    gap_without, gap_with = after[None] - after[False], after[None] - after[True]
    print(f"China's share of Japan's purchases: {during=} {after=}")
    assert gap_during > 0.1  # the quotas cut it
    # Without memory the gap after the quotas is only what ex-China refineries built during
    # them keep (0.10 against 0.11 during them, seed 1, since unrecorded exports and the
    # look-ahead past the run's end were merged): most of the lasting gap is memory's.
    assert gap_without < gap_with / 2
    assert gap_with > gap_without + 0.10  # with memory, Japan keeps buying less from China
    # Nothing is paid for the premium: the books still close.
    assert largest_relative_residual(tables(runs[True])["balance"]) < 1e-9
