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

import numpy as np

from abm.policy.disputes import forum_cases
from abm.policy.effects import RESTRICTIONS
from abm.policy.instruments import Policy
from abm.policy.nationalism import resource_nationalism
from abm.policy.retaliation import retaliation, signature
from abm.policy.situation import Situation

__all__ = ["Situation", "decide", "industrial_support", "weighed"]

WEIGHED = re.compile(r"(\w+_usd)=([-+0-9.eEinfa]+)")


def weighed(reason: str) -> dict[str, float]:
    """The numbers a decision weighed, read back from its reason: ``{"gain_usd": ...}``."""
    bracket = reason[reason.rfind("[") :] if "[" in reason else ""
    return {name: float(value) for name, value in WEIGHED.findall(bracket)}


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
