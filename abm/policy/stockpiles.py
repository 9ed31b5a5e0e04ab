"""Strategic stockpiles: governments buying toward a target and releasing in a shortage."""

from __future__ import annotations

import numpy as np

from abm.market import Asks, Bids
from abm.observations import Observations
from abm.policy.conditions import Conditions


class Stockpiles:
    """Government stocks of refined material by (country, mineral).

    Each month a government with a stockpile policy bids to fill its gap over
    ``fill_months`` while the home price is below ``max_build_price_ratio`` times the 2023
    price, and offers its whole stock at ``release_price_ratio`` times the 2023 price when
    the home price (or a forum member's, with shared stockpiles) has passed that level: a
    release caps the spike where it is worst. Rows are fixed at (country, mineral) so the
    market sees a stable order.
    """

    def __init__(
        self,
        reference_price: np.ndarray,
        countries: int,
        conditions: Conditions,
        observations: Observations,
        shared: np.ndarray,
    ):
        """Stocks for every (country, mineral); ``reference_price`` is the 2023 refined price
        by mineral. The policies in force reach the stockpiles through ``conditions``;
        ``shared`` (country, country) says who shares stockpiles with whom (the policy book
        rewrites it each month from the forums in force)."""
        minerals = len(reference_price)
        self.reference_price, self.conditions = reference_price, conditions
        self.observations, self.shared = observations, shared
        self.stock = np.zeros((countries, minerals))
        self.country, self.mineral = (a.ravel() for a in np.indices((countries, minerals)))
        self.bought = np.zeros(countries * minerals)
        self.sold = np.zeros(countries * minerals)

    def _prices(self) -> np.ndarray:
        """Last refined delivered price by (country, mineral), ratio to 2023."""
        last = self.observations.last_clearing[1]
        reference = self.reference_price
        if last is None:
            return np.ones(self.stock.shape)
        price = np.where(
            np.isfinite(last.destination_price), last.destination_price, reference[:, None]
        )
        return (price / reference[:, None]).T

    def orders(self) -> tuple[Asks, Bids]:
        """Bids to fill toward the target while prices are low; the whole stock offered at
        the release price once a watched price has passed it."""
        policies = self.conditions.stockpile_policy
        reference = self.reference_price
        minerals = self.stock.shape[1]
        ratio = self._prices()
        size = len(self.country)
        ask_quantity, ask_price = np.zeros(size), np.ones(size)
        bid_quantity, bid_price = np.zeros(size), np.ones(size)
        use = self.observations.consumption  # (country, mineral), last month
        shared = self.shared
        for (c, m), policy in policies.items():
            row = c * minerals + m
            release = policy.param("release_price_ratio")
            build = policy.param("max_build_price_ratio")
            ask_price[row] = release * reference[m]
            bid_price[row] = build * reference[m]
            watched = np.union1d([c], np.flatnonzero(shared[c]))
            if ratio[watched, m].max() >= release:
                ask_quantity[row] = self.stock[c, m]
            elif ratio[c, m] < build:
                target = policy.param("size_months") * use[c, m]
                gap = max(target - self.stock[c, m], 0.0)
                bid_quantity[row] = gap / policy.param("fill_months")
        asks = Asks(
            market=self.mineral, origin=self.country, quantity=ask_quantity, price=ask_price
        )
        bids = Bids(
            market=self.mineral,
            destination=self.country,
            quantity=np.maximum(bid_quantity, 0.0),
            reference_price=bid_price,
            elasticity=np.full(size, 0.1),
            max_price=bid_price,
            max_quantity=np.maximum(bid_quantity, 0.0),
        )
        return asks, bids

    def settle(self, sold: np.ndarray, bought: np.ndarray) -> None:
        """Book what the stockpiles sold and bought at the last clearing."""
        self.sold, self.bought = sold, bought
        self.stock += (bought - sold).reshape(self.stock.shape)

    def held_by_mineral(self) -> np.ndarray:
        """Tonnes held, by mineral, over all countries."""
        return self.stock.sum(axis=0)
