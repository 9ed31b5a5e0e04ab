"""Shared state of mines and refineries: capacity over time, costs, expectations, investment.

Mines (``Producer``) and refineries (``Refiner``) are both *sites*: a cost tranche of one
owner's operations of one mineral in one country. Their state lives in arrays here so a step
costs a few numpy calls, not a Python loop over agents; the Mesa agents are views into it.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
from numba import njit


class SiteFleet:
    """Arrays for every site of one stage, indexed by the agent's ``index``."""

    def __init__(self, sites: pd.DataFrame, capacity_path: np.ndarray, countries, minerals):
        self.table = sites.reset_index(drop=True)
        self.mineral = self.table.mineral.map({m: i for i, m in enumerate(minerals)}).to_numpy()
        country_index = {c: i for i, c in enumerate(countries)}
        self.location = self.table.location.map(country_index).to_numpy()
        self.owner = self.table.owner.map(country_index).to_numpy()
        self.unit_cost = self.table.unit_cost_usd_per_t.to_numpy(float).copy()
        self.entrant = (self.table.tranche < 0).to_numpy()  # no capacity at the start
        # What a new tonne of capacity here costs to run: the location's marginal 2023 cost,
        # whatever this tranche's own cost (new projects do not inherit old mines' grades).
        self.new_capacity_cost = self.table.new_capacity_cost_usd_per_t.to_numpy(float)
        self.capacity = capacity_path.astype(float).copy()  # (site, month) t/month
        self.output = np.zeros(len(self.table))  # this month's tonnes
        self.expected_price = np.full(len(self.table), np.nan)  # short run, at the location
        self.investment_price = np.full(len(self.table), np.nan)  # what investors expect
        self.reference_utilisation: np.ndarray | None = None  # by mineral, at the first decision
        self.price_history = np.full((1, len(self.table)), np.nan)  # see keep_prices

    def keep_prices(self, months: int) -> None:
        """Keep the last ``months`` months of prices seen (the longest reporting lag plus
        one), in a ring: a full history would grow with the horizon for nothing."""
        self.price_history = np.full((months, len(self)), np.nan)

    def remember_price(self, month: int, price: np.ndarray) -> None:
        self.price_history[month % len(self.price_history)] = price

    def price_months_ago(self, month: int, lag: np.ndarray) -> np.ndarray:
        """Each site's price ``lag`` months before ``month`` (or the first month's), as
        remembered; ``lag`` must be shorter than the ring kept."""
        seen = np.maximum(month - lag, 0) % len(self.price_history)
        return self.price_history[seen, np.arange(len(self))]

    def __len__(self) -> int:
        return len(self.unit_cost)

    def update_expectations(
        self,
        price: np.ndarray,
        short_months: float,
        long_months: np.ndarray | float,
        reported_price: np.ndarray | None = None,
    ):
        """Adaptive expectations: exponential smoothing of the price seen at the location.

        The short-run expectation follows this month's price; investors smooth the price as
        reported to them (``reported_price``, later in opaque markets) over ``long_months``.
        """
        reported = price if reported_price is None else reported_price
        self.expected_price = np.where(
            np.isnan(self.expected_price),
            price,
            self.expected_price + (price - self.expected_price) / short_months,
        )
        self.investment_price = np.where(
            np.isnan(self.investment_price),
            reported,
            self.investment_price + (reported - self.investment_price) / long_months,
        )

    def invest(
        self,
        month: int,
        margin_cost: np.ndarray,
        capex_usd_per_tpa: np.ndarray,
        decision_months: np.ndarray,
        build_months: np.ndarray,
        ramp_months: np.ndarray,
        settings,
        price_error: np.ndarray | float = 1.0,
        drive_boost: np.ndarray | float = 0.0,
        demand_path: np.ndarray | None = None,
    ) -> np.ndarray:
        """Commission new capacity where expected prices cover operating and capital cost.

        New capacity per site and year = investment_rate x capacity x drive, with
        drive = clip(ratio - 1 + (tightness - 1) / 2, 0, 1)
        x clip((tightness - 0.8) / 0.2 + (ratio - 1.5) / 0.5, 0, 1):
        tightness is the utilisation expected one greenfield lead time out (output grown with
        ``demand_path``, over committed capacity), relative to the utilisation at the first
        decision; and
        ratio is the price investors expect over the full cost of a new tonne (``margin_cost``,
        which for refiners includes the raw input, plus the capital annuity). A share
        ``brownfield_share`` is built at existing sites and arrives after the build time; the
        rest is greenfield and waits for exploration and permits as well. Entrants (sites with
        no capacity at the start) build greenfield only, sized on ``entry_share`` of the
        world's capacity of their mineral and stage. Both ramp up
        linearly. Investors see the expected price times ``price_error`` (their shared
        misjudgement); ``drive_boost`` raises the drive of coordinated investors. Returns the
        tonnes/month committed per site.
        """
        rate = settings.hurdle_rate
        annuity = (
            rate / (1.0 - (1.0 + rate) ** -settings.asset_life_years)
            if rate
            else (1.0 / settings.asset_life_years)
        )
        full_cost = margin_cost + capex_usd_per_tpa * annuity
        ratio = self.investment_price * price_error / np.maximum(full_cost, 1e-9)
        # Investors look at how tight the market will be once what is already committed is
        # built, one greenfield lead time out: this month's output grown with the expected
        # demand path (the IEA outlook investors read), over the capacity committed by then.
        # Nobody builds into idle or coming capacity; an expected squeeze brings projects
        # forward even before prices rise (half a point of drive per point of tightness).
        minerals = self.mineral.max() + 1
        world_capacity = np.bincount(self.mineral, self.capacity[:, month], minerals)
        last = self.capacity.shape[1] - 1
        ahead = np.minimum(month + np.round(decision_months + build_months).astype(int), last)
        committed = np.bincount(self.mineral, self.capacity[np.arange(len(self)), ahead], minerals)
        horizon = np.zeros(minerals, dtype=int)
        np.maximum.at(horizon, self.mineral, ahead)
        growth = np.ones(minerals)
        if demand_path is not None:
            now = demand_path[:, month]
            growth = np.divide(
                demand_path[np.arange(minerals), horizon], now, out=np.ones(minerals), where=now > 0
            )
        output = np.bincount(self.mineral, self.output, minerals)
        utilisation = output * growth / np.maximum(committed, 1e-300)
        if self.reference_utilisation is None:
            self.reference_utilisation = output / np.maximum(world_capacity, 1e-300)
        tightness = (utilisation / np.maximum(self.reference_utilisation, 1e-9))[self.mineral]
        drive = np.clip(np.nan_to_num(ratio - 1.0 + 0.5 * (tightness - 1.0)), 0.0, 1.0)
        # Spare capacity elsewhere holds investors back, unless margins are so wide (half as
        # much again as the full cost) that it plainly cannot reach this market or its input.
        gate = np.clip((tightness - 0.8) / 0.2 + (ratio - 1.5) / 0.5, 0.0, 1.0)
        drive *= np.nan_to_num(gate) * (1.0 + drive_boost)
        per_decision = settings.investment_rate * settings.investment_interval_months / 12.0
        # Entrants scale their first projects on the size of their market.
        seed = settings.entry_share * world_capacity[self.mineral]
        base = np.where(
            self.entrant, np.maximum(self.capacity[:, month], seed), self.capacity[:, month]
        )
        added = base * per_decision * drive
        building = np.flatnonzero(added > 0)  # only these rows change
        ramp = np.maximum(np.round(ramp_months[building]), 1.0)
        brownfield = np.where(self.entrant[building], 0.0, settings.brownfield_share)
        for share, lead in (
            (brownfield, build_months[building]),
            (1.0 - brownfield, decision_months[building] + build_months[building]),
        ):
            start = month + 1 + np.round(lead)
            add_ramps(self.capacity, building, start, ramp, share * added[building])
        return added


