"""The clearing mechanism on small hand-made markets, without agents."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from support.markets import random_market

from abm import market_quota
from abm.market import Asks, Bids, Frictions, MarketSettings, clear
from abm.market_solver import Batch, evaluate, jacobian


def one_market(n: int = 3):
    """Origin 0 cheap and large, origin 1 dearer; buyers in every country."""
    offers = Asks(
        market=np.zeros(4, int),
        origin=np.array([0, 0, 1, 2]),
        quantity=np.array([50.0, 50.0, 60.0, 20.0]),
        price=np.array([60.0, 80.0, 90.0, 110.0]),
    )
    quantity = np.array([40.0, 40.0, 40.0])
    orders = Bids(
        market=np.zeros(3, int),
        destination=np.arange(3),
        quantity=quantity,
        reference_price=np.full(3, 100.0),
        elasticity=np.full(3, 0.3),
        max_price=np.full(3, 2000.0),
        max_quantity=3 * quantity,
    )
    transport = np.full((1, n, n), 5.0)
    np.fill_diagonal(transport[0], 0.0)
    return offers, orders, Frictions.free_trade(1, n, transport)


def test_books_close_exactly_sold_shipped_bought():
    offers, orders, frictions = random_market(3)
    result = clear(offers, orders, frictions)
    assert result.max_relative_excess < MarketSettings().tolerance
    np.testing.assert_allclose(result.sold.sum(), result.flows.sum(), rtol=1e-12)
    np.testing.assert_allclose(result.bought.sum(), result.flows.sum(), rtol=1e-12)
    per_origin = np.zeros_like(result.flows.sum(axis=2))
    np.add.at(per_origin, (offers.market, offers.origin), result.sold)
    np.testing.assert_allclose(per_origin, result.flows.sum(axis=2), rtol=1e-12, atol=1e-12)
    assert np.all(result.sold <= offers.quantity + 1e-12)


def test_large_substitution_elasticity_matches_the_competitive_lp():
    """As sigma grows, the logit equilibrium approaches the Takayama-Judge LP solution."""
    offers, orders, frictions = random_market(0, elasticity=0.0)
    result = clear(
        offers, orders, frictions, MarketSettings(substitution_elasticity=200, ramp_width=0.01)
    )
    markets, n = frictions.allowed.shape[:2]
    k, b, pairs = len(offers.price), len(orders.max_price), markets * n * n
    cost = np.concatenate([offers.price, -orders.max_price, frictions.transport_usd_per_t.ravel()])
    equalities, rhs = [], []
    pair = np.arange(pairs).reshape(markets, n, n)
    for m in range(markets):
        for i in range(n):  # what leaves origin i equals what its sellers supply
            row = np.zeros(k + b + pairs)
            row[np.flatnonzero((offers.market == m) & (offers.origin == i))] = -1
            row[k + b + pair[m, i, :]] = 1
            equalities.append(row)
            rhs.append(0.0)
        for j in range(n):  # what arrives at j equals what its buyers take
            row = np.zeros(k + b + pairs)
            row[k + np.flatnonzero((orders.market == m) & (orders.destination == j))] = -1
            row[k + b + pair[m, :, j]] = 1
            equalities.append(row)
            rhs.append(0.0)
    bounds = [(0, q) for q in offers.quantity] + [(0, q) for q in orders.quantity]
    bounds += [(0, None)] * pairs
    lp = linprog(cost, A_eq=np.array(equalities), b_eq=rhs, bounds=bounds, method="highs")
    assert lp.status == 0
    traded_lp = lp.x[:k].sum()
    np.testing.assert_allclose(result.sold.sum(), traded_lp, rtol=1e-3)
    # Origin prices of origins that sell agree with the LP's duals within a few percent.
    duals = -lp.eqlin.marginals[: markets * n * 2].reshape(markets, 2 * n)[:, :n]
    sells = result.flows.sum(axis=2) > 1e-6
    np.testing.assert_allclose(result.origin_price[sells], duals[sells], rtol=0.06)


def test_banned_pair_carries_nothing_and_raises_the_importers_price():
    offers, orders, frictions = one_market()
    open_result = clear(offers, orders, frictions)
    allowed = frictions.allowed.copy()
    allowed[0, 0, 2] = False
    banned = clear(
        offers,
        orders,
        Frictions(
            frictions.transport_usd_per_t,
            frictions.tariff,
            frictions.export_tax,
            allowed,
            frictions.cap_tonnes,
        ),
    )
    assert banned.flows[0, 0, 2] == 0.0
    assert open_result.flows[0, 0, 2] > 0.0
    assert banned.destination_price[0, 2] > open_result.destination_price[0, 2]


def test_tariff_raises_the_delivered_price_and_shifts_flows_to_untaxed_origins():
    offers, orders, frictions = one_market()
    base = clear(offers, orders, frictions)
    tariff = frictions.tariff.copy()
    tariff[0, 0, 2] = 0.25  # country 2 taxes imports from origin 0
    taxed = clear(
        offers,
        orders,
        Frictions(
            frictions.transport_usd_per_t,
            tariff,
            frictions.export_tax,
            frictions.allowed,
            frictions.cap_tonnes,
        ),
    )
    assert taxed.destination_price[0, 2] > base.destination_price[0, 2]
    share_before = base.flows[0, 0, 2] / base.flows[0, :, 2].sum()
    share_after = taxed.flows[0, 0, 2] / taxed.flows[0, :, 2].sum()
    assert share_after < share_before


def test_quota_caps_the_pair_and_raises_the_importers_price():
    offers, orders, frictions = one_market()
    base = clear(offers, orders, frictions)
    cap = frictions.cap_tonnes.copy()
    cap[0, 0, 2] = 0.5 * base.flows[0, 0, 2]
    capped = clear(
        offers,
        orders,
        Frictions(
            frictions.transport_usd_per_t,
            frictions.tariff,
            frictions.export_tax,
            frictions.allowed,
            cap,
        ),
    )
    assert capped.flows[0, 0, 2] <= cap[0, 0, 2] * (1 + 1e-5)
    assert capped.flows[0, 0, 2] > 0.9 * cap[0, 0, 2]  # binding, not over-enforced
    assert capped.destination_price[0, 2] > base.destination_price[0, 2]


def dominant_exporter(n: int = 6):
    """Origin 0 supplies nearly everything; small suppliers elsewhere; buyers choke at 3x."""
    offers = Asks(
        market=np.zeros(n + 2, int),
        origin=np.r_[0, 0, 0, np.arange(1, n)],
        quantity=np.r_[400.0, 400.0, 400.0, np.full(n - 1, 8.0)],
        price=np.r_[40.0, 50.0, 60.0, np.linspace(70.0, 120.0, n - 1)],
    )
    quantity = np.r_[150.0, np.full(n - 1, 180.0)]
    orders = Bids(
        market=np.zeros(n, int),
        destination=np.arange(n),
        quantity=quantity,
        reference_price=np.full(n, 100.0),
        elasticity=np.full(n, 0.3),
        max_price=np.full(n, 300.0),
        max_quantity=3 * quantity,
    )
    transport = np.full((1, n, n), 5.0)
    np.fill_diagonal(transport[0], 0.0)
    return offers, orders, Frictions.free_trade(1, n, transport)


def capped_exporter(share: float, seed: int):
    """The dominant exporter's pairs capped at about ``share`` of their free-trade flows."""
    offers, orders, frictions = dominant_exporter()
    free = clear(offers, orders, frictions)
    rng = np.random.default_rng(seed)
    cap = np.full_like(frictions.cap_tonnes, np.inf)
    cap[0, 0, 1:] = free.flows[0, 0, 1:] * share * rng.uniform(0.8, 1.2, free.flows.shape[2] - 1)
    quota = Frictions(
        frictions.transport_usd_per_t,
        frictions.tariff,
        frictions.export_tax,
        frictions.allowed,
        cap,
    )
    return offers, orders, quota, free


