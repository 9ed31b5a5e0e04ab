"""Spot-market clearing: asks and bids in, prices and flows out.

No Mesa: the market can be tested and benchmarked without agents.

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
* Buyers may also weigh an origin's record of supply risk (``Frictions.risk_premium``,
  ``abm.agents.sourcing``): a multiplier on ``c[i, j]`` in the shares only. It moves the
  choice like a friction but nobody pays it: destination prices and every tonne's price
  are the delivered costs without it.
* The equilibrium is the vector of origin prices at which every origin's sales equal its
  sellers' supply: ``sum_j demand_j(p_j) * share[i, j] = supply_i(p_origin[i])``. Demand is
  decreasing and supply increasing in own price, and origins are gross substitutes, so the
  equilibrium is unique. It is the stochastic (logit) spatial price equilibrium; as
  ``sigma`` grows it tends to the competitive spatial price equilibrium of Samuelson (1952)
  and Takayama and Judge (1971), where each destination buys only from its cheapest
  delivered origin and prices differ by no more than transport and trade costs
  (``tests/test_market.py`` checks this against a HiGHS linear programme).
* We find it by Newton's method on log origin prices with an analytic Jacobian, all
  markets of a step at once as one batch of numpy arrays (``abm.market_solver``),
  warm-started from the last step's prices. A market with a capped pair is solved on its
  own with its quota rents (``abm.market_quota``), from the last step's prices and rents.
* A quota (a cap on tonnes over a set of pairs) is enforced by a quota rent: a multiplier
  on the delivered cost of the capped pairs, raised until the cap holds (complementarity:
  the rent is positive only where the cap binds). Buyers pay the rent; it shows in prices.
  Where the pair may leak round its quota through a third country (``abm.leakage``), the
  pair's supply is a staircase: its quota below the leak route's cost (a rent of
  ``leak_rent``), anything up to its quota and its leak at that rent, no more above it.

Every tonne a seller sells is bought by a buyer: allocations are rescaled so the books
close exactly, not only to the solver tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from abm import market_quota
from abm.market_solver import Batch, allocate, evaluate, newton

FloatArray = np.ndarray
IntArray = np.ndarray


@dataclass(frozen=True)
class Asks:
    """Sell offers, one row per selling agent."""

    market: IntArray  # which market (mineral x stage [x tier]) the ask is in
    origin: IntArray  # country index where the goods are
    quantity: FloatArray  # tonnes offered this step
    price: FloatArray  # ask price, USD per tonne
    # Tonnes counted in the origin's weight in buyers' choice of origin (its ``T``). None:
    # ``quantity``. Stock held back at a reservation price far above the market's (users'
    # cover, merchants') is not an offer buyers meet, and must not draw them to its origin.
    matched: FloatArray | None = None
    # Half-width in log price of the ask's ramp (the spread of reservation prices behind it).
    # None: the market's ``ramp_width``.
    spread: FloatArray | None = None


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
    # Half-width in log price of the fall of demand around ``max_price``: the spread of
    # willingness to pay across the firms behind one bid. None: the market's ``ramp_width``.
    choke_width: FloatArray | None = None


@dataclass(frozen=True)
class Frictions:
    """Trade costs and rules per market, origin and destination, shape (markets, n, n)."""

    transport_usd_per_t: FloatArray
    tariff: FloatArray  # ad valorem import tariff on the landed value
    export_tax: FloatArray  # ad valorem export tax on the origin price
    allowed: np.ndarray  # False where trade is banned
    cap_tonnes: FloatArray  # quota per pair; inf where there is none
    # Leakage beyond a quota (``abm.leakage``): a capped pair may ship ``leak_tonnes`` more
    # through a third country once its quota rent reaches ``leak_rent``, the leak route's
    # delivered cost over the pair's own. None: no pair leaks.
    leak_tonnes: FloatArray | None = None
    leak_rent: FloatArray | None = None
    # Buyers' risk premium on a pair (>= 1): multiplies the delivered cost in the choice of
    # origin only, never in what is paid (``abm.agents.sourcing``). None: no premium.
    risk_premium: FloatArray | None = None

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
    rent: FloatArray  # (markets, n, n) quota rent: the multiplier on the delivered cost, 1 if none
    iterations: int
    max_relative_excess: float  # of sales over supply, or of a binding quota over its cap


@dataclass(frozen=True)
class MarketSettings:
    """Parameters of the clearing mechanism."""

    substitution_elasticity: float = 12.0  # sigma: how strongly buyers switch origin
    ramp_width: float = 0.08  # half-width of a seller's or buyer's ramp, in log price
    # Relative excess supply at which Newton stops in markets without quotas (1e-8 chased
    # grams of stock-only origins); capped markets are solved finer (``clear``).
    tolerance: float = 1e-7
    max_iterations: int = 60
    max_step: float = 1.0  # largest change of a log price in one Newton step
    slope_floor: float = 0.05  # least demand elasticity the Newton Jacobian assumes
    flat_tolerance: float = 0.01  # a step may raise the squared excess this much (flat curves)
    quota_tolerance: float = 1e-6  # relative miss of a binding quota that is accepted
    quota_rounds: int = 100  # of rent solves at fixed prices, where the joint Newton stalls


def clear(
    asks: Asks,
    bids: Bids,
    frictions: Frictions,
    settings: MarketSettings | None = None,
    start_price: FloatArray | None = None,
    start_rent: FloatArray | None = None,
) -> Clearing:
    """Find the spatial equilibrium of every market in the batch (see the module docstring).

    ``start_price`` (markets, countries) warm-starts the search; where it is NaN, or not
    given, an origin starts just above its cheapest ask. ``start_rent`` (markets, countries,
    countries), the last clearing's ``rent``, warm-starts the quota rents; without it they
    start at one.
    """
    settings = settings or MarketSettings()
    batch = Batch(asks, bids, frictions, settings.ramp_width)
    start = batch.start(None if start_price is None else np.asarray(start_price, float))
    capped = (batch.open & np.isfinite(batch.cap)).any(axis=(1, 2))
    if not capped.any():
        log_price, iterations, merit, state = newton(batch, settings, start)
        return _cleared(batch, log_price, state, np.ones(batch.cap.shape), iterations, merit)
    # Markets without quotas are solved as a batch; each market with one on its own, with
    # its rents, from last month's prices and rents (a free-trade solve first would start
    # it far from its rented equilibrium, and cost the whole batch iterations).
    log_price, rent = start.copy(), np.ones(batch.cap.shape)
    merit, iterations = np.zeros(batch.markets), 0
    free = np.flatnonzero(~capped)
    if len(free):
        some = Batch(*_markets(asks, bids, frictions, free), settings.ramp_width)
        log_price[free], iterations, merit[free], _ = newton(some, settings, start[free])
    # A capped market is solved a hundred times finer than its quotas' tolerance, so that
    # the flows scaled to close the books still keep every cap.
    fine = replace(settings, tolerance=min(settings.tolerance, settings.quota_tolerance / 100))
    for market in np.flatnonzero(capped):
        one = Batch(*_markets(asks, bids, frictions, np.array([market])), settings.ramp_width)
        quotas = market_quota.Quotas.of(one)
        log_rent = np.zeros(len(quotas.cap))
        if start_rent is not None:
            warm = start_rent[market, quotas.origin, quotas.destination]
            log_rent = np.log(np.maximum(np.nan_to_num(warm, nan=1.0), 1.0))
        found = market_quota.solve(one, quotas, fine, start[market : market + 1], log_rent)
        log_price[market] = found.log_price[0]
        rent[market] = quotas.rent(found.log_rent, batch.n)[0]
        iterations = max(iterations, found.iterations)
        # A quota missed by more than its tolerance counts as unsolved.
        merit[market] = max(found.merit, market_quota.missed(quotas, found) ** 2)
    # The allocation reads every market at its final prices and rents.
    state = evaluate(batch, settings.substitution_elasticity, log_price, rent)
    return _cleared(batch, log_price, state, rent, iterations, merit)


def _cleared(batch: Batch, log_price, state, rent, iterations: int, merit) -> Clearing:
    """The Clearing at the prices found; ``merit`` is each market's squared relative excess
    (of sales over supply, or of a binding quota over its cap)."""
    origin_price, destination_price, flows, sold, bought = allocate(batch, log_price, state)
    return Clearing(
        origin_price=origin_price,
        destination_price=destination_price,
        flows=flows,
        sold=sold,
        bought=bought,
        rent=rent,
        iterations=int(iterations),
        max_relative_excess=float(np.sqrt(np.max(merit, initial=0.0))),
    )


def _markets(
    asks: Asks, bids: Bids, frictions: Frictions, chosen: IntArray
) -> tuple[Asks, Bids, Frictions]:
    """The asks, bids and frictions of the ``chosen`` markets of the batch, numbered from 0
    in that order, as a batch of their own."""
    number = np.full(len(frictions.allowed), -1)
    number[chosen] = np.arange(len(chosen))
    sell, buy = number[asks.market], number[bids.market]
    selling, buying = sell >= 0, buy >= 0
    return (
        Asks(
            sell[selling],
            asks.origin[selling],
            asks.quantity[selling],
            asks.price[selling],
            None if asks.matched is None else asks.matched[selling],
            None if asks.spread is None else asks.spread[selling],
        ),
        Bids(
            buy[buying],
            bids.destination[buying],
            bids.quantity[buying],
            bids.reference_price[buying],
            bids.elasticity[buying],
            bids.max_price[buying],
            bids.max_quantity[buying],
            None if bids.choke_width is None else bids.choke_width[buying],
        ),
        Frictions(
            frictions.transport_usd_per_t[chosen],
            frictions.tariff[chosen],
            frictions.export_tax[chosen],
            frictions.allowed[chosen],
            frictions.cap_tonnes[chosen],
            None if frictions.leak_tonnes is None else frictions.leak_tonnes[chosen],
            None if frictions.leak_rent is None else frictions.leak_rent[chosen],
            None if frictions.risk_premium is None else frictions.risk_premium[chosen],
        ),
    )
