"""Retaliation as a choice: no answer, a tariff or an export ban, by what each costs and does.

A government ``c`` hit by a restriction of ``a`` values, over the last 12 months of trade at
this month's delivered prices (the 2023 price where nothing arrived):

- the harm received: the purchases from ``a`` the restriction withholds (an export ban all
  of them; licensing the share not licensed in its first year; an export tax its rate), or
  for a tariff on ``c``'s exports, those exports times the rate;
- for each answer, the harm done to ``a`` and its own cost. A ban on what ``c`` sells ``a``
  harms ``a`` by the value of those purchases times ``c``'s share of ``a``'s supply (what
  ``a`` cannot replace: nothing from a marginal supplier, all from a sole one) and costs
  ``c``'s exporters that value times ``a``'s share of their sales (what they cannot sell
  elsewhere: ``c``'s dependence on ``a``). A tariff at rate ``r`` on what ``c`` buys from
  ``a`` harms ``a`` by value x r x ``c``'s share of ``a``'s sales and costs ``c``'s users
  value x r x ``a``'s share of their purchases. These shares are an ESTIMATE of incidence
  (docs/ODD.md): whoever cannot switch bears the cut.

Only answers no larger than the harm received are allowed (a tariff's rate is cut down to
that size; a larger ban is not an option), answers already in force are not repeated, and
``c`` picks the one with the largest harm done less own cost, or none when no answer harms
``a`` more than it costs ``c``. It answers at all only when the restriction's exposure (the
share of ``c``'s purchases, or for a tariff of its exports, at stake) reaches
``retaliation_min_exposure``, and then with probability ``retaliation_probability``, times
``1 - forum_damping`` between members of a forum that settles disputes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from abm.policy.instruments import Policy
from abm.policy.kinds import ExportLicensing

if TYPE_CHECKING:
    from abm.policy.situation import Situation

STAGES = ("raw", "refined")


@dataclass(frozen=True)
class Answer:
    """One possible answer and the numbers it is weighed by (USD a year)."""

    kind: str
    mineral: int
    stage: int
    harm_done_usd: float
    own_cost_usd: float
    rate: float = 0.0

    @property
    def net_usd(self) -> float:
        """What the answer does to the aggressor beyond what it costs the retaliator."""
        return self.harm_done_usd - self.own_cost_usd


def trade_value(view: Situation) -> np.ndarray:
    """(stage, mineral, origin, destination) USD a year: the last 12 months' flows at this
    month's delivered prices (the 2023 price where nothing arrived)."""
    months = min(max(view.observations.months_seen, 1), 12)
    values = []
    for s, clearing in enumerate(view.observations.last_clearing):
        flows = view.observations.flows_over(s, months) * (12.0 / months)
        price = np.full((len(view.minerals), len(view.countries)), np.nan)
        if clearing is not None:
            price = clearing.destination_price
        price = np.where(np.isfinite(price), price, view.reference_price[:, s, None])
        values.append(flows * price[:, None, :])
    return np.stack(values)


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return np.divide(part, whole, out=np.zeros_like(part), where=whole > 0)


def withheld_share(policy: Policy, target: str) -> float:
    """Share of the target's purchases a restriction withholds in its first year."""
    if policy.kind == "export_ban":
        return 1.0
    if policy.kind == "export_licensing":
        if target in policy.param("denied"):
            return 1.0
        licensed = np.mean([ExportLicensing.licensed_share(policy, t) for t in range(12)])
        return float(1.0 - policy.param("quota_share") * licensed)
    return float(min(policy.param("rate"), 1.0))  # export tax or import tariff


def harm_received(view: Situation, value: np.ndarray, policy: Policy, a: int, c: int) -> float:
    """USD a year the restriction of ``a`` takes from ``c``."""
    harm = 0.0
    for mineral in policy.minerals():
        m = view.minerals.index(mineral)
        for stage in policy.stages():
            s = STAGES.index(stage)
            at_stake = value[s, m, c, a] if policy.kind == "import_tariff" else value[s, m, a, c]
            harm += at_stake * withheld_share(policy, view.countries[c])
    return float(harm)


def exposure(view: Situation, policy: Policy, a: int, c: int) -> float:
    """How much a restriction by ``a`` hurts ``c`` (largest over its scope): the share of
    ``c``'s purchases that came from ``a``, or for a tariff the share of ``c``'s exports that
    went to ``a``, over the last 12 months."""
    worst = 0.0
    for mineral in policy.minerals():
        m = view.minerals.index(mineral)
        for stage in policy.stages():
            flows = view.observations.flows_over(STAGES.index(stage), 12)[m]
            if policy.kind == "import_tariff":
                total, part = flows[c, :].sum() - flows[c, c], flows[c, a]
            else:
                total, part = flows[:, c].sum(), flows[a, c]
            worst = max(worst, part / total if total > 0 else 0.0)
    return worst


