"""Spot-market clearing: asks and bids in, prices and flows out.

Pure numpy, no Mesa: the market can be tested and benchmarked without agents.

The mechanism, and the equilibrium it computes
----------------------------------------------
Each *market* (a mineral at one stage, later also a compliance tier) is cleared separately
but all markets of a step are solved together as one batch of arrays.

* Sellers submit asks: a quantity at an ask price, located in an origin country. A seller
  supplies a smooth share of its quantity as the origin price passes its ask
  (``ramp_width`` in log price): the smoothing stands for the spread of unit costs inside one
  agent's operations and makes the supply curve continuous.
* Buyers submit bids: a quantity at a reference price with a price elasticity, and a maximum
  price above which they buy nothing (the choke price). Demand at the choke price is zero, so
  every price the market finds is bounded by the highest choke price.
* Goods are differentiated by origin (grade, contracts, logistics). Buyers in destination
  ``j`` split their purchases across origins ``i`` by the Eaton-Kortum / Armington rule:
  ``share[i, j] = T[i] * c[i, j] ** -sigma / sum_k T[k] * c[k, j] ** -sigma``, where
  ``c[i, j] = ((1 + export_tax) * p_origin[i] + transport) * (1 + tariff) * quota_rent`` is
  the delivered cost, ``T[i]`` the quantity offered at the origin (more sellers, more
  matches) and ``sigma`` the elasticity of substitution between origins. A banned pair has
  no share at all. The destination price is the tonne-weighted delivered cost there.
* The equilibrium is the vector of origin prices at which every origin's sales equal its
  sellers' supply: ``sum_j demand_j(p_j) * share[i, j] = supply_i(p_origin[i])``. Demand is
  decreasing and supply increasing in own price, and origins are gross substitutes, so the
  equilibrium is unique. It is the stochastic (logit) spatial price equilibrium; as
  ``sigma`` grows it tends to the competitive spatial price equilibrium of Samuelson (1952)
  and Takayama and Judge (1971), where each destination buys only from its cheapest
  delivered origin and prices differ by no more than transport and trade costs
  (``tests/test_market.py`` checks this against a HiGHS linear programme).
* We find it by Newton's method on log origin prices with an analytic Jacobian, batched
  over markets with ``numpy.linalg.solve``, warm-started from the last step's prices.
* A quota (a cap on tonnes over a set of pairs) is enforced by a quota rent: a multiplier
  on the delivered cost of the capped pairs, raised until the cap holds (complementarity:
  the rent is positive only where the cap binds). Buyers pay the rent; it shows in prices.

Every tonne a seller sells is bought by a buyer: allocations are rescaled so the books
close exactly, not only to the solver tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

FloatArray = np.ndarray
IntArray = np.ndarray


@dataclass(frozen=True)
class Asks:
    """Sell offers, one row per selling agent."""

    market: IntArray  # which market (mineral x stage [x tier]) the ask is in
    origin: IntArray  # country index where the goods are
    quantity: FloatArray  # tonnes offered this step
    price: FloatArray  # ask price, USD per tonne


@dataclass(frozen=True)
class Bids:
    """Buy orders, one row per buying agent and market."""

    market: IntArray
    destination: IntArray
    quantity: FloatArray  # tonnes wanted at the reference price
    reference_price: FloatArray  # USD per tonne at which ``quantity`` is wanted
    elasticity: FloatArray  # price elasticity of the bid (>= 0)
    max_price: FloatArray  # choke price: nothing is bought above it
    max_quantity: FloatArray  # tonnes the buyer can take at any price (storage, capacity)


@dataclass(frozen=True)
class Frictions:
    """Trade costs and rules per market, origin and destination, shape (markets, n, n)."""

    transport_usd_per_t: FloatArray
    tariff: FloatArray  # ad valorem import tariff on the landed value
    export_tax: FloatArray  # ad valorem export tax on the origin price
    allowed: np.ndarray  # False where trade is banned
    cap_tonnes: FloatArray  # quota per pair; inf where there is none

    @classmethod
    def free_trade(cls, markets: int, countries: int, transport: FloatArray | None = None):
        """No tariffs, taxes, bans or quotas; optional transport costs."""
        shape = (markets, countries, countries)
        return cls(
            transport_usd_per_t=np.zeros(shape) if transport is None else transport,
            tariff=np.zeros(shape),
            export_tax=np.zeros(shape),
            allowed=np.ones(shape, dtype=bool),
            cap_tonnes=np.full(shape, np.inf),
        )


@dataclass(frozen=True)
class Clearing:
    """What one clearing found."""

    origin_price: FloatArray  # (markets, n) USD/t at the origin
    destination_price: FloatArray  # (markets, n) USD/t delivered; NaN where nothing arrives
    flows: FloatArray  # (markets, n, n) tonnes from origin to destination
    sold: FloatArray  # (asks,) tonnes each ask sold
    bought: FloatArray  # (bids,) tonnes each bid bought
    iterations: int
    max_relative_excess: float


@dataclass(frozen=True)
class MarketSettings:
    """Parameters of the clearing mechanism."""

    substitution_elasticity: float = 12.0  # sigma: how strongly buyers switch origin
    ramp_width: float = 0.08  # half-width of a seller's or buyer's ramp, in log price
    tolerance: float = 1e-8  # relative excess supply at which Newton stops
    max_iterations: int = 60
    max_step: float = 1.0  # largest change of a log price in one Newton step
    slope_floor: float = 0.05  # least demand elasticity the Newton Jacobian assumes
    flat_tolerance: float = 0.01  # a step may raise the squared excess this much (flat curves)
    quota_iterations: int = 40
    quota_tolerance: float = 1e-6  # relative overshoot of a quota that is accepted


def _smoothstep(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """A C1 ramp from 0 at x=-1 to 1 at x=+1, and its derivative."""
    t = np.minimum(np.maximum((x + 1.0) * 0.5, 0.0), 1.0)  # np.clip, without its overhead
    return t * t * (3.0 - 2.0 * t), 3.0 * t * (1.0 - t)


def supply_at(
    asks: Asks, log_price: FloatArray, width: float, log_ask: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Tonnes each ask supplies at its origin's log price, and d(tonnes)/d(log price)."""
    x = (log_price - (np.log(asks.price) if log_ask is None else log_ask)) / width
    fraction, slope = _smoothstep(x)
    return asks.quantity * fraction, asks.quantity * slope / width