@settings(max_examples=30, deadline=None)
@given(share=st.floats(0.1, 0.95), seed=st.integers(0, 1000))
@example(share=0.16950409835556765, seed=986)  # broke its caps when solved only to 1e-7
def test_export_quotas_of_a_dominant_supplier_hold_and_bind(share, seed):
    """Quotas on nearly all of the world's supply push buyers towards their choke price,
    where demand vanishes: the rents must still settle where every cap holds, and only
    where it binds (this once oscillated between no rent and a choked market, leaving flows
    several times the cap)."""
    offers, orders, quota, free = capped_exporter(share, seed)
    result = clear(offers, orders, quota)
    tolerance = MarketSettings().quota_tolerance
    assert result.max_relative_excess < tolerance
    flows, cap, rent = result.flows[0, 0, 1:], quota.cap_tonnes[0, 0, 1:], result.rent[0, 0, 1:]
    assert np.all(flows <= cap * (1 + tolerance))
    binding = rent > 1.0
    assert binding.any()
    np.testing.assert_allclose(flows[binding], cap[binding], rtol=tolerance)
    assert np.all(result.rent[0, 1:] == 1.0)  # no other pair is capped
    # Goods kept at home: the exporter's own price falls below its free-trade level.
    assert result.destination_price[0, 0] < free.destination_price[0, 0]


