"""Agents' conditions set by policies in force: rebuilt each month by the PolicyBook."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.settings import ModelSettings

if TYPE_CHECKING:
    from abm.policy.schema import PolicyRecord as Policy


class Conditions:
    """Per-agent multipliers and rates that instruments change; defaults mean no policy."""

    def __init__(
        self,
        settings: ModelSettings,
        minerals: int,
        countries: int,
        sites: tuple[int, int],
        collection_rate: np.ndarray,
    ):
        """Defaults for ``sites`` (mines, refineries) and recyclers collecting at their
        calibrated ``collection_rate``."""
        self.settings, self.minerals, self.countries = settings, minerals, countries
        self.mines, self.refineries = sites
        self.base_collection_rate = collection_rate.copy()
        self.reset()

    def reset(self) -> None:
        """No policy: the settings' defaults."""
        settings, minerals, countries = self.settings, self.minerals, self.countries
        self.collection_rate = self.base_collection_rate.copy()
        self.recycling_growth = np.full(
            len(self.base_collection_rate), settings.recycling_capacity_growth
        )
        self.capex_multiplier = (np.ones(self.mines), np.ones(self.refineries))
        self.refinery_lead_multiplier = np.ones(self.refineries)
        self.investor_noise = np.full(minerals, settings.investor_noise)
        self.futures = np.zeros(minerals, dtype=bool)
        self.report_lag = np.full(minerals, settings.price_report_lag_months, dtype=int)
        self.investment_boost = np.zeros(countries)  # forum coordination, by country
        self.stockpile_policy: dict[tuple[int, int], Policy] = {}
        self.price_floors: list[Policy] = []  # in force this month (``abm.policy.floors``)
