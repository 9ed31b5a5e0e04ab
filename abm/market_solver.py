"""Newton's method on log origin prices, every market of a clearing at once, in numpy.

``abm.market`` explains the mechanism; this module computes the equilibrium at given quota
rents (``abm.market_quota`` finds the rents). All markets of a clearing travel as one
batch of ``(markets, countries, countries)`` arrays, so each Newton iteration costs a fixed
few dozen numpy calls however many markets there are. Sums run in a fixed order: the same
inputs give the same numbers, bit for bit.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from abm.groups import group_extreme

FloatArray = np.ndarray


def smoothstep(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """A C1 ramp from 0 at x=-1 to 1 at x=+1, and its derivative (in x / 2 units)."""
    t = np.minimum(np.maximum(x, -1.0), 1.0)  # np.clip, without its overhead
    t += 1.0
    t *= 0.5
    rest = 1.0 - t
    return t * t * (3.0 - 2.0 * t), 3.0 * t * rest


def in_the_money(market_price: FloatArray, ask: FloatArray, width: float) -> FloatArray:
    """0 to 1: how far an ask at ``ask`` would have sold at ``market_price``, on the
    sellers' ramp of half-width ``width`` in log price (NaN prices: not at all)."""
    x = (np.log(market_price) - np.log(ask)) / width
    return smoothstep(np.nan_to_num(x, nan=-1.0))[0]


