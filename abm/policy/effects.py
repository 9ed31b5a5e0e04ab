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
from abm.policy.kinds import INSTRUMENTS, ExportLicensing
from abm.policy.licensing import (
    LicenceBaseline,
    Restriction,
    applications,
    licence_baseline,
    licensed_caps,
)
from abm.policy.rules import TradeRules
from abm.policy.schema import PolicyRecord
from abm.settings import ModelSettings, month_index

if TYPE_CHECKING:
    from abm.agents.producer import MineFleet
    from abm.agents.recycler import RecyclerFleet
    from abm.agents.refiner import RefineryFleet
    from abm.world import World

RESTRICTIONS = ("export_ban", "export_licensing", "export_tax", "import_tariff")
EXPORT_LIMITS = ("export_ban", "export_licensing")  # what ``restrictions`` lists
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
        self.baseline: dict[tuple, LicenceBaseline] = {}  # licensing, per (policy, stage, mineral)
        self.refused: dict[tuple, dict[int, np.ndarray]] = {}  # licensing: month -> t refused
        self.answered: set[tuple[int, int]] = set()  # (policy number, country) considered
        self.cases: dict[int, int] = {}  # forum cases: policy number -> month of the ruling
        self.ruled: set[int] = set()  # policy numbers whose case has been ruled on
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
        """The policy event log: one row per policy, when it takes effect and when it was
        announced (its start unless the record says otherwise)."""
        rows = []
        start = self.settings.start
        for policy, month in zip(self.policies, self.added_month, strict=True):
            begins = policy.start or (start if policy.cause == "scripted" else None)
            date = pd.Timestamp(f"{begins}-01") if begins else self.world.months[month]
            rows.append(
                {
                    "date": date,
                    "announced": pd.Timestamp(f"{policy.announced}-01")
                    if policy.announced
                    else date,
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
            "announced",
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
        table = pd.DataFrame(rows, columns=columns)
        # One dtype whatever the rows hold: a column of month strings parses to seconds, one
        # of NaT alone to nanoseconds, and the written tables would differ with the policies.
        for column in ("date", "announced", "end"):
            table[column] = table[column].astype("datetime64[ns]")
        return table

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
        """Export licensing of one (mineral, stage) as a process (``abm.policy.licensing``):
        each target's cap is what it applies for this month times the share of exporters
        licensed by now (``ExportLicensing.licensed_share``), within any volume quota;
        ``denied`` targets are banned. Baselines are the 12 months before the policy first
        applied."""
        countries = self.world.countries
        s, m = STAGE_INDEX[stage], self.world.minerals.index(mineral)
        key = (number, s, m)
        if key not in self.baseline:
            if self.observations.months_seen == 0:
                return  # no trade seen yet: licences start once a month of flows is known
            window = self.observations.recent_flows(s, 12)[:, m, :, :]
            self.baseline[key] = licence_baseline(window, countries.index(policy.country))
        baseline = self.baseline[key]
        starts = self.settings.start if policy.start is None else policy.start
        in_force = month_index(self.month_text(month)) - month_index(starts)
        share = ExportLicensing.licensed_share(policy, in_force)
        purchases = self.observations.recent_flows(s, 1)[0, m].sum(axis=0)
        refused_before = self.refused.get(key, {}).get(month - 1, np.zeros(len(countries)))
        applied = applications(baseline, purchases, refused_before)
        caps = licensed_caps(baseline, applied, share, policy.param("quota_share"))
        self.refused[key] = {month - 1: refused_before, month: applied - caps}
        denied = set(policy.param("denied"))
        for target in policy.target_codes():
            if target in denied:
                self.rules.set_export_ban(policy.country, mineral, stage, [target], banned=True)
                continue
            cap = float(caps[countries.index(target)])
            self.rules.set_export_quota(policy.country, mineral, stage, [target], cap)

    # ------------------------------------------------------------------ for agents
    def restrictions(self, month: int) -> list[Restriction]:
        """Every export ban and licensing announced by ``month`` and not ended, one entry
        per mineral and stage it covers: what buyers and stockholders may know is coming."""
        now = month_index(self.month_text(month))
        countries = np.array(self.world.countries)
        found = []
        for number, policy in enumerate(self.policies):
            announced = policy.announced_month()
            if (
                policy.kind not in EXPORT_LIMITS
                or self.added_month[number] > month
                or (announced is not None and month_index(announced) > now)
                or (policy.end is not None and now > month_index(policy.end))
            ):
                continue
            to_start = 0 if policy.start is None else max(month_index(policy.start) - now, 0)
            targets = np.isin(countries, policy.target_codes())
            targets.flags.writeable = False
            origin = self.world.countries.index(policy.country)
            for mineral in policy.minerals():
                for stage in policy.stages():
                    found.append(
                        Restriction(
                            number=number,
                            kind=policy.kind,
                            mineral=self.world.minerals.index(mineral),
                            stage=STAGE_INDEX[stage],
                            origin=origin,
                            targets=targets,
                            months_to_start=to_start,
                        )
                    )
        return found
