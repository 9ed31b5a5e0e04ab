"""Producer: a mine, or one cost tranche of one owner's mines of a mineral in a country."""

from __future__ import annotations

import numpy as np

from abm.agents.owners import ProjectTerms
from abm.agents.sites import SiteAgent, SiteFleet
from abm.groups import group_medians
from abm.market import Asks

RAW = 0  # the stage index of mines in the world's (stage, mineral) tables


class MineFleet(SiteFleet):
    """Every mine, as arrays: the producers' agent set.

    Each month a mine offers its capacity and its stock of ore at its unit cost. Output
    follows sales with a lag (crews, contracts and plant are not laid off in a month): a
    mine whose sales fall keeps mining toward them over ``mine_adjustment_months`` and puts
    what it cannot sell in stock, up to ``mine_stock_months`` of capacity (its yards and
    pads); stock is sold before new ore. Each quarter it invests in new capacity when the
    price it expects covers operating and capital cost; new capacity arrives after the lead
    time (exploration, permits, build) and ramps up.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stock = np.zeros(len(self))  # t of ore mined and not yet sold
        self.sold = np.zeros(len(self))
        # Recovery circuits at hosts, whose capacity ``abm.agents.byproducts`` sets: they
        # do not invest as mines.
        self.byproduct = np.zeros(len(self), dtype=bool)

    def asks(self, month: int) -> Asks:
        """Every mine offers this month's capacity (none while idled) and its stock at its
        unit cost."""
        return Asks(
            market=self.mineral,
            origin=self.location,
            quantity=self.operating_capacity(month) + self.stock,
            price=self.unit_cost,
        )

    def produce(self, sold: np.ndarray, month: int, settings) -> None:
        """Mine what was sold beyond the stock, or, where sales fell, the planned rate moving
        toward them, with the difference going to stock while there is room."""
        capacity = self.operating_capacity(month)
        needed = np.maximum(sold - self.stock, 0.0)
        plan = self.output + (sold - self.output) / settings.mine_adjustment_months
        room = np.maximum(settings.mine_stock_months * capacity - self.stock + sold, 0.0)
        self.output = np.minimum(np.maximum(needed, np.minimum(plan, room)), capacity)
        self.sold = sold
        self.stock = np.maximum(self.stock + self.output - sold, 0.0)

    def invest(self, month: int, world, conditions, settings, price_error: np.ndarray) -> None:
        """Quarterly investment at the operating cost of a new tonne here, with the policies'
        capex changes (``conditions``) and the investors' shared error (``price_error``)."""
        build = world.build_months[RAW, self.mineral] * np.ones(len(self))
        self.commission(
            month,
            self.new_capacity_cost,
            world.capex_usd_per_tpa[RAW, self.mineral] * conditions.capex_multiplier[RAW],
            world.decision_months[RAW, self.mineral],
            build,
            world.ramp_months[RAW, self.mineral] * np.ones(len(self)),
            settings,
            price_error=price_error[self.mineral],
            drive_boost=conditions.investment_boost[self.location],
            demand_path=world.demand_path,
            investing=~self.byproduct,
            projects=ProjectTerms.of(RAW, self, build, china=world.countries.index("CN")),
        )

    def long_run_ore_price(self, reference: np.ndarray) -> np.ndarray:
        """(mineral,) median ore price investors expect in the long run (``reference``, the
        2023 raw price, where no mine has an expectation)."""
        return group_medians(self.mineral, self.investment_price, reference)

    def local_ore_price(
        self, month: int, world_median: np.ndarray, countries: int, short_run: bool = False
    ) -> np.ndarray:
        """(mineral, country) long-run ore price investors expect where a refinery would stand.

        Where the country mines the mineral, its mines' expected price (the value of local ore:
        low where an export ban strands it at home; ``short_run``: what it fetches now);
        elsewhere the world median, as imported ore.
        """
        running = self.capacity_in(month) > 0
        keys = self.cell[running]  # (mineral, country) cells
        fallback = np.repeat(world_median[:, None], countries, axis=1).ravel()
        price = self.expected_price if short_run else self.investment_price
        medians = group_medians(keys, price[running], fallback)
        return medians.reshape(len(world_median), countries)


class Producer(SiteAgent):
    """A mine: a view of one row of ``MineFleet`` (location, owner, mineral, capacity, unit
    cost, output), for the page and for users who inspect agents."""

    @property
    def unit_cost_usd_per_t(self) -> float:
        """What this mine spends to raise one tonne."""
        return float(self.fleet.unit_cost[self.index])
