"""Recycler: secondary supply of refined material from end-of-life scrap."""

from __future__ import annotations

import mesa
import numpy as np

from abm.market import Asks


class RecyclerFleet:
    """Every recycler, one per (country, mineral) where the mineral is used: their agent set.

    Recyclers collect a share of end-of-life material and sell it as refined, up to
    capacity. Material consumed leaves use after a mean product life (a first-order delay);
    a collection rate of it becomes scrap; recycling capacity grows each year. Recycled
    tonnes compete with primary refined supply in the refined market at the recyclers' cost.
    """

    def __init__(
        self,
        mineral,
        country,
        output_2023,
        end_of_life_months,
        consumption_2023,
        cost_usd_per_t,
        utilisation: float = 0.85,
    ):
        self.mineral = mineral  # (recycler,) mineral index
        self.country = country  # (recycler,) country index
        self.capacity = output_2023 / utilisation  # t/month
        self.end_of_life_months = end_of_life_months  # (recycler,)
        # First-order delay of consumption gives end-of-life flows; start in steady state.
        self.end_of_life = consumption_2023.copy()
        self.collection_rate = np.where(consumption_2023 > 0, output_2023 / consumption_2023, 0.0)
        self.scrap_stock = output_2023.copy()  # one month of scrap on hand at the start
        self.cost = cost_usd_per_t
        self.collected = np.zeros_like(output_2023)
        self.sold = np.zeros_like(output_2023)

    def asks(self) -> Asks:
        """Scrap on hand, up to capacity, offered as refined at the recyclers' cost."""
        return Asks(
            market=self.mineral,
            origin=self.country,
            quantity=np.minimum(self.scrap_stock, self.capacity),
            price=self.cost,
        )

    def deliver(self, sold: np.ndarray) -> None:
        """Hand over what the market took from scrap stock."""
        self.sold = sold
        self.scrap_stock = self.scrap_stock - sold

    def collect(
        self,
        consumed_by_cell: np.ndarray,
        collection_rate: np.ndarray,
        growth_per_year: np.ndarray,
    ):
        """End-of-life flows from past consumption become scrap; capacity grows.

        Collection rates and growth come from the policies in force (recycling support), or
        the 2023 calibration without them.
        """
        consumed = consumed_by_cell[self.mineral, self.country]
        self.end_of_life += (consumed - self.end_of_life) / self.end_of_life_months
        self.collected = collection_rate * self.end_of_life
        self.scrap_stock = self.scrap_stock + self.collected
        self.capacity = self.capacity * (1.0 + growth_per_year) ** (1.0 / 12.0)


class Recycler(mesa.Agent):
    """One country's recyclers of one mineral: a view of one row of ``RecyclerFleet``."""

    def __init__(self, model: mesa.Model, fleet: RecyclerFleet, index: int):
        super().__init__(model)
        self.fleet = fleet
        self.index = index
