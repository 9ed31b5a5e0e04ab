"""Governments' decision rules: how export bans, tariffs and support emerge endogenously.

Every ``decision_interval_months`` each government looks at what it can observe (prices at
home, output shares over the last year, its imports by origin, the policies in force) and
may adopt a policy. Each adopted policy carries its cause (``endogenous``) and the reason,
with the numbers that triggered it. The rules, for government ``c`` and mineral ``m``:

Resource nationalism (the Indonesian nickel path). ``c`` bans raw exports of ``m`` when
    reserves_share[c] >= nationalism_reserve_share, mining_share[c] >= 0.05,
    refining_share[c] < mining_share[c] / 2, and
    capture * (P_refined[c] - P_raw[c]) > (1 - capture) * P_raw[c],
i.e. when the value added it expects to keep at home on the share ``capture`` of its ore
that would be refined locally beats the export revenue lost on the rest (equivalently,
P_refined / P_raw > 1 / capture). The rest of the world (ROW) has no government that
decides.

Retaliation. For each restriction in force (export ban, licensing, export tax or import
tariff) by ``a`` that names ``c`` among its targets, that ``c`` has not yet considered and
that hurts it (``a`` supplied at least ``retaliation_min_exposure`` of ``c``'s purchases of
what ``a`` restricts, or took that share of ``c``'s exports of what ``a`` taxes), ``c``
answers with probability ``retaliation_probability``, times ``1 - forum_damping``
when both sit in a forum with dispute settlement. An export restriction is answered by an
export ban on the mineral of which ``c`` supplies ``a`` the largest share (if at least 5%),
otherwise by a tariff of ``retaliation_tariff`` on ``a``'s refined exports of the mineral
``c`` imports most from ``a`` (by value) and does not yet tax. A tariff is answered by a
tariff. Answers are restrictions too, so they can be answered in turn: a cascade.

Industrial support. When one foreign origin supplied more than
``industrial_support_threshold`` of ``c``'s refined purchases of ``m`` over the last three
months and ``c`` uses at least 1% of world demand, ``c`` subsidises new refining of ``m`` at
home (``investment_support`` with ``industrial_subsidy``).

Stockpile release is a rule of the stockpile instrument itself (abm.policy.stockpiles).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abm.observations import Observations
from abm.policy.effects import RESTRICTIONS, PolicyBook
from abm.policy.instruments import Policy
from abm.settings import ModelSettings

EXPORT_RESTRICTIONS = ("export_ban", "export_licensing", "export_tax")


@dataclass(frozen=True)
class Situation:
    """What governments' rules may see: the settings, the world's fixed facts, the market's
    recent record (``observations``), the policy book, and the run's random stream."""

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


