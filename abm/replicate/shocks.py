"""The size of each scripted restriction of a run, in tonnes and as a share of world supply.

Sizes are computed from the run's own world (its flows before the policy starts), never typed,
so the report can say how large each shock is without anyone choosing the number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from abm.policy.kinds import ExportLicensing

if TYPE_CHECKING:
    from abm.model import MineralsModel
    from abm.policy.instruments import Policy

RESTRICTIONS = ("export_ban", "export_licensing")
STAGES = ("raw", "refined")


@dataclass(frozen=True)
class ShockSize:
    """One scripted restriction on one mineral and stage, measured in the run's world.

    ``baseline_t_per_month``: the restricting country's exports to the targets in the 12
    months before the start (what licences are a share of); ``licensed_t_per_month``: what
    the licences allow once the delay and the reviews are over (0 for a ban);
    ``planned_cut_t``: the tonnes the policy withholds over its months in the run if
    exports, and applications, would otherwise have stayed at the baseline (the licensed
    share of each month from ``ExportLicensing.licensed_share``, within the quota);
    ``world_supply_t_per_month``: world output of the stage before the start.
    """

    scenario: str
    kind: str
    country: str
    mineral: str
    stage: str
    targets: str
    start: str
    end: str
    months: int
    baseline_t_per_month: float
    licensed_t_per_month: float
    planned_cut_t: float
    world_supply_t_per_month: float

    @property
    def share_of_world_pct(self) -> float:
        """The planned cut as a share of world supply over the same months."""
        supply = self.world_supply_t_per_month * self.months
        return 100.0 * self.planned_cut_t / supply if supply > 0 else float("nan")


def _months_in_run(policy: Policy, months: list[str]) -> tuple[int, int]:
    """First month index of the policy in the run and how many months of it the run holds."""
    first = months.index(policy.start) if policy.start in months else 0
    last = months.index(policy.end) if policy.end in months else len(months) - 1
    return first, max(last - first + 1, 0)


def _world_supply(model: MineralsModel, stage: int, mineral: int, first: int) -> float:
    """World output of a stage in the 12 months before ``first`` (t/month)."""
    rec = model.recorder
    span = slice(max(first - 12, 0), max(first, 1))
    if stage == 0:
        sites = model.mines.mineral == mineral
        return float(rec.mine_output[span][:, sites].sum(axis=1).mean())
    sites = model.refineries.mineral == mineral
    recycled = rec.recycled[span][:, model.recyclers.mineral == mineral].sum(axis=1)
    return float((rec.refinery_output[span][:, sites].sum(axis=1) + recycled).mean())


def _licensed(policy: Policy, length: int) -> tuple[float, float]:
    """Share of the baseline licensed once reviews are done (0 for a ban), and the sum over
    the policy's months of the share licensed (delay, review and quota counted)."""
    if policy.kind == "export_ban":
        return 0.0, 0.0
    quota = float(policy.param("quota_share"))
    shares = [min(ExportLicensing.licensed_share(policy, k), quota) for k in range(length)]
    return min(float(policy.param("grant_share")), quota), float(sum(shares))


def shock_sizes(model: MineralsModel, scenario: str, policies: list[Policy]) -> tuple:
    """Every scripted export ban or licence of one mineral in the run, sized."""
    world, rec = model.world, model.recorder
    months = [m.strftime("%Y-%m") for m in world.months[: rec.months_done]]
    sizes = []
    for policy in policies:
        if policy.kind not in RESTRICTIONS or policy.mineral == "all":
            continue
        first, length = _months_in_run(policy, months)
        origin = world.countries.index(policy.country)
        targets = [world.countries.index(code) for code in policy.target_codes()]
        m = world.minerals.index(policy.mineral)
        for stage in policy.stages():
            s = STAGES.index(stage)
            before = rec.flows[s, max(first - 12, 0) : max(first, 1), m, origin, :]
            baseline = float(before[:, targets].sum(axis=1).mean())
            licensed, open_share = _licensed(policy, length)
            cut = baseline * (length - open_share)
            licensed *= baseline
            sizes.append(
                ShockSize(
                    scenario=scenario,
                    kind=policy.kind,
                    country=policy.country,
                    mineral=policy.mineral,
                    stage=stage,
                    targets="all" if policy.targets == "all" else ",".join(policy.targets),
                    start=months[first],
                    end=months[first + length - 1] if length else months[first],
                    months=length,
                    baseline_t_per_month=baseline,
                    licensed_t_per_month=licensed,
                    planned_cut_t=float(cut),
                    world_supply_t_per_month=_world_supply(model, s, m, first),
                )
            )
    return tuple(sizes)


def mean_sizes(sizes_by_seed: list[tuple[ShockSize, ...]]) -> list[dict]:
    """The sizes of one scenario averaged over seeds (the world differs a little by seed)."""
    rows = []
    for same in zip(*sizes_by_seed, strict=True):
        first = same[0]
        rows.append(
            {
                "scenario": first.scenario,
                "policy": f"{first.kind} {first.country} {first.mineral} {first.stage}"
                f" -> {first.targets}",
                "months": f"{first.start} to {first.end} ({first.months} months)",
                "baseline": float(np.mean([s.baseline_t_per_month for s in same])),
                "licensed": float(np.mean([s.licensed_t_per_month for s in same])),
                "cut": float(np.mean([s.planned_cut_t for s in same])),
                "share": float(np.mean([s.share_of_world_pct for s in same])),
            }
        )
    return rows
