"""Governments' decision rules: how export bans, tariffs and support emerge endogenously.

Every ``decision_interval_months`` each government looks at what it can observe (prices,
output shares over the last year, trade by origin and destination, its refineries' committed
capacity and investors' long-run prices, the policies in force) and may adopt a policy. Each
adopted policy carries its cause (``endogenous``) and its reason, with the numbers it weighed
in a bracket (``[gain_usd=... cost_usd=...]``, read back by ``weighed``). The rules, for
government ``c``, in this order:

Forum cases (``abm.policy.disputes``): ``c``'s export restrictions against members that settle
disputes with it are ruled on ``forum_case_months`` after they are first seen, and end unless
appealed into the void.

Resource nationalism (``abm.policy.nationalism``): a raw-export ban when the present value of
the refining margin ``c`` can actually capture (home capacity, committed projects and the
investment it can attract, built over the lead times, at long-run prices) exceeds the export
revenue lost plus the expected cost of a dispute.

Retaliation (``abm.policy.retaliation``): no answer, a tariff or an export ban to a restriction
aimed at ``c``, by the harm each does to the aggressor against its own cost, no larger than
the harm received, only when the exposure reaches ``retaliation_min_exposure``.

Industrial support. When one foreign origin supplied more than
``industrial_support_threshold`` of ``c``'s refined purchases of ``m`` over the last three
months and ``c`` uses at least 1% of world demand, ``c`` subsidises new refining of ``m`` at
home (``investment_support`` with ``industrial_subsidy``).

No restriction already in force (same kind, country, mineral, stage and targets) is adopted
again. Stockpile release is a rule of the stockpile instrument itself (abm.policy.stockpiles).
The rest of the world (ROW) has no government that decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from abm.observations import Observations
from abm.policy.disputes import forum_cases
from abm.policy.effects import RESTRICTIONS, PolicyBook
from abm.policy.instruments import Policy
from abm.policy.nationalism import resource_nationalism
from abm.policy.retaliation import retaliation, signature
from abm.settings import ModelSettings

if TYPE_CHECKING:
    from abm.agents.producer import MineFleet
    from abm.agents.refiner import RefineryFleet

WEIGHED = re.compile(r"(\w+_usd)=([-+0-9.eEinfa]+)")


@dataclass(frozen=True)
class Situation:
    """What governments' rules may see: the settings, the world's fixed facts, the market's
    recent record (``observations``), the policy book, the sites' committed capacity and
    investors' expectations (read only), and the run's random stream."""

    settings: ModelSettings
    countries: tuple[str, ...]
    minerals: tuple[str, ...]
    reference_price: np.ndarray  # (mineral, stage) 2023 USD/t
    reserve_shares: np.ndarray  # (mineral, country) share of world reserves
    mine_sites: tuple[np.ndarray, np.ndarray]  # each mine's (mineral, location)
    refinery_sites: tuple[np.ndarray, np.ndarray]  # each refinery's (mineral, location)
    observations: Observations
    policies: PolicyBook
    rng: np.random.Generator
    mines: MineFleet
    refineries: RefineryFleet
    refining_lead_months: np.ndarray  # (3, mineral): permits, build, ramp-up of refining
    horizon_months: int  # months in the run (the capacity path's length)


def weighed(reason: str) -> dict[str, float]:
    """The numbers a decision weighed, read back from its reason: ``{"gain_usd": ...}``."""
    bracket = reason[reason.rfind("[") :] if "[" in reason else ""
    return {name: float(value) for name, value in WEIGHED.findall(bracket)}


def output_shares(view: Situation, months: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Mining and refining shares by (mineral, country) over the last ``months``."""
    shares = []
    for stage, sites in enumerate((view.mine_sites, view.refinery_sites)):
        total = np.zeros((len(view.minerals), len(view.countries)))
        np.add.at(total, sites, view.observations.output_over(stage, months))
        shares.append(total / np.maximum(total.sum(axis=1, keepdims=True), 1e-300))
    return shares[0], shares[1]


def industrial_support(view: Situation, c: int, month: int) -> list[Policy]:
    """Investment support where one foreign origin supplies too much of what ``c`` imports."""
    settings = view.settings
    country = view.countries[c]
    arrivals = view.observations.flows_over(1, 3)  # (mineral, origin, destination)
    into_c = arrivals[:, :, c].sum(axis=1)
    world_use = arrivals.sum(axis=(1, 2))
    supported = {
        p.mineral
        for _, p in view.policies.in_force(month)
        if p.country == country and p.kind == "investment_support"
    }
    adopted = []
    for m, mineral in enumerate(view.minerals):
        if mineral in supported or into_c[m] < 0.01 * world_use[m] or into_c[m] <= 0:
            continue
        foreign = arrivals[m, :, c].copy()
        foreign[c] = 0.0
        top = int(np.argmax(foreign))
        share = foreign[top] / into_c[m]
        if share > settings.industrial_support_threshold:
            adopted.append(
                Policy(
                    "investment_support",
                    country,
                    mineral,
                    "refined",
                    "all",
                    params={"subsidy": settings.industrial_subsidy},
                    cause="endogenous",
                    reason=f"industrial support: {share:.0%} of refined "
                    f"{mineral} came from {view.countries[top]}",
                )
            )
    return adopted


def decide(view: Situation, c: int, month: int) -> list[Policy]:
    """All rules for one government, in a fixed order; nothing already in force twice."""
    if view.countries[c] == "ROW":
        return []
    forum_cases(view, c, month)
    taken = {signature(p) for _, p in view.policies.in_force(month) if p.kind in RESTRICTIONS}
    adopted = [p for p in resource_nationalism(view, c, month) if signature(p) not in taken]
    taken |= {signature(p) for p in adopted}
    if view.settings.retaliation:
        adopted += retaliation(view, c, month, taken)
    adopted += industrial_support(view, c, month)
    return adopted