def answers(view: Situation, value: np.ndarray, a: int, c: int, cap_usd: float) -> list[Answer]:
    """Every answer ``c`` could give ``a``, no larger than ``cap_usd``, with its numbers."""
    found = []
    rate = view.settings.retaliation_tariff
    for s in (0, 1):
        sales = value[s, :, c, a]  # what c sells a, by mineral
        a_supply = _share(sales, value[s, :, :, a].sum(axis=1))
        c_market = _share(sales, value[s, :, c, :].sum(axis=1))
        for m in np.flatnonzero(sales > 0):
            harm = sales[m] * a_supply[m]
            if harm <= cap_usd:
                found.append(Answer("export_ban", int(m), s, harm, sales[m] * c_market[m]))
    purchases = value[1, :, a, c]  # what c buys from a, refined, by mineral
    a_market = _share(purchases, value[1, :, a, :].sum(axis=1))
    c_supply = _share(purchases, value[1, :, :, c].sum(axis=1))
    for m in np.flatnonzero(purchases > 0):
        harm = purchases[m] * rate * a_market[m]
        scaled = min(rate, rate * cap_usd / harm) if harm > 0 else rate
        if harm > 0 and scaled > 0:
            shrink = scaled / rate
            cost = purchases[m] * rate * c_supply[m] * shrink
            found.append(Answer("import_tariff", int(m), 1, harm * shrink, cost, scaled))
    return found


def as_policy(view: Situation, answer: Answer, policy: Policy, c: int, received: float) -> Policy:
    """The chosen answer as a policy aimed at the aggressor, its numbers in its reason."""
    country, mineral = view.countries[c], view.minerals[answer.mineral]
    what = "tariff" if answer.kind == "import_tariff" else "export ban"
    return Policy(
        answer.kind,
        country,
        mineral,
        STAGES[answer.stage],
        (policy.country,),
        params={"rate": round(answer.rate, 6)} if answer.kind == "import_tariff" else {},
        cause="endogenous",
        reason=(
            f"retaliation against {policy.country}'s {policy.kind} on {policy.mineral}: "
            f"{what} on {STAGES[answer.stage]} {mineral} harms {policy.country} by "
            f"{answer.harm_done_usd:,.0f} and costs {country} {answer.own_cost_usd:,.0f} "
            f"USD a year, against {received:,.0f} received "
            f"[gain_usd={answer.harm_done_usd:.6g} cost_usd={answer.own_cost_usd:.6g} "
            f"harm_received_usd={received:.6g}]"
        ),
    )


def retaliation(view: Situation, c: int, month: int, taken: set[tuple]) -> list[Policy]:
    """Answers to restrictions others aimed at ``c``, each restriction considered once.
    ``taken`` holds the (kind, country, mineral, stage, targets) already in force, so no
    answer repeats one."""
    settings, book = view.settings, view.policies
    country = view.countries[c]
    adopted: list[Policy] = []
    value: np.ndarray | None = None
    for number, policy in book.in_force(month):
        if (
            policy.kind not in ("export_ban", "export_licensing", "export_tax", "import_tariff")
            or policy.country == country
            or country not in policy.target_codes()
            or (number, c) in book.answered
        ):
            continue
        book.answered.add((number, c))
        a = view.countries.index(policy.country)
        if exposure(view, policy, a, c) < settings.retaliation_min_exposure:
            continue
        chance = settings.retaliation_probability
        if book.settles[c, a]:
            chance *= 1.0 - settings.forum_damping
        if view.rng.random() >= chance:
            continue
        value = trade_value(view) if value is None else value
        received = harm_received(view, value, policy, a, c)
        options = [
            option
            for option in answers(view, value, a, c, received)
            if option.net_usd > 0
            and (
                option.kind,
                country,
                view.minerals[option.mineral],
                STAGES[option.stage],
                (policy.country,),
            )
            not in taken
        ]
        if not options:
            continue
        best = max(options, key=lambda option: option.net_usd)
        chosen = as_policy(view, best, policy, c, received)
        taken.add(signature(chosen))
        adopted.append(chosen)
    return adopted


def signature(policy: Policy) -> tuple:
    """What makes two restrictions the same: kind, country, mineral, stage and targets."""
    return (policy.kind, policy.country, policy.mineral, policy.stage, policy.target_codes())
