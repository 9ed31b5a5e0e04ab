"""The compiled core of the market clearing: Newton's method market by market, with numba.

``abm.market`` explains the mechanism and prepares the arrays; this module computes the
equilibrium. It is compiled because a month clears 16 markets of 20 x 20 pairs a few times
over: numpy spends that time in call overhead, not arithmetic (about 1.3 ms a clearing,
against 0.2 ms here). The loops are the formulas of ``abm.market``'s docstring written
out, one market at a time and only over its active origins (those with something to sell).

``cache=True`` keeps the machine code in ``__pycache__`` (or numba's user cache where that
is not writable): the first run on a machine compiles for about 25 s, later ones load it in
about 0.2 s. No fast-math: sums run in the written order, so results are bit-for-bit
reproducible.

One market travels as a tuple (numba types it; a class would not cache), built in
``clear_markets``:
 0 origins (country of each active origin slot), 1 log tonnes offered per slot,
 2 alpha and 3 beta (delivered cost before rent = alpha x price + beta, per slot and
 destination), 4 open pairs, 5 caps, 6 the market's offered tonnes (the scale of its
 excesses), 7 each ask's slot (-1 at an origin offering nothing), 8 ask tonnes, 9 log ask
 prices, 10 each bid's destination, 11 bid tonnes, 12 log reference prices, 13 log choke
 prices, 14 minus elasticities, 15 tonnes each bid can take at most, and the capped open
 pairs: 16 their slot, 17 destination, 18 cap.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Rows of the per-pair work array (active origin x destination).
SHARE, DELIVERED, MOVING, FLOW = 0, 1, 2, 3  # MOVING: share of the landed cost that is price
# Rows of the per-destination work array.
PRICE, REACHED, DEMAND, DEMAND_SLOPE = 0, 1, 2, 3
# Rows of the per-origin work array.
SUPPLY, SUPPLY_SLOPE, SALES, EXCESS = 0, 1, 2, 3


@njit(cache=True)
def smoothstep(x: float) -> tuple[float, float]:
    """A C1 ramp from 0 at x=-1 to 1 at x=+1, and its derivative (in x / 2 units)."""
    t = min(max((x + 1.0) * 0.5, 0.0), 1.0)
    return t * t * (3.0 - 2.0 * t), 3.0 * t * (1.0 - t)


@njit(cache=True)
def bid_demand(quantity, log_price, log_reference, log_max, minus_elasticity, limit, width):
    """Tonnes one bid buys at a log destination price, and d(tonnes)/d(log price).

    Isoelastic around the reference price, limited smoothly by ``limit``
    (``q / (1 + (q / limit) ** 8) ** (1 / 8)``: within 0.1% of ``q`` below half the limit,
    and never perfectly flat, so the equilibrium stays well defined) and choked off near
    ``log_max``.
    """
    wanted = quantity * np.exp(minus_elasticity * (log_price - log_reference))
    ratio = wanted / limit
    ratio2 = ratio * ratio
    ratio4 = ratio2 * ratio2
    damp8 = 1.0 / (1.0 + ratio4 * ratio4)  # damp ** 8
    limited = wanted * damp8**0.125
    d_limited = minus_elasticity * limited * damp8
    fraction_up, slope_up = smoothstep((log_price - log_max) / width)
    keep = 1.0 - fraction_up
    return limited * keep, d_limited * keep - limited * slope_up / width


@njit(cache=True)
def _evaluate(market, log_price, rent, work, sigma, width):
    """Fill the work arrays with everything implied by the active origins' log prices.

    Returns the merit (sum of squared relative excess demands) and the total excess.
    """
    pair, dest, origin, bid, ask = work
    (_origins, log_offered, alpha, beta, open_pair, _cap, scale) = market[:7]
    (ask_slot, ask_quantity, log_ask) = market[7:10]
    (bid_destination, bid_quantity, log_reference, log_max, minus_elasticity, limit) = market[10:16]
    active, n = pair.shape[1], pair.shape[2]
    price = np.exp(log_price)
    dest[DEMAND, :] = 0.0
    dest[DEMAND_SLOPE, :] = 0.0
    for j in range(n):
        top = -np.inf
        for x in range(active):
            if open_pair[x, j]:
                moving = alpha[x, j] * price[x]
                landed = moving + beta[x, j]
                delivered = landed * rent[x, j]
                pair[DELIVERED, x, j] = delivered
                pair[MOVING, x, j] = moving / landed  # the rent cancels here
                weight = log_offered[x] - sigma * np.log(delivered)
                pair[SHARE, x, j] = weight
                top = max(top, weight)
        total = 0.0
        if top > -np.inf:
            for x in range(active):
                if open_pair[x, j]:
                    weight = np.exp(pair[SHARE, x, j] - top)
                    pair[SHARE, x, j] = weight
                    total += weight
        dest[REACHED, j] = 1.0 if total > 0.0 else 0.0
        paid = 0.0
        for x in range(active):
            if open_pair[x, j] and total > 0.0:
                share = pair[SHARE, x, j] / total
                pair[SHARE, x, j] = share
                paid += share * pair[DELIVERED, x, j]
            else:
                pair[SHARE, x, j] = 0.0
                pair[DELIVERED, x, j] = 1.0
                pair[MOVING, x, j] = 0.0
        dest[PRICE, j] = paid if total > 0.0 else 1.0
    for k in range(len(bid_destination)):
        j = bid_destination[k]
        if dest[REACHED, j] > 0.0:
            bought, slope = bid_demand(
                bid_quantity[k],
                np.log(dest[PRICE, j]),
                log_reference[k],
                log_max[k],
                minus_elasticity[k],
                limit[k],
                width,
            )
        else:
            bought, slope = 0.0, 0.0
        bid[k] = bought
        dest[DEMAND, j] += bought
        dest[DEMAND_SLOPE, j] += slope
    origin[SUPPLY, :] = 0.0
    origin[SUPPLY_SLOPE, :] = 0.0
    for k in range(len(ask_slot)):
        x = ask_slot[k]
        if x < 0:
            ask[k] = 0.0
            continue
        fraction, slope = smoothstep((log_price[x] - log_ask[k]) / width)
        ask[k] = ask_quantity[k] * fraction
        origin[SUPPLY, x] += ask[k]
        origin[SUPPLY_SLOPE, x] += ask_quantity[k] * slope / width
    merit, total_excess = 0.0, 0.0
    for x in range(active):
        sales = 0.0
        for j in range(n):
            flow = pair[SHARE, x, j] * dest[DEMAND, j]
            pair[FLOW, x, j] = flow
            sales += flow
        origin[SALES, x] = sales
        excess = sales - origin[SUPPLY, x]
        origin[EXCESS, x] = excess
        merit += (excess / scale) ** 2
        total_excess += excess
    return merit, total_excess


@njit(cache=True)
def _jacobian(pair, dest, origin, sigma, slope_floor, scale):
    """d(excess at origin i)/d(log price of origin k), over the active origins.

    With flows = share x demand, both terms of abm.market's Jacobian share the factor
    ``share[i, j]``: ``jac = share @ g.T`` with
    ``g[k, j] = d demand_j / d price_j x d price_j / d log p_k + sigma demand_j s_kj h_kj``.
    """
    active, n = pair.shape[1], pair.shape[2]
    g = np.empty((active, n))
    for j in range(n):
        slope = min(dest[DEMAND_SLOPE, j], -slope_floor * dest[DEMAND, j])
        d_demand = slope / dest[PRICE, j]
        for k in range(active):
            sh = pair[SHARE, k, j] * pair[MOVING, k, j]
            delivered = pair[DELIVERED, k, j]
            d_price = sh * (delivered - sigma * (delivered - dest[PRICE, j]))
            g[k, j] = d_demand * d_price + sigma * dest[DEMAND, j] * sh
    jac = np.zeros((active, active))
    for i in range(active):
        own = 0.0
        for j in range(n):
            share = pair[SHARE, i, j]
            if share != 0.0:
                for k in range(active):
                    jac[i, k] += share * g[k, j]
                own += pair[SHARE, i, j] * pair[MOVING, i, j] * dest[DEMAND, j]
        # A tiny pull on the diagonal keeps an origin nobody can reach from making the
        # system singular.
        jac[i, i] -= sigma * own + origin[SUPPLY_SLOPE, i] + 1e-8 * scale
    return jac


@njit(cache=True)
def _quota_residuals(market, log_rent, pair, residual):
    """Fill each capped pair's residual; return their sum of squares and the largest.

    The residual is the relative overshoot ``flow / cap - 1``. Complementarity: a pair with
    a rent (log rent above zero) must ship its cap exactly; a pair without one only must not
    exceed it, so shipping less leaves no residual.
    """
    quota_origin, quota_destination, quota_cap = market[16], market[17], market[18]
    total, largest = 0.0, 0.0
    for q in range(len(quota_cap)):
        over = pair[FLOW, quota_origin[q], quota_destination[q]] / quota_cap[q] - 1.0
        residual[q] = over if (log_rent[q] > 0.0 or over > 0.0) else 0.0
        total += residual[q] ** 2
        largest = max(largest, abs(residual[q]))
    return total, largest


@njit(cache=True)
def _quota_jacobian(jac, binding, market, work, sigma, slope_floor):
    """The rows and columns of the capped pairs that bind (``binding``, in order after the
    active origins' prices), in the joint Newton system.

    A rent multiplies a pair's delivered cost, so it moves only its destination's shares and
    price: with flow = s x D, d log c_yj / d log rent_yj = 1 and d log c_kj / d log p_k =
    h_kj (the moving share of the landed cost),
    ``d flow_xj / d theta = D_j d s_xj / d theta + s_xj D'_j d P_j / d theta``, where
    ``d s_xj / d log c_yj = -sigma s_xj (delta_xy - s_yj)`` and
    ``d P_j / d log c_yj = s_yj (c_yj - sigma (c_yj - P_j))``.
    """
    pair, dest = work[0], work[1]
    quota_origin, quota_destination, quota_cap = market[16], market[17], market[18]
    active = pair.shape[1]
    for row in range(len(binding)):
        x, j = quota_origin[binding[row]], quota_destination[binding[row]]
        price, demand = dest[PRICE, j], dest[DEMAND, j]
        d_demand = min(dest[DEMAND_SLOPE, j], -slope_floor * demand) / price
        own = pair[SHARE, x, j]
        # Column: how this pair's rent moves every origin's sales (at destination j only).
        c_xj = pair[DELIVERED, x, j]
        d_price_rent = own * (c_xj - sigma * (c_xj - price))
        for i in range(active):
            s_ij = pair[SHARE, i, j]
            jac[i, active + row] = demand * (-sigma * s_ij * ((i == x) - own)) + (
                s_ij * d_demand * d_price_rent
            )
        # Row: how prices and the binding rents into j move this pair's flow, over its cap.
        cap = quota_cap[binding[row]]
        for k in range(active):
            s_kj, h_kj, c_kj = pair[SHARE, k, j], pair[MOVING, k, j], pair[DELIVERED, k, j]
            d_price = s_kj * h_kj * (c_kj - sigma * (c_kj - price))
            d_flow = demand * (-sigma * own * h_kj * ((x == k) - s_kj)) + own * d_demand * d_price
            jac[active + row, k] = d_flow / cap
        for other in range(len(binding)):
            y = quota_origin[binding[other]]
            if quota_destination[binding[other]] != j:
                continue
            s_yj, c_yj = pair[SHARE, y, j], pair[DELIVERED, y, j]
            d_price = s_yj * (c_yj - sigma * (c_yj - price))
            d_flow = demand * (-sigma * own * ((x == y) - s_yj)) + own * d_demand * d_price
            jac[active + row, active + other] = d_flow / cap
        jac[active + row, active + row] -= 1e-12  # a choked pair must not make it singular


@njit(cache=True)
def _set_rents(market, log_rent, rent):
    for q in range(len(log_rent)):
        rent[market[16][q], market[17][q]] = np.exp(log_rent[q])


@njit(cache=True)
def _newton(market, log_price, log_rent, solve_rents, lower, upper, options):
    """Bounded Newton iterations on one market's log origin prices and quota rents, with a
    line search.

    The unknowns are the active origins' log prices and the log rents of the capped pairs
    that bind: those with a rent, or shipping more than their cap (an active set that is
    revised every iteration; rents never fall below one). Solving prices and rents together
    matters: a rent pushes buyers to other origins, whose prices then rise, which pushes
    them back; rents found at fixed prices chase those prices, or swing around them, for
    dozens of rounds.

    A step is halved until the merit (squared relative excess demands plus squared quota
    residuals) does not grow by more than ``flat_tolerance``: on flat stretches of the
    curves (every seller at capacity, every buyer capped) it barely changes, and tiny
    composition effects must not stop the search. There the exact Jacobian is singular in
    the price level, so it uses a floor on the demand slope (``slope_floor`` times demand),
    and a step that cuts the merit by less than a fifth makes the next one four times
    larger, up to ``max_step``: the search crosses a flat stretch in a few steps, then
    Newton converges on the slope. The floor and the enlargement change the path, not the
    equilibrium.

    With ``solve_rents`` False the rents stay as given and only prices move. Returns the
    log prices, the log rents, the iterations used, whether it converged, the price merit
    and the work arrays at the returned point.
    """
    sigma, width, tolerance, max_iterations, max_step, slope_floor, flat_tolerance = options[:7]
    quota_tolerance = options[7]
    active, n = market[2].shape
    scale, quotas = market[6], len(market[18]) if solve_rents else 0
    work, trial_work = _work(market), _work(market)
    rent, residual = np.ones((active, n)), np.zeros(quotas)
    log_rent = log_rent.copy()
    _set_rents(market, log_rent, rent)
    trial_rent, trial_residual = rent.copy(), np.zeros(quotas)
    price_merit, total_excess = _evaluate(market, log_price, rent, work, sigma, width)
    quota_merit, worst_quota = 0.0, 0.0
    if solve_rents:
        quota_merit, worst_quota = _quota_residuals(market, log_rent, work[0], residual)
    merit = price_merit + quota_merit
    boost = 1.0
    for iteration in range(1, int(max_iterations) + 1):
        if price_merit < tolerance * tolerance and worst_quota < quota_tolerance:
            return log_price, log_rent, iteration, True, price_merit, work
        binding = np.flatnonzero(residual != 0.0)
        size = active + len(binding)
        jac = np.zeros((size, size))
        jac[:active, :active] = _jacobian(work[0], work[1], work[2], sigma, slope_floor, scale)
        _quota_jacobian(jac, binding, market, work, sigma, slope_floor)
        right = np.empty(size)
        right[:active] = work[2][EXCESS]
        right[active:] = residual[binding]
        step = -np.linalg.solve(jac, right) * boost
        largest = np.max(np.abs(step))
        step *= min(1.0, max_step / max(largest, 1e-300))
        length, trial = 1.0, log_price
        trial_log_rent = log_rent.copy()
        trial_price_merit, trial_total, trial_merit, trial_worst = price_merit, 0.0, merit, 0.0
        crossed = False
        for _ in range(20):
            trial = np.minimum(np.maximum(log_price + length * step[:active], lower), upper)
            for row in range(len(binding)):
                q = binding[row]
                trial_log_rent[q] = max(0.0, log_rent[q] + length * step[active + row])
            _set_rents(market, trial_log_rent, trial_rent)
            trial_price_merit, trial_total = _evaluate(
                market, trial, trial_rent, trial_work, sigma, width
            )
            trial_quota, trial_worst = 0.0, 0.0
            if solve_rents:
                trial_quota, trial_worst = _quota_residuals(
                    market, trial_log_rent, trial_work[0], trial_residual
                )
            trial_merit = trial_price_merit + trial_quota
            # Flat stretches may be crossed at equal merit, but a step that jumps over the
            # solution (total excess changes sign) must make things strictly better.
            crossed = trial_total * total_excess < 0.0
            allowed = merit * (1.0 + (0.0 if crossed else flat_tolerance))
            if not trial_merit > allowed:
                break
            length *= 0.5
        stalled = trial_merit > 0.81 * merit and not crossed
        boost = min(max(boost * length * 4.0, 1.0), 1e8) if stalled else 1.0
        log_price, total_excess, merit = trial, trial_total, trial_merit
        price_merit, worst_quota = trial_price_merit, trial_worst
        log_rent, trial_log_rent = trial_log_rent, log_rent
        rent, trial_rent = trial_rent, rent
        residual, trial_residual = trial_residual, residual
        work, trial_work = trial_work, work
    return log_price, log_rent, int(max_iterations), False, price_merit, work


@njit(cache=True)
def _work(market):
    """Work arrays of one market: per pair, per destination, per origin, per bid, per ask."""
    active, n = market[2].shape
    return (
        np.zeros((4, active, n)),
        np.zeros((4, n)),
        np.zeros((4, active)),
        np.zeros(len(market[10])),
        np.zeros(len(market[7])),
    )


@njit(cache=True)
def _pair_flow(market, bids_here, x, j, price, rent, width, sigma):
    """Tonnes origin slot x ships to destination j at fixed origin prices and rents."""
    log_offered, alpha, beta, open_pair = market[1], market[2], market[3], market[4]
    bid_quantity, log_reference, log_max, minus_elasticity, limit = market[11:16]
    active = len(price)
    weights, delivered = np.empty(active), np.empty(active)
    top = -np.inf
    for y in range(active):
        if open_pair[y, j]:
            delivered[y] = (alpha[y, j] * price[y] + beta[y, j]) * rent[y, j]
            weights[y] = log_offered[y] - sigma * np.log(delivered[y])
            top = max(top, weights[y])
    total, paid = 0.0, 0.0
    for y in range(active):
        if open_pair[y, j]:
            weights[y] = np.exp(weights[y] - top)
            total += weights[y]
            paid += weights[y] * delivered[y]
    if not open_pair[x, j] or total <= 0.0:
        return 0.0
    demand = 0.0
    for k in bids_here:
        bought, _ = bid_demand(
            bid_quantity[k],
            np.log(paid / total),
            log_reference[k],
            log_max[k],
            minus_elasticity[k],
            limit[k],
            width,
        )
        demand += bought
    return weights[x] / total * demand


@njit(cache=True)
def _solve_rent(market, bids_here, q, price, log_rent, rent, width, sigma, accuracy):
    """Capped pair q's log rent at which it ships its cap, prices and other rents fixed.

    Flow falls with the rent, to nothing once buyers pay their choke price: bracket the
    root, then regula falsi (Illinois) on the flow-to-cap ratio.
    """
    x, j, cap = market[16][q], market[17][q], market[18][q]

    def excess_at(t):
        rent[x, j] = np.exp(t)
        return _pair_flow(market, bids_here, x, j, price, rent, width, sigma) / cap - 1.0

    if excess_at(0.0) <= 0.0:
        return 0.0  # the cap does not bind: no rent
    low, f_low = 0.0, excess_at(0.0)
    high = max(log_rent[q], 0.0)
    f_high = excess_at(high)
    while f_high > 0.0 and high < 60.0:
        low, f_low = high, f_high
        high += 1.0
        f_high = excess_at(high)
    if f_high > 0.0:  # buyers never stop (no choke price): no rent meets it; the residual says so
        return high
    t, side = high, 0
    for _ in range(200):
        t = (low * f_high - high * f_low) / (f_high - f_low)
        f = excess_at(t)
        if abs(f) < accuracy or high - low < 1e-14:
            break
        if f > 0.0:
            low, f_low = t, f
            if side == 1:
                f_high *= 0.5
            side = 1
        else:
            high, f_high = t, f
            if side == -1:
                f_low *= 0.5
            side = -1
    return t


@njit(cache=True)
def _rent_rounds(market, log_price, log_rent, lower, upper, options):
    """The fallback when the joint Newton stalls (near buyers' choke prices): rounds of
    exact rent solves at fixed origin prices, each followed by a price solve.

    At fixed prices a rent moves only its own destination's market, so each is a
    one-dimensional root (``_solve_rent``). Other origins' prices then move, and the rents
    again: where buyers turn to small suppliers, those suppliers' prices chase the rents up
    for many rounds; elsewhere the rounds swing around the solution. So a rent moving the
    same way as in the last round goes twice as far each time (up to 16 times its step),
    and one that turns back half as far (down to 1/64). Returns what ``_newton`` does.
    """
    sigma, width, quota_tolerance = options[0], options[1], options[7]
    quota_origin, quota_destination, quota_cap = market[16], market[17], market[18]
    active, n = market[2].shape
    order = np.argsort(market[10], kind="mergesort")
    starts = np.searchsorted(market[10][order], np.arange(n + 1))
    last_move, factor = np.zeros(len(quota_cap)), np.ones(len(quota_cap))
    rent = np.ones((active, n))
    iterations = 0
    for _ in range(int(options[8])):
        log_price, log_rent, used, converged, merit, work = _newton(
            market, log_price, log_rent, False, lower, upper, options
        )
        iterations += used
        residual = np.zeros(len(quota_cap))
        _, worst = _quota_residuals(market, log_rent, work[0], residual)
        if converged and worst < quota_tolerance:
            return log_price, log_rent, iterations, True, merit, work
        price = np.exp(log_price)
        _set_rents(market, log_rent, rent)
        start = log_rent.copy()
        for q in range(len(quota_cap)):
            j = quota_destination[q]
            log_rent[q] = _solve_rent(
                market,
                order[starts[j] : starts[j + 1]],
                q,
                price,
                log_rent,
                rent,
                width,
                sigma,
                0.1 * quota_tolerance,
            )
            rent[quota_origin[q], j] = np.exp(log_rent[q])
        for q in range(len(quota_cap)):
            move = log_rent[q] - start[q]
            if move * last_move[q] > 0.0:
                factor[q] = min(2.0 * factor[q], 16.0)
            elif move * last_move[q] < 0.0:
                factor[q] = max(0.5 * min(factor[q], 1.0), 1.0 / 64.0)
            last_move[q] = move
            log_rent[q] = max(0.0, start[q] + factor[q] * move)
    log_price, log_rent, used, _, merit, work = _newton(
        market, log_price, log_rent, False, lower, upper, options
    )
    return log_price, log_rent, iterations + used, False, merit, work


@njit(cache=True)
def clear_markets(
    ask_start,
    ask_origin,
    ask_quantity,
    ask_price,
    bid_start,
    bid_destination,
    bid_quantity,
    bid_reference,
    bid_elasticity,
    bid_max_price,
    bid_max_quantity,
    transport,
    tariff,
    export_tax,
    allowed,
    cap,
    start_price,
    options,
    origin_price,
    destination_price,
    flows,
    sold,
    bought,
    quota_rent,
):
    """Clear every market of the batch; write prices, flows and each ask's and bid's tonnes.

    Asks and bids come sorted by market (``ask_start[m]:ask_start[m + 1]`` are market m's).
    ``options`` holds the MarketSettings in the order of ``abm.market._options``. Returns
    the most Newton iterations any market used and the largest relative miss left: of an
    origin's sales over its supply, or of a binding quota over its cap.
    """
    markets, n = allowed.shape[0], allowed.shape[1]
    width = options[1]
    most_iterations, worst = 0, 0.0
    for m in range(markets):
        a0, a1, b0, b1 = ask_start[m], ask_start[m + 1], bid_start[m], bid_start[m + 1]
        log_ask = np.log(ask_price[a0:a1])
        offered = np.zeros(n)
        lowest = np.full(n, np.inf)
        for k in range(a0, a1):
            offered[ask_origin[k]] += ask_quantity[k]
            lowest[ask_origin[k]] = min(lowest[ask_origin[k]], log_ask[k - a0])
        origins = np.flatnonzero(offered > 0.0)
        active = len(origins)
        slot = np.full(n, -1)
        slot[origins] = np.arange(active)
        origin_price[m, :] = np.nan
        destination_price[m, :] = np.nan
        flows[m] = 0.0
        sold[a0:a1] = 0.0
        bought[b0:b1] = 0.0
        if active == 0:
            continue
        alpha = np.empty((active, n))
        beta = np.empty((active, n))
        open_pair = np.empty((active, n), dtype=np.bool_)
        pair_cap = np.empty((active, n))
        for x in range(active):
            i = origins[x]
            for j in range(n):
                alpha[x, j] = (1.0 + export_tax[m, i, j]) * (1.0 + tariff[m, i, j])
                beta[x, j] = transport[m, i, j] * (1.0 + tariff[m, i, j])
                # A quota of zero closes the pair, like a ban.
                open_pair[x, j] = allowed[m, i, j] and cap[m, i, j] > 0.0
                pair_cap[x, j] = cap[m, i, j]
        quota_origin, quota_destination = np.nonzero(open_pair & np.isfinite(pair_cap))
        quota_cap = np.empty(len(quota_origin))
        for q in range(len(quota_cap)):
            quota_cap[q] = pair_cap[quota_origin[q], quota_destination[q]]
        log_max = np.log(bid_max_price[b0:b1])
        market = (
            origins,
            np.log(offered[origins]),
            alpha,
            beta,
            open_pair,
            pair_cap,
            max(offered.sum(), 1e-300),  # the scale of the market's excesses
            slot[ask_origin[a0:a1]],
            ask_quantity[a0:a1],
            log_ask,
            bid_destination[b0:b1],
            bid_quantity[b0:b1],
            np.log(bid_reference[b0:b1]),
            log_max,
            -bid_elasticity[b0:b1],
            np.maximum(bid_max_quantity[b0:b1], 1e-300),
            quota_origin,  # the capped pairs: origin slot, destination and cap
            quota_destination,
            quota_cap,
        )
        # Bounds: below the cheapest ask nothing is supplied, above the highest choke price
        # nothing is bought.
        lower = lowest[origins] - 1.5 * width
        top = log_max.max() if b1 > b0 else -np.inf
        upper = np.maximum(top + 0.5, lower + 3.0 * width)
        log_price = np.empty(active)
        for x in range(active):
            start = start_price[m, origins[x]]
            if np.isfinite(start):
                log_price[x] = np.log(max(start, 1e-300))
            else:  # cold: just above the cheapest ask
                log_price[x] = lower[x] + 1.5 * width + 0.5
        log_price = np.minimum(np.maximum(log_price, lower), upper)
        log_price, log_rent, iterations, converged, merit, work = _newton(
            market, log_price, np.zeros(len(quota_cap)), True, lower, upper, options
        )
        if not converged and len(quota_cap):
            log_price, log_rent, more, converged, merit, work = _rent_rounds(
                market, log_price, log_rent, lower, upper, options
            )
            iterations += more
        most_iterations = max(most_iterations, iterations)
        worst = max(worst, np.sqrt(merit))
        if len(quota_cap):  # a quota missed by more than its tolerance counts as unsolved
            _, missed = _quota_residuals(market, log_rent, work[0], np.zeros(len(quota_cap)))
            worst = max(worst, missed)
            for q in range(len(quota_cap)):
                quota_rent[m, origins[quota_origin[q]], quota_destination[q]] = np.exp(log_rent[q])
        _allocate(
            m, a0, b0, market, log_price, work, origin_price, destination_price, flows, sold, bought
        )
    return most_iterations, worst


@njit(cache=True)
def _allocate(
    m, a0, b0, market, log_price, work, origin_price, destination_price, flows, sold, bought
):
    """Allocate market m's equilibrium flows to its asks and bids so the books close.

    The solver leaves a relative excess below its tolerance; here flows are scaled to what
    each origin's sellers supply, and buyers' purchases to what arrives, so that tonnes sold,
    shipped and bought agree exactly.
    """
    pair, dest, origin, bid, ask = work
    origins, ask_slot, bid_destination = market[0], market[7], market[10]
    active, n = pair.shape[1], pair.shape[2]
    arrived = np.zeros(n)
    for x in range(active):
        i = origins[x]
        origin_price[m, i] = np.exp(log_price[x])
        sales = origin[SALES, x]
        ratio = origin[SUPPLY, x] / sales if sales > 0.0 else 0.0
        for j in range(n):
            flows[m, i, j] = pair[FLOW, x, j] * ratio
            arrived[j] += flows[m, i, j]
    for k in range(len(ask_slot)):
        x = ask_slot[k]
        if x >= 0 and origin[SALES, x] > 0.0:
            sold[a0 + k] = ask[k]
    for j in range(n):
        if dest[REACHED, j] > 0.0:
            destination_price[m, j] = dest[PRICE, j]
    for k in range(len(bid_destination)):
        demand = dest[DEMAND, bid_destination[k]]
        scale = arrived[bid_destination[k]] / demand if demand > 0.0 else 0.0
        bought[b0 + k] = bid[k] * scale
