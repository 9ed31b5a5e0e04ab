"""Quota rents: prices and rents of one market solved together, in numpy.

A quota caps the tonnes a pair (origin, destination) may carry. It is enforced by a rent,
a multiplier on the pair's delivered cost, with complementarity: the rent is above one only
where the cap binds, and there the pair ships exactly its cap. Only markets with a capped
pair come here, one at a time (``abm.market_solver`` clears the others as a batch).

Solving prices and rents together matters: a rent pushes buyers to other origins, whose
prices then rise, which pushes them back; rents found at fixed prices chase those prices,
or swing around them, for dozens of rounds (and the first version of this model, which
did that, left flows up to 23 times their cap).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import brentq

from abm.market_solver import (
    Batch,
    State,
    bid_demand,
    demand_price_slope,
    evaluate,
    jacobian,
    newton,
    price_merit,
)

FloatArray = np.ndarray


class Quotas(NamedTuple):
    """The capped open pairs of one market.

    A pair that may leak round its quota (``abm.market.Frictions.leak_tonnes``) has a
    staircase: it ships at most ``cap`` while its log rent is below ``leak_log_rent``, up to
    ``cap + leak`` at that rent, and exactly ``cap + leak`` above it (``leak`` 0 and
    ``leak_log_rent`` inf where there is no leak).
    """

    origin: np.ndarray
    destination: np.ndarray
    cap: FloatArray
    leak: FloatArray
    leak_log_rent: FloatArray

    @classmethod
    def of(cls, batch: Batch) -> Quotas:
        """The batch's capped pairs: one quota per open (origin, destination) with a finite cap."""
        origin, destination = np.nonzero(batch.open[0] & np.isfinite(batch.cap[0]))
        return cls(
            origin,
            destination,
            batch.cap[0, origin, destination],
            batch.leak_tonnes[0, origin, destination],
            batch.leak_log_rent[0, origin, destination],
        )

    def caps(self, flow: FloatArray, log_rent: FloatArray) -> FloatArray:
        """The cap each pair answers to at ``log_rent``: its quota and leak above its leak
        rent, or at it while shipping more than the quota; its quota otherwise."""
        at_step = log_rent == self.leak_log_rent
        beyond = (log_rent > self.leak_log_rent) | (at_step & (flow > self.cap))
        return np.where(beyond, self.cap + self.leak, self.cap)

    def stop_at_steps(self, before: FloatArray, after: FloatArray) -> FloatArray:
        """Log rents moved from ``before`` to ``after``, stopped at any leak rent crossed on
        the way (where a pair's supply steps up)."""
        step = self.leak_log_rent
        crossed = ((before < step) & (after > step)) | ((before > step) & (after < step))
        return np.where(crossed, step, after)

    def rent(self, log_rent: FloatArray, n: int) -> FloatArray:
        """The (1, n, n) rent multipliers."""
        rent = np.ones((1, n, n))
        rent[0, self.origin, self.destination] = np.exp(log_rent)
        return rent

    def residuals(self, state: State, log_rent: FloatArray) -> FloatArray:
        """Each capped pair's relative overshoot ``flow / cap - 1``. A pair with a rent must
        ship its cap exactly; one without only must not exceed it, so shipping less leaves
        no residual."""
        flow = state.flows[0, self.origin, self.destination]
        over = flow / self.caps(flow, log_rent) - 1.0
        residual = np.where((log_rent > 0.0) | (over > 0.0), over, 0.0)
        # At its leak rent a pair may ship anything from its quota to its quota and leak.
        between = (log_rent == self.leak_log_rent) & (flow >= self.cap) & (over <= 0.0)
        return np.where(between, 0.0, residual)


class Solution(NamedTuple):
    """Log prices and quota rents at the solver's end, and how well they clear."""

    log_price: FloatArray  # (1, n)
    log_rent: FloatArray  # (quotas,)
    iterations: int
    converged: bool
    merit: float  # of prices: sum of squared relative excess demands
    state: State


def solve(
    batch: Batch, quotas: Quotas, settings, log_price: FloatArray, log_rent: FloatArray
) -> Solution:
    """Prices and quota rents of a one-market batch with ``quotas`` (``Quotas.of(batch)``),
    from ``log_price`` (1, n) and ``log_rent``: the joint Newton, and where it stalls (near
    buyers' choke prices) rounds of exact rent solves at fixed prices."""
    found = _joint_newton(batch, quotas, settings, log_price, log_rent)
    if not found.converged:
        more = _rent_rounds(batch, quotas, settings, found.log_price, found.log_rent)
        found = more._replace(iterations=found.iterations + more.iterations)
    return found


def missed(quotas: Quotas, found: Solution) -> float:
    """The largest relative miss of a quota at the solution (its own scale)."""
    residual = quotas.residuals(found.state, found.log_rent)
    return float(np.abs(residual).max(initial=0.0))


