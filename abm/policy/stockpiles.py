"""Strategic stockpiles: governments buying toward a target and releasing in a shortage."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.market import Asks, Bids

if TYPE_CHECKING:
    from abm.model import MineralsModel


class Stockpiles:
    """Government stocks of refined material by (country, mineral).

    Each month a government with a stockpile policy bids to fill its gap over
    ``fill_months`` while the home price is below ``max_build_price_ratio`` times the 2023
    price, and offers its whole stock at ``release_price_ratio`` times the 2023 price when
    the home price (or a forum member's, with shared stockpiles) has passed that level: a
    release caps the spike where it is worst. Rows are fixed at (country, mineral) so the
    market sees a stable order.
    """

    def __init__(self, model: MineralsModel):
        self.model = model
        countries, minerals = len(model.world.countries), len(model.world.minerals)
        self.stock = np.zeros((countries, minerals))
        self.country, self.mineral = (a.ravel() for a in np.indices((countries, minerals)))
        self.bought = np.zeros(countries * minerals)
        self.sold = np.zeros(countries * minerals)

    def _prices(self) -> np.ndarray:
        """Last refined delivered price by (country, mineral), ratio to 2023."""
        model = self.model
        last = model.last_clearing[1]
        reference = model.world.reference_price[:, 1]
        if last is None:
            return np.ones((len(model.world.countries), len(model.world.minerals)))
        price = np.where(
            np.isfinite(last.destination_price), last.destination_price, reference[:, None]
        )
        return (price / reference[:, None]).T

    def orders(self, month: int) -> tuple[Asks, Bids]:
        model = self.model
        policies = model.conditions.stockpile_policy
        reference = model.world.reference_price[:, 1]
        ratio = self._prices()
        size = len(self.country)
        ask_quantity, ask_price = np.zeros(size), np.ones(size)
        bid_quantity, bid_price = np.zeros(size), np.ones(size)
        use = model.recorder.consumed[max(month - 1, 0)].T  # (country, mineral), last month
        shared = model.policies.shared_stockpiles
        for (c, m), policy in policies.items():
            row = c * len(model.world.minerals) + m
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
        self.sold, self.bought = sold, bought
        self.stock += (bought - sold).reshape(self.stock.shape)

    def held_by_mineral(self) -> np.ndarray:
        return self.stock.sum(axis=0)
