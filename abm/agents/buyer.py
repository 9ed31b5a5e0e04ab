"""Buyer: manufacturers of one sector in one country, using refined minerals."""

from __future__ import annotations

import mesa
import numpy as np

from abm.market import Bids


class BuyerFleet:
    """Every buyer (rows) and mineral (columns), as arrays: the buyers' agent set.

    Manufacturers of a sector (batteries, magnets, chips, grid, other) in a country. Their
    need grows along the IEA path for their sector. Each month they plan to consume their
    need, trimmed by the short-run response to the price they expect and by the long-run
    response (substitution, thrifting) to the price they have come to expect over two years
    (unmet demand is measured against that long-run plan); they bid for that plus a share of
    the gap to their inventory target, buying less when the price is high (they draw on
    inventory) and nothing above the choke price. What they cannot consume from purchases
    and inventory is unmet demand.
    """

    def __init__(self, need: np.ndarray, growth: np.ndarray, country: np.ndarray, reference_price):
        self.need_2023 = need  # (buyer, mineral) t/month
        self.growth = growth  # (buyer, mineral, month)
        self.country = country  # (buyer,) country index
        self.reference_price = reference_price  # (mineral,) 2023 refined price
        self.inventory = np.zeros_like(need)
        self.expected_price = np.broadcast_to(reference_price, need.shape).copy()
        self.long_run_price = self.expected_price.copy()  # what designs and contracts assume
        self.expected_compliant_price = self.expected_price.copy()  # IRA tier, when it exists
        self.shock = np.zeros_like(need)  # log demand shock, AR(1)
        self.demanded = np.zeros_like(need)  # this month's consumption plan
        self.planned = np.zeros_like(need)  # the long-run plan; unmet demand is measured on it
        self.bought = np.zeros_like(need)
        self.consumed = np.zeros_like(need)
        self.active = need > 0  # which (buyer, mineral) pairs bid at all
        self.rows, self.columns = np.nonzero(self.active)
        self.target = np.zeros_like(need)  # inventory target, set by each month's plan

    def plan(self, month: int, settings, rng: np.random.Generator) -> None:
        """Draw this month's demand shock and set planned consumption."""
        noise = rng.standard_normal(self.shock.shape) * settings.demand_noise
        self.shock = settings.demand_noise_persistence * self.shock + noise
        need = self.need_2023 * self.growth[:, :, month] * np.exp(self.shock)
        short_run = (self.expected_price / self.reference_price) ** (
            -settings.consumption_elasticity
        )
        long_run = (self.long_run_price / self.reference_price) ** (
            -settings.long_run_demand_elasticity
        )
        self.demanded = need * np.minimum(short_run * long_run, 3.0)
        # What users planned around at the prices they expect in the long run: consumption
        # below it is unmet demand (short-run rationing by price, or no supply at all).
        self.planned = need * np.minimum(long_run, 3.0)
        self.target = settings.inventory_months * need

    def bids(self, settings) -> Bids:
        """This month's bids: the plan plus a share of the inventory gap, one per active
        (buyer, mineral) pair, none above the choke price."""
        rows, columns = self.rows, self.columns
        gap = (self.target - self.inventory) / settings.inventory_adjustment_months
        quantity = np.maximum(self.demanded + gap, 0.0)[rows, columns]
        storage = (self.demanded + 2.0 * self.target - self.inventory)[rows, columns]
        return Bids(
            market=columns,
            destination=self.country[rows],
            quantity=np.maximum(quantity, 1e-12),
            reference_price=self.expected_price[rows, columns],
            elasticity=np.full(len(rows), settings.purchase_elasticity),
            max_price=settings.choke_multiple * self.reference_price[columns],
            max_quantity=np.maximum(storage, 1e-12),
        )

    def take_delivery(self, bought: np.ndarray) -> None:
        """Take delivery of what each bid bought, and consume what the plan and the stock
        allow."""
        self.bought = np.zeros_like(self.inventory)
        self.bought[self.rows, self.columns] = bought
        available = self.inventory + self.bought
        self.consumed = np.minimum(self.demanded, available)
        self.inventory = available - self.consumed

    def update_expectations(
        self, destination_price: np.ndarray, months: float, long_months: float
    ) -> None:
        """Adapt expected prices toward what was paid at home (kept if nothing arrived)."""
        seen = destination_price.T[self.country]  # (buyer, mineral)
        seen = np.where(np.isfinite(seen), seen, self.expected_price)
        self.expected_price += (seen - self.expected_price) / months
        self.long_run_price += (seen - self.long_run_price) / long_months

    def expect_compliant(self, tier, months: float) -> None:
        """Adapt the expected compliant-tier price; without a tier it follows the ordinary one."""
        if tier is None:
            self.expected_compliant_price = self.expected_price.copy()
            return
        seen = tier.destination_price.T[self.country]
        seen = np.where(np.isfinite(seen), seen, self.expected_compliant_price)
        self.expected_compliant_price += (seen - self.expected_compliant_price) / months


class Buyer(mesa.Agent):
    """One sector's manufacturers in one country: a view of one row of ``BuyerFleet``, for
    the page and for users who inspect agents (the fleet decides)."""

    def __init__(self, model: mesa.Model, fleet: BuyerFleet, index: int, sector: str):
        super().__init__(model)
        self.fleet = fleet
        self.index = index
        self.sector = sector

    @property
    def country(self) -> str:
        """The country this buyer buys for."""
        return self.model.world.countries[self.fleet.country[self.index]]

    def need_t(self, mineral: str) -> float:
        """Refined tonnes this buyer needs of ``mineral`` this month: 2023 need times its growth."""
        m = self.model.world.minerals.index(mineral)
        return float(
            self.fleet.need_2023[self.index, m] * self.fleet.growth[self.index, m, self.model.month]
        )