def _joint_jacobian(state, batch, quotas, binding, settings, log_rent=None) -> FloatArray:
    """The Newton system of prices and the binding rents.

    A rent multiplies a pair's delivered cost, so it moves only its destination's shares and
    price: with flow = s x D, d log c_yj / d log rent_yj = 1 and d log c_kj / d log p_k =
    h_kj (the moving share of the landed cost),
    ``d flow_xj / d theta = D_j d s_xj / d theta + s_xj D'_j d P_j / d theta``, where
    ``d s_xj / d log c_yj = -sigma s_xj (delta_xy - s_yj)`` and
    ``d P_j / d log c_yj = s_yj (c_yj - sigma (c_yj - P_j))``. A rent's row is over the
    cap it answers to at ``log_rent`` (``Quotas.caps``; None: its quota).
    """
    sigma, n = settings.substitution_elasticity, batch.n
    size = n + len(binding)
    jac = np.zeros((size, size))
    jac[:n, :n] = jacobian(state, batch, sigma, settings.slope_floor)[0]
    if not len(binding):
        return jac
    x, j = quotas.origin[binding], quotas.destination[binding]
    cap = quotas.cap[binding]
    if log_rent is not None:  # the cap each answers to on its staircase
        flow = state.flows[0, quotas.origin, quotas.destination]
        cap = quotas.caps(flow, log_rent)[binding]
    share, delivered, moving = state.share[0], state.delivered[0], state.moving[0]
    price, demand = state.dest_price[0, j], state.demand[0, j]  # at each binding destination
    d_demand = demand_price_slope(state, settings.slope_floor)[0, j]
    own = share[x, j]
    origins = np.arange(n)
    # Columns: how each rent moves every origin's sales (at its destination only).
    c_xj = delivered[x, j]
    d_price_rent = own * (c_xj - sigma * (c_xj - price))
    s = share[:, j]  # (origin, binding)
    is_x = origins[:, None] == x[None, :]
    jac[:n, n:] = demand * (-sigma * s * (is_x - own)) + s * (d_demand * d_price_rent)
    # Rows: how prices move each binding pair's flow, over its cap.
    s_k, h_k, c_k = s.T, moving[:, j].T, delivered[:, j].T  # (binding, origin)
    d_price = s_k * h_k * (c_k - sigma * (c_k - price[:, None]))
    d_flow = demand[:, None] * (-sigma * own[:, None] * h_k * (is_x.T - s_k)) + (
        own[:, None] * d_demand[:, None] * d_price
    )
    jac[n:, :n] = d_flow / cap[:, None]
    # And how the other binding rents into the same destination move it.
    s_y, c_y = share[x[None, :], j[:, None]], delivered[x[None, :], j[:, None]]
    d_price = s_y * (c_y - sigma * (c_y - price[:, None]))
    d_flow = demand[:, None] * (-sigma * own[:, None] * ((x[:, None] == x[None, :]) - s_y)) + (
        own[:, None] * d_demand[:, None] * d_price
    )
    jac[n:, n:] = np.where(j[:, None] == j[None, :], d_flow / cap[:, None], 0.0)
    rows = n + np.arange(len(binding))
    jac[rows, rows] -= 1e-12  # a choked pair must not make it singular
    return jac


def _joint_newton(batch, quotas, settings, log_price, log_rent) -> Solution:
    """Bounded Newton iterations on the log prices and the log rents that bind, with the
    line search of ``abm.market_solver.newton``.

    The binding rents are those above one, or whose pair ships more than its cap: an active
    set revised every iteration (rents never fall below one). The merit adds the squared
    quota residuals to the prices' squared relative excesses.
    """
    sigma, n = settings.substitution_elasticity, batch.n
    target = settings.tolerance**2

    def point(log_price, log_rent):
        state = evaluate(batch, sigma, log_price, quotas.rent(log_rent, n))
        residual = quotas.residuals(state, log_rent)
        merit = float(price_merit(state, batch)[0])
        return state, residual, merit, merit + float(residual @ residual)

    state, residual, prices_merit, merit = point(log_price, log_rent)
    total = state.excess.sum()
    boost = 1.0
    for iteration in range(1, settings.max_iterations + 1):
        worst = np.abs(residual).max(initial=0.0)
        if prices_merit < target and worst < settings.quota_tolerance:
            return Solution(log_price, log_rent, iteration, True, prices_merit, state)
        binding = np.flatnonzero(residual != 0.0)
        jac = _joint_jacobian(state, batch, quotas, binding, settings, log_rent)
        right = np.concatenate([state.excess[0], residual[binding]])
        step = -np.linalg.solve(jac, right) * boost
        step *= min(1.0, settings.max_step / max(np.abs(step).max(), 1e-300))
        length = 1.0
        for _ in range(20):
            trial = np.minimum(np.maximum(log_price + length * step[:n], batch.lower), batch.upper)
            trial_rent = log_rent.copy()
            trial_rent[binding] = np.maximum(0.0, log_rent[binding] + length * step[n:])
            trial_rent = quotas.stop_at_steps(log_rent, trial_rent)
            trial_point = point(trial, trial_rent)
            trial_total = trial_point[0].excess.sum()
            # Flat stretches may be crossed at equal merit, but a step that jumps over the
            # solution (total excess changes sign) must make things strictly better.
            crossed = trial_total * total < 0.0
            if not trial_point[3] > merit * (1.0 if crossed else 1.0 + settings.flat_tolerance):
                break
            length *= 0.5
        stalled = trial_point[3] > 0.81 * merit and not crossed
        boost = min(max(boost * length * 4.0, 1.0), 1e8) if stalled else 1.0
        log_price, log_rent, total = trial, trial_rent, trial_total
        state, residual, prices_merit, merit = trial_point
    return Solution(log_price, log_rent, settings.max_iterations, False, prices_merit, state)


