"""Recycler: secondary supply of refined material from end-of-life scrap."""

from __future__ import annotations

import mesa
import numpy as np

from abm.market import Asks


class RecyclerFleet:
    """Every recycler, one per (country, mineral) where the mineral is used: their agent set.

    Recyclers collect a share of end-of-life material and sell it as refined, up to
    capacity. Material consumed leaves use after its product life: an Erlang delay of
    ``life_order`` stages with mean ``end_of_life_months``, so what was used in one year
    comes back mostly around its life later, not in the months after (a first-order delay,
    order 1, returns 8% of a cohort of 12-year products in their first year). A
    collection rate of end-of-life material becomes scrap; recycling capacity grows each
    year. Recycled tonnes compete with primary refined supply at the recyclers' cost.

    The 2023 end-of-life flow is what the two cited 2023 figures imply: secondary output
    over the collection rate of end-of-life material (``recycling_2023.csv``), at most the
    year's consumption; the chain of products in use starts in steady state at that flow.
    (Set to 2023 consumption, as if use had never grown, it made the end of life of
    lithium ten times the figures' and a push to 60% collection displace almost half of
    2040 mining.)
    """

    def __init__(
        self,
        mineral,
        country,
        output_2023,
        end_of_life_months,
        consumption_2023,
        collection_rate_2023,
        cost_usd_per_t,
        utilisation: float = 0.85,
        life_order: int = 3,
    ):
        self.mineral = mineral  # (recycler,) mineral index
        self.country = country  # (recycler,) country index
        self.capacity = output_2023 / utilisation  # t/month
        self.end_of_life_months = end_of_life_months  # (recycler,)
        self.collection_rate = np.where(output_2023 > 0, collection_rate_2023, 0.0)
        collected = np.divide(
            output_2023,
            self.collection_rate,
            out=np.zeros_like(output_2023),
            where=self.collection_rate > 0,
        )
        self.end_of_life = np.minimum(collected, consumption_2023)
        # Tonnes in each stage of use, (stage, recycler): steady state at the 2023 flow.
        self.stage_months = end_of_life_months / life_order
        self.in_use = np.repeat((self.end_of_life * self.stage_months)[None], life_order, axis=0)
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
        inflow = consumed_by_cell[self.mineral, self.country]
        for stage in self.in_use:  # each stage passes on its share of what it holds
            outflow = stage / self.stage_months
            stage += inflow - outflow
            inflow = outflow
        self.end_of_life = inflow
        self.collected = collection_rate * self.end_of_life
        self.scrap_stock = self.scrap_stock + self.collected
        self.capacity = self.capacity * (1.0 + growth_per_year) ** (1.0 / 12.0)


class Recycler(mesa.Agent):
    """One country's recyclers of one mineral: a view of one row of ``RecyclerFleet``."""

    def __init__(self, model: mesa.Model, fleet: RecyclerFleet, index: int):
        super().__init__(model)
        self.fleet = fleet
        self.index = index
