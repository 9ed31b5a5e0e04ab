"""Small random markets for the clearing and order-book tests."""

from __future__ import annotations

import numpy as np

from abm.market import Asks, Bids, Frictions


def random_market(
    seed: int, n: int = 4, markets: int = 2, asks: int = 12, bids: int = 8, elasticity: float = 0.3
):
    """Asks, bids and free-trade frictions drawn from ``seed``: n countries, ``markets`` markets."""
    rng = np.random.default_rng(seed)
    quantity = rng.uniform(1, 10, bids)
    offers = Asks(
        market=rng.integers(0, markets, asks),
        origin=rng.integers(0, n, asks),
        quantity=rng.uniform(1, 10, asks),
        price=rng.uniform(50, 150, asks),
    )
    orders = Bids(
        market=rng.integers(0, markets, bids),
        destination=rng.integers(0, n, bids),
        quantity=quantity,
        reference_price=np.full(bids, 100.0),
        elasticity=np.full(bids, elasticity),
        max_price=rng.uniform(150, 400, bids),
        max_quantity=3 * quantity,
    )
    transport = rng.uniform(1, 10, (markets, n, n))
    for k in range(markets):
        np.fill_diagonal(transport[k], 0.0)
    return offers, orders, Frictions.free_trade(markets, n, transport)
