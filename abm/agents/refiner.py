"""Refiner: buys raw material, converts it one-for-one (contained basis), sells refined."""

from __future__ import annotations

import numpy as np

from abm.agents.sites import SiteAgent, SiteFleet
from abm.market import Asks, Bids


class RefineryFleet(SiteFleet):
    """Site arrays plus the refiners' stocks and input costs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.raw_stock = np.zeros(len(self))  # t bought, not yet refined
        self.refined_stock = np.zeros(len(self))  # t refined, not yet sold
        self.raw_bought = np.zeros(len(self))
        self.raw_price_paid = np.full(len(self), np.nan)  # USD/t delivered, last purchase
        self.processed = np.zeros(len(self))
        self.sold = np.zeros(len(self))


class Refiner(SiteAgent):
    """A refinery (one cost tranche of one owner's plants of a mineral in a country).

    Each month it bids for raw material: its capacity, less any excess of refined stock over
    its target, at up to the refined price it expects less its conversion cost. It refines
    what it holds, up to capacity, and offers its refined stock at its marginal cost (raw
    price plus conversion cost). It invests like a mine, judging the margin over raw input.
    """

    @property
    def conversion_cost_usd_per_t(self) -> float:
        return float(self.fleet.unit_cost[self.index])

    @staticmethod
    def raw_bids(fleet: RefineryFleet, month: int, settings, raw_reference: np.ndarray) -> Bids:
        """Raw purchases planned from capacity and stocks, priced from the expected margin."""
        capacity = fleet.capacity_in(month)
        target = settings.refiner_stock_months * capacity
        surplus = np.maximum(fleet.refined_stock + fleet.raw_stock - target, 0.0)
        quantity = np.clip(capacity - surplus / 2.0, 0.0, capacity)
        willingness = fleet.expected_price - fleet.unit_cost
        floor = 0.05 * raw_reference[fleet.mineral]
        max_price = np.maximum(willingness, floor)
        return Bids(
            market=fleet.mineral,
            destination=fleet.location,
            quantity=quantity,
            reference_price=max_price,
            elasticity=np.full(len(fleet), settings.raw_bid_elasticity),
            max_price=max_price,
            max_quantity=quantity,
        )

    @staticmethod
    def refine(fleet: RefineryFleet, bought: np.ndarray, price_paid: np.ndarray, month: int):
        """Take delivery of raw material and refine what capacity allows."""
        fleet.raw_bought = bought
        fleet.raw_price_paid = np.where(bought > 0, price_paid, fleet.raw_price_paid)
        fleet.raw_stock = fleet.raw_stock + bought
        fleet.processed = np.minimum(fleet.raw_stock, fleet.capacity_in(month))
        fleet.output = fleet.processed
        fleet.raw_stock = fleet.raw_stock - fleet.processed
        fleet.refined_stock = fleet.refined_stock + fleet.processed

    @staticmethod
    def asks(fleet: RefineryFleet, raw_price: np.ndarray) -> Asks:
        """Refined stock offered at marginal cost: current raw price plus conversion."""
        raw = np.where(np.isnan(fleet.raw_price_paid), raw_price, fleet.raw_price_paid)
        return Asks(
            market=fleet.mineral,
            origin=fleet.location,
            quantity=fleet.refined_stock,
            price=raw + fleet.unit_cost,
        )

    @staticmethod
    def deliver(fleet: RefineryFleet, sold: np.ndarray) -> None:
        fleet.sold = sold
        fleet.refined_stock = fleet.refined_stock - sold
