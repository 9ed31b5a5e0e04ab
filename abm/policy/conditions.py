"""Agents' conditions set by policies in force: rebuilt each month by the PolicyBook."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from abm.model import MineralsModel
    from abm.policy.instruments import Policy


class Conditions:
    """Per-agent multipliers and rates that instruments change; defaults mean no policy."""

    def __init__(self, model: MineralsModel):
        self.model = model
        self.base_collection_rate = model.recyclers.collection_rate.copy()
        self.reset()

    def reset(self) -> None:
        model, settings = self.model, self.model.settings
        minerals, countries = len(model.world.minerals), len(model.world.countries)
        self.collection_rate = self.base_collection_rate.copy()
        self.recycling_growth = np.full(
            len(self.base_collection_rate), settings.recycling_capacity_growth
        )
        self.capex_multiplier = (np.ones(len(model.mines)), np.ones(len(model.refineries)))
        self.refinery_lead_multiplier = np.ones(len(model.refineries))
        self.investor_noise = np.full(minerals, settings.investor_noise)
        self.futures = np.zeros(minerals, dtype=bool)
        self.report_lag = np.full(minerals, settings.price_report_lag_months, dtype=int)
        self.investment_boost = np.zeros(countries)  # forum coordination, by country
        self.stockpile_policy: dict[tuple[int, int], Policy] = {}
