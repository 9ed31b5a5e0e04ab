"""Resource nationalism as an investment case: ban raw exports only if refining at home pays.

A government ``c`` that holds at least ``nationalism_reserve_share`` of the world's reserves
of ``m``, mines at least 5% of it and refines less than half its mining share weighs a ban on
raw exports over ``asset_life_years``, month by month, discounted at ``hurdle_rate``:

- ore it could refine at home in month t: the spare home refining capacity (the committed
  capacity path of its refineries, projects under way included, plus the investment a ban
  can be expected to attract, less what they refine today), at most its raw exports E. The
  attracted investment is the model's own investment rule at full drive (``investment_rate``
  a year of the larger of home capacity and an entrant's ``entry_share`` of world capacity),
  arriving after the refining lead times (brownfield after the build, greenfield after
  permits and build, half the ramp-up): an upper bound, so the case errs towards banning;
- gain: that ore times the long-run gross refining margin (investors' expected refined price
  less the ore's expected price at home): the value added at home, since wages, energy and
  taxes in the conversion cost are spent there as much as the refiner's profit (an ESTIMATE
  of what a government counts, as the value-adding case for ore bans argues);
- export revenue lost: the rest of E, unsold, at the ore's long-run price;
- expected cost of a dispute: where a target settles disputes with ``c`` in a forum, a case
  ends the ban ``forum_case_months`` after it starts unless appealed into the void
  (``forum_appeal_void_share``), so that share of the ban's net value after the ruling is
  lost (never less than zero).

The ban is adopted when the gain exceeds the export revenue lost plus the dispute cost; the
three numbers are in its reason. A country without refining captures nothing until the
attracted capacity arrives, years later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from abm.groups import group_medians
from abm.policy.instruments import Policy
from abm.policy.situation import output_shares

if TYPE_CHECKING:
    from abm.policy.situation import Situation

RAW, REFINED = 0, 1


@dataclass(frozen=True)
class Case:
    """The present values a raw-export ban is judged by, USD."""

    gain_usd: float
    export_loss_usd: float
    dispute_usd: float
    first_year_capture: float  # share of exports refined at home in the ban's first year

    @property
    def cost_usd(self) -> float:
        """Export revenue lost plus the expected cost of a dispute."""
        return self.export_loss_usd + self.dispute_usd


def home_capacity(view: Situation, m: int, c: int, month: int, horizon: int) -> np.ndarray:
    """(horizon,) t/month of refining of ``m`` in ``c`` committed for each month ahead."""
    fleet = view.refineries
    rows = np.flatnonzero((fleet.mineral == m) & (fleet.location == c))
    if rows.size == 0:
        return np.zeros(horizon)
    months = np.minimum(month + np.arange(horizon), view.horizon_months - 1)
    return fleet.capacity_of(rows[:, None], months[None, :]).sum(axis=0)


def attracted_capacity(view: Situation, m: int, c: int, month: int, horizon: int) -> np.ndarray:
    """(horizon,) t/month of new home refining a ban may attract, by the investment rule at
    full drive over the refining lead times."""
    settings, fleet = view.settings, view.refineries
    here = (fleet.mineral == m) & (fleet.location == c)
    capacity = fleet.capacity_in(month)
    world = capacity[fleet.mineral == m].sum()
    home = capacity[here].sum()
    base = max(home, settings.entry_share * world)
    decision, build, ramp = view.refining_lead_months[:, m]
    brownfield = settings.brownfield_share if home > 0 else 0.0
    t = np.arange(horizon, dtype=float)
    built_months = brownfield * np.maximum(t - build - ramp / 2, 0.0) + (
        1.0 - brownfield
    ) * np.maximum(t - decision - build - ramp / 2, 0.0)
    return base * settings.investment_rate / 12.0 * built_months


def long_run_prices(view: Situation, m: int, c: int) -> tuple[float, float]:
    """(refined, raw at home) USD/t investors expect in the long run."""
    reference = view.reference_price
    mines, refineries = view.mines, view.refineries
    home = mines.investment_price[(mines.mineral == m) & (mines.location == c)]
    home = home[np.isfinite(home)]
    world_raw = group_medians(mines.mineral, mines.investment_price, reference[:, RAW])[m]
    raw_price = float(np.median(home)) if home.size else float(world_raw)
    refined = group_medians(refineries.mineral, refineries.investment_price, reference[:, REFINED])
    return float(refined[m]), raw_price


def investment_case(view: Situation, m: int, c: int, month: int) -> Case:
    """The present values of banning raw exports of ``m`` from ``c`` from ``month``."""
    settings, observed = view.settings, view.observations
    months = min(max(observed.months_seen, 1), 12)
    flows = observed.flows_over(RAW, months)[m, c] / months
    exports = flows.sum() - flows[c]
    horizon = round(settings.asset_life_years * 12)
    refining_now = (
        observed.output_over(REFINED, months)[
            (view.refineries.mineral == m) & (view.refineries.location == c)
        ].sum()
        / months
    )
    capacity = home_capacity(view, m, c, month, horizon)
    capacity = capacity + attracted_capacity(view, m, c, month, horizon)
    captured = np.clip(capacity - refining_now, 0.0, exports)
    refined, raw = long_run_prices(view, m, c)
    margin = max(refined - raw, 0.0)  # value added at home: conversion spending included
    discount = (1.0 + settings.hurdle_rate) ** (-np.arange(horizon) / 12.0)
    gain = captured * margin * discount
    lost = (exports - captured) * raw * discount
    dispute = 0.0
    others = np.arange(len(view.countries)) != c  # the ban aims at every other country
    if view.policies.settles[c, others].any():
        ruling = settings.forum_case_months
        late = (gain[ruling:] - lost[ruling:]).sum()
        dispute = (1.0 - settings.forum_appeal_void_share) * max(late, 0.0)
    first_year = captured[:12].mean() / exports if exports > 0 else 0.0
    return Case(float(gain.sum()), float(lost.sum()), float(dispute), float(first_year))


def resource_nationalism(view: Situation, c: int, month: int) -> list[Policy]:
    """Raw-export bans where ``c`` mines much, refines little, and the investment case for
    refining at home beats the export revenue lost and the dispute risk."""
    settings, country = view.settings, view.countries[c]
    mining, refining = output_shares(view)
    reserves = view.reserve_shares
    in_force = {
        (p.kind, p.mineral, p.stage)
        for _, p in view.policies.in_force(month)
        if p.country == country
    }
    adopted = []
    for m, mineral in enumerate(view.minerals):
        if ("export_ban", mineral, "raw") in in_force or not (
            reserves[m, c] >= settings.nationalism_reserve_share
            and mining[m, c] >= 0.05
            and refining[m, c] < mining[m, c] / 2
        ):
            continue
        case = investment_case(view, m, c, month)
        if case.gain_usd > case.cost_usd:
            adopted.append(
                Policy(
                    "export_ban",
                    country,
                    mineral,
                    "raw",
                    "all",
                    cause="endogenous",
                    reason=(
                        f"resource nationalism: reserves {reserves[m, c]:.0%}, mining "
                        f"{mining[m, c]:.0%}, refining {refining[m, c]:.0%}; present value of "
                        f"the margin kept {case.gain_usd:,.0f} > export revenue lost "
                        f"{case.export_loss_usd:,.0f} + dispute {case.dispute_usd:,.0f} USD; "
                        f"first-year capture {case.first_year_capture:.0%} "
                        f"[gain_usd={case.gain_usd:.6g} cost_usd={case.cost_usd:.6g} "
                        f"export_loss_usd={case.export_loss_usd:.6g} "
                        f"dispute_usd={case.dispute_usd:.6g}]"
                    ),
                )
            )
    return adopted