def output_shares(view: Situation, months: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Mining and refining shares by (mineral, country) over the last ``months``."""
    shares = []
    for stage, sites in enumerate((view.mine_sites, view.refinery_sites)):
        total = np.zeros((len(view.minerals), len(view.countries)))
        np.add.at(total, sites, view.observations.output_over(stage, months))
        shares.append(total / np.maximum(total.sum(axis=1, keepdims=True), 1e-300))
    return shares[0], shares[1]


def resource_nationalism(view: Situation, c: int, month: int) -> list[Policy]:
    """Raw-export bans where ``c`` mines much, refines little and expects to keep the value
    added."""
    settings = view.settings
    country = view.countries[c]
    mining, refining = output_shares(view)
    reserves = view.reserve_shares
    raw, refined = view.observations.last_clearing
    assert raw is not None and refined is not None, "governments decide after the first month"
    adopted = []
    in_force = {
        (p.kind, p.mineral, p.stage)
        for _, p in view.policies.in_force(month)
        if p.country == country
    }
    for m, mineral in enumerate(view.minerals):
        if ("export_ban", mineral, "raw") in in_force:
            continue
        if not (
            reserves[m, c] >= settings.nationalism_reserve_share
            and mining[m, c] >= 0.05
            and refining[m, c] < mining[m, c] / 2
        ):
            continue
        p_raw = raw.origin_price[m, c]
        p_refined = refined.destination_price[m, c]
        if not (np.isfinite(p_raw) and np.isfinite(p_refined)):
            continue
        capture = settings.nationalism_capture
        gain, loss = capture * (p_refined - p_raw), (1 - capture) * p_raw
        if gain > loss:
            adopted.append(
                Policy(
                    "export_ban",
                    country,
                    mineral,
                    "raw",
                    "all",
                    start=None,
                    cause="endogenous",
                    reason=(
                        f"resource nationalism: reserves {reserves[m, c]:.0%}, mining "
                        f"{mining[m, c]:.0%}, refining {refining[m, c]:.0%}; expected value "
                        f"kept {gain:,.0f} > export revenue lost {loss:,.0f} USD/t"
                    ),
                )
            )
    return adopted


def _largest_supply_share(view: Situation, c: int, a: int) -> tuple[int, float, int]:
    """(mineral, stage) where ``c`` supplies the largest share of ``a``'s imports."""
    best = (-1, 0.0, 1)
    for s in (0, 1):
        arrivals = view.observations.flows_over(s, 3)  # (mineral, origin, destination)
        into_a = arrivals[:, :, a].sum(axis=1)
        share = arrivals[:, c, a] / np.maximum(into_a, 1e-300)
        m = int(np.argmax(share))
        if share[m] > best[1]:
            best = (m, float(share[m]), s)
    return best


def _exposure(view: Situation, policy: Policy, a: int, c: int) -> float:
    """How much a restriction by ``a`` hurts ``c`` (largest over its scope).

    Export restrictions: the share of ``c``'s purchases that came from ``a``. Tariffs: the
    share of ``c``'s exports that went to ``a``. Measured over the last 12 months observed.
    Not yet called by ``retaliation`` (the government issue wires it in).
    """
    worst = 0.0
    for mineral in policy.minerals():
        m = view.minerals.index(mineral)
        for stage in policy.stages():
            flows = view.observations.flows_over(0 if stage == "raw" else 1, 12)[m]
            if policy.kind == "import_tariff":
                total = flows[c, :].sum() - flows[c, c]
                part = flows[c, a]
            else:
                total = flows[:, c].sum()
                part = flows[a, c]
            worst = max(worst, part / total if total > 0 else 0.0)
    return worst


def retaliation(view: Situation, c: int, month: int) -> list[Policy]:
    """Tariffs in answer to restrictions others aimed at ``c``, once per restriction."""
    settings, book, minerals = view.settings, view.policies, view.minerals
    country = view.countries[c]
    adopted: list[Policy] = []
    taxed = {
        (p.mineral, tuple(p.target_codes()))
        for _, p in book.in_force(month)
        if p.country == country and p.kind == "import_tariff"
    }
    for number, policy in book.in_force(month):
        if (
            policy.kind not in RESTRICTIONS
            or policy.country == country
            or country not in policy.target_codes()
            or (number, c) in book.answered
        ):
            continue
        book.answered.add((number, c))
        a = view.countries.index(policy.country)
        chance = settings.retaliation_probability
        if book.settles[c, a]:
            chance *= 1.0 - settings.forum_damping
        if view.rng.random() >= chance:
            continue
        why = f"retaliation against {policy.country}'s {policy.kind} on {policy.mineral}"
        m, share, s = _largest_supply_share(view, c, a)
        if policy.kind in EXPORT_RESTRICTIONS and share >= 0.05:
            adopted.append(
                Policy(
                    "export_ban",
                    country,
                    minerals[m],
                    ("raw", "refined")[s],
                    (policy.country,),
                    cause="endogenous",
                    reason=f"{why}: {country} supplies {share:.0%} of "
                    f"{policy.country}'s {minerals[m]} imports",
                )
            )
            continue
        imports = view.observations.flows_over(1, 3)[:, a, c]
        value = imports * view.reference_price[:, 1]
        for m in np.argsort(-value):
            mineral = minerals[m]
            if value[m] <= 0 or (mineral, (policy.country,)) in taxed:
                continue
            taxed.add((mineral, (policy.country,)))
            adopted.append(
                Policy(
                    "import_tariff",
                    country,
                    mineral,
                    "refined",
                    (policy.country,),
                    params={"rate": settings.retaliation_tariff},
                    cause="endogenous",
                    reason=f"{why}: tariff on {mineral}, its largest import "
                    f"from {policy.country} by value",
                )
            )
            break
    return adopted


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
    """All rules for one government, in a fixed order."""
    if view.countries[c] == "ROW":
        return []
    adopted = resource_nationalism(view, c, month)
    if view.settings.retaliation:
        adopted += retaliation(view, c, month)
    adopted += industrial_support(view, c, month)
    return adopted