def test_warm_rents_find_the_same_quota_equilibrium_faster():
    offers, orders, quota, _ = capped_exporter(0.5, 3)
    cold = clear(offers, orders, quota)
    warm = clear(offers, orders, quota, start_price=cold.origin_price, start_rent=cold.rent)
    assert warm.max_relative_excess < MarketSettings().quota_tolerance
    np.testing.assert_allclose(warm.rent, cold.rent, rtol=1e-5)
    np.testing.assert_allclose(warm.origin_price, cold.origin_price, rtol=1e-5)
    assert warm.iterations < cold.iterations


@pytest.mark.parametrize("share", [0.03, 0.05, 0.08])
def test_a_quota_missed_near_the_choke_price_is_reported_not_hidden(share):
    """Below about a tenth of the free-trade flows, with only marginal other supply, buyers
    sit at their choke price and the rents may stop about 1% short (a known limit, see
    docs/ODD.md): whatever the solver reaches, its excess must show every miss."""
    offers, orders, quota, _ = capped_exporter(share, 0)
    result = clear(offers, orders, quota)
    ratio = result.flows[0, 0, 1:] / quota.cap_tonnes[0, 0, 1:] - 1.0
    missed = np.where(result.rent[0, 0, 1:] > 1.0, np.abs(ratio), np.maximum(ratio, 0.0))
    # Closing the books rescales flows by the origin's excess over its own sales, which may
    # be some times the solver's tolerance on the whole market.
    assert missed.max() <= result.max_relative_excess + 10 * MarketSettings().tolerance


def test_removing_the_cheap_supplier_raises_prices_everywhere():
    offers, orders, frictions = one_market()
    base = clear(offers, orders, frictions)
    quantity = offers.quantity.copy()
    quantity[offers.origin == 0] = 0.0
    without = clear(Asks(offers.market, offers.origin, quantity, offers.price), orders, frictions)
    assert np.all(without.destination_price[0] > base.destination_price[0])


def test_destination_cut_off_from_every_origin_gets_no_price_and_no_goods():
    offers, orders, frictions = one_market()
    allowed = frictions.allowed.copy()
    allowed[0, :, 1] = False
    result = clear(
        offers,
        orders,
        Frictions(
            frictions.transport_usd_per_t,
            frictions.tariff,
            frictions.export_tax,
            allowed,
            frictions.cap_tonnes,
        ),
    )
    assert np.isnan(result.destination_price[0, 1])
    assert result.flows[0, :, 1].sum() == 0.0
    assert result.bought[orders.destination == 1].sum() == 0.0


def test_warm_start_finds_the_same_equilibrium_faster():
    offers, orders, frictions = random_market(5, n=10, markets=4, asks=60, bids=40)
    cold = clear(offers, orders, frictions)
    warm = clear(offers, orders, frictions, start_price=cold.origin_price)
    np.testing.assert_allclose(warm.origin_price, cold.origin_price, rtol=1e-6)
    assert warm.iterations < cold.iterations


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), elasticity=st.floats(0.05, 1.0), sigma=st.floats(2.0, 40.0))
def test_any_random_market_converges_with_closed_books_and_positive_prices(seed, elasticity, sigma):
    offers, orders, frictions = random_market(
        seed, n=6, markets=3, asks=20, bids=15, elasticity=elasticity
    )
    result = clear(offers, orders, frictions, MarketSettings(substitution_elasticity=sigma))
    assert result.max_relative_excess < MarketSettings().tolerance
    assert np.all(result.flows >= 0) and np.all(result.sold >= 0) and np.all(result.bought >= 0)
    finite = result.destination_price[np.isfinite(result.destination_price)]
    assert np.all(finite > 0)
    # Prices never exceed the highest choke price plus trade costs.
    assert finite.max() <= orders.max_price.max() * np.exp(0.2) + 10.0
    np.testing.assert_allclose(result.bought.sum(), result.sold.sum(), rtol=1e-12)