SOFT_CAP_POWER = 8.0


class _BidTerms(NamedTuple):
    """The parts of the demand formula that do not depend on the price."""

    log_reference: FloatArray
    log_max: FloatArray
    minus_elasticity: FloatArray
    limit: FloatArray  # max_quantity, kept away from zero


def _bid_terms(bids: Bids) -> _BidTerms:
    return _BidTerms(
        np.log(bids.reference_price),
        np.log(bids.max_price),
        -bids.elasticity,
        np.maximum(bids.max_quantity, 1e-300),
    )


def demand_at(
    bids: Bids, log_price: FloatArray, width: float, terms: _BidTerms | None = None
) -> tuple[FloatArray, FloatArray]:
    """Tonnes each bid buys at its destination's log price, and d(tonnes)/d(log price).

    Demand is isoelastic around the reference price, limited smoothly by ``max_quantity``
    (``q / (1 + (q / max) ** 8) ** (1 / 8)``: within 0.1% of ``q`` below half the limit, and
    never perfectly flat, so the equilibrium stays well defined) and choked off near
    ``max_price``.
    """
    terms = terms or _bid_terms(bids)
    wanted = bids.quantity * np.exp(terms.minus_elasticity * (log_price - terms.log_reference))
    ratio = wanted / terms.limit
    damp = (1.0 + ratio**SOFT_CAP_POWER) ** (-1.0 / SOFT_CAP_POWER)
    limited = wanted * damp
    # d limited / d log price = (d limited / d wanted) * (-elasticity * wanted)
    d_limited = terms.minus_elasticity * limited * damp**SOFT_CAP_POWER
    fraction_up, slope_up = _smoothstep((log_price - terms.log_max) / width)
    keep = 1.0 - fraction_up
    return limited * keep, d_limited * keep - limited * slope_up / width