class Batch:
    """Everything about one clearing that does not depend on prices, computed once.

    ``asks`` and ``bids`` are ``abm.market.Asks`` and ``Bids``; ``frictions`` is
    ``abm.market.Frictions`` with shape (markets, countries, countries).
    """

    def __init__(self, asks, bids, frictions, width: float):
        self.markets, self.n = frictions.allowed.shape[:2]
        m, n = self.markets, self.n
        self.width = width
        ask_cell = np.asarray(asks.market) * n + asks.origin
        log_ask = np.log(asks.price)
        bid_market, log_max = np.asarray(bids.market), np.log(bids.max_price)
        choke_width = np.full(len(bid_market), width)
        if bids.choke_width is not None:
            given = np.asarray(bids.choke_width, dtype=float)
            choke_width = np.where(np.isnan(given), width, given)
        # Bounds on log origin prices: below the cheapest ask nothing is supplied, above the
        # highest choke price (and the widest spread of buyers around it) nothing is bought.
        ask_width = np.full(len(ask_cell), width)
        if asks.spread is not None:
            given = np.asarray(asks.spread, dtype=float)
            ask_width = np.where(np.isnan(given), width, given)
        reach = log_ask - 1.5 * np.maximum(ask_width - width, 0.0)
        lowest = group_extreme(np.minimum, ask_cell, reach, m * n, np.inf)
        self.lower = lowest.reshape(m, n) - 1.5 * width
        beyond = log_max + np.maximum(choke_width - width, 0.0)
        top = group_extreme(np.maximum, bid_market, beyond, m, -np.inf)
        # Only asks offering something and bids wanting something take part in the search.
        self.ask_count, self.bid_count = len(ask_cell), len(bid_market)
        self.ask_rows = np.flatnonzero(np.asarray(asks.quantity) > 0)
        self.bid_rows = np.flatnonzero(np.asarray(bids.quantity) > 0)
        sell, buy = self.ask_rows, self.bid_rows
        self.ask_cell, self.log_ask = ask_cell[sell], log_ask[sell]
        self.ask_quantity = np.asarray(asks.quantity, dtype=float)[sell]
        self.bid_cell = bid_market[buy] * n + np.asarray(bids.destination)[buy]
        self.bid_terms = BidTerms(
            np.asarray(bids.quantity, dtype=float)[buy],
            np.log(bids.reference_price[buy]),
            log_max[buy],
            -np.asarray(bids.elasticity, dtype=float)[buy],
            np.maximum(bids.max_quantity[buy], 1e-300),
            choke_width[buy],
        )
        # Where each ramp starts (asks, then bids), and the bins of ``evaluate``'s one
        # bincount: demand, its slope, supply, its slope.
        self.ramp_start = np.concatenate((self.log_ask, self.bid_terms.log_max))
        self.ask_width = ask_width[sell]
        self.ramp_width = np.concatenate((self.ask_width, self.bid_terms.width))
        cells = m * n
        self.sum_cell = np.concatenate(
            (
                self.bid_cell,
                self.bid_cell + cells,
                self.ask_cell + 2 * cells,
                self.ask_cell + 3 * cells,
            )
        )
        self.offered = np.bincount(self.ask_cell, self.ask_quantity, m * n).reshape(m, n)
        self.active = self.offered > 0
        matched = self.offered
        if asks.matched is not None:
            given = np.asarray(asks.matched, dtype=float)[sell]
            counted = np.where(np.isnan(given), self.ask_quantity, given)
            matched = np.bincount(self.ask_cell, counted, m * n).reshape(m, n)
            # An origin with stock only (none matched) keeps a sliver of weight, so its
            # stock can sell once the price passes its reservation.
            matched = np.maximum(matched, 1e-6 * self.offered)
        self.alpha = (1.0 + frictions.export_tax) * (1.0 + frictions.tariff)
        self.beta = frictions.transport_usd_per_t * (1.0 + frictions.tariff)
        self.cap = np.asarray(frictions.cap_tonnes, dtype=float)
        # Leakage beyond a quota: the tonnes, and the log rent at which they start.
        shape = self.cap.shape
        leak_tonnes, leak_rent = frictions.leak_tonnes, frictions.leak_rent
        self.leak_tonnes = np.zeros(shape) if leak_tonnes is None else np.asarray(leak_tonnes)
        self.leak_log_rent = (
            np.full(shape, np.inf) if leak_rent is None else np.log(np.maximum(leak_rent, 1.0))
        )
        # Buyers' risk premium: a log multiplier on the delivered cost in the shares only.
        premium = frictions.risk_premium
        self.log_premium = None if premium is None else np.log(np.asarray(premium, dtype=float))
        # A quota of zero closes the pair, like a ban.
        self.open = frictions.allowed & (self.cap > 0) & self.active[:, :, None]
        log_offered = np.log(matched, out=np.full((m, n), -np.inf), where=self.active)
        self.log_offered = np.where(self.open, log_offered[:, :, None], -np.inf)
        self.upper = np.maximum(top[:, None] + 0.5, self.lower + 3.0 * width)
        self.lower = np.where(self.active, self.lower, 0.0)
        self.upper = np.where(self.active, self.upper, 0.0)
        # For the Newton steps: each market's offered tonnes (the scale of its excesses), and
        # the Jacobian's diagonal fix.
        self.scale = np.maximum(self.offered.sum(axis=1, keepdims=True), 1e-300)
        self.pull = ~self.active - 1e-8 * self.scale

    def start(self, start_price: FloatArray | None) -> FloatArray:
        """Log origin prices to start from: ``start_price`` where it is finite, else just
        above the origin's cheapest ask; inactive origins sit at zero and never move."""
        cold = self.lower + 1.5 * self.width + 0.5
        if start_price is not None:
            warm = np.log(np.maximum(start_price, 1e-300))  # NaN stays NaN, quietly
            cold = np.where(np.isfinite(warm), warm, cold)
        return np.minimum(np.maximum(np.where(self.active, cold, 0.0), self.lower), self.upper)


class BidTerms(NamedTuple):
    """What a bid's demand curve needs, one row per bid, in the form it needs it."""

    quantity: FloatArray  # tonnes wanted at the reference price
    log_reference: FloatArray
    log_max: FloatArray  # log choke price
    minus_elasticity: FloatArray
    limit: FloatArray  # tonnes the bid can take at most, kept above zero
    width: FloatArray  # half-width of the choke ramp in log price (the spread of buyers)

    def take(self, rows: np.ndarray) -> BidTerms:
        """The bid terms of ``rows`` only."""
        return BidTerms(*(column[rows] for column in self))