@pytest.mark.parametrize("seed", [1, 2])
def test_clearing_is_deterministic(seed):
    offers, orders, frictions = random_market(seed)
    first, second = clear(offers, orders, frictions), clear(offers, orders, frictions)
    assert np.array_equal(first.flows, second.flows)
    assert np.array_equal(first.origin_price, second.origin_price, equal_nan=True)


@pytest.mark.parametrize("risk_premium", [False, True])
def test_price_jacobian_matches_finite_differences(risk_premium):
    """Newton's analytic Jacobian (without the slope floor, which is only a safeguard) is the
    derivative of the excess demands; a wrong term would still converge, slowly. Buyers'
    risk premium scales costs in the shares only, and leaves it exact."""
    offers, orders, frictions = random_market(4, n=5, markets=2, asks=30, bids=20)
    if risk_premium:
        premium = np.random.default_rng(4).uniform(1.0, 1.3, frictions.allowed.shape)
        frictions = replace(frictions, risk_premium=premium)
    settings = MarketSettings(slope_floor=0.0)
    batch = Batch(offers, orders, frictions, settings.ramp_width)
    sigma = settings.substitution_elasticity
    log_price = batch.start(clear(offers, orders, frictions).origin_price) + 0.03
    analytic = jacobian(evaluate(batch, sigma, log_price), batch, sigma, 0.0)
    numeric = np.zeros_like(analytic)
    for k in range(batch.n):
        step = np.zeros_like(log_price)
        step[:, k] = np.where(batch.active[:, k], 1e-6, 0.0)
        up = evaluate(batch, sigma, log_price + step).excess
        down = evaluate(batch, sigma, log_price - step).excess
        numeric[:, :, k] = (up - down) / 2e-6
    active = batch.active[:, :, None] & batch.active[:, None, :]
    scale = np.abs(analytic).max()
    np.testing.assert_allclose(analytic[active], numeric[active], atol=1e-5 * scale)


@pytest.mark.parametrize("risk_premium", [False, True])
def test_quota_jacobian_matches_finite_differences(risk_premium):
    """The joint system's rows and columns for binding rents, against differences of the
    excess demands and of each capped pair's flow over its cap (with buyers' risk premium
    on some pairs too)."""
    offers, orders, quota, _ = capped_exporter(0.5, 1)
    if risk_premium:
        premium = np.random.default_rng(1).uniform(1.0, 1.3, quota.allowed.shape)
        quota = replace(quota, risk_premium=premium)
    settings = MarketSettings(slope_floor=0.0)
    batch = Batch(offers, orders, quota, settings.ramp_width)
    quotas = market_quota.Quotas.of(batch)
    sigma, n = settings.substitution_elasticity, batch.n
    log_price = batch.start(clear(offers, orders, quota).origin_price)
    log_rent = np.full(len(quotas.cap), 0.05)  # every quota binding, away from a kink

    def residuals(point):
        state = evaluate(batch, sigma, point[None, :n], quotas.rent(point[n:], n))
        return np.concatenate([state.excess[0], quotas.residuals(state, point[n:])])

    state = evaluate(batch, sigma, log_price, quotas.rent(log_rent, n))
    binding = np.arange(len(quotas.cap))
    analytic = market_quota._joint_jacobian(state, batch, quotas, binding, settings)
    point = np.concatenate([log_price[0], log_rent])
    numeric = np.zeros_like(analytic)
    for k in range(len(point)):
        if k < n and not batch.active[0, k]:
            continue
        step = np.zeros_like(point)
        step[k] = 1e-6
        numeric[:, k] = (residuals(point + step) - residuals(point - step)) / 2e-6
    known = np.r_[batch.active[0], np.ones(len(binding), bool)]
    block = known[:, None] & known[None, :]
    for rows in (slice(None, n), slice(n, None)):  # excesses in tonnes, quota rows relative
        part = block[rows]
        scale = np.abs(analytic[rows][part]).max()
        np.testing.assert_allclose(analytic[rows][part], numeric[rows][part], atol=1e-5 * scale)


