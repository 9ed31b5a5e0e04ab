"""Recycler: secondary supply of refined material from end-of-life scrap."""

from __future__ import annotations

import mesa
import numpy as np

from abm.market import Asks


class RecyclerFleet:
    """Arrays for every recycler: one per (country, mineral) where the mineral is used."""

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


class Recycler(mesa.Agent):
    """Collects a share of end-of-life material and sells it as refined, up to capacity.

    Material consumed leaves use after a mean product life (a first-order delay); a
    collection rate of it becomes scrap; recycling capacity grows each year. Recycled tonnes
    compete with primary refined supply in the refined market at the recyclers' cost.
    """

    def __init__(self, model: mesa.Model, fleet: RecyclerFleet, index: int):
        super().__init__(model)
        self.fleet = fleet
        self.index = index

    @staticmethod
    def asks(fleet: RecyclerFleet) -> Asks:
        return Asks(
            market=fleet.mineral,
            origin=fleet.country,
            quantity=np.minimum(fleet.scrap_stock, fleet.capacity),
            price=fleet.cost,
        )

    @staticmethod
    def deliver(fleet: RecyclerFleet, sold: np.ndarray) -> None:
        fleet.sold = sold
        fleet.scrap_stock = fleet.scrap_stock - sold

    @staticmethod
    def collect(
        fleet: RecyclerFleet,
        consumed_by_cell: np.ndarray,
        collection_rate: np.ndarray,
        growth_per_year: np.ndarray,
    ):
        """End-of-life flows from past consumption become scrap; capacity grows.

        Collection rates and growth come from the policies in force (recycling support), or
        the 2023 calibration without them.
        """
        consumed = consumed_by_cell[fleet.mineral, fleet.country]
        fleet.end_of_life += (consumed - fleet.end_of_life) / fleet.end_of_life_months
        fleet.collected = collection_rate * fleet.end_of_life
        fleet.scrap_stock = fleet.scrap_stock + fleet.collected
        fleet.capacity = fleet.capacity * (1.0 + growth_per_year) ** (1.0 / 12.0)