@njit(cache=True)
def add_ramps(capacity, rows, start, ramp, tonnes):
    """Add ``tonnes`` to each row's capacity path from month ``start`` on, rising linearly
    over ``ramp`` months: ``tonnes x clip((t - start + 1) / ramp, 0, 1)`` in month t.

    A loop over each row's own months: done with numpy over the months between the
    earliest start and the latest ramp end of all rows, it cost more the longer the run
    (twice as much per decision at 864 months as at 216).
    """
    months = capacity.shape[1]
    for k in range(len(rows)):
        for t in range(max(int(start[k]), 0), months):
            capacity[rows[k], t] += tonnes[k] * min(max((t - start[k] + 1.0) / ramp[k], 0.0), 1.0)


class SiteAgent(mesa.Agent):
    """A mine or refinery agent: a view of one row of its fleet's arrays."""

    def __init__(self, model: mesa.Model, fleet: SiteFleet, index: int):
        super().__init__(model)
        self.fleet = fleet
        self.index = index

    @property
    def mineral(self) -> str:
        return self.model.world.minerals[self.fleet.mineral[self.index]]

    @property
    def location(self) -> str:
        return self.model.world.countries[self.fleet.location[self.index]]

    @property
    def owner(self) -> str:
        return self.model.world.countries[self.fleet.owner[self.index]]

    @property
    def capacity_t_per_month(self) -> float:
        return float(self.fleet.capacity[self.index, self.model.month])

    @property
    def output_t(self) -> float:
        return float(self.fleet.output[self.index])