def bid_demand(terms: BidTerms, log_price: FloatArray, choke=None) -> tuple[FloatArray, FloatArray]:
    """Tonnes each bid buys at its destination's log price, and d(tonnes)/d(log price).

    Isoelastic around the reference price, limited smoothly by ``limit``
    (``q / (1 + (q / limit) ** 8) ** (1 / 8)``: within 0.1% of ``q`` below half the limit,
    and never perfectly flat, so the equilibrium stays well defined) and choked off near the
    maximum price (over each bid's ``width`` in log price). ``choke``, the smoothstep of
    ``(log_price - log_max) / width`` and its slope, when the caller has it already.
    """
    minus_elasticity = terms.minus_elasticity
    wanted = terms.quantity * np.exp(minus_elasticity * (log_price - terms.log_reference))
    ratio = wanted / terms.limit
    ratio *= ratio
    ratio *= ratio
    damp8 = 1.0 / (1.0 + ratio * ratio)  # damp ** 8
    limited = wanted * np.sqrt(np.sqrt(np.sqrt(damp8)))  # damp: twice as fast as ** 0.125
    if choke is None:
        choke = smoothstep((log_price - terms.log_max) / terms.width)
    fraction_up, slope_up = choke
    keep = 1.0 - fraction_up
    slope = minus_elasticity * limited * damp8 * keep - limited * slope_up / terms.width
    return limited * keep, slope


class State(NamedTuple):
    """Everything implied by one set of origin prices (and quota rents)."""

    share: FloatArray  # (m, n, n) origin shares of each destination's purchases
    delivered: FloatArray  # (m, n, n) delivered cost including any rent, USD/t
    scaled: FloatArray  # (m, n, n) the part of the landed cost that moves with the price
    landed: FloatArray  # (m, n, n) the delivered cost before any rent
    dest_price: FloatArray  # (m, n); 1.0 where nothing can arrive
    reachable: np.ndarray  # (m, n) some origin may sell there
    bought: FloatArray  # (bids,)
    demand: FloatArray  # (m, n)
    demand_slope: FloatArray  # (m, n) d demand / d log price
    supplied: FloatArray  # (asks,) tonnes each ask supplies
    supply: FloatArray  # (m, n) tonnes supplied per origin
    supply_slope: FloatArray  # (m, n) d supply / d log price
    sales: FloatArray  # (m, n) tonnes bought from each origin
    excess: FloatArray  # (m, n) excess demand per origin

    @property
    def flows(self) -> FloatArray:
        """(m, n, n) tonnes from origin to destination: share x demand, before the books
        are closed."""
        return self.share * self.demand[:, None, :]

    @property
    def moving(self) -> FloatArray:
        """(m, n, n) the share of the landed cost that moves with the origin price (the
        rent cancels here)."""
        return self.scaled / self.landed