def test_a_market_already_solved_costs_the_others_no_extra_trials(monkeypatch):
    """Markets of a batch are solved together. One that starts at its equilibrium must
    neither move nor halve the others' steps: at round-off its merit moves at random, and
    it once cost the default run a third more evaluations of the excess demands."""
    import abm.market_solver as solver

    offers, orders, frictions = random_market(5, n=5, markets=3, asks=30, bids=20)
    solved = clear(offers, orders, frictions)
    trials = []
    evaluate = solver.evaluate
    monkeypatch.setattr(solver, "evaluate", lambda *a, **k: trials.append(1) or evaluate(*a, **k))
    cold = np.full_like(solved.origin_price, np.nan)
    all_cold = clear(offers, orders, frictions, start_price=cold)
    cold_count = len(trials)
    start = cold.copy()
    start[0] = solved.origin_price[0]
    again = clear(offers, orders, frictions, start_price=start)
    np.testing.assert_array_equal(again.origin_price[0], solved.origin_price[0])
    assert again.iterations <= all_cold.iterations
    assert len(trials) - cold_count <= cold_count


def leaking_exporter(share: float, seed: int, markup: float, leak_share: float):
    """``capped_exporter`` whose capped pairs may ship ``leak_share`` of their cap more through
    a third country once buyers pay ``markup`` over the pair's own delivered cost."""
    offers, orders, quota, free = capped_exporter(share, seed)
    capped = np.isfinite(quota.cap_tonnes)
    leak = np.where(capped, leak_share * np.nan_to_num(quota.cap_tonnes, posinf=0.0), 0.0)
    step = np.where(capped, 1.0 + markup, np.inf)
    return offers, orders, replace(quota, leak_tonnes=leak, leak_rent=step), free


@settings(max_examples=30, deadline=None)
@given(
    share=st.floats(0.1, 0.95),
    seed=st.integers(0, 1000),
    markup=st.floats(0.0, 1.0),
    leak_share=st.floats(0.01, 2.0),
)
@example(share=0.9375, seed=0, markup=0.0, leak_share=1.0)  # no markup: one flat step
def test_a_quota_with_a_leak_ships_its_staircase(share, seed, markup, leak_share):
    """Below the leak route's cost a pair ships at most its quota (exactly, if it has a
    rent); at it, anything up to its quota and leak; above it, exactly both."""
    offers, orders, quota, _ = leaking_exporter(share, seed, markup, leak_share)
    result = clear(offers, orders, quota)
    tolerance = MarketSettings().quota_tolerance
    assert result.max_relative_excess < tolerance
    flows, rent = result.flows[0, 0, 1:], result.rent[0, 0, 1:]
    cap, leak = quota.cap_tonnes[0, 0, 1:], quota.leak_tonnes[0, 0, 1:]
    step = quota.leak_rent[0, 0, 1:]
    below, above = rent < step * (1 - 1e-9), rent > step * (1 + 1e-9)
    assert np.all(flows[below] <= cap[below] * (1 + tolerance))
    rented = below & (rent > 1.0)
    np.testing.assert_allclose(flows[rented], cap[rented], rtol=tolerance)
    np.testing.assert_allclose(flows[above], (cap + leak)[above], rtol=tolerance)
    at = ~below & ~above
    # At a route that costs no more than the pair's own (no markup), the quota's free part
    # and the leak are one flat step: anything from nothing to both.
    floor = np.where(step > 1.0 + 1e-9, cap, 0.0)
    assert np.all(flows[at] >= floor[at] * (1 - tolerance))
    assert np.all(flows[at] <= (cap + leak)[at] * (1 + tolerance))


def test_a_binding_quota_leaks_once_buyers_pay_the_route_and_not_before():
    offers, orders, quota, _ = leaking_exporter(0.3, 3, 0.1, 0.5)
    leaked = clear(offers, orders, quota)
    flows, cap = leaked.flows[0, 0, 1:], quota.cap_tonnes[0, 0, 1:]
    assert np.any(flows > cap * 1.01)  # some pair ships beyond its quota
    dear = replace(quota, leak_rent=np.where(np.isfinite(quota.cap_tonnes), 1e6, np.inf))
    assert np.all(clear(offers, orders, dear).flows[0, 0, 1:] <= cap * (1 + 1e-6))
