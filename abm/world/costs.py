"""Reference prices and unit costs: the cost curve through the 2023 price at each location."""

from __future__ import annotations

import numpy as np

from abm.data import COUNTRIES, MINERALS, STAGES, Calibration
from abm.world.state import RAW, REFINED


def reference_prices(calibration: Calibration) -> np.ndarray:
    """Reference prices in USD per tonne, by (mineral, stage)."""
    table = calibration.prices.set_index(["mineral", "stage"]).price_usd_per_t
    return np.array([[float(table.loc[(m, s)]) for s in STAGES] for m in MINERALS])


def cost_curve(quantile: np.ndarray, low: float, pivot: float, high: float, utilisation: float):
    """Unit cost (share of the reference price) at a capacity quantile.

    Piecewise linear through (0, low), (utilisation, pivot) and (1, high): the tonne at the
    2023 utilisation is the marginal one and costs the 2023 price.
    """
    low, high = min(low, 0.9 * pivot), max(high, 1.1 * pivot)
    return np.interp(quantile, [0.0, utilisation, 1.0], [low, pivot, high])


def location_shares(calibration: Calibration) -> np.ndarray:
    """2023 shares by (stage, mineral, country): mining, refining, and use (stage 2)."""
    shares = np.zeros((3, len(MINERALS), len(COUNTRIES)))
    for row in calibration.supply.itertuples():
        shares[
            STAGES.index(row.stage), MINERALS.index(row.mineral), COUNTRIES.index(row.country)
        ] = row.share
    for row in calibration.demand.itertuples():
        shares[2, MINERALS.index(row.mineral), COUNTRIES.index(row.country)] += row.share
    return shares


def marginal_costs(
    calibration: Calibration, prices: np.ndarray, transport: np.ndarray, sigma: float
) -> np.ndarray:
    """Cost of the marginal 2023 tonne at each location, as a share of the 2023 price.

    Reference prices are delivered prices, so a mine far from the refiners nets back less,
    and a refiner far from mines and buyers pays more for ore and nets back less for its
    product. The marginal tonne of each location is set to break even at 2023 prices after
    freight: mines at ``P_raw - F_i``, ``F_i`` the freight to the refiners they sell to;
    refiners at ``P_refined - G_l - D_l``, ``G_l`` the freight to the buyers they sell to and
    ``D_l`` the delivered cost of the ore they buy. Trading partners are weighted as the market
    weights them (size times delivered cost to the power -sigma). Without this, 2023 shares
    drift toward the locations near their inputs and customers.
    """
    mining, refining, use = location_shares(calibration)
    use = use / use.sum(axis=1, keepdims=True)
    raw_freight, refined_freight = transport[RAW], transport[REFINED]
    raw_price, refined_price = prices[:, RAW, None, None], prices[:, REFINED, None, None]
    # mine i -> refiner l, weighted by refiner size and closeness
    to_refiners = _weighted(refining[:, None, :], raw_price + raw_freight, sigma, axis=2)
    netback = prices[:, RAW, None] - (to_refiners * raw_freight).sum(axis=2)
    # refiner l buys ore from mine i, weighted by mine size and delivered cost
    delivered = netback[:, :, None] + raw_freight  # (m, i, l)
    from_mines = _weighted(mining[:, :, None], delivered, sigma, axis=1)
    delivered_ore = (from_mines * delivered).sum(axis=1)
    to_buyers = _weighted(use[:, None, :], refined_price + refined_freight, sigma, axis=2)
    freight_out = (to_buyers * refined_freight).sum(axis=2)
    conversion = prices[:, REFINED, None] - freight_out - delivered_ore
    pivots = np.stack([netback / prices[:, RAW, None], conversion / prices[:, REFINED, None]])
    return np.maximum(pivots, 0.02)


def _weighted(size: np.ndarray, cost: np.ndarray, sigma: float, axis: int) -> np.ndarray:
    """Shares proportional to size x cost ** -sigma along ``axis`` (the market's rule)."""
    weight = size * (cost / cost.min(axis=axis, keepdims=True)) ** -sigma
    total = weight.sum(axis=axis, keepdims=True)
    return np.divide(weight, total, out=np.zeros_like(weight), where=total > 0)
