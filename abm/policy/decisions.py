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

from typing import TYPE_CHECKING

import numpy as np

from abm.policy.effects import RESTRICTIONS
from abm.policy.instruments import Policy

if TYPE_CHECKING:
    from abm.model import MineralsModel

EXPORT_RESTRICTIONS = ("export_ban", "export_licensing", "export_tax")


def _recent(array: np.ndarray, done: int, months: int) -> np.ndarray:
    return array[max(0, done - months) : done].sum(axis=0)


def output_shares(model: MineralsModel, months: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Mining and refining shares by (mineral, country) over the last ``months``."""
    world, rec = model.world, model.recorder
    shares = []
    for fleet, output in ((model.mines, rec.mine_output), (model.refineries, rec.refinery_output)):
        total = np.zeros((len(world.minerals), len(world.countries)))
        np.add.at(total, (fleet.mineral, fleet.location), _recent(output, rec.months_done, months))
        shares.append(total / np.maximum(total.sum(axis=1, keepdims=True), 1e-300))
    return shares[0], shares[1]


def resource_nationalism(model: MineralsModel, c: int, month: int) -> list[Policy]:
    settings, world = model.settings, model.world
    country = world.countries[c]
    mining, refining = output_shares(model)
    reserves = model.reserve_shares
    raw, refined = model.last_clearing
    adopted = []
    in_force = {
        (p.kind, p.mineral, p.stage)
        for _, p in model.policies.in_force(month)
        if p.country == country
    }
    for m, mineral in enumerate(world.minerals):
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


def _largest_supply_share(model, c: int, a: int, done: int) -> tuple[int, float, int]:
    """(mineral, stage) where ``c`` supplies the largest share of ``a``'s imports."""
    best = (-1, 0.0, 1)
    for s in (0, 1):
        arrivals = _recent(model.recorder.flows[s], done, 3)  # (mineral, origin, destination)
        into_a = arrivals[:, :, a].sum(axis=1)
        share = arrivals[:, c, a] / np.maximum(into_a, 1e-300)
        m = int(np.argmax(share))
        if share[m] > best[1]:
            best = (m, float(share[m]), s)
    return best


def _exposure(model: MineralsModel, policy: Policy, a: int, c: int, done: int) -> float:
    """How much a restriction by ``a`` hurts ``c``, before it bit (largest over its scope).

    Export restrictions: the share of ``c``'s purchases that came from ``a``. Tariffs: the
    share of ``c``'s exports that went to ``a``. Measured over the 12 months before the
    policy was adopted.
    """
    book, world = model.policies, model.world
    number = book.policies.index(policy)
    upto = max(min(book.added_month[number], done), 1)
    worst = 0.0
    for mineral in policy.minerals():
        m = world.minerals.index(mineral)
        for stage in policy.stages():
            flows = _recent(model.recorder.flows[0 if stage == "raw" else 1], upto, 12)[m]
            if policy.kind == "import_tariff":
                total = flows[c, :].sum() - flows[c, c]
                part = flows[c, a]
            else:
                total = flows[:, c].sum()
                part = flows[a, c]
            worst = max(worst, part / total if total > 0 else 0.0)
    return worst


def retaliation(model: MineralsModel, c: int, month: int) -> list[Policy]:
    settings, world, book = model.settings, model.world, model.policies
    country = world.countries[c]
    adopted: list[Policy] = []
    done = model.recorder.months_done
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
        a = world.countries.index(policy.country)
        chance = settings.retaliation_probability
        if book.settles[c, a]:
            chance *= 1.0 - settings.forum_damping
        if model.rng.random() >= chance:
            continue
        why = f"retaliation against {policy.country}'s {policy.kind} on {policy.mineral}"
        m, share, s = _largest_supply_share(model, c, a, done)
        if policy.kind in EXPORT_RESTRICTIONS and share >= 0.05:
            adopted.append(
                Policy(
                    "export_ban",
                    country,
                    world.minerals[m],
                    ("raw", "refined")[s],
                    (policy.country,),
                    cause="endogenous",
                    reason=f"{why}: {country} supplies {share:.0%} of "
                    f"{policy.country}'s {world.minerals[m]} imports",
                )
            )
            continue
        imports = _recent(model.recorder.flows[1], done, 3)[:, a, c]
        value = imports * world.reference_price[:, 1]
        for m in np.argsort(-value):
            mineral = world.minerals[m]
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


def industrial_support(model: MineralsModel, c: int, month: int) -> list[Policy]:
    settings, world = model.settings, model.world
    country = world.countries[c]
    done = model.recorder.months_done
    arrivals = _recent(model.recorder.flows[1], done, 3)  # (mineral, origin, destination)
    into_c = arrivals[:, :, c].sum(axis=1)
    world_use = arrivals.sum(axis=(1, 2))
    supported = {
        p.mineral
        for _, p in model.policies.in_force(month)
        if p.country == country and p.kind == "investment_support"
    }
    adopted = []
    for m, mineral in enumerate(world.minerals):
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
                    f"{mineral} came from {world.countries[top]}",
                )
            )
    return adopted


def decide(model: MineralsModel, c: int, month: int) -> list[Policy]:
    """All rules for one government, in a fixed order."""
    if model.world.countries[c] == "ROW":
        return []
    adopted = resource_nationalism(model, c, month)
    if model.settings.retaliation:
        adopted += retaliation(model, c, month)
    adopted += industrial_support(model, c, month)
    return adopted
