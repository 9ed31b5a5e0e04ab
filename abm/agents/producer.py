"""Producer: a mine, or one cost tranche of one owner's mines of a mineral in a country."""

from __future__ import annotations

import numpy as np

from abm.agents.sites import SiteAgent, SiteFleet
from abm.market import Asks


class Producer(SiteAgent):
    """A mine: location, owner, mineral, capacity and unit cost.

    Each month it offers its available capacity at its unit cost (it produces what it sells,
    so its output decision is the quantity the market takes at or above its cost). Each
    quarter it invests in new capacity when the price it expects covers operating and
    capital cost; new capacity arrives after the lead time (exploration, permits, build) and
    ramps up.
    """

    @property
    def unit_cost_usd_per_t(self) -> float:
        return float(self.fleet.unit_cost[self.index])

    @staticmethod
    def asks(fleet: SiteFleet, month: int) -> Asks:
        """Every mine offers this month's capacity at its unit cost."""
        return Asks(
            market=fleet.mineral,
            origin=fleet.location,
            quantity=fleet.capacity_in(month),
            price=fleet.unit_cost,
        )

    @staticmethod
    def produce(fleet: SiteFleet, sold: np.ndarray) -> None:
        """Mines produce to order: output is what the market took."""
        fleet.output = sold
