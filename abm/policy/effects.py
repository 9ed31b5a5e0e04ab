"""What the policies in force do, month by month: trade rules and agents' conditions.

Each month the trade rules are rebuilt from scratch from the policies in force, so a policy
that ends leaves no trace. Effects by kind:

* ``export_ban``: the pairs (country -> targets) are closed in the market.
* ``export_licensing``: for ``delay_months`` after the start no licence is granted (exports
  to the targets are capped at zero); afterwards exports to each target are capped at
  ``quota_share`` of its average monthly imports from the country over the 12 months before
  the start. ``denied`` targets get no licence at all. Caps bind through a quota rent.
* ``export_tax``: ad valorem tax on the origin price of exports to the targets.
* ``import_tariff``: ad valorem tariff on imports from the targets (the origins taxed).
* ``tariff_exemption``: the country's import tariffs on the mineral are waived.
* ``stockpile``: the government buys toward ``size_months`` of its country's use while the
  home price is below ``max_build_price_ratio`` times its 2023 level, and offers its stock
  when the home price (or, with a forum's shared stockpiles, a member's) passes
  ``release_price_ratio`` times the 2023 level. It trades in the refined market like any
  agent.
* ``recycling_support``: recyclers in the country collect at least ``collection_rate`` of
  end-of-life material and grow capacity at ``capacity_growth`` a year.
* ``investment_support``: new capacity in the country costs ``1 - subsidy`` of its capex.
* ``labour_mobility``: refinery build and ramp times in the country are multiplied by
  ``lead_time_multiplier``.
* ``transparency``: investors in the mineral's market see prices ``report_lag_months`` late
  instead of the setting ``price_report_lag_months``, and misjudge them by a shared error of
  log-sd ``noise`` instead of ``investor_noise``; with ``futures`` they smooth prices over
  a quarter of the usual horizon, so they see scarcity sooner.
* ``forum``: members settle disputes (retaliation between them is damped by the setting
  ``forum_damping``), share stockpiles, and their sites invest with a drive raised by
  ``coordinated_investment``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from abm.observations import Observations
from abm.policy.conditions import Conditions
from abm.policy.instruments import Policy
from abm.policy.rules import TradeRules
from abm.settings import ModelSettings, month_index

if TYPE_CHECKING:
    from abm.agents.producer import MineFleet
    from abm.agents.recycler import RecyclerFleet
    from abm.agents.refiner import RefineryFleet
    from abm.world import World

RESTRICTIONS = ("export_ban", "export_licensing", "export_tax", "import_tariff")
STAGE_INDEX = {"raw": 0, "refined": 1}


class PolicyBook:
    """Every policy of a run (scripted and endogenous), the log, and their effects."""

    def __init__(
        self,
        world: World,
        settings: ModelSettings,
        policies: list[Policy],
        rules: TradeRules,
        conditions: Conditions,
        observations: Observations,
        sites: tuple[MineFleet, RefineryFleet, RecyclerFleet],
    ):
        """The book writes ``rules`` and ``conditions`` each month from the policies in
        force; licensing reads its baselines from ``observations``; ``sites`` (mines,
        refineries, recyclers) say where each agent is, for instruments that act on some."""
        self.world, self.settings = world, settings
        self.rules, self.conditions, self.observations = rules, conditions, observations
        self.mines, self.refineries, self.recyclers = sites
        self._month_texts: list[str] | None = None
        self.policies: list[Policy] = []
        self.added_month: list[int] = []
        self.baseline: dict[tuple, np.ndarray] = {}  # licensing: pre-policy flows per pair
        self.answered: set[tuple[int, int]] = set()  # (policy number, country) considered
        countries = len(world.countries)
        self.members = np.zeros((countries, countries), dtype=bool)
        self.settles = np.zeros((countries, countries), dtype=bool)
        self.shared_stockpiles = np.zeros((countries, countries), dtype=bool)
        for policy in policies:
            self.add(policy, 0)

    # ------------------------------------------------------------------ bookkeeping
    def add(self, policy: Policy, month: int) -> int:
        self.policies.append(policy)
        self.added_month.append(month)
        return len(self.policies) - 1

    def month_text(self, month: int) -> str:
        # Formatted once per run: the book is consulted twice a month.
        if self._month_texts is None:
            self._month_texts = list(self.world.months.strftime("%Y-%m"))
        return self._month_texts[min(month, len(self._month_texts) - 1)]

    def in_force(self, month: int) -> list[tuple[int, Policy]]:
        text = self.month_text(month)
        return [(i, p) for i, p in enumerate(self.policies) if p.active(text)]

    def log_table(self) -> pd.DataFrame:
        """The policy event log: one row per policy, when it takes effect."""
        rows = []
        start = self.settings.start
        for policy, month in zip(self.policies, self.added_month, strict=True):
            begins = policy.start or (start if policy.cause == "scripted" else None)
            rows.append(
                {
                    "date": pd.Timestamp(f"{begins}-01") if begins else self.world.months[month],
                    "country": policy.country,
                    "kind": policy.kind,
                    "mineral": policy.mineral,
                    "stage": policy.stage,
                    "targets": ",".join(policy.target_codes()),
                    "parameters": policy.describe(),
                    "end": pd.Timestamp(f"{policy.end}-01") if policy.end else pd.NaT,
                    "cause": policy.cause,
                    "reason": policy.reason,
                }
            )
        columns = [
            "date",
            "country",
            "kind",
            "mineral",
            "stage",
            "targets",
            "parameters",
            "end",
            "cause",
            "reason",
        ]
        return pd.DataFrame(rows, columns=columns)

    # ------------------------------------------------------------------ the month
    def apply(self, month: int) -> None:
        """Rebuild trade rules and agents' conditions from the policies in force."""
        world, rules, conditions = self.world, self.rules, self.conditions
        rules.reset()
        conditions.reset()
        self.members[:] = False
        self.settles[:] = False
        self.shared_stockpiles[:] = False
        active = self.in_force(month)
        c_index = {c: i for i, c in enumerate(world.countries)}
        for _, policy in active:
            if policy.kind == "forum":
                members = sorted(c_index[c] for c in {policy.country, *policy.param("members")})
                grid = np.ix_(members, members)
                self.members[grid] = True
                if policy.param("dispute_settlement"):
                    self.settles[grid] = True
                if policy.param("shared_stockpiles"):
                    self.shared_stockpiles[grid] = True
                if policy.param("coordinated_investment"):
                    conditions.investment_boost[members] = np.maximum(
                        conditions.investment_boost[members], policy.param("coordinated_investment")
                    )
        for number, policy in active:
            self._apply_one(number, policy, month, c_index)
        for _, policy in active:  # exemptions last: they waive whatever tariffs were set
            if policy.kind == "tariff_exemption":
                for mineral in policy.minerals():
                    for stage in policy.stages():
                        rules.exempt_imports(policy.country, mineral, stage)

    def _apply_one(self, number: int, policy: Policy, month: int, c_index) -> None:
        rules, conditions = self.rules, self.conditions
        kind, country = policy.kind, policy.country
        targets = list(policy.target_codes())
        for mineral in policy.minerals():
            m = self.world.minerals.index(mineral)
            for stage in policy.stages():
                if kind == "export_ban":
                    rules.set_export_ban(country, mineral, stage, targets, banned=True)
                elif kind == "export_tax":
                    rules.set_export_tax(country, mineral, stage, targets, policy.param("rate"))
                elif kind == "import_tariff":
                    rules.set_import_tariff(country, mineral, stage, targets, policy.param("rate"))
                elif kind == "export_licensing":
                    self._licensing(number, policy, mineral, stage, targets, month)
            if kind == "recycling_support":
                recyclers = self.recyclers
                here = (recyclers.country == c_index[country]) & (recyclers.mineral == m)
                conditions.collection_rate[here] = np.maximum(
                    conditions.collection_rate[here], policy.param("collection_rate")
                )
                conditions.recycling_growth[here] = np.maximum(
                    conditions.recycling_growth[here], policy.param("capacity_growth")
                )
            elif kind == "investment_support":
                for stage in policy.stages():
                    fleet = self.mines if stage == "raw" else self.refineries
                    here = (fleet.location == c_index[country]) & (fleet.mineral == m)
                    capex = conditions.capex_multiplier[STAGE_INDEX[stage]]
                    capex[here] = np.minimum(capex[here], 1.0 - policy.param("subsidy"))
            elif kind == "labour_mobility":
                fleet = self.refineries
                here = (fleet.location == c_index[country]) & (fleet.mineral == m)
                conditions.refinery_lead_multiplier[here] = np.minimum(
                    conditions.refinery_lead_multiplier[here], policy.param("lead_time_multiplier")
                )
            elif kind == "transparency":
                conditions.investor_noise[m] = min(
                    conditions.investor_noise[m], policy.param("noise")
                )
                conditions.futures[m] |= bool(policy.param("futures"))
                conditions.report_lag[m] = min(
                    conditions.report_lag[m], policy.param("report_lag_months")
                )
            elif kind == "stockpile":
                conditions.stockpile_policy[(c_index[country], m)] = policy

    def _licensing(self, number, policy: Policy, mineral, stage, targets, month) -> None:
        rules, countries = self.rules, self.world.countries
        s, m = STAGE_INDEX[stage], self.world.minerals.index(mineral)
        i = countries.index(policy.country)
        key = (number, s, m)
        if key not in self.baseline:
            if self.observations.months_seen == 0:
                return  # no trade seen yet: licences start once a month of flows is known
            window = self.observations.recent_flows(s, 12)[:, m, i, :]
            self.baseline[key] = window.mean(axis=0)
        starts = self.settings.start if policy.start is None else policy.start
        elapsed = month_index(self.month_text(month)) - month_index(starts)
        denied = set(policy.param("denied"))
        for target in targets:
            j = countries.index(target)
            if target in denied:
                rules.set_export_ban(policy.country, mineral, stage, [target], banned=True)
                continue
            licensed = (
                0.0
                if elapsed < policy.param("delay_months")
                else (policy.param("quota_share") * self.baseline[key][j])
            )
            rules.set_export_quota(policy.country, mineral, stage, [target], licensed)