class _Batch:
    """Index bookkeeping shared by the Newton iterations of one clearing.

    Everything that does not depend on prices is computed here once, not in every iteration.
    """

    def __init__(self, asks: Asks, bids: Bids, frictions: Frictions, width: float):
        self.markets, self.n = frictions.allowed.shape[:2]
        m, n = self.markets, self.n
        self.ask_cell = asks.market * n + asks.origin
        self.bid_cell = bids.market * n + bids.destination
        self.log_ask = np.log(asks.price)
        self.bid_terms = _bid_terms(bids)
        log_max = self.bid_terms.log_max
        self.offered = np.bincount(self.ask_cell, asks.quantity, m * n).reshape(m, n)
        self.active = self.offered > 0
        self.alpha = (1.0 + frictions.export_tax) * (1.0 + frictions.tariff)
        self.beta = frictions.transport_usd_per_t * (1.0 + frictions.tariff)
        # A quota of zero closes the pair, like a ban.
        self.mask = frictions.allowed & (frictions.cap_tonnes > 0) & self.active[:, :, None]
        with np.errstate(divide="ignore"):
            log_offered = np.log(self.offered)[:, :, None]
        self.log_offered = np.where(self.mask, log_offered, -np.inf)
        # Bounds on log origin prices: below the cheapest ask nothing is supplied, above the
        # highest choke price nothing is bought.
        self.lower = _group_min(self.ask_cell, self.log_ask, m * n).reshape(m, n) - 1.5 * width
        top = np.full((m, len(bids.market)), -np.inf)
        top[bids.market, np.arange(len(bids.market))] = log_max
        top = top.max(axis=1, initial=-np.inf)
        self.upper = np.maximum(top[:, None] + 0.5, self.lower + 3.0 * width)
        self.lower = np.where(self.active, self.lower, 0.0)
        # For the Newton steps: each market's offered tonnes (the scale of its excesses), the
        # pairs touching an origin with nothing offered, and the Jacobian's diagonal fix.
        self.scale = np.maximum(self.offered.sum(axis=1, keepdims=True), 1e-300)
        inactive = ~self.active
        self.closed = inactive[:, :, None] | inactive[:, None, :]
        self.pull = inactive - 1e-8 * self.scale
        self.diagonal = np.arange(n)


def _group_min(keys: IntArray, values: FloatArray, size: int) -> FloatArray:
    """Least value per key (0 .. size - 1), inf where a key has none: ``np.minimum.at`` in
    one sort, several times faster."""
    out = np.full(size, np.inf)
    if len(keys):
        order = np.argsort(keys, kind="stable")  # fast on the runs fleets come in
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        out[sorted_keys[starts]] = np.minimum.reduceat(values[order], starts)
    return out


class _State(NamedTuple):
    """Everything implied by one vector of origin prices."""

    flows: FloatArray  # (m, n, n)
    share: FloatArray  # (m, n, n) origin shares of each destination's purchases
    delivered: FloatArray  # (m, n, n) delivered cost, USD/t
    scaled: FloatArray  # (m, n, n) the part of the landed cost that moves with the price
    landed: FloatArray  # (m, n, n) delivered cost before any quota rent
    dest_price: FloatArray  # (m, n); 1.0 where nothing can arrive
    reachable: np.ndarray  # (m, n) some origin may sell there
    bought: FloatArray  # (bids,)
    demand: FloatArray  # (m, n)
    demand_slope: FloatArray  # (m, n) d demand / d log price
    supplied: FloatArray  # (asks,) tonnes each ask supplies
    supply: FloatArray  # (m, n) tonnes supplied per origin
    sales: FloatArray  # (m, n) tonnes bought from each origin
    excess: FloatArray  # (m, n) excess demand per origin
    supply_slope: FloatArray  # (m, n) d supply / d log price


