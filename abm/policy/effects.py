"""What the policies in force do, month by month: trade rules and agents' conditions.

Each month the trade rules are rebuilt from scratch from the policies in force, so a policy
that ends leaves no trace. What each kind does is its instrument's business
(``abm.policy.kinds``): the book holds the policies, the log, the forums in force and the
licensing baselines, and lets each instrument change the rules and conditions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from abm.observations import Observations
from abm.policy.conditions import Conditions
from abm.policy.instruments import Policy
from abm.policy.kinds import INSTRUMENTS
from abm.policy.rules import TradeRules
from abm.policy.schema import PolicyRecord
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
        """Enter ``policy`` in the book from ``month`` on; return its number."""
        self.policies.append(policy)
        self.added_month.append(month)
        return len(self.policies) - 1

    def month_text(self, month: int) -> str:
        """``month`` as YYYY-MM, the form policies' start and end are written in."""
        # Formatted once per run: the book is consulted twice a month.
        if self._month_texts is None:
            self._month_texts = list(self.world.months.strftime("%Y-%m"))
        return self._month_texts[min(month, len(self._month_texts) - 1)]

    def in_force(self, month: int) -> list[tuple[int, Policy]]:
        """The numbered policies in force in ``month``."""
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

    def restrictions(self, month: int) -> list:
        """TEMPORARY (the policy branch replaces it): export bans and licensing in force."""
        from types import SimpleNamespace

        found = []
        for number, policy in self.in_force(month):
            if policy.kind not in ("export_ban", "export_licensing"):
                continue
            targets = np.isin(np.array(self.countries), list(policy.target_codes()))
            for mineral in policy.minerals():
                for stage in policy.stages():
                    found.append(
                        SimpleNamespace(
                            number=number,
                            kind=policy.kind,
                            mineral=self.minerals.index(mineral),
                            stage=STAGE_INDEX[stage],
                            origin=self.countries.index(policy.country),
                            targets=targets,
                            months_to_start=0,
                        )
                    )
        return found

    # ------------------------------------------------------------------ the month
    def apply(self, month: int) -> None:
        """Rebuild trade rules and agents' conditions from the policies in force, each by its
        instrument (``abm.policy.kinds``), phase by phase."""
        self.rules.reset()
        self.conditions.reset()
        self.members[:] = False
        self.settles[:] = False
        self.shared_stockpiles[:] = False
        active = self.in_force(month)
        for phase in (0, 1, 2):
            for number, policy in active:
                instrument = INSTRUMENTS[policy.kind]
                if instrument.phase == phase:
                    instrument.apply(self, number, policy, month)

    # ------------------------------------------------------------------ for the instruments
    @property
    def countries(self) -> tuple[str, ...]:
        """Country codes, in the world's order."""
        return self.world.countries

    @property
    def minerals(self) -> tuple[str, ...]:
        """Minerals, in the world's order."""
        return self.world.minerals

    def sites_in(self, fleet: str, country: str, mineral: int) -> np.ndarray:
        """Which sites of ``fleet`` (mines, refineries, recyclers) are in ``country`` and
        work ``mineral``."""
        if fleet == "recyclers":
            where, minerals = self.recyclers.country, self.recyclers.mineral
        else:
            sites = self.mines if fleet == "mines" else self.refineries
            where, minerals = sites.location, sites.mineral
        return (where == self.countries.index(country)) & (minerals == mineral)

    def join_forum(self, policy: PolicyRecord) -> None:
        """A forum's members settle disputes, share stockpiles and invest with more drive,
        as its parameters say."""
        members = sorted(
            self.countries.index(c) for c in {policy.country, *policy.param("members")}
        )
        grid = np.ix_(members, members)
        self.members[grid] = True
        if policy.param("dispute_settlement"):
            self.settles[grid] = True
        if policy.param("shared_stockpiles"):
            self.shared_stockpiles[grid] = True
        if policy.param("coordinated_investment"):
            boost = self.conditions.investment_boost
            boost[members] = np.maximum(boost[members], policy.param("coordinated_investment"))

    def license(
        self, number: int, policy: PolicyRecord, mineral: str, stage: str, month: int
    ) -> None:
        """Export licensing of one (mineral, stage): no licences during the delay, then caps
        at ``quota_share`` of each target's average monthly imports from the country over the
        12 months before the policy first applied; ``denied`` targets are banned."""
        targets = list(policy.target_codes())
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
