"""Government: one per country; it holds instruments and, when allowed, decides them."""

from __future__ import annotations

import dataclasses

import mesa

from abm.policy.decisions import decide
from abm.policy.instruments import Policy


class Government(mesa.Agent):
    """The government of a country.

    Its instruments are policies in the model's PolicyBook (so they are logged and rebuilt
    into trade rules each month). In ``endogenous`` or ``both`` policy mode it decides every
    ``decision_interval_months`` by the rules in ``abm.policy.decisions``: resource
    nationalism, retaliation, industrial support; stockpiles release by their own rule.
    """

    def __init__(self, model: mesa.Model, country: str):
        super().__init__(model)
        self.country = country

    def adopt(self, policy: Policy) -> int:
        """Put a policy in force from this month on (unless it names its own start)."""
        if policy.country != self.country:
            policy = dataclasses.replace(policy, country=self.country)
        if policy.start is None and self.model.month > 0:
            month = self.model.world.months[self.model.month].strftime("%Y-%m")
            policy = dataclasses.replace(policy, start=month)
        return self.model.policies.add(policy, self.model.month)

    def ban_exports(self, mineral: str, stage: str, targets="all") -> int:
        """No exports of ``mineral`` at ``stage`` to ``targets``."""
        return self.adopt(
            Policy(
                "export_ban", self.country, mineral, stage, _codes(targets), reason="set by hand"
            )
        )

    def set_import_tariff(self, mineral: str, stage: str, rate: float, origins="all") -> int:
        """Ad valorem tariff on imports of ``mineral`` from ``origins``."""
        return self.adopt(
            Policy(
                "import_tariff",
                self.country,
                mineral,
                stage,
                _codes(origins),
                params={"rate": rate},
                reason="set by hand",
            )
        )

    def step(self) -> None:
        """Decide by the rules; adopted policies take effect this month."""
        index = self.model.world.countries.index(self.country)
        for policy in decide(self.model.situation, index, self.model.month):
            self.adopt(policy)


def _codes(targets) -> tuple[str, ...] | str:
    if targets == "all":
        return "all"
    return (targets,) if isinstance(targets, str) else tuple(targets)
