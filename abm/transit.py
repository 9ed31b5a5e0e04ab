"""Goods in transit: what a market's buyers bought arrives over the months its routes take.

A route from origin ``i`` to destination ``j`` takes ``transit_months[stage, i, j]`` (from
``abm/data/evidence/transit.csv``). Shipments leave through the month, so a route of ``L``
months delivers ``max(0, 1 - |L - k|)`` of a month's tonnes ``k`` months later (all in the
month for ``L = 0``, half now and half next month for half a month). A buyer's tonnes come
from the origins in the proportions of its destination's flows, so each buyer's
deliveries are spread by its destination's mix of routes. Until they arrive the tonnes are
stock in transit, counted in the books.
"""

from __future__ import annotations

import numpy as np

LAGS = 3  # months a delivery may take, at most (longer routes are taken as this long)


def lag_fractions(transit_months: np.ndarray) -> np.ndarray:
    """(lag, ...) share of a month's shipments arriving ``lag`` months later, for every route
    of ``transit_months`` (any shape)."""
    months = np.clip(transit_months, 0.0, LAGS - 1.0)
    lags = np.arange(LAGS).reshape((LAGS,) + (1,) * months.ndim)
    return np.maximum(0.0, 1.0 - np.abs(months - lags))


def arrival_shares(flows: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    """(lag, market, destination) share of each destination's purchases arriving after each
    lag, from flows (market, origin, destination) and the routes' ``lag_fractions`` (lag,
    market, origin, destination); where nothing arrives, all at once."""
    bought = flows.sum(axis=1)
    shipped = (flows[None] * fractions).sum(axis=2)
    shares = np.divide(shipped, bought[None], out=np.zeros_like(shipped), where=bought > 0)
    shares[0] = np.where(bought > 0, shares[0], 1.0)
    return shares


class Pipeline:
    """Tonnes on their way to each of a participant's rows, by months until arrival."""

    def __init__(self, rows: int):
        self.coming = np.zeros((LAGS, rows))  # [k]: arrives k months from now

    def ship(self, bought: np.ndarray, shares: np.ndarray) -> np.ndarray:
        """Put this month's purchases (by row) on their way, each row by its (lag, row)
        ``shares``, and return what arrives this month (earlier shipments included)."""
        self.coming += bought[None] * shares
        arrived = self.coming[0].copy()
        self.coming = np.roll(self.coming, -1, axis=0)
        self.coming[-1] = 0.0
        return arrived

    def prefill(self, bought: np.ndarray, shares: np.ndarray) -> float:
        """Put on their way what the months before the first would have shipped, had they
        bought as in the first month: the pipeline of a steady state. Returns its tonnes
        (the opening stock in transit)."""
        for lag in range(1, LAGS):
            # Bought ``lag`` months ago: still to come are its shares of lags >= lag.
            for k in range(lag, LAGS):
                self.coming[k - lag] += bought * shares[k]
        return float(self.coming.sum())

    @property
    def held(self) -> np.ndarray:
        """(row,) tonnes in transit to each row."""
        return self.coming.sum(axis=0)
