"""Stockholders: merchants and exchange warehouses holding stock on expected prices.

The competitive-storage rule (Williams and Wright 1991; Deaton and Laroque 1996): a
stockholder buys when the price it expects, discounted a month, exceeds today's price plus
the month's carrying cost, and sells when it does not, within a financing limit. What it
expects (ODD section 4.3): prices return to the normal price (the price it has seen, smoothed
over ``investment_expectation_months``), raised by the share of the world's supply that
announced or current restrictions threaten, the only foresight it has. Stock-outs then give
the convex spike, and while stock lasts it caps a rise at the expected price.
"""

from __future__ import annotations

import numpy as np

from abm.market import Asks, Bids
from abm.market_solver import in_the_money


class StockholderFleet:
    """One row per (stage, mineral, country) where stocks are held at the start."""

    def __init__(self, stock_t: np.ndarray, reference_price: np.ndarray, settings):
        """``stock_t`` (stage, mineral, country) tonnes at the start; ``reference_price``
        (mineral, stage) the 2023 price."""
        self.stage, self.mineral, self.country = np.nonzero(stock_t > 0)
        self.stock = stock_t[self.stage, self.mineral, self.country].astype(float)
        # ESTIMATE: merchants can finance twice the stock they start with.
        self.limit = settings.stockholder_financing_multiple * self.stock
        self.normal = reference_price[self.mineral, self.stage].astype(float)
        self.threat = np.zeros(len(self.stock))
        monthly_rate = settings.hurdle_rate / 12.0
        self.discount = 1.0 / (1.0 + monthly_rate)
        self.carry = settings.storage_cost_monthly
        self.bought = np.zeros(len(self.stock))
        self.sold = np.zeros(len(self.stock))

    def __len__(self) -> int:
        return len(self.stock)

    def rows(self, stage: int) -> np.ndarray:
        """The rows trading at ``stage``."""
        return np.flatnonzero(self.stage == stage)

    def expected_price(self) -> np.ndarray:
        """What each row expects to sell at: the normal price, raised by the threat."""
        return self.normal * (1.0 + self.threat)

    def asks(self, stage: int, last_price: np.ndarray, settings) -> Asks:
        """Stock for sale at the expected price (holding longer gains nothing), met in
        buyers' choice of origin as far as it was in the money at last month's delivered
        price there (``last_price``, (mineral, country))."""
        rows = self.rows(stage)
        market, origin = self.mineral[rows], self.country[rows]
        price = self.expected_price()[rows]
        sells = in_the_money(last_price[market, origin], price, settings.ramp_width)
        return Asks(
            market=market,
            origin=origin,
            quantity=self.stock[rows],
            price=price,
            matched=self.stock[rows] * sells,
        )

    def bids(self, stage: int) -> Bids:
        """Room under the financing limit, bought below the discounted expected price less
        the carrying cost."""
        rows = self.rows(stage)
        worth = self.expected_price()[rows] * (self.discount - self.carry)
        room = np.maximum(self.limit[rows] - self.stock[rows], 0.0)
        return Bids(
            market=self.mineral[rows],
            destination=self.country[rows],
            quantity=room,
            reference_price=worth,
            elasticity=np.zeros(len(rows)),
            max_price=worth,
            max_quantity=room,
        )

    def settle(self, stage: int, sold: np.ndarray, bought: np.ndarray) -> None:
        """Stock after the stage's clearing."""
        rows = self.rows(stage)
        self.sold[rows], self.bought[rows] = sold, bought
        self.stock[rows] = np.maximum(self.stock[rows] + bought - sold, 0.0)

    def see(self, price: np.ndarray, stage: int, threat: np.ndarray, months: float) -> None:
        """Smooth the normal price toward this month's at each row's place (``price`` by
        (mineral, country), NaN kept), and take the threat to world supply by mineral."""
        rows = self.rows(stage)
        seen = price[self.mineral[rows], self.country[rows]]
        normal = self.normal[rows]
        self.normal[rows] = np.where(np.isfinite(seen), normal + (seen - normal) / months, normal)
        self.threat[rows] = threat[self.mineral[rows]]

    def held_by_mineral(self, stage: int, minerals: int) -> np.ndarray:
        """(mineral,) tonnes held at ``stage``."""
        rows = self.rows(stage)
        return np.bincount(self.mineral[rows], self.stock[rows], minerals)
