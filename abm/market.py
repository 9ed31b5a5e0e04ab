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
* The equilibrium is the vector of origin prices at which every origin's sales equal its
  sellers' supply: ``sum_j demand_j(p_j) * share[i, j] = supply_i(p_origin[i])``. Demand is
  decreasing and supply increasing in own price, and origins are gross substitutes, so the
  equilibrium is unique. It is the stochastic (logit) spatial price equilibrium; as
  ``sigma`` grows it tends to the competitive spatial price equilibrium of Samuelson (1952)
  and Takayama and Judge (1971), where each destination buys only from its cheapest
  delivered origin and prices differ by no more than transport and trade costs
  (``tests/test_market.py`` checks this against a HiGHS linear programme).
* We find it by Newton's method on log origin prices with an analytic Jacobian, market by
  market over its active origins, warm-started from the last step's prices. The loops are
  compiled with numba (``abm.market_kernel``), since at 20 countries a numpy version spends
  its time in call overhead.
* A quota (a cap on tonnes over a set of pairs) is enforced by a quota rent: a multiplier
  on the delivered cost of the capped pairs, raised until the cap holds (complementarity:
  the rent is positive only where the cap binds). Buyers pay the rent; it shows in prices.

Every tonne a seller sells is bought by a buyer: allocations are rescaled so the books
close exactly, not only to the solver tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abm.market_kernel import clear_markets

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
    rent: FloatArray  # (markets, n, n) quota rent: the multiplier on the delivered cost, 1 if none
    iterations: int
    max_relative_excess: float  # of sales over supply, or of a binding quota over its cap


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
    quota_tolerance: float = 1e-6  # relative miss of a binding quota that is accepted
    quota_rounds: int = 100  # of rent solves at fixed prices, where the joint Newton stalls


def _options(settings: MarketSettings) -> tuple[float, ...]:
    """The settings in the order ``abm.market_kernel`` reads them."""
    return (
        float(settings.substitution_elasticity),
        float(settings.ramp_width),
        float(settings.tolerance),
        float(settings.max_iterations),
        float(settings.max_step),
        float(settings.slope_floor),
        float(settings.flat_tolerance),
        float(settings.quota_tolerance),
        float(settings.quota_rounds),
    )


def _by_market(market: IntArray, markets: int) -> tuple[IntArray, IntArray]:
    """The order that sorts rows by market, and where each market's rows start."""
    order = np.argsort(market, kind="stable")
    return order, np.searchsorted(market[order], np.arange(markets + 1)).astype(np.int64)


def _floats(values) -> FloatArray:
    return np.ascontiguousarray(values, dtype=np.float64)


def _ints(values) -> IntArray:
    return np.ascontiguousarray(values, dtype=np.int64)


def clear(
    asks: Asks,
    bids: Bids,
    frictions: Frictions,
    settings: MarketSettings | None = None,
    start_price: FloatArray | None = None,
) -> Clearing:
    """Find the spatial equilibrium of every market in the batch (see the module docstring).

    ``start_price`` (markets, countries) warm-starts the search; where it is NaN, or not
    given, an origin starts just above its cheapest ask.
    """
    settings = settings or MarketSettings()
    markets, n = frictions.allowed.shape[:2]
    ask_order, ask_start = _by_market(np.asarray(asks.market), markets)
    bid_order, bid_start = _by_market(np.asarray(bids.market), markets)
    start = np.full((markets, n), np.nan) if start_price is None else _floats(start_price)
    origin_price, destination_price = np.empty((markets, n)), np.empty((markets, n))
    flows = np.empty((markets, n, n))
    sold, bought = np.empty(len(ask_order)), np.empty(len(bid_order))
    rent = np.ones((markets, n, n))
    iterations, excess = clear_markets(
        ask_start,
        _ints(asks.origin[ask_order]),
        _floats(asks.quantity[ask_order]),
        _floats(asks.price[ask_order]),
        bid_start,
        _ints(bids.destination[bid_order]),
        _floats(bids.quantity[bid_order]),
        _floats(bids.reference_price[bid_order]),
        _floats(bids.elasticity[bid_order]),
        _floats(bids.max_price[bid_order]),
        _floats(bids.max_quantity[bid_order]),
        _floats(frictions.transport_usd_per_t),
        _floats(frictions.tariff),
        _floats(frictions.export_tax),
        np.ascontiguousarray(frictions.allowed, dtype=np.bool_),
        _floats(frictions.cap_tonnes),
        start,
        _options(settings),
        origin_price,
        destination_price,
        flows,
        sold,
        bought,
        rent,
    )
    sold[ask_order], bought[bid_order] = sold.copy(), bought.copy()  # back to the input order
    return Clearing(
        origin_price=origin_price,
        destination_price=destination_price,
        flows=flows,
        sold=sold,
        bought=bought,
        rent=rent,
        iterations=int(iterations),
        max_relative_excess=float(excess),
    )