def evaluate(batch: Batch, sigma: float, log_price: FloatArray, rent=None) -> State:
    """Flows, demand, supply and excess demand implied by origin prices and quota rents
    (``rent`` multiplies the delivered cost; None is one everywhere)."""
    m, n = batch.markets, batch.n
    scaled = batch.alpha * np.exp(log_price)[:, :, None]
    landed = scaled + batch.beta
    delivered = landed if rent is None else landed * rent
    log_weight = batch.log_offered - sigma * np.log(delivered)  # -inf where closed
    if batch.log_premium is not None:  # chosen on, never paid
        log_weight -= sigma * batch.log_premium
    top = log_weight.max(axis=1, keepdims=True)
    weight = np.exp(log_weight - np.where(top > -np.inf, top, 0.0))
    total = weight.sum(axis=1, keepdims=True)
    reachable = total[:, 0, :] > 0
    share = weight / np.where(total > 0, total, 1.0)
    dest_price = np.where(reachable, np.einsum("mij,mij->mj", share, delivered), 1.0)
    # A bid where nothing can arrive buys nothing: its demand is counted, then zeroed by cell
    # (``allocate`` gives it nothing, as nothing arrives).
    # Every ramp in one call (sellers' at their origin's price, buyers' choke at their
    # destination's) and every sum in one bincount: numpy's cost here is per call.
    log_paid = np.log(dest_price).ravel()[batch.bid_cell]
    at = np.concatenate((log_price.ravel()[batch.ask_cell], log_paid))
    fraction, ramp = smoothstep((at - batch.ramp_start) / batch.ramp_width)
    asks = len(batch.ask_cell)
    bought, slope = bid_demand(batch.bid_terms, log_paid, (fraction[asks:], ramp[asks:]))
    supplied = batch.ask_quantity * fraction[:asks]
    weights = np.concatenate(
        (bought, slope, supplied, batch.ask_quantity * ramp[:asks] / batch.ask_width)
    )
    sums = np.bincount(batch.sum_cell, weights, 4 * m * n).reshape(4, m, n)
    demand, demand_slope = sums[0] * reachable, sums[1] * reachable
    supply, supply_slope = sums[2], sums[3]
    sales = (share @ demand[:, :, None])[:, :, 0]
    return State(
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
        supply_slope,
        sales,
        sales - supply,
    )


def demand_price_slope(state: State, slope_floor: float) -> FloatArray:
    """The slope d demand / d price per destination, (m, n), with the floor that keeps flat
    stretches from making the Jacobian singular."""
    slope = np.minimum(state.demand_slope, -slope_floor * state.demand)
    return slope / state.dest_price


def jacobian(state: State, batch: Batch, sigma: float, slope_floor: float) -> FloatArray:
    """d(excess at origin i)/d(log origin price k) for every market, shape (m, n, n).

    With flows = share x demand, both terms share the factor ``share[i, j]``:
    ``jac = share @ g.T`` with ``g[k, j] = d demand_j / d price_j x d price_j / d log p_k +
    sigma demand_j s_kj h_kj`` (h the moving share of the landed cost), less the own-price
    terms on the diagonal.
    """
    share, demand = state.share, state.demand
    sh = share * state.moving
    # d(destination price j)/d(log origin price k) = sh_kj (c_kj - sigma (c_kj - P_j)).
    d_dest = state.delivered * (1.0 - sigma) + sigma * state.dest_price[:, None, :]
    d_demand = demand_price_slope(state, slope_floor)[:, None, :]
    g = sh * (d_demand * d_dest + sigma * demand[:, None, :])
    jac = share @ np.swapaxes(g, 1, 2)
    own = sigma * (sh @ demand[:, :, None])[:, :, 0] + state.supply_slope
    # Inactive origins (nothing offered, so no share: their rows and columns are zero) get
    # an identity row and never move; a tiny pull on the diagonal keeps an origin that
    # nobody can reach from making the system singular.
    jac.reshape(len(jac), -1)[:, :: batch.n + 1] += batch.pull - own
    return jac


def price_merit(state: State, batch: Batch) -> FloatArray:
    """Sum of squared relative excess demands, per market."""
    return ((state.excess / batch.scale) ** 2).sum(axis=1)


