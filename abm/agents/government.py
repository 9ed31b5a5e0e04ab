"""Government: one per country, holding its trade instruments."""

from __future__ import annotations

import mesa

from abm.policy.rules import TradeRules


class Government(mesa.Agent):
    """The government of a country.

    It holds its instruments in the model's ``TradeRules`` (export bans, import tariffs,
    export taxes and quotas, by mineral, stage and partner). In this version it is passive:
    instruments are set by scenarios or by hand; decision rules come later.
    """

    def __init__(self, model: mesa.Model, country: str, rules: TradeRules):
        super().__init__(model)
        self.country = country
        self.rules = rules

    def ban_exports(self, mineral: str, stage: str, targets="all") -> None:
        """No exports of ``mineral`` at ``stage`` to ``targets``."""
        self.rules.set_export_ban(self.country, mineral, stage, targets, banned=True)

    def lift_export_ban(self, mineral: str, stage: str, targets="all") -> None:
        self.rules.set_export_ban(self.country, mineral, stage, targets, banned=False)

    def set_import_tariff(self, mineral: str, stage: str, rate: float, origins="all") -> None:
        """Ad valorem tariff on imports of ``mineral`` from ``origins``."""
        self.rules.set_import_tariff(self.country, mineral, stage, origins, rate)

    def set_export_tax(self, mineral: str, stage: str, rate: float, targets="all") -> None:
        self.rules.set_export_tax(self.country, mineral, stage, targets, rate)

    def set_export_quota(self, mineral: str, stage: str, tonnes_per_month: float, targets) -> None:
        """Cap on monthly exports to each of ``targets``."""
        self.rules.set_export_quota(self.country, mineral, stage, targets, tonnes_per_month)

    def step(self) -> None:
        """Passive in this version: no decision rule changes the instruments."""