def _evaluate(asks, bids, batch: _Batch, settings: MarketSettings, log_price, rent) -> _State:
    """Flows, demand, supply and excess demand implied by origin prices (and quota rents).

    Demand at each destination is split across origins by their shares; ``rent`` is None
    while no quota binds.
    """
    m, n = batch.markets, batch.n
    sigma = settings.substitution_elasticity
    scaled = batch.alpha * np.exp(log_price)[:, :, None]
    landed = scaled + batch.beta
    delivered = landed if rent is None else landed * rent
    log_weight = batch.log_offered - sigma * np.log(delivered)  # -inf where closed
    top = log_weight.max(axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    weight = np.exp(log_weight - top)
    total = weight.sum(axis=1, keepdims=True)
    reachable = total[:, 0, :] > 0
    share = weight / np.where(total > 0, total, 1.0)
    dest_price = np.where(reachable, (share * delivered).sum(axis=1), 1.0)
    bought, slope = demand_at(
        bids, np.log(dest_price).ravel()[batch.bid_cell], settings.ramp_width, batch.bid_terms
    )
    reach = reachable.ravel()[batch.bid_cell]
    bought, slope = np.where(reach, bought, 0.0), np.where(reach, slope, 0.0)
    demand = np.bincount(batch.bid_cell, bought, m * n).reshape(m, n)
    demand_slope = np.bincount(batch.bid_cell, slope, m * n).reshape(m, n)
    flows = share * demand[:, None, :]
    supplied, supply_slope = supply_at(
        asks, log_price.ravel()[batch.ask_cell], settings.ramp_width, batch.log_ask
    )
    supply = np.bincount(batch.ask_cell, supplied, m * n).reshape(m, n)
    d_supply = np.bincount(batch.ask_cell, supply_slope, m * n).reshape(m, n)
    sales = flows.sum(axis=2)
    return _State(
        flows,
        share,
        delivered,
        scaled,
        landed,
        dest_price,
        reachable,
        bought,
        demand,
        demand_slope,
        supplied,
        supply,
        sales,
        sales - supply,
        d_supply,
    )


def clear(
    asks: Asks,
    bids: Bids,
    frictions: Frictions,
    settings: MarketSettings | None = None,
    start_price: FloatArray | None = None,
) -> Clearing:
    """Find the spatial equilibrium of every market in the batch (see the module docstring)."""
    settings = settings or MarketSettings()
    batch = _Batch(asks, bids, frictions, settings.ramp_width)
    m, n = batch.markets, batch.n
    if start_price is None or not np.all(np.isfinite(start_price[batch.active])):
        log_price = np.where(batch.active, batch.lower + 1.5 * settings.ramp_width + 0.5, 0.0)
    else:
        log_price = np.log(np.where(batch.active, np.maximum(start_price, 1e-300), 1.0))
    log_price = np.clip(log_price, batch.lower, batch.upper)
    rent = None  # no quota binds yet: a rent of one everywhere
    iterations = 0
    capped = np.isfinite(frictions.cap_tonnes) & (frictions.cap_tonnes > 0)
    quotas = capped.any()
    for _ in range(settings.quota_iterations):
        log_price, used, excess, state = _newton(asks, bids, batch, settings, log_price, rent)
        iterations += used
        if not quotas:
            break
        current = np.ones((m, n, n)) if rent is None else rent
        over = np.divide(
            state.flows, frictions.cap_tonnes, out=np.zeros_like(state.flows), where=capped
        )
        binding = (over > 1.0 + settings.quota_tolerance) | (
            (current > 1.0) & (over < 1.0 - settings.quota_tolerance)
        )
        if not binding.any():
            break
        # Near the cap, log flow falls with log rent at about sigma * (1 - share) (buyers
        # switch origin) plus the demand elasticity times the share (they buy less): move
        # the rent by the ratio that would meet the cap under that elasticity.
        share = state.share
        elasticity = settings.substitution_elasticity * (1.0 - share) + 0.3 * share
        ratio = np.where(binding, np.maximum(over, 1e-12), 1.0) ** (1.0 / elasticity)
        rent = np.maximum(1.0, current * ratio)
    else:  # the last rents were set after the last solve: the allocation uses them
        state = _evaluate(asks, bids, batch, settings, log_price, rent)
    return _result(bids, batch, log_price, state, iterations, excess)


def _jacobian(state: _State, batch: _Batch, settings: MarketSettings) -> FloatArray:
    """d(excess at origin i)/d(log origin price k) for every market, shape (m, n, n)."""
    sigma, diagonal = settings.substitution_elasticity, batch.diagonal
    share, delivered, dest_price = state.share, state.delivered, state.dest_price
    sh = share * (state.scaled / state.landed)  # s_kj h_kj; the rent cancels in h
    # d(destination price j)/d(log origin price k), shape (m, k, j)
    d_dest = sh * (delivered - sigma * (delivered - dest_price[:, None, :]))
    slope = np.minimum(state.demand_slope, -settings.slope_floor * state.demand)
    d_demand = slope / dest_price  # d demand / d price
    jac = (share * d_demand[:, None, :]) @ np.swapaxes(d_dest, 1, 2)
    jac += sigma * state.flows @ np.swapaxes(sh, 1, 2)  # flows = share x demand
    own = sigma * (sh * state.demand[:, None, :]).sum(axis=2) + state.supply_slope
    jac[:, diagonal, diagonal] -= own
    np.putmask(jac, batch.closed, 0.0)
    # Inactive origins (nothing offered) get an identity row and never move; a tiny pull on
    # the diagonal keeps an origin that nobody can reach from making the system singular.
    jac[:, diagonal, diagonal] += batch.pull
    return jac


def _newton(asks, bids, batch: _Batch, settings: MarketSettings, log_price, rent):
    """Bounded Newton iterations on log origin prices, with a backtracking line search.

    A step is halved, market by market, until the sum of squared relative excesses does not
    grow by more than ``flat_tolerance``: on flat stretches of the curves (every seller at
    capacity, every buyer capped) it barely changes, and tiny composition effects must not
    stop the search. There the exact Jacobian is singular in the price level, so it uses a
    floor on the demand slope (``slope_floor`` times demand), and a market whose excess falls
    by less than a tenth in a step has its next step enlarged fourfold, up to ``max_step``:
    the search crosses a flat stretch in a few steps, then Newton converges on the slope.
    The floor and the enlargement change the path, not the equilibrium.

    Returns the log prices, the iterations used, the largest relative excess left and the
    state at those prices.
    """
    m, scale = batch.markets, batch.scale
    state = _evaluate(asks, bids, batch, settings, log_price, rent)
    excess = state.excess
    merit = ((excess / scale) ** 2).sum(axis=1)
    boost = np.ones((m, 1))
    for iteration in range(1, settings.max_iterations + 1):
        if merit.max(initial=0.0) < settings.tolerance**2:
            return log_price, iteration, float(np.sqrt(merit.max(initial=0.0))), state
        jac = _jacobian(state, batch, settings)
        step = -np.linalg.solve(jac, np.where(batch.active, excess, 0.0)[..., None])[..., 0]
        step *= boost
        largest = np.max(np.abs(step), axis=1, keepdims=True)
        step *= np.minimum(1.0, settings.max_step / np.maximum(largest, 1e-300))
        length = np.ones((m, 1))
        total_excess = excess.sum(axis=1)
        for _ in range(20):
            trial = np.minimum(np.maximum(log_price + length * step, batch.lower), batch.upper)
            trial_state = _evaluate(asks, bids, batch, settings, trial, rent)
            trial_excess = trial_state.excess
            trial_merit = ((trial_excess / scale) ** 2).sum(axis=1)
            # Flat stretches may be crossed at equal merit, but a step that jumps over the
            # solution (total excess changes sign) must make things strictly better.
            crossed = trial_excess.sum(axis=1) * total_excess < 0
            worse = trial_merit > merit * (1.0 + np.where(crossed, 0.0, settings.flat_tolerance))
            if not worse.any():
                break
            length = np.where(worse[:, None], length * 0.5, length)
        stalled = (trial_merit > 0.81 * merit) & ~crossed
        boost = np.where(stalled[:, None], np.clip(boost * length * 4.0, 1.0, 1e8), 1.0)
        log_price, excess, state = trial, trial_excess, trial_state
        merit = trial_merit
    return log_price, settings.max_iterations, float(np.sqrt(merit.max(initial=0.0))), state


def _result(bids, batch: _Batch, log_price, state: _State, iterations, excess) -> Clearing:
    """Allocate the equilibrium flows to the individual asks and bids so the books close.

    The solver leaves a relative excess below its tolerance; here flows are scaled to what each
    origin's sellers supply, and buyers' purchases to what arrives, so that tonnes sold, shipped
    and bought agree exactly.
    """
    supplied, supply, sales = state.supplied, state.supply, state.sales
    flows = (
        state.flows * np.where(sales > 0, supply / np.where(sales > 0, sales, 1.0), 0.0)[:, :, None]
    )
    sold = np.where((sales > 0).ravel()[batch.ask_cell], supplied, 0.0)
    arrived = flows.sum(axis=1)
    scale = np.where(state.demand > 0, arrived / np.where(state.demand > 0, state.demand, 1.0), 0.0)
    bought = state.bought * scale.ravel()[batch.bid_cell]
    return Clearing(
        origin_price=np.where(batch.active, np.exp(log_price), np.nan),
        destination_price=np.where(state.reachable, state.dest_price, np.nan),
        flows=flows,
        sold=sold,
        bought=bought,
        iterations=iterations,
        max_relative_excess=excess,
    )