def newton(batch: Batch, settings, log_price: FloatArray, rent=None):
    """Bounded Newton iterations on log origin prices at fixed rents, with a line search.

    A step is halved, market by market, until the sum of squared relative excesses does not
    grow by more than ``flat_tolerance``: on flat stretches of the curves (every seller at
    capacity, every buyer capped) it barely changes, and tiny composition effects must not
    stop the search. There the exact Jacobian is singular in the price level, so it uses a
    floor on the demand slope (``slope_floor`` times demand), and a market whose merit falls
    by less than a fifth in a step has its next step enlarged fourfold, up to ``max_step``:
    the search crosses a flat stretch in a few steps, then Newton converges on the slope.
    The floor and the enlargement change the path, not the equilibrium. A market already
    within the tolerance takes no further steps while the others converge.

    Returns the log prices, the iterations used, each market's merit and the state at the
    returned prices.
    """
    sigma, m = settings.substitution_elasticity, batch.markets
    state = evaluate(batch, sigma, log_price, rent)
    merit = price_merit(state, batch)
    total = state.excess.sum(axis=1)
    boost = None  # one everywhere, until a market stalls
    target, max_step = settings.tolerance**2, settings.max_step
    for iteration in range(1, settings.max_iterations + 1):
        if merit.max(initial=0.0) < target:
            return log_price, iteration, merit, state
        # Markets already solved stay where they are: at round-off their merit moves at
        # random, and would halve every other market's step for nothing.
        done = merit < target
        jac = jacobian(state, batch, sigma, settings.slope_floor)
        step = np.linalg.solve(jac, -state.excess[..., None])[..., 0]
        step[done] = 0.0
        if boost is not None:
            step *= boost
        largest = np.abs(step).max(axis=1, keepdims=True)
        if largest.max() > max_step:
            step *= np.minimum(1.0, max_step / np.maximum(largest, 1e-300))
        length = np.ones((m, 1))
        for _ in range(20):
            trial = np.minimum(np.maximum(log_price + length * step, batch.lower), batch.upper)
            trial_state = evaluate(batch, sigma, trial, rent)
            trial_merit = price_merit(trial_state, batch)
            trial_total = trial_state.excess.sum(axis=1)
            # Flat stretches may be crossed at equal merit, but a step that jumps over the
            # solution (total excess changes sign) must make things strictly better.
            crossed = trial_total * total < 0
            worse = trial_merit > merit * np.where(crossed, 1.0, 1.0 + settings.flat_tolerance)
            worse &= ~done
            if not worse.any():
                break
            length = np.where(worse[:, None], length * 0.5, length)
        stalled = (trial_merit > 0.81 * merit) & ~crossed & ~done
        if stalled.any():
            larger = np.minimum(
                np.maximum((1.0 if boost is None else boost) * length * 4.0, 1.0), 1e8
            )
            boost = np.where(stalled[:, None], larger, 1.0)
        else:
            boost = None
        log_price, state, merit, total = trial, trial_state, trial_merit, trial_total
    return log_price, settings.max_iterations, merit, state


def allocate(batch: Batch, log_price: FloatArray, state: State):
    """The equilibrium's prices, and its flows allocated to asks and bids so the books close.

    The solver leaves a relative excess below its tolerance; here flows are scaled to what
    each origin's sellers supply, and buyers' purchases to what arrives, so that tonnes sold,
    shipped and bought agree exactly. Returns origin and destination prices (NaN where there
    are none), flows, and each ask's and bid's tonnes.
    """
    supply, sales = state.supply, state.sales
    selling = sales > 0
    flows = state.flows * np.where(selling, supply / np.where(selling, sales, 1.0), 0.0)[..., None]
    sold, bought = np.zeros(batch.ask_count), np.zeros(batch.bid_count)
    sold[batch.ask_rows] = np.where(selling.ravel()[batch.ask_cell], state.supplied, 0.0)
    arrived = flows.sum(axis=1)
    wanted = state.demand > 0
    scale = np.where(wanted, arrived / np.where(wanted, state.demand, 1.0), 0.0)
    bought[batch.bid_rows] = state.bought * scale.ravel()[batch.bid_cell]
    origin_price = np.where(batch.active, np.exp(log_price), np.nan)
    destination_price = np.where(state.reachable, state.dest_price, np.nan)
    return origin_price, destination_price, flows, sold, bought