def _pair_flow(batch, terms, x, j, price, rent, sigma) -> float:
    """Tonnes origin x ships to destination j at fixed origin prices and rents (1, n, n);
    ``terms`` are the bids at j."""
    delivered = (batch.alpha[0, :, j] * price + batch.beta[0, :, j]) * rent[0, :, j]
    weight = batch.log_offered[0, :, j] - sigma * np.log(delivered)
    if batch.log_premium is not None:  # chosen on, never paid
        weight = weight - sigma * batch.log_premium[0, :, j]
    top = weight.max()
    if not batch.open[0, x, j] or top == -np.inf:
        return 0.0
    weight = np.exp(weight - top)
    total = weight.sum()
    log_paid = np.log((weight / total) @ delivered)
    demand = bid_demand(terms, np.full(len(terms.quantity), log_paid))[0].sum()
    return weight[x] / total * demand


def _solve_rent(batch, terms, quota, price, rent, start, sigma) -> float:
    """The log rent at which pair ``quota`` (origin, destination, cap, leak, leak log rent)
    ships its cap, prices and other rents fixed; with a leak, its quota below the leak rent,
    anything up to its quota and leak at it, the two above it.

    Flow falls with the rent, to nothing once buyers pay their choke price: bracket the
    root by steps of one from the last rent (or the leak rent), then Brent's method.
    """
    x, j, cap, leak, step = quota

    def excess(log_rent: float) -> float:
        rent[0, x, j] = np.exp(log_rent)
        return _pair_flow(batch, terms, x, j, price, rent, sigma) / cap - 1.0

    if excess(0.0) <= 0.0:
        return 0.0  # the cap does not bind: no rent
    low = 0.0
    if np.isfinite(step):
        if excess(step) <= 0.0:  # the quota binds below the leak rent
            return brentq(excess, 0.0, step, xtol=1e-13, rtol=4 * np.finfo(float).eps)
        cap = cap + leak
        if excess(step) <= 0.0:
            return step  # at the leak rent: the leak takes what the quota leaves
        low = step
    high = max(start, low)
    while excess(high) > 0.0:
        if high >= 60.0:  # buyers never stop (no choke price): no rent meets it
            return high  # and the residual says so
        low, high = high, high + 1.0
    return brentq(excess, low, high, xtol=1e-13, rtol=4 * np.finfo(float).eps)


def _rent_rounds(batch, quotas, settings, log_price, log_rent) -> Solution:
    """The fallback when the joint Newton stalls: rounds of exact rent solves at fixed
    origin prices (``settings.quota_rounds`` at most), each followed by a price solve.

    At fixed prices a rent moves only its own destination's market, so each is a
    one-dimensional root. Other origins' prices then move, and the rents again: where
    buyers turn to small suppliers, those suppliers' prices chase the rents up for many
    rounds; elsewhere the rounds swing around the solution. So a rent moving the same way
    as in the last round goes twice as far each time (up to 16 times its step), and one
    that turns back half as far (down to 1/64).
    """
    sigma, n = settings.substitution_elasticity, batch.n
    destination = batch.bid_cell  # one market: the cell is the destination
    last_move, factor = np.zeros(len(quotas.cap)), np.ones(len(quotas.cap))
    iterations = 0
    log_rent = log_rent.copy()
    for _ in range(settings.quota_rounds):
        log_price, used, merit, state = newton(batch, settings, log_price, quotas.rent(log_rent, n))
        iterations += used
        worst = np.abs(quotas.residuals(state, log_rent)).max(initial=0.0)
        if merit[0] < settings.tolerance**2 and worst < settings.quota_tolerance:
            return Solution(log_price, log_rent, iterations, True, float(merit[0]), state)
        price, rent, start = np.exp(log_price[0]), quotas.rent(log_rent, n), log_rent.copy()
        for q, quota in enumerate(zip(*quotas, strict=True)):
            x, j = quota[0], quota[1]
            terms = batch.bid_terms.take(np.flatnonzero(destination == j))
            log_rent[q] = _solve_rent(batch, terms, quota, price, rent, start[q], sigma)
            rent[0, x, j] = np.exp(log_rent[q])
        move = log_rent - start
        turn = move * last_move
        factor = np.where(turn > 0.0, np.minimum(2.0 * factor, 16.0), factor)
        factor = np.where(turn < 0.0, np.maximum(0.5 * np.minimum(factor, 1.0), 1 / 64), factor)
        last_move = move
        log_rent = quotas.stop_at_steps(start, np.maximum(0.0, start + factor * move))
    log_price, used, merit, state = newton(batch, settings, log_price, quotas.rent(log_rent, n))
    return Solution(log_price, log_rent, iterations + used, False, float(merit[0]), state)
