"""Shared state of mines and refineries: capacity over time, costs, expectations, investment.

Mines (``Producer``) and refineries (``Refiner``) are both *sites*: a cost tranche of one
owner's operations of one mineral in one country. Their state lives in arrays here so a step
costs a few numpy calls, not a Python loop over agents; the Mesa agents are views into it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


class SiteFleet:
    """Arrays for every site of one stage, indexed by the agent's ``index``."""

    def __init__(self, sites: pd.DataFrame, capacity_path: np.ndarray, countries, minerals):
        self.table = sites.reset_index(drop=True)
        self.mineral = self.table.mineral.map({m: i for i, m in enumerate(minerals)}).to_numpy()
        country_index = {c: i for i, c in enumerate(countries)}
        self.location = self.table.location.map(country_index).to_numpy()
        self.owner = self.table.owner.map(country_index).to_numpy()
        self.unit_cost = self.table.unit_cost_usd_per_t.to_numpy(float).copy()
        self.capacity = capacity_path.astype(float).copy()  # (site, month) t/month
        self.output = np.zeros(len(self.table))  # this month's tonnes
        self.expected_price = np.full(len(self.table), np.nan)  # short run, at the location
        self.investment_price = np.full(len(self.table), np.nan)  # what investors expect

    def __len__(self) -> int:
        return len(self.unit_cost)

    def update_expectations(self, price: np.ndarray, short_months: float, long_months: float):
        """Adaptive expectations: exponential smoothing of the price seen at the location."""
        first = np.isnan(self.expected_price)
        self.expected_price = np.where(
            first, price, self.expected_price + (price - self.expected_price) / short_months
        )
        self.investment_price = np.where(
            np.isnan(self.investment_price),
            price,
            self.investment_price + (price - self.investment_price) / long_months,
        )

    def invest(
        self,
        month: int,
        margin_cost: np.ndarray,
        capex_usd_per_tpa: np.ndarray,
        lead_months: np.ndarray,
        ramp_months: np.ndarray,
        settings,
    ) -> np.ndarray:
        """Commission new capacity where expected prices cover operating and capital cost.

        New capacity per site = investment_rate x capacity x min(1, expected margin ratio - 1),
        spread over a year of decisions, arriving after the lead time and ramping up linearly.
        ``margin_cost`` is the unit cost a new tonne must cover besides capital (for refiners
        the raw input as well). Returns the tonnes/month committed per site.
        """
        annuity = settings.hurdle_rate / (
            1.0 - (1.0 + settings.hurdle_rate) ** -settings.asset_life_years
        )
        capital_per_t = capex_usd_per_tpa * annuity
        full_cost = margin_cost + capital_per_t
        ratio = self.investment_price / np.maximum(full_cost, 1e-9)
        drive = np.clip(ratio - 1.0, 0.0, 1.0)
        current = self.capacity[:, month]
        per_decision = settings.investment_rate * settings.investment_interval_months / 12.0
        added = current * per_decision * drive
        months = np.arange(self.capacity.shape[1])[None, :]
        start = month + np.round(lead_months)[:, None]
        ramp = np.maximum(np.round(ramp_months), 1.0)[:, None]
        profile = np.clip((months - start + 1.0) / ramp, 0.0, 1.0)
        self.capacity += added[:, None] * profile
        return added
