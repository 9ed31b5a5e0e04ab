"""Refiner: buys raw material, converts it one-for-one (contained basis), sells refined."""

from __future__ import annotations

import numpy as np

from abm.agents.sites import SiteAgent, SiteFleet
from abm.market import Asks, Bids

RAW, REFINED = 0, 1  # stage indices of the world's (stage, mineral) tables


class RefineryFleet(SiteFleet):
    """Every refinery, as arrays: the refiners' agent set, with their stocks and input costs.

    Each month a refinery bids for raw material: its capacity, plus a share of the gap to
    its cover of ore (months of capacity, raised by the supply risk of its origins), less any
    excess of refined stock over its target, at up to the refined price it expects less its
    conversion cost. It refines what it holds, up to capacity, and offers its refined stock
    at its marginal cost (raw price plus conversion cost). It invests like a mine, judging
    the margin over raw input.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.raw_stock = np.zeros(len(self))  # t bought, not yet refined
        self.refined_stock = np.zeros(len(self))  # t refined, not yet sold
        self.raw_bought = np.zeros(len(self))
        self.raw_price_paid = np.full(len(self), np.nan)  # USD/t delivered, last purchase
        self.raw_price_seen = np.full(len(self), np.nan)  # USD/t delivered, this month
        self.processed = np.zeros(len(self))
        self.sold = np.zeros(len(self))
        self.raw_cover_months = np.zeros(len(self))  # ore cover without supply risk
        self.product_cover_months = np.zeros(len(self))  # refined stock target
        self.utilisation = np.ones(len(self))  # 2023 utilisation of the mineral's refining
        self.raw_risk = np.zeros(len(self))  # supply risk of the ore, 0 to 1

    def raw_bids(self, month: int, settings, raw_reference: np.ndarray) -> Bids:
        """Raw purchases planned from capacity and stocks, priced from the expected margin."""
        capacity = self.capacity_in(month)
        # Covers are months of output at the 2023 utilisation of the stage.
        output = capacity * self.utilisation
        target = self.product_cover_months * output
        surplus = np.maximum(self.refined_stock - target, 0.0)
        cover = self.raw_cover_months + settings.risk_cover_months * self.raw_risk
        gap = (cover * output - self.raw_stock) / settings.inventory_adjustment_months
        quantity = np.clip(capacity + gap - surplus / 2.0, 0.0, 2.0 * capacity)
        willingness = self.expected_price - self.unit_cost
        floor = 0.05 * raw_reference[self.mineral]
        max_price = np.maximum(willingness, floor)
        return Bids(
            market=self.mineral,
            destination=self.location,
            quantity=quantity,
            reference_price=max_price,
            elasticity=np.full(len(self), settings.raw_bid_elasticity),
            max_price=max_price,
            max_quantity=quantity,
        )

    def see_risk(self, exposure: np.ndarray, settings) -> None:
        """Ore supply risk at each refinery's location (``exposure`` by (country, mineral)),
        fading over ``risk_memory_months``."""
        faded = self.raw_risk * np.exp(-1.0 / settings.risk_memory_months)
        self.raw_risk = np.maximum(faded, exposure[self.location, self.mineral])

    def take_delivery(
        self, bought: np.ndarray, arrived: np.ndarray, price_seen: np.ndarray, month: int
    ) -> None:
        """Buy raw material at this month's delivered price at home, take in what
        ``arrived`` (this and earlier months' purchases), and refine what capacity allows."""
        self.raw_bought = bought
        self.raw_price_seen = price_seen
        self.raw_price_paid = np.where(bought > 0, price_seen, self.raw_price_paid)
        self.raw_stock = self.raw_stock + arrived
        self.processed = np.minimum(self.raw_stock, self.capacity_in(month))
        self.output = self.processed
        self.raw_stock = self.raw_stock - self.processed
        self.refined_stock = self.refined_stock + self.processed

    def asks(self) -> Asks:
        """Refined stock offered at marginal cost: the raw price paid (this month's where
        nothing was ever bought) plus conversion."""
        raw = np.where(np.isnan(self.raw_price_paid), self.raw_price_seen, self.raw_price_paid)
        return Asks(
            market=self.mineral,
            origin=self.location,
            quantity=self.refined_stock,
            price=raw + self.unit_cost,
        )

    def invest(
        self, month: int, world, conditions, settings, price_error: np.ndarray, mines
    ) -> None:
        """Quarterly investment, judged on the conversion cost plus the long-run price of
        the ore a new refinery here would run on (``mines``' expectations, not the last
        cargo), with the policies' capex and lead-time changes (``conditions``)."""
        raw_long = mines.long_run_ore_price(world.reference_price[:, RAW])
        ore = mines.local_ore_price(month, raw_long, len(world.countries)).take(self.cell)
        lead = conditions.refinery_lead_multiplier
        self.commission(
            month,
            self.new_capacity_cost + ore,
            world.capex_usd_per_tpa[REFINED, self.mineral] * conditions.capex_multiplier[REFINED],
            world.decision_months[REFINED, self.mineral],
            world.build_months[REFINED, self.mineral] * lead,
            world.ramp_months[REFINED, self.mineral] * lead,
            settings,
            price_error=price_error[self.mineral],
            drive_boost=conditions.investment_boost[self.location],
            demand_path=world.demand_path,
        )

    def deliver(self, sold: np.ndarray) -> None:
        """Hand over what the market took from refined stock."""
        self.sold = sold
        self.refined_stock = self.refined_stock - sold


class Refiner(SiteAgent):
    """A refinery: a view of one row of ``RefineryFleet``, for the page and for users who
    inspect agents."""

    @property
    def conversion_cost_usd_per_t(self) -> float:
        """What this refinery spends to turn one tonne of ore into refined metal."""
        return float(self.fleet.unit_cost[self.index])
